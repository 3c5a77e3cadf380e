//! The one grammar of names (spec §1.6), and the ways each output form writes a name.
//!
//! A **name** (of a function, parameter, declared result, node, region parameter, custom-op
//! attribute key, callee, decomposition or `@f` attribute value) is any non-empty UTF-8 string of
//! at most [`MAX_NAME_BYTES`] bytes without NUL; a node name may also be empty. Foreign producers
//! (PyTensor, SymPy, protobuf writers) name things freely, so nothing else is refused; instead
//! every printer escapes: the text form writes a name bare when it is an identifier and quoted
//! otherwise (`%"a b"`, `@"x\n"`), and the C header and exported symbols mangle names into C
//! identifiers ([`c_mangle`]). NUL is refused because C and LLVM take names as NUL-terminated
//! strings. A **dim symbol** has the narrower grammar of [`is_dim_symbol`] (it is written bare
//! inside dim expressions).
//!
//! Every reader (text, protobuf, JSON) and the validator check names with [`check_module`] and
//! report a bad one as `E0112`.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::diag::{Code, Diagnostic};
use crate::module::{Function, Module, Region};
use crate::op::{AttrValue, Op};
use crate::text::{is_ident, quote};
use crate::types::TensorType;

/// The longest name, in bytes.
pub const MAX_NAME_BYTES: usize = 1024;

/// Why `s` is not a valid name, or `None` when it is one.
pub fn name_problem(s: &str) -> Option<String> {
    if s.is_empty() {
        Some("it is empty".into())
    } else {
        node_name_problem(s)
    }
}

/// Why `s` is not a valid node name, or `None`. A node name may be empty: it is only a label, and
/// the protobuf form tells an empty name from none (they print as `%""` and `%<index>`).
pub fn node_name_problem(s: &str) -> Option<String> {
    if s.len() > MAX_NAME_BYTES {
        Some(format!(
            "it is {} bytes long (at most {MAX_NAME_BYTES})",
            s.len()
        ))
    } else {
        s.find('\0').map(|i| format!("it contains NUL at byte {i}"))
    }
}

/// True when `s` is a valid name.
pub fn is_valid_name(s: &str) -> bool {
    name_problem(s).is_none()
}

/// `Err(E0112)` when `s` is not a valid name; `what` says which name (`function`, `parameter`).
pub fn check_name(what: &str, s: &str) -> Result<(), Diagnostic> {
    bad_name(what, s, name_problem(s))
}

/// [`check_name`] for a node name, which may be empty.
pub fn check_node_name(s: &str) -> Result<(), Diagnostic> {
    bad_name("node", s, node_name_problem(s))
}

fn bad_name(what: &str, s: &str, problem: Option<String>) -> Result<(), Diagnostic> {
    match problem {
        None => Ok(()),
        Some(why) => Err(Diagnostic::new(
            Code::BadName,
            format!(
                "the {what} name {} is not a valid AIR name: {why}",
                shown(s)
            ),
        )),
    }
}

/// True when `s` is a dim symbol: `[A-Za-z_][A-Za-z0-9_]*`, at most [`MAX_NAME_BYTES`] bytes, and
/// neither `nan` nor `inf` (which read as floats in attribute lists).
pub fn is_dim_symbol(s: &str) -> bool {
    let mut chars = s.chars();
    s.len() <= MAX_NAME_BYTES
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "nan"
        && s != "inf"
}

/// A name as the text form writes it after `%` or `@`: bare when it is an identifier
/// (`[A-Za-z_][A-Za-z0-9_.]*`), else quoted with the string escapes (`"a b"`, `"7"`).
pub fn text_form(s: &str) -> Cow<'_, str> {
    if is_ident(s) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(quote(s))
    }
}

/// A name shown in a message: in backquotes when bare, quoted (escaped) otherwise, so a message
/// never carries a raw newline or control character from a name. Long names are cut.
pub fn shown(s: &str) -> String {
    const SHOWN: usize = 80;
    if s.len() <= SHOWN {
        return match text_form(s) {
            Cow::Borrowed(b) => format!("`{b}`"),
            Cow::Owned(q) => q,
        };
    }
    let mut end = SHOWN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", quote(&s[..end]))
}

/// A C identifier fragment for a name, one-to-one: a name made only of `[A-Za-z0-9_]` that does
/// not contain `_x` is kept; any other name has every character outside `[A-Za-z0-9]` (`_`
/// included) written `_x<hex code point>_` (`lin.alg` -> `lin_x2e_alg`, `f_x` -> `f_x5f_x`).
/// A kept name has no `_x` and a rewritten one always has, and the rewriting can be undone, so
/// two different names never give the same fragment.
pub fn c_mangle(s: &str) -> String {
    let plain = s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !s.contains("_x");
    if plain {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            let _ = write!(out, "_x{:x}_", u32::from(c));
        }
    }
    out
}

