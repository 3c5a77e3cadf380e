//! The `.air` text form: every construct parses to the expected IR, prints canonically, and
//! print∘parse is a fixed point; errors carry the right code and `line:col`.

use std::time::{Duration, Instant};

use air_ir::module::{Intent, Location, NodeId, Value};
use air_ir::op::{ArgKind, AttrValue, Bound, Op, ReduceKind, SliceAxis};
use air_ir::text::{node_summary, parse, parse_with_source_map, print, SourceMap};
use air_ir::{Code, DType, Diagnostic, Dim, Module};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_ok(src: &str) -> Module {
    parse(src, "t.air").unwrap_or_else(|e| panic!("parse failed:\n{e}\n--- source:\n{src}"))
}

/// Parses canonical text, checks it prints back unchanged, and returns the module.
fn canonical(src: &str) -> Module {
    let m = parse_ok(src);
    assert_eq!(
        print(&m),
        src,
        "printing did not give the canonical input back"
    );
    m
}

fn parse_err(src: &str) -> Vec<Diagnostic> {
    match parse(src, "t.air") {
        Ok(m) => panic!("expected an error, parsed:\n{}", print(&m)),
        Err(e) => e.0,
    }
}

/// The first diagnostic has this code at this position.
fn assert_err(src: &str, code: Code, line: u32, col: u32) -> Diagnostic {
    let d = parse_err(src).remove(0);
    let want = Location::File {
        file: "t.air".into(),
        line,
        col,
    };
    assert_eq!((d.code, d.loc.clone()), (code, Some(want)), "{d}");
    d
}

fn dim(s: &str) -> Dim {
    air_ir::dim::parse_dim(s).unwrap()
}

fn node<'a>(m: &'a Module, func: &str, name: &str) -> &'a air_ir::Node {
    let f = m.function(func).unwrap();
    f.body
        .nodes
        .iter()
        .find(|n| n.name.as_deref() == Some(name))
        .unwrap()
}

#[test]
fn canonical_files_are_fixed_points() {
    for f in ["kinds.air", "literals.air", "loops.air"] {
        let src = data(f);
        let m = canonical(&src);
        assert_eq!(print(&parse_ok(&print(&m))), src, "{f}");
    }
}

#[test]
fn header_producer_meta_and_signatures() {
    let m = canonical(&data("kinds.air"));
    assert_eq!((m.ir_version, m.opset_version), (1, 1));
    assert_eq!(m.producer, "air-test 0.1.0");
    assert_eq!(
        m.metadata[0],
        ("source".into(), "hand \"written\"\n".into())
    );
    let h = m.function("helper").unwrap();
    assert_eq!(
        h.loc,
        Some(Location::File {
            file: "helper.py".into(),
            line: 3,
            col: 1
        })
    );
    assert_eq!(h.results[0].name, None);
    assert_eq!(h.body.nodes[0].name, None, "`%0` is an anonymous node");
    assert_eq!(h.body.results, vec![Value::of(NodeId(0))]);
    let k = m.function("kinds").unwrap();
    let intents: Vec<Intent> = k.params.iter().map(|p| p.intent).collect();
    assert_eq!(
        intents,
        [
            Intent::In,
            Intent::In,
            Intent::In,
            Intent::Out,
            Intent::InOut
        ]
    );
    assert_eq!(k.params[0].ty.shape, vec![dim("n"), dim("m")]);
    assert_eq!(
        k.body.params.len(),
        5,
        "the body's parameters mirror the signature"
    );
    assert_eq!(k.results[1].name.as_deref(), Some("k"));
    // return %w, %p#1, %y, %acc
    let p = k
        .body
        .nodes
        .iter()
        .position(|n| n.name.as_deref() == Some("p"))
        .unwrap();
    assert_eq!(
        k.body.results[1],
        Value::Result {
            node: NodeId(p as u32),
            index: 1
        }
    );
    assert_eq!(k.body.results[3], Value::Param(4));
}

