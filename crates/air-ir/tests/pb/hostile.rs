//! Hostile input: deep nesting, limits, truncation and random bytes give errors, never crashes.

use super::*;

/// The bytes of a module whose one function's body nests `depth` regions, encoded by hand from
/// the inside out, so no deep structure (and no deep recursion) is needed to build it.
fn deeply_nested_pb(depth: usize) -> Vec<u8> {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn varint_len(v: u64) -> u64 {
        let mut buf = vec![];
        varint(v, &mut buf);
        buf.len() as u64
    }
    // Lengths from the innermost (an empty region) out: region -> node (field 5 `regions`),
    // node -> region (field 2 `nodes`). Tags: Region.nodes = 0x12, Node.regions = 0x2a.
    let op = b"\x0a\x03for"; // Node.op = "for"
    let mut region_len = 0u64;
    let mut headers: Vec<(u8, u64)> = Vec::with_capacity(2 * depth);
    for _ in 0..depth {
        let node_len = op.len() as u64 + 1 + varint_len(region_len) + region_len;
        headers.push((0x2a, region_len));
        region_len = 1 + varint_len(node_len) + node_len;
        headers.push((0x12, node_len));
    }
    let name = b"\x0a\x01f"; // Function.name = "f" (an empty name is refused, E0112)
    let function_len = name.len() as u64 + 1 + varint_len(region_len) + region_len;
    let mut out = vec![0x08, 1, 0x10, 1]; // ir_version 1, opset_version 1
    out.push(0x2a); // Module.functions
    varint(function_len, &mut out);
    out.extend_from_slice(name);
    out.push(0x22); // Function.body
    varint(region_len, &mut out);
    for (tag, len) in headers.into_iter().rev() {
        out.push(tag);
        varint(len, &mut out);
        if tag == 0x12 {
            out.extend_from_slice(op);
        }
    }
    out
}

#[test]
fn hundred_thousand_nested_regions_give_an_error_not_a_crash() {
    let bytes = deeply_nested_pb(100_000);
    let e = read_err(&bytes, Format::Protobuf);
    assert_eq!(codes(&e), [Code::LimitExceeded], "{e}");
    // The same shape in JSON.
    let depth = 100_000;
    let mut json =
        String::from("{\"irVersion\": 1, \"opsetVersion\": 1, \"functions\": [{\"body\": ");
    json.push_str(&"{\"nodes\": [{\"op\": \"for\", \"regions\": [".repeat(depth));
    json.push_str(&"]}]}".repeat(depth));
    json.push_str("}]}");
    let e = read_err(json.as_bytes(), Format::Json);
    assert_eq!(codes(&e), [Code::LimitExceeded], "{e}");
}

#[test]
fn hand_encoded_nesting_decodes_when_shallow() {
    // Checks the hand encoder itself: three levels decode to three nested `for`s (unvalidated).
    let m = serial::read(&deeply_nested_pb(3), Format::Protobuf, "x").unwrap();
    let mut r = &m.functions[0].body;
    for _ in 0..3 {
        let Op::For { body } = &r.nodes[0].op else {
            panic!("for expected");
        };
        r = body;
    }
    assert!(r.nodes.is_empty());
}

/// A module whose body nests `depth` `for` regions.
fn nested_module(depth: usize) -> Module {
    let mut region = Region::default();
    for _ in 0..depth {
        let mut outer = Region::default();
        outer.push(Node::new(Op::For { body: region }, vec![], vec![]));
        region = outer;
    }
    Module {
        functions: vec![Function {
            name: "f".into(),
            params: vec![],
            results: vec![],
            body: region,
            loc: None,
        }],
        ..Module::default()
    }
}

#[test]
fn region_depth_is_bounded_by_the_limits() {
    let m = nested_module(5);
    let limits = Limits {
        max_region_depth: 4,
        ..Limits::default()
    };
    for format in [Format::Protobuf, Format::Json] {
        let bytes = serial::write(&m, format);
        let e = serial::read_with_limits(&bytes, format, "x", &limits).unwrap_err();
        assert_eq!(codes(&e), [Code::LimitExceeded]);
        assert!(e.0[0].message.contains("region nesting depth (5)"), "{e}");
        let ok = Limits {
            max_region_depth: 5,
            ..limits
        };
        assert_eq!(
            serial::read_with_limits(&bytes, format, "x", &ok).unwrap(),
            m
        );
    }
}

