//! `f16`, `bf16`, `c64` and `c128` in the runtime ops: element types, their accumulators, and
//! `cumsum`/`cumprod` as the interpreter computes them: a running accumulator in `f64` (real) or
//! `c128` (complex), each result element rounded from it (`f16`/`bf16` through `f32` with
//! round-to-odd, so the rounding is correct). `matmul` and `einsum` use [`Wide`] likewise; the
//! order of f16/bf16 for `sort`, `argmax`, `argmin` is here too.

use half::{bf16, f16};
use num_complex::{Complex32, Complex64};

use crate::abi::AirTensor;
use crate::copy::{copy_strided, Side};
use crate::elem::{Elem, Ordered};
use crate::error::Res;
use crate::out::Out;
use crate::view::{c_strides, Arg};

/// An element type accumulated in a wider type.
pub(crate) trait Wide: Elem {
    /// The accumulator.
    type Acc: Copy + std::ops::Add<Output = Self::Acc> + std::ops::Mul<Output = Self::Acc>;
    /// The additive and multiplicative identities.
    const ZERO: Self::Acc;
    /// The multiplicative identity.
    const ONE: Self::Acc;
    /// Widens an element (exactly).
    fn to_acc(self) -> Self::Acc;
    /// Rounds an accumulator to the element type.
    fn from_acc(a: Self::Acc) -> Self;
}

impl crate::elem::sealed::Sealed for f16 {}
impl Elem for f16 {}
impl crate::elem::sealed::Sealed for bf16 {}
impl Elem for bf16 {}
impl crate::elem::sealed::Sealed for Complex32 {}
impl Elem for Complex32 {}
impl crate::elem::sealed::Sealed for Complex64 {}
impl Elem for Complex64 {}

// The ring operations of scatter's `add` and `mul` on these dtypes, one operation at a time as
// the interpreter's binary ops: half's arithmetic computes in f32 and rounds to the dtype (ties
// to even), num-complex's is the interpreter's complex add and mul.
macro_rules! wide_num {
    ($($t:ty => $zero:expr, $one:expr);*) => {$(
        impl crate::elem::Num for $t {
            const ZERO: $t = $zero;
            const ONE: $t = $one;
            fn add(self, other: $t) -> $t {
                self + other
            }
            fn mul(self, other: $t) -> $t {
                self * other
            }
        }
    )*};
}
wide_num!(
    f16 => f16::ZERO, f16::ONE;
    bf16 => bf16::ZERO, bf16::ONE;
    Complex32 => Complex32::new(0.0, 0.0), Complex32::new(1.0, 0.0);
    Complex64 => Complex64::new(0.0, 0.0), Complex64::new(1.0, 0.0)
);

/// `x` rounded to `f32` with round-to-odd: the interpreter's `f64_to_f32_odd`.
pub(crate) fn f64_to_f32_odd(x: f64) -> f32 {
    let r = x as f32;
    if x.is_nan() || f64::from(r) == x {
        return r;
    }
    let truncated = if f64::from(r).abs() > x.abs() {
        f32::from_bits(r.to_bits() - 1)
    } else {
        r
    };
    f32::from_bits(truncated.to_bits() | 1)
}

impl Wide for f16 {
    type Acc = f64;
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    fn to_acc(self) -> f64 {
        self.to_f64()
    }
    fn from_acc(a: f64) -> f16 {
        f16::from_f32(f64_to_f32_odd(a))
    }
}

impl Wide for bf16 {
    type Acc = f64;
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    fn to_acc(self) -> f64 {
        self.to_f64()
    }
    fn from_acc(a: f64) -> bf16 {
        bf16::from_f32(f64_to_f32_odd(a))
    }
}

impl Wide for Complex32 {
    type Acc = Complex64;
    const ZERO: Complex64 = Complex64::new(0.0, 0.0);
    const ONE: Complex64 = Complex64::new(1.0, 0.0);
    fn to_acc(self) -> Complex64 {
        Complex64::new(self.re.into(), self.im.into())
    }
    fn from_acc(a: Complex64) -> Complex32 {
        Complex32::new(a.re as f32, a.im as f32)
    }
}

impl Wide for Complex64 {
    type Acc = Complex64;
    const ZERO: Complex64 = Complex64::new(0.0, 0.0);
    const ONE: Complex64 = Complex64::new(1.0, 0.0);
    fn to_acc(self) -> Complex64 {
        self
    }
    fn from_acc(a: Complex64) -> Complex64 {
        a
    }
}

/// Running sum or product of `x` along `axis` into `out`.
pub(crate) fn scan_wide<T: Wide>(
    x: &Arg,
    axis: usize,
    product: bool,
    out: &mut AirTensor,
) -> Res<()> {
    let mut o = Out::prepare(out, x.dtype, &x.shape, &[x], true)?;
    let dst = o.slice::<T>();
    let c = c_strides(&x.shape, x.esize());
    // SAFETY: `dst` holds x's elements in C order and does not overlap x.
    unsafe {
        copy_strided(
            Side {
                ptr: x.data,
                strides: &x.strides,
            },
            Side {
                ptr: dst.as_mut_ptr() as *mut u8,
                strides: &c,
            },
            &x.shape,
            x.esize(),
        );
    }
    let n = x.shape[axis];
    let inner: usize = x.shape[axis + 1..].iter().product();
    if n > 0 && inner > 0 {
        let mut acc = vec![if product { T::ONE } else { T::ZERO }; inner];
        for block in dst.chunks_exact_mut(n * inner) {
            acc.fill(if product { T::ONE } else { T::ZERO });
            for row in block.chunks_exact_mut(inner) {
                for (v, a) in row.iter_mut().zip(acc.iter_mut()) {
                    *a = if product {
                        *a * v.to_acc()
                    } else {
                        *a + v.to_acc()
                    };
                    *v = T::from_acc(*a);
                }
            }
        }
    }
    o.finish();
    Ok(())
}

macro_rules! ordered_half {
    ($($t:ty),*) => {$(
        impl Ordered for $t {
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn gt(self, other: $t) -> bool {
                self > other
            }
            #[inline(always)]
            fn lt(self, other: $t) -> bool {
                self < other
            }
            fn sort_nan_last(v: &mut [$t]) {
                v.sort_unstable_by(|a, b| match (a.is_nan(), b.is_nan()) {
                    (false, false) => a.to_f32().total_cmp(&b.to_f32()),
                    (x, y) => x.cmp(&y),
                });
            }
        }
    )*};
}
ordered_half!(f16, bf16);
