//! `pytensor-fgraph-json/1` → AIR.
//!
//! The document is checked ([`crate::json`]), every op is looked up in [`crate::table`] (all
//! unknown or unsupported ops are reported together, before anything is built), then the graph
//! is walked in topological order and each node is lowered through [`air_ir::builder`] with dim
//! unification on: PyTensor's unknown dims become symbols `<input>_<axis>`, and ops that force
//! dims equal (elementwise broadcasting of non-broadcastable dims, contractions, declared static
//! shapes) unify them.
//!
//! Integer values computed from shapes (`Shape`, `Shape_i`, `Subtensor` of them, arithmetic on
//! them, `MakeVector`) are tracked as dim expressions ([`Known`]), so `Alloc`, `Reshape`,
//! `ARange` and slice bounds get static or symbolic extents; such a value becomes an AIR value
//! only when something reads it as data.

mod check;
mod control;
mod dce;
mod dims;
mod elemwise;
mod index;
mod literal;
mod masked;
mod reduce;
mod scatter;
mod shape;
mod unique;

use std::collections::{HashMap, HashSet};

use air_ir::builder::{FunctionBuilder, RegionBuilder};
use air_ir::{DType, Dim, Intent, Literal, Module, Op, Scalar, TensorType, Value};
use serde_json::Value as Json;

use crate::error::{Error, Problem, ProblemKind};
use crate::json::{self, Graph, Node, VarKind, VarType};
use crate::table::{self, TensorOp};
use crate::Options;
use literal::{exact_cast, known_of_literal, literal, scalar_literal};

/// A problem while lowering one node: its kind and message (the node's place is added).
pub(crate) type Res<T> = Result<T, (ProblemKind, String)>;

/// An unsupported use of a known op.
pub(crate) fn unsupported<T>(msg: impl Into<String>) -> Res<T> {
    Err((ProblemKind::Unsupported, msg.into()))
}

/// An ill-formed node.
pub(crate) fn invalid<T>(msg: impl Into<String>) -> Res<T> {
    Err((ProblemKind::Invalid, msg.into()))
}

/// A builder diagnostic as a node problem: a shape problem is a dims problem, every other code
/// (now and in future: the builder checks what the validator checks) makes the node invalid.
#[allow(clippy::wildcard_enum_match_arm)]
pub(crate) fn air<T>(r: Result<T, air_ir::Diagnostic>) -> Res<T> {
    r.map_err(|d| {
        let kind = match d.code {
            air_ir::Code::ShapeMismatch | air_ir::Code::BadBroadcast => ProblemKind::Dims,
            _ => ProblemKind::Invalid,
        };
        (kind, d.message)
    })
}

/// An integer value known when importing: a dim expression per element.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Known {
    /// The elements (one for a rank-0 value).
    pub dims: Vec<Dim>,
    /// True for a rank-0 value, false for a vector.
    pub scalar: bool,
}

impl Known {
    /// A rank-0 known value.
    pub fn scalar(d: Dim) -> Known {
        Known {
            dims: vec![d],
            scalar: true,
        }
    }

    /// The value of a rank-0 known, or of a one-element vector.
    pub fn one(&self) -> Option<&Dim> {
        match self.dims.as_slice() {
            [d] => Some(d),
            _ => None,
        }
    }

    /// The value as a constant, when it is one.
    pub fn constant(&self) -> Option<i64> {
        self.one().and_then(Dim::as_const)
    }
}

/// What the importer holds for a PyTensor variable.
#[derive(Clone, Debug)]
pub(crate) struct Val {
    /// The AIR value, once there is one.
    pub air: Option<Value>,
    /// The integer value, when known at import time.
    pub known: Option<Known>,
}

impl Val {
    /// A plain AIR value.
    pub fn of(v: Value) -> Val {
        Val {
            air: Some(v),
            known: None,
        }
    }
}

