//! Targets: the things a case is run on. `interp` runs the reference interpreter on the module as
//! read; `text`, `pb` and `json` first send the module through that serial form and back; `cmd:PROG`
//! runs a third-party backend through the documented command interface (`docs/conformance.md`).
//! `llvm` (with the cargo feature `llvm`) compiles the module with the LLVM backend and runs the
//! native code. One target per translator joins the registry in [`registry`]; the peer targets
//! (`peers-<lib>`, [`crate::peer`]) are in [`all`] but not in the default set.

use std::path::Path;
use std::process::Command;

use air_ir::serial::{self, Format};
use air_ir::{entry_function, Code, Diagnostics, Module};
use air_value::Tensor;

use crate::case::{Case, Expect};
use crate::compare::compare;

/// The result of one case on one target.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Computed the expected values, or failed with the expected code.
    Pass,
    /// Anything else, with the reason.
    Fail(String),
    /// Listed in the target's skip file, with the reason written there.
    Skip(String),
    /// The case says nothing about this target (e.g. an unreadable module has no round trip).
    NotApplicable(String),
}

impl Outcome {
    /// A short label for tables.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail(_) => "FAIL",
            Outcome::Skip(_) => "skip",
            Outcome::NotApplicable(_) => "n/a",
        }
    }
}

/// Something cases run on.
pub trait Target {
    /// The name used on the command line and in reports.
    fn name(&self) -> &str;
    /// Runs one case.
    fn run(&self, case: &Case) -> Outcome;
}

/// The targets built into the runner, in report order.
pub fn registry() -> Vec<Box<dyn Target>> {
    let mut targets: Vec<Box<dyn Target>> = vec![
        Box::new(InProcess::Interp),
        Box::new(InProcess::RoundTrip(Format::Text)),
        Box::new(InProcess::RoundTrip(Format::Protobuf)),
        Box::new(InProcess::RoundTrip(Format::Json)),
        #[cfg(feature = "llvm")]
        Box::new(Llvm),
    ];
    targets.extend(crate::translate::targets());
    targets
}

/// The LLVM backend: the module as read, validated, compiled (cached by content) and run natively.
#[cfg(feature = "llvm")]
pub struct Llvm;

#[cfg(feature = "llvm")]
impl Target for Llvm {
    fn name(&self) -> &str {
        "llvm"
    }

    fn run(&self, case: &Case) -> Outcome {
        let text = match case.module_text() {
            Ok(t) => t,
            Err(e) => return Outcome::Fail(format!("cannot read case.air: {e}")),
        };
        let module = match air_ir::text::parse(&text, &case.module_name()) {
            Ok(m) => m,
            Err(diags) => return expect_failure(case, &diags, "reading"),
        };
        if let Err(diags) = air_ir::validate::validate(&module) {
            return expect_failure(case, &diags, "validating");
        }
        if let Expect::Invalid(code) = &case.expect {
            return Outcome::Fail(format!("expected {code}, but the module is valid"));
        }
        let compiled = match air_llvm::compile_cached(&module, &air_llvm::Options::default()) {
            Ok(c) => c,
            Err(diags) => return Outcome::Fail(format!("compiling failed:\n{diags}")),
        };
        let entry = match entry_function(&module) {
            Ok(e) => e,
            Err(e) => return Outcome::Fail(e.to_string()),
        };
        let inputs = match load_arrays(case, "inputs.npz") {
            Ok(a) => a,
            Err(e) => return Outcome::Fail(e),
        };
        match (compiled.call(entry, &inputs), &case.expect) {
            (Err(e), Expect::RunError(code)) => run_error(*code, &e),
            (Ok(_), Expect::RunError(code)) => {
                Outcome::Fail(format!("expected the run to fail with {code}, but it ran"))
            }
            (Ok(outputs), _) => compare_outputs(case, &outputs),
            (Err(e), _) => Outcome::Fail(format!("run failed: {e}")),
        }
    }
}

/// Every target by name: the default [`registry`], then the peer targets (`peers-<lib>`, which
/// need Python and so run only when named or with `--target all`).
pub fn all() -> Vec<Box<dyn Target>> {
    let mut targets = registry();
    targets.extend(crate::peer::targets());
    targets
}