#[test]
fn attribute_kinds_reach_the_typed_ops() {
    let m = parse_ok(&data("kinds.air"));
    let op = |n: &str| node(&m, "kinds", n).op.clone();
    assert_eq!(
        op("y"),
        Op::Einsum {
            spec: "ij,j->i".into()
        }
    );
    assert_eq!(
        op("s"),
        Op::Reduce {
            kind: ReduceKind::Sum,
            axes: vec![0, 1],
            keepdims: true
        }
    );
    assert_eq!(
        op("s2"),
        Op::Reduce {
            kind: ReduceKind::Max,
            axes: vec![],
            keepdims: false
        }
    );
    assert_eq!(
        op("am"),
        Op::ArgReduce {
            kind: ArgKind::Argmax,
            axis: 1,
            keepdims: true
        }
    );
    assert_eq!(
        op("srt"),
        Op::Sort {
            axis: 0,
            descending: true
        }
    );
    assert_eq!(op("cf"), Op::Cast { dtype: DType::F32 });
    assert_eq!(
        op("io"),
        Op::Iota {
            dtype: DType::I64,
            shape: vec![dim("n")],
            axis: 0
        }
    );
    assert_eq!(
        op("r"),
        Op::Reshape {
            shape: vec![dim("n*m")]
        }
    );
    assert_eq!(
        op("b"),
        Op::Broadcast {
            shape: vec![dim("n"), dim("m")],
            dims: vec![1]
        }
    );
    assert_eq!(
        op("c"),
        Op::Call {
            callee: "helper".into()
        }
    );
    let Op::Full { value, shape } = op("f") else {
        panic!()
    };
    assert_eq!(
        (value.dtype, value.data),
        (DType::F32, 0.5f32.to_le_bytes().to_vec())
    );
    assert_eq!(shape, vec![dim("n"), dim("2*m-1")]);
    let ax = |start, stop, step| SliceAxis { start, stop, step };
    assert_eq!(
        op("sl"),
        Op::Slice {
            axes: vec![
                ax(Bound::Operand(1), Bound::Operand(2), 1),
                ax(Bound::Default, Bound::Default, 2)
            ]
        }
    );
    assert_eq!(
        op("sl2"),
        Op::Slice {
            axes: vec![
                ax(Bound::Const(1), Bound::Default, 1),
                ax(Bound::Const(-1), Bound::Default, -1)
            ]
        }
    );
    assert_eq!(
        node(&m, "kinds", "sl").operands,
        vec![Value::Param(0), Value::Param(2), Value::Param(2)]
    );
}

#[test]
fn custom_ops_keep_their_own_attributes() {
    let m = parse_ok(&data("kinds.air"));
    let z = node(&m, "kinds", "z");
    assert!(z.results.is_empty(), "`%z:0` has no results");
    let Op::Custom(c) = &z.op else {
        panic!("{:?}", z.op)
    };
    assert_eq!((c.domain.as_str(), c.name.as_str()), ("lib", "log"));
    assert_eq!(c.decomposition.as_deref(), Some("helper"));
    let get = |k: &str| {
        c.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(get("alpha"), AttrValue::Float(1.5));
    assert_eq!(
        get("betas"),
        AttrValue::Floats(vec![0.5, f64::NEG_INFINITY, 1e-7])
    );
    assert_eq!(get("tags"), AttrValue::Strs(vec!["a".into(), "b".into()]));
    assert_eq!(get("flag"), AttrValue::Bool(false));
    assert_eq!(get("k"), AttrValue::Int(-3));
    assert_eq!(get("dt"), AttrValue::DType(DType::BF16));
    assert_eq!(
        get("shape"),
        AttrValue::Shape(vec![dim("n"), dim("m+1"), dim("4")])
    );
    assert_eq!(get("ints"), AttrValue::Ints(vec![1, 2]));
    assert_eq!(get("f"), AttrValue::Func("helper".into()));
    assert_eq!(get("none"), AttrValue::Ints(vec![]));
    let AttrValue::Literal(l) = get("lit") else {
        panic!()
    };
    assert_eq!(
        l.data,
        [1.0f64.to_le_bytes(), (-2.0f64).to_le_bytes()].concat()
    );
    let AttrValue::Slices(s) = get("idx") else {
        panic!()
    };
    assert_eq!(s.len(), 5);
    assert_eq!(s[2], SliceAxis::full());
    let names: Vec<&str> = c.attrs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names[0], "alpha", "attributes keep their written order");
    let p = node(&m, "kinds", "p");
    assert_eq!(p.results.len(), 2);
}

