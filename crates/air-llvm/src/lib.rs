//! AIR's reference LLVM backend: turns every function of a module into fused, vectorised native
//! code with LLVM 19 (through inkwell) and runs it in-process.
//!
//! The pipeline is `docs/llvm-backend.md`'s: [`plan`] groups each region's elementwise nodes (and
//! the reductions that consume them) into single loop nests, shape-only ops become views, and
//! control flow becomes LLVM control flow; `codegen` emits one function per AIR function with the
//! C ABI `int32_t air_<f>(air_tensor *params, air_tensor *results, air_error *err)`, which checks
//! dtypes, ranks and dims on entry (never undefined behaviour on bad shapes); the O3 pipeline
//! vectorises with the host's CPU features and glibc's libmvec; MCJIT makes it callable.
//! [`CompiledModule::call`] is the safe entry point, mirroring `air_interp::run`.
//!
//! Code generation is behind the cargo feature `llvm` (on by default for this crate, which is not a
//! default member of the workspace). Without it, [`compile`] reports `E0505`.

mod check;
mod options;
pub mod plan;

#[cfg(feature = "llvm")]
mod call;
#[cfg(feature = "llvm")]
mod codegen;
#[cfg(feature = "llvm")]
mod jit;
#[cfg(feature = "llvm")]
mod rt;

pub use check::{check_supported, RUNTIME_OPS};
pub use options::Options;

#[cfg(feature = "llvm")]
pub use jit::{compile, compile_cached, CompileTimes, CompiledModule};

/// Without the `llvm` feature there is no code generator: every compile fails with `E0505`.
#[cfg(not(feature = "llvm"))]
pub fn compile(_module: &air_ir::Module, _options: &Options) -> Result<(), air_ir::Diagnostics> {
    Err(air_ir::Diagnostic::new(
        air_ir::Code::Unsupported,
        "air-llvm was built without its `llvm` feature: no code generator",
    )
    .into())
}
