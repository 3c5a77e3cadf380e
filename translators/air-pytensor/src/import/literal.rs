//! Constants: reading a constant variable's value into a literal, and converting literals
//! exactly (PyTensor's narrow constants become constants of the computing dtype).

use air_ir::{DType, Dim, Literal, Scalar};
use serde_json::Value as Json;

use super::{invalid, Known, Res};
use crate::error::ProblemKind;
use crate::json::{self, RawValue, VarType};

/// A rank-0 literal of `dtype` holding the integer `c` (wrapping as NumPy's `astype`).
pub(crate) fn scalar_literal(dtype: DType, c: i64) -> Literal {
    Literal {
        dtype,
        shape: vec![],
        data: Scalar::Int(c).to_le_bytes(dtype),
    }
}

/// The literal of a constant variable.
pub(crate) fn literal(raw: &RawValue, ty: &VarType) -> Res<Literal> {
    let Some(dtype) = json::dtype(&raw.dtype) else {
        return invalid(format!("a constant of unknown dtype {:?}", raw.dtype));
    };
    if dtype != ty.dtype {
        return invalid(format!(
            "a constant of dtype {} in a variable of type {}",
            raw.dtype,
            ty.dtype.numpy_name()
        ));
    }
    let static_shape: Vec<Option<u64>> = raw.shape.iter().map(|&d| Some(d)).collect();
    let shape_ok = static_shape.len() == ty.shape.len()
        && ty
            .shape
            .iter()
            .zip(&raw.shape)
            .all(|(t, d)| t.is_none_or(|t| t == *d));
    if !shape_ok {
        return invalid(format!(
            "a constant of shape {:?} in a variable of another shape",
            raw.shape
        ));
    }
    let scalars = raw
        .data
        .iter()
        .map(|j| element(j, dtype))
        .collect::<Res<Vec<_>>>()?;
    Literal::from_scalars(dtype, raw.shape.clone(), &scalars)
        .map_err(|e| (ProblemKind::Invalid, format!("constant: {e}")))
}

// serde_json::Value is a foreign enum: any JSON kind not handled above is malformed input
#[allow(clippy::wildcard_enum_match_arm)]
fn number(j: &Json) -> Res<f64> {
    match j {
        Json::Number(n) => n
            .as_f64()
            .ok_or((ProblemKind::Invalid, "a bad number".into())),
        Json::Object(o) => match o.get("float").and_then(Json::as_str) {
            Some("nan") => Ok(f64::NAN),
            Some("inf") => Ok(f64::INFINITY),
            Some("-inf") => Ok(f64::NEG_INFINITY),
            _ => invalid(format!("a bad constant element {j}")),
        },
        Json::Bool(b) => Ok(f64::from(u8::from(*b))),
        _ => invalid(format!("a bad constant element {j}")),
    }
}

// serde_json::Value is a foreign enum: any JSON kind not handled above is malformed input
#[allow(clippy::wildcard_enum_match_arm)]
fn element(j: &Json, dtype: DType) -> Res<Scalar> {
    let bad = || {
        (
            ProblemKind::Invalid,
            format!("constant element {j} does not fit {}", dtype.numpy_name()),
        )
    };
    if dtype.is_complex() {
        return match j {
            Json::Array(a) if a.len() == 2 => Ok(Scalar::Complex(number(&a[0])?, number(&a[1])?)),
            _ => Err(bad()),
        };
    }
    if dtype.is_bool() {
        return match j {
            Json::Bool(b) => Ok(Scalar::Bool(*b)),
            Json::Number(n) if n.as_u64() == Some(0) || n.as_u64() == Some(1) => {
                Ok(Scalar::Bool(n.as_u64() == Some(1)))
            }
            _ => Err(bad()),
        };
    }
    if dtype.is_int() {
        let wide = match j {
            Json::Number(n) => n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)),
            _ => None,
        }
        .ok_or_else(bad)?;
        let bits = 8 * dtype.size_bytes() as u32;
        let (lo, hi) = if dtype.is_signed_int() {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        };
        if wide < lo || wide > hi {
            return Err(bad());
        }
        return Ok(if dtype.is_signed_int() {
            Scalar::Int(wide as i64)
        } else {
            Scalar::UInt(wide as u64)
        });
    }
    Ok(Scalar::Float(number(j)?))
}

/// `lit` converted to `dtype` when every element converts exactly (and back).
pub(super) fn exact_cast(lit: &Literal, dtype: DType) -> Option<Literal> {
    if lit.dtype == dtype {
        return Some(lit.clone());
    }
    let values: Vec<Scalar> = lit.elements().collect();
    let out = Literal::from_scalars(dtype, lit.shape.clone(), &values).ok()?;
    let exact = out.elements().zip(&values).all(|(a, b)| same_value(a, *b));
    exact.then_some(out)
}

fn same_value(a: Scalar, b: Scalar) -> bool {
    let (ar, ai) = a.as_complex();
    let (br, bi) = b.as_complex();
    let eq = |x: f64, y: f64| {
        x == y && x.is_sign_negative() == y.is_sign_negative() || (x.is_nan() && y.is_nan())
    };
    let ints = match (a, b) {
        (Scalar::Float(_) | Scalar::Complex(..), _)
        | (_, Scalar::Float(_) | Scalar::Complex(..)) => true,
        _ => a.as_i128() == b.as_i128(),
    };
    eq(ar, br) && eq(ai, bi) && ints
}

/// The known value of an integer literal of rank 0 or 1.
pub(super) fn known_of_literal(lit: &Literal) -> Option<Known> {
    if !lit.dtype.is_int() || lit.shape.len() > 1 {
        return None;
    }
    let dims = lit
        .elements()
        .map(|s| i64::try_from(s.as_i128()).ok().map(Dim::constant))
        .collect::<Option<Vec<_>>>()?;
    Some(Known {
        dims,
        scalar: lit.shape.is_empty(),
    })
}
