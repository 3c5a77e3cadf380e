//! Shape ops and indexing ops, including Python slices, negative indices and fresh dims.

mod common;

use air_interp::Tensor;
use air_ir::op::ReduceKind;
use air_ir::op::{Bound, SliceAxis};
use air_ir::{BinaryOp, Code, DType, Intent, Literal, Op, TensorType, Value};
use common::{apply, elems, func, inputs, module, node, t, ty, v};

fn fixed(dtype: DType, dims: &[i64]) -> TensorType {
    TensorType::fixed(dtype, dims)
}

fn arange(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    t(shape, (0..n as i32).collect())
}

#[test]
fn broadcast_stretches_and_inserts_axes() {
    let op = Op::Broadcast {
        shape: vec![2.into(), 3.into()],
        dims: vec![1],
    };
    let r = apply(op, vec![v(vec![1i32, 2, 3])], fixed(DType::I32, &[2, 3])).unwrap();
    assert_eq!(elems::<i32>(&r), [1, 2, 3, 1, 2, 3]);
    let op = Op::Broadcast {
        shape: vec![2.into(), 3.into()],
        dims: vec![0, 1],
    };
    let r = apply(
        op,
        vec![t(&[2, 1], vec![7i32, 8])],
        fixed(DType::I32, &[2, 3]),
    )
    .unwrap();
    assert_eq!(elems::<i32>(&r), [7, 7, 7, 8, 8, 8]);
    let op = Op::Broadcast {
        shape: vec![2.into(), 4.into()],
        dims: vec![1],
    };
    let e = apply(op, vec![v(vec![1i32, 2, 3])], fixed(DType::I32, &[2, 4])).unwrap_err();
    assert_eq!(e.code, Code::BadBroadcast);
    let op = Op::Broadcast {
        shape: vec![3.into(), 3.into()],
        dims: vec![1, 0],
    };
    let e = apply(
        op,
        vec![t(&[3, 3], vec![0i32; 9])],
        fixed(DType::I32, &[3, 3]),
    )
    .unwrap_err();
    assert_eq!(e.code, Code::BadBroadcast, "dims must increase");
}

#[test]
fn reshape_transpose_expand_squeeze() {
    let op = Op::Reshape {
        shape: vec![3.into(), 2.into()],
    };
    let r = apply(op, vec![arange(&[2, 3])], fixed(DType::I32, &[3, 2])).unwrap();
    assert_eq!(
        (r.shape(), elems::<i32>(&r)),
        (&[3, 2][..], vec![0, 1, 2, 3, 4, 5])
    );
    let op = Op::Reshape {
        shape: vec![4.into()],
    };
    assert_eq!(
        apply(op, vec![arange(&[2, 3])], fixed(DType::I32, &[4]))
            .unwrap_err()
            .code,
        Code::ReshapeCount
    );

    let r = apply(
        Op::Transpose { perm: vec![1, 0] },
        vec![arange(&[2, 3])],
        fixed(DType::I32, &[3, 2]),
    )
    .unwrap();
    assert_eq!(elems::<i32>(&r), [0, 3, 1, 4, 2, 5]);
    // r[k, i, j] = x[i, j, k] = 12 i + 4 j + k.
    let r = apply(
        Op::Transpose {
            perm: vec![2, 0, 1],
        },
        vec![arange(&[2, 3, 4])],
        fixed(DType::I32, &[4, 2, 3]),
    )
    .unwrap();
    assert_eq!(r.array::<i32>().unwrap()[[1, 0, 2]], 9);
    assert_eq!(r.array::<i32>().unwrap()[[3, 1, 1]], 12 + 4 + 3);
    let e = apply(
        Op::Transpose { perm: vec![0, 0] },
        vec![arange(&[2, 2])],
        fixed(DType::I32, &[2, 2]),
    );
    assert_eq!(e.unwrap_err().code, Code::BadPermutation);

    let r = apply(
        Op::ExpandDims { axes: vec![3, 0] },
        vec![arange(&[2, 3])],
        fixed(DType::I32, &[1, 2, 3, 1]),
    )
    .unwrap();
    assert_eq!(elems::<i32>(&r), (0..6).collect::<Vec<_>>());
    let r = apply(
        Op::Squeeze { axes: vec![2, 0] },
        vec![arange(&[1, 2, 1])],
        fixed(DType::I32, &[2]),
    )
    .unwrap();
    assert_eq!(elems::<i32>(&r), [0, 1]);
    let e = apply(
        Op::Squeeze { axes: vec![1] },
        vec![arange(&[1, 2, 1])],
        fixed(DType::I32, &[1, 1]),
    );
    assert_eq!(e.unwrap_err().code, Code::SqueezeNotOne);
}

