//! The one name grammar (spec 1.6): every reader either accepts a name and printing then reading
//! gives the module back, or refuses it with E0112; names that spell text-form syntax cannot change
//! the program they are printed into.

use air_ir::module::{Function, Intent, Location, Module, Node, Param, Region, RegionParam};
use air_ir::module::{ResultDecl, Value};
use air_ir::op::{AttrValue, CustomOp, Op};
use air_ir::serial::{self, Format};
use air_ir::text::{parse, print};
use air_ir::{Code, DType, Dim, TensorType, UnaryOp};
use proptest::prelude::*;

fn vec_n() -> TensorType {
    TensorType {
        dtype: DType::F64,
        shape: vec![Dim::symbol("n")],
    }
}

/// `@f(%p: f64[n]) -> (%r: f64[n]) { %v = neg (%p); %c = custom "dom"."k" {key = @"g f"} (%v);
/// return %c }` and an empty `@"g f"`, with every name given.
fn module(f: &str, p: &str, r: &str, v: &str, key: &str, loc: &str) -> Module {
    let mut neg = Node::new(
        Op::Unary(UnaryOp::Neg),
        vec![Value::Param(0)],
        vec![vec_n()],
    );
    neg.name = Some(v.to_string());
    neg.loc = Some(Location::Foreign(loc.to_string()));
    let custom = Node::new(
        Op::Custom(CustomOp {
            domain: "dom".into(),
            name: "k".into(),
            attrs: vec![(key.to_string(), AttrValue::Func(format!("g {f}")))],
            decomposition: None,
        }),
        vec![Value::of(air_ir::NodeId(0))],
        vec![vec_n()],
    );
    let body = Region {
        params: vec![RegionParam {
            name: p.to_string(),
            ty: vec_n(),
        }],
        nodes: vec![neg, custom],
        results: vec![Value::of(air_ir::NodeId(1))],
    };
    let main = Function {
        name: f.to_string(),
        params: vec![Param {
            name: p.to_string(),
            ty: vec_n(),
            intent: Intent::In,
            size: None,
        }],
        results: vec![ResultDecl {
            name: Some(r.to_string()),
            ty: vec_n(),
        }],
        body,
        loc: Some(Location::File {
            file: loc.to_string(),
            line: 1,
            col: 2,
        }),
    };
    let g = Function {
        name: format!("g {f}"),
        params: vec![],
        results: vec![],
        body: Region::default(),
        loc: None,
    };
    Module {
        ir_version: 1,
        opset_version: 1,
        producer: loc.to_string(),
        metadata: vec![(loc.to_string(), loc.to_string())],
        functions: vec![main, g],
    }
}

/// Every reader gives `m` back from its own output, or refuses with E0112 when `valid` is false.
fn check_every_reader(m: &Module, valid: bool) {
    let text = print(m);
    let from_text = parse(&text, "m.air");
    let pb = serial::read(
        &serial::write(m, Format::Protobuf),
        Format::Protobuf,
        "m.airpb",
    );
    let json = serial::read(&serial::write(m, Format::Json), Format::Json, "m.air.json");
    let checked = air_ir::name::check_module(m);
    if valid {
        assert_eq!(
            from_text.as_ref().ok(),
            Some(m),
            "text:\n{text}\n{from_text:?}"
        );
        assert_eq!(pb.as_ref().ok(), Some(m), "{pb:?}");
        assert_eq!(json.as_ref().ok(), Some(m), "{json:?}");
        assert!(checked.is_ok(), "{checked:?}");
    } else {
        for (what, r) in [("text", &from_text), ("pb", &pb), ("json", &json)] {
            let codes: Vec<Code> = r
                .as_ref()
                .err()
                .map(|e| e.0.iter().map(|d| d.code).collect())
                .unwrap_or_default();
            assert_eq!(codes, [Code::BadName], "{what}: {r:?}\n{text}");
        }
        assert_eq!(checked.map_err(|d| d.code), Err(Code::BadName));
    }
}

/// Names with every character a printer could trip on.
const HOSTILE: &[&str] = &[
    "a b",
    "\"",
    "%x",
    "@f",
    "{",
    "}",
    "a\nb",
    "*/",
    "/*",
    "é∂",
    "7",
    "0",
    "x#1",
    "\\",
    "\\u{41}",
    "// c",
    "\t\r",
    "\u{7f}\u{1b}[31m",
    "); system(\"x\"); //",
    "int",
    "x.T",
    "nan",
];

#[test]
fn hostile_names_round_trip_through_every_reader() {
    for &n in HOSTILE {
        let v = format!("v{n}");
        let m = module(n, n, n, &v, n, n);
        check_every_reader(&m, true);
        assert!(air_ir::validate::validate(&m).is_ok(), "{n:?}");
    }
}

