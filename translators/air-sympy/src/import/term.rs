//! Lowered values: an AIR value whose axes are named by index labels, or a SymPy number not yet
//! written as a constant. Numbers and index values are *weak*, as Python scalars are under
//! NumPy's NEP 50: `2*x` keeps `x`'s dtype, `x + 0.5` turns an integer `x` into `f64`.

use air_ir::builder::result_type;
use air_ir::{BinaryOp, DType, Dim, Literal, Op, Scalar, UnaryOp, Value};

use super::lower::{Lowerer, R};
use crate::error::ProblemKind;
use crate::syntax::NodeId;

/// Index of a label in the lowerer's table.
pub(crate) type LabelId = usize;

/// An index: a name, its first value and its extent (`Idx('i', (lo, hi))` has extent `hi-lo+1`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Label {
    /// The SymPy name.
    pub name: String,
    /// The first value.
    pub lo: Dim,
    /// The number of values.
    pub extent: Dim,
}

/// A SymPy number not yet written as an AIR constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// An integer.
    Int(i64),
    /// A float (from Float, Rational, pi, E, oo, nan).
    Float(f64),
    /// `true`/`false`.
    Bool(bool),
}

/// The kind of a weak value (a Python scalar in NumPy's terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Weak {
    /// Python `bool`.
    Bool,
    /// Python `int`.
    Int,
    /// Python `float`.
    Float,
}

impl Weak {
    /// The dtype weak values of this kind compute in on their own.
    pub(crate) fn natural(self) -> DType {
        match self {
            Weak::Bool => DType::Bool,
            Weak::Int => DType::I64,
            Weak::Float => DType::F64,
        }
    }

    /// The kind of values of `d`.
    pub(crate) fn of(d: DType) -> Weak {
        if d.is_bool() {
            Weak::Bool
        } else if d.is_int() {
            Weak::Int
        } else {
            Weak::Float
        }
    }
}

/// A lowered value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    /// A number, written as a constant when used.
    Num(Num),
    /// An AIR value; `Some` when it is weak (numbers, indices and dims combined among themselves).
    Arr(Value, Option<Weak>),
}

/// A lowered expression: its value and the label of each axis.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Term {
    /// The value.
    pub val: Val,
    /// One label per axis of the value (none for a number).
    pub labels: Vec<LabelId>,
}

impl Term {
    /// A number.
    pub(crate) fn num(n: Num) -> Term {
        Term {
            val: Val::Num(n),
            labels: vec![],
        }
    }

    /// An AIR value with labelled axes.
    pub(crate) fn arr(v: Value, weak: Option<Weak>, labels: Vec<LabelId>) -> Term {
        Term {
            val: Val::Arr(v, weak),
            labels,
        }
    }

    /// The weak kind, if the value is weak.
    pub(crate) fn weak(&self) -> Option<Weak> {
        match self.val {
            Val::Num(Num::Int(_)) => Some(Weak::Int),
            Val::Num(Num::Float(_)) => Some(Weak::Float),
            Val::Num(Num::Bool(_)) => Some(Weak::Bool),
            Val::Arr(_, w) => w,
        }
    }
}

