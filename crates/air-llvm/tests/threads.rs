//! Threads: large loop nests are split across threads and give results bit-identical to the
//! single-threaded run (elementwise groups on every path, and reductions whose outermost axis is
//! kept); small ones stay on the calling thread; the thread count reaches the runtime ops.
mod common;

use air_llvm::{compile, CompiledModule, Options};
use air_value::ndarray::{ArrayD, Axis, Slice};
use air_value::Tensor;
use common::*;

/// Compiles `text` for `threads` threads, splitting nests of more than `threshold` iterations.
fn build(text: &str, threads: usize, threshold: u64) -> CompiledModule {
    let options = Options {
        threads,
        parallel_threshold: threshold,
        ..Options::default()
    };
    compile(&parse(text), &options).unwrap_or_else(|d| panic!("compile failed: {d}\n{text}"))
}

fn named(inputs: &[(&str, Tensor)]) -> Vec<(String, Tensor)> {
    inputs
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect()
}

/// Runs `text` with 1, 2 and 3 threads (nests over `threshold` iterations split) and checks the
/// results are bit-identical, that the threaded runs really used threads (`parallel` nests per
/// call), and that they agree with the interpreter within `tol`.
fn same_on_every_thread_count(
    text: &str,
    inputs: &[(&str, Tensor)],
    threshold: u64,
    parallel: u64,
    tol: f64,
) {
    let inputs = named(inputs);
    let f = parse(text)
        .functions
        .last()
        .map(|f| f.name.clone())
        .unwrap_or_default();
    let one = build(text, 1, threshold);
    let before = CompiledModule::parallel_regions();
    let want = one.call(&f, &inputs).expect("runs on one thread");
    assert_eq!(
        CompiledModule::parallel_regions(),
        before,
        "threads = 1 split a nest"
    );
    for threads in [2, 3] {
        let m = build(text, threads, threshold);
        let before = CompiledModule::parallel_regions();
        let got = m.call(&f, &inputs).expect("runs threaded");
        let split = CompiledModule::parallel_regions() - before;
        assert_eq!(split, parallel, "{threads} threads: nests split\n{text}");
        for ((gn, g), (_, w)) in got.iter().zip(&want) {
            assert!(g.bits_eq(w), "{gn} differs with {threads} threads\n{text}");
        }
    }
    let interp = air_interp::run(&parse(text), &f, &inputs).expect("interp runs");
    for ((gn, g), (_, w)) in want.iter().zip(&interp) {
        if let Err(e) = air_value::check_close(g, w, tol, tol) {
            panic!("{gn}: {e}\n{text}");
        }
    }
}

const FUSED: &str = "air 1 opset 1
func @f(%a: f64[n], %b: f64[n], %c: f64[n]) -> (%y: f64[n]) {
  %ab = mul (%a, %b) : f64[n]
  %s = sin (%c) : f64[n]
  %na = neg (%a) : f64[n]
  %e = exp (%na) : f64[n]
  %se = mul (%s, %e) : f64[n]
  %y = add (%ab, %se) : f64[n]
  return %y
}";

/// A length that is not a multiple of any vector width or split block.
const ODD: usize = 100_003;

#[test]
fn flat_elementwise_is_identical_on_1_2_3_threads() {
    // Transcendental functions: vector and scalar libm differ in the last bit, so a split at the
    // wrong place would show.
    let inputs = [
        ("a", f64s(&[ODD], random(ODD, 1, 3.0))),
        ("b", f64s(&[ODD], random(ODD, 2, 3.0))),
        ("c", f64s(&[ODD], random(ODD, 3, 30.0))),
    ];
    same_on_every_thread_count(FUSED, &inputs, 10_000, 1, 1e-13);
}

#[test]
fn default_threshold_splits_a_million_elements_but_not_fewer() {
    let big = (1 << 20) + 7;
    let inputs = [
        ("a", f64s(&[big], random(big, 4, 3.0))),
        ("b", f64s(&[big], random(big, 5, 3.0))),
        ("c", f64s(&[big], random(big, 6, 30.0))),
    ];
    let m = build(FUSED, 2, Options::default().parallel_threshold);
    let before = CompiledModule::parallel_regions();
    m.call("f", &named(&inputs)).expect("runs");
    assert_eq!(CompiledModule::parallel_regions() - before, 1);
    // Exactly the threshold, and a small call: on the calling thread.
    for n in [1 << 20, 1000] {
        let inputs = [
            ("a", f64s(&[n], random(n, 7, 1.0))),
            ("b", f64s(&[n], random(n, 8, 1.0))),
            ("c", f64s(&[n], random(n, 9, 1.0))),
        ];
        let before = CompiledModule::parallel_regions();
        m.call("f", &named(&inputs)).expect("runs");
        assert_eq!(CompiledModule::parallel_regions(), before, "n = {n}");
    }
}

/// An f64 tensor viewed with other strides: transposed (Fortran order) or every other element.
fn strided(t: Tensor, transpose: bool) -> Tensor {
    let a: ArrayD<f64> = t.into_array().expect("f64 tensor");
    if transpose {
        return Tensor::from(a.reversed_axes());
    }
    let mut a = a;
    a.slice_axis_inplace(Axis(0), Slice::new(0, None, 2));
    Tensor::from(a)
}

#[test]
fn strided_rank_1_inputs_are_identical_on_1_2_3_threads() {
    let n = 2 * ODD;
    let a = strided(f64s(&[n], random(n, 10, 3.0)), false);
    let inputs = [
        ("a", a),
        ("b", f64s(&[ODD], random(ODD, 11, 3.0))),
        ("c", f64s(&[ODD], random(ODD, 12, 30.0))),
    ];
    assert_eq!(inputs[0].1.shape(), &[ODD]);
    same_on_every_thread_count(FUSED, &inputs, 10_000, 1, 1e-13);
}

