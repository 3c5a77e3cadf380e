//! Compiling a module into callable native code: validation and support checks, IR generation,
//! the O3 pipeline with the host's CPU features and libmvec, MCJIT; and a process-wide cache of
//! compiled modules keyed by a hash of the module's protobuf bytes.
#![allow(unsafe_code)] // the JIT's function pointers and the context's lifetime

use std::collections::HashMap;
use std::ffi::CString;
use std::hash::{Hash, Hasher};
use std::mem::ManuallyDrop;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use air_ir::{Code, Diagnostic, Diagnostics, Module};
use air_rt::abi::{AirError, AirTensor};
use inkwell::context::Context;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine};
use inkwell::OptimizationLevel;

use crate::codegen::{generate_module, ModGen};
use crate::options::Options;

/// The C ABI entry point of a compiled AIR function.
pub(crate) type EntryFn =
    unsafe extern "C" fn(*mut AirTensor, *mut AirTensor, *mut AirError) -> i32;

/// How long each stage of a compilation took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompileTimes {
    /// Validation, support checks and LLVM IR generation.
    pub codegen: Duration,
    /// The LLVM optimisation pipeline.
    pub optimize: Duration,
    /// Machine code generation (MCJIT) and symbol resolution.
    pub jit: Duration,
}

impl CompileTimes {
    /// Module to callable, in all.
    pub fn total(&self) -> Duration {
        self.codegen + self.optimize + self.jit
    }
}

/// A module compiled to native code: one callable per AIR function.
pub struct CompiledModule {
    pub(crate) module: Module,
    pub(crate) entries: HashMap<String, EntryFn>,
    times: CompileTimes,
    ir: Option<String>,
    engine: ManuallyDrop<ExecutionEngine<'static>>,
    context: *mut Context,
}

// SAFETY: after construction the engine and its context are never used again except to be
// dropped (both exclusively owned here); calls only use the finished machine code, which is
// immutable and reentrant (every call works on its own arguments and stack).
unsafe impl Send for CompiledModule {}
unsafe impl Sync for CompiledModule {}

impl Drop for CompiledModule {
    fn drop(&mut self) {
        // SAFETY: the engine (and the LLVM module it owns) goes before the context it lives in;
        // the context came from `Box::into_raw` in `compile` and is released once.
        unsafe {
            ManuallyDrop::drop(&mut self.engine);
            drop(Box::from_raw(self.context));
        }
    }
}

impl CompiledModule {
    /// How long compilation took, by stage.
    pub fn compile_times(&self) -> CompileTimes {
        self.times
    }

    /// The optimised LLVM IR, when compiled with [`Options::keep_ir`].
    pub fn ir(&self) -> Option<&str> {
        self.ir.as_deref()
    }

    /// The module that was compiled.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// How many loop nests compiled code called from the current thread has split across
    /// threads (through `air_rt_parallel_for`) so far, in any module: a diagnostic, and how
    /// tests see that small work stays on the calling thread.
    pub fn parallel_regions() -> u64 {
        crate::rt::parallel_regions()
    }

    /// The address of `air_<function>`, the C ABI entry point of an AIR function.
    pub fn entry_address(&self, function: &str) -> Option<usize> {
        self.entries.get(function).map(|&f| f as usize)
    }
}

/// The host's CPU name and features, read once.
fn host_cpu() -> &'static (String, String) {
    static HOST: OnceLock<(String, String)> = OnceLock::new();
    HOST.get_or_init(|| {
        (
            TargetMachine::get_host_cpu_name().to_string(),
            TargetMachine::get_host_cpu_features().to_string(),
        )
    })
}

