//! `f16`, `bf16`, `c64` and `c128` against the interpreter: every unary and binary op, `cast`
//! between every pair of dtypes, `select`, reductions, on edge values (NaN, infinities, signed
//! zeros, f16 subnormals and overflow, complex numbers with infinite or NaN parts, division by
//! zero).

mod common;

use air_ir::{BinaryOp, DType, UnaryOp};
use air_value::num_complex::{Complex32, Complex64};
use air_value::Tensor;
use common::*;
use half::{bf16, f16};

const WIDE: [DType; 4] = [DType::F16, DType::BF16, DType::C64, DType::C128];

/// Real edge values, for f16 with subnormals, its largest value and values past it.
const REALS: [f64; 30] = [
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
    65504.0,
    65520.0,
    1e10,
    -1e20,
    6e-8,
    -3e-6,
    1e-5,
    1e-300,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    2.0,
    -8.0,
    0.25,
    1.0009765625,
];

/// Parts of complex edge values (every pair is a value).
const PARTS: [f64; 12] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.5,
    -3.7,
    1e-30,
    1e30,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

fn complexes() -> Vec<(f64, f64)> {
    PARTS
        .iter()
        .flat_map(|&re| PARTS.iter().map(move |&im| (re, im)))
        .collect()
}

/// Edge values of a dtype, as a 1-D tensor.
fn edge_values(d: DType) -> Tensor {
    fn t<T: air_value::Element>(v: Vec<T>) -> Tensor {
        Tensor::from_vec(&[v.len()], v).expect("1-D")
    }
    let ints: Vec<i128> = vec![
        0,
        1,
        -1,
        2,
        7,
        -100,
        255,
        2049,
        65519,
        65520,
        -70000,
        (1 << 24) + 1,
        (1 << 53) + 1,
        (1 << 60) + (1 << 52) + 1,
        (1 << 60) + (1 << 52),
        -(1 << 62) - 12345,
        i64::MAX as i128,
        i64::MIN as i128,
        u64::MAX as i128,
    ];
    match d {
        DType::Bool => t(vec![false, true]),
        DType::I8 => t(ints.iter().map(|&i| i as i8).collect()),
        DType::I16 => t(ints.iter().map(|&i| i as i16).collect()),
        DType::I32 => t(ints.iter().map(|&i| i as i32).collect()),
        DType::I64 => t(ints.iter().map(|&i| i as i64).collect()),
        DType::U8 => t(ints.iter().map(|&i| i as u8).collect()),
        DType::U16 => t(ints.iter().map(|&i| i as u16).collect()),
        DType::U32 => t(ints.iter().map(|&i| i as u32).collect()),
        DType::U64 => t(ints.iter().map(|&i| i as u64).collect()),
        DType::F16 => t(REALS.iter().map(|&f| f16::from_f64(f)).collect()),
        DType::BF16 => t(REALS.iter().map(|&f| bf16::from_f64(f)).collect()),
        DType::F32 => {
            let mut v: Vec<f32> = REALS.iter().map(|&f| f as f32).collect();
            // Ties and near-ties of f16 and bf16.
            v.extend([
                1.0 + 2f32.powi(-11),
                1.0 + 3.0 * 2f32.powi(-11),
                1.0 + 2f32.powi(-8),
            ]);
            t(v)
        }
        DType::F64 => {
            let mut v = REALS.to_vec();
            v.extend([
                1.0 + 2f64.powi(-8) + 2f64.powi(-40),
                1.0 + 2f64.powi(-11) + 1e-15,
            ]);
            t(v)
        }
        DType::C64 => t(complexes()
            .into_iter()
            .map(|(r, i)| Complex32::new(r as f32, i as f32))
            .collect()),
        DType::C128 => t(complexes()
            .into_iter()
            .map(|(r, i)| Complex64::new(r, i))
            .collect()),
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

/// The tolerance of an op on dtype `d`: exact where the interpreter's own formula runs (the
/// complex functions come from the same Rust code); f16/bf16 results of the math library's
/// functions may differ from the interpreter's by the last f32 bit before rounding, so by one
/// unit of the half format at a rounding tie.
fn tolerance(d: DType, libm: bool) -> f64 {
    match (libm, d) {
        (false, _) => 0.0,
        (true, DType::F16 | DType::BF16) => 1e-2,
        (true, _) => 0.0,
    }
}

fn libm_unary(op: UnaryOp) -> bool {
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
    )
}

fn valid(text: &str) -> bool {
    air_ir::validate::validate(&parse(text)).is_ok()
}

fn result_dtype(op: UnaryOp, d: DType) -> DType {
    match (op, d) {
        (UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite, _) => DType::Bool,
        (UnaryOp::Abs, DType::C64) => DType::F32,
        (UnaryOp::Abs, DType::C128) => DType::F64,
        _ => d,
    }
}

#[test]
fn unary_ops_on_wide_dtypes() {
    let mut checked = 0;
    for op in UnaryOp::ALL {
        for d in WIDE {
            let rd = result_dtype(op, d);
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
                tolerance(d, libm_unary(op)),
            );
            checked += 1;
        }
    }
    assert!(checked >= 80, "only {checked} op/dtype pairs checked");
}

