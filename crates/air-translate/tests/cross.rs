//! Conversions between PyTensor and SymPy through AIR, as `air convert` does them (the
//! translator registry): the library-written `matvec` example (`docs/examples/libraries/`) that
//! PyTensor wrote becomes srepr, the srepr SymPy wrote becomes a PyTensor graph, and both compute
//! the example's expected values. These tests live here, not in a translator, so that no
//! translator depends on the registry that depends on it.

use std::path::{Path, PathBuf};

use air_translate::{by_name, ImportOptions};
use air_value::{check_close, read_npz};

/// A file of a library-written example, committed in the repository: missing data fails the test.
fn example(case: &str, file: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/examples/libraries")
        .join(case)
        .join(file);
    assert!(path.is_file(), "missing example file {}", path.display());
    path
}

/// `air convert`: import with one translator, export with the other.
fn convert(text: &str, from: &str, to: &str) -> String {
    let m = (by_name(from).unwrap().import)(text, &ImportOptions::default())
        .unwrap_or_else(|d| panic!("{from} import: {d}"));
    (by_name(to).unwrap().export)(&m).unwrap_or_else(|d| panic!("{to} export: {d}"))
}

fn runs_like_the_example(case: &str, text: &str, translator: &str) {
    let m = (by_name(translator).unwrap().import)(text, &ImportOptions::default())
        .unwrap_or_else(|d| panic!("{d}"));
    let inputs = read_npz(example(case, "inputs.npz")).unwrap();
    let out = air_interp::run(&m, "main", &inputs).unwrap_or_else(|e| panic!("{e}"));
    for (name, want) in read_npz(example(case, "expected.npz")).unwrap() {
        let (_, got) = out.iter().find(|(n, _)| *n == name).unwrap();
        check_close(got, &want, 1e-9, 1e-12).unwrap();
    }
}

#[test]
fn pytensor_matvec_becomes_srepr_and_back() {
    let json = std::fs::read_to_string(example("matvec", "pytensor.json")).unwrap();
    let srepr = convert(&json, "pytensor", "sympy");
    assert!(
        srepr.starts_with("Equality(Indexed(IndexedBase(Symbol('y')"),
        "{srepr}"
    );
    runs_like_the_example("matvec", &srepr, "sympy");
    let back = convert(&srepr, "sympy", "pytensor");
    runs_like_the_example("matvec", &back, "pytensor");
}

#[test]
fn sympy_examples_become_pytensor_graphs() {
    for case in ["matvec", "ew_fused"] {
        let srepr = std::fs::read_to_string(example(case, "sympy.srepr.txt")).unwrap();
        let json = convert(&srepr, "sympy", "pytensor");
        assert!(
            json.starts_with(r#"{"format":"pytensor-fgraph-json/1""#),
            "{json}"
        );
        runs_like_the_example(case, &json, "pytensor");
    }
}
