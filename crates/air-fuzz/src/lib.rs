//! The properties AIR is fuzzed against, one function per fuzz target. The cargo-fuzz targets
//! in `fuzz/` (coverage-guided, with `cargo +nightly fuzz`) and the seeded smoke fuzzer
//! (`cargo run -p air-fuzz --bin fuzz_smoke`, for machines without a nightly toolchain; it runs
//! in `scripts/test.sh`) both call these, so both check the same things.
//!
//! Each check returns `Err` with a description when a property is violated; a panic is also a
//! finding. Inputs that a reader or the validator refuses are not findings: refusing is the
//! right answer to most fuzz input.
//!
//! | check | property |
//! |---|---|
//! | [`module`] | reading (text, protobuf or JSON) and validating never panic; a module that reads writes and re-reads to the same module in both binary forms, and a valid one prints as text that reads back to the same module (NaN payloads aside where the form does not keep them: [`canonical_nans`]) |
//! | [`interp`] | a valid module runs on the interpreter on small zero inputs without panicking, within a memory budget, and every result has the dtype and (where its dims are bound) the shape its declaration gives |
//! | [`llvm`] | a valid module the LLVM backend accepts compiles, and runs like the interpreter: the same success or failure, dtypes and shapes |
//! | [`npz`] | `.npz` decoding never panics; what decodes encodes and decodes back bit for bit |
//! | [`export`] | a valid module that the SymPy or PyTensor exporter writes imports back and validates |

mod inputs;
mod nan;

use std::collections::HashMap;

use air_ir::serial::{read, write, Format};
use air_ir::Module;
use air_value::Tensor;

pub use inputs::{runnable, zero_inputs, Inputs};
pub use nan::canonical_nans;

/// A violated property, described for the person reading the finding.
pub type Finding = String;

/// How far an input got through a check, for the smoke fuzzer's summary: fuzzing that never
/// gets past the reader checks little.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reached {
    /// A reader (or decoder) refused it.
    Refused,
    /// It read, but did not validate (or could not be run).
    Read,
    /// It validated (for `npz`: decoded).
    Valid,
    /// It ran or compiled, or was exported and imported back.
    Done,
}

/// The bytes a fuzz target gets: the first byte picks the form, the rest is the module.
pub fn split_format(data: &[u8]) -> Option<(Format, &[u8])> {
    let (&first, rest) = data.split_first()?;
    let format = match first % 3 {
        0 => Format::Text,
        1 => Format::Protobuf,
        _ => Format::Json,
    };
    Some((format, rest))
}

/// Reads and validates `bytes`: `None` when either refuses (not a finding).
pub fn valid_module(bytes: &[u8], format: Format) -> Option<Module> {
    checked(bytes, format).ok()
}

/// Reads and validates `bytes`, or says how far it got.
fn checked(bytes: &[u8], format: Format) -> Result<Module, Reached> {
    let m = read(bytes, format, "fuzz").map_err(|_| Reached::Refused)?;
    air_ir::validate::validate(&m).map_err(|_| Reached::Read)?;
    Ok(m)
}

/// The module, or (as a successful check) how far the input got.
macro_rules! valid_or_return {
    ($bytes:expr, $format:expr) => {
        match checked($bytes, $format) {
            Ok(m) => m,
            Err(reached) => return Ok(reached),
        }
    };
}

