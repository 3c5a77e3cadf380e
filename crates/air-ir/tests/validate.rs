//! The validator: one test per code it reports, all problems collected, no cascades, and the side
//! table it returns.
#![allow(clippy::result_large_err)] // `Diagnostic` is the crate's error type

mod common;

use air_ir::op::CustomOp;
use air_ir::validate::{validate, validate_function, validate_with, FreshDim};
use air_ir::{
    BinaryOp, Code, Diagnostic, Function, Intent, Literal, Location, Module, NodeId, Op, Region,
    UnaryOp, Value,
};
use common::{d, func, func_in, module, node, p, rparams, ty, v};

/// Every diagnostic of an invalid module.
fn diags(m: &Module) -> Vec<Diagnostic> {
    match validate(m) {
        Ok(_) => panic!("module unexpectedly valid"),
        Err(e) => e.0,
    }
}

fn codes(m: &Module) -> Vec<Code> {
    diags(m).iter().map(|d| d.code).collect()
}

/// `@f(x: f64[n]) -> (f64[n])` with the given body nodes yielding `yields`.
fn unary_fn(nodes: Vec<air_ir::Node>, yields: Vec<Value>) -> Function {
    let mut f = func_in("f", &[("x", "f64[n]")], &["f64[n]"]);
    f.body.nodes = nodes;
    f.body.results = yields;
    f
}

#[test]
fn a_valid_module_gives_its_side_table() {
    // @pos(x: f64[n]) -> (f64[k], f64[n]): k = filter(x, x > 0), then a slice with a fresh extent.
    let mut f = func_in("pos", &[("x", "f64[n]")], &["f64[k]", "f64[j]"]);
    let zero = Op::Full {
        value: Literal::f64(0.0),
        shape: vec![d("n")],
    };
    f.body.nodes = vec![
        node(zero, &[], &["f64[n]"]),
        node(Op::Binary(BinaryOp::Gt), &[p(0), v(0)], &["bool[n]"]),
        node(Op::Filter, &[p(0), v(1)], &["f64[k]"]),
        node(
            Op::Slice {
                axes: vec![air_ir::op::SliceAxis {
                    start: air_ir::op::Bound::Default,
                    stop: air_ir::op::Bound::Default,
                    step: 2,
                }],
            },
            &[v(2)],
            &["f64[j]"],
        ),
    ];
    f.body.results = vec![v(2), v(3)];
    let mut caller = func_in("caller", &[("y", "f64[m]")], &["f64[u]", "f64[w]"]);
    caller.body.nodes = vec![node(
        Op::Call {
            callee: "pos".into(),
        },
        &[p(0)],
        &["f64[u]", "f64[w]"],
    )];
    caller.body.nodes[0].results = common::tys(&["f64[u]", "f64[w]"]);
    caller.body.results = vec![
        Value::Result {
            node: NodeId(0),
            index: 0,
        },
        Value::Result {
            node: NodeId(0),
            index: 1,
        },
    ];
    let m = module(vec![caller, f]);
    let info = validate(&m).unwrap_or_else(|e| panic!("{e}"));
    let pos = info.function("pos").unwrap();
    assert_eq!(pos.param_symbols, ["n".to_string()].into());
    assert_eq!(
        pos.symbols,
        ["j".to_string(), "k".to_string(), "n".to_string()].into()
    );
    let fresh = |s: &str| FreshDim {
        result: 0,
        axis: 0,
        symbol: s.into(),
    };
    assert_eq!(pos.body.fresh.get(&NodeId(2)), Some(&vec![fresh("k")]));
    assert_eq!(pos.body.fresh.get(&NodeId(3)), Some(&vec![fresh("j")]));
    let caller = info.function("caller").unwrap();
    let both = vec![
        fresh("u"),
        FreshDim {
            result: 1,
            axis: 0,
            symbol: "w".into(),
        },
    ];
    assert_eq!(caller.body.fresh.get(&NodeId(0)), Some(&both));
    assert_eq!(info.call_order, vec![1, 0], "callee first");
}

