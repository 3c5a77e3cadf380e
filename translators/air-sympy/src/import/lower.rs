//! Lowering one right-hand side to AIR: arithmetic, functions, conditionals, numbers. Indexing,
//! sums and the index rule are in `index.rs`; matrices in `matrix.rs`.

use std::collections::HashMap;

use air_ir::builder::FunctionBuilder;
use air_ir::{BinaryOp, DType, Diagnostic, UnaryOp, Value};

use super::analyze::{head, symbol_name, Analysis};
use super::term::{Label, LabelId, Num, Term, Val, Weak};
use super::Source;
use crate::error::{Problem, ProblemKind};
use crate::syntax::{Atom, NodeId, Tree};
use crate::vocab::Head;
use crate::Options;

/// A lowering step's result: the first problem stops the equation.
pub(crate) type R<T> = Result<T, Problem>;

/// The state of lowering a system of equations into one function.
pub(crate) struct Lowerer<'a> {
    pub src: &'a Source<'a>,
    pub dag: &'a Tree,
    pub an: &'a Analysis,
    pub opts: &'a Options,
    pub fb: FunctionBuilder,
    /// The current value of each array, matrix and scalar name (params, then assigned values).
    pub vars: HashMap<String, Value>,
    /// Every label made so far.
    pub labels: Vec<Label>,
    /// The free (`Idx`) labels of the current equation, by name.
    pub free: HashMap<String, LabelId>,
    /// The labels bound by the enclosing Sum/Product limits, innermost last.
    pub bound: Vec<(String, LabelId)>,
    /// The labels of the current equation's left side: never summed.
    pub keep: Vec<LabelId>,
    /// Lowered subtrees of the current equation, by node and enclosing bound labels.
    pub memo: HashMap<(NodeId, Vec<LabelId>), Term>,
    /// Dimension symbols already turned into run-time scalars.
    pub dim_values: HashMap<String, Value>,
}

impl<'a> Lowerer<'a> {
    /// A problem at a node.
    pub(crate) fn fail(&self, kind: ProblemKind, message: String, at: NodeId) -> Problem {
        self.src.problem(kind, message, at)
    }

    /// A builder diagnostic as a problem at a node.
    pub(crate) fn diag(&self, d: Diagnostic, at: NodeId) -> Problem {
        self.fail(ProblemKind::Invalid, d.to_string(), at)
    }

    /// Lowers an expression (memoized per enclosing bindings).
    pub(crate) fn lower(&mut self, e: NodeId) -> R<Term> {
        let key = (e, self.bound.iter().map(|(_, l)| *l).collect::<Vec<_>>());
        if let Some(t) = self.memo.get(&key) {
            return Ok(t.clone());
        }
        let t = self.lower_uncached(e)?;
        self.memo.insert(key, t.clone());
        Ok(t)
    }

    /// Lowers a right side: each term of its top-level `Add` (or the whole right side) sums
    /// the labels still free in it that are neither on the left side nor bound.
    pub(crate) fn lower_rhs(&mut self, e: NodeId) -> R<Term> {
        let terms = match head(self.dag, e) {
            Some(Head::Add) => self.dag.node(e).args.clone(),
            _ => vec![e],
        };
        let mut acc: Option<Term> = None;
        for t in terms {
            let t = self.contract(t, &|this, labels| {
                labels
                    .iter()
                    .copied()
                    .filter(|l| !this.keep.contains(l) && !this.is_bound(*l))
                    .collect()
            })?;
            acc = Some(match acc {
                None => t,
                Some(x) => self.binary(BinaryOp::Add, &x, &t, e)?,
            });
        }
        Ok(acc.unwrap_or(Term::num(Num::Int(0))))
    }

    /// True when an enclosing Sum/Product binds the label.
    pub(crate) fn is_bound(&self, l: LabelId) -> bool {
        self.bound.iter().any(|(_, b)| *b == l)
    }