/// The lowering of one graph into one region.
pub(crate) struct Imp<'a, 'g> {
    /// The region being built.
    pub rb: &'a mut RegionBuilder,
    /// The graph.
    pub g: &'g Graph,
    vals: Vec<Option<Val>>,
    bad: Vec<bool>,
    /// The literal of every constant node this importer made, to fold casts of constants.
    consts: HashMap<Value, Literal>,
    /// The constant node of every literal this importer made: identical constants are one node
    /// (as the exporter writes them), so an import of an export settles.
    shared: HashMap<Literal, Value>,
    /// The options.
    pub opts: &'a Options,
    /// Problems found so far (shared with nested graphs).
    pub problems: &'a mut Vec<Problem>,
}

/// See [`crate::import`].
pub fn import(text: &str, opts: &Options) -> Result<Module, Error> {
    let g = json::parse(text, &opts.limits).map_err(Error::Parse)?;
    let mut problems = vec![];
    check::check_ops(&g, &mut problems);
    if !problems.is_empty() {
        return Err(Error::Import(problems));
    }
    let mut fb = FunctionBuilder::new(&opts.function).unify_dims(true);
    let mut names = HashSet::new();
    let mut inputs = vec![];
    for (k, &i) in g.inputs.iter().enumerate() {
        let var = &g.vars[i];
        let name = unique_ident(var.name.as_deref(), &format!("in{k}"), &mut names);
        let shape = var
            .ty
            .shape
            .iter()
            .enumerate()
            .map(|(axis, d)| match d {
                Some(c) => Dim::constant(*c as i64),
                None => Dim::symbol(format!("{name}_{axis}")),
            })
            .collect();
        let v = fb.param(&name, TensorType::new(var.ty.dtype, shape), Intent::In);
        inputs.push(Val::of(v));
    }
    let outputs = import_graph(fb.body(), &g, inputs, opts, &mut problems);
    let outputs = match outputs {
        Some(o) if problems.is_empty() => o,
        _ => return Err(Error::Import(problems)),
    };
    let mut result_names = HashSet::new();
    let results: Vec<(Option<String>, Value)> = g
        .outputs
        .iter()
        .zip(outputs)
        .enumerate()
        .map(|(k, (&o, v))| {
            let fallback = format!("out{k}");
            let name = unique_ident(g.vars[o].name.as_deref(), &fallback, &mut result_names);
            (Some(name), v)
        })
        .collect();
    let mut f = fb
        .finish(&results)
        .map_err(|d| dims::contradiction(d, &g))?;
    dce::prune(&mut f.body);
    let mut m = Module {
        producer: format!("air-pytensor {}", env!("CARGO_PKG_VERSION")),
        functions: vec![f],
        ..Module::default()
    };
    // The lowest op set with every op used, so older readers read what they can (spec section 2).
    m.opset_version = m.required_opset();
    Ok(m)
}

