//! Renders diagnostics like a compiler: code and message, then `--> file:line:col`, the offending
//! line with a caret, and the function and node it is about.

use air_ir::{Diagnostic, Location};

use crate::input::Loaded;

/// Renders validator diagnostics against a loaded module's source.
pub fn render_all(diags: &[Diagnostic], l: &Loaded) -> String {
    let mut out = String::new();
    for d in diags {
        let pos = position(d, l);
        out.push_str(&render_one(d, &l.name, l.source.as_deref(), pos));
        out.push('\n');
    }
    out.push_str(&summary(diags.len(), &l.name));
    out
}

/// Renders reader diagnostics, whose locations are already `file:line:col`.
pub fn render_source_errors(diags: &[Diagnostic], name: &str, source: Option<&str>) -> String {
    let mut out = String::new();
    for d in diags {
        let pos = match &d.loc {
            Some(Location::File { line, col, .. }) => Some((*line, *col)),
            _ => None,
        };
        out.push_str(&render_one(d, name, source, pos));
        out.push('\n');
    }
    out.push_str(&summary(diags.len(), name));
    out
}

fn summary(n: usize, name: &str) -> String {
    format!("{name}: {n} error{}", if n == 1 { "" } else { "s" })
}

/// The position of a diagnostic in the text source: the node's own `loc` if it is in this file,
/// else the parser's source map.
fn position(d: &Diagnostic, l: &Loaded) -> Option<(u32, u32)> {
    if let Some(Location::File { file, line, col }) = &d.loc {
        if *file == l.name {
            return Some((*line, *col));
        }
    }
    let map = l.source_map.as_ref()?;
    let func = d.function.as_ref()?;
    if d.node_path.is_empty() {
        return map.functions.get(func).copied();
    }
    let exact = (func.clone(), d.node_path.clone(), d.region_path.clone());
    map.exact
        .get(&exact)
        .or_else(|| map.nodes.get(&(func.clone(), d.node_path.clone())))
        .copied()
}

fn render_one(d: &Diagnostic, name: &str, source: Option<&str>, pos: Option<(u32, u32)>) -> String {
    let mut out = format!("error[{}]: ", d.code);
    if let Some(op) = &d.op {
        out.push_str(op);
        out.push_str(": ");
    }
    out.push_str(&d.message);
    out.push('\n');
    match (pos, &d.loc) {
        (Some((line, col)), _) => {
            out.push_str(&format!("  --> {name}:{line}:{col}\n"));
            if let Some(text) = source.and_then(|s| s.lines().nth(line.saturating_sub(1) as usize))
            {
                let gutter = line.to_string();
                let pad = " ".repeat(gutter.len());
                out.push_str(&format!("{pad} |\n{gutter} | {text}\n"));
                let caret_pad = " ".repeat(col.saturating_sub(1) as usize);
                out.push_str(&format!("{pad} | {caret_pad}^\n"));
            }
        }
        (None, Some(loc)) => out.push_str(&format!("  --> {loc}\n")),
        (None, None) => out.push_str(&format!("  --> {name}\n")),
    }
    let mut notes = vec![];
    if let Some(f) = &d.function {
        notes.push(format!("in @{f}"));
    }
    if let Some(t) = &d.node_text {
        notes.push(format!("at {t}"));
    }
    if !notes.is_empty() {
        out.push_str(&format!("  = {}\n", notes.join(", ")));
    }
    out
}
