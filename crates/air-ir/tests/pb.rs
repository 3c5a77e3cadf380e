//! The protobuf and JSON forms: round trips of modules built by hand (every op, every attribute
//! kind, every dtype), the version policy, and hostile input (random, truncated, huge, deep).

use std::time::{Duration, Instant};

use air_ir::dim::parse_dim;
use air_ir::limits::Limits;
use air_ir::op::{
    ArgKind, AttrValue, BinaryOp, Bound, CustomOp, ReduceKind, ScanKind, SliceAxis, UnaryOp,
};
use air_ir::pb::gen;
use air_ir::serial::{self, Format};
use air_ir::{
    Code, DType, Diagnostics, Dim, Function, Intent, Literal, Location, Module, Node, NodeId, Op,
    Param, Region, RegionParam, ResultDecl, Scalar, TensorType, Value,
};
use prost::Message;

fn dim(s: &str) -> Dim {
    parse_dim(s).expect("test dims parse")
}

fn ty(dtype: DType, dims: &[&str]) -> TensorType {
    TensorType::new(dtype, dims.iter().map(|d| dim(d)).collect())
}

fn res(node: u32, index: u32) -> Value {
    Value::Result {
        node: NodeId(node),
        index,
    }
}

/// A literal of `dtype` and `shape` with distinct, easily told apart elements.
fn sample_literal(dtype: DType, shape: Vec<u64>) -> Literal {
    let n: u64 = shape.iter().product();
    let values: Vec<Scalar> = (0..n)
        .map(|i| match dtype {
            DType::Bool => Scalar::Bool(i % 2 == 1),
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => Scalar::Int(-(i as i64) - 1),
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => Scalar::UInt(i + 200),
            DType::C64 | DType::C128 => Scalar::Complex(i as f64 + 0.5, -(i as f64)),
            DType::F16 | DType::BF16 | DType::F32 | DType::F64 => {
                Scalar::Float(i as f64 * 0.25 - 1.0)
            }
        })
        .collect();
    Literal::from_scalars(dtype, shape, &values).expect("sizes match")
}

/// One node of every op that carries attributes or regions, plus every unary, binary and
/// reduction op. Operands are not type-correct: these modules are never validated.
fn op_zoo() -> Vec<Op> {
    let mut ops = vec![
        Op::Iota {
            dtype: DType::I64,
            shape: vec![dim("n"), dim("2*n*m+1")],
            axis: 1,
        },
        Op::Full {
            value: Literal::f64(2.5),
            shape: vec![dim("n+1"), dim("3")],
        },
        Op::Select,
        Op::Cast { dtype: DType::BF16 },
        Op::Clip,
        Op::Broadcast {
            shape: vec![dim("4"), dim("n"), dim("m")],
            dims: vec![1, 2],
        },
        Op::Reshape {
            shape: vec![dim("2*n*m+1")],
        },
        Op::Transpose { perm: vec![1, 0] },
        Op::ExpandDims { axes: vec![0, 2] },
        Op::Squeeze { axes: vec![3] },
        Op::Slice {
            axes: vec![
                SliceAxis::full(),
                SliceAxis {
                    start: Bound::Const(-1),
                    stop: Bound::Default,
                    step: -1,
                },
                SliceAxis {
                    start: Bound::Operand(1),
                    stop: Bound::Operand(2),
                    step: 3,
                },
                SliceAxis {
                    start: Bound::Const(0),
                    stop: Bound::Const(i64::MIN),
                    step: i64::MAX,
                },
            ],
        },
        Op::Concat { axis: 1 },
        Op::Take { axis: 0 },
        Op::Extract,
        Op::Insert,
        Op::Filter,
        Op::ArgReduce {
            kind: ArgKind::Argmax,
            axis: 1,
            keepdims: true,
        },
        Op::ArgReduce {
            kind: ArgKind::Argmin,
            axis: 0,
            keepdims: false,
        },
        Op::Scan {
            kind: ScanKind::Cumsum,
            axis: 0,
        },
        Op::Scan {
            kind: ScanKind::Cumprod,
            axis: 1,
        },
        Op::Sort {
            axis: 0,
            descending: true,
        },
        Op::Sort {
            axis: 1,
            descending: false,
        },
        Op::Einsum {
            spec: "ij,j->i".into(),
        },
        Op::Matmul,
        Op::Call {
            callee: "helper".into(),
        },
        Op::Custom(CustomOp {
            domain: "mylib".into(),
            name: "softplus".into(),
            attrs: every_attr_kind(),
            decomposition: Some("softplus_ref".into()),
        }),
        Op::Custom(CustomOp {
            domain: "pytensor".into(),
            name: "Opaque".into(),
            attrs: vec![],
            decomposition: None,
        }),
    ];
    ops.extend(UnaryOp::ALL.map(Op::Unary));
    ops.extend(BinaryOp::ALL.map(Op::Binary));
    for (i, kind) in ReduceKind::ALL.into_iter().enumerate() {
        ops.push(Op::Reduce {
            kind,
            axes: vec![0, 1],
            keepdims: i % 2 == 0,
        });
    }
    ops.extend(
        DType::ALL
            .into_iter()
            .map(|d| Op::Constant(sample_literal(d, vec![2, 3]))),
    );
    ops.push(Op::Constant(sample_literal(DType::C128, vec![])));
    ops.push(Op::Constant(sample_literal(DType::F32, vec![0, 4])));
    ops
}

