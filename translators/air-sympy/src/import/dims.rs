//! Dimensions from SymPy: shapes, Idx ranges and Sum bounds are integer polynomials of symbols.

use std::collections::{BTreeSet, HashMap};

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
                    "a shape or range depends on the index `{name}`; only rectangular \
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
        // Op set 2: `floor(p/k)` and `ceiling(p/k)` of a polynomial over a constant, and
        // `Max(0, d)`, as SymPy writes the extents of strided and clamped slices.
        Some(Head::Unary(u @ (air_ir::UnaryOp::Floor | air_ir::UnaryOp::Ceil)))
            if n.args.len() == 1 =>
        {
            let (num, k) = to_ratio(src, dag, n.args[0], is_index)?;
            let d = if u == air_ir::UnaryOp::Floor {
                num.floordiv(k)
            } else {
                num.ceildiv(k)
            };
            d.map_err(overflow)
        }
        Some(Head::Fold(air_ir::BinaryOp::Max)) if n.args.len() == 2 => {
            let (a, b) = (
                to_dim(src, dag, n.args[0], is_index)?,
                to_dim(src, dag, n.args[1], is_index)?,
            );
            match (a.as_const(), b.as_const()) {
                (Some(0), _) => b.max0().map_err(overflow),
                (_, Some(0)) => a.max0().map_err(overflow),
                _ => Err(bad("a dimension `Max` must have 0 as one argument".into())),
            }
        }
        _ => Err(bad(
            "a dimension must be an integer polynomial of symbols, or floor/ceiling of one over \
             a constant, or Max(0, one)"
                .into(),
        )),
    }
}

/// A dimension expression with rational coefficients, as `(numerator, k)` for `numerator / k`
/// with `k >= 1` (inside `floor`/`ceiling`): integers, `Rational(p, q)`, symbols, sums, products
/// and small constant powers.
fn to_ratio(
    src: &Source,
    dag: &Tree,
    e: NodeId,
    is_index: &dyn Fn(&str) -> bool,
) -> Result<(Dim, i64), Problem> {
    let n = dag.node(e);
    let too_big = || src.problem(ProblemKind::Invalid, "dimension overflows i64".into(), e);
    let overflow = |_: air_ir::dim::DimOverflow| too_big();
    let int = |a: NodeId| match &dag.node(a).atom {
        Atom::Int(s) => s.parse::<i64>().ok(),
        Atom::Call(_) | Atom::Name(_) | Atom::Str(_) | Atom::Neg => None,
    };
    match head(dag, e) {
        Some(Head::Rational) if n.args.len() == 2 => match (int(n.args[0]), int(n.args[1])) {
            (Some(p), Some(q)) if q >= 1 => Ok((Dim::constant(p), q)),
            _ => Err(src.problem(
                ProblemKind::Unsupported,
                "a dimension Rational needs integer parts and a positive denominator".into(),
                e,
            )),
        },
        Some(Head::Add) => n
            .args
            .iter()
            .try_fold((Dim::constant(0), 1i64), |(acc, k), &a| {
                let (d, j) = to_ratio(src, dag, a, is_index)?;
                let l = lcm(k, j).ok_or_else(too_big)?;
                let acc = acc.mul(&Dim::constant(l / k)).map_err(overflow)?;
                let d = d.mul(&Dim::constant(l / j)).map_err(overflow)?;
                Ok((acc.add(&d).map_err(overflow)?, l))
            }),
        Some(Head::Mul) => n
            .args
            .iter()
            .try_fold((Dim::constant(1), 1i64), |(acc, k), &a| {
                let (d, j) = to_ratio(src, dag, a, is_index)?;
                let kj = k.checked_mul(j).ok_or_else(too_big)?;
                Ok((acc.mul(&d).map_err(overflow)?, kj))
            }),
        _ => Ok((to_dim(src, dag, e, is_index)?, 1)),
    }
}

fn lcm(a: i64, b: i64) -> Option<i64> {
    let gcd = |mut x: i64, mut y: i64| {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    };
    (a / gcd(a, b)).checked_mul(b)
}

