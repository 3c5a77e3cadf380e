//! Errors of the SymPy translator: every problem carries what a user needs to find it.
//!
//! Reading stops at the first syntax error (the rest of the text cannot be trusted), but the
//! checks after it collect every problem: every unsupported head with its position, every
//! inconsistent dimension, every construct an export cannot write.

use std::fmt;

pub use air_ir::Construct;
use air_ir::{problem_list, Code, Diagnostic, Diagnostics, Location};

/// A position in the srepr text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Byte offset from the start of the text.
    pub offset: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl Position {
    /// The position of byte `offset` of `text` (clamped to the text's length).
    pub fn of(text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map_or(0, |p| p + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) as u32 + 1;
        Position { offset, line, col }
    }
}

impl Position {
    /// A position known only by its offset; [`locate`] fills in the line and column.
    pub fn unlocated(offset: usize) -> Position {
        Position {
            offset,
            line: 0,
            col: 0,
        }
    }
}

/// Fills in the line and column of every problem's position in one pass over the text (so
/// thousands of problems in a large text cost one sweep, not one each).
pub fn locate(text: &str, problems: &mut [Problem]) {
    let mut offsets: Vec<usize> = problems
        .iter()
        .filter_map(|p| p.pos.map(|q| q.offset.min(text.len())))
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut found = std::collections::HashMap::with_capacity(offsets.len());
    let (mut line, mut col, mut next) = (1u32, 1u32, 0usize);
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '\n')))
    {
        while next < offsets.len() && offsets[next] <= i {
            found.insert(offsets[next], (line, col));
            next += 1;
        }
        if next == offsets.len() {
            break;
        }
        if c == '\n' {
            (line, col) = (line + 1, 1);
        } else {
            col += 1;
        }
    }
    for p in problems {
        if let Some(pos) = &mut p.pos {
            if let Some(&(line, col)) = found.get(&pos.offset.min(text.len())) {
                (pos.line, pos.col) = (line, col);
            }
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} (byte {})", self.line, self.col, self.offset)
    }
}

/// What kind of problem a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The text is not well-formed srepr.
    Syntax,
    /// The text exceeds a bound of the reader (size, nesting, literal length).
    Limit,
    /// A head (class or function name) the translator does not map.
    UnsupportedHead,
    /// A known head used in a way the translator does not map (a log with a base, an index
    /// expression like `2*i`, a Sum whose bounds depend on an outer index...).
    Unsupported,
    /// The equations are ill-formed: ranks that differ, a symbol used as two different things,
    /// wrong arguments to a head, a name read before it is assigned.
    Invalid,
    /// Extents that cannot be unified, or an index range outside its array.
    Dims,
}

/// One problem in the srepr text, with its position and its path in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The kind.
    pub kind: ProblemKind,
    /// What is wrong.
    pub message: String,
    /// Where in the text, when known.
    pub pos: Option<Position>,
    /// The path from the root: each step is a head and the argument taken
    /// (`Equality[1]/Add[0]/besselj`).
    pub path: String,
}

impl Problem {
    /// The problem's stable AIR error code.
    pub fn code(&self) -> Code {
        match self.kind {
            ProblemKind::Syntax => Code::Syntax,
            ProblemKind::Limit => Code::LimitExceeded,
            ProblemKind::UnsupportedHead | ProblemKind::Unsupported => Code::UnknownOp,
            ProblemKind::Invalid => Code::Syntax,
            ProblemKind::Dims => Code::ShapeMismatch,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(p) = &self.pos {
            write!(f, " at {p}")?;
        }
        if !self.path.is_empty() {
            write!(f, " in {}", self.path)?;
        }
        Ok(())
    }
}

/// An error of [`crate::import`] or [`crate::export`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// The text is not srepr, or exceeds a reader bound.
    #[error("{0}")]
    Parse(Problem),
    /// Every problem found in well-formed srepr (unsupported heads first, all of them).
    #[error("{}", problem_list(.0))]
    Import(Vec<Problem>),
    /// The AIR built from the equations does not validate (a translator bug, or dtypes from the
    /// options that the operations do not accept).
    #[error("the translated function does not validate:\n{0}")]
    Air(Diagnostics),
    /// Every AIR construct that SymPy cannot express.
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

    /// The error as AIR diagnostics, located in `file` (the name shown to the user).
    pub fn to_diagnostics(&self, file: &str) -> Diagnostics {
        let of_problem = |p: &Problem| {
            let mut d = Diagnostic::new(p.code(), format!("{} (in {})", p.message, p.path));
            if p.path.is_empty() {
                d.message = p.message.clone();
            }
            if let Some(pos) = p.pos {
                d = d.at(Location::File {
                    file: file.to_string(),
                    line: pos.line,
                    col: pos.col,
                });
            }
            d
        };
        match self {
            Error::Parse(p) => Diagnostics(vec![of_problem(p)]),
            Error::Import(ps) => Diagnostics(ps.iter().map(of_problem).collect()),
            Error::Air(d) => d.clone(),
            Error::Export(cs) => Diagnostics(cs.iter().map(|c| c.to_diagnostic("SymPy")).collect()),
        }
    }
}