#[test]
fn e0301_value_used_before_it_is_defined() {
    let f = unary_fn(
        vec![
            node(Op::Unary(UnaryOp::Neg), &[v(1)], &["f64[n]"]),
            node(Op::Unary(UnaryOp::Neg), &[p(3)], &["f64[n]"]),
        ],
        vec![v(0)],
    );
    let ds = diags(&module(vec![f]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::BadHandle; 2]
    );
    assert_eq!(ds[0].node_path, vec![NodeId(0)]);
    assert!(ds[0].message.contains("%1"), "{}", ds[0].message);
    assert!(ds[1].message.contains("#3"), "{}", ds[1].message);
    // A yield that names no node.
    let f = unary_fn(vec![], vec![v(5)]);
    assert_eq!(codes(&module(vec![f])), vec![Code::BadHandle]);
}

#[test]
fn e0302_result_index_out_of_range() {
    let f = unary_fn(
        vec![
            node(Op::Unary(UnaryOp::Neg), &[p(0)], &["f64[n]"]),
            node(
                Op::Unary(UnaryOp::Neg),
                &[Value::Result {
                    node: NodeId(0),
                    index: 1,
                }],
                &["f64[n]"],
            ),
        ],
        vec![v(1)],
    );
    assert_eq!(codes(&module(vec![f])), vec![Code::BadResultIndex]);
}

#[test]
fn e0303_wrong_result_count() {
    let f = unary_fn(
        vec![node(
            Op::Unary(UnaryOp::Neg),
            &[p(0)],
            &["f64[n]", "f64[n]"],
        )],
        vec![v(0)],
    );
    assert_eq!(codes(&module(vec![f])), vec![Code::ResultCount]);
}

#[test]
fn e0304_duplicate_names() {
    let mut f = unary_fn(
        vec![
            node(Op::Unary(UnaryOp::Neg), &[p(0)], &["f64[n]"]),
            node(Op::Unary(UnaryOp::Neg), &[v(0)], &["f64[n]"]),
        ],
        vec![v(1)],
    );
    f.body.nodes[0].name = Some("y".into());
    f.body.nodes[1].name = Some("x".into()); // the param's name
    assert_eq!(codes(&module(vec![f])), vec![Code::DuplicateName]);
    let mut g = func_in("g", &[("a", "f64"), ("a", "f64")], &["f64"]);
    g.body.results = vec![p(0)];
    assert_eq!(codes(&module(vec![g])), vec![Code::DuplicateName]);
    // In a nested region.
    let mut f = loop_fn(Literal::f64(0.0));
    if let Op::For { body } = &mut f.body.nodes[4].op {
        body.params[2].name = "acc".into();
    }
    let ds = diags(&module(vec![f]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::DuplicateName]
    );
    assert_eq!(
        (ds[0].node_path.clone(), ds[0].op.as_deref()),
        (vec![NodeId(4)], Some("for"))
    );
    assert!(ds[0].message.starts_with("body: "), "{}", ds[0].message);
}

#[test]
fn e0305_return_does_not_match_the_signature() {
    let f = unary_fn(vec![], vec![p(0), p(0)]);
    assert_eq!(codes(&module(vec![f])), vec![Code::ReturnMismatch]);
    let f = unary_fn(
        vec![node(
            Op::Cast {
                dtype: air_ir::DType::F32,
            },
            &[p(0)],
            &["f32[n]"],
        )],
        vec![v(0)],
    );
    let ds = diags(&module(vec![f]));
    assert_eq!(ds[0].code, Code::ReturnMismatch);
    assert!(
        ds[0].message.contains("f32[n]") && ds[0].message.contains("f64[n]"),
        "{}",
        ds[0].message
    );
    // An out param needs a yield too.
    let mut g = func(
        "g",
        &[("x", "f64[n]", Intent::In), ("o", "f64[n]", Intent::Out)],
        &[],
    );
    g.body.results = vec![];
    assert_eq!(codes(&module(vec![g])), vec![Code::ReturnMismatch]);
}

#[test]
fn e0306_out_param_read() {
    let mut g = func(
        "g",
        &[("x", "f64[n]", Intent::In), ("o", "f64[n]", Intent::Out)],
        &[],
    );
    g.body.nodes = vec![node(Op::Binary(BinaryOp::Add), &[p(0), p(1)], &["f64[n]"])];
    g.body.results = vec![v(0)];
    let ds = diags(&module(vec![g.clone()]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::OutParamRead]
    );
    assert_eq!(ds[0].node_path, vec![NodeId(0)]);
    // Inout params may be read.
    g.params[1].intent = Intent::InOut;
    assert!(validate(&module(vec![g])).is_ok());
}