/// Reading and validating never panic; a module that reads writes and re-reads to the same
/// module in both binary forms, and a valid one prints as text that reads back to it.
pub fn module(bytes: &[u8], format: Format) -> Result<Reached, Finding> {
    let Ok(m) = read(bytes, format, "fuzz") else {
        return Ok(Reached::Refused);
    };
    let valid = air_ir::validate::validate(&m).is_ok();
    // Protobuf keeps every bit; proto-JSON writes a NaN float attribute as "NaN" and the text
    // form every NaN as `nan`, so those two are compared with NaNs made canonical.
    let exact = write(&m, Format::Protobuf);
    let canonical = write(&canonical_nans(&m), Format::Protobuf);
    let same = |back: &Module, f: Format| match f {
        Format::Protobuf => write(back, Format::Protobuf) == exact,
        Format::Json | Format::Text => write(&canonical_nans(back), Format::Protobuf) == canonical,
    };
    for f in [Format::Protobuf, Format::Json] {
        let written = write(&m, f);
        let back = read(&written, f, "written").map_err(|e| {
            format!("a module that read as {format} is written as {f} that does not read: {e}")
        })?;
        if !same(&back, f) {
            return Err(format!(
                "a module that read as {format} changes when written as {f} and read back"
            ));
        }
    }
    if !valid {
        // The text form names values, so it can print only what validates (a dangling handle
        // has no name); the binary forms carry anything that reads, checked above.
        return Ok(Reached::Read);
    }
    let text = air_ir::text::print(&m);
    let again = air_ir::text::parse(&text, "printed").map_err(|e| {
        format!("a valid module read as {format} prints as text that does not read: {e}\n--- text:\n{text}")
    })?;
    if !same(&again, Format::Text) {
        let text2 = air_ir::text::print(&again);
        return Err(format!(
            "a valid module read as {format} changes when printed as text and read back\n--- first:\n{text}\n--- second:\n{text2}"
        ));
    }
    Ok(Reached::Done)
}

/// The memory a fuzzed run may use: small, so that a module asking for more is refused with
/// an error (E0508) instead of exhausting the machine.
pub const RUN_MEMORY_BYTES: u64 = 256 << 20;

/// The most iterations one `while` execution may run in a fuzzed run: an endless loop is an
/// error (E0510), not a hung fuzzer.
pub const RUN_WHILE_ITERATIONS: u64 = 1 << 16;

fn budget() -> air_value::memory::RunOptions {
    air_value::memory::RunOptions {
        max_memory: Some(RUN_MEMORY_BYTES),
        max_while_iterations: Some(RUN_WHILE_ITERATIONS),
    }
}

/// Runs the entry function on the interpreter on small zero inputs: no panic, and a success
/// gives results of the declared dtypes and shapes. Modules with loops are not run (their trip
/// counts come from data, so a fuzzed one may run for ever); they are still read and validated.
pub fn interp(bytes: &[u8], format: Format) -> Result<Reached, Finding> {
    let m = valid_or_return!(bytes, format);
    let Some(run) = zero_inputs(&m, bytes).filter(|run| runnable(&m, &run.function)) else {
        return Ok(Reached::Valid);
    };
    if let Ok(results) = air_interp::run_unchecked_with(&m, &run.function, &run.tensors, &budget())
    {
        check_results(&m, &run, &results, "interpreter")?;
    }
    Ok(Reached::Done)
}

/// Compiles a valid module with the LLVM backend (when it supports every op and dtype) and, when
/// it can be run ([`runnable`]), runs it on the inputs the interpreter gets: both succeed or both
/// fail, with the same dtypes and shapes.
pub fn llvm(bytes: &[u8], format: Format) -> Result<Reached, Finding> {
    let m = valid_or_return!(bytes, format);
    if air_llvm::check_supported(&m).is_err() {
        return Ok(Reached::Valid);
    }
    let options = air_llvm::Options {
        threads: 1,
        ..air_llvm::Options::default()
    };
    let compiled = air_llvm::compile(&m, &options)
        .map_err(|d| format!("a valid module the backend supports does not compile:\n{d}"))?;
    let Some(run) = zero_inputs(&m, bytes).filter(|run| runnable(&m, &run.function)) else {
        return Ok(Reached::Done);
    };
    // The while limit is an interpreter option (the LLVM backend refuses it, E0505); a runnable
    // module has no loop, so the native run needs none.
    let native_budget = air_value::memory::RunOptions {
        max_while_iterations: None,
        ..budget()
    };
    let native = compiled.call_with(&run.function, &run.tensors, &native_budget);
    let reference = air_interp::run_unchecked_with(&m, &run.function, &run.tensors, &budget());
    match (native, reference) {
        (Ok(a), Ok(b)) => {
            check_results(&m, &run, &a, "LLVM backend")?;
            for ((name, x), (_, y)) in a.iter().zip(&b) {
                if x.shape() != y.shape() || x.dtype() != y.dtype() {
                    return Err(format!(
                        "{name}: the LLVM backend gives {:?} {:?}, the interpreter {:?} {:?}",
                        x.dtype(),
                        x.shape(),
                        y.dtype(),
                        y.shape()
                    ));
                }
            }
            Ok(Reached::Done)
        }
        // Both refuse: the codes may differ where the engines check in another order.
        (Err(_), Err(_)) => Ok(Reached::Done),
        (Ok(_), Err(e)) => Err(format!(
            "the LLVM backend runs @{} but the interpreter fails: {e}",
            run.function
        )),
        (Err(e), Ok(_)) => Err(format!(
            "the interpreter runs @{} but the LLVM backend fails: {e}",
            run.function
        )),
    }
}

