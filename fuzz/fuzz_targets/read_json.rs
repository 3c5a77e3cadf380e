//! Fuzzes `air_ir::serial::read` on the Json form: no panics, and write-then-read is a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "roundtrip.rs"]
mod roundtrip;

fuzz_target!(|data: &[u8]| roundtrip::check(data, air_ir::serial::Format::Json));
