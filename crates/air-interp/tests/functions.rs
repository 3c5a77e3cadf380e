//! Input binding, symbols, output naming, `for`, `if`, `call`, `custom` and error context.

mod common;

use air_interp::{run, Tensor};
use air_ir::op::{CustomOp, ReduceKind};
use air_ir::{BinaryOp, Code, DType, Dim, Intent, Literal, Module, Op, TensorType, Value};
use common::{const_i64, elems, func, inputs, module, node, node_n, region, ty, v};

fn in_(name: &str, t: TensorType) -> (&str, TensorType, Intent) {
    (name, t, Intent::In)
}

/// `@f(x: f64[n], y: f64[n+1]) -> f64[2*n+1]`: `concat(x, y)`.
fn concat_module() -> Module {
    let params = vec![
        in_("x", ty(DType::F64, &["n"])),
        in_("y", ty(DType::F64, &["n+1"])),
    ];
    module(vec![func(
        "f",
        params,
        vec![(None, ty(DType::F64, &["2*n+1"]))],
        |r| {
            vec![node(
                r,
                Op::Concat { axis: 0 },
                vec![Value::Param(0), Value::Param(1)],
                ty(DType::F64, &["n+n+1"]),
            )]
        },
    )])
}

#[test]
fn inputs_bind_by_name_with_clear_errors() {
    let m = concat_module();
    let x = || v(vec![1.0f64, 2.0]);
    let y = || v(vec![3.0f64, 4.0, 5.0]);
    let out = run(&m, "f", &inputs(vec![("y", y()), ("x", x())])).unwrap();
    assert_eq!(out[0].0, "result0");
    assert_eq!(elems::<f64>(&out[0].1), [1.0, 2.0, 3.0, 4.0, 5.0]);

    let err = |ins: Vec<(&str, Tensor)>| run(&m, "f", &inputs(ins)).unwrap_err();
    let e = err(vec![("x", x())]);
    assert!(e.code == Code::BadInput && e.message.contains("%y"), "{e}");
    let e = err(vec![("x", x()), ("y", y()), ("z", x())]);
    assert!(e.code == Code::BadInput && e.message.contains("z"), "{e}");
    let e = err(vec![("x", x()), ("y", y()), ("x", x())]);
    assert_eq!(e.code, Code::BadInput, "repeated input");
    let e = err(vec![("x", v(vec![1.0f32, 2.0])), ("y", y())]);
    assert!(e.code == Code::BadInput && e.message.contains("%x"), "{e}");
    let e = err(vec![
        ("x", common::t(&[1, 2], vec![1.0f64, 2.0])),
        ("y", y()),
    ]);
    assert!(
        e.code == Code::BadInput && e.message.contains("%x"),
        "wrong rank: {e}"
    );
    let e = err(vec![("x", x()), ("y", v(vec![1.0f64; 4]))]);
    assert!(
        e.code == Code::SymbolConflict && e.message.contains("%y"),
        "n+1 must be 3: {e}"
    );
    assert!(e.to_string().starts_with("error[E0502]"), "{e}");
    assert_eq!(run(&m, "g", &[]).unwrap_err().code, Code::UnknownFunction);
    // Every problem at once, each naming its parameter or input.
    let e = err(vec![("y", v(vec![1i32])), ("w", x())]);
    assert_eq!(e.code, Code::BadInput);
    for name in ["input w", "missing input %x", "%y: expected f64[n+1]"] {
        assert!(e.message.contains(name), "{name} not in {e}");
    }
}

