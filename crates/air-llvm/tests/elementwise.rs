//! Every unary and binary op, `cast`, `select` and `clip` on every generated dtype, against the
//! interpreter, on edge values (NaN, infinities, signed zeros, integer extremes, shift counts).

mod common;

use air_ir::{BinaryOp, DType, UnaryOp};
use air_value::Tensor;
use common::*;

const DTYPES: [DType; 11] = [
    DType::Bool,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F32,
    DType::F64,
];

/// Edge values of a dtype, as a 1-D tensor.
fn edge_values(d: DType) -> Tensor {
    let ints: Vec<i128> = vec![
        0, 1, -1, 2, -2, 3, -3, 7, -7, 5, 100, -100, 8, 15, 16, 31, 32, 63, 64, 65,
    ];
    let floats = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        3.7,
        -3.7,
        0.1,
        10.0,
        300.0,
        -300.0,
        1e10,
        -1e20,
        1e-300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        2.0,
        -8.0,
        0.25,
    ];
    macro_rules! ints {
        ($t:ty) => {{
            let mut v: Vec<$t> = ints.iter().map(|&i| i as $t).collect();
            v.extend([
                <$t>::MIN,
                <$t>::MAX,
                <$t>::MIN.wrapping_add(1),
                <$t>::MAX - 1,
            ]);
            Tensor::from_vec(&[v.len()], v).expect("1-D")
        }};
    }
    match d {
        DType::Bool => Tensor::from_vec(&[2], vec![false, true]).expect("1-D"),
        DType::I8 => ints!(i8),
        DType::I16 => ints!(i16),
        DType::I32 => ints!(i32),
        DType::I64 => ints!(i64),
        DType::U8 => ints!(u8),
        DType::U16 => ints!(u16),
        DType::U32 => ints!(u32),
        DType::U64 => ints!(u64),
        DType::F32 => {
            let v: Vec<f32> = floats.iter().map(|&f| f as f32).collect();
            Tensor::from_vec(&[v.len()], v).expect("1-D")
        }
        DType::F16 | DType::BF16 | DType::F64 | DType::C64 | DType::C128 => {
            Tensor::from_vec(&[floats.len()], floats).expect("1-D")
        }
    }
}

/// Every pair of edge values, as two tensors of equal length.
fn pairs(d: DType) -> (Tensor, Tensor) {
    let v = edge_values(d);
    let n = v.len();
    let bytes = v.to_le_bytes();
    let size = d.size_bytes();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..n {
        for j in 0..n {
            a.extend_from_slice(&bytes[i * size..(i + 1) * size]);
            b.extend_from_slice(&bytes[j * size..(j + 1) * size]);
        }
    }
    let t = |bytes: &[u8]| Tensor::from_le_bytes(d, &[n * n], bytes).expect("pairs");
    (t(&a), t(&b))
}

/// True for ops whose float results are not required to be correctly rounded.
fn inexact_unary(op: UnaryOp) -> bool {
    use UnaryOp::*;
    matches!(
        op,
        Exp | Expm1
            | Log
            | Log1p
            | Sin
            | Cos
            | Tan
            | Asin
            | Acos
            | Atan
            | Sinh
            | Cosh
            | Tanh
            | Erf
            | Logistic
            | Asinh
            | Acosh
            | Atanh
            | Exp2
            | Log2
            | Log10
            | Cbrt
            | Angle
            | Sinc
    )
}

fn tolerance(d: DType, inexact: bool) -> f64 {
    match (inexact, d) {
        (false, _) => 0.0,
        (true, DType::F32) => 1e-6,
        (true, _) => 1e-14,
    }
}

fn valid(text: &str) -> bool {
    air_ir::validate::validate(&parse(text)).is_ok()
}

#[test]
fn unary_ops_on_every_dtype() {
    let mut checked = 0;
    for op in UnaryOp::ALL {
        for d in DTYPES {
            let rd = match op {
                UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => DType::Bool,
                UnaryOp::Neg
                | UnaryOp::Abs
                | UnaryOp::Sign
                | UnaryOp::Exp
                | UnaryOp::Expm1
                | UnaryOp::Log
                | UnaryOp::Log1p
                | UnaryOp::Sqrt
                | UnaryOp::Rsqrt
                | UnaryOp::Sin
                | UnaryOp::Cos
                | UnaryOp::Tan
                | UnaryOp::Asin
                | UnaryOp::Acos
                | UnaryOp::Atan
                | UnaryOp::Sinh
                | UnaryOp::Cosh
                | UnaryOp::Tanh
                | UnaryOp::Floor
                | UnaryOp::Ceil
                | UnaryOp::Round
                | UnaryOp::Erf
                | UnaryOp::Logistic
                | UnaryOp::Reciprocal
                | UnaryOp::Not
                | UnaryOp::Asinh
                | UnaryOp::Acosh
                | UnaryOp::Atanh
                | UnaryOp::Exp2
                | UnaryOp::Log2
                | UnaryOp::Log10
                | UnaryOp::Cbrt
                | UnaryOp::Trunc
                | UnaryOp::Square
                | UnaryOp::Real
                | UnaryOp::Imag
                | UnaryOp::Conj
                | UnaryOp::Angle
                | UnaryOp::Sinc => d,
            };
            let text = format!(
                "air 1 opset 2\nfunc @f(%x: {d}[n]) -> (%y: {rd}[n]) {{\n  %y = {} (%x) : {rd}[n]\n  return %y\n}}",
                op.name()
            );
            if !valid(&text) {
                continue;
            }
            agree(
                &text,
                &[("x", edge_values(d))],
                tolerance(d, inexact_unary(op)),
            );
            checked += 1;
        }
    }
    assert!(checked >= 80, "only {checked} op/dtype pairs checked");
}

