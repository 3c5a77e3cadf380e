//! Symbolic dimensions: integer polynomials over named symbols and a few non-polynomial atoms,
//! kept in a canonical form.
//!
//! A dim is a constant (`4`), a symbol (`n`) or an expression over symbols (`n+1`, `2*n`, `n*m`).
//! Op set 2 adds two atoms that may stand where a symbol stands: `floordiv(d, k)` (floor division
//! by a constant `k >= 2`; `ceildiv(d, k)` reads as `floordiv(d+k-1, k)`) and `max0(d)`
//! (`max(0, d)`). Every dim is stored as a sum of monomials with non-zero integer coefficients,
//! sorted, so two dims are equal exactly when their canonical forms are equal: `n+n` and `2*n` are
//! the same value, and so are `ceildiv(m-1, 2)` and `floordiv(m, 2)` (spec §1.4).

use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A factor of a monomial: a symbol, or an op set 2 atom over a canonical dim.
///
/// Every atom is non-negative whenever its symbols are (symbols are extents, `>= 0`): `max0` by
/// definition, and `floordiv(d, k)` because its canonical `d` has coefficients in `1..k` over
/// non-negative factors.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Atom {
    /// A named symbol.
    Sym(String),
    /// `floor(d / k)`: `k >= 2`, and `d` is not a constant and has every coefficient in `1..k`
    /// (the canonical remainder, [`Dim::floordiv`]).
    FloorDiv(Box<Dim>, i64),
    /// `max(0, d)`: `d` may be negative and may be positive ([`Dim::max0`]).
    Max0(Box<Dim>),
}

impl Atom {
    /// The name when the atom is a symbol.
    pub fn as_symbol(&self) -> Option<&str> {
        match self {
            Atom::Sym(s) => Some(s),
            Atom::FloorDiv(..) | Atom::Max0(_) => None,
        }
    }

    /// How deeply atoms nest in this one (a symbol is 0, `max0(n)` 1).
    fn nesting(&self) -> u32 {
        match self {
            Atom::Sym(_) => 0,
            Atom::FloorDiv(d, _) | Atom::Max0(d) => d.nesting() + 1,
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Sym(s) => f.write_str(s),
            Atom::FloorDiv(d, k) => write!(f, "floordiv({d}, {k})"),
            Atom::Max0(d) => write!(f, "max0({d})"),
        }
    }
}

/// A product of atoms with positive powers, sorted by atom; empty for the constant term.
pub type Monomial = Vec<(Atom, u32)>;

/// A dimension extent: an integer polynomial over symbols, in canonical form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dim {
    /// Monomials with their non-zero coefficients, sorted; the constant term has an empty monomial.
    terms: Vec<(Monomial, i64)>,
}

/// The most terms a canonical dim may have (a product of sums multiplies term counts: a rank-14
/// reshape of sums of 14 symbols would otherwise expand to 14^14 terms).
pub const MAX_DIM_TERMS: usize = 256;

/// The highest total degree a monomial of a dim may have.
pub const MAX_DIM_DEGREE: u32 = 64;

/// How deeply `floordiv` and `max0` atoms may nest in one dim.
pub const MAX_DIM_NESTING: u32 = 8;

/// Why a dim has no value at run time ([`Dim::try_eval`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DimEvalError {
    /// The dim mentions a symbol with no value.
    #[error("symbol {0} is not bound")]
    Unbound(String),
    /// The value does not fit in i64 with these symbol values.
    #[error("dim {dim} overflows i64 with {values}")]
    Overflow {
        /// The dim, as printed.
        dim: String,
        /// The symbol values, `n = 4, m = 2`.
        values: String,
    },
}

