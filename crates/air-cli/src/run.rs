//! `air run`: binds `.npz` inputs to a function's params by name, runs it on a backend (the LLVM
//! backend when built with the `llvm` feature, else the interpreter), and writes the results to
//! an `.npz` file, or prints them (name, dtype, shape, values laid out as NumPy prints them).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::input::{
    check_dtypes_apply, load_with, parse_dtypes, parse_format, warn_unmatched_dtypes, Form,
};
use crate::CmdResult;

/// Arguments of `air run`.
#[derive(Args)]
pub struct RunArgs {
    /// The module, in any readable format.
    model: String,
    /// Inputs, one array per parameter, named by parameter (record arrays split into `t__field`).
    #[arg(long)]
    inputs: PathBuf,
    /// Where to write the results (`result0`... when unnamed), in signature order. Without it
    /// they are printed: name, dtype and shape, then the values (summarised beyond 1000 elements).
    #[arg(long)]
    outputs: Option<PathBuf>,
    /// The function to run (default: `main`, else the first).
    #[arg(long)]
    function: Option<String>,
    /// The backend: `llvm` (native code; the default when built with the `llvm` feature) or
    /// `interp` (the reference interpreter; the default otherwise).
    #[arg(long)]
    backend: Option<String>,
    /// Threads of the llvm backend (default: every core); the interpreter uses one.
    #[arg(long)]
    threads: Option<usize>,
    /// The most bytes of tensors the run may hold at once: digits with an optional K, M, G or T
    /// suffix (powers of 1024), e.g. `512M`, or `none` for no budget. Default: the machine's
    /// physical memory. An allocation past it is E0508 (checked before allocating).
    #[arg(long, value_name = "BYTES")]
    max_memory: Option<String>,
    /// The most body iterations one execution of a `while` node may run on the interpreter (the
    /// llvm backend does not count them and refuses the option). Default: no limit. One more
    /// is E0510, naming the node.
    #[arg(long, value_name = "N")]
    max_iterations: Option<u64>,
    /// Format of the model, overriding its extension.
    #[arg(long)]
    from: Option<String>,
    /// The dtype of a symbol, for formats without dtypes (SymPy), as NAME=DTYPE (repeatable);
    /// it wins over the dtype of the array passed. Default: the arrays' dtypes, else the
    /// assumptions (`integer=True` gives i64, anything else f64).
    #[arg(long = "dtype", value_name = "NAME=DTYPE")]
    dtypes: Vec<String>,
    /// The value of a size parameter (op set 2), by the dim symbol it binds, as NAME=VALUE
    /// (repeatable): `--size n=5` passes 5 to the parameter declared `size n`. The inputs file
    /// may give the parameter instead, by its own name; not both.
    #[arg(long = "size", value_name = "NAME=VALUE")]
    sizes: Vec<String>,
}

/// The backend `air run` uses when none is named.
const DEFAULT_BACKEND: &str = if cfg!(feature = "llvm") {
    "llvm"
} else {
    "interp"
};

