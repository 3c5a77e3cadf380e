//! `for`, `if`, `while`, `call` and `custom`: ops whose result types come from regions or other functions.

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic};
use crate::dim::Dim;
use crate::dtype::DType;
use crate::module::{Function, Intent, Region};
use crate::op::CustomOp;
use crate::types::TensorType;

use super::{err, scalar, Context, DimSlot, Inferred};

fn mismatch(msg: impl Into<String>) -> Diagnostic {
    err(Code::RegionMismatch, msg)
}

/// The declared types of the values a region yields (E0405 for a yield that names no value).
fn yield_types<'r>(region: &'r Region, what: &str) -> Result<Vec<&'r TensorType>, Diagnostic> {
    region
        .results
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            region
                .value_type(v)
                .ok_or_else(|| mismatch(format!("{what}: yield {i} names no value of the region")))
        })
        .collect()
}

/// The region's params have exactly these types (E0405).
fn check_params(region: &Region, types: &[&TensorType], what: &str) -> Result<(), Diagnostic> {
    if region.params.len() != types.len() {
        return Err(mismatch(format!(
            "{what} takes {} params, the op passes {}",
            region.params.len(),
            types.len()
        )));
    }
    for (p, t) in region.params.iter().zip(types) {
        if p.ty != **t {
            return Err(mismatch(format!(
                "{what} param %{} is {}, the op passes {t}",
                p.name, p.ty
            )));
        }
    }
    Ok(())
}

/// The loop bounds `lo`, `hi`, `step` and the `if` condition.
fn check_scalar(t: &TensorType, dtype: DType, what: &str) -> Result<(), Diagnostic> {
    scalar(t, what)?;
    if t.dtype != dtype {
        return Err(err(
            Code::DTypeNotAccepted,
            format!("{what} must be {dtype}, got {}", t.dtype),
        ));
    }
    Ok(())
}

pub(super) fn for_loop(
    body: &Region,
    operands: &[TensorType],
) -> Result<Vec<Inferred>, Diagnostic> {
    if operands.len() < 3 {
        return Err(err(
            Code::Arity,
            format!(
                "expected at least 3 operands (lo, hi, step), got {}",
                operands.len()
            ),
        ));
    }
    for (t, what) in operands.iter().zip(["lo", "hi", "step"]) {
        check_scalar(t, DType::I64, what)?;
    }
    let rest = &operands[3..];
    let carried = body.results.len();
    if carried > rest.len() {
        return Err(mismatch(format!(
            "body yields {carried} values but the loop has only {} carried operands",
            rest.len()
        )));
    }
    let index = TensorType::scalar(DType::I64);
    let mut params = vec![&index];
    params.extend(rest);
    check_params(body, &params, "body")?;
    for (i, (y, want)) in yield_types(body, "body")?.iter().zip(rest).enumerate() {
        if *y != want {
            return Err(mismatch(format!(
                "body yield {i} is {y}, the carried value is {want}"
            )));
        }
    }
    Ok(rest[..carried]
        .iter()
        .cloned()
        .map(Inferred::known)
        .collect())
}

/// `while`: both regions take every operand; `cond` yields one `bool` scalar, `body` yields the
/// next carried values, of exactly the carried operands' types (the results' types). The carried
/// count is the node's declared result count (the body's yield count when none is declared).
pub(super) fn while_loop(
    cond: &Region,
    body: &Region,
    operands: &[TensorType],
    ctx: &Context<'_>,
) -> Result<Vec<Inferred>, Diagnostic> {
    let carried = ctx.declared.map_or(body.results.len(), <[TensorType]>::len);
    if carried > operands.len() {
        return Err(mismatch(format!(
            "the loop declares {carried} results but has only {} operands",
            operands.len()
        )));
    }
    if body.results.len() != carried {
        return Err(mismatch(format!(
            "body yields {} values for {carried} carried values",
            body.results.len()
        )));
    }
    let params: Vec<&TensorType> = operands.iter().collect();
    check_params(cond, &params, "condition")?;
    check_params(body, &params, "body")?;
    let c = yield_types(cond, "condition")?;
    let [flag] = c.as_slice() else {
        return Err(mismatch(format!(
            "condition yields {} values, expected 1 (a bool scalar)",
            c.len()
        )));
    };
    check_scalar(flag, DType::Bool, "condition yield")?;
    for (i, (y, want)) in yield_types(body, "body")?.iter().zip(operands).enumerate() {
        if *y != want {
            return Err(mismatch(format!(
                "body yield {i} is {y}, the carried value is {want}"
            )));
        }
    }
    Ok(operands[..carried]
        .iter()
        .cloned()
        .map(Inferred::known)
        .collect())
}

