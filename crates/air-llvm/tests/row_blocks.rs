//! Row blocks: a reduction over trailing axes and the broadcasts, groups and reductions after it
//! that keep the same leading axes run in ONE loop over those axes (softmax, logsumexp,
//! centring). Checked against the interpreter on many shapes and layouts, bit for bit across
//! thread counts, and by the number of loop nests split across threads: one per block, more
//! where the pattern must not fuse.
mod common;

use air_llvm::{compile, CompiledModule, Options};
use air_value::ndarray::{ArrayD, Axis, IxDyn, ShapeBuilder};
use air_value::Tensor;
use common::*;

const SOFTMAX: &str = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n, m]) {
  %mx = reduce_max {axes = [1], keepdims = true} (%x) : f64[n, 1]
  %mxb = broadcast {shape = [n, m], dims = [0, 1]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %den = reduce_sum {axes = [1], keepdims = true} (%ex) : f64[n, 1]
  %denb = broadcast {shape = [n, m], dims = [0, 1]} (%den) : f64[n, m]
  %y = div (%ex, %denb) : f64[n, m]
  return %y
}";

const LOGSUMEXP: &str = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n]) {
  %mx = reduce_max {axes = [1]} (%x) : f64[n]
  %mxb = broadcast {shape = [n, m], dims = [0]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %s = reduce_sum {axes = [1]} (%ex) : f64[n]
  %l = log (%s) : f64[n]
  %y = add (%l, %mx) : f64[n]
  return %y
}";

/// Centring and scaling rows; the mean is also returned, and a constant sits between members.
const STANDARDISE: &str = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%z: f64[n, m], %mu: f64[n]) {
  %mu = reduce_mean {axes = [1]} (%x) : f64[n]
  %mub = broadcast {shape = [n, m], dims = [0]} (%mu) : f64[n, m]
  %c = sub (%x, %mub) : f64[n, m]
  %two = constant {value = f64 2.0} () : f64
  %twob = broadcast {shape = [n, m], dims = []} (%two) : f64[n, m]
  %sq = pow (%c, %twob) : f64[n, m]
  %v = reduce_mean {axes = [1]} (%sq) : f64[n]
  %sd = sqrt (%v) : f64[n]
  %sdb = broadcast {shape = [n, m], dims = [0]} (%sd) : f64[n, m]
  %z = div (%c, %sdb) : f64[n, m]
  return %z, %mu
}";

/// Softmax over the last two axes of a 3-d array (one leading axis, two trailing).
const SOFTMAX_3D: &str = "air 1 opset 1
func @f(%x: f32[a, b, c]) -> (%y: f32[a, b, c]) {
  %mx = reduce_max {axes = [1, 2]} (%x) : f32[a]
  %mxb = broadcast {shape = [a, b, c], dims = [0]} (%mx) : f32[a, b, c]
  %sh = sub (%x, %mxb) : f32[a, b, c]
  %ex = exp (%sh) : f32[a, b, c]
  %den = reduce_sum {axes = [2, 1]} (%ex) : f32[a]
  %denb = broadcast {shape = [a, b, c], dims = [0]} (%den) : f32[a, b, c]
  %y = div (%ex, %denb) : f32[a, b, c]
  return %y
}";

/// Logsumexp over the last axis with two leading axes.
const LOGSUMEXP_2LEAD: &str = "air 1 opset 1
func @f(%x: f64[a, b, c]) -> (%y: f64[a, b, 1]) {
  %mx = reduce_max {axes = [2], keepdims = true} (%x) : f64[a, b, 1]
  %mxb = broadcast {shape = [a, b, c], dims = [0, 1, 2]} (%mx) : f64[a, b, c]
  %sh = sub (%x, %mxb) : f64[a, b, c]
  %ex = exp (%sh) : f64[a, b, c]
  %s = reduce_sum {axes = [2], keepdims = true} (%ex) : f64[a, b, 1]
  %l = log (%s) : f64[a, b, 1]
  %y = add (%l, %mx) : f64[a, b, 1]
  return %y
}";

