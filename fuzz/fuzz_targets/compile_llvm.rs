//! Compiles a valid module with the LLVM backend and runs it like the interpreter
//! (`air_fuzz::llvm`). Run with a time and memory budget: `-timeout=30 -rss_limit_mb=4096`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((format, bytes)) = air_fuzz::split_format(data) {
        if let Err(finding) = air_fuzz::llvm(bytes, format) {
            panic!("{finding}");
        }
    }
});
