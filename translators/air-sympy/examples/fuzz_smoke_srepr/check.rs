//! The property of the srepr fuzz targets, shared by this smoke fuzzer and
//! `fuzz/fuzz_targets/read_srepr.rs` (which includes this file by path):
//! - a text that parses prints back to text that parses to the same print;
//! - a text that imports gives a module that validates (import never builds invalid AIR);
//! - a module that exports gives srepr that imports again, with the same signature, and exports
//!   again; one more round trip gives the same text.
//!
//! Panics are the caller's to catch.

use air_sympy::syntax;
use air_sympy::{Error, Limits, Options};

/// How far an input got.
#[derive(Default)]
pub struct Reached {
    /// The text parsed as srepr.
    pub parsed: bool,
    /// It imported as a module.
    pub imported: bool,
    /// The module exported, and the export imported back.
    pub exported: bool,
}

/// The fuzz property on one input; `Err` says what broke.
pub fn check(data: &[u8]) -> Result<Reached, String> {
    let mut reached = Reached::default();
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(reached);
    };
    let limits = Limits::default();
    if let Ok(tree) = syntax::parse(text, limits) {
        reached.parsed = true;
        let printed = syntax::print(&tree, tree.root);
        let again = syntax::parse(&printed, limits)
            .map_err(|e| format!("the printed tree does not parse: {e}\n{printed}"))?;
        if syntax::print(&again, again.root) != printed {
            return Err(format!(
                "print(parse(print(t))) differs from print(t)\n{printed}"
            ));
        }
    }
    let opts = Options::default();
    let module = match air_sympy::import(text, &opts) {
        Ok(m) => m,
        Err(Error::Air(d)) => return Err(format!("the import built invalid AIR: {d}")),
        Err(_) => return Ok(reached),
    };
    reached.imported = true;
    air_ir::validate::validate(&module)
        .map_err(|d| format!("the imported module does not validate: {d}"))?;
    let Ok(written) = air_sympy::export(&module, &opts) else {
        return Ok(reached);
    };
    reached.exported = true;
    // What we write, we read, with the same signature; writing it again may spell a sum
    // differently (an explicit Sum read as an einsum is written as an implicit one), but once
    // more changes nothing.
    let (back, again) = round_trip(&written)?;
    let signature = |m: &air_ir::Module| {
        let f = &m.functions[0];
        let params: Vec<String> = f.params.iter().map(|p| format!("{p:?}")).collect();
        let results: Vec<String> = f.results.iter().map(|r| format!("{r:?}")).collect();
        (params, results)
    };
    if signature(&back) != signature(&module) {
        return Err(format!(
            "the export imports with another signature: {:?} vs {:?}\n{written}",
            signature(&back),
            signature(&module)
        ));
    }
    let (_, third) = round_trip(&again)?;
    if third != again {
        return Err(format!(
            "export and import do not settle:\n{written}\n{again}\n{third}"
        ));
    }
    Ok(reached)
}

/// Imports srepr this crate wrote, and writes it again.
fn round_trip(written: &str) -> Result<(air_ir::Module, String), String> {
    let opts = Options::default();
    let back = air_sympy::import(written, &opts)
        .map_err(|e| format!("the export does not import: {e}\n{written}"))?;
    let again = air_sympy::export(&back, &opts)
        .map_err(|e| format!("the re-imported export does not export: {e}\n{written}"))?;
    Ok((back, again))
}
