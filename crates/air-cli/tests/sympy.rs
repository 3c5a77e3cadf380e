//! The `air` binary on SymPy srepr: `check`, `print`, `convert` both ways, and `run` on every
//! library-written example (`docs/examples/libraries/`) that has a `sympy.srepr.txt`, compared with its `expected.npz`.

mod common;

use common::air;

use std::path::{Path, PathBuf};

use air_interp::{check_close, read_npz, write_npz};

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `docs/examples/libraries/`: the computations the real libraries wrote, committed in the
/// repository. Missing data fails the test; it never skips it.
fn examples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/libraries");
    assert!(dir.is_dir(), "{} is missing", dir.display());
    dir
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

fn f64s(shape: &[usize], v: Vec<f64>) -> air_interp::Tensor {
    air_interp::Tensor::from_vec(shape, v).unwrap()
}

/// `y[i] = A[i, j]*x[j]` with `A = [[1, 2, 3], [4, 5, 6]]` and `x = [1, 1, 2]`: `y = [9, 21]`.
fn matvec_case(tag: &str) -> (PathBuf, PathBuf) {
    let model = tmp(&format!("{tag}.srepr"));
    let ext = |s: &str| format!("Tuple(Integer(0), Add(Symbol('{s}', integer=True), Integer(-1)))");
    let idx = |i: &str, s: &str| format!("Idx(Symbol('{i}', integer=True), {})", ext(s));
    let base = |name: &str, dims: &str| format!("IndexedBase(Symbol('{name}'), Tuple({dims}))");
    let (n, m) = (
        "Symbol('n', integer=True)".to_string(),
        "Symbol('m', integer=True)".to_string(),
    );
    let text = format!(
        "Equality(Indexed({}, {}), Mul(Indexed({}, {}, {}), Indexed({}, {})))",
        base("y", &n),
        idx("i", "n"),
        base("A", &format!("{n}, {m}")),
        idx("i", "n"),
        idx("j", "m"),
        base("x", &m),
        idx("j", "m"),
    );
    std::fs::write(&model, text).unwrap();
    let ins = tmp(&format!("{tag}.in.npz"));
    let a = f64s(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let x = f64s(&[3], vec![1.0, 1.0, 2.0]);
    write_npz(&ins, &[("A".into(), a), ("x".into(), x)]).unwrap();
    (model, ins)
}

#[test]
fn run_takes_dtypes_for_srepr_from_options_over_the_arrays() {
    let (model, ins) = matvec_case("dtypes");
    let outs = tmp("dtypes.out.npz");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            s(&model),
            "--inputs",
            s(&ins),
            "--outputs",
            s(&outs),
            "--backend",
            "interp",
        ];
        args.extend_from_slice(extra);
        air(&args)
    };
    // The arrays' dtypes: f64 in, f64 out.
    let out = run(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = read_npz(&outs).unwrap();
    assert_eq!(got[0].1.dtype(), air_ir::DType::F64);
    // --dtype types the result: the f64 sum of products, stored as f32 (9 and 21 are exact).
    let out = run(&["--dtype", "y=float32"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let got = read_npz(&outs).unwrap();
    assert_eq!(got[0].1.dtype(), air_ir::DType::F32);
    let want = air_interp::Tensor::from_vec(&[2], vec![9.0f32, 21.0]).unwrap();
    check_close(&got[0].1, &want, 0.0, 0.0).unwrap();
    // --dtype wins over the array passed, which then does not fit the parameter.
    let out = run(&["--dtype", "x=f32"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("%x: expected f32[m], got f64[3]"),
        "{}",
        text(&out.stderr)
    );
    // A name the function does not have is warned about, not ignored in silence.
    let out = run(&["--dtype", "q=f32"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("warning: --dtype q: no parameter or result"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_dtype_options_are_errors() {
    let (model, ins) = matvec_case("bad-dtypes");
    let outs = tmp("bad-dtypes.out.npz");
    for (opt, want) in [
        ("A", "--dtype `A` is not NAME=DTYPE"),
        ("=f32", "--dtype `=f32` names no symbol"),
        ("A=f7", "--dtype A: unknown dtype `f7`; known: bool, i8"),
    ] {
        let out = air(&[
            "run",
            s(&model),
            "--inputs",
            s(&ins),
            "--outputs",
            s(&outs),
            "--dtype",
            opt,
        ]);
        assert_eq!(out.status.code(), Some(1), "{opt}");
        assert!(text(&out.stderr).contains(want), "{}", text(&out.stderr));
    }
    let out = air(&[
        "run",
        "docs/examples/matvec.air",
        "--inputs",
        s(&ins),
        "--outputs",
        s(&outs),
        "--dtype",
        "A=f32",
        "--dtype",
        "A=f64",
    ]);
    assert!(
        text(&out.stderr).contains("--dtype A is given twice: f32 and f64"),
        "{}",
        text(&out.stderr)
    );
    let out = air(&[
        "run",
        "docs/examples/matvec.air",
        "--inputs",
        s(&ins),
        "--outputs",
        s(&outs),
        "--dtype",
        "A=f32",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is in the text form, which carries its own dtypes"),
        "{}",
        text(&out.stderr)
    );
}
