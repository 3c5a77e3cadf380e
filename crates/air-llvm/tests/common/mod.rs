//! Helpers shared by the tests: parse a module, run it compiled and interpreted, compare.
#![allow(dead_code)]

use air_ir::Module;
use air_llvm::{compile_cached, Options};
use air_value::{RunError, Tensor};

/// Parses the text form (panics on a bad test module).
pub fn parse(text: &str) -> Module {
    air_ir::text::parse(text, "test.air").unwrap_or_else(|d| panic!("bad test module: {d}\n{text}"))
}

/// Runs `function` compiled.
pub fn run_llvm(
    m: &Module,
    function: &str,
    inputs: &[(&str, Tensor)],
) -> Result<Vec<(String, Tensor)>, RunError> {
    let compiled =
        compile_cached(m, &Options::default()).unwrap_or_else(|d| panic!("compile failed: {d}"));
    let inputs: Vec<(String, Tensor)> = inputs
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect();
    compiled.call(function, &inputs)
}

/// Runs `function` in the interpreter.
pub fn run_interp(
    m: &Module,
    function: &str,
    inputs: &[(&str, Tensor)],
) -> Result<Vec<(String, Tensor)>, RunError> {
    let inputs: Vec<(String, Tensor)> = inputs
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect();
    air_interp::run(m, function, &inputs)
}

/// Runs both and checks the outputs agree: bit for bit (NaNs as NaNs) when `tol` is 0, else
/// within a relative tolerance.
pub fn agree(text: &str, inputs: &[(&str, Tensor)], tol: f64) {
    let m = parse(text);
    let f = m
        .functions
        .last()
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let want = run_interp(&m, &f, inputs).unwrap_or_else(|e| panic!("interp failed: {e}\n{text}"));
    let got = run_llvm(&m, &f, inputs).unwrap_or_else(|e| panic!("llvm failed: {e}\n{text}"));
    assert_eq!(got.len(), want.len(), "{text}");
    for ((gn, g), (wn, w)) in got.iter().zip(&want) {
        assert_eq!(gn, wn);
        if tol == 0.0 {
            let same = g.bits_eq(w) || air_value::check_close(g, w, 0.0, 0.0).is_ok();
            assert!(same, "{gn}: llvm {g:?}\ninterp {w:?}\n{text}");
        } else if let Err(e) = air_value::check_close(g, w, tol, tol) {
            panic!("{gn}: {e}\nllvm {g:?}\ninterp {w:?}\n{text}");
        }
    }
}

/// Checks both fail with the same code.
pub fn both_fail(text: &str, inputs: &[(&str, Tensor)], code: air_ir::Code) {
    let m = parse(text);
    let f = m
        .functions
        .last()
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let want = run_interp(&m, &f, inputs).expect_err("interp should fail");
    let got = run_llvm(&m, &f, inputs).expect_err("llvm should fail");
    assert_eq!(want.code, code, "interp: {want}");
    assert_eq!(got.code, code, "llvm: {got}");
}

/// An f64 tensor of `shape` from a vec.
pub fn f64s(shape: &[usize], v: Vec<f64>) -> Tensor {
    Tensor::from_vec(shape, v).expect("shape fits")
}

/// `n` pseudo-random floats in [-scale, scale).
pub fn random(n: usize, seed: u64, scale: f64) -> Vec<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * scale
        })
        .collect()
}
