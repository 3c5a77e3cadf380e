//! Splitting huge functions before code generation, so that compile time stays linear.
//!
//! LLVM's code generator is superlinear in the size of one function: register allocation, live
//! variable analysis and stack slot merging over a straight-line function of 20 000 calls take
//! 12 times as long as over 5 000. So a function whose body holds more than [`CHUNK_NODES`] nodes
//! (nested regions counted) is compiled as a chain of *part* functions of about [`CHUNK_NODES`]
//! nodes each, called in order by a function of the original name that holds only those calls:
//!
//! ```text
//! func @main(%x) { %a = ...; ...; %z = ...; return %z }          # 50 000 nodes
//! ```
//! becomes
//! ```text
//! func @main.part0(%x) -> (live values)          { the first ~1024 nodes }
//! func @main.part1(%x, live values) -> (live values) { the next ~1024 nodes }
//! ...
//! func @main(%x) { %p0 = call @main.part0 (%x); %p1 = call @main.part1 (%x, %p0#..); ...; return }
//! ```
//!
//! Each part takes every parameter of the original (so the dim symbols the original binds from
//! its parameters are bound the same way) and the values defined in earlier parts that it uses,
//! and returns the values it defines that later parts or the results use. The arithmetic is the
//! original's, node for node; what changes is that a value crossing a part boundary is handed
//! over as a buffer (a fresh buffer moves, a view is copied once).
//!
//! A boundary is only placed where the part after it is self-contained: every dim symbol its
//! types mention is bound by a lone dim of one of its parameters, or within the part by the node
//! that binds it in the original (a symbol bound by a call's result and used in a later part
//! only through a compound dim is neither); the boundary moves on until that holds. Functions with `out`/`inout` parameters are not split.
//! Nested regions (`for` and `if` bodies) are never split: their nodes count towards the part
//! holding the node.
//!
//! This happens after validation and only for the LLVM backend; the parts are internal (never
//! exported, no entry point), and the messages of their run-time checks name the original
//! function.

use std::collections::{HashMap, HashSet};

use air_ir::{
    Function, Intent, Module, Node, NodeId, Op, Param, Region, RegionParam, ResultDecl, TensorType,
    Value,
};

/// About how many nodes one part holds (a part ends at the first boundary at or past this).
pub(crate) const CHUNK_NODES: usize = 1024;

/// `module` with every function of more than two parts' worth of nodes split into parts, and
/// the original function of each part (for messages). `None` when no function is split.
pub(crate) fn split_large(module: &Module) -> Option<(Module, HashMap<String, String>)> {
    let mut taken: HashSet<String> = module.functions.iter().map(|f| f.name.clone()).collect();
    let mut origins = HashMap::new();
    let mut functions = Vec::with_capacity(module.functions.len());
    let mut changed = false;
    for f in &module.functions {
        match split_function(f, &mut taken) {
            Some((driver, parts)) => {
                changed = true;
                for p in &parts {
                    origins.insert(p.name.clone(), f.name.clone());
                }
                functions.push(driver);
                functions.extend(parts);
            }
            None => functions.push(f.clone()),
        }
    }
    changed.then(|| {
        (
            Module {
                functions,
                ..module.clone()
            },
            origins,
        )
    })
}

/// The number of nodes of a region, nested regions included.
fn weight(region: &Region) -> usize {
    region.nodes.iter().map(node_weight).sum()
}

fn node_weight(node: &Node) -> usize {
    1 + node.op.regions().into_iter().map(weight).sum::<usize>()
}

/// Every dim symbol mentioned by `ty`.
fn type_symbols<'t>(ty: &'t TensorType, out: &mut HashSet<&'t str>) {
    for d in &ty.shape {
        out.extend(d.symbols());
    }
}

/// Every dim symbol mentioned by the types of `region` (nested regions included).
fn region_symbols<'t>(region: &'t Region, out: &mut HashSet<&'t str>) {
    for p in &region.params {
        type_symbols(&p.ty, out);
    }
    for n in &region.nodes {
        for t in &n.results {
            type_symbols(t, out);
        }
        for r in n.op.regions() {
            region_symbols(r, out);
        }
    }
}

/// One part: the nodes `start..end` of the body, the earlier values it uses (in order of first
/// use) and the values it defines that are used after it.
struct Part {
    start: usize,
    end: usize,
    live_in: Vec<Value>,
    live_out: Vec<Value>,
}

