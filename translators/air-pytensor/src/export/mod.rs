//! AIR → `pytensor-fgraph-json/1`: one function written as the graph PyTensor's own builders
//! would make (see [`crate::table::AIR_OPS`] for what each AIR op becomes).
//!
//! Every construct PyTensor cannot express is listed first ([`check`]); only a function without
//! any is written. Dims that ops need as values (`Alloc`, `Reshape`, `ARange`) are read from a
//! variable carrying the symbol with `Shape_i`; a `for` body, a separate PyTensor graph, gets the
//! symbols it needs as extra non-sequences.

mod check;
mod control;
mod doc;
mod math;
mod ops;
mod scatter;
mod shape;
mod size;

use std::collections::{HashMap, HashSet};

use air_ir::{Function, Intent, Module, Region, Value};

use crate::error::{Construct, Error};
use crate::table::ScalarKind;
use crate::Options;
use doc::{elemwise_json, Doc, Pt};

/// The input `id` of AIR type `t`, through a `SpecifyShape` when its type says more than
/// PyTensor's input type can: an axis whose symbol an earlier input already has (`x: f64[m]`
/// after `A: f64[n, m]`), or whose extent is an expression (`n+1`). PyTensor input types only
/// know constant extents, so without it a dim equality that no node of the graph checks (the
/// signature of `f(A: f64[n, m], x: f64[m])` when only `A` is used, or only the shape of
/// `A @ x`) would be lost. The other axes are given as their own `Shape_i`; an axis whose
/// expression has a symbol no input carries is left to the graph.
fn specify_tied_dims(doc: &mut Doc, id: &str, t: &air_ir::TensorType) -> String {
    let tied = |axis: usize, d: &air_ir::Dim, doc: &Doc| -> bool {
        match (d.as_const(), d.as_symbol()) {
            (Some(_), _) => false,
            (None, Some(s)) => doc.source(s) != Some((id, axis)),
            (None, None) => true,
        }
    };
    if !t
        .shape
        .iter()
        .enumerate()
        .any(|(axis, d)| tied(axis, d, doc))
    {
        return id.to_string();
    }
    let mut shape = Vec::with_capacity(t.shape.len());
    for (axis, d) in t.shape.iter().enumerate() {
        let given = if tied(axis, d, doc) { doc.dim(d) } else { None };
        shape.push(match given {
            Some(v) => v,
            None => doc.shape_i(id, axis),
        });
    }
    let mut ins = vec![id.to_string()];
    ins.extend(shape);
    doc.node1(
        doc::op_json("SpecifyShape", "SpecifyShape", serde_json::json!({})),
        &ins,
        Pt::of(t),
    )
}

/// See [`crate::export`].
pub fn export(m: &Module, opts: &Options) -> Result<String, Error> {
    let f = entry(m, opts)?;
    let problems = check::check(m, f);
    if !problems.is_empty() {
        return Err(Error::Export(problems));
    }
    let inlined = size::inlined_nodes(m, f);
    if inlined > size::MAX_INLINED_NODES {
        let count = if inlined == u64::MAX {
            "more than 2^64".to_string()
        } else {
            inlined.to_string()
        };
        return Err(Error::Export(vec![Construct {
            function: f.name.clone(),
            at: "its calls".into(),
            what: "inlined size".into(),
            reason: format!(
                "pytensor-fgraph-json/1 has no shared functions, so every call is written out where \
                 it is made: this function would take {count} nodes, more than the limit of {}",
                size::MAX_INLINED_NODES
            ),
        }]));
    }
    let doc = Ex {
        m,
        function: &f.name,
    }
    .function(f)
    .map_err(|c| Error::Export(vec![c]))?;
    serde_json::to_string(&doc).map_err(|e| {
        Error::Export(vec![Construct {
            function: f.name.clone(),
            at: "document".into(),
            what: "JSON".into(),
            reason: e.to_string(),
        }])
    })
}

