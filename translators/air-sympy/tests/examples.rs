//! Every library-written example (`docs/examples/libraries/`) with a `sympy.srepr.txt` (written by SymPy 1.14 itself) imports, runs on
//! the reference interpreter with the example's `inputs.npz` (bound by the names in
//! `meta.json`), and matches `expected.npz` within the example's tolerance.

use std::path::{Path, PathBuf};

use air_ir::DType;
use air_value::{check_close, read_npz, Tensor};

/// `docs/examples/libraries/`: the computations the real libraries wrote, committed in the
/// repository. Missing data fails the test; it never skips it.
fn examples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/libraries");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    dir
}

fn meta(case: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(examples().join(case).join("meta.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Options from `meta.json`: the dtype of each SymPy input, from the array it binds.
fn options(meta: &serde_json::Value) -> air_sympy::Options {
    let mut opts = air_sympy::Options::default();
    let inputs = meta["sympy"]["inputs"].as_object().expect("sympy.inputs");
    for (array, symbol) in inputs {
        let dtype = meta["inputs"][array]["dtype"].as_str().expect("dtype");
        let dtype = DType::from_name(dtype).unwrap_or_else(|| panic!("dtype {dtype}"));
        opts.dtypes
            .insert(symbol.as_str().unwrap().to_string(), dtype);
    }
    opts
}

/// The example's inputs named by SymPy symbol, for the symbols the function takes.
fn inputs(case: &str, meta: &serde_json::Value, m: &air_ir::Module) -> Vec<(String, Tensor)> {
    let arrays = read_npz(examples().join(case).join("inputs.npz")).unwrap();
    let f = &m.functions[0];
    let mut out = vec![];
    for (array, symbol) in meta["sympy"]["inputs"].as_object().unwrap() {
        let symbol = symbol.as_str().unwrap();
        if !f.params.iter().any(|p| p.name == symbol) {
            continue;
        }
        let (_, t) = arrays
            .iter()
            .find(|(n, _)| n == array)
            .expect("input array");
        out.push((symbol.to_string(), t.clone()));
    }
    out
}

fn check(case: &str) -> air_ir::Module {
    let meta = meta(case);
    let text = std::fs::read_to_string(examples().join(case).join("sympy.srepr.txt")).unwrap();
    let m = air_sympy::import(&text, &options(&meta)).unwrap_or_else(|e| panic!("{case}: {e}"));
    let outputs = air_interp::run(&m, "main", &inputs(case, &meta, &m))
        .unwrap_or_else(|e| panic!("{case}: {e}\n{}", air_ir::text::print(&m)));
    let expected = read_npz(examples().join(case).join("expected.npz")).unwrap();
    let rtol = meta["tolerance"]["rtol"].as_f64().unwrap();
    let atol = meta["tolerance"]["atol"].as_f64().unwrap();
    assert_eq!(outputs.len(), expected.len(), "{case}: outputs");
    for (name, want) in &expected {
        let sym = meta["sympy"]["outputs"][name].as_str().unwrap_or(name);
        let (_, got) = outputs
            .iter()
            .find(|(n, _)| n == sym)
            .unwrap_or_else(|| panic!("{case}: no output {sym}"));
        check_close(got, want, rtol, atol).unwrap_or_else(|e| panic!("{case}: {name}: {e}"));
    }
    m
}

#[test]
fn every_example_with_an_srepr_is_checked() {
    let mut cases: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("sympy.srepr.txt").exists())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert_eq!(cases, ["ew_fused", "matvec", "scan_iir", "table_revenue"]);
    for case in &cases {
        check(case);
    }
}

#[test]
fn matvec_is_an_einsum_with_symbolic_dims() {
    let m = check("matvec");
    let text = air_ir::text::print(&m);
    assert!(text.contains("einsum {spec = \"ab,b->a\"}"), "{text}");
    assert!(text.contains("%A: f64[n, m], %v: f64[m]"), "{text}");
}

#[test]
fn scan_iir_reads_the_dim_as_a_scalar() {
    let text = air_ir::text::print(&check("scan_iir"));
    assert!(text.contains("full {value = i64 1, shape = [n]}"), "{text}");
    assert!(text.contains("iota"), "{text}");
}

#[test]
fn table_revenue_keeps_the_column_dtypes() {
    let m = check("table_revenue");
    let params: Vec<String> = m.functions[0]
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, p.ty))
        .collect();
    assert_eq!(
        params,
        ["t__ok: bool[n]", "t__price: f64[n]", "t__qty: i32[n]"]
    );
}

#[test]
fn a_wrong_result_is_caught() {
    // The comparison can fail: ew_fused's srepr with exp replaced by sin does not match.
    let case = "ew_fused";
    let meta = meta(case);
    let text = std::fs::read_to_string(examples().join(case).join("sympy.srepr.txt")).unwrap();
    let text = text.replace("exp(", "sin(");
    let m = air_sympy::import(&text, &options(&meta)).unwrap();
    let out = air_interp::run(&m, "main", &inputs(case, &meta, &m)).unwrap();
    let expected = read_npz(examples().join(case).join("expected.npz")).unwrap();
    assert!(check_close(&out[0].1, &expected[0].1, 1e-9, 1e-12).is_err());
}
