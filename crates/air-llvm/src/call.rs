//! The safe way to run compiled code: [`CompiledModule::call`] binds named tensors to a
//! function's parameters exactly as `air_interp::run` does (same E0501 problems, same output
//! names), passes them zero-copy through the C ABI, and returns the results as tensors.
#![allow(unsafe_code)] // descriptors over tensor memory, and the call into machine code

use std::collections::HashMap;

use air_ir::{Code, Function, Intent, TensorType};
use air_rt::abi::{dtype_code, AirError, AirTensor};
use air_value::{bind_inputs, memory, RunError, RunOptions, Tensor};

use crate::jit::{CompiledModule, EntryFn};

/// The most elements a result buffer is allocated with before the call (as the interpreter's
/// limit); larger results are left to the callee, which reports E0508 when it cannot allocate.
const MAX_PREALLOCATED: usize = 1 << 32;

/// Runs `$body` with `$a` bound to the array inside any tensor variant.
macro_rules! with_array {
    ($t:expr, $a:ident => $body:expr) => {
        match $t {
            Tensor::Bool($a) => $body,
            Tensor::I8($a) => $body,
            Tensor::I16($a) => $body,
            Tensor::I32($a) => $body,
            Tensor::I64($a) => $body,
            Tensor::U8($a) => $body,
            Tensor::U16($a) => $body,
            Tensor::U32($a) => $body,
            Tensor::U64($a) => $body,
            Tensor::F16($a) => $body,
            Tensor::BF16($a) => $body,
            Tensor::F32($a) => $body,
            Tensor::F64($a) => $body,
            Tensor::C64($a) => $body,
            Tensor::C128($a) => $body,
        }
    };
}

/// The memory a descriptor points into, with its extents and byte strides.
struct Slot {
    data: *mut u8,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

impl Slot {
    /// A descriptor over a tensor's memory (no copy).
    fn over(t: &Tensor) -> Slot {
        let size = t.dtype().size_bytes() as i64;
        let (data, strides) = with_array!(t, a => (
            a.as_ptr() as *mut u8,
            a.strides().iter().map(|&s| s as i64 * size).collect::<Vec<i64>>()
        ));
        Slot {
            data,
            shape: t.shape().iter().map(|&e| e as i64).collect(),
            strides,
        }
    }

    /// A descriptor over a tensor's memory that the callee writes.
    fn over_mut(t: &mut Tensor) -> Slot {
        let size = t.dtype().size_bytes() as i64;
        let shape = t.shape().iter().map(|&e| e as i64).collect();
        let (data, strides) = with_array!(t, a => (
            a.as_mut_ptr().cast::<u8>(),
            a.strides().iter().map(|&s| s as i64 * size).collect::<Vec<i64>>()
        ));
        Slot {
            data,
            shape,
            strides,
        }
    }

    /// A descriptor with no buffer (the callee allocates), with room for `rank` extents.
    fn empty(rank: usize) -> Slot {
        Slot {
            data: std::ptr::null_mut(),
            shape: vec![0; rank],
            strides: vec![0; rank],
        }
    }

    fn descriptor(&mut self, ty: &TensorType) -> AirTensor {
        AirTensor {
            data: self.data,
            shape: self.shape.as_mut_ptr(),
            strides: self.strides.as_mut_ptr(),
            rank: ty.rank() as i32,
            dtype: dtype_code(ty.dtype),
        }
    }
}

/// A descriptor's memory when the callee allocated it: copied into a tensor and released.
fn take_allocated(d: &AirTensor, ty: &TensorType) -> Result<Tensor, RunError> {
    // SAFETY: the callee filled `rank` extents and allocated a C-contiguous buffer of them.
    let shape: Vec<usize> = unsafe { std::slice::from_raw_parts(d.shape, ty.rank()) }
        .iter()
        .map(|&e| e.max(0) as usize)
        .collect();
    let n: usize = shape.iter().product::<usize>() * ty.dtype.size_bytes();
    // SAFETY: `n` bytes were allocated by `air_rt_alloc` and written by the callee.
    let bytes = unsafe { std::slice::from_raw_parts(d.data, n) };
    // The copy's memory is asked for fallibly: E0508, not an abort, when it cannot be had.
    let t = Tensor::try_from_le_bytes(ty.dtype, &shape, bytes);
    // SAFETY: the buffer was handed out by the callee and is released once.
    unsafe { air_rt::air_free(d.data) };
    t
}

impl CompiledModule {
    /// Runs `function` on named inputs, as `air_interp::run` does: results under their declared
    /// names (`result0`... when unnamed), then `out`/`inout` parameters under their names.
    ///
    /// A missing, extra, repeated or mistyped input is E0501 (every problem listed); the
    /// compiled code checks shapes and symbols itself and reports its own errors.
    pub fn call(
        &self,
        function: &str,
        inputs: &[(String, Tensor)],
    ) -> Result<Vec<(String, Tensor)>, RunError> {
        self.call_with(function, inputs, &RunOptions::default())
    }

