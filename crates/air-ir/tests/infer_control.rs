//! Inference of `for`, `if`, `call` and `custom`: regions and other functions.
#![allow(clippy::result_large_err)] // `Diagnostic` is the crate's error type

mod common;

use std::collections::BTreeSet;

use air_ir::infer::{infer, infer_with, Context};
use air_ir::op::CustomOp;
use air_ir::{
    BinaryOp, Code, Function, Intent, Node, Op, Param, Region, RegionParam, ResultDecl, UnaryOp,
    Value,
};
use common::{inf, ty, tys};

fn rparams(ps: &[(&str, &str)]) -> Vec<RegionParam> {
    ps.iter()
        .map(|(n, t)| RegionParam {
            name: n.to_string(),
            ty: ty(t),
        })
        .collect()
}

/// `(i, acc, xs) -> acc + xs[i]`.
fn sum_body(acc: &str) -> Region {
    let mut r = Region {
        params: rparams(&[("i", "i64"), ("acc", acc), ("xs", "f64[n]")]),
        ..Region::default()
    };
    let x = r.push(Node::new(
        Op::Extract,
        vec![Value::Param(2), Value::Param(0)],
        tys(&["f64"]),
    ));
    let s = r.push(Node::new(
        Op::Binary(BinaryOp::Add),
        vec![Value::Param(1), Value::of(x)],
        tys(&["f64"]),
    ));
    r.results = vec![Value::of(s)];
    r
}

fn code(r: Result<Vec<air_ir::infer::Inferred>, air_ir::Diagnostic>) -> Code {
    r.expect_err("expected an error").code
}

#[test]
fn for_loops() {
    let op = Op::For {
        body: sum_body("f64"),
    };
    let ok = infer(&op, &tys(&["i64", "i64", "i64", "f64", "f64[n]"])).unwrap();
    assert_eq!(ok, vec![inf("f64")]);
    assert_eq!(
        code(infer(&op, &tys(&["f64", "i64", "i64", "f64", "f64[n]"]))),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        code(infer(&op, &tys(&["i64", "i64[1]", "i64", "f64", "f64[n]"]))),
        Code::ExpectedScalar
    );
    assert_eq!(code(infer(&op, &tys(&["i64", "i64"]))), Code::Arity);
    // The captured tensor has another shape than the body's param.
    assert_eq!(
        code(infer(&op, &tys(&["i64", "i64", "i64", "f64", "f64[m]"]))),
        Code::RegionMismatch
    );
    // Too few operands for the body's params.
    assert_eq!(
        code(infer(&op, &tys(&["i64", "i64", "i64", "f64"]))),
        Code::RegionMismatch
    );
    // The yield (f64) differs from the carried value (declared f32 by the body param).
    let op = Op::For {
        body: sum_body("f32"),
    };
    let e = infer(&op, &tys(&["i64", "i64", "i64", "f32", "f64[n]"])).unwrap_err();
    assert_eq!(e.code, Code::RegionMismatch);
    assert!(e.message.contains("yield 0"), "{}", e.message);
    // More yields than carried-or-captured operands.
    let mut body = sum_body("f64");
    body.results = vec![Value::Param(1), Value::Param(1), Value::Param(1)];
    assert_eq!(
        code(infer(
            &Op::For { body },
            &tys(&["i64", "i64", "i64", "f64", "f64[n]"])
        )),
        Code::RegionMismatch
    );
}

/// A branch taking `x: f64[n]` that yields `op(x)`, or `x` itself.
fn branch(op: Option<Op>, out: &str) -> Region {
    let mut r = Region {
        params: rparams(&[("x", "f64[n]")]),
        ..Region::default()
    };
    r.results = match op {
        None => vec![Value::Param(0)],
        Some(op) => {
            let mut operands = vec![Value::Param(0)];
            if op == Op::Filter {
                let m = r.push(Node::new(
                    Op::Unary(UnaryOp::IsNan),
                    vec![Value::Param(0)],
                    tys(&["bool[n]"]),
                ));
                operands.push(Value::of(m));
            }
            vec![Value::of(r.push(Node::new(op, operands, tys(&[out]))))]
        }
    };
    r
}

#[test]
fn if_else() {
    let op = Op::If {
        then_branch: branch(Some(Op::Unary(UnaryOp::Neg)), "f64[n]"),
        else_branch: branch(None, ""),
    };
    assert_eq!(
        infer(&op, &tys(&["bool", "f64[n]"])).unwrap(),
        vec![inf("f64[n]")]
    );
    assert_eq!(
        code(infer(&op, &tys(&["i64", "f64[n]"]))),
        Code::DTypeNotAccepted
    );
    assert_eq!(
        code(infer(&op, &tys(&["bool[1]", "f64[n]"]))),
        Code::ExpectedScalar
    );
    assert_eq!(
        code(infer(&op, &tys(&["bool", "f64[m]"]))),
        Code::RegionMismatch
    );
    assert_eq!(code(infer(&op, &[])), Code::Arity);
    let mut uneven = op.clone();
    if let Op::If { else_branch, .. } = &mut uneven {
        else_branch.results.push(Value::Param(0));
    }
    assert_eq!(
        code(infer(&uneven, &tys(&["bool", "f64[n]"]))),
        Code::RegionMismatch
    );

    // Each branch filters: a dim bound only inside a branch is fresh outside.
    let op = Op::If {
        then_branch: branch(Some(Op::Filter), "f64[k]"),
        else_branch: branch(Some(Op::Filter), "f64[j]"),
    };
    let bound: BTreeSet<String> = ["n".to_string()].into();
    let ctx = Context {
        bound: Some(&bound),
        ..Context::default()
    };
    assert_eq!(
        infer_with(&op, &tys(&["bool", "f64[n]"]), &ctx).unwrap(),
        vec![inf("f64[?]")]
    );
    // Without knowing what is bound, `k` and `j` are two different known dims.
    assert_eq!(
        code(infer(&op, &tys(&["bool", "f64[n]"]))),
        Code::RegionMismatch
    );
}

