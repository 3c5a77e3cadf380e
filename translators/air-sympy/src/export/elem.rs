//! Element expressions: the SymPy expression of one element of an AIR value, given an index
//! expression per axis. Elementwise ops apply their SymPy function to their operands' elements,
//! shape ops move the indices, reductions and contractions become `Sum`s over new dummies.

use std::collections::{BTreeSet, HashMap};

use air_ir::infer::parse_einsum;
use air_ir::op::{Bound, ReduceKind};
use air_ir::{BinaryOp, DType, Dim, Function, Node, Op, Scalar, TensorType, UnaryOp, Value};

use super::build::Build;
use crate::syntax::{NodeId, Tree};
use crate::vocab::Head;

/// Writes element expressions of one function into a tree.
pub(crate) struct Writer<'m> {
    pub f: &'m Function,
    pub t: Tree,
    /// Names taken (params, results, dims, indices).
    pub used: BTreeSet<String>,
    /// AIR dim symbol → SymPy name.
    pub dims: HashMap<String, String>,
    memo: HashMap<(Value, Vec<NodeId>), NodeId>,
    /// The params the current equation reads.
    pub reads: BTreeSet<u32>,
    depth: usize,
    max_depth: usize,
}

/// Why an element expression cannot be written.
pub(crate) type W<T> = Result<T, String>;

impl<'m> Writer<'m> {
    pub(crate) fn new(f: &'m Function, used: BTreeSet<String>, max_depth: usize) -> Writer<'m> {
        Writer {
            f,
            t: Tree::default(),
            used,
            dims: HashMap::new(),
            memo: HashMap::new(),
            reads: BTreeSet::new(),
            depth: 0,
            max_depth,
        }
    }

    /// A fresh name starting with `base` (`i0`, `i1`...).
    pub(crate) fn fresh(&mut self, base: &str) -> String {
        let mut k = 0;
        loop {
            let name = format!("{base}{k}");
            if self.used.insert(name.clone()) {
                return name;
            }
            k += 1;
        }
    }

    /// A dim as a SymPy expression.
    pub(crate) fn dim(&mut self, d: &Dim) -> NodeId {
        let dims = self.dims.clone();
        let rename = |s: &str| dims.get(s).cloned().unwrap_or_else(|| s.to_string());
        self.t.dim(d, &rename)
    }

    /// A new `Idx` over `extent`.
    pub(crate) fn idx(&mut self, base: &str, extent: &Dim) -> NodeId {
        let name = self.fresh(base);
        let dims = self.dims.clone();
        let rename = |s: &str| dims.get(s).cloned().unwrap_or_else(|| s.to_string());
        self.t.idx(&name, extent, &rename)
    }

    fn ty(&self, v: Value) -> W<TensorType> {
        self.f
            .body
            .value_type(v)
            .cloned()
            .ok_or_else(|| "a value out of range".to_string())
    }

    /// The element of `v` at `idx` (one index expression per axis).
    pub(crate) fn elem(&mut self, v: Value, idx: &[NodeId]) -> W<NodeId> {
        let key = (v, idx.to_vec());
        if let Some(&n) = self.memo.get(&key) {
            return Ok(n);
        }
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(format!(
                "the expression is nested deeper than {} levels",
                self.max_depth
            ));
        }
        let out = match v {
            Value::Param(p) => self.param(p, idx),
            Value::Result { node, .. } => {
                let n = self.f.body.node(node);
                self.node(n, idx)
            }
        };
        self.depth -= 1;
        let out = out?;
        self.memo.insert(key, out);
        Ok(out)
    }

    fn param(&mut self, p: u32, idx: &[NodeId]) -> W<NodeId> {
        self.reads.insert(p);
        let param = &self.f.params[p as usize];
        // A size parameter (op set 2) is the dimension symbol itself, as SymPy's codegen has it.
        if let Some(s) = param.size.clone() {
            return Ok(self.dim(&air_ir::Dim::symbol(s)));
        }
        let assumptions: &[&str] = if param.ty.dtype.is_int() {
            &["integer"]
        } else {
            &[]
        };
        let label = self.t.symbol(&param.name, assumptions);
        if idx.is_empty() {
            return Ok(label);
        }
        let shape: Vec<NodeId> = param.ty.shape.clone().iter().map(|d| self.dim(d)).collect();
        let shape = self.t.make(Head::Tuple, shape);
        let base = self.t.make(Head::IndexedBase, vec![label, shape]);
        let mut args = vec![base];
        args.extend_from_slice(idx);
        Ok(self.t.make(Head::Indexed, args))
    }

