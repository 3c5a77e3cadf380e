//! Unary, binary, select, clip and cast: hand-checked values and the edge cases of
//! `docs/op-rules.md` (expected values are NumPy's / Python's, as the comments say).

mod common;

use air_interp::Tensor;
use air_ir::{BinaryOp as B, Code, DType, Op, TensorType, UnaryOp as U};
use common::{apply, elems, v};
use half::{bf16, f16};
use num_complex::Complex64;

fn same(x: &Tensor) -> TensorType {
    let dims: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    TensorType::fixed(x.dtype(), &dims)
}

fn un(op: U, x: Tensor) -> Tensor {
    let ty = same(&x);
    apply(Op::Unary(op), vec![x], ty).unwrap()
}

fn un_to(op: U, x: Tensor, dtype: DType) -> Tensor {
    let ty = same(&x).with_dtype(dtype);
    apply(Op::Unary(op), vec![x], ty).unwrap()
}

fn bin(op: B, a: Tensor, b: Tensor) -> Tensor {
    let ty = same(&a);
    let ty = if op.is_comparison() {
        ty.with_dtype(DType::Bool)
    } else {
        ty
    };
    apply(Op::Binary(op), vec![a, b], ty).unwrap()
}

fn err_code(op: Op, args: Vec<Tensor>, ty: TensorType) -> Code {
    apply(op, args, ty).unwrap_err().code
}

fn bits(x: &[f64]) -> Vec<u64> {
    x.iter().map(|f| f.to_bits()).collect()
}

#[test]
fn integer_neg_abs_sign_not_wrap() {
    assert_eq!(
        elems::<i8>(&un(U::Neg, v(vec![-128i8, 1, 0]))),
        [-128, -1, 0]
    );
    assert_eq!(elems::<u8>(&un(U::Neg, v(vec![1u8, 0]))), [255, 0]);
    assert_eq!(
        elems::<i32>(&un(U::Abs, v(vec![i32::MIN, -5]))),
        [i32::MIN, 5]
    );
    assert_eq!(elems::<i16>(&un(U::Sign, v(vec![-3i16, 0, 9]))), [-1, 0, 1]);
    assert_eq!(elems::<u8>(&un(U::Sign, v(vec![0u8, 7]))), [0, 1]);
    assert_eq!(elems::<i8>(&un(U::Not, v(vec![0i8, -1, 5]))), [-1, 0, -6]);
    assert_eq!(elems::<u8>(&un(U::Not, v(vec![0u8, 0x0f]))), [255, 0xf0]);
    assert_eq!(
        elems::<bool>(&un(U::Not, v(vec![true, false]))),
        [false, true]
    );
}

#[test]
fn float_unary_edge_cases() {
    let s = un(U::Sign, v(vec![-2.5f64, -0.0, 0.0, 3.0, f64::NAN]));
    let s = elems::<f64>(&s);
    assert_eq!(
        bits(&s[..4]),
        bits(&[-1.0, 0.0, 0.0, 1.0]),
        "sign(-0.0) is +0.0"
    );
    assert!(s[4].is_nan());
    let l = elems::<f64>(&un(U::Log, v(vec![0.0f64, -1.0, 1.0])));
    assert!(l[0] == f64::NEG_INFINITY && l[1].is_nan() && l[2] == 0.0);
    assert_eq!(
        elems::<f64>(&un(U::Sqrt, v(vec![-0.0f64])))[0].to_bits(),
        (-0.0f64).to_bits()
    );
    assert_eq!(
        elems::<f64>(&un(U::Reciprocal, v(vec![0.0f64, -0.0]))),
        [f64::INFINITY, f64::NEG_INFINITY]
    );
    assert_eq!(
        elems::<f64>(&un(U::Rsqrt, v(vec![0.0f64, 4.0]))),
        [f64::INFINITY, 0.5]
    );
    let r = elems::<f64>(&un(U::Round, v(vec![2.5f64, -0.5, 3.5, 1.4999, -2.5])));
    assert_eq!(
        bits(&r),
        bits(&[2.0, -0.0, 4.0, 1.0, -2.0]),
        "half to even, -0.0 kept"
    );
    assert_eq!(
        bits(&elems::<f64>(&un(U::Floor, v(vec![-0.0f64, -0.5])))),
        bits(&[-0.0, -1.0])
    );
    assert_eq!(
        bits(&elems::<f64>(&un(U::Ceil, v(vec![-0.5f64, 1.2])))),
        bits(&[-0.0, 2.0])
    );
    let e = elems::<f64>(&un(U::Erf, v(vec![0.0f64, 1.0, 0.5])));
    assert_eq!(e[0], 0.0);
    assert!((e[1] - 0.8427007929497149).abs() < 1e-15 && (e[2] - 0.5204998778130465).abs() < 1e-15);
    assert_eq!(
        elems::<f64>(&un(U::Logistic, v(vec![0.0f64, -1000.0, 1000.0]))),
        [0.5, 0.0, 1.0]
    );
    assert_eq!(elems::<f64>(&un(U::Expm1, v(vec![1e-20f64])))[0], 1e-20);
    assert_eq!(elems::<f64>(&un(U::Log1p, v(vec![1e-20f64])))[0], 1e-20);
}