#[test]
fn e0307_body_params_differ_from_the_signature() {
    let mut f = unary_fn(vec![], vec![p(0)]);
    f.body.params = rparams(&[("x", "f64[m]")]);
    assert_eq!(codes(&module(vec![f.clone()])), vec![Code::BodyParams]);
    f.body.params = vec![];
    f.body.results = vec![];
    assert!(codes(&module(vec![f])).contains(&Code::BodyParams));
}

#[test]
fn e0401_duplicate_function() {
    let f = unary_fn(vec![], vec![p(0)]);
    let ds = diags(&module(vec![f.clone(), f]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::DuplicateFunction]
    );
    assert_eq!(ds[0].function.as_deref(), Some("f"));
}

fn caller(callee: &str, args: &[&str], results: &[&str]) -> Function {
    let params: Vec<(String, &str)> = args
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("a{i}"), *t))
        .collect();
    let params: Vec<(&str, &str)> = params.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let mut f = func_in(&format!("call_{callee}"), &params, results);
    let operands: Vec<Value> = (0..args.len() as u32).map(p).collect();
    f.body.nodes = vec![node(
        Op::Call {
            callee: callee.into(),
        },
        &operands,
        results,
    )];
    f.body.results = (0..results.len() as u32)
        .map(|i| Value::Result {
            node: NodeId(0),
            index: i,
        })
        .collect();
    f
}

#[test]
fn e0402_unknown_function() {
    let ds = diags(&module(vec![caller("nope", &["f64[n]"], &["f64[n]"])]));
    assert_eq!(ds.len(), 1);
    assert_eq!(
        (ds[0].code, ds[0].op.as_deref()),
        (Code::UnknownFunction, Some("call"))
    );
    let mut f = unary_fn(vec![], vec![v(0)]);
    f.body.nodes = vec![node(custom(Some("gone")), &[p(0)], &["f64[n]"])];
    assert_eq!(codes(&module(vec![f])), vec![Code::UnknownFunction]);
}

#[test]
fn e0403_recursion() {
    let mut f = caller("f", &["f64"], &["f64"]);
    f.name = "f".into();
    let ds = diags(&module(vec![f]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::Recursion]
    );
    assert!(ds[0].message.contains("itself"), "{}", ds[0].message);
    // @call_b calls @b, and @b calls @call_b: one cycle, one diagnostic.
    let a = caller("b", &["f64"], &["f64"]);
    let mut b = caller("call_b", &["f64"], &["f64"]);
    b.name = "b".into();
    let ds = diags(&module(vec![a, b]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::Recursion]
    );
    assert!(
        ds[0].message.contains("@b") && ds[0].message.contains("@call_b"),
        "{}",
        ds[0].message
    );
    assert_eq!(
        (ds[0].node_path.clone(), ds[0].op.as_deref()),
        (vec![NodeId(0)], Some("call"))
    );
}

#[test]
fn e0404_call_arguments_differ() {
    let mut g = func_in("g", &[("a", "f64[n]"), ("b", "f64[n]")], &["f64[n]"]);
    g.body.results = vec![p(0)];
    let ok = caller("g", &["f64[m]", "f64[m]"], &["f64[m]"]);
    assert!(validate(&module(vec![g.clone(), ok])).is_ok());
    let bad = caller("g", &["f64[m]", "f64[k]"], &["f64[m]"]);
    assert_eq!(codes(&module(vec![g, bad])), vec![Code::CallMismatch]);
}

