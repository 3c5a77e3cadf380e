//! Ahead-of-time compilation through the library API: `tests/aot/module.air` written as a shared
//! library (and as an object linked with `libair_rt.a`) with its C header, called by the C program
//! `tests/aot/main.c` built with `cc`, which checks every result against values it computes itself
//! and that bad shapes, dtypes and ranks are error codes with messages. Also: what each emitted
//! form contains, which symbols a shared library exports (its prefix's only), and the errors of
//! `emit`.
#![cfg(feature = "llvm")]

use std::path::{Path, PathBuf};
use std::process::Command;

use air_llvm::aot::{emit, emit_functions, runtime_lib, AotError, Emit, Runtime};
use air_llvm::{c_header, c_header_for, Options};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/aot")
        .join(name)
}

fn module() -> air_ir::Module {
    let path = fixture("module.air");
    let text = std::fs::read_to_string(&path).expect("module.air");
    air_ir::text::parse(&text, "module.air").unwrap_or_else(|d| panic!("{d}"))
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("air-aot-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Builds `main.c` against `module.h` in `dir` with the extra link arguments, runs it, and
/// returns its output after asserting it passed.
fn run_c_program(dir: &Path, link: &[&std::ffi::OsStr]) -> String {
    let exe = dir.join("main");
    let status = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(dir)
        .arg(fixture("main.c"))
        .arg("-o")
        .arg(&exe)
        .args(link)
        .arg("-lm")
        .status()
        .expect("cc runs");
    assert!(status.success(), "cc failed on main.c");
    let run = Command::new(&exe).output().expect("main runs");
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "main.c failed:\n{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(stdout.ends_with("all checks passed\n"), "{stdout}");
    // The conflicting symbol was reported with both numbers substituted into the message.
    assert!(
        stdout.contains("mismatch: 502 symbol m is 4 but %v makes it 5 in @matvec\n"),
        "{stdout}"
    );
    stdout
}

/// The dynamic symbols a shared library defines, sorted.
fn exported(lib: &Path) -> Vec<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only", "--format=posix"])
        .arg(lib)
        .output()
        .expect("nm runs");
    assert!(out.status.success(), "nm failed");
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[test]
fn a_c_program_calls_the_shared_library_through_its_header() {
    let dir = scratch("so");
    let lib = dir.join("libmodule.so");
    let m = module();
    emit(
        &m,
        &Options::default(),
        &Emit::SharedLib {
            runtime: Runtime::Embedded,
        },
        &lib,
        "module",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("module.h"), c_header(&m, "module")).expect("header");
    assert_eq!(
        exported(&lib),
        [
            "module_alloc",
            "module_axpy",
            "module_free",
            "module_matvec",
            "module_set_max_memory",
            "module_vec_x2e_scale"
        ]
    );
    let rpath = format!("-Wl,-rpath,{}", dir.display());
    let out = run_c_program(&dir, &[lib.as_os_str(), rpath.as_ref()]);
    assert!(out.starts_with("matvec ok\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_object_links_with_the_static_runtime() {
    let dir = scratch("obj");
    let obj = dir.join("module.o");
    let m = module();
    emit(&m, &Options::default(), &Emit::Object, &obj, "module").unwrap_or_else(|e| panic!("{e}"));
    let bytes = std::fs::read(&obj).expect("object");
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(&bytes[16..18], &[1, 0], "not a relocatable object");
    std::fs::write(dir.join("module.h"), c_header(&m, "module")).expect("header");
    let runtime = static_lib();
    let libs = ["-lmvec", "-lpthread", "-ldl"];
    let mut link: Vec<&std::ffi::OsStr> = vec![obj.as_os_str(), runtime.as_os_str()];
    link.extend(libs.iter().map(std::ffi::OsStr::new));
    run_c_program(&dir, &link);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ir_and_assembly_hold_the_exported_entry_points_only() {
    let dir = scratch("text");
    let m = module();
    let (ll, asm) = (dir.join("m.ll"), dir.join("m.s"));
    emit(&m, &Options::default(), &Emit::LlvmIr, &ll, "m").unwrap_or_else(|e| panic!("{e}"));
    emit(&m, &Options::default(), &Emit::Asm, &asm, "m").unwrap_or_else(|e| panic!("{e}"));
    let ir = std::fs::read_to_string(&ll).expect("ll");
    for f in ["m_matvec", "m_axpy", "m_vec_x2e_scale"] {
        assert!(ir.contains(&format!("define i32 @{f}(")), "{f}:\n{ir}");
    }
    assert!(ir.contains("define ptr @m_alloc(i64"), "{ir}");
    assert!(ir.contains("define void @m_free(ptr"), "{ir}");
    assert!(!ir.contains("define i32 @air_"), "{ir}");
    // The error reporter is linked in, internal, and never an external reference.
    assert!(ir.contains("define internal"), "{ir}");
    assert!(!ir.contains("declare i32 @air_llvm_fail"), "{ir}");
    assert!(ir.contains("declare i32 @air_rt_einsum("), "{ir}");
    let s = std::fs::read_to_string(&asm).expect("s");
    assert!(s.contains(".globl\tm_matvec"), "{s}");
    assert!(!s.contains(".globl\tair_llvm_fail"), "{s}");
    // Exporting one function: the others are internal, and unused ones are gone.
    emit_functions(
        &m,
        &Options::default(),
        &Emit::LlvmIr,
        &ll,
        "m",
        &["axpy".into()],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let ir = std::fs::read_to_string(&ll).expect("ll");
    assert!(ir.contains("define i32 @m_axpy("), "{ir}");
    assert!(
        !ir.contains("@m_matvec") && !ir.contains("@air_matvec") && !ir.contains("air_rt_einsum"),
        "{ir}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_library_of_one_function_exports_it_alone() {
    let dir = scratch("one");
    let lib = dir.join("libmatvec.so");
    let m = module();
    // A runtime given as a file (the debug static library) instead of the embedded one.
    let emit = Emit::SharedLib {
        runtime: Runtime::File(static_lib()),
    };
    let only = ["matvec".to_string()];
    emit_functions(&m, &Options::default(), &emit, &lib, "mv", &only)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        exported(&lib),
        ["mv_alloc", "mv_free", "mv_matvec", "mv_set_max_memory"]
    );
    let h = c_header_for(&m, "mv", &only);
    assert!(
        h.contains("int32_t mv_matvec(") && !h.contains("mv_axpy"),
        "{h}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn emit_reports_unknown_functions_missing_runtimes_and_unsupported_modules() {
    let dir = scratch("errors");
    let m = module();
    let opts = Options::default();
    let out = dir.join("x.ll");
    match emit_functions(&m, &opts, &Emit::LlvmIr, &out, "x", &["nope".into()]) {
        Err(e @ AotError::UnknownFunction(_)) => {
            let want = format!(
                "error[{}]: no function @nope in the module",
                air_ir::Code::UnknownFunction
            );
            assert_eq!(e.to_string(), want)
        }
        other => panic!("{other:?}"),
    }
    let missing = dir.join("no/libair_rt.a");
    for r in [
        runtime_lib(Some(&missing)).map(|_| ()),
        emit(
            &m,
            &opts,
            &Emit::SharedLib {
                runtime: Runtime::File(missing.clone()),
            },
            &dir.join("x.so"),
            "x",
        ),
    ] {
        match r {
            Err(e @ AotError::MissingRuntime(_)) => {
                let text = e.to_string();
                assert!(text.contains(&missing.display().to_string()), "{text}");
                assert!(text.contains("runtime built into air"), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(!dir.join("x.so").exists());
    for bad in ["", "2x", "_x", "x.y"] {
        match emit(&m, &opts, &Emit::Object, &dir.join("p.o"), bad) {
            Err(AotError::Prefix(e)) => assert!(e.contains("not a C identifier"), "{e}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    let free = air_ir::text::parse(
        "air 1 opset 1\nfunc @free(%x: f64[n]) -> (f64[n]) {\n  return %x\n}\n",
        "free.air",
    )
    .expect("parses");
    match emit(&free, &opts, &Emit::Object, &dir.join("p.o"), "p") {
        Err(AotError::Prefix(e)) => assert!(e.contains("`p_free`"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(!dir.join("p.o").exists());
    let opaque = air_ir::text::parse(
        "air 1 opset 1\nfunc @h(%x: f64[n]) -> (f64[n]) {\n  %y = custom {domain = \"lib\", name = \"op\"} (%x) : f64[n]\n  return %y\n}\n",
        "h.air",
    )
    .expect("parses");
    match emit(&opaque, &opts, &Emit::Object, &dir.join("h.o"), "h") {
        Err(AotError::Compile(d)) => {
            assert!(
                d.0.iter().all(|d| d.code == air_ir::Code::NoDecomposition),
                "{d}"
            )
        }
        other => panic!("{other:?}"),
    }
    match emit(&m, &opts, &Emit::Object, &dir.join("no/such/dir/m.o"), "m") {
        Err(AotError::Write { path, .. }) => assert!(path.ends_with("m.o")),
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `libair_rt.a`: the one `cargo build` left beside this test's profile directory, else one built
/// now in a target directory of its own (`cargo test` does not build staticlibs, and holds the lock
/// of the main target directory while tests run). As `air-rt`'s `tests/abi.rs`.
fn static_lib() -> PathBuf {
    // target/<profile>/deps/<this test> -> target/<profile>/libair_rt.a
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let lib = profile_dir.join("libair_rt.a");
    if lib.exists() {
        return lib;
    }
    let target = profile_dir.join("air-rt-staticlib");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "-q", "-p", "air-rt", "--lib", "--target-dir"])
        .arg(&target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building libair_rt.a failed");
    let lib = target.join("debug").join("libair_rt.a");
    assert!(lib.exists(), "{} not built", lib.display());
    lib
}

/// A shared library using complex math resolves `air_rt::cmath` from the embedded runtime, and
/// gives the interpreter's numbers bit for bit.
#[test]
fn complex_functions_link_from_the_embedded_runtime() {
    let dir = scratch("cx");
    let lib = dir.join("libcx.so");
    let m = air_ir::text::parse(
        "air 1 opset 1\nfunc @f(%x: c128[n]) -> (%y: c128[n]) {\n  %e = exp (%x) : c128[n]\n  %y = div (%e, %x) : c128[n]\n  return %y\n}\n",
        "cx.air",
    )
    .expect("parses");
    emit(
        &m,
        &Options::default(),
        &Emit::SharedLib {
            runtime: Runtime::Embedded,
        },
        &lib,
        "cx",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("cx.h"), c_header(&m, "cx")).expect("header");
    let program = r#"#include <stdio.h>
#include "cx.h"
int main(void) {
    double x[4] = {0.0, 1.0, 1.0, 0.5};
    double y[4] = {0};
    int64_t shape[1] = {2}, strides[1] = {16}, yshape[1] = {2}, ystrides[1] = {16};
    air_tensor p = {x, shape, strides, 1, AIR_C128};
    air_tensor r = {y, yshape, ystrides, 1, AIR_C128};
    air_error err;
    if (cx_f(&p, &r, &err) != 0) { printf("error %d %s\n", err.code, err.message); return 1; }
    printf("%.17g %.17g %.17g %.17g\n", y[0], y[1], y[2], y[3]);
    return 0;
}
"#;
    std::fs::write(dir.join("cx.c"), program).expect("program");
    let exe = dir.join("cx");
    let rpath = format!("-Wl,-rpath,{}", dir.display());
    let status = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(&dir)
        .arg(dir.join("cx.c"))
        .arg("-o")
        .arg(&exe)
        .arg(&lib)
        .arg(&rpath)
        .status()
        .expect("cc runs");
    assert!(status.success(), "cc failed");
    let run = Command::new(&exe).output().expect("runs");
    let out = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(run.status.success(), "{out}");
    let got: Vec<f64> = out
        .split_whitespace()
        .map(|w| w.parse().expect("a number"))
        .collect();
    use air_value::num_complex::Complex64;
    let x = air_value::Tensor::from_vec(
        &[2],
        vec![Complex64::new(0.0, 1.0), Complex64::new(1.0, 0.5)],
    )
    .expect("1-D");
    let want = air_interp::run(&m, "f", &[("x".to_string(), x)]).expect("interp runs");
    let Some((_, air_value::Tensor::C128(w))) = want.first() else {
        panic!("interp result {want:?}")
    };
    let w: Vec<f64> = w.iter().flat_map(|z| [z.re, z.im]).collect();
    assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        w.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        "{got:?} vs {w:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
