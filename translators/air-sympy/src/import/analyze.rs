//! The first pass over the equations: what every name is (an array, a matrix, a scalar, a
//! dimension, an index), which names each equation reads, and the problems of use (a name used
//! as two things, an array indexed with two ranks), all collected.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::Source;
use crate::error::{Problem, ProblemKind};
use crate::syntax::{Atom, NodeId, Tree};
use crate::vocab::{self, Head};

/// The head of a node of the DAG, when it is a known call or name.
pub(crate) fn head(dag: &Tree, id: NodeId) -> Option<Head> {
    match &dag.node(id).atom {
        Atom::Call(n) => vocab::call(n),
        Atom::Name(n) => vocab::name(n),
        Atom::Str(_) | Atom::Int(_) | Atom::Neg => None,
    }
}

/// The name of a `Symbol`, a `Dummy` (`x_<dummy_index>`) or an `Idx` (its label's name).
#[allow(clippy::wildcard_enum_match_arm)] // SymPy heads and srepr atoms: every other one names no symbol
pub(crate) fn symbol_name(dag: &Tree, id: NodeId) -> Option<String> {
    let n = dag.node(id);
    match head(dag, id)? {
        Head::Symbol => dag.str_of(*n.args.first()?).map(str::to_string),
        Head::Dummy => {
            let base = dag.str_of(*n.args.first()?)?;
            let index = n.kwargs.iter().find(|(k, _)| k == "dummy_index");
            match index.map(|(_, v)| &dag.node(*v).atom) {
                Some(Atom::Int(i)) => Some(format!("{base}_{i}")),
                _ => Some(base.to_string()),
            }
        }
        Head::Idx => symbol_name(dag, *n.args.first()?),
        _ => None,
    }
}

/// True when the symbol carries the assumption `key=True`.
pub(crate) fn assumes(dag: &Tree, symbol: NodeId, key: &str) -> bool {
    dag.node(symbol)
        .kwargs
        .iter()
        .any(|(k, v)| k == key && matches!(&dag.node(*v).atom, Atom::Name(t) if t == "True"))
}

/// The assumptions from which SymPy's assumption system derives `is_integer == True` for a
/// plain `Symbol` (`crates/air-python/tests/test_order.py` checks the list against SymPy).
const INTEGER_ASSUMPTIONS: [&str; 6] = ["integer", "odd", "even", "prime", "composite", "zero"];

/// Whether SymPy holds the symbol an integer (SymPy's codegen gives it an integer type).
pub(crate) fn integer_symbol(dag: &Tree, symbol: NodeId) -> bool {
    INTEGER_ASSUMPTIONS.iter().any(|k| assumes(dag, symbol, k))
}

/// The left side of one equation.
#[derive(Clone, Debug)]
pub(crate) enum Lhs {
    /// `Symbol('s')`: a scalar.
    Scalar {
        /// The name.
        name: String,
        /// The Symbol node.
        symbol: NodeId,
    },
    /// `Indexed(IndexedBase(...), Idx...)`: a tensor.
    Array {
        /// The name.
        name: String,
        /// The IndexedBase node.
        base: NodeId,
        /// The index nodes.
        indices: Vec<NodeId>,
    },
    /// `MatrixSymbol(Str('M'), r, c)`: a matrix.
    Matrix {
        /// The name.
        name: String,
        /// The MatrixSymbol node.
        node: NodeId,
    },
}

impl Lhs {
    /// The assigned name.
    pub(crate) fn name(&self) -> &str {
        match self {
            Lhs::Scalar { name, .. } | Lhs::Array { name, .. } | Lhs::Matrix { name, .. } => name,
        }
    }
}

/// One `Equality(lhs, rhs)`.
#[derive(Clone, Debug)]
pub(crate) struct Equation {
    /// The Equality node.
    pub node: NodeId,
    /// The left side.
    pub lhs: Lhs,
    /// The right side.
    pub rhs: NodeId,
}

/// What a name is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// An indexed array of this rank; the first IndexedBase node seen.
    Array {
        /// Number of indices.
        rank: usize,
        /// An IndexedBase node of it.
        base: NodeId,
    },
    /// A MatrixSymbol; its node.
    Matrix(NodeId),
    /// A scalar symbol; a Symbol node of it.
    Scalar(NodeId),
}

/// Everything the first pass learns.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    /// The equations, in order.
    pub equations: Vec<Equation>,
    /// Every array, matrix and scalar name, read or written.
    pub kinds: BTreeMap<String, Kind>,
    /// Symbols met in shapes, ranges and bounds.
    pub dims: BTreeSet<String>,
    /// Names of `Idx` labels and Sum/Product dummies.
    pub indices: BTreeSet<String>,
    /// Per equation, the array, matrix and scalar names its right side reads.
    pub reads: Vec<BTreeSet<String>>,
    /// Per array, the first IndexedBase node that gives a shape.
    pub shaped: BTreeMap<String, NodeId>,
}