/// Looks up a target by name: one of [`all`], or `cmd:PROGRAM` for an external backend.
pub fn by_name(name: &str) -> Option<Box<dyn Target>> {
    if let Some(program) = name.strip_prefix("cmd:") {
        return Some(Box::new(External {
            name: name.to_string(),
            program: program.to_string(),
        }));
    }
    all().into_iter().find(|t| t.name() == name)
}

/// The in-process targets: the interpreter on the module as read, or after a serial round trip.
pub enum InProcess {
    /// The module as parsed from `case.air`.
    Interp,
    /// The module written in a serial form and read back.
    RoundTrip(Format),
}

impl Target for InProcess {
    fn name(&self) -> &str {
        match self {
            InProcess::Interp => "interp",
            InProcess::RoundTrip(Format::Text) => "text",
            InProcess::RoundTrip(Format::Protobuf) => "pb",
            InProcess::RoundTrip(Format::Json) => "json",
        }
    }

    fn run(&self, case: &Case) -> Outcome {
        let text = match case.module_text() {
            Ok(t) => t,
            Err(e) => return Outcome::Fail(format!("cannot read case.air: {e}")),
        };
        let module = match air_ir::text::parse(&text, &case.module_name()) {
            Ok(m) => m,
            Err(diags) => return expect_failure(case, &diags, "reading"),
        };
        let module = match self {
            InProcess::Interp => module,
            InProcess::RoundTrip(format) => match round_trip(&module, *format) {
                Ok(m) => m,
                Err(msg) => return Outcome::Fail(msg),
            },
        };
        if let Err(diags) = air_ir::validate::validate(&module) {
            return expect_failure(case, &diags, "validating");
        }
        match &case.expect {
            Expect::Invalid(code) => {
                Outcome::Fail(format!("expected {code}, but the module is valid"))
            }
            Expect::Ok | Expect::RunError(_) => run_and_compare(case, &module),
        }
    }
}

/// A run that failed where the case expects it to fail with `code`.
fn run_error(code: Code, e: &air_value::RunError) -> Outcome {
    if e.code == code {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("expected the run to fail with {code}, got: {e}"))
    }
}

/// Writes the module in `format`, reads it back, and checks the text form did not change.
fn round_trip(module: &Module, format: Format) -> Result<Module, String> {
    let bytes = serial::write(module, format);
    let back = serial::read(&bytes, format, "round-trip")
        .map_err(|d| format!("{} round trip does not read back: {d}", format.name()))?;
    let (before, after) = (air_ir::text::print(module), air_ir::text::print(&back));
    if before != after {
        return Err(format!(
            "{} round trip changed the module:\n--- before\n{before}\n--- after\n{after}",
            format.name()
        ));
    }
    Ok(back)
}

fn expect_failure(case: &Case, diags: &Diagnostics, stage: &str) -> Outcome {
    match &case.expect {
        Expect::Invalid(code) if diags.0.iter().any(|d| d.code == *code) => Outcome::Pass,
        Expect::Invalid(code) => Outcome::Fail(format!("expected {code}; {stage} gave:\n{diags}")),
        Expect::Ok | Expect::RunError(_) => Outcome::Fail(format!("{stage} failed:\n{diags}")),
    }
}

fn run_and_compare(case: &Case, module: &Module) -> Outcome {
    let entry = match entry_function(module) {
        Ok(e) => e,
        Err(e) => return Outcome::Fail(e.to_string()),
    };
    let inputs = match load_arrays(case, "inputs.npz") {
        Ok(a) => a,
        Err(e) => return Outcome::Fail(e),
    };
    match (air_interp::run(module, entry, &inputs), &case.expect) {
        (Err(e), Expect::RunError(code)) => run_error(*code, &e),
        (Ok(_), Expect::RunError(code)) => {
            Outcome::Fail(format!("expected the run to fail with {code}, but it ran"))
        }
        (Ok(outputs), _) => compare_outputs(case, &outputs),
        (Err(e), _) => Outcome::Fail(format!("run failed: {e}")),
    }
}

