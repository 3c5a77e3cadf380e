//! `air run`: binds `.npz` inputs to a function's params by name, runs it, writes the results.

use std::path::PathBuf;

use clap::Args;

use crate::input::{load_with, parse_format};
use crate::CmdResult;

/// Arguments of `air run`.
#[derive(Args)]
pub struct RunArgs {
    /// The module, in any readable format.
    model: String,
    /// Inputs, one array per parameter, named by parameter (record arrays split into `t__field`).
    #[arg(long)]
    inputs: PathBuf,
    /// Where to write the results (`result0`... when unnamed), in signature order.
    #[arg(long)]
    outputs: PathBuf,
    /// The function to run (default: `main`, else the first).
    #[arg(long)]
    function: Option<String>,
    /// The backend: `interp` (the reference interpreter).
    #[arg(long, default_value = "interp")]
    backend: String,
    /// Format of the model, overriding its extension.
    #[arg(long)]
    from: Option<String>,
}

/// Runs `air run`.
pub fn run(args: &RunArgs) -> CmdResult {
    if args.backend != "interp" {
        return Err(format!(
            "error: backend `{}` is not available in this build; available: interp",
            args.backend
        ));
    }
    let from = args.from.as_deref().map(parse_format).transpose()?;
    let inputs = air_interp::npz::read_npz(&args.inputs)
        .map_err(|e| format!("error: cannot read {}: {e}", args.inputs.display()))?;
    // A format without dtypes (SymPy) is specialised to the dtypes of the arrays passed.
    let hints = air_translate::ImportOptions {
        dtypes: inputs.iter().map(|(n, t)| (n.clone(), t.dtype())).collect(),
        ..Default::default()
    };
    let l = load_with(&args.model, from, &hints)?;
    let function = match &args.function {
        Some(f) => f.clone(),
        None => air_conformance::target::entry_function(&l.module)
            .ok_or("error: the module has no function")?
            .to_string(),
    };
    let outputs = air_interp::run(&l.module, &function, &inputs)
        .map_err(|e| format!("error: @{function}: {e}"))?;
    air_interp::npz::write_npz(&args.outputs, &outputs)
        .map_err(|e| format!("error: cannot write {}: {e}", args.outputs.display()))?;
    for (name, t) in &outputs {
        eprintln!("{name}: {} {:?}", t.dtype(), t.shape());
    }
    Ok(())
}
