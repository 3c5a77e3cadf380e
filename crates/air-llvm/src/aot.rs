//! Ahead-of-time compilation: a module written as LLVM IR (`.ll`), assembly (`.s`), a
//! position-independent object (`.o`) or a shared library (`.so`) linked with `air-rt`, for the
//! host CPU (its name and features, as the JIT: like `-march=native`).
//!
//! The code is the JIT's (same generator, same pipeline) with these differences: the error
//! reporter `air_llvm_fail` is linked in as LLVM IR (`aot_fail.ll`) instead of mapped to Rust;
//! every entry point `air_<f>` is renamed `<prefix>_<f>` and `<prefix>_alloc`/`<prefix>_free`
//! are defined over the runtime's allocator ([`crate::exports`]); every other definition is made
//! internal, so objects and libraries of several modules link together. A shared library
//! exports exactly those symbols (a version script hides the runtime linked into it, Rust's std
//! included); its other needs are `libm`, `libmvec` (when vector math is used), `libpthread`,
//! `libdl` and `libc`. The runtime is `air-rt` built for release and carried inside this crate
//! ([`EMBEDDED_RUNTIME`], made by `build.rs`), so no build tree is needed at run time.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use air_ir::{Code, Diagnostic, Diagnostics, Module};
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::Linkage;
use inkwell::targets::{CodeModel, FileType, RelocMode, TargetMachine};

use crate::codegen::ModGen;
use crate::exports;
use crate::jit::{generate, optimize, prepare, target_machine};
use crate::link::{link_shared, TempDir};
use crate::options::Options;

pub use crate::exports::{check_prefix, default_prefix};

/// The environment variable naming a runtime library to link instead of the embedded one.
pub const RUNTIME_ENV: &str = "AIR_RUNTIME_LIB";

/// `air-rt` (release) as one relocatable object: only the `air_*` entry points global, no debug
/// info. Linked into every shared library unless another runtime is named.
pub const EMBEDDED_RUNTIME: &[u8] = include_bytes!(env!("AIR_RT_OBJECT"));

/// `air_llvm_fail` in LLVM IR, linked into every module written ahead of time.
const FAIL_IR: &str = include_str!("aot_fail.ll");

/// What [`emit`] writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Emit {
    /// Optimised LLVM IR text (`.ll`).
    LlvmIr,
    /// Assembly for the host (`.s`).
    Asm,
    /// A position-independent ELF object (`.o`); link it with `libair_rt.a`.
    Object,
    /// A shared library (`.so`), linked by `cc -shared` with `air-rt`.
    SharedLib {
        /// The runtime linked in (see [`runtime_lib`]).
        runtime: Runtime,
    },
}

/// The `air-rt` linked into a shared library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// [`EMBEDDED_RUNTIME`], carried by this crate.
    Embedded,
    /// A static library or object built from `air-rt` (`libair_rt.a`).
    File(PathBuf),
}

/// Why ahead-of-time compilation failed.
#[derive(Debug, thiserror::Error)]
pub enum AotError {
    /// The module is invalid, or uses what the backend does not generate.
    #[error("{0}")]
    Compile(Diagnostics),
    /// A function asked for is not in the module.
    #[error("error[{code}]: no function @{0} in the module", code = Code::UnknownFunction)]
    UnknownFunction(String),
    /// The runtime library named by `--runtime` or `$AIR_RUNTIME_LIB` does not exist.
    #[error(
        "error: the AIR runtime library {} does not exist (leave out --runtime and \
         ${RUNTIME_ENV} to link the runtime built into air)",
        .0.display()
    )]
    MissingRuntime(PathBuf),
    /// The symbol prefix is not usable (see [`crate::exports`]).
    #[error("error: {0}")]
    Prefix(String),
    /// Writing an output (or a temporary file) failed.
    #[error("error: cannot write {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The linker failed (or could not be started).
    #[error("error: linking {} failed: {message}", path.display())]
    Link {
        /// The shared library being linked.
        path: PathBuf,
        /// The linker's diagnostics.
        message: String,
    },
}

impl From<Diagnostics> for AotError {
    fn from(d: Diagnostics) -> AotError {
        AotError::Compile(d)
    }
}

/// The runtime to link: `explicit` when given, else `$AIR_RUNTIME_LIB` when set, else the
/// embedded one. An error when a named file does not exist.
pub fn runtime_lib(explicit: Option<&Path>) -> Result<Runtime, AotError> {
    let path = match (explicit, std::env::var_os(RUNTIME_ENV)) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) if !p.is_empty() => PathBuf::from(p),
        _ => return Ok(Runtime::Embedded),
    };
    if path.is_file() {
        Ok(Runtime::File(path))
    } else {
        Err(AotError::MissingRuntime(path))
    }
}

/// Compiles every function of `module` and writes `out` in the form `emit` asks for; every
/// function `@f` is exported as `<prefix>_f`.
pub fn emit(
    module: &Module,
    options: &Options,
    emit: &Emit,
    out: &Path,
    prefix: &str,
) -> Result<(), AotError> {
    let all: Vec<String> = module.functions.iter().map(|f| f.name.clone()).collect();
    emit_functions(module, options, emit, out, prefix, &all)
}

