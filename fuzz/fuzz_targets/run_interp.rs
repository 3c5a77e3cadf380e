//! Runs a valid module on the interpreter on small zero inputs within a memory budget: no panic,
//! results of the declared dtypes and shapes (`air_fuzz::interp`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((format, bytes)) = air_fuzz::split_format(data) {
        if let Err(finding) = air_fuzz::interp(bytes, format) {
            panic!("{finding}");
        }
    }
});