    /// [`CompiledModule::call`] with options: under a memory budget (`max_memory`), the results
    /// allocated before the call and every block the compiled code allocates (`air_rt_alloc`, on
    /// this thread and its workers) together stay within it; an allocation past it is E0508.
    /// `max_while_iterations` is an interpreter option: set, the call fails with E0505.
    pub fn call_with(
        &self,
        function: &str,
        inputs: &[(String, Tensor)],
        opts: &RunOptions,
    ) -> Result<Vec<(String, Tensor)>, RunError> {
        if let Some(limit) = opts.max_while_iterations {
            return Err(RunError::new(
                Code::Unsupported,
                format!(
                    "max_while_iterations = {limit}: the LLVM backend does not count while \
                     iterations (an interpreter option)"
                ),
            ));
        }
        let (f, entry) = self.lookup(function)?;
        let given = bind_inputs(f, inputs)?;
        let syms = lone_symbols(f, &given);
        let mut results: Vec<Option<Tensor>> = Vec::with_capacity(f.results.len());
        let mut budget = opts.max_memory;
        for r in &f.results {
            let t = preallocate(&r.ty, &syms, opts.max_memory, &mut budget)?;
            results.push(t);
        }
        let mut result_slots: Vec<Slot> = f
            .results
            .iter()
            .zip(results.iter_mut())
            .map(|(r, t)| {
                t.as_mut()
                    .map_or_else(|| Slot::empty(r.ty.rank()), Slot::over_mut)
            })
            .collect();
        let (res, params) =
            air_rt::mem::with_max_memory(budget, || invoke(f, entry, &given, &mut result_slots))?;
        let mut outputs = Vec::with_capacity(f.results.len() + params.len());
        for (k, r) in f.results.iter().enumerate() {
            let name = r.name.clone().unwrap_or_else(|| format!("result{k}"));
            let t = match results[k].take() {
                Some(t) => t,
                None => take_allocated(&res[k], &r.ty)?,
            };
            outputs.push((name, t));
        }
        outputs.extend(params);
        Ok(outputs)
    }

    /// Runs `function` writing its results into the caller's tensors (destination passing:
    /// nothing is allocated for them), one per declared result in signature order, each of the
    /// declared dtype and rank and of the computed shape (E0501/E0506 from the compiled code
    /// otherwise; any strides). Inputs are bound as in [`CompiledModule::call`]; the returned
    /// vector holds only the `out`/`inout` parameters, under their names.
    pub fn call_into(
        &self,
        function: &str,
        inputs: &[(String, Tensor)],
        results: &mut [Tensor],
    ) -> Result<Vec<(String, Tensor)>, RunError> {
        let (f, entry) = self.lookup(function)?;
        if results.len() != f.results.len() {
            let mut e = RunError::new(
                Code::BadInput,
                format!(
                    "{} result tensors given, @{} has {} results",
                    results.len(),
                    f.name,
                    f.results.len()
                ),
            );
            e.function = Some(f.name.clone());
            return Err(e);
        }
        let problems: Vec<String> = f
            .results
            .iter()
            .zip(results.iter())
            .enumerate()
            .filter(|(_, (r, t))| t.dtype() != r.ty.dtype || t.rank() != r.ty.rank())
            .map(|(k, (r, t))| {
                let name = r.name.clone().unwrap_or_else(|| format!("result{k}"));
                format!(
                    "result %{name}: expected {}, got {}{:?}",
                    r.ty,
                    t.dtype(),
                    t.shape()
                )
            })
            .collect();
        if !problems.is_empty() {
            let mut e = RunError::new(Code::BadInput, problems.join("; "));
            e.function = Some(f.name.clone());
            return Err(e);
        }
        let given = bind_inputs(f, inputs)?;
        let mut result_slots: Vec<Slot> = results.iter_mut().map(Slot::over_mut).collect();
        let (_, params) = invoke(f, entry, &given, &mut result_slots)?;
        Ok(params)
    }