fn every_attr_kind() -> Vec<(String, AttrValue)> {
    vec![
        ("i".into(), AttrValue::Int(i64::MIN)),
        ("f".into(), AttrValue::Float(-1.5e-300)),
        ("s".into(), AttrValue::Str("ünïcode \"quoted\"\n".into())),
        ("b".into(), AttrValue::Bool(false)),
        ("is".into(), AttrValue::Ints(vec![1, -2, i64::MAX])),
        ("fs".into(), AttrValue::Floats(vec![0.1, -0.0, 1e300])),
        (
            "ss".into(),
            AttrValue::Strs(vec!["a".into(), String::new()]),
        ),
        ("empty".into(), AttrValue::Ints(vec![])),
        ("d".into(), AttrValue::DType(DType::C64)),
        (
            "sh".into(),
            AttrValue::Shape(vec![dim("n"), dim("0"), dim("n*n*m-3")]),
        ),
        (
            "lit".into(),
            AttrValue::Literal(sample_literal(DType::U16, vec![3])),
        ),
        (
            "sl".into(),
            AttrValue::Slices(vec![SliceAxis {
                start: Bound::Operand(4),
                stop: Bound::Default,
                step: 2,
            }]),
        ),
        ("fn".into(), AttrValue::Func("helper".into())),
    ]
}

/// A `for` whose body holds an `if` whose branches hold another `for`: three levels of regions.
fn nested_loop() -> Node {
    let scalar = TensorType::scalar(DType::I64);
    let mut inner = Region {
        params: vec![
            RegionParam {
                name: "j".into(),
                ty: scalar.clone(),
            },
            RegionParam {
                name: "acc".into(),
                ty: ty(DType::F64, &["n"]),
            },
        ],
        ..Region::default()
    };
    let neg = inner.push(Node::new(
        Op::Unary(UnaryOp::Neg),
        vec![Value::Param(1)],
        vec![ty(DType::F64, &["n"])],
    ));
    inner.results = vec![Value::of(neg)];
    let branch = |name: &str| {
        let mut r = Region {
            params: vec![RegionParam {
                name: name.into(),
                ty: ty(DType::F64, &["n"]),
            }],
            ..Region::default()
        };
        let lo = r.push(Node::new(
            Op::Constant(Literal::i64(0)),
            vec![],
            vec![scalar.clone()],
        ));
        let l = r.push(Node::new(
            Op::For {
                body: inner.clone(),
            },
            vec![Value::of(lo), Value::of(lo), Value::of(lo), Value::Param(0)],
            vec![ty(DType::F64, &["n"])],
        ));
        r.results = vec![Value::of(l)];
        r
    };
    let mut body = Region {
        params: vec![
            RegionParam {
                name: "i".into(),
                ty: scalar.clone(),
            },
            RegionParam {
                name: "x".into(),
                ty: ty(DType::F64, &["n"]),
            },
            RegionParam {
                name: "k".into(),
                ty: scalar.clone(),
            },
        ],
        ..Region::default()
    };
    let cond = body.push(Node::new(
        Op::Binary(BinaryOp::Lt),
        vec![Value::Param(0), Value::Param(2)],
        vec![TensorType::scalar(DType::Bool)],
    ));
    let branches = body.push(Node::new(
        Op::If {
            then_branch: branch("a"),
            else_branch: branch("b"),
        },
        vec![Value::of(cond), Value::Param(1)],
        vec![ty(DType::F64, &["n"])],
    ));
    body.results = vec![Value::of(branches), Value::Param(2)];
    let mut n = Node::new(
        Op::For { body },
        vec![Value::Param(2); 5],
        vec![ty(DType::F64, &["n"]), scalar],
    );
    n.name = Some("loop".into());
    n
}

