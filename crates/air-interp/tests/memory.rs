//! The interpreter's memory (issue 12, items 8 and 9): run-time dims in checked arithmetic, and
//! the budget of `RunOptions::max_memory` counting the node results live in the running regions.

use air_interp::{run, run_with, RunOptions, Tensor};
use air_ir::Code;

fn module(text: &str) -> air_ir::Module {
    air_ir::text::parse(text, "m.air").unwrap_or_else(|d| panic!("{}", d.0[0]))
}

fn x(n: usize) -> Vec<(String, Tensor)> {
    vec![(
        "x".to_string(),
        Tensor::from_vec(&[n], vec![0.0f64; n]).expect("tensor"),
    )]
}

/// Two 2^16-element f64 tensors (512 KiB each) live at once: the `full` and its negation.
const TWO_LIVE: &str = "air 1 opset 1\nfunc @main(%x: f64[n]) -> (%s: f64) {\n  \
    %a = full {value = f64 1.0, shape = [65536]} () : f64[65536]\n  \
    %b = neg (%a) : f64[65536]\n  \
    %s = reduce_sum {axes = [0], keepdims = false} (%b) : f64\n  return %s\n}\n";

#[test]
fn the_budget_counts_every_result_live_in_the_region() {
    let m = module(TWO_LIVE);
    let opts = |b: u64| RunOptions {
        max_memory: Some(b),
        ..RunOptions::default()
    };
    // One 512 KiB tensor fits in 768 KiB, the second one (1 MiB live) does not.
    let e = run_with(&m, "main", &x(1), &opts(768 << 10)).expect_err("over the budget");
    assert_eq!(e.code, Code::TooLarge, "{e}");
    assert_eq!(e.op, Some("neg"), "{e}");
    assert!(e.message.contains("524288 bytes already live"), "{e}");
    // Both, plus the 8-byte sum, fit in 1 MiB + 8 bytes; without a budget it runs too.
    let ok = run_with(&m, "main", &x(1), &opts((1 << 20) + 8)).expect("fits");
    assert_eq!(ok, run(&m, "main", &x(1)).expect("no budget"));
    let e = run_with(&m, "main", &x(1), &opts((1 << 20) + 7)).expect_err("8 bytes short");
    assert_eq!(e.op, Some("reduce_sum"), "{e}");
}

#[test]
fn a_region_gives_its_bytes_back_when_it_returns() {
    // A loop body makes a 512 KiB tensor each of 4 turns: the budget holds one at a time.
    let m = module(
        "air 1 opset 1\nfunc @main(%x: f64[n]) -> (%s: f64) {\n  \
         %lo = constant {value = i64 0} () : i64\n  \
         %hi = constant {value = i64 4} () : i64\n  \
         %st = constant {value = i64 1} () : i64\n  \
         %z = constant {value = f64 0.0} () : f64\n  \
         %s = for (%lo, %hi, %st, %z) : f64 {\n    \
         (%i: i64, %acc: f64):\n    \
         %a = full {value = f64 1.0, shape = [65536]} () : f64[65536]\n    \
         %t = reduce_sum {axes = [0], keepdims = false} (%a) : f64\n    \
         %u = add (%acc, %t) : f64\n    \
         yield %u\n  }\n  return %s\n}\n",
    );
    let opts = RunOptions {
        max_memory: Some(600 << 10),
        ..RunOptions::default()
    };
    let out = run_with(&m, "main", &x(1), &opts).expect("one turn's tensor at a time");
    assert_eq!(out[0].1, Tensor::scalar(4.0 * 65536.0));
}

#[test]
fn a_dim_that_overflows_is_e0506_and_says_so() {
    let n32 = vec!["n"; 32].join("*");
    let m = module(&format!(
        "air 1 opset 1\nfunc @main(%x: f64[n]) -> (%y: f64[{n32}+5]) {{\n  \
         %y = full {{value = f64 1.0, shape = [{n32}+5]}} () : f64[{n32}+5]\n  return %y\n}}\n"
    ));
    let e = run(&m, "main", &x(4)).expect_err("2^64 + 5 elements");
    assert_eq!(e.code, Code::BadExtent, "{e}");
    assert!(e.message.contains("overflows i64 with n = 4"), "{e}");
    assert!(!e.message.contains("not bound"), "{e}");
    // n = 1: 6 elements.
    let ok = run(&m, "main", &x(1)).expect("n = 1");
    assert_eq!(ok[0].1.shape(), &[6]);
}

#[test]
fn a_32_gib_tensor_over_the_budget_is_refused_before_allocating() {
    // 2^32 f64 (32 GiB) is within the interpreter's element limit; with a budget of 1 GiB it is
    // refused before the allocator is asked.
    let m = module(
        "air 1 opset 1\nfunc @main(%x: f64[n]) -> (%y: f64[4294967296]) {\n  \
         %y = full {value = f64 1.0, shape = [4294967296]} () : f64[4294967296]\n  return %y\n}\n",
    );
    let opts = RunOptions {
        max_memory: Some(1 << 30),
        ..RunOptions::default()
    };
    let e = run_with(&m, "main", &x(1), &opts).expect_err("over the budget");
    assert_eq!(e.code, Code::TooLarge, "{e}");
    assert!(e.message.contains("34359738368 bytes"), "{e}");
}
