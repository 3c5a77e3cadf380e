//! The README's seed example end to end: SymPy's `y[i] = A[i, j]*x[j]` as srepr
//! (`docs/examples/sympy/matvec.srepr`, written by `make_matvec.py` with real SymPy), compiled by
//! `air compile` into a shared library and a C header, called by `docs/examples/sympy/main.c`
//! for several run-time sizes; the numbers it prints are compared with `A @ x` computed here.
#![cfg(feature = "llvm")]

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> PathBuf {
    root().join("docs/examples/sympy").join(name)
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("air-cli-sympy-seed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `A @ x` for main.c's inputs: `A[i][j] = 0.5*(i*m + j) - 2`, `x[j] = 1 + 0.5*j`.
fn matvec(n: usize, m: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            (0..m)
                .map(|j| (0.5 * (i * m + j) as f64 - 2.0) * (1.0 + 0.5 * j as f64))
                .sum()
        })
        .collect()
}

#[test]
fn srepr_compiles_to_a_library_that_c_calls_and_matches_a_matvec() {
    let dir = scratch();
    let (lib, header) = (dir.join("libmatvec.so"), dir.join("matvec.h"));
    let out = Command::new(env!("CARGO_BIN_EXE_air"))
        .arg("compile")
        .arg(example("matvec.srepr"))
        .arg("-o")
        .arg(&lib)
        .arg("--header")
        .arg(&header)
        .output()
        .expect("air runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The signature the index rule gives: j is summed, n and m stay symbolic, f64 by default.
    let h = std::fs::read_to_string(&header).expect("header");
    for want in [
        "params[0]  %A: f64[n, m] (AIR_F64, rank 2), in",
        "params[1]  %x: f64[m] (AIR_F64, rank 1), in",
        "results[0] %y: f64[n] (AIR_F64, rank 1)",
        "int32_t matvec_main(air_tensor *params, air_tensor *results, air_error *err);",
    ] {
        assert!(h.contains(want), "{want}\n{h}");
    }
    let exe = dir.join("matvec");
    let status = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(&dir)
        .arg(example("main.c"))
        .arg("-o")
        .arg(&exe)
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .status()
        .expect("cc runs");
    assert!(status.success(), "cc failed on main.c");
    // The README's numbers first (3 4: A @ x = [-7.5, 6.5, 20.5], checked by hand), then other
    // sizes bound at run time by the same library.
    assert_eq!(matvec(3, 4), [-7.5, 6.5, 20.5]);
    for (n, m) in [(3, 4), (5, 2), (1, 1), (17, 9), (64, 100)] {
        let run = Command::new(&exe)
            .args([n.to_string(), m.to_string()])
            .output()
            .expect("matvec runs");
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success(),
            "{n}x{m}: {stdout}{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let got: Vec<f64> = stdout
            .trim_end()
            .strip_prefix("y =")
            .unwrap_or_else(|| panic!("{n}x{m}: {stdout}"))
            .split_whitespace()
            .map(|v| v.parse().expect("a number"))
            .collect();
        let want = matvec(n, m);
        assert_eq!(got.len(), want.len(), "{n}x{m}: {stdout}");
        for (g, w) in got.iter().zip(&want) {
            // Every product and partial sum is a multiple of 1/4 well below 2**50: exact in f64
            // in any order of summation.
            assert_eq!(g, w, "{n}x{m}: got {got:?}, want {want:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