fn literal_data(m: &Module, i: usize) -> (DType, Vec<u64>, Vec<u8>) {
    let Op::Constant(l) = &m.functions[0].body.nodes[i].op else {
        panic!()
    };
    (l.dtype, l.shape.clone(), l.data.clone())
}

#[test]
fn literals_of_every_dtype() {
    let m = parse_ok(&data("literals.air"));
    assert_eq!(literal_data(&m, 0), (DType::Bool, vec![2], vec![1, 0]));
    assert_eq!(literal_data(&m, 1).2, vec![0x80, 0, 0x7f]);
    assert_eq!(literal_data(&m, 2).2, (-32768i16).to_le_bytes());
    assert_eq!(
        literal_data(&m, 4).2,
        [i64::MIN.to_le_bytes(), i64::MAX.to_le_bytes()].concat()
    );
    assert_eq!(literal_data(&m, 6), (DType::U16, vec![], vec![0xff, 0xff]));
    assert_eq!(literal_data(&m, 8).2, u64::MAX.to_le_bytes());
    let f16s: Vec<u8> = [0.5, -0.0, 65504.0]
        .iter()
        .flat_map(|&v| half::f16::from_f64(v).to_le_bytes())
        .collect();
    assert_eq!(literal_data(&m, 9).2, f16s);
    let bf: Vec<u8> = [1.0, f64::INFINITY]
        .iter()
        .flat_map(|&v| half::bf16::from_f64(v).to_le_bytes())
        .collect();
    assert_eq!(literal_data(&m, 10).2, bf);
    let f32s: Vec<u8> = [0.1f32, 1e-7, f32::NEG_INFINITY]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    assert_eq!(literal_data(&m, 11).2, f32s);
    let f64s = literal_data(&m, 12).2;
    assert_eq!(f64s[16..24], 1e-7f64.to_le_bytes());
    assert!(f64::from_le_bytes(f64s[24..32].try_into().unwrap()).is_nan());
    assert_eq!(
        literal_data(&m, 13).2,
        [0.1f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat()
    );
    assert_eq!(literal_data(&m, 15), (DType::F64, vec![0], vec![]));
    assert_eq!(literal_data(&m, 16), (DType::F64, vec![2, 0], vec![]));
    assert_eq!(
        literal_data(&m, 17).2,
        [0.0f64.to_le_bytes(), 1e300f64.to_le_bytes()].concat()
    );
}

#[test]
fn regions_nest_and_locations_are_kept() {
    let (m, map) = parse_with_source_map(&data("loops.air"), "loops.air").unwrap();
    let f = &m.functions[0];
    let r = &f.body.nodes[4];
    assert_eq!(r.results.len(), 2);
    assert_eq!(
        r.loc,
        Some(Location::File {
            file: "loops.py".into(),
            line: 12,
            col: 5
        })
    );
    let Op::For { body } = &r.op else { panic!() };
    assert_eq!(body.params.len(), 4);
    assert_eq!(
        body.results,
        vec![Value::of(NodeId(3)), Value::of(NodeId(4))]
    );
    let Op::If {
        then_branch,
        else_branch,
    } = &body.nodes[2].op
    else {
        panic!()
    };
    assert_eq!(body.nodes[2].loc, Some(Location::Foreign("if node".into())));
    assert_eq!(
        then_branch.nodes[0].loc,
        Some(Location::File {
            file: "inner.py".into(),
            line: 7,
            col: 9
        })
    );
    assert_eq!(
        then_branch.nodes[0].operands,
        vec![Value::Param(0), Value::Param(1)]
    );
    assert_eq!(else_branch.nodes[0].operands, vec![Value::Param(1)]);
    // `%s = select (%c, %r#0, %s0)` after the loop.
    assert_eq!(
        f.body.nodes[5].operands,
        vec![Value::Param(1), Value::of(NodeId(4)), Value::of(NodeId(3))]
    );
    check_source_map(&map);
    // Positions are never turned into node locations.
    assert_eq!(f.body.nodes[0].loc, None);
}

fn check_source_map(map: &SourceMap) {
    let at = |path: &[u32]| {
        let ids: Vec<NodeId> = path.iter().map(|&i| NodeId(i)).collect();
        map.nodes.get(&("loops".to_string(), ids)).copied()
    };
    assert_eq!(map.file, "loops.air");
    assert_eq!(map.functions.get("loops"), Some(&(3, 1)));
    assert_eq!(at(&[0]), Some((4, 3)));
    assert_eq!(at(&[4]), Some((8, 3)));
    assert_eq!(at(&[4, 0]), Some((10, 5)));
    assert_eq!(
        at(&[4, 2, 0]),
        Some((14, 7)),
        "a path shared by both branches maps to the then branch"
    );
    let exact = |b: Vec<u32>| {
        map.exact
            .get(&(
                "loops".to_string(),
                vec![NodeId(4), NodeId(2), NodeId(0)],
                b,
            ))
            .copied()
    };
    assert_eq!(exact(vec![0, 0]), Some((14, 7)));
    assert_eq!(exact(vec![0, 1]), Some((18, 7)));
    assert_eq!(at(&[5]), Some((25, 3)));
    let loc = map.node_loc("loops", &[NodeId(5)]);
    assert_eq!(
        loc,
        Some(Location::File {
            file: "loops.air".into(),
            line: 25,
            col: 3
        })
    );
}

#[test]
fn free_form_input_prints_canonically() {
    let src = r#"// a comment before the header
air 1 opset 1   // trailing comment
producer ""
func @f(%x: f64[], %i: i64) -> (f64) {  // `f64[]` is a scalar
  %07 = constant {value = f64[] [1]} () : (f64)
  %s = slice {axes = [1:3:1, ::, 2::1]} (%x, %i) : f64[k]
  %r = reduce_sum {keepdims = false, axes = [0]} (%x) : f64
  %c = constant {value = f32[2] [1e-07, 2]} () : f32[2]
  %z = custom {name = "a", domain = "d", v = [1, 2.5], e = [-3]} (%07) : f64
  %w = add(%07,%r):f64
  return %w
}
"#;
    let want = r#"air 1 opset 1

func @f(%x: f64, %i: i64) -> (f64) {
  %0 = constant {value = f64 1.0} () : f64
  %s = slice {axes = [1:3, :, 2:]} (%x, %i) : f64[k]
  %r = reduce_sum {axes = [0]} (%x) : f64
  %c = constant {value = f32[2] [1e-7, 2.0]} () : f32[2]
  %z = custom {domain = "d", name = "a", v = [1.0, 2.5], e = [-3]} (%0) : f64
  %w = add (%0, %r) : f64
  return %w
}
"#;
    let m = parse_ok(src);
    assert_eq!(print(&m), want);
    canonical(want);
}

#[test]
fn clashing_node_names_fall_back_to_the_index_and_others_are_quoted() {
    let mut m = parse_ok(&data("loops.air"));
    let body = &mut m.functions[0].body;
    body.nodes[0].name = Some("x".into()); // clashes with the parameter %x
    body.nodes[1].name = Some("9lives".into()); // not an identifier: quoted
    body.nodes[2].name = Some("lo".into()); // first use of `lo` after renaming node 0
    body.nodes[3].name = Some("lo".into()); // clashes with node 2
    let text = print(&m);
    assert!(text.contains("  %0 = constant {value = i64 0}"), "{text}");
    assert!(
        text.contains("  %\"9lives\" = constant {value = i64 6}"),
        "{text}"
    );
    assert!(text.contains("  %lo = constant {value = i64 1}"), "{text}");
    assert!(text.contains("  %3 = constant {value = f64 0.0}"), "{text}");
    assert!(
        text.contains("for (%0, %\"9lives\", %lo, %3, %0, %x)"),
        "{text}"
    );
    let again = parse_ok(&text);
    assert_eq!(print(&again), text);
    assert_eq!(again.functions[0].body.nodes[0].name, None);
    assert_eq!(
        again.functions[0].body.nodes[1].name.as_deref(),
        Some("9lives")
    );
}

#[test]
fn node_summary_is_one_line_with_names() {
    let m = parse_ok(&data("kinds.air"));
    let k = &m.functions[1].body;
    assert_eq!(
        node_summary(k, NodeId(0)),
        r#"%y = einsum {spec = "ij,j->i"} (%A, %v) : f64[n]"#
    );
    let l = parse_ok(&data("loops.air"));
    let s = node_summary(&l.functions[0].body, NodeId(4));
    assert_eq!(s, "%r:2 = for (%lo, %hi, %one, %s0, %lo, %x) : (f64, i64)");
    assert_eq!(
        node_summary(&l.functions[0].body, NodeId(5)),
        "%s = select (%c, %r#0, %s0) : f64"
    );
    assert_eq!(
        node_summary(&l.functions[0].body, NodeId(99)),
        "%99 = <no such node>"
    );
}

/// `node_summary` names only what it prints, but must name it as `print` does: every node line of
/// a printed function, hostile and repeated names included, is its summary.
#[test]
fn node_summary_agrees_with_print_on_every_node() {
    let text = r#"air 1 opset 1
func @"f g"(%"a b": f64[n], %x: f64[n]) -> (%r: f64[n]) {
  %n0 = neg (%x) : f64[n]
  %"y\n" = add (%"a b", %n0) : f64[n]
  %n2 = exp (%"y\n") : f64[n]
  %3 = mul (%n2, %x) : f64[n]
  %"7" = sin (%3) : f64[n]
  %z = cos (%"7") : f64[n]
  return %z
}
"#;
    let mut m = parse_ok(text);
    // Names the text cannot give: one a parameter has, one an earlier node has.
    m.functions[0].body.nodes[0].name = Some("a b".into());
    m.functions[0].body.nodes[2].name = Some("y\n".into());
    let printed = print(&m);
    let body = &m.functions[0].body;
    let lines: Vec<&str> = printed
        .lines()
        .filter(|l| l.starts_with("  %"))
        .map(str::trim)
        .collect();
    assert_eq!(lines.len(), body.nodes.len(), "{printed}");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(node_summary(body, NodeId(i as u32)), *line, "{printed}");
    }
}

