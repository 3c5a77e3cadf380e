//! The `.air` text form: printer and parser (see `docs/text-format.md`).
//!
//! [`parse`] reads a module, resolving every `%name` to a [`crate::module::Value`]; it checks the
//! syntax and the names (E0101–E0112, E0302, E0304), not the types, which are the validator's job.
//! Errors carry `file:line:col` (1-based; columns count characters). Every reader bound of
//! [`Limits`] is enforced (E0105), so no input makes the parser panic, recurse without bound or
//! allocate more than the limits allow; an attribute list has at most `max_list_len` elements and one dim expression may have at most 128 tokens.
//!
//! [`print()`] writes the canonical form, and `print(parse(print(m)))` equals `print(m)`, for every
//! module the grammar can express: supported versions; valid names (spec 1.6, [`crate::name`]:
//! a name that is not an identifier prints quoted, `%"a b"`, `@"f\n"`, `{"k 1" = 2}`); distinct
//! attribute names (a custom op's own never `domain`, `name` or `decomposition`); dim symbols
//! without `.`; operands that refer to earlier values. A node whose name clashes with a parameter
//! or an earlier node of its region (E0304 to the validator) prints as `%<arena index>` and reads
//! back unnamed. Source positions of nodes go to a
//! [`SourceMap`], never into [`crate::module::Node::loc`], which only an explicit `loc(...)` sets.
//!
//! Values that print alike read back alike: an empty list reads as `Ints([])`, a shape with only
//! constant dims as `Ints`, a NaN as the quiet NaN, a bool element as 0 or 1, an `f16`/`bf16`
//! element through `f64`. A dim symbol named `nan` or `inf` cannot appear in an attribute list (it
//! reads as a float). Floats print through Rust's shortest round-trip form (`1e-7`, not `1e-07`;
//! both read).

use std::collections::HashMap;

mod attr;
mod cursor;
mod lexer;
mod literal;
mod parser;
mod printer;

pub use lexer::is_ident;
pub use literal::{fmt_f32, fmt_f64, fmt_literal, quote};
pub use printer::{node_summary, print, print_function, print_type};

use crate::diag::Diagnostics;
use crate::limits::Limits;
use crate::module::{Location, Module, NodeId};

/// A key of [`SourceMap::exact`]: function name, node path, region index at each nesting step.
pub type ExactKey = (String, Vec<NodeId>, Vec<u32>);

/// Source positions of nodes, kept apart from the module so locations stay out of the IR.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceMap {
    /// The file name given to the parser.
    pub file: String,
    /// `(function name, node path from the body down through nested regions)` → `(line, col)`.
    ///
    /// The path lists node ids only, so the nodes of an `if`'s else branch share keys with those
    /// of its then branch; such a key maps to the then branch. [`SourceMap::exact`] tells them apart.
    pub nodes: HashMap<(String, Vec<NodeId>), (u32, u32)>,
    /// `(function name, node path, region index taken at each nesting step)` → `(line, col)`; the
    /// region indices have one entry fewer than the path (`0` for a `for` body or an `if`'s then
    /// branch, `1` for an else branch).
    pub exact: HashMap<ExactKey, (u32, u32)>,
    /// Function name → `(line, col)` of its `func` keyword.
    pub functions: HashMap<String, (u32, u32)>,
}

impl SourceMap {
    /// The `file:line:col` location of a node, by function name and node path.
    pub fn node_loc(&self, function: &str, path: &[NodeId]) -> Option<Location> {
        let &(line, col) = self.nodes.get(&(function.to_string(), path.to_vec()))?;
        Some(Location::File {
            file: self.file.clone(),
            line,
            col,
        })
    }
}

/// Parses a module. Errors carry `file:line:col` locations.
pub fn parse(src: &str, file: &str) -> Result<Module, Diagnostics> {
    parse_with_source_map(src, file).map(|(m, _)| m)
}

/// Parses a module and returns the positions of its nodes.
pub fn parse_with_source_map(src: &str, file: &str) -> Result<(Module, SourceMap), Diagnostics> {
    parse_with_limits(src, file, &Limits::default())
}

/// Parses a module under the given reader limits.
pub fn parse_with_limits(
    src: &str,
    file: &str,
    limits: &Limits,
) -> Result<(Module, SourceMap), Diagnostics> {
    parser::parse_module(src, file, limits)
}