/// Splits `f` into a driver (same name and signature) and its parts, or `None` when it is small,
/// has `out`/`inout` parameters, or has no self-contained boundary.
fn split_function(f: &Function, taken: &mut HashSet<String>) -> Option<(Function, Vec<Function>)> {
    let body = &f.body;
    if f.params.iter().any(|p| p.intent != Intent::In) || weight(body) <= 2 * CHUNK_NODES {
        return None;
    }
    let n = body.nodes.len();
    // The last node using each value (n: a result of the function).
    let mut last_use: HashMap<Value, usize> = HashMap::new();
    for (i, node) in body.nodes.iter().enumerate() {
        for &v in &node.operands {
            last_use.insert(v, i);
        }
    }
    for &v in &body.results {
        last_use.insert(v, n);
    }
    let parts = plan_parts(f, &last_use)?;
    let names: Vec<String> = (0..parts.len())
        .map(|k| fresh_name(&f.name, k, taken))
        .collect();
    let functions = parts
        .iter()
        .zip(&names)
        .map(|(p, name)| part_function(f, p, name))
        .collect();
    Some((driver(f, &parts, &names), functions))
}

/// The parts of `f`'s body, or `None` when there would be only one. A boundary is tried once a
/// part holds [`CHUNK_NODES`] nodes; where the part is not self-contained, the next try is at
/// twice the size (so the tries cost O(n log n) in all), and the rest of the body joins the
/// last part when less than [`CHUNK_NODES`] nodes are left.
fn plan_parts(f: &Function, last_use: &HashMap<Value, usize>) -> Option<Vec<Part>> {
    let body = &f.body;
    let n = body.nodes.len();
    let mentions = Mentions::new(f);
    let mut after = vec![0usize; n + 1];
    for i in (0..n).rev() {
        after[i] = after[i + 1] + node_weight(&body.nodes[i]);
    }
    let mut parts = Vec::new();
    let (mut start, mut next_try) = (0, CHUNK_NODES);
    for end in 1..n {
        let acc = after[start] - after[end];
        if acc < next_try || after[end] < CHUNK_NODES {
            continue;
        }
        match self_contained(f, &mentions, start, end, last_use) {
            Some(part) => {
                parts.push(part);
                (start, next_try) = (end, CHUNK_NODES);
            }
            None => next_try = acc.saturating_mul(2),
        }
    }
    // The last part; where it is not self-contained, it takes in the part before (a few times).
    for _ in 0..4 {
        if let Some(last) = self_contained(f, &mentions, start, n, last_use) {
            parts.push(last);
            return (parts.len() > 1).then_some(parts);
        }
        start = parts.pop()?.start;
    }
    None
}

/// Where the dim symbols of a function are mentioned by its top-level nodes (a node's result
/// types and nested regions): the first and last node, and whether the first node has the symbol
/// as a lone dim of a result (then that node binds it: a call, a runtime op, a view or a branch
/// of data-dependent size). Symbols of the parameters' types are left out.
struct Mentions<'f> {
    of: HashMap<&'f str, (usize, usize, bool)>,
}

impl<'f> Mentions<'f> {
    fn new(f: &'f Function) -> Self {
        let mut in_params = HashSet::new();
        for p in &f.params {
            type_symbols(&p.ty, &mut in_params);
        }
        let mut of: HashMap<&str, (usize, usize, bool)> = HashMap::new();
        for (i, node) in f.body.nodes.iter().enumerate() {
            let mut here = HashSet::new();
            for t in &node.results {
                type_symbols(t, &mut here);
            }
            for r in node.op.regions() {
                region_symbols(r, &mut here);
            }
            for s in here.into_iter().filter(|s| !in_params.contains(s)) {
                let lone = node
                    .results
                    .iter()
                    .any(|t| t.shape.iter().any(|d| d.as_symbol() == Some(s)));
                of.entry(s).and_modify(|e| e.1 = i).or_insert((i, i, lone));
            }
        }
        Mentions { of }
    }

    /// True when a part of nodes `start..end` binds `s` itself, as the original does: the node
    /// that first mentions it is in the part and binds it, or every mention is in one node of
    /// the part (a symbol of its nested regions).
    fn bound_within(&self, s: &str, start: usize, end: usize) -> bool {
        self.of.get(s).is_some_and(|&(first, last, lone)| {
            (start..end).contains(&first) && (lone || first == last)
        })
    }
}