/// [`emit`], exporting only the entry points of `functions` (the others are still compiled when
/// those call them, as internal functions).
pub fn emit_functions(
    module: &Module,
    options: &Options,
    emit: &Emit,
    out: &Path,
    prefix: &str,
    functions: &[String],
) -> Result<(), AotError> {
    if let Some(f) = functions.iter().find(|f| module.function(f).is_none()) {
        return Err(AotError::UnknownFunction(f.clone()));
    }
    if let Emit::SharedLib {
        runtime: Runtime::File(path),
    } = emit
    {
        if !path.is_file() {
            return Err(AotError::MissingRuntime(path.clone()));
        }
    }
    check_prefix(prefix).map_err(AotError::Prefix)?;
    let exports = exports::exported_symbols(prefix, functions).map_err(AotError::Prefix)?;
    prepare(module)?;
    let ctx = Context::create();
    let tm = target_machine(options, RelocMode::PIC, CodeModel::Default)?;
    let m = generate(&ctx, module, &tm, options)?;
    for f in functions {
        if let Some(entry) = m.get_function(&ModGen::symbol(f)) {
            entry
                .as_global_value()
                .set_name(&exports::function_symbol(prefix, f));
        }
    }
    link_ir(&ctx, &m, &tm, FAIL_IR, "aot_fail.ll")?;
    link_ir(&ctx, &m, &tm, &exports::memory_ir(prefix), "memory.ll")?;
    internalize(&m, &exports);
    optimize(&m, &tm, options)?;
    drop_unused(&m, &tm)?;
    let write_err = |message: String| AotError::Write {
        path: out.to_path_buf(),
        message,
    };
    // Into memory, then written by Rust: LLVM's own file streams abort the process on a write
    // error (a full disk) instead of returning one.
    let bytes = match emit {
        Emit::LlvmIr => m.print_to_string().to_bytes().to_vec(),
        Emit::Asm => tm
            .write_to_memory_buffer(&m, FileType::Assembly)
            .map_err(|e| write_err(e.to_string()))?
            .as_slice()
            .to_vec(),
        Emit::Object => tm
            .write_to_memory_buffer(&m, FileType::Object)
            .map_err(|e| write_err(e.to_string()))?
            .as_slice()
            .to_vec(),
        Emit::SharedLib { runtime } => {
            return write_shared(&m, &tm, runtime, &exports, out);
        }
    };
    std::fs::write(out, bytes).map_err(|e| write_err(e.to_string()))
}

/// Writes `m` as an object into a temporary directory and links it with `runtime` into the
/// shared library `out`, exporting `exports`.
fn write_shared(
    m: &inkwell::module::Module<'_>,
    tm: &TargetMachine,
    runtime: &Runtime,
    exports: &[String],
    out: &Path,
) -> Result<(), AotError> {
    let uses_mvec = m
        .get_functions()
        .any(|f| f.count_basic_blocks() == 0 && f.get_name().to_bytes().starts_with(b"_ZGV"));
    let tmp = TempDir::new(out)?;
    let write_err = |path: &Path, e: String| AotError::Write {
        path: path.to_path_buf(),
        message: e,
    };
    let obj = tmp.0.join("module.o");
    tm.write_to_file(m, FileType::Object, &obj)
        .map_err(|e| write_err(out, e.to_string()))?;
    let runtime = match runtime {
        Runtime::File(path) => path.clone(),
        Runtime::Embedded => {
            let path = tmp.0.join("air_rt.o");
            std::fs::write(&path, EMBEDDED_RUNTIME).map_err(|e| write_err(&path, e.to_string()))?;
            path
        }
    };
    link_shared(&obj, &runtime, exports, uses_mvec, &tmp.0, out)
}

/// Links the LLVM IR `text` (named `name` in errors) into `m`.
fn link_ir<'ctx>(
    ctx: &'ctx Context,
    m: &inkwell::module::Module<'ctx>,
    tm: &TargetMachine,
    text: &str,
    name: &str,
) -> Result<(), AotError> {
    let internal =
        |e: String| -> AotError { Diagnostics::from(Diagnostic::new(Code::Internal, e)).into() };
    let buf = MemoryBuffer::create_from_memory_range_copy(text.as_bytes(), name);
    let extra = ctx
        .create_module_from_ir(buf)
        .map_err(|e| internal(format!("{name} does not parse: {e}")))?;
    extra.set_triple(&tm.get_triple());
    extra.set_data_layout(&tm.get_target_data().get_data_layout());
    m.link_in_module(extra)
        .map_err(|e| internal(format!("cannot link {name}: {e}")))
}

/// Gives every function and global defined in `m` internal linkage, except the entry points in
/// `exports`: they alone are visible to the linker.
fn internalize(m: &inkwell::module::Module<'_>, exports: &[String]) {
    let keep: HashSet<&[u8]> = exports.iter().map(|s| s.as_bytes()).collect();
    for f in m.get_functions() {
        if f.count_basic_blocks() > 0 && !keep.contains(f.get_name().to_bytes()) {
            f.set_linkage(Linkage::Internal);
        }
    }
    for g in m.get_globals() {
        let defined = g.get_initializer().is_some();
        if defined && g.get_linkage() == Linkage::External {
            g.set_linkage(Linkage::Internal);
        }
    }
}

/// Removes the internal functions and globals nothing exported reaches (the kernel pipeline of
/// `jit::pipeline` runs no interprocedural passes, so functions left out of `--function` would stay).
fn drop_unused(m: &inkwell::module::Module<'_>, tm: &TargetMachine) -> Result<(), AotError> {
    m.run_passes(
        "globaldce",
        tm,
        inkwell::passes::PassBuilderOptions::create(),
    )
    .map_err(|e| {
        AotError::Compile(Diagnostic::new(Code::Internal, format!("globaldce failed: {e}")).into())
    })
}
