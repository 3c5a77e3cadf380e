//! SymPy's contraction structure (`get_contraction_structure`): a repeated index is contracted
//! at the innermost `Indexed` or product that repeats it, never across a function; forms whose
//! meaning SymPy leaves open are refused, naming the index and the constructs. The equations
//! are `tests/data/contraction.srepr`, written by SymPy 1.14; the expected numbers are worked
//! out by hand from SymPy's structure. `tests/index_methods.py` checks every example of SymPy's
//! own test file against a NumPy evaluation of the structure, on every backend.

mod common;

use air_sympy::{Options, ProblemKind};
use common::*;

/// The srepr of the named equation.
fn case(name: &str) -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/contraction.srepr");
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().find(|l| l.starts_with(&format!("{name}\t")));
    line.unwrap_or_else(|| panic!("no case {name}"))[name.len() + 1..].to_string()
}

/// The 2x2 matrices [[1, 2], [3, 4]] and [[0.5, 0], [1, 0.25]]: traces 5 and 0.75.
fn m1() -> air_interp::Tensor {
    mat_t(2, &[1.0, 2.0, 3.0, 4.0])
}
fn m2() -> air_interp::Tensor {
    mat_t(2, &[0.5, 0.0, 1.0, 0.25])
}

#[test]
fn a_repeated_index_in_a_function_is_traced_inside_it() {
    let text = case("trace_in_exp");
    let ir = ops(&text);
    let trace = ir.find("einsum {spec = \"aa->\"} (%A)").expect(&ir);
    assert!(ir[trace..].contains("exp ("), "exp of the trace:\n{ir}");
    assert!(!ir.contains("reduce"), "no sum outside exp:\n{ir}");
    let out = run(&text, &Options::default(), &[("A", m1())]);
    close(&out[0].1, &[5.0f64.exp()]);
}

#[test]
fn powers_trace_their_base_and_exponent_apart() {
    let inputs = [("x", m1()), ("y", m2())];
    let out = run(&case("pow_of_traces"), &Options::default(), &inputs);
    close(&out[0].1, &[5.0f64.powf(0.75)]);
    let out = run(&case("add_in_pow"), &Options::default(), &inputs);
    close(&out[0].1, &[6.0f64.powf(1.75)]);
    // x[i,i]**y[j,j]**z[k,k] is x**(y**z) with each a trace; z = [[2, 9], [9, 0]] has trace 2.
    let z = mat_t(2, &[2.0, 9.0, 9.0, 0.0]);
    let out = run(
        &case("pow_in_pow"),
        &Options::default(),
        &[("x", m1()), ("y", m2()), ("z", z)],
    );
    close(&out[0].1, &[5.0f64.powf(0.75f64.powf(2.0))]);
}

#[test]
fn a_product_sums_its_index_while_a_function_inside_traces_another() {
    // w[j] = sum_i x[i]*y[j]*exp(y[i]*trace(z)).
    let text = case("trace_inside_contraction");
    let (x, y) = ([1.0, -2.0], [0.5, 0.25]);
    let out = run(
        &text,
        &Options::default(),
        &[("x", vec_t(&x)), ("y", vec_t(&y)), ("z", m2())],
    );
    let inner: f64 = (0..2).map(|i| x[i] * (y[i] * 0.75).exp()).sum();
    close(&out[0].1, &[y[0] * inner, y[1] * inner]);
}

#[test]
fn an_index_of_the_left_side_repeated_in_an_indexed_reads_the_diagonal() {
    // v[i] = x[i] + A[i, i]: the output element, as lambdify reads it (SymPy's structure would
    // sum i there; docs/formats/foreign-formats.md).
    let out = run(
        &case("left_index_repeated"),
        &Options::default(),
        &[("A", m1()), ("x", vec_t(&[10.0, 20.0]))],
    );
    close(&out[0].1, &[11.0, 24.0]);
}

#[test]
fn ambiguous_forms_are_refused_naming_the_index_and_the_constructs() {
    let cases = [
        (
            "ambiguous_trace_and_product",
            "the index `i` is contracted inside `Indexed` (Equality[1]/Mul[0]/exp[0]/Indexed) \
             and also used outside it, in `Indexed` (Equality[1]/Mul[1]/Indexed)",
        ),
        (
            "ambiguous_inner_and_outer",
            "the index `j` is contracted inside `Mul` (Equality[1]/Mul[0]/Add[0]/Mul) and also \
             used outside it, in `Indexed` (Equality[1]/Mul[1]/Indexed)",
        ),
        (
            "contraction_in_piecewise",
            "the index `i` is contracted inside this Piecewise",
        ),
        ("free_offset", "the index `i` is used with an offset"),
        (
            "matrix_element_trace_in_exp",
            "the index `i` is repeated in this MatrixElement inside a term",
        ),
    ];
    for (name, want) in cases {
        let ps = problems(&case(name));
        assert_eq!(ps.len(), 1, "{name}: {ps:?}");
        assert!(ps[0].message.contains(want), "{name}: {}", ps[0].message);
        assert_eq!(ps[0].kind, ProblemKind::Unsupported, "{name}");
        assert!(ps[0].pos.is_some(), "{name}: placed in the text");
    }
}