/// Process-wide LLVM set-up, once: the native target, MCJIT, and glibc's libmvec as the vector
/// math library (only when it can be loaded, so its symbols resolve). Loop strength reduction is
/// switched off: it took a fifth to a quarter of machine-code generation (softmax rows: 32 ms
/// module -> callable with it, 25 ms without), and changed no contiguous or broadcast kernel
/// (their vector loops use indexed addressing, which x86 encodes directly); strided inner loops
/// working in cache run 10-20% slower without it (multiplications instead of pointer
/// increments), strided loops over DRAM-sized data the same.
fn init_llvm() -> Result<(), String> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| {
        Target::initialize_native(&InitializationConfig::default())?;
        let _ = inkwell::support::load_library_permanently(Path::new("libm.so.6"));
        let mvec = inkwell::support::load_library_permanently(Path::new("libmvec.so.1")).is_ok();
        let mut args = vec![
            CString::new("air").map_err(|e| e.to_string())?,
            CString::new("-disable-lsr").map_err(|e| e.to_string())?,
        ];
        if mvec {
            args.push(CString::new("-vector-library=LIBMVEC-X86").map_err(|e| e.to_string())?);
        }
        let argv: Vec<*const std::ffi::c_char> = args.iter().map(|a| a.as_ptr()).collect();
        // SAFETY: argv points at NUL-terminated strings that outlive the call; this runs once,
        // before any module is optimised.
        unsafe {
            llvm_sys::support::LLVMParseCommandLineOptions(
                argv.len() as i32,
                argv.as_ptr(),
                std::ptr::null(),
            );
        }
        Ok(())
    })
    .clone()
}

/// An E0509 diagnostic: LLVM failed on what the backend generated (a bug).
fn internal(message: String) -> Diagnostics {
    Diagnostic::new(Code::Internal, message).into()
}

/// Validates `module`, checks that the backend supports it and sets LLVM up (once per process).
pub(crate) fn prepare(module: &Module) -> Result<(), Diagnostics> {
    air_ir::validate::validate(module)?;
    crate::check::check_supported(module)?;
    init_llvm().map_err(internal)
}

/// Compiles every function of `module` (after validating it and checking that the backend
/// supports it: every problem is reported at once).
pub fn compile(module: &Module, options: &Options) -> Result<CompiledModule, Diagnostics> {
    let start = Instant::now();
    prepare(module)?;
    let context = Box::into_raw(Box::new(Context::create()));
    // SAFETY: the context lives until `CompiledModule::drop` (or the error path below) frees it,
    // after everything that borrows it.
    let ctx: &'static Context = unsafe { &*context };
    match build(ctx, module, options, start) {
        Ok((engine, entries, times, ir)) => Ok(CompiledModule {
            module: module.clone(),
            entries,
            times,
            ir,
            engine: ManuallyDrop::new(engine),
            context,
        }),
        Err(d) => {
            // SAFETY: `build` dropped everything made in the context before returning.
            unsafe { drop(Box::from_raw(context)) };
            Err(d)
        }
    }
}

type Built = (
    ExecutionEngine<'static>,
    HashMap<String, EntryFn>,
    CompileTimes,
    Option<String>,
);

fn build(
    ctx: &'static Context,
    module: &Module,
    options: &Options,
    start: Instant,
) -> Result<Built, Diagnostics> {
    let tm = target_machine(options, RelocMode::Default, CodeModel::JITDefault)?;
    let m = generate(ctx, module, &tm, options)?;
    let codegen = start.elapsed();
    let t = Instant::now();
    optimize(&m, &tm, options)?;
    let ir = options.keep_ir.then(|| m.print_to_string().to_string());
    let optimize = t.elapsed();
    let level = codegen_level(options);
    let t = Instant::now();
    let engine = m
        .create_jit_execution_engine(level)
        .map_err(|e| internal(format!("cannot create the JIT: {e}")))?;
    for (name, addr) in crate::rt::symbols() {
        if let Some(f) = m.get_function(name) {
            engine.add_global_mapping(&f, addr);
        }
    }
    let mut entries = HashMap::new();
    for f in &module.functions {
        let addr = engine
            .get_function_address(&ModGen::symbol(&f.name))
            .map_err(|e| internal(format!("@{}: no machine code: {e}", f.name)))?;
        // SAFETY: `air_<f>` was generated with exactly this signature.
        let entry: EntryFn = unsafe { std::mem::transmute::<usize, EntryFn>(addr) };
        entries.insert(f.name.clone(), entry);
    }
    let times = CompileTimes {
        codegen,
        optimize,
        jit: t.elapsed(),
    };
    Ok((engine, entries, times, ir))
}

/// The machine code optimisation level for `options`: O2 at most, since the IR is already
/// optimised at `opt_level` and the backend's O3 adds compile time for no measured speed.
fn codegen_level(options: &Options) -> OptimizationLevel {
    match options.opt_level {
        0 => OptimizationLevel::None,
        1 => OptimizationLevel::Less,
        _ => OptimizationLevel::Default,
    }
}