fn function(name: &str, params: &[(&str, &str, Intent)], results: &[&str]) -> Function {
    let params: Vec<Param> = params
        .iter()
        .map(|(n, t, intent)| Param {
            name: n.to_string(),
            ty: ty(t),
            intent: *intent,
            size: None,
        })
        .collect();
    Function {
        name: name.into(),
        results: results
            .iter()
            .map(|t| ResultDecl {
                name: None,
                ty: ty(t),
            })
            .collect(),
        body: Region {
            params: params
                .iter()
                .map(|p| RegionParam {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                })
                .collect(),
            ..Region::default()
        },
        params,
        loc: None,
    }
}

#[test]
fn calls_substitute_the_callee_symbols() {
    let fs = vec![
        function(
            "g",
            &[("a", "f64[n]", Intent::In), ("o", "f64[n+1]", Intent::Out)],
            &["f64[n, 2]"],
        ),
        function(
            "two",
            &[("a", "f64[n]", Intent::In), ("b", "f64[n]", Intent::In)],
            &["f64[k]"],
        ),
        function("expr", &[("a", "f64[n+1]", Intent::In)], &["f64"]),
    ];
    let ctx = Context {
        functions: &fs,
        ..Context::default()
    };
    let call = |name: &str| Op::Call {
        callee: name.into(),
    };
    assert_eq!(
        infer_with(&call("g"), &tys(&["f64[m+1]"]), &ctx).unwrap(),
        vec![inf("f64[m+1, 2]"), inf("f64[m+2]")]
    );
    // A result symbol the params do not bind is fresh for the caller.
    assert_eq!(
        infer_with(&call("two"), &tys(&["f64[3]", "f64[3]"]), &ctx).unwrap(),
        vec![inf("f64[?]")]
    );
    assert_eq!(
        code(infer_with(&call("nope"), &tys(&["f64[3]"]), &ctx)),
        Code::UnknownFunction
    );
    assert_eq!(
        code(infer(&call("g"), &tys(&["f64[3]"]))),
        Code::UnknownFunction,
        "no functions given"
    );
    assert_eq!(
        code(infer_with(&call("g"), &tys(&["f64[m]", "f64[m+1]"]), &ctx)),
        Code::CallMismatch
    );
    assert_eq!(
        code(infer_with(&call("g"), &tys(&["f32[m]"]), &ctx)),
        Code::CallMismatch
    );
    let e = infer_with(&call("two"), &tys(&["f64[3]", "f64[4]"]), &ctx).unwrap_err();
    assert_eq!(e.code, Code::CallMismatch);
    assert!(e.message.contains("argument 1"), "{}", e.message);
    assert_eq!(
        code(infer_with(&call("expr"), &tys(&["f64[m]"]), &ctx)),
        Code::CallMismatch,
        "n unbound"
    );
}

#[test]
fn custom_ops() {
    let fs = vec![function(
        "dec",
        &[("x", "f64[n]", Intent::In)],
        &["f64[n]", "f64[k]"],
    )];
    let custom = |decomposition: Option<&str>| {
        Op::Custom(CustomOp {
            domain: "mylib".into(),
            name: "unique".into(),
            attrs: vec![],
            decomposition: decomposition.map(str::to_string),
        })
    };
    let bound: BTreeSet<String> = ["m".to_string()].into();
    let run = |op: &Op, arg: &str, declared: Option<&[&str]>| {
        let declared = declared.map(tys);
        let ctx = Context {
            functions: &fs,
            index: None,
            declared: declared.as_deref(),
            bound: Some(&bound),
        };
        infer_with(op, &tys(&[arg]), &ctx)
    };
    let declared: &[&str] = &["f64[m]", "f64[u]"];
    // Declared types are trusted; an unbound symbol in them is a fresh dim.
    let want = vec![inf("f64[m]"), inf("f64[?]")];
    assert_eq!(run(&custom(None), "f64[m]", Some(declared)).unwrap(), want);
    assert_eq!(
        run(&custom(Some("dec")), "f64[m]", Some(declared)).unwrap(),
        want
    );
    // Without declared types the decomposition gives them.
    assert_eq!(run(&custom(Some("dec")), "f64[m]", None).unwrap(), want);
    assert_eq!(code(run(&custom(None), "f64[m]", None)), Code::ResultCount);
    assert_eq!(
        code(run(&custom(Some("nope")), "f64[m]", Some(declared))),
        Code::UnknownFunction
    );
    assert_eq!(
        code(run(&custom(Some("dec")), "i32[m]", Some(declared))),
        Code::BadDecomposition
    );
    let e = run(
        &custom(Some("dec")),
        "f64[m]",
        Some(&["f64[m+1]", "f64[u]"]),
    )
    .unwrap_err();
    assert_eq!(e.code, Code::BadDecomposition);
    assert!(e.message.contains("result 0"), "{}", e.message);
    assert_eq!(
        code(run(&custom(Some("dec")), "f64[m]", Some(&["f64[m]"]))),
        Code::BadDecomposition
    );
}
