//! Creation ops: `constant`, `iota`, `full`.

use air_ir::{Code, DType, Literal};
use ndarray::ArrayD;

use super::scalar::{Num, Widen};
use crate::error::{fail, Result, RunError};
use crate::tensor::{with_array, with_dtype, Element, Tensor};

/// spec: #constant
pub(crate) fn constant(lit: &Literal) -> Result<Tensor> {
    Tensor::from_literal(lit).or_else(|e| fail(Code::BadLiteral, e.0))
}

/// spec: #iota — element = its index along `axis`, converted to `dtype` (int or float).
pub(crate) fn iota(dtype: DType, shape: &[usize], axis: u32) -> Result<Tensor> {
    if !(dtype.is_int() || dtype.is_float()) {
        return fail(
            Code::DTypeNotAccepted,
            format!("iota does not accept {dtype}"),
        );
    }
    let axis = super::check_axis(axis, shape.len())?;
    // Allocated fallibly (E0508), then filled.
    fn fill<T: Widen>(shape: &[usize], axis: usize) -> Result<Tensor> {
        let mut a = Tensor::try_full(shape, T::default())?
            .into_array::<T>()
            .ok_or_else(|| RunError::new(Code::Internal, "iota: dtype changed"))?;
        for (ix, v) in a.indexed_iter_mut() {
            *v = T::from_num(Num::Int(ix[axis] as i128));
        }
        Ok(T::wrap(a))
    }
    with_dtype!(dtype, T => fill::<T>(shape, axis))
}

/// spec: #full — every element is the rank-0 `value`.
pub(crate) fn full(value: &Literal, shape: &[usize]) -> Result<Tensor> {
    if !value.shape.is_empty() {
        return fail(
            Code::BadAttribute,
            format!(
                "full: value must be a rank-0 literal, got shape {:?}",
                value.shape
            ),
        );
    }
    let v = constant(value)?;
    // Allocated fallibly (E0508).
    fn fill<T: Element>(a: &ArrayD<T>, shape: &[usize]) -> Result<Tensor> {
        let x = a.iter().next().copied().unwrap_or_default();
        Tensor::try_full(shape, x)
    }
    with_array!(&v, a => fill(a, shape))
}