/// Dim arithmetic that cannot give a dim.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DimOverflow {
    /// A coefficient overflows i64.
    #[error("dimension arithmetic overflows i64")]
    Arithmetic,
    /// The canonical form would grow past [`MAX_DIM_TERMS`] terms, [`MAX_DIM_DEGREE`] degree or
    /// [`MAX_DIM_NESTING`] nested atoms.
    #[error(
        "a dimension expression grows past {MAX_DIM_TERMS} terms or degree {MAX_DIM_DEGREE}, or \
         nests floordiv/max0 deeper than {MAX_DIM_NESTING} (the limit on the size of a dim)"
    )]
    TooLarge,
    /// `floordiv` by a divisor that is not a positive constant.
    #[error("floordiv divides by {0}: the divisor must be a constant of at least 1")]
    BadDivisor(i64),
}

impl Dim {
    /// A constant extent.
    pub fn constant(c: i64) -> Dim {
        let terms = if c == 0 { vec![] } else { vec![(vec![], c)] };
        Dim { terms }
    }

    /// A named symbol.
    pub fn symbol(name: impl Into<String>) -> Dim {
        Dim {
            terms: vec![(vec![(Atom::Sym(name.into()), 1)], 1)],
        }
    }

    /// A dim that is one atom.
    fn atom(a: Atom) -> Result<Dim, DimOverflow> {
        if a.nesting() > MAX_DIM_NESTING {
            return Err(DimOverflow::TooLarge);
        }
        Ok(Dim {
            terms: vec![(vec![(a, 1)], 1)],
        })
    }

    /// `floor(self / k)` in canonical form (op set 2). Each coefficient `c` splits as
    /// `c = q*k + r` with `r` in `0..k`: the `q` parts come out of the division exactly, and what
    /// remains is `floordiv(r-polynomial, k)`, or nothing when the remainder is a constant (then
    /// `0 <= r < k` floors to 0). `floordiv(floordiv(a, j) + c, k)` is `floordiv(a + c*j, j*k)`.
    /// `k` must be at least 1.
    pub fn floordiv(&self, k: i64) -> Result<Dim, DimOverflow> {
        if k < 1 {
            return Err(DimOverflow::BadDivisor(k));
        }
        if k == 1 {
            return Ok(self.clone());
        }
        let mut quot = vec![];
        let mut rem = vec![];
        for (m, c) in &self.terms {
            let (q, r) = (c.div_euclid(k), c.rem_euclid(k));
            if q != 0 {
                quot.push((m.clone(), q));
            }
            if r != 0 {
                rem.push((m.clone(), r));
            }
        }
        let quot = Dim::from_terms(quot)?;
        // A subset of canonical terms is canonical.
        let rem = Dim { terms: rem };
        if rem.is_const() {
            return Ok(quot);
        }
        let inner = match rem.floordiv_plus_const() {
            Some((a, j, c)) => {
                let jk = j.checked_mul(k).ok_or(DimOverflow::Arithmetic)?;
                let cj = c.checked_mul(j).ok_or(DimOverflow::Arithmetic)?;
                a.add(&Dim::constant(cj))?.floordiv(jk)?
            }
            None => Dim::atom(Atom::FloorDiv(Box::new(rem), k))?,
        };
        quot.add(&inner)
    }

    /// `ceil(self / k)`, that is `floordiv(self + k - 1, k)` (op set 2). `k` must be at least 1.
    pub fn ceildiv(&self, k: i64) -> Result<Dim, DimOverflow> {
        if k < 1 {
            return Err(DimOverflow::BadDivisor(k));
        }
        self.add(&Dim::constant(k - 1))?.floordiv(k)
    }

    /// `max(0, self)` in canonical form (op set 2): the dim itself when it cannot be negative
    /// (no negative coefficient: every atom is non-negative), 0 when it cannot be positive (no
    /// positive coefficient), else the atom `max0(self)`.
    pub fn max0(&self) -> Result<Dim, DimOverflow> {
        if !self.may_be_negative() {
            return Ok(self.clone());
        }
        if self.terms.iter().all(|(_, c)| *c < 0) {
            return Ok(Dim::constant(0));
        }
        Dim::atom(Atom::Max0(Box::new(self.clone())))
    }

