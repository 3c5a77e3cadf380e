//! Control flow and functions: `for` → `Scan`, `while` → `Scan` in while mode, `if` → `IfElse`, `call` and custom ops'
//! decompositions inlined, `custom` ops of domain `pytensor` (`Softmax`, `LogSoftmax`) as those
//! ops with their decomposition as the inner graph.

use std::collections::BTreeSet;

use air_ir::op::{AttrValue, CustomOp};
use air_ir::{BinaryOp, DType, Function, Intent, Node, Region, TensorType, UnaryOp};
use serde_json::{json, Value as Json};

use super::doc::{elemwise_json, op_json, Doc, Pt};
use super::ops::R;
use super::Ex;
use crate::table::ScalarKind;

impl Ex<'_> {
    /// `for(lo, hi, step, carried..., captured...)` → a `Scan` of `max(0, ceil((hi-lo)/step))`
    /// steps whose untraced sit-sot states are the counter and the carried values; captured
    /// values, the dims the body needs and the step are non-sequences.
    pub fn for_loop(
        &self,
        doc: &mut Doc,
        _r: &Region,
        node: &Node,
        body: &Region,
        ins: &[String],
    ) -> R<Vec<String>> {
        let n_carried = node.results.len();
        let (lo, hi, step) = (&ins[0], &ins[1], &ins[2]);
        let carried = &ins[3..3 + n_carried];
        let captured = &ins[3 + n_carried..];
        let i64s = Pt::scalar_tensor(DType::I64);
        let e = |k| elemwise_json(k, None);
        let steps = step_count(doc, lo, hi, step);
        let syms = needed_symbols(doc, body);

        let mut inner = Doc::default();
        let mut inner_in = vec![];
        let mut params = vec![];
        for (k, p) in body.params.iter().enumerate() {
            let id = inner.input(&p.name, &Pt::of(&p.ty));
            inner.note_dims(&id, &p.ty);
            if k == 0 {
                inner_in.push(id.clone());
            }
            params.push(Some(id));
        }
        inner_in.extend(params[1..].iter().flatten().cloned());
        for (s, _) in &syms {
            let id = inner.input(s, &i64s);
            inner.bind_symbol(s, &id);
            inner_in.push(id);
        }
        let inner_step = inner.input("step", &i64s);
        inner_in.push(inner_step.clone());
        let yields = self
            .region(&mut inner, body, &params)
            .map_err(|c| c.reason)?;
        let next = inner.node1(
            e(ScalarKind::Binary(BinaryOp::Add)),
            &[inner_in[0].clone(), inner_step],
            i64s.clone(),
        );
        let mut inner_out = vec![next];
        inner_out.extend(yields);
        let graph = inner.finish(&inner_in, &inner_out);

        let info = json!({"dataclass": "ScanInfo", "fields": {
            "n_seqs": 0, "mit_mot_in_slices": [], "mit_mot_out_slices": [], "mit_sot_in_slices": [],
            "sit_sot_in_slices": [], "n_nit_sot": 0, "n_untraced_sit_sot": 1 + n_carried,
            "n_non_seqs": captured.len() + syms.len() + 1, "as_while": false}});
        let props = json!({"info": info, "name": "for", "truncate_gradient": -1, "profile": false, "allow_gc": false, "strict": true});
        let mut op = op_json("Scan", "Scan{for, while_loop=False, inplace=none}", props);
        if let Json::Object(o) = &mut op {
            o.insert("inner".into(), graph);
        }
        let mut outer_in = vec![steps, lo.clone()];
        outer_in.extend(carried.iter().cloned());
        outer_in.extend(captured.iter().cloned());
        outer_in.extend(syms.into_iter().map(|(_, v)| v));
        outer_in.push(step.clone());
        let mut outs = vec![i64s];
        outs.extend(node.results.iter().map(Pt::of));
        let mut results = doc.node(op, &outer_in, &outs);
        results.remove(0);
        Ok(results)
    }

    /// `while(carried..., captured...)` → a `Scan` in while mode (`as_while`) whose untraced
    /// sit-sot states are the carried values and whose non-sequences are the captured values and
    /// the dims the regions need. Its inner graph runs the body, then the condition on the new
    /// state, and yields `until = not cond`. PyTensor tests its condition after each step, AIR
    /// before the first too: the condition on the initial state is written in the outer graph
    /// and makes `n_steps` either 0 (the states come back as they are, the body never runs) or
    /// 2^63 - 1 (in effect no bound).
    pub fn while_loop(
        &self,
        doc: &mut Doc,
        node: &Node,
        cond: &Region,
        body: &Region,
        ins: &[String],
    ) -> R<Vec<String>> {
        let n_carried = node.results.len();
        let (carried, captured) = ins.split_at(n_carried);
        let i64s = Pt::scalar_tensor(DType::I64);
        let e = |k| elemwise_json(k, None);
        let outer_args: Vec<Option<String>> = ins.iter().cloned().map(Some).collect();
        let go = self.region(doc, cond, &outer_args).map_err(|c| c.reason)?;
        let [go] = go.as_slice() else {
            return Err("a while condition yields one value".to_string());
        };
        let (unbounded, none) = (doc.int(i64::MAX), doc.int(0));
        let steps = doc.node1(
            e(ScalarKind::Switch),
            &[go.clone(), unbounded, none],
            i64s.clone(),
        );
        let mut syms = needed_symbols(doc, body);
        for s in needed_symbols(doc, cond) {
            if !syms.contains(&s) {
                syms.push(s);
            }
        }

        let mut inner = Doc::default();
        let mut params = vec![];
        for p in &body.params {
            let id = inner.input(&p.name, &Pt::of(&p.ty));
            inner.note_dims(&id, &p.ty);
            params.push(Some(id));
        }
        let mut inner_in: Vec<String> = params.iter().flatten().cloned().collect();
        for (s, _) in &syms {
            let id = inner.input(s, &i64s);
            inner.bind_symbol(s, &id);
            inner_in.push(id);
        }
        let next = self
            .region(&mut inner, body, &params)
            .map_err(|c| c.reason)?;
        let mut cond_args: Vec<Option<String>> = next.iter().cloned().map(Some).collect();
        cond_args.extend(params[n_carried..].iter().cloned());
        let more = self
            .region(&mut inner, cond, &cond_args)
            .map_err(|c| c.reason)?;
        let [more] = more.as_slice() else {
            return Err("a while condition yields one value".to_string());
        };
        let until = inner.node1(
            e(ScalarKind::Unary(UnaryOp::Not)),
            std::slice::from_ref(more),
            Pt::scalar_tensor(DType::Bool),
        );
        let mut inner_out = next;
        inner_out.push(until);
        let graph = inner.finish(&inner_in, &inner_out);

        let info = json!({"dataclass": "ScanInfo", "fields": {
            "n_seqs": 0, "mit_mot_in_slices": [], "mit_mot_out_slices": [], "mit_sot_in_slices": [],
            "sit_sot_in_slices": [], "n_nit_sot": 0, "n_untraced_sit_sot": n_carried,
            "n_non_seqs": captured.len() + syms.len(), "as_while": true}});
        let props = json!({"info": info, "name": "while", "truncate_gradient": -1, "profile": false, "allow_gc": false, "strict": true});
        let mut op = op_json("Scan", "Scan{while, while_loop=True, inplace=none}", props);
        if let Json::Object(o) = &mut op {
            o.insert("inner".into(), graph);
        }
        let mut outer_in = vec![steps];
        outer_in.extend(carried.iter().cloned());
        outer_in.extend(captured.iter().cloned());
        outer_in.extend(syms.into_iter().map(|(_, v)| v));
        let outs: Vec<Pt> = node.results.iter().map(Pt::of).collect();
        Ok(doc.node(op, &outer_in, &outs))
    }

    /// `if(cond, args...)` → both branches written on `args`, then `IfElse`.
    pub fn if_else(
        &self,
        doc: &mut Doc,
        _r: &Region,
        node: &Node,
        then_b: &Region,
        else_b: &Region,
        ins: &[String],
    ) -> R<Vec<String>> {
        let args: Vec<Option<String>> = ins[1..].iter().cloned().map(Some).collect();
        let t = self.region(doc, then_b, &args).map_err(|c| c.reason)?;
        let f = self.region(doc, else_b, &args).map_err(|c| c.reason)?;
        let n = node.results.len();
        if n == 0 {
            return Ok(vec![]);
        }
        let mut inputs = vec![ins[0].clone()];
        inputs.extend(t);
        inputs.extend(f);
        let props = json!({"as_view": false, "n_outs": n});
        let outs: Vec<Pt> = node.results.iter().map(Pt::of).collect();
        Ok(doc.node(op_json("IfElse", "if{}", props), &inputs, &outs))
    }

    /// Writes `f`'s body on `args` (its `in` and `inout` params, in order) with `f`'s own
    /// symbols: the caller's are set aside meanwhile.
    fn inline(&self, doc: &mut Doc, f: &Function, args: &[String]) -> R<Vec<String>> {
        let mut it = args.iter();
        let mut params = vec![];
        for p in &f.params {
            params.push(if p.intent == Intent::Out {
                None
            } else {
                Some(
                    it.next()
                        .cloned()
                        .ok_or_else(|| format!("too few arguments for @{}", f.name))?,
                )
            });
        }
        let saved = doc.take_symbols();
        for (p, a) in f.params.iter().zip(&params) {
            if let Some(a) = a {
                doc.note_dims(a, &p.ty);
            }
        }
        let out = self.region(doc, &f.body, &params).map_err(|c| c.reason);
        doc.restore_symbols(saved);
        out
    }

    /// `call` → the callee inlined.
    pub fn call(&self, doc: &mut Doc, callee: &str, ins: &[String]) -> R<Vec<String>> {
        let f = self
            .m
            .function(callee)
            .ok_or_else(|| format!("no function @{callee}"))?;
        self.inline(doc, f, ins)
    }

    /// `custom`: `Softmax`/`LogSoftmax` of domain `pytensor`, else the decomposition inlined.
    pub fn custom(
        &self,
        doc: &mut Doc,
        node: &Node,
        c: &CustomOp,
        ins: &[String],
    ) -> R<Vec<String>> {
        let decomposition = c
            .decomposition
            .as_deref()
            .and_then(|d| self.m.function(d))
            .ok_or_else(|| format!("custom op {}.{} has no decomposition", c.domain, c.name))?;
        let pytensor_op =
            c.domain == "pytensor" && matches!(c.name.as_str(), "Softmax" | "LogSoftmax");
        if !pytensor_op || ins.len() != 1 || node.results.len() != 1 {
            return self.inline(doc, decomposition, ins);
        }
        let rank = doc.ty(&ins[0]).map_or(0, |t| t.shape.len()) as i64;
        let axis = match c.attrs.iter().find(|(k, _)| k == "axis").map(|(_, v)| v) {
            Some(AttrValue::Int(a)) => vec![if *a < 0 { a + rank } else { *a }],
            Some(AttrValue::Ints(a)) => a
                .iter()
                .map(|&x| if x < 0 { x + rank } else { x })
                .collect(),
            _ => vec![rank - 1],
        };
        let mut inner = Doc::default();
        let p = &decomposition.params[0];
        let id = inner.input(&p.name, &Pt::of(&p.ty));
        inner.note_dims(&id, &p.ty);
        let yields = self
            .region(&mut inner, &decomposition.body, &[Some(id.clone())])
            .map_err(|c| c.reason)?;
        let mut op = op_json(
            &c.name,
            &format!("{}{{axis={axis:?}}}", c.name),
            json!({"axis": axis}),
        );
        if let Json::Object(o) = &mut op {
            o.insert("inner".into(), inner.finish(&[id], &yields));
        }
        Ok(doc.node(op, ins, &[Pt::of(&node.results[0])]))
    }
}