pub(super) fn if_else(
    then_branch: &Region,
    else_branch: &Region,
    operands: &[TensorType],
    ctx: &Context<'_>,
) -> Result<Vec<Inferred>, Diagnostic> {
    let Some(cond) = operands.first() else {
        return Err(err(
            Code::Arity,
            "expected at least 1 operand (the condition), got 0",
        ));
    };
    check_scalar(cond, DType::Bool, "condition")?;
    let args: Vec<&TensorType> = operands[1..].iter().collect();
    check_params(then_branch, &args, "then branch")?;
    check_params(else_branch, &args, "else branch")?;
    let (t, e) = (
        yield_types(then_branch, "then branch")?,
        yield_types(else_branch, "else branch")?,
    );
    if t.len() != e.len() {
        return Err(mismatch(format!(
            "then branch yields {} values, else branch {}",
            t.len(),
            e.len()
        )));
    }
    t.iter()
        .zip(&e)
        .enumerate()
        .map(|(i, (a, b))| {
            let (a, b) = (slots_of(a, ctx), slots_of(b, ctx));
            if a != b {
                return Err(mismatch(format!(
                    "yield {i}: then branch gives {a}, else branch {b}"
                )));
            }
            Ok(a)
        })
        .collect()
}

/// A type whose dims mentioning symbols unbound in `ctx` are fresh.
fn slots_of(t: &TensorType, ctx: &Context<'_>) -> Inferred {
    Inferred {
        dtype: t.dtype,
        shape: t
            .shape
            .iter()
            .map(|d| match ctx.is_bound(d) {
                true => DimSlot::Known(d.clone()),
                false => DimSlot::Fresh,
            })
            .collect(),
    }
}

/// Binds the symbols of `params` so that they equal the `args`: a lone-symbol dim binds its symbol,
/// then every param dim, substituted, must equal the argument's. Returns the callee-symbol → caller
/// dim map, or a message naming the first mismatch.
pub(crate) fn bind_signature(
    params: &[&TensorType],
    args: &[TensorType],
) -> Result<HashMap<String, Dim>, String> {
    if params.len() != args.len() {
        return Err(format!(
            "expects {} arguments, got {}",
            params.len(),
            args.len()
        ));
    }
    let mut subst: HashMap<String, Dim> = HashMap::new();
    for (i, (p, a)) in params.iter().zip(args).enumerate() {
        if p.dtype != a.dtype || p.rank() != a.rank() {
            return Err(format!("argument {i} is {a}, the parameter is {p}"));
        }
        for (pd, ad) in p.shape.iter().zip(&a.shape) {
            if let Some(s) = pd.as_symbol() {
                subst.entry(s.to_string()).or_insert_with(|| ad.clone());
            }
        }
    }
    for (i, (p, a)) in params.iter().zip(args).enumerate() {
        for (pd, ad) in p.shape.iter().zip(&a.shape) {
            let bound = pd.symbols().iter().all(|s| subst.contains_key(*s));
            let got = pd.substitute(&subst).ok().filter(|_| bound);
            if got.as_ref() != Some(ad) {
                return Err(format!("argument {i} is {a}, the parameter is {p}"));
            }
        }
    }
    Ok(subst)
}

