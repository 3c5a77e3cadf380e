//! Dimensions from SymPy: shapes, Idx ranges and Sum bounds are integer polynomials of symbols.

use std::collections::HashMap;

use air_ir::{Dim, Op, Value};

use super::analyze::{head, symbol_name};
use super::lower::{Lowerer, R};
use super::term::{Num, Term, Weak};
use super::Source;
use crate::error::{Problem, ProblemKind};
use crate::syntax::{Atom, NodeId, Tree};
use crate::vocab::Head;

/// The most a dimension polynomial's exponent may be.
const MAX_EXPONENT: i64 = 64;

/// A dimension expression as a [`Dim`]; `is_index` rejects symbols that are indices (a bound
/// that depends on an index is not a rectangle).
pub(crate) fn to_dim(
    src: &Source,
    dag: &Tree,
    e: NodeId,
    is_index: &dyn Fn(&str) -> bool,
) -> Result<Dim, Problem> {
    let n = dag.node(e);
    let bad = |msg: String| src.problem(ProblemKind::Unsupported, msg, e);
    let overflow = |_| src.problem(ProblemKind::Invalid, "dimension overflows i64".into(), e);
    match head(dag, e) {
        Some(Head::Integer) => match n.args.first().map(|a| &dag.node(*a).atom) {
            Some(Atom::Int(s)) => s
                .parse::<i64>()
                .map(Dim::constant)
                .map_err(|_| bad(format!("the dimension {s} does not fit in 64 bits"))),
            _ => Err(bad("expected an integer".into())),
        },
        Some(Head::Symbol | Head::Dummy) => {
            let name = symbol_name(dag, e).unwrap_or_default();
            if is_index(&name) {
                return Err(bad(format!(
                    "a shape, range or bound depends on the index `{name}`; only rectangular \
                     ranges are supported"
                )));
            }
            Ok(Dim::symbol(name))
        }
        Some(Head::Add) => n.args.iter().try_fold(Dim::constant(0), |acc, &a| {
            acc.add(&to_dim(src, dag, a, is_index)?).map_err(overflow)
        }),
        Some(Head::Mul) => n.args.iter().try_fold(Dim::constant(1), |acc, &a| {
            acc.mul(&to_dim(src, dag, a, is_index)?).map_err(overflow)
        }),
        Some(Head::Pow) => {
            let base = to_dim(src, dag, n.args[0], is_index)?;
            let k = to_dim(src, dag, n.args[1], is_index)?
                .as_const()
                .filter(|k| (0..=MAX_EXPONENT).contains(k))
                .ok_or_else(|| bad("a dimension power needs a small constant exponent".into()))?;
            (0..k).try_fold(Dim::constant(1), |acc, _| acc.mul(&base).map_err(overflow))
        }
        _ => Err(bad(
            "a dimension must be an integer polynomial of symbols".into()
        )),
    }
}

impl Lowerer<'_> {
    /// [`to_dim`] in the current equation (indices are bound or free labels).
    pub(crate) fn dim(&self, e: NodeId) -> R<Dim> {
        let is_index = |name: &str| {
            self.bound.iter().any(|(n, _)| n == name) || self.an.indices.contains(name)
        };
        to_dim(self.src, self.dag, e, &is_index)
    }

    /// `d` with every unification made so far applied.
    pub(crate) fn resolve(&self, d: &Dim) -> Dim {
        let b: HashMap<String, Dim> = self.fb.bindings().into_iter().collect();
        d.substitute(&b).unwrap_or_else(|_| d.clone())
    }

    /// Makes two dims equal (binding symbols), or explains why they cannot be.
    pub(crate) fn unify(&mut self, a: &Dim, b: &Dim, what: &str, at: NodeId) -> R<Dim> {
        self.fb.body().unify(a, b).map_err(|_| {
            let (ra, rb) = (self.resolve(a), self.resolve(b));
            self.fail(
                ProblemKind::Dims,
                format!("{what}: the extents {ra} and {rb} cannot be unified"),
                at,
            )
        })
    }

    /// The value of a dimension expression at run time (an `i64` scalar, weak as a Python int).
    ///
    /// Op set v1 has no op that reads a dim as a scalar, so a symbol `n` is computed exactly as
    /// `reduce_sum(full {value = i64 1, shape = [n]})`.
    pub(crate) fn dim_value(&mut self, d: &Dim, at: NodeId) -> R<Term> {
        if let Some(c) = d.as_const() {
            return Ok(Term::num(Num::Int(c)));
        }
        let mut acc: Option<Term> = None;
        for (mono, coeff) in d.terms().to_vec() {
            let mut t = (coeff != 1).then_some(Term::num(Num::Int(coeff)));
            for (sym, power) in mono {
                let s = self.symbol_value(&sym, at)?;
                for _ in 0..power {
                    t = Some(match t {
                        None => s.clone(),
                        Some(x) => self.binary(air_ir::BinaryOp::Mul, &x, &s, at)?,
                    });
                }
            }
            let t = t.unwrap_or(Term::num(Num::Int(coeff)));
            acc = Some(match acc {
                None => t,
                Some(a) => self.binary(air_ir::BinaryOp::Add, &a, &t, at)?,
            });
        }
        Ok(acc.unwrap_or(Term::num(Num::Int(0))))
    }

    fn symbol_value(&mut self, sym: &str, at: NodeId) -> R<Term> {
        if let Some(&v) = self.dim_values.get(sym) {
            return Ok(Term::arr(v, Some(Weak::Int), vec![]));
        }
        let full = Op::Full {
            value: air_ir::Literal::i64(1),
            shape: vec![Dim::symbol(sym)],
        };
        let ones: Value = self.fb.op(full, &[]).map_err(|d| self.diag(d, at))?;
        let reduce = Op::Reduce {
            kind: air_ir::op::ReduceKind::Sum,
            axes: vec![0],
            keepdims: false,
        };
        let v = self.fb.op(reduce, &[ones]).map_err(|d| self.diag(d, at))?;
        self.dim_values.insert(sym.to_string(), v);
        Ok(Term::arr(v, Some(Weak::Int), vec![]))
    }
}
