//! Creation ops: `constant`, `iota`, `full`.

use air_ir::{Code, DType, Literal};
use ndarray::{ArrayD, IxDyn};

use super::scalar::{Num, Widen};
use crate::error::{fail, Result};
use crate::tensor::{map_array, with_dtype, Element, Tensor};

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
    fn fill<T: Widen>(shape: &[usize], axis: usize) -> Tensor {
        let a = ArrayD::from_shape_fn(IxDyn(shape), |ix| T::from_num(Num::Int(ix[axis] as i128)));
        T::wrap(a)
    }
    Ok(with_dtype!(dtype, T => fill::<T>(shape, axis)))
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
    fn fill<T: Element>(a: &ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
        let x = a.iter().next().copied().unwrap_or_default();
        ArrayD::from_elem(IxDyn(shape), x)
    }
    Ok(map_array!(&v, a => fill(a, shape)))
}
