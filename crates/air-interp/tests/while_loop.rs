//! `while` (spec 3.8, op set 2) on the interpreter: the spec example against the same loop in
//! Python's floats, zero iterations, and the iteration limit (`RunOptions::max_while_iterations`,
//! E0510 naming the node).

use air_interp::{run, run_with, RunOptions, Tensor};
use air_ir::Code;

fn module(text: &str) -> air_ir::Module {
    air_ir::text::parse(text, "m.air").unwrap_or_else(|d| panic!("{}", d.0[0]))
}

fn inputs(pairs: &[(&str, Tensor)]) -> Vec<(String, Tensor)> {
    pairs
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect()
}

/// The example of spec 3.8 `while`: Newton's iteration for sqrt(a).
const NEWTON: &str = "air 1 opset 2
func @main(%a: f64, %tol: f64) -> (%x: f64, %steps: i64) {
  %one = constant {value = i64 1} () : i64
  %zero = constant {value = i64 0} () : i64
  %big = constant {value = f64 inf} () : f64
  %r:3 = while (%a, %big, %zero, %a, %tol) : (f64, f64, i64) {
    (%x0: f64, %d0: f64, %k0: i64, %a0: f64, %t0: f64):
    %more = gt (%d0, %t0) : bool
    yield %more
  } {
    (%x1: f64, %d1: f64, %k1: i64, %a1: f64, %t1: f64):
    %q = div (%a1, %x1) : f64
    %s = add (%x1, %q) : f64
    %half = constant {value = f64 0.5} () : f64
    %x2 = mul (%s, %half) : f64
    %diff = sub (%x1, %x2) : f64
    %d2 = abs (%diff) : f64
    %one1 = constant {value = i64 1} () : i64
    %k2 = add (%k1, %one1) : i64
    yield %x2, %d2, %k2
  }
  return %r#0, %r#2
}
";

/// The same loop in IEEE f64, as Python runs it.
fn newton(a: f64, tol: f64) -> (f64, i64) {
    let (mut x, mut d, mut k) = (a, f64::INFINITY, 0);
    while d > tol {
        let x2 = (x + a / x) * 0.5;
        d = (x - x2).abs();
        x = x2;
        k += 1;
    }
    (x, k)
}

#[test]
fn the_spec_example_computes_what_the_loop_computes() {
    let m = module(NEWTON);
    for a in [2.0, 9.0, 1e-6, 12345.678] {
        let out = run(
            &m,
            "main",
            &inputs(&[("a", Tensor::scalar(a)), ("tol", Tensor::scalar(1e-12))]),
        )
        .expect("runs");
        let (x, k) = newton(a, 1e-12);
        assert_eq!(out[0], ("x".to_string(), Tensor::scalar(x)), "a = {a}");
        assert_eq!(out[1], ("steps".to_string(), Tensor::scalar(k)), "a = {a}");
    }
    // The comment of the spec example.
    let out = run(
        &m,
        "main",
        &inputs(&[("a", Tensor::scalar(2.0)), ("tol", Tensor::scalar(1e-12))]),
    )
    .expect("runs");
    // 1.414213562373095: Newton's last iterate is one ulp below the correctly rounded sqrt(2).
    let x = std::f64::consts::SQRT_2 - f64::EPSILON;
    assert_eq!(out[0].1, Tensor::scalar(x));
    assert_eq!(out[1].1, Tensor::scalar(6i64));
}

/// Halves `x` (an `f64[n]`) while its sum exceeds `limit`; counts the halvings.
const HALVE: &str = "air 1 opset 2
func @main(%x: f64[n], %limit: f64) -> (%y: f64[n], %k: i64) {
  %zero = constant {value = i64 0} () : i64
  %r:2 = while (%x, %zero, %limit) : (f64[n], i64) {
    (%x0: f64[n], %k0: i64, %l0: f64):
    %s = reduce_sum {axes = [0]} (%x0) : f64
    %go = gt (%s, %l0) : bool
    yield %go
  } {
    (%x1: f64[n], %k1: i64, %l1: f64):
    %h = constant {value = f64 0.5} () : f64
    %hb = broadcast {shape = [n], dims = []} (%h) : f64[n]
    %x2 = mul (%x1, %hb) : f64[n]
    %one = constant {value = i64 1} () : i64
    %k2 = add (%k1, %one) : i64
    yield %x2, %k2
  }
  return %r#0, %r#1
}
";

