//! Inference of every op: the happy path with symbolic dims, and each error code the op raises.
#![allow(clippy::result_large_err)] // `Diagnostic` is the crate's error type

mod common;

use air_ir::infer::{infer, infer_with, parse_einsum, Context, Inferred};
use air_ir::op::{ArgKind, ReduceKind, ScanKind};
use air_ir::{BinaryOp, Code, DType, Literal, Op, TensorType, UnaryOp};
use common::{code, fails, inf, one, shape, ty, tys};

#[test]
fn constant_iota_full() {
    let lit = Literal::from_scalars(DType::I32, vec![2, 3], &[air_ir::Scalar::Int(1); 6]).unwrap();
    assert_eq!(one(&Op::Constant(lit.clone()), &[]), inf("i32[2, 3]"));
    assert_eq!(code(&Op::Constant(lit), &["f64"]), Code::Arity);
    let short = Literal {
        dtype: DType::F64,
        shape: vec![2],
        data: vec![0; 8],
    };
    assert_eq!(code(&Op::Constant(short.clone()), &[]), Code::BadLiteral);

    let iota = |dtype, dims: &[&str], axis| Op::Iota {
        dtype,
        shape: shape(dims),
        axis,
    };
    assert_eq!(
        one(&iota(DType::I64, &["n", "3"], 0), &[]),
        inf("i64[n, 3]")
    );
    assert_eq!(one(&iota(DType::F32, &["n+1"], 0), &[]), inf("f32[n+1]"));
    assert_eq!(
        code(&iota(DType::Bool, &["n"], 0), &[]),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        code(&iota(DType::C64, &["n"], 0), &[]),
        Code::DTypeNotAccepted
    );
    assert_eq!(code(&iota(DType::I64, &["n"], 1), &[]), Code::BadAxis);
    assert_eq!(
        code(&iota(DType::I64, &[], 0), &[]),
        Code::BadAxis,
        "rank 0"
    );
    assert_eq!(code(&iota(DType::I64, &["-2"], 0), &[]), Code::BadShape);
    assert_eq!(code(&iota(DType::I64, &["n"], 0), &["i64"]), Code::Arity);

    let full = |value, dims: &[&str]| Op::Full {
        value,
        shape: shape(dims),
    };
    assert_eq!(
        one(&full(Literal::f64(1.5), &["n", "m"]), &[]),
        inf("f64[n, m]")
    );
    assert_eq!(one(&full(Literal::i64(0), &[]), &[]), inf("i64"));
    let vector = Literal::from_scalars(DType::F64, vec![1], &[air_ir::Scalar::Float(0.0)]).unwrap();
    assert_eq!(code(&full(vector, &["n"]), &[]), Code::BadAttribute);
    assert_eq!(
        code(&full(Literal::f64(0.0), &["n", "-1"]), &[]),
        Code::BadShape
    );
    assert_eq!(
        code(&full(Literal::f64(0.0), &["n"]), &["f64"]),
        Code::Arity
    );
    let broken = Literal {
        dtype: DType::F64,
        shape: vec![],
        data: vec![0; 3],
    };
    assert_eq!(code(&full(broken, &["n"]), &[]), Code::BadLiteral);
}

fn accepted_dtype(u: UnaryOp) -> DType {
    match u {
        UnaryOp::Not => DType::I32,
        UnaryOp::Neg
        | UnaryOp::Sign
        | UnaryOp::Square
        | UnaryOp::Real
        | UnaryOp::Imag
        | UnaryOp::Conj => DType::I16,
        UnaryOp::Abs
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
        | UnaryOp::IsNan
        | UnaryOp::IsInf
        | UnaryOp::IsFinite
        | UnaryOp::Asinh
        | UnaryOp::Acosh
        | UnaryOp::Atanh
        | UnaryOp::Exp2
        | UnaryOp::Log2
        | UnaryOp::Log10
        | UnaryOp::Cbrt
        | UnaryOp::Trunc
        | UnaryOp::Angle
        | UnaryOp::Sinc => DType::F32,
    }
}

