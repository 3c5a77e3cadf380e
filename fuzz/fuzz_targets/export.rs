//! Exports a valid module through the SymPy and PyTensor translators; what exports imports back
//! and validates (`air_fuzz::export`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((format, bytes)) = air_fuzz::split_format(data) {
        if let Err(finding) = air_fuzz::export(bytes, format) {
            panic!("{finding}");
        }
    }
});
