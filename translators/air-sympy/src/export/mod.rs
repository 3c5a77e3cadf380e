//! AIR → srepr: one `Equality` per result and per `out`/`inout` parameter, whose right side is
//! the element expression of the value at the left side's indices.

mod build;
mod elem;
mod support;

use std::collections::BTreeSet;

use air_ir::{Function, Intent, Module, Op, Value};

use crate::error::{Construct, Error};
use crate::syntax::{print, Atom, NodeId, Tree};
use crate::vocab::Head;
use crate::Options;
use build::Build;
use elem::{is_boolean, Writer};

/// See [`crate::export`].
pub fn export(m: &Module, opts: &Options) -> Result<String, Error> {
    let f = entry(m, opts)?;
    // Element expressions follow the module's handles: only a valid module is written.
    air_ir::validate::validate(m).map_err(Error::Air)?;
    let problems = check(f);
    if !problems.is_empty() {
        return Err(Error::Export(problems));
    }
    let (tree, root) = write(f, opts)?;
    Ok(print(&tree, root))
}

/// The function to write: the one `opts.function` names, else the module's entry function
/// ([`air_ir::reach::export_entry`]); a module with several functions and none of those names
/// is refused rather than a function picked by its place.
fn entry<'m>(m: &'m Module, opts: &Options) -> Result<&'m Function, Error> {
    air_ir::reach::export_entry(m, &opts.function).map_err(|c| Error::Export(vec![c]))
}

fn construct(f: &Function, at: String, what: &str, reason: String) -> Construct {
    Construct {
        function: f.name.clone(),
        at,
        what: what.to_string(),
        reason,
    }
}

/// The names of the function's results (`result0`... when unnamed).
fn result_names(f: &Function) -> Vec<String> {
    f.results
        .iter()
        .enumerate()
        .map(|(i, r)| r.name.clone().unwrap_or_else(|| format!("result{i}")))
        .collect()
}

/// Every construct of the function SymPy cannot express.
fn check(f: &Function) -> Vec<Construct> {
    let mut out = vec![];
    let not_identifier = |name: &str| {
        format!(
            "`{}` is not an identifier ([A-Za-z_][A-Za-z0-9_]*), which SymPy's code printers and \
             the srepr reader need",
            air_ir::diag::excerpt(name)
        )
    };
    for p in &f.params {
        if !crate::vocab::is_identifier(&p.name) {
            out.push(construct(
                f,
                format!("%{}", air_ir::name::text_form(&p.name)),
                "a parameter name",
                not_identifier(&p.name),
            ));
        }
        if p.ty.dtype.is_complex() {
            out.push(construct(
                f,
                format!("%{}", p.name),
                "a complex parameter",
                "complex dtypes are not written".into(),
            ));
        }
    }
    let reach = reachable(f);
    for (i, n) in f.body.nodes.iter().enumerate() {
        if !reach.contains(&i) {
            continue;
        }
        let operands: Vec<_> = n
            .operands
            .iter()
            .filter_map(|v| f.body.value_type(*v).cloned())
            .collect();
        if let Some(reason) = support::unsupported(n, &operands) {
            out.push(construct(f, format!("%{i}"), n.op.name(), reason));
        } else if n.results.iter().any(|t| t.dtype.is_complex()) {
            out.push(construct(
                f,
                format!("%{i}"),
                n.op.name(),
                "complex dtypes are not written".into(),
            ));
        }
    }
    let names = result_names(f);
    for (k, name) in names.iter().enumerate() {
        if !crate::vocab::is_identifier(name) {
            out.push(construct(
                f,
                format!("result {k}"),
                "a result name",
                not_identifier(name),
            ));
        }
        if names[..k].contains(name) || f.params.iter().any(|p| &p.name == name) {
            out.push(construct(
                f,
                format!("result {k}"),
                "a result name",
                format!("`{name}` is also the name of a parameter or another result"),
            ));
        }
    }
    let used = used_params(f);
    for (i, p) in f.params.iter().enumerate() {
        if p.intent != Intent::Out && p.ty.rank() > 0 && !used.contains(&(i as u32)) {
            out.push(construct(
                f,
                format!("%{}", p.name),
                "an unused parameter",
                "an equation cannot declare an array it does not read".into(),
            ));
        }
    }
    out
}

/// The body's nodes that the yielded values depend on.
fn reachable(f: &Function) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<Value> = f.body.results.clone();
    while let Some(v) = stack.pop() {
        if let Value::Result { node, .. } = v {
            if seen.insert(node.index()) {
                if let Some(n) = f.body.nodes.get(node.index()) {
                    stack.extend(n.operands.iter().copied());
                }
            }
        }
    }
    seen
}