// ---- errors ----

const HEAD: &str = "air 1 opset 1\n";

fn in_func(body: &str) -> String {
    format!("{HEAD}func @f(%x: f64) -> (f64) {{\n{body}}}\n")
}

#[test]
fn unterminated_string() {
    assert_err("air 1 opset 1\nproducer \"abc\n", Code::Syntax, 2, 10);
}

#[test]
fn unknown_op() {
    let d = assert_err(
        &in_func("  %y = frobnicate (%x) : f64\n  return %y\n"),
        Code::UnknownOp,
        3,
        8,
    );
    assert_eq!(d.function.as_deref(), Some("f"));
    assert_eq!(d.node_path, vec![NodeId(0)]);
    // Inside a region the path goes through the enclosing node.
    let body = "  %a = neg (%x) : f64\n  %y = for (%x) : f64 {\n    (%v: f64):\n    %z = frob (%v) : f64\n    yield %z\n  }\n  return %y\n";
    let d = assert_err(&in_func(body), Code::UnknownOp, 6, 10);
    assert_eq!(d.node_path, vec![NodeId(1), NodeId(0)]);
}

#[test]
fn unknown_attribute() {
    let src = in_func("  %y = exp {bogus = 1} (%x) : f64\n  return %y\n");
    let d = assert_err(&src, Code::BadAttribute, 3, 13);
    assert!(d.message.contains("bogus"), "{d}");
    // A missing attribute is reported at the op.
    assert_err(
        &in_func("  %y = cast (%x) : f32\n  return %y\n"),
        Code::BadAttribute,
        3,
        8,
    );
    // A `for` without its region.
    assert_err(
        &in_func("  %y = for (%x) : f64\n  return %y\n"),
        Code::BadAttribute,
        3,
        8,
    );
}