#[test]
fn symbols_conflict_and_constants_are_checked() {
    let params = vec![
        in_("a", ty(DType::F64, &["n", "3"])),
        in_("b", ty(DType::F64, &["n"])),
    ];
    let m = module(vec![func(
        "f",
        params,
        vec![(None, ty(DType::F64, &["n"]))],
        |_| vec![Value::Param(1)],
    )]);
    let a = |rows: usize, cols: usize| common::t(&[rows, cols], vec![0.0f64; rows * cols]);
    assert!(run(
        &m,
        "f",
        &inputs(vec![("a", a(2, 3)), ("b", v(vec![0.0f64; 2]))])
    )
    .is_ok());
    let e = run(
        &m,
        "f",
        &inputs(vec![("a", a(2, 3)), ("b", v(vec![0.0f64; 5]))]),
    )
    .unwrap_err();
    assert!(
        e.code == Code::SymbolConflict && e.message.contains("symbol n"),
        "{e}"
    );
    let e = run(
        &m,
        "f",
        &inputs(vec![("a", a(2, 4)), ("b", v(vec![0.0f64; 2]))]),
    )
    .unwrap_err();
    assert_eq!(e.code, Code::BadExtent, "constant dim 3 given 4 (spec 4.2)");
    // Every dtype or rank problem is listed in one E0501.
    let e = run(
        &m,
        "f",
        &inputs(vec![("a", v(vec![0.0f64])), ("b", v(vec![0i32]))]),
    )
    .unwrap_err();
    assert!(
        e.code == Code::BadInput && e.message.contains("%a") && e.message.contains("%b"),
        "{e}"
    );
}

#[test]
fn symbols_only_inside_expressions_are_not_solved() {
    // @f(x: f64[2*n]) -> i64[n]: `n` occurs only inside `2*n`, so no input binds it (spec 4.2).
    let f = func(
        "f",
        vec![in_("x", ty(DType::F64, &["2*n"]))],
        vec![(None, ty(DType::I64, &["n"]))],
        |r| {
            let iota = Op::Iota {
                dtype: DType::I64,
                shape: vec![Dim::symbol("n")],
                axis: 0,
            };
            vec![node(r, iota, vec![], ty(DType::I64, &["n"]))]
        },
    );
    let e = air_interp::run_unchecked(
        &module(vec![f]),
        "f",
        &inputs(vec![("x", v(vec![0.0f64; 6]))]),
    )
    .unwrap_err();
    assert!(
        e.code == Code::SymbolConflict && e.message.contains("%x"),
        "{e}"
    );
    // With a lone `n` elsewhere, `2*n` is checked.
    let params = vec![
        in_("x", ty(DType::F64, &["n"])),
        in_("y", ty(DType::F64, &["2*n"])),
    ];
    let m = module(vec![func(
        "g",
        params,
        vec![(None, ty(DType::F64, &["n"]))],
        |_| vec![Value::Param(0)],
    )]);
    let ok = run(
        &m,
        "g",
        &inputs(vec![("x", v(vec![0.0f64; 3])), ("y", v(vec![0.0f64; 6]))]),
    );
    assert!(ok.is_ok());
    let e = run(
        &m,
        "g",
        &inputs(vec![("x", v(vec![0.0f64; 3])), ("y", v(vec![0.0f64; 5]))]),
    )
    .unwrap_err();
    assert!(
        e.code == Code::SymbolConflict && e.message.contains("%y"),
        "{e}"
    );
}

/// `@f(x: f64[n], out o: f64[n], inout acc: f64[n]) -> (f64, %s: f64)`:
/// yields `sum(x)`, `2`, then `o = x * x` and `acc = acc + x`.
fn intents_module() -> Module {
    let params = vec![
        in_("x", ty(DType::F64, &["n"])),
        ("o", ty(DType::F64, &["n"]), Intent::Out),
        ("acc", ty(DType::F64, &["n"]), Intent::InOut),
    ];
    let results = vec![
        (None, ty(DType::F64, &[])),
        (Some("s"), ty(DType::F64, &[])),
    ];
    module(vec![func("f", params, results, |r| {
        let sum = Op::Reduce {
            kind: ReduceKind::Sum,
            axes: vec![0],
            keepdims: false,
        };
        let s = node(r, sum, vec![Value::Param(0)], ty(DType::F64, &[]));
        let two = node(
            r,
            Op::Constant(Literal::f64(2.0)),
            vec![],
            ty(DType::F64, &[]),
        );
        let sq = node(
            r,
            Op::Binary(BinaryOp::Mul),
            vec![Value::Param(0), Value::Param(0)],
            ty(DType::F64, &["n"]),
        );
        let acc = node(
            r,
            Op::Binary(BinaryOp::Add),
            vec![Value::Param(2), Value::Param(0)],
            ty(DType::F64, &["n"]),
        );
        vec![s, two, sq, acc]
    })])
}

