//! SymPy `srepr` text ⇄ AIR.
//!
//! [`import`] reads the `srepr()` of an `Equality(lhs, rhs)`, or of a `Tuple` of them, with a
//! safe parser (no Python, no `eval`; it never panics and bounds the text's size, nesting and
//! node count), checks every head against one table ([`vocab`]) — an unknown head is reported
//! with *every* other one, each with its line, column and path in the tree — merges identical
//! subtrees into a DAG, and lowers the equations into one AIR function through
//! [`air_ir::builder`], the one place where NumPy's broadcasting and promotion live.
//! [`export`] writes an AIR function back as srepr text that SymPy 1.14 evaluates with
//! `from sympy import *` plus `ExprCondPair` and `Str`, or lists every construct SymPy cannot
//! express (parameter and result names included: AIR names may be any text, but the srepr reader
//! and SymPy's code printers need identifiers, `[A-Za-z_][A-Za-z0-9_]*`).
//!
//! # The index rule
//!
//! SymPy's `get_contraction_structure` says where a repeated index is summed, and the importer
//! follows it (`import/structure.rs`): an index that is neither on the left side nor bound by
//! a `Sum`/`Product` is contracted at the innermost `Indexed` or product that repeats it —
//! `A[i, i]` is a trace, `y[i] = A[i, j]*x[j]` a matrix-vector product, `s = x[i]*y[i]` a dot
//! product — and never across a function or a power: `exp(A[i, i])` is `exp(trace(A))`,
//! `x[i, i]**y[j, j]` a power of two traces, `exp(A[i, j]*x[j])` sums `j` inside `exp`, and in
//! `x[i]*y[j]*exp(y[i]*z[k, k])` the product sums `i` while `exp` traces `z`. The terms of an
//! `Add` contract separately. A product is one `einsum` over its factors, a trace an `einsum`
//! of one operand.
//!
//! An index on the left side is the output element everywhere on the right, as `lambdify`
//! reads it: `y[i] = x[i]*z[i]` is pointwise and `v[i] = A[i, i]` the diagonal, where SymPy's
//! structure would contract `i` (and its code printers then write a wrong loop). An index that
//! SymPy leaves outer but the left side lacks (`s = x[j]**2`, `y[i] = exp(x[j])`) has no
//! meaning in SymPy, whose code printers refuse it; AIR sums it over the term of the right
//! side's top-level `Add` it appears in, by a `reduce_sum`.
//!
//! Forms whose meaning SymPy leaves open are refused, naming the index and the constructs: an
//! index contracted inside a part of a term and also used outside it
//! (`x[i]*y[i]*exp(A[i, i])`, or `(x[i] + A[i, j]*y[j])*x[j]` with `j` not on the left side,
//! the case `get_indices`'s docstring warns about), a contraction inside a `Piecewise` or
//! through one below the top of a term (SymPy's index analysis does not look inside
//! `Piecewise`), and a free index with an offset (`x[i + 1]`, which `get_indices` takes as an
//! index of its own).

