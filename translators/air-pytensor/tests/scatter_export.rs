//! The export of `scatter`/`gather` refuses, by name and with the reason, what PyTensor has no op
//! for (`mul`, `min`, `max` on numbers; empty index tuples), all at once; what it writes is run by
//! real PyTensor in `air conformance --target peers-pytensor` (cases `scatter/*`).

fn export(src: &str) -> Result<String, air_pytensor::Error> {
    let m = air_ir::text::parse(src, "t.air").unwrap();
    air_pytensor::export(&m, &Default::default())
}

#[test]
fn scatter_modes_without_a_pytensor_op_are_refused_by_name() {
    let e = export(
        r#"air 1 opset 2
func @main(%x: f64[n], %i: i64[m, 1], %u: f64[m], %b: bool[n], %v: bool[m], %k: i64[m, 0], %w: f64[m, n]) -> (%a: f64[n], %c: f64[n], %d: f64[n], %e: bool[n], %f: f64[n], %g: f64[m, n]) {
  %a = scatter {mode = "mul"} (%x, %i, %u) : f64[n]
  %c = scatter {mode = "min"} (%x, %i, %u) : f64[n]
  %d = scatter {mode = "max"} (%x, %i, %u) : f64[n]
  %e = scatter {mode = "min"} (%b, %i, %v) : bool[n]
  %f = scatter {mode = "add"} (%x, %k, %w) : f64[n]
  %g = gather (%x, %k) : f64[m, n]
  return %a, %c, %d, %e, %f, %g
}
"#,
    )
    .unwrap_err()
    .to_string();
    for want in [
        "%0",
        "%1",
        "%2",
        "%3",
        "PyTensor has no scatter with mul, max or min",
        "a scatter with empty index tuples",
        "a gather with empty index tuples",
    ] {
        assert!(e.contains(want), "{want}: {e}");
    }
}

#[test]
fn scatter_add_replace_bool_max_and_gather_are_written_as_pytensor_builds_them() {
    let text = export(
        r#"air 1 opset 2
func @main(%x: f64[n, p], %i: i64[m, 2], %u: f64[m], %b: bool[n], %j: i64[m, 1], %v: bool[m], %t: i64[1], %r: f64[p]) -> (%a: f64[n, p], %c: f64[n, p], %e: bool[n], %g: f64[m], %h: f64[n, p], %s: f64[p]) {
  %a = scatter {mode = "add"} (%x, %i, %u) : f64[n, p]
  %c = scatter {mode = "replace"} (%x, %i, %u) : f64[n, p]
  %e = scatter {mode = "max"} (%b, %j, %v) : bool[n]
  %g = gather (%x, %i) : f64[m]
  %h = scatter {mode = "replace"} (%x, %t, %r) : f64[n, p]
  %s = gather (%x, %t) : f64[p]
  return %a, %c, %e, %g, %h, %s
}
"#,
    )
    .unwrap();
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ops: Vec<(String, serde_json::Value)> = j["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["op"]["class"].as_str().unwrap().to_string(),
                n["op"]["props"].clone(),
            )
        })
        .collect();
    let count = |class: &str, set: Option<bool>| {
        ops.iter()
            .filter(|(c, p)| {
                c == class && set.is_none_or(|s| p["set_instead_of_inc"] == serde_json::json!(s))
            })
            .count()
    };
    // inc for add and bool max, set for replace; the one-tuple replace is the basic IncSubtensor.
    assert_eq!(count("AdvancedIncSubtensor", Some(false)), 2, "{text}");
    assert_eq!(count("AdvancedIncSubtensor", Some(true)), 1, "{text}");
    assert_eq!(count("IncSubtensor", Some(true)), 1, "{text}");
    assert_eq!(count("AdvancedSubtensor", None), 1, "{text}");
    for (c, p) in &ops {
        if c == "AdvancedIncSubtensor" {
            assert_eq!(p["ignore_duplicates"], serde_json::json!(false), "{text}");
        }
    }
}
