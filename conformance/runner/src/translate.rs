//! One target per translator of `air_translate::all()`: the case's module is exported to the
//! foreign format, imported back (told the dtypes and argument order of the original, as a
//! user of a format without dtypes tells autowrap), run on the interpreter and compared. A case
//! the format cannot express is `n/a`, with the export's list of constructs as the reason.

use air_ir::{entry_function, Module};
use air_translate::{ImportOptions, Translator};
use air_value::Tensor;

use crate::case::{Case, Expect};
use crate::target::{compare_outputs, load_arrays, Outcome, Target};

/// Export → import → interpreter for one translator.
pub struct Translate {
    /// The translator.
    pub translator: &'static Translator,
}

/// A target per translator.
pub fn targets() -> Vec<Box<dyn Target>> {
    air_translate::all()
        .iter()
        .map(|translator| Box::new(Translate { translator }) as Box<dyn Target>)
        .collect()
}

impl Target for Translate {
    fn name(&self) -> &str {
        self.translator.name
    }

    fn run(&self, case: &Case) -> Outcome {
        match case.expect {
            Expect::Ok => {}
            Expect::Invalid(_) => {
                return Outcome::NotApplicable("the case is an invalid module".into())
            }
            Expect::RunError(_) => {
                return Outcome::NotApplicable("the case expects a run-time error".into())
            }
        }
        let module = match case
            .module_text()
            .ok()
            .and_then(|t| air_ir::text::parse(&t, &case.module_name()).ok())
        {
            Some(m) if air_ir::validate::validate(&m).is_ok() => m,
            _ => return Outcome::Fail("case.air does not read or validate".into()),
        };
        let text = match (self.translator.export)(&module) {
            Ok(t) => t,
            Err(d) => return Outcome::NotApplicable(d.to_string()),
        };
        let back = match (self.translator.import)(&text, &hints(&module, case)) {
            Ok(m) => m,
            Err(d) => {
                return Outcome::Fail(format!("the export does not import back:\n{d}\n{text}"))
            }
        };
        match run(case, &back) {
            Ok(outputs) => match compare_outputs(case, &outputs) {
                Outcome::Fail(why) => Outcome::Fail(format!("{why}\nexported as:\n{text}")),
                other @ (Outcome::Pass | Outcome::Skip(_) | Outcome::NotApplicable(_)) => other,
            },
            Err(why) => Outcome::Fail(format!("{why}\nexported as:\n{text}")),
        }
    }
}

/// The original entry function's parameter and result dtypes, and its parameter order.
fn hints(m: &Module, case: &Case) -> ImportOptions {
    let f = entry_function(m).ok().and_then(|n| m.function(n));
    let mut dtypes = vec![];
    let mut args = vec![];
    for f in f.into_iter() {
        for p in &f.params {
            dtypes.push((p.name.clone(), p.ty.dtype));
            args.push(p.name.clone());
        }
        for (i, r) in f.results.iter().enumerate() {
            let name = r.name.clone().unwrap_or_else(|| format!("result{i}"));
            dtypes.push((name, r.ty.dtype));
        }
    }
    ImportOptions {
        source: case.id.clone(),
        dtypes,
        args: Some(args),
    }
}

fn run(case: &Case, m: &Module) -> Result<Vec<(String, Tensor)>, String> {
    let entry = entry_function(m).map_err(|e| format!("the import: {e}"))?;
    let inputs = load_arrays(case, "inputs.npz")?;
    air_interp::run(m, entry, &inputs).map_err(|e| format!("run failed: {e}"))
}
