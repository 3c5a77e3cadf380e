//! End-to-end tests of the `air` binary: golden error reports for the invalid examples
//! (`AIR_BLESS=1` rewrites them), round trips of the valid examples through every format, exit codes
//! on hostile and garbage input.

mod common;

use common::{air, root};

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn air_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_air"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("air runs");
    // A reader may fail before consuming everything; a broken pipe here is fine.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("air finishes")
}

fn examples(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join(dir))
        .expect("examples dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "air"))
        .map(|p| {
            p.strip_prefix(root())
                .expect("under root")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn valid_examples_check_and_round_trip_through_every_format() {
    let files = examples("docs/examples");
    assert_eq!(files.len(), 5, "{files:?}");
    let out = air(&["check"]
        .into_iter()
        .chain(files.iter().map(String::as_str))
        .collect::<Vec<_>>());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tmp = std::env::temp_dir().join(format!("air-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("tmp");
    for f in &files {
        let printed = air(&["print", f]).stdout;
        let pb = tmp.join("m.airpb");
        let json = tmp.join("m.air.json");
        let back = tmp.join("m.air");
        for (a, b) in [(Path::new(f), pb.as_path()), (&pb, &json), (&json, &back)] {
            let o = air(&["convert", &a.to_string_lossy(), &b.to_string_lossy()]);
            assert!(
                o.status.success(),
                "{f}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let reprinted = std::fs::read(&back).expect("converted text");
        assert_eq!(
            String::from_utf8_lossy(&printed),
            String::from_utf8_lossy(&reprinted),
            "{f}"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn invalid_examples_match_their_golden_reports() {
    let files = examples("docs/examples/invalid");
    assert!(files.len() >= 4);
    let bless = std::env::var_os("AIR_BLESS").is_some();
    for f in files {
        let out = air(&["check", &f]);
        assert_eq!(out.status.code(), Some(1), "{f} must fail with exit code 1");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let golden = root().join(f.replace(".air", ".expected"));
        if bless {
            std::fs::write(&golden, &stderr).expect("write golden");
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        assert_eq!(
            stderr,
            want,
            "{f}: report differs from {} (AIR_BLESS=1 rewrites)",
            golden.display()
        );
        let code = Path::new(&f).file_name().unwrap().to_string_lossy()[..5].to_string();
        assert!(
            stderr.contains(&format!("error[{code}]")),
            "{f} must report {code}"
        );
    }
}

#[test]
fn all_problems_of_a_module_are_reported() {
    let out = air(&["check", "docs/examples/invalid/E0203_matmul_inner_dims.air"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("error[").count(), 3, "{stderr}");
    assert!(stderr.contains(":5:3"), "{stderr}");
}

#[test]
fn garbage_and_hostile_inputs_fail_with_exit_code_1() {
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("air", b"".to_vec()),
        ("air", b"\x00\xff\xfe garbage".to_vec()),
        ("air", b"air 99 opset 1\n".to_vec()),
        ("air", b"air 1 opset 1\nfunc @f() -> (f64[1000000000000]) {\n  %c = constant {value = f64[1000000000000] [1.0]} () : f64[1000000000000]\n  return %c\n}\n".to_vec()),
        ("air", format!("air 1 opset 1\nfunc @f() -> () {{\n{}\n", "{".repeat(100_000)).into_bytes()),
        ("airpb", vec![0x0a; 10_000]),
        ("airpb", (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect()),
        ("json", b"{\"functions\": [".to_vec()),
        ("json", b"[1, 2, 3]".to_vec()),
    ];
    for (fmt, bytes) in inputs {
        let out = air_stdin(&["check", "--from", fmt, "-"], &bytes);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{fmt} input {:?}...: {stderr}",
            &bytes[..bytes.len().min(40)]
        );
        assert!(stderr.contains("error["), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn unknown_extension_lists_the_known_ones() {
    let out = air(&["convert", "docs/examples/matvec.air", "/tmp/out.onnx"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(".airpb") && stderr.contains(".air.json"),
        "{stderr}"
    );
}

#[test]
fn run_binds_inputs_by_name_and_writes_named_results() {
    let tmp = std::env::temp_dir().join(format!("air-run-{}.npz", std::process::id()));
    let out = air(&[
        "run",
        "docs/examples/matvec.air",
        "--inputs",
        "docs/examples/libraries/matvec/inputs.npz",
        "--outputs",
        &tmp.to_string_lossy(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = air_interp::npz::read_npz(&tmp).expect("outputs");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "y");
    let _ = std::fs::remove_file(&tmp);
}
