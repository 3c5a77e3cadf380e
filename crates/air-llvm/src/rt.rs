//! The few native helpers generated code calls besides the runtime ops: memory (`air_rt_alloc`,
//! `air_free`, as `docs/llvm-backend.md` names them) and error reporting. They are mapped into
//! the JIT by address (`ExecutionEngine::add_global_mapping`), so no symbol needs exporting.
#![allow(unsafe_code)] // C ABI entry points called by generated code

use std::ffi::{c_char, CStr};

use air_ir::Code;
use air_rt::abi::AirError;

/// The most bytes one allocation may take; more is reported as E0505 instead of being tried.
const MAX_BYTES: i64 = 1 << 36;

/// `air_rt_alloc(nbytes)`: zeroed memory for a tensor (at least one byte, so never NULL for an
/// empty tensor); NULL when the size is negative, too large or not available.
pub(crate) extern "C" fn air_rt_alloc(nbytes: i64) -> *mut u8 {
    if !(0..=MAX_BYTES).contains(&nbytes) {
        return std::ptr::null_mut();
    }
    // SAFETY: calloc with a positive size; the result is checked by the caller.
    unsafe { libc::calloc(nbytes.max(1) as usize, 1).cast() }
}

/// `air_free(p)`: releases memory the compiled code allocated (results and `out` parameters the
/// caller left without a buffer). NULL is ignored.
///
/// # Safety
/// `p` is NULL or a buffer compiled code handed out, not yet released.
pub unsafe extern "C" fn air_free(p: *mut u8) {
    // SAFETY: `p` is NULL or came from `air_rt_alloc` (calloc), and is released once.
    unsafe { libc::free(p.cast()) }
}

/// `air_llvm_fail(err, code, message, a, b)`: records an error, replacing `{a}` and `{b}` in the
/// NUL-terminated message by the two numbers; returns the code.
pub(crate) extern "C" fn air_llvm_fail(
    err: *mut AirError,
    code: i32,
    message: *const c_char,
    a: i64,
    b: i64,
) -> i32 {
    // SAFETY: generated code passes its own `err` argument and a NUL-terminated global string.
    let (err, text) = unsafe {
        let Some(err) = err.as_mut() else {
            return code;
        };
        (err, CStr::from_ptr(message).to_string_lossy())
    };
    let text = text
        .replace("{a}", &a.to_string())
        .replace("{b}", &b.to_string());
    let number = u16::try_from(code).unwrap_or(0);
    let code = Code::ALL
        .iter()
        .copied()
        .find(|c| c.number() == number)
        .unwrap_or(Code::Unsupported);
    err.set(code, &text)
}

/// The helpers by symbol name, with their addresses, for the JIT's global mappings. The runtime
/// ops of `air-rt` join this list (and `check::RUNTIME_OPS`) once `air-rt` provides them.
pub(crate) fn symbols() -> Vec<(&'static str, usize)> {
    vec![
        ("air_rt_alloc", air_rt_alloc as *const () as usize),
        ("air_free", air_free as *const () as usize),
        ("air_llvm_fail", air_llvm_fail as *const () as usize),
    ]
}
