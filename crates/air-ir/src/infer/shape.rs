//! Creation ops (`constant`, `iota`, `full`) and shape ops other than `slice`.

use crate::diag::{excerpt_list, Code, Diagnostic};
use crate::dim::Dim;
use crate::dtype::DType;
use crate::types::{Literal, TensorType};

use super::{
    accept, arity, check_axes, check_axis, check_shape_attr, err, fmt_shape, overflow, same_dtype,
    scalar, Class, DimSlot, Inferred,
};

fn literal_type(lit: &Literal) -> Result<TensorType, Diagnostic> {
    let expected = Literal::byte_len(lit.dtype, &lit.shape);
    if expected != lit.data.len() as u128 {
        return Err(err(
            Code::BadLiteral,
            format!(
                "literal of {}{:?} needs {expected} bytes, has {}",
                lit.dtype,
                lit.shape,
                lit.data.len()
            ),
        ));
    }
    if lit.shape.iter().any(|&d| i64::try_from(d).is_err()) {
        return Err(err(Code::BadLiteral, "literal dim exceeds i64"));
    }
    Ok(lit.ty())
}

pub(super) fn constant(lit: &Literal, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 0)?;
    literal_type(lit)
}

pub(super) fn iota(
    dtype: DType,
    shape: &[Dim],
    axis: u32,
    operands: &[TensorType],
) -> Result<TensorType, Diagnostic> {
    arity(operands, 0)?;
    accept(Class::IntFloat, dtype)?;
    check_shape_attr(shape)?;
    check_axis(axis, shape.len())?;
    Ok(TensorType::new(dtype, shape.to_vec()))
}

pub(super) fn full(
    value: &Literal,
    shape: &[Dim],
    operands: &[TensorType],
) -> Result<TensorType, Diagnostic> {
    arity(operands, 0)?;
    if !value.shape.is_empty() {
        return Err(err(
            Code::BadAttribute,
            format!("fill value must be a scalar, got shape {:?}", value.shape),
        ));
    }
    literal_type(value)?;
    check_shape_attr(shape)?;
    Ok(TensorType::new(value.dtype, shape.to_vec()))
}

pub(super) fn broadcast(
    shape: &[Dim],
    dims: &[u32],
    operands: &[TensorType],
) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    check_shape_attr(shape)?;
    if dims.len() != x.rank() {
        return Err(err(
            Code::BadBroadcast,
            format!(
                "{} dims given for an operand of rank {}",
                dims.len(),
                x.rank()
            ),
        ));
    }
    for (i, &d) in dims.iter().enumerate() {
        if d as usize >= shape.len() {
            return Err(err(
                Code::BadBroadcast,
                format!(
                    "dims[{i}] = {d} out of range for result rank {}",
                    shape.len()
                ),
            ));
        }
        if i > 0 && d <= dims[i - 1] {
            return Err(err(
                Code::BadBroadcast,
                format!("dims not strictly increasing ({})", excerpt_list(dims)),
            ));
        }
        let (from, to) = (&x.shape[i], &shape[d as usize]);
        if from != to && from.as_const() != Some(1) {
            return Err(err(
                Code::BadBroadcast,
                format!("operand dim {i} ({from}) cannot broadcast to result dim {d} ({to})"),
            ));
        }
    }
    Ok(TensorType::new(x.dtype, shape.to_vec()))
}

pub(super) fn reshape(shape: &[Dim], operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    check_shape_attr(shape)?;
    let before = Dim::product(&x.shape).map_err(overflow)?;
    let after = Dim::product(shape).map_err(overflow)?;
    if before != after {
        return Err(err(
            Code::ReshapeCount,
            format!(
                "element count changes ({} has {before}, {} has {after})",
                fmt_shape(&x.shape),
                fmt_shape(shape)
            ),
        ));
    }
    Ok(TensorType::new(x.dtype, shape.to_vec()))
}

pub(super) fn transpose(perm: &[u32], operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    let mut seen = vec![false; x.rank()];
    let is_perm = perm.len() == x.rank()
        && perm.iter().all(|&p| {
            let fresh = seen.get(p as usize).is_some_and(|s| !s);
            if fresh {
                seen[p as usize] = true;
            }
            fresh
        });
    if !is_perm {
        return Err(err(
            Code::BadPermutation,
            format!(
                "{} is not a permutation of 0..{}",
                excerpt_list(perm),
                x.rank()
            ),
        ));
    }
    let shape = perm.iter().map(|&p| x.shape[p as usize].clone()).collect();
    Ok(TensorType::new(x.dtype, shape))
}

pub(super) fn expand_dims(axes: &[u32], operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    let rank = x.rank() + axes.len();
    let axes = check_axes(axes, rank)?;
    let mut rest = x.shape.iter();
    let shape = (0..rank)
        .map(|i| {
            if axes.contains(&i) {
                Dim::constant(1)
            } else {
                rest.next().cloned().unwrap_or_else(|| Dim::constant(1))
            }
        })
        .collect();
    Ok(TensorType::new(x.dtype, shape))
}