#[test]
fn every_unary_op() {
    for u in UnaryOp::ALL {
        let x = format!("{}[n, m+1]", accepted_dtype(u));
        let want = match u {
            UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite => "bool[n, m+1]".to_string(),
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
            | UnaryOp::Sinc => x.clone(),
        };
        assert_eq!(one(&Op::Unary(u), &[&x]), inf(&want), "{}", u.name());
        assert_eq!(code(&Op::Unary(u), &[&x, &x]), Code::Arity, "{}", u.name());
        assert_eq!(code(&Op::Unary(u), &[]), Code::Arity, "{}", u.name());
    }
    assert_eq!(one(&Op::Unary(UnaryOp::Abs), &["c128[n]"]), inf("f64[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Abs), &["c64[n]"]), inf("f32[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Exp), &["c64[n]"]), inf("c64[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Not), &["bool[n]"]), inf("bool[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Square), &["c64[n]"]), inf("c64[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Square), &["f16[n]"]), inf("f16[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Cbrt), &["bf16[n]"]), inf("bf16[n]"));
    for u in [UnaryOp::Real, UnaryOp::Imag, UnaryOp::Angle] {
        assert_eq!(
            one(&Op::Unary(u), &["c64[n]"]),
            inf("f32[n]"),
            "{}",
            u.name()
        );
        assert_eq!(
            one(&Op::Unary(u), &["c128[n]"]),
            inf("f64[n]"),
            "{}",
            u.name()
        );
    }
    assert_eq!(one(&Op::Unary(UnaryOp::Conj), &["c64[n]"]), inf("c64[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Angle), &["f16[n]"]), inf("f16[n]"));
    assert_eq!(one(&Op::Unary(UnaryOp::Sinc), &["f16[n]"]), inf("f16[n]"));
    let rejected = [
        (UnaryOp::Neg, "bool"),
        (UnaryOp::Abs, "bool"),
        (UnaryOp::Sign, "c64"),
        (UnaryOp::Sign, "bool"),
        (UnaryOp::Sin, "i32"),
        (UnaryOp::Sqrt, "bool"),
        (UnaryOp::Floor, "c64"),
        (UnaryOp::Round, "i64"),
        (UnaryOp::Erf, "c128"),
        (UnaryOp::Not, "f64"),
        (UnaryOp::IsNan, "i32"),
        (UnaryOp::Asinh, "c128"),
        (UnaryOp::Acosh, "i32"),
        (UnaryOp::Atanh, "c64"),
        (UnaryOp::Exp2, "i64"),
        (UnaryOp::Log2, "c64"),
        (UnaryOp::Log10, "u8"),
        (UnaryOp::Cbrt, "c128"),
        (UnaryOp::Trunc, "i32"),
        (UnaryOp::Trunc, "c64"),
        (UnaryOp::Square, "bool"),
        (UnaryOp::Real, "bool"),
        (UnaryOp::Imag, "bool"),
        (UnaryOp::Conj, "bool"),
        (UnaryOp::Angle, "i32"),
        (UnaryOp::Angle, "bool"),
        (UnaryOp::Sinc, "i64"),
        (UnaryOp::Sinc, "c128"),
    ];
    for (u, dt) in rejected {
        assert_eq!(
            code(&Op::Unary(u), &[&format!("{dt}[n]")]),
            Code::DTypeNotAccepted,
            "{}",
            u.name()
        );
    }
}

fn binary_dtype(b: BinaryOp) -> DType {
    match b {
        BinaryOp::Div
        | BinaryOp::Atan2
        | BinaryOp::Hypot
        | BinaryOp::Copysign
        | BinaryOp::Logaddexp
        | BinaryOp::Logaddexp2
        | BinaryOp::Heaviside
        | BinaryOp::Complex => DType::F64,
        BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => DType::Bool,
        BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::FloorDiv
        | BinaryOp::Rem
        | BinaryOp::Mod
        | BinaryOp::Pow
        | BinaryOp::Max
        | BinaryOp::Min
        | BinaryOp::Eq
        | BinaryOp::Ne
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::Shl
        | BinaryOp::Shr => DType::I32,
    }
}

#[test]
fn every_binary_op() {
    for b in BinaryOp::ALL {
        let x = format!("{}[n, 2*m]", binary_dtype(b));
        let want = if b.is_comparison() {
            "bool[n, 2*m]".to_string()
        } else if b == BinaryOp::Complex {
            "c128[n, 2*m]".to_string()
        } else {
            x.clone()
        };
        let op = Op::Binary(b);
        assert_eq!(one(&op, &[&x, &x]), inf(&want), "{}", b.name());
        // Dims compare after canonical simplification.
        let alt = x.replace("2*m", "m+m");
        assert_eq!(one(&op, &[&x, &alt]), inf(&want), "{}", b.name());
        assert_eq!(code(&op, &[&x]), Code::Arity, "{}", b.name());
        let other = x.replace("[n,", "[k,");
        assert_eq!(
            code(&op, &[&x, &other]),
            Code::ShapeMismatch,
            "{}",
            b.name()
        );
        let (a, c) = if binary_dtype(b) == DType::I32 {
            ("i32[n]", "i64[n]")
        } else {
            ("f64[n]", "f32[n]")
        };
        if b != BinaryOp::And && b != BinaryOp::Or && b != BinaryOp::Xor {
            assert_eq!(code(&op, &[a, c]), Code::DTypeMismatch, "{}", b.name());
        }
    }
    let (c, msg) = fails(&Op::Binary(BinaryOp::Add), &["f64[n]", "f64[n+1]"]);
    assert_eq!(c, Code::ShapeMismatch);
    assert!(msg.contains("[n]") && msg.contains("[n+1]"), "{msg}");
    let rejected = [
        (BinaryOp::Add, "bool"),
        (BinaryOp::Div, "i32"),
        (BinaryOp::FloorDiv, "c64"),
        (BinaryOp::Mod, "bool"),
        (BinaryOp::Max, "c128"),
        (BinaryOp::Lt, "c64"),
        (BinaryOp::Atan2, "i64"),
        (BinaryOp::And, "f32"),
        (BinaryOp::Shl, "f64"),
        (BinaryOp::Shr, "bool"),
        (BinaryOp::Hypot, "i32"),
        (BinaryOp::Copysign, "c64"),
        (BinaryOp::Logaddexp, "i64"),
        (BinaryOp::Logaddexp2, "c128"),
        (BinaryOp::Heaviside, "bool"),
        (BinaryOp::Complex, "f16"),
        (BinaryOp::Complex, "bf16"),
        (BinaryOp::Complex, "i32"),
        (BinaryOp::Complex, "c64"),
    ];
    for (b, dt) in rejected {
        let x = format!("{dt}[n]");
        assert_eq!(
            code(&Op::Binary(b), &[&x, &x]),
            Code::DTypeNotAccepted,
            "{}",
            b.name()
        );
    }
    assert_eq!(
        one(&Op::Binary(BinaryOp::Eq), &["c64[n]", "c64[n]"]),
        inf("bool[n]")
    );
    assert_eq!(
        one(&Op::Binary(BinaryOp::Complex), &["f32[n]", "f32[n]"]),
        inf("c64[n]")
    );
    assert_eq!(
        one(&Op::Binary(BinaryOp::Hypot), &["f16[n]", "f16[n]"]),
        inf("f16[n]")
    );
}

#[test]
fn select_cast_clip() {
    assert_eq!(
        one(&Op::Select, &["bool[n]", "c64[n]", "c64[n]"]),
        inf("c64[n]")
    );
    assert_eq!(
        code(&Op::Select, &["i32[n]", "f64[n]", "f64[n]"]),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        code(&Op::Select, &["bool[n]", "f64[n]", "f32[n]"]),
        Code::DTypeMismatch
    );
    assert_eq!(
        code(&Op::Select, &["bool[m]", "f64[n]", "f64[n]"]),
        Code::ShapeMismatch
    );
    assert_eq!(code(&Op::Select, &["bool[n]", "f64[n]"]), Code::Arity);

    let cast = Op::Cast { dtype: DType::U8 };
    assert_eq!(one(&cast, &["f64[n, m]"]), inf("u8[n, m]"));
    assert_eq!(code(&cast, &[]), Code::Arity);

    assert_eq!(
        one(&Op::Clip, &["f32[n]", "f32[n]", "f32[n]"]),
        inf("f32[n]")
    );
    assert_eq!(one(&Op::Clip, &["bool", "bool", "bool"]), inf("bool"));
    assert_eq!(
        code(&Op::Clip, &["c64[n]", "c64[n]", "c64[n]"]),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        code(&Op::Clip, &["f32[n]", "f64[n]", "f32[n]"]),
        Code::DTypeMismatch
    );
    assert_eq!(
        code(&Op::Clip, &["f32[n]", "f32", "f32[n]"]),
        Code::ShapeMismatch
    );
    assert_eq!(code(&Op::Clip, &["f32[n]"]), Code::Arity);
}

#[test]
fn reductions_scans_sort() {
    let red = |kind, axes: &[u32], keepdims| Op::Reduce {
        kind,
        axes: axes.to_vec(),
        keepdims,
    };
    for kind in ReduceKind::ALL {
        let dt = match kind {
            ReduceKind::Any | ReduceKind::All => "bool",
            ReduceKind::Sum
            | ReduceKind::Prod
            | ReduceKind::Max
            | ReduceKind::Min
            | ReduceKind::Mean => "f64",
        };
        let x = format!("{dt}[n, m, k]");
        assert_eq!(
            one(&red(kind, &[2, 0], false), &[&x]),
            inf(&format!("{dt}[m]")),
            "{}",
            kind.name()
        );
        assert_eq!(
            one(&red(kind, &[1], true), &[&x]),
            inf(&format!("{dt}[n, 1, k]")),
            "{}",
            kind.name()
        );
        assert_eq!(
            one(&red(kind, &[], false), &[&x]),
            inf(&x),
            "{}",
            kind.name()
        );
        assert_eq!(
            code(&red(kind, &[3], false), &[&x]),
            Code::BadAxis,
            "{}",
            kind.name()
        );
        assert_eq!(
            code(&red(kind, &[1, 1], false), &[&x]),
            Code::BadAxis,
            "{}",
            kind.name()
        );
        assert_eq!(
            code(&red(kind, &[0], false), &[]),
            Code::Arity,
            "{}",
            kind.name()
        );
    }
    assert_eq!(
        one(&red(ReduceKind::Max, &[0], false), &["bool[n]"]),
        inf("bool")
    );
    assert_eq!(
        one(&red(ReduceKind::Sum, &[0], false), &["i32[n]"]),
        inf("i32"),
        "no promotion"
    );
    for (kind, dt) in [
        (ReduceKind::Sum, "bool"),
        (ReduceKind::Max, "c64"),
        (ReduceKind::Mean, "i32"),
        (ReduceKind::Any, "f64"),
    ] {
        assert_eq!(
            code(&red(kind, &[0], false), &[&format!("{dt}[n]")]),
            Code::DTypeNotAccepted
        );
    }

    for kind in [ArgKind::Argmax, ArgKind::Argmin] {
        let arg = |axis, keepdims| Op::ArgReduce {
            kind,
            axis,
            keepdims,
        };
        assert_eq!(one(&arg(1, false), &["f32[n, m]"]), inf("i64[n]"));
        assert_eq!(one(&arg(0, true), &["u8[n, m]"]), inf("i64[1, m]"));
        assert_eq!(code(&arg(0, false), &["c64[n]"]), Code::DTypeNotAccepted);
        assert_eq!(code(&arg(1, false), &["f64[n]"]), Code::BadAxis);
        assert_eq!(code(&arg(0, false), &[]), Code::Arity);
    }
    for kind in [ScanKind::Cumsum, ScanKind::Cumprod] {
        let scan = |axis| Op::Scan { kind, axis };
        assert_eq!(one(&scan(1), &["c64[n, m]"]), inf("c64[n, m]"));
        assert_eq!(code(&scan(0), &["bool[n]"]), Code::DTypeNotAccepted);
        assert_eq!(code(&scan(1), &["f64[n]"]), Code::BadAxis);
        assert_eq!(code(&scan(0), &[]), Code::Arity);
    }
    let sort = |axis| Op::Sort {
        axis,
        descending: true,
    };
    assert_eq!(one(&sort(0), &["f64[n, m]"]), inf("f64[n, m]"));
    assert_eq!(code(&sort(0), &["c128[n]"]), Code::DTypeNotAccepted);
    assert_eq!(code(&sort(2), &["f64[n, m]"]), Code::BadAxis);
    assert_eq!(code(&sort(0), &["f64[n]", "f64[n]"]), Code::Arity);
}

#[test]
fn einsum_specs() {
    let s = parse_einsum("ij, jk -> ik").unwrap();
    assert_eq!(s.inputs, vec![vec!['i', 'j'], vec!['j', 'k']]);
    assert_eq!(s.output, vec!['i', 'k']);
    assert_eq!(s.summed(), vec!['j']);
    assert_eq!(
        parse_einsum(",i->i").unwrap().inputs,
        vec![vec![], vec!['i']]
    );
    for bad in ["ij,jk", "...i->i", "ij->ii", "ij->k", "i1->i", "i->i->i"] {
        assert_eq!(
            parse_einsum(bad).unwrap_err().code,
            Code::BadEinsum,
            "{bad}"
        );
    }

    let es = |spec: &str| Op::Einsum { spec: spec.into() };
    assert_eq!(
        one(&es("ij,jk->ik"), &["f64[n, k]", "f64[k, m]"]),
        inf("f64[n, m]")
    );
    assert_eq!(one(&es("ij,j->i"), &["c64[n, m]", "c64[m]"]), inf("c64[n]"));
    assert_eq!(one(&es("ii->i"), &["i32[n, n]"]), inf("i32[n]"));
    assert_eq!(one(&es("ij->"), &["f64[n, m]"]), inf("f64"));
    assert_eq!(
        one(&es("i,j->ji"), &["f64[n+1]", "f64[2*m]"]),
        inf("f64[2*m, n+1]")
    );
    let (c, msg) = fails(&es("ij,jk->ik"), &["f64[n, k]", "f64[k+1, m]"]);
    assert_eq!(c, Code::ContractionMismatch);
    assert!(msg.contains("'j'") && msg.contains("k+1"), "{msg}");
    assert_eq!(
        code(&es("ii->i"), &["f64[n, m]"]),
        Code::ContractionMismatch
    );
    assert_eq!(
        code(&es("ij,jk->ik"), &["f64[n, k]"]),
        Code::BadEinsum,
        "term count"
    );
    assert_eq!(
        code(&es("ij->i"), &["f64[n]"]),
        Code::BadEinsum,
        "term rank"
    );
    assert_eq!(
        code(&es("ij"), &["f64[n, m]"]),
        Code::BadEinsum,
        "implicit form"
    );
    assert_eq!(
        code(&es("i,i->i"), &["f64[n]", "f32[n]"]),
        Code::DTypeMismatch
    );
    assert_eq!(code(&es("i->i"), &["bool[n]"]), Code::DTypeNotAccepted);
    assert_eq!(code(&es("->"), &[]), Code::Arity);
}

#[test]
fn matmul_numpy_rules() {
    let mm = Op::Matmul;
    assert_eq!(one(&mm, &["f64[n, k]", "f64[k, m]"]), inf("f64[n, m]"));
    assert_eq!(one(&mm, &["f64[k]", "f64[k, m]"]), inf("f64[m]"));
    assert_eq!(one(&mm, &["f64[n, k]", "f64[k]"]), inf("f64[n]"));
    assert_eq!(one(&mm, &["f64[k]", "f64[k]"]), inf("f64"));
    assert_eq!(
        one(&mm, &["i32[b, n, k]", "i32[1, k, m]"]),
        inf("i32[b, n, m]")
    );
    assert_eq!(
        one(&mm, &["f32[a, 1, n, k]", "f32[b, k, m]"]),
        inf("f32[a, b, n, m]")
    );
    let (c, msg) = fails(&mm, &["f64[n, k]", "f64[k+1, m]"]);
    assert_eq!(c, Code::ContractionMismatch);
    assert_eq!(msg, "inner dims differ (k vs k+1)");
    assert_eq!(
        code(&mm, &["f64[a, n, k]", "f64[b, k, m]"]),
        Code::BadBroadcast
    );
    assert_eq!(code(&mm, &["f64", "f64[k]"]), Code::RankMismatch);
    assert_eq!(code(&mm, &["f64[n, k]", "f32[k, m]"]), Code::DTypeMismatch);
    assert_eq!(
        code(&mm, &["bool[n, k]", "bool[k, m]"]),
        Code::DTypeNotAccepted
    );
    assert_eq!(code(&mm, &["f64[n, k]"]), Code::Arity);
}

#[test]
fn inferred_types_convert_and_print() {
    let x = inf("f64[n, ?]");
    assert_eq!(x.to_string(), "f64[n, ?]");
    assert_eq!(x.to_type(), None);
    assert_eq!(inf("f64[n, 2]").to_type(), Some(ty("f64[n, 2]")));
    assert_eq!(Inferred::known(ty("i8")), inf("i8"));
    // `infer` is `infer_with` and an empty context.
    let ctx = Context::default();
    assert_eq!(
        infer_with(&Op::Matmul, &tys(&["f64[n, k]", "f64[k]"]), &ctx),
        infer(&Op::Matmul, &tys(&["f64[n, k]", "f64[k]"]))
    );
    let _: TensorType = ty("f64");
}
