//! Standard output for every command: a reader that goes away early (`air info | head -1`) is
//! no error. Once stdout reports a broken pipe, later output is dropped and the command carries
//! on, so its exit status still says whether it succeeded; any other write error (a full disk:
//! `air print m.air > /dev/full`) is reported and makes the command fail. Standard error is
//! written through [`eprint`], which never panics: when stderr itself cannot be written there
//! is nowhere left to report to, and the exit status still says what happened.

use std::io::{ErrorKind, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::CmdResult;

/// Set once stdout's reader has gone.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `bytes` to stdout (and flushes).
pub fn write_bytes(bytes: &[u8]) -> CmdResult {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(format!("error: cannot write to standard output: {e}")),
    }
}

/// Writes `text` to stdout.
pub fn write(text: &str) -> CmdResult {
    write_bytes(text.as_bytes())
}

/// Writes `text` and a newline to stderr, ignoring failure (where would it be reported?); unlike
/// `eprintln!`, never panics (`air check bad.air 2>/dev/full`).
pub fn eprint(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.write_all(b"\n"))
        .and_then(|()| stderr.flush());
}
