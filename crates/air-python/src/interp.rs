//! The reference interpreter as a backend (`backend="interp"`): the arrays are copied into
//! tensors, the interpreter runs (without the GIL), and the results are copied into new NumPy
//! arrays or into the buffers given (`out=`, `out` and `inout` parameters).
#![allow(unsafe_code)] // reading and writing NumPy memory as bytes

use air_ir::{Intent, Module};
use air_value::Tensor;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::IntoPyDict;

use crate::arrays::{self, Array};
use crate::errors::run_error;
use crate::gather::Given;
use crate::plan::{Output, Plan};
use crate::run::pack;

/// A tensor with a copy of a (checked) array's elements.
fn to_tensor(a: &Array<'_>, dtype: air_ir::DType) -> PyResult<Tensor> {
    let py = a.obj().py();
    // A C-order copy (`ascontiguousarray` would make a 0-d array 1-d).
    let kwargs = [("order", "C")].into_py_dict(py)?;
    let c = py
        .import("numpy")?
        .getattr("array")?
        .call((a.obj(),), Some(&kwargs))?;
    let c = Array::of(c).map_err(|_| PyValueError::new_err("numpy.array gave no array"))?;
    let shape: Vec<usize> = c.shape().iter().map(|&e| e.max(0) as usize).collect();
    let n = shape.iter().product::<usize>() * dtype.size_bytes();
    // SAFETY: a C-contiguous array of `dtype` (checked) holds `n` bytes at its data pointer.
    let bytes = unsafe { std::slice::from_raw_parts(c.data(), n) };
    // The copy's memory is asked for fallibly (MemoryError, E0508, not an abort).
    Tensor::try_from_le_bytes(dtype, &shape, bytes).map_err(|e| run_error(&e))
}

/// A new NumPy array with a copy of a tensor's elements.
fn from_tensor<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let shape: Vec<isize> = t.shape().iter().map(|&e| e as isize).collect();
    let obj = arrays::empty(py, t.dtype(), &shape)?;
    let a = Array::of(obj).map_err(|_| PyValueError::new_err("numpy.empty gave no array"))?;
    let bytes = t.to_le_bytes();
    // SAFETY: a fresh C-order array of the tensor's dtype and shape holds exactly its bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), a.data(), bytes.len()) };
    Ok(a.obj().clone())
}

/// Runs `plan`'s function of `module` (validated) on the interpreter.
pub fn run<'py>(
    py: Python<'py>,
    module: &Module,
    plan: &Plan,
    given: &Given<'py>,
    max_memory: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut inputs = Vec::new();
    for (j, a) in given.params.iter().enumerate() {
        let (slot, intent) = &plan.params[j];
        if let (Some(a), Intent::In | Intent::InOut) = (a, intent) {
            inputs.push((slot.name.clone(), to_tensor(a, slot.dtype)?));
        }
    }
    let function = plan.function.as_str();
    let values = py
        .detach(|| {
            let opts = air_interp::RunOptions {
                max_memory,
                ..air_interp::RunOptions::default()
            };
            air_interp::run_unchecked_with(module, function, &inputs, &opts)
        })
        .map_err(|e| run_error(&e))?;
    let mut outputs = crate::plan::Small::new();
    for (&o, (_, t)) in plan.outputs.iter().zip(&values) {
        let buffer = match o {
            Output::Result(k) => given.results[k].as_ref(),
            Output::Param(j) => given.params[j].as_ref(),
        };
        let value = from_tensor(py, t)?;
        let obj = match buffer {
            Some(b) if !same_shape(b.shape(), t.shape()) => {
                return Err(PyValueError::new_err(format!(
                    "the buffer for '{}' of @{function} has shape {}, the computed value {}",
                    plan.output(o).name,
                    crate::check::shape_text(b.shape()),
                    crate::check::shape_text(
                        &t.shape().iter().map(|&e| e as isize).collect::<Vec<_>>()
                    )
                )))
            }
            Some(b) => {
                b.obj().set_item(py.Ellipsis(), value)?;
                b.obj().clone()
            }
            None => value,
        };
        outputs.push(obj);
    }
    pack(py, outputs)
}

fn same_shape(a: &[isize], b: &[usize]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| x as usize == y)
}
