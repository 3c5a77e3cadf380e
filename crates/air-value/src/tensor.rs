//! Run-time tensors: one `ndarray` array per AIR dtype, and the macros that dispatch on it.

use air_ir::{DType, Literal};
use half::{bf16, f16};
use ndarray::{ArrayD, IxDyn};
use num_complex::{Complex32, Complex64};

/// A tensor value: an n-dimensional array of one of AIR's fifteen dtypes.
#[derive(Clone, Debug, PartialEq)]
pub enum Tensor {
    /// `bool`.
    Bool(ArrayD<bool>),
    /// `i8`.
    I8(ArrayD<i8>),
    /// `i16`.
    I16(ArrayD<i16>),
    /// `i32`.
    I32(ArrayD<i32>),
    /// `i64`.
    I64(ArrayD<i64>),
    /// `u8`.
    U8(ArrayD<u8>),
    /// `u16`.
    U16(ArrayD<u16>),
    /// `u32`.
    U32(ArrayD<u32>),
    /// `u64`.
    U64(ArrayD<u64>),
    /// `f16`.
    F16(ArrayD<f16>),
    /// `bf16`.
    BF16(ArrayD<bf16>),
    /// `f32`.
    F32(ArrayD<f32>),
    /// `f64`.
    F64(ArrayD<f64>),
    /// `c64`: complex of two `f32`.
    C64(ArrayD<Complex32>),
    /// `c128`: complex of two `f64`.
    C128(ArrayD<Complex64>),
}

/// Runs `$body` with `$a` bound to the array inside any variant (the body is compiled once per
/// element type, so it must be generic).
#[macro_export]
macro_rules! with_array {
    ($t:expr, $a:ident => $body:expr) => {
        match $t {
            $crate::Tensor::Bool($a) => $body,
            $crate::Tensor::I8($a) => $body,
            $crate::Tensor::I16($a) => $body,
            $crate::Tensor::I32($a) => $body,
            $crate::Tensor::I64($a) => $body,
            $crate::Tensor::U8($a) => $body,
            $crate::Tensor::U16($a) => $body,
            $crate::Tensor::U32($a) => $body,
            $crate::Tensor::U64($a) => $body,
            $crate::Tensor::F16($a) => $body,
            $crate::Tensor::BF16($a) => $body,
            $crate::Tensor::F32($a) => $body,
            $crate::Tensor::F64($a) => $body,
            $crate::Tensor::C64($a) => $body,
            $crate::Tensor::C128($a) => $body,
        }
    };
}

/// Like [`with_array!`], wrapping the body's array back into the same variant.
#[macro_export]
macro_rules! map_array {
    ($t:expr, $a:ident => $body:expr) => {
        match $t {
            $crate::Tensor::Bool($a) => $crate::Tensor::Bool($body),
            $crate::Tensor::I8($a) => $crate::Tensor::I8($body),
            $crate::Tensor::I16($a) => $crate::Tensor::I16($body),
            $crate::Tensor::I32($a) => $crate::Tensor::I32($body),
            $crate::Tensor::I64($a) => $crate::Tensor::I64($body),
            $crate::Tensor::U8($a) => $crate::Tensor::U8($body),
            $crate::Tensor::U16($a) => $crate::Tensor::U16($body),
            $crate::Tensor::U32($a) => $crate::Tensor::U32($body),
            $crate::Tensor::U64($a) => $crate::Tensor::U64($body),
            $crate::Tensor::F16($a) => $crate::Tensor::F16($body),
            $crate::Tensor::BF16($a) => $crate::Tensor::BF16($body),
            $crate::Tensor::F32($a) => $crate::Tensor::F32($body),
            $crate::Tensor::F64($a) => $crate::Tensor::F64($body),
            $crate::Tensor::C64($a) => $crate::Tensor::C64($body),
            $crate::Tensor::C128($a) => $crate::Tensor::C128($body),
        }
    };
}

/// Like [`map_array!`] for the listed variants only; any other variant evaluates `$err`.
#[macro_export]
macro_rules! map_some {
    ($t:expr, [$($v:ident),*], $a:ident => $body:expr, else $err:expr) => {
        match $t {
            $( $crate::Tensor::$v($a) => $crate::Tensor::$v($body), )*
            #[allow(unreachable_patterns)]
            _ => $err,
        }
    };
}

