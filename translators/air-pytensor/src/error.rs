//! Errors of the PyTensor translator: every problem says where it is (the node, in its graph and
//! the inner graphs around it), and the checks collect every problem instead of stopping at the
//! first.

use std::fmt;

pub use air_ir::Construct;
use air_ir::{problem_list, Code, Diagnostic, Diagnostics, Location};

/// What kind of problem a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The text is not JSON, or not shaped like `pytensor-fgraph-json/1`.
    Json,
    /// The document exceeds a bound of the reader (size, node count, nesting).
    Limit,
    /// An op class (or an `Elemwise` scalar op) the translator does not map.
    UnknownOp,
    /// A known op used in a way AIR cannot express faithfully (a run-time shape, a while loop).
    Unsupported,
    /// The graph is ill-formed: a variable used before it is defined, a cycle, wrong props.
    Invalid,
    /// Static shapes or dims that contradict each other.
    Dims,
}

/// Where a problem is: a path of nodes from the outer graph into inner graphs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// `(node id, op description)` from the outermost graph inwards.
    pub nodes: Vec<(i64, String)>,
    /// A variable or field of the innermost graph, when the problem is about one.
    pub detail: Option<String>,
}

impl Place {
    /// The place of node `id` showing `op`, inside `self`.
    pub fn node(&self, id: i64, op: &str) -> Place {
        let mut nodes = self.nodes.clone();
        nodes.push((id, op.to_string()));
        Place {
            nodes,
            detail: None,
        }
    }

    /// `self` narrowed to a variable or field.
    pub fn with(&self, detail: impl Into<String>) -> Place {
        Place {
            nodes: self.nodes.clone(),
            detail: Some(detail.into()),
        }
    }

    /// The AIR location of the place (`pytensor node 12 (Scan) / inner node 3 (Add)`).
    pub fn location(&self) -> Option<Location> {
        (!self.nodes.is_empty() || self.detail.is_some())
            .then(|| Location::Foreign(format!("pytensor {self}")))
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, (id, op)) in self.nodes.iter().enumerate() {
            let sep = if k == 0 { "" } else { " / inner " };
            write!(f, "{sep}node {id} ({op})")?;
        }
        if let Some(d) = &self.detail {
            let sep = if self.nodes.is_empty() { "" } else { ", " };
            write!(f, "{sep}{d}")?;
        }
        Ok(())
    }
}

/// One problem in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The kind.
    pub kind: ProblemKind,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub at: Place,
}

impl Problem {
    /// A problem of `kind` at `at`.
    pub fn new(kind: ProblemKind, message: impl Into<String>, at: &Place) -> Problem {
        Problem {
            kind,
            message: message.into(),
            at: at.clone(),
        }
    }

    /// The problem's stable AIR error code.
    pub fn code(&self) -> Code {
        match self.kind {
            ProblemKind::Json | ProblemKind::Invalid => Code::Syntax,
            ProblemKind::Limit => Code::LimitExceeded,
            ProblemKind::UnknownOp | ProblemKind::Unsupported => Code::UnknownOp,
            ProblemKind::Dims => Code::ShapeMismatch,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let at = self.at.to_string();
        if !at.is_empty() {
            write!(f, " at {at}")?;
        }
        Ok(())
    }
}

/// An error of [`crate::import`] or [`crate::export`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// The text is not a `pytensor-fgraph-json/1` document, or exceeds a reader bound.
    #[error("{0}")]
    Parse(Problem),
    /// Every problem found in a well-formed document (unknown ops first, all of them).
    #[error("{}", problem_list(.0))]
    Import(Vec<Problem>),
    /// The AIR built from the graph does not validate (a translator bug).
    #[error("the translated function does not validate:\n{0}")]
    Air(Diagnostics),
    /// Every AIR construct that PyTensor cannot express.
    #[error("{}", problem_list(.0))]
    Export(Vec<Construct>),
}

impl Error {
    /// The import problems (the one parse problem included); empty for the other variants.
    pub fn problems(&self) -> Vec<&Problem> {
        match self {
            Error::Parse(p) => vec![p],
            Error::Import(ps) => ps.iter().collect(),
            Error::Air(_) | Error::Export(_) => vec![],
        }
    }

    /// The error as AIR diagnostics; `file` (the name shown to the user) prefixes locations.
    pub fn to_diagnostics(&self, file: &str) -> Diagnostics {
        let of_problem = |p: &Problem| {
            let mut d = Diagnostic::new(p.code(), p.message.clone());
            if let Some(Location::Foreign(s)) = p.at.location() {
                let s = if file.is_empty() {
                    s
                } else {
                    format!("{file}: {s}")
                };
                d = d.at(Location::Foreign(s));
            }
            d
        };
        match self {
            Error::Parse(p) => Diagnostics(vec![of_problem(p)]),
            Error::Import(ps) => Diagnostics(ps.iter().map(of_problem).collect()),
            Error::Air(d) => d.clone(),
            Error::Export(cs) => {
                Diagnostics(cs.iter().map(|c| c.to_diagnostic("PyTensor")).collect())
            }
        }
    }
}
