//! The `air` binary on SymPy srepr: `check`, `print`, `convert` both ways, and `run` on every
//! shared example that has a `sympy.srepr.txt`, compared with its `expected.npz`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use air_interp::{check_close, read_npz, write_npz};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn air(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_air"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("air runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `shared/examples/`: beside the repository or above it; `AIR_SHARED_DIR` overrides.
fn examples() -> PathBuf {
    if let Some(dir) = std::env::var_os("AIR_SHARED_DIR") {
        return PathBuf::from(dir).join("examples");
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared/examples"))
        .find(|p| p.is_dir())
        .expect("shared/examples not found beside or above the repository; set AIR_SHARED_DIR")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("air-cli-sympy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `air run` on the example's srepr with the inputs meta.json binds to SymPy symbols, compared
/// with expected.npz within the example's tolerance.
fn run_example(case: &str) {
    let dir = examples().join(case);
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap();
    let srepr = std::fs::read_to_string(dir.join("sympy.srepr.txt")).unwrap();
    let arrays = read_npz(dir.join("inputs.npz")).unwrap();
    let mut inputs = vec![];
    for (array, symbol) in meta["sympy"]["inputs"].as_object().unwrap() {
        let symbol = symbol.as_str().unwrap();
        // A column the equation does not mention (t__cost) is no parameter of the function.
        if !srepr.contains(&format!("Symbol('{symbol}')")) {
            continue;
        }
        let (_, t) = arrays.iter().find(|(n, _)| n == array).unwrap();
        inputs.push((symbol.to_string(), t.clone()));
    }
    let (ins, outs) = (
        tmp(&format!("{case}.in.npz")),
        tmp(&format!("{case}.out.npz")),
    );
    write_npz(&ins, &inputs).unwrap();
    let model = dir.join("sympy.srepr.txt");
    let out = air(&["run", s(&model), "--inputs", s(&ins), "--outputs", s(&outs)]);
    assert!(out.status.success(), "{case}: {}", text(&out.stderr));
    let got = read_npz(&outs).unwrap();
    let want = read_npz(dir.join("expected.npz")).unwrap();
    let rtol = meta["tolerance"]["rtol"].as_f64().unwrap();
    let atol = meta["tolerance"]["atol"].as_f64().unwrap();
    assert_eq!(got.len(), want.len(), "{case}");
    for (name, w) in &want {
        let (_, g) = got.iter().find(|(n, _)| n == name).expect("output");
        check_close(g, w, rtol, atol).unwrap_or_else(|e| panic!("{case}: {name}: {e}"));
    }
}

#[test]
fn air_run_on_every_example_srepr_matches_expected() {
    for case in ["ew_fused", "matvec", "scan_iir", "table_revenue"] {
        run_example(case);
    }
}

#[test]
fn check_and_print_read_srepr() {
    let model = examples().join("matvec/sympy.srepr.txt");
    let out = air(&["check", s(&model)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("ok (1 function)\n"));
    let out = air(&["print", s(&model)]);
    let printed = text(&out.stdout);
    assert!(
        printed.contains("func @main(%A: f64[n, m], %v: f64[m]) -> (%y: f64[n])"),
        "{printed}"
    );
    assert!(printed.contains("einsum"), "{printed}");
}

#[test]
fn convert_air_to_srepr_and_back_computes_the_same() {
    let srepr = tmp("matvec.srepr");
    let out = air(&["convert", "docs/examples/matvec.air", s(&srepr)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&srepr).unwrap();
    assert!(
        written.starts_with("Equality(Indexed(IndexedBase(Symbol('y')"),
        "{written}"
    );
    let back = tmp("matvec.back.air");
    let out = air(&["convert", s(&srepr), s(&back)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let inputs = examples().join("matvec/inputs.npz");
    let (a, b) = (tmp("a.npz"), tmp("b.npz"));
    for (model, o) in [("docs/examples/matvec.air", &a), (s(&back), &b)] {
        let out = air(&["run", model, "--inputs", s(&inputs), "--outputs", s(o)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let (a, b) = (read_npz(&a).unwrap(), read_npz(&b).unwrap());
    check_close(&b[0].1, &a[0].1, 1e-12, 0.0).unwrap();
    // --to picks the translator by name, `-` writes to standard output.
    let ew = tmp("ew.air");
    std::fs::write(
        &ew,
        "air 1 opset 1\nfunc @f(%x: f64[n]) -> (%y: f64[n]) {\n  %y = exp (%x) : f64[n]\n  return %y\n}\n",
    )
    .unwrap();
    let out = air(&["convert", s(&ew), "-", "--to", "sympy"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("exp(Indexed(IndexedBase(Symbol('x')"));
}

#[test]
fn unsupported_heads_are_all_listed_with_positions() {
    let model = tmp("bad.srepr");
    std::fs::write(
        &model,
        "Equality(Symbol('y'),\n  Add(besselj(Integer(0), Symbol('x')), gamma(Symbol('x'))))",
    )
    .unwrap();
    let out = air(&["check", s(&model)]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("error[E0102]: unsupported head `besselj`"),
        "{err}"
    );
    assert!(
        err.contains("error[E0102]: unsupported head `gamma`"),
        "{err}"
    );
    assert!(err.contains("bad.srepr:2:7"), "{err}");
    assert!(err.contains("bad.srepr:2:41"), "{err}");
    assert!(err.contains("2 errors"), "{err}");
}

#[test]
fn converting_what_sympy_cannot_express_lists_every_construct() {
    let out = air(&[
        "convert",
        "docs/examples/table_revenue.air",
        s(&tmp("t.srepr")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for what in ["cast at %0", "filter at %2", "unused parameter at %t__id"] {
        assert!(err.contains(what), "{what}: {err}");
    }
    assert!(!tmp("t.srepr").exists());
}

#[test]
fn garbage_srepr_is_an_error_not_a_crash() {
    let model = tmp("garbage.srepr");
    let deep = format!("{}Symbol('x'){}", "exp(".repeat(5000), ")".repeat(5000));
    for bad in [
        "",
        "Add(",
        "\u{0}",
        &deep,
        "Equality(Symbol('y'), Integer(99999999999999999999999))",
    ] {
        std::fs::write(&model, bad).unwrap();
        let out = air(&["check", s(&model)]);
        assert_eq!(out.status.code(), Some(1), "{bad:.40}");
        assert!(
            text(&out.stderr).contains("error[E01"),
            "{}",
            text(&out.stderr)
        );
    }
}
