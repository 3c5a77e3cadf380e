//! Element-level building blocks shared by the ops: integer semantics, real floats, accumulators
//! and the exact widening that casts go through.
//!
//! Integers are computed as mathematical integers in `i128` and then wrapped to the dtype's width:
//! that is two's complement wrapping (`docs/op-rules.md`), written once.

use std::num::Wrapping;

use half::{bf16, f16};
use num_complex::{Complex, Complex32, Complex64};

use crate::tensor::Element;

/// An integer element type.
pub(crate) trait Int: Element + Ord {
    /// Width in bits.
    const BITS: u32;
    /// The exact value.
    fn to_i128(self) -> i128;
    /// The low `BITS` bits of `v`, as two's complement (wrapping).
    fn wrapping_from(v: i128) -> Self;
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Int for $t {
            const BITS: u32 = <$t>::BITS;
            fn to_i128(self) -> i128 {
                self as i128
            }
            fn wrapping_from(v: i128) -> Self {
                v as $t
            }
        }
    )*};
}
int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// A real float element type computed natively (`f32`, `f64`); `f16` and `bf16` go through `f32`.
pub(crate) trait Real: num_traits::Float + Element {
    /// The error function.
    fn erf(self) -> Self;
    /// Rounds half to even.
    fn round_even(self) -> Self;
    /// Inverse hyperbolic sine, C library (musl) formula: Rust's own loses accuracy.
    fn libm_asinh(self) -> Self;
    /// Inverse hyperbolic cosine, C library (musl) formula: Rust's own overflows near the top.
    fn libm_acosh(self) -> Self;
    /// Inverse hyperbolic tangent, C library (musl) formula.
    fn libm_atanh(self) -> Self;
}

impl Real for f32 {
    fn erf(self) -> f32 {
        libm::erff(self)
    }
    fn round_even(self) -> f32 {
        self.round_ties_even()
    }
    fn libm_asinh(self) -> f32 {
        libm::asinhf(self)
    }
    fn libm_acosh(self) -> f32 {
        libm::acoshf(self)
    }
    fn libm_atanh(self) -> f32 {
        libm::atanhf(self)
    }
}

impl Real for f64 {
    fn erf(self) -> f64 {
        libm::erf(self)
    }
    fn round_even(self) -> f64 {
        self.round_ties_even()
    }
    fn libm_asinh(self) -> f64 {
        libm::asinh(self)
    }
    fn libm_acosh(self) -> f64 {
        libm::acosh(self)
    }
    fn libm_atanh(self) -> f64 {
        libm::atanh(self)
    }
}

/// Element types that can be summed and multiplied (numeric dtypes), with the accumulator that
/// sums, products, means and contractions use: wrapping integers for integers, `f64` for every
/// real float (so `f16`/`bf16`/`f32` are rounded once, at the end), `Complex64` for complex.
pub(crate) trait Accumulate: Element {
    /// The accumulator type.
    type Acc: Copy
        + num_traits::Zero
        + num_traits::One
        + std::ops::Add<Output = Self::Acc>
        + std::ops::Mul<Output = Self::Acc>;
    /// Widens an element.
    fn to_acc(self) -> Self::Acc;
    /// Rounds or wraps an accumulator back to the element type.
    fn from_acc(a: Self::Acc) -> Self;
}

macro_rules! accumulate_int {
    ($($t:ty),*) => {$(
        impl Accumulate for $t {
            type Acc = Wrapping<$t>;
            fn to_acc(self) -> Wrapping<$t> {
                Wrapping(self)
            }
            fn from_acc(a: Wrapping<$t>) -> $t {
                a.0
            }
        }
    )*};
}
accumulate_int!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! accumulate_float {
    ($($t:ty: $to:expr, $from:expr);*) => {$(
        impl Accumulate for $t {
            type Acc = f64;
            fn to_acc(self) -> f64 {
                $to(self)
            }
            fn from_acc(a: f64) -> $t {
                $from(a)
            }
        }
    )*};
}
accumulate_float!(
    f16: f16::to_f64, |a| f16::from_f32(f64_to_f32_odd(a));
    bf16: bf16::to_f64, |a| bf16::from_f32(f64_to_f32_odd(a));
    f32: f64::from, |a| a as f32;
    f64: |a| a, |a| a
);

impl Accumulate for Complex32 {
    type Acc = Complex64;
    fn to_acc(self) -> Complex64 {
        Complex64::new(self.re.into(), self.im.into())
    }
    fn from_acc(a: Complex64) -> Complex32 {
        Complex32::new(a.re as f32, a.im as f32)
    }
}

