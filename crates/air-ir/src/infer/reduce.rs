//! Reductions over axes, `argmax`/`argmin`, running reductions and `sort`.

use crate::diag::Diagnostic;
use crate::dim::Dim;
use crate::dtype::DType;
use crate::op::{ArgKind, ReduceKind, ScanKind};
use crate::types::TensorType;

use super::{accept, arity, check_axes, check_axis, Class};

fn reduce_class(kind: ReduceKind) -> Class {
    match kind {
        ReduceKind::Sum | ReduceKind::Prod => Class::Numeric,
        ReduceKind::Max | ReduceKind::Min => Class::Ordered,
        ReduceKind::Mean => Class::FloatComplex,
        ReduceKind::Any | ReduceKind::All => Class::Bool,
    }
}

/// The shape with `axes` removed, or set to 1 with `keepdims`.
fn reduced_shape(shape: &[Dim], axes: &[usize], keepdims: bool) -> Vec<Dim> {
    shape
        .iter()
        .enumerate()
        .filter_map(|(i, d)| match (axes.contains(&i), keepdims) {
            (false, _) => Some(d.clone()),
            (true, true) => Some(Dim::constant(1)),
            (true, false) => None,
        })
        .collect()
}

pub(super) fn reduce(
    kind: ReduceKind,
    axes: &[u32],
    keepdims: bool,
    operands: &[TensorType],
) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    accept(reduce_class(kind), x.dtype)?;
    let axes = check_axes(axes, x.rank())?;
    Ok(TensorType::new(
        x.dtype,
        reduced_shape(&x.shape, &axes, keepdims),
    ))
}

pub(super) fn arg_reduce(
    _kind: ArgKind,
    axis: u32,
    keepdims: bool,
    operands: &[TensorType],
) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    accept(Class::Ordered, x.dtype)?;
    let a = check_axis(axis, x.rank())?;
    Ok(TensorType::new(
        DType::I64,
        reduced_shape(&x.shape, &[a], keepdims),
    ))
}

pub(super) fn scan(
    _kind: ScanKind,
    axis: u32,
    operands: &[TensorType],
) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    accept(Class::Numeric, x.dtype)?;
    check_axis(axis, x.rank())?;
    Ok(x.clone())
}

pub(super) fn sort(axis: u32, operands: &[TensorType]) -> Result<TensorType, Diagnostic> {
    arity(operands, 1)?;
    let x = &operands[0];
    accept(Class::Ordered, x.dtype)?;
    check_axis(axis, x.rank())?;
    Ok(x.clone())
}