/// `for` summing `xs` into a carried `acc`, starting from `init`.
fn loop_fn(init: Literal) -> Function {
    let mut body = Region {
        params: rparams(&[("i", "i64"), ("acc", "f64"), ("xs", "f64[n]")]),
        ..Region::default()
    };
    body.nodes = vec![
        node(Op::Extract, &[p(2), p(0)], &["f64"]),
        node(Op::Binary(BinaryOp::Add), &[p(1), v(0)], &["f64"]),
    ];
    body.results = vec![v(1)];
    let mut f = func_in("loop", &[("xs", "f64[n]")], &["f64"]);
    let c = |x: i64| node(Op::Constant(Literal::i64(x)), &[], &["i64"]);
    f.body.nodes = vec![
        c(0),
        c(3),
        c(1),
        node(Op::Constant(init.clone()), &[], &[&init.ty().to_string()]),
        node(
            Op::For { body },
            &[v(0), v(1), v(2), v(3), p(0)],
            &[&init.ty().to_string()],
        ),
    ];
    f.body.results = vec![v(4)];
    f
}

#[test]
fn e0405_region_mismatch() {
    assert!(validate(&module(vec![loop_fn(Literal::f64(0.0))])).is_ok());
    let ds = diags(&module(vec![loop_fn(Literal::i64(0))]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::RegionMismatch]
    );
    assert_eq!(ds[0].node_path, vec![NodeId(4)]);
    assert_eq!(ds[0].op.as_deref(), Some("for"));
}

fn custom(decomposition: Option<&str>) -> Op {
    Op::Custom(CustomOp {
        domain: "mylib".into(),
        name: "twice".into(),
        attrs: vec![],
        decomposition: decomposition.map(str::to_string),
    })
}

#[test]
fn e0406_bad_decomposition() {
    let mut dec = func_in("dec", &[("x", "f64[n]")], &["f64[n]"]);
    dec.body.results = vec![p(0)];
    let mut f = unary_fn(
        vec![node(custom(Some("dec")), &[p(0)], &["f64[n]"])],
        vec![v(0)],
    );
    assert!(validate(&module(vec![f.clone(), dec.clone()])).is_ok());
    f.body.nodes[0].results = common::tys(&["f64[n+1]"]);
    f.results[0].ty = ty("f64[n+1]");
    assert_eq!(codes(&module(vec![f, dec])), vec![Code::BadDecomposition]);
}

#[test]
fn e0213_declared_type_differs_from_inferred() {
    let f = unary_fn(
        vec![node(Op::Unary(UnaryOp::Neg), &[p(0)], &["f64[n+1]"])],
        vec![v(0)],
    );
    let ds = diags(&module(vec![f]));
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::ResultTypeMismatch]
    );
    assert!(
        ds[0].message.contains("f64[n+1]") && ds[0].message.contains("f64[n]"),
        "{}",
        ds[0].message
    );
    // A fresh dim must be a symbol new to the function: not a param's, not an earlier fresh one.
    for declared in ["f64[n]", "f64[k]", "f64[2]", "f64[k2+1]"] {
        let mut f = func_in("f", &[("x", "f64[n]")], &[]);
        f.body.nodes = vec![
            node(Op::Unary(UnaryOp::IsNan), &[p(0)], &["bool[n]"]),
            node(Op::Filter, &[p(0), v(0)], &["f64[k]"]),
            node(Op::Filter, &[p(0), v(0)], &[declared]),
        ];
        assert_eq!(
            codes(&module(vec![f])),
            vec![Code::ResultTypeMismatch],
            "{declared}"
        );
    }
}

#[test]
fn e0214_unknown_symbol() {
    let f = unary_fn(
        vec![node(
            Op::Cast {
                dtype: air_ir::DType::F64,
            },
            &[p(0)],
            &["f64[q]"],
        )],
        vec![v(0)],
    );
    assert_eq!(codes(&module(vec![f])), vec![Code::UnknownSymbol]);
    let iota = Op::Iota {
        dtype: air_ir::DType::I64,
        shape: vec![d("q")],
        axis: 0,
    };
    let f = unary_fn(vec![node(iota, &[], &["i64[q]"])], vec![p(0)]);
    assert_eq!(codes(&module(vec![f])), vec![Code::UnknownSymbol]);
    let mut g = func_in("g", &[("x", "f64[n]")], &["f64[q]"]);
    g.body.results = vec![p(0)];
    assert_eq!(codes(&module(vec![g])), vec![Code::UnknownSymbol]);
}

