//! What the `air` commands write to standard output: nothing panics when the reader has gone
//! (`air info | head -1`), and `air run` without `--outputs` prints the results (name, dtype,
//! shape and values) instead of requiring a file.

mod common;

use common::scratch;

use std::path::PathBuf;
use std::process::Command;

use air_interp::Tensor;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `air args` with its stdout a pipe whose reader has already exited (`true`, reading
/// nothing, ends at once; `air` starts half a second later, so its first write meets a broken
/// pipe). Returns air's exit status and its stderr.
fn air_into_a_closed_pipe(args: &[&str]) -> (i32, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"{ sleep 0.5; "$0" "$@"; echo "air-exit $?" >&2; } | true"#)
        .arg(env!("CARGO_BIN_EXE_air"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let status = stderr
        .lines()
        .find_map(|l| l.strip_prefix("air-exit "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no exit status: {stderr}"));
    (status, stderr)
}

#[test]
fn no_command_panics_on_a_closed_stdout() {
    let dir = scratch("output", "pipe");
    let inputs = dir.join("in.npz");
    let x = Tensor::from_vec(&[5000], (0..5000).map(f64::from).collect::<Vec<f64>>()).unwrap();
    air_interp::npz::write_npz(&inputs, &[("x".to_string(), x)]).expect("inputs");
    let model = dir.join("sq.air");
    std::fs::write(&model, SQUARES).expect("model");
    let (model, inputs) = (model.to_string_lossy(), inputs.to_string_lossy());
    let commands: Vec<Vec<&str>> = vec![
        vec!["info"],
        vec!["--help"],
        vec!["print", "docs/examples/matvec.air"],
        vec![
            "check",
            "docs/examples/matvec.air",
            "docs/examples/concat.air",
        ],
        vec!["convert", "docs/examples/matvec.air", "-"],
        vec!["run", &model, "--inputs", &inputs, "--backend", "interp"],
    ];
    for args in commands {
        let (status, stderr) = air_into_a_closed_pipe(&args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(status, 0, "{args:?}: {stderr}");
    }
    // The exit status still tells whether the command succeeded.
    let (status, stderr) =
        air_into_a_closed_pipe(&["check", "docs/examples/invalid/E0203_matmul_inner_dims.air"]);
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("error[E0203]"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `@main(x) -> (y = x*x, s = sum of y, big = y > 10)`.
const SQUARES: &str = "air 1 opset 1
func @main(%x: f64[n]) -> (%y: f64[n], %s: f64, %big: bool[n]) {
  %y = mul (%x, %x) : f64[n]
  %s = reduce_sum {axes = [0]} (%y) : f64
  %ten = constant {value = f64 10.0} () : f64
  %tens = broadcast {shape = [n], dims = []} (%ten) : f64[n]
  %big = gt (%y, %tens) : bool[n]
  return %y, %s, %big
}
";

#[test]
fn run_without_outputs_prints_the_results() {
    let dir = scratch("output", "print");
    let model = dir.join("sq.air");
    std::fs::write(&model, SQUARES).expect("model");
    let run = |n: usize| {
        let inputs = dir.join(format!("in{n}.npz"));
        let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.5).collect();
        let t = Tensor::from_vec(&[n], x).unwrap();
        air_interp::npz::write_npz(&inputs, &[("x".to_string(), t)]).expect("inputs");
        let out = Command::new(env!("CARGO_BIN_EXE_air"))
            .arg("run")
            .arg(&model)
            .arg("--inputs")
            .arg(&inputs)
            .args(["--backend", "interp"])
            .output()
            .expect("air runs");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{stderr}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // x = 0, 0.5, ..., 2.5: squares (i/2)^2 = 0, 0.25, 1, 2.25, 4, 6.25, their sum
    // (0+1+4+9+16+25)/4 = 13.75, and which exceed 10 (none).
    assert_eq!(
        run(6),
        "y: f64[6]\n[ 0.0 0.25  1.0 2.25  4.0 6.25]\ns: f64\n13.75\n\
         big: bool[6]\n[False False False False False False]\n"
    );
    // 2000 elements: summarised to the first and last three, as NumPy does beyond 1000.
    // (i/2)^2 for i = 1997..1999 is 997002.25, 998001.0, 999000.25; the sum of (i/2)^2 over
    // i < 2000 is (1999*2000*3999/6)/4 = 666166750.
    let text = run(2000);
    let want_y =
        "y: f64[2000]\n[      0.0      0.25       1.0 ... 997002.25  998001.0 999000.25]\n";
    assert!(text.starts_with(want_y), "{text}");
    assert!(text.contains("s: f64\n666166750.0\n"), "{text}");
    assert!(
        text.contains("big: bool[2000]\n[False False False ...  True  True  True]\n"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
