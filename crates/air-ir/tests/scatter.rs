//! Op set 2 `scatter`, `gather` and `unique`: every serial form round-trips them (the `mode`
//! attribute, `unique`'s three results sharing one fresh dim), op set 1 modules refuse them
//! (E0102), and each typing constraint of spec 3.5 raises its code.

use air_ir::serial::{self, Format};
use air_ir::validate::validate;
use air_ir::{Code, Module, Op, ScatterMode};

const GROUPBY: &str = r#"air 1 opset 2

func @main(%key: i64[n], %val: f64[n]) -> (%keys: i64[u], %sum: f64[u], %count: i64[u], %g: f64[n]) {
  %g:3 = unique (%key) : (i64[u], i64[n], i64[u])
  %idx = reshape {shape = [n, 1]} (%g#1) : i64[n, 1]
  %zero = full {value = f64 0.0, shape = [u]} () : f64[u]
  %sum = scatter {mode = "add"} (%zero, %idx, %val) : f64[u]
  %back = gather (%sum, %idx) : f64[n]
  return %g#0, %sum, %g#2, %back
}
"#;

fn parse(text: &str) -> Module {
    serial::read(text.as_bytes(), Format::Text, "t.air").expect("reads")
}

fn code_of(text: &str) -> Code {
    let m = parse(text);
    validate(&m).expect_err("invalid").0[0].code
}

#[test]
fn the_group_by_round_trips_through_every_format() {
    let m = parse(GROUPBY);
    validate(&m).expect("valid");
    assert_eq!(m.required_opset(), 2);
    for format in [Format::Text, Format::Protobuf, Format::Json] {
        let back = serial::read(&serial::write(&m, format), format, "t").expect("reads back");
        assert_eq!(back, m, "{format}");
        validate(&back).expect("valid after the round trip");
    }
    let ops: Vec<&Op> = m.functions[0].body.nodes.iter().map(|n| &n.op).collect();
    assert!(ops.contains(&&Op::Scatter {
        mode: ScatterMode::Add
    }));
    assert!(ops.contains(&&Op::Unique) && ops.contains(&&Op::Gather));
}

#[test]
fn op_set_1_refuses_them() {
    let text = GROUPBY.replace("opset 2", "opset 1");
    assert_eq!(code_of(&text), Code::UnknownOp);
}

fn scatter_module(x: &str, idx: &str, upd: &str, mode: &str) -> String {
    format!(
        "air 1 opset 2\nfunc @main(%x: {x}, %i: {idx}, %u: {upd}) -> (%y: {x}) {{\n  \
         %y = scatter {{mode = \"{mode}\"}} (%x, %i, %u) : {x}\n  return %y\n}}\n"
    )
}

#[test]
fn scatter_constraints_have_their_codes() {
    let ok = scatter_module("f64[n, p]", "i64[m, 1]", "f64[m, p]", "replace");
    validate(&parse(&ok)).expect("valid");
    let cases = [
        (
            scatter_module("bool[n]", "i64[m, 1]", "bool[m]", "add"),
            Code::DTypeNotAccepted,
        ),
        (
            scatter_module("c128[n]", "i64[m, 1]", "c128[m]", "max"),
            Code::DTypeNotAccepted,
        ),
        (
            scatter_module("f64[n]", "f64[m, 1]", "f64[m]", "add"),
            Code::DTypeNotAccepted,
        ),
        (
            scatter_module("f64[n]", "i64[m, 1]", "f32[m]", "add"),
            Code::DTypeMismatch,
        ),
        (
            scatter_module("f64[n, p]", "i64[m, 1]", "f64[m]", "add"),
            Code::ShapeMismatch,
        ),
        (
            scatter_module("f64[n]", "i64[m, 2]", "f64[m]", "add"),
            Code::RankMismatch,
        ),
        (
            scatter_module("f64[n]", "i64[m, k]", "f64[m]", "add"),
            Code::BadShape,
        ),
        (
            scatter_module("f64[n]", "i64", "f64", "add"),
            Code::RankMismatch,
        ),
    ];
    for (text, code) in cases {
        assert_eq!(code_of(&text), code, "{text}");
    }
    let bad_mode = scatter_module("f64[n]", "i64[m, 1]", "f64[m]", "sub");
    let e = serial::read(bad_mode.as_bytes(), Format::Text, "t.air").expect_err("bad mode");
    assert_eq!(e.0[0].code, Code::BadAttribute);
}

#[test]
fn unique_needs_one_shared_fresh_symbol() {
    let module = |results: &str, decl: &str| {
        format!(
            "air 1 opset 2\nfunc @main(%x: f64[n]) -> ({results}) {{\n  \
             %g:3 = unique (%x) : {decl}\n  return %g#0, %g#2\n}}\n"
        )
    };
    let ok = module("%v: f64[u], %c: i64[u]", "(f64[u], i64[n], i64[u])");
    validate(&parse(&ok)).expect("valid");
    let other = module("%v: f64[u], %c: i64[w]", "(f64[u], i64[n], i64[w])");
    assert_eq!(code_of(&other), Code::ResultTypeMismatch);
    let old = module("%v: f64[n], %c: i64[n]", "(f64[n], i64[n], i64[n])");
    assert_eq!(code_of(&old), Code::ResultTypeMismatch);
    let rank2 = "air 1 opset 2\nfunc @main(%x: f64[n, m]) -> (%v: f64[u]) {\n  \
                 %g:3 = unique (%x) : (f64[u], i64[n], i64[u])\n  return %g#0\n}\n";
    assert_eq!(code_of(rank2), Code::RankMismatch);
}
