//! The check between parsing and lowering: every head the translator does not know, and every
//! known head with the wrong arguments, each with its position and path, all of them at once.

use crate::error::{locate, Position, Problem, ProblemKind};
use crate::syntax::{Atom, NodeId, Tree};
use crate::vocab::{self, Head};

/// At most this many problems are listed; a last one counts the rest.
pub const MAX_LISTED: usize = 1000;

/// Checks every node of a parsed (not yet hash-consed) tree. Unsupported heads come first;
/// past [`MAX_LISTED`] problems, the rest are counted, not listed.
pub fn check(text: &str, tree: &Tree) -> Vec<Problem> {
    let parents = tree.parents();
    let mut unsupported = vec![];
    let mut invalid = vec![];
    let mut more = 0usize;
    for (i, n) in tree.nodes.iter().enumerate() {
        let id = NodeId(i as u32);
        let Some((kind, message)) = problem_of(tree, id) else {
            continue;
        };
        let list = match kind {
            ProblemKind::UnsupportedHead => &mut unsupported,
            ProblemKind::Syntax
            | ProblemKind::Limit
            | ProblemKind::Unsupported
            | ProblemKind::Invalid
            | ProblemKind::Dims => &mut invalid,
        };
        if list.len() >= MAX_LISTED {
            more += 1;
            continue;
        }
        list.push(Problem {
            kind,
            message,
            pos: Some(Position::unlocated(n.span.0)),
            path: tree.path(&parents, id),
        });
    }
    unsupported.extend(invalid);
    if unsupported.len() > MAX_LISTED {
        more += unsupported.len() - MAX_LISTED;
        unsupported.truncate(MAX_LISTED);
    }
    if more > 0 {
        unsupported.push(Problem {
            kind: ProblemKind::Invalid,
            message: format!("and {more} more problems"),
            pos: None,
            path: String::new(),
        });
    }
    locate(text, &mut unsupported);
    unsupported
}

fn problem_of(tree: &Tree, id: NodeId) -> Option<(ProblemKind, String)> {
    match &tree.node(id).atom {
        Atom::Call(name) => match vocab::call(name) {
            Some(head) => shape_problem(tree, id, head).map(|m| (ProblemKind::Invalid, m)),
            None if vocab::name(name).is_some() => {
                Some((ProblemKind::Invalid, format!("`{name}` is not callable")))
            }
            None => Some((
                ProblemKind::UnsupportedHead,
                format!("unsupported head `{name}`"),
            )),
        },
        Atom::Name(name) if vocab::name(name).is_none() => Some((
            ProblemKind::UnsupportedHead,
            format!("unsupported name `{name}`"),
        )),
        Atom::Name(_) | Atom::Str(_) | Atom::Int(_) | Atom::Neg => None,
    }
}

