//! Reads a module (the first byte picks text, protobuf or JSON), validates it, writes it in both
//! binary forms and prints a valid one as text: every form reads back to the same module
//! (`air_fuzz::module`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((format, bytes)) = air_fuzz::split_format(data) {
        if let Err(finding) = air_fuzz::module(bytes, format) {
            panic!("{finding}");
        }
    }
});