//! # Sums and products
//!
//! `Sum(body, (k, lo, hi), ...)` and `Product(...)` bind `k` over the inclusive range `lo..=hi`
//! (the first limit is the innermost, so a bound may name the variables of the limits after
//! it); the dummy may be a plain integer `Symbol` or an `Idx`. Bounds that are dimension
//! expressions give a reduction over that range. Bounds that depend on an outer index — a
//! triangle `Sum(A[i, j], (j, 0, i))`, a tail `Sum(x[j], (j, i, n - 1))`, a prefix
//! `Product(x[j], (j, 0, i))` — must be integer expressions of indices and dims with constant
//! coefficients (`i`, `i + 1`, `n - 1 - i`); `k` then ranges over the hull of every range the
//! outer indices give, and the body is masked before the reduction:
//! `reduce(select(lo <= k & k <= hi, body, 0 or 1))`, exact (a masked-out NaN never reaches the
//! result) and with the dims kept symbolic. A range that may run backwards (upper bound below
//! the lower one minus one, which SymPy's Karr convention gives a meaning) is refused. The
//! export writes such a module back as a `Sum` over the hull of a `Piecewise`.
//!
//! # Dimensions and dtypes
//!
//! Extents come from `IndexedBase` shapes, `Idx` ranges (`Idx('i', (0, n-1))` has extent `n`,
//! ranges being inclusive) and `Sum` bounds, and are unified across the whole system; they stay
//! symbolic (`x: f64[n]`), bound at run time from the arrays passed. An index used as a value
//! is an `iota` (plus its lower bound); a dimension symbol used as a value (`2**(k - n + 1)`)
//! is computed exactly as `reduce_sum(full {value = i64 1, shape = [n]})`, since op set v1 has
//! no op that reads a dim as a scalar. Index ranges that start above 0 or stop short of the
//! array's extent read a `slice`; `x[i + 1]` (for an index on the left side or bound) and
//! constant indices are accepted, and (op set 2) strided reads `x[k*i + c]` with `k` a positive
//! constant, as a gather of those positions; other index expressions are not.
//!
//! Op set 2 dims: `floor(p/k)` and `ceiling(p/k)` of a polynomial `p` over a positive constant
//! `k` (how SymPy writes the extent of a strided slice, `ceiling(m/2)`) import as `floordiv`
//! dims, and `Max(0, d)` as `max0`; the export writes them back as `floor(Rational(1, k)*p)`
//! and `Max(0, d)`.
//!
//! dtypes come from [`Options::dtypes`], else from assumptions, as SymPy's codegen types
//! arguments (`get_default_datatype`): a symbol SymPy holds an integer (`integer`, `odd`,
//! `even`, `prime`, `composite` or `zero` set to `True`) gives `i64`, any other
//! [`Options::default_dtype`] (`f64`; SymPy's codegen gives `float`, complex only when
//! asked to). Numbers, indices and dims are *weak* as Python
//! scalars under NumPy's NEP 50: `2*x` keeps the dtype of `x`. Integer sums and products are
//! taken in 64 bits, as `np.sum` does; integer powers with an exponent that may be negative
//! are computed in floating point, since SymPy's `2**-3` is `1/8`.
//!
//! # Checked against real SymPy
//!
//! `tests/random_sympy.py` builds 500 random systems with SymPy (bounds that depend on the
//! output index included), checks `air run` on every backend against SymPy's own numbers, and
//! SymPy's numbers for AIR's export of each; `tests/index_methods.py` runs every example of
//! SymPy's own `test_index_methods.py` (and of its docstrings) on every backend against a
//! NumPy evaluation of the structure `get_contraction_structure` reports; `air conformance
//! --target peers-sympy` has real SymPy evaluate the export of every conformance case
//! (`lambdify`, and `autowrap` on a sample; `docs/conformance.md`).
//!
//! # Signature
//!
//! Parameters are the names read before any equation assigns them, ordered by
//! [`Options::args`] (like autowrap's `args=`), else as SymPy's codegen orders arguments when
//! `argument_sequence` is `None` (`CodeGen.routine`): the inputs sorted by name, then the
//! `inout` parameters sorted by name; a parameter that an equation also assigns is `inout`, a
//! name listed in `args` that is only assigned is `out`. A dimension bound by an input's shape
//! is not a parameter; a dimension that no input's shape binds (an output sized only by `n`,
//! `y[i] = i**2` for `i` in `range(n)`) is a *size parameter* (op set 2, `%n: i64 size n`),
//! as SymPy's codegen passes it (an `int` argument): named in `args`, it keeps its place there
//! (and a dimension named in `args` is a size parameter even when an array also binds it;
//! a run checks they agree), else it comes after the other parameters, by name. Every other left
//! side is a result (an `Indexed` left side a tensor, a `Symbol` a scalar), except a temporary
//! that a later equation reads, unless [`Options::outputs`] lists it.
//!
//! ```
//! let text = "Equality(Indexed(IndexedBase(Symbol('y'), Tuple(Symbol('n', integer=True))), \
//!     Idx(Symbol('i', integer=True), Tuple(Integer(0), Add(Symbol('n', integer=True), Integer(-1))))), \
//!     Mul(Integer(2), Indexed(IndexedBase(Symbol('x'), Tuple(Symbol('n', integer=True))), \
//!     Idx(Symbol('i', integer=True), Tuple(Integer(0), Add(Symbol('n', integer=True), Integer(-1)))))))";
//! let m = air_sympy::import(text, &air_sympy::Options::default()).unwrap();
//! assert_eq!(m.functions[0].params[0].ty.to_string(), "f64[n]");
//! let back = air_sympy::export(&m, &air_sympy::Options::default()).unwrap();
//! assert!(back.starts_with("Equality(Indexed(IndexedBase(Symbol('y')"));
//! ```

mod check;
pub mod error;
mod export;
mod import;
pub mod syntax;
pub mod vocab;

use std::collections::BTreeMap;

use air_ir::{DType, Module};

pub use error::{Construct, Error, Position, Problem, ProblemKind};
pub use syntax::Limits;

/// How to translate.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// The name of the function an import builds, and of the function an export writes (when
    /// the module has it; else its `main`, else its only function; several others are an error).
    pub function: String,
    /// The dtype of a symbol (parameter or left side), by name.
    pub dtypes: BTreeMap<String, DType>,
    /// The dtype of a symbol that neither [`Options::dtypes`] nor an `integer=True` assumption
    /// types.
    pub default_dtype: DType,
    /// The parameters in order, like autowrap's `args=`; `None`: SymPy codegen's default order
    /// (inputs by name, then `inout` parameters by name). A listed name that is only assigned
    /// becomes an `out` parameter.
    pub args: Option<Vec<String>>,
    /// The left sides that are results, in order; `None`: every left side no later equation
    /// reads.
    pub outputs: Option<Vec<String>>,
    /// Reader bounds.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            function: "main".to_string(),
            dtypes: BTreeMap::new(),
            default_dtype: DType::F64,
            args: None,
            outputs: None,
            limits: Limits::default(),
        }
    }
}

/// Reads srepr text into a module with one function (see the crate docs for the rules).
pub fn import(text: &str, opts: &Options) -> Result<Module, Error> {
    import::import(text, opts)
}

/// Writes one function of a module as srepr text: an `Equality` per result and per
/// `out`/`inout` parameter (a `Tuple` of them when there are several), or an error listing
/// every construct SymPy cannot express.
pub fn export(m: &Module, opts: &Options) -> Result<String, Error> {
    export::export(m, opts)
}
