//! The `pytensor-fgraph-json/1` document: reading it into checked, indexed graphs, and the shared
//! JSON shapes the writer produces.
//!
//! Reading is bounded: the text's size, the number of variables and nodes, and the nesting of
//! inner graphs (serde_json itself stops at 128 nested values, so hostile nesting is an error, not
//! a stack overflow). Every reference (a node's inputs, a variable's producing node, the graph's
//! inputs and outputs) is checked, and nodes are put in a topological order, with a cycle
//! reported.

use std::collections::HashMap;

use air_ir::DType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::error::{Place, Problem, ProblemKind};

/// The format tag.
pub const FORMAT: &str = "pytensor-fgraph-json/1";

/// Bounds of the reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of text.
    pub max_bytes: usize,
    /// Variables plus nodes in one graph, inner graphs counted separately.
    pub max_items: usize,
    /// Nesting of inner graphs (a Scan inside a Scan is depth 2).
    pub max_depth: usize,
    /// Elements of one constant.
    pub max_constant_elements: usize,
    /// Rank of a variable.
    pub max_rank: usize,
    /// Bytes of a variable's name: an input or output name becomes an AIR name (at most 1024
    /// bytes), with room for the suffixes the importer adds (`_1` to stay unique, `_0` for the
    /// dims of an input).
    pub max_name_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 1 << 30,
            max_items: 5_000_000,
            max_depth: 16,
            max_constant_elements: 1 << 26,
            max_rank: 32,
            max_name_bytes: 1000,
        }
    }
}

/// A graph as written: `format`, `inputs`, `outputs`, `variables`, `nodes`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct RawGraph {
    /// Must be [`FORMAT`].
    pub format: String,
    /// The PyTensor version that wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pytensor_version: Option<String>,
    /// Input variable ids, in order.
    pub inputs: Vec<String>,
    /// Output variable ids, in order.
    pub outputs: Vec<String>,
    /// Every variable.
    pub variables: Vec<RawVar>,
    /// Every node.
    pub nodes: Vec<RawNode>,
}

/// A variable as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct RawVar {
    /// Its id (`v3`).
    pub id: String,
    /// `input`, `constant` or `node_output`.
    pub kind: String,
    /// The PyTensor name.
    #[serde(default)]
    pub name: Option<String>,
    /// The type.
    #[serde(rename = "type")]
    pub ty: RawType,
    /// A constant's value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<RawValue>,
    /// The producing node's id (node outputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<i64>,
    /// The output index on the producing node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
}

/// A type as written.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct RawType {
    /// `TensorType` or `ScalarType` (others are refused).
    pub class: String,
    /// The NumPy dtype name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dtype: Option<String>,
    /// Static shape: an int or null (unknown) per axis; tensors only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<Vec<Option<u64>>>,
}

/// A constant's value: the elements in C order.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct RawValue {
    /// The NumPy dtype name.
    pub dtype: String,
    /// The shape.
    pub shape: Vec<u64>,
    /// The elements: numbers, booleans, `{"float": "nan"|"inf"|"-inf"}`, `[re, im]` for complex.
    pub data: Vec<Json>,
}

/// A node as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct RawNode {
    /// Its id (variables name it in `node`).
    pub id: i64,
    /// The op.
    pub op: RawOp,
    /// Input variable ids.
    pub inputs: Vec<String>,
    /// Output variable ids.
    pub outputs: Vec<String>,
}

/// An op as written (also a scalar op, which has `name` and maybe `o_type` instead of props).
#[derive(Clone, Debug, Deserialize, Serialize, Default)]
pub struct RawOp {
    /// The Python class name.
    pub class: String,
    /// The Python module.
    #[serde(default)]
    pub module: String,
    /// `str(op)`, for people.
    #[serde(default)]
    pub str: String,
    /// The encoded `__props__`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub props: Option<Map<String, Json>>,
    /// A scalar op's instance name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Json>,
    /// A `Cast` scalar op's target dtype.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o_type: Option<String>,
    /// The inner graph of a Scan or an OpFromGraph.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner: Option<Box<RawGraph>>,
}

impl RawOp {
    /// A prop.
    pub fn prop(&self, name: &str) -> Option<&Json> {
        self.props.as_ref().and_then(|p| p.get(name))
    }
}

