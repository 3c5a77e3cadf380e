//! `while` (op set 2): the spec example reads, validates and round-trips in every format; each
//! constraint of spec 3.8 `while` has an invalid module with its code; op set 1 rejects it.

use air_ir::serial::{self, Format};
use air_ir::validate::validate;
use air_ir::{Code, DType, Module, Op, TensorType};

/// The example of spec 3.8 `while`.
const EXAMPLE: &str = "air 1 opset 2
func @main(%a: f64, %tol: f64) -> (%x: f64, %steps: i64) {
  %one = constant {value = i64 1} () : i64
  %zero = constant {value = i64 0} () : i64
  %big = constant {value = f64 inf} () : f64
  %r:3 = while (%a, %big, %zero, %a, %tol) : (f64, f64, i64) {
    (%x0: f64, %d0: f64, %k0: i64, %a0: f64, %t0: f64):
    %more = gt (%d0, %t0) : bool
    yield %more
  } {
    (%x1: f64, %d1: f64, %k1: i64, %a1: f64, %t1: f64):
    %q = div (%a1, %x1) : f64
    %s = add (%x1, %q) : f64
    %half = constant {value = f64 0.5} () : f64
    %x2 = mul (%s, %half) : f64
    %diff = sub (%x1, %x2) : f64
    %d2 = abs (%diff) : f64
    %one1 = constant {value = i64 1} () : i64
    %k2 = add (%k1, %one1) : i64
    yield %x2, %d2, %k2
  }
  return %r#0, %r#2
}
";

fn parse(text: &str) -> Module {
    serial::read(text.as_bytes(), Format::Text, "t.air").expect("reads")
}

/// A module of one `while` over a carried `f64[n]` and an `i64` counter, with a captured `f64[n]`;
/// `cond_yield` is the condition region's body after its params, `body` the body's.
fn looped(opset: u32, results: &str, cond: &str, body: &str) -> String {
    format!(
        "air 1 opset {opset}\n\
         func @main(%x: f64[n], %k: i64, %c: f64[n]) -> (%y: f64[n]) {{\n  \
         %r:2 = while (%x, %k, %c) : {results} {{\n    \
         (%x0: f64[n], %k0: i64, %c0: f64[n]):\n    {cond}\n  \
         }} {{\n    \
         (%x1: f64[n], %k1: i64, %c1: f64[n]):\n    {body}\n  \
         }}\n  \
         return %r#0\n}}\n"
    )
}

const COND: &str =
    "%z = constant {value = i64 0} () : i64\n    %go = gt (%k0, %z) : bool\n    yield %go";
const BODY: &str = "%one = constant {value = i64 1} () : i64\n    %k2 = sub (%k1, %one) : i64\n    %x2 = add (%x1, %c1) : f64[n]\n    yield %x2, %k2";

fn codes(text: &str) -> Vec<Code> {
    match validate(&parse(text)) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn the_spec_example_validates_and_round_trips() {
    let m = parse(EXAMPLE);
    validate(&m).expect("valid");
    assert_eq!(m.opset_version, 2);
    assert_eq!(m.required_opset(), 2);
    for format in [Format::Text, Format::Protobuf, Format::Json] {
        let back = serial::read(&serial::write(&m, format), format, "t").expect("reads back");
        assert_eq!(back, m, "{format}");
    }
    let text = String::from_utf8(serial::write(&m, Format::Text)).expect("utf-8");
    assert!(text.contains("%r:3 = while ("), "{text}");
}

#[test]
fn regions_are_cond_then_body() {
    let m = parse(EXAMPLE);
    let node = &m.functions[0].body.nodes[3];
    let Op::While { cond, body } = &node.op else {
        panic!("not a while: {:?}", node.op)
    };
    assert_eq!(cond.results.len(), 1);
    assert_eq!(body.results.len(), 3);
    let roles: Vec<&str> = node.op.named_regions().iter().map(|(r, _)| *r).collect();
    assert_eq!(roles, ["condition", "body"]);
    assert_eq!(node.op.name(), "while");
    assert_eq!(node.op.opset(), 2);
    assert_eq!(
        node.results,
        [
            TensorType::scalar(DType::F64),
            TensorType::scalar(DType::F64),
            TensorType::scalar(DType::I64)
        ]
    );
}

#[test]
fn a_well_formed_loop_with_symbolic_carried_dims_validates() {
    assert_eq!(codes(&looped(2, "(f64[n], i64)", COND, BODY)), []);
}

#[test]
fn under_op_set_1_it_is_e0102() {
    let m = parse(&looped(1, "(f64[n], i64)", COND, BODY));
    let e = validate(&m).expect_err("op set 2 op").0;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].code, Code::UnknownOp);
    assert_eq!(
        e[0].message,
        "`while` is an op of op set 2; this module declares op set 1"
    );
}