/// Runs `air run`.
pub fn run(args: &RunArgs) -> CmdResult {
    let backend = args.backend.as_deref().unwrap_or(DEFAULT_BACKEND);
    match backend {
        "interp" | "llvm" => {}
        other => {
            return Err(format!(
                "error: unknown backend `{other}`; known: llvm, interp"
            ))
        }
    }
    if backend == "llvm" && !cfg!(feature = "llvm") {
        return Err(format!(
            "error: backend `llvm` is not available: {}",
            crate::compile::NO_LLVM.trim_start_matches("error: ")
        ));
    }
    check_threads(backend, args.threads)?;
    if args.max_iterations.is_some() && backend != "interp" {
        return Err(format!(
            "error: --max-iterations: the {backend} backend does not count while iterations; \
             use --backend interp"
        ));
    }
    let opts = air_interp::RunOptions {
        max_memory: parse_max_memory(args.max_memory.as_deref())?,
        max_while_iterations: args.max_iterations,
    };
    let from = args.from.as_deref().map(parse_format).transpose()?;
    let dtypes = parse_dtypes(&args.dtypes)?;
    check_dtypes_apply(&args.model, from, &dtypes)?;
    // A format without dtypes (SymPy) is specialised to the dtypes of the arrays passed, except
    // where --dtype says otherwise: its inputs are read (all of them) before the model. Other
    // models are read first, and only the arrays their function binds are decoded.
    let untyped = matches!(
        from.or_else(|| Form::of_path(&args.model)),
        Some(Form::Foreign(t)) if !t.carries_dtypes
    );
    let early = if untyped {
        Some(read_inputs(&args.inputs, None)?)
    } else {
        None
    };
    let arrays: Vec<_> = early
        .iter()
        .flatten()
        .map(|(n, t)| (n.clone(), t.dtype()))
        .collect();
    let hints = air_translate::ImportOptions {
        dtypes: dtypes.clone(),
        ..Default::default()
    }
    .specialised(&arrays);
    let l = load_with(&args.model, from, &hints)?;
    let function = match &args.function {
        Some(f) => f.clone(),
        None => air_ir::entry_function(&l.module)
            .map_err(|e| format!("error: {e} (pass --function NAME)"))?
            .to_string(),
    };
    warn_unmatched_dtypes(&l, std::slice::from_ref(&function), &dtypes);
    let mut inputs = match early {
        Some(inputs) => inputs,
        None => bound_inputs(&args.inputs, &l.module, &function)?,
    };
    add_sizes(&args.sizes, &l.module, &function, &mut inputs)?;
    let outputs = if backend == "llvm" {
        run_llvm(&l, &function, &inputs, args.threads, &opts)?
    } else {
        air_interp::run_with(&l.module, &function, &inputs, &opts)
            .map_err(|e| format!("error: @{function}: {e}"))?
    };
    let Some(path) = &args.outputs else {
        let text: String = outputs
            .iter()
            .map(|(n, t)| crate::show::show(n, t))
            .collect();
        return crate::out::write(&text);
    };
    air_interp::npz::write_npz(path, &outputs)
        .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
    for (name, t) in &outputs {
        crate::out::eprint(&format!("{name}: {} {:?}", t.dtype(), t.shape()));
    }
    Ok(())
}

