//! Input that decodes to much more memory than it takes (packed ints, empty nodes) is refused
//! before it is decoded, with a short message, in protobuf and in JSON.

use super::*;

/// A module whose one function's body holds `nodes` nodes; node 0 has attribute `perm` = `ints`.
fn gen_module(nodes: usize, ints: Vec<i64>) -> gen::Module {
    let mut body = gen::Region {
        nodes: vec![gen::Node::default(); nodes],
        ..gen::Region::default()
    };
    if let Some(first) = body.nodes.first_mut() {
        first.op = "transpose".into();
        first.attrs.push(gen::Attribute {
            name: "perm".into(),
            value: Some(gen::attribute::Value::Ints(gen::Ints { values: ints })),
        });
    }
    gen::Module {
        ir_version: 1,
        opset_version: 1,
        functions: vec![gen::Function {
            name: "f".into(),
            body: Some(body),
            ..gen::Function::default()
        }],
        ..gen::Module::default()
    }
}

fn json_of(g: &gen::Module) -> Vec<u8> {
    serde_json::to_vec(g).expect("JSON")
}

/// One diagnostic, E0105, with a message under 1 KB.
fn assert_short_limit_error(e: &Diagnostics, what: &str) {
    assert_eq!(codes(e), [Code::LimitExceeded], "{e}");
    let message = &e.0[0].message;
    assert!(message.len() < 1024, "{} bytes", message.len());
    assert!(message.contains(what), "{message}");
}

