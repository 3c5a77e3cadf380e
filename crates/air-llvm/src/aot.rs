//! Ahead-of-time compilation: a module written as LLVM IR (`.ll`), assembly (`.s`), a
//! position-independent object (`.o`) or a shared library (`.so`) linked against `air-rt`'s
//! static library, for the host CPU (its name and features, as the JIT: like `-march=native`).
//!
//! The code is the JIT's (same generator, same `default<O3>` pipeline) with two differences: the
//! error reporter `air_llvm_fail` is linked in as LLVM IR (`aot_fail.ll`) instead of mapped to
//! Rust, and every definition except the exported `air_<f>` entry points is made internal, so
//! objects of two modules link together. A shared library exports exactly those entry points plus
//! `air_rt_alloc` and `air_free` (a version script hides the rest of the runtime); its other
//! needs are `libm`, `libmvec` (when vector math is used), `libpthread`, `libdl` and `libc`.
//! `air_rt_alloc` in a shared library is `air-rt`'s own, without the JIT's 64 GiB cap.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use air_ir::{Code, Diagnostic, Diagnostics, Module};
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::Linkage;
use inkwell::targets::{CodeModel, FileType, RelocMode, TargetMachine};

use crate::codegen::ModGen;
use crate::jit::{generate, optimize, prepare, target_machine};
use crate::options::Options;

/// The environment variable naming `libair_rt.a` when `--runtime` is not given.
pub const RUNTIME_ENV: &str = "AIR_RUNTIME_LIB";

/// The file name of `air-rt`'s static library.
pub const RUNTIME_FILE: &str = "libair_rt.a";

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
    /// A shared library (`.so`), linked by `cc -shared` with `air-rt`'s static library.
    SharedLib {
        /// `libair_rt.a` (see [`runtime_lib`]).
        runtime_lib: PathBuf,
    },
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
    /// `libair_rt.a` is not where it was looked for.
    #[error(
        "error: the AIR runtime library was not found at {}: build it with \
         `cargo build -p air-rt` (or `cargo build --workspace`; it lands in target/<profile>/{RUNTIME_FILE} \
         beside `air`), then pass --runtime PATH or set {RUNTIME_ENV}",
        .0.display()
    )]
    MissingRuntime(PathBuf),
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

/// Where `libair_rt.a` is: `explicit` when given, else `$AIR_RUNTIME_LIB`, else beside the
/// running executable (where `cargo build --workspace` leaves it next to `air`). An error when
/// the file is not there, saying how to build it.
pub fn runtime_lib(explicit: Option<&Path>) -> Result<PathBuf, AotError> {
    let path = match (explicit, std::env::var_os(RUNTIME_ENV)) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(p)) if !p.is_empty() => PathBuf::from(p),
        _ => std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|d| d.join(RUNTIME_FILE)))
            .unwrap_or_else(|| PathBuf::from(RUNTIME_FILE)),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(AotError::MissingRuntime(path))
    }
}

/// Compiles every function of `module` and writes `out` in the form `emit` asks for; every
/// `air_<f>` is exported.
pub fn emit(module: &Module, options: &Options, emit: &Emit, out: &Path) -> Result<(), AotError> {
    let all: Vec<String> = module.functions.iter().map(|f| f.name.clone()).collect();
    emit_functions(module, options, emit, out, &all)
}