/// Every label of the terms, each once, in order of first appearance.
pub(crate) fn union(terms: &[&Term]) -> Vec<LabelId> {
    let mut out = vec![];
    for t in terms {
        for &l in &t.labels {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

impl Lowerer<'_> {
    /// The dtype of a term (a number's natural dtype).
    pub(crate) fn dtype_of(&self, t: &Term) -> DType {
        match &t.val {
            Val::Num(_) => t.weak().map_or(DType::F64, Weak::natural),
            Val::Arr(v, _) => self.fb.value_type(*v).map_or(DType::F64, |ty| ty.dtype),
        }
    }

    /// The dtype NumPy computes `terms` in: the promoted dtype of the strong ones, adjusted by
    /// the weak ones (NEP 50); the natural dtype of the widest weak kind when all are weak.
    pub(crate) fn common_dtype(&self, terms: &[&Term]) -> DType {
        let strong: Vec<DType> = terms
            .iter()
            .filter(|t| t.weak().is_none())
            .map(|t| self.dtype_of(t))
            .collect();
        let weak = terms.iter().filter_map(|t| t.weak()).max();
        if strong.is_empty() {
            return weak.map_or(DType::F64, Weak::natural);
        }
        let s = result_type(&strong);
        match weak {
            Some(Weak::Int) if s.is_bool() => DType::I64,
            Some(Weak::Float) if !(s.is_float() || s.is_complex()) => DType::F64,
            _ => s,
        }
    }

    /// The term's value in `dtype` (a number becomes a constant of that dtype).
    pub(crate) fn materialize(&mut self, t: &Term, dtype: DType, at: NodeId) -> R<Value> {
        match &t.val {
            Val::Arr(v, _) => {
                let v = *v;
                self.fb
                    .body()
                    .cast_to(v, dtype)
                    .map_err(|d| self.diag(d, at))
            }
            Val::Num(n) => {
                let lit = self.literal(*n, dtype, at)?;
                self.fb
                    .op(Op::Constant(lit), &[])
                    .map_err(|d| self.diag(d, at))
            }
        }
    }

    fn literal(&self, n: Num, dtype: DType, at: NodeId) -> R<Literal> {
        let scalar = match n {
            Num::Int(i) => Scalar::Int(i),
            Num::Float(f) => Scalar::Float(f),
            Num::Bool(b) => Scalar::Bool(b),
        };
        if let (Num::Int(i), true) = (n, dtype.is_int()) {
            let back = Scalar::from_le_bytes(dtype, &scalar.to_le_bytes(dtype));
            if back.as_i128() != i128::from(i) {
                return Err(self.fail(
                    ProblemKind::Invalid,
                    format!("the integer {i} does not fit {dtype}"),
                    at,
                ));
            }
        }
        Literal::from_scalars(dtype, vec![], &[scalar])
            .map_err(|e| self.fail(ProblemKind::Invalid, format!("bad constant: {e}"), at))
    }

    /// `v`, whose axes are labelled `from`, transposed and broadcast to the labels `to` (a
    /// superset).
    pub(crate) fn align_to(
        &mut self,
        v: Value,
        from: &[LabelId],
        to: &[LabelId],
        at: NodeId,
    ) -> R<Value> {
        if from == to {
            return Ok(v);
        }
        let mut pos: Vec<(usize, u32)> = Vec::with_capacity(from.len());
        for (axis, l) in from.iter().enumerate() {
            let Some(p) = to.iter().position(|x| x == l) else {
                return Err(self.fail(
                    ProblemKind::Invalid,
                    format!("index `{}` cannot be dropped here", self.labels[*l].name),
                    at,
                ));
            };
            pos.push((p, axis as u32));
        }
        pos.sort();
        let mut v = v;
        let perm: Vec<u32> = pos.iter().map(|(_, a)| *a).collect();
        if perm.iter().enumerate().any(|(i, &a)| i as u32 != a) {
            v = self
                .fb
                .op(Op::Transpose { perm }, &[v])
                .map_err(|d| self.diag(d, at))?;
        }
        if from.len() == to.len() {
            return Ok(v);
        }
        let shape = to.iter().map(|l| self.labels[*l].extent.clone()).collect();
        let dims = pos.iter().map(|(p, _)| *p as u32).collect();
        self.fb
            .op(Op::Broadcast { shape, dims }, &[v])
            .map_err(|d| self.diag(d, at))
    }

    /// The term in `dtype`, laid out on `labels`.
    pub(crate) fn prepare(
        &mut self,
        t: &Term,
        dtype: DType,
        labels: &[LabelId],
        at: NodeId,
    ) -> R<Value> {
        let v = self.materialize(t, dtype, at)?;
        self.align_to(v, &t.labels, labels, at)
    }

    /// `op(a, b)` with NumPy's rules: a common dtype, labels aligned, then the builder's op.
    pub(crate) fn binary(&mut self, op: BinaryOp, a: &Term, b: &Term, at: NodeId) -> R<Term> {
        let dtype = self.common_dtype(&[a, b]);
        let labels = union(&[a, b]);
        let av = self.prepare(a, dtype, &labels, at)?;
        let bv = self.prepare(b, dtype, &labels, at)?;
        let v = self
            .fb
            .numpy_binary(op, av, bv)
            .map_err(|d| self.diag(d, at))?;
        Ok(self.result(v, a.weak().and(b.weak()), labels))
    }

    /// `op(a)` with NumPy's rules.
    pub(crate) fn unary(&mut self, op: UnaryOp, a: &Term, at: NodeId) -> R<Term> {
        if let (UnaryOp::Neg, Val::Num(n)) = (op, &a.val) {
            let folded = match *n {
                Num::Int(i) => i.checked_neg().map(Num::Int),
                Num::Float(f) => Some(Num::Float(-f)),
                Num::Bool(_) => None,
            };
            if let Some(f) = folded {
                return Ok(Term::num(f));
            }
        }
        let dtype = self.dtype_of(a);
        let v = self.materialize(a, dtype, at)?;
        let v = self.fb.numpy_unary(op, v).map_err(|d| self.diag(d, at))?;
        Ok(self.result(v, a.weak(), a.labels.clone()))
    }

    /// `select(cond, a, b)`: the condition as bool, `a` and `b` in a common dtype, all aligned.
    pub(crate) fn select(&mut self, c: &Term, a: &Term, b: &Term, at: NodeId) -> R<Term> {
        let c = self.as_condition(c, at)?;
        let dtype = self.common_dtype(&[a, b]);
        let labels = union(&[&c, a, b]);
        let cv = self.prepare(&c, DType::Bool, &labels, at)?;
        let av = self.prepare(a, dtype, &labels, at)?;
        let bv = self.prepare(b, dtype, &labels, at)?;
        let v = self
            .fb
            .op(Op::Select, &[cv, av, bv])
            .map_err(|d| self.diag(d, at))?;
        Ok(self.result(v, a.weak().and(b.weak()), labels))
    }

    /// A condition: bool values as they are; anything else compared with zero (`x != 0`).
    pub(crate) fn as_condition(&mut self, c: &Term, at: NodeId) -> R<Term> {
        if self.dtype_of(c).is_bool() {
            return Ok(c.clone());
        }
        self.binary(BinaryOp::Ne, c, &Term::num(Num::Int(0)), at)
    }

    /// A term for a new value; weak when every operand was (its kind follows its dtype).
    pub(crate) fn result(&self, v: Value, weak: Option<Weak>, labels: Vec<LabelId>) -> Term {
        let weak = weak.map(|_| {
            self.fb
                .value_type(v)
                .map_or(Weak::Float, |t| Weak::of(t.dtype))
        });
        Term::arr(v, weak, labels)
    }
}