impl Accumulate for Complex64 {
    type Acc = Complex64;
    fn to_acc(self) -> Complex64 {
        self
    }
    fn from_acc(a: Complex64) -> Complex64 {
        a
    }
}

/// The ordered element types (bool, integers, real floats), with the NaN test that the
/// NaN-propagating reductions, `argmax`/`argmin` and `sort` need.
pub(crate) trait Ordered: Element + PartialOrd {
    /// True for a NaN (never for bool and integers).
    fn is_nan(self) -> bool {
        false
    }
}

impl Ordered for bool {}
impl Ordered for i8 {}
impl Ordered for i16 {}
impl Ordered for i32 {}
impl Ordered for i64 {}
impl Ordered for u8 {}
impl Ordered for u16 {}
impl Ordered for u32 {}
impl Ordered for u64 {}

macro_rules! ordered_float {
    ($($t:ty),*) => {$(
        impl Ordered for $t {
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
        }
    )*};
}
ordered_float!(f16, bf16, f32, f64);

/// Any element's exact value, wide enough for every dtype: what casts convert through.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// A bool.
    Bool(bool),
    /// An integer, exactly.
    Int(i128),
    /// A real float, exactly (every float dtype widens exactly to `f64`).
    Float(f64),
    /// A complex number (re, im), exactly.
    Complex(f64, f64),
}

/// Conversion of every element type to and from [`Num`], with the cast rules of
/// `docs/op-rules.md` (`cast`).
pub(crate) trait Widen: Element {
    /// The exact value.
    fn to_num(self) -> Num;
    /// `n` converted to this type as `cast` does.
    fn from_num(n: Num) -> Self;
    /// The value as a complex `f64` (integers above 2^53 rounded).
    fn widen(self) -> Complex64 {
        match self.to_num() {
            Num::Bool(b) => Complex64::new(f64::from(u8::from(b)), 0.0),
            Num::Int(i) => Complex64::new(i as f64, 0.0),
            Num::Float(f) => Complex64::new(f, 0.0),
            Num::Complex(re, im) => Complex64::new(re, im),
        }
    }
}

impl Widen for bool {
    fn to_num(self) -> Num {
        Num::Bool(self)
    }
    fn from_num(n: Num) -> bool {
        // int/float -> bool is `x != 0` (nan -> true); complex: either part non-zero, as NumPy.
        match n {
            Num::Bool(b) => b,
            Num::Int(i) => i != 0,
            Num::Float(f) => f != 0.0,
            Num::Complex(re, im) => re != 0.0 || im != 0.0,
        }
    }
}

macro_rules! widen_int {
    ($($t:ty),*) => {$(
        impl Widen for $t {
            fn to_num(self) -> Num {
                Num::Int(self as i128)
            }
            fn from_num(n: Num) -> $t {
                // int -> int wraps; float -> int truncates toward zero and saturates, NaN -> 0,
                // which is exactly Rust's `as`; complex drops the imaginary part.
                match n {
                    Num::Bool(b) => <$t>::from(b),
                    Num::Int(i) => i as $t,
                    Num::Float(f) | Num::Complex(f, _) => f as $t,
                }
            }
        }
    )*};
}
widen_int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// The real part a real or complex target takes from `n`, rounded to `f32` with round-to-odd
/// (see [`f64_to_f32_odd`]) so that a later rounding to `f16`/`bf16` is correct.
fn real_part_f32_odd(n: Num) -> f32 {
    match n {
        Num::Bool(b) => f32::from(u8::from(b)),
        Num::Int(i) => int_to_f32_odd(i),
        Num::Float(f) | Num::Complex(f, _) => f64_to_f32_odd(f),
    }
}

/// The real part of `n` as `f64`, rounded to nearest even.
fn real_part_f64(n: Num) -> f64 {
    match n {
        Num::Bool(b) => f64::from(u8::from(b)),
        Num::Int(i) => i as f64,
        Num::Float(f) | Num::Complex(f, _) => f,
    }
}

/// The real part of `n` as `f32`, rounded to nearest even (directly, not through `f64`).
fn real_part_f32(n: Num) -> f32 {
    match n {
        Num::Bool(b) => f32::from(u8::from(b)),
        Num::Int(i) => i as f32,
        Num::Float(f) | Num::Complex(f, _) => f as f32,
    }
}

