//! Issue 12 items 8 and 9 through the `air` command, on every backend built: a run-time dim that
//! overflows i64 is a coded error (never a wrapped extent), and `--max-memory` refuses a run whose
//! tensors need more bytes than it allows, before allocating them.

mod common;

use common::{air, fails_with, scratch};

use air_interp::Tensor;

fn backends() -> Vec<&'static str> {
    let mut b = vec!["interp"];
    if cfg!(feature = "llvm") {
        b.push("llvm");
    }
    b
}

/// `s*s*...*s` (`k` factors).
fn power(s: &str, k: usize) -> String {
    vec![s; k].join("*")
}

/// A module whose result is a `full` of shape `[dim]`, with params `%x: f64[n]`, `%z: f64[m]`.
fn full_of(dim: &str) -> String {
    format!(
        "air 1 opset 1\nfunc @main(%x: f64[n], %z: f64[m]) -> (%y: f64[{dim}]) {{\n  \
         %y = full {{value = f64 1.0, shape = [{dim}]}} () : f64[{dim}]\n  return %y\n}}\n"
    )
}

/// Writes the model and inputs `x`, `z` of 4 elements each (n = m = 4); returns their paths.
fn setup(dir: &std::path::Path, model: &str) -> (String, String) {
    let m = dir.join("m.air");
    std::fs::write(&m, model).expect("model");
    let i = dir.join("in.npz");
    let four = || Tensor::from_vec(&[4], vec![0.0f64; 4]).expect("tensor");
    air_interp::npz::write_npz(&i, &[("x".to_string(), four()), ("z".to_string(), four())])
        .expect("inputs");
    (
        m.to_string_lossy().into_owned(),
        i.to_string_lossy().into_owned(),
    )
}

#[test]
fn a_dim_that_overflows_i64_is_e0506_naming_the_dim_and_values() {
    let dir = scratch("memory", "overflow");
    // n^32 + 5 with n = 4: 2^64 + 5, which wrapping arithmetic makes 5.
    let (m, i) = setup(&dir, &full_of(&format!("{}+5", power("n", 32))));
    for backend in backends() {
        let out = air(&["run", &m, "--inputs", &i, "--backend", backend]);
        let stderr = fails_with(&out, "E0506");
        assert!(
            stderr.contains("overflows i64 with n = 4"),
            "{backend}: {stderr}"
        );
        assert!(stderr.contains(&power("n", 32)), "{backend}: {stderr}");
        assert!(out.stdout.is_empty(), "{backend}: no result is printed");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_dim_whose_terms_just_fit_runs_and_a_negative_one_is_e0506() {
    let dir = scratch("memory", "fits");
    // n^31 - m^31 + 5 with n = m = 4: each term (2^62) fits, the value is 5.
    let dim = format!("{}-{}+5", power("n", 31), power("m", 31));
    let (m, i) = setup(&dir, &full_of(&dim));
    for backend in backends() {
        let out = air(&["run", &m, "--inputs", &i, "--backend", backend]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{backend}: {stderr}");
        assert!(stdout.contains("y: f64[5]"), "{backend}: {stdout}");
    }
    let (m, i) = setup(&dir, &full_of("n-9"));
    for backend in backends() {
        let out = air(&["run", &m, "--inputs", &i, "--backend", backend]);
        let stderr = fails_with(&out, "E0506");
        assert!(stderr.contains("negative"), "{backend}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// 2^20 f64 (8 MiB) sorted, then summed: the sort's result is a temporary both backends
/// allocate (the interpreter a node result, the LLVM backend a runtime op's buffer).
const EIGHT_MB: &str = "air 1 opset 1\nfunc @main(%x: f64[n], %z: f64[m]) -> (%s: f64) {\n  \
     %y = full {value = f64 1.0, shape = [1048576]} () : f64[1048576]\n  \
     %t = sort {axis = 0, descending = false} (%y) : f64[1048576]\n  \
     %s = reduce_sum {axes = [0], keepdims = false} (%t) : f64\n  return %s\n}\n";

#[test]
fn max_memory_refuses_a_run_over_it_and_allows_one_within() {
    let dir = scratch("memory", "budget");
    let (m, i) = setup(&dir, EIGHT_MB);
    for backend in backends() {
        let out = air(&[
            "run",
            &m,
            "--inputs",
            &i,
            "--backend",
            backend,
            "--max-memory",
            "1M",
        ]);
        let stderr = fails_with(&out, "E0508");
        assert!(stderr.contains("8388608 bytes"), "{backend}: {stderr}");
        assert!(stderr.contains("budget"), "{backend}: {stderr}");
        let out = air(&[
            "run",
            &m,
            "--inputs",
            &i,
            "--backend",
            backend,
            "--max-memory",
            "100M",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{backend}: {stderr}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("1048576"),
            "{backend}"
        );
    }
    let out = air(&["run", &m, "--inputs", &i, "--max-memory", "12X"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--max-memory"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_result_over_the_budget_is_e0508_on_every_backend() {
    // The 8 MiB tensor is the function's result: allocated before the call (llvm) or by the
    // node (interp), refused either way.
    let dir = scratch("memory", "result");
    let model = "air 1 opset 1\nfunc @main(%x: f64[n], %z: f64[m]) -> (%y: f64[1048576]) {\n  \
         %y = full {value = f64 1.0, shape = [1048576]} () : f64[1048576]\n  return %y\n}\n";
    let (m, i) = setup(&dir, model);
    for backend in backends() {
        let out = air(&[
            "run",
            &m,
            "--inputs",
            &i,
            "--backend",
            backend,
            "--max-memory",
            "4M",
        ]);
        fails_with(&out, "E0508");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
