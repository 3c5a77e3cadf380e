//! Building one `pytensor-fgraph-json/1` graph: variables, constants, nodes, and the scalar
//! int64 variables that compute dims (`Shape_i` of a variable carrying the symbol, and
//! arithmetic on them).

use std::collections::HashMap;

use air_ir::{Atom, DType, Dim, Literal, Scalar, TensorType};
use serde_json::{json, Map, Value as Json};

use crate::json::FORMAT;
use crate::table::{self, ScalarKind};

/// A PyTensor type: a `TensorType` with a static shape (`None` unknown), or a `ScalarType`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pt {
    pub dtype: DType,
    pub shape: Vec<Option<u64>>,
    pub scalar: bool,
}

impl Pt {
    /// The PyTensor type of an AIR tensor type (constant dims are static).
    pub fn of(t: &TensorType) -> Pt {
        Pt {
            dtype: t.dtype,
            shape: t
                .shape
                .iter()
                .map(|d| d.as_const().and_then(|c| u64::try_from(c).ok()))
                .collect(),
            scalar: false,
        }
    }

    /// A rank-0 tensor of `dtype`.
    pub fn scalar_tensor(dtype: DType) -> Pt {
        Pt {
            dtype,
            shape: vec![],
            scalar: false,
        }
    }

    /// A `ScalarType` of `dtype` (index scalars).
    pub fn scalar_type(dtype: DType) -> Pt {
        Pt {
            dtype,
            shape: vec![],
            scalar: true,
        }
    }

    fn json(&self) -> Json {
        if self.scalar {
            json!({"class": "ScalarType", "dtype": self.dtype.numpy_name()})
        } else {
            json!({"class": "TensorType", "dtype": self.dtype.numpy_name(), "shape": self.shape})
        }
    }
}

/// One graph being written.
#[derive(Default)]
pub(crate) struct Doc {
    vars: Vec<Json>,
    nodes: Vec<Json>,
    types: Vec<Pt>,
    consts: HashMap<(String, Vec<u8>, bool), String>,
    /// Where each dim symbol can be read: a variable and an axis.
    sources: HashMap<String, (String, usize)>,
    /// Dims already computed as int64 scalars.
    dims: HashMap<Dim, String>,
}

fn number(x: f64) -> Json {
    if x.is_nan() {
        json!({"float": "nan"})
    } else if x.is_infinite() {
        json!({"float": if x > 0.0 { "inf" } else { "-inf" }})
    } else {
        json!(x)
    }
}

/// A JSON element of a constant.
fn element(s: Scalar) -> Json {
    match s {
        Scalar::Bool(b) => json!(b),
        Scalar::Int(i) => json!(i),
        Scalar::UInt(u) => json!(u),
        Scalar::Float(f) => number(f),
        Scalar::Complex(re, im) => json!([number(re), number(im)]),
    }
}

impl Doc {
    fn push_var(
        &mut self,
        kind: &str,
        name: Option<&str>,
        ty: &Pt,
        extra: Map<String, Json>,
    ) -> String {
        let id = format!("v{}", self.vars.len());
        let mut v = Map::new();
        v.insert("id".into(), json!(id));
        v.insert("kind".into(), json!(kind));
        v.insert("name".into(), json!(name));
        v.insert("type".into(), ty.json());
        v.extend(extra);
        self.vars.push(Json::Object(v));
        self.types.push(ty.clone());
        id
    }

    /// A graph input.
    pub fn input(&mut self, name: &str, ty: &Pt) -> String {
        self.push_var("input", Some(name), ty, Map::new())
    }