#[test]
fn e0105_regions_nested_too_deep() {
    let mut f = loop_fn(Literal::f64(0.0));
    let limits = air_ir::limits::Limits {
        max_region_depth: 0,
        ..Default::default()
    };
    let ds = validate_with(&module(vec![f.clone()]), &limits)
        .unwrap_err()
        .0;
    assert_eq!(
        ds.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec![Code::LimitExceeded]
    );
    f.name = "g".into();
    assert!(validate_function(&module(vec![]), &f).is_ok());
}

/// One node of every type or shape code, each in a function `(x: f64[n], y: f64[m], z: f32[n],
/// w: f64[n, m])`.
fn bad_nodes() -> Vec<(Op, Vec<Value>, &'static str, Code)> {
    use Op::*;
    let vector = Literal::from_scalars(air_ir::DType::F64, vec![1], &[air_ir::Scalar::Float(0.0)]);
    let broken = Literal {
        dtype: air_ir::DType::F64,
        shape: vec![2],
        data: vec![0; 3],
    };
    let shape = |dims: &[&str]| dims.iter().map(|x| d(x)).collect::<Vec<_>>();
    let (x, y, z, w) = (p(0), p(1), p(2), p(3));
    let sum = |axes: Vec<u32>| Reduce {
        kind: air_ir::op::ReduceKind::Sum,
        axes,
        keepdims: false,
    };
    vec![
        (
            Full {
                value: vector.unwrap(),
                shape: shape(&["n"]),
            },
            vec![],
            "f64[n]",
            Code::BadAttribute,
        ),
        (Constant(broken), vec![], "f64[2]", Code::BadLiteral),
        (
            Reshape {
                shape: shape(&["9223372036854775807", "2"]),
            },
            vec![x],
            "f64",
            Code::BadDim,
        ),
        (
            Binary(BinaryOp::Add),
            vec![x, z],
            "f64[n]",
            Code::DTypeMismatch,
        ),
        (
            Unary(UnaryOp::Not),
            vec![x],
            "f64[n]",
            Code::DTypeNotAccepted,
        ),
        (Matmul, vec![w, x], "f64[n]", Code::ContractionMismatch),
        (
            Binary(BinaryOp::Add),
            vec![x, y],
            "f64[n]",
            Code::ShapeMismatch,
        ),
        (sum(vec![1]), vec![x], "f64", Code::BadAxis),
        (
            Transpose { perm: vec![1] },
            vec![x],
            "f64[n]",
            Code::BadPermutation,
        ),
        (
            Broadcast {
                shape: shape(&["m"]),
                dims: vec![0],
            },
            vec![x],
            "f64[m]",
            Code::BadBroadcast,
        ),
        (
            Reshape {
                shape: shape(&["m"]),
            },
            vec![x],
            "f64[m]",
            Code::ReshapeCount,
        ),
        (
            Squeeze { axes: vec![0] },
            vec![x],
            "f64",
            Code::SqueezeNotOne,
        ),
        (Slice { axes: vec![] }, vec![x], "f64[n]", Code::BadSlice),
        (
            Concat { axis: 0 },
            vec![x, w],
            "f64[n]",
            Code::ConcatMismatch,
        ),
        (Einsum { spec: "i".into() }, vec![x], "f64", Code::BadEinsum),
        (Extract, vec![x], "f64", Code::RankMismatch),
        (Insert, vec![x, x], "f64[n]", Code::ExpectedScalar),
        (
            Iota {
                dtype: air_ir::DType::I64,
                shape: shape(&["-1"]),
                axis: 0,
            },
            vec![],
            "i64[1]",
            Code::BadShape,
        ),
        (Unary(UnaryOp::Neg), vec![], "f64", Code::Arity),
    ]
}