#[test]
fn concat_along_an_axis() {
    let r = apply(
        Op::Concat { axis: 0 },
        vec![v(vec![1.0f64, 2.0]), v(vec![3.0f64])],
        fixed(DType::F64, &[3]),
    )
    .unwrap();
    assert_eq!(elems::<f64>(&r), [1.0, 2.0, 3.0]);
    let a = t(&[2, 1], vec![1i64, 2]);
    let b = t(&[2, 2], vec![3i64, 4, 5, 6]);
    let r = apply(
        Op::Concat { axis: 1 },
        vec![a.clone(), b.clone()],
        fixed(DType::I64, &[2, 3]),
    )
    .unwrap();
    assert_eq!(elems::<i64>(&r), [1, 3, 4, 2, 5, 6]);
    let e = apply(
        Op::Concat { axis: 0 },
        vec![a.clone(), b],
        fixed(DType::I64, &[4, 1]),
    );
    assert_eq!(e.unwrap_err().code, Code::ConcatMismatch);
    let e = apply(
        Op::Concat { axis: 0 },
        vec![a, t(&[1, 1], vec![1i32])],
        fixed(DType::I64, &[3, 1]),
    );
    assert_eq!(e.unwrap_err().code, Code::DTypeMismatch);
}

fn s(start: Bound, stop: Bound, step: i64) -> SliceAxis {
    SliceAxis { start, stop, step }
}

#[test]
fn static_slices_follow_python() {
    use Bound::{Const as C, Default as D};
    let x = || arange(&[10]);
    let cases: Vec<(SliceAxis, Vec<i32>)> = vec![
        (s(C(2), C(8), 3), vec![2, 5]),
        (s(D, D, -1), (0..10).rev().collect()),
        (s(C(-3), D, 1), vec![7, 8, 9]),
        (s(C(-100), C(100), 4), vec![0, 4, 8]),
        (s(C(8), C(2), 1), vec![]),
        (s(C(-2), C(-8), -2), vec![8, 6, 4]),
    ];
    for (sl, want) in cases {
        let ty = fixed(DType::I32, &[want.len() as i64]);
        let r = apply(
            Op::Slice {
                axes: vec![sl.clone()],
            },
            vec![x()],
            ty,
        )
        .unwrap();
        assert_eq!(elems::<i32>(&r), want, "{sl:?}");
    }
    let op = Op::Slice {
        axes: vec![s(C(1), D, 1), s(D, D, 2)],
    };
    let r = apply(op, vec![arange(&[3, 4])], fixed(DType::I32, &[2, 2])).unwrap();
    assert_eq!(elems::<i32>(&r), [4, 6, 8, 10]);
    let e = apply(
        Op::Slice {
            axes: vec![s(D, D, 0)],
        },
        vec![x()],
        fixed(DType::I32, &[10]),
    );
    assert_eq!(e.unwrap_err().code, Code::BadSlice);
    let e = apply(
        Op::Slice { axes: vec![] },
        vec![x()],
        fixed(DType::I32, &[10]),
    );
    assert_eq!(e.unwrap_err().code, Code::BadSlice);
}

/// `@f(x: f64[n], lo: i64, hi: i64) -> (y: f64[k], r: f64[k])`: `y = x[lo:hi]` with a fresh dim
/// `k`, and `r = y + iota(k)` which only checks when `k` was bound at run time.
fn operand_slice_module() -> air_ir::Module {
    let params = vec![
        ("x", ty(DType::F64, &["n"]), Intent::In),
        ("lo", ty(DType::I64, &[]), Intent::In),
        ("hi", ty(DType::I64, &[]), Intent::In),
    ];
    let results = vec![
        (Some("y"), ty(DType::F64, &["k"])),
        (Some("r"), ty(DType::F64, &["k"])),
    ];
    let f = func("f", params, results, |r| {
        let op = Op::Slice {
            axes: vec![s(Bound::Operand(1), Bound::Operand(2), 1)],
        };
        let y = node(
            r,
            op,
            vec![Value::Param(0), Value::Param(1), Value::Param(2)],
            ty(DType::F64, &["k"]),
        );
        let iota = Op::Iota {
            dtype: DType::F64,
            shape: vec![air_ir::Dim::symbol("k")],
            axis: 0,
        };
        let i = node(r, iota, vec![], ty(DType::F64, &["k"]));
        let sum = node(
            r,
            Op::Binary(BinaryOp::Add),
            vec![y, i],
            ty(DType::F64, &["k"]),
        );
        vec![y, sum]
    });
    module(vec![f])
}

