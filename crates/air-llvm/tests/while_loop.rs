//! `while` (op set 2) compiled, against the interpreter: zero and many iterations, carried arrays
//! and captured values, a while in a for and in a while, a run-time error in the body; the
//! interpreter's iteration limit is refused by `call_with` (E0505).

mod common;

use air_ir::Code;
use air_llvm::{compile_cached, Options};
use air_value::{RunOptions, Tensor};
use common::*;

/// Halves `x` while its sum exceeds `limit`; `k` counts the halvings; `%acc` adds the captured
/// `y` at each turn.
const HALVE: &str = "air 1 opset 2
func @main(%x: f64[n], %y: f64[n], %limit: f64) -> (%h: f64[n], %k: i64, %acc: f64[n]) {
  %zero = constant {value = i64 0} () : i64
  %r:3 = while (%x, %zero, %x, %limit, %y) : (f64[n], i64, f64[n]) {
    (%x0: f64[n], %k0: i64, %a0: f64[n], %l0: f64, %y0: f64[n]):
    %s = reduce_sum {axes = [0]} (%x0) : f64
    %go = gt (%s, %l0) : bool
    yield %go
  } {
    (%x1: f64[n], %k1: i64, %a1: f64[n], %l1: f64, %y1: f64[n]):
    %h = constant {value = f64 0.5} () : f64
    %hb = broadcast {shape = [n], dims = []} (%h) : f64[n]
    %x2 = mul (%x1, %hb) : f64[n]
    %one = constant {value = i64 1} () : i64
    %k2 = add (%k1, %one) : i64
    %a2 = add (%a1, %y1) : f64[n]
    yield %x2, %k2, %a2
  }
  return %r#0, %r#1, %r#2
}";

#[test]
fn a_while_with_carried_arrays_and_captured_values() {
    for (n, limit) in [(5usize, 1e9), (5, 3.0), (9, 0.25), (0, 1.0)] {
        agree(
            HALVE,
            &[
                (
                    "x",
                    f64s(
                        &[n],
                        random(n, 3, 4.0).iter().map(|v| v.abs() + 1.0).collect(),
                    ),
                ),
                ("y", f64s(&[n], random(n, 5, 1.0))),
                ("limit", Tensor::scalar(limit)),
            ],
            0.0,
        );
    }
}

/// Sum over `i < k` of the Collatz step counts of `i + 1`: a while in the body of a for.
const NESTED: &str = "air 1 opset 2
func @main(%k: i64) -> (%t: i64) {
  %lo = constant {value = i64 0} () : i64
  %one = constant {value = i64 1} () : i64
  %t0 = constant {value = i64 0} () : i64
  %t = for (%lo, %k, %one, %t0) : i64 {
    (%i: i64, %acc: i64):
    %uno = constant {value = i64 1} () : i64
    %v0 = add (%i, %uno) : i64
    %c0 = constant {value = i64 0} () : i64
    %w:2 = while (%v0, %c0) : (i64, i64) {
      (%v: i64, %c: i64):
      %u = constant {value = i64 1} () : i64
      %go = ne (%v, %u) : bool
      yield %go
    } {
      (%v: i64, %c: i64):
      %two = constant {value = i64 2} () : i64
      %three = constant {value = i64 3} () : i64
      %u = constant {value = i64 1} () : i64
      %z = constant {value = i64 0} () : i64
      %r = rem (%v, %two) : i64
      %even = eq (%r, %z) : bool
      %half = floor_div (%v, %two) : i64
      %v3 = mul (%v, %three) : i64
      %up = add (%v3, %u) : i64
      %next = select (%even, %half, %up) : i64
      %c2 = add (%c, %u) : i64
      yield %next, %c2
    }
    %acc2 = add (%acc, %w#1) : i64
    yield %acc2
  }
  return %t
}";

#[test]
fn a_while_nested_in_a_for() {
    for k in [0i64, 1, 2, 30] {
        agree(NESTED, &[("k", Tensor::scalar(k))], 0.0);
    }
    let out = run_llvm(&parse(NESTED), "main", &[("k", Tensor::scalar(2i64))]).expect("runs");
    // Collatz steps of 1 and 2: 0 + 1.
    assert_eq!(out[0].1, Tensor::scalar(1i64));
}

/// A while whose body reads `x[i]` while `i < j`: E0503 when `j` passes the end.
const INDEXED: &str = "air 1 opset 2
func @main(%x: f64[n], %j: i64) -> (%s: f64) {
  %i0 = constant {value = i64 0} () : i64
  %s0 = constant {value = f64 0.0} () : f64
  %r:2 = while (%i0, %s0, %x, %j) : (i64, f64) {
    (%i: i64, %s: f64, %xs: f64[n], %jj: i64):
    %go = lt (%i, %jj) : bool
    yield %go
  } {
    (%i: i64, %s: f64, %xs: f64[n], %jj: i64):
    %xi = extract (%xs, %i) : f64
    %s2 = add (%s, %xi) : f64
    %one = constant {value = i64 1} () : i64
    %i2 = add (%i, %one) : i64
    yield %i2, %s2
  }
  return %r#1
}";

#[test]
fn a_body_error_is_the_interpreters() {
    let x = || f64s(&[4], random(4, 9, 2.0));
    agree(INDEXED, &[("x", x()), ("j", Tensor::scalar(4i64))], 0.0);
    agree(INDEXED, &[("x", x()), ("j", Tensor::scalar(-3i64))], 0.0);
    both_fail(
        INDEXED,
        &[("x", x()), ("j", Tensor::scalar(6i64))],
        Code::IndexOutOfRange,
    );
}

#[test]
fn call_with_refuses_an_iteration_limit() {
    let compiled = compile_cached(&parse(INDEXED), &Options::default()).expect("compiles");
    let inputs = [
        ("x".to_string(), f64s(&[4], random(4, 9, 2.0))),
        ("j".to_string(), Tensor::scalar(4i64)),
    ];
    let opts = RunOptions {
        max_while_iterations: Some(10),
        ..RunOptions::default()
    };
    let e = compiled
        .call_with("main", &inputs, &opts)
        .expect_err("an interpreter option");
    assert_eq!(e.code, Code::Unsupported, "{e}");
    assert!(e.message.contains("max_while_iterations"), "{e}");
    compiled
        .call_with("main", &inputs, &RunOptions::default())
        .expect("without it the call runs");
}
