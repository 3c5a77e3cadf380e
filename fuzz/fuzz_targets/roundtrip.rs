//! The property every fuzz target checks: reading never panics, and a module that reads is a
//! fixed point of write-then-read (compared as written bytes, so NaN attributes compare equal).

use air_ir::serial::{read, write, Format};

/// Reads `data` in `format`; if it reads, checks that writing and re-reading gives it back.
pub fn check(data: &[u8], format: Format) {
    let Ok(module) = read(data, format, "fuzz") else {
        return;
    };
    let written = write(&module, format);
    let again = match read(&written, format, "fuzz") {
        Ok(m) => m,
        Err(e) => panic!("a module that read once does not read back after writing: {e}"),
    };
    assert!(
        write(&again, format) == written,
        "write(read(write(m))) differs from write(m) in {format}"
    );
}