pub(super) fn squeeze(axes: &[u32], operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    let axes = check_axes(axes, x.rank())?;
    if let Some(&a) = axes.iter().find(|&&a| x.shape[a].as_const() != Some(1)) {
        return Err(err(
            Code::SqueezeNotOne,
            format!("axis {a} has extent {}, not 1", x.shape[a]),
        ));
    }
    let shape = (0..x.rank())
        .filter(|i| !axes.contains(i))
        .map(|i| x.shape[i].clone())
        .collect();
    Ok(TensorType::new(x.dtype, shape))
}

pub(super) fn concat(axis: u32, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    let Some(first) = operands.first() else {
        return Err(err(Code::Arity, "expected at least 1 operand, got 0"));
    };
    let dtype = same_dtype(operands)?;
    if let Some(t) = operands.iter().find(|t| t.rank() != first.rank()) {
        return Err(err(
            Code::ConcatMismatch,
            format!("operand ranks differ ({} vs {})", first.rank(), t.rank()),
        ));
    }
    let a = check_axis(axis, first.rank())?;
    let mut total = Dim::constant(0);
    for (k, t) in operands.iter().enumerate() {
        for i in (0..first.rank()).filter(|&i| i != a) {
            if t.shape[i] != first.shape[i] {
                return Err(err(
                    Code::ConcatMismatch,
                    format!(
                        "operand {k} has dim {i} = {}, operand 0 has {}",
                        t.shape[i], first.shape[i]
                    ),
                ));
            }
        }
        total = total.add(&t.shape[a]).map_err(overflow)?;
    }
    let mut shape = first.shape.clone();
    shape[a] = total;
    Ok(TensorType::new(dtype, shape))
}

pub(super) fn take(axis: u32, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 2)?;
    let (x, idx) = (&operands[0], &operands[1]);
    if !idx.dtype.is_int() {
        return Err(err(
            Code::DTypeNotAccepted,
            format!("indices must be integers, got {}", idx.dtype),
        ));
    }
    let a = check_axis(axis, x.rank())?;
    let mut shape = x.shape[..a].to_vec();
    shape.extend(idx.shape.iter().cloned());
    shape.extend(x.shape[a + 1..].iter().cloned());
    Ok(TensorType::new(x.dtype, shape))
}

/// One i64 scalar index per axis of `x`.
fn check_indices(x: &TensorType, idx: &[TensorType]) -> Result<(), Diagnostic> {
    if idx.len() != x.rank() {
        return Err(err(
            Code::RankMismatch,
            format!("{} indices for a tensor of rank {}", idx.len(), x.rank()),
        ));
    }
    for (k, t) in idx.iter().enumerate() {
        scalar(t, &format!("index {k}"))?;
        if t.dtype != DType::I64 {
            return Err(err(
                Code::DTypeNotAccepted,
                format!("index {k} must be i64, got {}", t.dtype),
            ));
        }
    }
    Ok(())
}

pub(super) fn extract(operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    let Some(x) = operands.first() else {
        return Err(err(Code::Arity, "expected at least 1 operand, got 0"));
    };
    check_indices(x, &operands[1..])?;
    Ok(TensorType::scalar(x.dtype))
}

pub(super) fn insert(operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    let [x, v, idx @ ..] = operands else {
        return Err(err(
            Code::Arity,
            format!("expected at least 2 operands, got {}", operands.len()),
        ));
    };
    scalar(v, "inserted value")?;
    if v.dtype != x.dtype {
        return Err(err(
            Code::DTypeMismatch,
            format!("inserted value is {}, tensor is {}", v.dtype, x.dtype),
        ));
    }
    check_indices(x, idx)?;
    Ok(x.clone())
}

pub(super) fn filter(operands: &[TensorType]) -> Result<Inferred, Diagnostic> {
    arity(operands, 2)?;
    let (x, mask) = (&operands[0], &operands[1]);
    for (what, t) in [("operand", x), ("mask", mask)] {
        if t.rank() != 1 {
            return Err(err(
                Code::RankMismatch,
                format!("{what} must have rank 1, got {t}"),
            ));
        }
    }
    if !mask.dtype.is_bool() {
        return Err(err(
            Code::DTypeNotAccepted,
            format!("mask must be bool, got {}", mask.dtype),
        ));
    }
    if x.shape != mask.shape {
        return Err(err(
            Code::ShapeMismatch,
            format!(
                "mask length {} differs from operand length {}",
                mask.shape[0], x.shape[0]
            ),
        ));
    }
    Ok(Inferred {
        dtype: x.dtype,
        shape: vec![DimSlot::Fresh],
    })
}
