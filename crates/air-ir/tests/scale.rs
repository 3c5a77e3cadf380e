//! The validator is linear in nodes and calls, and caps what it lists: modules generated here
//! with tens of thousands of calls, functions or invalid nodes are checked well within a bound
//! that the quadratic validator (a walk of the region per call site and per diagnostic, a scan of
//! the module per call) missed by orders of magnitude, and a module with more problems than
//! `MAX_DIAGNOSTICS` gets that many in full and one entry counting the rest.

use std::time::{Duration, Instant};

use air_ir::validate::{validate, MAX_DIAGNOSTICS};
use air_ir::{Code, Diagnostics, Module};

const HEADER: &str = "air 1 opset 1\n";

const LEAF: &str =
    "func @leaf(%a: f64[n]) -> (%r: f64[n]) {\n  %r = sin (%a) : f64[n]\n  return %r\n}\n";

/// `main` calls `@leaf` `n` times in a chain.
fn calls(n: usize) -> String {
    let mut s = format!("{HEADER}{LEAF}func @main(%x: f64[n]) -> (%z: f64[n]) {{\n");
    s += "  %v0 = neg (%x) : f64[n]\n";
    for i in 1..n {
        s += &format!("  %v{i} = call {{callee = @leaf}} (%v{}) : f64[n]\n", i - 1);
    }
    s + &format!("  return %v{}\n}}\n", n - 1)
}

/// `n` functions `@f{i}`, each calling `@leaf`, all called in a chain from `main` (placed last,
/// so a scan for a callee's name walks most of the module).
fn functions(n: usize) -> String {
    let mut s = format!("{HEADER}{LEAF}");
    for i in 0..n {
        s += &format!(
            "func @f{i}(%a: f64[n]) -> (%r: f64[n]) {{\n  %r = call {{callee = @leaf}} (%a) : f64[n]\n  return %r\n}}\n"
        );
    }
    s += "func @main(%x: f64[n]) -> (%z: f64[n]) {\n  %v0 = neg (%x) : f64[n]\n";
    for i in 1..=n {
        s += &format!(
            "  %v{i} = call {{callee = @f{}}} (%v{}) : f64[n]\n",
            i - 1,
            i - 1
        );
    }
    s + &format!("  return %v{n}\n}}\n")
}

/// `n` independent nodes each declaring `f32` for an `f64` result: `n` E0213.
fn invalid(n: usize) -> String {
    let mut s = format!("{HEADER}func @main(%x: f64[n]) -> (%z: f64[n]) {{\n");
    for i in 0..n {
        s += &format!("  %v{i} = add (%x, %x) : f32[n]\n");
    }
    s + "  return %x\n}\n"
}

fn parse(src: &str) -> Module {
    air_ir::text::parse(src, "scale.air").expect("the generated module parses")
}

/// Validates `m` and fails if that takes longer than `limit` (a guard against quadratic work,
/// generous enough for a debug build on a loaded machine).
fn validate_within(m: &Module, limit: Duration) -> Result<(), Diagnostics> {
    let start = Instant::now();
    let r = validate(m).map(|_| ());
    let took = start.elapsed();
    assert!(took < limit, "validation took {took:?}, over {limit:?}");
    r
}

#[test]
fn twenty_thousand_calls_validate_in_linear_time() {
    let m = parse(&calls(20_000));
    validate_within(&m, Duration::from_secs(5)).expect("valid");
}

#[test]
fn twenty_thousand_functions_are_looked_up_by_index() {
    let m = parse(&functions(20_000));
    validate_within(&m, Duration::from_secs(5)).expect("valid");
}

#[test]
fn twenty_thousand_invalid_nodes_give_a_capped_report() {
    // Quadratic, this took 23 s for 10,000 nodes in a release build.
    let n = 20_000;
    let m = parse(&invalid(n));
    let diags = validate_within(&m, Duration::from_secs(10)).expect_err("invalid");
    assert_eq!(diags.0.len(), MAX_DIAGNOSTICS + 1);
    assert_eq!(diags.total(), n);
    let last = diags.0.last().expect("a last entry");
    assert_eq!(last.omitted_count(), Some(n - MAX_DIAGNOSTICS));
    assert_eq!(last.code, Code::LimitExceeded);
    // Every listed one is a full diagnostic about its node, in order.
    for (i, d) in diags.0[..MAX_DIAGNOSTICS].iter().enumerate() {
        assert_eq!(d.code, Code::ResultTypeMismatch, "{d}");
        assert_eq!(d.omitted_count(), None);
        let text = d.node_text.as_deref().expect("node text");
        assert!(text.starts_with(&format!("%v{i} = add")), "{text}");
    }
}

#[test]
fn diagnostics_are_capped_with_the_count_of_the_rest() {
    for (n, listed, more) in [
        (MAX_DIAGNOSTICS - 1, MAX_DIAGNOSTICS - 1, None),
        (MAX_DIAGNOSTICS, MAX_DIAGNOSTICS, None),
        (MAX_DIAGNOSTICS + 1, MAX_DIAGNOSTICS, Some(1)),
        (MAX_DIAGNOSTICS + 57, MAX_DIAGNOSTICS, Some(57)),
    ] {
        let diags = validate(&parse(&invalid(n))).expect_err("invalid");
        let full: Vec<_> = diags
            .0
            .iter()
            .filter(|d| d.omitted_count().is_none())
            .collect();
        assert_eq!(full.len(), listed, "n = {n}");
        assert_eq!(diags.0.last().and_then(|d| d.omitted_count()), more);
        assert_eq!(diags.total(), n);
        if let Some(k) = more {
            let shown = diags.to_string();
            let s = if k == 1 { "" } else { "s" };
            assert!(
                shown.ends_with(&format!("... and {k} more error{s}")),
                "{}",
                &shown[shown.len().saturating_sub(200)..]
            );
        }
    }
}

#[test]
fn many_call_cycles_are_capped_too() {
    // 150 pairs of functions calling each other: one E0403 each.
    let mut s = String::from(HEADER);
    for i in 0..150 {
        for (me, other) in [
            (format!("a{i}"), format!("b{i}")),
            (format!("b{i}"), format!("a{i}")),
        ] {
            s += &format!(
                "func @{me}(%x: f64) -> (%y: f64) {{\n  %y = call {{callee = @{other}}} (%x) : f64\n  return %y\n}}\n"
            );
        }
    }
    let diags = validate(&parse(&s)).expect_err("recursive");
    assert_eq!(diags.total(), 150);
    assert_eq!(diags.0.len(), MAX_DIAGNOSTICS + 1);
    assert!(diags.0[..MAX_DIAGNOSTICS]
        .iter()
        .all(|d| d.code == Code::Recursion && d.node_text.is_some()));
}
