//! SymPy's contraction structure (`sympy.tensor.index_methods.get_contraction_structure`),
//! checked before an equation is lowered.
//!
//! SymPy contracts a repeated index at the innermost `Indexed` or `Mul` that repeats it: an
//! `Indexed` sums an index it repeats (`A[i, i]` is a trace), a `Mul` one that two or more of
//! its factors have as an outer index, and a function, a power or a `Piecewise` never
//! contracts across its arguments (`exp(A[i, i])` is `exp(trace(A))`, `x[i]**y[i]` is
//! elementwise). The lowering does exactly this; this pass refuses, naming the construct and
//! its position, the forms whose meaning SymPy leaves open:
//!
//! - an index summed inside a part of an expression and also used outside that part
//!   (`x[i]*y[i]*exp(A[i, i])`, `(x[i] + A[i, j]*y[j])*x[j]` with `j` not on the left side):
//!   SymPy keeps the two apart, its docstring warns that `.expand()` mixes them, and its code
//!   printers write one loop for both or raise `NotImplementedError`;
//! - a contraction inside a `Piecewise`, or a product that would contract an index through a
//!   `Piecewise` or a `MatrixElement` below the top of a term (or a `MatrixElement` that repeats
//!   one there): SymPy's `get_indices` does not look inside `Piecewise` ("FIXME: No support for
//!   Piecewise yet") nor at `MatrixElement` indices; at the top of a term, summing there and
//!   summing the index over the term are the same;
//! - an index with an offset (`x[i + 1]`) that is neither on the left side nor bound:
//!   `get_indices` takes `i + 1` as an index of its own, never contracted with `i`.
//!
//! Only the free indices count here: an index on the left side is the output element (as
//! `lambdify` reads it) and one bound by `Sum`/`Product` is summed by it; neither is ever
//! contracted. An outer index left over at the top of a term (`s = x[i]**2`) is summed over
//! that term by the lowering: SymPy has no meaning for it (its code printers refuse it), and
//! AIR's rule gives it one.

use std::collections::{BTreeMap, BTreeSet};

use super::analyze::{head, symbol_name};
use super::lower::{Lowerer, R};
use crate::error::ProblemKind;
use crate::syntax::NodeId;
use crate::vocab::{self, Head};

/// The free indices of an expression, as SymPy's index analysis sees them.
#[derive(Default)]
struct Info {
    /// Outer indices (`get_indices`): free, not contracted inside.
    outer: BTreeSet<String>,
    /// Indices contracted inside, each with the node that contracts it.
    inner: BTreeMap<String, NodeId>,
    /// Indices read inside a `Piecewise` or a `MatrixElement` (which `get_indices` does not
    /// look into), each with that construct.
    hidden: BTreeMap<String, NodeId>,
}

impl Info {
    fn mentions(&self, name: &str) -> bool {
        self.outer.contains(name) || self.hidden.contains_key(name)
    }
}

