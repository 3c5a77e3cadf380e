//! The five computations of `docs/examples/libraries/`, built as modules in Rust, run on the real
//! `inputs.npz` and compared with the real `expected.npz` (written by NumPy) with the tolerance
//! of each `meta.json`.

mod common;

use air_interp::{check_close, read_npz};
use air_ir::op::ReduceKind;
use air_ir::{BinaryOp, DType, Dim, Intent, Literal, Module, Op, TensorType, UnaryOp, Value};
use common::{examples, func, module, node, region, ty};

fn in_(name: &str, t: TensorType) -> (&str, TensorType, Intent) {
    (name, t, Intent::In)
}

/// `y = A @ v` as the implicit sum `einsum "ij,j->i"`.
fn matvec() -> Module {
    let params = vec![
        in_("A", ty(DType::F64, &["n", "m"])),
        in_("v", ty(DType::F64, &["m"])),
    ];
    module(vec![func(
        "main",
        params,
        vec![(Some("y"), ty(DType::F64, &["n"]))],
        |r| {
            let op = Op::Einsum {
                spec: "ij,j->i".into(),
            };
            vec![node(
                r,
                op,
                vec![Value::Param(0), Value::Param(1)],
                ty(DType::F64, &["n"]),
            )]
        },
    )])
}

/// `z = exp(x)*2 + log1p(y) - x**2`.
fn ew_fused() -> Module {
    let vn = || ty(DType::F64, &["n"]);
    let params = vec![in_("x", vn()), in_("y", vn())];
    module(vec![func("main", params, vec![(Some("z"), vn())], |r| {
        let (x, y) = (Value::Param(0), Value::Param(1));
        let full = |r: &mut air_ir::Region, c: f64| {
            node(
                r,
                Op::Full {
                    value: Literal::f64(c),
                    shape: vec![Dim::symbol("n")],
                },
                vec![],
                vn(),
            )
        };
        let e = node(r, Op::Unary(UnaryOp::Exp), vec![x], vn());
        let two = full(r, 2.0);
        let e2 = node(r, Op::Binary(BinaryOp::Mul), vec![e, two], vn());
        let l = node(r, Op::Unary(UnaryOp::Log1p), vec![y], vn());
        let sum = node(r, Op::Binary(BinaryOp::Add), vec![e2, l], vn());
        let two_again = full(r, 2.0);
        let sq = node(r, Op::Binary(BinaryOp::Pow), vec![x, two_again], vn());
        vec![node(r, Op::Binary(BinaryOp::Sub), vec![sum, sq], vn())]
    })])
}

/// `s = sum(price * qty over rows where ok)`: multiply the columns, keep the rows where `ok`
/// (`filter`, with the fresh dim `k`), sum. (Filtering each column first would give two fresh dims
/// that the validator rightly does not equate.)
fn table_revenue() -> Module {
    let params = vec![
        in_("t__id", ty(DType::I64, &["n"])),
        in_("t__price", ty(DType::F64, &["n"])),
        in_("t__qty", ty(DType::I32, &["n"])),
        in_("t__cost", ty(DType::F64, &["n"])),
        in_("t__ok", ty(DType::Bool, &["n"])),
    ];
    module(vec![func(
        "main",
        params,
        vec![(Some("s"), ty(DType::F64, &[]))],
        |r| {
            let qty = node(
                r,
                Op::Cast { dtype: DType::F64 },
                vec![Value::Param(2)],
                ty(DType::F64, &["n"]),
            );
            let rev = node(
                r,
                Op::Binary(BinaryOp::Mul),
                vec![Value::Param(1), qty],
                ty(DType::F64, &["n"]),
            );
            let kept = node(
                r,
                Op::Filter,
                vec![rev, Value::Param(4)],
                ty(DType::F64, &["k"]),
            );
            let sum = Op::Reduce {
                kind: ReduceKind::Sum,
                axes: vec![0],
                keepdims: false,
            };
            vec![node(r, sum, vec![kept], ty(DType::F64, &[]))]
        },
    )])
}