/// Compares outputs with `expected.npz`: the same names, each within tolerance.
pub fn compare_outputs(case: &Case, outputs: &[(String, Tensor)]) -> Outcome {
    let expected = match load_arrays(case, "expected.npz") {
        Ok(a) => a,
        Err(e) => return Outcome::Fail(e),
    };
    let mut problems = vec![];
    for (name, want) in &expected {
        match outputs.iter().find(|(n, _)| n == name) {
            None => problems.push(format!("{name}: not produced")),
            Some((_, got)) => {
                if let Err(e) = compare(name, got, want, &case.tolerance) {
                    problems.push(e);
                }
            }
        }
    }
    for (name, _) in outputs {
        if !expected.iter().any(|(n, _)| n == name) {
            problems.push(format!("{name}: produced but not expected"));
        }
    }
    if problems.is_empty() {
        Outcome::Pass
    } else {
        Outcome::Fail(problems.join("\n"))
    }
}

/// Reads an npz of the case, turning the arrays listed in `bf16` from bit patterns into bf16.
pub fn load_arrays(case: &Case, file: &str) -> Result<Vec<(String, Tensor)>, String> {
    let path = case.dir.join(file);
    let arrays = air_value::npz::read_npz(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    arrays
        .into_iter()
        .map(|(name, t)| {
            if !case.bf16.contains(&name) {
                return Ok((name, t));
            }
            match t {
                Tensor::U16(bits) => Ok((name, Tensor::BF16(bits.mapv(half::bf16::from_bits)))),
                other @ (Tensor::Bool(_)
                | Tensor::I8(_)
                | Tensor::I16(_)
                | Tensor::I32(_)
                | Tensor::I64(_)
                | Tensor::U8(_)
                | Tensor::U32(_)
                | Tensor::U64(_)
                | Tensor::F16(_)
                | Tensor::BF16(_)
                | Tensor::F32(_)
                | Tensor::F64(_)
                | Tensor::C64(_)
                | Tensor::C128(_)) => Err(format!(
                    "{name} is listed as bf16 but stored as {}, not uint16 bit patterns",
                    other.dtype()
                )),
            }
        })
        .collect()
}

/// A backend in any language: `PROGRAM CASE_DIR OUT_DIR` must write `OUT_DIR/outputs.npz` and exit
/// 0, or, for a module it rejects, exit non-zero with `error[E0xxx]` on stderr.
pub struct External {
    name: String,
    program: String,
}

impl Target for External {
    fn name(&self) -> &str {
        &self.name
    }

    fn run(&self, case: &Case) -> Outcome {
        let out_dir = std::env::temp_dir().join(format!(
            "air-conformance-{}-{}",
            std::process::id(),
            case.id.replace('/', "__")
        ));
        if let Err(e) = std::fs::create_dir_all(&out_dir) {
            return Outcome::Fail(format!("cannot create {}: {e}", out_dir.display()));
        }
        let outcome = self.run_in(case, &out_dir);
        let _ = std::fs::remove_dir_all(&out_dir);
        outcome
    }
}

impl External {
    fn run_in(&self, case: &Case, out_dir: &Path) -> Outcome {
        let result = Command::new("sh")
            .arg("-c")
            .arg(format!("{} \"$0\" \"$1\"", self.program))
            .arg(&case.dir)
            .arg(out_dir)
            .output();
        let output = match result {
            Ok(o) => o,
            Err(e) => return Outcome::Fail(format!("cannot run {}: {e}", self.program)),
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        match (&case.expect, output.status.success()) {
            (Expect::Invalid(code) | Expect::RunError(code), false)
                if stderr.contains(&format!("error[{code}]")) =>
            {
                Outcome::Pass
            }
            (Expect::Invalid(code) | Expect::RunError(code), _) => Outcome::Fail(format!(
                "expected a failure with error[{code}]; exit {:?}, stderr:\n{stderr}",
                output.status.code()
            )),
            (Expect::Ok, false) => Outcome::Fail(format!(
                "exit {:?}, stderr:\n{stderr}",
                output.status.code()
            )),
            (Expect::Ok, true) => {
                let path = out_dir.join("outputs.npz");
                match air_value::npz::read_npz(&path) {
                    Ok(outputs) => compare_outputs(case, &outputs),
                    Err(e) => Outcome::Fail(format!("cannot read {}: {e}", path.display())),
                }
            }
        }
    }
}
