//! Op set 2 `scatter` and `gather` through `air run` on both backends: the PyTensor group-by
//! fixture (`inc_subtensor(zeros[key], val)` with duplicate keys, `set_subtensor`, two index
//! arrays, written and computed by real PyTensor: `translators/air-pytensor/tests/data`) gives
//! PyTensor's numbers, and an index out of range fails with E0503 instead of writing or reading
//! outside the buffer.
#![cfg(feature = "llvm")]

mod common;

use common::{air, fails_with, root, scratch};

use air_interp::{check_close, read_npz};

const BACKENDS: [&str; 2] = ["interp", "llvm"];

#[test]
fn pytensor_groupby_runs_on_both_backends() {
    let data = root().join("translators/air-pytensor/tests/data");
    let model = data.join("groupby_inc_subtensor.pytensor.json");
    let inputs = data.join("groupby_inc_subtensor.inputs.npz");
    let expected = read_npz(data.join("groupby_inc_subtensor.expected.npz")).expect("expected");
    let dir = scratch("scatter", "groupby");
    for backend in BACKENDS {
        let outputs = dir.join(format!("{backend}.npz"));
        let out = air(&[
            "run".as_ref(),
            model.as_os_str(),
            "--inputs".as_ref(),
            inputs.as_os_str(),
            "--outputs".as_ref(),
            outputs.as_os_str(),
            "--backend".as_ref(),
            backend.as_ref(),
        ]);
        assert!(
            out.status.success(),
            "{backend}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = read_npz(&outputs).expect("outputs");
        assert_eq!(got.len(), expected.len(), "{backend}");
        for (name, want) in &expected {
            let (_, g) = got
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{backend}: no {name}"));
            check_close(g, want, 1e-12, 1e-12).unwrap_or_else(|e| panic!("{backend}: {name}: {e}"));
        }
    }
}

const OUT_OF_RANGE: &str = r#"air 1 opset 2

func @main(%x: f64[n], %i: i64[m, 1], %u: f64[m]) -> (%y: f64[n], %g: f64[m]) {
  %y = scatter {mode = "add"} (%x, %i, %u) : f64[n]
  %g = gather (%x, %i) : f64[m]
  return %y, %g
}
"#;

#[test]
fn an_index_out_of_range_is_e0503_on_both_backends() {
    let dir = scratch("scatter", "range");
    let model = dir.join("m.air");
    std::fs::write(&model, OUT_OF_RANGE).expect("write");
    let x = air_interp::Tensor::from_vec(&[3], vec![1.0f64, 2.0, 3.0]).expect("x");
    let u = air_interp::Tensor::from_vec(&[2], vec![1.0f64, 1.0]).expect("u");
    for bad in [3i64, -4] {
        let i = air_interp::Tensor::from_vec(&[2, 1], vec![0i64, bad]).expect("i");
        let inputs = dir.join(format!("in{bad}.npz"));
        let arrays = [("x", &x), ("i", &i), ("u", &u)].map(|(n, t)| (n.to_string(), t.clone()));
        air_interp::write_npz(&inputs, &arrays).expect("npz");
        for backend in BACKENDS {
            let out = air(&[
                "run".as_ref(),
                model.as_os_str(),
                "--inputs".as_ref(),
                inputs.as_os_str(),
                "--backend".as_ref(),
                backend.as_ref(),
            ]);
            let stderr = fails_with(&out, "E0503");
            assert!(stderr.contains("out of range"), "{backend}: {stderr}");
        }
    }
}