/// A target machine for the host (its CPU name and features) with the given relocation and code
/// models: `Default`/`JITDefault` for the JIT, `PIC`/`Default` for objects and shared libraries.
pub(crate) fn target_machine(
    options: &Options,
    reloc: RelocMode,
    code_model: CodeModel,
) -> Result<TargetMachine, Diagnostics> {
    let (cpu, features) = host_cpu();
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| internal(e.to_string()))?;
    target
        .create_target_machine(
            &triple,
            cpu,
            features,
            codegen_level(options),
            reloc,
            code_model,
        )
        .ok_or_else(|| internal("no target machine for the host".into()))
}

/// The LLVM IR of every function of `module` (already [`prepare`]d), verified, not yet
/// optimised, for the target of `tm`.
pub(crate) fn generate<'ctx>(
    ctx: &'ctx Context,
    module: &Module,
    tm: &TargetMachine,
    options: &Options,
) -> Result<inkwell::module::Module<'ctx>, Diagnostics> {
    let (cpu, features) = host_cpu();
    let split = crate::split::split_large(module);
    let g = match &split {
        Some((parts, origins)) => {
            ModGen::new(ctx, parts, cpu, features).with_origins(origins.clone())
        }
        None => ModGen::new(ctx, module, cpu, features),
    }
    .with_options(options);
    g.m.set_triple(&tm.get_triple());
    g.m.set_data_layout(&tm.get_target_data().get_data_layout());
    generate_module(&g)?;
    g.m.verify()
        .map_err(|e| internal(format!("generated LLVM IR does not verify: {e}")))?;
    Ok(g.m)
}

/// Runs the [`pipeline`] of `opt_level` with vectorisation, interleaving and unrolling.
pub(crate) fn optimize(
    m: &inkwell::module::Module<'_>,
    tm: &TargetMachine,
    options: &Options,
) -> Result<(), Diagnostics> {
    let opts = PassBuilderOptions::create();
    opts.set_loop_vectorization(true);
    opts.set_loop_slp_vectorization(true);
    opts.set_loop_interleaving(true);
    opts.set_loop_unrolling(true);
    m.run_passes(&pipeline(options.opt_level), tm, opts)
        .map_err(|e| internal(format!("LLVM optimisation failed: {e}")))
}

/// The passes of the kernel pipeline (optimisation level 3): what `default<O3>` does to the loop
/// nests this generator emits (promote slots to registers, simplify, hoist invariants, rotate
/// and canonicalise loops, vectorise with the vector math library, clean up), without its
/// interprocedural and scalar passes, which found nothing to improve in generated code but cost
/// half of the optimisation time.
const KERNEL_PIPELINE: &str = "function(sroa<modify-cfg>,early-cse<memssa>,simplifycfg,\
instcombine<no-verify-fixpoint>,loop-mssa(licm<allowspeculation>),simplifycfg,loop(loop-rotate,indvars),\
inject-tli-mappings,loop-vectorize,instcombine<no-verify-fixpoint>,simplifycfg,loop-mssa(licm))";

/// The LLVM pass pipeline for an optimisation level.
pub(crate) fn pipeline(opt_level: u8) -> String {
    match opt_level {
        0..=2 => format!("default<O{opt_level}>"),
        _ => KERNEL_PIPELINE.to_string(),
    }
}

/// The compiled modules of this process, by hash of their protobuf bytes and options.
type Cache = Vec<(u64, Vec<u8>, Options, Arc<CompiledModule>)>;

/// How many compiled modules the cache keeps (the oldest go first).
const CACHE_SIZE: usize = 256;

/// [`compile`], reusing an earlier compilation of the same module (same protobuf bytes) with the
/// same options.
pub fn compile_cached(
    module: &Module,
    options: &Options,
) -> Result<Arc<CompiledModule>, Diagnostics> {
    static CACHE: Mutex<Cache> = Mutex::new(Vec::new());
    let bytes = air_ir::serial::write(module, air_ir::serial::Format::Protobuf);
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let key = h.finish();
    let lookup = |cache: &Cache| {
        cache
            .iter()
            .find(|(k, b, o, _)| *k == key && *b == bytes && o == options)
            .map(|(_, _, _, m)| Arc::clone(m))
    };
    if let Some(m) = CACHE.lock().ok().as_deref().and_then(lookup) {
        return Ok(m);
    }
    let compiled = Arc::new(compile(module, options)?);
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() >= CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((key, bytes, options.clone(), Arc::clone(&compiled)));
    }
    Ok(compiled)
}
