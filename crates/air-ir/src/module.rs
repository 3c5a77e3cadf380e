//! Modules, functions, regions and nodes.
//!
//! A region is an arena of nodes, `Vec<Node>` indexed by [`NodeId`]. **Invariant:** a node's
//! operands are region parameters or results of nodes *before* it, so arena order is a topological
//! order and a cycle cannot be represented. Regions are isolated: a nested region (the body of a
//! `for`, the branches of an `if`) sees only its own parameters, which the op passes in explicitly.
//! The validator checks the invariant before anything else.

use std::fmt;

use crate::op::Op;
use crate::types::TensorType;

/// The version of the IR (the structure of modules) this crate reads and writes.
pub const IR_VERSION: u32 = 1;
/// The version of the op set this crate implements.
pub const OPSET_VERSION: u32 = 2;

/// Index of a node in its region's arena; prints as `%N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The arena index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "%{}", self.0)
    }
}

/// A value: a parameter of the enclosing region, or one result of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// Parameter number `n` of the region.
    Param(u32),
    /// Result number `index` of node `node`.
    Result {
        /// The producing node.
        node: NodeId,
        /// Which of its results.
        index: u32,
    },
}

impl Value {
    /// Result 0 of a node.
    pub fn of(node: NodeId) -> Value {
        Value::Result { node, index: 0 }
    }
}

/// Where a node came from: a position in a text file, or a foreign id.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// `file:line:col` (1-based).
    File {
        /// The file name as given.
        file: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        col: u32,
    },
    /// Any other description, such as `pytensor node 12`.
    Foreign(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { file, line, col } => write!(f, "{file}:{line}:{col}"),
            Location::Foreign(s) => f.write_str(s),
        }
    }
}

/// One operation applied to operands, with its declared result types.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The operation and its attributes (and nested regions).
    pub op: Op,
    /// The operands, in order.
    pub operands: Vec<Value>,
    /// The declared result types; the validator checks them against inference.
    pub results: Vec<TensorType>,
    /// An optional name (unique in its region); not part of semantic equality.
    pub name: Option<String>,
    /// An optional location; not part of semantic equality.
    pub loc: Option<Location>,
}

impl Node {
    /// A node without a name or location.
    pub fn new(op: Op, operands: Vec<Value>, results: Vec<TensorType>) -> Node {
        Node {
            op,
            operands,
            results,
            name: None,
            loc: None,
        }
    }
}

/// A named, typed region parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionParam {
    /// The parameter's name (unique in its region).
    pub name: String,
    /// Its type.
    pub ty: TensorType,
}

/// A graph of its own: parameters, an arena of nodes in topological order, and yielded values.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Region {
    /// The parameters, referenced as [`Value::Param`].
    pub params: Vec<RegionParam>,
    /// The nodes, each after its operands.
    pub nodes: Vec<Node>,
    /// The yielded (returned) values.
    pub results: Vec<Value>,
}

impl Region {
    /// The node with this id. Panics when out of range (ids from a validated region never are).
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    /// The type of a value, if the handle is in range.
    pub fn value_type(&self, v: Value) -> Option<&TensorType> {
        match v {
            Value::Param(i) => self.params.get(i as usize).map(|p| &p.ty),
            Value::Result { node, index } => self
                .nodes
                .get(node.index())
                .and_then(|n| n.results.get(index as usize)),
        }
    }

    /// Appends a node and returns its id.
    pub fn push(&mut self, node: Node) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(node);
        id
    }
}

/// How a function parameter's buffer is bound, as in SymPy's codegen arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intent {
    /// Read only.
    In,
    /// Written only: the caller provides the buffer; the body may not read it.
    Out,
    /// Read, then overwritten.
    InOut,
}

impl Intent {
    /// The keyword in the text form (`in` is implicit).
    pub fn keyword(self) -> &'static str {
        match self {
            Intent::In => "in",
            Intent::Out => "out",
            Intent::InOut => "inout",
        }
    }
}

