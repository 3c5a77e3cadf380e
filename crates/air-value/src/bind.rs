//! Input binding: named tensors matched to a function's parameters, as every engine does it.

use std::collections::HashSet;

use air_ir::{Code, Function, Intent};

use crate::{Result, RunError, Tensor};

/// Binds inputs to a function's parameters by name: one tensor per parameter (`None` for an `out`
/// parameter not given), with every problem (a repeated or unknown name, a missing input, a wrong
/// dtype or rank) in one E0501. The interpreter and the LLVM backend both bind with this.
pub fn bind_inputs<'a>(
    f: &Function,
    inputs: &'a [(String, Tensor)],
) -> Result<Vec<Option<&'a Tensor>>> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (name, _) in inputs {
        if !seen.insert(name.as_str()) {
            problems.push(format!("input {name} is given twice"));
        } else if !f.params.iter().any(|p| &p.name == name) {
            problems.push(format!("input {name} is not a parameter of @{}", f.name));
        }
    }
    let mut args = Vec::with_capacity(f.params.len());
    for p in &f.params {
        let given = inputs.iter().find(|(n, _)| *n == p.name).map(|(_, t)| t);
        match given {
            None if p.intent != Intent::Out => {
                problems.push(format!("missing input %{}: {}", p.name, p.ty))
            }
            Some(t) if t.dtype() != p.ty.dtype || t.rank() != p.ty.rank() => {
                problems.push(format!(
                    "%{}: expected {}, got {}{:?}",
                    p.name,
                    p.ty,
                    t.dtype(),
                    t.shape()
                ))
            }
            _ => {}
        }
        args.push(given);
    }
    if problems.is_empty() {
        Ok(args)
    } else {
        Err(bad_input(f, problems.join("; ")))
    }
}

fn bad_input(f: &Function, message: String) -> RunError {
    let mut e = RunError::new(Code::BadInput, message);
    e.function = Some(f.name.clone());
    e
}