#[test]
fn undefined_values_are_all_reported() {
    let errs = parse_err(&in_func(
        "  %y = add (%z, %x) : f64\n  %w = add (%y, %q) : f64\n  return %v\n",
    ));
    let got: Vec<(Code, String)> = errs
        .iter()
        .map(|d| (d.code, d.loc.as_ref().unwrap().to_string()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Code::UndefinedValue, "t.air:3:13".into()),
            (Code::UndefinedValue, "t.air:4:17".into()),
            (Code::UndefinedValue, "t.air:5:10".into()),
        ]
    );
    // Regions are isolated: the outer %x is not visible inside.
    let src = in_func("  %y = if (%x) : f64 {\n    ():\n    yield %x\n  } {\n    ():\n    yield %x\n  }\n  return %y\n");
    assert_err(&src, Code::UndefinedValue, 5, 11);
    // A node cannot use itself.
    assert_err(
        &in_func("  %y = neg (%y) : f64\n  return %y\n"),
        Code::UndefinedValue,
        3,
        13,
    );
}

#[test]
fn duplicate_names() {
    assert_err(
        &in_func("  %y = neg (%x) : f64\n  %y = abs (%x) : f64\n  return %y\n"),
        Code::DuplicateName,
        4,
        3,
    );
    assert_err(
        &in_func("  %x = neg (%x) : f64\n  return %x\n"),
        Code::DuplicateName,
        3,
        3,
    );
    assert_err(
        &format!("{HEAD}func @f(%a: f64, %a: f64) -> () {{\n  return\n}}\n"),
        Code::DuplicateName,
        2,
        18,
    );
    assert_err(
        &in_func("  %3 = neg (%x) : f64\n  %3 = abs (%x) : f64\n  return %3\n"),
        Code::DuplicateName,
        4,
        3,
    );
}

