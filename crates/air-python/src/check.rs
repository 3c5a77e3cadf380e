//! Checking a call's arrays against the signature before anything runs (`docs/spec.md` 4.1 and
//! 4.2), with messages that name the argument: dtypes exactly (`TypeError`), ranks, constant
//! dims, symbols bound from lone dims and expression dims (`ValueError`); output buffers must be
//! writeable and must not overlap the inputs (compiled code writes them directly).

use air_ir::Intent;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::arrays::Array;
use crate::gather::{describe_param, Given};
use crate::plan::{DimPlan, Output, Plan, Slot, Small, Symbols};

/// Which array a message is about.
#[derive(Clone, Copy)]
enum Who {
    Param(usize),
    Result(usize),
}

impl Who {
    fn describe(self, plan: &Plan) -> String {
        match self {
            Who::Param(j) => describe_param(plan, j),
            Who::Result(k) => format!(
                "out= buffer for result '{}' of @{}",
                plan.results[k].name, plan.function
            ),
        }
    }

    fn slot(self, plan: &Plan) -> &Slot {
        match self {
            Who::Param(j) => &plan.params[j].0,
            Who::Result(k) => &plan.results[k],
        }
    }
}

/// Checks every array of the call and binds the symbols from the parameters' lone dims.
pub fn check(plan: &Plan, given: &Given<'_>) -> PyResult<Symbols> {
    for (j, a) in given.params.iter().enumerate() {
        if let Some(a) = a {
            check_array(plan, Who::Param(j), a, plan.params[j].1 != Intent::In)?;
        }
    }
    for (k, a) in given.results.iter().enumerate() {
        if let Some(a) = a {
            check_array(plan, Who::Result(k), a, true)?;
        }
    }
    let mut syms = Symbols::new(plan);
    for (j, a) in given.params.iter().enumerate() {
        let Some(a) = a else { continue };
        for (axis, (d, &e)) in plan.params[j].0.dims.iter().zip(a.shape()).enumerate() {
            let DimPlan::Sym(s) = d else { continue };
            match syms.values[*s] {
                None => syms.values[*s] = Some((e as i64, j as u32, axis as u32)),
                Some((v, _, _)) if v == e as i64 => {}
                Some(bound) => return Err(conflict(plan, j, axis, e, *s, bound)),
            }
        }
    }
    for &(j, k) in &plan.sizes {
        let Some(a) = &given.params[j] else { continue };
        let v = size_value(plan, j, a)?;
        match syms.values[k] {
            None => syms.values[k] = Some((v, j as u32, 0)),
            Some((bound, _, _)) if bound == v => {}
            Some((bound, pj, paxis)) => {
                return Err(PyValueError::new_err(format!(
                    "{}: the size {} is {v}, but {} has extent {bound} on axis {paxis} (E0502)",
                    describe_param(plan, j),
                    plan.symbols[k],
                    describe_param(plan, pj as usize)
                )))
            }
        }
    }
    for (j, a) in given.params.iter().enumerate() {
        if let Some(a) = a {
            check_dims(plan, Who::Param(j), a, &mut syms, true)?;
        }
    }
    for (k, a) in given.results.iter().enumerate() {
        if let Some(a) = a {
            check_dims(plan, Who::Result(k), a, &mut syms, false)?;
        }
    }
    Ok(syms)
}

/// The value of size parameter `j` (an integer scalar, spec 4.2): negative is an error (E0506).
fn size_value(plan: &Plan, j: usize, a: &Array<'_>) -> PyResult<i64> {
    // `check_array` checked the dtype (an integer one, by the validator's E0219) and rank 0:
    // NumPy's `item()` gives the value as a Python int.
    let v: Option<i64> = a
        .obj()
        .call_method0("item")
        .and_then(|x| x.extract::<i64>())
        .ok();
    match v {
        Some(v) if v >= 0 => Ok(v),
        Some(v) => Err(PyValueError::new_err(format!(
            "{}: a size must be at least 0, got {v} (E0506)",
            describe_param(plan, j)
        ))),
        None => Err(PyValueError::new_err(format!(
            "{}: a size parameter takes an integer that fits in i64",
            describe_param(plan, j)
        ))),
    }
}

