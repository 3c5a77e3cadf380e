//! Every library-written example (`docs/examples/libraries/`) with a `pytensor.json` (written from a real PyTensor 3.0 graph) imports,
//! runs on the reference interpreter with the example's `inputs.npz` (bound by the input names
//! in `meta.json`), and matches `expected.npz` (PyTensor's own results) within the example's
//! tolerance; its export imports back to a function computing the same numbers.

use std::path::{Path, PathBuf};

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

/// The example's inputs, for the params the function takes.
fn inputs(case: &str, m: &air_ir::Module) -> Vec<(String, Tensor)> {
    let arrays = read_npz(examples().join(case).join("inputs.npz")).unwrap();
    arrays
        .into_iter()
        .filter(|(n, _)| m.functions[0].params.iter().any(|p| &p.name == n))
        .collect()
}

fn run_and_compare(case: &str, m: &air_ir::Module) {
    let meta = meta(case);
    let outputs = air_interp::run(m, "main", &inputs(case, m))
        .unwrap_or_else(|e| panic!("{case}: {e}\n{}", air_ir::text::print(m)));
    let expected = read_npz(examples().join(case).join("expected.npz")).unwrap();
    let rtol = meta["tolerance"]["rtol"].as_f64().unwrap();
    let atol = meta["tolerance"]["atol"].as_f64().unwrap();
    assert_eq!(outputs.len(), expected.len(), "{case}: outputs");
    for (name, want) in &expected {
        let (_, got) = outputs
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{case}: no output {name}"));
        check_close(got, want, rtol, atol)
            .unwrap_or_else(|e| panic!("{case}: {name}: {e}\n{}", air_ir::text::print(m)));
    }
}

fn import(case: &str) -> air_ir::Module {
    let text = std::fs::read_to_string(examples().join(case).join("pytensor.json")).unwrap();
    air_pytensor::import(&text, &Default::default()).unwrap_or_else(|e| panic!("{case}: {e}"))
}

fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("pytensor.json").exists())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_example_with_a_pytensor_json_is_checked() {
    let cases = cases();
    assert_eq!(
        cases,
        ["concat", "ew_fused", "matvec", "scan_iir", "table_revenue"]
    );
    for case in &cases {
        run_and_compare(case, &import(case));
    }
}

#[test]
fn every_example_exports_and_imports_back() {
    for case in &cases() {
        let m = import(case);
        let text = air_pytensor::export(&m, &Default::default())
            .unwrap_or_else(|e| panic!("{case}: {e}\n{}", air_ir::text::print(&m)));
        let back = air_pytensor::import(&text, &Default::default())
            .unwrap_or_else(|e| panic!("{case}: {e}\n{text}"));
        run_and_compare(case, &back);
    }
}

#[test]
fn matvec_is_a_matmul_with_unified_dims() {
    let text = air_ir::text::print(&import("matvec"));
    assert!(text.contains("matmul"), "{text}");
    assert!(text.contains("%A: f64[A_0, v_0], %v: f64[v_0]"), "{text}");
}

#[test]
fn scan_iir_is_a_for_loop_over_the_input_length() {
    let text = air_ir::text::print(&import("scan_iir"));
    assert!(text.contains("= for ("), "{text}");
    assert!(text.contains("shape = [x_0]"), "{text}");
}

#[test]
fn table_revenue_keeps_the_column_dtypes() {
    let m = import("table_revenue");
    let params: Vec<String> = m.functions[0]
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, p.ty))
        .collect();
    assert_eq!(
        params,
        [
            "t__price: f64[t__qty_0]",
            "t__qty: i32[t__qty_0]",
            "t__ok: bool[t__qty_0]"
        ]
    );
}

#[test]
fn a_wrong_result_is_caught() {
    // The comparison can fail: ew_fused with Exp replaced by Sin does not match.
    let case = "ew_fused";
    let text = std::fs::read_to_string(examples().join(case).join("pytensor.json")).unwrap();
    let text = text
        .replace("\"Exp\"", "\"Sin\"")
        .replace("\"exp\"", "\"sin\"");
    let m = air_pytensor::import(&text, &Default::default()).unwrap();
    let out = air_interp::run(&m, "main", &inputs(case, &m)).unwrap();
    let expected = read_npz(examples().join(case).join("expected.npz")).unwrap();
    assert!(check_close(&out[0].1, &expected[0].1, 1e-9, 1e-12).is_err());
}