    /// `(a, j, c)` when the dim is `floordiv(a, j) + c`.
    fn floordiv_plus_const(&self) -> Option<(Dim, i64, i64)> {
        let mut atom = None;
        let mut c = 0;
        for (m, coef) in &self.terms {
            match (m.as_slice(), *coef) {
                ([], v) => c = v,
                ([(Atom::FloorDiv(a, j), 1)], 1) if atom.is_none() => atom = Some((a, *j)),
                _ => return None,
            }
        }
        atom.map(|(a, j)| ((**a).clone(), j, c))
    }

    /// True when the dim is an integer polynomial over symbols: no `floordiv` or `max0` (the
    /// dims of op set 1).
    pub fn is_polynomial(&self) -> bool {
        self.terms
            .iter()
            .all(|(m, _)| m.iter().all(|(a, _)| a.as_symbol().is_some()))
    }

    /// How deeply atoms nest (0 for a polynomial).
    fn nesting(&self) -> u32 {
        self.terms
            .iter()
            .flat_map(|(m, _)| m.iter().map(|(a, _)| a.nesting()))
            .max()
            .unwrap_or(0)
    }

    /// Builds a dim from `(monomial, coefficient)` terms, normalising them.
    pub fn from_terms(
        terms: impl IntoIterator<Item = (Monomial, i64)>,
    ) -> Result<Dim, DimOverflow> {
        let mut map: BTreeMap<Monomial, i64> = BTreeMap::new();
        for (mono, c) in terms {
            let mono = normalise_monomial(mono);
            let slot = map.entry(mono).or_insert(0);
            *slot = slot.checked_add(c).ok_or(DimOverflow::Arithmetic)?;
        }
        let terms: Vec<(Monomial, i64)> = map.into_iter().filter(|(_, c)| *c != 0).collect();
        if terms.len() > MAX_DIM_TERMS
            || terms.iter().any(|(m, _)| {
                degree(m) > MAX_DIM_DEGREE || m.iter().any(|(a, _)| a.nesting() > MAX_DIM_NESTING)
            })
        {
            return Err(DimOverflow::TooLarge);
        }
        Ok(Dim { terms })
    }

    /// The canonical terms, sorted, with non-zero coefficients.
    pub fn terms(&self) -> &[(Monomial, i64)] {
        &self.terms
    }

    /// The value when the dim is a constant.
    pub fn as_const(&self) -> Option<i64> {
        match self.terms.as_slice() {
            [] => Some(0),
            [(m, c)] if m.is_empty() => Some(*c),
            _ => None,
        }
    }

    /// The name when the dim is exactly one symbol.
    pub fn as_symbol(&self) -> Option<&str> {
        match self.terms.as_slice() {
            [(m, 1)] if m.len() == 1 && m[0].1 == 1 => m[0].0.as_symbol(),
            _ => None,
        }
    }

    /// True when the dim is a constant.
    pub fn is_const(&self) -> bool {
        self.as_const().is_some()
    }

