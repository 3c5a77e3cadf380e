//! Hostile and unsupported input: the reader never panics, bounds what it reads, and lists every
//! unknown or unsupported op at once with its node; the exporter lists every construct PyTensor
//! cannot express.

use air_pytensor::{import, Error, Limits, Options, ProblemKind};

fn var(id: &str, kind: &str, dtype: &str, shape: &str, extra: &str) -> String {
    format!(
        r#"{{"id":"{id}","kind":"{kind}","name":"{id}","type":{{"class":"TensorType","dtype":"{dtype}","shape":{shape}}}{extra}}}"#
    )
}

fn elemwise(id: usize, scalar: &str, module: &str, ins: &str, outs: &str) -> String {
    format!(
        r#"{{"id":{id},"op":{{"class":"Elemwise","module":"pytensor.tensor.elemwise","str":"{scalar}","props":{{"scalar_op":{{"op":{{"class":"{scalar}","module":"{module}","str":"","name":null}}}},"inplace_pattern":{{"dict":[]}}}}}},"inputs":{ins},"outputs":{outs}}}"#
    )
}

fn doc(vars: &[String], nodes: &[String], outputs: &str) -> String {
    format!(
        r#"{{"format":"pytensor-fgraph-json/1","inputs":["x"],"outputs":{outputs},"variables":[{}],"nodes":[{}]}}"#,
        vars.join(","),
        nodes.join(",")
    )
}

