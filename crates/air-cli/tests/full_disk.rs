//! Writes that fail (a full disk: `/dev/full`) and inputs that never end (`/dev/zero`) give a
//! clear message and exit status 1, never a panic (101) or memory exhaustion.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `air args` with stdout and stderr redirected to the given files.
fn air(args: &[&str], stdout: Stdio, stderr: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_air"))
        .args(args)
        .current_dir(root())
        .stdout(stdout)
        .stderr(stderr)
        .output()
        .expect("air runs")
}

fn full() -> Stdio {
    Stdio::from(
        std::fs::File::options()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

#[test]
fn writing_to_a_full_disk_fails_with_a_message() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    let cases: Vec<Vec<&str>> = vec![
        vec!["print", "docs/examples/matvec.air"],
        vec!["convert", "docs/examples/matvec.air", "-"],
        vec!["info"],
        vec!["--help"],
        vec!["check", "docs/examples/matvec.air"],
    ];
    for args in cases {
        let out = air(&args, full(), Stdio::piped());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("cannot write to standard output: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
    // A file output that is the full device.
    let out = air(
        &[
            "convert",
            "docs/examples/matvec.air",
            "/dev/full",
            "--to",
            "json",
        ],
        Stdio::null(),
        Stdio::piped(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write /dev/full: No space left on device"),
        "{stderr}"
    );
}

#[test]
fn a_full_stderr_is_no_panic() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    // The error report cannot be written; the exit status still says the command failed.
    let out = air(&["check", "no-such-file.air"], Stdio::null(), full());
    assert_eq!(out.status.code(), Some(1));
    let out = air(&["print", "docs/examples/matvec.air"], full(), full());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_endless_input_stops_at_the_limit() {
    if !std::path::Path::new("/dev/zero").exists() {
        return;
    }
    let start = Instant::now();
    let out = air(
        &["check", "--from", "airpb", "/dev/zero"],
        Stdio::null(),
        Stdio::piped(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error[E0105]: /dev/zero: input is larger than the reader limit of 1073741824 bytes"
        ),
        "{stderr}"
    );
    assert!(start.elapsed() < Duration::from_secs(60));
    // Standard input too.
    let out = Command::new(env!("CARGO_BIN_EXE_air"))
        .args(["check", "-"])
        .stdin(Stdio::from(std::fs::File::open("/dev/zero").unwrap()))
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[E0105]: <stdin>"), "{stderr}");
}

/// `air run` with an archive of `members` one-element arrays named `m0`, `m1`, …, of which the
/// model's function binds `m0` only.
fn run_with_members(members: usize, extra_ok: bool) -> Output {
    let dir = std::env::temp_dir().join(format!("air-cli-npz-{}-{members}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("m.air");
    std::fs::write(
        &model,
        "air 1 opset 1\n\nfunc @f(%m0: f64[n]) -> (f64[n]) {\n  %y = neg (%m0) : f64[n]\n  return %y\n}\n",
    )
    .unwrap();
    let one = air_interp::Tensor::from_vec(&[1], vec![2f64]).unwrap();
    let take = if extra_ok { 1 } else { members };
    let arrays: Vec<_> = (0..take).map(|i| (format!("m{i}"), one.clone())).collect();
    let inputs = dir.join("in.npz");
    air_interp::npz::write_npz(&inputs, &arrays).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_air"))
        .args([
            "run",
            &model.to_string_lossy(),
            "--inputs",
            &inputs.to_string_lossy(),
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn run_decodes_the_bound_arrays_and_refuses_extras_from_the_directory() {
    let out = run_with_members(1, true);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("-2"), "{stdout}");
    // 20,000 members, 19,999 of them no parameter: the error comes from the archive's
    // directory, quickly, naming the first and counting the rest.
    let start = Instant::now();
    let out = run_with_members(20_000, false);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error[E0501]: @f: input m1 is not a parameter of @f (and 19998 more)"),
        "{stderr}"
    );
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[cfg(feature = "llvm")]
#[test]
fn compiling_to_a_full_disk_fails_with_a_message() {
    if !std::path::Path::new("/dev/full").exists() {
        return;
    }
    // LLVM's own file streams abort on a write error; the backend writes from memory instead.
    for emit in ["ll", "s", "o", "so"] {
        let out = air(
            &[
                "compile",
                "docs/examples/matvec.air",
                "-o",
                "/dev/full",
                "--emit",
                emit,
            ],
            Stdio::null(),
            Stdio::piped(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{emit}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{emit}: {stderr}"
        );
        assert!(!stderr.contains("LLVM ERROR"), "{emit}: {stderr}");
    }
    let dir = std::env::temp_dir().join(format!("air-cli-full-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let lib = dir.join("libm.so");
    let out = air(
        &[
            "compile",
            "docs/examples/matvec.air",
            "-o",
            &lib.to_string_lossy(),
            "--header",
            "/dev/full",
        ],
        Stdio::null(),
        Stdio::piped(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write /dev/full: No space left on device"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
