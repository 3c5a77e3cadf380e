//! Building SymPy trees: numbers, symbols, dims and the arithmetic heads, spelled through
//! [`crate::vocab`].

use air_ir::{Dim, UnaryOp};

use crate::syntax::{Atom, NodeId, Tree};
use crate::vocab::{self, Head};

/// Tree-building helpers over a [`Tree`].
pub(crate) trait Build {
    /// `Head(args...)` spelled from the vocabulary.
    fn make(&mut self, h: Head, args: Vec<NodeId>) -> NodeId;
    /// A bare name (`pi`, `true`, `oo`).
    fn name(&mut self, h: Head) -> NodeId;
    /// `Integer(i)`.
    fn integer(&mut self, i: i64) -> NodeId;
    /// `Float('repr', precision=53)`; `oo`, `-oo`, `nan` for the non-finite values.
    fn float(&mut self, f: f64) -> NodeId;
    /// `Symbol('name', key=True...)`.
    fn symbol(&mut self, name: &str, assumptions: &[&str]) -> NodeId;
    /// An integer dimension symbol: `Symbol('n', integer=True, positive=True)`.
    fn dim_symbol(&mut self, name: &str) -> NodeId;
    /// A dim as an integer polynomial; `rename` maps AIR dim symbols to SymPy names.
    fn dim(&mut self, d: &Dim, rename: &dyn Fn(&str) -> String) -> NodeId;
    /// `Idx(Symbol(name, integer=True), Tuple(0, extent - 1))`.
    fn idx(&mut self, name: &str, extent: &Dim, rename: &dyn Fn(&str) -> String) -> NodeId;
    /// `Mul(Integer(-1), x)`.
    fn neg(&mut self, x: NodeId) -> NodeId;
    /// `x + c`, or `x` when `c` is 0.
    fn offset(&mut self, x: NodeId, c: i64) -> NodeId;
    /// The SymPy function of a unary op, when it has one.
    fn unary(&mut self, op: UnaryOp, x: NodeId) -> Option<NodeId>;
}

impl Build for Tree {
    fn make(&mut self, h: Head, args: Vec<NodeId>) -> NodeId {
        self.call(vocab::spelling(h), args)
    }

    fn name(&mut self, h: Head) -> NodeId {
        self.leaf(Atom::Name(vocab::spelling(h).to_string()))
    }

    fn integer(&mut self, i: i64) -> NodeId {
        let lit = self.leaf(Atom::Int(i.to_string()));
        self.make(Head::Integer, vec![lit])
    }

    fn float(&mut self, f: f64) -> NodeId {
        if f.is_nan() {
            return self.name(Head::NaN);
        }
        if f.is_infinite() {
            let oo = self.name(Head::Infinity);
            return if f > 0.0 {
                oo
            } else {
                self.push(crate::syntax::Node {
                    atom: Atom::Neg,
                    args: vec![oo],
                    kwargs: vec![],
                    span: (0, 0),
                })
            };
        }
        let text = self.leaf(Atom::Str(format!("{f:?}")));
        let precision = self.leaf(Atom::Int("53".into()));
        self.call_kw(
            vocab::spelling(Head::Float),
            vec![text],
            vec![("precision".into(), precision)],
        )
    }

    fn symbol(&mut self, name: &str, assumptions: &[&str]) -> NodeId {
        let label = self.leaf(Atom::Str(name.to_string()));
        let kwargs = assumptions
            .iter()
            .map(|k| (k.to_string(), self.leaf(Atom::Name("True".into()))))
            .collect();
        self.call_kw(vocab::spelling(Head::Symbol), vec![label], kwargs)
    }

    fn dim_symbol(&mut self, name: &str) -> NodeId {
        self.symbol(name, &["integer", "positive"])
    }