#[test]
fn half_precision_goes_through_f32_and_rounds_once() {
    // e = 2.71828... ; the nearest f16 is 2.71875 (f16 spacing there is 2^-9).
    assert_eq!(
        elems::<f16>(&un(U::Exp, v(vec![f16::ONE])))[0],
        f16::from_f32(2.71875)
    );
    // sqrt(2) = 1.41421...; the nearest bf16 is 1.4140625 (spacing 2^-7).
    assert_eq!(
        elems::<bf16>(&un(U::Sqrt, v(vec![bf16::from_f32(2.0)])))[0],
        bf16::from_f32(1.4140625)
    );
    assert_eq!(
        elems::<f16>(&un(U::Round, v(vec![f16::from_f32(2.5)])))[0],
        f16::from_f32(2.0)
    );
    // 1 + 2^-11 is halfway between 1 and the next f16 (1 + 2^-10): ties to even give 1.
    let one_plus = bin(
        B::Add,
        v(vec![f16::ONE]),
        v(vec![f16::from_f32(2f32.powi(-11))]),
    );
    assert_eq!(elems::<f16>(&one_plus)[0], f16::ONE);
}

#[test]
fn complex_unary() {
    let z = |re, im| Complex64::new(re, im);
    assert_eq!(
        elems::<f64>(&un_to(U::Abs, v(vec![z(3.0, 4.0)]), DType::F64)),
        [5.0]
    );
    assert_eq!(
        elems::<f32>(&un_to(
            U::Abs,
            v(vec![num_complex::Complex32::new(0.0, -2.0)]),
            DType::F32
        )),
        [2.0]
    );
    assert_eq!(
        elems::<Complex64>(&un(U::Sqrt, v(vec![z(-4.0, 0.0)]))),
        [z(0.0, 2.0)]
    );
    let log = elems::<Complex64>(&un(U::Log, v(vec![z(-1.0, 0.0)])))[0];
    assert_eq!((log.re, log.im), (0.0, std::f64::consts::PI));
    assert_eq!(
        elems::<Complex64>(&un(U::Expm1, v(vec![z(1e-20, 0.0)])))[0],
        z(1e-20, 0.0)
    );
    assert_eq!(
        elems::<Complex64>(&un(U::Reciprocal, v(vec![z(0.0, 2.0)])))[0],
        z(0.0, -0.5)
    );
    let nan = v(vec![z(f64::NAN, 0.0), z(1.0, f64::INFINITY), z(1.0, 2.0)]);
    assert_eq!(
        elems::<bool>(&un_to(U::IsNan, nan.clone(), DType::Bool)),
        [true, false, false]
    );
    assert_eq!(
        elems::<bool>(&un_to(U::IsInf, nan.clone(), DType::Bool)),
        [false, true, false]
    );
    assert_eq!(
        elems::<bool>(&un_to(U::IsFinite, nan, DType::Bool)),
        [false, false, true]
    );
}

