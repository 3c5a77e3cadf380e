//! Scalars in the text form: float and string formatting, and the conversion of number tokens to
//! element bytes of each dtype, with range checks.

use std::fmt::Write as _;

use crate::dtype::{DType, Kind};
use crate::types::{Literal, Scalar};

/// Writes an `f64` in the shortest form that reads back to the same value (`1.0`, `1e-7`,
/// `-0.0`); non-finite values as `nan`, `inf`, `-inf`.
pub fn fmt_f64(v: f64) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        format!("{v:?}")
    }
}

/// Writes an `f32` in its shortest round-trip form (used for `f32`, `f16`, `bf16` and `c64`).
pub fn fmt_f32(v: f32) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        format!("{v:?}")
    }
}

/// Quotes a string with the escapes of the text form.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One element of a literal, as written.
pub fn fmt_scalar(dtype: DType, s: Scalar) -> String {
    let narrow = matches!(dtype, DType::F16 | DType::BF16 | DType::F32 | DType::C64);
    let real = |v: f64| {
        if narrow {
            fmt_f32(v as f32)
        } else {
            fmt_f64(v)
        }
    };
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(i) => i.to_string(),
        Scalar::UInt(u) => u.to_string(),
        Scalar::Float(f) => real(f),
        Scalar::Complex(re, im) => format!("({}, {})", real(re), real(im)),
    }
}

/// Writes a literal: `f64[2] [1.0, 2.0]`, or `i64 0` for rank 0.
pub fn fmt_literal(lit: &Literal) -> String {
    let mut out = lit.dtype.name().to_string();
    let elems = lit.elements().map(|s| fmt_scalar(lit.dtype, s));
    if lit.shape.is_empty() {
        // A rank-0 literal has one element; a malformed one prints what it has.
        let all: Vec<String> = elems.collect();
        out.push(' ');
        out.push_str(&all.join(", "));
        return out;
    }
    let dims: Vec<String> = lit.shape.iter().map(u64::to_string).collect();
    let _ = write!(out, "[{}] [", dims.join(", "));
    for (i, e) in elems.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&e);
    }
    out.push(']');
    out
}

/// A number token with its sign, before it is given a dtype.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Number {
    /// A leading `-`.
    pub neg: bool,
    /// The magnitude.
    pub mag: Magnitude,
}

/// The magnitude of a number token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Magnitude {
    /// Digits only.
    Int(String),
    /// Digits with a fraction or exponent.
    Float(String),
    /// `nan`.
    Nan,
    /// `inf`.
    Inf,
}

impl Number {
    /// The value as an integer, when it is written as one and fits in `i128`.
    pub fn to_i128(&self) -> Option<i128> {
        let Magnitude::Int(d) = &self.mag else {
            return None;
        };
        let m = i128::try_from(d.parse::<u128>().ok()?).ok()?;
        Some(if self.neg { -m } else { m })
    }

    /// The value as an `i64` integer.
    pub fn to_i64(&self) -> Option<i64> {
        self.to_i128().and_then(|v| i64::try_from(v).ok())
    }

    /// True when the number is written as an integer.
    pub fn is_int(&self) -> bool {
        matches!(self.mag, Magnitude::Int(_))
    }

    /// The value as the nearest `f64` (integers accepted).
    pub fn to_f64(&self) -> Option<f64> {
        let m = match &self.mag {
            Magnitude::Int(t) | Magnitude::Float(t) => t.parse::<f64>().ok()?,
            Magnitude::Nan => f64::NAN,
            Magnitude::Inf => f64::INFINITY,
        };
        Some(if self.neg { -m } else { m })
    }

    /// The value as the nearest `f32`, rounded once from the decimal text.
    pub fn to_f32(&self) -> Option<f32> {
        let m = match &self.mag {
            Magnitude::Int(t) | Magnitude::Float(t) => t.parse::<f32>().ok()?,
            Magnitude::Nan => f32::NAN,
            Magnitude::Inf => f32::INFINITY,
        };
        Some(if self.neg { -m } else { m })
    }
}

/// The inclusive range of an integer dtype.
fn int_range(dtype: DType) -> (i128, i128) {
    match dtype {
        DType::I8 => (i8::MIN.into(), i8::MAX.into()),
        DType::I16 => (i16::MIN.into(), i16::MAX.into()),
        DType::I32 => (i32::MIN.into(), i32::MAX.into()),
        DType::I64 => (i64::MIN.into(), i64::MAX.into()),
        DType::U8 => (0, u8::MAX.into()),
        DType::U16 => (0, u16::MAX.into()),
        DType::U32 => (0, u32::MAX.into()),
        DType::U64 => (0, u64::MAX.into()),
        DType::Bool
        | DType::F16
        | DType::BF16
        | DType::F32
        | DType::F64
        | DType::C64
        | DType::C128 => (0, 0),
    }
}