/// A function parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The name (unique in the function).
    pub name: String,
    /// The type; its symbols are the function's dimension symbols.
    pub ty: TensorType,
    /// How the buffer is bound.
    pub intent: Intent,
    /// Op set 2: the dim symbol this parameter's value binds (a *size parameter*: an `in`
    /// integer scalar whose value, at least 0, is the symbol's extent; spec §1.5).
    pub size: Option<String>,
}

/// A declared function result.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultDecl {
    /// The result's name, if any (`result0`, `result1`... are used when absent).
    pub name: Option<String>,
    /// The type.
    pub ty: TensorType,
}

/// A function: a signature and a body.
///
/// The body's parameters mirror `params` (same names and types, in order; an `out` parameter is in
/// the list but may not be read). The body yields, in order, one value per declared result, then
/// one value per `out` or `inout` parameter (in parameter order): the value written to its buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    /// The name (unique in the module).
    pub name: String,
    /// The parameters.
    pub params: Vec<Param>,
    /// The declared results.
    pub results: Vec<ResultDecl>,
    /// The body.
    pub body: Region,
    /// An optional location.
    pub loc: Option<Location>,
}

impl Function {
    /// The body's region parameters derived from the signature.
    pub fn region_params(&self) -> Vec<RegionParam> {
        self.params
            .iter()
            .map(|p| RegionParam {
                name: p.name.clone(),
                ty: p.ty.clone(),
            })
            .collect()
    }

    /// The types the body must yield: declared results, then `out`/`inout` params.
    pub fn yield_types(&self) -> Vec<TensorType> {
        let mut out: Vec<TensorType> = self.results.iter().map(|r| r.ty.clone()).collect();
        out.extend(
            self.params
                .iter()
                .filter(|p| p.intent != Intent::In)
                .map(|p| p.ty.clone()),
        );
        out
    }
}

/// A module: versions, producer, metadata and functions.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// The IR version the module was written for.
    pub ir_version: u32,
    /// The op set version the module was written for.
    pub opset_version: u32,
    /// The tool that wrote the module (`air-sympy 0.1.0`), possibly empty.
    pub producer: String,
    /// Free-form key/value pairs, in order.
    pub metadata: Vec<(String, String)>,
    /// The functions; names are unique.
    pub functions: Vec<Function>,
}

impl Default for Module {
    fn default() -> Module {
        Module {
            ir_version: IR_VERSION,
            // The lowest op set: a producer raises it to `required_opset()` when it uses newer ops.
            opset_version: 1,
            producer: String::new(),
            metadata: vec![],
            functions: vec![],
        }
    }
}

impl Module {
    /// The lowest op set version that has every op and dim form of the module: the largest
    /// [`Op::opset`] over every node, nested regions included, at least 2 when a declared type or
    /// shape attribute has a `floordiv` or `max0` dim or a function has a size parameter, and at
    /// least 1.
    pub fn required_opset(&self) -> u32 {
        fn dims(types: &[TensorType]) -> u32 {
            let atoms = types
                .iter()
                .any(|t| t.shape.iter().any(|d| !d.is_polynomial()));
            if atoms {
                2
            } else {
                1
            }
        }
        fn region(r: &Region) -> u32 {
            let params: Vec<TensorType> = r.params.iter().map(|p| p.ty.clone()).collect();
            r.nodes
                .iter()
                .map(|n| {
                    let inner =
                        n.op.named_regions()
                            .into_iter()
                            .map(|(_, r)| region(r))
                            .max()
                            .unwrap_or(1);
                    let attr = TensorType {
                        dtype: crate::dtype::DType::I64,
                        shape: n.op.shape_attr().unwrap_or(&[]).to_vec(),
                    };
                    n.op.opset()
                        .max(inner)
                        .max(dims(&n.results))
                        .max(dims(&[attr]))
                })
                .max()
                .unwrap_or(1)
                .max(dims(&params))
        }
        self.functions
            .iter()
            .map(|f| {
                let results: Vec<TensorType> = f.results.iter().map(|r| r.ty.clone()).collect();
                let sizes = if f.params.iter().any(|p| p.size.is_some()) {
                    2
                } else {
                    1
                };
                region(&f.body).max(dims(&results)).max(sizes)
            })
            .max()
            .unwrap_or(1)
    }

    /// The function with this name.
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
}