fn used_params(f: &Function) -> BTreeSet<u32> {
    let reach = reachable(f);
    let mut used: BTreeSet<u32> = f
        .body
        .results
        .iter()
        .filter_map(|v| match v {
            Value::Param(p) => Some(*p),
            Value::Result { .. } => None,
        })
        .collect();
    for &i in &reach {
        for v in &f.body.nodes[i].operands {
            if let Value::Param(p) = v {
                used.insert(*p);
            }
        }
    }
    used
}

/// The equations as a tree; its root.
fn write(f: &Function, opts: &Options) -> Result<(Tree, NodeId), Error> {
    let mut used: BTreeSet<String> = f.params.iter().map(|p| p.name.clone()).collect();
    let names = result_names(f);
    used.extend(names.iter().cloned());
    let mut w = Writer::new(f, used, opts.limits.max_depth);
    let mut dims: BTreeSet<String> = BTreeSet::new();
    for p in &f.params {
        for d in &p.ty.shape {
            dims.extend(d.symbols().into_iter().map(str::to_string));
        }
        // A size parameter's symbol is written with the parameter's name: one SymPy symbol for
        // the dimension and the integer argument that gives it (op set 2).
        if let Some(s) = &p.size {
            w.dims.insert(s.clone(), p.name.clone());
        }
    }
    let dims: Vec<String> = dims
        .into_iter()
        .filter(|d| !w.dims.contains_key(d))
        .collect();
    for d in dims {
        let mut name = d.clone();
        while w.used.contains(&name) {
            name.push('_');
        }
        w.used.insert(name.clone());
        w.dims.insert(d, name);
    }
    let mut eqs = vec![];
    let mut problems = vec![];
    let outs: Vec<usize> = (0..f.params.len())
        .filter(|&i| f.params[i].intent != Intent::In)
        .collect();
    let mut assigned: BTreeSet<u32> = BTreeSet::new();
    let targets = names
        .iter()
        .map(|n| (n.clone(), None))
        .chain(outs.iter().map(|&i| (f.params[i].name.clone(), Some(i))));
    for (k, (name, param)) in targets.enumerate() {
        let Some(&value) = f.body.results.get(k) else {
            break;
        };
        let ty = match param {
            Some(i) => f.params[i].ty.clone(),
            None => f.results[k].ty.clone(),
        };
        w.reads.clear();
        match equation(&mut w, &name, &ty, value) {
            Ok(eq) => {
                let at = param.map_or(format!("result `{name}`"), |_| format!("%{name}"));
                if w.reads.iter().any(|p| assigned.contains(p)) {
                    problems.push(construct(
                        f,
                        at,
                        "an out/inout parameter",
                        "it reads another out/inout parameter already written".into(),
                    ));
                } else if is_constant_boolean(&w.t, w.t.node(eq).args[1]) {
                    problems.push(construct(
                        f,
                        at,
                        "a constant boolean result",
                        "SymPy evaluates Equality(y[i], true) to false".into(),
                    ));
                }
                eqs.push(eq);
            }
            Err(reason) => problems.push(construct(
                f,
                format!("result `{name}`"),
                "an expression",
                reason,
            )),
        }
        if let Some(i) = param {
            assigned.insert(i as u32);
        }
    }
    if !problems.is_empty() {
        return Err(Error::Export(problems));
    }
    let root = match eqs.as_slice() {
        [one] => *one,
        _ => w.t.make(Head::Tuple, eqs),
    };
    check_size(f, &w.t, root, opts)?;
    Ok((w.t, root))
}

/// `Equality(lhs, rhs)` for one result or out/inout parameter.
fn equation(
    w: &mut Writer,
    name: &str,
    ty: &air_ir::TensorType,
    value: Value,
) -> Result<NodeId, String> {
    let idx: Vec<NodeId> = ty.shape.iter().map(|d| w.idx("i", d)).collect();
    let assumptions: &[&str] = if ty.dtype.is_int() { &["integer"] } else { &[] };
    let label = w.t.symbol(name, assumptions);
    let lhs = if idx.is_empty() {
        label
    } else {
        let shape: Vec<NodeId> = ty.shape.iter().map(|d| w.dim(d)).collect();
        let shape = w.t.make(Head::Tuple, shape);
        let base = w.t.make(Head::IndexedBase, vec![label, shape]);
        let mut args = vec![base];
        args.extend(&idx);
        w.t.make(Head::Indexed, args)
    };
    let mut rhs = top(w, value, &idx)?;
    if is_boolean(&w.t, rhs) && !is_constant_boolean(&w.t, rhs) {
        // Equality(y, relation) would evaluate to true or false; a Piecewise of truth values
        // stays an expression.
        let (t, f, always) = (
            w.t.name(Head::True),
            w.t.name(Head::False),
            w.t.name(Head::True),
        );
        let p1 = w.t.make(Head::ExprCondPair, vec![t, rhs]);
        let p2 = w.t.make(Head::ExprCondPair, vec![f, always]);
        rhs = w.t.make(Head::Piecewise, vec![p1, p2]);
    }
    Ok(w.t.make(Head::Rel(air_ir::BinaryOp::Eq), vec![lhs, rhs]))
}

