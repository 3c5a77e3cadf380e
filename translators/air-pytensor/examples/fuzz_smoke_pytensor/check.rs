//! The property of the PyTensor fuzz targets, shared by this smoke fuzzer and
//! `fuzz/fuzz_targets/read_pytensor.rs` (which includes this file by path):
//! - a document that imports gives a module that validates (import never builds invalid AIR:
//!   `Error::Air` is a translator bug);
//! - a module either exports, or the export lists the constructs PyTensor cannot express (a
//!   non-empty `Error::Export`, no other error);
//! - what exports imports again, validates, with the same signature (up to the names of its
//!   symbols: which of two unified dims names both depends on the order of the graph), and exports again; one more
//!   round trip gives the same text — except for modules with a `for` loop, which are known not
//!   to settle: `for` exports as a `Scan` with an explicit counter state and a computed step count,
//!   and that `Scan` imports as a `for` carrying the counter, so every round trip adds one counter
//!   and one step-count computation (counted in [`Reached::looped`]; the round trip itself must
//!   still import, validate and export).
//!
//! A dim equality between inputs that only a node the import folds away states (the shape of
//! `A @ x` without its value) stays in the signature: the export writes it as a `SpecifyShape`
//! of the later input (`export::specify_tied_dims`), which the import keeps even when no output
//! uses it (`import::dce::live_nodes`). (Found by this fuzzer's default seed once its mutator
//! changed; seeds 5, 7 and 9 of `-- 10000 <seed>` found it before.)
//!
//! Panics are the caller's to catch.

use std::collections::HashMap;

use air_ir::Dim;
use air_pytensor::{Error, Options};

/// How far an input got.
#[derive(Default)]
pub struct Reached {
    /// The document imported as a module.
    pub imported: bool,
    /// The module exported, and the export imported back.
    pub exported: bool,
    /// The module has a `for` loop, so it was not required to settle (see the module docs).
    pub looped: bool,
}

/// The fuzz property on one input; `Err` says what broke.
pub fn check(data: &[u8]) -> Result<Reached, String> {
    let mut reached = Reached::default();
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(reached);
    };
    let opts = Options::default();
    let module = match air_pytensor::import(text, &opts) {
        Ok(m) => m,
        Err(Error::Air(d)) => return Err(format!("the import built invalid AIR: {d}")),
        Err(_) => return Ok(reached),
    };
    reached.imported = true;
    air_ir::validate::validate(&module)
        .map_err(|d| format!("the imported module does not validate: {d}"))?;
    let written = match air_pytensor::export(&module, &opts) {
        Ok(w) => w,
        Err(Error::Export(constructs)) if !constructs.is_empty() => return Ok(reached),
        Err(e) => return Err(format!("the export fails without listing constructs: {e}")),
    };
    reached.exported = true;
    let (back, again) = round_trip(&written)?;
    let (before, after) = (signature(&module)?, signature(&back)?);
    if !refined_by(&before, &after) {
        return Err(format!(
            "the export imports with another signature: {after:?} vs {before:?}\n{written}"
        ));
    }
    let (_, third) = round_trip(&again)?;
    reached.looped = module.functions.iter().any(|f| has_for(&f.body));
    if third != again && !reached.looped {
        return Err(format!(
            "export and import do not settle:\n{written}\n{again}\n{third}"
        ));
    }
    Ok(reached)
}

/// Imports a document this crate wrote, checks it validates, and writes it again.
fn round_trip(written: &str) -> Result<(air_ir::Module, String), String> {
    let opts = Options::default();
    let back = air_pytensor::import(written, &opts)
        .map_err(|e| format!("the export does not import: {e}\n{written}"))?;
    air_ir::validate::validate(&back)
        .map_err(|d| format!("the re-imported export does not validate: {d}\n{written}"))?;
    let again = air_pytensor::export(&back, &opts)
        .map_err(|e| format!("the re-imported export does not export: {e}\n{written}"))?;
    Ok((back, again))
}