/// Lowers `g` into `rb` with its inputs bound to `inputs`; the outputs' AIR values, or `None`
/// when a problem was recorded.
pub(crate) fn import_graph(
    rb: &mut RegionBuilder,
    g: &Graph,
    inputs: Vec<Val>,
    opts: &Options,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Value>> {
    let mut imp = Imp {
        rb,
        g,
        vals: vec![None; g.vars.len()],
        bad: vec![false; g.vars.len()],
        consts: HashMap::new(),
        shared: HashMap::new(),
        opts,
        problems,
    };
    if inputs.len() != g.inputs.len() {
        imp.problems.push(Problem::new(
            ProblemKind::Invalid,
            format!(
                "the graph has {} inputs, {} given",
                g.inputs.len(),
                inputs.len()
            ),
            &g.place,
        ));
        return None;
    }
    for (&i, v) in g.inputs.iter().zip(inputs) {
        imp.vals[i] = Some(v);
    }
    let live = dce::live_nodes(g);
    for &k in g.order.iter().filter(|&&k| live[k]) {
        let node = &g.nodes[k];
        if node.inputs.iter().any(|&i| imp.bad[i]) {
            node.outputs.iter().for_each(|&o| imp.bad[o] = true);
            continue;
        }
        if let Err((kind, message)) = imp.node(k, node) {
            imp.problems.push(Problem::new(kind, message, &node.place));
            node.outputs.iter().for_each(|&o| imp.bad[o] = true);
        }
    }
    let mut out = vec![];
    for &o in &g.outputs {
        if imp.bad[o] {
            return None;
        }
        match imp.air(o) {
            Ok(v) => out.push(v),
            Err((kind, message)) => {
                let at = g.place.with(format!("output {}", g.vars[o].id));
                imp.problems.push(Problem::new(kind, message, &at));
                return None;
            }
        }
    }
    Some(out)
}

impl Imp<'_, '_> {
    /// Lowers one node and records its outputs.
    fn node(&mut self, k: usize, node: &Node) -> Res<()> {
        let Some(entry) = table::tensor_op(&node.op.class, &node.op.module) else {
            return Err((ProblemKind::UnknownOp, "unknown op".into()));
        };
        let outs = match entry.op {
            TensorOp::Elemwise => self.elemwise(node)?,
            TensorOp::DimShuffle => self.dimshuffle(node)?,
            TensorOp::Reduce => self.reduce(node)?,
            TensorOp::Argmax => self.argmax(node)?,
            TensorOp::Dot | TensorOp::Blockwise => self.dot(node)?,
            TensorOp::Subtensor => self.subtensor(node)?,
            TensorOp::IncSubtensor => self.inc_subtensor(node)?,
            TensorOp::AdvancedSubtensor1 | TensorOp::AdvancedSubtensor => {
                self.advanced_subtensor(node)?
            }
            TensorOp::AdvancedIncSubtensor => self.advanced_inc_subtensor(node)?,
            TensorOp::Join => self.join(node)?,
            TensorOp::Alloc | TensorOp::AllocEmpty => self.alloc(node, entry.op)?,
            TensorOp::MakeVector => self.make_vector(node)?,
            TensorOp::ScalarConvert | TensorOp::SpecifyShape => self.pass_through(node)?,
            TensorOp::ARange => self.arange(node)?,
            TensorOp::ExtractDiag => self.extract_diag(node)?,
            TensorOp::Shape | TensorOp::ShapeI => self.shape(node, entry.op)?,
            TensorOp::Reshape => self.reshape(node)?,
            TensorOp::CumOp => self.cumop(node)?,
            TensorOp::SortOp => self.sort(node)?,
            TensorOp::Unique => self.unique(node)?,
            TensorOp::InnerGraph => self.inner_graph(k, node)?,
            TensorOp::Scan => self.scan(k, node)?,
            TensorOp::IfElse => self.if_else(node)?,
            TensorOp::Unsupported => return unsupported("unsupported op"),
        };
        if outs.len() != node.outputs.len() {
            return invalid(format!(
                "the node has {} outputs, {} expected",
                node.outputs.len(),
                outs.len()
            ));
        }
        for (&o, val) in node.outputs.iter().zip(outs) {
            let val = self.conform(o, val)?;
            self.vals[o] = Some(val);
        }
        Ok(())
    }

    /// Checks a node output against its declared type: the dtype must agree (a cast is added
    /// when PyTensor's declared dtype differs from AIR's result), the rank must, and declared
    /// static dims are unified with AIR's.
    fn conform(&mut self, o: usize, mut val: Val) -> Res<Val> {
        let want = self.g.vars[o].ty.clone();
        let Some(v) = val.air else {
            return Ok(val);
        };
        let t = self.ty(v)?;
        if t.rank() != want.shape.len() {
            return invalid(format!(
                "{} has rank {} in AIR, {} declared",
                self.g.vars[o].id,
                t.rank(),
                want.shape.len()
            ));
        }
        for (d, w) in t.shape.iter().zip(&want.shape) {
            if let Some(c) = w {
                self.unify(d, &Dim::constant(*c as i64))?;
            }
        }
        val.air = Some(self.cast(v, want.dtype)?);
        Ok(val)
    }

    /// What the importer knows of a variable (a constant is read on first use).
    pub fn val(&mut self, v: usize) -> Res<Val> {
        if let Some(val) = &self.vals[v] {
            return Ok(val.clone());
        }
        let var = &self.g.vars[v];
        let VarKind::Constant(raw) = &var.kind else {
            return invalid(format!("variable {} is used before it is computed", var.id));
        };
        let lit = literal(raw, &var.ty)?;
        let known = known_of_literal(&lit);
        let val = Val { air: None, known };
        self.vals[v] = Some(val.clone());
        Ok(val)
    }

    /// The integer value of a variable, when known at import time.
    pub fn known(&mut self, v: usize) -> Res<Option<Known>> {
        Ok(self.val(v)?.known)
    }

    /// The AIR value of a variable (built now for a constant or a known value).
    pub fn air(&mut self, v: usize) -> Res<Value> {
        let val = self.val(v)?;
        if let Some(a) = val.air {
            return Ok(a);
        }
        let var = &self.g.vars[v];
        let a = match &var.kind {
            VarKind::Constant(raw) => {
                let lit = literal(raw, &var.ty)?;
                self.constant(lit)?
            }
            VarKind::Input | VarKind::NodeOutput { .. } => match &val.known {
                Some(k) => self.materialize(k, var.ty.dtype)?,
                None => return invalid(format!("variable {} has no value", var.id)),
            },
        };
        if let Some(slot) = self.vals[v].as_mut() {
            slot.air = Some(a);
        }
        Ok(a)
    }

    /// A `constant` node, shared with an identical one and remembered so casts of it fold.
    pub fn constant(&mut self, lit: Literal) -> Res<Value> {
        if let Some(&v) = self.shared.get(&lit) {
            return Ok(v);
        }
        let v = air(self.rb.op(Op::Constant(lit.clone()), &[]))?;
        self.consts.insert(v, lit.clone());
        self.shared.insert(lit, v);
        Ok(v)
    }

    /// `v` as `dtype`: itself, a constant converted exactly (PyTensor's narrow constants such as
    /// `int8 2` or `float32 0.5` become constants of the computing dtype), or a `cast`.
    pub fn cast(&mut self, v: Value, dtype: DType) -> Res<Value> {
        if self.ty(v)?.dtype == dtype {
            return Ok(v);
        }
        if let Some(lit) = self.consts.get(&v).and_then(|l| exact_cast(l, dtype)) {
            return self.constant(lit);
        }
        air(self.rb.cast_to(v, dtype))
    }

    /// The resolved AIR type of a value.
    pub fn ty(&mut self, v: Value) -> Res<TensorType> {
        let t = self.rb.value_type(v).ok_or((
            ProblemKind::Invalid,
            "a value of another region".to_string(),
        ))?;
        let shape = t.shape.iter().map(|d| self.extent(d)).collect::<Res<_>>()?;
        Ok(TensorType::new(t.dtype, shape))
    }

    /// Makes two dims equal. A difference of two symbols (`y_0-1` against `A_0-1`) or of one
    /// symbol and a constant binds the symbol, which the builder's unifier alone does not.
    pub fn unify(&mut self, a: &Dim, b: &Dim) -> Res<()> {
        let (a, b) = (self.resolve(a)?, self.resolve(b)?);
        if a == b {
            return Ok(());
        }
        let diff = a.sub(&b).map_err(|e| (ProblemKind::Dims, e.to_string()))?;
        let linear: Option<Vec<(&str, i64)>> = diff
            .terms()
            .iter()
            .map(|(m, c)| match m.as_slice() {
                [] => Some(("", *c)),
                [(s, 1)] if *c == 1 || *c == -1 => s.as_symbol().map(|s| (s, *c)),
                _ => None,
            })
            .collect();
        let (x, y) = match linear.as_deref() {
            Some([(s, 1), (t, -1)]) | Some([(t, -1), (s, 1)]) if !s.is_empty() && !t.is_empty() => {
                (Dim::symbol(*s), Dim::symbol(*t))
            }
            Some([("", c), (s, k)]) if !s.is_empty() => (Dim::symbol(*s), Dim::constant(-c * k)),
            _ => match dims::lone_symbol(&diff) {
                Some((s, rest)) => (Dim::symbol(s), rest),
                None => (a, b),
            },
        };
        air(self.rb.unify(&x, &y)).map(|_| ())
    }

    /// A dim (or a known scalar) with the unifier's bindings applied.
    pub fn resolve(&mut self, d: &Dim) -> Res<Dim> {
        let r = air(self.rb.broadcast_shapes(&[std::slice::from_ref(d)]))?;
        Ok(r.into_iter().next().unwrap_or_else(|| Dim::constant(1)))
    }

    /// A dim of a shape with the unifier's bindings applied; a negative one is an error (static
    /// shapes that contradict each other, such as a length 0 where the graph takes one element
    /// off).
    pub fn extent(&mut self, d: &Dim) -> Res<Dim> {
        let r = self.resolve(d)?;
        match r.as_const() {
            Some(c) if c < 0 => Err((
                ProblemKind::Dims,
                format!("a dim is {c}: the static shapes contradict each other"),
            )),
            _ => Ok(r),
        }
    }

    /// The literal of a constant variable (no node is made).
    pub fn constant_literal(&self, v: usize) -> Res<Option<Literal>> {
        let var = &self.g.vars[v];
        match &var.kind {
            VarKind::Constant(raw) => literal(raw, &var.ty).map(Some),
            VarKind::Input | VarKind::NodeOutput { .. } => Ok(None),
        }
    }

    /// Builds a known value as an AIR value of `dtype`.
    pub fn materialize(&mut self, k: &Known, dtype: DType) -> Res<Value> {
        if let Some(cs) = k
            .dims
            .iter()
            .map(Dim::as_const)
            .collect::<Option<Vec<i64>>>()
        {
            let shape = if k.scalar {
                vec![]
            } else {
                vec![cs.len() as u64]
            };
            let values: Vec<Scalar> = cs.into_iter().map(Scalar::Int).collect();
            let lit = Literal::from_scalars(dtype, shape, &values)
                .map_err(|e| (ProblemKind::Invalid, e.to_string()))?;
            return self.constant(lit);
        }
        let mut elems = vec![];
        for d in &k.dims {
            let d = self.resolve(d)?;
            let e = match d.as_const() {
                Some(c) => self.constant(scalar_literal(dtype, c))?,
                None => {
                    let ones = air(self.rb.op(
                        Op::Full {
                            value: Literal::i64(1),
                            shape: vec![d],
                        },
                        &[],
                    ))?;
                    let n = air(self.rb.op(
                        Op::Reduce {
                            kind: air_ir::op::ReduceKind::Sum,
                            axes: vec![0],
                            keepdims: false,
                        },
                        &[ones],
                    ))?;
                    self.cast(n, dtype)?
                }
            };
            elems.push(e);
        }
        if k.scalar {
            return elems
                .pop()
                .ok_or((ProblemKind::Invalid, "an empty scalar".into()));
        }
        if elems.is_empty() {
            let lit = Literal::new(dtype, vec![0], vec![])
                .map_err(|e| (ProblemKind::Invalid, e.to_string()))?;
            return self.constant(lit);
        }
        let parts = elems
            .into_iter()
            .map(|e| air(self.rb.op(Op::ExpandDims { axes: vec![0] }, &[e])))
            .collect::<Res<Vec<_>>>()?;
        air(self.rb.op(Op::Concat { axis: 0 }, &parts))
    }

    /// The one output type of a node.
    pub fn out_type(&self, node: &Node) -> Res<VarType> {
        match node.outputs.as_slice() {
            [o] => Ok(self.g.vars[*o].ty.clone()),
            _ => invalid(format!("expected one output, got {}", node.outputs.len())),
        }
    }

    /// The node's inputs, checking their count.
    pub fn inputs<'n>(
        &self,
        node: &'n Node,
        count: std::ops::RangeInclusive<usize>,
    ) -> Res<&'n [usize]> {
        if count.contains(&node.inputs.len()) {
            Ok(&node.inputs)
        } else {
            invalid(format!(
                "{} inputs, expected {}..={}",
                node.inputs.len(),
                count.start(),
                count.end()
            ))
        }
    }

    /// `ScalarFromTensor`, `TensorFromScalar`, `SpecifyShape`: the first input itself (the
    /// declared static shape of the output is unified by [`Imp::conform`]).
    fn pass_through(&mut self, node: &Node) -> Res<Vec<Val>> {
        let Some(&x) = node.inputs.first() else {
            return invalid("no input");
        };
        let mut val = self.val(x)?;
        if val.air.is_none() && val.known.is_none() {
            val.air = Some(self.air(x)?);
        }
        if node.op.class == "SpecifyShape" {
            self.specify_shape(node)?;
        }
        Ok(vec![val])
    }

    fn specify_shape(&mut self, node: &Node) -> Res<()> {
        let x = self.air(node.inputs[0])?;
        let t = self.ty(x)?;
        for (axis, &s) in node.inputs[1..].iter().enumerate() {
            let Some(d) = t.shape.get(axis) else {
                return invalid("more shape entries than axes");
            };
            let is_none =
                matches!(self.g.vars[s].kind, VarKind::Constant(_)) && self.val(s)?.known.is_none();
            if is_none {
                continue;
            }
            match self.known(s)?.and_then(|k| k.one().cloned()) {
                Some(want) => {
                    self.unify(d, &want)?;
                }
                None => return unsupported("SpecifyShape with a run-time shape"),
            }
        }
        Ok(())
    }
}