/// `max(0, ceil((hi - lo) / step))` as int64 Elemwise nodes (ceil division by floor division:
/// `-((lo - hi) // step)`).
fn step_count(doc: &mut Doc, lo: &str, hi: &str, step: &str) -> String {
    let i64s = Pt::scalar_tensor(DType::I64);
    let e = |k| elemwise_json(k, None);
    let span = doc.node1(
        e(ScalarKind::Binary(BinaryOp::Sub)),
        &[hi.to_string(), lo.to_string()],
        i64s.clone(),
    );
    let neg = doc.node1(e(ScalarKind::Unary(UnaryOp::Neg)), &[span], i64s.clone());
    let q = doc.node1(
        e(ScalarKind::Binary(BinaryOp::FloorDiv)),
        &[neg, step.to_string()],
        i64s.clone(),
    );
    let ceil = doc.node1(e(ScalarKind::Unary(UnaryOp::Neg)), &[q], i64s.clone());
    let zero = doc.int(0);
    doc.node1(e(ScalarKind::Binary(BinaryOp::Max)), &[ceil, zero], i64s)
}

/// The symbols a loop body mentions that its parameters' types do not carry, with the outer
/// variables holding them (symbols made inside the body, such as a `filter`'s, are not here).
fn needed_symbols(doc: &mut Doc, body: &Region) -> Vec<(String, String)> {
    let mut wanted = BTreeSet::new();
    symbols_of_region(body, &mut wanted);
    let mut carried_by_params = BTreeSet::new();
    for p in &body.params {
        for d in &p.ty.shape {
            carried_by_params.extend(d.symbols().into_iter().map(str::to_string));
        }
    }
    wanted
        .difference(&carried_by_params)
        .filter_map(|s| {
            doc.dim(&air_ir::Dim::symbol(s.clone()))
                .map(|v| (s.clone(), v))
        })
        .collect()
}

/// Every symbol in a region's types and shape attributes, nested regions included.
fn symbols_of_region(r: &Region, out: &mut BTreeSet<String>) {
    let mut add = |t: &TensorType| {
        for d in &t.shape {
            out.extend(d.symbols().into_iter().map(str::to_string));
        }
    };
    for p in &r.params {
        add(&p.ty);
    }
    for n in &r.nodes {
        n.results.iter().for_each(&mut add);
        if let Some(shape) = n.op.shape_attr() {
            add(&TensorType::new(DType::F64, shape.to_vec()));
        }
    }
    for n in &r.nodes {
        for region in n.op.regions() {
            symbols_of_region(region, out);
        }
    }
}