/// Like [`with_array!`] for the listed variants only; any other variant evaluates `$err`.
#[macro_export]
macro_rules! with_some {
    ($t:expr, [$($v:ident),*], $a:ident => $body:expr, else $err:expr) => {
        match $t {
            $( $crate::Tensor::$v($a) => $body, )*
            #[allow(unreachable_patterns)]
            _ => $err,
        }
    };
}

/// [`map_some!`] over the numeric dtypes (every dtype but bool).
#[macro_export]
macro_rules! map_numeric {
    ($t:expr, $a:ident => $body:expr, else $err:expr) => {
        $crate::map_some!($t,
            [I8, I16, I32, I64, U8, U16, U32, U64, F16, BF16, F32, F64, C64, C128],
            $a => $body, else $err)
    };
}

/// [`map_some!`] over the ordered dtypes (bool, integers, real floats).
#[macro_export]
macro_rules! map_ordered {
    ($t:expr, $a:ident => $body:expr, else $err:expr) => {
        $crate::map_some!($t,
            [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F16, BF16, F32, F64],
            $a => $body, else $err)
    };
}

/// Runs `$body` with the type alias `$T` set to the element type of dtype `$d`.
#[macro_export]
macro_rules! with_dtype {
    ($d:expr, $T:ident => $body:expr) => {
        match $d {
            $crate::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::DType::I8 => {
                type $T = i8;
                $body
            }
            $crate::DType::I16 => {
                type $T = i16;
                $body
            }
            $crate::DType::I32 => {
                type $T = i32;
                $body
            }
            $crate::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::DType::U16 => {
                type $T = u16;
                $body
            }
            $crate::DType::U32 => {
                type $T = u32;
                $body
            }
            $crate::DType::U64 => {
                type $T = u64;
                $body
            }
            $crate::DType::F16 => {
                type $T = $crate::half::f16;
                $body
            }
            $crate::DType::BF16 => {
                type $T = $crate::half::bf16;
                $body
            }
            $crate::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::DType::C64 => {
                type $T = $crate::num_complex::Complex32;
                $body
            }
            $crate::DType::C128 => {
                type $T = $crate::num_complex::Complex64;
                $body
            }
        }
    };
}

/// A Rust element type that backs one AIR dtype.
pub trait Element: Clone + Copy + Default + std::fmt::Debug + PartialEq + 'static {
    /// The AIR dtype.
    const DTYPE: DType;
    /// Wraps an array into its [`Tensor`] variant.
    fn wrap(a: ArrayD<Self>) -> Tensor;
    /// The array when the tensor is of this element type.
    fn view(t: &Tensor) -> Option<&ArrayD<Self>>;
    /// The array when the tensor is of this element type.
    fn unwrap(t: Tensor) -> Option<ArrayD<Self>>;
    /// Decodes one element from `DTYPE.size_bytes()` little-endian bytes.
    fn from_le(b: &[u8]) -> Self;
    /// Appends the element's little-endian bytes.
    fn put_le(self, out: &mut Vec<u8>);
}

/// The first `N` bytes of `b` (zero-padded when `b` is shorter, which callers never pass).
fn le<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    let n = b.len().min(N);
    a[..n].copy_from_slice(&b[..n]);
    a
}

macro_rules! element {
    ($t:ty, $variant:ident, $from:expr, $put:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn wrap(a: ArrayD<Self>) -> Tensor {
                Tensor::$variant(a)
            }
            fn view(t: &Tensor) -> Option<&ArrayD<Self>> {
                match t {
                    Tensor::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn unwrap(t: Tensor) -> Option<ArrayD<Self>> {
                match t {
                    Tensor::$variant(a) => Some(a),
                    _ => None,
                }
            }
            fn from_le(b: &[u8]) -> Self {
                $from(b)
            }
            fn put_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&$put(self))
            }
        }
    };
    ($t:ty, $variant:ident) => {
        element!(
            $t,
            $variant,
            |b: &[u8]| <$t>::from_le_bytes(le(b)),
            <$t>::to_le_bytes
        );
    };
}