#[test]
fn bad_names_are_refused_with_one_code_by_every_reader_and_the_validator() {
    let long = "x".repeat(air_ir::name::MAX_NAME_BYTES + 1);
    for bad in ["", "a\0b", long.as_str()] {
        let cases = [
            module(bad, "p", "r", "v", "k", "l"),
            module("f", bad, "r", "v", "k", "l"),
            module("f", "p", bad, "v", "k", "l"),
            module("f", "p", "r", "v", bad, "l"),
        ];
        for m in &cases {
            check_every_reader(m, false);
            let e = air_ir::validate::validate(m).unwrap_err();
            assert!(e.0.iter().any(|d| d.code == Code::BadName), "{e}");
        }
    }
    // A node name may be empty (it prints `%""`); NUL is refused there too.
    check_every_reader(&module("f", "p", "r", "", "k", "l"), true);
    check_every_reader(&module("f", "p", "r", "a\0", "k", "l"), false);
    // Locations are free text: NUL is escaped, never refused.
    check_every_reader(&module("f", "p", "r", "v", "k", "\0*/\n"), true);
}

#[test]
fn a_function_name_spelling_text_syntax_does_not_change_the_program() {
    // Printed raw, this name used to end the signature and start a different function.
    let crafted =
        "f(%x: f64[n]) -> (f64[n]) {\n  %0 = neg (%x) : f64[n]\n  return %0\n}\nfunc @main";
    let m = module(crafted, "x", "y", "t", "key", "l");
    let json = serial::write(&m, Format::Json);
    let read = serial::read(&json, Format::Json, "m.air.json").unwrap();
    let text = print(&read);
    assert!(text.contains("func @\"f(%x"), "{text}");
    let back = parse(&text, "m.air").unwrap();
    assert_eq!(back, m);
    assert_eq!(back.functions.len(), 2);
}

#[test]
fn quoted_names_read_and_a_quoted_number_is_a_name_not_an_index() {
    let src = "air 1 opset 1

func @\"my f\"(%\"a b\": f64[n]) -> (%\"7\": f64[n]) {
  %\"0\" = neg (%\"a b\") : f64[n]
  %1 = neg (%\"0\") : f64[n]
  return %1
}
";
    let m = parse(src, "m.air").unwrap();
    let f = &m.functions[0];
    assert_eq!(f.name, "my f");
    assert_eq!(f.body.nodes[0].name.as_deref(), Some("0"));
    assert_eq!(f.body.nodes[1].name, None);
    assert_eq!(f.body.nodes[1].operands, [Value::of(air_ir::NodeId(0))]);
    assert_eq!(print(&m), src);
    for bad in ["@\"\"", "%\"\\u{0}\""] {
        let src = format!(
            "air 1 opset 1\nfunc {}() -> () {{\n  return\n}}\n",
            bad.replace('%', "@")
        );
        let e = parse(&src, "m.air").unwrap_err();
        assert_eq!(e.0[0].code, Code::BadName, "{bad}: {e}");
    }
}

#[test]
fn dim_symbols_nan_and_inf_are_refused() {
    let e = parse(
        "air 1 opset 1\nfunc @f(%x: f64[nan]) -> () {\n  return\n}\n",
        "m.air",
    );
    assert_eq!(e.unwrap_err().0[0].code, Code::BadDim);
    let mut m = module("f", "p", "r", "v", "k", "l");
    m.functions[0].params[0].ty.shape = vec![Dim::symbol("a b")];
    let e = air_ir::validate::validate(&m).unwrap_err();
    assert!(e.0.iter().any(|d| d.code == Code::BadName), "{e}");
}

/// Names drawn from an alphabet of text-form syntax, escapes, controls, NUL and unicode.
fn hostile_name() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = "ab_.7 %@\"\\{}()[]#:=,*/\n\t\r\0é∂\u{1b}".chars().collect();
    proptest::collection::vec(proptest::sample::select(alphabet), 0..12)
        .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_hostile_names_round_trip_or_are_refused(
        f in hostile_name(),
        p in hostile_name(),
        v in hostile_name(),
        k in hostile_name(),
    ) {
        // `p` also names the result: distinct from the node name `v` or not, both are fine.
        let m = module(&f, &p, &p, &v, &k, &v);
        let valid = air_ir::name::is_valid_name(&f)
            && air_ir::name::is_valid_name(&p)
            && air_ir::name::is_valid_name(&k)
            && air_ir::name::node_name_problem(&v).is_none()
            && air_ir::name::is_valid_name(&format!("g {f}"));
        // A node named like the parameter is an invalid module (E0304).
        prop_assume!(v != p);
        check_every_reader(&m, valid);
    }
}