/// Adds the `--size NAME=VALUE` values as inputs of the size parameters that bind `NAME`: a
/// rank-0 array of the parameter's dtype (a value that does not fit it is an error).
fn add_sizes(
    specs: &[String],
    module: &air_ir::Module,
    function: &str,
    inputs: &mut Vec<(String, air_interp::Tensor)>,
) -> Result<(), String> {
    for spec in specs {
        let (name, value) = spec
            .split_once('=')
            .ok_or_else(|| format!("error: --size `{spec}` is not NAME=VALUE"))?;
        let (name, value) = (name.trim(), value.trim());
        let v: i64 = value
            .parse()
            .map_err(|_| format!("error: --size {name}: `{value}` is not an integer"))?;
        let f = module
            .function(function)
            .ok_or_else(|| format!("error: no function @{function}"))?;
        let p = f
            .params
            .iter()
            .find(|p| p.size.as_deref() == Some(name))
            .ok_or_else(|| {
                format!("error: --size {name}: no size parameter of @{function} binds `{name}`")
            })?;
        if inputs.iter().any(|(n, _)| *n == p.name) {
            return Err(format!(
                "error: --size {name}: %{} is also given by the inputs file",
                p.name
            ));
        }
        let d = p.ty.dtype;
        if !d.is_int() || p.ty.rank() != 0 {
            return Err(format!(
                "error: --size {name}: %{}: {} is not an integer scalar",
                p.name, p.ty
            ));
        }
        let bits = 8 * d.size_bytes() as u32;
        let (lo, hi): (i128, i128) = if d.is_signed_int() {
            (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
        } else {
            (0, (1i128 << bits) - 1)
        };
        if i128::from(v) < lo || i128::from(v) > hi {
            return Err(format!(
                "error: --size {name}: {v} does not fit %{}: {}",
                p.name, p.ty
            ));
        }
        let bytes = &i128::from(v).to_le_bytes()[..d.size_bytes()];
        let t = air_interp::Tensor::try_from_le_bytes(d, &[], bytes)
            .map_err(|e| format!("error: --size {name}: {e}"))?;
        inputs.push((p.name.clone(), t));
    }
    Ok(())
}

/// Reads the `.npz` inputs: all arrays, or only those `names` holds.
fn read_inputs(
    path: &Path,
    names: Option<&HashSet<String>>,
) -> Result<Vec<(String, air_interp::Tensor)>, String> {
    let options = air_interp::npz::NpzOptions {
        names,
        ..Default::default()
    };
    air_interp::npz::read_npz_with(path, &options)
        .map_err(|e| format!("error[{}]: cannot read {}: {e}", e.code(), path.display()))
}

/// Decodes only the arrays bound to `function`'s parameters; an array that is none of them is
/// the error binding reports (E0501), found from the archive's directory without decoding.
fn bound_inputs(
    path: &Path,
    module: &air_ir::Module,
    function: &str,
) -> Result<Vec<(String, air_interp::Tensor)>, String> {
    let params: HashSet<String> = module
        .functions
        .iter()
        .filter(|f| f.name == function)
        .flat_map(|f| f.params.iter().map(|p| p.name.clone()))
        .collect();
    let extra = air_interp::npz::unwanted_members(path, &params)
        .map_err(|e| format!("error[{}]: cannot read {}: {e}", e.code(), path.display()))?;
    if let Some(first) = extra.first() {
        let more = match extra.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        return Err(format!(
            "error[{}]: @{function}: input {} is not a parameter of @{function}{more}",
            air_ir::Code::BadInput,
            air_ir::diag::excerpt(first)
        ));
    }
    read_inputs(path, Some(&params))
}

/// `--max-memory`: a byte count, `none`, or (not given) the machine's physical memory (no
/// budget where that cannot be read).
fn parse_max_memory(text: Option<&str>) -> Result<Option<u64>, String> {
    match text {
        None => Ok(air_interp::memory::physical_memory()),
        Some("none") => Ok(None),
        Some(t) => air_interp::memory::parse_bytes(t)
            .map(Some)
            .map_err(|e| format!("error: --max-memory: {e}")),
    }
}

/// `--threads`: at least 1; the interpreter runs on one thread, the llvm backend on up to N.
fn check_threads(backend: &str, threads: Option<usize>) -> CmdResult {
    match threads {
        None | Some(1) => Ok(()),
        Some(0) => Err("error: --threads must be at least 1".to_string()),
        Some(n) if backend == "interp" => Err(format!(
            "error: --threads {n}: the interpreter runs on one thread"
        )),
        Some(_) => Ok(()),
    }
}

/// Compiles the module with the LLVM backend and runs `function` (compile problems rendered
/// against the source, as `air check` does).
#[cfg(feature = "llvm")]
fn run_llvm(
    l: &crate::input::Loaded,
    function: &str,
    inputs: &[(String, air_interp::Tensor)],
    threads: Option<usize>,
    opts: &air_interp::RunOptions,
) -> Result<Vec<(String, air_interp::Tensor)>, String> {
    let options = air_llvm::Options {
        // No --threads: every core (the option's default, 0).
        threads: threads.unwrap_or(0),
        ..air_llvm::Options::default()
    };
    let compiled =
        air_llvm::compile(&l.module, &options).map_err(|d| crate::render::render_all(&d.0, l))?;
    compiled
        .call_with(function, inputs, opts)
        .map_err(|e| format!("error: @{function}: {e}"))
}

#[cfg(not(feature = "llvm"))]
fn run_llvm(
    _l: &crate::input::Loaded,
    _function: &str,
    _inputs: &[(String, air_interp::Tensor)],
    _threads: Option<usize>,
    _opts: &air_interp::RunOptions,
) -> Result<Vec<(String, air_interp::Tensor)>, String> {
    Err(crate::compile::NO_LLVM.to_string())
}