    /// The type of a variable.
    pub fn ty(&self, id: &str) -> Option<&Pt> {
        id.strip_prefix('v')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| self.types.get(n))
    }

    /// Renames a variable (an output takes its result's name).
    pub fn rename(&mut self, id: &str, name: &str) {
        if let Some(Json::Object(v)) = id
            .strip_prefix('v')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| self.vars.get_mut(n))
        {
            v.insert("name".into(), json!(name));
        }
    }

    /// True when the variable is an input, a constant or already named.
    pub fn is_named_or_leaf(&self, id: &str) -> bool {
        let Some(Json::Object(v)) = id
            .strip_prefix('v')
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| self.vars.get(n))
        else {
            return true;
        };
        v.get("kind") != Some(&json!("node_output")) || !v.get("name").is_none_or(Json::is_null)
    }

    /// A constant (shared with an identical one).
    pub fn constant(&mut self, lit: &Literal, scalar_type: bool) -> String {
        let key = (
            lit.dtype.numpy_name().to_string() + &format!("{:?}", lit.shape),
            lit.data.clone(),
            scalar_type,
        );
        if let Some(id) = self.consts.get(&key) {
            return id.clone();
        }
        let ty = if scalar_type {
            Pt::scalar_type(lit.dtype)
        } else {
            Pt::of(&lit.ty())
        };
        let data: Vec<Json> = lit.elements().map(element).collect();
        let mut extra = Map::new();
        extra.insert(
            "value".into(),
            json!({"dtype": lit.dtype.numpy_name(), "shape": lit.shape, "data": data}),
        );
        let id = self.push_var("constant", None, &ty, extra);
        self.consts.insert(key, id.clone());
        id
    }

    /// A rank-0 int64 constant tensor.
    pub fn int(&mut self, v: i64) -> String {
        self.constant(&Literal::i64(v), false)
    }

    /// A node; returns its output variables.
    pub fn node(&mut self, op: Json, inputs: &[String], outs: &[Pt]) -> Vec<String> {
        let k = self.nodes.len();
        let ids: Vec<String> = outs
            .iter()
            .enumerate()
            .map(|(index, t)| {
                let mut extra = Map::new();
                extra.insert("node".into(), json!(k));
                extra.insert("index".into(), json!(index));
                self.push_var("node_output", None, t, extra)
            })
            .collect();
        self.nodes
            .push(json!({"id": k, "op": op, "inputs": inputs, "outputs": ids}));
        ids
    }

    /// A node with one output.
    pub fn node1(&mut self, op: Json, inputs: &[String], out: Pt) -> String {
        self.node(op, inputs, &[out]).pop().unwrap_or_default()
    }

    /// The finished graph.
    pub fn finish(self, inputs: &[String], outputs: &[String]) -> Json {
        json!({
            "format": FORMAT,
            "inputs": inputs,
            "outputs": outputs,
            "variables": self.vars,
            "nodes": self.nodes,
        })
    }

    /// Records that the symbolic dims of `id`'s type `t` can be read from it.
    pub fn note_dims(&mut self, id: &str, t: &TensorType) {
        for (axis, d) in t.shape.iter().enumerate() {
            if let Some(s) = d.as_symbol() {
                self.sources
                    .entry(s.to_string())
                    .or_insert((id.to_string(), axis));
            }
        }
    }

    /// Sets the symbol bookkeeping aside (for a function inlined with symbols of its own).
    pub fn take_symbols(&mut self) -> (HashMap<String, (String, usize)>, HashMap<Dim, String>) {
        (
            std::mem::take(&mut self.sources),
            std::mem::take(&mut self.dims),
        )
    }

    /// Puts back what [`Doc::take_symbols`] set aside.
    pub fn restore_symbols(
        &mut self,
        saved: (HashMap<String, (String, usize)>, HashMap<Dim, String>),
    ) {
        (self.sources, self.dims) = saved;
    }

    /// The input and axis symbol `s` is read from, if one carries it.
    pub fn source(&self, s: &str) -> Option<(&str, usize)> {
        self.sources.get(s).map(|(id, axis)| (id.as_str(), *axis))
    }

    /// `Shape_i{axis}` of `var`: an int64 rank-0 variable.
    pub fn shape_i(&mut self, var: &str, axis: usize) -> String {
        let op = op_json("Shape_i", &format!("Shape_i{{{axis}}}"), json!({"i": axis}));
        self.node1(op, &[var.to_string()], Pt::scalar_tensor(DType::I64))
    }

    /// Makes symbol `s` readable as the int64 scalar variable `id`.
    pub fn bind_symbol(&mut self, s: &str, id: &str) {
        self.dims.insert(Dim::symbol(s), id.to_string());
    }

    /// An int64 rank-0 variable holding the dim's value, or `None` when a symbol of it has no
    /// source in this graph.
    pub fn dim(&mut self, d: &Dim) -> Option<String> {
        if let Some(id) = self.dims.get(d) {
            return Some(id.clone());
        }
        let id = match (d.as_const(), d.as_symbol()) {
            (Some(c), _) => self.int(c),
            (None, Some(s)) => {
                let (var, axis) = self.sources.get(s)?.clone();
                self.shape_i(&var, axis)
            }
            (None, None) => self.polynomial(d)?,
        };
        self.dims.insert(d.clone(), id.clone());
        Some(id)
    }

    fn polynomial(&mut self, d: &Dim) -> Option<String> {
        let mut sum: Option<String> = None;
        for (mono, c) in d.terms() {
            let mut prod = if mono.is_empty() || *c != 1 {
                Some(self.int(*c))
            } else {
                None
            };
            for (a, p) in mono {
                let v = match a {
                    Atom::Sym(s) => self.dim(&Dim::symbol(s.clone()))?,
                    // Op set 2 atoms: the importer reads back only polynomial extents of
                    // `ARange`/`Alloc`, so the export refuses them (`shape::dims`).
                    Atom::FloorDiv(..) | Atom::Max0(_) => return None,
                };
                for _ in 0..*p {
                    prod = Some(match prod {
                        None => v.clone(),
                        Some(acc) => self.scalar_int(
                            ScalarKind::Binary(air_ir::BinaryOp::Mul),
                            &[acc, v.clone()],
                        ),
                    });
                }
            }
            let term = prod?;
            sum = Some(match sum {
                None => term,
                Some(acc) => {
                    self.scalar_int(ScalarKind::Binary(air_ir::BinaryOp::Add), &[acc, term])
                }
            });
        }
        sum.or_else(|| Some(self.int(0)))
    }

    /// An Elemwise on int64 scalars.
    pub fn scalar_int(&mut self, kind: ScalarKind, ins: &[String]) -> String {
        let op = elemwise_json(kind, None);
        self.node1(op, ins, Pt::scalar_tensor(DType::I64))
    }
}