const BROADCAST_2D: &str = "air 1 opset 1
func @f(%x: f64[n, m], %r: f64[m]) -> (%y: f64[n, m]) {
  %rb = broadcast {shape = [n, m], dims = [1]} (%r) : f64[n, m]
  %d = sub (%x, %rb) : f64[n, m]
  %y = exp (%d) : f64[n, m]
  return %y
}";

#[test]
fn nests_in_c_and_fortran_order_are_identical_on_1_2_3_threads() {
    let (n, m) = (301, 257);
    for transpose in [false, true] {
        let x = f64s(&[m, n], random(n * m, 13, 2.0));
        let x = if transpose {
            strided(x, true)
        } else {
            f64s(&[n, m], random(n * m, 13, 2.0))
        };
        assert_eq!(x.shape(), &[n, m]);
        let inputs = [("x", x), ("r", f64s(&[m], random(m, 14, 2.0)))];
        same_on_every_thread_count(BROADCAST_2D, &inputs, 10_000, 1, 1e-13);
    }
}

#[test]
fn row_reductions_are_identical_on_1_2_3_threads() {
    // Rows: sums (reassociated into partial sums inside each row), logsumexp with a broadcast,
    // and a middle axis of a 3-d array (the accumulators live in memory).
    let lse = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n], %s: f64[n, 1]) {
  %mx = reduce_max {axes = [1]} (%x) : f64[n]
  %mxb = broadcast {shape = [n, m], dims = [0]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %t = reduce_sum {axes = [1]} (%ex) : f64[n]
  %l = log (%t) : f64[n]
  %y = add (%l, %mx) : f64[n]
  %s = reduce_sum {axes = [1], keepdims = true} (%x) : f64[n, 1]
  return %y, %s
}";
    let (n, m) = (203, 1001);
    let inputs = [("x", f64s(&[n, m], random(n * m, 15, 5.0)))];
    // One row block (docs/llvm-backend.md): the max, the sum, the log and the second sum all
    // keep the rows, so one nest over the rows computes everything.
    same_on_every_thread_count(lse, &inputs, 10_000, 1, 1e-12);
    let middle = "air 1 opset 1
func @f(%x: f64[a, b, c]) -> (%y: f64[a, c]) {
  %q = mul (%x, %x) : f64[a, b, c]
  %y = reduce_sum {axes = [1]} (%q) : f64[a, c]
  return %y
}";
    let (a, b, c) = (37, 29, 41);
    let inputs = [("x", f64s(&[a, b, c], random(a * b * c, 16, 2.0)))];
    same_on_every_thread_count(middle, &inputs, 10_000, 1, 1e-12);
}

#[test]
fn reductions_over_the_outermost_axis_stay_on_one_thread() {
    // Splitting these would share result elements between threads (and change the order of
    // the fold): they run on the calling thread whatever their size.
    let text = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%c: f64[m], %t: f64) {
  %c = reduce_sum {axes = [0]} (%x) : f64[m]
  %t = reduce_sum {axes = [0, 1]} (%x) : f64
  return %c, %t
}";
    let (n, m) = (300, 200);
    let inputs = [("x", f64s(&[n, m], random(n * m, 17, 1.0)))];
    same_on_every_thread_count(text, &inputs, 1000, 0, 1e-12);
}

#[test]
fn small_nests_stay_on_the_calling_thread() {
    // The default threshold (about a million iterations) is far above these.
    let inputs = [
        ("a", f64s(&[5000], random(5000, 18, 1.0))),
        ("b", f64s(&[5000], random(5000, 19, 1.0))),
        ("c", f64s(&[5000], random(5000, 20, 1.0))),
    ];
    same_on_every_thread_count(
        FUSED,
        &inputs,
        Options::default().parallel_threshold,
        0,
        1e-13,
    );
    let (n, m) = (40, 50);
    let inputs = [
        ("x", f64s(&[n, m], random(n * m, 21, 1.0))),
        ("r", f64s(&[m], random(m, 22, 1.0))),
    ];
    same_on_every_thread_count(
        BROADCAST_2D,
        &inputs,
        Options::default().parallel_threshold,
        0,
        1e-13,
    );
}

#[test]
fn the_thread_count_reaches_the_generated_code_and_the_runtime_ops() {
    let text = "air 1 opset 1
func @f(%a: f64[n, k], %b: f64[k, m], %x: f64[n, m]) -> (%c: f64[n, m], %y: f64[n, m]) {
  %c = matmul (%a, %b) : f64[n, m]
  %y = exp (%x) : f64[n, m]
  return %c, %y
}";
    let ir = |threads: usize| {
        let options = Options {
            threads,
            keep_ir: true,
            ..Options::default()
        };
        let m = compile(&parse(text), &options).expect("compiles");
        m.ir().expect("kept IR").to_string()
    };
    let three = ir(3);
    assert!(
        three.contains("[1 x i64] [i64 3]"),
        "matmul attrs:\n{three}"
    );
    assert!(three.contains("@air_rt_parallel_for"), "{three}");
    assert!(
        three.contains("i64 3)"),
        "parallel_for thread count:\n{three}"
    );
    let one = ir(1);
    assert!(one.contains("[1 x i64] [i64 1]"), "matmul attrs:\n{one}");
    assert!(
        !one.contains("@air_rt_parallel_for"),
        "threads = 1 must not call parallel_for:\n{one}"
    );
    // 0 (every core) prints as an all-zero constant.
    let all = ir(0);
    assert!(
        all.contains("[1 x i64] zeroinitializer"),
        "matmul attrs:\n{all}"
    );
    assert!(all.contains("@air_rt_parallel_for"), "{all}");
}
