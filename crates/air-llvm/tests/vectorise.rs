//! The contiguous fused kernel is vectorised with glibc's libmvec, and compiles quickly.
mod common;
use common::*;

const FUSED: &str = "air 1 opset 1
func @fused(%a: f64[n], %b: f64[n], %c: f64[n]) -> (%y: f64[n]) {
  %ab = mul (%a, %b) : f64[n]
  %s = sin (%c) : f64[n]
  %na = neg (%a) : f64[n]
  %e = exp (%na) : f64[n]
  %se = mul (%s, %e) : f64[n]
  %y = add (%ab, %se) : f64[n]
  return %y
}";

#[test]
fn fused_kernel_calls_libmvec_and_compiles_fast() {
    let m = parse(FUSED);
    let options = air_llvm::Options {
        keep_ir: true,
        ..Default::default()
    };
    let compiled = air_llvm::compile(&m, &options).expect("compiles");
    let t = compiled.compile_times();
    println!(
        "fused kernel compile latency: {:?} (codegen {:?}, O3 {:?}, jit {:?})",
        t.total(),
        t.codegen,
        t.optimize,
        t.jit
    );
    let ir = compiled.ir().expect("kept IR");
    let avx2 = std::is_x86_feature_detected!("avx2");
    let want = if avx2 { "_ZGVdN4v_sin" } else { "_ZGVbN2v_sin" };
    assert!(ir.contains(want), "no {want} call in:\n{ir}");
    assert!(ir.contains("v_exp"), "exp is not vectorised either:\n{ir}");
    // And it computes the right thing on 1M elements.
    let n = 1 << 20;
    let inputs = [
        ("a", f64s(&[n], random(n, 1, 3.0))),
        ("b", f64s(&[n], random(n, 2, 3.0))),
        ("c", f64s(&[n], random(n, 3, 30.0))),
    ];
    let named: Vec<(String, air_value::Tensor)> = inputs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let got = compiled.call("fused", &named).expect("runs");
    let want = run_interp(&m, "fused", &inputs).expect("interp runs");
    air_value::check_close(&got[0].1, &want[0].1, 1e-13, 1e-13).expect("close to the interpreter");
}