#[test]
fn type_and_shape_codes_come_with_their_node() {
    let cases = bad_nodes();
    let mut seen: Vec<Code> = cases.iter().map(|c| c.3).collect();
    seen.dedup();
    assert_eq!(seen.len(), 19, "one case per code");
    for (op, operands, out, want) in cases {
        let name = op.name();
        let params = [
            ("x", "f64[n]"),
            ("y", "f64[m]"),
            ("z", "f32[n]"),
            ("w", "f64[n, m]"),
        ];
        let mut f = func_in("f", &params, &[]);
        f.body.nodes = vec![node(op, &operands, &[out])];
        f.body.nodes[0].loc = Some(Location::Foreign("pytensor node 7".into()));
        let ds = diags(&module(vec![f]));
        assert_eq!(ds.len(), 1, "{ds:?}");
        let e = &ds[0];
        assert_eq!(e.code, want, "{name}: {}", e.message);
        assert_eq!(e.function.as_deref(), Some("f"));
        assert_eq!(e.node_path, vec![NodeId(0)]);
        assert_eq!(e.op.as_deref(), Some(name));
        let text = e.node_text.as_deref().unwrap_or_default();
        assert!(text.starts_with(&format!("%0 = {name} ")), "{text}");
        assert_eq!(e.loc, Some(Location::Foreign("pytensor node 7".into())));
    }
}

#[test]
fn three_independent_errors_are_all_reported() {
    // @f: a matmul with mismatched inner dims; @g: an out param read and, in a nested loop body,
    // a wrongly declared type.
    let mut f = func_in(
        "f",
        &[("a", "f64[n, k]"), ("b", "f64[k+1, m]")],
        &["f64[n, m]"],
    );
    f.body.nodes = vec![node(Op::Matmul, &[p(0), p(1)], &["f64[n, m]"])];
    f.body.nodes[0].loc = Some(Location::File {
        file: "model.air".into(),
        line: 3,
        col: 5,
    });
    f.body.results = vec![v(0)];
    let mut g = loop_fn(Literal::f64(0.0));
    g.name = "g".into();
    if let Op::For { body } = &mut g.body.nodes[4].op {
        body.nodes[0].results = common::tys(&["f32"]);
    }
    g.params.push(air_ir::Param {
        name: "o".into(),
        ty: ty("f64"),
        intent: Intent::Out,
        size: None,
    });
    g.body.params = g.region_params();
    g.body
        .nodes
        .push(node(Op::Binary(BinaryOp::Add), &[v(4), p(1)], &["f64"]));
    g.body.results = vec![v(4), v(5)];
    let ds = diags(&module(vec![f, g]));
    let got: Vec<(Code, &str, Vec<NodeId>, &str)> = ds
        .iter()
        .map(|d| {
            (
                d.code,
                d.function.as_deref().unwrap(),
                d.node_path.clone(),
                d.op.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (Code::ContractionMismatch, "f", vec![NodeId(0)], "matmul"),
            (Code::OutParamRead, "g", vec![NodeId(5)], "add"),
            (
                Code::ResultTypeMismatch,
                "g",
                vec![NodeId(4), NodeId(0)],
                "extract"
            ),
        ]
    );
    assert_eq!(
        ds[0].to_string(),
        "error[E0203]: matmul: inner dims differ (k vs k+1) at %0 = matmul (%a, %b) : f64[n, m] in @f (model.air:3:5)"
    );
    assert!(ds.iter().all(|d| d.node_text.is_some()));
}

#[test]
fn a_broken_node_does_not_cascade() {
    // %0 is wrong; %1 and %2 use it, %3 is independent and also wrong.
    let f = unary_fn(
        vec![
            node(Op::Unary(UnaryOp::Not), &[p(0)], &["f64[n]"]),
            node(Op::Unary(UnaryOp::Neg), &[v(0)], &["f32[n]"]),
            node(Op::Binary(BinaryOp::Add), &[v(1), v(0)], &["f64[m]"]),
            node(Op::Unary(UnaryOp::Neg), &[p(0)], &["f64[n, n]"]),
            node(Op::Unary(UnaryOp::Neg), &[v(9)], &["f64[n]"]),
            node(Op::Unary(UnaryOp::Neg), &[v(4)], &["i8"]),
        ],
        vec![v(2)],
    );
    let ds = diags(&module(vec![f]));
    let got: Vec<(Code, Vec<NodeId>)> = ds.iter().map(|d| (d.code, d.node_path.clone())).collect();
    assert_eq!(
        got,
        vec![
            (Code::BadHandle, vec![NodeId(4)]),
            (Code::DTypeNotAccepted, vec![NodeId(0)]),
            (Code::ResultTypeMismatch, vec![NodeId(3)]),
        ]
    );
}
