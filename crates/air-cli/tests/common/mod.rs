//! Helpers shared by the `air` command's tests.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository's root (the tests' working directory for `air`).
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// A fresh directory for one test: `<tmp>/air-cli-<suite>-<pid>-<name>`.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("air-cli-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Runs `air args` in the repository's root.
pub fn air<T: AsRef<OsStr>>(args: &[T]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_air"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("air runs")
}

/// Asserts `out` failed with exit code 1 reporting `code` and no other code, without a panic;
/// returns stderr.
pub fn fails_with(out: &Output, code: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("error[{code}]")), "{stderr}");
    assert_eq!(
        stderr.matches("error[E").count(),
        stderr.matches(&format!("error[{code}]")).count(),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}