/// The right side: an einsum or matmul of parameters as SymPy's implicit sum
/// (`A[i, j]*x[j]`) when SymPy's contraction structure sums exactly its summed indices,
/// anything else as its element expression (with explicit `Sum`s).
fn top(w: &mut Writer, value: Value, idx: &[NodeId]) -> Result<NodeId, String> {
    if let Value::Result { node, .. } = value {
        let n = w.f.body.node(node);
        let params = n.operands.iter().all(|v| matches!(v, Value::Param(_)));
        if let (Op::Einsum { spec }, true) = (&n.op, params) {
            let implicit = contracts_as_sympy(spec, &n.operands);
            return w.einsum(spec, &n.operands, idx, implicit);
        }
        if let (Op::Matmul, true) = (&n.op, params) {
            return w.matmul(n.operands[0], n.operands[1], idx, true);
        }
    }
    w.elem(value, idx)
}

/// True when SymPy's `get_contraction_structure` of the einsum's product, written with one
/// `Idx` per letter, contracts exactly the letters absent from the output: each is repeated
/// in one operand and absent from the others (a trace), or appears once in each of two or more
/// operands. A letter in no such place would be left to AIR's own rule, or read otherwise;
/// and a factor written twice would be read by SymPy as a power, which contracts nothing.
fn contracts_as_sympy(spec: &str, operands: &[Value]) -> bool {
    let Ok(s) = air_ir::infer::parse_einsum(spec) else {
        return false;
    };
    let factors: Vec<(&Value, &Vec<char>)> = operands.iter().zip(&s.inputs).collect();
    if (1..factors.len()).any(|k| factors[..k].contains(&factors[k])) {
        return false;
    }
    let letters: std::collections::BTreeSet<char> = s.inputs.iter().flatten().copied().collect();
    letters.iter().filter(|c| !s.output.contains(c)).all(|c| {
        let counts: Vec<usize> = s
            .inputs
            .iter()
            .map(|t| t.iter().filter(|x| *x == c).count())
            .filter(|&k| k > 0)
            .collect();
        match counts.as_slice() {
            [k] => *k > 1,
            many => many.iter().all(|&k| k == 1),
        }
    })
}

/// True for SymPy's `true` and `false`.
fn is_constant_boolean(t: &Tree, n: NodeId) -> bool {
    matches!(&t.node(n).atom, Atom::Name(s) if s == "true" || s == "false")
}

/// Refuses trees nested deeper than the reader accepts, or longer than it reads.
fn check_size(f: &Function, t: &Tree, root: NodeId, opts: &Options) -> Result<(), Error> {
    let mut depth = vec![0usize; t.nodes.len()];
    let mut size = vec![0usize; t.nodes.len()];
    for (i, n) in t.nodes.iter().enumerate() {
        let own = match &n.atom {
            Atom::Call(h) | Atom::Name(h) | Atom::Int(h) => h.len() + 2,
            Atom::Str(s) => s.len() + 4,
            Atom::Neg => 1,
        };
        let kids = n.args.iter().chain(n.kwargs.iter().map(|(_, a)| a));
        let (mut d, mut s) = (0, own);
        for k in kids {
            d = d.max(depth[k.index()]);
            s = s.saturating_add(size[k.index()]).saturating_add(12);
        }
        depth[i] = d + 1;
        size[i] = s;
    }
    let (d, s) = (depth[root.index()], size[root.index()]);
    if d > opts.limits.max_depth || s > opts.limits.max_bytes {
        return Err(Error::Export(vec![construct(
            f,
            "the function".into(),
            "the whole expression",
            format!(
                "written as a tree it is {d} levels deep and about {s} bytes, over the reader's \
                 limits ({} levels, {} bytes)",
                opts.limits.max_depth, opts.limits.max_bytes
            ),
        )]));
    }
    Ok(())
}