#[test]
fn a_long_packed_list_is_refused_before_decoding() {
    // 2 M packed ints (one byte each on the wire) against a list limit of 1000.
    let g = gen_module(1, vec![1; 2_000_000]);
    let limits = Limits {
        max_list_len: 1000,
        ..Limits::default()
    };
    let pb = g.encode_to_vec();
    let start = Instant::now();
    let e = serial::read_with_limits(&pb, Format::Protobuf, "x", &limits).unwrap_err();
    assert_short_limit_error(
        &e,
        "list length (at least 2000000) exceeds the reader limit of 1000",
    );
    assert!(
        e.0[0]
            .message
            .starts_with("functions[0].body.nodes[0].attrs[0].ints.values:"),
        "{e}"
    );
    let e = serial::read_with_limits(&json_of(&g), Format::Json, "x", &limits).unwrap_err();
    assert_short_limit_error(
        &e,
        "list length (at least 1001) exceeds the reader limit of 1000",
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    // Under the limit, the list reads.
    let g = gen_module(1, vec![1; 1000]);
    for (bytes, format) in [
        (g.encode_to_vec(), Format::Protobuf),
        (json_of(&g), Format::Json),
    ] {
        let m = serial::read_with_limits(&bytes, format, "x", &limits).unwrap();
        assert_eq!(m.functions[0].body.nodes.len(), 1);
    }
}

#[test]
fn the_default_list_limit_refuses_two_mb_of_packed_ints() {
    // 20 MB of them once took 1.56 GB and gave a 60 MB message; 2 M are over the default limit.
    let g = gen_module(1, vec![1; 2_000_000]);
    let e = read_err(&g.encode_to_vec(), Format::Protobuf);
    assert_short_limit_error(
        &e,
        "list length (at least 2000000) exceeds the reader limit of 1048576",
    );
}

#[test]
fn a_list_split_into_merged_pieces_is_still_bounded() {
    // One attribute whose `ints` value comes twice, 600 elements each: prost merges them
    // into one list of 1200. The scan counts per occurrence (600, under the limit); the check
    // after decoding counts the merged list.
    let ints = |n: usize| gen::attribute::Value::Ints(gen::Ints { values: vec![1; n] });
    let mut attr_bytes = gen::Attribute {
        name: "perm".into(),
        value: Some(ints(600)),
    }
    .encode_to_vec();
    attr_bytes.extend(
        gen::Attribute {
            name: String::new(),
            value: Some(ints(600)),
        }
        .encode_to_vec(),
    );
    let attr = gen::Attribute::decode(attr_bytes.as_slice()).unwrap();
    let gen::Attribute {
        value: Some(gen::attribute::Value::Ints(gen::Ints { values })),
        ..
    } = &attr
    else {
        panic!("ints expected");
    };
    assert_eq!(values.len(), 1200, "prost merges the two occurrences");
    let mut node_bytes = vec![0x12]; // Node.attrs
    prost::encoding::encode_varint(attr_bytes.len() as u64, &mut node_bytes);
    node_bytes.extend(&attr_bytes);
    let limits = Limits {
        max_list_len: 1000,
        ..Limits::default()
    };
    let mut region_bytes = vec![0x12];
    prost::encoding::encode_varint(node_bytes.len() as u64, &mut region_bytes);
    region_bytes.extend(&node_bytes);
    let mut function_bytes = vec![0x22];
    prost::encoding::encode_varint(region_bytes.len() as u64, &mut function_bytes);
    function_bytes.extend(&region_bytes);
    let mut module_bytes = vec![0x08, 1, 0x10, 1, 0x2a];
    prost::encoding::encode_varint(function_bytes.len() as u64, &mut module_bytes);
    module_bytes.extend(&function_bytes);
    let e = serial::read_with_limits(&module_bytes, Format::Protobuf, "x", &limits).unwrap_err();
    assert_short_limit_error(&e, "list length (1200) exceeds the reader limit of 1000");
}

#[test]
fn two_million_empty_nodes_are_refused_before_decoding() {
    // 2 bytes each on the wire (3 in JSON), 176 in memory: over the default decode budget.
    let g = gen_module(2_000_000, vec![]);
    let pb = g.encode_to_vec();
    assert!(pb.len() < 4_100_000);
    let start = Instant::now();
    let e = read_err(&pb, Format::Protobuf);
    assert_short_limit_error(&e, "bytes of memory");
    assert!(
        e.0[0].message.starts_with("functions[0].body.nodes:"),
        "{e}"
    );
    let json = json_of(&g);
    let e = read_err(&json, Format::Json);
    assert_short_limit_error(&e, "bytes of memory");
    assert!(start.elapsed() < Duration::from_secs(10));
    // The node limit applies before decoding too.
    let limits = Limits {
        max_nodes: 10,
        ..Limits::default()
    };
    let small = gen_module(11, vec![]);
    for (bytes, format) in [
        (small.encode_to_vec(), Format::Protobuf),
        (json_of(&small), Format::Json),
    ] {
        let e = serial::read_with_limits(&bytes, format, "x", &limits).unwrap_err();
        assert_short_limit_error(
            &e,
            "node count (at least 11) exceeds the reader limit of 10",
        );
    }
}

#[test]
fn the_decode_budget_grows_with_the_input() {
    let d = Limits::default();
    assert_eq!(air_ir::pb::decode_budget(0, &d), d.decode_allowance);
    assert_eq!(
        air_ir::pb::decode_budget(1000, &d),
        d.decode_allowance + 1000 * d.max_expansion as u64
    );
    // An ordinary module is far inside it: the rich module reads with no allowance at all.
    let m = rich_module();
    let tight = Limits {
        decode_allowance: 0,
        ..d
    };
    for format in [Format::Protobuf, Format::Json] {
        let bytes = serial::write(&m, format);
        assert_eq!(
            serial::read_with_limits(&bytes, format, "x", &tight).unwrap(),
            m
        );
    }
}

#[test]
fn huge_names_and_lists_are_quoted_as_excerpts() {
    // A 1 MB op name: the message quotes 80 characters of it.
    let mut g = gen_module(1, vec![]);
    g.functions[0].body.as_mut().unwrap().nodes[0].op = "x".repeat(1 << 20);
    let e = read_err(&g.encode_to_vec(), Format::Protobuf);
    assert!(
        e.0[0].message.len() < 1024,
        "{} bytes",
        e.0[0].message.len()
    );
    assert!(e.0[0].op.as_ref().is_some_and(|op| op.len() < 1024));
}

#[test]
fn a_skipped_group_does_not_hide_what_follows() {
    // An unknown field 15 as a group (start tag 0x7b, a varint inside, end tag 0x7c), which
    // prost skips, then a body of two million empty nodes: still refused before decoding.
    let g = gen_module(2_000_000, vec![]);
    let mut bytes = vec![0x7b, 0x08, 0x01, 0x7c];
    bytes.extend(g.encode_to_vec());
    assert!(
        gen::Module::decode(&bytes[..4]).is_ok(),
        "prost skips the group"
    );
    let e = read_err(&bytes, Format::Protobuf);
    assert_short_limit_error(&e, "bytes of memory");
}
