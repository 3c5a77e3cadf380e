//! Sums and products whose bounds depend on an outer index (triangles, tails, prefix products,
//! nested limits), checked on the interpreter against values computed by hand; the ranges that
//! may run backwards or are not affine are refused; the export of such a module reads back.

mod common;

use air_sympy::{Options, ProblemKind};
use common::*;

fn j() -> String {
    "Symbol('j', integer=True)".into()
}
fn limit(var: &str, lo: &str, hi: &str) -> String {
    format!("Tuple({var}, {lo}, {hi})")
}
fn minus_one(e: &str) -> String {
    format!("Add({e}, Integer(-1))")
}
fn nan_safe_close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{got:?} vs {want:?}"
        );
    }
}

/// `y[i] = rhs` over `i` in `0..n`, run on `x = [2, 3, 5]` and `A = [[1, 2, 3], [4, 5, 6],
/// [7, 8, 9]]` (whichever it reads).
fn y_of(rhs: &str) -> Vec<f64> {
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let text = eq(&at("y", &[&n], &[&i]), rhs);
    let reads_a = rhs.contains("Symbol('A')");
    let input = if reads_a {
        (
            "A",
            mat_t(3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
        )
    } else {
        ("x", vec_t(&[2.0, 3.0, 5.0]))
    };
    run(&text, &Options::default(), &[input])[0].1.clone()
}

fn x(index: &str) -> String {
    at("x", &[&dim("n")], &[index])
}
fn a(row: &str, col: &str) -> String {
    let n = dim("n");
    at("A", &[&n, &n], &[row, col])
}

#[test]
fn a_triangle_sums_each_row_up_to_the_diagonal() {
    let i = idx("i", &dim("n"));
    // The bound variable a plain integer Symbol, as the formats notes advise, or an Idx.
    let plain = format!("Sum({}, {})", a(&i, &j()), limit(&j(), "Integer(0)", &i));
    nan_safe_close(&y_of(&plain), &[1.0, 9.0, 24.0]);
    let jj = idx("j", &dim("n"));
    let with_idx = format!("Sum({}, {})", a(&i, &jj), limit(&jj, "Integer(0)", &i));
    nan_safe_close(&y_of(&with_idx), &[1.0, 9.0, 24.0]);
    // The outer index named by its Symbol rather than its Idx.
    let by_symbol = limit(&j(), "Integer(0)", "Symbol('i', integer=True)");
    nan_safe_close(
        &y_of(&format!("Sum({}, {by_symbol})", a(&i, &j()))),
        &[1.0, 9.0, 24.0],
    );
}

#[test]
fn tails_reversed_prefixes_and_empty_ranges() {
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let tail = format!("Sum({}, {})", x(&j()), limit(&j(), &i, &minus_one(&n)));
    nan_safe_close(&y_of(&tail), &[10.0, 8.0, 5.0]);
    // Up to n - 1 - i: a coefficient of -1.
    let hi = format!("Add({n}, Integer(-1), Mul(Integer(-1), {i}))");
    let reversed = format!("Sum({}, {})", x(&j()), limit(&j(), "Integer(0)", &hi));
    nan_safe_close(&y_of(&reversed), &[10.0, 5.0, 2.0]);
    // From i + 1: empty for the last i, which gives 0.
    let lo = format!("Add({i}, Integer(1))");
    let after = format!("Sum({}, {})", x(&j()), limit(&j(), &lo, &minus_one(&n)));
    nan_safe_close(&y_of(&after), &[8.0, 5.0, 0.0]);
}

#[test]
fn a_prefix_product_never_reads_the_masked_values() {
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let text = eq(
        &at("y", &[&n], &[&i]),
        &format!("Product({}, {})", x(&j()), limit(&j(), "Integer(0)", &i)),
    );
    let input = [("x", vec_t(&[2.0, 3.0, f64::NAN]))];
    let got = &run(&text, &Options::default(), &input)[0].1;
    nan_safe_close(got, &[2.0, 6.0, f64::NAN]);
}

#[test]
fn nested_limits_bind_outermost_first() {
    // Sum(x[k], (k, 0, j), (j, 0, i)): SymPy's first limit is the innermost.
    let i = idx("i", &dim("n"));
    let two = format!(
        "Sum({}, {}, {})",
        x(&k()),
        limit(&k(), "Integer(0)", &j()),
        limit(&j(), "Integer(0)", &i)
    );
    nan_safe_close(&y_of(&two), &[2.0, 7.0, 17.0]);
    // The same as two nested Sums.
    let inner = format!("Sum({}, {})", x(&k()), limit(&k(), "Integer(0)", &j()));
    let nested = format!("Sum({inner}, {})", limit(&j(), "Integer(0)", &i));
    nan_safe_close(&y_of(&nested), &[2.0, 7.0, 17.0]);
}

#[test]
fn ranges_that_may_run_backwards_or_are_not_affine_are_refused() {
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let backwards = eq(
        &at("y", &[&n], &[&i]),
        &format!("Sum({}, {})", x(&j()), limit(&j(), &i, "Integer(0)")),
    );
    let ps = problems(&backwards);
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert_eq!(ps[0].kind, ProblemKind::Unsupported);
    assert!(ps[0].message.contains("may run backwards"), "{ps:?}");
    let square = format!("Mul({i}, {i})");
    let not_affine = eq(
        &at("y", &[&n], &[&i]),
        &format!("Sum({}, {})", x(&j()), limit(&j(), "Integer(0)", &square)),
    );
    let ps = problems(&not_affine);
    assert!(ps[0].message.contains("constant coefficients"), "{ps:?}");
}

#[test]
fn the_export_of_a_masked_sum_reads_back() {
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let text = eq(
        &at("y", &[&n], &[&i]),
        &format!("Sum({}, {})", a(&i, &j()), limit(&j(), "Integer(0)", &i)),
    );
    let m = air_sympy::import(&text, &Options::default()).unwrap();
    let back = air_sympy::export(&m, &Options::default()).unwrap();
    assert!(back.contains("Piecewise("), "{back}");
    let input = [(
        "A",
        mat_t(3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    )];
    nan_safe_close(
        &run(&back, &Options::default(), &input)[0].1,
        &[1.0, 9.0, 24.0],
    );
}
