//! The default parameter order (no `args`): SymPy codegen's (`CodeGen.routine` with
//! `argument_sequence=None`), inputs by name, then the arguments an equation assigns by name.
//! `crates/air-python/tests/test_order.py` checks the same rule against real SymPy.

mod common;

use air_ir::Intent;
use air_sympy::Options;
use common::*;

fn signature(text: &str) -> Vec<(String, Intent)> {
    let m = air_sympy::import(text, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let f = &m.functions[0];
    f.params
        .iter()
        .map(|p| (p.name.clone(), p.intent))
        .collect()
}

#[test]
fn inputs_come_sorted_by_name() {
    let text = eq(
        &sym("z"),
        &format!("Add({}, Mul(Integer(-1), {}))", sym("b"), sym("a")),
    );
    let names: Vec<String> = signature(&text).into_iter().map(|p| p.0).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn inout_parameters_follow_the_inputs() {
    // x[i] = x[i] + b*y[i]: SymPy's routine gives (b, y, x), x an InOutArgument; sorting every
    // parameter by name would give (b, x, y) and bind a positional call differently.
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let x = at("x", &[&n], &[&i]);
    let rhs = format!("Add({x}, Mul({}, {}))", sym("b"), at("y", &[&n], &[&i]));
    let got = signature(&eq(&x, &rhs));
    let want = [("b", Intent::In), ("y", Intent::In), ("x", Intent::InOut)];
    let want: Vec<(String, Intent)> = want.iter().map(|(n, i)| (n.to_string(), *i)).collect();
    assert_eq!(got, want);
}

#[test]
fn a_dimension_listed_as_an_argument_is_refused() {
    // SymPy's make_routine lists n as an argument; AIR binds it from the shapes, so a listed n
    // would be a parameter the function never reads, shifting every positional argument.
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let text = eq(&at("y", &[&n], &[&i]), &at("x", &[&n], &[&i]));
    let opts = Options {
        args: Some(vec!["n".into(), "x".into()]),
        ..Options::default()
    };
    let err = air_sympy::import(&text, &opts)
        .expect_err("n is a dim")
        .to_string();
    assert!(err.contains("`n` is a dimension"), "{err}");
}
