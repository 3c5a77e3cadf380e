//! Hostile names through the CLI (spec 1.6): a function name that spells text-form syntax survives
//! `air convert x.air.json x.air` and the program computes the same numbers; a compiled library's
//! header declares only C identifiers (mangled names), compiles with the C compiler, and links
//! against the symbols the library exports.

mod common;

use common::{air, scratch};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use air_ir::serial::{self, Format};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Printed raw, this name ended the signature and started a function of its own.
const CRAFTED: &str =
    "f(%A: f64[n, m], %v: f64[m]) -> (%y: f64[n]) {\n  %y = full {value = f64 0.0} () : f64[n]\n  return %y\n}\nfunc @main";

/// `docs/examples/matvec.air` with hostile function and node names.
fn crafted_matvec() -> air_ir::Module {
    let src = std::fs::read_to_string(root().join("docs/examples/matvec.air")).expect("example");
    let mut m = air_ir::text::parse(&src, "matvec.air").expect("example parses");
    m.functions[0].name = CRAFTED.to_string();
    m.functions[0].body.nodes[0].name = Some("y\" } func @x {".to_string());
    m
}

#[test]
fn a_crafted_function_name_survives_convert_and_runs_the_same() {
    let dir = scratch("names", "convert");
    let json = dir.join("m.air.json");
    let text = dir.join("m.air");
    std::fs::write(&json, serial::write(&crafted_matvec(), Format::Json)).expect("json");
    ok(
        &air(&["convert".as_ref(), json.as_os_str(), text.as_os_str()]),
        "convert",
    );
    let printed = std::fs::read_to_string(&text).expect("text");
    assert_eq!(printed.matches("\nfunc ").count(), 1, "{printed}");
    let inputs = root().join("docs/examples/libraries/matvec/inputs.npz");
    let run = |m: &Path| {
        ok(
            &air(&[
                "run".as_ref(),
                m.as_os_str(),
                "--inputs".as_ref(),
                inputs.as_os_str(),
            ]),
            "run",
        )
    };
    let (from_json, from_text) = (run(&json), run(&text));
    assert_eq!(from_json, from_text);
    // The numbers are matvec's, not the zeros of the crafted body.
    assert!(
        from_json.chars().any(|c| ('1'..='9').contains(&c)),
        "{from_json}"
    );
    // Text -> JSON gives the module back.
    let again = dir.join("again.air.json");
    ok(
        &air(&["convert".as_ref(), text.as_os_str(), again.as_os_str()]),
        "convert back",
    );
    let back = serial::read_path(&again).expect("reads");
    assert_eq!(back, crafted_matvec());
}

#[cfg(feature = "llvm")]
#[test]
fn the_header_of_hostile_names_compiles_and_links_against_the_mangled_symbols() {
    let dir = scratch("names", "header");
    let hostile = "); system(\"x\"); // */ \n#define int";
    let src = format!(
        "air 1 opset 1\n\
         func @{}(%x: f64[n]) -> (%\"*/ y\": f64[n]) {{\n  %0 = mul (%x, %x) : f64[n]\n  return %0\n}}\n\
         func @int(%x: f64[n]) -> (f64[n]) {{\n  %0 = add (%x, %x) : f64[n]\n  return %0\n}}\n",
        air_ir::text::quote(hostile)
    );
    let model = dir.join("h.air");
    std::fs::write(&model, &src).expect("model");
    let (lib, header) = (dir.join("libh.so"), dir.join("h.h"));
    ok(
        &air(&[
            "compile".as_ref(),
            model.as_os_str(),
            "-o".as_ref(),
            lib.as_os_str(),
            "--header".as_ref(),
            header.as_os_str(),
        ]),
        "compile",
    );
    let h = std::fs::read_to_string(&header).expect("header");
    let mangled = format!("h_{}", air_ir::name::c_mangle(hostile));
    assert!(h.contains(&format!("int32_t {mangled}(")), "{h}");
    assert!(h.contains("int32_t h_int("), "{h}");
    assert!(!h.contains("system(\"x\")"), "{h}");
    let nm = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .expect("nm");
    let symbols = ok(&nm, "nm");
    assert!(
        symbols.contains(&mangled) && symbols.contains("h_int"),
        "{symbols}"
    );
    let program = format!(
        "#include <stdio.h>\n#include \"h.h\"\n\
         int main(void) {{\n\
           double x[2] = {{1, 3}};\n\
           int64_t s[1] = {{2}}, st[1] = {{8}}, ys[1], yst[1];\n\
           air_tensor p[1] = {{{{x, s, st, 1, AIR_F64}}}};\n\
           air_tensor r[1] = {{{{NULL, ys, yst, 1, AIR_F64}}}};\n\
           air_error e = {{0}};\n\
           if ({mangled}(p, r, &e) != 0) return 1;\n\
           printf(\"%g %g\", ((double *)r[0].data)[0], ((double *)r[0].data)[1]);\n\
           h_free(r[0].data);\n r[0].data = NULL;\n\
           if (h_int(p, r, &e) != 0) return 1;\n\
           printf(\" %g %g\\n\", ((double *)r[0].data)[0], ((double *)r[0].data)[1]);\n\
           h_free(r[0].data);\n\
           return 0;\n}}\n"
    );
    std::fs::write(dir.join("main.c"), program).expect("program");
    let syntax = Command::new("cc")
        .args(["-fsyntax-only", "-std=c11", "-Wall", "-Werror", "-x", "c"])
        .arg(&header)
        .output()
        .expect("cc");
    ok(&syntax, "cc -fsyntax-only header");
    let exe = dir.join("main");
    let cc = Command::new("cc")
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(&dir)
        .arg(dir.join("main.c"))
        .arg("-o")
        .arg(&exe)
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", dir.display()))
        .output()
        .expect("cc");
    ok(&cc, "cc");
    let run = Command::new(&exe).output().expect("program runs");
    assert_eq!(ok(&run, "program"), "1 9 2 6\n");
}

/// Functions named like the runtime's symbols (`air_free`, `air_rt_alloc`, `air_llvm_fail` once
/// prefixed with `air_`) run under the JIT and give the numbers of the same function named
/// `@matvec` (bit for bit: the same code, only the symbol differs).
#[cfg(feature = "llvm")]
#[test]
fn functions_named_like_runtime_symbols_run_under_the_jit() {
    let dir = scratch("names", "jit");
    let inputs = root().join("docs/examples/libraries/matvec/inputs.npz");
    let mut reference = None;
    for name in ["matvec", "free", "rt_alloc", "llvm_fail", "matvec.loop0"] {
        let mut m = crafted_matvec();
        m.functions[0].name = name.to_string();
        let path = dir.join(format!("{name}.air.json"));
        std::fs::write(&path, serial::write(&m, Format::Json)).expect("module");
        let run = |backend: &str| {
            ok(
                &air(&[
                    "run".as_ref(),
                    path.as_os_str(),
                    "--inputs".as_ref(),
                    inputs.as_os_str(),
                    "--backend".as_ref(),
                    backend.as_ref(),
                ]),
                &format!("run @{name} with {backend}"),
            )
        };
        let got = run("llvm");
        assert!(got.starts_with("y: f64[3]\n"), "{got}");
        match &reference {
            None => reference = Some(got),
            Some(want) => assert_eq!(&got, want, "@{name}"),
        }
    }
}
