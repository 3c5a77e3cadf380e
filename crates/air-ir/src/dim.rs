//! Symbolic dimensions: integer polynomials over named symbols, kept in a canonical form.
//!
//! A dim is a constant (`4`), a symbol (`n`) or an expression over symbols (`n+1`, `2*n`, `n*m`).
//! Every dim is stored as a sum of monomials with non-zero integer coefficients, sorted, so two dims
//! are equal exactly when their canonical forms are equal: `n+n` and `2*n` are the same value.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A product of symbols with positive powers, sorted by symbol name; empty for the constant term.
pub type Monomial = Vec<(String, u32)>;

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
    /// The canonical form would grow past [`MAX_DIM_TERMS`] terms or [`MAX_DIM_DEGREE`] degree.
    #[error(
        "a dimension expression grows past {MAX_DIM_TERMS} terms or degree {MAX_DIM_DEGREE} \
         (the limit on the size of a dim)"
    )]
    TooLarge,
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
            terms: vec![(vec![(name.into(), 1)], 1)],
        }
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
        if terms.len() > MAX_DIM_TERMS || terms.iter().any(|(m, _)| degree(m) > MAX_DIM_DEGREE) {
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
            [(m, 1)] if m.len() == 1 && m[0].1 == 1 => Some(&m[0].0),
            _ => None,
        }
    }

    /// True when the dim is a constant.
    pub fn is_const(&self) -> bool {
        self.as_const().is_some()
    }

    /// Every symbol the dim mentions, sorted and without repeats.
    pub fn symbols(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .terms
            .iter()
            .flat_map(|(m, _)| m.iter().map(|(s, _)| s.as_str()))
            .collect();
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
            for (s, p) in mono {
                let x = env.get(s).copied().unwrap_or_default();
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
            for (s, p) in mono {
                let base = subst
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| Dim::symbol(s.clone()));
                for _ in 0..*p {
                    term = term.mul(&base)?;
                }
            }
            acc = acc.add(&term)?;
        }
        Ok(acc)
    }

    /// True when the dim can be negative for some non-negative symbol values, as far as a simple
    /// sign test can tell (a negative coefficient anywhere).
    pub fn may_be_negative(&self) -> bool {
        self.terms.iter().any(|(_, c)| *c < 0)
    }
}

fn normalise_monomial(mono: Monomial) -> Monomial {
    let mut powers: BTreeMap<String, u32> = BTreeMap::new();
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
                .flat_map(|(s, p)| std::iter::repeat_n(s.clone(), *p as usize))
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
/// (`[A-Za-z_][A-Za-z0-9_]*`). Nesting of parentheses is bounded by 64.
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
