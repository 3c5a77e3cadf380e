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
fn a_dimension_listed_as_an_argument_is_a_size_parameter() {
    // SymPy's make_routine lists n as an argument (an `int`): it stays in its place as a size
    // parameter (op set 2), and a run checks that it agrees with x's extent.
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let text = eq(&at("y", &[&n], &[&i]), &at("x", &[&n], &[&i]));
    let opts = Options {
        args: Some(vec!["n".into(), "x".into()]),
        ..Options::default()
    };
    let m = air_sympy::import(&text, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.opset_version, 2);
    let f = &m.functions[0];
    let params: Vec<(&str, Option<&str>, String)> = f
        .params
        .iter()
        .map(|p| (p.name.as_str(), p.size.as_deref(), p.ty.to_string()))
        .collect();
    assert_eq!(
        params,
        [("n", Some("n"), "i64".into()), ("x", None, "f64[n]".into())]
    );
    let n3 = air_interp::Tensor::I64(air_interp::ndarray::arr0(3).into_dyn());
    let x = vec_t(&[1.0, 2.0, 3.0]);
    let out = air_interp::run(&m, "main", &[("n".into(), n3), ("x".into(), x.clone())]);
    assert_eq!(values(&out.expect("runs")[0].1), [1.0, 2.0, 3.0]);
    let n2 = air_interp::Tensor::I64(air_interp::ndarray::arr0(2).into_dyn());
    let err = air_interp::run(&m, "main", &[("n".into(), n2), ("x".into(), x)]).unwrap_err();
    assert_eq!(err.code, air_ir::Code::SymbolConflict, "{err}");
}

#[test]
fn an_output_sized_only_by_a_dimension_gets_a_size_parameter() {
    // y[i] = i**2 for i in range(n): no input binds n.
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let y = format!("IndexedBase(Symbol('y', integer=True), Tuple({n}))");
    let text = format!("Equality(Indexed({y}, {i}), Pow({i}, Integer(2)))");
    let m = air_sympy::import(&text, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let p = &m.functions[0].params;
    assert_eq!(p.len(), 1);
    assert_eq!((p[0].name.as_str(), p[0].size.as_deref()), ("n", Some("n")));
    for len in [4i64, 0] {
        let nv = air_interp::Tensor::I64(air_interp::ndarray::arr0(len).into_dyn());
        let out = air_interp::run(&m, "main", &[("n".into(), nv)]).expect("runs");
        let want: Vec<f64> = (0..len).map(|v| (v * v) as f64).collect();
        assert_eq!(values(&out[0].1), want);
    }
    // The export writes n once: the dimension and the argument are one SymPy symbol.
    let back = air_sympy::export(&m, &Default::default()).expect("exports");
    let again = air_sympy::import(&back, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.functions[0].params[0].size.as_deref(), Some("n"));
}
