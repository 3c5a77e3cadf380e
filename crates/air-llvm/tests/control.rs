//! `for`, `if`, `call` and `custom` through decompositions, against the interpreter; custom ops
//! without one are rejected at compile time, all of them listed.

mod common;

use air_ir::Code;
use air_value::Tensor;
use common::*;

#[test]
fn for_loop_with_carried_and_captured_values() {
    let text = "air 1 opset 1
func @main(%x: f64[n], %k: i64) -> (%s: f64, %m: f64, %acc: f64[n]) {
  %lo = constant {value = i64 0} () : i64
  %one = constant {value = i64 1} () : i64
  %s0 = constant {value = f64 0.0} () : f64
  %m0 = constant {value = f64 -inf} () : f64
  %r:3 = for (%lo, %k, %one, %s0, %m0, %x, %x) : (f64, f64, f64[n]) {
    (%i: i64, %acc: f64, %mx: f64, %v: f64[n], %xs: f64[n]):
    %xi = extract (%xs, %i) : f64
    %acc2 = add (%acc, %xi) : f64
    %mx2 = max (%mx, %xi) : f64
    %rev = slice {axes = [::-1]} (%v) : f64[n]
    %v2 = add (%rev, %xs) : f64[n]
    yield %acc2, %mx2, %v2
  }
  return %r#0, %r#1, %r#2
}";
    for k in [0i64, 1, 4, 7] {
        agree(
            text,
            &[
                ("x", f64s(&[7], random(7, 4, 3.0))),
                ("k", Tensor::scalar(k)),
            ],
            0.0,
        );
    }
}

#[test]
fn for_loop_counting_down_and_step_zero() {
    let text = "air 1 opset 1
func @main(%lo: i64, %hi: i64, %step: i64) -> (%n: i64) {
  %z = constant {value = i64 0} () : i64
  %c = for (%lo, %hi, %step, %z) : (i64) {
    (%i: i64, %acc: i64):
    %t = mul (%acc, %i) : i64
    %u = add (%t, %i) : i64
    yield %u
  }
  return %c
}";
    for (lo, hi, step) in [
        (10i64, 0i64, -3i64),
        (0, 10, 3),
        (5, 5, 1),
        (i64::MAX - 2, i64::MAX, 5),
        (3, -2, -1),
    ] {
        let inputs = [
            ("lo", Tensor::scalar(lo)),
            ("hi", Tensor::scalar(hi)),
            ("step", Tensor::scalar(step)),
        ];
        agree(text, &inputs, 0.0);
    }
    let inputs = [
        ("lo", Tensor::scalar(0i64)),
        ("hi", Tensor::scalar(3i64)),
        ("step", Tensor::scalar(0i64)),
    ];
    both_fail(text, &inputs, Code::BadExtent);
}

#[test]
fn if_runs_one_branch() {
    let text = "air 1 opset 1
func @main(%c: bool, %x: f64[n], %i: i64) -> (%r: f64[n], %e: f64) {
  %q:2 = if (%c, %x, %i) : (f64[n], f64) {
    (%a: f64[n], %j: i64):
    %t = neg (%a) : f64[n]
    %v = extract (%a, %j) : f64
    yield %t, %v
  } {
    (%b: f64[n], %k: i64):
    %w = constant {value = f64 1.5} () : f64
    yield %b, %w
  }
  return %q#0, %q#1
}";
    for c in [true, false] {
        let inputs = [
            ("c", Tensor::scalar(c)),
            ("x", f64s(&[4], random(4, 2, 1.0))),
            ("i", Tensor::scalar(-1i64)),
        ];
        agree(text, &inputs, 0.0);
    }
    // The else branch never reads out of range: only the taken branch runs.
    let inputs = [
        ("c", Tensor::scalar(false)),
        ("x", f64s(&[4], random(4, 2, 1.0))),
        ("i", Tensor::scalar(99i64)),
    ];
    agree(text, &inputs, 0.0);
    let inputs = [
        ("c", Tensor::scalar(true)),
        ("x", f64s(&[4], random(4, 2, 1.0))),
        ("i", Tensor::scalar(99i64)),
    ];
    both_fail(text, &inputs, Code::IndexOutOfRange);
}

#[test]
fn calls_custom_ops_and_out_params() {
    let text = "air 1 opset 1

func @softplus_ref(%x: f64[n]) -> (%y: f64[n]) {
  %e = exp (%x) : f64[n]
  %y = log1p (%e) : f64[n]
  return %y
}

func @scale(%x: f64[k], out %y: f64[k], inout %acc: f64) -> (%s: f64) {
  %two = constant {value = f64 2.0} () : f64
  %tb = broadcast {shape = [k], dims = []} (%two) : f64[k]
  %d = mul (%x, %tb) : f64[k]
  %s = reduce_sum {axes = [0]} (%x) : f64
  %a2 = add (%acc, %s) : f64
  return %s, %d, %a2
}

func @main(%a: f64[m], %z: f64) -> (%r: f64[m], %s: f64, %d: f64[m], %acc: f64) {
  %r = custom {domain = \"mylib\", name = \"softplus\", decomposition = @softplus_ref} (%a) : f64[m]
  %c:3 = call {callee = @scale} (%r, %z) : (f64, f64[m], f64)
  return %r, %c#0, %c#1, %c#2
}";
    agree(
        text,
        &[
            ("a", f64s(&[5], random(5, 8, 2.0))),
            ("z", Tensor::scalar(0.25f64)),
        ],
        1e-15,
    );
    let m = parse(text);
    // The callee on its own: its out parameter allocated, its inout parameter returned.
    let got = run_llvm(
        &m,
        "scale",
        &[
            ("x", f64s(&[3], vec![1.0, 2.0, 3.0])),
            ("acc", Tensor::scalar(1.0f64)),
        ],
    )
    .expect("runs");
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["s", "y", "acc"]);
    assert_eq!(got[1].1, f64s(&[3], vec![2.0, 4.0, 6.0]));
    assert_eq!(got[2].1, Tensor::scalar(7.0f64));
}

#[test]
fn custom_ops_without_decomposition_are_all_listed() {
    let text = "air 1 opset 1
func @main(%a: f64[m]) -> (%r: f64[m]) {
  %p = custom {domain = \"mylib\", name = \"one\"} (%a) : f64[m]
  %r = custom {domain = \"mylib\", name = \"two\"} (%p) : f64[m]
  return %r
}";
    let m = parse(text);
    let err = air_llvm::compile(&m, &air_llvm::Options::default())
        .err()
        .expect("rejected");
    let e0407: Vec<_> = err
        .0
        .iter()
        .filter(|d| d.code == Code::NoDecomposition)
        .collect();
    assert_eq!(e0407.len(), 2, "{err}");
    assert!(err.to_string().contains("mylib.one") && err.to_string().contains("mylib.two"));
}

#[test]
fn wide_dtypes_compile_inside_a_chain() {
    // f16 and c128 were once rejected (E0505); they are generated now (`tests/wide_dtypes.rs`).
    let text = "air 1 opset 1
func @main(%a: f64[m]) -> (%r: f64[m]) {
  %h = cast {dtype = f16} (%a) : f16[m]
  %c = cast {dtype = c128} (%a) : c128[m]
  %r = cast {dtype = f64} (%h) : f64[m]
  return %r
}";
    agree(text, &[("a", f64s(&[5], random(5, 3, 100.0)))], 0.0);
}