#[test]
fn float_predicates() {
    let x = v(vec![1.0f32, f32::NAN, f32::INFINITY, f32::NEG_INFINITY]);
    assert_eq!(
        elems::<bool>(&un_to(U::IsNan, x.clone(), DType::Bool)),
        [false, true, false, false]
    );
    assert_eq!(
        elems::<bool>(&un_to(U::IsInf, x.clone(), DType::Bool)),
        [false, false, true, true]
    );
    assert_eq!(
        elems::<bool>(&un_to(U::IsFinite, x, DType::Bool)),
        [true, false, false, false]
    );
}

#[test]
fn unary_dtype_classes_are_enforced() {
    let ty = TensorType::fixed(DType::I32, &[1]);
    assert_eq!(
        err_code(Op::Unary(U::Exp), vec![v(vec![1i32])], ty),
        Code::DTypeNotAccepted
    );
    let ty = TensorType::fixed(DType::C64, &[1]);
    let c = v(vec![num_complex::Complex32::new(1.0, 0.0)]);
    assert_eq!(
        err_code(Op::Unary(U::Floor), vec![c.clone()], ty.clone()),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        err_code(Op::Unary(U::Sign), vec![c], ty),
        Code::DTypeNotAccepted
    );
    let ty = TensorType::fixed(DType::F64, &[1]);
    assert_eq!(
        err_code(Op::Unary(U::Not), vec![v(vec![1.0f64])], ty),
        Code::DTypeNotAccepted
    );
    let ty = TensorType::fixed(DType::Bool, &[1]);
    assert_eq!(
        err_code(Op::Unary(U::Neg), vec![v(vec![true])], ty),
        Code::DTypeNotAccepted
    );
}

#[test]
fn integer_arithmetic_wraps() {
    assert_eq!(
        elems::<i8>(&bin(B::Add, v(vec![127i8, -128]), v(vec![1i8, -1]))),
        [-128, 127]
    );
    assert_eq!(
        elems::<u8>(&bin(B::Add, v(vec![250u8]), v(vec![10u8]))),
        [4]
    );
    assert_eq!(elems::<u8>(&bin(B::Sub, v(vec![0u8]), v(vec![1u8]))), [255]);
    assert_eq!(
        elems::<i16>(&bin(B::Mul, v(vec![300i16]), v(vec![300i16]))),
        [24464],
        "90000 - 65536"
    );
    assert_eq!(
        elems::<u64>(&bin(B::Mul, v(vec![u64::MAX]), v(vec![u64::MAX]))),
        [1],
        "(-1)^2 mod 2^64"
    );
}

#[test]
fn integer_division_follows_python_and_gives_zero_for_zero() {
    let a = v(vec![7i32, -7, 7, -7, 5, i32::MIN]);
    let b = v(vec![2i32, 2, -2, -2, 0, -1]);
    assert_eq!(
        elems::<i32>(&bin(B::FloorDiv, a.clone(), b.clone())),
        [3, -4, -4, 3, 0, i32::MIN]
    );
    assert_eq!(
        elems::<i32>(&bin(B::Rem, a.clone(), b.clone())),
        [1, -1, 1, -1, 0, 0]
    );
    assert_eq!(elems::<i32>(&bin(B::Mod, a, b)), [1, 1, -1, -1, 0, 0]);
    assert_eq!(
        elems::<u8>(&bin(B::FloorDiv, v(vec![7u8, 7]), v(vec![2u8, 0]))),
        [3, 0]
    );
}

#[test]
fn float_division_family_matches_numpy() {
    let a = v(vec![1.0f64, 0.0, 1.0]);
    let b = v(vec![0.0f64, 0.0, -0.0]);
    let d = elems::<f64>(&bin(B::Div, a, b));
    assert!(d[0] == f64::INFINITY && d[1].is_nan() && d[2] == f64::NEG_INFINITY);
    let a = v(vec![7.0f64, -7.0, 1.0, 0.0, -1.0, 1.0]);
    let b = v(vec![2.0f64, 2.0, 0.0, 0.0, 0.0, 0.1]);
    let q = elems::<f64>(&bin(B::FloorDiv, a, b));
    assert_eq!(
        (q[0], q[1], q[2], q[4], q[5]),
        (3.0, -4.0, f64::INFINITY, f64::NEG_INFINITY, 9.0)
    );
    assert!(q[3].is_nan(), "0.0 // 0.0");
    let a = v(vec![-7.0f64, 7.0, -0.0, 5.0, 0.0]);
    let b = v(vec![2.0f64, -2.0, 1.0, 0.0, -1.0]);
    let m = elems::<f64>(&bin(B::Mod, a.clone(), b.clone()));
    assert_eq!(
        bits(&[m[0], m[1], m[2], m[4]]),
        bits(&[1.0, -1.0, 0.0, -0.0]),
        "sign of the divisor"
    );
    assert!(m[3].is_nan());
    let r = elems::<f64>(&bin(B::Rem, a, b));
    assert_eq!(
        bits(&[r[0], r[1], r[2]]),
        bits(&[-1.0, 1.0, -0.0]),
        "sign of the dividend"
    );
    assert!(r[3].is_nan());
}