#[test]
fn operand_bounds_and_fresh_dims() {
    let m = operand_slice_module();
    let x = v((0..10).map(f64::from).collect());
    let run = |lo: i64, hi: i64| {
        let ins = inputs(vec![
            ("x", x.clone()),
            ("lo", Tensor::scalar(lo)),
            ("hi", Tensor::scalar(hi)),
        ]);
        air_interp::run(&m, "f", &ins)
    };
    let out = run(-4, 100).unwrap();
    assert_eq!(out[0].0, "y");
    assert_eq!(elems::<f64>(&out[0].1), [6.0, 7.0, 8.0, 9.0]);
    assert_eq!(elems::<f64>(&out[1].1), [6.0, 8.0, 10.0, 12.0]);
    assert_eq!(elems::<f64>(&run(3, 1).unwrap()[0].1), Vec::<f64>::new());
    // A non-integer bound operand.
    let ins = inputs(vec![
        ("x", x),
        ("lo", Tensor::scalar(1.0f64)),
        ("hi", Tensor::scalar(2i64)),
    ]);
    assert_eq!(
        air_interp::run(&m, "f", &ins).unwrap_err().code,
        Code::BadInput,
        "lo is declared i64"
    );
}

#[test]
fn symbolic_slice_that_would_clamp_fails() {
    // `x[:4]` on f64[n] is declared f64[4]; with n = 3 the run fails (op-rules: E0506).
    let f = func(
        "f",
        vec![("x", ty(DType::F64, &["n"]), Intent::In)],
        vec![(None, ty(DType::F64, &["4"]))],
        |r| {
            let op = Op::Slice {
                axes: vec![s(Bound::Default, Bound::Const(4), 1)],
            };
            vec![node(r, op, vec![Value::Param(0)], ty(DType::F64, &["4"]))]
        },
    );
    let m = module(vec![f]);
    let ok = air_interp::run(&m, "f", &inputs(vec![("x", v(vec![1.0f64; 5]))])).unwrap();
    assert_eq!((ok[0].0.as_str(), ok[0].1.shape()), ("result0", &[4][..]));
    let e = air_interp::run(&m, "f", &inputs(vec![("x", v(vec![1.0f64; 3]))])).unwrap_err();
    assert_eq!(e.code, Code::BadExtent);
}

#[test]
fn take_with_negative_indices_and_any_index_rank() {
    let x = t(&[3, 2], vec![1i32, 2, 3, 4, 5, 6]);
    let r = apply(
        Op::Take { axis: 0 },
        vec![x.clone(), v(vec![2i64, -3])],
        fixed(DType::I32, &[2, 2]),
    )
    .unwrap();
    assert_eq!(elems::<i32>(&r), [5, 6, 1, 2]);
    let idx = t(&[2, 1], vec![0i32, 1]);
    let r = apply(
        Op::Take { axis: 1 },
        vec![x.clone(), idx],
        fixed(DType::I32, &[3, 2, 1]),
    )
    .unwrap();
    assert_eq!(elems::<i32>(&r), [1, 2, 3, 4, 5, 6]);
    let r = apply(
        Op::Take { axis: 1 },
        vec![x.clone(), Tensor::scalar(-1i64)],
        fixed(DType::I32, &[3]),
    )
    .unwrap();
    assert_eq!(elems::<i32>(&r), [2, 4, 6]);
    let r = apply(
        Op::Take { axis: 0 },
        vec![x.clone(), v(Vec::<i64>::new())],
        fixed(DType::I32, &[0, 2]),
    )
    .unwrap();
    assert_eq!(r.shape(), [0, 2]);
    for bad in [3i64, -4] {
        let e = apply(
            Op::Take { axis: 0 },
            vec![x.clone(), v(vec![0i64, bad])],
            fixed(DType::I32, &[2, 2]),
        );
        assert_eq!(e.unwrap_err().code, Code::IndexOutOfRange, "{bad}");
    }
    let e = apply(
        Op::Take { axis: 0 },
        vec![x, v(vec![0.0f64])],
        fixed(DType::I32, &[1, 2]),
    );
    assert_eq!(e.unwrap_err().code, Code::DTypeNotAccepted);
}