/// The type of a variable.
#[derive(Clone, Debug, PartialEq)]
pub struct VarType {
    /// The dtype.
    pub dtype: DType,
    /// Static shape (`None` = unknown); empty for a `ScalarType`.
    pub shape: Vec<Option<u64>>,
    /// True for a `ScalarType` (an index scalar), false for a `TensorType`.
    pub scalar_type: bool,
}

/// What a variable is.
#[derive(Clone, Debug, PartialEq)]
pub enum VarKind {
    /// A graph input.
    Input,
    /// A constant with its value.
    Constant(RawValue),
    /// Output `index` of node number `node` (an index into [`Graph::nodes`]).
    NodeOutput {
        /// The node's position in [`Graph::nodes`].
        node: usize,
        /// Which output.
        index: usize,
    },
}

/// A checked variable.
#[derive(Clone, Debug)]
pub struct Var {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
    /// Its type.
    pub ty: VarType,
    /// What it is.
    pub kind: VarKind,
}

/// A checked node: inputs and outputs are indices into [`Graph::vars`].
#[derive(Clone, Debug)]
pub struct Node {
    /// The node's id as written.
    pub id: i64,
    /// The op as written.
    pub op: RawOp,
    /// Input variables.
    pub inputs: Vec<usize>,
    /// Output variables.
    pub outputs: Vec<usize>,
    /// Where the node is (for problems).
    pub place: Place,
}

/// A checked graph: every reference resolved, nodes in topological order.
#[derive(Clone, Debug)]
pub struct Graph {
    /// Input variables.
    pub inputs: Vec<usize>,
    /// Output variables.
    pub outputs: Vec<usize>,
    /// Every variable.
    pub vars: Vec<Var>,
    /// Every node, as written.
    pub nodes: Vec<Node>,
    /// Positions in `nodes` in an order where each node comes after those computing its inputs.
    pub order: Vec<usize>,
    /// Checked inner graphs, by position in `nodes`.
    pub inner: HashMap<usize, Graph>,
    /// The place of the graph (the node holding it, for an inner graph).
    pub place: Place,
}

/// Parses a document into a checked graph.
pub fn parse(text: &str, limits: &Limits) -> Result<Graph, Problem> {
    let top = Place::default();
    if text.len() > limits.max_bytes {
        return Err(Problem::new(
            ProblemKind::Limit,
            format!(
                "the document has {} bytes, more than the limit {}",
                text.len(),
                limits.max_bytes
            ),
            &top,
        ));
    }
    let raw: RawGraph = serde_json::from_str(text).map_err(|e| {
        let kind = if e.to_string().contains("recursion limit") {
            ProblemKind::Limit
        } else {
            ProblemKind::Json
        };
        Problem::new(kind, format!("not a {FORMAT} document: {e}"), &top)
    })?;
    check(raw, limits, &top, 0)
}

/// Checks a raw graph (and its inner graphs) into a [`Graph`].
pub fn check(
    raw: RawGraph,
    limits: &Limits,
    place: &Place,
    depth: usize,
) -> Result<Graph, Problem> {
    check_header(&raw, limits, place, depth)?;
    let by_id = unique(
        raw.variables.iter().map(|v| v.id.as_str()),
        "variable",
        place,
    )?;
    let node_pos = unique(raw.nodes.iter().map(|n| n.id), "node", place)?;
    let vars = raw
        .variables
        .iter()
        .map(|v| check_var(v, &node_pos, limits, place))
        .collect::<Result<Vec<_>, _>>()?;
    let lookup = |ids: &[String], what: &str, at: &Place| -> Result<Vec<usize>, Problem> {
        ids.iter()
            .map(|id| {
                by_id.get(id.as_str()).copied().ok_or_else(|| {
                    let msg = format!("{what} {id} is not a variable");
                    Problem::new(ProblemKind::Invalid, msg, at)
                })
            })
            .collect()
    };
    let inputs = lookup(&raw.inputs, "graph input", place)?;
    let outputs = lookup(&raw.outputs, "graph output", place)?;
    let mut nodes = Vec::with_capacity(raw.nodes.len());
    for (k, n) in raw.nodes.into_iter().enumerate() {
        let at = place.node(n.id, &describe(&n.op));
        let node = Node {
            id: n.id,
            inputs: lookup(&n.inputs, "input", &at)?,
            outputs: lookup(&n.outputs, "output", &at)?,
            op: n.op,
            place: at,
        };
        check_outputs(k, &node, &vars)?;
        nodes.push(node);
    }
    check_links(&vars, &nodes, &inputs, place)?;
    let order = topological(&nodes, &vars, place)?;
    let mut inner = HashMap::new();
    for (k, n) in nodes.iter_mut().enumerate() {
        if let Some(g) = n.op.inner.take() {
            inner.insert(k, check(*g, limits, &n.place, depth + 1)?);
        }
    }
    Ok(Graph {
        inputs,
        outputs,
        vars,
        nodes,
        order,
        inner,
        place: place.clone(),
    })
}