/// The deepest module the limits allow, with the most deeply nested message of the schema (a
/// polynomial dim) at the bottom.
fn deepest_allowed_module(depth: usize) -> Module {
    let mut m = nested_module(depth);
    let mut r = &mut m.functions[0].body;
    while let Some(Op::For { body }) = r.nodes.first_mut().map(|n| &mut n.op) {
        r = body;
    }
    r.params.push(RegionParam {
        name: "p".into(),
        ty: ty(DType::F64, &["2*n*m+1"]),
    });
    m
}

#[test]
fn every_depth_the_limits_allow_round_trips_and_deeper_fails_cleanly() {
    let max = Limits::default().max_region_depth;
    let m = deepest_allowed_module(max);
    for format in [Format::Protobuf, Format::Json] {
        assert_eq!(
            serial::read(&serial::write(&m, format), format, "x").unwrap(),
            m
        );
    }
    let deep = nested_module(max + 1);
    for format in [Format::Protobuf, Format::Json] {
        let e = read_err(&serial::write(&deep, format), format);
        assert_eq!(codes(&e), [Code::LimitExceeded], "{format}: {e}");
        assert!(e.0[0].message.contains("region nesting depth"), "{e}");
    }
}

#[test]
fn other_limits_are_enforced() {
    let m = rich_module();
    let bytes = serial::write(&m, Format::Protobuf);
    let tight =
        |l: Limits| serial::read_with_limits(&bytes, Format::Protobuf, "x", &l).unwrap_err();
    let d = Limits::default();
    let e = tight(Limits {
        max_input_bytes: 10,
        ..d
    });
    assert_eq!(codes(&e), [Code::LimitExceeded]);
    let e = tight(Limits {
        max_functions: 1,
        ..d
    });
    assert!(e.0[0].message.starts_with("functions:"), "{e}");
    let e = tight(Limits { max_nodes: 3, ..d });
    assert!(
        e.0[0].message.starts_with("functions[0].body.nodes:"),
        "{e}"
    );
    let e = tight(Limits { max_rank: 1, ..d });
    assert!(
        e.0[0]
            .message
            .starts_with("functions[0].params[0].type.shape:"),
        "{e}"
    );
    let e = tight(Limits {
        max_literal_bytes: 4,
        ..d
    });
    assert_eq!(codes(&e), [Code::LimitExceeded]);
}

#[test]
fn truncated_protobuf_never_reads_as_the_module() {
    let m = rich_module();
    let bytes = serial::write(&m, Format::Protobuf);
    let mut errors = 0;
    for len in 0..bytes.len() {
        match serial::read(&bytes[..len], Format::Protobuf, "x") {
            Ok(back) => assert_ne!(back, m, "a strict prefix of {len} bytes read as the module"),
            Err(_) => errors += 1,
        }
    }
    assert!(
        errors > bytes.len() / 2,
        "only {errors} of {} prefixes failed",
        bytes.len()
    );
    let e = read_err(&bytes[..bytes.len() - 1], Format::Protobuf);
    assert_eq!(codes(&e), [Code::MalformedProtobuf]);
    assert_eq!(e.0[0].loc, Some(Location::Foreign("input".into())));
}

#[test]
fn random_bytes_are_rejected_without_panics() {
    // xorshift64*, seeded: the same inputs on every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    for i in 0..2000 {
        let len = (next() % 300) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        for format in Format::ALL {
            // Any answer but a panic is fine; an empty pb message is a module of version 0.
            let _ = serial::read(&bytes, format, "random");
        }
        if i == 0 {
            assert_eq!(
                codes(&read_err(&[], Format::Protobuf)),
                [Code::UnsupportedVersion]
            );
        }
    }
}

proptest::proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
        for format in Format::ALL {
            let _ = serial::read(&bytes, format, "prop");
        }
    }

    #[test]
    fn mutated_protobuf_never_panics(pos in 0usize..4096, byte in proptest::num::u8::ANY) {
        let mut bytes = serial::write(&nested_module(3), Format::Protobuf);
        bytes.extend(serial::write(&rich_module(), Format::Protobuf));
        let at = pos % bytes.len();
        bytes[at] = byte;
        let _ = serial::read(&bytes, Format::Protobuf, "prop");
    }
}