/// The part `start..end` when every dim symbol its types mention is bound: by a lone dim of its
/// parameters (the function's and its live-in values'), or within the part as in the original.
fn self_contained(
    f: &Function,
    mentions: &Mentions<'_>,
    start: usize,
    end: usize,
    last_use: &HashMap<Value, usize>,
) -> Option<Part> {
    let body = &f.body;
    let mut live_in = Vec::new();
    let mut seen = HashSet::new();
    for node in &body.nodes[start..end] {
        for &v in &node.operands {
            if let Value::Result { node: def, .. } = v {
                if def.index() < start && seen.insert(v) {
                    live_in.push(v);
                }
            }
        }
    }
    let mut live_out = Vec::new();
    for (i, node) in body.nodes.iter().enumerate().take(end).skip(start) {
        for k in 0..node.results.len() {
            let v = Value::Result {
                node: NodeId(i as u32),
                index: k as u32,
            };
            if last_use.get(&v).is_some_and(|&u| u >= end) {
                live_out.push(v);
            }
        }
    }
    let param_types = f
        .params
        .iter()
        .map(|p| &p.ty)
        .chain(live_in.iter().filter_map(|&v| body.value_type(v)));
    let mut bound = HashSet::new();
    for ty in param_types.clone() {
        bound.extend(ty.shape.iter().filter_map(|d| d.as_symbol()));
    }
    let mut used = HashSet::new();
    for ty in param_types {
        type_symbols(ty, &mut used);
    }
    for node in &body.nodes[start..end] {
        for t in &node.results {
            type_symbols(t, &mut used);
        }
        for r in node.op.regions() {
            region_symbols(r, &mut used);
        }
    }
    let all_bound = used
        .iter()
        .all(|s| bound.contains(s) || mentions.bound_within(s, start, end));
    all_bound.then_some(Part {
        start,
        end,
        live_in,
        live_out,
    })
}

/// `<name>.part<k>`, or with more `_` until no function of the module has that name.
fn fresh_name(name: &str, k: usize, taken: &mut HashSet<String>) -> String {
    let mut candidate = format!("{name}.part{k}");
    while taken.contains(&candidate) {
        candidate.push('_');
    }
    taken.insert(candidate.clone());
    candidate
}

/// The function computing one part.
fn part_function(f: &Function, part: &Part, name: &str) -> Function {
    let body = &f.body;
    let p = f.params.len();
    let mut params = f.params.clone();
    let param_names: HashSet<&str> = f.params.iter().map(|q| q.name.as_str()).collect();
    let mut index_of: HashMap<Value, Value> = HashMap::new();
    for (j, &v) in part.live_in.iter().enumerate() {
        let mut pname = format!("live{j}");
        while param_names.contains(pname.as_str()) {
            pname.push('_');
        }
        params.push(Param {
            name: pname,
            ty: body
                .value_type(v)
                .cloned()
                .unwrap_or_else(scalar_placeholder),
            intent: Intent::In,
            size: None,
        });
        index_of.insert(v, Value::Param((p + j) as u32));
    }
    let remap = |v: Value| -> Value {
        match v {
            Value::Param(_) => v,
            Value::Result { node, index } if node.index() >= part.start => Value::Result {
                node: NodeId((node.index() - part.start) as u32),
                index,
            },
            Value::Result { .. } => index_of.get(&v).copied().unwrap_or(v),
        }
    };
    let nodes = body.nodes[part.start..part.end]
        .iter()
        .map(|node| Node {
            operands: node.operands.iter().map(|&v| remap(v)).collect(),
            ..node.clone()
        })
        .collect();
    let results = part
        .live_out
        .iter()
        .map(|&v| ResultDecl {
            name: None,
            ty: body
                .value_type(v)
                .cloned()
                .unwrap_or_else(scalar_placeholder),
        })
        .collect();
    let region_params = params
        .iter()
        .map(|q| RegionParam {
            name: q.name.clone(),
            ty: q.ty.clone(),
        })
        .collect();
    Function {
        name: name.to_string(),
        params,
        results,
        body: Region {
            params: region_params,
            nodes,
            results: part.live_out.iter().map(|&v| remap(v)).collect(),
        },
        loc: f.loc.clone(),
    }
}

/// Never used: every value of a validated module has a type.
fn scalar_placeholder() -> TensorType {
    TensorType {
        dtype: air_ir::DType::F64,
        shape: Vec::new(),
    }
}