/// A tensor op's JSON (module from the table).
pub(crate) fn op_json(class: &str, str_: &str, props: Json) -> Json {
    let module = table::TENSOR_OPS
        .iter()
        .find(|e| e.class == class)
        .map_or("", |e| e.module);
    json!({"class": class, "module": module, "str": str_, "props": props})
}

/// The JSON of a scalar op (`o_type` for a `Cast`).
pub(crate) fn scalar_json(kind: ScalarKind, o_type: Option<DType>) -> Json {
    let e = table::scalar_for(kind);
    let class = e.map_or("Identity", |e| e.class);
    let module = e.map_or("pytensor.scalar.basic", |e| e.module);
    match (kind, o_type) {
        (ScalarKind::Cast, Some(d)) => json!({
            "class": "Cast", "module": module,
            "str": format!("Cast{{{}}}", d.numpy_name()),
            "name": format!("convert_to_{}", d.numpy_name()),
            "o_type": d.numpy_name(),
        }),
        _ => {
            let name = e.and_then(|e| e.name);
            json!({"class": class, "module": module, "str": name.unwrap_or(class), "name": name})
        }
    }
}

/// An `Elemwise` op's JSON.
pub(crate) fn elemwise_json(kind: ScalarKind, o_type: Option<DType>) -> Json {
    let s = scalar_json(kind, o_type);
    let str_ = s
        .get("str")
        .and_then(Json::as_str)
        .unwrap_or("Elemwise")
        .to_string();
    op_json(
        "Elemwise",
        &str_,
        json!({"scalar_op": {"op": s}, "inplace_pattern": {"dict": []}}),
    )
}