#[test]
fn binary_ops_on_wide_dtypes() {
    let mut checked = 0;
    for op in BinaryOp::ALL {
        for d in WIDE {
            let rd = if op.is_comparison() { DType::Bool } else { d };
            let text = format!(
                "air 1 opset 1\nfunc @f(%a: {d}[n], %b: {d}[n]) -> (%y: {rd}[n]) {{\n  %y = {} (%a, %b) : {rd}[n]\n  return %y\n}}",
                op.name()
            );
            if !valid(&text) {
                continue;
            }
            let (a, b) = pairs(d);
            let libm = matches!(op, BinaryOp::Pow | BinaryOp::Atan2);
            agree(&text, &[("a", a), ("b", b)], tolerance(d, libm));
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} op/dtype pairs checked");
}

#[test]
fn casts_to_and_from_wide_dtypes() {
    for from in DType::ALL {
        for to in DType::ALL {
            if !WIDE.contains(&from) && !WIDE.contains(&to) {
                continue;
            }
            let text = format!(
                "air 1 opset 1\nfunc @f(%x: {from}[n]) -> (%y: {to}[n]) {{\n  %y = cast {{dtype = {to}}} (%x) : {to}[n]\n  return %y\n}}"
            );
            agree(&text, &[("x", edge_values(from))], 0.0);
        }
    }
}

#[test]
fn select_clip_and_fused_chains() {
    for d in WIDE {
        let clip = if d.is_complex() {
            String::new()
        } else {
            format!("  %k = clip (%a, %b, %a) : {d}[n]\n")
        };
        let ret = if d.is_complex() {
            "%s, %m"
        } else {
            "%s, %m, %k"
        };
        let kres = if d.is_complex() {
            String::new()
        } else {
            format!(", %k: {d}[n]")
        };
        let text = format!(
            "air 1 opset 1
func @f(%c: bool[n], %a: {d}[n], %b: {d}[n]) -> (%s: {d}[n], %m: {d}[n]{kres}) {{
  %s = select (%c, %a, %b) : {d}[n]
  %p = mul (%a, %b) : {d}[n]
  %q = add (%p, %a) : {d}[n]
  %m = sub (%q, %b) : {d}[n]
{clip}  return {ret}
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
fn reductions_on_wide_dtypes() {
    for d in WIDE {
        let kinds: &[&str] = if d.is_complex() {
            &["reduce_sum", "reduce_prod", "reduce_mean"]
        } else {
            &[
                "reduce_sum",
                "reduce_prod",
                "reduce_mean",
                "reduce_max",
                "reduce_min",
            ]
        };
        for kind in kinds {
            for (axes, rshape) in [("[1]", "[n]"), ("[0]", "[m]"), ("[0, 1]", "[]")] {
                let text = format!(
                    "air 1 opset 1\nfunc @f(%x: {d}[n, m]) -> (%y: {d}{rshape}) {{\n  %y = {kind} {{axes = {axes}}} (%x) : {d}{rshape}\n  return %y\n}}"
                );
                // Small values: products stay finite.
                let v: Vec<f64> = random(24, 7, 1.5);
                let x = match d {
                    DType::F16 => {
                        Tensor::from_vec(&[4, 6], v.iter().map(|&f| f16::from_f64(f)).collect())
                    }
                    DType::BF16 => {
                        Tensor::from_vec(&[4, 6], v.iter().map(|&f| bf16::from_f64(f)).collect())
                    }
                    DType::C64 => Tensor::from_vec(
                        &[4, 6],
                        v.iter()
                            .map(|&f| Complex32::new(f as f32, (1.0 - f) as f32))
                            .collect(),
                    ),
                    DType::C128 => Tensor::from_vec(
                        &[4, 6],
                        v.iter().map(|&f| Complex64::new(f, 0.5 - f)).collect(),
                    ),
                    other @ (DType::Bool
                    | DType::I8
                    | DType::I16
                    | DType::I32
                    | DType::I64
                    | DType::U8
                    | DType::U16
                    | DType::U32
                    | DType::U64
                    | DType::F32
                    | DType::F64) => panic!("not a wide dtype: {other}"),
                }
                .expect("4 x 6");
                // Sums may associate differently (the spec leaves the order open).
                let tol = if d.is_complex() { 1e-5 } else { 1e-2 };
                agree(&text, &[("x", x)], tol);
            }
        }
    }
}

#[test]
fn complex_constants_and_scalars() {
    let text = "air 1 opset 1
func @f(%x: c128, %h: f16[n]) -> (%y: c128, %z: c64[n], %g: f16[n]) {
  %c = constant {value = c128 (1.5, -2.0)} () : c128
  %y = div (%x, %c) : c128
  %k = full {value = c64 (0.0, 1.0), shape = [n]} () : c64[n]
  %e = exp (%k) : c64[n]
  %hc = cast {dtype = c64} (%h) : c64[n]
  %z = mul (%e, %hc) : c64[n]
  %t = constant {value = f16 0.1} () : f16
  %tb = broadcast {shape = [n], dims = []} (%t) : f16[n]
  %g = add (%h, %tb) : f16[n]
  return %y, %z, %g
}";
    agree(
        text,
        &[
            ("x", Tensor::scalar(Complex64::new(3.0, 4.0))),
            ("h", edge_values(DType::F16)),
        ],
        0.0,
    );
}

/// A `rows x cols` tensor of dtype `d` from small pseudo-random values.
fn matrix(d: DType, rows: usize, cols: usize, seed: u64) -> Tensor {
    let v = random(rows * cols, seed, 1.5);
    match d {
        DType::F16 => {
            Tensor::from_vec(&[rows, cols], v.iter().map(|&f| f16::from_f64(f)).collect())
        }
        DType::BF16 => Tensor::from_vec(
            &[rows, cols],
            v.iter().map(|&f| bf16::from_f64(f)).collect(),
        ),
        DType::C64 => Tensor::from_vec(
            &[rows, cols],
            v.iter()
                .map(|&f| Complex32::new(f as f32, (0.25 - f) as f32))
                .collect(),
        ),
        DType::C128 => Tensor::from_vec(
            &[rows, cols],
            v.iter().map(|&f| Complex64::new(f, f * f - 0.5)).collect(),
        ),
        other @ (DType::Bool
        | DType::I8
        | DType::I16
        | DType::I32
        | DType::I64
        | DType::U8
        | DType::U16
        | DType::U32
        | DType::U64
        | DType::F32
        | DType::F64) => panic!("not a wide dtype: {other}"),
    }
    .expect("shape")
}

#[test]
fn runtime_ops_on_wide_dtypes() {
    for d in WIDE {
        let text = format!(
            "air 1 opset 1
func @f(%a: {d}[n, k], %b: {d}[k, m], %i: i64[j]) -> (%p: {d}[n, m], %e: {d}[m, n], %s: {d}[n, k], %r: {d}[n, k], %c: {d}[n, k], %t: {d}[j, k], %u: {d}[m]) {{
  %p = matmul (%a, %b) : {d}[n, m]
  %e = einsum {{spec = \"ik,kj->ji\"}} (%a, %b) : {d}[m, n]
  %s = cumsum {{axis = 1}} (%a) : {d}[n, k]
  %r = cumprod {{axis = 0}} (%a) : {d}[n, k]
  %c = concat {{axis = 0}} (%a) : {d}[n, k]
  %t = take {{axis = 0}} (%a, %i) : {d}[j, k]
  %u = einsum {{spec = \"ik,kj->j\"}} (%a, %b) : {d}[m]
  return %p, %e, %s, %r, %c, %t, %u
}}"
        );
        let idx = Tensor::from_vec(&[3], vec![3i64, 0, 1]).expect("1-D");
        let tol = if d.is_complex() { 1e-6 } else { 1e-2 };
        agree(
            &text,
            &[
                ("a", matrix(d, 4, 6, 1)),
                ("b", matrix(d, 6, 5, 2)),
                ("i", idx),
            ],
            tol,
        );
    }
    for d in [DType::F16, DType::BF16] {
        let text = format!(
            "air 1 opset 1
func @f(%a: {d}[n, k]) -> (%s: {d}[n, k], %x: i64[n], %y: i64[k]) {{
  %s = sort {{axis = 1, descending = false}} (%a) : {d}[n, k]
  %x = argmax {{axis = 1}} (%a) : i64[n]
  %y = argmin {{axis = 0}} (%a) : i64[k]
  return %s, %x, %y
}}"
        );
        agree(&text, &[("a", matrix(d, 4, 6, 3))], 0.0);
    }
}

#[test]
fn wide_values_carried_by_loops() {
    // A c128 scalar and an f16 array carried through `for`: registers and slots of the pairs.
    let text = "air 1 opset 1
func @main(%count: i64, %z: c128, %h: f16[n]) -> (%w: c128, %g: f16[n]) {
  %lo = constant {value = i64 0} () : i64
  %one = constant {value = i64 1} () : i64
  %r:2 = for (%lo, %count, %one, %z, %h) : (c128, f16[n]) {
    (%i: i64, %a: c128, %b: f16[n]):
    %s = mul (%a, %a) : c128
    %q = sqrt (%s) : c128
    %t = add (%b, %b) : f16[n]
    %u = mul (%t, %b) : f16[n]
    yield %q, %u
  }
  return %r#0, %r#1
}";
    let h: Vec<f16> = [0.5, -0.25, 1e-3, 3.0]
        .iter()
        .map(|&f| f16::from_f64(f))
        .collect();
    agree(
        text,
        &[
            ("count", Tensor::scalar(3i64)),
            ("z", Tensor::scalar(Complex64::new(0.75, -1.25))),
            ("h", Tensor::from_vec(&[4], h).expect("1-D")),
        ],
        0.0,
    );
}
