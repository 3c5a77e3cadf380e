//! C libraries from `air compile` that live together: two libraries whose AIR functions are both
//! named `@main` link into one C program, which calls both and checks both results; each exports
//! only symbols under its own prefix (`nm -D`); and the `air` binary copied alone into an empty
//! folder (no build tree beside it, no `AIR_RUNTIME_LIB`) still makes a working library, from the
//! runtime it carries.
#![cfg(feature = "llvm")]

mod common;

use common::scratch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `@main` squares, in the library `libsquare.so`.
const SQUARE: &str = "air 1 opset 1
func @main(%x: f64[n]) -> (%y: f64[n]) {
  %y = mul (%x, %x) : f64[n]
  return %y
}
";

/// `@main` is a running sum (the runtime op `cumsum`), in `libsums.so`.
const SUMS: &str = "air 1 opset 1
func @main(%x: f64[n]) -> (%y: f64[n]) {
  %y = cumsum {axis = 0} (%x) : f64[n]
  return %y
}
";

/// Calls both `@main`s on x = 1 2 3 4 and prints both results.
const PROGRAM: &str = r#"#include <stdio.h>
#include "square.h"
#include "sums.h"

static int call(int32_t (*f)(air_tensor *, air_tensor *, air_error *), void (*release)(void *),
                const char *name) {
    double x[4] = {1, 2, 3, 4};
    int64_t x_shape[1] = {4}, x_strides[1] = {8}, y_shape[1], y_strides[1];
    air_tensor params[1] = {{x, x_shape, x_strides, 1, AIR_F64}};
    air_tensor results[1] = {{NULL, y_shape, y_strides, 1, AIR_F64}};
    air_error err = {0};
    if (f(params, results, &err) != 0) {
        printf("%s: error %d: %s\n", name, err.code, err.message);
        return 1;
    }
    printf("%s", name);
    for (int64_t i = 0; i < y_shape[0]; i++) printf(" %g", ((double *)results[0].data)[i]);
    printf("\n");
    release(results[0].data);
    return 0;
}

int main(void) {
    int bad = call(square_main, square_free, "square") | call(sums_main, sums_free, "sums");
    /* Under a budget of 16 bytes the 32-byte result cannot be allocated: E0508. */
    sums_set_max_memory(16);
    int refused = call(sums_main, sums_free, "sums");
    sums_set_max_memory(0);
    return bad | !refused | call(sums_main, sums_free, "sums");
}
"#;

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `air compile model -o lib<name>.so --header <name>.h` in `dir` with the `air` at `air`, no
/// runtime named anywhere.
fn compile(air: &Path, dir: &Path, model: &str, name: &str) -> PathBuf {
    let src = dir.join(format!("{name}.air"));
    std::fs::write(&src, model).expect("model");
    let lib = dir.join(format!("lib{name}.so"));
    let out = Command::new(air)
        .arg("compile")
        .arg(&src)
        .arg("-o")
        .arg(&lib)
        .arg("--header")
        .arg(dir.join(format!("{name}.h")))
        .current_dir(dir)
        .env_remove("AIR_RUNTIME_LIB")
        .output()
        .expect("air runs");
    ok(&out, "air compile");
    lib
}

/// Every dynamic symbol `lib` defines (name and type letter), from `nm -D`.
fn defined_symbols(lib: &Path) -> Vec<(String, String)> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only", "--format=posix"])
        .arg(lib)
        .output()
        .expect("nm runs");
    let text = ok(&out, "nm");
    let mut v: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some((w.next()?.to_string(), w.next()?.to_string()))
        })
        .collect();
    v.sort();
    v
}

/// Builds PROGRAM against both libraries in `dir`, runs it and checks both results.
fn link_and_run(dir: &Path, libs: &[PathBuf]) {
    std::fs::write(dir.join("main.c"), PROGRAM).expect("program");
    let exe = dir.join("both");
    let out = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(dir)
        .arg(dir.join("main.c"))
        .arg("-o")
        .arg(&exe)
        .args(libs)
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .output()
        .expect("cc runs");
    ok(&out, "cc");
    let out = Command::new(&exe).output().expect("program runs");
    // 1 2 3 4 squared, and its running sums: each library ran its own @main.
    let printed = ok(&out, "program");
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 4, "{printed}");
    assert_eq!(
        lines[..2],
        ["square 1 4 9 16", "sums 1 3 6 10"],
        "{printed}"
    );
    assert!(
        lines[2].starts_with("sums: error 508: ") && lines[2].contains("cannot allocate 32 bytes"),
        "{printed}"
    );
    assert_eq!(lines[3], "sums 1 3 6 10", "{printed}");
}

#[test]
fn two_libraries_with_the_same_function_name_link_into_one_program() {
    let dir = scratch("clib", "two");
    let air = Path::new(env!("CARGO_BIN_EXE_air"));
    let square = compile(air, &dir, SQUARE, "square");
    let sums = compile(air, &dir, SUMS, "sums");
    for (lib, prefix) in [(&square, "square"), (&sums, "sums")] {
        let names: Vec<String> = defined_symbols(lib).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                format!("{prefix}_alloc"),
                format!("{prefix}_free"),
                format!("{prefix}_main"),
                format!("{prefix}_set_max_memory")
            ],
            "{}",
            lib.display()
        );
        // Nor does it need an unprefixed AIR symbol from elsewhere.
        let all = ok(
            &Command::new("nm")
                .arg("-D")
                .arg(lib)
                .output()
                .expect("nm runs"),
            "nm",
        );
        assert!(!all.contains(" air_"), "{all}");
    }
    // Both link orders: neither library's symbols can stand in for the other's.
    link_and_run(&dir, &[square.clone(), sums.clone()]);
    link_and_run(&dir, &[sums, square]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_air_binary_alone_makes_a_working_library() {
    let dir = scratch("clib", "alone");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let air = bin.join("air");
    std::fs::copy(env!("CARGO_BIN_EXE_air"), &air).expect("copy air");
    let entries: Vec<_> = std::fs::read_dir(&bin).expect("bin").collect();
    assert_eq!(entries.len(), 1, "only the binary beside it");
    let square = compile(&air, &dir, SQUARE, "square");
    let sums = compile(&air, &dir, SUMS, "sums");
    link_and_run(&dir, &[square, sums]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn prefixes_come_from_the_option_or_the_output_name_and_must_be_c_identifiers() {
    let dir = scratch("clib", "prefix");
    let src = dir.join("m.air");
    std::fs::write(&src, SQUARE).expect("model");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_air"))
            .arg("compile")
            .arg(&src)
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("air runs")
    };
    ok(&run(&["-o", "libk.so", "--prefix", "kern2"]), "--prefix");
    let names: Vec<String> = defined_symbols(&dir.join("libk.so"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "kern2_alloc",
            "kern2_free",
            "kern2_main",
            "kern2_set_max_memory"
        ]
    );
    let out = run(&["-o", "lib-mat.vec.so"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`-mat` taken from the output name `lib-mat.vec.so`")
            && err.contains("pass --prefix NAME"),
        "{err}"
    );
    let out = run(&["-o", "m.o", "--prefix", "9lives"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`9lives` is not a C identifier"), "{err}");
    assert!(!dir.join("lib-mat.vec.so").exists() && !dir.join("m.o").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
