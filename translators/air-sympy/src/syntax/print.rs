//! Writes a [`Tree`] as srepr text, exactly as SymPy's `srepr` spells it: `Head(arg, arg, key=value)`,
//! strings in single quotes with Python's escapes.

use std::fmt::Write;

use super::tree::{Atom, NodeId, Tree};

/// The srepr text of the subtree at `root`. The recursion follows the tree's depth, which the
/// callers bound (exports check it against [`super::Limits::max_depth`]).
pub fn print(tree: &Tree, root: NodeId) -> String {
    let mut out = String::new();
    write_node(tree, root, &mut out);
    out
}

fn write_node(tree: &Tree, id: NodeId, out: &mut String) {
    let n = tree.node(id);
    match &n.atom {
        Atom::Call(head) => {
            out.push_str(head);
            out.push('(');
            let mut first = true;
            for a in &n.args {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                write_node(tree, *a, out);
            }
            for (k, a) in &n.kwargs {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                out.push_str(k);
                out.push('=');
                write_node(tree, *a, out);
            }
            out.push(')');
        }
        Atom::Name(s) | Atom::Int(s) => out.push_str(s),
        Atom::Str(s) => quote(s, out),
        Atom::Neg => {
            out.push('-');
            if let Some(a) = n.args.first() {
                write_node(tree, *a, out);
            }
        }
    }
}

/// A Python string literal in single quotes, as `repr` writes it.
pub fn quote(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::super::{parse, Limits};
    use super::*;

    #[test]
    fn printing_a_parsed_srepr_gives_it_back() {
        for text in [
            "Equality(Symbol('s', real=True), Sum(Indexed(IndexedBase(Symbol('x'), Tuple(Symbol('n', integer=True, positive=True))), Symbol('k', integer=True)), Tuple(Symbol('k', integer=True), Integer(0), Add(Symbol('n', integer=True, positive=True), Integer(-1)))))",
            "Float('1.5', precision=53)",
            "Add(-oo, Integer(-2), Str('a\\'b\\\\c\\n'))",
            "Tuple()",
        ] {
            let t = parse(text, Limits::default()).unwrap();
            assert_eq!(print(&t, t.root), text);
        }
    }
}