/// dtype (exactly), rank, writeable (for outputs) and alignment.
fn check_array(plan: &Plan, who: Who, a: &Array<'_>, written: bool) -> PyResult<()> {
    let slot = who.slot(plan);
    if a.dtype() != Some(slot.dtype) {
        return Err(PyTypeError::new_err(format!(
            "{}: expected {}, got {}",
            who.describe(plan),
            slot.dtype.numpy_name(),
            a.dtype_text()
        )));
    }
    if a.rank() != slot.dims.len() {
        return Err(PyValueError::new_err(format!(
            "{}: expected {} dimension{} ({}), got {} (shape {})",
            who.describe(plan),
            slot.dims.len(),
            if slot.dims.len() == 1 { "" } else { "s" },
            slot.ty,
            a.rank(),
            shape_text(a.shape())
        )));
    }
    if written && !a.writeable() {
        return Err(PyValueError::new_err(format!(
            "{}: the array is read-only, but the call writes it",
            who.describe(plan)
        )));
    }
    if !a.aligned() {
        return Err(PyValueError::new_err(format!(
            "{}: the array's elements are not aligned for {}; the call writes it: pass an aligned buffer",
            who.describe(plan),
            slot.dtype.numpy_name()
        )));
    }
    Ok(())
}

/// Constant and expression dims of a parameter (symbols must be bound: AIR does not solve for
/// them), and every dim of a result buffer that the bound symbols determine.
fn check_dims(
    plan: &Plan,
    who: Who,
    a: &Array<'_>,
    syms: &mut Symbols,
    must_bind: bool,
) -> PyResult<()> {
    let slot = who.slot(plan);
    for (axis, (d, &e)) in slot.dims.iter().zip(a.shape()).enumerate() {
        if matches!(d, DimPlan::Sym(_)) && must_bind {
            continue; // bound from this very extent, or checked against it in `check`
        }
        match syms.eval(plan, d) {
            Some(v) if v == e as i64 => {}
            Some(v) => {
                let dim = &slot.ty.shape[axis];
                let value = if dim.is_const() {
                    String::new()
                } else {
                    format!(" = {v}")
                };
                return Err(PyValueError::new_err(format!(
                    "{} ({}): axis {axis} must have extent {dim}{value}, got {e}",
                    who.describe(plan),
                    slot.ty
                )));
            }
            None if must_bind => {
                return Err(PyValueError::new_err(format!(
                    "{} ({}): dim {} (axis {axis}) mentions a symbol no argument binds as a lone dim (AIR does not solve for symbols)",
                    who.describe(plan),
                    slot.ty,
                    slot.ty.shape[axis]
                )))
            }
            None => {} // a result extent only the run determines: compiled code checks it
        }
    }
    Ok(())
}

fn conflict(
    plan: &Plan,
    j: usize,
    axis: usize,
    extent: isize,
    sym: usize,
    (value, pj, paxis): (i64, u32, u32),
) -> PyErr {
    let pj = pj as usize;
    let name = &plan.symbols[sym];
    let source = if pj == j {
        format!("axis {paxis}")
    } else {
        format!("argument '{}', axis {paxis}", plan.params[pj].0.name)
    };
    PyValueError::new_err(format!(
        "{} ({}): axis {axis} has extent {extent}, but {name} is {value} (from {source})",
        describe_param(plan, j),
        plan.params[j].0.ty
    ))
}

/// `(3, 4)`, as NumPy writes shapes.
pub fn shape_text(shape: &[isize]) -> String {
    match shape {
        [e] => format!("({e},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// Output buffers (results and `out` parameters the caller gave) must overlap neither an input
/// nor each other: compiled code writes them while it reads the inputs.
pub fn check_overlaps(plan: &Plan, given: &Given<'_>) -> PyResult<()> {
    let mut inputs: Small<(usize, (usize, usize))> = Small::new();
    let mut outputs: Small<(Output, (usize, usize))> = Small::new();
    for (j, a) in given.params.iter().enumerate() {
        let Some(a) = a else { continue };
        let span = a.span(plan.params[j].0.dtype.size_bytes());
        match plan.params[j].1 {
            Intent::Out => outputs.push((Output::Param(j), span)),
            Intent::In | Intent::InOut => inputs.push((j, span)),
        }
    }
    for (k, a) in given.results.iter().enumerate() {
        if let Some(a) = a {
            let span = a.span(plan.results[k].dtype.size_bytes());
            outputs.push((Output::Result(k), span));
        }
    }
    let overlap = |(a, b): (usize, usize), (c, d): (usize, usize)| a < d && c < b;
    for (i, &(o, span)) in outputs.iter().enumerate() {
        let what = || {
            format!(
                "the output buffer for '{}' of @{}",
                plan.output(o).name,
                plan.function
            )
        };
        if let Some(&(j, _)) = inputs.iter().find(|(_, s)| overlap(span, *s)) {
            return Err(PyValueError::new_err(format!(
                "{} overlaps argument '{}'; compiled code writes outputs while it reads its inputs: pass a separate buffer",
                what(),
                plan.params[j].0.name
            )));
        }
        if let Some(&(p, _)) = outputs[i + 1..].iter().find(|(_, s)| overlap(span, *s)) {
            return Err(PyValueError::new_err(format!(
                "{} overlaps the output buffer for '{}'",
                what(),
                plan.output(p).name
            )));
        }
    }
    Ok(())
}
