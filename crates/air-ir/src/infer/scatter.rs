//! `scatter`, `gather` (index tuples along the last axis of `indices`) and `unique` (op set 2).

use super::{accept, arity, err, fmt_shape, Class, DimSlot, Inferred};
use crate::diag::{Code, Diagnostic};
use crate::dim::Dim;
use crate::dtype::DType;
use crate::op::ScatterMode;
use crate::types::TensorType;

/// The dtype class `scatter` accepts in `mode`: that of the binary op it combines with.
fn scatter_class(mode: ScatterMode) -> Class {
    match mode {
        ScatterMode::Replace => Class::Any,
        ScatterMode::Add | ScatterMode::Mul => Class::Numeric,
        ScatterMode::Max | ScatterMode::Min => Class::Ordered,
    }
}

/// Checks `indices` against `x` and returns `k`, the length of an index tuple, with the shape an
/// index tuple addresses: `indices.shape[:-1] + x.shape[k:]`.
fn index_tuples(x: &TensorType, idx: &TensorType) -> Result<(usize, Vec<Dim>), Diagnostic> {
    if !idx.dtype.is_int() {
        return Err(err(
            Code::DTypeNotAccepted,
            format!("indices must be integers, got {}", idx.dtype),
        ));
    }
    let Some((last, batch)) = idx.shape.split_last() else {
        return Err(err(
            Code::RankMismatch,
            "indices must have rank >= 1 (the last axis holds the index tuples), got a scalar",
        ));
    };
    let Some(k) = last.as_const() else {
        return Err(err(
            Code::BadShape,
            format!("the last axis of indices (the tuple length) must be a constant, got {last}"),
        ));
    };
    let k = usize::try_from(k).unwrap_or(usize::MAX);
    if k > x.rank() {
        return Err(err(
            Code::RankMismatch,
            format!(
                "index tuples of length {k} for an operand of rank {}",
                x.rank()
            ),
        ));
    }
    let mut shape = batch.to_vec();
    shape.extend(x.shape[k..].iter().cloned());
    Ok((k, shape))
}

pub(super) fn gather(operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 2)?;
    let (x, idx) = (&operands[0], &operands[1]);
    let (_, shape) = index_tuples(x, idx)?;
    Ok(TensorType::new(x.dtype, shape))
}

pub(super) fn scatter(
    mode: ScatterMode,
    operands: &[TensorType],
) -> Result<TensorType, Diagnostic> {
    arity(operands, 3)?;
    let (x, idx, upd) = (&operands[0], &operands[1], &operands[2]);
    accept(scatter_class(mode), x.dtype)?;
    let (_, shape) = index_tuples(x, idx)?;
    if upd.dtype != x.dtype {
        return Err(err(
            Code::DTypeMismatch,
            format!("updates are {}, the operand is {}", upd.dtype, x.dtype),
        ));
    }
    if upd.shape != shape {
        return Err(err(
            Code::ShapeMismatch,
            format!(
                "updates have shape {}, indices and operand need {} \
                 (indices.shape[:-1] + operand.shape[k:])",
                fmt_shape(&upd.shape),
                fmt_shape(&shape)
            ),
        ));
    }
    Ok(x.clone())
}

/// `values: T[u]`, `inverse: i64[n]`, `counts: i64[u]`, with `u` one fresh dim.
pub(super) fn unique(operands: &[TensorType]) -> Result<Vec<Inferred>, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    if x.rank() != 1 {
        return Err(err(
            Code::RankMismatch,
            format!("operand must have rank 1, got {x} (reshape it first)"),
        ));
    }
    accept(Class::Ordered, x.dtype)?;
    Ok(vec![
        Inferred {
            dtype: x.dtype,
            shape: vec![DimSlot::Fresh],
        },
        Inferred::known(TensorType::new(DType::I64, x.shape.clone())),
        Inferred {
            dtype: DType::I64,
            shape: vec![DimSlot::FreshAgain(0)],
        },
    ])
}