/// The format tag and the bounds on nesting and size.
fn check_header(
    raw: &RawGraph,
    limits: &Limits,
    place: &Place,
    depth: usize,
) -> Result<(), Problem> {
    let err = |kind, msg: String| Err(Problem::new(kind, msg, place));
    if raw.format != FORMAT {
        return err(
            ProblemKind::Json,
            format!("format is {:?}, expected {FORMAT:?}", raw.format),
        );
    }
    if depth > limits.max_depth {
        return err(
            ProblemKind::Limit,
            format!("inner graphs nest deeper than {}", limits.max_depth),
        );
    }
    let items = raw.variables.len() + raw.nodes.len();
    if items > limits.max_items {
        return err(
            ProblemKind::Limit,
            format!(
                "{items} variables and nodes: more than the limit {}",
                limits.max_items
            ),
        );
    }
    Ok(())
}

/// Positions by id; an id used twice is an error.
fn unique<K: std::hash::Hash + Eq + std::fmt::Display>(
    ids: impl Iterator<Item = K>,
    what: &str,
    place: &Place,
) -> Result<HashMap<K, usize>, Problem> {
    let mut out = HashMap::new();
    for (k, id) in ids.enumerate() {
        if out.contains_key(&id) {
            let msg = format!("{what} {id} is defined twice");
            return Err(Problem::new(ProblemKind::Invalid, msg, place));
        }
        out.insert(id, k);
    }
    Ok(out)
}

/// Each output variable of node number `k` says it is that output.
fn check_outputs(k: usize, node: &Node, vars: &[Var]) -> Result<(), Problem> {
    for (index, &o) in node.outputs.iter().enumerate() {
        if vars[o].kind != (VarKind::NodeOutput { node: k, index }) {
            let msg = format!(
                "variable {} is listed as output {index} of the node but says otherwise",
                vars[o].id
            );
            return Err(Problem::new(ProblemKind::Invalid, msg, &node.place));
        }
    }
    Ok(())
}

/// Each node output is among its node's outputs; graph inputs are input variables.
fn check_links(
    vars: &[Var],
    nodes: &[Node],
    inputs: &[usize],
    place: &Place,
) -> Result<(), Problem> {
    for (k, v) in vars.iter().enumerate() {
        if let VarKind::NodeOutput { node, index } = v.kind {
            if nodes[node].outputs.get(index) != Some(&k) {
                let msg = format!("variable {} is not among its node's outputs", v.id);
                return Err(Problem::new(ProblemKind::Invalid, msg, place));
            }
        }
    }
    for &i in inputs {
        if vars[i].kind != VarKind::Input {
            let msg = format!("graph input {} is not an input variable", vars[i].id);
            return Err(Problem::new(ProblemKind::Invalid, msg, place));
        }
    }
    Ok(())
}