    fn dim(&mut self, d: &Dim, rename: &dyn Fn(&str) -> String) -> NodeId {
        let mut terms = vec![];
        // SymPy writes the constant term last: `Add(Symbol('n'), Integer(-1))`.
        let (constant, others): (Vec<_>, Vec<_>) =
            d.terms().iter().partition(|(m, _)| m.is_empty());
        for (mono, coeff) in others.into_iter().chain(constant) {
            let mut factors = vec![];
            if mono.is_empty() || *coeff != 1 {
                factors.push(self.integer(*coeff));
            }
            for (atom, power) in mono {
                let s = match atom {
                    air_ir::dim::Atom::Sym(sym) => self.dim_symbol(&rename(sym)),
                    // Op set 2: `floor(x/k)` and `Max(0, x)`, as SymPy writes them.
                    air_ir::dim::Atom::FloorDiv(x, k) => {
                        let x = self.dim(x, rename);
                        let (one, k) = (
                            self.leaf(Atom::Int("1".to_string())),
                            self.leaf(Atom::Int(k.to_string())),
                        );
                        let r = self.make(Head::Rational, vec![one, k]);
                        let q = self.make(Head::Mul, vec![r, x]);
                        self.make(Head::Unary(UnaryOp::Floor), vec![q])
                    }
                    air_ir::dim::Atom::Max0(x) => {
                        let zero = self.integer(0);
                        let x = self.dim(x, rename);
                        self.make(Head::Fold(air_ir::BinaryOp::Max), vec![zero, x])
                    }
                };
                factors.push(match power {
                    1 => s,
                    p => {
                        let k = self.integer(i64::from(*p));
                        self.make(Head::Pow, vec![s, k])
                    }
                });
            }
            terms.push(match factors.len() {
                1 => factors[0],
                _ => self.make(Head::Mul, factors),
            });
        }
        match terms.len() {
            0 => self.integer(0),
            1 => terms[0],
            _ => self.make(Head::Add, terms),
        }
    }

    fn idx(&mut self, name: &str, extent: &Dim, rename: &dyn Fn(&str) -> String) -> NodeId {
        let label = self.symbol(name, &["integer"]);
        let lo = self.integer(0);
        let hi = match extent.sub(&Dim::constant(1)) {
            Ok(h) => self.dim(&h, rename),
            Err(_) => {
                let e = self.dim(extent, rename);
                let one = self.integer(-1);
                self.make(Head::Add, vec![e, one])
            }
        };
        let range = self.make(Head::Tuple, vec![lo, hi]);
        self.make(Head::Idx, vec![label, range])
    }

    fn neg(&mut self, x: NodeId) -> NodeId {
        let m1 = self.integer(-1);
        self.make(Head::Mul, vec![m1, x])
    }

    fn offset(&mut self, x: NodeId, c: i64) -> NodeId {
        if c == 0 {
            return x;
        }
        let k = self.integer(c);
        self.make(Head::Add, vec![x, k])
    }

    fn unary(&mut self, op: UnaryOp, x: NodeId) -> Option<NodeId> {
        let name = vocab::unary_name(op)?;
        Some(self.call(name, vec![x]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::print;

    #[test]
    fn dims_and_numbers_print_as_srepr() {
        let mut t = Tree::default();
        let id = |s: &str| s.to_string();
        let d = air_ir::dim::parse_dim("2*n*m+n-1").unwrap();
        let x = t.dim(&d, &id);
        assert_eq!(
            print(&t, x),
            "Add(Mul(Integer(2), Symbol('m', integer=True, positive=True), Symbol('n', \
             integer=True, positive=True)), Symbol('n', integer=True, positive=True), Integer(-1))"
        );
        let f = t.float(0.1);
        assert_eq!(print(&t, f), "Float('0.1', precision=53)");
        let f = t.float(f64::NEG_INFINITY);
        assert_eq!(print(&t, f), "-oo");
        let i = t.idx("i", &Dim::symbol("n"), &id);
        assert_eq!(
            print(&t, i),
            "Idx(Symbol('i', integer=True), Tuple(Integer(0), Add(Symbol('n', integer=True, \
             positive=True), Integer(-1))))"
        );
    }
}
