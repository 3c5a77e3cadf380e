//! The native functions generated code calls: memory (`air_rt_alloc`, `air_free`) and the runtime
//! ops, from `air-rt`, and error reporting. They are mapped into the JIT by address
//! (`ExecutionEngine::add_global_mapping`), so no symbol needs exporting.
#![allow(unsafe_code)] // C ABI entry points called by generated code

use std::ffi::{c_char, CStr};

use air_ir::Code;
use air_rt::abi::AirError;

/// The most bytes one allocation may take; more is reported as E0508 instead of being tried.
const MAX_BYTES: i64 = 1 << 36;

/// `air_rt_alloc(nbytes)` as generated code sees it: `air-rt`'s allocator, refusing (NULL) sizes
/// over [`MAX_BYTES`] so that a huge shape is an error, not an exhausted machine.
extern "C" fn alloc_checked(nbytes: i64) -> *mut u8 {
    if nbytes > MAX_BYTES {
        return std::ptr::null_mut();
    }
    air_rt::air_rt_alloc(nbytes)
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
        .unwrap_or(Code::Internal);
    err.set(code, &text)
}

thread_local! {
    /// Loop nests this thread has run split across threads.
    static PARALLEL_REGIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// `air_rt_parallel_for` as the JIT maps it: counted per calling thread, then `air-rt`'s.
extern "C" fn parallel_for_counted(
    f: extern "C" fn(ctx: *mut u8, lo: i64, hi: i64),
    ctx: *mut u8,
    n: i64,
    threads: i64,
) {
    PARALLEL_REGIONS.with(|c| c.set(c.get() + 1));
    // SAFETY: generated code passes its outlined loop function and the context made for it;
    // the function is safe to run concurrently on disjoint ranges.
    unsafe { air_rt::air_rt_parallel_for(f, ctx, n, threads) }
}

/// How many loop nests compiled code called from this thread has split across threads.
pub(crate) fn parallel_regions() -> u64 {
    PARALLEL_REGIONS.with(|c| c.get())
}

/// The helpers by symbol name, with their addresses, for the JIT's global mappings: memory and
/// the runtime ops from `air-rt` (those listed in `check::RUNTIME_OPS`), the complex math of
/// `air_rt::cmath`, error reporting here.
pub(crate) fn symbols() -> Vec<(&'static str, usize)> {
    vec![
        ("air_rt_alloc", alloc_checked as *const () as usize),
        ("air_free", air_rt::air_free as *const () as usize),
        ("air_llvm_fail", air_llvm_fail as *const () as usize),
        (
            "air_rt_parallel_for",
            parallel_for_counted as *const () as usize,
        ),
        ("air_rt_matmul", air_rt::air_rt_matmul as *const () as usize),
        ("air_rt_einsum", air_rt::air_rt_einsum as *const () as usize),
        ("air_rt_sort", air_rt::air_rt_sort as *const () as usize),
        ("air_rt_cumsum", air_rt::air_rt_cumsum as *const () as usize),
        (
            "air_rt_cumprod",
            air_rt::air_rt_cumprod as *const () as usize,
        ),
        ("air_rt_argmax", air_rt::air_rt_argmax as *const () as usize),
        ("air_rt_argmin", air_rt::air_rt_argmin as *const () as usize),
        ("air_rt_filter", air_rt::air_rt_filter as *const () as usize),
        ("air_rt_concat", air_rt::air_rt_concat as *const () as usize),
        ("air_rt_take", air_rt::air_rt_take as *const () as usize),
        (
            "air_rt_c64_unary",
            air_rt::cmath::air_rt_c64_unary as *const () as usize,
        ),
        (
            "air_rt_c128_unary",
            air_rt::cmath::air_rt_c128_unary as *const () as usize,
        ),
        (
            "air_rt_c64_binary",
            air_rt::cmath::air_rt_c64_binary as *const () as usize,
        ),
        (
            "air_rt_c128_binary",
            air_rt::cmath::air_rt_c128_binary as *const () as usize,
        ),
        (
            "air_rt_scatter",
            air_rt::air_rt_scatter as *const () as usize,
        ),
        ("air_rt_gather", air_rt::air_rt_gather as *const () as usize),
        ("air_rt_unique", air_rt::air_rt_unique as *const () as usize),
    ]
}