/// A module exercising every field of the schema.
fn rich_module() -> Module {
    let x = ty(DType::F64, &["n", "m"]);
    let mut body = Region {
        params: vec![],
        nodes: vec![],
        results: vec![],
    };
    for (i, op) in op_zoo().into_iter().enumerate() {
        let mut node = Node::new(op, vec![Value::Param(0), res(0, 0)], vec![x.clone()]);
        node.loc = match i % 3 {
            0 => Some(Location::File {
                file: "model.air".into(),
                line: i as u32 + 1,
                col: 3,
            }),
            1 => Some(Location::Foreign(format!("pytensor node {i}"))),
            _ => None,
        };
        node.name = (i % 4 == 0).then(|| format!("v{i}"));
        body.push(node);
    }
    let looped = body.push(nested_loop());
    let mut zero_results = Node::new(
        Op::Call {
            callee: "sink".into(),
        },
        vec![],
        vec![],
    );
    zero_results.name = Some(String::new());
    body.push(zero_results);
    body.results = vec![
        res(looped.0, 1),
        res(looped.0, 0),
        Value::Param(1),
        Value::Param(2),
    ];
    let params = vec![
        Param {
            name: "x".into(),
            ty: x.clone(),
            intent: Intent::In,
            size: None,
        },
        Param {
            name: "o".into(),
            ty: ty(DType::F64, &["n"]),
            intent: Intent::Out,
            size: None,
        },
        Param {
            name: "io".into(),
            ty: ty(DType::I64, &["2*n*m+1"]),
            intent: Intent::InOut,
            size: None,
        },
    ];
    let main = Function {
        name: "main".into(),
        results: vec![
            ResultDecl {
                name: Some("s".into()),
                ty: TensorType::scalar(DType::I64),
            },
            ResultDecl {
                name: None,
                ty: ty(DType::F64, &["n"]),
            },
        ],
        body: Region {
            params: params
                .iter()
                .map(|p| RegionParam {
                    name: p.name.clone(),
                    ty: p.ty.clone(),
                })
                .collect(),
            ..body
        },
        params,
        loc: Some(Location::File {
            file: "model.air".into(),
            line: 1,
            col: 1,
        }),
    };
    let helper = Function {
        name: "helper".into(),
        params: vec![],
        results: vec![],
        body: Region::default(),
        loc: Some(Location::Foreign("sympy Eq 0".into())),
    };
    Module {
        producer: "air tests".into(),
        metadata: vec![
            ("b".into(), "1".into()),
            ("a".into(), "2".into()),
            ("b".into(), "3".into()),
        ],
        functions: vec![main, helper],
        ..Module::default()
    }
}

fn codes(e: &Diagnostics) -> Vec<Code> {
    e.0.iter().map(|d| d.code).collect()
}

fn read_err(bytes: &[u8], format: Format) -> Diagnostics {
    serial::read(bytes, format, "input").expect_err("input must be rejected")
}