fn out(id: &str, node: usize) -> String {
    var(
        id,
        "node_output",
        "float64",
        "[null]",
        &format!(r#","node":{node},"index":0"#),
    )
}

#[test]
fn every_unknown_or_unsupported_op_is_listed_with_its_node() {
    let vars = [
        var("x", "input", "float64", "[null]", ""),
        out("a", 0),
        out("b", 1),
        out("c", 2),
        out("d", 3),
    ];
    let nodes = [
        elemwise(0, "Deg2Rad", "pytensor.scalar.basic", r#"["x"]"#, r#"["a"]"#),
        elemwise(1, "Frobnicate", "mylib.scalar", r#"["a"]"#, r#"["b"]"#),
        r#"{"id":2,"op":{"class":"MyOp","module":"mylib.ops","str":"MyOp","props":{}},"inputs":["b"],"outputs":["c"]}"#.to_string(),
        r#"{"id":3,"op":{"class":"ArgSortOp","module":"pytensor.tensor.sort","str":"","props":{}},"inputs":["c"],"outputs":["d"]}"#.to_string(),
    ];
    let e = import(&doc(&vars, &nodes, r#"["d"]"#), &Options::default()).unwrap_err();
    let Error::Import(problems) = &e else {
        panic!("{e}")
    };
    let listed: Vec<(ProblemKind, String)> =
        problems.iter().map(|p| (p.kind, p.to_string())).collect();
    assert_eq!(listed.len(), 4, "{e}");
    assert!(
        listed[0].1.contains("Deg2Rad") && listed[0].1.contains("node 0"),
        "{e}"
    );
    assert_eq!(listed[1].0, ProblemKind::UnknownOp);
    assert!(
        listed[1].1.contains("mylib.scalar.Frobnicate") && listed[1].1.contains("node 1"),
        "{e}"
    );
    assert!(
        listed[2].1.contains("mylib.ops.MyOp") && listed[2].1.contains("node 2"),
        "{e}"
    );
    assert!(
        listed[3].1.contains("AIR has no argsort") && listed[3].1.contains("node 3"),
        "{e}"
    );
    // As diagnostics, each is located at its node.
    let d = e.to_diagnostics("m.pytensor.json");
    assert_eq!(d.0.len(), 4);
    assert!(d.0[2]
        .loc
        .as_ref()
        .unwrap()
        .to_string()
        .contains("m.pytensor.json: pytensor node 2 (MyOp)"));
}

#[test]
fn malformed_documents_are_errors_not_panics() {
    let ok_var = var("x", "input", "float64", "[null]", "");
    let cases = [
        String::new(),
        "{".to_string(),
        "[]".to_string(),
        r#"{"format":"other","inputs":[],"outputs":[],"variables":[],"nodes":[]}"#.to_string(),
        doc(std::slice::from_ref(&ok_var), &[], r#"["nope"]"#),
        doc(&[ok_var.clone(), ok_var.clone()], &[], r#"["x"]"#),
        doc(
            &[var("x", "input", "float128", "[null]", "")],
            &[],
            r#"["x"]"#,
        ),
        doc(&[ok_var.clone(), out("y", 7)], &[], r#"["y"]"#),
        doc(
            &[ok_var.clone(), out("a", 0), out("b", 1)],
            &[
                elemwise(0, "Exp", "pytensor.scalar.basic", r#"["b"]"#, r#"["a"]"#),
                elemwise(1, "Exp", "pytensor.scalar.basic", r#"["a"]"#, r#"["b"]"#),
            ],
            r#"["b"]"#,
        ),
        doc(
            &[
                ok_var.clone(),
                var(
                    "c",
                    "constant",
                    "int8",
                    "[]",
                    r#","value":{"dtype":"int8","shape":[],"data":[300]}"#,
                ),
            ],
            &[],
            r#"["c"]"#,
        ),
        doc(
            &[
                ok_var,
                var(
                    "c",
                    "constant",
                    "float64",
                    "[2]",
                    r#","value":{"dtype":"float64","shape":[2],"data":[1.0]}"#,
                ),
            ],
            &[],
            r#"["c"]"#,
        ),
    ];
    for (k, text) in cases.iter().enumerate() {
        assert!(
            import(text, &Options::default()).is_err(),
            "case {k} imported: {text}"
        );
    }
}

#[test]
fn hostile_nesting_and_sizes_hit_the_limits() {
    let nest = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep = format!(
        r#"{{"format":"pytensor-fgraph-json/1","inputs":[],"outputs":[],"variables":[],"nodes":[{{"id":0,"op":{{"class":"X","props":{{"a":{nest}}}}},"inputs":[],"outputs":[]}}]}}"#
    );
    let e = import(&deep, &Options::default()).unwrap_err();
    assert!(e.to_string().contains("recursion limit"), "{e}");
    let opts = Options {
        limits: Limits {
            max_bytes: 100,
            ..Limits::default()
        },
        ..Options::default()
    };
    let vars = [var("x", "input", "float64", "[null]", "")];
    let e = import(&doc(&vars, &[], r#"["x"]"#), &opts).unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::Limit);
    let huge = var(
        "c",
        "constant",
        "float64",
        "[4294967296,4294967296]",
        r#","value":{"dtype":"float64","shape":[4294967296,4294967296],"data":[]}"#,
    );
    let e = import(
        &doc(&[vars[0].clone(), huge], &[], r#"["c"]"#),
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::Limit, "{e}");
    // A name AIR cannot carry (found by the seeded fuzzer, seed 11): a limit problem naming the
    // size, not an invalid module.
    let long = var("x", "input", "float64", "[null]", "").replace(
        r#""name":"x""#,
        &format!(r#""name":"{}""#, "v".repeat(200_000)),
    );
    let e = import(&doc(&[long], &[], r#"["x"]"#), &Options::default()).unwrap_err();
    assert_eq!(e.problems()[0].kind, ProblemKind::Limit, "{e}");
    assert!(e.to_string().contains("200000 bytes"), "{e}");
}

#[test]
fn an_export_lists_every_construct_pytensor_cannot_express() {
    let text = r#"air 1 opset 1
func @main(%a: i32[n], %b: bf16[n], %x: f64[n]) -> (%s: i32[n], %r: f64[n], %c: f64[n]) {
  %s = shl (%a, %a) : i32[n]
  %r = rem (%x, %x) : f64[n]
  %c = custom {domain = "mylib", name = "Frob"} (%x) : f64[n]
  return %s, %r, %c
}
"#;
    let m = air_ir::text::parse(text, "t.air").unwrap_or_else(|e| panic!("{e:?}"));
    let e = air_pytensor::export(&m, &Options::default()).unwrap_err();
    let Error::Export(cs) = &e else { panic!("{e}") };
    let what: Vec<&str> = cs.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(what, ["bf16", "shl", "rem", "custom"], "{e}");
}

/// The issue's reproducer: twenty functions, each calling the next twice, would inline to 2^20
/// copies of the last one. The export is refused at once with E0507 and the count, and a tower
/// small enough to inline still exports.
#[test]
fn exporting_calls_that_inline_too_large_is_refused_with_the_count() {
    fn tower(depth: usize) -> air_ir::Module {
        let mut text = String::from("air 1 opset 1\n");
        for d in 0..depth {
            text += &format!("func @f{d}(%x: f64[n]) -> (%r: f64[n]) {{\n");
            if d + 1 == depth {
                text += "  %a = neg(%x) : f64[n]\n  %b = exp(%a) : f64[n]\n  return %b\n}\n";
            } else {
                let next = d + 1;
                text += &format!("  %a = call {{callee = @f{next}}} (%x) : f64[n]\n");
                text += &format!("  %b = call {{callee = @f{next}}} (%a) : f64[n]\n");
                text += "  return %b\n}\n";
            }
        }
        air_ir::text::parse(&text, "tower.air").expect("parses")
    }
    let opts = |f: &str| Options {
        function: f.into(),
        ..Options::default()
    };
    let start = std::time::Instant::now();
    let err = air_pytensor::export(&tower(20), &opts("f0")).unwrap_err();
    assert!(
        start.elapsed().as_secs() < 5,
        "the refusal took {:?}",
        start.elapsed()
    );
    let Error::Export(cs) = &err else {
        panic!("expected an export error, got {err}")
    };
    assert_eq!(cs.len(), 1, "{err}");
    // 19 levels of two calls each over a two-node leaf: 2*(2^19 - 1) calls + 2^19 * 2 nodes.
    let expected = 2 * ((1u64 << 19) - 1) + (1u64 << 19) * 2;
    assert!(
        cs[0].reason.contains(&expected.to_string()),
        "{}",
        cs[0].reason
    );
    assert!(cs[0].reason.contains("1000000"), "{}", cs[0].reason);
    let d = err.to_diagnostics("tower.air");
    assert_eq!(d.0[0].code, air_ir::Code::NotExpressible);
    let json = air_pytensor::export(&tower(6), &opts("f0")).expect("a small tower exports");
    assert!(json.contains("pytensor-fgraph-json/1"));
}