impl Lowerer<'_> {
    /// Checks a right side against SymPy's contraction structure: each term of its top-level
    /// `Add` (or the whole right side) on its own, as SymPy contracts the terms of an `Add`.
    pub(crate) fn check_structure(&self, rhs: NodeId) -> R<()> {
        let terms = match head(self.dag, rhs) {
            Some(Head::Add) => self.dag.node(rhs).args.clone(),
            _ => vec![rhs],
        };
        let mut bound = vec![];
        for t in terms {
            self.structure(t, &mut bound, true)?;
        }
        Ok(())
    }

    /// True for an index name that is neither on the left side nor bound.
    fn is_free(&self, name: &str, bound: &[String]) -> bool {
        !bound.iter().any(|b| b == name) && !self.keep.iter().any(|&l| self.labels[l].name == name)
    }

    /// The index information of `e`; `top` when `e` is a whole term of the right side.
    fn structure(&self, e: NodeId, bound: &mut Vec<String>, top: bool) -> R<Info> {
        let args = self.dag.node(e).args.clone();
        match head(self.dag, e) {
            Some(Head::Idx) => {
                let mut info = Info::default();
                let name = symbol_name(self.dag, e).unwrap_or_default();
                if self.is_free(&name, bound) {
                    info.outer.insert(name);
                }
                Ok(info)
            }
            Some(Head::Indexed) => self.indexed_structure(e, &args, bound),
            Some(Head::MatrixElement) => {
                let info = self.indexed_structure(e, &args, bound)?;
                self.matrix_element_structure(e, info, top)
            }
            Some(Head::Mul) => {
                let parts = self.parts(&args, bound)?;
                self.mul_structure(e, parts, top)
            }
            Some(Head::Sum | Head::Product) => self.sum_structure(e, &args, bound),
            Some(Head::Piecewise) => {
                let info = self.merged(e, self.parts(&args, bound)?)?;
                self.piecewise_structure(e, info)
            }
            Some(_) if !args.is_empty() => {
                let parts = self.parts(&args, bound)?;
                self.merged(e, parts)
            }
            Some(_) | None => Ok(Info::default()),
        }
    }

    /// A `MatrixElement(M, i, j)`: SymPy's index analysis does not see its indices, so they are
    /// hidden; one it repeats below the top of a term is refused.
    fn matrix_element_structure(&self, e: NodeId, info: Info, top: bool) -> R<Info> {
        if let (Some(name), false) = (info.inner.keys().next(), top) {
            return Err(self.ambiguous(
                format!(
                    "the index `{name}` is repeated in this MatrixElement inside a term: SymPy's \
                     index analysis does not look at MatrixElement indices, so where `{name}` is \
                     summed is not defined"
                ),
                e,
            ));
        }
        let names = info.outer.into_iter().chain(info.inner.into_keys());
        Ok(Info {
            hidden: names.map(|name| (name, e)).collect(),
            ..Info::default()
        })
    }

    /// A `Piecewise`: no contraction inside it; its indices are hidden.
    fn piecewise_structure(&self, e: NodeId, info: Info) -> R<Info> {
        if let Some((name, &at)) = info.inner.iter().next() {
            return Err(self.ambiguous(
                format!(
                    "the index `{name}` is contracted inside this Piecewise (at {}): SymPy's \
                     get_contraction_structure does not describe contractions inside Piecewise",
                    self.construct(at)
                ),
                e,
            ));
        }
        let mut hidden = info.hidden;
        for name in info.outer {
            hidden.entry(name).or_insert(e);
        }
        Ok(Info {
            hidden,
            ..Info::default()
        })
    }

    fn parts(&self, args: &[NodeId], bound: &mut Vec<String>) -> R<Vec<(NodeId, Info)>> {
        let mut parts = vec![];
        for &a in args {
            parts.push((a, self.structure(a, bound, false)?));
        }
        Ok(parts)
    }

    /// `Indexed(base, indices...)`: a free index it repeats is contracted here (a trace).
    fn indexed_structure(&self, e: NodeId, args: &[NodeId], bound: &[String]) -> R<Info> {
        let mut seen: Vec<String> = vec![];
        for &a in args.iter().skip(1) {
            match head(self.dag, a) {
                Some(Head::Idx) => {
                    let name = symbol_name(self.dag, a).unwrap_or_default();
                    if self.is_free(&name, bound) {
                        seen.push(name);
                    }
                }
                Some(Head::Add) => self.offset_index(a, bound)?,
                _ => {}
            }
        }
        let mut info = Info::default();
        for name in &seen {
            if seen.iter().filter(|s| *s == name).count() > 1 {
                info.inner.insert(name.clone(), e);
            } else {
                info.outer.insert(name.clone());
            }
        }
        Ok(info)
    }

    /// Refuses `i + c` as an index when `i` is free.
    fn offset_index(&self, a: NodeId, bound: &[String]) -> R<()> {
        for &t in &self.dag.node(a).args {
            if head(self.dag, t) != Some(Head::Idx) {
                continue;
            }
            let name = symbol_name(self.dag, t).unwrap_or_default();
            if self.is_free(&name, bound) {
                return Err(self.ambiguous(
                    format!(
                        "the index `{name}` is used with an offset, but it is neither on the left \
                         side nor bound by a Sum: SymPy's get_indices takes the offset index as \
                         an index of its own, never contracted with `{name}`"
                    ),
                    a,
                ));
            }
        }
        Ok(())
    }

    /// A `Mul`: an index that two or more factors have as an outer index is contracted here.
    fn mul_structure(&self, e: NodeId, parts: Vec<(NodeId, Info)>, top: bool) -> R<Info> {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for (_, p) in &parts {
            for name in p.outer.iter().chain(p.hidden.keys()) {
                *count.entry(name.clone()).or_default() += 1;
            }
        }
        let mut info = self.merged(e, parts)?;
        for (name, n) in count {
            if n < 2 {
                continue;
            }
            if let Some(&pw) = info.hidden.get(&name) {
                if !top {
                    return Err(self.ambiguous(
                        format!(
                            "the index `{name}` is repeated in this product, once inside {}: \
                             SymPy's get_indices does not look inside Piecewise or at \
                             MatrixElement indices, so whether the product sums `{name}` is not \
                             defined",
                            self.construct(pw)
                        ),
                        e,
                    ));
                }
                info.hidden.remove(&name);
            }
            info.outer.remove(&name);
            info.inner.insert(name, e);
        }
        Ok(info)
    }

    /// `Sum`/`Product(body, (k, lo, hi)...)`: the limits bind their names in the body; the
    /// free indices of the bounds are outer indices.
    fn sum_structure(&self, e: NodeId, args: &[NodeId], bound: &mut Vec<String>) -> R<Info> {
        let depth = bound.len();
        let mut parts = vec![];
        for &lim in args.iter().skip(1) {
            let l = self.dag.node(lim).args.clone();
            for &b in l.iter().skip(1) {
                parts.push((b, self.structure(b, bound, false)?));
            }
            if let Some(&k) = l.first() {
                bound.push(symbol_name(self.dag, k).unwrap_or_default());
            }
        }
        let body = self.structure(args[0], bound, false);
        bound.truncate(depth);
        parts.push((args[0], body?));
        self.merged(e, parts)
    }

    /// The parts' indices together, after [`Self::separate`].
    fn merged(&self, e: NodeId, parts: Vec<(NodeId, Info)>) -> R<Info> {
        self.separate(e, &parts)?;
        let mut info = Info::default();
        for (_, p) in parts {
            info.outer.extend(p.outer);
            for (name, at) in p.inner {
                info.inner.entry(name).or_insert(at);
            }
            for (name, at) in p.hidden {
                info.hidden.entry(name).or_insert(at);
            }
        }
        Ok(info)
    }

    /// Refuses an index contracted inside one part of `e` and used outside it in another.
    fn separate(&self, e: NodeId, parts: &[(NodeId, Info)]) -> R<()> {
        for (k, (_, p)) in parts.iter().enumerate() {
            for (name, &at) in &p.inner {
                let other = parts
                    .iter()
                    .enumerate()
                    .find(|(o, (_, q))| *o != k && q.mentions(name));
                if let Some((_, (node, _))) = other {
                    return Err(self.ambiguous(
                        format!(
                            "the index `{name}` is contracted inside {} and also used outside \
                             it, in {}: SymPy's get_contraction_structure keeps the two apart, \
                             its docstring calls such reuse ambiguous, and its code printers \
                             raise NotImplementedError or write one loop for both; use another \
                             name for one of them",
                            self.construct(at),
                            self.construct(*node)
                        ),
                        e,
                    ));
                }
            }
        }
        Ok(())
    }

    /// A construct for a message: its SymPy head and its path in the text.
    fn construct(&self, e: NodeId) -> String {
        let name = head(self.dag, e).map_or("?", vocab::spelling);
        let p = self.fail(ProblemKind::Unsupported, String::new(), e);
        match p.path.is_empty() {
            true => format!("`{name}`"),
            false => format!("`{name}` ({})", p.path),
        }
    }

    fn ambiguous(&self, message: String, e: NodeId) -> crate::error::Problem {
        self.fail(ProblemKind::Unsupported, message, e)
    }
}
