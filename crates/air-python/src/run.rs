//! Running compiled code on NumPy arrays without copies: descriptors over the arrays' own memory
//! (NumPy's extents and byte strides as they are), outputs allocated as NumPy arrays before the
//! call when the bound symbols determine their shapes (else allocated by the compiled code and
//! handed to NumPy as they are), the GIL released while the kernel runs.
#![allow(unsafe_code)] // descriptors over NumPy memory, and the call into machine code

use air_ir::DType;
use air_llvm::Entry;
use air_rt::abi::{dtype_code, AirTensor};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::arrays::{self, Array};
use crate::check::check_overlaps;
use crate::errors::run_error;
use crate::gather::Given;
use crate::plan::{Output, Plan, Slot, Small, Symbols};
use smallvec::SmallVec;

/// The memory budget of a call (`max_memory`) and the bytes of outputs allocated under it.
pub struct Budget {
    /// The budget in bytes (`None`: none).
    pub limit: Option<u64>,
    /// The bytes taken so far.
    pub used: u64,
}

/// A new output array when the bound symbols determine its shape (and it is not negative), its
/// bytes taken from the budget first (`MemoryError`, E0508, when over it).
pub fn preallocate<'py>(
    py: Python<'py>,
    plan: &Plan,
    slot: &Slot,
    syms: &mut Symbols,
    budget: &mut Budget,
) -> PyResult<Option<Array<'py>>> {
    let mut shape: SmallVec<[isize; 8]> = SmallVec::new();
    for d in &slot.dims {
        match syms.eval(plan, d).and_then(|v| isize::try_from(v).ok()) {
            Some(v) if v >= 0 => shape.push(v),
            _ => return Ok(None),
        }
    }
    let dims: Vec<usize> = shape.iter().map(|&e| e as usize).collect();
    let bytes = air_value::memory::tensor_bytes(slot.dtype, &dims).map_err(|e| run_error(&e))?;
    if let Some(limit) = budget.limit {
        if budget.used.saturating_add(bytes) > limit {
            let what = format!("output '{}'", slot.name);
            let e = air_value::memory::over_budget(bytes, &what, budget.used, limit);
            return Err(run_error(&e));
        }
    }
    budget.used = budget.used.saturating_add(bytes);
    let a = arrays::empty(py, slot.dtype, &shape)?;
    Ok(Array::of(a).ok())
}

/// One output descriptor: over a given or preallocated array, or empty for the callee to fill.
fn output_descriptor(
    a: Option<&Array<'_>>,
    dtype: DType,
    rank: usize,
    scratch: *mut i64,
) -> AirTensor {
    match a {
        Some(a) => a.descriptor(dtype, scratch),
        None => AirTensor {
            data: std::ptr::null_mut(),
            shape: scratch,
            // SAFETY (of the offset): the scratch block of an empty descriptor holds 2 * rank.
            strides: scratch.wrapping_add(rank),
            rank: rank as i32,
            dtype: dtype_code(dtype),
        },
    }
}

/// The descriptors of one call; the GIL is released while they are in use.
struct Call<'a> {
    entry: &'a Entry,
    params: &'a mut [AirTensor],
    results: &'a mut [AirTensor],
}

// SAFETY: the descriptors point at NumPy memory kept alive (and, for outputs, not handed out)
// by the caller for the whole call, and at scratch space owned by the caller; nothing else
// touches them while the kernel runs.
unsafe impl Send for Call<'_> {}

impl Call<'_> {
    fn run(self) -> Result<(), air_value::RunError> {
        // SAFETY: one descriptor per parameter and result over live memory of the declared
        // dtype and rank (checked before), outputs writeable and apart from the inputs
        // (checked, or freshly allocated); see `Entry::call`.
        unsafe { self.entry.call(self.params, self.results) }
    }
}

/// The scratch `i64`s a descriptor may need: extents and strides of `rank` axes (at least one
/// each, for rank-0 arrays).
fn scratch_len(rank: usize) -> usize {
    2 * rank.max(1)
}