    #[allow(clippy::wildcard_enum_match_arm)] // srepr atoms: every other one is not a value of this kind
    fn lower_uncached(&mut self, e: NodeId) -> R<Term> {
        let dag = self.dag;
        let n = dag.node(e);
        let args = n.args.clone();
        let Some(h) = head(dag, e) else {
            return match n.atom {
                Atom::Neg => {
                    let a = self.lower(args[0])?;
                    self.unary(UnaryOp::Neg, &a, e)
                }
                _ => Err(self.fail(ProblemKind::Invalid, "not a value".into(), e)),
            };
        };
        match h {
            Head::Integer | Head::Rational | Head::Float => Ok(Term::num(self.number(e)?)),
            Head::Pi => Ok(Term::num(Num::Float(std::f64::consts::PI))),
            Head::E => Ok(Term::num(Num::Float(std::f64::consts::E))),
            Head::Infinity => Ok(Term::num(Num::Float(f64::INFINITY))),
            Head::NaN => Ok(Term::num(Num::Float(f64::NAN))),
            Head::True => Ok(Term::num(Num::Bool(true))),
            Head::False => Ok(Term::num(Num::Bool(false))),
            Head::Symbol | Head::Dummy => self.symbol(e),
            Head::Idx => {
                let l = self.idx_label(e)?;
                self.index_value(l, e)
            }
            Head::Add => self.add(e, &args),
            Head::Mul => self.mul_term(e, &args),
            Head::Pow => self.pow(e, args[0], args[1]),
            Head::Unary(op) => {
                let a = self.lower(args[0])?;
                self.unary(op, &a, e)
            }
            Head::Binary(op) => {
                let a = self.lower(args[0])?;
                let b = self.lower(args[1])?;
                self.binary(op, &a, &b, e)
            }
            Head::Fold(op) => self.fold(op, e, &args),
            Head::Rel(op) => {
                let a = self.lower(args[0])?;
                let b = self.lower(args[1])?;
                self.binary(op, &a, &b, e)
            }
            Head::Logic(op) => self.logic(op, e, &args),
            Head::Not => {
                let a = self.lower(args[0])?;
                let a = self.boolean(&a, args[0])?;
                self.unary(UnaryOp::Not, &a, e)
            }
            Head::Piecewise => self.piecewise(&args),
            Head::Ite => {
                let mut bools = vec![];
                for &a in &args {
                    let t = self.lower(a)?;
                    bools.push(self.boolean(&t, a)?);
                }
                self.select(&bools[0], &bools[1], &bools[2], e)
            }
            Head::Indexed => self.indexed(e),
            Head::Sum => self.sum_like(e, air_ir::op::ReduceKind::Sum),
            Head::Product => self.sum_like(e, air_ir::op::ReduceKind::Prod),
            Head::MatrixElement => self.matrix_element(e),
            Head::MatrixSymbol | Head::MatMul | Head::MatAdd | Head::Transpose => Err(self.fail(
                ProblemKind::Unsupported,
                "a matrix expression can only be the whole right side of a matrix equation, or \
                 be indexed with MatrixElement"
                    .into(),
                e,
            )),
            Head::ExprCondPair
            | Head::Tuple
            | Head::Str
            | Head::IndexedBase
            | Head::PyTrue
            | Head::PyFalse => Err(self.fail(ProblemKind::Invalid, "not a value here".into(), e)),
        }
    }