/// Runs the first pass over the hash-consed tree.
pub(crate) fn analyze(src: &Source, dag: &Tree) -> Result<Analysis, Vec<Problem>> {
    let mut w = Walker {
        src,
        dag,
        a: Analysis::default(),
        problems: vec![],
        seen: HashSet::new(),
        value_symbols: vec![],
        bound_symbols: BTreeSet::new(),
    };
    w.root(dag.root);
    let Walker {
        mut a,
        mut problems,
        value_symbols,
        bound_symbols,
        ..
    } = w;
    for name in bound_symbols {
        if !a.indices.contains(&name) {
            a.dims.insert(name);
        }
    }
    for (eq, name, node) in value_symbols {
        if a.dims.contains(&name) {
            continue;
        }
        if a.indices.contains(&name) {
            problems.push(src.problem(
                ProblemKind::Invalid,
                format!("`{name}` is used as a value outside the Sum/Product that binds it"),
                node,
            ));
            continue;
        }
        match a.kinds.get(&name) {
            None | Some(Kind::Scalar(_)) => {
                a.kinds.entry(name.clone()).or_insert(Kind::Scalar(node));
                a.reads[eq].insert(name);
            }
            Some(_) => problems.push(src.problem(
                ProblemKind::Invalid,
                format!("`{name}` is used both as a scalar and as an array or matrix"),
                node,
            )),
        }
    }
    for name in a.dims.iter().chain(&a.indices) {
        if let Some(k) = a.kinds.get(name) {
            let node = match k {
                Kind::Array { base, .. } => *base,
                Kind::Matrix(n) | Kind::Scalar(n) => *n,
            };
            problems.push(src.problem(
                ProblemKind::Invalid,
                format!("`{name}` is used both as a dimension or index and as a value"),
                node,
            ));
        }
    }
    if problems.is_empty() {
        Ok(a)
    } else {
        Err(problems)
    }
}

struct Walker<'a> {
    src: &'a Source<'a>,
    dag: &'a Tree,
    a: Analysis,
    problems: Vec<Problem>,
    /// (equation, node, bound names) already walked as a value.
    seen: HashSet<(usize, NodeId, Vec<String>)>,
    /// Unbound symbols met as values: (equation, name, node).
    value_symbols: Vec<(usize, String, NodeId)>,
    /// Symbols met in Sum/Product bounds: indices, else dims.
    bound_symbols: BTreeSet<String>,
}

