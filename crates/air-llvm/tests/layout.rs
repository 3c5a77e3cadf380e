//! Inputs in any layout (transposed, Fortran order, negative and zero strides), views, slices,
//! broadcasting, and element access, against the interpreter.

mod common;

use air_value::ndarray::{s, ArrayD, IxDyn, ShapeBuilder};
use air_value::Tensor;
use common::*;

fn c_array(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), random(n, seed, 2.0)).expect("fits")
}

fn fortran_array(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape).f(), random(n, seed, 2.0)).expect("fits")
}

const FUSED_2D: &str = "air 1 opset 1
func @f(%a: f64[n, m], %b: f64[n, m]) -> (%y: f64[n, m]) {
  %s = sin (%b) : f64[n, m]
  %p = mul (%a, %s) : f64[n, m]
  %y = add (%p, %a) : f64[n, m]
  return %y
}";

#[test]
fn strided_transposed_and_fortran_inputs() {
    let c = c_array(&[5, 7], 1);
    let f = fortran_array(&[5, 7], 2);
    let t = c_array(&[7, 5], 3).reversed_axes();
    let big = c_array(&[10, 21], 4);
    let strided = big.slice_move(s![..;2, ..;3]).into_dyn();
    let neg = c_array(&[5, 7], 5).slice_move(s![..;-1, ..]).into_dyn();
    assert!(
        strided.strides()[1] == 3 && neg.strides()[0] < 0,
        "layouts as intended"
    );
    let neg_view = {
        let mut a = c_array(&[5, 7], 6);
        a.invert_axis(air_value::ndarray::Axis(1));
        a
    };
    let layouts = [c.clone(), f.clone(), t, strided, neg, neg_view];
    for a in &layouts {
        for b in &layouts {
            agree(
                FUSED_2D,
                &[("a", Tensor::F64(a.clone())), ("b", Tensor::F64(b.clone()))],
                1e-15,
            );
        }
    }
}

#[test]
fn views_slices_and_broadcasts() {
    let text = "air 1 opset 1
func @f(%x: f64[n, m], %v: f64[m], %lo: i64, %hi: i32) -> (%t: f64[m, n], %b: f64[n, m], %r: f64[m, n], %s: f64[n-1, p], %d: f64[k, j], %e: f64[1, n, m, 1], %q: f64[m], %sc: f64) {
  %t = transpose {perm = [1, 0]} (%x) : f64[m, n]
  %vb = broadcast {shape = [n, m], dims = [1]} (%v) : f64[n, m]
  %b = mul (%vb, %x) : f64[n, m]
  %r = reshape {shape = [m, n]} (%t) : f64[m, n]
  %s = slice {axes = [1:, 1:5:2]} (%x) : f64[n-1, p]
  %d = slice {axes = [#1:#2, ::-2]} (%x, %lo, %hi) : f64[k, j]
  %e = expand_dims {axes = [0, 3]} (%x) : f64[1, n, m, 1]
  %e2 = squeeze {axes = [0, 3]} (%e) : f64[n, m]
  %row = slice {axes = [2:3, :]} (%e2) : f64[1, m]
  %q = reshape {shape = [m]} (%row) : f64[m]
  %one = constant {value = f64[1] [3.0]} () : f64[1]
  %sc = reshape {shape = []} (%one) : f64
  return %t, %b, %r, %s, %d, %e, %q, %sc
}";
    let inputs = |x: ArrayD<f64>, lo: i64, hi: i32| {
        vec![
            ("x", Tensor::F64(x)),
            ("v", f64s(&[6], random(6, 9, 1.0))),
            ("lo", Tensor::scalar(lo)),
            ("hi", Tensor::scalar(hi)),
        ]
    };
    for (lo, hi) in [(1, -1), (-3, 100), (4, 1), (0, 0), (-100, 2)] {
        agree(text, &inputs(c_array(&[5, 6], 1), lo, hi), 0.0);
        agree(text, &inputs(fortran_array(&[5, 6], 2), lo, hi), 0.0);
    }
}

#[test]
fn static_slice_shorter_than_assumed_is_e0506() {
    let text = "air 1 opset 1
func @f(%x: f64[n]) -> (%y: f64[3]) {
  %y = slice {axes = [:3]} (%x) : f64[3]
  return %y
}";
    agree(text, &[("x", f64s(&[5], random(5, 1, 1.0)))], 0.0);
    both_fail(
        text,
        &[("x", f64s(&[2], random(2, 1, 1.0)))],
        air_ir::Code::BadExtent,
    );
}

#[test]
fn extract_and_insert() {
    let text = "air 1 opset 1
func @f(%x: f64[n, m], %i: i64, %j: i64, %v: f64) -> (%e: f64, %y: f64[n, m]) {
  %e = extract (%x, %i, %j) : f64
  %y = insert (%x, %v, %j, %i) : f64[n, m]
  return %e, %y
}";
    let x = || Tensor::F64(fortran_array(&[4, 4], 3));
    for (i, j) in [(0i64, 0i64), (3, -1), (-4, 2), (1, 3)] {
        let inputs = [
            ("x", x()),
            ("i", Tensor::scalar(i)),
            ("j", Tensor::scalar(j)),
            ("v", Tensor::scalar(9.5f64)),
        ];
        agree(text, &inputs, 0.0);
    }
    let bad = [
        ("x", x()),
        ("i", Tensor::scalar(4i64)),
        ("j", Tensor::scalar(0i64)),
        ("v", Tensor::scalar(1.0f64)),
    ];
    both_fail(text, &bad, air_ir::Code::IndexOutOfRange);
    let bad = [
        ("x", x()),
        ("i", Tensor::scalar(0i64)),
        ("j", Tensor::scalar(-5i64)),
        ("v", Tensor::scalar(1.0f64)),
    ];
    both_fail(text, &bad, air_ir::Code::IndexOutOfRange);
}

#[test]
fn empty_tensors() {
    agree(
        FUSED_2D,
        &[("a", f64s(&[0, 3], vec![])), ("b", f64s(&[0, 3], vec![]))],
        0.0,
    );
    let text = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%s: f64[n], %t: f64[m, n]) {
  %s = reduce_sum {axes = [1]} (%x) : f64[n]
  %t = transpose {perm = [1, 0]} (%x) : f64[m, n]
  return %s, %t
}";
    agree(text, &[("x", f64s(&[3, 0], vec![]))], 0.0);
}