    /// Every symbol the dim mentions, inside atoms too, sorted and without repeats.
    pub fn symbols(&self) -> Vec<&str> {
        fn collect<'a>(d: &'a Dim, out: &mut Vec<&'a str>) {
            for (m, _) in &d.terms {
                for (a, _) in m {
                    match a {
                        Atom::Sym(s) => out.push(s),
                        Atom::FloorDiv(inner, _) | Atom::Max0(inner) => collect(inner, out),
                    }
                }
            }
        }
        let mut out = vec![];
        collect(self, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// `self + other`.
    pub fn add(&self, other: &Dim) -> Result<Dim, DimOverflow> {
        Dim::from_terms(self.terms.iter().chain(&other.terms).cloned())
    }

    /// `self - other`.
    pub fn sub(&self, other: &Dim) -> Result<Dim, DimOverflow> {
        let neg = other
            .terms
            .iter()
            .map(|(m, c)| {
                c.checked_neg()
                    .map(|c| (m.clone(), c))
                    .ok_or(DimOverflow::Arithmetic)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Dim::from_terms(self.terms.iter().cloned().chain(neg))
    }

    /// `self * other`.
    pub fn mul(&self, other: &Dim) -> Result<Dim, DimOverflow> {
        // Refused before the expansion is allocated.
        if self.terms.len().saturating_mul(other.terms.len()) > MAX_DIM_TERMS * MAX_DIM_TERMS
            || self.degree().saturating_add(other.degree()) > MAX_DIM_DEGREE
        {
            return Err(DimOverflow::TooLarge);
        }
        let mut terms = Vec::with_capacity(self.terms.len() * other.terms.len());
        for (ma, ca) in &self.terms {
            for (mb, cb) in &other.terms {
                let c = ca.checked_mul(*cb).ok_or(DimOverflow::Arithmetic)?;
                let mut m = ma.clone();
                m.extend(mb.iter().cloned());
                terms.push((m, c));
            }
        }
        Dim::from_terms(terms)
    }

    /// The highest total degree of a term (0 for a constant).
    pub fn degree(&self) -> u32 {
        self.terms.iter().map(|(m, _)| degree(m)).max().unwrap_or(0)
    }

    /// The product of several dims (1 for none): the element count of a shape.
    pub fn product<'a>(dims: impl IntoIterator<Item = &'a Dim>) -> Result<Dim, DimOverflow> {
        dims.into_iter()
            .try_fold(Dim::constant(1), |acc, d| acc.mul(d))
    }

    /// Evaluates the dim with the given symbol values; `None` when a symbol is unbound or the
    /// arithmetic overflows ([`Dim::try_eval`] says which).
    pub fn eval(&self, env: &HashMap<String, i64>) -> Option<i64> {
        self.try_eval(env).ok()
    }

    /// Evaluates the dim with the given symbol values, in checked arithmetic: an unbound symbol
    /// and an overflow of i64 are told apart, so a run-time engine can say which it met.
    pub fn try_eval(&self, env: &HashMap<String, i64>) -> Result<i64, DimEvalError> {
        if let Some(s) = self.symbols().into_iter().find(|s| !env.contains_key(*s)) {
            return Err(DimEvalError::Unbound(s.to_string()));
        }
        let overflow = || DimEvalError::Overflow {
            dim: self.to_string(),
            values: self
                .symbols()
                .into_iter()
                .map(|s| format!("{s} = {}", env.get(s).copied().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let mut total: i64 = 0;
        for (mono, c) in &self.terms {
            let mut v = *c;
            for (a, p) in mono {
                let x = match a {
                    Atom::Sym(s) => env.get(s).copied().unwrap_or_default(),
                    // Floor division by a positive k is Euclidean division.
                    Atom::FloorDiv(d, k) => d.try_eval(env)?.div_euclid(*k),
                    Atom::Max0(d) => d.try_eval(env)?.max(0),
                };
                for _ in 0..*p {
                    v = v.checked_mul(x).ok_or_else(overflow)?;
                }
            }
            total = total.checked_add(v).ok_or_else(overflow)?;
        }
        Ok(total)
    }

    /// Replaces symbols by dims.
    pub fn substitute(&self, subst: &HashMap<String, Dim>) -> Result<Dim, DimOverflow> {
        let mut acc = Dim::constant(0);
        for (mono, c) in &self.terms {
            let mut term = Dim::constant(*c);
            for (a, p) in mono {
                let base = match a {
                    Atom::Sym(s) => subst
                        .get(s)
                        .cloned()
                        .unwrap_or_else(|| Dim::symbol(s.clone())),
                    Atom::FloorDiv(d, k) => d.substitute(subst)?.floordiv(*k)?,
                    Atom::Max0(d) => d.substitute(subst)?.max0()?,
                };
                for _ in 0..*p {
                    term = term.mul(&base)?;
                }
            }
            acc = acc.add(&term)?;
        }
        Ok(acc)
    }

    /// True when the dim can be negative for some non-negative symbol values, as far as a simple
    /// sign test can tell (a negative coefficient anywhere; every atom is non-negative).
    pub fn may_be_negative(&self) -> bool {
        self.terms.iter().any(|(_, c)| *c < 0)
    }
}

fn normalise_monomial(mono: Monomial) -> Monomial {
    let mut powers: BTreeMap<Atom, u32> = BTreeMap::new();
    for (s, p) in mono {
        let e = powers.entry(s).or_insert(0);
        *e = e.saturating_add(p);
    }
    powers.into_iter().filter(|(_, p)| *p > 0).collect()
}

/// The total degree of a monomial (saturating: a degree past the limit is refused anyway).
fn degree(m: &Monomial) -> u32 {
    m.iter().fold(0u32, |d, (_, p)| d.saturating_add(*p))
}

impl From<i64> for Dim {
    fn from(c: i64) -> Dim {
        Dim::constant(c)
    }
}

impl fmt::Display for Dim {
    /// Prints `2*n*m+n-1`: higher-degree terms first, the constant last.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.terms.is_empty() {
            return f.write_str("0");
        }
        let mut ordered: Vec<&(Monomial, i64)> = self.terms.iter().collect();
        ordered.sort_by(|a, b| {
            let deg = |m: &Monomial| m.iter().map(|(_, p)| *p).sum::<u32>();
            deg(&b.0).cmp(&deg(&a.0)).then_with(|| a.0.cmp(&b.0))
        });
        for (i, (mono, c)) in ordered.into_iter().enumerate() {
            let (sign, mag) = if *c < 0 {
                ("-", c.unsigned_abs())
            } else {
                ("+", c.unsigned_abs())
            };
            if i > 0 || sign == "-" {
                f.write_str(sign)?;
            }
            if mono.is_empty() {
                write!(f, "{mag}")?;
                continue;
            }
            if mag != 1 {
                write!(f, "{mag}*")?;
            }
            let factors: Vec<String> = mono
                .iter()
                .flat_map(|(a, p)| std::iter::repeat_n(a.to_string(), *p as usize))
                .collect();
            f.write_str(&factors.join("*"))?;
        }
        Ok(())
    }
}

/// Errors from parsing a dim expression.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DimParseError {
    /// The text is not a dim expression.
    #[error("bad dimension expression at byte {pos}: {msg}")]
    Syntax {
        /// Byte offset into the parsed text.
        pos: usize,
        /// What was wrong.
        msg: String,
    },
    /// A constant or product overflowed.
    #[error(transparent)]
    Overflow(#[from] DimOverflow),
}

/// Parses `2*n+1`, `n*m`, `(n+1)*2`, `-3` and the like. Symbols are identifiers
/// (`[A-Za-z_][A-Za-z0-9_]*`). Nesting of parentheses is bounded by 64. The op set 2 atoms read as
/// calls: `floordiv(d, k)`, `ceildiv(d, k)` and `max0(d)`, with `k` a constant expression of at
/// least 1; a name not followed by `(` is a symbol, so `max0` may still name a dim.
pub fn parse_dim(text: &str) -> Result<Dim, DimParseError> {
    let mut p = DimParser {
        s: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let d = p.expr()?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return Err(p.err("unexpected trailing text"));
    }
    Ok(d)
}

struct DimParser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: u32,
}

impl DimParser<'_> {
    fn err(&self, msg: &str) -> DimParseError {
        DimParseError::Syntax {
            pos: self.pos,
            msg: msg.to_string(),
        }
    }
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }
    fn expr(&mut self) -> Result<Dim, DimParseError> {
        let mut acc = self.term()?;
        while let Some(c @ (b'+' | b'-')) = self.peek() {
            self.pos += 1;
            let t = self.term()?;
            acc = if c == b'+' {
                acc.add(&t)?
            } else {
                acc.sub(&t)?
            };
        }
        Ok(acc)
    }
    fn term(&mut self) -> Result<Dim, DimParseError> {
        let mut acc = self.factor()?;
        while self.peek() == Some(b'*') {
            self.pos += 1;
            let f = self.factor()?;
            acc = acc.mul(&f)?;
        }
        Ok(acc)
    }
    fn factor(&mut self) -> Result<Dim, DimParseError> {
        match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                let f = self.factor()?;
                Ok(Dim::constant(0).sub(&f)?)
            }
            Some(b'(') => {
                self.depth += 1;
                if self.depth > 64 {
                    return Err(self.err("parentheses nested deeper than 64"));
                }
                self.pos += 1;
                let e = self.expr()?;
                if self.peek() != Some(b')') {
                    return Err(self.err("expected ')'"));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                while self.pos < self.s.len() && self.s[self.pos].is_ascii_digit() {
                    self.pos += 1;
                }
                let digits = std::str::from_utf8(&self.s[start..self.pos]).expect("ascii digits");
                let v: i64 = digits.parse().map_err(|_| DimOverflow::Arithmetic)?;
                Ok(Dim::constant(v))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.pos;
                while self.pos < self.s.len()
                    && (self.s[self.pos].is_ascii_alphanumeric() || self.s[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.pos]).expect("ascii ident");
                if matches!(name, "floordiv" | "ceildiv" | "max0") && self.peek() == Some(b'(') {
                    return self.call(name);
                }
                if !crate::name::is_dim_symbol(name) {
                    // `nan` and `inf` read as floats in attribute lists (spec §1.6).
                    self.pos = start;
                    return Err(self.err("not a dimension symbol (`nan`, `inf` and symbols over 1024 bytes are refused)"));
                }
                Ok(Dim::symbol(name))
            }
            _ => Err(self.err("expected a number, a symbol or '('")),
        }
    }

    /// `floordiv(d, k)`, `ceildiv(d, k)` or `max0(d)`, after the name.
    fn call(&mut self, name: &str) -> Result<Dim, DimParseError> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(self.err("parentheses nested deeper than 64"));
        }
        self.pos += 1; // '('
        let arg = self.expr()?;
        let out = if name == "max0" {
            arg.max0()?
        } else {
            if self.peek() != Some(b',') {
                return Err(self.err("expected ',' and a divisor"));
            }
            self.pos += 1;
            let at = self.pos;
            let k = self.expr()?;
            let Some(k) = k.as_const().filter(|k| *k >= 1) else {
                self.pos = at;
                return Err(self.err("the divisor must be a constant of at least 1"));
            };
            if name == "floordiv" {
                arg.floordiv(k)?
            } else {
                arg.ceildiv(k)?
            }
        };
        if self.peek() != Some(b')') {
            return Err(self.err("expected ')'"));
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(out)
    }
}