/// Every result has its declared dtype and, where all its dims' symbols are bound, its shape.
fn check_results(
    m: &Module,
    run: &Inputs,
    results: &[(String, Tensor)],
    engine: &str,
) -> Result<(), Finding> {
    let Some(f) = m.function(&run.function) else {
        return Ok(());
    };
    let env: HashMap<String, i64> = run.symbols.clone();
    for (decl, (name, t)) in f.results.iter().zip(results) {
        if t.dtype() != decl.ty.dtype {
            return Err(format!(
                "{engine}: result {name} is {:?}, declared {:?}",
                t.dtype(),
                decl.ty.dtype
            ));
        }
        let expected: Option<Vec<i64>> = decl.ty.shape.iter().map(|d| d.eval(&env)).collect();
        if let Some(expected) = expected {
            let got: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
            if got != expected {
                return Err(format!(
                    "{engine}: result {name} has shape {got:?}, its declared dims give {expected:?}"
                ));
            }
        }
    }
    Ok(())
}

/// `.npz` decoding never panics; what decodes encodes (stored and deflated) and decodes back
/// bit for bit.
pub fn npz(bytes: &[u8]) -> Result<Reached, Finding> {
    let Ok(arrays) = air_value::npz::decode(bytes) else {
        return Ok(Reached::Refused);
    };
    for compressed in [false, true] {
        let encoded = air_value::npz::encode(&arrays, compressed)
            .map_err(|e| format!("decoded arrays do not encode: {e}"))?;
        let back = air_value::npz::decode(&encoded)
            .map_err(|e| format!("encoded arrays do not decode: {e}"))?;
        let same = back.len() == arrays.len()
            && back
                .iter()
                .zip(&arrays)
                .all(|((n, a), (m, b))| n == m && a.bits_eq(b));
        if !same {
            return Err(format!(
                "npz decode(encode(arrays)) differs (compressed: {compressed})"
            ));
        }
    }
    Ok(Reached::Done)
}

/// A valid module that the SymPy or the PyTensor exporter writes imports back with that
/// translator and validates.
pub fn export(bytes: &[u8], format: Format) -> Result<Reached, Finding> {
    let m = valid_or_return!(bytes, format);
    let Ok(function) = air_ir::entry_function(&m).map(str::to_string) else {
        return Ok(Reached::Valid);
    };
    let mut reached = Reached::Valid;
    let sympy = air_sympy::Options {
        function: function.clone(),
        ..air_sympy::Options::default()
    };
    if let Ok(srepr) = air_sympy::export(&m, &sympy) {
        let back = air_sympy::import(&srepr, &air_sympy::Options::default()).map_err(|e| {
            format!("SymPy export of @{function} does not import back: {e}\n{srepr}")
        })?;
        air_ir::validate::validate(&back).map_err(|d| {
            format!("SymPy export of @{function} imports back as an invalid module:\n{d}")
        })?;
        reached = Reached::Done;
    }
    let pytensor = air_pytensor::Options {
        function: function.clone(),
        ..air_pytensor::Options::default()
    };
    if let Ok(json) = air_pytensor::export(&m, &pytensor) {
        let back = air_pytensor::import(&json, &air_pytensor::Options::default())
            .map_err(|e| format!("PyTensor export of @{function} does not import back: {e}"))?;
        air_ir::validate::validate(&back).map_err(|d| {
            format!("PyTensor export of @{function} imports back as an invalid module:\n{d}")
        })?;
        reached = Reached::Done;
    }
    Ok(reached)
}