#[test]
fn result_picks_are_checked() {
    let src =
        in_func("  %p:2 = custom {domain = \"d\", name = \"n\"} (%x) : (f64, f64)\n  return %p\n");
    assert_err(&src, Code::BadResultIndex, 4, 10);
    let src = in_func(
        "  %p:2 = custom {domain = \"d\", name = \"n\"} (%x) : (f64, f64)\n  return %p#2\n",
    );
    assert_err(&src, Code::BadResultIndex, 4, 10);
    assert_err(
        &in_func("  %p:2 = neg (%x) : f64\n  return %p#0\n"),
        Code::Syntax,
        3,
        21,
    );
    assert_err(
        &in_func("  %p:1 = neg (%x) : f64\n  return %p\n"),
        Code::Syntax,
        3,
        6,
    );
}

#[test]
fn bad_dtype() {
    assert_err(
        &format!("{HEAD}func @f(%x: f65) -> () {{\n  return\n}}\n"),
        Code::Syntax,
        2,
        13,
    );
    assert_err(
        &in_func("  %y = cast {dtype = float64} (%x) : f32\n  return %y\n"),
        Code::Syntax,
        3,
        22,
    );
}

#[test]
fn bad_dim_expression() {
    let d = assert_err(
        &format!("{HEAD}func @f(%x: f64[n+]) -> () {{\n  return\n}}\n"),
        Code::BadDim,
        2,
        19,
    );
    assert!(d.message.contains("n +"), "{d}");
    assert_err(
        &format!("{HEAD}func @f(%x: f64[n m]) -> () {{\n  return\n}}\n"),
        Code::BadDim,
        2,
        19,
    );
    assert_err(
        &format!("{HEAD}func @f(%x: f64[99999999999999999999]) -> () {{\n  return\n}}\n"),
        Code::BadDim,
        2,
        17,
    );
    let nested = |k: usize| {
        let d = format!("{}n{}", "(".repeat(k), ")".repeat(k));
        format!("{HEAD}func @f(%x: f64[{d}]) -> () {{\n  return\n}}\n")
    };
    assert_eq!(
        parse_ok(&nested(60)).functions[0].params[0].ty.shape,
        vec![dim("n")]
    );
    // Longer than 128 tokens: refused at the start of the dim, before any expansion.
    assert_err(&nested(70), Code::LimitExceeded, 2, 17);
    let sum = "(a+b+c+d+e+f+g+h)";
    let product = vec![sum; 30].join("*");
    let t = Instant::now();
    let src = format!("{HEAD}func @f(%x: f64[{product}]) -> () {{\n  return\n}}\n");
    assert_err(&src, Code::LimitExceeded, 2, 17);
    assert!(t.elapsed() < Duration::from_secs(1));
}

