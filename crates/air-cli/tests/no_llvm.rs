//! Without the `llvm` feature: `air compile` and `air run --backend llvm` say the backend is not
//! in this build, and `air run` runs on the interpreter by default.
#![cfg(not(feature = "llvm"))]

use std::process::Command;

fn air(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_air"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("air runs")
}

#[test]
fn compile_and_the_llvm_backend_need_the_feature() {
    let out = air(&["compile", "docs/examples/matvec.air", "-o", "m.so"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: this air was built without the LLVM backend (build with --features llvm)\n"
    );
    let out = air(&[
        "run",
        "docs/examples/matvec.air",
        "--inputs",
        "in.npz",
        "--outputs",
        "out.npz",
        "--backend",
        "llvm",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("backend `llvm` is not available")
            && err.contains("built without the LLVM backend (build with --features llvm)"),
        "{err}"
    );
}

#[test]
fn run_defaults_to_the_interpreter() {
    let dir = std::env::temp_dir().join(format!("air-cli-nollvm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let inputs = dir.join("in.npz");
    let a = air_interp::Tensor::from_vec(&[2, 2], vec![1.0f64, 2.0, 3.0, 4.0]).expect("A");
    let v = air_interp::Tensor::from_vec(&[2], vec![1.0f64, -1.0]).expect("v");
    air_interp::npz::write_npz(&inputs, &[("A".into(), a), ("v".into(), v)]).expect("inputs");
    let outputs = dir.join("out.npz");
    let (i, o) = (inputs.to_string_lossy(), outputs.to_string_lossy());
    let out = air(&[
        "run",
        "docs/examples/matvec.air",
        "--inputs",
        &i,
        "--outputs",
        &o,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = air_interp::npz::read_npz(&outputs).expect("outputs");
    let want = air_interp::Tensor::from_vec(&[2], vec![-1.0f64, -1.0]).expect("y");
    assert_eq!(got[0].0, "y");
    assert!(got[0].1.bits_eq(&want), "{:?}", got[0].1);
    let out = air(&[
        "run",
        "docs/examples/matvec.air",
        "--inputs",
        &i,
        "--outputs",
        &o,
        "--threads",
        "4",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("the interpreter runs on one thread"));
    let _ = std::fs::remove_dir_all(&dir);
}