element!(
    bool,
    Bool,
    |b: &[u8]| b.first().is_some_and(|&x| x != 0),
    |x: bool| [u8::from(x)]
);
element!(i8, I8);
element!(i16, I16);
element!(i32, I32);
element!(i64, I64);
element!(u8, U8);
element!(u16, U16);
element!(u32, U32);
element!(u64, U64);
element!(f16, F16);
element!(bf16, BF16);
element!(f32, F32);
element!(f64, F64);
element!(
    Complex32,
    C64,
    |b: &[u8]| Complex32::new(f32::from_le_bytes(le(b)), f32::from_le_bytes(le(&b[4..]))),
    |z: Complex32| {
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&z.re.to_le_bytes());
        out[4..].copy_from_slice(&z.im.to_le_bytes());
        out
    }
);
element!(
    Complex64,
    C128,
    |b: &[u8]| Complex64::new(f64::from_le_bytes(le(b)), f64::from_le_bytes(le(&b[8..]))),
    |z: Complex64| {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&z.re.to_le_bytes());
        out[8..].copy_from_slice(&z.im.to_le_bytes());
        out
    }
);

impl<T: Element> From<ArrayD<T>> for Tensor {
    fn from(a: ArrayD<T>) -> Tensor {
        T::wrap(a)
    }
}

/// A tensor whose element count does not match its shape, or a literal whose byte length does not.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShapeError(pub String);

impl Tensor {
    /// The tensor's dtype.
    pub fn dtype(&self) -> DType {
        fn of<T: Element>(_: &ArrayD<T>) -> DType {
            T::DTYPE
        }
        with_array!(self, a => of(a))
    }

    /// The extents of the axes.
    pub fn shape(&self) -> &[usize] {
        with_array!(self, a => a.shape())
    }

    /// The number of axes.
    pub fn rank(&self) -> usize {
        self.shape().len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        with_array!(self, a => a.len())
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A rank-0 tensor holding `v`.
    pub fn scalar<T: Element>(v: T) -> Tensor {
        T::wrap(ArrayD::from_elem(IxDyn(&[]), v))
    }

    /// A tensor of `shape` from elements in C order.
    pub fn from_vec<T: Element>(shape: &[usize], v: Vec<T>) -> Result<Tensor, ShapeError> {
        let n = v.len();
        ArrayD::from_shape_vec(IxDyn(shape), v)
            .map(T::wrap)
            .map_err(|_| ShapeError(format!("{n} elements do not fill shape {shape:?}")))
    }

    /// A tensor of zeros (false for bool).
    pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor {
        with_dtype!(dtype, T => T::wrap(ArrayD::from_elem(IxDyn(shape), T::default())))
    }

    /// The array when the tensor holds elements of type `T`.
    pub fn array<T: Element>(&self) -> Option<&ArrayD<T>> {
        T::view(self)
    }

    /// The array when the tensor holds elements of type `T`.
    pub fn into_array<T: Element>(self) -> Option<ArrayD<T>> {
        T::unwrap(self)
    }

    /// Decodes `data` (little-endian, C order) as a tensor of `dtype` and `shape`.
    pub fn from_le_bytes(dtype: DType, shape: &[usize], data: &[u8]) -> Result<Tensor, ShapeError> {
        fn decode<T: Element>(shape: &[usize], data: &[u8]) -> Result<Tensor, ShapeError> {
            let size = T::DTYPE.size_bytes();
            let v: Vec<T> = data.chunks_exact(size).map(T::from_le).collect();
            Tensor::from_vec(shape, v)
        }
        let want = shape
            .iter()
            .try_fold(dtype.size_bytes(), |acc, &d| acc.checked_mul(d));
        if want != Some(data.len()) {
            return Err(ShapeError(format!(
                "{} bytes do not hold a {dtype}{shape:?} tensor",
                data.len()
            )));
        }
        with_dtype!(dtype, T => decode::<T>(shape, data))
    }

    /// The elements as little-endian bytes in C order.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        fn encode<T: Element>(a: &ArrayD<T>) -> Vec<u8> {
            let mut out = Vec::with_capacity(a.len() * T::DTYPE.size_bytes());
            // `iter` walks in logical (C) order whatever the memory layout.
            for &x in a.iter() {
                x.put_le(&mut out);
            }
            out
        }
        with_array!(self, a => encode(a))
    }

    /// The tensor holding a literal's value.
    pub fn from_literal(lit: &Literal) -> Result<Tensor, ShapeError> {
        let shape = lit
            .shape
            .iter()
            .map(|&d| usize::try_from(d))
            .collect::<Result<Vec<usize>, _>>()
            .map_err(|_| ShapeError(format!("literal shape {:?} too large", lit.shape)))?;
        Tensor::from_le_bytes(lit.dtype, &shape, &lit.data)
    }

    /// The tensor as a literal (static shape, little-endian bytes in C order).
    pub fn to_literal(&self) -> Literal {
        Literal {
            dtype: self.dtype(),
            shape: self.shape().iter().map(|&d| d as u64).collect(),
            data: self.to_le_bytes(),
        }
    }

    /// True when both tensors have the same dtype, shape and element bits (so NaNs compare equal
    /// to identical NaNs, and `-0.0` differs from `0.0`).
    pub fn bits_eq(&self, other: &Tensor) -> bool {
        self.dtype() == other.dtype()
            && self.shape() == other.shape()
            && self.to_le_bytes() == other.to_le_bytes()
    }

    /// The elements in C order as complex `f64` pairs (bools and integers widened; integers above
    /// 2^53 rounded to nearest): for comparisons with a tolerance.
    pub fn to_c128_vec(&self) -> Vec<Complex64> {
        fn real<T: Copy>(a: &ArrayD<T>, f: impl Fn(T) -> f64) -> Vec<Complex64> {
            a.iter().map(|&x| Complex64::new(f(x), 0.0)).collect()
        }
        match self {
            Tensor::Bool(a) => real(a, |x| f64::from(u8::from(x))),
            Tensor::I8(a) => real(a, f64::from),
            Tensor::I16(a) => real(a, f64::from),
            Tensor::I32(a) => real(a, f64::from),
            Tensor::I64(a) => real(a, |x| x as f64),
            Tensor::U8(a) => real(a, f64::from),
            Tensor::U16(a) => real(a, f64::from),
            Tensor::U32(a) => real(a, f64::from),
            Tensor::U64(a) => real(a, |x| x as f64),
            Tensor::F16(a) => real(a, f16::to_f64),
            Tensor::BF16(a) => real(a, bf16::to_f64),
            Tensor::F32(a) => real(a, f64::from),
            Tensor::F64(a) => real(a, |x| x),
            Tensor::C64(a) => a
                .iter()
                .map(|z| Complex64::new(z.re.into(), z.im.into()))
                .collect(),
            Tensor::C128(a) => a.iter().copied().collect(),
        }
    }
}

