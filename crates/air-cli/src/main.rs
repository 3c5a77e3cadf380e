//! The `air` command line: check, print and convert AIR modules in any of their serial forms.
//!
//! Formats are picked from file extensions (`.air`, `.airpb`, `.air.json`, and the translators'
//! formats such as `.srepr`); `--from`/`--to`
//! override them, and `-` reads standard input or writes standard output. Problems are rendered like
//! a compiler's (code, message, location, the offending line); the exit code is 1 when any input is
//! unreadable or invalid.

mod compile;
mod conformance;
mod input;
mod out;
mod render;
mod run;
mod show;

use std::fmt::Write as _;
use std::process::ExitCode;

use air_ir::serial::Format;
use clap::{Parser, Subcommand};

use crate::input::{load, parse_format, Loaded};

/// AIR: one array IR for PyTensor, SymPy, Numba and Blaze.
#[derive(Parser)]
#[command(name = "air", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and validate modules; report every problem with its location.
    Check {
        /// Files to check (`-` for standard input).
        #[arg(required = true)]
        files: Vec<String>,
        /// Format of the inputs, overriding their extensions (air, airpb, json).
        #[arg(long)]
        from: Option<String>,
    },
    /// Print a module in the text form.
    Print {
        /// The module (`-` for standard input).
        file: String,
        /// Format of the input, overriding its extension.
        #[arg(long)]
        from: Option<String>,
    },
    /// Convert a module between serial forms (formats from the extensions).
    Convert {
        /// The input module (`-` for standard input).
        input: String,
        /// The output file (`-` for standard output).
        output: String,
        /// Format of the input, overriding its extension.
        #[arg(long)]
        from: Option<String>,
        /// Format of the output, overriding its extension.
        #[arg(long)]
        to: Option<String>,
        /// Convert even when the module does not validate.
        #[arg(long)]
        no_check: bool,
    },
    /// Run a function of a module on inputs from an `.npz` file.
    Run(run::RunArgs),
    /// Compile a module ahead of time (LLVM backend): a shared library, object, assembly or IR.
    Compile(compile::CompileArgs),
    /// Run the conformance suite on one or more targets.
    Conformance(conformance::ConformanceArgs),
    /// List the serial forms, the op set and the error codes.
    Info,
}

fn main() -> ExitCode {
    // Not `Cli::parse`: clap prints help to stdout ignoring write errors (`air --help >
    // /dev/full` would succeed), so help goes through `out` like all other output.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    let result = match cli.command {
        Command::Check { files, from } => check(&files, from.as_deref()),
        Command::Print { file, from } => print(&file, from.as_deref()),
        Command::Convert {
            input,
            output,
            from,
            to,
            no_check,
        } => convert(&input, &output, from.as_deref(), to.as_deref(), no_check),
        Command::Run(args) => run::run(&args),
        Command::Compile(args) => compile::compile(&args),
        Command::Conformance(args) => conformance::conformance(&args),
        Command::Info => out::write(&info()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            if !message.is_empty() {
                out::eprint(&message);
            }
            ExitCode::from(1)
        }
    }
}

/// Help and version text on stdout (exit 0, or 1 when it cannot be written); usage errors on
/// stderr with clap's exit status (2).
fn clap_exit(e: &clap::Error) -> ExitCode {
    let text = e.render().to_string();
    if e.use_stderr() {
        out::eprint(text.trim_end_matches('\n'));
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
    }
    match out::write(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            out::eprint(&message);
            ExitCode::from(1)
        }
    }
}

/// A command's failure: the text to print on stderr (already rendered).
type CmdResult = Result<(), String>;

fn check(files: &[String], from: Option<&str>) -> CmdResult {
    let from = from.map(parse_format).transpose()?;
    let mut failed = 0usize;
    for file in files {
        match load(file, from).and_then(|l| validate(&l).map(|()| l)) {
            Ok(l) => {
                let funcs = l.module.functions.len();
                out::write(&format!(
                    "{}: ok ({funcs} function{})\n",
                    l.name,
                    plural(funcs)
                ))?;
            }
            Err(report) => {
                failed += 1;
                out::eprint(&report);
            }
        }
    }
    if failed == 0 {
        Ok(())
    } else {
        Err(format!(
            "{failed} of {} file{} invalid",
            files.len(),
            plural(files.len())
        ))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Validates a loaded module, rendering every problem against its source.
fn validate(l: &Loaded) -> Result<(), String> {
    match air_ir::validate::validate(&l.module) {
        Ok(_) => Ok(()),
        Err(diags) => Err(render::render_all(&diags.0, l)),
    }
}

fn print(file: &str, from: Option<&str>) -> CmdResult {
    let from = from.map(parse_format).transpose()?;
    let l = load(file, from)?;
    out::write(&air_ir::text::print(&l.module))
}

fn convert(
    input: &str,
    output: &str,
    from: Option<&str>,
    to: Option<&str>,
    no_check: bool,
) -> CmdResult {
    let from = from.map(parse_format).transpose()?;
    let to = match to {
        Some(t) => parse_format(t)?,
        None if output == "-" => input::Form::Serial(Format::Text),
        None => input::Form::of_path(output).ok_or_else(|| input::unknown_extension(output))?,
    };
    let l = load(input, from)?;
    if !no_check {
        validate(&l)?;
    }
    let bytes = input::write(&l.module, to, output)?;
    if output == "-" {
        out::write_bytes(&bytes)
    } else {
        std::fs::write(output, &bytes).map_err(|e| format!("error: cannot write {output}: {e}"))
    }
}

/// What `air info` prints: versions, formats, the op set and the error codes.
fn info() -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "AIR {} (IR version {}, op set {})",
        env!("CARGO_PKG_VERSION"),
        air_ir::module::IR_VERSION,
        air_ir::module::OPSET_VERSION
    );
    let _ = writeln!(s, "\nformats:");
    for f in Format::ALL {
        let _ = writeln!(s, "  {:<10} {}", f.name(), f.extensions().join(", "));
    }
    for t in air_translate::all() {
        let _ = writeln!(
            s,
            "  {:<10} {} (translator)",
            t.name,
            t.extensions.join(", ")
        );
    }
    let ops = air_ir::op::all_op_names();
    let _ = writeln!(s, "\nop set v1 ({} ops):", ops.len());
    for chunk in ops.chunks(10) {
        let _ = writeln!(s, "  {}", chunk.join(" "));
    }
    let _ = writeln!(s, "\nerror codes (docs/spec.md section 5):");
    for c in air_ir::Code::ALL {
        let _ = writeln!(s, "  {c}  {}", c.title());
    }
    s
}
