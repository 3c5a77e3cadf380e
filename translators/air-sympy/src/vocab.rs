//! The one table of SymPy names this translator knows, read by the importer, the checker and the
//! exporter alike.

use air_ir::{BinaryOp, UnaryOp};

/// What a SymPy head means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Head {
    /// `Symbol('x', assumptions...)`.
    Symbol,
    /// `Dummy('x', dummy_index=N, assumptions...)`: a symbol of its own.
    Dummy,
    /// `Integer(n)`.
    Integer,
    /// `Rational(p, q)`.
    Rational,
    /// `Float('1.5', precision=53)`.
    Float,
    /// `Str('M')` (the name of a MatrixSymbol).
    Str,
    /// `Tuple(...)`: shapes, ranges, limits, and a system of equations.
    Tuple,
    /// `pi`.
    Pi,
    /// `E`.
    E,
    /// SymPy's `true`.
    True,
    /// SymPy's `false`.
    False,
    /// `oo`.
    Infinity,
    /// `nan`.
    NaN,
    /// Python's `True` (assumption values).
    PyTrue,
    /// Python's `False`.
    PyFalse,
    /// `Add(...)`.
    Add,
    /// `Mul(...)`.
    Mul,
    /// `Pow(base, exp)`.
    Pow,
    /// A function of one argument mapping to one AIR unary op.
    Unary(UnaryOp),
    /// A function of two arguments mapping to one AIR binary op (`atan2`, `Mod`).
    Binary(BinaryOp),
    /// `Max`/`Min` of any number of arguments, folded left with the binary op.
    Fold(BinaryOp),
    /// `Piecewise(ExprCondPair...)`.
    Piecewise,
    /// `ExprCondPair(expr, cond)`.
    ExprCondPair,
    /// A relation; `Equality` at the top of a statement is an assignment instead.
    Rel(BinaryOp),
    /// `And`/`Or`/`Xor` of booleans.
    Logic(BinaryOp),
    /// `Not`.
    Not,
    /// `ITE(cond, a, b)`: a Boolean if-then-else (SymPy writes Piecewise conditions so).
    Ite,
    /// `Indexed(base, indices...)`.
    Indexed,
    /// `IndexedBase(label, shape)`.
    IndexedBase,
    /// `Idx(label, range)`.
    Idx,
    /// `Sum(body, limits...)`.
    Sum,
    /// `Product(body, limits...)`.
    Product,
    /// `MatrixSymbol(Str(name), rows, cols)`.
    MatrixSymbol,
    /// `MatMul(...)`.
    MatMul,
    /// `MatAdd(...)`.
    MatAdd,
    /// `Transpose(m)`.
    Transpose,
    /// `MatrixElement(m, i, j)`.
    MatrixElement,
}