#[test]
fn protobuf_round_trip_is_identity() {
    let m = rich_module();
    let bytes = serial::write(&m, Format::Protobuf);
    assert_eq!(
        serial::read(&bytes, Format::Protobuf, "m.airpb").unwrap(),
        m
    );
    // The conversion pair on its own, too.
    let g = gen::Module::from(&m);
    assert_eq!(Module::try_from(&g).unwrap(), m);
    // Encoding is deterministic.
    assert_eq!(serial::write(&m, Format::Protobuf), bytes);
}

#[test]
fn json_round_trip_is_identity() {
    let m = rich_module();
    let bytes = serial::write(&m, Format::Json);
    assert_eq!(serial::read(&bytes, Format::Json, "m.air.json").unwrap(), m);
}

#[test]
fn json_is_canonical_proto_json() {
    let m = rich_module();
    let text = String::from_utf8(serial::write(&m, Format::Json)).unwrap();
    // Enum names, not numbers.
    for name in [
        "\"DTYPE_F64\"",
        "\"DTYPE_BF16\"",
        "\"INTENT_OUT\"",
        "\"INTENT_INOUT\"",
    ] {
        assert!(text.contains(name), "{name} missing");
    }
    assert!(!text.contains("\"dtype\": 13"));
    for d in DType::ALL {
        let name = format!("\"DTYPE_{}\"", d.name().to_uppercase());
        assert!(text.contains(&name), "{name} missing");
    }
    // lowerCamelCase field names, int64 as strings, bytes as base64.
    assert!(text.contains("\"irVersion\": 1"));
    assert!(text.contains("\"resultTypes\""));
    assert!(text.contains("\"intValue\": \"-9223372036854775808\""));
    let lit = sample_literal(DType::U16, vec![3]); // 200, 201, 202 little-endian
    assert_eq!(lit.data, [200, 0, 201, 0, 202, 0]);
    assert!(
        text.contains("\"data\": \"yADJAMoA\""),
        "base64 of c8 00 c9 00 ca 00"
    );
    // The polynomial 2*n*m+1 as canonical terms.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let io_dim = &v["functions"][0]["params"][2]["type"]["shape"][0];
    assert_eq!(
        io_dim,
        &serde_json::json!({"expr": {"terms": [
            {"coeff": "1"},
            {"coeff": "2", "factors": [{"symbol": "m", "power": 1}, {"symbol": "n", "power": 1}]}
        ]}})
    );
}

#[test]
fn non_finite_floats_survive_both_forms() {
    let mut m = Module::default();
    let mut body = Region::default();
    body.push(Node::new(
        Op::Custom(CustomOp {
            domain: "d".into(),
            name: "n".into(),
            attrs: vec![
                ("nan".into(), AttrValue::Float(f64::NAN)),
                (
                    "fs".into(),
                    AttrValue::Floats(vec![f64::INFINITY, f64::NEG_INFINITY, -0.0, f64::NAN]),
                ),
            ],
            decomposition: None,
        }),
        vec![],
        vec![],
    ));
    m.functions.push(Function {
        name: "f".into(),
        params: vec![],
        results: vec![],
        body,
        loc: None,
    });
    let json = serial::write(&m, Format::Json);
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(text.contains("\"floatValue\": \"NaN\""), "{text}");
    assert!(
        text.contains("\"Infinity\"") && text.contains("\"-Infinity\""),
        "{text}"
    );
    for format in [Format::Json, Format::Protobuf] {
        let back = serial::read(&serial::write(&m, format), format, "x").unwrap();
        let Op::Custom(c) = &back.functions[0].body.nodes[0].op else {
            panic!("custom op expected");
        };
        assert!(matches!(c.attrs[0].1, AttrValue::Float(f) if f.is_nan()));
        let AttrValue::Floats(fs) = &c.attrs[1].1 else {
            panic!("floats expected");
        };
        let bits: Vec<u64> = fs[..3].iter().map(|f| f.to_bits()).collect();
        assert_eq!(
            bits,
            [f64::INFINITY, f64::NEG_INFINITY, -0.0].map(f64::to_bits)
        );
        assert!(fs[3].is_nan());
    }
}