#[test]
fn extract_and_insert() {
    let x = t(&[2, 3], vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let i = |k: i64| Tensor::scalar(k);
    let r = apply(
        Op::Extract,
        vec![x.clone(), i(1), i(-1)],
        fixed(DType::F64, &[]),
    )
    .unwrap();
    assert_eq!(elems::<f64>(&r), [6.0]);
    let e = apply(
        Op::Extract,
        vec![x.clone(), i(2), i(0)],
        fixed(DType::F64, &[]),
    );
    assert_eq!(e.unwrap_err().code, Code::IndexOutOfRange);
    let e = apply(Op::Extract, vec![x.clone(), i(0)], fixed(DType::F64, &[]));
    assert_eq!(e.unwrap_err().code, Code::RankMismatch);
    let e = apply(
        Op::Extract,
        vec![x.clone(), Tensor::scalar(1i32), i(0)],
        fixed(DType::F64, &[]),
    );
    assert_eq!(
        e.unwrap_err().code,
        Code::DTypeNotAccepted,
        "indices are i64"
    );
    let r = apply(
        Op::Insert,
        vec![x.clone(), Tensor::scalar(9.0f64), i(0), i(-2)],
        fixed(DType::F64, &[2, 3]),
    )
    .unwrap();
    assert_eq!(elems::<f64>(&r), [1.0, 9.0, 3.0, 4.0, 5.0, 6.0]);
    let e = apply(
        Op::Insert,
        vec![x, Tensor::scalar(9i64), i(0), i(0)],
        fixed(DType::F64, &[2, 3]),
    );
    assert_eq!(e.unwrap_err().code, Code::DTypeMismatch);
}

/// `@f(x: f64[n], m: bool[n]) -> (s: f64)`: `k`-long `filter`, then `y + iota(k)` and a sum.
#[test]
fn filter_binds_its_fresh_dim() {
    let params = vec![
        ("x", ty(DType::F64, &["n"]), Intent::In),
        ("m", ty(DType::Bool, &["n"]), Intent::In),
    ];
    let f = func(
        "f",
        params,
        vec![(Some("y"), ty(DType::F64, &["k"]))],
        |r| {
            let y = node(
                r,
                Op::Filter,
                vec![Value::Param(0), Value::Param(1)],
                ty(DType::F64, &["k"]),
            );
            let iota = Op::Iota {
                dtype: DType::F64,
                shape: vec![air_ir::Dim::symbol("k")],
                axis: 0,
            };
            let i = node(r, iota, vec![], ty(DType::F64, &["k"]));
            vec![node(
                r,
                Op::Binary(BinaryOp::Mul),
                vec![y, i],
                ty(DType::F64, &["k"]),
            )]
        },
    );
    let m = module(vec![f]);
    let ins = inputs(vec![
        ("x", v(vec![1.0f64, 2.0, 3.0, 4.0])),
        ("m", v(vec![true, false, true, true])),
    ]);
    let out = air_interp::run(&m, "f", &ins).unwrap();
    assert_eq!(elems::<f64>(&out[0].1), [0.0, 3.0, 8.0]);
    let ins = inputs(vec![("x", v(vec![1.0f64])), ("m", v(vec![false]))]);
    assert_eq!(air_interp::run(&m, "f", &ins).unwrap()[0].1.shape(), [0]);
}

#[test]
fn declared_shapes_are_checked() {
    // add declared f64[3] but computing f64[2]: a bad module (or interpreter bug) fails loudly.
    let e = apply(
        Op::Binary(BinaryOp::Add),
        vec![v(vec![1.0f64, 2.0]), v(vec![1.0f64, 2.0])],
        fixed(DType::F64, &[3]),
    );
    assert_eq!(e.unwrap_err().code, Code::BadExtent);
    let e = apply(
        Op::Binary(BinaryOp::Add),
        vec![v(vec![1.0f64]), v(vec![1.0f64])],
        fixed(DType::F32, &[1]),
    );
    assert_eq!(e.unwrap_err().code, Code::ResultTypeMismatch);
    let op = Op::Full {
        value: Literal::f64(1.5),
        shape: vec![air_ir::Dim::constant(-1)],
    };
    assert_eq!(
        apply(op, vec![], fixed(DType::F64, &[1])).unwrap_err().code,
        Code::BadExtent
    );
    let op = Op::Full {
        value: Literal::f64(1.5),
        shape: vec![2.into()],
    };
    assert_eq!(
        elems::<f64>(&apply(op, vec![], fixed(DType::F64, &[2])).unwrap()),
        [1.5, 1.5]
    );
    let op = Op::Iota {
        dtype: DType::I8,
        shape: vec![2.into(), 3.into()],
        axis: 1,
    };
    assert_eq!(
        elems::<i8>(&apply(op, vec![], fixed(DType::I8, &[2, 3])).unwrap()),
        [0, 1, 2, 0, 1, 2]
    );
    let op = Op::Reduce {
        kind: ReduceKind::Sum,
        axes: vec![0],
        keepdims: false,
    };
    assert_eq!(
        apply(op, vec![v(vec![1i32])], fixed(DType::I32, &[1]))
            .unwrap_err()
            .code,
        Code::BadExtent
    );
    let huge = Op::Full {
        value: Literal::f64(0.0),
        shape: vec![(1i64 << 20).into(), (1i64 << 20).into()],
    };
    let e = apply(huge, vec![], fixed(DType::F64, &[1 << 20, 1 << 20])).unwrap_err();
    assert_eq!(e.code, Code::TooLarge, "refuses to allocate 2^40 elements");
}
