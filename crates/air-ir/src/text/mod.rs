//! The `.air` text form: printer and parser (see `docs/text-format.md`).

use std::collections::HashMap;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::module::{Module, NodeId, Region};

/// Source positions of nodes, kept apart from the module so locations stay out of the IR.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceMap {
    /// The file name given to the parser.
    pub file: String,
    /// `(function name, node path from the body down through nested regions)` → `(line, col)`.
    pub nodes: HashMap<(String, Vec<NodeId>), (u32, u32)>,
    /// Function name → `(line, col)` of its `func` keyword.
    pub functions: HashMap<String, (u32, u32)>,
}

/// Parses a module. Errors carry `file:line:col` locations.
pub fn parse(src: &str, file: &str) -> Result<Module, Diagnostics> {
    parse_with_source_map(src, file).map(|(m, _)| m)
}

/// Parses a module and returns the positions of its nodes.
pub fn parse_with_source_map(_src: &str, _file: &str) -> Result<(Module, SourceMap), Diagnostics> {
    Err(Diagnostic::new(Code::Syntax, "text parser not implemented yet").into())
}

/// Prints a module in the canonical text form.
pub fn print(_m: &Module) -> String {
    String::from("// text printer not implemented yet\n")
}

/// One node rendered on one line, without regions: `%7 = matmul (%A, %B)`.
pub fn node_summary(region: &Region, id: NodeId) -> String {
    format!("{} = {}", id, region.node(id).op.name())
}