/// Checks every name of a module, and the dim symbols of its declared types (the readers refuse a
/// bad symbol earlier, as `E0111`, while parsing dims; a module built in memory gets `E0112`):
/// the first bad one as `E0112`, with the function it is in.
pub fn check_module(m: &Module) -> Result<(), Diagnostic> {
    for f in &m.functions {
        check_function(f).map_err(|d| Diagnostic {
            function: is_valid_name(&f.name).then(|| f.name.clone()),
            ..d
        })?;
    }
    Ok(())
}

/// Checks the names and dim symbols of one function, as [`check_module`] does.
fn check_function(f: &Function) -> Result<(), Diagnostic> {
    check_name("function", &f.name)?;
    for p in &f.params {
        check_name("parameter", &p.name)?;
        check_type(&p.ty)?;
        if let Some(s) = &p.size {
            check_type(&TensorType::new(
                p.ty.dtype,
                vec![crate::dim::Dim::symbol(s.clone())],
            ))?;
        }
    }
    for r in &f.results {
        if let Some(n) = &r.name {
            check_name("result", n)?;
        }
        check_type(&r.ty)?;
    }
    check_region(&f.body)
}

fn check_region(r: &Region) -> Result<(), Diagnostic> {
    for p in &r.params {
        check_name("region parameter", &p.name)?;
        check_type(&p.ty)?;
    }
    for node in &r.nodes {
        if let Some(n) = &node.name {
            check_node_name(n)?;
        }
        for t in &node.results {
            check_type(t)?;
        }
        check_op(&node.op)?;
        for inner in node.op.regions() {
            check_region(inner)?;
        }
    }
    Ok(())
}

/// The names an op carries: a callee, a custom op's domain, name, decomposition and attributes.
fn check_op(op: &Op) -> Result<(), Diagnostic> {
    if let Op::Call { callee } = op {
        check_name("callee", callee)?;
    }
    let Op::Custom(c) = op else {
        return Ok(());
    };
    // The domain and op name are strings in every form (always quoted), so they are free text.
    if let Some(d) = &c.decomposition {
        check_name("decomposition", d)?;
    }
    for (k, v) in &c.attrs {
        check_name("attribute", k)?;
        if let AttrValue::Func(f) = v {
            check_name("function reference", f)?;
        }
    }
    Ok(())
}

/// The dim symbols of a type.
fn check_type(t: &TensorType) -> Result<(), Diagnostic> {
    for d in &t.shape {
        for s in d.symbols() {
            if !is_dim_symbol(s) {
                return Err(Diagnostic::new(
                    Code::BadName,
                    format!(
                        "the dim symbol {} is not a valid AIR dim symbol \
                         ([A-Za-z_][A-Za-z0-9_]*, not `nan` or `inf`, at most {MAX_NAME_BYTES} bytes)",
                        shown(s)
                    ),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar_refuses_only_empty_long_and_nul() {
        for ok in ["x", "a b", "7", "x.T", "é", "\n", "*/", "%\"@{"] {
            assert!(is_valid_name(ok), "{ok:?}");
        }
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a\0b"));
        assert!(is_valid_name(&"x".repeat(MAX_NAME_BYTES)));
        assert!(!is_valid_name(&"x".repeat(MAX_NAME_BYTES + 1)));
        let e = check_name("function", "a\0").unwrap_err();
        assert_eq!(e.code, Code::BadName);
        assert!(e.message.contains("NUL"), "{}", e.message);
    }

    #[test]
    fn text_forms_quote_all_but_identifiers() {
        assert_eq!(text_form("x.T"), "x.T");
        assert_eq!(text_form("7"), "\"7\"");
        assert_eq!(text_form("a b\n"), "\"a b\\n\"");
        let long = shown(&"é".repeat(100));
        assert!(long.starts_with("\"é") && long.ends_with("\"..."), "{long}");
        assert!(long.len() < 100, "{long}");
        assert_eq!(shown("a\nb"), "\"a\\nb\"");
        assert_eq!(shown("x"), "`x`");
    }

    #[test]
    fn mangling_is_one_to_one_and_gives_c_identifier_fragments() {
        assert_eq!(c_mangle("matvec"), "matvec");
        assert_eq!(c_mangle("lin_alg"), "lin_alg");
        assert_eq!(c_mangle("lin.alg"), "lin_x2e_alg");
        assert_eq!(c_mangle("f_x"), "f_x5f_x");
        let names = [
            "a.b",
            "a_x2e_b",
            "a_b",
            "a__b",
            "_x",
            "x_",
            "f_x",
            "f_x5f_x",
            "é",
            "_xe9_",
            "a b",
            "a\u{2e}b",
            "); system(\"x\"); //",
            "int",
            "",
        ];
        let mut seen = std::collections::HashMap::new();
        for n in names {
            let m = c_mangle(n);
            assert!(
                m.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "{m}"
            );
            if let Some(prev) = seen.insert(m.clone(), n) {
                assert_eq!(prev, n, "{prev:?} and {n:?} both mangle to {m}");
            }
        }
    }

    #[test]
    fn dim_symbols_are_identifiers_without_dots_nor_float_words() {
        assert!(is_dim_symbol("n_1"));
        for bad in ["", "a.b", "1n", "nan", "inf", "a b"] {
            assert!(!is_dim_symbol(bad), "{bad}");
        }
    }
}
