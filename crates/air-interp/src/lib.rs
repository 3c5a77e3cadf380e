//! The AIR reference interpreter.
//!
//! [`run`] executes one function of a module on named input tensors with `ndarray`, simply and
//! exactly as `docs/spec.md` and `docs/op-rules.md` say: it is the oracle of the conformance suite,
//! written to be read. Each op's code names its spec section (`// spec: #floor_div`). Inputs bind
//! to parameters by name, dimension symbols bind from their shapes, fresh dims (`filter` and
//! `slice` lengths) bind as they are computed, and every node's result is checked against its
//! declared type, so a bad module or an interpreter bug fails loudly (E0506) instead of passing
//! wrong numbers on.
//!
//! Values, input binding, run errors and `.npy`/`.npz` I/O live in `air-value`, which the LLVM
//! backend shares; what this crate's API promised of them is re-exported here.

mod eval;

use air_ir::{Code, Function, Intent, Module};

pub use air_value::{bind_inputs, memory, npy, npz, Result, RunError, RunOptions};
pub use air_value::{check_close, Element, ShapeError, Tensor};
/// The array, half-float and complex crates of [`Tensor`]'s public API, re-exported.
pub use air_value::{half, ndarray, num_complex};
pub use air_value::{read_npy, write_npy, NpyContent};
pub use air_value::{read_npz, write_npz, write_npz_compressed, NpzError};

/// The run error, and the evaluator's shorthand for failing with one.
mod error {
    pub(crate) use air_value::{Result, RunError};

    /// An error with a code and a message.
    pub(crate) fn fail<T>(code: air_ir::Code, message: impl Into<String>) -> Result<T> {
        Err(RunError::new(code, message))
    }
}

/// The tensor type and the dtype-dispatch macros, from `air-value`.
mod tensor {
    pub(crate) use air_value::{map_array, map_numeric, map_ordered, map_some};
    pub(crate) use air_value::{with_array, with_dtype, with_some, Element, Tensor};
}

/// Runs `function` of a module on `inputs`, after validating the module.
///
/// Returns the function's results named by their declared names (`result0`, `result1`... when
/// unnamed), then the `out`/`inout` parameters under their parameter names, in signature order.
/// An invalid module fails with the code of the validator's first diagnostic and all of them in
/// the message. See [`run_unchecked`] for the binding rules.
pub fn run(
    m: &Module,
    function: &str,
    inputs: &[(String, Tensor)],
) -> Result<Vec<(String, Tensor)>> {
    run_with(m, function, inputs, &RunOptions::default())
}

/// [`run`] with options: a memory budget (`max_memory`), checked before each node allocates its
/// results against the bytes of node results live at that moment (E0508 when over it).
pub fn run_with(
    m: &Module,
    function: &str,
    inputs: &[(String, Tensor)],
    opts: &RunOptions,
) -> Result<Vec<(String, Tensor)>> {
    if let Err(diags) = air_ir::validate::validate(m) {
        return Err(RunError::invalid_module(&diags));
    }
    run_unchecked_with(m, function, inputs, opts)
}

/// Runs `function` of a module on `inputs` without validating the module first.
///
/// Inputs bind to parameters by name: a missing `in`/`inout` input, an input naming no parameter,
/// a repeated name, or a wrong dtype or rank is E0501; symbols bind from the inputs' shapes (a
/// conflict, or an expression dim like `n+1` that does not match, is E0502). `out` parameters may
/// be left out (they are never read; given, they are checked like the others). Every custom op
/// without a decomposition in the functions reachable from `function` is listed in one E0407.
pub fn run_unchecked(
    m: &Module,
    function: &str,
    inputs: &[(String, Tensor)],
) -> Result<Vec<(String, Tensor)>> {
    run_unchecked_with(m, function, inputs, &RunOptions::default())
}

/// [`run_unchecked`] with options (see [`run_with`]).
pub fn run_unchecked_with(
    m: &Module,
    function: &str,
    inputs: &[(String, Tensor)],
    opts: &RunOptions,
) -> Result<Vec<(String, Tensor)>> {
    // The evaluator recurses once per call and nested region; a thread of its own with a large
    // (lazily committed) stack makes the depth bound, not the caller's stack, the limit.
    const STACK_BYTES: usize = 256 << 20;
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("air-interp".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, || run_here(m, function, inputs, opts));
        match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => run_here(m, function, inputs, opts), // no thread to be had: use this one
        }
    })
}

fn run_here(
    m: &Module,
    function: &str,
    inputs: &[(String, Tensor)],
    opts: &RunOptions,
) -> Result<Vec<(String, Tensor)>> {
    let interp = eval::Interp::new(m, opts);
    let f = interp.function(function)?;
    check_custom_ops(m, f)?;
    let args = bind_inputs(f, inputs)?;
    let yields = interp.call(f, &args)?;
    let names = f
        .results
        .iter()
        .enumerate()
        .map(|(i, r)| r.name.clone().unwrap_or_else(|| format!("result{i}")))
        .chain(
            f.params
                .iter()
                .filter(|p| p.intent != Intent::In)
                .map(|p| p.name.clone()),
        );
    Ok(names.zip(yields).collect())
}

/// E0407 listing every custom op without a decomposition in `f` and the functions it reaches
/// (the rule of [`air_ir::reach::missing_decompositions`]).
fn check_custom_ops(m: &Module, f: &Function) -> Result<()> {
    let missing: Vec<String> = air_ir::reach::missing_decompositions(m, &[f.name.as_str()])
        .into_iter()
        .map(|m| format!("{}.{} in @{}", m.custom.domain, m.custom.name, m.function))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut e = RunError::new(
        Code::NoDecomposition,
        format!("custom ops without a decomposition: {}", missing.join(", ")),
    );
    e.function = Some(f.name.clone());
    Err(e)
}