#[test]
fn outputs_are_named_results_then_out_and_inout_params() {
    let m = intents_module();
    let ins = inputs(vec![
        ("x", v(vec![1.0f64, 2.0])),
        ("acc", v(vec![10.0f64, 20.0])),
    ]);
    let out = run(&m, "f", &ins).unwrap();
    let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["result0", "s", "o", "acc"]);
    assert_eq!(elems::<f64>(&out[0].1), [3.0]);
    assert_eq!(elems::<f64>(&out[2].1), [1.0, 4.0]);
    assert_eq!(elems::<f64>(&out[3].1), [11.0, 22.0]);
    // An `out` buffer may be given (and is checked), an `inout` one must be.
    let ins = inputs(vec![
        ("x", v(vec![1.0f64])),
        ("acc", v(vec![0.0f64])),
        ("o", v(vec![0.0f64; 2])),
    ]);
    assert_eq!(run(&m, "f", &ins).unwrap_err().code, Code::SymbolConflict);
    let e = run(&m, "f", &inputs(vec![("x", v(vec![1.0f64]))])).unwrap_err();
    assert!(
        e.code == Code::BadInput && e.message.contains("%acc"),
        "{e}"
    );
}

#[test]
fn an_out_buffer_is_needed_when_no_input_binds_its_dims() {
    // @f(x: f64[n], out o: f64[m]) -> (): `m` is bound by no input.
    let params = vec![
        in_("x", ty(DType::F64, &["n"])),
        ("o", ty(DType::F64, &["m"]), Intent::Out),
    ];
    let f = func("f", params, vec![], |r| {
        let z = Op::Full {
            value: Literal::f64(1.0),
            shape: vec![Dim::symbol("m")],
        };
        vec![node(r, z, vec![], ty(DType::F64, &["m"]))]
    });
    let m = module(vec![f]);
    let e = run(&m, "f", &inputs(vec![("x", v(vec![0.0f64]))])).unwrap_err();
    assert!(e.code == Code::BadInput && e.message.contains("%o"), "{e}");
    let out = run(
        &m,
        "f",
        &inputs(vec![("x", v(vec![0.0f64])), ("o", v(vec![0.0f64; 2]))]),
    )
    .unwrap();
    assert_eq!(
        (out[0].0.as_str(), elems::<f64>(&out[0].1)),
        ("o", vec![1.0, 1.0])
    );
}

/// `@sum_range(lo: i64, hi: i64, step: i64) -> i64`: the sum of `range(lo, hi, step)`.
fn loop_module() -> Module {
    let s = || ty(DType::I64, &[]);
    let params = vec![in_("lo", s()), in_("hi", s()), in_("step", s())];
    module(vec![func("sum_range", params, vec![(None, s())], |r| {
        let zero = const_i64(r, 0);
        let mut body = region(vec![s(), s()]);
        let next = node(
            &mut body,
            Op::Binary(BinaryOp::Add),
            vec![Value::Param(1), Value::Param(0)],
            s(),
        );
        body.results = vec![next];
        let operands = vec![Value::Param(0), Value::Param(1), Value::Param(2), zero];
        vec![node(r, Op::For { body }, operands, s())]
    })])
}

