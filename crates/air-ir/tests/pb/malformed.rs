//! Damaged fields and malformed input: each is reported with its code and the path of the field.

use super::*;

/// A minimal module around one node, as generated types, for hand-made damage.
fn gen_with_node(node: gen::Node) -> gen::Module {
    let mut g = gen::Module::from(&Module::default());
    g.functions.push(gen::Function {
        name: "f".into(),
        body: Some(gen::Region {
            nodes: vec![node],
            ..Default::default()
        }),
        ..Default::default()
    });
    g
}

fn literal_node(dtype: gen::DType, shape: Vec<u64>, data: Vec<u8>) -> gen::Node {
    gen::Node {
        op: "constant".into(),
        attrs: vec![gen::Attribute {
            name: "value".into(),
            value: Some(gen::attribute::Value::Literal(gen::Literal {
                dtype: dtype.into(),
                shape,
                data,
            })),
        }],
        ..Default::default()
    }
}

#[test]
fn a_trillion_element_literal_is_refused_quickly() {
    let start = Instant::now();
    let huge = literal_node(gen::DType::DtypeF64, vec![1_000_000, 1_000_000], vec![0; 8]);
    let e = read_err(&gen_with_node(huge).encode_to_vec(), Format::Protobuf);
    assert_eq!(codes(&e), [Code::LimitExceeded]);
    assert!(e.0[0]
        .message
        .starts_with("functions[0].body.nodes[0].attrs[0].literal.shape:"));
    // A shape whose product overflows u64 (and u128 once multiplied by the element size).
    let overflow = literal_node(gen::DType::DtypeC128, vec![u64::MAX; 3], vec![]);
    let e = read_err(&gen_with_node(overflow).encode_to_vec(), Format::Protobuf);
    assert_eq!(codes(&e), [Code::LimitExceeded]);
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[test]
fn literal_data_must_match_its_shape() {
    let short = literal_node(gen::DType::DtypeF64, vec![3], vec![0; 16]);
    let e = read_err(&gen_with_node(short).encode_to_vec(), Format::Protobuf);
    assert_eq!(codes(&e), [Code::BadLiteral]);
    assert!(
        e.0[0].message.contains("needs 24 bytes, got 16"),
        "{}",
        e.0[0].message
    );
    let empty = literal_node(gen::DType::DtypeI8, vec![2, 0, 5], vec![]);
    assert!(serial::read(&gen_with_node(empty).encode_to_vec(), Format::Protobuf, "x").is_ok());
}

/// A change that breaks a generated module.
type Damage = Box<dyn Fn(&mut gen::Module)>;

#[test]
fn missing_and_invalid_fields_are_reported_with_their_path() {
    let m = rich_module();
    let damage: Vec<(Damage, Code, &str)> = vec![
        (
            Box::new(|g| g.functions[0].body.as_mut().unwrap().nodes[3].attrs[0].value = None),
            Code::MalformedProtobuf,
            "functions[0].body.nodes[3].attrs[0].value:",
        ),
        (
            Box::new(|g| g.functions[1].body = None),
            Code::MalformedProtobuf,
            "functions[1].body:",
        ),
        (
            Box::new(|g| g.functions[0].params[1].intent = 0),
            Code::MalformedProtobuf,
            "functions[0].params[1].intent:",
        ),
        (
            Box::new(|g| g.functions[0].params[1].intent = 42),
            Code::MalformedProtobuf,
            "functions[0].params[1].intent:",
        ),
        (
            Box::new(|g| g.functions[0].results[0].r#type.as_mut().unwrap().dtype = 0),
            Code::MalformedProtobuf,
            "functions[0].results[0].type.dtype:",
        ),
        (
            Box::new(|g| {
                g.functions[0].body.as_mut().unwrap().nodes[2].result_types[0].shape[1].kind = None
            }),
            Code::MalformedProtobuf,
            "functions[0].body.nodes[2].result_types[0].shape[1].kind:",
        ),
        (
            Box::new(|g| g.functions[0].body.as_mut().unwrap().nodes[1].operands[0].kind = None),
            Code::MalformedProtobuf,
            "functions[0].body.nodes[1].operands[0].kind:",
        ),
        (
            Box::new(|g| g.functions[0].body.as_mut().unwrap().nodes[2].op = "frobnicate".into()),
            Code::UnknownOp,
            "functions[0].body.nodes[2]:",
        ),
        (
            Box::new(|g| g.functions[0].body.as_mut().unwrap().nodes[5].attrs.clear()),
            Code::BadAttribute,
            "functions[0].body.nodes[5]:",
        ),
        (
            Box::new(|g| {
                g.functions[0].params[0].r#type.as_mut().unwrap().shape[0].kind =
                    Some(gen::dim::Kind::Symbol("n m".into()))
            }),
            Code::BadDim,
            "functions[0].params[0].type.shape[0].symbol:",
        ),
        (
            Box::new(|g| g.functions[0].location = Some(gen::Location { kind: None })),
            Code::MalformedProtobuf,
            "functions[0].location.kind:",
        ),
    ];
    for (i, (hurt, code, path)) in damage.into_iter().enumerate() {
        let mut g = gen::Module::from(&m);
        hurt(&mut g);
        for format in [Format::Protobuf, Format::Json] {
            let bytes = match format {
                Format::Protobuf => g.encode_to_vec(),
                // pbjson refuses to write an enum number it does not know (the `intent = 42`
                // case); reading such JSON is covered by `malformed_json_reports_serde_position`.
                Format::Text | Format::Json => match serde_json::to_vec(&g) {
                    Ok(bytes) => bytes,
                    Err(_) => continue,
                },
            };
            let e = read_err(&bytes, format);
            let code = match (code, format) {
                (Code::MalformedProtobuf, Format::Json) => Code::MalformedJson,
                _ => code,
            };
            assert_eq!(codes(&e), [code], "damage {i} in {format}: {e}");
            assert!(
                e.0[0].message.starts_with(path),
                "damage {i}: {}",
                e.0[0].message
            );
        }
    }
}

#[test]
fn errors_inside_nested_regions_name_the_function_and_node_path() {
    let m = rich_module();
    let mut g = gen::Module::from(&m);
    let body = g.functions[0].body.as_mut().unwrap();
    let looped = body.nodes.len() - 2; // the `for` of nested_loop()
                                       // for body -> node 1 (if) -> else region -> node 1 (for) -> its body -> node 0 (neg)
    let neg = &mut body.nodes[looped].regions[0].nodes[1].regions[1].nodes[1].regions[0].nodes[0];
    neg.result_types[0].dtype = 99;
    let e = read_err(&g.encode_to_vec(), Format::Protobuf);
    let d = &e.0[0];
    assert_eq!(d.code, Code::MalformedProtobuf);
    let want = format!(
        "functions[0].body.nodes[{looped}].regions[0].nodes[1].regions[1].nodes[1].regions[0]\
         .nodes[0].result_types[0].dtype: unknown dtype 99"
    );
    assert_eq!(d.message, want);
    assert_eq!(d.function.as_deref(), Some("main"));
    let ids: Vec<u32> = d.node_path.iter().map(|n| n.0).collect();
    assert_eq!(ids, [looped as u32, 1, 1, 0]);
}

#[test]
fn dim_polynomials_are_checked_and_normalised() {
    let expr = |terms: Vec<gen::Term>| {
        let mut g = gen::Module::from(&rich_module());
        g.functions[0].params[0].r#type.as_mut().unwrap().shape[0].kind =
            Some(gen::dim::Kind::Expr(gen::DimExpr { terms }));
        serial::read(&g.encode_to_vec(), Format::Protobuf, "x")
    };
    let factor = |s: &str, p: u32| gen::Factor {
        symbol: s.into(),
        power: p,
        floordiv: None,
        max0: None,
    };
    // n*n written as n^1 * n^1, and an expression that is a plain constant: both normalised.
    let m = expr(vec![gen::Term {
        coeff: 3,
        factors: vec![factor("n", 1), factor("n", 1)],
    }])
    .unwrap();
    assert_eq!(m.functions[0].params[0].ty.shape[0], dim("3*n*n"));
    let m = expr(vec![gen::Term {
        coeff: 7,
        factors: vec![],
    }])
    .unwrap();
    assert_eq!(m.functions[0].params[0].ty.shape[0], dim("7"));
    // Power 0, a power past the limit, coefficients that overflow when summed, a bad symbol.
    let bad = [
        vec![gen::Term {
            coeff: 1,
            factors: vec![factor("n", 0)],
        }],
        vec![gen::Term {
            coeff: 1,
            factors: vec![factor("n", 40), factor("n", 40)],
        }],
        vec![gen::Term {
            coeff: 1,
            factors: vec![factor("n", u32::MAX), factor("n", u32::MAX)],
        }],
        vec![
            gen::Term {
                coeff: i64::MAX,
                factors: vec![factor("n", 1)],
            },
            gen::Term {
                coeff: i64::MAX,
                factors: vec![factor("n", 1)],
            },
        ],
        vec![gen::Term {
            coeff: 1,
            factors: vec![factor("9n", 1)],
        }],
        vec![gen::Term {
            coeff: 1,
            factors: vec![factor("", 1)],
        }],
    ];
    for terms in bad {
        let e = expr(terms.clone()).expect_err("bad dim accepted");
        assert_eq!(codes(&e), [Code::BadDim], "{terms:?}: {e}");
    }
    // Op set 2 atoms: read into canonical form (the module declares op set 1, but reading
    // normalises first); a factor with two forms set, or a divisor below 1, is refused.
    let n_times = |c: i64| gen::DimExpr {
        terms: vec![gen::Term {
            coeff: c,
            factors: vec![factor("n", 1)],
        }],
    };
    let fd = |num: gen::DimExpr, k: i64, sym: &str| gen::Factor {
        symbol: sym.into(),
        power: 1,
        floordiv: Some(gen::FloorDiv {
            numerator: Some(num),
            divisor: k,
        }),
        max0: None,
    };
    let read = |f: gen::Factor| {
        expr(vec![gen::Term {
            coeff: 1,
            factors: vec![f],
        }])
    };
    let read_dim = |f: gen::Factor| read(f).map(|m| m.functions[0].params[0].ty.shape[0].clone());
    assert_eq!(read_dim(fd(n_times(4), 2, "")).unwrap(), dim("2*n"));
    assert_eq!(
        read_dim(fd(n_times(3), 2, "")).unwrap(),
        dim("n+floordiv(n, 2)")
    );
    let max0 = gen::Factor {
        symbol: String::new(),
        power: 2,
        floordiv: None,
        max0: Some(n_times(-1)),
    };
    assert_eq!(read_dim(max0).unwrap(), dim("0"));
    for bad in [fd(n_times(3), 0, ""), fd(n_times(3), 2, "n")] {
        let e = read(bad.clone()).expect_err("bad factor accepted");
        assert_eq!(codes(&e), [Code::BadDim], "{bad:?}: {e}");
    }
}

#[test]
fn malformed_json_reports_serde_position() {
    let cases: [(&str, u32, u32); 5] = [
        ("{\"irVersion\": 1,\n  \"functions\": [", 2, 16),
        ("[]", 1, 2),
        ("{\"irVersion\": \"x\"}", 1, 18),
        ("{\"irVersion\": 1, \"nope\": 2}", 1, 23),
        ("{\"irVersion\": 1} trailing", 1, 18),
    ];
    for (text, line, col) in cases {
        let e = read_err(text.as_bytes(), Format::Json);
        let d = &e.0[0];
        assert_eq!(d.code, Code::MalformedJson, "{text}: {e}");
        let Some(Location::File {
            file,
            line: l,
            col: c,
        }) = &d.loc
        else {
            panic!("no position for {text}");
        };
        assert_eq!((file.as_str(), *l, *c), ("input", line, col), "{text}: {e}");
        assert!(!d.message.contains(" at line "), "{}", d.message);
    }
    // Enum numbers are accepted on input (proto-JSON allows them), unknown names are not.
    let e = read_err(br#"{"irVersion":1,"opsetVersion":1,"functions":[{"name":"f","body":{},"params":[{"name":"x","type":{"dtype":"DTYPE_F65"},"intent":"INTENT_IN"}]}]}"#, Format::Json);
    assert_eq!(codes(&e), [Code::MalformedJson]);
    let m = serial::read(br#"{"irVersion":1,"opsetVersion":1,"functions":[{"name":"f","body":{},"params":[{"name":"x","type":{"dtype":13},"intent":"INTENT_IN"}]}]}"#, Format::Json, "x").unwrap();
    assert_eq!(m.functions[0].params[0].ty, TensorType::scalar(DType::F64));
    let e = read_err(br#"{"irVersion":1,"opsetVersion":1,"functions":[{"name":"f","body":{},"params":[{"name":"x","type":{"dtype":13},"intent":42}]}]}"#, Format::Json);
    assert_eq!(codes(&e), [Code::MalformedJson], "{e}");
}
