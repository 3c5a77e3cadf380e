//! Memory in compiled code (issue 12, items 8 and 9): run-time dims computed with overflow checks,
//! and `CompiledModule::call_with`'s budget over what the call allocates, on every thread.

mod common;

use air_ir::Code;
use air_llvm::{compile_cached, Options};
use air_value::{RunOptions, Tensor};
use common::*;

/// `%y` is `filter`'s result (a fresh dim: allocated by the runtime op, not before the call),
/// then doubled in a buffer of the same length: two blocks of 8 bytes per kept element.
const FILTER: &str = "air 1 opset 1
func @f(%x: f64[n]) -> (%y: f64[k]) {
  %z = constant {value = f64 0.0} () : f64
  %zb = broadcast {shape = [n], dims = []} (%z) : f64[n]
  %m = gt (%x, %zb) : bool[n]
  %f = filter (%x, %m) : f64[k]
  %y = add (%f, %f) : f64[k]
  return %y
}";

fn call(text: &str, threads: usize, x: Tensor, budget: Option<u64>) -> air_value::Result<Tensor> {
    let m = parse(text);
    let opts = Options {
        threads,
        ..Options::default()
    };
    let compiled = compile_cached(&m, &opts).unwrap_or_else(|d| panic!("{d}"));
    let run = RunOptions {
        max_memory: budget,
        ..RunOptions::default()
    };
    let mut out = compiled.call_with("f", &[("x".to_string(), x)], &run)?;
    Ok(out.remove(0).1)
}

#[test]
fn a_callee_allocated_result_over_the_budget_is_e0508() {
    let n = 1 << 16; // 512 KiB kept
    let x = f64s(&[n], vec![1.0; n]);
    for threads in [1, 4] {
        let e = call(FILTER, threads, x.clone(), Some(256 << 10)).expect_err("over the budget");
        assert_eq!(e.code, Code::TooLarge, "threads={threads}: {e}");
        assert!(e.message.contains("524288 bytes"), "{e}");
        // The filter's block and the result's block together: 1 MiB (and a little for the mask).
        let y = call(FILTER, threads, x.clone(), Some(2 << 20)).expect("fits");
        assert_eq!(y.shape(), &[n]);
        let y = call(FILTER, threads, x.clone(), None).expect("no budget");
        assert_eq!(y.shape(), &[n]);
    }
}

#[test]
fn a_dim_that_overflows_is_e0506_with_the_symbol_values() {
    let n32 = vec!["n"; 32].join("*");
    let text = format!(
        "air 1 opset 1\nfunc @f(%x: f64[n]) -> (%y: f64[{n32}+5]) {{\n  \
         %y = full {{value = f64 1.0, shape = [{n32}+5]}} () : f64[{n32}+5]\n  return %y\n}}"
    );
    let e = call(&text, 1, f64s(&[4], vec![0.0; 4]), None).expect_err("2^64 + 5");
    assert_eq!(e.code, Code::BadExtent, "{e}");
    assert!(e.message.contains("overflows i64 with n = 4"), "{e}");
    // Two symbols: both values are named.
    let nm = format!("{}*m", vec!["n"; 31].join("*"));
    let text = format!(
        "air 1 opset 1\nfunc @f(%x: f64[n], %w: f64[m]) -> (%y: f64[{nm}]) {{\n  \
         %y = full {{value = f64 1.0, shape = [{nm}]}} () : f64[{nm}]\n  return %y\n}}"
    );
    let m = parse(&text);
    let compiled = compile_cached(&m, &Options::default()).unwrap_or_else(|d| panic!("{d}"));
    let inputs = [
        ("x".to_string(), f64s(&[4], vec![0.0; 4])),
        ("w".to_string(), f64s(&[8], vec![0.0; 8])),
    ];
    let e = compiled.call("f", &inputs).expect_err("4^31 * 8 = 2^65");
    assert_eq!(e.code, Code::BadExtent, "{e}");
    assert!(e.message.contains("with m = 8, n = 4"), "{e}");
    // 4^31 * 1 = 2^62 fits (and is refused as too large to allocate, not wrapped).
    let inputs = [
        ("x".to_string(), f64s(&[4], vec![0.0; 4])),
        ("w".to_string(), f64s(&[1], vec![0.0; 1])),
    ];
    let e = compiled.call("f", &inputs).expect_err("2^62 elements");
    assert_eq!(e.code, Code::TooLarge, "{e}");
}
