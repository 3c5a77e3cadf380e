//! Fused elementwise groups are DAGs: a value used twice is emitted once (a doubling chain or a
//! Fibonacci-shaped DAG compiles in time linear in its nodes), and no walk over the group recurses
//! on its depth (a 30,000-node chain compiles on a 2 MiB stack). Results are checked against the
//! interpreter.

mod common;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use air_value::Tensor;
use common::*;

/// Runs `f` on a thread with a 2 MiB stack and fails if it does not finish within `limit` (a
/// guard against the exponential blow-up, not a timing).
fn on_small_stack(limit: Duration, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let h = thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            f();
            let _ = tx.send(());
        })
        .expect("spawn");
    match rx.recv_timeout(limit) {
        Ok(()) => h.join().expect("test thread"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The thread panicked: rethrow its panic.
            h.join().expect("test thread");
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {limit:?}"),
    }
}

/// `%v{k} = add(%v{k-1}, %v{k-1})`, `n` times, from `%x: f64[5]`; with `reduce`, the chain feeds
/// a sum (the reduction's fused chain) instead of being returned.
fn doubling(n: usize, reduce: bool) -> String {
    let mut s = String::from("air 1 opset 1\n");
    let out = if reduce { "f64" } else { "f64[5]" };
    s += &format!("func @f(%x: f64[5]) -> (%y: {out}) {{\n");
    let mut prev = "x".to_string();
    for k in 0..n {
        s += &format!("  %v{k} = add (%{prev}, %{prev}) : f64[5]\n");
        prev = format!("v{k}");
    }
    if reduce {
        s += &format!("  %y = reduce_sum {{axes = [0]}} (%{prev}) : f64\n");
    } else {
        s += &format!("  %y = neg (%{prev}) : f64[5]\n");
    }
    s + "  return %y\n}\n"
}

/// `%f{k} = add(%f{k-1}, %f{k-2})`, `n` nodes, from `%a` and `%b`.
fn fibonacci(n: usize) -> String {
    let mut s = String::from("air 1 opset 1\n");
    s += "func @f(%a: f64[4], %b: f64[4]) -> (%y: f64[4]) {\n";
    let (mut p2, mut p1) = ("a".to_string(), "b".to_string());
    for k in 0..n {
        s += &format!("  %f{k} = add (%{p1}, %{p2}) : f64[4]\n");
        (p2, p1) = (p1, format!("f{k}"));
    }
    s += &format!("  %y = neg (%{p1}) : f64[4]\n  return %y\n}}\n");
    s
}

/// A chain of `n` nodes alternating `add %x`, `mul %c`, `sub %x` on `f64[3]`.
fn long_chain(n: usize) -> String {
    let mut s = String::from("air 1 opset 1\n");
    s += "func @f(%x: f64[3], %c: f64[3]) -> (%y: f64[3]) {\n";
    let mut prev = "x".to_string();
    for k in 0..n {
        let (op, other) = match k % 3 {
            0 => ("add", "x"),
            1 => ("mul", "c"),
            _ => ("sub", "x"),
        };
        s += &format!("  %v{k} = {op} (%{prev}, %{other}) : f64[3]\n");
        prev = format!("v{k}");
    }
    s += &format!("  %y = neg (%{prev}) : f64[3]\n  return %y\n}}\n");
    s
}

fn x5() -> Tensor {
    f64s(&[5], vec![1.0, -0.5, 0.25, 3.0, -2.0])
}

#[test]
fn doubling_chains_emit_each_value_once() {
    for n in [16, 24] {
        for reduce in [false, true] {
            on_small_stack(Duration::from_secs(10), move || {
                agree(&doubling(n, reduce), &[("x", x5())], 0.0)
            });
        }
    }
}

#[test]
fn a_rank_0_doubling_chain_emits_each_value_once() {
    on_small_stack(Duration::from_secs(10), || {
        let text = doubling(24, false).replace("f64[5]", "f64");
        agree(&text, &[("x", air_value::Tensor::scalar(1.5f64))], 0.0)
    });
}

#[test]
fn fibonacci_dag_emits_each_value_once() {
    on_small_stack(Duration::from_secs(10), || {
        let a = f64s(&[4], vec![1.0, 0.0, -2.0, 0.5]);
        let b = f64s(&[4], vec![1.0, 1.0, 3.0, -0.25]);
        agree(&fibonacci(25), &[("a", a), ("b", b)], 0.0)
    });
}

#[test]
fn a_30000_node_chain_compiles_on_a_2_mib_stack() {
    on_small_stack(Duration::from_secs(300), || {
        let x = f64s(&[3], vec![0.5, -1.0, 2.0]);
        let c = f64s(&[3], vec![1.0, 0.5, -1.0]);
        agree(&long_chain(30_000), &[("x", x), ("c", c)], 0.0)
    });
}