#[test]
fn newer_or_zero_versions_are_rejected_with_both_versions_named() {
    for (ir, opset) in [(2, 1), (0, 1), (1, 3), (1, 0), (7, 9)] {
        let m = Module {
            ir_version: ir,
            opset_version: opset,
            ..rich_module()
        };
        for format in [Format::Protobuf, Format::Json] {
            let e = read_err(&serial::write(&m, format), format);
            assert_eq!(
                codes(&e),
                [Code::UnsupportedVersion],
                "{ir}/{opset} {format}"
            );
            let msg = &e.0[0].message;
            assert!(msg.contains(&format!("IR version {ir} ")), "{msg}");
            assert!(msg.contains(&format!("op set version {opset};")), "{msg}");
            assert!(msg.contains("1..=1 "), "{msg}");
            assert!(msg.contains("1..=2"), "{msg}");
        }
    }
    assert!(serial::check_versions(&Module::default()).is_ok());
}

#[test]
fn a_newer_module_is_rejected_for_its_version_before_anything_else() {
    // An IR version 2 module may use an op this reader does not know: the version is reported.
    let mut g = gen::Module::from(&rich_module());
    g.ir_version = 2;
    g.functions[0].body.as_mut().unwrap().nodes[0].op = "op_from_the_future".into();
    let e = read_err(&g.encode_to_vec(), Format::Protobuf);
    assert_eq!(codes(&e), [Code::UnsupportedVersion]);
}

#[test]
fn text_input_must_be_utf8() {
    let e = read_err(b"air 1 opset 1\nfunc @f\xff", Format::Text);
    assert_eq!(codes(&e), [Code::Syntax]);
    assert_eq!(
        e.0[0].loc,
        Some(Location::File {
            file: "input".into(),
            line: 2,
            col: 8
        })
    );
}

#[test]
fn formats_are_chosen_by_the_longest_extension() {
    use std::path::Path;
    let cases = [
        ("m.air", Some(Format::Text)),
        ("dir.air/m.airpb", Some(Format::Protobuf)),
        ("m.air.json", Some(Format::Json)),
        ("M.AIR.JSON", Some(Format::Json)),
        ("m.json", None),
        ("m.airpb.txt", None),
        ("m", None),
    ];
    for (path, want) in cases {
        assert_eq!(Format::from_path(Path::new(path)), want, "{path}");
    }
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.name()), Some(f));
        assert_eq!(
            Format::from_path(Path::new(&format!("x{}", f.extensions()[0]))),
            Some(f)
        );
    }
}

#[test]
fn paths_read_and_write_by_extension() {
    let dir = std::env::temp_dir().join(format!("air-pb-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let m = rich_module();
    for ext in [".airpb", ".air.json"] {
        let path = dir.join(format!("m{ext}"));
        serial::write_path(&m, &path).unwrap();
        assert_eq!(serial::read_path(&path).unwrap(), m);
    }
    let e = serial::read_path(&dir.join("m.onnx")).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains(".air, .airpb, .air.json"), "{msg}");
    assert!(matches!(e, serial::SerialError::UnknownFormat { .. }));
    let e = serial::read_path(&dir.join("missing.airpb")).unwrap_err();
    assert!(matches!(e, serial::SerialError::Io { .. }));
    std::fs::write(dir.join("bad.airpb"), [0xff, 0xff]).unwrap();
    let e = serial::read_path(&dir.join("bad.airpb")).unwrap_err();
    let serial::SerialError::Invalid(d) = e else {
        panic!("invalid expected");
    };
    assert_eq!(
        d.0[0].loc,
        Some(Location::Foreign(
            dir.join("bad.airpb").display().to_string()
        ))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[path = "pb/malformed.rs"]
mod malformed;

#[path = "pb/hostile.rs"]
mod hostile;

#[path = "pb/amplify.rs"]
mod amplify;
