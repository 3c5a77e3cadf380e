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

/// `@main` with one `slice` of `%x: f64[n]`, its result declared `decl`.
fn sliced(opset: u32, axes: &str, decl: &str, size: &str) -> String {
    format!(
        "air 1 opset {opset}\n\
         func @main({size}%x: f64[n]) -> (%y: f64[{decl}]) {{\n  \
         %y = slice {{axes = [{axes}]}} (%x) : f64[{decl}]\n  \
         return %y\n}}\n"
    )
}

fn codes_of(text: &str) -> Vec<Code> {
    match validate(&parse(text)) {
        Ok(_) => vec![],
        Err(d) => d.0.iter().map(|d| d.code).collect(),
    }
}

#[test]
fn op_set_2_dims_and_size_parameters_are_gated_and_exact() {
    // Op set 1 modules keep their fresh strided slices (the compatibility corpus).
    for axes in ["::2", ":0:2", "1::-3", "-1:", "2:-1"] {
        let m = parse(&sliced(1, axes, "k", ""));
        assert_eq!(codes_of(&sliced(1, axes, "k", "")), vec![], "{axes}");
        assert_eq!(m.required_opset(), 1, "{axes}");
    }
    // Op set 2 names the exact extent; op set 1 refuses it (E0102), as it refuses size params.
    let exact = sliced(2, "::2", "floordiv(n+1, 2)", "");
    assert_eq!(codes_of(&exact), vec![]);
    assert_eq!(parse(&exact).required_opset(), 2);
    // Both the declared result and the node's type are op set 2 forms.
    assert_eq!(
        codes_of(&sliced(1, "::2", "floordiv(n+1, 2)", "")),
        vec![Code::UnknownOp, Code::UnknownOp]
    );
    assert_eq!(
        codes_of(&sliced(2, "::2", "floordiv(n, 2)", "")),
        vec![Code::ResultTypeMismatch]
    );
    let sized = sliced(2, ":", "n", "%len: i32 size n, ");
    assert_eq!(codes_of(&sized), vec![]);
    assert_eq!(parse(&sized).required_opset(), 2);
    assert!(codes_of(&sliced(1, ":", "n", "%len: i32 size n, ")).contains(&Code::UnknownOp));
    for bad in [
        "%len: f64 size n, ",
        "%len: i64[2] size n, ",
        "inout %len: i64 size n, ",
        "%a: i64 size n, %b: i64 size n, ",
    ] {
        // (`inout` also misses its yield, E0305.)
        let codes = codes_of(&sliced(2, ":", "n", bad));
        assert_eq!(codes[0], Code::BadSizeParam, "{bad}");
    }
    // A size symbol binds an extent no array names: iota sized by it.
    let iota = "air 1 opset 2\n\
        func @main(%len: u8 size k) -> (%y: i64[k]) {\n  \
        %y = iota {dtype = i64, shape = [k], axis = 0} () : i64[k]\n  \
        return %y\n}\n";
    assert_eq!(codes_of(iota), vec![]);
    for format in [Format::Protobuf, Format::Json] {
        let m = parse(iota);
        let bytes = serial::write(&m, format);
        assert_eq!(serial::read(&bytes, format, "t").expect("reads"), m);
    }
    let m = parse(&exact);
    for format in [Format::Protobuf, Format::Json] {
        let bytes = serial::write(&m, format);
        assert_eq!(serial::read(&bytes, format, "t").expect("reads"), m);
    }
}