#[test]
fn literal_element_count_and_range() {
    let lit = |v: &str| {
        in_func(&format!(
            "  %c = constant {{value = {v}}} () : f64\n  return %c\n"
        ))
    };
    // `  %c = constant {value = ` is 25 characters.
    assert_err(&lit("f64[2] [1.0]"), Code::BadLiteral, 3, 37);
    assert_err(&lit("f64[2] [1.0, 2.0, 3.0]"), Code::BadLiteral, 3, 44);
    assert_err(&lit("i8[1] [128]"), Code::BadLiteral, 3, 33);
    assert_err(&lit("u8 -1"), Code::BadLiteral, 3, 29);
    assert_err(
        &lit("i64 99999999999999999999999999999999999999999999"),
        Code::BadLiteral,
        3,
        30,
    );
    assert_err(&lit("i64 1.5"), Code::BadLiteral, 3, 30);
    assert_err(&lit("bool 1"), Code::BadLiteral, 3, 31);
    assert_err(&lit("c64 1.0"), Code::BadLiteral, 3, 30);
    assert_err(&lit("f64[n] [1.0]"), Code::BadLiteral, 3, 30);
    assert_err(
        &in_func("  %y = exp {k = 9223372036854775808} (%x) : f64\n  return %y\n"),
        Code::BadAttribute,
        3,
        17,
    );
}

#[test]
fn huge_literal_is_refused_before_allocating() {
    let t = Instant::now();
    let src = in_func("  %c = constant {value = f64[1000000000000] [1.0]} () : f64\n  return %c\n");
    let d = assert_err(&src, Code::LimitExceeded, 3, 26);
    assert!(d.message.contains("limit"), "{d}");
    let src = in_func("  %c = constant {value = u8[4294967296, 4294967296, 4294967296] []} () : f64\n  return %c\n");
    assert_err(&src, Code::LimitExceeded, 3, 26);
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[test]
fn deep_region_nesting_is_refused() {
    let n = 100_000;
    let mut src = format!("{HEAD}func @f(%x: f64) -> (f64) {{\n");
    for _ in 0..n {
        src.push_str("%y = for (%x) : f64 { (%x: f64):\n");
    }
    let t = Instant::now();
    // The first loop is on line 3, so the `{` one level past the limit is on line limit + 3.
    let limit = air_ir::limits::Limits::default().max_region_depth;
    let d = assert_err(&src, Code::LimitExceeded, limit as u32 + 3, 21);
    assert!(d.message.contains(&limit.to_string()), "{d}");
    assert!(t.elapsed() < Duration::from_secs(5));
    // `limit` levels are accepted.
    let mut ok = format!("{HEAD}func @f(%x: f64) -> (f64) {{\n");
    for _ in 0..limit {
        ok.push_str("%y = for (%x) : f64 { (%x: f64):\n");
    }
    ok.push_str("yield %x\n");
    for _ in 0..limit - 1 {
        ok.push_str("}\nyield %y\n");
    }
    ok.push_str("}\nreturn %y\n}\n");
    let m = parse_ok(&ok);
    assert_eq!(print(&parse_ok(&print(&m))), print(&m));
}

#[test]
fn version_checks() {
    let d = assert_err("air 2 opset 1\n", Code::UnsupportedVersion, 1, 5);
    assert!(d.message.contains("accepts ir_version 1 to 1"), "{d}");
    let d = assert_err("air 1 opset 7\n", Code::UnsupportedVersion, 1, 13);
    assert!(d.message.contains("accepts opset version 1 to 2"), "{d}");
    assert_err("air 0 opset 1\n", Code::UnsupportedVersion, 1, 5);
    assert_err(
        "air 99999999999999999999999 opset 1\n",
        Code::UnsupportedVersion,
        1,
        5,
    );
    assert_err("  opset 1\n", Code::Syntax, 1, 3);
}

#[test]
fn empty_and_garbage_input() {
    assert_err("", Code::Syntax, 1, 1);
    assert_err("  // only a comment\n\n", Code::Syntax, 3, 1);
    assert_err("air 1 opset 1\nfunc @f(", Code::Syntax, 2, 9);
    assert_err("air 1 opset 1\n\u{1F600}", Code::Syntax, 2, 1);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in [1, 7, 100, 4096] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let src = String::from_utf8_lossy(&bytes);
        let errs = parse_err(&src);
        assert!(errs
            .iter()
            .all(|d| matches!(d.loc, Some(Location::File { .. }))));
        let with_head = format!("{HEAD}{src}");
        let _ = parse(&with_head, "t.air");
    }
}