/// The function of the original name and signature calling the parts in order.
fn driver(f: &Function, parts: &[Part], names: &[String]) -> Function {
    let body = &f.body;
    let mut now: HashMap<Value, Value> = HashMap::new();
    let mut nodes = Vec::with_capacity(parts.len());
    for (k, (part, name)) in parts.iter().zip(names).enumerate() {
        let mut operands: Vec<Value> = (0..f.params.len() as u32).map(Value::Param).collect();
        operands.extend(
            part.live_in
                .iter()
                .map(|v| now.get(v).copied().unwrap_or(*v)),
        );
        let results = part
            .live_out
            .iter()
            .map(|&v| {
                body.value_type(v)
                    .cloned()
                    .unwrap_or_else(scalar_placeholder)
            })
            .collect();
        for (j, &v) in part.live_out.iter().enumerate() {
            now.insert(
                v,
                Value::Result {
                    node: NodeId(k as u32),
                    index: j as u32,
                },
            );
        }
        nodes.push(Node {
            op: Op::Call {
                callee: name.clone(),
            },
            operands,
            results,
            name: None,
            loc: f.loc.clone(),
        });
    }
    Function {
        name: f.name.clone(),
        params: f.params.clone(),
        results: f.results.clone(),
        body: Region {
            params: body.params.clone(),
            nodes,
            results: body
                .results
                .iter()
                .map(|v| now.get(v).copied().unwrap_or(*v))
                .collect(),
        },
        loc: f.loc.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `@main`: `head`, `n` calls of `@id` in a chain from `%v0`, then `tail`.
    fn module(calls: usize, head: &str, tail: &str, ret: &str) -> Module {
        let mut s = String::from(
            "air 1 opset 1\nfunc @id(%a: f64[n]) -> (%r: f64[n]) {\n  return %a\n}\n\
             func @main(%x: f64[n]) -> (%y: f64[n]) {\n  %v0 = neg (%x) : f64[n]\n",
        );
        s += head;
        for i in 1..=calls {
            s += &format!("  %v{i} = call {{callee = @id}} (%v{}) : f64[n]\n", i - 1);
        }
        s += tail;
        s += &format!("  return {ret}\n}}\n");
        air_ir::text::parse(&s, "t.air").unwrap_or_else(|d| panic!("{d}"))
    }

    fn parts(m: &Module) -> Vec<(String, usize)> {
        split_large(m)
            .map(|(m, _)| {
                m.functions
                    .iter()
                    .map(|f| (f.name.clone(), f.body.nodes.len()))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn parts_hold_about_chunk_nodes_and_the_driver_only_calls() {
        let m = module(3 * CHUNK_NODES + 10, "", "", "%v3082");
        let got = parts(&m);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["id", "main", "main.part0", "main.part1", "main.part2"]
        );
        assert_eq!(got[1].1, 3, "the driver is three calls");
        assert_eq!(got[2].1, CHUNK_NODES);
        assert_eq!(got[4].1, CHUNK_NODES + 11);
    }

    #[test]
    fn a_part_name_taken_by_a_function_of_the_module_is_not_reused() {
        let mut m = module(3 * CHUNK_NODES, "", "", "%v3072");
        let mut taken = m.functions[0].clone();
        taken.name = "main.part1".into();
        m.functions.push(taken);
        let names: Vec<String> = parts(&m).into_iter().map(|(n, _)| n).collect();
        assert!(names.contains(&"main.part1_".to_string()), "{names:?}");
        assert_eq!(names.iter().filter(|n| *n == "main.part1").count(), 1);
    }

    #[test]
    fn no_boundary_where_a_later_part_cannot_bind_a_symbol() {
        // `k` is bound by `filter` at the start; `%f2` (`f64[2*k]`) is all that crosses to the
        // end, and a compound dim binds nothing: no part may start after the filter.
        let head = "  %m = gt (%x, %x) : bool[n]
  %f = filter (%x, %m) : f64[k]
  %f2 = concat {axis = 0} (%f, %f) : f64[2*k]
";
        let tail = "  %g = add (%f2, %f2) : f64[2*k]\n";
        let m = module(3 * CHUNK_NODES, head, tail, "%v3072");
        assert!(parts(&m).is_empty());
        // Through `%f` itself (`f64[k]`), it can.
        let tail = "  %g = add (%f, %f) : f64[k]\n";
        assert_eq!(
            parts(&module(3 * CHUNK_NODES, head, tail, "%v3072")).len(),
            5
        );
    }

    #[test]
    fn functions_with_out_parameters_and_small_ones_are_kept() {
        assert!(parts(&module(2 * CHUNK_NODES - 10, "", "", "%v2038")).is_empty());
        let mut m = module(3 * CHUNK_NODES, "", "", "%v3072");
        m.functions[1].params[0].intent = Intent::InOut;
        assert!(parts(&m).is_empty());
    }
}