#[test]
fn a_condition_yielding_a_non_bool_is_e0202() {
    let cond =
        "%z = constant {value = i64 0} () : i64\n    %go = sub (%k0, %z) : i64\n    yield %go";
    assert_eq!(
        codes(&looped(2, "(f64[n], i64)", cond, BODY)),
        [Code::DTypeNotAccepted]
    );
}

#[test]
fn a_condition_yielding_an_array_is_e0216() {
    let cond = "%go = gt (%x0, %c0) : bool[n]\n    yield %go";
    assert_eq!(
        codes(&looped(2, "(f64[n], i64)", cond, BODY)),
        [Code::ExpectedScalar]
    );
}

#[test]
fn a_condition_yielding_two_values_or_none_is_e0405() {
    let two =
        "%z = constant {value = i64 0} () : i64\n    %go = gt (%k0, %z) : bool\n    yield %go, %go";
    let none = "yield";
    for cond in [two, none] {
        assert_eq!(
            codes(&looped(2, "(f64[n], i64)", cond, BODY)),
            [Code::RegionMismatch],
            "{cond}"
        );
    }
}

#[test]
fn a_body_yield_of_another_type_is_e0405() {
    // The carried f64[n] comes back as i64, and (second) the counter as f64[n].
    let swapped = "yield %k1, %x1";
    let cast = "%y = cast {dtype = f32} (%x1) : f32[n]\n    yield %y, %k1";
    for body in [swapped, cast] {
        assert_eq!(
            codes(&looped(2, "(f64[n], i64)", COND, body)),
            [Code::RegionMismatch],
            "{body}"
        );
    }
}

#[test]
fn region_params_that_differ_from_the_operands_are_e0405() {
    let text = looped(2, "(f64[n], i64)", COND, BODY);
    let cond_params = text.replacen(
        "(%x0: f64[n], %k0: i64, %c0: f64[n])",
        "(%x0: f64[n], %k0: i64)",
        1,
    );
    assert_eq!(codes(&cond_params), [Code::RegionMismatch]);
    let body_params = text.replacen(
        "(%x1: f64[n], %k1: i64, %c1: f64[n])",
        "(%x1: f64[n], %k1: i64, %c1: f64[n], %extra: i64)",
        1,
    );
    assert_eq!(codes(&body_params), [Code::RegionMismatch]);
}

#[test]
fn more_results_than_operands_is_e0405() {
    let text = "air 1 opset 2
func @main(%k: i64) -> (%y: i64) {
  %r:2 = while (%k) : (i64, i64) {
    (%k0: i64):
    %z = constant {value = i64 0} () : i64
    %go = gt (%k0, %z) : bool
    yield %go
  } {
    (%k1: i64):
    yield %k1, %k1
  }
  return %r#0
}
";
    assert_eq!(codes(text), [Code::RegionMismatch]);
}

#[test]
fn a_declared_result_type_other_than_the_carried_one_is_e0213() {
    assert_eq!(
        codes(&looped(2, "(f64[n], i32)", COND, BODY)),
        [Code::ResultTypeMismatch]
    );
}

#[test]
fn a_while_with_captured_values_only_validates() {
    // No carried values: the loop computes nothing but is well typed.
    let text = "air 1 opset 2
func @main(%b: bool) -> () {
  %w:0 = while (%b) : () {
    (%b0: bool):
    %f = not (%b0) : bool
    yield %f
  } {
    (%b1: bool):
    yield
  }
  return
}
";
    assert_eq!(codes(text), []);
}