/// Checks `actual` against `expected` elementwise as `numpy.allclose` with `equal_nan=True`:
/// `|actual - expected| <= atol + rtol * |expected|` for finite values, NaN matching NaN, an
/// infinity only the same infinity; dtypes and shapes must be equal.
pub fn check_close(actual: &Tensor, expected: &Tensor, rtol: f64, atol: f64) -> Result<(), String> {
    if actual.dtype() != expected.dtype() {
        return Err(format!(
            "dtype {} differs from expected {}",
            actual.dtype(),
            expected.dtype()
        ));
    }
    if actual.shape() != expected.shape() {
        return Err(format!(
            "shape {:?} differs from expected {:?}",
            actual.shape(),
            expected.shape()
        ));
    }
    let pairs = actual.to_c128_vec().into_iter().zip(expected.to_c128_vec());
    for (i, (a, e)) in pairs.enumerate() {
        if !is_close(a, e, rtol, atol) {
            return Err(format!(
                "element {i}: got {a}, expected {e} (rtol {rtol}, atol {atol})"
            ));
        }
    }
    Ok(())
}

/// `numpy.isclose(a, e, rtol, atol, equal_nan=True)` for one element: a value with a NaN part
/// matches any other such value, a non-finite value only an equal one (so infinities of one sign),
/// finite values within `atol + rtol * |e|`.
fn is_close(a: Complex64, e: Complex64, rtol: f64, atol: f64) -> bool {
    let nan = |z: Complex64| z.re.is_nan() || z.im.is_nan();
    let finite = |z: Complex64| z.re.is_finite() && z.im.is_finite();
    if nan(a) || nan(e) {
        nan(a) && nan(e)
    } else if !finite(a) || !finite(e) {
        a == e
    } else {
        (a - e).norm() <= atol + rtol * e.norm()
    }
}