    /// A SymPy number.
    pub(crate) fn number(&self, e: NodeId) -> R<Num> {
        let dag = self.dag;
        let n = dag.node(e);
        let int_text = |k: usize| match n.args.get(k).map(|a| &dag.node(*a).atom) {
            Some(Atom::Int(s)) => s.clone(),
            _ => String::new(),
        };
        match head(dag, e) {
            Some(Head::Integer) => {
                let s = int_text(0);
                s.parse::<i64>().map(Num::Int).map_err(|_| {
                    self.fail(
                        ProblemKind::Unsupported,
                        format!("Integer({s}) does not fit in 64 bits"),
                        e,
                    )
                })
            }
            Some(Head::Rational) => {
                let (p, q) = (int_text(0), int_text(1));
                let (pf, qf) = (p.parse::<f64>(), q.parse::<f64>());
                match (pf, qf) {
                    (Ok(pf), Ok(qf)) if qf != 0.0 && pf.is_finite() && qf.is_finite() => {
                        Ok(Num::Float(pf / qf))
                    }
                    _ => Err(self.fail(
                        ProblemKind::Unsupported,
                        format!("Rational({p}, {q}) is not a finite number in 64 bits"),
                        e,
                    )),
                }
            }
            Some(Head::Float) => {
                let s = n.args.first().and_then(|a| dag.str_of(*a)).unwrap_or("");
                let ok = !s.is_empty()
                    && s.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c))
                    || matches!(s, "inf" | "-inf" | "+inf" | "nan");
                match s.parse::<f64>() {
                    Ok(f) if ok => Ok(Num::Float(f)),
                    _ => Err(self.fail(
                        ProblemKind::Invalid,
                        format!("Float({s:?}) is not a decimal number"),
                        e,
                    )),
                }
            }
            _ => Err(self.fail(ProblemKind::Invalid, "expected a number".into(), e)),
        }
    }

    /// A Symbol as a value: a bound index, a dimension, or a scalar.
    fn symbol(&mut self, e: NodeId) -> R<Term> {
        let name = symbol_name(self.dag, e).unwrap_or_default();
        if let Some(l) = self.bound_label(&name) {
            return self.index_value(l, e);
        }
        if self.an.dims.contains(&name) {
            return self.dim_value(&air_ir::Dim::symbol(name), e);
        }
        match self.vars.get(&name) {
            Some(&v) if self.fb.value_type(v).is_some_and(|t| t.rank() == 0) => {
                Ok(Term::arr(v, None, vec![]))
            }
            Some(_) => Err(self.fail(
                ProblemKind::Invalid,
                format!("`{name}` is an array: index it"),
                e,
            )),
            None => Err(self.fail(
                ProblemKind::Invalid,
                format!("`{name}` is read before it is assigned"),
                e,
            )),
        }
    }

    /// The innermost label bound to `name` by an enclosing Sum/Product.
    pub(crate) fn bound_label(&self, name: &str) -> Option<LabelId> {
        self.bound
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, l)| *l)
    }

    fn add(&mut self, e: NodeId, args: &[NodeId]) -> R<Term> {
        let mut acc: Option<Term> = None;
        for &a in args {
            let t = self.lower(a)?;
            acc = Some(match acc {
                None => t,
                Some(x) => self.binary(BinaryOp::Add, &x, &t, e)?,
            });
        }
        Ok(acc.unwrap_or(Term::num(Num::Int(0))))
    }

    /// A product as lambdify prints it: `-` for a `-1` factor, `num / den` for negative powers.
    pub(crate) fn mul(&mut self, e: NodeId, args: &[NodeId]) -> R<Term> {
        let (mut num, mut den, mut negate) = (vec![], vec![], false);
        for &a in args {
            if matches!(self.number_of(a), Some(Num::Int(-1))) {
                negate = !negate;
                continue;
            }
            match self.negative_power(a) {
                Some((base, 1)) => den.push(self.lower(base)?),
                Some((base, k)) => {
                    let b = self.lower(base)?;
                    den.push(self.int_power(&b, k, a)?);
                }
                None => num.push(self.lower(a)?),
            }
        }
        let num = self.product(num, e)?;
        let mut out = match self.product(den, e)? {
            Some(d) => {
                let n = num.unwrap_or(Term::num(Num::Int(1)));
                self.binary(BinaryOp::Div, &n, &d, e)?
            }
            None => num.unwrap_or(Term::num(Num::Int(1))),
        };
        if negate {
            out = self.unary(UnaryOp::Neg, &out, e)?;
        }
        Ok(out)
    }

    fn product(&mut self, terms: Vec<Term>, e: NodeId) -> R<Option<Term>> {
        let mut acc: Option<Term> = None;
        for t in terms {
            acc = Some(match acc {
                None => t,
                Some(x) => self.binary(BinaryOp::Mul, &x, &t, e)?,
            });
        }
        Ok(acc)
    }

    /// The number a node is, when it is one (without lowering it).
    pub(crate) fn number_of(&self, e: NodeId) -> Option<Num> {
        match head(self.dag, e) {
            Some(Head::Integer | Head::Rational | Head::Float) => self.number(e).ok(),
            _ => None,
        }
    }

    /// `Pow(base, Integer(-k))` as `(base, k)`.
    fn negative_power(&self, e: NodeId) -> Option<(NodeId, i64)> {
        if head(self.dag, e) != Some(Head::Pow) {
            return None;
        }
        let n = self.dag.node(e);
        match self.number_of(n.args[1]) {
            Some(Num::Int(k)) if k < 0 && head(self.dag, n.args[1]) == Some(Head::Integer) => {
                Some((n.args[0], k.checked_neg()?))
            }
            _ => None,
        }
    }

    /// `b ** k` for an integer `k >= 2` (`k = 2` as `b*b`, NumPy's fast path for squares).
    fn int_power(&mut self, b: &Term, k: i64, e: NodeId) -> R<Term> {
        if k == 2 {
            return self.binary(BinaryOp::Mul, b, b, e);
        }
        self.binary(BinaryOp::Pow, b, &Term::num(Num::Int(k)), e)
    }

    #[allow(clippy::wildcard_enum_match_arm)] // srepr atoms: every other one is not a value of this kind
    fn pow(&mut self, e: NodeId, base: NodeId, exp: NodeId) -> R<Term> {
        let b_is_e = head(self.dag, base) == Some(Head::E);
        if b_is_e {
            let x = self.lower(exp)?;
            return self.unary(UnaryOp::Exp, &x, e);
        }
        let is_rational = head(self.dag, exp) == Some(Head::Rational);
        let half = |this: &Self, p: &str, q: &str| {
            let n = this.dag.node(exp);
            let t = |k: usize| match &this.dag.node(n.args[k]).atom {
                Atom::Int(s) => s.clone(),
                _ => String::new(),
            };
            is_rational && t(0) == p && t(1) == q
        };
        let b = self.lower(base)?;
        if half(self, "1", "2") {
            return self.unary(UnaryOp::Sqrt, &b, e);
        }
        if half(self, "-1", "2") {
            return self.unary(UnaryOp::Rsqrt, &b, e);
        }
        let int_exp = (head(self.dag, exp) == Some(Head::Integer))
            .then(|| self.number_of(exp))
            .flatten();
        match int_exp {
            Some(Num::Int(-1)) => {
                return self.binary(BinaryOp::Div, &Term::num(Num::Int(1)), &b, e);
            }
            Some(Num::Int(k)) if k >= 2 => return self.int_power(&b, k, e),
            Some(Num::Int(1)) => return Ok(b),
            Some(Num::Int(0)) => {
                return self.binary(BinaryOp::Pow, &b, &Term::num(Num::Int(0)), e);
            }
            _ => {}
        }
        let x = self.lower(exp)?;
        // SymPy's powers of integers are exact rationals (2**-3 is 1/8): with an exponent that
        // may be negative, integers are raised in floating point.
        let int_like = |this: &Self, t: &Term| {
            let d = this.dtype_of(t);
            d.is_int() || d.is_bool()
        };
        if int_like(self, &b) && int_like(self, &x) {
            let bf = self.as_float(&b, e)?;
            let xf = self.as_float(&x, e)?;
            return self.binary(BinaryOp::Pow, &bf, &xf, e);
        }
        self.binary(BinaryOp::Pow, &b, &x, e)
    }

    /// The term in floating point (`f64`, the default float), kept weak when it was.
    fn as_float(&mut self, t: &Term, e: NodeId) -> R<Term> {
        if let Val::Num(Num::Int(i)) = t.val {
            return Ok(Term::num(Num::Float(i as f64)));
        }
        let dtype = match self.opts.default_dtype {
            d if d.is_float() => d,
            _ => DType::F64,
        };
        let v = self.materialize(t, dtype, e)?;
        let weak = t.weak().map(|_| Weak::Float);
        Ok(Term::arr(v, weak, t.labels.clone()))
    }

    /// `Max`/`Min` folded left.
    fn fold(&mut self, op: BinaryOp, e: NodeId, args: &[NodeId]) -> R<Term> {
        let mut acc: Option<Term> = None;
        for &a in args {
            let t = self.lower(a)?;
            acc = Some(match acc {
                None => t,
                Some(x) => self.binary(op, &x, &t, e)?,
            });
        }
        acc.ok_or_else(|| self.fail(ProblemKind::Invalid, "no arguments".into(), e))
    }

    fn logic(&mut self, op: BinaryOp, e: NodeId, args: &[NodeId]) -> R<Term> {
        let mut acc: Option<Term> = None;
        for &a in args {
            let t = self.lower(a)?;
            let t = self.boolean(&t, a)?;
            acc = Some(match acc {
                None => t,
                Some(x) => self.binary(op, &x, &t, e)?,
            });
        }
        acc.ok_or_else(|| self.fail(ProblemKind::Invalid, "no arguments".into(), e))
    }

    /// Requires a boolean operand (SymPy's And/Or/Not take Booleans only).
    fn boolean(&self, t: &Term, at: NodeId) -> R<Term> {
        if self.dtype_of(t) == DType::Bool {
            Ok(t.clone())
        } else {
            Err(self.fail(
                ProblemKind::Invalid,
                format!(
                    "a logical operand must be boolean, not {}",
                    self.dtype_of(t)
                ),
                at,
            ))
        }
    }

    /// `Piecewise((e1, c1), ..., (en, cn))` as nested selects; NaN where no condition holds.
    fn piecewise(&mut self, pairs: &[NodeId]) -> R<Term> {
        let dag = self.dag;
        let mut acc = Term::num(Num::Float(f64::NAN));
        for (k, &p) in pairs.iter().enumerate().rev() {
            if head(dag, p) != Some(Head::ExprCondPair) {
                return Err(self.fail(
                    ProblemKind::Invalid,
                    "a Piecewise argument must be an ExprCondPair".into(),
                    p,
                ));
            }
            let (x, c) = (dag.node(p).args[0], dag.node(p).args[1]);
            let value = self.lower(x)?;
            let last_true = k + 1 == pairs.len() && head(dag, c) == Some(Head::True);
            acc = if last_true {
                value
            } else {
                let cond = self.lower(c)?;
                self.select(&cond, &value, &acc, p)?
            };
        }
        Ok(acc)
    }
}
