//! Diagnostics: every problem AIR reports carries a stable error code and enough context (function,
//! node, op, location) to find it. The codes are defined in one table (`codes.rs`), from which
//! `docs/spec.md` lists them; their numbers never change meaning.

use std::fmt;

use crate::module::{Location, NodeId};

pub use crate::codes::{spec_section, Code};

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{:04}", self.number())
    }
}

impl Code {
    /// Parses `E0203`.
    pub fn parse(s: &str) -> Option<Code> {
        let n: u16 = s.strip_prefix('E')?.parse().ok()?;
        Code::ALL.iter().copied().find(|c| c.number() == n)
    }
}

/// One problem, with the entity it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// What is wrong, specifically (`inner dims differ (n vs m+1)`).
    pub message: String,
    /// The function, when the problem is inside one.
    pub function: Option<String>,
    /// The path of node ids from the function body down to the node (nested regions).
    pub node_path: Vec<NodeId>,
    /// For each step into a nested op in `node_path`, which of its regions (`if`: 0 then, 1 else).
    pub region_path: Vec<u32>,
    /// The node's op name.
    pub op: Option<String>,
    /// The node rendered in the text form (`%7 = matmul(%A, %B)`), when known.
    pub node_text: Option<String>,
    /// Where the problem is.
    pub loc: Option<Location>,
}

impl Diagnostic {
    /// A diagnostic with only a code and a message.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            message: message.into(),
            function: None,
            node_path: vec![],
            region_path: vec![],
            op: None,
            node_text: None,
            loc: None,
        }
    }

    /// Sets the location.
    pub fn at(mut self, loc: Location) -> Diagnostic {
        self.loc = Some(loc);
        self
    }

    /// The last entry of a capped list (`validate::MAX_DIAGNOSTICS`): `n` more problems were
    /// found and are not listed. Code E0105, with no function or node.
    pub fn omitted(n: usize) -> Diagnostic {
        let s = if n == 1 { "" } else { "s" };
        Diagnostic::new(
            Code::LimitExceeded,
            format!("{OMITTED_PREFIX}{n} more error{s} (only the first ones are listed)"),
        )
    }

    /// For an [`Diagnostic::omitted`] entry, how many problems it stands for.
    pub fn omitted_count(&self) -> Option<usize> {
        if self.code != Code::LimitExceeded || self.function.is_some() || self.loc.is_some() {
            return None;
        }
        let rest = self.message.strip_prefix(OMITTED_PREFIX)?;
        rest.split_once(" more error")?.0.parse().ok()
    }
}

const OMITTED_PREFIX: &str = "... and ";

impl fmt::Display for Diagnostic {
    /// `error[E0203]: matmul: inner dims differ (n vs m+1) at %7 = matmul(%A, %B) in @f (model.air:12:3)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: ", self.code)?;
        if let Some(op) = &self.op {
            write!(f, "{op}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(t) = &self.node_text {
            write!(f, " at {t}")?;
        }
        if let Some(func) = &self.function {
            // Quoted when not an identifier, as in the text form: a name cannot fake a line.
            write!(f, " in @{}", crate::name::text_form(func))?;
        }
        if let Some(loc) = &self.loc {
            write!(f, " ({loc})")?;
        }
        Ok(())
    }
}

/// Several diagnostics: the error type of readers and the validator.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match d.omitted_count() {
                // The end of a capped list: `... and 7 more errors`.
                Some(n) => write!(f, "... and {n} more error{}", if n == 1 { "" } else { "s" })?,
                None => write!(f, "{d}")?,
            }
        }
        Ok(())
    }
}

impl Diagnostics {
    /// How many problems were found: those listed, plus those a cap left out
    /// ([`Diagnostic::omitted`]).
    pub fn total(&self) -> usize {
        self.0.iter().map(|d| d.omitted_count().unwrap_or(1)).sum()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics(vec![d])
    }
}

/// One AIR construct a foreign format cannot express: what a translator's export lists, every
/// one, instead of approximating.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Construct {
    /// The function.
    pub function: String,
    /// The node (`%7`), or the parameter or result it is about.
    pub at: String,
    /// The op or thing (`cast`, `bf16 parameter`).
    pub what: String,
    /// Why the format cannot express it faithfully.
    pub reason: String,
}

impl fmt::Display for Construct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} in @{}: {}",
            self.what, self.at, self.function, self.reason
        )
    }
}

impl Construct {
    /// The construct as a `NotExpressible` diagnostic naming the format.
    pub fn to_diagnostic(&self, format: &str) -> Diagnostic {
        let mut d = Diagnostic::new(
            Code::NotExpressible,
            format!(
                "{} at {}: {format} cannot express it: {}",
                self.what, self.at, self.reason
            ),
        );
        d.function = Some(self.function.clone());
        d
    }
}

/// The most characters of input a message quotes ([`excerpt`]).
pub const EXCERPT_CHARS: usize = 80;

/// At most [`EXCERPT_CHARS`] characters of `s`, then `…` and the full length: what a message
/// quotes of a name or string from the input, so a 20 MB op name makes a short message.
pub fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        None => s.to_string(),
        Some((cut, _)) => format!("{}… ({} bytes)", &s[..cut], s.len()),
    }
}

/// A list from the input as `{:?}` prints it, but at most 8 elements, then `…` and the count.
pub fn excerpt_list<T: fmt::Debug>(items: &[T]) -> String {
    const SHOWN: usize = 8;
    if items.len() <= SHOWN {
        return format!("{items:?}");
    }
    let head: Vec<String> = items[..SHOWN].iter().map(|x| format!("{x:?}")).collect();
    format!("[{}, … ({} in all)]", head.join(", "), items.len())
}

/// `N problem(s):` followed by one `- item` line per item: how translator errors list everything
/// they found.
pub fn problem_list<T: fmt::Display>(items: &[T]) -> String {
    let lines: Vec<String> = items.iter().map(|p| format!("- {p}")).collect();
    format!("{} problem(s):\n{}", items.len(), lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt("abc"), "abc");
        let long = "é".repeat(1_000_000);
        let e = excerpt(&long);
        assert!(e.chars().count() < EXCERPT_CHARS + 20, "{e}");
        assert!(e.ends_with("… (2000000 bytes)"), "{e}");
        assert_eq!(excerpt_list(&[1, 2]), "[1, 2]");
        let e = excerpt_list(&vec![7u64; 1_000_000]);
        assert_eq!(e, "[7, 7, 7, 7, 7, 7, 7, 7, … (1000000 in all)]");
    }

    #[test]
    fn codes_are_unique_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for &c in Code::ALL {
            assert!(seen.insert(c.number()), "{c} repeated");
            assert_eq!(Code::parse(&c.to_string()), Some(c));
        }
    }

    #[test]
    fn constructs_render_as_lists_and_diagnostics() {
        let c = Construct {
            function: "f".into(),
            at: "%3".into(),
            what: "cast".into(),
            reason: "no casts".into(),
        };
        assert_eq!(c.to_string(), "cast at %3 in @f: no casts");
        assert_eq!(
            problem_list(&[c.clone(), c.clone()]),
            "2 problem(s):\n- cast at %3 in @f: no casts\n- cast at %3 in @f: no casts"
        );
        let d = c.to_diagnostic("SymPy");
        assert_eq!(d.code, Code::NotExpressible);
        assert_eq!(d.message, "cast at %3: SymPy cannot express it: no casts");
        assert_eq!(d.function.as_deref(), Some("f"));
    }
}