/// The column max (axis 0) is no member: its reduced axis is the leading one. The row sum and
/// the log after it form a block of their own.
const COLUMNS_THEN_ROWS: &str = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n]) {
  %cm = reduce_max {axes = [0]} (%x) : f64[m]
  %cmb = broadcast {shape = [n, m], dims = [1]} (%cm) : f64[n, m]
  %d = sub (%x, %cmb) : f64[n, m]
  %e = exp (%d) : f64[n, m]
  %s = reduce_sum {axes = [1]} (%e) : f64[n]
  %y = log (%s) : f64[n]
  return %y
}";

/// Must not fuse: row `i` of the broadcast reads the maximum of every row.
const ROWS_READ_ACROSS: &str = "air 1 opset 1
func @f(%x: f64[n, n]) -> (%y: f64[n]) {
  %mx = reduce_max {axes = [1]} (%x) : f64[n]
  %b = broadcast {shape = [n, n], dims = [1]} (%mx) : f64[n, n]
  %d = sub (%x, %b) : f64[n, n]
  %y = reduce_sum {axes = [1]} (%d) : f64[n]
  return %y
}";

/// Must not fuse past the transpose: the row max is read through a transposed view.
const ROWS_THEN_TRANSPOSE: &str = "air 1 opset 1
func @f(%x: f64[n, n]) -> (%y: f64[n]) {
  %mx = reduce_max {axes = [1], keepdims = true} (%x) : f64[n, 1]
  %mxb = broadcast {shape = [n, n], dims = [0, 1]} (%mx) : f64[n, n]
  %t = transpose {perm = [1, 0]} (%mxb) : f64[n, n]
  %d = sub (%x, %t) : f64[n, n]
  %y = reduce_sum {axes = [1]} (%d) : f64[n]
  return %y
}";

/// Compiles `text` for `threads` threads, splitting nests of more than `threshold` iterations.
fn build(text: &str, threads: usize, threshold: u64) -> CompiledModule {
    let options = Options {
        threads,
        parallel_threshold: threshold,
        ..Options::default()
    };
    compile(&parse(text), &options).unwrap_or_else(|d| panic!("compile failed: {d}\n{text}"))
}

/// Runs `text` on 1, 2 and 3 threads (every nest of more than 16 iterations split): the results
/// are bit-identical, agree with the interpreter within `tol`, and the threaded runs split
/// `nests` loop nests each. Returns nothing; panics on any difference.
fn check(text: &str, x: Tensor, tol: f64, nests: u64) {
    let inputs = vec![("x".to_string(), x)];
    let want = air_interp::run(&parse(text), "f", &inputs).expect("interp runs");
    let one = build(text, 1, 16).call("f", &inputs).expect("runs");
    for ((gn, g), (_, w)) in one.iter().zip(&want) {
        if let Err(e) = air_value::check_close(g, w, tol, tol) {
            panic!("{gn}: {e}\nllvm {g:?}\ninterp {w:?}\n{text}");
        }
    }
    for threads in [2, 3] {
        let m = build(text, threads, 16);
        let before = CompiledModule::parallel_regions();
        let got = m.call("f", &inputs).expect("runs threaded");
        let split = CompiledModule::parallel_regions() - before;
        assert_eq!(split, nests, "{threads} threads: nests split\n{text}");
        for ((gn, g), (_, w)) in got.iter().zip(&one) {
            assert!(g.bits_eq(w), "{gn} differs with {threads} threads\n{text}");
        }
    }
}

/// `shape` of pseudo-random values in [-scale, scale), C order or Fortran order.
fn array(shape: &[usize], seed: u64, scale: f64, fortran: bool) -> Tensor {
    let n = shape.iter().product();
    let ix = IxDyn(shape);
    let ix = if fortran {
        ix.f()
    } else {
        ix.into_shape_with_order()
    };
    Tensor::F64(ArrayD::from_shape_vec(ix, random(n, seed, scale)).expect("fits"))
}

/// Every other row and column of a larger array: a strided input.
fn strided(shape: &[usize], seed: u64) -> Tensor {
    let big: Vec<usize> = shape.iter().map(|&e| 2 * e).collect();
    let Tensor::F64(a) = array(&big, seed, 5.0, false) else {
        unreachable!("array makes f64")
    };
    let mut v = a.view();
    for k in 0..shape.len() {
        v.slice_axis_inplace(Axis(k), air_value::ndarray::Slice::new(0, None, 2));
    }
    Tensor::F64(v.to_owned().reversed_axes().reversed_axes())
}