#[test]
fn for_loops() {
    let m = loop_module();
    let sum = |lo: i64, hi: i64, step: i64| {
        let ins = inputs(vec![
            ("lo", Tensor::scalar(lo)),
            ("hi", Tensor::scalar(hi)),
            ("step", Tensor::scalar(step)),
        ]);
        run(&m, "sum_range", &ins).map(|o| elems::<i64>(&o[0].1)[0])
    };
    assert_eq!(sum(0, 5, 1).unwrap(), 10);
    assert_eq!(sum(5, 0, -2).unwrap(), 5 + 3 + 1);
    assert_eq!(
        sum(5, 0, 1).unwrap(),
        0,
        "zero iterations give the initial value"
    );
    assert_eq!(
        sum(i64::MAX - 1, i64::MAX, 5).unwrap(),
        i64::MAX - 1,
        "no overflow past the end"
    );
    let e = sum(0, 5, 0).unwrap_err();
    assert_eq!(e.code, Code::BadExtent, "step 0");
    assert_eq!(
        (e.op, e.function.as_deref()),
        (Some("for"), Some("sum_range"))
    );
}

/// `@f(x: f64[n]) -> f64`: `for i in 0..3 { acc = acc + x[i + 5] }` fails inside the body.
#[test]
fn errors_inside_regions_name_the_node_path() {
    let s = || ty(DType::I64, &[]);
    let f = func(
        "f",
        vec![in_("x", ty(DType::F64, &["n"]))],
        vec![(None, ty(DType::F64, &[]))],
        |r| {
            let (lo, hi, one) = (const_i64(r, 0), const_i64(r, 3), const_i64(r, 1));
            let init = node(
                r,
                Op::Constant(Literal::f64(0.0)),
                vec![],
                ty(DType::F64, &[]),
            );
            let mut body = region(vec![s(), ty(DType::F64, &[]), ty(DType::F64, &["n"])]);
            let five = const_i64(&mut body, 5);
            let k = node(
                &mut body,
                Op::Binary(BinaryOp::Add),
                vec![Value::Param(0), five],
                s(),
            );
            let mut ex = air_ir::Node::new(
                Op::Extract,
                vec![Value::Param(2), k],
                vec![ty(DType::F64, &[])],
            );
            ex.name = Some("xk".into());
            let xk = Value::of(body.push(ex));
            let next = node(
                &mut body,
                Op::Binary(BinaryOp::Add),
                vec![Value::Param(1), xk],
                ty(DType::F64, &[]),
            );
            body.results = vec![next];
            vec![node(
                r,
                Op::For { body },
                vec![lo, hi, one, init, Value::Param(0)],
                ty(DType::F64, &[]),
            )]
        },
    );
    let m = module(vec![f]);
    let ok = run(
        &m,
        "f",
        &inputs(vec![("x", v((0..8).map(f64::from).collect()))]),
    )
    .unwrap();
    assert_eq!(elems::<f64>(&ok[0].1), [5.0 + 6.0 + 7.0]);
    let e = run(&m, "f", &inputs(vec![("x", v(vec![0.0f64; 6]))])).unwrap_err();
    assert_eq!(e.code, Code::IndexOutOfRange);
    assert_eq!(e.node_path, [air_ir::NodeId(4), air_ir::NodeId(2)]);
    assert_eq!(
        (e.op, e.node_name.as_deref()),
        (Some("extract"), Some("xk"))
    );
    let text = e.to_string();
    assert!(
        text.starts_with("error[E0503]: extract: ") && text.ends_with("at %4/%2 (%xk) in @f"),
        "{text}"
    );
}