/// Unifies dims across a function: records `symbol = dim` bindings as equalities are learnt, as
/// SymPy's codegen does for equal indices ("equal indices give equal extents").
#[derive(Clone, Debug, Default)]
pub struct Unifier {
    bindings: HashMap<String, Dim>,
}

/// Two dims that cannot be made equal.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot unify dims {left} and {right}")]
pub struct UnifyError {
    /// The left dim, after substitution.
    pub left: Dim,
    /// The right dim, after substitution.
    pub right: Dim,
}

impl Unifier {
    /// A unifier with no bindings.
    pub fn new() -> Unifier {
        Unifier::default()
    }

    /// Applies every binding to `d` until nothing changes.
    pub fn resolve(&self, d: &Dim) -> Dim {
        let mut cur = d.clone();
        // Bindings never form cycles (occurs check), so this terminates; the bound guards anyway.
        for _ in 0..=self.bindings.len() {
            match cur.substitute(&self.bindings) {
                Ok(next) if next != cur => cur = next,
                _ => break,
            }
        }
        cur
    }

    /// Makes `a` and `b` equal, binding a symbol when one side resolves to a lone symbol that the
    /// other side does not mention. Two different constants, or two expressions that differ, fail.
    pub fn unify(&mut self, a: &Dim, b: &Dim) -> Result<Dim, UnifyError> {
        let (ra, rb) = (self.resolve(a), self.resolve(b));
        if ra == rb {
            return Ok(ra);
        }
        let fail = || UnifyError {
            left: ra.clone(),
            right: rb.clone(),
        };
        let bind = |sym: &str, other: &Dim| -> Option<(String, Dim)> {
            (!other.symbols().contains(&sym)).then(|| (sym.to_string(), other.clone()))
        };
        // Prefer keeping the constant or the expression: bind the symbol side.
        let binding = match (ra.as_symbol(), rb.as_symbol()) {
            (Some(s), _) => bind(s, &rb),
            (None, Some(s)) => bind(s, &ra),
            (None, None) => None,
        }
        .ok_or_else(fail)?;
        self.bindings.insert(binding.0, binding.1);
        Ok(self.resolve(a))
    }