fn check_var(
    v: &RawVar,
    node_pos: &HashMap<i64, usize>,
    limits: &Limits,
    place: &Place,
) -> Result<Var, Problem> {
    let at = place.with(format!("variable {}", v.id));
    let bad = |msg: String| Problem::new(ProblemKind::Invalid, msg, &at);
    let ty = var_type(&v.ty, limits).map_err(|m| Problem::new(ProblemKind::Invalid, m, &at))?;
    let kind = match v.kind.as_str() {
        "input" => VarKind::Input,
        "constant" => {
            let value = v
                .value
                .clone()
                .ok_or_else(|| bad("a constant without a value".into()))?;
            let count = value
                .shape
                .iter()
                .try_fold(1u64, |acc, &d| acc.checked_mul(d))
                .filter(|&c| c <= limits.max_constant_elements as u64);
            if count.is_none() {
                return Err(Problem::new(
                    ProblemKind::Limit,
                    "a constant with more elements than the limit",
                    &at,
                ));
            }
            VarKind::Constant(value)
        }
        "node_output" => {
            let (Some(id), Some(index)) = (v.node, v.index) else {
                return Err(bad("a node output without node and index".into()));
            };
            let node = *node_pos
                .get(&id)
                .ok_or_else(|| bad(format!("node {id} does not exist")))?;
            VarKind::NodeOutput {
                node,
                index: usize::try_from(index).map_err(|_| bad("output index too large".into()))?,
            }
        }
        other => return Err(bad(format!("unknown variable kind {other:?}"))),
    };
    if let Some(name) = v
        .name
        .as_deref()
        .filter(|n| n.len() > limits.max_name_bytes)
    {
        return Err(Problem::new(
            ProblemKind::Limit,
            format!(
                "a variable name of {} bytes (at most {}: AIR names are at most {} bytes)",
                name.len(),
                limits.max_name_bytes,
                air_ir::name::MAX_NAME_BYTES
            ),
            &at,
        ));
    }
    Ok(Var {
        id: v.id.clone(),
        name: v.name.clone(),
        ty,
        kind,
    })
}

/// The dtype of a NumPy dtype name PyTensor uses (no bfloat16 in PyTensor).
pub fn dtype(name: &str) -> Option<DType> {
    DType::from_name(name).filter(|d| d.numpy_name() == name && *d != DType::BF16)
}

fn var_type(t: &RawType, limits: &Limits) -> Result<VarType, String> {
    let dt = || {
        let name = t.dtype.as_deref().ok_or("a type without dtype")?;
        dtype(name).ok_or(format!("unknown dtype {name:?}"))
    };
    match t.class.as_str() {
        "TensorType" => {
            let shape = t.shape.clone().ok_or("a TensorType without shape")?;
            if shape.len() > limits.max_rank {
                return Err(format!(
                    "rank {} is over the limit {}",
                    shape.len(),
                    limits.max_rank
                ));
            }
            if shape.iter().flatten().any(|&d| d > i64::MAX as u64) {
                return Err("a static dim is too large".into());
            }
            Ok(VarType {
                dtype: dt()?,
                shape,
                scalar_type: false,
            })
        }
        "ScalarType" => Ok(VarType {
            dtype: dt()?,
            shape: vec![],
            scalar_type: true,
        }),
        other => Err(format!(
            "variables of type {other} are not supported (only TensorType and ScalarType)"
        )),
    }
}

/// A short description of an op for places: `Elemwise{Add}`, `Scan`.
pub fn describe(op: &RawOp) -> String {
    match op
        .prop("scalar_op")
        .and_then(|s| s.get("op"))
        .and_then(|o| o.get("class"))
    {
        Some(Json::String(s)) => format!("{}{{{s}}}", op.class),
        _ => op.class.clone(),
    }
}

/// An order of the nodes in which each comes after the producers of its inputs (stable: an
/// ordered document keeps its order); a cycle is an error naming a node on or after it.
fn topological(nodes: &[Node], vars: &[Var], place: &Place) -> Result<Vec<usize>, Problem> {
    let n = nodes.len();
    let mut indegree = vec![0usize; n];
    let mut users: Vec<Vec<usize>> = vec![vec![]; n];
    for (k, node) in nodes.iter().enumerate() {
        for &i in &node.inputs {
            if let VarKind::NodeOutput { node: p, .. } = vars[i].kind {
                indegree[k] += 1;
                users[p].push(k);
            }
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&k| indegree[k] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(k) = ready.pop_first() {
        order.push(k);
        for &u in &users[k] {
            indegree[u] -= 1;
            if indegree[u] == 0 {
                ready.insert(u);
            }
        }
    }
    if order.len() != n {
        let stuck = (0..n).find(|&k| indegree[k] > 0).map_or(0, |k| nodes[k].id);
        return Err(Problem::new(
            ProblemKind::Invalid,
            format!("the nodes form a cycle (node {stuck} is on or after it)"),
            place,
        ));
    }
    Ok(order)
}