impl Walker<'_> {
    fn bad(&mut self, kind: ProblemKind, message: String, node: NodeId) {
        self.problems.push(self.src.problem(kind, message, node));
    }

    fn root(&mut self, root: NodeId) {
        let dag = self.dag;
        let eqs: Vec<NodeId> = match head(dag, root) {
            Some(Head::Tuple) => dag.node(root).args.clone(),
            _ => vec![root],
        };
        if eqs.is_empty() {
            self.bad(
                ProblemKind::Invalid,
                "an empty Tuple has no equation".into(),
                root,
            );
        }
        for e in eqs {
            if head(dag, e) != Some(Head::Rel(air_ir::BinaryOp::Eq)) {
                self.bad(
                    ProblemKind::Unsupported,
                    "the text must be an Equality(lhs, rhs) or a Tuple of them".into(),
                    e,
                );
                continue;
            }
            let n = dag.node(e);
            let (l, r) = (n.args[0], n.args[1]);
            let Some(lhs) = self.lhs(l) else { continue };
            let k = self.a.equations.len();
            self.a.reads.push(BTreeSet::new());
            self.value(k, r, &mut vec![]);
            self.a.equations.push(Equation {
                node: e,
                lhs,
                rhs: r,
            });
        }
    }

    fn lhs(&mut self, l: NodeId) -> Option<Lhs> {
        let dag = self.dag;
        let n = dag.node(l);
        match head(dag, l) {
            Some(Head::Symbol | Head::Dummy) => {
                let name = self.name_of(l)?;
                self.kind(&name, Kind::Scalar(l), l);
                Some(Lhs::Scalar { name, symbol: l })
            }
            Some(Head::Indexed) => {
                let base = n.args[0];
                let name = self.array(base, n.args.len() - 1)?;
                for &i in &n.args[1..] {
                    if head(dag, i) == Some(Head::Idx) {
                        self.idx(i);
                    } else {
                        self.bad(
                            ProblemKind::Unsupported,
                            "an index on the left side must be an Idx".into(),
                            i,
                        );
                        return None;
                    }
                }
                Some(Lhs::Array {
                    name,
                    base,
                    indices: n.args[1..].to_vec(),
                })
            }
            Some(Head::MatrixSymbol) => {
                let name = self.matrix(l)?;
                Some(Lhs::Matrix { name, node: l })
            }
            _ => {
                self.bad(
                    ProblemKind::Unsupported,
                    "the left side must be a Symbol, an Indexed or a MatrixSymbol".into(),
                    l,
                );
                None
            }
        }
    }

    /// A valid AIR identifier name of a Symbol/Dummy/Idx node.
    fn name_of(&mut self, id: NodeId) -> Option<String> {
        let Some(name) = symbol_name(self.dag, id) else {
            self.bad(ProblemKind::Invalid, "expected a Symbol".into(), id);
            return None;
        };
        self.identifier(name, id)
    }

    fn identifier(&mut self, name: String, id: NodeId) -> Option<String> {
        if !crate::vocab::is_identifier(&name) {
            self.bad(
                ProblemKind::Unsupported,
                format!("the name `{name}` is not an identifier ([A-Za-z_][A-Za-z0-9_]*)"),
                id,
            );
            return None;
        }
        Some(name)
    }

    fn kind(&mut self, name: &str, kind: Kind, at: NodeId) {
        let same = |a: &Kind, b: &Kind| match (a, b) {
            (Kind::Array { rank: x, .. }, Kind::Array { rank: y, .. }) => x == y,
            (Kind::Matrix(_), Kind::Matrix(_)) | (Kind::Scalar(_), Kind::Scalar(_)) => true,
            _ => false,
        };
        match self.a.kinds.get(name) {
            None => {
                self.a.kinds.insert(name.to_string(), kind);
            }
            Some(k) if same(k, &kind) => {}
            Some(_) => self.bad(
                ProblemKind::Invalid,
                format!("`{name}` is used with two different kinds or ranks"),
                at,
            ),
        }
    }

    /// An `IndexedBase` indexed with `rank` indices; its name.
    fn array(&mut self, base: NodeId, rank: usize) -> Option<String> {
        let dag = self.dag;
        if head(dag, base) != Some(Head::IndexedBase) {
            self.bad(
                ProblemKind::Unsupported,
                "the base of an Indexed must be an IndexedBase".into(),
                base,
            );
            return None;
        }
        let n = dag.node(base);
        let name = self.name_of(n.args[0])?;
        if let Some(&shape) = n.args.get(1) {
            let dims = match head(dag, shape) {
                Some(Head::Tuple) => dag.node(shape).args.clone(),
                _ => vec![shape],
            };
            if dims.len() != rank {
                self.bad(
                    ProblemKind::Invalid,
                    format!(
                        "`{name}` has a shape of rank {} but {rank} indices",
                        dims.len()
                    ),
                    base,
                );
            }
            for d in dims {
                self.dim(d);
            }
        }
        if n.args.len() == 2 {
            self.a.shaped.entry(name.clone()).or_insert(base);
        }
        self.kind(&name, Kind::Array { rank, base }, base);
        Some(name)
    }

    fn matrix(&mut self, m: NodeId) -> Option<String> {
        let dag = self.dag;
        let n = dag.node(m);
        let label = n.args[0];
        let name = match (dag.str_of(label), head(dag, label)) {
            (Some(s), _) => s.to_string(),
            (None, Some(Head::Str)) => dag.str_of(dag.node(label).args[0])?.to_string(),
            (None, _) => symbol_name(dag, label).unwrap_or_default(),
        };
        let name = self.identifier(name, label)?;
        for &d in &n.args[1..] {
            self.dim(d);
        }
        self.kind(&name, Kind::Matrix(m), m);
        Some(name)
    }

    /// A shape, range or bound: an integer polynomial of symbols.
    fn dim(&mut self, d: NodeId) {
        let dag = self.dag;
        match head(dag, d) {
            Some(Head::Symbol | Head::Dummy) => {
                if let Some(name) = self.name_of(d) {
                    self.a.dims.insert(name);
                }
            }
            Some(Head::Integer | Head::Rational) => {}
            // Op set 2: floor/ceiling of a polynomial over a constant, Max(0, d)
            // (`dims::to_dim` checks the form).
            Some(
                Head::Add
                | Head::Mul
                | Head::Pow
                | Head::Unary(air_ir::UnaryOp::Floor | air_ir::UnaryOp::Ceil)
                | Head::Fold(air_ir::BinaryOp::Max),
            ) => {
                for a in dag.node(d).args.clone() {
                    self.dim(a);
                }
            }
            _ => self.bad(
                ProblemKind::Unsupported,
                "a dimension must be an integer polynomial of symbols, or floor/ceiling of one \
                 over a constant, or Max(0, one)"
                    .into(),
                d,
            ),
        }
    }

    /// A Sum/Product bound: a dimension expression that may also mention indices (an `Idx`,
    /// or a symbol that names one); which symbols are indices is settled once every index is
    /// known ([`analyze`]).
    fn bound(&mut self, d: NodeId) {
        let dag = self.dag;
        match head(dag, d) {
            Some(Head::Idx) => self.idx(d),
            Some(Head::Symbol | Head::Dummy) => {
                if let Some(name) = self.name_of(d) {
                    self.bound_symbols.insert(name);
                }
            }
            Some(Head::Integer) => {}
            Some(Head::Add | Head::Mul | Head::Pow) => {
                for a in dag.node(d).args.clone() {
                    self.bound(a);
                }
            }
            _ => self.bad(
                ProblemKind::Unsupported,
                "a Sum/Product bound must be an integer expression of dimensions and indices"
                    .into(),
                d,
            ),
        }
    }

    fn idx(&mut self, i: NodeId) {
        let dag = self.dag;
        let n = dag.node(i);
        if let Some(name) = self.name_of(n.args[0]) {
            self.a.indices.insert(name);
        }
        if let Some(&range) = n.args.get(1) {
            match head(dag, range) {
                Some(Head::Tuple) if dag.node(range).args.len() == 2 => {
                    for b in dag.node(range).args.clone() {
                        self.dim(b);
                    }
                }
                Some(Head::Tuple) => self.bad(
                    ProblemKind::Invalid,
                    "an Idx range is Tuple(lower, upper)".into(),
                    range,
                ),
                _ => self.dim(range),
            }
        }
    }

    /// An index position of an Indexed: Idx, a bound Symbol, `index + constant`, a constant.
    fn index(&mut self, i: NodeId) {
        let dag = self.dag;
        match head(dag, i) {
            Some(Head::Idx) => self.idx(i),
            Some(Head::Add) => {
                for a in dag.node(i).args.clone() {
                    self.index(a);
                }
            }
            _ => {}
        }
    }

    fn value(&mut self, eq: usize, id: NodeId, bound: &mut Vec<String>) {
        if !self.seen.insert((eq, id, bound.clone())) {
            return;
        }
        let dag = self.dag;
        let n = dag.node(id);
        match head(dag, id) {
            Some(Head::Symbol | Head::Dummy) => {
                if let Some(name) = self.name_of(id) {
                    if !bound.contains(&name) {
                        self.value_symbols.push((eq, name, id));
                    }
                }
            }
            Some(Head::Idx) => self.idx(id),
            Some(Head::Indexed) => {
                if let Some(name) = self.array(n.args[0], n.args.len() - 1) {
                    self.a.reads[eq].insert(name);
                }
                for &i in &n.args[1..] {
                    self.index(i);
                }
            }
            Some(Head::MatrixSymbol) => {
                if let Some(name) = self.matrix(id) {
                    self.a.reads[eq].insert(name);
                }
            }
            Some(Head::MatrixElement) => {
                self.value(eq, n.args[0], bound);
                for &i in &n.args[1..] {
                    self.index(i);
                }
            }
            Some(Head::Sum | Head::Product) => self.limits(eq, id, bound),
            Some(Head::Integer | Head::Rational | Head::Float) => {}
            Some(Head::Tuple | Head::IndexedBase | Head::Str) | None
                if !matches!(n.atom, Atom::Neg) =>
            {
                self.bad(
                    ProblemKind::Unsupported,
                    "this is not a value (an expression is expected here)".into(),
                    id,
                );
            }
            _ => {
                for a in n.args.clone() {
                    self.value(eq, a, bound);
                }
            }
        }
    }

    fn limits(&mut self, eq: usize, id: NodeId, bound: &mut Vec<String>) {
        let dag = self.dag;
        let n = dag.node(id);
        let depth = bound.len();
        for &lim in &n.args[1..] {
            let l = dag.node(lim);
            if head(dag, lim) != Some(Head::Tuple) || l.args.len() != 3 {
                self.bad(
                    ProblemKind::Unsupported,
                    "a Sum/Product limit must be Tuple(symbol, lower, upper)".into(),
                    lim,
                );
                continue;
            }
            self.bound(l.args[1]);
            self.bound(l.args[2]);
            if let Some(name) = self.name_of(l.args[0]) {
                self.a.indices.insert(name.clone());
                bound.push(name);
            }
        }
        self.value(eq, n.args[0], bound);
        bound.truncate(depth);
    }
}
