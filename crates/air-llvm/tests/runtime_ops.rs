//! Ops computed by `air-rt` helpers, called from generated code, against the interpreter: on
//! transposed inputs, with fresh dims (`filter`) flowing into later nodes and out as results.

mod common;

use air_value::ndarray::{ArrayD, IxDyn, ShapeBuilder};
use air_value::Tensor;
use common::*;

fn fortran(shape: &[usize], seed: u64) -> Tensor {
    let n = shape.iter().product();
    Tensor::F64(ArrayD::from_shape_vec(IxDyn(shape).f(), random(n, seed, 2.0)).expect("fits"))
}

#[test]
fn contractions_and_sorting_match_the_interpreter() {
    let text = "air 1 opset 1
func @f(%a: f64[n, k], %b: f64[k, m], %v: f64[k]) -> (%p: f64[n, m], %q: f64[n], %s: f64[n, k], %c: f64[n, k], %i: i64[k], %t: f64[2, k], %j: f64[n, k+k]) {
  %p = matmul (%a, %b) : f64[n, m]
  %e = einsum {spec = \"ik,k->i\"} (%a, %v) : f64[n]
  %q = neg (%e) : f64[n]
  %s = sort {axis = 1, descending = true} (%a) : f64[n, k]
  %c = cumsum {axis = 0} (%a) : f64[n, k]
  %i = argmax {axis = 0} (%a) : i64[k]
  %idx = constant {value = i64[2] [-1, 0]} () : i64[2]
  %t = take {axis = 0} (%a, %idx) : f64[2, k]
  %j = concat {axis = 1} (%a, %s) : f64[n, k+k]
  return %p, %q, %s, %c, %i, %t, %j
}";
    let inputs = [
        ("a", fortran(&[5, 4], 1)),
        ("b", fortran(&[4, 3], 2)),
        ("v", f64s(&[4], random(4, 3, 1.0))),
    ];
    agree(text, &inputs, 1e-14);
}

#[test]
fn filter_results_bind_fresh_dims() {
    let text = "air 1 opset 1
func @f(%x: f64[n]) -> (%y: f64[k], %s: f64) {
  %z = constant {value = f64 0.0} () : f64
  %zb = broadcast {shape = [n], dims = []} (%z) : f64[n]
  %m = gt (%x, %zb) : bool[n]
  %f = filter (%x, %m) : f64[k]
  %two = full {value = f64 2.0, shape = [k]} () : f64[k]
  %y = mul (%f, %two) : f64[k]
  %s = reduce_sum {axes = [0]} (%y) : f64
  return %y, %s
}";
    agree(text, &[("x", f64s(&[9], random(9, 5, 1.0)))], 1e-15);
    agree(text, &[("x", f64s(&[3], vec![-1.0, -2.0, -3.0]))], 0.0);
}
