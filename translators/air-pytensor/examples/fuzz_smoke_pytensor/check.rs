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
    if before != after {
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

/// A function's params and results as text, each symbol renamed to its order of first
/// appearance.
fn signature(m: &air_ir::Module) -> Result<Vec<String>, String> {
    let f = &m.functions[0];
    let types = f.params.iter().map(|p| (p.name.as_str(), &p.ty));
    let results = f
        .results
        .iter()
        .map(|r| (r.name.as_deref().unwrap_or(""), &r.ty));
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
        .map(|(name, t)| {
            let dims = t.shape.iter().map(|d| d.substitute(&subst));
            let dims = dims.collect::<Result<Vec<Dim>, _>>();
            let dims = dims.map_err(|e| format!("a signature dim overflows: {e}"))?;
            Ok(format!(
                "{name}: {}",
                air_ir::TensorType::new(t.dtype, dims)
            ))
        })
        .collect()
}