fn imag_part(n: Num) -> f64 {
    match n {
        Num::Complex(_, im) => im,
        Num::Bool(_) | Num::Int(_) | Num::Float(_) => 0.0,
    }
}

impl Widen for f16 {
    fn to_num(self) -> Num {
        Num::Float(self.to_f64())
    }
    fn from_num(n: Num) -> f16 {
        f16::from_f32(real_part_f32_odd(n))
    }
}

impl Widen for bf16 {
    fn to_num(self) -> Num {
        Num::Float(self.to_f64())
    }
    fn from_num(n: Num) -> bf16 {
        bf16::from_f32(real_part_f32_odd(n))
    }
}

impl Widen for f32 {
    fn to_num(self) -> Num {
        Num::Float(self.into())
    }
    fn from_num(n: Num) -> f32 {
        real_part_f32(n)
    }
}

impl Widen for f64 {
    fn to_num(self) -> Num {
        Num::Float(self)
    }
    fn from_num(n: Num) -> f64 {
        real_part_f64(n)
    }
}

impl Widen for Complex32 {
    fn to_num(self) -> Num {
        Num::Complex(self.re.into(), self.im.into())
    }
    fn from_num(n: Num) -> Complex32 {
        Complex::new(real_part_f32(n), imag_part(n) as f32)
    }
}

impl Widen for Complex64 {
    fn to_num(self) -> Num {
        Num::Complex(self.re, self.im)
    }
    fn from_num(n: Num) -> Complex64 {
        Complex::new(real_part_f64(n), imag_part(n))
    }
}

/// `x` rounded to `f32` with round-to-odd: exact values stay; an inexact one is truncated toward
/// zero and gets its last mantissa bit set. Rounding that result to nearest in a format with at
/// least two bits less precision (`f16`, `bf16`) gives the correctly rounded value of `x`, which
/// rounding to nearest twice does not always do.
pub(crate) fn f64_to_f32_odd(x: f64) -> f32 {
    let r = x as f32;
    if x.is_nan() || f64::from(r) == x {
        return r;
    }
    let truncated = if f64::from(r).abs() > x.abs() {
        f32::from_bits(r.to_bits() - 1) // one step toward zero
    } else {
        r
    };
    f32::from_bits(truncated.to_bits() | 1)
}

/// An integer rounded to `f32` with round-to-odd (see [`f64_to_f32_odd`]).
pub(crate) fn int_to_f32_odd(i: i128) -> f32 {
    let r = i as f32;
    if r as i128 == i {
        return r;
    }
    let truncated = if (r as i128).unsigned_abs() > i.unsigned_abs() {
        f32::from_bits(r.to_bits() - 1)
    } else {
        r
    };
    f32::from_bits(truncated.to_bits() | 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_to_odd_then_nearest_is_correct_rounding() {
        // 1 + 2^-8 is halfway between two bf16 values; a tiny excess must round up. Going
        // through f32 by round-to-nearest would lose the excess and round to even (down).
        let x = 1.0 + 2f64.powi(-8) + 2f64.powi(-40);
        assert_eq!(
            bf16::from_f32(f64_to_f32_odd(x)).to_f64(),
            1.0 + 2f64.powi(-7)
        );
        assert_eq!(
            bf16::from_f32(f64_to_f32_odd(1.0 + 2f64.powi(-8))).to_f64(),
            1.0
        );
        // Same for an integer: 2^60 + 2^52 is a bf16 tie, plus 1.
        let i = (1i128 << 60) + (1 << 52) + 1;
        assert_eq!(
            bf16::from_num(Num::Int(i)).to_f64(),
            2f64.powi(60) + 2f64.powi(53)
        );
        assert_eq!(f16::from_num(Num::Float(1e300)), f16::INFINITY);
        assert_eq!(f16::from_num(Num::Float(-1e-300)).to_bits(), 0x8000, "-0.0");
    }

    #[test]
    fn float_to_int_saturates_and_maps_nan_to_zero() {
        assert_eq!(i8::from_num(Num::Float(300.7)), 127);
        assert_eq!(i8::from_num(Num::Float(-2.9)), -2);
        assert_eq!(u8::from_num(Num::Float(-5.0)), 0);
        assert_eq!(i32::from_num(Num::Float(f64::NAN)), 0);
        assert_eq!(u64::from_num(Num::Float(f64::INFINITY)), u64::MAX);
        assert_eq!(i8::from_num(Num::Int(200)), -56, "int -> int wraps");
    }
}