/// `s = 0; for k in range(len(x)): s = 0.5*s + x[k]`, with `len(x)` computed as the sum of `n`
/// ones (there is no op that reads a dim).
fn scan_iir() -> Module {
    let s = || ty(DType::F64, &[]);
    let i64s = || ty(DType::I64, &[]);
    module(vec![func(
        "main",
        vec![in_("x", ty(DType::F64, &["n"]))],
        vec![(Some("s"), s())],
        |r| {
            let ones = Op::Full {
                value: Literal::i64(1),
                shape: vec![Dim::symbol("n")],
            };
            let ones = node(r, ones, vec![], ty(DType::I64, &["n"]));
            let sum = Op::Reduce {
                kind: ReduceKind::Sum,
                axes: vec![0],
                keepdims: false,
            };
            let hi = node(r, sum, vec![ones], i64s());
            let lo = common::const_i64(r, 0);
            let step = common::const_i64(r, 1);
            let init = node(r, Op::Constant(Literal::f64(0.0)), vec![], s());
            let mut body = region(vec![i64s(), s(), ty(DType::F64, &["n"])]);
            let half = node(&mut body, Op::Constant(Literal::f64(0.5)), vec![], s());
            let xk = node(
                &mut body,
                Op::Extract,
                vec![Value::Param(2), Value::Param(0)],
                s(),
            );
            let t = node(
                &mut body,
                Op::Binary(BinaryOp::Mul),
                vec![half, Value::Param(1)],
                s(),
            );
            let next = node(&mut body, Op::Binary(BinaryOp::Add), vec![t, xk], s());
            body.results = vec![next];
            vec![node(
                r,
                Op::For { body },
                vec![lo, hi, step, init, Value::Param(0)],
                s(),
            )]
        },
    )])
}

/// `y = concatenate([x, 2*w])`.
fn concat() -> Module {
    let params = vec![
        in_("x", ty(DType::F64, &["n"])),
        in_("w", ty(DType::F64, &["m"])),
    ];
    module(vec![func(
        "main",
        params,
        vec![(Some("y"), ty(DType::F64, &["n+m"]))],
        |r| {
            let two = Op::Full {
                value: Literal::f64(2.0),
                shape: vec![Dim::symbol("m")],
            };
            let two = node(r, two, vec![], ty(DType::F64, &["m"]));
            let w2 = node(
                r,
                Op::Binary(BinaryOp::Mul),
                vec![two, Value::Param(1)],
                ty(DType::F64, &["m"]),
            );
            vec![node(
                r,
                Op::Concat { axis: 0 },
                vec![Value::Param(0), w2],
                ty(DType::F64, &["m+n"]),
            )]
        },
    )])
}

fn check_example(case: &str, m: Module) {
    let dir = examples().join(case);
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("meta.json")).unwrap()).unwrap();
    let rtol = meta["tolerance"]["rtol"].as_f64().expect("rtol");
    let atol = meta["tolerance"]["atol"].as_f64().expect("atol");
    // Every array of inputs.npz is a parameter (the record table's unused columns included).
    let inputs = read_npz(dir.join("inputs.npz")).unwrap();
    let outputs = air_interp::run(&m, "main", &inputs).unwrap_or_else(|e| panic!("{case}: {e}"));
    let expected = read_npz(dir.join("expected.npz")).unwrap();
    let names: Vec<&str> = outputs.iter().map(|(n, _)| n.as_str()).collect();
    let want: Vec<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, want, "{case}: output names");
    for ((name, got), (_, exp)) in outputs.iter().zip(&expected) {
        check_close(got, exp, rtol, atol).unwrap_or_else(|e| panic!("{case}: {name}: {e}"));
    }
}

#[test]
fn matvec_as_einsum() {
    check_example("matvec", matvec());
}

#[test]
fn ew_fused_elementwise() {
    check_example("ew_fused", ew_fused());
}

#[test]
fn table_revenue_with_filter_and_reduce_sum() {
    check_example("table_revenue", table_revenue());
}

#[test]
fn scan_iir_with_a_for_loop() {
    check_example("scan_iir", scan_iir());
}

#[test]
fn concat_of_two_vectors() {
    check_example("concat", concat());
}

#[test]
fn a_wrong_module_does_not_pass() {
    // The comparison can fail: `concat` without the factor 2 differs from expected.npz.
    let dir = examples().join("concat");
    let mut m = concat();
    let f = &mut m.functions[0].body;
    f.results = vec![Value::of(air_ir::NodeId(2))];
    let concat = &mut f.nodes[2];
    concat.operands[1] = Value::Param(1);
    let out = air_interp::run(&m, "main", &read_npz(dir.join("inputs.npz")).unwrap()).unwrap();
    let expected = read_npz(dir.join("expected.npz")).unwrap();
    assert!(check_close(&out[0].1, &expected[0].1, 1e-9, 1e-12).is_err());
}