/// Appends an integer element of an integer dtype; the error says why it does not fit.
pub(crate) fn push_int(dtype: DType, n: &Number, data: &mut Vec<u8>) -> Result<(), String> {
    let v = n
        .to_i128()
        .ok_or_else(|| format!("expected an integer for a {dtype} element"))?;
    let (lo, hi) = int_range(dtype);
    if v < lo || v > hi {
        return Err(format!("{v} is out of range for {dtype} ({lo} to {hi})"));
    }
    let bytes = v.to_le_bytes();
    data.extend_from_slice(&bytes[..dtype.size_bytes()]);
    Ok(())
}

/// Appends one real component of a float or complex dtype.
pub(crate) fn push_real(dtype: DType, n: &Number, data: &mut Vec<u8>) -> Result<(), String> {
    let bad = || format!("expected a number for a {dtype} element");
    match dtype.real_part() {
        DType::F64 => data.extend(n.to_f64().ok_or_else(bad)?.to_le_bytes()),
        DType::F32 => data.extend(n.to_f32().ok_or_else(bad)?.to_le_bytes()),
        DType::F16 => data.extend(half::f16::from_f64(n.to_f64().ok_or_else(bad)?).to_le_bytes()),
        DType::BF16 => data.extend(half::bf16::from_f64(n.to_f64().ok_or_else(bad)?).to_le_bytes()),
        other @ (DType::Bool
        | DType::I8
        | DType::I16
        | DType::I32
        | DType::I64
        | DType::U8
        | DType::U16
        | DType::U32
        | DType::U64
        | DType::C64
        | DType::C128) => return Err(format!("{other} has no real components")),
    }
    Ok(())
}

/// True when elements of this dtype are written as numbers (integers or reals, not pairs).
pub(crate) fn is_plain_number(dtype: DType) -> bool {
    matches!(dtype.kind(), Kind::Signed | Kind::Unsigned | Kind::Float)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(neg: bool, mag: Magnitude) -> Number {
        Number { neg, mag }
    }

    #[test]
    fn floats_print_shortest_and_read_back() {
        assert_eq!(fmt_f64(1.0), "1.0");
        assert_eq!(fmt_f64(0.1), "0.1");
        assert_eq!(fmt_f64(1e-7), "1e-7");
        assert_eq!(fmt_f64(-0.0), "-0.0");
        assert_eq!(fmt_f64(f64::NAN), "nan");
        assert_eq!(fmt_f64(-f64::NAN), "nan");
        assert_eq!(fmt_f64(f64::NEG_INFINITY), "-inf");
        assert_eq!(fmt_f32(0.1), "0.1");
        for v in [0.1, 1e300, 5e-324, -2.5, 123456789.125, f64::MAX] {
            assert_eq!(fmt_f64(v).parse::<f64>().unwrap().to_bits(), v.to_bits());
        }
    }

    #[test]
    fn strings_escape_what_the_lexer_unescapes() {
        assert_eq!(
            quote("a\"b\\c\nd\te\r\u{1}é"),
            "\"a\\\"b\\\\c\\nd\\te\\r\\u{1}é\""
        );
    }

    #[test]
    fn integers_are_range_checked_per_dtype() {
        let mut d = vec![];
        assert!(push_int(DType::I8, &num(true, Magnitude::Int("128".into())), &mut d).is_ok());
        assert_eq!(d, vec![0x80]);
        assert!(push_int(DType::I8, &num(false, Magnitude::Int("128".into())), &mut d).is_err());
        assert!(push_int(DType::U8, &num(true, Magnitude::Int("1".into())), &mut d).is_err());
        assert!(push_int(
            DType::U64,
            &num(false, Magnitude::Int("18446744073709551615".into())),
            &mut d
        )
        .is_ok());
        let huge = num(false, Magnitude::Int("9".repeat(60)));
        assert!(push_int(DType::I64, &huge, &mut d).is_err());
        assert!(push_int(
            DType::I64,
            &num(false, Magnitude::Float("1.0".into())),
            &mut d
        )
        .is_err());
    }

    #[test]
    fn f32_values_are_rounded_once() {
        let mut d = vec![];
        push_real(
            DType::F32,
            &num(false, Magnitude::Float("0.1".into())),
            &mut d,
        )
        .unwrap();
        assert_eq!(d, 0.1f32.to_le_bytes());
        let mut d = vec![];
        push_real(DType::F16, &num(true, Magnitude::Inf), &mut d).unwrap();
        assert_eq!(d, half::f16::NEG_INFINITY.to_le_bytes());
    }

    #[test]
    fn literals_print_with_shape_then_elements() {
        let l = Literal::from_scalars(DType::C64, vec![1], &[Scalar::Complex(1.0, -0.1f32 as f64)])
            .unwrap();
        assert_eq!(fmt_literal(&l), "c64[1] [(1.0, -0.1)]");
        assert_eq!(fmt_literal(&Literal::i64(-3)), "i64 -3");
        let b = Literal::from_scalars(
            DType::Bool,
            vec![2],
            &[Scalar::Bool(true), Scalar::Bool(false)],
        )
        .unwrap();
        assert_eq!(fmt_literal(&b), "bool[2] [true, false]");
    }
}
