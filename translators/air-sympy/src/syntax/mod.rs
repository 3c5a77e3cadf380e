//! srepr as text: the tokenizer, the recursive-descent parser into a SymPy-shaped [`Tree`], and
//! the printer back to text.

mod lexer;
mod parser;
mod print;
mod tree;

pub use parser::parse;
pub use print::{print, quote};
pub use tree::{Atom, Node, NodeId, Step, Tree};

/// What the reader accepts at most; hostile text gets an error, never a crash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of text.
    pub max_bytes: usize,
    /// Nesting depth of calls and unary minus (SymPy's own printer recurses as deep).
    pub max_depth: usize,
    /// Nodes of the tree (before shared subtrees are merged).
    pub max_nodes: usize,
    /// Bytes of one name.
    pub max_name_bytes: usize,
    /// Bytes of one string literal.
    pub max_string_bytes: usize,
    /// Digits of one integer literal.
    pub max_int_digits: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 256 << 20,
            max_depth: 200,
            max_nodes: 20_000_000,
            max_name_bytes: 1024,
            max_string_bytes: 64 << 10,
            max_int_digits: 4096,
        }
    }
}
