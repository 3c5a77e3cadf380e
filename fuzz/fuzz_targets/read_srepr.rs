//! Fuzzes the SymPy srepr reader: no panics; a text that parses prints back; a text that imports
//! validates; a module that exports imports back and settles. The property is the smoke fuzzer's
//! (`translators/air-sympy/examples/fuzz_smoke_srepr/check.rs`), included here by path.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../translators/air-sympy/examples/fuzz_smoke_srepr/check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = check::check(data) {
        panic!("{problem}");
    }
});
