//! The printer: canonical, deterministic text for any module.
//!
//! Names (spec §1.6) print bare when they are an `IDENT` and quoted otherwise: `%x`, `%"a b"`,
//! `@"f\n"`, `{"my key" = 1}`. A node prints under its name unless that name is already taken by
//! a parameter or an earlier node of the same region (which the validator refuses, E0304); an
//! unnamed or clashing node prints as `%<arena index>`, which reads back as an anonymous node
//! (a node named `7` prints as `%"7"`, which reads back named). Printing a module read from text
//! gives that text back exactly, and reading the print of a valid module gives the module back.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::literal::{fmt_f64, fmt_literal, quote};
use crate::attrs::to_generic;
use crate::module::{Function, Intent, Location, Module, Node, NodeId, Region, Value};
use crate::name::text_form;
use crate::op::{AttrValue, Bound, SliceAxis};
use crate::types::TensorType;

/// Prints a module in the canonical text form.
pub fn print(m: &Module) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "air {} opset {}", m.ir_version, m.opset_version);
    if !m.producer.is_empty() {
        let _ = writeln!(out, "producer {}", quote(&m.producer));
    }
    for (k, v) in &m.metadata {
        let _ = writeln!(out, "meta {} = {}", quote(k), quote(v));
    }
    for f in &m.functions {
        out.push('\n');
        out.push_str(&print_function(f));
    }
    out
}

/// Prints one function, as it appears in a module.
pub fn print_function(f: &Function) -> String {
    let mut out = format!("func @{}(", text_form(&f.name));
    for (i, p) in f.params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match p.intent {
            Intent::In => {}
            Intent::Out | Intent::InOut => {
                out.push_str(p.intent.keyword());
                out.push(' ');
            }
        }
        let _ = write!(out, "%{}: {}", text_form(&p.name), p.ty);
        if let Some(s) = &p.size {
            let _ = write!(out, " size {s}");
        }
    }
    out.push_str(") -> (");
    for (i, r) in f.results.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if let Some(n) = &r.name {
            let _ = write!(out, "%{}: ", text_form(n));
        }
        let _ = write!(out, "{}", r.ty);
    }
    out.push(')');
    write_loc(&mut out, f.loc.as_ref());
    out.push_str(" {\n");
    // The signature declares the body's parameters, so they print under the signature's names.
    let params: Vec<String> = f.params.iter().map(|p| p.name.clone()).collect();
    write_body(&mut out, &f.body, params, 1, "return");
    out.push_str("}\n");
    out
}

/// Prints a type: `f64[n, m]`, or `f64` for a scalar.
pub fn print_type(t: &TensorType) -> String {
    t.to_string()
}

/// One node rendered on one line, without regions or location:
/// `%7 = matmul (%A, %B) : f64[n, k]`, with the names the printer would use.
///
/// Only the names it prints are worked out (the node's and its operands'), without naming the
/// whole region: a validator report renders up to a hundred of these for one huge region.
pub fn node_summary(region: &Region, id: NodeId) -> String {
    let params: Vec<String> = region.params.iter().map(|p| p.name.clone()).collect();
    let upto = id.index().min(region.nodes.len().saturating_sub(1));
    // Empty strings do not allocate; only the nodes printed get their name.
    let mut nodes = vec![String::new(); upto + 1];
    let operands = region
        .nodes
        .get(id.index())
        .map_or(&[][..], |n| &n.operands[..]);
    for &v in operands.iter().chain([Value::of(id)].iter()) {
        if let Value::Result { node, .. } = v {
            if let Some(slot) = nodes.get_mut(node.index()) {
                *slot = printed_name(region, &params, node.index());
            }
        }
    }
    let params = params.iter().map(|p| text_form(p).into_owned()).collect();
    let names = Names { params, nodes };
    match region.nodes.get(id.index()) {
        Some(node) => {
            let mut out = String::new();
            write_node_head(&mut out, node, id, &names, region);
            out
        }
        None => format!("{id} = <no such node>"),
    }
}

/// The name [`Names::new`] gives node `j`: its own (quoted when it is not an identifier) when no
/// parameter and no earlier node has it, else its number.
fn printed_name(region: &Region, params: &[String], j: usize) -> String {
    let nodes = &region.nodes;
    match nodes.get(j).and_then(|n| n.name.as_deref()) {
        Some(name)
            if !params.iter().any(|p| p == name)
                && !nodes[..j].iter().any(|k| k.name.as_deref() == Some(name)) =>
        {
            text_form(name).into_owned()
        }
        _ => j.to_string(),
    }
}

/// The printed name (without `%`) of every value of one region.
struct Names {
    params: Vec<String>,
    nodes: Vec<String>,
}

impl Names {
    fn new(region: &Region, params: Vec<String>) -> Names {
        let mut used: HashSet<&str> = params.iter().map(String::as_str).collect();
        let mut nodes = Vec::with_capacity(region.nodes.len());
        for (i, n) in region.nodes.iter().enumerate() {
            match n.name.as_deref() {
                Some(name) if used.insert(name) => nodes.push(text_form(name).into_owned()),
                _ => nodes.push(i.to_string()),
            }
        }
        let params = params.iter().map(|p| text_form(p).into_owned()).collect();
        Names { params, nodes }
    }