    /// The bindings learnt so far.
    pub fn bindings(&self) -> &HashMap<String, Dim> {
        &self.bindings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Dim {
        parse_dim(s).unwrap()
    }

    #[test]
    fn checked_evaluation_tells_overflow_from_unbound() {
        let n32 = d(&format!("{}+5", vec!["n"; 32].join("*")));
        let env: HashMap<String, i64> = [("n".to_string(), 4)].into();
        let err = n32.try_eval(&env).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("dim {n32} overflows i64 with n = 4")
        );
        assert_eq!(n32.eval(&env), None);
        // 4^31 + 5 just fits.
        let n31 = d(&format!("{}+5", vec!["n"; 31].join("*")));
        assert_eq!(n31.try_eval(&env), Ok((1i64 << 62) + 5));
        assert_eq!(
            d("n+m").try_eval(&env),
            Err(DimEvalError::Unbound("m".into()))
        );
        assert_eq!(d("n-9").try_eval(&env), Ok(-5));
    }

    #[test]
    fn canonical_forms_compare_equal() {
        assert_eq!(d("n+n"), d("2*n"));
        assert_eq!(d("(n+1)*(n-1)"), d("n*n-1"));
        assert_eq!(d("n*m"), d("m*n"));
        assert_eq!(d("n-n"), Dim::constant(0));
        assert_eq!(d("3"), Dim::constant(3));
    }