#[test]
fn integer_pow() {
    let a = v(vec![2i32, 2, 1, -1, -1, 0, 3, 2]);
    let b = v(vec![10i32, -1, -5, -3, -4, -1, 0, 31]);
    assert_eq!(
        elems::<i32>(&bin(B::Pow, a, b)),
        [1024, 0, 1, -1, 1, 0, 1, i32::MIN]
    );
    assert_eq!(elems::<u8>(&bin(B::Pow, v(vec![2u8]), v(vec![9u8]))), [0]);
    // 3**40 mod 2**64, as a signed value (checked with Python).
    assert_eq!(
        elems::<i64>(&bin(B::Pow, v(vec![3i64]), v(vec![40i64]))),
        [-6289078614652622815]
    );
}

#[test]
fn float_and_complex_pow() {
    let p = elems::<f64>(&bin(
        B::Pow,
        v(vec![0.0f64, -8.0, f64::NAN]),
        v(vec![-1.0f64, 1.0 / 3.0, 0.0]),
    ));
    assert!(p[0] == f64::INFINITY && p[1].is_nan() && p[2] == 1.0);
    let z = |re, im| Complex64::new(re, im);
    let a = v(vec![
        z(1.0, 1.0),
        z(0.0, 0.0),
        z(2.0, 0.0),
        z(0.0, 0.0),
        z(5.0, 5.0),
    ]);
    let b = v(vec![
        z(2.0, 0.0),
        z(-1.0, 0.0),
        z(-2.0, 0.0),
        z(2.0, 0.0),
        z(0.0, 0.0),
    ]);
    let p = elems::<Complex64>(&bin(B::Pow, a, b));
    assert_eq!(p[0], z(0.0, 2.0));
    assert!(
        p[1].re.is_nan() && p[1].im.is_nan(),
        "0 ** -1 is nan+nanj, as NumPy"
    );
    assert_eq!((p[2], p[3], p[4]), (z(0.25, 0.0), z(0.0, 0.0), z(1.0, 0.0)));
}

#[test]
fn max_min_propagate_nan_and_follow_numpy_for_zeros() {
    // NumPy 2.4: np.maximum(-0.0, 0.0) = 0.0 and np.maximum(0.0, -0.0) = -0.0 (a tie gives the
    // second operand); np.minimum likewise.
    let a = v(vec![-0.0f64, 0.0, f64::NAN, 1.0, 2.0]);
    let b = v(vec![0.0f64, -0.0, 1.0, f64::NAN, 3.0]);
    let mx = elems::<f64>(&bin(B::Max, a.clone(), b.clone()));
    assert_eq!(bits(&[mx[0], mx[1], mx[4]]), bits(&[0.0, -0.0, 3.0]));
    assert!(mx[2].is_nan() && mx[3].is_nan());
    let mn = elems::<f64>(&bin(B::Min, a, b));
    assert_eq!(bits(&[mn[0], mn[1], mn[4]]), bits(&[0.0, -0.0, 2.0]));
    assert!(mn[2].is_nan() && mn[3].is_nan());
    assert_eq!(
        elems::<i8>(&bin(B::Max, v(vec![-1i8, 5]), v(vec![3i8, 2]))),
        [3, 5]
    );
    assert_eq!(
        elems::<bool>(&bin(B::Min, v(vec![true, true]), v(vec![false, true]))),
        [false, true]
    );
}

