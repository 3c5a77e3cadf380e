//! `Sum` and `Product` limits. A limit whose bounds are dimension expressions binds a label with
//! that range. A bound that depends on an outer index (`Sum(A[i, j], (j, 0, i))`, a triangle;
//! `Sum(x[j], (j, i, n - 1))`, a tail) makes the label range over the hull of every range the
//! outer indices give, and the reduction masks the values outside each one's own range:
//! `reduce(select(lo <= j & j <= hi, body, identity))`, exact (a masked-out NaN never reaches
//! the result) and with symbolic dims kept.

use air_ir::op::ReduceKind;
use air_ir::{BinaryOp, Dim};

use super::analyze::{head, symbol_name};
use super::lower::{Lowerer, R};
use super::term::{Label, LabelId, Num, Term};
use crate::error::ProblemKind;
use crate::syntax::NodeId;
use crate::vocab::Head;

/// An integer bound `dim + Σ coefficient·label`.
#[derive(Clone, Debug)]
struct Affine {
    dim: Dim,
    labels: Vec<(LabelId, i64)>,
}

impl Affine {
    fn constant(c: i64) -> Affine {
        Affine {
            dim: Dim::constant(c),
            labels: vec![],
        }
    }

    fn unit(l: LabelId) -> Affine {
        Affine {
            dim: Dim::constant(0),
            labels: vec![(l, 1)],
        }
    }
}

/// One limit `(k, lo, hi)` whose bounds depend on labels: the label it binds and its bounds.
struct Masked {
    label: LabelId,
    lo: Affine,
    hi: Affine,
}