#[test]
fn if_picks_a_branch() {
    let s = || ty(DType::F64, &[]);
    let params = vec![in_("c", ty(DType::Bool, &[])), in_("x", s())];
    let f = func("f", params, vec![(None, s())], |r| {
        let mut then_branch = region(vec![s()]);
        let neg = node(
            &mut then_branch,
            Op::Unary(air_ir::UnaryOp::Neg),
            vec![Value::Param(0)],
            s(),
        );
        then_branch.results = vec![neg];
        let mut else_branch = region(vec![s()]);
        else_branch.results = vec![Value::Param(0)];
        vec![node(
            r,
            Op::If {
                then_branch,
                else_branch,
            },
            vec![Value::Param(0), Value::Param(1)],
            s(),
        )]
    });
    let m = module(vec![f]);
    let go = |c: bool| {
        let out = run(
            &m,
            "f",
            &inputs(vec![
                ("c", Tensor::scalar(c)),
                ("x", Tensor::scalar(2.0f64)),
            ]),
        )
        .unwrap();
        elems::<f64>(&out[0].1)[0]
    };
    assert_eq!((go(true), go(false)), (-2.0, 2.0));
}

/// `@mul(a: f64[k], b: f64[k], out o: f64[k]) -> f64[k]` yields `(a*b, a+b)`; `@f` calls it and
/// also runs a custom op decomposed by `@mul`.
fn call_module(decomposition: Option<&str>) -> Module {
    let vk = || ty(DType::F64, &["k"]);
    let callee = func(
        "mul",
        vec![in_("a", vk()), in_("b", vk()), ("o", vk(), Intent::Out)],
        vec![(None, vk())],
        |r| {
            let p = node(
                r,
                Op::Binary(BinaryOp::Mul),
                vec![Value::Param(0), Value::Param(1)],
                vk(),
            );
            let s = node(
                r,
                Op::Binary(BinaryOp::Add),
                vec![Value::Param(0), Value::Param(1)],
                vk(),
            );
            vec![p, s]
        },
    );
    let vn = || ty(DType::F64, &["n"]);
    let params = vec![in_("x", vn()), in_("y", vn())];
    let results = vec![(Some("p"), vn()), (Some("s"), vn()), (Some("c"), vn())];
    let f = func("f", params, results, |r| {
        let call = Op::Call {
            callee: "mul".into(),
        };
        let outs = node_n(
            r,
            call,
            vec![Value::Param(0), Value::Param(1)],
            vec![vn(), vn()],
        );
        let custom = Op::Custom(CustomOp {
            domain: "test".into(),
            name: "fancy_mul".into(),
            attrs: vec![],
            decomposition: decomposition.map(str::to_string),
        });
        let c = node_n(
            r,
            custom,
            vec![Value::Param(0), Value::Param(1)],
            vec![vn(), vn()],
        );
        vec![outs[0], outs[1], c[0]]
    });
    module(vec![callee, f])
}

#[test]
fn calls_and_custom_ops_with_a_decomposition() {
    let m = call_module(Some("mul"));
    let ins = inputs(vec![
        ("x", v(vec![1.0f64, 2.0])),
        ("y", v(vec![3.0f64, 4.0])),
    ]);
    let out = run(&m, "f", &ins).unwrap();
    assert_eq!(elems::<f64>(&out[0].1), [3.0, 8.0]);
    assert_eq!(elems::<f64>(&out[1].1), [4.0, 6.0]);
    assert_eq!(elems::<f64>(&out[2].1), [3.0, 8.0]);
    // Calling the callee directly: its `out` param comes back under its name.
    let ins = inputs(vec![("a", v(vec![2.0f64])), ("b", v(vec![5.0f64]))]);
    let names: Vec<String> = run(&m, "mul", &ins)
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["result0", "o"]);
}

#[test]
fn custom_ops_without_decomposition_are_all_listed() {
    let mut m = call_module(None);
    // A second undecomposed op, in the callee.
    let custom = Op::Custom(CustomOp {
        domain: "lib".into(),
        name: "other".into(),
        attrs: vec![],
        decomposition: None,
    });
    let callee = &mut m.functions[0].body;
    node(callee, custom, vec![], ty(DType::F64, &[]));
    let ins = inputs(vec![("x", v(vec![1.0f64])), ("y", v(vec![3.0f64]))]);
    let e = run(&m, "f", &ins).unwrap_err();
    assert_eq!(e.code, Code::NoDecomposition);
    assert!(
        e.message.contains("test.fancy_mul in @f") && e.message.contains("lib.other in @mul"),
        "{e}"
    );
}

