//! Renders diagnostics like a compiler: code and message, then `--> file:line:col`, the offending
//! line with a caret, and the function and node it is about.

use std::collections::BTreeMap;

use air_ir::{Diagnostic, Location};

use crate::input::Loaded;

/// Renders validator diagnostics against a loaded module's source. The validator lists at most
/// `air_ir::validate::MAX_DIAGNOSTICS` in full; the count of the rest is one line, `... and N
/// more errors`, and the summary counts them all.
pub fn render_all(diags: &[Diagnostic], l: &Loaded) -> String {
    let mut out = String::new();
    let mut total = 0usize;
    let positions: Vec<Option<(u32, u32)>> = diags.iter().map(|d| position(d, l)).collect();
    let lines = Lines::of(l.source.as_deref(), &positions);
    for (d, &pos) in diags.iter().zip(&positions) {
        if let Some(n) = d.omitted_count() {
            let s = if n == 1 { "" } else { "s" };
            out.push_str(&format!("... and {n} more error{s}\n\n"));
            total += n;
            continue;
        }
        total += 1;
        out.push_str(&render_one(d, &l.name, &lines, pos));
        out.push('\n');
    }
    out.push_str(&summary(total, &l.name));
    out
}

/// Renders reader diagnostics, whose locations are already `file:line:col`.
pub fn render_source_errors(diags: &[Diagnostic], name: &str, source: Option<&str>) -> String {
    let mut out = String::new();
    let positions: Vec<Option<(u32, u32)>> = diags
        .iter()
        .map(|d| match &d.loc {
            Some(Location::File { line, col, .. }) => Some((*line, *col)),
            _ => None,
        })
        .collect();
    let lines = Lines::of(source, &positions);
    for (d, &pos) in diags.iter().zip(&positions) {
        out.push_str(&render_one(d, name, &lines, pos));
        out.push('\n');
    }
    out.push_str(&summary(diags.len(), name));
    out
}

/// The source lines the diagnostics point at, found in one pass over the source (a pass per
/// diagnostic would be quadratic in a large module with many errors).
struct Lines<'s>(BTreeMap<u32, Option<&'s str>>);

impl<'s> Lines<'s> {
    fn of(source: Option<&'s str>, positions: &[Option<(u32, u32)>]) -> Lines<'s> {
        let mut wanted: BTreeMap<u32, Option<&str>> = positions
            .iter()
            .flatten()
            .map(|&(line, _)| (line, None))
            .collect();
        let last = wanted.keys().next_back().copied().unwrap_or(0);
        if let Some(source) = source {
            for (i, text) in source.lines().enumerate().take(last as usize) {
                if let Some(slot) = wanted.get_mut(&(i as u32 + 1)) {
                    *slot = Some(text);
                }
            }
        }
        Lines(wanted)
    }

    /// Line `line` (from 1) of the source, when it has one.
    fn get(&self, line: u32) -> Option<&'s str> {
        self.0.get(&line).copied().flatten()
    }
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

fn render_one(d: &Diagnostic, name: &str, lines: &Lines<'_>, pos: Option<(u32, u32)>) -> String {
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
            if let Some(text) = lines.get(line) {
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
