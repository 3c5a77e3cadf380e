//! Timing of the fused elementwise kernel `a*b + sin(c)*exp(-a)` on 10M f64, compiled and
//! interpreted, side by side (ignored by default: `cargo test --release -p air-llvm --test timing
//! -- --ignored --nocapture`).

mod common;

use std::time::{Duration, Instant};

use common::*;

fn stats(mut v: Vec<Duration>) -> String {
    v.sort();
    format!(
        "min {:?}, median {:?}, max {:?}",
        v[0],
        v[v.len() / 2],
        v[v.len() - 1]
    )
}

#[test]
#[ignore = "timing: run with --release --ignored --nocapture"]
fn fused_kernel_10m() {
    let text = "air 1 opset 1
func @fused(%a: f64[n], %b: f64[n], %c: f64[n]) -> (%y: f64[n]) {
  %ab = mul (%a, %b) : f64[n]
  %s = sin (%c) : f64[n]
  %na = neg (%a) : f64[n]
  %e = exp (%na) : f64[n]
  %se = mul (%s, %e) : f64[n]
  %y = add (%ab, %se) : f64[n]
  return %y
}";
    let m = parse(text);
    let n = 10_000_000;
    let inputs: Vec<(String, air_interp::Tensor)> = [("a", 1), ("b", 2), ("c", 3)]
        .iter()
        .map(|&(k, seed)| (k.to_string(), f64s(&[n], random(n, seed, 3.0))))
        .collect();
    let t = Instant::now();
    let compiled = air_llvm::compile(&m, &air_llvm::Options::default()).expect("compiles");
    println!(
        "compile (module -> callable): {:?} ({:?})",
        t.elapsed(),
        compiled.compile_times()
    );
    let (mut llvm, mut interp) = (Vec::new(), Vec::new());
    let mut last = None;
    for _ in 0..7 {
        let t = Instant::now();
        let out = compiled.call("fused", &inputs).expect("runs");
        llvm.push(t.elapsed());
        last = Some(out);
    }
    for _ in 0..3 {
        let t = Instant::now();
        let want = air_interp::run(&m, "fused", &inputs).expect("runs");
        interp.push(t.elapsed());
        if let Some(got) = &last {
            air_interp::check_close(&got[0].1, &want[0].1, 1e-13, 1e-13).expect("agree");
        }
    }
    println!("llvm   10M fused: {}", stats(llvm));
    println!("interp 10M fused: {}", stats(interp));
}