/// A valid AIR identifier from a PyTensor name, unique among `used`.
pub(crate) fn unique_ident(
    name: Option<&str>,
    fallback: &str,
    used: &mut HashSet<String>,
) -> String {
    let mut base: String = name
        .unwrap_or(fallback)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        base = format!("_{base}");
    }
    let mut name = base.clone();
    let mut k = 1;
    while used.contains(&name) {
        name = format!("{base}_{k}");
        k += 1;
    }
    used.insert(name.clone());
    name
}

/// Reads an integer prop.
pub(crate) fn int_prop(j: Option<&Json>) -> Option<i64> {
    j.and_then(Json::as_i64)
}

/// Reads a list of integers (an axis tuple); `None` for null or absent.
pub(crate) fn ints_prop(j: Option<&Json>) -> Res<Option<Vec<i64>>> {
    match j {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Array(a)) => a
            .iter()
            .map(|e| {
                e.as_i64()
                    .ok_or((ProblemKind::Invalid, format!("{e} is not an integer")))
            })
            .collect::<Res<Vec<_>>>()
            .map(Some),
        Some(Json::Number(n)) => Ok(n.as_i64().map(|i| vec![i])),
        Some(other) => invalid(format!("{other} is not an axis list")),
    }
}

/// Normalises a possibly negative axis against `rank`.
pub(crate) fn axis(a: i64, rank: usize) -> Res<u32> {
    let r = rank as i64;
    let a = if a < 0 { a + r } else { a };
    if (0..r.max(1)).contains(&a) && (a < r || rank == 0) {
        Ok(a as u32)
    } else {
        invalid(format!("axis {a} is out of range for rank {rank}"))
    }
}