#[test]
fn binary_ops_on_every_dtype() {
    let mut checked = 0;
    for op in BinaryOp::ALL {
        for d in DTYPES {
            let rd = if op.is_comparison() { DType::Bool } else { d };
            let text = format!(
                "air 1 opset 2\nfunc @f(%a: {d}[n], %b: {d}[n]) -> (%y: {rd}[n]) {{\n  %y = {} (%a, %b) : {rd}[n]\n  return %y\n}}",
                op.name()
            );
            if !valid(&text) {
                continue;
            }
            let (a, b) = pairs(d);
            let inexact = matches!(
                op,
                BinaryOp::Pow
                    | BinaryOp::Atan2
                    | BinaryOp::Hypot
                    | BinaryOp::Logaddexp
                    | BinaryOp::Logaddexp2
            );
            agree(&text, &[("a", a), ("b", b)], tolerance(d, inexact));
            checked += 1;
        }
    }
    assert!(checked > 150, "only {checked} op/dtype pairs checked");
}

#[test]
fn casts_between_every_pair_of_dtypes() {
    for from in DTYPES {
        for to in DTYPES {
            let text = format!(
                "air 1 opset 1\nfunc @f(%x: {from}[n]) -> (%y: {to}[n]) {{\n  %y = cast {{dtype = {to}}} (%x) : {to}[n]\n  return %y\n}}"
            );
            agree(&text, &[("x", edge_values(from))], 0.0);
        }
    }
}

#[test]
fn select_and_clip_follow_the_nan_rules() {
    for d in [DType::F64, DType::F32, DType::I32, DType::U8, DType::Bool] {
        let text = format!(
            "air 1 opset 1
func @f(%c: bool[n], %a: {d}[n], %b: {d}[n]) -> (%s: {d}[n], %k: {d}[n]) {{
  %s = select (%c, %a, %b) : {d}[n]
  %k = clip (%a, %b, %a) : {d}[n]
  return %s, %k
}}"
        );
        let (a, b) = pairs(d);
        let n = a.len();
        let c: Vec<bool> = (0..n).map(|i| i % 3 == 0).collect();
        agree(
            &text,
            &[
                ("c", Tensor::from_vec(&[n], c).expect("1-D")),
                ("a", a),
                ("b", b),
            ],
            0.0,
        );
    }
}

#[test]
fn creation_ops_inside_fused_groups() {
    let text = "air 1 opset 1
func @f(%x: f64[n, m]) -> (%y: f64[n, m], %i: i32[n, m], %z: f64) {
  %ix = iota {dtype = f64, shape = [n, m], axis = 1} () : f64[n, m]
  %two = full {value = f64 2.0, shape = [n, m]} () : f64[n, m]
  %c = constant {value = f64 0.5} () : f64
  %cb = broadcast {shape = [n, m], dims = []} (%c) : f64[n, m]
  %t = mul (%ix, %two) : f64[n, m]
  %u = add (%t, %cb) : f64[n, m]
  %y = add (%u, %x) : f64[n, m]
  %i = iota {dtype = i32, shape = [n, m], axis = 0} () : i32[n, m]
  %z = add (%c, %c) : f64
  return %y, %i, %z
}";
    agree(text, &[("x", f64s(&[3, 4], random(12, 5, 1.0)))], 0.0);
}

#[test]
fn scalar_functions_compute_in_registers() {
    let text = "air 1 opset 1
func @f(%x: f64, %k: i32) -> (%y: f64, %p: i32) {
  %e = exp (%x) : f64
  %y = mul (%e, %x) : f64
  %p = pow (%k, %k) : i32
  return %y, %p
}";
    agree(
        text,
        &[("x", Tensor::scalar(0.75f64)), ("k", Tensor::scalar(7i32))],
        1e-15,
    );
}
