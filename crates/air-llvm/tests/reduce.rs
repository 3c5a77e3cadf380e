//! Reductions consuming fused chains, over every axis set, with NaNs, empty axes and strided
//! inputs, against the interpreter.

mod common;

use air_ir::Code;
use air_value::ndarray::{ArrayD, IxDyn, ShapeBuilder};
use air_value::Tensor;
use common::*;

fn reduce_module(kind: &str, d: &str, axes: &str, keepdims: bool, out: &str) -> String {
    let kd = if keepdims { ", keepdims = true" } else { "" };
    format!(
        "air 1 opset 1
func @f(%x: {d}[2, 3, 4]) -> (%y: {d}{out}) {{
  %y = {kind} {{axes = [{axes}]{kd}}} (%x) : {d}{out}
  return %y
}}"
    )
}

fn shape_after(axes: &[usize], keepdims: bool) -> String {
    let dims: Vec<String> = [2, 3, 4]
        .iter()
        .enumerate()
        .filter_map(|(k, &e)| match (axes.contains(&k), keepdims) {
            (true, true) => Some("1".to_string()),
            (true, false) => None,
            (false, _) => Some(e.to_string()),
        })
        .collect();
    if dims.is_empty() {
        String::new()
    } else {
        format!("[{}]", dims.join(", "))
    }
}

fn input(d: &str, fortran: bool) -> Tensor {
    let mut v = random(24, 7, 4.0);
    v[5] = f64::NAN;
    v[17] = -0.0;
    let shape = IxDyn(&[2, 3, 4]);
    let shape = if fortran {
        shape.f()
    } else {
        shape.into_shape_with_order()
    };
    let a = ArrayD::from_shape_vec(shape, v).expect("24 elements");
    let t = Tensor::F64(a);
    match d {
        "f64" => t,
        _ => {
            let m = parse(&format!(
                "air 1 opset 1\nfunc @c(%x: f64[2, 3, 4]) -> (%y: {d}[2, 3, 4]) {{\n  %y = cast {{dtype = {d}}} (%x) : {d}[2, 3, 4]\n  return %y\n}}"
            ));
            air_interp::run(&m, "c", &[("x".into(), t)]).expect("cast")[0]
                .1
                .clone()
        }
    }
}

#[test]
fn every_reduction_over_every_axis_set() {
    let axis_sets: [&[usize]; 8] = [&[], &[0], &[1], &[2], &[0, 1], &[1, 2], &[0, 2], &[2, 0, 1]];
    let kinds = [
        ("reduce_sum", &["f64", "f32", "i32", "u8"][..]),
        ("reduce_prod", &["f64", "f32", "i64"]),
        ("reduce_max", &["f64", "f32", "i16", "u32", "bool"]),
        ("reduce_min", &["f64", "f32", "i8", "u64", "bool"]),
        ("reduce_mean", &["f64", "f32"]),
        ("reduce_any", &["bool"]),
        ("reduce_all", &["bool"]),
    ];
    for (kind, dtypes) in kinds {
        for d in dtypes {
            for axes in axis_sets {
                for keepdims in [false, true] {
                    let list: Vec<String> = axes.iter().map(|a| a.to_string()).collect();
                    let text = reduce_module(
                        kind,
                        d,
                        &list.join(", "),
                        keepdims,
                        &shape_after(axes, keepdims),
                    );
                    let tol = if *d == "f32" { 1e-6 } else { 1e-14 };
                    for fortran in [false, true] {
                        agree(&text, &[("x", input(d, fortran))], tol);
                    }
                }
            }
        }
    }
}

#[test]
fn fused_softmax_rows() {
    let text = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n, m], %lse: f64[n]) {
  %mx = reduce_max {axes = [1], keepdims = true} (%x) : f64[n, 1]
  %mb = broadcast {shape = [n, m], dims = [0, 1]} (%mx) : f64[n, m]
  %d = sub (%x, %mb) : f64[n, m]
  %e = exp (%d) : f64[n, m]
  %s = reduce_sum {axes = [1], keepdims = true} (%e) : f64[n, 1]
  %sb = broadcast {shape = [n, m], dims = [0, 1]} (%s) : f64[n, m]
  %y = div (%e, %sb) : f64[n, m]
  %s1 = reshape {shape = [n]} (%s) : f64[n]
  %l = log (%s1) : f64[n]
  %m1 = reshape {shape = [n]} (%mx) : f64[n]
  %lse = add (%l, %m1) : f64[n]
  return %y, %lse
}";
    agree(
        text,
        &[("x", f64s(&[37, 53], random(37 * 53, 3, 20.0)))],
        1e-13,
    );
}

#[test]
fn large_sums_use_partial_sums_within_tolerance() {
    let text = "air 1 opset 1
func @f(%x: f64[n], %y: f32[n]) -> (%s: f64, %t: f32, %m: f64, %q: f64) {
  %sq = mul (%x, %x) : f64[n]
  %s = reduce_sum {axes = [0]} (%sq) : f64
  %t = reduce_sum {axes = [0]} (%y) : f32
  %m = reduce_max {axes = [0]} (%x) : f64
  %q = reduce_mean {axes = [0]} (%x) : f64
  return %s, %t, %m, %q
}";
    let n = 100_003;
    let x = random(n, 11, 1.0);
    let y: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    agree(
        text,
        &[
            ("x", f64s(&[n], x)),
            ("y", Tensor::from_vec(&[n], y).expect("1-D")),
        ],
        1e-10,
    );
}

#[test]
fn nan_propagates_through_max_and_min() {
    let text = "air 1 opset 1
func @f(%x: f64[n]) -> (%a: f64, %b: f64) {
  %a = reduce_max {axes = [0]} (%x) : f64
  %b = reduce_min {axes = [0]} (%x) : f64
  return %a, %b
}";
    for pos in [0, 1, 500, 999] {
        let mut v = random(1000, 2, 1.0);
        v[pos] = f64::NAN;
        let out = run_llvm(&parse(text), "f", &[("x", f64s(&[1000], v))]).expect("runs");
        for (name, t) in out {
            let x = t
                .array::<f64>()
                .and_then(|a| a.iter().next().copied())
                .expect("f64 scalar");
            assert!(x.is_nan(), "{name} is {x} with a NaN at {pos}");
        }
    }
}

#[test]
fn empty_max_is_e0504_but_empty_sum_is_zero() {
    let text = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n]) {
  %y = reduce_max {axes = [1]} (%x) : f64[n]
  return %y
}";
    both_fail(text, &[("x", f64s(&[3, 0], vec![]))], Code::EmptyReduction);
    agree(text, &[("x", f64s(&[0, 0], vec![]))], 0.0);
    let sum = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n], %z: f64[n]) {
  %y = reduce_sum {axes = [1]} (%x) : f64[n]
  %z = reduce_mean {axes = [1]} (%x) : f64[n]
  return %y, %z
}";
    agree(sum, &[("x", f64s(&[3, 0], vec![]))], 0.0);
}
