//! `air compile`: a module compiled ahead of time by the LLVM backend into a shared library, an
//! object, assembly or LLVM IR, with an optional C header (cargo feature `llvm`). The model may
//! be in any format `air run` reads (`.srepr` included, its dtypes from `--dtype`).

use std::path::PathBuf;

use clap::Args;

use crate::CmdResult;

/// Arguments of `air compile`.
#[derive(Args)]
pub struct CompileArgs {
    /// The module, in any readable format.
    model: String,
    /// The output file; its extension picks what is written unless --emit says (.so, .o, .ll, .s).
    #[arg(short, long)]
    output: PathBuf,
    /// Also write the C header declaring the compiled functions here.
    #[arg(long)]
    header: Option<PathBuf>,
    /// What to write: so (shared library), obj (object), asm (assembly) or ll (LLVM IR).
    #[arg(long)]
    emit: Option<String>,
    /// Export only this function (repeatable; default: every function).
    #[arg(long)]
    function: Vec<String>,
    /// The symbol prefix: every function @f is exported as PREFIX_f (a name that is not a C
    /// identifier is mangled: @lin.alg -> PREFIX_lin_x2e_alg), with PREFIX_alloc, PREFIX_free and
    /// PREFIX_set_max_memory (a C identifier; default: the output's name before its first `.`,
    /// without a leading `lib`: libmatvec.so -> matvec).
    #[arg(long)]
    prefix: Option<String>,
    /// An AIR runtime library (`libair_rt.a`) to link a shared library with instead of the one
    /// built into air (default: $AIR_RUNTIME_LIB when set).
    #[arg(long)]
    runtime: Option<PathBuf>,
    /// LLVM optimisation level, 0 to 3.
    #[arg(long = "opt-level", short = 'O', default_value_t = 3)]
    opt_level: u8,
    /// Format of the model, overriding its extension.
    #[arg(long)]
    from: Option<String>,
    /// The dtype of a symbol, for formats without dtypes (SymPy), as NAME=DTYPE (repeatable).
    /// Default: the assumptions (`integer=True` gives i64, anything else f64).
    #[arg(long = "dtype", value_name = "NAME=DTYPE")]
    dtypes: Vec<String>,
}

/// The message when the LLVM backend is not compiled in.
pub const NO_LLVM: &str =
    "error: this air was built without the LLVM backend (build with --features llvm)";

/// Runs `air compile`.
#[cfg(not(feature = "llvm"))]
pub fn compile(_args: &CompileArgs) -> CmdResult {
    Err(NO_LLVM.to_string())
}

/// Runs `air compile`.
#[cfg(feature = "llvm")]
pub fn compile(args: &CompileArgs) -> CmdResult {
    use air_llvm::aot::{self, AotError, Emit};

    use crate::input::{
        check_dtypes_apply, load_with, parse_dtypes, parse_format, warn_unmatched_dtypes,
    };

    let kind = emit_kind(args)?;
    let prefix = match &args.prefix {
        Some(p) => aot::check_prefix(p).map(|()| p.clone()),
        None => aot::default_prefix(&args.output),
    }
    .map_err(|e| format!("error: {e}"))?;
    if args.opt_level > 3 {
        return Err(format!(
            "error: --opt-level {} is not 0 to 3",
            args.opt_level
        ));
    }
    let from = args.from.as_deref().map(parse_format).transpose()?;
    let dtypes = parse_dtypes(&args.dtypes)?;
    check_dtypes_apply(&args.model, from, &dtypes)?;
    let hints = air_translate::ImportOptions {
        dtypes: dtypes.clone(),
        ..Default::default()
    };
    let l = load_with(&args.model, from, &hints)?;
    let emit = match kind {
        Kind::LlvmIr => Emit::LlvmIr,
        Kind::Asm => Emit::Asm,
        Kind::Object => Emit::Object,
        Kind::SharedLib => Emit::SharedLib {
            runtime: aot::runtime_lib(args.runtime.as_deref()).map_err(|e| e.to_string())?,
        },
    };
    let functions: Vec<String> = if args.function.is_empty() {
        l.module.functions.iter().map(|f| f.name.clone()).collect()
    } else {
        args.function.clone()
    };
    warn_unmatched_dtypes(&l, &functions, &dtypes);
    let options = air_llvm::Options {
        opt_level: args.opt_level,
        ..air_llvm::Options::default()
    };
    aot::emit_functions(
        &l.module,
        &options,
        &emit,
        &args.output,
        &prefix,
        &functions,
    )
    .map_err(|e| match e {
        AotError::Compile(d) => crate::render::render_all(&d.0, &l),
        other @ (AotError::UnknownFunction(_)
        | AotError::MissingRuntime(_)
        | AotError::Prefix(_)
        | AotError::Write { .. }
        | AotError::Link { .. }) => other.to_string(),
    })?;
    if let Some(h) = &args.header {
        let text = air_llvm::c_header_for(&l.module, &prefix, &functions);
        std::fs::write(h, text).map_err(|e| format!("error: cannot write {}: {e}", h.display()))?;
    }
    Ok(())
}

/// What `air compile` writes.
#[cfg_attr(not(feature = "llvm"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    LlvmIr,
    Asm,
    Object,
    SharedLib,
}

/// The output kind: `--emit`, else the output's extension.
#[cfg_attr(not(feature = "llvm"), allow(dead_code))]
fn emit_kind(args: &CompileArgs) -> Result<Kind, String> {
    let known = "so (shared library), obj (object), asm (assembly), ll (LLVM IR)";
    if let Some(e) = &args.emit {
        return match e.as_str() {
            "so" => Ok(Kind::SharedLib),
            "obj" | "o" => Ok(Kind::Object),
            "asm" | "s" => Ok(Kind::Asm),
            "ll" => Ok(Kind::LlvmIr),
            _ => Err(format!("error: unknown --emit `{e}`; known: {known}")),
        };
    }
    match args.output.extension().and_then(|e| e.to_str()) {
        Some("so") => Ok(Kind::SharedLib),
        Some("o") => Ok(Kind::Object),
        Some("s") => Ok(Kind::Asm),
        Some("ll") => Ok(Kind::LlvmIr),
        _ => Err(format!(
            "error: cannot tell what to write from the extension of `{}` (.so, .o, .s, .ll); \
             pass --emit {known}",
            args.output.display()
        )),
    }
}
