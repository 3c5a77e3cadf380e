//! `air compile` and `air run --backend llvm` end to end (only with the `llvm` feature): the
//! module of `crates/air-llvm/tests/aot/` compiled by the CLI to a shared library and a header,
//! called by that directory's C program (the runtime built into `air`); the other output forms;
//! the runtime library named by option or environment, and its error; SymPy srepr with dtypes from `--dtype`; running on the LLVM backend against the
//! interpreter.
#![cfg(feature = "llvm")]

mod common;

use common::scratch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use air_interp::Tensor;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    root().join("crates/air-llvm/tests/aot").join(name)
}

/// Runs `air` in the repository root, with `AIR_RUNTIME_LIB` set to `runtime` (or removed).
fn air(args: &[&str], runtime: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_air"));
    cmd.args(args).current_dir(root());
    match runtime {
        Some(r) => cmd.env("AIR_RUNTIME_LIB", r),
        None => cmd.env_remove("AIR_RUNTIME_LIB"),
    };
    cmd.output().expect("air runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[test]
fn compile_writes_a_shared_library_and_header_that_a_c_program_uses() {
    let dir = scratch("compile", "so");
    let lib = dir.join("libmodule.so");
    let header = dir.join("module.h");
    let model = s(&fixture("module.air"));
    let out = air(
        &["compile", &model, "-o", &s(&lib), "--header", &s(&header)],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let exe = dir.join("main");
    let status = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(&dir)
        .arg(fixture("main.c"))
        .arg("-o")
        .arg(&exe)
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .arg("-lm")
        .status()
        .expect("cc runs");
    assert!(status.success(), "cc failed on main.c");
    let run = Command::new(&exe).output().expect("main runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}");
    assert!(stdout.ends_with("all checks passed\n"), "{stdout}");
    assert!(
        stdout.contains("mismatch: 502 symbol m is 4 but %v makes it 5 in @matvec\n"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_runtime_named_by_the_environment_or_option_is_linked_and_must_exist() {
    let dir = scratch("compile", "runtime");
    let model = s(&fixture("module.air"));
    let lib = s(&dir.join("libm1.so"));
    // --function: that entry point alone; the runtime from $AIR_RUNTIME_LIB.
    let h = dir.join("m1.h");
    let args = [
        "compile",
        &model,
        "-o",
        &lib,
        "--function",
        "matvec",
        "--header",
        &s(&h),
    ];
    let out = air(&args, Some(&static_lib()));
    assert!(out.status.success(), "{}", stderr(&out));
    let header = std::fs::read_to_string(&h).expect("header");
    assert!(header.contains("int32_t m1_matvec(") && !header.contains("m1_axpy"));
    let nm = Command::new("nm")
        .args(["-D", "--defined-only", "--format=posix"])
        .arg(&lib)
        .output()
        .expect("nm runs");
    let mut names: Vec<String> = String::from_utf8_lossy(&nm.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["m1_alloc", "m1_free", "m1_matvec", "m1_set_max_memory"]
    );
    // A named runtime that is not there.
    let missing = dir.join("nowhere/libair_rt.a");
    let out = air(&["compile", &model, "-o", &lib], Some(&missing));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} does not exist", missing.display())),
        "{err}"
    );
    let out = air(
        &["compile", &model, "-o", &lib, "--runtime", &s(&missing)],
        Some(&static_lib()),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "--runtime wins over the environment"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compile_emits_ir_assembly_and_objects_by_extension_or_flag() {
    let dir = scratch("compile", "forms");
    let model = s(&fixture("module.air"));
    let cases = [
        ("m.ll", None, "define i32 @m_matvec("),
        ("m.s", None, ".globl\tm_matvec"),
        ("m.txt", Some("ll"), "define i32 @m_axpy("),
        ("m.asm", Some("asm"), "m_axpy:"),
    ];
    for (file, emit, want) in cases {
        let path = s(&dir.join(file));
        let mut args = vec!["compile", &model, "-o", &path];
        if let Some(e) = emit {
            args.extend(["--emit", e]);
        }
        let out = air(&args, None);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let text = std::fs::read_to_string(&path).expect("output");
        assert!(text.contains(want), "{file} lacks {want}");
    }
    for (file, emit) in [("m.o", None), ("m.bin", Some("obj"))] {
        let path = s(&dir.join(file));
        let mut args = vec!["compile", &model, "-o", &path];
        if let Some(e) = emit {
            args.extend(["--emit", e]);
        }
        let out = air(&args, None);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let bytes = std::fs::read(&path).expect("object");
        assert_eq!(&bytes[..4], b"\x7fELF", "{file}");
    }
    let out = air(&["compile", &model, "-o", &s(&dir.join("m.bin"))], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot tell what to write"),
        "{}",
        stderr(&out)
    );
    let out = air(&["compile", &model, "-o", "x.ll", "--emit", "exe"], None);
    assert!(
        stderr(&out).contains("unknown --emit `exe`"),
        "{}",
        stderr(&out)
    );
    let out = air(
        &["compile", &model, "-o", "x.ll", "--function", "nope"],
        None,
    );
    assert!(
        stderr(&out).contains("no function @nope"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compile_renders_what_the_backend_rejects() {
    let dir = scratch("compile", "reject");
    let model = dir.join("h.air");
    std::fs::write(
        &model,
        "air 1 opset 1\nfunc @h(%x: f64[n]) -> (f64[n]) {\n  \
         %y = custom {domain = \"mylib\", name = \"Frob\"} (%x) : f64[n]\n  return %y\n}\n",
    )
    .expect("model");
    let out = air(&["compile", &s(&model), "-o", &s(&dir.join("h.o"))], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error[E0407]"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("has no decomposition"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("h.o").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compile_reads_srepr_with_dtypes_from_options_else_assumptions() {
    let dir = scratch("compile", "srepr");
    let model = dir.join("scale.srepr");
    // y[i] = k*x[i], with k an integer symbol: i64 by its assumption, x and y f64 by default.
    let n = "Symbol('n', integer=True)";
    let i = format!("Idx(Symbol('i', integer=True), Tuple(Integer(0), Add({n}, Integer(-1))))");
    let base = |name: &str| format!("IndexedBase(Symbol('{name}'), Tuple({n}))");
    std::fs::write(
        &model,
        format!(
            "Equality(Indexed({}, {i}), Mul(Symbol('k', integer=True), Indexed({}, {i})))",
            base("y"),
            base("x")
        ),
    )
    .expect("model");
    let header = dir.join("scale.h");
    let (m, ll, h) = (s(&model), s(&dir.join("scale.ll")), s(&header));
    let compile = |extra: &[&str]| {
        let mut args = vec![
            "compile",
            m.as_str(),
            "-o",
            ll.as_str(),
            "--header",
            h.as_str(),
        ];
        args.extend_from_slice(extra);
        air(&args, None)
    };
    let out = compile(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let h = std::fs::read_to_string(&header).expect("header");
    assert!(h.contains("%k: i64 (AIR_I64, rank 0)"), "{h}");
    assert!(h.contains("%x: f64[n] (AIR_F64, rank 1)"), "{h}");
    assert!(h.contains("%y: f64[n] (AIR_F64, rank 1)"), "{h}");
    let out = compile(&[
        "--dtype",
        "x=f32",
        "--dtype",
        "y=float32",
        "--dtype",
        "k=i32",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let h = std::fs::read_to_string(&header).expect("header");
    assert!(h.contains("%k: i32 (AIR_I32, rank 0)"), "{h}");
    assert!(h.contains("%x: f32[n] (AIR_F32, rank 1)"), "{h}");
    assert!(h.contains("%y: f32[n] (AIR_F32, rank 1)"), "{h}");
    // The AIR forms carry their dtypes: --dtype is refused there.
    let out = air(
        &[
            "compile",
            &s(&fixture("module.air")),
            "-o",
            &s(&dir.join("m.ll")),
            "--dtype",
            "A=f32",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("which carries its own dtypes"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn f64s(shape: &[usize], v: Vec<f64>) -> Tensor {
    Tensor::from_vec(shape, v).expect("tensor")
}

#[test]
fn run_uses_the_llvm_backend_by_default_and_agrees_with_the_interpreter() {
    let dir = scratch("compile", "run");
    let inputs = dir.join("in.npz");
    let a: Vec<f64> = (0..12).map(|i| f64::from(i) * 0.5 - 2.0).collect();
    let v = vec![1.0, -2.0, 0.25, 3.0];
    air_interp::npz::write_npz(
        &inputs,
        &[
            ("A".to_string(), f64s(&[3, 4], a.clone())),
            ("v".to_string(), f64s(&[4], v.clone())),
        ],
    )
    .expect("inputs");
    let model = s(&fixture("module.air"));
    let run = |backend: Option<&str>, out: &Path| {
        let (i, o) = (s(&inputs), s(out));
        let mut args = vec!["run", &model, "--inputs", &i, "--outputs", &o];
        args.extend(["--function", "matvec"]);
        if let Some(b) = backend {
            args.extend(["--backend", b, "--threads", "1"]);
        }
        let r = air(&args, None);
        assert!(r.status.success(), "{backend:?}: {}", stderr(&r));
        air_interp::npz::read_npz(out).expect("outputs")
    };
    let want: Vec<f64> = (0..3)
        .map(|i| (0..4).map(|j| a[i * 4 + j] * v[j]).sum())
        .collect();
    let interp = run(Some("interp"), &dir.join("interp.npz"));
    for backend in [None, Some("llvm")] {
        let got = run(backend, &dir.join("llvm.npz"));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "y");
        air_interp::check_close(&got[0].1, &interp[0].1, 1e-14, 1e-14)
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        air_interp::check_close(&got[0].1, &f64s(&[3], want.clone()), 1e-14, 1e-14)
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_reports_bad_inputs_backends_and_thread_counts() {
    let dir = scratch("compile", "run-errors");
    let inputs = dir.join("in.npz");
    air_interp::npz::write_npz(&inputs, &[("A".to_string(), f64s(&[1, 1], vec![1.0]))])
        .expect("inputs");
    let model = s(&fixture("module.air"));
    let (i, o) = (s(&inputs), s(&dir.join("out.npz")));
    let base = ["run", &model, "--inputs", &i, "--outputs", &o];
    let with = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(extra);
        air(&args, None)
    };
    let out = with(&["--function", "matvec"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("E0501") && err.contains("missing input %v"),
        "{err}"
    );
    let out = with(&["--function", "matvec", "--backend", "gpu"]);
    assert!(
        stderr(&out).contains("unknown backend `gpu`"),
        "{}",
        stderr(&out)
    );
    let out = with(&["--function", "matvec", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("--threads must be at least 1"),
        "{}",
        stderr(&out)
    );
    // Two threads are accepted: the run gets as far as binding the (deliberately incomplete) inputs.
    let out = with(&["--function", "matvec", "--threads", "2"]);
    assert!(
        stderr(&out).contains("missing input %v"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `libair_rt.a`, as `crates/air-rt/tests/abi.rs` finds it: beside this test's profile directory,
/// else built now in a target directory of its own.
fn static_lib() -> PathBuf {
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
