//! `air check` on a module with more problems than the validator lists: the first 100 are
//! rendered in full, then one line counts the rest, and the summary gives the total.

use std::process::Command;

/// `n` independent nodes each declaring `f32` for an `f64` result: `n` E0213.
fn invalid(n: usize) -> String {
    let mut s = String::from("air 1 opset 1\nfunc @main(%x: f64[n]) -> (%z: f64[n]) {\n");
    for i in 0..n {
        s += &format!("  %v{i} = add (%x, %x) : f32[n]\n");
    }
    s + "  return %x\n}\n"
}

#[test]
fn a_capped_report_counts_the_rest_and_the_total() {
    let n = 5_000;
    let path = std::env::temp_dir().join(format!("air-capped-{}.air", std::process::id()));
    std::fs::write(&path, invalid(n)).expect("write the module");
    let out = Command::new(env!("CARGO_BIN_EXE_air"))
        .arg("check")
        .arg(&path)
        .output()
        .expect("air runs");
    let _ = std::fs::remove_file(&path);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let max = air_ir::validate::MAX_DIAGNOSTICS;
    assert_eq!(err.matches("error[E0213]").count(), max, "{err}");
    assert!(
        err.contains(&format!("... and {} more errors\n", n - max)),
        "{err}"
    );
    assert!(err.contains(&format!(": {n} errors\n")), "{err}");
    // The last listed problem is the 100th node, with its source line.
    assert!(
        err.contains(&format!("%v{} = add (%x, %x) : f32[n]", max - 1)),
        "{err}"
    );
    assert!(!err.contains(&format!("%v{max} = add")), "{err}");
}