/// A callee-side type seen from the caller: dims whose symbols are all bound by `subst` are
/// substituted; the others are fresh.
pub(crate) fn subst_type(t: &TensorType, subst: &HashMap<String, Dim>) -> Inferred {
    let shape = t
        .shape
        .iter()
        .map(|d| {
            let bound = d.symbols().iter().all(|s| subst.contains_key(*s));
            match d.substitute(subst) {
                Ok(x) if bound => DimSlot::Known(x),
                _ => DimSlot::Fresh,
            }
        })
        .collect();
    Inferred {
        dtype: t.dtype,
        shape,
    }
}

/// The types a caller passes to `f`: its `in` and `inout` params, in order.
fn input_params(f: &Function) -> Vec<&TensorType> {
    f.params
        .iter()
        .filter(|p| p.intent != Intent::Out)
        .map(|p| &p.ty)
        .collect()
}

/// The result types of applying `f` to `args`, or the message of the mismatch.
fn apply(f: &Function, args: &[TensorType]) -> Result<Vec<Inferred>, String> {
    let subst = bind_signature(&input_params(f), args)?;
    Ok(f.yield_types()
        .iter()
        .map(|t| subst_type(t, &subst))
        .collect())
}

pub(super) fn call(
    callee: &str,
    operands: &[TensorType],
    ctx: &Context<'_>,
) -> Result<Vec<Inferred>, Diagnostic> {
    let Some(f) = ctx.function(callee) else {
        return Err(err(Code::UnknownFunction, format!("no function @{callee}")));
    };
    apply(f, operands).map_err(|m| err(Code::CallMismatch, format!("@{callee} {m}")))
}

pub(super) fn custom(
    c: &CustomOp,
    operands: &[TensorType],
    ctx: &Context<'_>,
) -> Result<Vec<Inferred>, Diagnostic> {
    let from_decomposition = match &c.decomposition {
        None => None,
        Some(name) => {
            let Some(f) = ctx.function(name) else {
                return Err(err(
                    Code::UnknownFunction,
                    format!("no decomposition function @{name}"),
                ));
            };
            let bad = |m: String| err(Code::BadDecomposition, format!("decomposition @{name} {m}"));
            Some(apply(f, operands).map_err(bad)?)
        }
    };
    match (ctx.declared, from_decomposition) {
        (Some(declared), decomposed) => {
            if let Some(d) = &decomposed {
                check_decomposition(c, declared, d)?;
            }
            Ok(declared.iter().map(|t| slots_of(t, ctx)).collect())
        }
        (None, Some(decomposed)) => Ok(decomposed),
        (None, None) => Err(err(
            Code::ResultCount,
            format!(
                "custom op {}.{} has no decomposition: its result types must be declared",
                c.domain, c.name
            ),
        )),
    }
}

/// The declared results agree with the decomposition's (a fresh dim there agrees with any dim).
fn check_decomposition(
    c: &CustomOp,
    declared: &[TensorType],
    decomposed: &[Inferred],
) -> Result<(), Diagnostic> {
    let name = c.decomposition.as_deref().unwrap_or_default();
    if declared.len() != decomposed.len() {
        return Err(err(
            Code::BadDecomposition,
            format!(
                "decomposition @{name} yields {} values, the op declares {}",
                decomposed.len(),
                declared.len()
            ),
        ));
    }
    for (i, (t, d)) in declared.iter().zip(decomposed).enumerate() {
        let agree = t.dtype == d.dtype
            && t.rank() == d.rank()
            && t.shape.iter().zip(&d.shape).all(|(x, s)| match s {
                DimSlot::Known(y) => x == y,
                DimSlot::Fresh | DimSlot::FreshAgain(_) => true,
            });
        if !agree {
            return Err(err(
                Code::BadDecomposition,
                format!("result {i} is declared {t}, decomposition @{name} gives {d}"),
            ));
        }
    }
    Ok(())
}