/// Heads written as calls, `Name(...)`.
pub const CALLS: &[(&str, Head)] = &[
    ("Symbol", Head::Symbol),
    ("Dummy", Head::Dummy),
    ("Integer", Head::Integer),
    ("Rational", Head::Rational),
    ("Float", Head::Float),
    ("Str", Head::Str),
    ("Tuple", Head::Tuple),
    ("Add", Head::Add),
    ("Mul", Head::Mul),
    ("Pow", Head::Pow),
    ("exp", Head::Unary(UnaryOp::Exp)),
    ("log", Head::Unary(UnaryOp::Log)),
    ("sin", Head::Unary(UnaryOp::Sin)),
    ("cos", Head::Unary(UnaryOp::Cos)),
    ("tan", Head::Unary(UnaryOp::Tan)),
    ("asin", Head::Unary(UnaryOp::Asin)),
    ("acos", Head::Unary(UnaryOp::Acos)),
    ("atan", Head::Unary(UnaryOp::Atan)),
    ("sinh", Head::Unary(UnaryOp::Sinh)),
    ("cosh", Head::Unary(UnaryOp::Cosh)),
    ("tanh", Head::Unary(UnaryOp::Tanh)),
    ("asinh", Head::Unary(UnaryOp::Asinh)),
    // op set 2: complex parts (on real values NumPy's rules apply: re(x) is x, im(x) is 0)
    ("re", Head::Unary(UnaryOp::Real)),
    ("im", Head::Unary(UnaryOp::Imag)),
    ("conjugate", Head::Unary(UnaryOp::Conj)),
    ("arg", Head::Unary(UnaryOp::Angle)),
    ("acosh", Head::Unary(UnaryOp::Acosh)),
    ("atanh", Head::Unary(UnaryOp::Atanh)),
    ("Abs", Head::Unary(UnaryOp::Abs)),
    ("sign", Head::Unary(UnaryOp::Sign)),
    ("floor", Head::Unary(UnaryOp::Floor)),
    ("ceiling", Head::Unary(UnaryOp::Ceil)),
    ("erf", Head::Unary(UnaryOp::Erf)),
    ("atan2", Head::Binary(BinaryOp::Atan2)),
    ("Mod", Head::Binary(BinaryOp::Mod)),
    ("Max", Head::Fold(BinaryOp::Max)),
    ("Min", Head::Fold(BinaryOp::Min)),
    ("Piecewise", Head::Piecewise),
    ("ExprCondPair", Head::ExprCondPair),
    ("StrictGreaterThan", Head::Rel(BinaryOp::Gt)),
    ("GreaterThan", Head::Rel(BinaryOp::Ge)),
    ("StrictLessThan", Head::Rel(BinaryOp::Lt)),
    ("LessThan", Head::Rel(BinaryOp::Le)),
    ("Equality", Head::Rel(BinaryOp::Eq)),
    ("Unequality", Head::Rel(BinaryOp::Ne)),
    ("And", Head::Logic(BinaryOp::And)),
    ("Or", Head::Logic(BinaryOp::Or)),
    ("Xor", Head::Logic(BinaryOp::Xor)),
    ("Not", Head::Not),
    ("ITE", Head::Ite),
    ("Indexed", Head::Indexed),
    ("IndexedBase", Head::IndexedBase),
    ("Idx", Head::Idx),
    ("Sum", Head::Sum),
    ("Product", Head::Product),
    ("MatrixSymbol", Head::MatrixSymbol),
    ("MatMul", Head::MatMul),
    ("MatAdd", Head::MatAdd),
    ("Transpose", Head::Transpose),
    ("MatrixElement", Head::MatrixElement),
];

/// Heads written as bare names.
pub const NAMES: &[(&str, Head)] = &[
    ("pi", Head::Pi),
    ("E", Head::E),
    ("true", Head::True),
    ("false", Head::False),
    ("oo", Head::Infinity),
    ("nan", Head::NaN),
    ("True", Head::PyTrue),
    ("False", Head::PyFalse),
];

/// The head of a call `name(...)`.
pub fn call(name: &str) -> Option<Head> {
    CALLS.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}

/// The head of a bare name.
pub fn name(name: &str) -> Option<Head> {
    NAMES.iter().find(|(n, _)| *n == name).map(|(_, h)| *h)
}

/// The SymPy name of a head, for writing (the first entry of the tables that has it).
pub fn spelling(head: Head) -> &'static str {
    CALLS
        .iter()
        .chain(NAMES)
        .find(|(_, h)| *h == head)
        .map_or("?", |(n, _)| n)
}

/// The SymPy function for an AIR unary op, when there is one.
pub fn unary_name(op: UnaryOp) -> Option<&'static str> {
    CALLS
        .iter()
        .find(|(_, h)| *h == Head::Unary(op))
        .map(|(n, _)| *n)
}

/// True for the names the srepr reader takes as symbols and SymPy's code printers write as C and
/// Python identifiers: `[A-Za-z_][A-Za-z0-9_]*`. The exporter refuses other names (AIR names may
/// be any text) so that what it writes reads back.
pub(crate) fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_spell_back() {
        for (i, (n, h)) in CALLS.iter().chain(NAMES).enumerate() {
            assert!(
                CALLS.iter().chain(NAMES).skip(i + 1).all(|(m, _)| m != n),
                "{n} listed twice"
            );
            assert_eq!(spelling(*h), *n);
        }
    }
}