impl Lowerer<'_> {
    /// `Sum(body, (k, lo, hi)...)` or `Product(...)`: the limits bind new labels for the body.
    /// SymPy's first limit is the innermost, so a bound may depend on the variables of the
    /// limits after it: they are bound first.
    pub(crate) fn sum_like(&mut self, e: NodeId, kind: ReduceKind) -> R<Term> {
        let n = self.dag.node(e).clone();
        let depth = self.bound.len();
        let mut new = vec![];
        let mut masked = vec![];
        for &lim in n.args[1..].iter().rev() {
            match self.limit(lim) {
                Ok((label, mask)) => {
                    new.push(label);
                    masked.extend(mask);
                }
                Err(p) => {
                    self.bound.truncate(depth);
                    return Err(p);
                }
            }
        }
        let out = if masked.is_empty() {
            match kind {
                ReduceKind::Sum => self.contract(n.args[0], &|_, _| new.clone()),
                ReduceKind::Prod
                | ReduceKind::Max
                | ReduceKind::Min
                | ReduceKind::Mean
                | ReduceKind::Any
                | ReduceKind::All => {
                    let t = self.lower(n.args[0]);
                    t.and_then(|t| self.reduce(&t, &new, kind, e))
                }
            }
        } else {
            self.masked_reduce(n.args[0], &masked, &new, kind, e)
        };
        self.bound.truncate(depth);
        out
    }

    /// Binds the label of one limit; `Some` mask when its bounds depend on labels.
    fn limit(&mut self, lim: NodeId) -> R<(LabelId, Option<Masked>)> {
        let l = self.dag.node(lim).args.clone();
        let name = symbol_name(self.dag, l[0]).unwrap_or_default();
        let (lo, hi) = (self.affine(l[1])?, self.affine(l[2])?);
        let overflow = |this: &Self| this.fail(ProblemKind::Invalid, "bounds overflow".into(), lim);
        let rectangular = lo.labels.is_empty() && hi.labels.is_empty();
        // The smallest `hi - lo + 1` over the outer indices' ranges: a negative one is a range
        // that runs backwards, which SymPy's Karr convention gives a meaning AIR does not take.
        let span = self.sub(&hi, &lo, lim)?;
        let least = self.least(&span).ok_or_else(|| overflow(self))?;
        let least = least.add(&Dim::constant(1)).map_err(|_| overflow(self))?;
        let backwards = if rectangular {
            least.as_const().is_some_and(|c| c < 0)
        } else {
            least.may_be_negative()
        };
        if backwards {
            return Err(self.fail(
                ProblemKind::Unsupported,
                format!(
                    "the range of `{name}` may run backwards (upper bound below the lower one, \
                     SymPy's Karr convention): `hi - lo + 1` can be {least}"
                ),
                lim,
            ));
        }
        let first = self.least(&lo).ok_or_else(|| overflow(self))?;
        let last = self.most(&hi).ok_or_else(|| overflow(self))?;
        let extent = last
            .sub(&first)
            .and_then(|d| d.add(&Dim::constant(1)))
            .map_err(|_| overflow(self))?;
        self.labels.push(Label {
            name: name.clone(),
            lo: first,
            extent,
        });
        let label = self.labels.len() - 1;
        self.bound.push((name, label));
        Ok((label, (!rectangular).then_some(Masked { label, lo, hi })))
    }

    /// `reduce(select(mask, body, identity))` over the new labels.
    fn masked_reduce(
        &mut self,
        body: NodeId,
        masked: &[Masked],
        new: &[LabelId],
        kind: ReduceKind,
        e: NodeId,
    ) -> R<Term> {
        let t = self.lower(body)?;
        let mut mask: Option<Term> = None;
        for m in masked {
            // A bound without labels is the end of the hull: always kept.
            let k = self.index_value(m.label, e)?;
            for (bound, op) in [(&m.lo, BinaryOp::Ge), (&m.hi, BinaryOp::Le)] {
                if bound.labels.is_empty() {
                    continue;
                }
                let b = self.affine_value(bound, e)?;
                let inside = self.binary(op, &k, &b, e)?;
                mask = Some(match mask {
                    None => inside,
                    Some(m) => self.binary(BinaryOp::And, &m, &inside, e)?,
                });
            }
        }
        // The value a masked-out element contributes: the reduction's identity.
        let identity = match kind {
            ReduceKind::Sum | ReduceKind::Any => Num::Int(0),
            ReduceKind::Prod | ReduceKind::All => Num::Int(1),
            // Only Sum and Product bind ranges: no SymPy head reduces so.
            ReduceKind::Max | ReduceKind::Min | ReduceKind::Mean => {
                return Err(self.fail(
                    ProblemKind::Unsupported,
                    format!("a {kind:?} over a range that depends on an outer index"),
                    e,
                ))
            }
        };
        let identity = Term::num(identity);
        let t = match mask {
            Some(m) => self.select(&m, &t, &identity, e)?,
            None => t,
        };
        self.reduce(&t, new, kind, e)
    }

    /// A bound as `dim + Σ c·label`: dimension expressions, indices (an `Idx`, a bound
    /// variable, or a symbol naming an index of the equation), sums, and constant multiples.
    fn affine(&mut self, e: NodeId) -> R<Affine> {
        if !self.mentions_index(e) {
            return Ok(Affine {
                dim: self.dim(e)?,
                labels: vec![],
            });
        }
        let unsupported = |this: &Self| {
            this.fail(
                ProblemKind::Unsupported,
                "a Sum/Product bound must be an integer expression of dimensions and indices \
                 with constant coefficients (`i`, `i + 1`, `n - i`)"
                    .into(),
                e,
            )
        };
        let args = self.dag.node(e).args.clone();
        match head(self.dag, e) {
            Some(Head::Idx) => Ok(Affine::unit(self.idx_label(e)?)),
            Some(Head::Symbol | Head::Dummy) => {
                let name = symbol_name(self.dag, e).unwrap_or_default();
                match self.bound_label(&name).or(self.free.get(&name).copied()) {
                    Some(l) => Ok(Affine::unit(l)),
                    None => Err(self.fail(
                        ProblemKind::Invalid,
                        format!(
                            "the index `{name}` in a bound is neither an Idx of this equation \
                             nor bound by an enclosing Sum/Product"
                        ),
                        e,
                    )),
                }
            }
            Some(Head::Add) => {
                let mut acc = Affine::constant(0);
                for a in args {
                    let t = self.affine(a)?;
                    acc = self.combine(&acc, &t, 1, e)?;
                }
                Ok(acc)
            }
            Some(Head::Mul) => {
                let (mut scale, mut inner) = (1i64, None);
                for a in args {
                    if self.mentions_index(a) && inner.is_none() {
                        inner = Some(self.affine(a)?);
                        continue;
                    }
                    let c = self.dim(a).ok().and_then(|d| d.as_const());
                    scale = c
                        .and_then(|c| scale.checked_mul(c))
                        .ok_or_else(|| unsupported(self))?;
                }
                let inner = inner.ok_or_else(|| unsupported(self))?;
                self.combine(&Affine::constant(0), &inner, scale, e)
            }
            _ => Err(unsupported(self)),
        }
    }

    /// True when the expression mentions an index: an `Idx`, a bound variable, or a symbol
    /// that names an index of the system.
    fn mentions_index(&self, e: NodeId) -> bool {
        match head(self.dag, e) {
            Some(Head::Idx) => true,
            Some(Head::Symbol | Head::Dummy) => {
                let name = symbol_name(self.dag, e).unwrap_or_default();
                self.bound_label(&name).is_some()
                    || self.free.contains_key(&name)
                    || (self.an.indices.contains(&name) && !self.an.dims.contains(&name))
            }
            _ => self
                .dag
                .node(e)
                .args
                .iter()
                .any(|&a| self.mentions_index(a)),
        }
    }

    /// `a + scale·b`.
    fn combine(&self, a: &Affine, b: &Affine, scale: i64, e: NodeId) -> R<Affine> {
        let overflow = || self.fail(ProblemKind::Invalid, "bounds overflow".into(), e);
        let dim = b
            .dim
            .mul(&Dim::constant(scale))
            .and_then(|d| a.dim.add(&d))
            .map_err(|_| overflow())?;
        let mut labels = a.labels.clone();
        for &(l, c) in &b.labels {
            let c = c.checked_mul(scale).ok_or_else(overflow)?;
            match labels.iter_mut().find(|(x, _)| *x == l) {
                Some((_, have)) => *have = have.checked_add(c).ok_or_else(overflow)?,
                None => labels.push((l, c)),
            }
        }
        labels.retain(|&(_, c)| c != 0);
        Ok(Affine { dim, labels })
    }

    fn sub(&self, a: &Affine, b: &Affine, e: NodeId) -> R<Affine> {
        self.combine(a, b, -1, e)
    }

    /// The least value of `a` over its labels' ranges.
    fn least(&self, a: &Affine) -> Option<Dim> {
        self.extreme(a, false)
    }

    /// The greatest value of `a` over its labels' ranges.
    fn most(&self, a: &Affine) -> Option<Dim> {
        self.extreme(a, true)
    }

    fn extreme(&self, a: &Affine, greatest: bool) -> Option<Dim> {
        let mut acc = a.dim.clone();
        for &(l, c) in &a.labels {
            let Label { lo, extent, .. } = &self.labels[l];
            let last = lo.add(extent).and_then(|d| d.sub(&Dim::constant(1))).ok()?;
            let at = if (c > 0) == greatest {
                last
            } else {
                lo.clone()
            };
            acc = acc.add(&at.mul(&Dim::constant(c)).ok()?).ok()?;
        }
        Some(acc)
    }

    /// The value of a bound at every point of its labels (weak `i64`).
    fn affine_value(&mut self, a: &Affine, e: NodeId) -> R<Term> {
        let mut acc = (a.dim != Dim::constant(0))
            .then(|| self.dim_value(&a.dim, e))
            .transpose()?;
        for &(l, c) in &a.labels {
            let v = self.index_value(l, e)?;
            let v = match c {
                1 => v,
                c => self.binary(BinaryOp::Mul, &v, &Term::num(Num::Int(c)), e)?,
            };
            acc = Some(match acc {
                None => v,
                Some(x) => self.binary(BinaryOp::Add, &x, &v, e)?,
            });
        }
        Ok(acc.unwrap_or(Term::num(Num::Int(0))))
    }
}