    #[test]
    fn display_then_parse_is_identity() {
        for s in ["n", "n+1", "2*n", "n*m", "2*m*n+n-1", "-n", "0", "n*n*m-3"] {
            let x = d(s);
            assert_eq!(d(&x.to_string()), x, "{s} printed as {x}");
        }
        assert_eq!(d("1+n").to_string(), "n+1");
        assert_eq!(d("n*2").to_string(), "2*n");
    }

    #[test]
    fn eval_and_queries() {
        let env = HashMap::from([("n".to_string(), 3), ("m".to_string(), 4)]);
        assert_eq!(d("n*m+2").eval(&env), Some(14));
        assert_eq!(d("k").eval(&env), None);
        assert_eq!(d("n").as_symbol(), Some("n"));
        assert_eq!(d("2*n").as_symbol(), None);
        assert_eq!(d("m*n+n").symbols(), vec!["m", "n"]);
    }

    #[test]
    fn floordiv_and_max0_canonical_forms() {
        // The remainder keeps coefficients in 0..k; whole multiples come out.
        assert_eq!(d("ceildiv(m-1, 2)"), d("floordiv(m, 2)"));
        assert_eq!(d("ceildiv(m, 2)"), d("floordiv(m+1, 2)"));
        assert_eq!(d("floordiv(2*m+1, 2)"), d("m"));
        assert_eq!(d("floordiv(4*m+6, 2)"), d("2*m+3"));
        assert_eq!(d("floordiv(m-1, 2)"), d("floordiv(m+1, 2)-1"));
        assert_eq!(d("floordiv(7, 2)"), d("3"));
        assert_eq!(d("floordiv(-7, 2)"), d("-4"));
        assert_eq!(d("floordiv(n, 1)"), d("n"));
        assert_eq!(d("floordiv(floordiv(n, 2), 3)"), d("floordiv(n, 6)"));
        assert_eq!(d("floordiv(floordiv(n+1, 2)+1, 2)"), d("floordiv(n+3, 4)"));
        assert_eq!(d("max0(n+m)"), d("n+m"));
        assert_eq!(d("max0(-n-1)"), d("0"));
        assert_eq!(d("max0(-3)"), d("0"));
        assert_eq!(d("max0(4)"), d("4"));
        assert_eq!(d("max0(floordiv(n, 2))"), d("floordiv(n, 2)"));
        assert_ne!(d("max0(n-1)"), d("n-1"));
        assert!(!d("max0(n-1)").is_polynomial());
        assert!(d("n*m+1").is_polynomial());
        assert_eq!(d("2*floordiv(n, 3)*max0(m-2)").symbols(), vec!["m", "n"]);
        assert!(d("floordiv(n+2, 3)-1").may_be_negative());
        assert!(parse_dim("floordiv(n, 0)").is_err());
        assert!(parse_dim("floordiv(n, m)").is_err());
        assert!(parse_dim("floordiv(n)").is_err());
        assert!(parse_dim("max0(n, 2)").is_err());
        // Names not followed by `(` are symbols.
        assert_eq!(d("max0").as_symbol(), Some("max0"));
        let deep = (0..9).fold("n-1".to_string(), |s, _| format!("max0({s})-1"));
        assert!(matches!(
            parse_dim(&deep),
            Err(DimParseError::Overflow(DimOverflow::TooLarge))
        ));
    }