/// The descriptors of a call: over the arrays there are, empty (for the callee to allocate)
/// elsewhere, each with its own block of `scratch`.
fn descriptors(
    plan: &Plan,
    params: &[Option<Array<'_>>],
    results: &[Option<Array<'_>>],
    scratch: &mut [i64],
) -> (Small<AirTensor>, Small<AirTensor>) {
    let base = scratch.as_mut_ptr();
    let mut at = 0usize;
    let mut next = |rank: usize| {
        // (The blocks handed out add up to the scratch length.)
        let p = base.wrapping_add(at);
        at += scratch_len(rank);
        p
    };
    let p: Small<AirTensor> = plan
        .params
        .iter()
        .zip(params)
        .map(|((s, _), a)| {
            let rank = s.dims.len();
            output_descriptor(a.as_ref(), s.dtype, rank, next(rank))
        })
        .collect();
    let r: Small<AirTensor> = plan
        .results
        .iter()
        .zip(results)
        .map(|(s, a)| {
            let rank = s.dims.len();
            output_descriptor(a.as_ref(), s.dtype, rank, next(rank))
        })
        .collect();
    (p, r)
}

/// Runs a compiled function on checked arrays and returns its outputs.
pub fn run<'py>(
    py: Python<'py>,
    entry: &Entry,
    plan: &Plan,
    given: &mut Given<'py>,
    mut syms: Symbols,
    max_memory: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    if given.has_out_buffers(plan) {
        check_overlaps(plan, given)?;
    }
    let Given { params, results } = given;
    // Outputs allocated here take their bytes from the budget before they are allocated; what
    // is left is the budget of the blocks the compiled code allocates.
    let mut budget = Budget {
        limit: max_memory,
        used: 0,
    };
    for (k, r) in results.iter_mut().enumerate() {
        if r.is_none() {
            *r = preallocate(py, plan, &plan.results[k], &mut syms, &mut budget)?;
        }
    }
    for (j, p) in params.iter_mut().enumerate() {
        if p.is_none() {
            *p = preallocate(py, plan, &plan.params[j].0, &mut syms, &mut budget)?;
        }
    }
    let left = budget.limit.map(|l| l.saturating_sub(budget.used));
    // Extents and strides for rank-0 arrays and for outputs the callee allocates.
    // (On the stack when small: it stays in place, so pointers into it hold until the end.)
    let slots = plan.params.iter().map(|(s, _)| s).chain(&plan.results);
    let mut scratch: SmallVec<[i64; 32]> =
        smallvec::smallvec![0i64; slots.map(|s| scratch_len(s.dims.len())).sum::<usize>()];
    let (mut param_descs, mut result_descs) = descriptors(plan, params, results, &mut scratch);
    let call = Call {
        entry,
        params: &mut param_descs,
        results: &mut result_descs,
    };
    py.detach(move || air_rt::mem::with_max_memory(left, || call.run()))
        .map_err(|e| run_error(&e))?;
    // Every output becomes an array; after a failure the remaining buffers are released.
    let mut outputs: Small<Bound<'py, PyAny>> = SmallVec::new();
    let mut failure: Option<PyErr> = None;
    for &o in &plan.outputs {
        let (have, desc) = match o {
            Output::Result(k) => (results[k].take(), &result_descs[k]),
            Output::Param(j) => (params[j].take(), &param_descs[j]),
        };
        match (have, &failure) {
            (Some(a), _) => outputs.push(a.obj().clone()),
            (None, None) => match adopt_output(py, plan.output(o), desc) {
                Ok(obj) => outputs.push(obj),
                Err(e) => failure = Some(e),
            },
            // SAFETY: a buffer the callee allocated that no array owns yet: released once.
            (None, Some(_)) => unsafe { air_rt::air_free(desc.data) },
        }
    }
    match failure {
        Some(e) => Err(e),
        None => pack(py, outputs),
    }
}

/// An output the compiled code allocated, as a NumPy array that owns the buffer.
fn adopt_output<'py>(py: Python<'py>, slot: &Slot, d: &AirTensor) -> PyResult<Bound<'py, PyAny>> {
    let rank = slot.dims.len();
    // SAFETY: the callee filled `rank` extents of the scratch block `d.shape` points at.
    let shape = unsafe { std::slice::from_raw_parts(d.shape, rank) }.to_vec();
    // SAFETY: on success the callee allocated `data` with `air_rt_alloc`, C order, of `shape`;
    // nothing else owns it.
    unsafe { arrays::adopt(py, slot.dtype, &shape, d.data) }
}

/// A call's return value: `None`, the one output, or a tuple of them.
pub fn pack<'py>(
    py: Python<'py>,
    outputs: Small<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match outputs.len() {
        0 => Ok(py.None().into_bound(py)),
        1 => Ok(outputs
            .into_iter()
            .next()
            .unwrap_or_else(|| py.None().into_bound(py))),
        _ => Ok(PyTuple::new(py, outputs)?.into_any()),
    }
}
