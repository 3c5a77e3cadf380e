//! Op set versions: an op newer than the module's declared op set is E0102 after reading in every
//! format (nested regions included); declaring the op set that has it validates; `required_opset`.

use air_ir::module::OPSET_VERSION;
use air_ir::serial::{self, Format};
use air_ir::validate::validate;
use air_ir::{Code, Module};

/// `@main` applying `op` to `x`, at the top level.
fn flat(opset: u32, op: &str) -> String {
    format!(
        "air 1 opset {opset}\n\
         func @main(%x: f64[n]) -> (%y: f64[n]) {{\n  \
         %y = {op} (%x) : f64[n]\n  \
         return %y\n}}\n"
    )
}

/// `@main` applying `op` inside the body of a `for`.
fn nested(opset: u32, op: &str) -> String {
    format!(
        "air 1 opset {opset}\n\
         func @main(%x: f64) -> (%s: f64) {{\n  \
         %lo = constant {{value = i64 0}} () : i64\n  \
         %hi = constant {{value = i64 3}} () : i64\n  \
         %one = constant {{value = i64 1}} () : i64\n  \
         %s = for (%lo, %hi, %one, %x) : f64 {{\n    \
         (%i: i64, %acc: f64):\n    \
         %next = {op} (%acc) : f64\n    \
         yield %next\n  \
         }}\n  \
         return %s\n}}\n"
    )
}

fn parse(text: &str) -> Module {
    serial::read(text.as_bytes(), Format::Text, "t.air").expect("reads")
}

/// The module as read back from `format`.
fn via(m: &Module, format: Format) -> Module {
    serial::read(&serial::write(m, format), format, "t").expect("reads back")
}

#[test]
fn the_reader_knows_op_set_2() {
    assert_eq!(OPSET_VERSION, 2);
    assert_eq!(Module::default().opset_version, 1);
}

#[test]
fn an_op_set_2_op_in_an_op_set_1_module_is_e0102_in_every_format() {
    for text in [flat(1, "asinh"), nested(1, "asinh")] {
        let m = parse(&text);
        for format in [Format::Text, Format::Protobuf, Format::Json] {
            let back = via(&m, format);
            assert_eq!(back.opset_version, 1, "{format}");
            let e = validate(&back)
                .expect_err("op set 2 op in an op set 1 module")
                .0;
            assert_eq!(e.len(), 1, "{e:?}");
            assert_eq!(e[0].code, Code::UnknownOp, "{format}");
            assert_eq!(
                e[0].message,
                "`asinh` is an op of op set 2; this module declares op set 1"
            );
            assert_eq!(e[0].op.as_deref(), Some("asinh"));
        }
    }
}

#[test]
fn the_same_module_declaring_op_set_2_validates() {
    for op in [
        "asinh", "acosh", "atanh", "exp2", "log2", "log10", "cbrt", "trunc", "square", "real",
        "imag", "conj", "angle", "sinc",
    ] {
        for text in [flat(2, op), nested(2, op)] {
            let m = parse(&text);
            for format in [Format::Text, Format::Protobuf, Format::Json] {
                let back = via(&m, format);
                assert_eq!(back.opset_version, 2);
                validate(&back).unwrap_or_else(|e| panic!("{op} {format}: {e:?}"));
            }
        }
    }
}

#[test]
fn op_set_1_ops_validate_in_both_op_sets() {
    for opset in [1, 2] {
        for text in [flat(opset, "floor"), nested(opset, "erf")] {
            validate(&parse(&text)).expect("valid");
        }
    }
}

#[test]
fn required_opset_is_the_newest_op_used() {
    assert_eq!(Module::default().required_opset(), 1);
    assert_eq!(parse(&flat(2, "sqrt")).required_opset(), 1);
    assert_eq!(parse(&nested(2, "erf")).required_opset(), 1);
    assert_eq!(parse(&flat(2, "cbrt")).required_opset(), 2);
    assert_eq!(parse(&nested(2, "square")).required_opset(), 2);
}

#[test]
fn writers_keep_the_declared_op_set() {
    let m = parse(&flat(1, "floor"));
    let text = String::from_utf8(serial::write(&m, Format::Text)).expect("utf-8");
    assert!(text.starts_with("air 1 opset 1\n"), "{text}");
    let m = parse(&flat(2, "floor"));
    let text = String::from_utf8(serial::write(&m, Format::Text)).expect("utf-8");
    assert!(text.starts_with("air 1 opset 2\n"), "{text}");
}

#[test]
fn op_set_2_binary_ops_need_op_set_2() {
    for (op, result) in [
        ("hypot", "f64"),
        ("copysign", "f64"),
        ("logaddexp", "f64"),
        ("logaddexp2", "f64"),
        ("heaviside", "f64"),
        ("complex", "c128"),
    ] {
        let text = |opset: u32| {
            format!(
                "air 1 opset {opset}\n\
                 func @main(%a: f64[n], %b: f64[n]) -> (%y: {result}[n]) {{\n  \
                 %y = {op} (%a, %b) : {result}[n]\n  \
                 return %y\n}}\n"
            )
        };
        let m = parse(&text(2));
        assert_eq!(m.required_opset(), 2, "{op}");
        validate(&m).unwrap_or_else(|e| panic!("{op}: {e:?}"));
        let e = validate(&parse(&text(1))).expect_err(op).0;
        assert_eq!(e[0].code, Code::UnknownOp, "{op}");
    }
}