#[test]
fn syntax_error_positions() {
    assert_err(
        &in_func("  %y = neg (%x) f64\n  return %y\n"),
        Code::Syntax,
        3,
        17,
    );
    assert_err(&in_func("  %y = neg (%x) : f64\n"), Code::Syntax, 4, 1);
    assert_err(
        &in_func("  %y = neg (%x) : (f64, f64)\n  return %y\n"),
        Code::Syntax,
        3,
        19,
    );
    assert_err(
        &format!("{HEAD}func @f(%1: f64) -> () {{\n  return\n}}\n"),
        Code::Syntax,
        2,
        9,
    );
    assert_err(
        &in_func("  %y = neg (%x) : f64 loc(\"a\":1)\n  return %y\n"),
        Code::Syntax,
        3,
        32,
    );
    assert_err(
        &in_func("  %y = slice {axes = [n:]} (%x) : f64\n  return %y\n"),
        Code::Syntax,
        3,
        24,
    );
    assert_err(
        &in_func("  %y = neg {a = [1, \"s\"]} (%x) : f64\n  return %y\n"),
        Code::BadAttribute,
        3,
        21,
    );
}

#[test]
fn limits_are_configurable() {
    let limits = air_ir::limits::Limits {
        max_nodes: 1,
        ..Default::default()
    };
    let src = in_func("  %y = neg (%x) : f64\n  %z = neg (%y) : f64\n  return %z\n");
    let e = air_ir::text::parse_with_limits(&src, "t.air", &limits).unwrap_err();
    assert_eq!(e.0[0].code, Code::LimitExceeded);
    let limits = air_ir::limits::Limits {
        max_input_bytes: 4,
        ..Default::default()
    };
    let e = air_ir::text::parse_with_limits(HEAD, "t.air", &limits).unwrap_err();
    assert_eq!(e.0[0].code, Code::LimitExceeded);
    let limits = air_ir::limits::Limits {
        max_list_len: 2,
        ..Default::default()
    };
    let src = in_func("  %y = neg {a = [1, 2, 3]} (%x) : f64\n  return %y\n");
    let e = air_ir::text::parse_with_limits(&src, "t.air", &limits).unwrap_err();
    assert_eq!(e.0[0].code, Code::LimitExceeded);
    assert_eq!(e.0[0].loc.as_ref().unwrap().to_string(), "t.air:3:24");
    let ranks = format!(
        "{HEAD}func @f(%x: f64[{}]) -> () {{\n  return\n}}\n",
        vec!["1"; 33].join(", ")
    );
    assert_err(&ranks, Code::LimitExceeded, 2, 13);
}