/// What is wrong with the arguments of a known head, if anything.
#[allow(clippy::wildcard_enum_match_arm)] // SymPy heads: every head not listed takes no keyword arguments, now and in future
fn shape_problem(tree: &Tree, id: NodeId, head: Head) -> Option<String> {
    let n = tree.node(id);
    let name = vocab::spelling(head);
    let kind = |a: &NodeId| &tree.node(*a).atom;
    let is_str = |a: &NodeId| matches!(kind(a), Atom::Str(_));
    let is_int = |a: &NodeId| matches!(kind(a), Atom::Int(_));
    let is_bool = |a: &NodeId| matches!(kind(a), Atom::Name(s) if s == "True" || s == "False");
    let count = n.args.len();
    let arity = |lo: usize, hi: usize| -> Option<String> {
        (count < lo || count > hi).then(|| match (lo, hi) {
            (lo, hi) if lo == hi => format!("{name} takes {lo} argument(s), got {count}"),
            (lo, usize::MAX) => format!("{name} takes at least {lo} argument(s), got {count}"),
            (lo, hi) => format!("{name} takes {lo} to {hi} arguments, got {count}"),
        })
    };
    let keywords_ok = match head {
        Head::Symbol => n.kwargs.iter().all(|(_, v)| is_bool(v)),
        Head::Dummy => n.kwargs.iter().all(|(k, v)| {
            if k == "dummy_index" {
                is_int(v)
            } else {
                is_bool(v)
            }
        }),
        Head::Float => n.kwargs.iter().all(|(k, v)| k == "precision" && is_int(v)),
        _ => n.kwargs.is_empty(),
    };
    if !keywords_ok {
        return Some(format!("unexpected keyword arguments to {name}"));
    }
    let first_str = n.args.first().is_some_and(is_str);
    match head {
        Head::Symbol | Head::Dummy | Head::Str => {
            arity(1, 1).or_else(|| (!first_str).then(|| format!("{name} takes a string")))
        }
        Head::Integer => arity(1, 1).or_else(|| {
            (!n.args.iter().all(is_int)).then(|| "Integer takes an integer literal".into())
        }),
        Head::Rational => arity(2, 2).or_else(|| {
            (!n.args.iter().all(is_int)).then(|| "Rational takes two integer literals".into())
        }),
        Head::Float => arity(1, 2).or_else(|| {
            (!first_str || !n.args.iter().skip(1).all(is_int))
                .then(|| "Float takes a decimal string (and a precision)".into())
        }),
        Head::Pow | Head::Binary(_) | Head::ExprCondPair | Head::Rel(_) => arity(2, 2),
        Head::Unary(_) | Head::Not | Head::Transpose => arity(1, 1),
        Head::Fold(_) | Head::Piecewise | Head::Logic(_) | Head::MatMul | Head::MatAdd => {
            arity(1, usize::MAX)
        }
        Head::Indexed | Head::Sum | Head::Product => arity(2, usize::MAX),
        Head::IndexedBase | Head::Idx => arity(1, 2),
        Head::MatrixSymbol | Head::MatrixElement | Head::Ite => arity(3, 3),
        Head::Tuple | Head::Add | Head::Mul => None,
        Head::Pi
        | Head::E
        | Head::True
        | Head::False
        | Head::Infinity
        | Head::NaN
        | Head::PyTrue
        | Head::PyFalse => Some(format!("`{name}` is not callable")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{parse, Limits};

    fn problems(text: &str) -> Vec<Problem> {
        check(text, &parse(text, Limits::default()).unwrap())
    }

    #[test]
    fn every_unsupported_head_is_listed_with_position_and_path() {
        let text = "Equality(Symbol('y'), Add(besselj(Integer(0), Symbol('x')),\n  besselj(Integer(1), Symbol('x')), gamma(zoo)))";
        let ps = problems(text);
        let msgs: Vec<String> = ps.iter().map(|p| p.to_string()).collect();
        assert_eq!(ps.len(), 4, "{msgs:#?}");
        assert!(ps.iter().all(|p| p.kind == ProblemKind::UnsupportedHead));
        let at = |i: usize| ps[i].pos.map(|p| (p.line, p.col, p.offset)).unwrap();
        assert_eq!(&ps[0].message, "unsupported head `besselj`");
        assert_eq!(at(0), (1, 27, 26));
        assert_eq!(ps[0].path, "Equality[1]/Add[0]/besselj");
        assert_eq!(at(1), (2, 3, 62));
        assert_eq!(ps[1].path, "Equality[1]/Add[1]/besselj");
        assert_eq!(&ps[2].message, "unsupported name `zoo`");
        assert_eq!(ps[2].path, "Equality[1]/Add[2]/gamma[0]/zoo");
        assert_eq!(&ps[3].message, "unsupported head `gamma`");
    }

    #[test]
    fn wrong_arguments_are_invalid() {
        for bad in [
            "Symbol(Integer(1))",
            "Integer('1')",
            "Rational(1)",
            "Pow(Symbol('x'))",
            "Symbol('x', integer=1)",
            "exp(Symbol('x'), Symbol('y'))",
            "pi()",
            "Add(x=Integer(1))",
        ] {
            let ps = problems(bad);
            assert_eq!(ps.len(), 1, "{bad}: {ps:?}");
            assert_eq!(ps[0].kind, ProblemKind::Invalid, "{bad}");
        }
        assert!(problems("Float('1.5', precision=53)").is_empty());
        assert!(problems("Dummy('d', dummy_index=12, real=True)").is_empty());
    }
}