    #[test]
    fn floordiv_and_max0_evaluate_and_print() {
        for s in [
            "floordiv(n+1, 2)",
            "max0(n-3)",
            "2*floordiv(n*m+2, 3)*max0(m-n)+n-1",
            "floordiv(max0(n-5)+1, 2)",
            "-floordiv(n, 4)",
        ] {
            let x = d(s);
            assert_eq!(d(&x.to_string()), x, "{s} printed as {x}");
        }
        for n in -3i64..12 {
            for m in 0i64..5 {
                let env = HashMap::from([("n".to_string(), n), ("m".to_string(), m)]);
                let v = d("floordiv(n+1, 2)+3*max0(n-m)").eval(&env).unwrap();
                assert_eq!(v, (n + 1).div_euclid(2) + 3 * (n - m).max(0));
                assert_eq!(d("ceildiv(n, 3)").eval(&env), Some((n + 2).div_euclid(3)));
            }
        }
        let sub = HashMap::from([("n".to_string(), d("2*m"))]);
        assert_eq!(d("floordiv(n, 2)").substitute(&sub).unwrap(), d("m"));
        let sub = HashMap::from([("n".to_string(), d("m+5"))]);
        assert_eq!(d("max0(n-1)").substitute(&sub).unwrap(), d("m+4"));
    }

    #[test]
    fn parse_errors_are_reported() {
        assert!(parse_dim("n+").is_err());
        assert!(parse_dim("n)").is_err());
        assert!(parse_dim("99999999999999999999").is_err());
        assert!(parse_dim(&"(".repeat(100)).is_err());
    }

    #[test]
    fn unifier_binds_symbols_and_rejects_conflicts() {
        let mut u = Unifier::new();
        assert_eq!(u.unify(&d("n"), &d("4")).unwrap(), d("4"));
        assert_eq!(u.resolve(&d("n+1")), d("5"));
        assert!(u.unify(&d("n"), &d("5")).is_err());
        assert_eq!(u.unify(&d("k"), &d("m+1")).unwrap(), d("m+1"));
        assert!(u.unify(&d("m"), &d("m+1")).is_err(), "occurs check");
    }
}