/// True when `r` (or a region nested in it) has a `for` or `while` loop (each imports back as a
/// loop of another shape, so the round trip does not settle).
fn has_for(r: &air_ir::Region) -> bool {
    r.nodes.iter().any(|n| {
        matches!(
            n.op,
            air_ir::op::Op::For { .. } | air_ir::op::Op::While { .. }
        ) || n.op.regions().into_iter().any(has_for)
    })
}

/// True when signature `after` is `before`, except that a result extent `before` leaves to the
/// run (a symbol no parameter has: a slice whose bound the first import did not know) may be
/// exact in `after` (op set 2 gives a slice with a constant bound its exact extent, and the
/// export writes a folded bound as a constant). Everything else must be identical.
fn refined_by(before: &[String], after: &[String]) -> bool {
    if before == after {
        return true;
    }
    let params = |sig: &[String]| -> Vec<String> {
        sig.iter()
            .filter(|e| !e.starts_with("result "))
            .cloned()
            .collect()
    };
    if before.len() != after.len() || params(before) != params(after) {
        return false;
    }
    let param_syms: Vec<&str> = before
        .iter()
        .filter(|e| !e.starts_with("result "))
        .flat_map(|e| symbols_of(e))
        .collect();
    before.iter().zip(after).all(|(b, a)| {
        if b == a {
            return true;
        }
        let (Some((bh, bd)), Some((ah, ad))) = (split_entry(b), split_entry(a)) else {
            return false;
        };
        bh == ah
            && bd.len() == ad.len()
            && bd
                .iter()
                .zip(&ad)
                .all(|(x, y)| x == y || (x.starts_with('#') && !param_syms.contains(&x.as_str())))
    })
}

/// `result y: f64[a, b]` as (`result y: f64`, [`a`, `b`]) (dims split at top-level commas).
fn split_entry(e: &str) -> Option<(String, Vec<String>)> {
    let Some(open) = e.find('[') else {
        return Some((e.to_string(), vec![]));
    };
    let inner = e[open + 1..].strip_suffix(']')?;
    let (mut dims, mut depth, mut cur) = (vec![], 0i32, String::new());
    for ch in inner.chars() {
        depth += i32::from(ch == '(') - i32::from(ch == ')');
        if ch == ',' && depth == 0 {
            dims.push(cur.trim().to_string());
            cur.clear();
        } else {
            cur.push(ch);
        }
    }
    if !cur.trim().is_empty() {
        dims.push(cur.trim().to_string());
    }
    Some((e[..open].to_string(), dims))
}

/// The `#k` symbols of a signature entry.
fn symbols_of(e: &str) -> Vec<&str> {
    e.match_indices('#')
        .map(|(i, _)| {
            let end = e[i + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(e.len(), |k| i + 1 + k);
            &e[i..end]
        })
        .collect()
}

/// A function's params and results as text (results prefixed `result `), each symbol renamed to
/// its order of first appearance.
fn signature(m: &air_ir::Module) -> Result<Vec<String>, String> {
    let f = &m.functions[0];
    let types = f.params.iter().map(|p| (p.name.as_str(), &p.ty));
    let results = f
        .results
        .iter()
        .map(|r| (r.name.as_deref().unwrap_or(""), &r.ty));
    let n_params = f.params.len();
    let all: Vec<(&str, &air_ir::TensorType)> = types.chain(results).collect();
    let mut names: Vec<&str> = vec![];
    for s in all
        .iter()
        .flat_map(|(_, t)| t.shape.iter().flat_map(|d| d.symbols()))
    {
        if !names.contains(&s) {
            names.push(s);
        }
    }
    let subst: HashMap<String, Dim> = names
        .iter()
        .enumerate()
        .map(|(k, s)| (s.to_string(), Dim::symbol(format!("#{k}"))))
        .collect();
    all.iter()
        .enumerate()
        .map(|(k, (name, t))| {
            let dims = t.shape.iter().map(|d| d.substitute(&subst));
            let dims = dims.collect::<Result<Vec<Dim>, _>>();
            let dims = dims.map_err(|e| format!("a signature dim overflows: {e}"))?;
            let kind = if k < n_params { "" } else { "result " };
            Ok(format!(
                "{kind}{name}: {}",
                air_ir::TensorType::new(t.dtype, dims)
            ))
        })
        .collect()
}
