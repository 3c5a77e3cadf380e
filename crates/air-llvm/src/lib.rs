//! AIR's reference LLVM backend: turns every function of a module into fused, vectorised native
//! code with LLVM 19 (through inkwell) and runs it in-process.
//!
//! The pipeline is `docs/llvm-backend.md`'s: [`plan`] groups each region's elementwise nodes (and
//! the reductions that consume them) into single loop nests, shape-only ops become views, and
//! control flow becomes LLVM control flow; `codegen` emits one function per AIR function with the
//! C ABI `int32_t air_<f>(air_tensor *params, air_tensor *results, air_error *err)`, which checks
//! dtypes, ranks and dims on entry (never undefined behaviour on bad shapes); the O3 pipeline
//! vectorises with the host's CPU features and glibc's libmvec; MCJIT makes it callable.
//! [`CompiledModule::call`] is the safe entry point, mirroring `air_interp::run`;
//! [`CompiledModule::entry`] hands out the raw C ABI entry point ([`Entry`]) for callers that
//! build descriptors over their own memory (skair, over NumPy arrays). Ahead of time,
//! [`aot::emit`] writes the same code as LLVM IR, assembly, an object or a shared library (every
//! symbol under the library's prefix, [`exports`]; the runtime, built into this crate by
//! `build.rs`, linked in and hidden), and [`c_header`] its C header.
//!
//! Code generation is behind the cargo feature `llvm` (on by default for this crate, which is not a
//! default member of the workspace). Without it, [`compile`] reports `E0505`.
//!
//! Decisions on the C ABI that `docs/llvm-backend.md` leaves open:
//! - strides must be multiples of the element size (E0501 otherwise); extents must be >= 0;
//! - every descriptor's `shape` and `strides` arrays must exist (with any values) even when its
//!   `data` is NULL;
//! - an `out` parameter with NULL `data` is allocated by the callee like a result (C-contiguous,
//!   `air_rt_alloc`; the caller frees it with [`air_free`]), or E0501 when its extents depend on
//!   symbols no input binds, as the interpreter does;
//! - result buffers given by the caller must not overlap the inputs (groups write them directly);
//!   `inout` parameters may: their new value is computed aside and copied in at the end;
//! - on failure nothing is handed out: buffers the callee allocated are freed and NULL again.
//!
//! Semantics: reductions fold in an unspecified order (float sums, products and means with
//! several partial sums; `f32` ones accumulate in `f64`); the sign of a zero `reduce_max`/
//! `reduce_min` is unspecified (`llvm.maximum`/`llvm.minimum`). Everything else is bit-exact with
//! the interpreter except the transcendental functions (glibc's libm and libmvec).

mod check;
pub mod exports;
mod header;
mod options;
pub mod plan;

#[cfg(feature = "llvm")]
pub mod aot;
#[cfg(feature = "llvm")]
mod call;
#[cfg(feature = "llvm")]
mod codegen;
#[cfg(feature = "llvm")]
mod jit;
#[cfg(feature = "llvm")]
mod link;
#[cfg(feature = "llvm")]
mod raw;
#[cfg(feature = "llvm")]
mod rt;
mod split;

pub use check::{check_supported, RUNTIME_OPS};
pub use header::{c_header, c_header_for};
pub use options::Options;

/// Releases a buffer compiled code handed out (`air-rt`'s allocator).
pub use air_rt::air_free;
#[cfg(feature = "llvm")]
pub use aot::{emit, emit_functions, runtime_lib, AotError, Emit, Runtime};
#[cfg(feature = "llvm")]
pub use jit::{compile, compile_cached, CompileTimes, CompiledModule};
#[cfg(feature = "llvm")]
pub use raw::Entry;

/// Without the `llvm` feature there is no code generator: every compile fails with `E0505`.
#[cfg(not(feature = "llvm"))]
pub fn compile(_module: &air_ir::Module, _options: &Options) -> Result<(), air_ir::Diagnostics> {
    Err(air_ir::Diagnostic::new(
        air_ir::Code::Unsupported,
        "air-llvm was built without its `llvm` feature: no code generator",
    )
    .into())
}
