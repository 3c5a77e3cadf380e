//! Builds the runtime object that `air compile` links into every shared library, so that the
//! `air` binary (and `skair`) carry it and need no build tree at run time.
//!
//! With the `llvm` feature: `air-rt` is built as a release static library by a nested `cargo`
//! in a target directory of its own (`<target>/air-rt-embed`, shared by every profile; cargo's
//! lock there keeps concurrent builds apart), then reduced to one relocatable object
//! `air_rt.o`: `ld -r --gc-sections` keeps what the `air_*` entry points reach, `objcopy` drops
//! debug info and embedded LLVM bitcode and makes every symbol but `air_*` local (so Rust's std
//! inside never clashes with another library's). `src/aot.rs` embeds it with `include_bytes!`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_LLVM").is_none() {
        return;
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../..");
    for input in ["crates/air-rt", "crates/air-ir", "schema", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={}", root.join(input).display());
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let archive = build_static_runtime(&root, &embed_target_dir(&out_dir));
    let object = out_dir.join("air_rt.o");
    reduce_to_object(&archive, &out_dir.join("air_rt_full.o"), &object);
    println!("cargo:rustc-env=AIR_RT_OBJECT={}", object.display());
}

/// `<target>/air-rt-embed`: OUT_DIR is `<target>[/<triple>]/<profile>/build/<pkg>-<hash>/out`.
fn embed_target_dir(out_dir: &Path) -> PathBuf {
    let profile_dir = out_dir
        .ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "build"))
        .and_then(Path::parent)
        .expect("OUT_DIR lies under <target>/<profile>/build");
    profile_dir
        .parent()
        .expect("a target directory above the profile")
        .join("air-rt-embed")
}

/// `cargo build --release -p air-rt --lib` into `target_dir`; the static library's path.
fn build_static_runtime(root: &Path, target_dir: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = Command::new(&cargo)
        .current_dir(root)
        .args(["build", "--release", "--locked", "-p", "air-rt", "--lib"])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        // `cargo clippy` sets it for the outer build: the runtime is built the same either way.
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        // `cargo fuzz` instruments the outer build (sanitizer coverage, ASan): the embedded
        // runtime is plain release code, which the instrumented proc macros could not build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .status()
        .unwrap_or_else(|e| panic!("cannot run `{cargo}` to build air-rt: {e}"));
    assert!(
        status.success(),
        "building air-rt's static library (for `air compile`) failed: {status}"
    );
    target_dir.join("release").join("libair_rt.a")
}

/// `ld -r --gc-sections` rooted at the archive's `air_*` functions, then `objcopy` without
/// debug info and bitcode, with only `air_*` global.
fn reduce_to_object(archive: &Path, full: &Path, object: &Path) {
    let listing = run(Command::new("nm")
        .args(["-g", "--defined-only"])
        .arg(archive));
    let mut roots: Vec<&str> = listing
        .lines()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, "T", name] if name.starts_with("air_") => Some(name),
            _ => None,
        })
        .collect();
    roots.sort_unstable();
    roots.dedup();
    assert!(
        roots.contains(&"air_free") && roots.contains(&"air_rt_alloc"),
        "{} defines no air_free/air_rt_alloc:\n{listing}",
        archive.display()
    );
    let mut ld = Command::new("ld");
    ld.args(["-r", "--gc-sections", "-o"]).arg(full);
    for r in &roots {
        ld.arg("-u").arg(r);
    }
    run(ld.arg(archive));
    run(Command::new("objcopy")
        .args([
            "--strip-debug",
            "--remove-section=.llvmbc",
            "--remove-section=.llvmcmd",
            "--wildcard",
            "--keep-global-symbol=air_*",
        ])
        .arg(full)
        .arg(object));
}

/// Runs `cmd`, panicking with its stderr on failure; its stdout.
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (binutils needed): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
