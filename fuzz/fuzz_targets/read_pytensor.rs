//! Fuzzes the `pytensor-fgraph-json/1` reader: no panics; a document that imports validates; a
//! module exports (or lists the constructs PyTensor cannot express), and the export imports
//! back and settles. The property is the smoke fuzzer's
//! (`translators/air-pytensor/examples/fuzz_smoke_pytensor/check.rs`), included here by path.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../translators/air-pytensor/examples/fuzz_smoke_pytensor/check.rs"]
mod check;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = check::check(data) {
        panic!("{problem}");
    }
});