    fn lookup(&self, function: &str) -> Result<(&Function, EntryFn), RunError> {
        match (self.module.function(function), self.entries.get(function)) {
            (Some(f), Some(e)) => Ok((f, *e)),
            _ => Err(RunError::new(
                Code::UnknownFunction,
                format!("no function @{function} in the module"),
            )),
        }
    }
}

/// Named tensors, as `call` returns them.
type Named = Vec<(String, Tensor)>;

/// Calls `entry` with descriptors over the bound inputs and the result slots. Returns the
/// result descriptors as the callee left them and the `out`/`inout` parameters (named).
fn invoke(
    f: &Function,
    entry: EntryFn,
    given: &[Option<&Tensor>],
    result_slots: &mut [Slot],
) -> Result<(Vec<AirTensor>, Named), RunError> {
    // Parameters: `in` tensors are read in place; `out`/`inout` ones are copies we own.
    let mut owned: Vec<Option<Tensor>> = f
        .params
        .iter()
        .zip(given)
        .map(|(p, t)| match (p.intent, t) {
            (Intent::In, _) | (_, None) => None,
            (Intent::Out | Intent::InOut, Some(t)) => Some((*t).clone()),
        })
        .collect();
    let mut param_slots: Vec<Slot> = f
        .params
        .iter()
        .zip(given.iter().zip(owned.iter_mut()))
        .map(|(p, (t, o))| match (o, t) {
            (Some(o), _) => Slot::over_mut(o),
            (None, Some(t)) => Slot::over(t),
            (None, None) => Slot::empty(p.ty.rank()),
        })
        .collect();
    let mut params: Vec<AirTensor> = param_slots
        .iter_mut()
        .zip(&f.params)
        .map(|(s, p)| s.descriptor(&p.ty))
        .collect();
    let mut res: Vec<AirTensor> = result_slots
        .iter_mut()
        .zip(&f.results)
        .map(|(s, r)| s.descriptor(&r.ty))
        .collect();
    let mut err = AirError::default();
    // SAFETY: one valid descriptor per parameter and result, over live memory of the
    // declared dtype (or rank, for caller-given results: the entry point checks dtype and
    // rank before touching them); `in` memory is only read; results never overlap inputs
    // (distinct tensors); the entry point checks everything else.
    let code = unsafe { entry(params.as_mut_ptr(), res.as_mut_ptr(), &mut err) };
    if code != 0 {
        return Err(run_error(f, code, &err));
    }
    let mut outputs = Vec::new();
    for (j, p) in f.params.iter().enumerate() {
        if p.intent == Intent::In {
            continue;
        }
        let t = match owned[j].take() {
            Some(t) => t,
            None => take_allocated(&params[j], &p.ty)?,
        };
        outputs.push((p.name.clone(), t));
    }
    Ok((res, outputs))
}

/// The error a failed call reports: the compiled code's code and message, in `f` (a message
/// that ends by naming `f` loses that ending, which the error's function field prints).
pub(crate) fn run_error(f: &Function, code: i32, err: &AirError) -> RunError {
    let number = u16::try_from(code).unwrap_or(0);
    let code = Code::ALL
        .iter()
        .copied()
        .find(|c| c.number() == number)
        .unwrap_or(Code::Internal);
    let text = err.text();
    let message = text
        .strip_suffix(&format!(" in @{}", f.name))
        .unwrap_or(&text);
    let mut e = RunError::new(code, message);
    e.function = Some(f.name.clone());
    e
}

/// The symbols the given tensors bind as lone dims (the first binding wins: conflicts are the
/// compiled code's to report).
fn lone_symbols(f: &Function, given: &[Option<&Tensor>]) -> HashMap<String, i64> {
    let mut syms = HashMap::new();
    for (p, t) in f.params.iter().zip(given) {
        let Some(t) = t else { continue };
        for (d, &e) in p.ty.shape.iter().zip(t.shape()) {
            if let Some(s) = d.as_symbol() {
                syms.entry(s.to_string()).or_insert(e as i64);
            }
        }
    }
    syms
}

/// A zeroed result tensor when its shape is known before the call, its bytes taken from the
/// budget left (`budget`, of `limit`; E0508 when over it or when the memory cannot be had). A shape that cannot be
/// evaluated (a dim that overflows, say) is left to the compiled code, which reports it.
fn preallocate(
    ty: &TensorType,
    syms: &HashMap<String, i64>,
    limit: Option<u64>,
    budget: &mut Option<u64>,
) -> Result<Option<Tensor>, RunError> {
    let shape: Option<Vec<usize>> = ty
        .shape
        .iter()
        .map(|d| d.eval(syms).and_then(|v| usize::try_from(v).ok()))
        .collect();
    let Some(shape) = shape else { return Ok(None) };
    let n = shape.iter().try_fold(1usize, |a, &e| a.checked_mul(e));
    if n.is_none_or(|n| n > MAX_PREALLOCATED) {
        return Ok(None);
    }
    let bytes = memory::tensor_bytes(ty.dtype, &shape)?;
    if let Some(left) = budget {
        let Some(rest) = left.checked_sub(bytes) else {
            let what = format!("a result of type {ty}");
            let live = limit.unwrap_or(0).saturating_sub(*left);
            return Err(memory::over_budget(bytes, &what, live, limit.unwrap_or(0)));
        };
        *left = rest;
    }
    Tensor::try_zeros(ty.dtype, &shape).map(Some)
}
