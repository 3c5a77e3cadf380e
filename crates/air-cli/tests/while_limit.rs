//! `air run --max-iterations N`: a `while` (op set 2) that would run past N iterations is E0510
//! naming the node on the interpreter; within N it runs; the llvm backend refuses the option.

mod common;

use common::{air, fails_with, scratch};

use air_interp::Tensor;

/// Counts `k` up to `lim`: `lim - k` iterations.
const COUNT: &str = "air 1 opset 2
func @main(%k: i64, %lim: i64) -> (%y: i64) {
  %y = while (%k, %lim) : i64 {
    (%k0: i64, %l0: i64):
    %go = lt (%k0, %l0) : bool
    yield %go
  } {
    (%k1: i64, %l1: i64):
    %one = constant {value = i64 1} () : i64
    %k2 = add (%k1, %one) : i64
    yield %k2
  }
  return %y
}
";

fn setup(dir: &std::path::Path) -> (String, String) {
    let m = dir.join("m.air");
    std::fs::write(&m, COUNT).expect("model");
    let i = dir.join("in.npz");
    air_interp::npz::write_npz(
        &i,
        &[
            ("k".to_string(), Tensor::scalar(0i64)),
            ("lim".to_string(), Tensor::scalar(50i64)),
        ],
    )
    .expect("inputs");
    (
        m.to_string_lossy().into_owned(),
        i.to_string_lossy().into_owned(),
    )
}

#[test]
fn max_iterations_stops_a_while_past_it_on_the_interpreter() {
    let dir = scratch("while_limit", "interp");
    let (m, i) = setup(&dir);
    let run = |n: &str| {
        air(&[
            "run",
            &m,
            "--inputs",
            &i,
            "--backend",
            "interp",
            "--max-iterations",
            n,
        ])
    };
    let out = run("49");
    let stderr = fails_with(&out, "E0510");
    assert!(stderr.contains("after 49 iterations"), "{stderr}");
    assert!(stderr.contains("%y"), "the node is named: {stderr}");
    let out = run("50");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("50"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "llvm")]
#[test]
fn the_llvm_backend_refuses_max_iterations() {
    let dir = scratch("while_limit", "llvm");
    let (m, i) = setup(&dir);
    let out = air(&[
        "run",
        &m,
        "--inputs",
        &i,
        "--backend",
        "llvm",
        "--max-iterations",
        "10",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--max-iterations"), "{stderr}");
    // Without the option the compiled loop runs to its end.
    let out = air(&["run", &m, "--inputs", &i, "--backend", "llvm"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("50"));
    let _ = std::fs::remove_dir_all(&dir);
}
