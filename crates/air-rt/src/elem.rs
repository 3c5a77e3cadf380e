//! Element types of the runtime ops and the dtype dispatch.
//!
//! Every type here is valid for any bit pattern, so elements may be read from caller memory with
//! `read_unaligned`. `bool` is handled as `u8` (AIR stores it as one byte, 0 or 1): a byte other
//! than 0 or 1 from a careless caller is then just a value, never undefined behaviour.

use std::cmp::Ordering;

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// A plain element type: any bit pattern is a valid value.
pub trait Elem: Copy + Send + Sync + PartialEq + Default + 'static + sealed::Sealed {}

/// Numbers with the ring operations of the numeric ops: integers wrap (two's complement).
pub trait Num: Elem {
    /// Additive identity.
    const ZERO: Self;
    /// Multiplicative identity.
    const ONE: Self;
    /// Sum (wrapping for integers).
    fn add(self, other: Self) -> Self;
    /// Product (wrapping for integers).
    fn mul(self, other: Self) -> Self;
}

/// Ordered elements: the sort and arg-reduction order, with NaN as the extreme.
pub trait Ordered: Elem {
    /// Whether this is a NaN (never for integers).
    fn is_nan(self) -> bool;
    /// `self > other` (false when either is NaN).
    fn gt(self, other: Self) -> bool;
    /// `self < other` (false when either is NaN).
    fn lt(self, other: Self) -> bool;
    /// Sorts ascending with NaNs last (`-0.0` and `0.0` in either order).
    fn sort_nan_last(v: &mut [Self]);
}

macro_rules! ints {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Elem for $t {}
        impl Num for $t {
            const ZERO: $t = 0;
            const ONE: $t = 1;
            #[inline(always)]
            fn add(self, other: $t) -> $t {
                self.wrapping_add(other)
            }
            #[inline(always)]
            fn mul(self, other: $t) -> $t {
                self.wrapping_mul(other)
            }
        }
        impl Ordered for $t {
            #[inline(always)]
            fn is_nan(self) -> bool {
                false
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
                v.sort_unstable();
            }
        }
    )*};
}
ints!(i8, i16, i32, i64, u8, u16, u32, u64);

// `c128` elements are moved as 16-byte units (read unaligned: any bit pattern is valid).
impl sealed::Sealed for u128 {}
impl Elem for u128 {}

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl Elem for $t {}
        impl Num for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            #[inline(always)]
            fn add(self, other: $t) -> $t {
                self + other
            }
            #[inline(always)]
            fn mul(self, other: $t) -> $t {
                self * other
            }
        }
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
                    (false, false) => a.total_cmp(b),
                    (x, y) => x.cmp(&y),
                });
            }
        }
    )*};
}
floats!(f32, f64);

/// The ordering of `sort_nan_last`, for tests and callers that sort indices.
pub fn cmp_nan_last<T: Ordered>(a: T, b: T) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) if a.lt(b) => Ordering::Less,
        (false, false) if a.gt(b) => Ordering::Greater,
        (false, false) => Ordering::Equal,
        (x, y) => x.cmp(&y),
    }
}

/// Runs `$body` with the type alias `$T` bound to the element type of a numeric dtype (integers,
/// `f32`, `f64`); `bool` gives `$not_numeric`, the others `$unsupported` (callers compute f16,
/// bf16, c64 and c128 with `crate::wide` before).
macro_rules! with_numeric {
    ($dt:expr, $T:ident => $body:expr, bool => $not_numeric:expr, else $unsupported:expr) => {
        match $dt {
            air_ir::DType::I8 => {
                type $T = i8;
                $body
            }
            air_ir::DType::I16 => {
                type $T = i16;
                $body
            }
            air_ir::DType::I32 => {
                type $T = i32;
                $body
            }
            air_ir::DType::I64 => {
                type $T = i64;
                $body
            }
            air_ir::DType::U8 => {
                type $T = u8;
                $body
            }
            air_ir::DType::U16 => {
                type $T = u16;
                $body
            }
            air_ir::DType::U32 => {
                type $T = u32;
                $body
            }
            air_ir::DType::U64 => {
                type $T = u64;
                $body
            }
            air_ir::DType::F32 => {
                type $T = f32;
                $body
            }
            air_ir::DType::F64 => {
                type $T = f64;
                $body
            }
            air_ir::DType::Bool => $not_numeric,
            air_ir::DType::F16 | air_ir::DType::BF16 | air_ir::DType::C64 | air_ir::DType::C128 => {
                $unsupported
            }
        }
    };
}

/// Runs `$body` with `$T` bound to the element type of an ordered dtype (`bool` as `u8`, f16 and
/// bf16 as `half`'s types).
macro_rules! with_ordered {
    ($dt:expr, $T:ident => $body:expr, else $unsupported:expr) => {
        match $dt {
            air_ir::DType::Bool | air_ir::DType::U8 => {
                type $T = u8;
                $body
            }
            air_ir::DType::I8 => {
                type $T = i8;
                $body
            }
            air_ir::DType::I16 => {
                type $T = i16;
                $body
            }
            air_ir::DType::I32 => {
                type $T = i32;
                $body
            }
            air_ir::DType::I64 => {
                type $T = i64;
                $body
            }
            air_ir::DType::U16 => {
                type $T = u16;
                $body
            }
            air_ir::DType::U32 => {
                type $T = u32;
                $body
            }
            air_ir::DType::U64 => {
                type $T = u64;
                $body
            }
            air_ir::DType::F32 => {
                type $T = f32;
                $body
            }
            air_ir::DType::F64 => {
                type $T = f64;
                $body
            }
            air_ir::DType::F16 => {
                type $T = half::f16;
                $body
            }
            air_ir::DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            air_ir::DType::C64 | air_ir::DType::C128 => $unsupported,
        }
    };
}

/// Runs `$body` with `$T` bound to an unsigned integer of the element size of a dtype: the ops
/// that only move elements are size-generic (every dtype).
macro_rules! with_size {
    ($dt:expr, $T:ident => $body:expr) => {
        match $dt {
            air_ir::DType::Bool | air_ir::DType::I8 | air_ir::DType::U8 => {
                type $T = u8;
                $body
            }
            air_ir::DType::I16 | air_ir::DType::U16 => {
                type $T = u16;
                $body
            }
            air_ir::DType::I32 | air_ir::DType::U32 | air_ir::DType::F32 => {
                type $T = u32;
                $body
            }
            air_ir::DType::F16 | air_ir::DType::BF16 => {
                type $T = u16;
                $body
            }
            air_ir::DType::I64 | air_ir::DType::U64 | air_ir::DType::F64 | air_ir::DType::C64 => {
                type $T = u64;
                $body
            }
            air_ir::DType::C128 => {
                type $T = u128;
                $body
            }
        }
    };
}

pub(crate) use {with_numeric, with_ordered, with_size};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_last_sort() {
        let mut v = [3.0, f64::NAN, -1.0, f64::NEG_INFINITY, -f64::NAN, 2.0];
        f64::sort_nan_last(&mut v);
        assert_eq!(&v[..4], &[f64::NEG_INFINITY, -1.0, 2.0, 3.0]);
        assert!(v[4].is_nan() && v[5].is_nan());
        assert_eq!(cmp_nan_last(f64::NAN, 1.0), Ordering::Greater);
        assert_eq!(cmp_nan_last(0.0, -0.0), Ordering::Equal);
    }

    #[test]
    fn ints_wrap() {
        assert_eq!(Num::add(i8::MAX, 1), i8::MIN);
        assert_eq!(Num::mul(200u8, 2), 144);
    }
}
