//! The codes that once shared `E0505`, each triggered through the `air` command: `E0505` was a
//! backend lacking a dtype (`f16`; the LLVM backend now generates every dtype, so the test checks
//! that it compiles, and `E0505` is left to constructs a backend does not generate, such as an
//! interpreter-only option: `air-llvm`'s `while_loop` tests), `E0507` an export the target format cannot express, `E0508` a
//! tensor too large to allocate (interpreter and LLVM backend). `E0509`, an internal error, has
//! no input that triggers it on purpose; `air-rt`'s `ffi` tests check a panic becomes it.

mod common;

use common::{air, fails_with, scratch};

#[test]
fn an_export_the_format_cannot_express_is_e0507() {
    let dir = scratch("codes", "e0507");
    let model = dir.join("c.air");
    std::fs::write(
        &model,
        "air 1 opset 1\nfunc @main(%z: c128[n]) -> (%y: c128[n]) {\n  %y = neg (%z) : c128[n]\n  return %y\n}\n",
    )
    .expect("model");
    let out_file = dir.join("c.srepr");
    let out = air(&[
        "convert",
        &model.to_string_lossy(),
        &out_file.to_string_lossy(),
    ]);
    let stderr = fails_with(&out, "E0507");
    assert!(stderr.contains("SymPy cannot express it"), "{stderr}");
    assert!(!out_file.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tensor_too_large_to_allocate_is_e0508() {
    let dir = scratch("codes", "e0508");
    let model = dir.join("big.air");
    // 10^10 f64 elements: more than the interpreter's 2^32 and than the JIT's 64 GiB.
    std::fs::write(
        &model,
        "air 1 opset 1\nfunc @main(%x: f64) -> (%y: f64[100000, 100000]) {\n  \
         %y = broadcast {shape = [100000, 100000], dims = []} (%x) : f64[100000, 100000]\n  \
         return %y\n}\n",
    )
    .expect("model");
    let inputs = dir.join("in.npz");
    air_interp::npz::write_npz(
        &inputs,
        &[("x".to_string(), air_interp::Tensor::scalar(1.0f64))],
    )
    .expect("inputs");
    let (m, i) = (model.to_string_lossy(), inputs.to_string_lossy());
    let mut backends = vec!["interp"];
    if cfg!(feature = "llvm") {
        backends.push("llvm");
    }
    for backend in backends {
        let out = air(&["run", &m, "--inputs", &i, "--backend", backend]);
        let stderr = fails_with(&out, "E0508");
        assert!(!stderr.contains("panicked"), "{backend}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "llvm")]
#[test]
fn a_dtype_the_backend_once_lacked_compiles() {
    let dir = scratch("codes", "e0505");
    let model = dir.join("h.air");
    std::fs::write(
        &model,
        "air 1 opset 1\nfunc @h(%x: f16[n]) -> (f16[n]) {\n  return %x\n}\n",
    )
    .expect("model");
    let object = dir.join("h.o");
    let out = air(&[
        "compile",
        &model.to_string_lossy(),
        "-o",
        &object.to_string_lossy(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(object.exists());
    let _ = std::fs::remove_dir_all(&dir);
}