/// The function to write: the one `opts.function` names, else the module's entry function
/// ([`air_ir::reach::export_entry`]); a module with several functions and none of those names
/// is refused rather than a function picked by its place.
fn entry<'m>(m: &'m Module, opts: &Options) -> Result<&'m Function, Error> {
    air_ir::reach::export_entry(m, &opts.function).map_err(|c| Error::Export(vec![c]))
}

/// The exporter of one module.
pub(crate) struct Ex<'m> {
    pub m: &'m Module,
    pub function: &'m str,
}

impl Ex<'_> {
    /// A construct the writer met unexpectedly (the checker should have listed it).
    pub fn fail(&self, at: String, what: &str, reason: impl Into<String>) -> Construct {
        Construct {
            function: self.function.to_string(),
            at,
            what: what.to_string(),
            reason: reason.into(),
        }
    }

    fn function(&self, f: &Function) -> Result<serde_json::Value, Construct> {
        let mut doc = Doc::default();
        let mut inputs = vec![];
        let mut params = vec![];
        for p in &f.params {
            if p.intent == Intent::Out {
                params.push(None);
                continue;
            }
            let id = doc.input(&p.name, &Pt::of(&p.ty));
            doc.note_dims(&id, &p.ty);
            inputs.push(id.clone());
            params.push(Some(id));
        }
        for (p, id) in f.params.iter().zip(params.iter_mut()) {
            if let Some(id) = id {
                *id = specify_tied_dims(&mut doc, id, &p.ty);
            }
        }
        let yields = self.region(&mut doc, &f.body, &params)?;
        let mut names: Vec<String> = f
            .results
            .iter()
            .enumerate()
            .map(|(k, r)| r.name.clone().unwrap_or_else(|| format!("result{k}")))
            .collect();
        names.extend(
            f.params
                .iter()
                .filter(|p| p.intent != Intent::In)
                .map(|p| p.name.clone()),
        );
        let mut outputs = vec![];
        let mut seen = HashSet::new();
        for (y, name) in yields.iter().zip(&names) {
            let id = if doc.is_named_or_leaf(y) || !seen.insert(y.clone()) {
                let ty = doc
                    .ty(y)
                    .cloned()
                    .ok_or_else(|| self.fail(name.clone(), "result", "no type"))?;
                doc.node1(
                    elemwise_json(ScalarKind::Identity, None),
                    std::slice::from_ref(y),
                    ty,
                )
            } else {
                y.clone()
            };
            doc.rename(&id, name);
            outputs.push(id);
        }
        Ok(doc.finish(&inputs, &outputs))
    }

    /// Writes a region's nodes into `doc` with its params bound to `params` (`None` for an `out`
    /// parameter, never read); returns the yielded variables.
    pub fn region(
        &self,
        doc: &mut Doc,
        r: &Region,
        params: &[Option<String>],
    ) -> Result<Vec<String>, Construct> {
        let mut vals: HashMap<Value, String> = HashMap::new();
        for (i, p) in params.iter().enumerate() {
            if let Some(id) = p {
                vals.insert(Value::Param(i as u32), id.clone());
            }
        }
        for (k, node) in r.nodes.iter().enumerate() {
            let at = format!("%{k}");
            let ins = node
                .operands
                .iter()
                .map(|v| {
                    vals.get(v).cloned().ok_or_else(|| {
                        self.fail(at.clone(), node.op.name(), "an operand without a value")
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let outs = self
                .node(doc, r, node, &ins)
                .map_err(|why| self.fail(at.clone(), node.op.name(), why))?;
            if outs.len() != node.results.len() {
                return Err(self.fail(at, node.op.name(), "wrong result count"));
            }
            for (i, (id, t)) in outs.into_iter().zip(&node.results).enumerate() {
                doc.note_dims(&id, t);
                vals.insert(
                    Value::Result {
                        node: air_ir::NodeId(k as u32),
                        index: i as u32,
                    },
                    id,
                );
            }
        }
        r.results
            .iter()
            .map(|v| {
                vals.get(v)
                    .cloned()
                    .ok_or_else(|| self.fail("yield".into(), "yield", "a value without a variable"))
            })
            .collect()
    }
}