    /// `%name` or `%name#k` (a `#k` whenever the producer does not have exactly one result).
    fn value(&self, v: Value, region: &Region) -> String {
        match v {
            Value::Param(i) => match self.params.get(i as usize) {
                Some(n) => format!("%{n}"),
                None => format!("%<param {i}>"),
            },
            Value::Result { node, index } => {
                let name = self
                    .nodes
                    .get(node.index())
                    .cloned()
                    .unwrap_or_else(|| node.0.to_string());
                let single = region
                    .nodes
                    .get(node.index())
                    .is_some_and(|n| n.results.len() == 1);
                if single && index == 0 {
                    format!("%{name}")
                } else {
                    format!("%{name}#{index}")
                }
            }
        }
    }

    fn values(&self, vs: &[Value], region: &Region) -> String {
        let v: Vec<String> = vs.iter().map(|&v| self.value(v, region)).collect();
        v.join(", ")
    }
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// The statements of a region and its terminator line, at `level`.
fn write_body(
    out: &mut String,
    region: &Region,
    params: Vec<String>,
    level: usize,
    terminator: &str,
) {
    let names = Names::new(region, params);
    for (i, node) in region.nodes.iter().enumerate() {
        indent(out, level);
        let id = NodeId(u32::try_from(i).unwrap_or(u32::MAX));
        write_node_head(out, node, id, &names, region);
        for r in node.op.regions() {
            out.push_str(" {\n");
            write_region(out, r, level + 1);
            indent(out, level);
            out.push('}');
        }
        write_loc(out, node.loc.as_ref());
        out.push('\n');
    }
    indent(out, level);
    out.push_str(terminator);
    if !region.results.is_empty() {
        out.push(' ');
        out.push_str(&names.values(&region.results, region));
    }
    out.push('\n');
}

/// A nested region's parameter line and body, at `level`.
fn write_region(out: &mut String, r: &Region, level: usize) {
    indent(out, level);
    let ps: Vec<String> = r
        .params
        .iter()
        .map(|p| format!("%{}: {}", text_form(&p.name), p.ty))
        .collect();
    let _ = writeln!(out, "({}):", ps.join(", "));
    write_body(
        out,
        r,
        r.params.iter().map(|p| p.name.clone()).collect(),
        level,
        "yield",
    );
}

/// `lhs = op {attrs} (operands) : types`.
fn write_node_head(out: &mut String, node: &Node, id: NodeId, names: &Names, region: &Region) {
    let name = names
        .nodes
        .get(id.index())
        .cloned()
        .unwrap_or_else(|| id.0.to_string());
    let g = to_generic(&node.op);
    let _ = write!(out, "%{name}");
    if node.results.len() != 1 {
        let _ = write!(out, ":{}", node.results.len());
    }
    let _ = write!(out, " = {}", g.name);
    if !g.attrs.is_empty() {
        out.push_str(" {");
        for (i, (k, v)) in g.attrs.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{} = {}", key_text(k), attr_text(v));
        }
        out.push('}');
    }
    let _ = write!(out, " ({}) : ", names.values(&node.operands, region));
    if node.results.len() == 1 {
        let _ = write!(out, "{}", node.results[0]);
    } else {
        let ts: Vec<String> = node.results.iter().map(ToString::to_string).collect();
        let _ = write!(out, "({})", ts.join(", "));
    }
}

fn write_loc(out: &mut String, loc: Option<&Location>) {
    match loc {
        None => {}
        Some(Location::File { file, line, col }) => {
            let _ = write!(out, " loc({}:{line}:{col})", quote(file));
        }
        Some(Location::Foreign(s)) => {
            let _ = write!(out, " loc({})", quote(s));
        }
    }
}

/// An attribute name as written: bare when an identifier, else a quoted string.
fn key_text(k: &str) -> std::borrow::Cow<'_, str> {
    text_form(k)
}

/// An attribute value as written.
pub(crate) fn attr_text(v: &AttrValue) -> String {
    fn list<T>(xs: &[T], f: impl Fn(&T) -> String) -> String {
        let v: Vec<String> = xs.iter().map(f).collect();
        format!("[{}]", v.join(", "))
    }
    match v {
        AttrValue::Int(i) => i.to_string(),
        AttrValue::Float(f) => fmt_f64(*f),
        AttrValue::Str(s) => quote(s),
        AttrValue::Bool(b) => b.to_string(),
        AttrValue::Ints(xs) => list(xs, i64::to_string),
        AttrValue::Floats(xs) => list(xs, |f| fmt_f64(*f)),
        AttrValue::Strs(xs) => list(xs, |s| quote(s)),
        AttrValue::DType(d) => d.name().to_string(),
        AttrValue::Shape(ds) => list(ds, ToString::to_string),
        AttrValue::Literal(l) => fmt_literal(l),
        AttrValue::Slices(ss) => list(ss, slice_text),
        AttrValue::Func(f) => format!("@{}", text_form(f)),
    }
}

/// `start:stop` when the step is 1, `start:stop:step` otherwise, `:` for a whole axis.
fn slice_text(s: &SliceAxis) -> String {
    let b = |b: &Bound| match b {
        Bound::Default => String::new(),
        Bound::Const(i) => i.to_string(),
        Bound::Operand(k) => format!("#{k}"),
    };
    if s.step == 1 {
        format!("{}:{}", b(&s.start), b(&s.stop))
    } else {
        format!("{}:{}:{}", b(&s.start), b(&s.stop), s.step)
    }
}