    /// A scalar as a SymPy number.
    pub(crate) fn number(&mut self, s: Scalar) -> NodeId {
        match s {
            Scalar::Bool(true) => self.t.name(Head::True),
            Scalar::Bool(false) => self.t.name(Head::False),
            Scalar::Int(i) => self.t.integer(i),
            Scalar::UInt(u) => self.t.integer(i64::try_from(u).unwrap_or(i64::MAX)),
            Scalar::Float(f) | Scalar::Complex(f, _) => self.t.float(f),
        }
    }

    #[allow(clippy::wildcard_enum_match_arm)] // srepr atoms: only a name or a call has a head
    fn node(&mut self, n: &Node, idx: &[NodeId]) -> W<NodeId> {
        let operand = |k: usize| n.operands.get(k).copied().ok_or("missing operand");
        match &n.op {
            Op::Constant(lit) => {
                // An empty constant has no element to read: any number of its dtype will do.
                let first = lit.elements().next().unwrap_or(Scalar::Int(0));
                Ok(self.number(first))
            }
            Op::Full { value, .. } => {
                let first = value.elements().next().ok_or("an empty constant")?;
                Ok(self.number(first))
            }
            Op::Iota { axis, .. } => idx.get(*axis as usize).copied().ok_or("bad iota".into()),
            Op::Unary(u) => {
                let x = self.elem(operand(0)?, idx)?;
                self.unary(*u, x)
            }
            Op::Binary(b) => {
                let dtype = self.ty(operand(0)?)?.dtype;
                let a = self.elem(operand(0)?, idx)?;
                let c = self.elem(operand(1)?, idx)?;
                self.binary(*b, dtype, a, c)
            }
            Op::Select => {
                let c = self.elem(operand(0)?, idx)?;
                let c = self.condition(c);
                let a = self.elem(operand(1)?, idx)?;
                let b = self.elem(operand(2)?, idx)?;
                if is_boolean(&self.t, a) && is_boolean(&self.t, b) {
                    // A choice between truth values is SymPy's Boolean `ITE`, which a condition
                    // takes as it is (a Piecewise there would be compared with zero); choosing
                    // true or false is the condition itself, or its negation.
                    let head = |t: &Tree, n: NodeId| match &t.node(n).atom {
                        crate::syntax::Atom::Name(h) => crate::vocab::name(h),
                        _ => None,
                    };
                    return Ok(match (head(&self.t, a), head(&self.t, b)) {
                        (Some(Head::True), Some(Head::False)) => c,
                        (Some(Head::False), Some(Head::True)) => self.t.make(Head::Not, vec![c]),
                        _ => self.t.make(Head::Ite, vec![c, a, b]),
                    });
                }
                let p1 = self.t.make(Head::ExprCondPair, vec![a, c]);
                let tr = self.t.name(Head::True);
                let p2 = self.t.make(Head::ExprCondPair, vec![b, tr]);
                Ok(self.t.make(Head::Piecewise, vec![p1, p2]))
            }
            Op::Clip => {
                let x = self.elem(operand(0)?, idx)?;
                let lo = self.elem(operand(1)?, idx)?;
                let hi = self.elem(operand(2)?, idx)?;
                let m = self.t.make(Head::Fold(BinaryOp::Max), vec![x, lo]);
                Ok(self.t.make(Head::Fold(BinaryOp::Min), vec![m, hi]))
            }
            Op::Broadcast { shape, dims } => {
                let x = operand(0)?;
                let xs = self.ty(x)?.shape;
                let one = Dim::constant(1);
                let mut sub = vec![];
                for (k, &d) in dims.iter().enumerate() {
                    let i = *idx.get(d as usize).ok_or("bad broadcast")?;
                    let unit = xs.get(k) == Some(&one) && shape.get(d as usize) != Some(&one);
                    sub.push(if unit { self.t.integer(0) } else { i });
                }
                self.elem(x, &sub)
            }
            Op::Reshape { .. } => self.elem(operand(0)?, idx),
            Op::Transpose { perm } => {
                let mut sub = idx.to_vec();
                for (i, &p) in perm.iter().enumerate() {
                    let slot = sub.get_mut(p as usize).ok_or("bad permutation")?;
                    *slot = idx[i];
                }
                self.elem(operand(0)?, &sub)
            }
            Op::ExpandDims { axes } => {
                let sub: Vec<NodeId> = idx
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| !axes.contains(&(*k as u32)))
                    .map(|(_, i)| *i)
                    .collect();
                self.elem(operand(0)?, &sub)
            }
            Op::Squeeze { axes } => {
                let rank = idx.len() + axes.len();
                let mut it = idx.iter();
                let mut sub = vec![];
                for k in 0..rank {
                    sub.push(match axes.contains(&(k as u32)) {
                        true => self.t.integer(0),
                        false => *it.next().ok_or("bad squeeze")?,
                    });
                }
                self.elem(operand(0)?, &sub)
            }
            Op::Slice { axes } => {
                let mut sub = vec![];
                for (a, &i) in axes.iter().zip(idx) {
                    let start = match a.start {
                        Bound::Const(c) => c,
                        Bound::Default | Bound::Operand(_) => 0,
                    };
                    sub.push(self.t.offset(i, start));
                }
                self.elem(operand(0)?, &sub)
            }
            Op::Reduce {
                kind,
                axes,
                keepdims,
            } => self.reduce(*kind, axes, *keepdims, operand(0)?, idx),
            Op::Einsum { spec } => self.einsum(spec, &n.operands, idx, false),
            Op::Matmul => self.matmul(operand(0)?, operand(1)?, idx, false),
            Op::Cast { .. }
            | Op::Concat { .. }
            | Op::Take { .. }
            | Op::Extract
            | Op::Insert
            | Op::Filter
            | Op::Scatter { .. }
            | Op::Gather
            | Op::Unique
            | Op::ArgReduce { .. }
            | Op::Scan { .. }
            | Op::Sort { .. }
            | Op::For { .. }
            | Op::If { .. }
            | Op::While { .. }
            | Op::Call { .. }
            | Op::Custom(_) => Err(format!("{} cannot be written", n.op.name())),
        }
    }

    /// A SymPy Boolean: relations and logic as they are, anything else compared with zero.
    pub(crate) fn condition(&mut self, c: NodeId) -> NodeId {
        if is_boolean(&self.t, c) {
            return c;
        }
        let zero = self.t.integer(0);
        self.t.make(Head::Rel(BinaryOp::Ne), vec![c, zero])
    }

    fn unary(&mut self, u: UnaryOp, x: NodeId) -> W<NodeId> {
        let pow = |t: &mut Tree, x: NodeId, p: i64, q: i64| {
            let (pl, ql) = (
                t.leaf(crate::syntax::Atom::Int(p.to_string())),
                t.leaf(crate::syntax::Atom::Int(q.to_string())),
            );
            let r = t.make(Head::Rational, vec![pl, ql]);
            t.make(Head::Pow, vec![x, r])
        };
        Ok(match u {
            UnaryOp::Neg => self.t.neg(x),
            UnaryOp::Sqrt => pow(&mut self.t, x, 1, 2),
            UnaryOp::Rsqrt => pow(&mut self.t, x, -1, 2),
            UnaryOp::Reciprocal => {
                let m1 = self.t.integer(-1);
                self.t.make(Head::Pow, vec![x, m1])
            }
            UnaryOp::Logistic => {
                let e = self.t.neg(x);
                let e = self.t.make(Head::Unary(UnaryOp::Exp), vec![e]);
                let one = self.t.integer(1);
                let s = self.t.make(Head::Add, vec![one, e]);
                let m1 = self.t.integer(-1);
                self.t.make(Head::Pow, vec![s, m1])
            }
            UnaryOp::Not => {
                let c = self.condition(x);
                self.t.make(Head::Not, vec![c])
            }
            other @ (UnaryOp::Abs
            | UnaryOp::Sign
            | UnaryOp::Exp
            | UnaryOp::Expm1
            | UnaryOp::Log
            | UnaryOp::Log1p
            | UnaryOp::Sin
            | UnaryOp::Cos
            | UnaryOp::Tan
            | UnaryOp::Asin
            | UnaryOp::Acos
            | UnaryOp::Atan
            | UnaryOp::Sinh
            | UnaryOp::Cosh
            | UnaryOp::Tanh
            | UnaryOp::Asinh
            | UnaryOp::Acosh
            | UnaryOp::Atanh
            | UnaryOp::Exp2
            | UnaryOp::Log2
            | UnaryOp::Log10
            | UnaryOp::Cbrt
            | UnaryOp::Trunc
            | UnaryOp::Square
            | UnaryOp::Floor
            | UnaryOp::Ceil
            | UnaryOp::Round
            | UnaryOp::Erf
            | UnaryOp::IsNan
            | UnaryOp::IsInf
            | UnaryOp::IsFinite
            | UnaryOp::Real
            | UnaryOp::Imag
            | UnaryOp::Conj
            | UnaryOp::Angle
            | UnaryOp::Sinc) => self
                .t
                .unary(other, x)
                .ok_or_else(|| format!("{} cannot be written", other.name()))?,
        })
    }

    fn binary(&mut self, b: BinaryOp, dtype: DType, a: NodeId, c: NodeId) -> W<NodeId> {
        let t = &mut self.t;
        Ok(match b {
            BinaryOp::Add => flat(t, Head::Add, a, c),
            BinaryOp::Sub => {
                let nc = t.neg(c);
                flat(t, Head::Add, a, nc)
            }
            BinaryOp::Mul => flat(t, Head::Mul, a, c),
            BinaryOp::Div => {
                let m1 = t.integer(-1);
                let r = t.make(Head::Pow, vec![c, m1]);
                t.make(Head::Mul, vec![a, r])
            }
            BinaryOp::Eq | BinaryOp::Ne if dtype.is_bool() => {
                // SymPy's Xor takes Booleans only: a bool array element is `Ne(a[i], 0)`.
                let (a, c) = (self.condition(a), self.condition(c));
                let x = self.t.make(Head::Logic(BinaryOp::Xor), vec![a, c]);
                // This arm has `Eq` or `Ne` only: `Eq` is the negation of `Xor`.
                return Ok(if b == BinaryOp::Eq {
                    self.t.make(Head::Not, vec![x])
                } else {
                    x
                });
            }
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
                let (a, c) = (self.condition(a), self.condition(c));
                return Ok(self.t.make(Head::Logic(b), vec![a, c]));
            }
            BinaryOp::Max | BinaryOp::Min => t.make(Head::Fold(b), vec![a, c]),
            BinaryOp::Atan2 | BinaryOp::Mod => t.make(Head::Binary(b), vec![a, c]),
            BinaryOp::Pow => t.make(Head::Pow, vec![a, c]),
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => t.make(Head::Rel(b), vec![a, c]),
            BinaryOp::FloorDiv
            | BinaryOp::Rem
            | BinaryOp::Shl
            | BinaryOp::Shr
            | BinaryOp::Hypot
            | BinaryOp::Copysign
            | BinaryOp::Logaddexp
            | BinaryOp::Logaddexp2
            | BinaryOp::Heaviside
            | BinaryOp::Complex => return Err(format!("{} cannot be written", b.name())),
        })
    }

    fn reduce(
        &mut self,
        kind: ReduceKind,
        axes: &[u32],
        keepdims: bool,
        x: Value,
        idx: &[NodeId],
    ) -> W<NodeId> {
        let shape = self.ty(x)?.shape;
        let (mut sub, mut limits, mut it) = (vec![], vec![], idx.iter());
        let mut count = Dim::constant(1);
        for (k, d) in shape.iter().enumerate() {
            if axes.contains(&(k as u32)) {
                let (dummy, limit) = self.dummy(d);
                sub.push(dummy);
                limits.push(limit);
                count = count.mul(d).map_err(|e| e.to_string())?;
                if keepdims {
                    it.next();
                }
            } else {
                sub.push(*it.next().ok_or("bad reduction")?);
            }
        }
        let body = self.elem(x, &sub)?;
        if limits.is_empty() {
            return Ok(body);
        }
        let head = match kind {
            ReduceKind::Prod => Head::Product,
            ReduceKind::Sum | ReduceKind::Mean => Head::Sum,
            // `support` refuses these before writing starts.
            ReduceKind::Max | ReduceKind::Min | ReduceKind::Any | ReduceKind::All => {
                return Err(format!("a {kind:?} reduction cannot be written"))
            }
        };
        let mut args = vec![body];
        args.extend(limits);
        let s = self.t.make(head, args);
        if kind != ReduceKind::Mean {
            return Ok(s);
        }
        let n = self.dim(&count);
        let m1 = self.t.integer(-1);
        let r = self.t.make(Head::Pow, vec![n, m1]);
        Ok(self.t.make(Head::Mul, vec![s, r]))
    }

    /// A new Sum dummy over `0..d` and its limit `Tuple(k, 0, d - 1)`.
    fn dummy(&mut self, d: &Dim) -> (NodeId, NodeId) {
        let name = self.fresh("k");
        let sym = self.t.symbol(&name, &["integer"]);
        let lo = self.t.integer(0);
        let hi = match d.sub(&Dim::constant(1)) {
            Ok(h) => self.dim(&h),
            Err(_) => self.t.integer(0),
        };
        let limit = self.t.make(Head::Tuple, vec![sym, lo, hi]);
        (sym, limit)
    }

    /// `einsum(spec)`: the product of the operands' elements, summed over the letters absent
    /// from the output (by `Sum` dummies, or by free `Idx`s when `implicit`).
    pub(crate) fn einsum(
        &mut self,
        spec: &str,
        operands: &[Value],
        idx: &[NodeId],
        implicit: bool,
    ) -> W<NodeId> {
        let s = parse_einsum(spec).map_err(|d| d.message)?;
        let mut letter: HashMap<char, NodeId> =
            s.output.iter().copied().zip(idx.iter().copied()).collect();
        let mut limits = vec![];
        for (term, &v) in s.inputs.iter().zip(operands) {
            let shape = self.ty(v)?.shape;
            for (c, d) in term.iter().zip(&shape) {
                if letter.contains_key(c) {
                    continue;
                }
                let i = if implicit {
                    self.idx("j", d)
                } else {
                    let (dummy, limit) = self.dummy(d);
                    limits.push(limit);
                    dummy
                };
                letter.insert(*c, i);
            }
        }
        let mut factors = vec![];
        for (term, &v) in s.inputs.iter().zip(operands) {
            let sub: Vec<NodeId> = term.iter().map(|c| letter[c]).collect();
            factors.push(self.elem(v, &sub)?);
        }
        let body = match factors.len() {
            1 => factors[0],
            _ => self.t.make(Head::Mul, factors),
        };
        if limits.is_empty() {
            return Ok(body);
        }
        let mut args = vec![body];
        args.extend(limits);
        Ok(self.t.make(Head::Sum, args))
    }

    /// `matmul(a, b)` with NumPy's rank rules, as an einsum over explicit index lists.
    pub(crate) fn matmul(
        &mut self,
        a: Value,
        b: Value,
        idx: &[NodeId],
        implicit: bool,
    ) -> W<NodeId> {
        let (sa, sb) = (self.ty(a)?.shape, self.ty(b)?.shape);
        let k = sa.last().cloned().ok_or("matmul of a scalar")?;
        let inner = if implicit {
            self.idx("j", &k)
        } else {
            self.fresh_dummy_placeholder()
        };
        let (ra, rb) = (sa.len(), sb.len());
        let batch = idx
            .len()
            .saturating_sub(usize::from(ra > 1) + usize::from(rb > 1));
        let one = Dim::constant(1);
        let batch_of = |this: &mut Self, shape: &[Dim], own: usize| -> Vec<NodeId> {
            let skip = batch - own;
            (0..own)
                .map(|i| match shape[i] == one {
                    true => this.t.integer(0),
                    false => idx[skip + i],
                })
                .collect()
        };
        let mut ia = batch_of(self, &sa, ra.saturating_sub(2));
        if ra > 1 {
            ia.push(idx[batch]);
        }
        ia.push(inner);
        let mut ib = batch_of(self, &sb, rb.saturating_sub(2));
        ib.push(inner);
        if rb > 1 {
            ib.push(*idx.last().ok_or("bad matmul")?);
        }
        let ea = self.elem(a, &ia)?;
        let eb = self.elem(b, &ib)?;
        let body = self.t.make(Head::Mul, vec![ea, eb]);
        if implicit {
            return Ok(body);
        }
        let hi = match k.sub(&one) {
            Ok(h) => self.dim(&h),
            Err(e) => return Err(e.to_string()),
        };
        let lo = self.t.integer(0);
        let limit = self.t.make(Head::Tuple, vec![inner, lo, hi]);
        Ok(self.t.make(Head::Sum, vec![body, limit]))
    }

    fn fresh_dummy_placeholder(&mut self) -> NodeId {
        let name = self.fresh("k");
        self.t.symbol(&name, &["integer"])
    }
}

/// `head(a, c)`, flattening a left operand with the same head (`(a + b) + c` is `Add(a, b, c)`,
/// which SymPy and the importer both fold left to right).
fn flat(t: &mut Tree, head: Head, a: NodeId, c: NodeId) -> NodeId {
    let same = t.head(a) == Some(crate::vocab::spelling(head)) && t.node(a).kwargs.is_empty();
    let mut args = if same {
        t.node(a).args.clone()
    } else {
        vec![a]
    };
    args.push(c);
    t.make(head, args)
}

/// True when the node is a SymPy Boolean (a relation, logic, `true`/`false`).
#[allow(clippy::wildcard_enum_match_arm)] // srepr atoms: only a name or a call has a head
pub(crate) fn is_boolean(t: &Tree, n: NodeId) -> bool {
    let head = match &t.node(n).atom {
        crate::syntax::Atom::Call(h) => crate::vocab::call(h),
        crate::syntax::Atom::Name(h) => crate::vocab::name(h),
        _ => None,
    };
    matches!(
        head,
        Some(Head::Rel(_) | Head::Logic(_) | Head::Not | Head::Ite | Head::True | Head::False)
    )
}