#[test]
fn runaway_recursion_is_an_error_not_a_crash() {
    let s = || ty(DType::F64, &[]);
    let f = func("f", vec![in_("x", s())], vec![(None, s())], |r| {
        vec![node(
            r,
            Op::Call { callee: "f".into() },
            vec![Value::Param(0)],
            s(),
        )]
    });
    let e = air_interp::run_unchecked(
        &module(vec![f]),
        "f",
        &inputs(vec![("x", Tensor::scalar(1.0f64))]),
    )
    .unwrap_err();
    // Unchecked, the interpreter cannot tell recursion from a deep chain: it stops at the one
    // limit on call depth (the validator reports the cycle itself as E0403).
    assert_eq!(e.code, Code::CallTooDeep);
}

#[test]
fn run_validates_first_and_run_unchecked_does_not() {
    // `add` declared f64[3] on f64[2] operands: E0213 from the validator, E0506 from the node check.
    let vt = || ty(DType::F64, &["2"]);
    let f = func(
        "f",
        vec![in_("x", vt())],
        vec![(None, ty(DType::F64, &["3"]))],
        |r| {
            let op = Op::Binary(BinaryOp::Add);
            vec![node(
                r,
                op,
                vec![Value::Param(0), Value::Param(0)],
                ty(DType::F64, &["3"]),
            )]
        },
    );
    let m = module(vec![f]);
    let ins = inputs(vec![("x", v(vec![1.0f64, 2.0]))]);
    let e = run(&m, "f", &ins).unwrap_err();
    assert_eq!(e.code, Code::ResultTypeMismatch);
    assert!(
        e.message.starts_with("the module is invalid (1 problem)"),
        "{e}"
    );
    let e = air_interp::run_unchecked(&m, "f", &ins).unwrap_err();
    assert_eq!(e.code, Code::BadExtent);
}

/// `@main(x: f64[n]) -> f64[k]` calls `@positives(x: f64[p]) -> f64[q]` (a filter): the call's
/// result has a fresh dim `k`, bound when the call returns, which the next node's type uses.
#[test]
fn a_callee_fresh_dim_becomes_the_callers() {
    let positives = func(
        "positives",
        vec![in_("x", ty(DType::F64, &["p"]))],
        vec![(None, ty(DType::F64, &["q"]))],
        |r| {
            let zero = Op::Full {
                value: Literal::f64(0.0),
                shape: vec![Dim::symbol("p")],
            };
            let zero = node(r, zero, vec![], ty(DType::F64, &["p"]));
            let pos = node(
                r,
                Op::Binary(BinaryOp::Gt),
                vec![Value::Param(0), zero],
                ty(DType::Bool, &["p"]),
            );
            vec![node(
                r,
                Op::Filter,
                vec![Value::Param(0), pos],
                ty(DType::F64, &["q"]),
            )]
        },
    );
    let main = func(
        "main",
        vec![in_("x", ty(DType::F64, &["n"]))],
        vec![(None, ty(DType::F64, &["k"]))],
        |r| {
            let kept = node(
                r,
                Op::Call {
                    callee: "positives".into(),
                },
                vec![Value::Param(0)],
                ty(DType::F64, &["k"]),
            );
            vec![node(
                r,
                Op::Binary(BinaryOp::Mul),
                vec![kept, kept],
                ty(DType::F64, &["k"]),
            )]
        },
    );
    let m = module(vec![main, positives]);
    let out = run(
        &m,
        "main",
        &inputs(vec![("x", v(vec![-1.0f64, 2.0, 0.0, 3.0]))]),
    )
    .unwrap();
    assert_eq!(elems::<f64>(&out[0].1), [4.0, 9.0]);
}
