//! Control ops: `for`, `if`, `while`, `call`, `custom`.

use air_ir::op::CustomOp;
use air_ir::{Code, Intent, Region};

use super::frame::Frame;
use super::{not_accepted, scalar_i64, Interp};
use crate::error::{fail, Result};
use crate::tensor::Tensor;

/// spec: #for — `for(lo, hi, step, carried..., captured...)`: runs the body for `i = lo,
/// lo+step, ...` while `i < hi` (step > 0) or `i > hi` (step < 0); step 0 is E0506; zero
/// iterations give the initial carried values.
pub(crate) fn for_loop(
    interp: &Interp<'_>,
    frame: &mut Frame,
    body: &Region,
    carried: usize,
    x: &[&Tensor],
) -> Result<Vec<Tensor>> {
    if x.len() < 3 + carried {
        return fail(
            Code::Arity,
            format!(
                "for takes lo, hi, step and {carried} carried values, got {} operands",
                x.len()
            ),
        );
    }
    let lo = scalar_i64(x[0], "for lower bound")?;
    let hi = scalar_i64(x[1], "for upper bound")?;
    let step = scalar_i64(x[2], "for step")?;
    if step == 0 {
        return fail(Code::BadExtent, "for: step 0");
    }
    let captured = &x[3 + carried..];
    let mut state: Vec<Tensor> = x[3..3 + carried].iter().map(|&t| t.clone()).collect();
    let mut i = lo;
    while (step > 0 && i < hi) || (step < 0 && i > hi) {
        let index = Tensor::scalar(i);
        let mut args: Vec<&Tensor> = Vec::with_capacity(1 + x.len());
        args.push(&index);
        args.extend(state.iter());
        args.extend(captured.iter().copied());
        let next = interp.region(frame, body, &args)?;
        if next.len() != carried {
            return fail(
                Code::RegionMismatch,
                format!(
                    "for body yields {} values for {carried} carried",
                    next.len()
                ),
            );
        }
        state = next;
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break, // the next index is past i64's range, so past `hi`
        }
    }
    Ok(state)
}

/// spec: #if — `if(cond, args...)`: runs one branch on `args`.
pub(crate) fn if_op(
    interp: &Interp<'_>,
    frame: &mut Frame,
    then_branch: &Region,
    else_branch: &Region,
    x: &[&Tensor],
) -> Result<Vec<Tensor>> {
    let Some((&cond, args)) = x.split_first() else {
        return fail(Code::Arity, "if takes a condition");
    };
    let Tensor::Bool(c) = cond else {
        return not_accepted("if condition", cond);
    };
    let Some(&taken) = c.iter().next().filter(|_| c.ndim() == 0) else {
        return fail(
            Code::ExpectedScalar,
            format!("if condition must be a scalar, got {:?}", c.shape()),
        );
    };
    let branch = if taken { then_branch } else { else_branch };
    interp.region(frame, branch, args)
}

/// spec: #while — `while(carried..., captured...)`: while `cond` yields true on the state and the
/// captured values, the body's yields become the new state; the results are the final state (the
/// carried operands when `cond` is false at once). More than `max_while_iterations` body runs in
/// one execution is E0510.
pub(crate) fn while_loop(
    interp: &Interp<'_>,
    frame: &mut Frame,
    cond: &Region,
    body: &Region,
    carried: usize,
    x: &[&Tensor],
) -> Result<Vec<Tensor>> {
    if x.len() < carried {
        return fail(
            Code::Arity,
            format!(
                "while has {carried} carried values, got {} operands",
                x.len()
            ),
        );
    }
    let captured = &x[carried..];
    let mut state: Vec<Tensor> = x[..carried].iter().map(|&t| t.clone()).collect();
    let mut iterations: u64 = 0;
    loop {
        let mut args: Vec<&Tensor> = Vec::with_capacity(x.len());
        args.extend(state.iter());
        args.extend(captured.iter().copied());
        if !while_condition(&interp.region(frame, cond, &args)?)? {
            return Ok(state);
        }
        if let Some(limit) = interp.max_while_iterations.filter(|&l| iterations >= l) {
            return fail(
                Code::IterationLimit,
                format!(
                    "while: the condition still holds after {limit} iterations, the limit of \
                     this run (--max-iterations)"
                ),
            );
        }
        let next = interp.region(frame, body, &args)?;
        if next.len() != carried {
            return fail(
                Code::RegionMismatch,
                format!(
                    "while body yields {} values for {carried} carried",
                    next.len()
                ),
            );
        }
        state = next;
        iterations += 1;
    }
}

/// The one `bool` scalar a `while` condition region yields.
fn while_condition(yields: &[Tensor]) -> Result<bool> {
    let [flag] = yields else {
        return fail(
            Code::RegionMismatch,
            format!("while condition yields {} values, expected 1", yields.len()),
        );
    };
    let Tensor::Bool(c) = flag else {
        return not_accepted("while condition", flag);
    };
    match c.iter().next().filter(|_| c.ndim() == 0) {
        Some(&b) => Ok(b),
        None => fail(
            Code::ExpectedScalar,
            format!("while condition must be a scalar, got {:?}", c.shape()),
        ),
    }
}

/// spec: #call — operands are the callee's `in` and `inout` params in order; the results are its
/// yields (declared results, then out/inout params).
pub(crate) fn call(interp: &Interp<'_>, callee: &str, x: &[&Tensor]) -> Result<Vec<Tensor>> {
    let f = interp.function(callee)?;
    let inputs = f.params.iter().filter(|p| p.intent != Intent::Out).count();
    if inputs != x.len() {
        return fail(
            Code::CallMismatch,
            format!("@{callee} takes {inputs} in/inout values, got {}", x.len()),
        );
    }
    let mut given = x.iter();
    let args: Vec<Option<&Tensor>> = f
        .params
        .iter()
        .map(|p| match p.intent {
            Intent::Out => None,
            Intent::In | Intent::InOut => given.next().copied(),
        })
        .collect();
    interp.call(f, &args)
}

/// spec: #custom — runs the decomposition function on the operands (E0407 without one).
pub(crate) fn custom(interp: &Interp<'_>, op: &CustomOp, x: &[&Tensor]) -> Result<Vec<Tensor>> {
    match &op.decomposition {
        Some(name) => call(interp, name, x),
        None => fail(
            Code::NoDecomposition,
            format!("custom op {}.{} has no decomposition", op.domain, op.name),
        ),
    }
}