#[test]
fn atan2_and_comparisons() {
    let r = elems::<f64>(&bin(
        B::Atan2,
        v(vec![1.0f64, 0.0, -0.0]),
        v(vec![1.0f64, -1.0, -1.0]),
    ));
    use std::f64::consts::{FRAC_PI_4, PI};
    assert_eq!(r, [FRAC_PI_4, PI, -PI]);
    let (a, b) = (
        v(vec![f64::NAN, 1.0, 2.0]),
        v(vec![f64::NAN, f64::NAN, 2.0]),
    );
    assert_eq!(
        elems::<bool>(&bin(B::Eq, a.clone(), b.clone())),
        [false, false, true]
    );
    assert_eq!(
        elems::<bool>(&bin(B::Ne, a.clone(), b.clone())),
        [true, true, false]
    );
    assert_eq!(
        elems::<bool>(&bin(B::Lt, a.clone(), b.clone())),
        [false, false, false]
    );
    assert_eq!(elems::<bool>(&bin(B::Ge, a, b)), [false, false, true]);
    let z = |re, im| Complex64::new(re, im);
    let eq = bin(
        B::Eq,
        v(vec![z(1.0, 2.0), z(1.0, 2.0)]),
        v(vec![z(1.0, 2.0), z(1.0, -2.0)]),
    );
    assert_eq!(elems::<bool>(&eq), [true, false]);
    let ty = TensorType::fixed(DType::Bool, &[1]);
    assert_eq!(
        err_code(
            Op::Binary(B::Lt),
            vec![v(vec![z(1.0, 0.0)]), v(vec![z(1.0, 0.0)])],
            ty
        ),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        elems::<bool>(&bin(B::Lt, v(vec![false, true]), v(vec![true, true]))),
        [true, false]
    );
    assert_eq!(
        elems::<bool>(&bin(B::Gt, v(vec![u64::MAX]), v(vec![1u64]))),
        [true]
    );
}

#[test]
fn bitwise_and_shifts() {
    assert_eq!(
        elems::<i8>(&bin(B::And, v(vec![12i8, -1]), v(vec![10i8, 7]))),
        [8, 7]
    );
    assert_eq!(
        elems::<u8>(&bin(B::Xor, v(vec![0xf0u8]), v(vec![0xffu8]))),
        [0x0f]
    );
    assert_eq!(
        elems::<bool>(&bin(B::Or, v(vec![false, true]), v(vec![false, false]))),
        [false, true]
    );
    assert_eq!(
        elems::<i8>(&bin(B::Shl, v(vec![1i8, 1, 1, 1]), v(vec![7i8, 8, -1, 0]))),
        [-128, 0, 0, 1]
    );
    assert_eq!(
        elems::<i8>(&bin(
            B::Shr,
            v(vec![-128i8, -128, 5, -1]),
            v(vec![7i8, 9, -1, 1])
        )),
        [-1, -1, 0, -1]
    );
    assert_eq!(
        elems::<u8>(&bin(B::Shr, v(vec![128u8, 255]), v(vec![7u8, 8]))),
        [1, 0]
    );
    assert_eq!(
        elems::<u8>(&bin(B::Shl, v(vec![255u8]), v(vec![1u8]))),
        [254]
    );
    let ty = TensorType::fixed(DType::F64, &[1]);
    assert_eq!(
        err_code(
            Op::Binary(B::Shl),
            vec![v(vec![1.0f64]), v(vec![1.0f64])],
            ty
        ),
        Code::DTypeNotAccepted
    );
}

#[test]
fn binary_operands_must_agree() {
    let ty = TensorType::fixed(DType::F64, &[2]);
    let code = err_code(
        Op::Binary(B::Add),
        vec![v(vec![1.0f64, 2.0]), v(vec![1.0f32, 2.0])],
        ty.clone(),
    );
    assert_eq!(code, Code::DTypeMismatch);
    let code = err_code(
        Op::Binary(B::Add),
        vec![v(vec![1.0f64, 2.0]), v(vec![1.0f64])],
        ty.clone(),
    );
    assert_eq!(code, Code::ShapeMismatch);
    let code = err_code(
        Op::Binary(B::Div),
        vec![v(vec![1i32, 2]), v(vec![1i32, 2])],
        ty.with_dtype(DType::I32),
    );
    assert_eq!(code, Code::DTypeNotAccepted);
}