fn halve_inputs(limit: f64) -> Vec<(String, Tensor)> {
    let x = Tensor::from_vec(&[3], vec![4.0f64, 8.0, 20.0]).expect("tensor");
    inputs(&[("x", x), ("limit", Tensor::scalar(limit))])
}

#[test]
fn zero_iterations_give_the_carried_operands() {
    let m = module(HALVE);
    let out = run(&m, "main", &halve_inputs(100.0)).expect("runs");
    assert_eq!(out[0].1, halve_inputs(100.0)[0].1);
    assert_eq!(out[1].1, Tensor::scalar(0i64));
}

#[test]
fn a_carried_array_is_updated_until_the_condition_fails() {
    let m = module(HALVE);
    // 32 -> 16 -> 8 -> 4: three halvings to reach a sum <= 5.
    let out = run(&m, "main", &halve_inputs(5.0)).expect("runs");
    let want = Tensor::from_vec(&[3], vec![0.5f64, 1.0, 2.5]).expect("tensor");
    assert_eq!(out[0].1, want);
    assert_eq!(out[1].1, Tensor::scalar(3i64));
}

fn limited(n: u64) -> RunOptions {
    RunOptions {
        max_while_iterations: Some(n),
        ..RunOptions::default()
    }
}

#[test]
fn the_iteration_limit_allows_exactly_n_body_runs() {
    let m = module(HALVE);
    // Three iterations are needed: a limit of 3 passes, 2 fails with E0510 naming the node.
    let ok = run_with(&m, "main", &halve_inputs(5.0), &limited(3)).expect("within the limit");
    assert_eq!(ok, run(&m, "main", &halve_inputs(5.0)).expect("no limit"));
    let e = run_with(&m, "main", &halve_inputs(5.0), &limited(2)).expect_err("past it");
    assert_eq!(e.code, Code::IterationLimit, "{e}");
    assert_eq!(e.op, Some("while"), "{e}");
    assert_eq!(e.node_name.as_deref(), Some("r"), "{e}");
    assert!(e.message.contains("after 2 iterations"), "{e}");
    // A limit of 0 still runs loops that do not iterate.
    run_with(&m, "main", &halve_inputs(100.0), &limited(0)).expect("zero iterations");
}

#[test]
fn an_endless_loop_fails_under_a_limit() {
    let text = "air 1 opset 2
func @main(%k: i64) -> (%r: i64) {
  %w = while (%k) : i64 {
    (%k0: i64):
    %t = constant {value = bool true} () : bool
    yield %t
  } {
    (%k1: i64):
    %one = constant {value = i64 1} () : i64
    %k2 = add (%k1, %one) : i64
    yield %k2
  }
  return %w
}
";
    let m = module(text);
    let e = run_with(
        &m,
        "main",
        &inputs(&[("k", Tensor::scalar(0i64))]),
        &limited(1000),
    )
    .expect_err("endless");
    assert_eq!(e.code, Code::IterationLimit, "{e}");
    assert_eq!(e.node_name.as_deref(), Some("w"), "{e}");
}

#[test]
fn the_limit_counts_each_execution_of_a_nested_while_afresh() {
    // An outer for of 4 turns, each running an inner while of 3 iterations: 12 in all, but a
    // limit of 3 holds since it counts one execution of the node.
    let text = "air 1 opset 2
func @main(%k: i64) -> (%r: i64) {
  %lo = constant {value = i64 0} () : i64
  %hi = constant {value = i64 4} () : i64
  %one = constant {value = i64 1} () : i64
  %r = for (%lo, %hi, %one, %k) : i64 {
    (%i: i64, %acc: i64):
    %z = constant {value = i64 0} () : i64
    %w:2 = while (%acc, %z) : (i64, i64) {
      (%a0: i64, %c0: i64):
      %three = constant {value = i64 3} () : i64
      %go = lt (%c0, %three) : bool
      yield %go
    } {
      (%a1: i64, %c1: i64):
      %one1 = constant {value = i64 1} () : i64
      %a2 = add (%a1, %one1) : i64
      %c2 = add (%c1, %one1) : i64
      yield %a2, %c2
    }
    yield %w#0
  }
  return %r
}
";
    let m = module(text);
    let k = inputs(&[("k", Tensor::scalar(5i64))]);
    let out = run_with(&m, "main", &k, &limited(3)).expect("3 per execution");
    assert_eq!(out[0].1, Tensor::scalar(17i64));
    let e = run_with(&m, "main", &k, &limited(2)).expect_err("past it");
    assert_eq!(e.code, Code::IterationLimit, "{e}");
}
