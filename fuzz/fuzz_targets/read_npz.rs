//! Decodes `.npz` bytes: no panic, bounded memory, and what decodes encodes and decodes back bit
//! for bit (`air_fuzz::npz`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = air_fuzz::npz(data) {
        panic!("{finding}");
    }
});