#[test]
fn select_and_clip() {
    let ty = TensorType::fixed(DType::I32, &[3]);
    let r = apply(
        Op::Select,
        vec![
            v(vec![true, false, true]),
            v(vec![1i32, 2, 3]),
            v(vec![10i32, 20, 30]),
        ],
        ty,
    );
    assert_eq!(elems::<i32>(&r.unwrap()), [1, 20, 3]);
    let ty = TensorType::fixed(DType::F64, &[5]);
    let x = v(vec![f64::NAN, -5.0, 5.0, 0.5, 0.5]);
    let lo = v(vec![0.0f64, 0.0, 0.0, 0.0, 2.0]);
    let hi = v(vec![1.0f64, 1.0, 1.0, 1.0, 1.0]);
    let c = elems::<f64>(&apply(Op::Clip, vec![x, lo, hi], ty).unwrap());
    assert!(c[0].is_nan());
    assert_eq!(&c[1..], [0.0, 1.0, 0.5, 1.0], "lo > hi gives hi");
    let ty = TensorType::fixed(DType::U8, &[3]);
    let c = apply(
        Op::Clip,
        vec![v(vec![0u8, 100, 255]), v(vec![10u8; 3]), v(vec![200u8; 3])],
        ty,
    );
    assert_eq!(elems::<u8>(&c.unwrap()), [10, 100, 200]);
}

fn cast(x: Tensor, dtype: DType) -> Tensor {
    let ty = same(&x).with_dtype(dtype);
    apply(Op::Cast { dtype }, vec![x], ty).unwrap()
}

#[test]
fn casts_follow_op_rules() {
    let f = v(vec![300.7f64, -2.9, f64::NAN, f64::NEG_INFINITY, 127.5]);
    assert_eq!(
        elems::<i8>(&cast(f, DType::I8)),
        [127, -2, 0, -128, 127],
        "truncate, saturate, NaN -> 0"
    );
    assert_eq!(
        elems::<u8>(&cast(v(vec![-5.0f64, 255.9]), DType::U8)),
        [0, 255]
    );
    assert_eq!(
        elems::<i8>(&cast(v(vec![200i32, -129, 256]), DType::I8)),
        [-56, 127, 0],
        "wraps"
    );
    assert_eq!(
        elems::<bool>(&cast(v(vec![0.0f64, -0.0, f64::NAN, 2.0]), DType::Bool)),
        [false, false, true, true]
    );
    assert_eq!(
        elems::<f32>(&cast(v(vec![true, false]), DType::F32)),
        [1.0, 0.0]
    );
    let z = v(vec![Complex64::new(1.5, 2.0), Complex64::new(2.7, -1.0)]);
    assert_eq!(
        elems::<f64>(&cast(z.clone(), DType::F64)),
        [1.5, 2.7],
        "real part"
    );
    assert_eq!(elems::<i32>(&cast(z, DType::I32)), [1, 2]);
    assert_eq!(
        elems::<num_complex::Complex32>(&cast(v(vec![2.5f64]), DType::C64)),
        [num_complex::Complex32::new(2.5, 0.0)]
    );
    // 65520 is halfway between f16's largest finite value 65504 and the next step (inf): even wins.
    let h = elems::<f16>(&cast(v(vec![65519.0f64, 65520.0]), DType::F16));
    assert_eq!(h, [f16::from_f32(65504.0), f16::INFINITY]);
    assert_eq!(
        elems::<f32>(&cast(v(vec![16_777_217i64]), DType::F32)),
        [16_777_216.0],
        "2^24+1 ties to even"
    );
    let big = (1i64 << 60) + (1 << 52) + 1; // a bf16 tie plus one: rounds up, not to even
    assert_eq!(
        elems::<bf16>(&cast(v(vec![big]), DType::BF16))[0].to_f64(),
        2f64.powi(60) + 2f64.powi(53)
    );
    assert_eq!(
        elems::<f64>(&cast(v(vec![u64::MAX]), DType::F64)),
        [18446744073709551616.0]
    );
    assert_eq!(
        elems::<f64>(&cast(v(vec![0.1f32]), DType::F64)),
        [0.10000000149011612]
    );
}