/// [`emit`], exporting only the entry points of `functions` (the others are still compiled when
/// those call them, as internal functions).
pub fn emit_functions(
    module: &Module,
    options: &Options,
    emit: &Emit,
    out: &Path,
    functions: &[String],
) -> Result<(), AotError> {
    if let Some(f) = functions.iter().find(|f| module.function(f).is_none()) {
        return Err(AotError::UnknownFunction(f.clone()));
    }
    if let Emit::SharedLib { runtime_lib } = emit {
        if !runtime_lib.is_file() {
            return Err(AotError::MissingRuntime(runtime_lib.clone()));
        }
    }
    prepare(module)?;
    let exports: Vec<String> = functions.iter().map(|f| ModGen::symbol(f)).collect();
    let ctx = Context::create();
    let tm = target_machine(options, RelocMode::PIC, CodeModel::Default)?;
    let m = generate(&ctx, module, &tm, options)?;
    link_fail(&ctx, &m, &tm)?;
    internalize(&m, &exports);
    optimize(&m, &tm, options)?;
    drop_unused(&m, &tm)?;
    let write_err = |message: String| AotError::Write {
        path: out.to_path_buf(),
        message,
    };
    match emit {
        Emit::LlvmIr => m.print_to_file(out).map_err(|e| write_err(e.to_string())),
        Emit::Asm => tm
            .write_to_file(&m, FileType::Assembly, out)
            .map_err(|e| write_err(e.to_string())),
        Emit::Object => tm
            .write_to_file(&m, FileType::Object, out)
            .map_err(|e| write_err(e.to_string())),
        Emit::SharedLib { runtime_lib } => {
            let uses_mvec = m.get_functions().any(|f| {
                f.count_basic_blocks() == 0 && f.get_name().to_bytes().starts_with(b"_ZGV")
            });
            let tmp = TempDir::new(out)?;
            let obj = tmp.0.join("module.o");
            tm.write_to_file(&m, FileType::Object, &obj)
                .map_err(|e| write_err(e.to_string()))?;
            link_shared(&obj, runtime_lib, &exports, uses_mvec, &tmp.0, out)
        }
    }
}

/// Links [`FAIL_IR`] into `m`.
fn link_fail<'ctx>(
    ctx: &'ctx Context,
    m: &inkwell::module::Module<'ctx>,
    tm: &TargetMachine,
) -> Result<(), AotError> {
    let internal =
        |e: String| -> AotError { Diagnostics::from(Diagnostic::new(Code::Unsupported, e)).into() };
    let buf = MemoryBuffer::create_from_memory_range_copy(FAIL_IR.as_bytes(), "aot_fail.ll");
    let fail = ctx
        .create_module_from_ir(buf)
        .map_err(|e| internal(format!("aot_fail.ll does not parse: {e}")))?;
    fail.set_triple(&tm.get_triple());
    fail.set_data_layout(&tm.get_target_data().get_data_layout());
    m.link_in_module(fail)
        .map_err(|e| internal(format!("cannot link air_llvm_fail: {e}")))
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

/// `cc -shared` of the object with the runtime, exporting `exports`, `air_rt_alloc` and
/// `air_free` only; unresolved symbols are an error here rather than at load time.
fn link_shared(
    obj: &Path,
    runtime: &Path,
    exports: &[String],
    uses_mvec: bool,
    tmp: &Path,
    out: &Path,
) -> Result<(), AotError> {
    let script = tmp.join("exports.map");
    let mut text = String::from("{\n  global:\n    \"air_rt_alloc\";\n    \"air_free\";\n");
    for e in exports {
        text.push_str(&format!("    \"{e}\";\n"));
    }
    text.push_str("  local: *;\n};\n");
    std::fs::write(&script, text).map_err(|e| AotError::Write {
        path: script.clone(),
        message: e.to_string(),
    })?;
    let soname = out.file_name().unwrap_or(out.as_os_str());
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let mut cmd = Command::new(&cc);
    cmd.arg("-shared")
        .arg("-o")
        .arg(out)
        .arg(obj)
        .arg(runtime)
        .arg(format!("-Wl,--version-script={}", script.display()))
        .arg(format!("-Wl,-soname,{}", soname.to_string_lossy()))
        .args([
            "-Wl,--undefined=air_rt_alloc",
            "-Wl,--undefined=air_free",
            "-Wl,--gc-sections",
            "-Wl,--no-undefined",
            "-Wl,-z,noexecstack",
        ]);
    if uses_mvec {
        cmd.arg("-lmvec");
    }
    cmd.args(["-lm", "-lpthread", "-ldl", "-lgcc_s", "-lc"]);
    let link_err = |message: String| AotError::Link {
        path: out.to_path_buf(),
        message,
    };
    let output = cmd
        .output()
        .map_err(|e| link_err(format!("cannot run `{cc}`: {e}")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(link_err(format!(
            "`{cc}` exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}

/// A fresh directory for intermediate files, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(out: &Path) -> Result<TempDir, AotError> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("air-aot-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| AotError::Write {
            path: out.to_path_buf(),
            message: format!("cannot create {}: {e}", dir.display()),
        })?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
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
        AotError::Compile(
            Diagnostic::new(Code::Unsupported, format!("globaldce failed: {e}")).into(),
        )
    })
}
