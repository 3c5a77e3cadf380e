//! A compiled function's C ABI entry point as a value, for callers that build the tensor
//! descriptors themselves (skair builds them straight over NumPy's memory): no binding by name,
//! no tensors, no allocation per call.
#![allow(unsafe_code)] // the call into machine code

use std::sync::Arc;

use air_ir::{Code, Function};
use air_rt::abi::{AirError, AirTensor};
use air_value::RunError;

use crate::jit::{CompiledModule, EntryFn};

/// The entry point `air_<f>` of one function of a compiled module, keeping the module alive.
#[derive(Clone)]
pub struct Entry {
    module: Arc<CompiledModule>,
    index: usize,
    entry: EntryFn,
}

impl CompiledModule {
    /// The entry point of `function`, or `None` when the module has no such function.
    pub fn entry(self: &Arc<Self>, function: &str) -> Option<Entry> {
        let index = self
            .module
            .functions
            .iter()
            .position(|f| f.name == function)?;
        let entry = *self.entries.get(function)?;
        Some(Entry {
            module: Arc::clone(self),
            index,
            entry,
        })
    }
}

impl Entry {
    /// The function this entry point runs.
    pub fn function(&self) -> &Function {
        &self.module.module.functions[self.index]
    }

    /// The compiled module the entry point belongs to.
    pub fn module(&self) -> &Arc<CompiledModule> {
        &self.module
    }

    /// Calls the function with one descriptor per parameter and one per declared result, in
    /// signature order (the C ABI of `include/air.h`). The compiled code checks dtypes, ranks,
    /// extents, strides and symbols on entry and reports them as errors; a result or `out`
    /// parameter with NULL `data` comes back allocated by the callee (`air_rt_alloc`, C order,
    /// its `shape` and `strides` filled in; release it with [`crate::air_free`]).
    ///
    /// A wrong number of descriptors is E0501; other failures carry the compiled code's code
    /// and message.
    ///
    /// # Safety
    ///
    /// Every descriptor's `shape` and `strides` point at `rank` writable `i64`s, and its `data`
    /// (when not NULL) at memory valid for reads (and for writes, for results and `out`/`inout`
    /// parameters) at every offset its extents and strides reach, holding elements of the
    /// dtype its `dtype` code names; result and `out` buffers overlap no other descriptor's
    /// memory; nothing else reads or writes the memory of results and `out`/`inout` parameters
    /// during the call.
    pub unsafe fn call(
        &self,
        params: &mut [AirTensor],
        results: &mut [AirTensor],
    ) -> Result<(), RunError> {
        let f = self.function();
        if params.len() != f.params.len() || results.len() != f.results.len() {
            let mut e = RunError::new(
                Code::BadInput,
                format!(
                    "{} parameter and {} result descriptors given, @{} has {} parameters and {} results",
                    params.len(),
                    results.len(),
                    f.name,
                    f.params.len(),
                    f.results.len()
                ),
            );
            e.function = Some(f.name.clone());
            return Err(e);
        }
        let mut err = AirError::default();
        // SAFETY: one descriptor per parameter and result (checked above); the caller
        // guarantees the memory they describe (this function's contract).
        let code = unsafe { (self.entry)(params.as_mut_ptr(), results.as_mut_ptr(), &mut err) };
        if code != 0 {
            return Err(crate::call::run_error(f, code, &err));
        }
        Ok(())
    }
}