/// A transposed view: the array of the transposed shape, in memory, read with swapped axes.
fn transposed(shape: &[usize], seed: u64) -> Tensor {
    let rev: Vec<usize> = shape.iter().rev().copied().collect();
    let Tensor::F64(a) = array(&rev, seed, 5.0, false) else {
        unreachable!("array makes f64")
    };
    Tensor::F64(a.reversed_axes())
}

const SHAPES: [[usize; 2]; 7] = [
    [1, 1],
    [1, 37],
    [37, 1],
    [5, 3],
    [33, 17],
    [64, 130],
    [7, 1001],
];

#[test]
fn softmax_and_logsumexp_rows_fuse_on_every_shape_and_layout() {
    for (k, &[n, m]) in SHAPES.iter().enumerate() {
        let seed = k as u64;
        let nests = u64::from(n * m > 16);
        for text in [SOFTMAX, LOGSUMEXP, STANDARDISE] {
            check(text, array(&[n, m], seed, 5.0, false), 1e-12, nests);
            check(text, array(&[n, m], seed, 5.0, true), 1e-12, nests);
            check(text, transposed(&[n, m], seed), 1e-12, nests);
        }
        check(SOFTMAX, strided(&[n, m], seed), 1e-12, nests);
        check(LOGSUMEXP, strided(&[n, m], seed), 1e-12, nests);
    }
}

#[test]
fn rows_too_long_for_the_stack_use_whole_arrays() {
    // 20,000 f64 per row is more than the 128 KiB of row buffers: the exponentials of softmax
    // (and the centred values of standardise) go through whole arrays instead.
    for text in [SOFTMAX, STANDARDISE] {
        check(text, array(&[3, 20_000], 11, 5.0, false), 1e-12, 1);
        check(text, transposed(&[2, 17_000], 12), 1e-12, 1);
    }
}

#[test]
fn blocks_with_several_trailing_or_leading_axes_fuse() {
    for (k, &[a, b, c]) in [[1, 1, 1], [3, 5, 7], [9, 2, 31], [2, 17, 1]]
        .iter()
        .enumerate()
    {
        let seed = 100 + k as u64;
        let x = array(&[a, b, c], seed, 5.0, k % 2 == 1);
        let nests = u64::from(a * b * c > 16);
        check(LOGSUMEXP_2LEAD, x.clone(), 1e-12, nests);
        let m = parse(&format!(
            "air 1 opset 1\nfunc @c(%x: f64[{a}, {b}, {c}]) -> (%y: f32[{a}, {b}, {c}]) {{\n  %y = cast {{dtype = f32}} (%x) : f32[{a}, {b}, {c}]\n  return %y\n}}"
        ));
        let x32 = air_interp::run(&m, "c", &[("x".into(), x)]).expect("cast")[0]
            .1
            .clone();
        check(SOFTMAX_3D, x32, 1e-5, nests);
    }
}

#[test]
fn columns_feeding_rows_and_rows_read_across_do_not_fuse() {
    // The column max is not split (its outermost axis is reduced); the row sum and the log
    // after it are one block (unfused they would be two split nests).
    for &[n, m] in &[[33, 17], [5, 40]] {
        check(COLUMNS_THEN_ROWS, array(&[n, m], 7, 5.0, false), 1e-12, 1);
    }
    // Two nests each: the row max and the row sum reading it across rows.
    for &n in &[20, 33] {
        check(ROWS_READ_ACROSS, array(&[n, n], 8, 5.0, false), 1e-12, 2);
        check(ROWS_THEN_TRANSPOSE, array(&[n, n], 9, 5.0, true), 1e-12, 2);
    }
}

#[test]
fn nan_and_infinite_rows_and_empty_rows() {
    let mut v = random(6 * 9, 3, 5.0);
    v[4] = f64::NAN;
    v[9..18].fill(f64::NEG_INFINITY);
    v[20] = f64::INFINITY;
    check(SOFTMAX, f64s(&[6, 9], v.clone()), 1e-12, 1);
    check(LOGSUMEXP, f64s(&[6, 9], v), 1e-12, 1);
    // No columns: the max has nothing to fold, in both implementations.
    both_fail(
        LOGSUMEXP,
        &[("x", f64s(&[3, 0], vec![]))],
        air_ir::Code::EmptyReduction,
    );
    // No rows: nothing to compute.
    check(SOFTMAX, f64s(&[0, 4], vec![]), 0.0, 0);
}
