//! Elementwise ops: unary, binary, `select`, `cast`, `clip`. Operands share one dtype and one
//! shape; there is no implicit broadcasting or promotion.

use crate::diag::{Code, Diagnostic};
use crate::dtype::DType;
use crate::op::{BinaryOp, UnaryOp};
use crate::types::TensorType;

use super::{accept, arity, err, same_dtype, same_shape, Class};

/// The dtypes a unary op accepts.
pub(crate) fn unary_class(u: UnaryOp) -> Class {
    match u {
        UnaryOp::Neg
        | UnaryOp::Abs
        | UnaryOp::Square
        | UnaryOp::Real
        | UnaryOp::Imag
        | UnaryOp::Conj => Class::Numeric,
        UnaryOp::Sign => Class::Real,
        UnaryOp::Exp
        | UnaryOp::Expm1
        | UnaryOp::Log
        | UnaryOp::Log1p
        | UnaryOp::Sqrt
        | UnaryOp::Rsqrt
        | UnaryOp::Sin
        | UnaryOp::Cos
        | UnaryOp::Tan
        | UnaryOp::Asin
        | UnaryOp::Acos
        | UnaryOp::Atan
        | UnaryOp::Sinh
        | UnaryOp::Cosh
        | UnaryOp::Tanh
        | UnaryOp::Reciprocal
        | UnaryOp::IsNan
        | UnaryOp::IsInf
        | UnaryOp::IsFinite
        | UnaryOp::Angle => Class::FloatComplex,
        UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Erf
        | UnaryOp::Logistic
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh
        | UnaryOp::Exp2
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Cbrt
        | UnaryOp::Trunc
        | UnaryOp::Sinc => Class::Float,
        UnaryOp::Not => Class::BoolInt,
    }
}

/// The dtypes a binary op accepts.
pub(crate) fn binary_class(b: BinaryOp) -> Class {
    match b {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Pow => Class::Numeric,
        BinaryOp::Div => Class::FloatComplex,
        BinaryOp::FloorDiv | BinaryOp::Rem | BinaryOp::Mod => Class::Real,
        BinaryOp::Max | BinaryOp::Min => Class::Ordered,
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => Class::Ordered,
        BinaryOp::Atan2
        | BinaryOp::Hypot
        | BinaryOp::Copysign
        | BinaryOp::Logaddexp
        | BinaryOp::Logaddexp2
        | BinaryOp::Heaviside => Class::Float,
        BinaryOp::Complex => Class::Float32Or64,
        BinaryOp::Eq | BinaryOp::Ne => Class::Any,
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => Class::BoolInt,
        BinaryOp::Shl | BinaryOp::Shr => Class::Int,
    }
}

pub(super) fn unary(u: UnaryOp, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    accept(unary_class(u), x.dtype)?;
    let dtype = match u {
        UnaryOp::Abs | UnaryOp::Real | UnaryOp::Imag | UnaryOp::Angle => x.dtype.real_part(),
        UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => DType::Bool,
        UnaryOp::Neg
        | UnaryOp::Sign
        | UnaryOp::Exp
        | UnaryOp::Expm1
        | UnaryOp::Log
        | UnaryOp::Log1p
        | UnaryOp::Sqrt
        | UnaryOp::Rsqrt
        | UnaryOp::Sin
        | UnaryOp::Cos
        | UnaryOp::Tan
        | UnaryOp::Asin
        | UnaryOp::Acos
        | UnaryOp::Atan
        | UnaryOp::Sinh
        | UnaryOp::Cosh
        | UnaryOp::Tanh
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round
        | UnaryOp::Erf
        | UnaryOp::Logistic
        | UnaryOp::Reciprocal
        | UnaryOp::Not
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh
        | UnaryOp::Exp2
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Cbrt
        | UnaryOp::Trunc
        | UnaryOp::Square
        | UnaryOp::Conj
        | UnaryOp::Sinc => x.dtype,
    };
    Ok(x.with_dtype(dtype))
}

pub(super) fn binary(b: BinaryOp, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 2)?;
    let d = same_dtype(operands)?;
    accept(binary_class(b), d)?;
    same_shape(operands)?;
    let dtype = if b.is_comparison() {
        DType::Bool
    } else if b == BinaryOp::Complex {
        d.complex_of().ok_or_else(|| {
            err(
                Code::DTypeNotAccepted,
                format!("complex takes f32 or f64 parts, got {d}"),
            )
        })?
    } else {
        d
    };
    Ok(operands[0].with_dtype(dtype))
}

pub(super) fn select(operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 3)?;
    if !operands[0].dtype.is_bool() {
        return Err(err(
            Code::DTypeNotAccepted,
            format!("condition must be bool, got {}", operands[0].dtype),
        ));
    }
    same_dtype(&operands[1..])?;
    same_shape(operands)?;
    Ok(operands[1].clone())
}

pub(super) fn cast(dtype: DType, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    Ok(operands[0].with_dtype(dtype))
}

pub(super) fn clip(operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 3)?;
    let d = same_dtype(operands)?;
    accept(Class::Ordered, d)?;
    same_shape(operands)?;
    Ok(operands[0].clone())
}
