//! Dims the importer reasons about beyond the builder's unifier: a symbol bound to a product,
//! and negative dims from static shapes that contradict each other.

use air_ir::{Atom, Dim};

use crate::error::{Error, Problem, ProblemKind};
use crate::json::Graph;

/// The error of a function that does not validate: static shapes that contradict each other (a
/// length 0 where the graph takes one element off, found once every dim is unified) make
/// negative dims, an error of the document; anything else is a translator bug.
pub(super) fn contradiction(d: air_ir::Diagnostics, g: &Graph) -> Error {
    let negative =
        d.0.iter()
            .find(|x| x.code == air_ir::Code::BadShape && x.message.contains("negative dim"));
    match negative {
        Some(x) => Error::Import(vec![Problem::new(
            ProblemKind::Dims,
            format!("the static shapes contradict each other: {}", x.message),
            &g.place,
        )]),
        None => Error::Air(d),
    }
}

/// For `diff = 0`, a symbol `s` that `diff` holds only as `±s` and what it equals: `x_0` and
/// `A_0*A_1` for `A_0*A_1 - x_0` (a product is bound to a symbol, which the builder's unifier
/// does not do from the difference alone).
pub(super) fn lone_symbol(diff: &Dim) -> Option<(String, Dim)> {
    let terms = diff.terms();
    let mentions = |m: &[(Atom, u32)], s: &str| {
        m.iter().any(|(t, _)| match t {
            Atom::Sym(t) => t == s,
            Atom::FloorDiv(d, _) | Atom::Max0(d) => d.symbols().contains(&s),
        })
    };
    terms.iter().enumerate().find_map(|(k, (m, c))| {
        let [(s, 1)] = m.as_slice() else { return None };
        let s = s.as_symbol()?;
        let others = terms.iter().enumerate().filter(|&(j, _)| j != k);
        if !(*c == 1 || *c == -1) || others.clone().any(|(_, (o, _))| mentions(o, s)) {
            return None;
        }
        let rest: Option<Vec<_>> = others
            .map(|(_, (o, d))| Some((o.clone(), d.checked_mul(-c)?)))
            .collect();
        let rest = Dim::from_terms(rest?).ok()?;
        Some((s.to_string(), rest))
    })
}
