//! The backend's remaining recursion is over nested regions (`if`/`for` bodies); it is bounded
//! by the validator's region-depth limit, which `compile` checks first: a module nested deeper
//! is refused with E0105 (`LimitExceeded`), not a stack overflow.

mod common;

use air_ir::limits::Limits;
use air_ir::Code;
use air_llvm::{compile, Options};
use common::*;

/// `depth` `if`s, each nested in the then-branch of the one before (which passes it the
/// condition); the innermost negates.
fn nested_ifs(depth: usize) -> String {
    let mut body = format!("%t = neg (%a{depth}) : f64[n]\nyield %t\n");
    for k in (1..=depth).rev() {
        let (p, tail) = (k - 1, if k == 1 { "return" } else { "yield" });
        body = format!(
            "%q{k} = if (%c{p}, %c{p}, %a{p}) : (f64[n]) {{\n(%c{k}: bool, %a{k}: f64[n]):\n{body}}} {{\n\
             (%e{k}: bool, %b{k}: f64[n]):\nyield %b{k}\n}}\n{tail} %q{k}\n"
        );
    }
    format!("air 1 opset 1\nfunc @f(%c0: bool, %a0: f64[n]) -> (%y: f64[n]) {{\n{body}}}\n")
}

#[test]
fn nested_ifs_within_the_limit_agree_with_the_interpreter() {
    let x = f64s(&[3], vec![1.0, -2.0, 0.5]);
    for c in [true, false] {
        agree(
            &nested_ifs(6),
            &[("c0", air_value::Tensor::scalar(c)), ("a0", x.clone())],
            0.0,
        );
    }
}

#[test]
fn regions_nested_past_the_limit_are_refused_with_a_code() {
    let depth = Limits::default().max_region_depth + 6;
    let limits = Limits {
        max_region_depth: depth + 1,
        ..Limits::default()
    };
    let (m, _) = air_ir::text::parse_with_limits(&nested_ifs(depth), "t.air", &limits)
        .unwrap_or_else(|d| panic!("parse: {d}"));
    let err = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || compile(&m, &Options::default()).err())
        .expect("spawn")
        .join()
        .expect("compile thread")
        .expect("a module nested past the limit must be refused");
    assert!(err.0.iter().any(|d| d.code == Code::LimitExceeded), "{err}");
}
