//! Huge functions are compiled in parts (`air_llvm`'s `split`, issue 12 items 6 and 7): a
//! function of thousands of calls becomes a chain of part functions of about a thousand nodes,
//! so LLVM's register allocator, superlinear in one function, stays linear in the module. The
//! parts compute what the interpreter computes, bit for bit; values cross part boundaries
//! (arrays, scalars, the parameters, a value used in every part); run-time errors name the
//! original function; a part that could not bind its dim symbols is never cut off.

mod common;

use air_ir::Code;
use air_llvm::{compile, Options};
use air_value::Tensor;
use common::*;

/// `@leaf`: `a * 0.5 + 1` (exact ops: the engines agree bit for bit).
const LEAF: &str = "func @leaf(%a: f64[n]) -> (%r: f64[n]) {
  %h = constant {value = f64 0.5} () : f64
  %hb = broadcast {shape = [n], dims = []} (%h) : f64[n]
  %one = constant {value = f64 1.0} () : f64
  %ob = broadcast {shape = [n], dims = []} (%one) : f64[n]
  %m = mul (%a, %hb) : f64[n]
  %r = add (%m, %ob) : f64[n]
  return %r
}
";

/// `@main` making `calls` calls in a chain, with `head` lines before and `tail` lines after
/// (which may use `%v0`, the first value, `%sc`, a scalar, and `%v<calls>`, the last).
fn module(calls: usize, head: &str, tail: &str, results: &str, returns: &str) -> String {
    let mut s =
        format!("air 1 opset 1\n{LEAF}\nfunc @main(%x: f64[n], %s: f64) -> ({results}) {{\n");
    s += "  %v0 = neg (%x) : f64[n]\n  %sc = mul (%s, %s) : f64\n";
    s += head;
    for i in 1..=calls {
        s += &format!("  %v{i} = call {{callee = @leaf}} (%v{}) : f64[n]\n", i - 1);
    }
    s += tail;
    s + &format!("  return {returns}\n}}\n")
}

fn inputs(n: usize) -> Vec<(&'static str, Tensor)> {
    let x = f64s(&[n], (0..n).map(|i| 1.0 + i as f64 / 7.0).collect());
    vec![("x", x), ("s", f64s(&[], vec![1.25]))]
}

/// The LLVM IR of `text` as compiled (before optimisation is not kept; after is enough to see
/// which functions exist).
fn ir(text: &str) -> String {
    let opts = Options {
        keep_ir: true,
        ..Options::default()
    };
    let c = compile(&parse(text), &opts).unwrap_or_else(|d| panic!("{d}"));
    c.ir().unwrap_or_default().to_string()
}

#[test]
fn a_function_of_thousands_of_calls_compiles_in_parts_and_computes_what_the_interpreter_does() {
    let tail = "  %w = add (%v3000, %v0) : f64[n]\n  %t = add (%sc, %s) : f64\n";
    let text = module(
        3000,
        "",
        tail,
        "%w: f64[n], %xx: f64[n], %t: f64, %first: f64[n]",
        "%w, %x, %t, %v1",
    );
    // 3004 nodes: parts from 0 and 1024 (the 956 nodes after 2048 join the second).
    let code = ir(&text);
    assert!(code.contains("main_x2e_part1"), "no second part in the IR");
    assert!(
        !code.contains("main_x2e_part2"),
        "parts of at least 1024 nodes"
    );
    let ins = inputs(37);
    agree(&text, &ins, 0.0);
    let got = run_llvm(&parse(&text), "main", &ins).expect("runs");
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["w", "xx", "t", "first"]);
}

#[test]
fn a_small_function_is_not_split() {
    let text = module(500, "", "", "%y: f64[n]", "%v500");
    assert!(!ir(&text).contains("part0"));
    agree(&text, &inputs(5), 0.0);
}

#[test]
fn a_run_time_error_in_a_part_names_the_original_function() {
    let tail = "  %bad = full {value = f64 1.0, shape = [n - 5]} () : f64[n - 5]\n";
    let text = module(2500, "", tail, "%y: f64[n], %b: f64[n - 5]", "%v2500, %bad");
    assert!(ir(&text).contains("main_x2e_part1"));
    let e = run_llvm(&parse(&text), "main", &inputs(3)).expect_err("n - 5 < 0");
    assert_eq!(e.code, Code::BadExtent, "{e}");
    let message = e.to_string();
    assert!(
        message.contains("in @main") && !message.contains("part"),
        "{message}"
    );
}

#[test]
fn a_symbol_bound_by_a_node_crosses_parts_through_a_value_of_that_dim() {
    // `k` is bound by `filter` in the first part and used in the last through `%f` (`f64[k]`),
    // which binds it there.
    let head = "  %z = constant {value = f64 1.5} () : f64
  %zb = broadcast {shape = [n], dims = []} (%z) : f64[n]
  %m = gt (%x, %zb) : bool[n]
  %f = filter (%x, %m) : f64[k]
";
    let tail = "  %g = add (%f, %f) : f64[k]\n";
    let text = module(3500, head, tail, "%y: f64[n], %g: f64[k]", "%v3500, %g");
    assert!(ir(&text).contains("main_x2e_part2"));
    agree(&text, &inputs(11), 0.0);
}