/// Whether a dim is a negative constant (an extent no array has).
pub(crate) fn is_negative(d: &Dim) -> bool {
    d.as_const().is_some_and(|c| c < 0)
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
    /// A negative constant extent is refused, so that no symbol is bound to one.
    pub(crate) fn unify(&mut self, a: &Dim, b: &Dim, what: &str, at: NodeId) -> R<Dim> {
        if let Some(d) = [a, b].into_iter().find(|d| is_negative(d)) {
            return Err(self.fail(
                ProblemKind::Dims,
                format!("{what}: the extent {d} is negative"),
                at,
            ));
        }
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
            for (atom, power) in mono {
                let s = match atom {
                    air_ir::Atom::Sym(sym) => self.symbol_value(&sym, at)?,
                    // Op set 2 atoms: AIR's floor_div is floored, as `floor(x/k)` is.
                    air_ir::Atom::FloorDiv(x, k) => {
                        let x = self.dim_value(&x, at)?;
                        let k = Term::num(Num::Int(k));
                        self.binary(air_ir::BinaryOp::FloorDiv, &x, &k, at)?
                    }
                    air_ir::Atom::Max0(x) => {
                        let x = self.dim_value(&x, at)?;
                        let zero = Term::num(Num::Int(0));
                        self.binary(air_ir::BinaryOp::Max, &x, &zero, at)?
                    }
                };
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

    /// The dimension symbols the lowering used (index ranges, dims used as numbers, the results'
    /// shapes) that no parameter's shape binds. AIR binds every symbol from the shapes of the
    /// inputs, so these make the function invalid (E0214); [`Self::unbound_problem`] says why.
    pub(crate) fn unbound_extents(
        &self,
        params: &[Value],
        results: &[Value],
        sizes: &[String],
    ) -> Vec<String> {
        let b: HashMap<String, Dim> = self.fb.bindings().into_iter().collect();
        let symbols = |d: &Dim| -> Vec<String> {
            let d = d.substitute(&b).unwrap_or_else(|_| d.clone());
            d.symbols().into_iter().map(String::from).collect()
        };
        let shapes = |vs: &[Value]| -> Vec<Dim> {
            vs.iter()
                .filter_map(|v| self.fb.value_type(*v))
                .flat_map(|t| t.shape)
                .collect()
        };
        let mut bound: BTreeSet<String> = shapes(params).iter().flat_map(symbols).collect();
        bound.extend(sizes.iter().cloned());
        let used = self
            .labels
            .iter()
            .flat_map(|l| [l.lo.clone(), l.extent.clone()])
            .chain(self.dim_values.keys().map(|k| Dim::symbol(k.as_str())))
            .chain(shapes(results));
        let unbound: BTreeSet<String> = used
            .flat_map(|d| symbols(&d))
            .filter(|s| !bound.contains(s))
            .collect();
        unbound.into_iter().collect()
    }

    /// A problem for the first shape that unification made negative (`A: [0, n-1]` once an
    /// index range makes `n` 0): parameters, results, then index ranges.
    pub(crate) fn negative_extent(&self, named: &[(String, Value)]) -> Option<Problem> {
        let b: HashMap<String, Dim> = self.fb.bindings().into_iter().collect();
        let resolve = |d: &Dim| d.substitute(&b).unwrap_or_else(|_| d.clone());
        let shapes = named.iter().filter_map(|(name, v)| {
            let shape: Vec<Dim> = self.fb.value_type(*v)?.shape.iter().map(resolve).collect();
            Some((format!("the shape of `{name}`"), shape))
        });
        let ranges = self.labels.iter().map(|l| {
            let what = format!("the range of index `{}`", l.name);
            (what, vec![resolve(&l.extent)])
        });
        let (what, shape) = shapes
            .chain(ranges)
            .find(|(_, shape)| shape.iter().any(is_negative))?;
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        Some(self.fail(
            ProblemKind::Dims,
            format!(
                "{what} is [{}] once the extents are unified: an extent is negative",
                dims.join(", ")
            ),
            self.dag.root,
        ))
    }

    /// The problem of extents no input binds.
    pub(crate) fn unbound_problem(&self, unbound: &[String]) -> Problem {
        let names: Vec<String> = unbound.iter().map(|s| format!("`{s}`")).collect();
        self.fail(
            ProblemKind::Dims,
            format!(
                "no input array has the extent{} {}: AIR binds every extent at run time from \
                 the shapes of the inputs, so each index range, output shape and dimension used \
                 as a number must be an extent of an input array",
                if names.len() == 1 { "" } else { "s" },
                names.join(", "),
            ),
            self.dag.root,
        )
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
