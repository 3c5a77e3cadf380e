//! The importer's semantics, each checked by running the imported function on the interpreter
//! against values computed by hand: the index rule, sums and products, offsets and constant
//! indices, temporaries and intents, matrices, and the errors (dims that cannot be unified,
//! every unsupported head listed).

mod common;

use air_ir::{DType, Intent};
use air_sympy::{Options, ProblemKind};
use air_value::ndarray::{ArrayD, IxDyn};
use air_value::Tensor;
use common::*;

#[test]
fn an_index_on_the_left_side_is_not_summed() {
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let rhs = format!("Mul({}, {})", at("x", &[&n], &[&i]), at("z", &[&n], &[&i]));
    let text = eq(&at("y", &[&n], &[&i]), &rhs);
    let out = run(
        &text,
        &Options::default(),
        &[
            ("x", vec_t(&[1.0, 2.0, 3.0])),
            ("z", vec_t(&[4.0, 5.0, 6.0])),
        ],
    );
    close(&out[0].1, &[4.0, 10.0, 18.0]);
    assert!(!ops(&text).contains("einsum") && !ops(&text).contains("reduce"));
}

#[test]
fn an_index_absent_from_the_left_side_is_summed() {
    let (n, i) = (dim("n"), idx("i", &dim("n")));
    let rhs = format!("Mul({}, {})", at("x", &[&n], &[&i]), at("z", &[&n], &[&i]));
    let text = eq(&sym("s"), &rhs);
    let out = run(
        &text,
        &Options::default(),
        &[
            ("x", vec_t(&[1.0, 2.0, 3.0])),
            ("z", vec_t(&[4.0, 5.0, 6.0])),
        ],
    );
    close(&out[0].1, &[32.0]);
    assert!(
        ops(&text).contains("einsum {spec = \"a,a->\"}"),
        "{}",
        ops(&text)
    );
    // x[j]**2 (SymPy's form of x[j]*x[j]) is not a product: a reduction sums it.
    let text = eq(
        &sym("s"),
        &format!("Pow({}, Integer(2))", at("x", &[&n], &[&i])),
    );
    let out = run(
        &text,
        &Options::default(),
        &[("x", vec_t(&[1.0, 2.0, 3.0]))],
    );
    close(&out[0].1, &[14.0]);
    assert!(ops(&text).contains("reduce_sum"));
}

#[test]
fn a_repeated_index_is_summed_over_its_product_a_single_one_over_its_term() {
    let (n, m) = (dim("n"), dim("m"));
    let (i, j) = (idx("i", &n), idx("j", &m));
    let a = at("A", &[&n, &m], &[&i, &j]);
    let x = at("x", &[&m], &[&j]);
    let b = at("b", &[&n], &[&i]);
    let inputs = [
        ("A", mat_t(2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
        ("x", vec_t(&[1.0, 0.0, -1.0])),
        ("b", vec_t(&[10.0, 20.0])),
    ];
    // y[i] = A[i,j]*x[j] + b[i]: b is added once, not m times.
    let text = eq(&at("y", &[&n], &[&i]), &format!("Add(Mul({a}, {x}), {b})"));
    close(&run(&text, &Options::default(), &inputs)[0].1, &[8.0, 18.0]);
    // s = (x[j] + 1)*x[j]: j is repeated in the product, which sums it (Einstein), as SymPy's
    // get_contraction_structure reads it; not (sum(x) + 1)*x summed again.
    let xj = at("x", &[&m], &[&j]);
    let text = eq(&sym("s"), &format!("Mul(Add({xj}, Integer(1)), {xj})"));
    close(&run(&text, &Options::default(), &inputs[1..2])[0].1, &[2.0]);
    // y[i] = exp(A[i,j]*x[j]): j is summed inside exp, where it is repeated.
    let text = eq(&at("y", &[&n], &[&i]), &format!("exp(Mul({a}, {x}))"));
    close(
        &run(&text, &Options::default(), &inputs[..2])[0].1,
        &[(-2.0f64).exp(), (-2.0f64).exp()],
    );
}

#[test]
fn sums_products_offsets_and_constant_indices() {
    let n = dim("n");
    let x = |i: &str| at("x", &[&n], &[i]);
    let lim = |hi: i64| format!("Tuple({}, Integer(0), Add({n}, Integer({hi})))", k());
    let input = [("x", vec_t(&[2.0, 3.0, 5.0, 7.0]))];
    let kp1 = format!("Add({}, Integer(1))", k());
    let diff = format!(
        "Sum(Add({}, Mul(Integer(-1), {})), {})",
        x(&kp1),
        x(&k()),
        lim(-2)
    );
    close(
        &run(&eq(&sym("s"), &diff), &Options::default(), &input)[0].1,
        &[5.0],
    );
    let prod = format!("Product({}, {})", x(&k()), lim(-1));
    close(
        &run(&eq(&sym("s"), &prod), &Options::default(), &input)[0].1,
        &[210.0],
    );
    // x[0] + x[n - 1]: a constant and a dimension expression as indices.
    let last = format!("Add({n}, Integer(-1))");
    let ends = format!("Add({}, {})", x("Integer(0)"), x(&last));
    close(
        &run(&eq(&sym("s"), &ends), &Options::default(), &input)[0].1,
        &[9.0],
    );
    // Sum(k * x[k]): the index as a value; Sum(1) counts the extent.
    let weighted = format!("Sum(Mul({}, {}), {})", k(), x(&k()), lim(-1));
    close(
        &run(&eq(&sym("s"), &weighted), &Options::default(), &input)[0].1,
        &[34.0],
    );
    let count = format!(
        "Add(Sum(Integer(1), {}), {n}, {})",
        lim(-1),
        x("Integer(0)")
    );
    close(
        &run(&eq(&sym("s"), &count), &Options::default(), &input)[0].1,
        &[10.0],
    );
    // A dimension no argument has is a size parameter (op set 2), as SymPy's codegen passes
    // it: s = Sum(1, (k, 0, n - 1)) is n.
    let unbound = eq(&sym("s"), &format!("Sum(Integer(1), {})", lim(-1)));
    let m = air_sympy::import(&unbound, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.functions[0].params[0].size.as_deref(), Some("n"));
    let n4 = air_interp::Tensor::I64(air_interp::ndarray::arr0(4).into_dyn());
    let out = air_interp::run(&m, "main", &[("n".into(), n4)]).expect("runs");
    assert_eq!(values(&out[0].1), [4.0]);
}

#[test]
fn a_trace_reads_the_diagonal() {
    let n = dim("n");
    let i = idx("i", &n);
    let text = eq(&sym("s"), &at("A", &[&n, &n], &[&i, &i]));
    let out = run(
        &text,
        &Options::default(),
        &[("A", mat_t(2, &[1.0, 2.0, 3.0, 4.0]))],
    );
    close(&out[0].1, &[5.0]);
}

#[test]
fn piecewise_relations_and_logic() {
    let n = dim("n");
    let i = idx("i", &n);
    let x = at("x", &[&n], &[&i]);
    let cond = format!("And(StrictGreaterThan({x}, Integer(0)), Not(Equality({x}, Integer(2))))");
    let pw = format!(
        "Piecewise(ExprCondPair({x}, {cond}), ExprCondPair(Mul(Integer(-1), {x}), StrictLessThan({x}, Integer(0))))"
    );
    let text = eq(&at("y", &[&n], &[&i]), &pw);
    let out = run(
        &text,
        &Options::default(),
        &[("x", vec_t(&[3.0, -4.0, 2.0, 0.0]))],
    );
    assert_eq!(out[0].1[..2], [3.0, 4.0]);
    assert!(
        out[0].1[2].is_nan() && out[0].1[3].is_nan(),
        "no condition holds: nan"
    );
}

#[test]
fn temporaries_outputs_and_intents() {
    let n = dim("n");
    let i = idx("i", &n);
    let h = at("h", &[&n], &[&i]);
    let x = at("x", &[&n], &[&i]);
    let system = format!(
        "Tuple({}, {})",
        eq(&h, &format!("Mul(Integer(2), {x})")),
        eq(&at("y", &[&n], &[&i]), &format!("Add({h}, Integer(1))"))
    );
    let input = [("x", vec_t(&[1.0, 2.0]))];
    let out = run(&system, &Options::default(), &input);
    assert_eq!(out.len(), 1, "h is a temporary");
    assert_eq!(out[0].0, "y");
    close(&out[0].1, &[3.0, 5.0]);
    let both = Options {
        outputs: Some(vec!["h".into(), "y".into()]),
        ..Options::default()
    };
    let out = run(&system, &both, &input);
    assert_eq!((out[0].0.as_str(), out[1].0.as_str()), ("h", "y"));
    // x[i] = x[i] + 1 reads x before writing it: inout. An `args` entry that is only
    // written is an out parameter.
    let text = eq(&x, &format!("Add({x}, Integer(1))"));
    let m = air_sympy::import(&text, &Options::default()).unwrap();
    assert_eq!(m.functions[0].params[0].intent, Intent::InOut);
    let opts = Options {
        args: Some(vec!["x".into(), "y".into()]),
        ..Options::default()
    };
    let m = air_sympy::import(&eq(&at("y", &[&n], &[&i]), &x), &opts).unwrap();
    let intents: Vec<Intent> = m.functions[0].params.iter().map(|p| p.intent).collect();
    assert_eq!(intents, [Intent::In, Intent::Out]);
}

#[test]
fn dtypes_from_options_and_assumptions_with_weak_numbers() {
    let n = dim("n");
    let i = idx("i", &n);
    let text = eq(
        &at("y", &[&n], &[&i]),
        &format!("Mul(Integer(2), {})", at("x", &[&n], &[&i])),
    );
    let mut opts = Options::default();
    opts.dtypes.insert("x".into(), DType::F32);
    let m = air_sympy::import(&text, &opts).unwrap();
    assert_eq!(
        m.functions[0].results[0].ty.to_string(),
        "f32[n]",
        "2*x keeps f32"
    );
    let int_x = text.replace("Symbol('x')", "Symbol('x', integer=True)");
    let m = air_sympy::import(&int_x, &Options::default()).unwrap();
    assert_eq!(m.functions[0].params[0].ty.to_string(), "i64[n]");
    let half = int_x.replace("Integer(2)", "Rational(1, 2)");
    let m = air_sympy::import(&half, &Options::default()).unwrap();
    assert_eq!(
        m.functions[0].results[0].ty.to_string(),
        "f64[n]",
        "x/2 is a float"
    );
}

#[test]
fn matrices_multiply_transpose_and_add() {
    let text = "Equality(MatrixSymbol(Str('C'), Symbol('n', integer=True, positive=True), Integer(2)), MatMul(Integer(2), MatrixSymbol(Str('M'), Symbol('n', integer=True, positive=True), Symbol('m', integer=True, positive=True)), MatrixSymbol(Str('N'), Symbol('m', integer=True, positive=True), Integer(2))))";
    let inputs = [
        ("M", mat_t(1, &[1.0, 2.0, 3.0])),
        ("N", mat_t(3, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0])),
    ];
    close(&run(text, &Options::default(), &inputs)[0].1, &[8.0, 10.0]);
    let text = "Equality(MatrixSymbol(Str('D'), Integer(2), Symbol('n', integer=True, positive=True)), MatAdd(MatrixSymbol(Str('E'), Integer(2), Symbol('n', integer=True, positive=True)), MatMul(Transpose(MatrixSymbol(Str('N'), Symbol('m', integer=True, positive=True), Integer(2))), Transpose(MatrixSymbol(Str('M'), Symbol('n', integer=True, positive=True), Symbol('m', integer=True, positive=True))))))";
    let inputs = [
        ("E", mat_t(2, &[100.0, 200.0])),
        ("M", mat_t(1, &[1.0, 2.0, 3.0])),
        ("N", mat_t(3, &[1.0, 0.0, 0.0, 1.0, 1.0, 1.0])),
    ];
    close(
        &run(text, &Options::default(), &inputs)[0].1,
        &[104.0, 205.0],
    );
}

#[test]
fn dims_that_cannot_be_unified_are_errors() {
    let n = dim("n");
    // i runs over 1..n but x has extent n: x[n] would be read.
    let i1 = format!("Idx(Symbol('i', integer=True), Tuple(Integer(1), {n}))");
    let text = eq(&sym("s"), &at("x", &[&n], &[&i1]));
    let ps = problems(&text);
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].kind, ProblemKind::Dims);
    assert!(
        ps[0]
            .message
            .contains("reads up to n+1 of an axis of extent n"),
        "{}",
        ps[0]
    );
    // The left side's shape m+1 against its index of extent m.
    let m = dim("m");
    let lhs_shape = format!("Add({m}, Integer(1))");
    let text = eq(&at("y", &[&lhs_shape], &[&idx("i", &m)]), "Integer(1)");
    let ps = problems(&text);
    assert!(ps[0].message.contains("cannot be unified"), "{}", ps[0]);
    assert!(ps[0].pos.is_some() && !ps[0].path.is_empty());
    // Two constant extents that differ are never unified: reading 5 of 3 is an error.
    let text = eq(
        &sym("s"),
        &at("x", &["Integer(3)"], &[&idx("i", "Integer(5)")]),
    );
    assert!(problems(&text)[0]
        .message
        .contains("reads up to 5 of an axis of extent 3"));
    // One name, two ranks.
    let text = eq(
        &sym("s"),
        &format!(
            "Add({}, {})",
            at("x", &[&n], &[&idx("i", &n)]),
            at("x", &[&n, &n], &[&idx("i", &n), &idx("i", &n)])
        ),
    );
    assert!(problems(&text)[0]
        .message
        .contains("two different kinds or ranks"));
}

#[test]
fn extents_that_no_input_has_are_size_parameters() {
    let (n, m) = (dim("n"), dim("m"));
    let sizes = |text: &str| -> Vec<(String, Option<String>)> {
        let m = air_sympy::import(text, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.opset_version, 2);
        m.functions[0]
            .params
            .iter()
            .map(|p| (p.name.clone(), p.size.clone()))
            .collect()
    };
    // y[i] = n: the output's extent and the number n, with no array of extent n passed: n is a
    // size parameter (op set 2).
    let text = eq(&at("y", &[&n], &[&idx("i", &n)]), &n);
    assert_eq!(sizes(&text), [("n".to_string(), Some("n".to_string()))]);
    // s = Sum(k, (k, 0, n - 1)) + Sum(k, (k, 0, m - 1)): two ranges, both unbound.
    let sum = |e: &str| {
        format!(
            "Sum({}, Tuple({}, Integer(0), Add({e}, Integer(-1))))",
            k(),
            k()
        )
    };
    let text = eq(&sym("s"), &format!("Add({}, {})", sum(&n), sum(&m)));
    let both = [("m", Some("m")), ("n", Some("n"))].map(|(a, b)| (a.into(), b.map(Into::into)));
    assert_eq!(sizes(&text), both);
    // Negative extents: written, or made so by unification (A: [0, n-1] while i runs over n
    // makes n = 0), or an index range that ends before it starts.
    let text = eq(&sym("s"), &at("x", &["Integer(-2)"], &["Integer(0)"]));
    assert!(
        problems(&text)[0]
            .message
            .contains("the shape of `x` has the negative extent -2"),
        "{}",
        problems(&text)[0]
    );
    let n1 = format!("Add({n}, Integer(-1))");
    let text = eq(
        &at("y", &[&n], &[&idx("i", &n)]),
        &format!(
            "Mul({}, {})",
            at("A", &["Integer(0)", &n1], &[&idx("i", &n), &idx("j", &m)]),
            at("x", &[&m], &[&idx("j", &m)])
        ),
    );
    assert!(
        problems(&text)[0]
            .message
            .contains("is [0, -1] once the extents are unified"),
        "{}",
        problems(&text)[0]
    );
    let bad_range = "Idx(Symbol('i', integer=True), Tuple(Integer(0), Integer(-3)))";
    let text = eq(&sym("s"), &at("x", &[&n], &[bad_range]));
    assert!(
        problems(&text)[0]
            .message
            .contains("the range of index `i` has the negative extent -2"),
        "{}",
        problems(&text)[0]
    );
    // With an input of extent n, the same sum is n*(n-1)/2: 10 for n = 5.
    let text = eq(
        &sym("s"),
        &format!(
            "Add({}, Mul(Integer(0), {}))",
            sum(&n),
            at("x", &[&n], &[&idx("i", &n)])
        ),
    );
    let out = run(&text, &Options::default(), &[("x", vec_t(&[1.0; 5]))]);
    close(&out[0].1, &[10.0]);
}

#[test]
fn symbolic_dims_unify_across_the_system() {
    let (n, m) = (dim("n"), dim("m"));
    let text = format!(
        "Tuple({}, {})",
        eq(
            &at("y", &[&n], &[&idx("i", &n)]),
            &at("x", &[&m], &[&idx("i", &n)])
        ),
        eq(
            &at("z", &[&m], &[&idx("j", &m)]),
            &at("x", &[&m], &[&idx("j", &m)])
        )
    );
    let m_ = air_sympy::import(&text, &Options::default()).unwrap();
    let f = &m_.functions[0];
    let sig: Vec<String> = f.results.iter().map(|r| r.ty.to_string()).collect();
    assert_eq!(f.params[0].ty.to_string(), "f64[n]");
    assert_eq!(sig, ["f64[n]", "f64[n]"], "m unified with n");
}

#[test]
fn every_unsupported_head_is_listed() {
    let text = "Tuple(Equality(Symbol('a'), besselj(Integer(0), Symbol('x'))),\n Equality(Symbol('b'), Add(gamma(Symbol('x')), besselj(Integer(1), Symbol('x')), zoo)))";
    let ps = problems(text);
    let found: Vec<(String, u32, u32)> = ps
        .iter()
        .map(|p| (p.message.clone(), p.pos.unwrap().line, p.pos.unwrap().col))
        .collect();
    assert_eq!(
        found,
        [
            ("unsupported head `besselj`".to_string(), 1, 29),
            ("unsupported head `gamma`".to_string(), 2, 28),
            ("unsupported head `besselj`".to_string(), 2, 48),
            ("unsupported name `zoo`".to_string(), 2, 82),
        ]
    );
    assert!(ps.iter().all(|p| p.kind == ProblemKind::UnsupportedHead));
    assert_eq!(ps[1].path, "Tuple[1]/Equality[1]/Add[0]/gamma");
}

#[test]
fn semantic_errors_name_what_is_wrong() {
    let n = dim("n");
    let cases = [
        (
            eq(&sym("s"), &at("x", &[&n], &[&k()])),
            "neither an Idx nor bound",
        ),
        (
            eq(
                &sym("s"),
                // (`2*i` is a strided read, op set 2; a square of an index is not.)
                &at("x", &[&n], &[&format!("Pow({}, Integer(2))", idx("i", &n))]),
            ),
            "an index must be",
        ),
        (
            eq(&sym("s"), "log(Symbol('x'), Integer(2))"),
            "takes 1 argument",
        ),
        (
            eq(&sym("s"), "Integer(123456789012345678901234567890)"),
            "does not fit in 64 bits",
        ),
        (
            "Add(Symbol('x'), Integer(1))".to_string(),
            "must be an Equality",
        ),
        (
            eq(
                &sym("s"),
                &format!("Add(Symbol('x'), {})", at("x", &[&n], &[&idx("i", &n)])),
            ),
            "both as a scalar and as an array",
        ),
    ];
    for (text, want) in cases {
        let e = air_sympy::import(&text, &Options::default()).unwrap_err();
        assert!(e.to_string().contains(want), "{want}: {e}");
    }
}

#[test]
fn a_flood_of_unsupported_heads_is_counted_not_listed() {
    let text = format!("Tuple({})", "f(Symbol('x')), ".repeat(200_000));
    let ps = problems(&text);
    assert_eq!(ps.len(), 1001);
    assert_eq!(ps[999].message, "unsupported head `f`");
    assert_eq!(
        ps[999].pos.map(|p| (p.line, p.col)),
        Some((1, 7 + 999 * 16))
    );
    assert_eq!(ps[1000].message, "and 199000 more problems");
}

#[test]
fn mutated_sreprs_never_panic() {
    // Deterministic mutations of a real srepr: heads swapped for every other head of the
    // vocabulary, arguments dropped, symbols renamed. Each must import or fail, never panic.
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/system.srepr"),
    )
    .unwrap();
    let heads: Vec<&str> = air_sympy::vocab::CALLS.iter().map(|(n, _)| *n).collect();
    let mut state = 12345u64;
    let mut rand = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize % n
    };
    let spots: Vec<usize> = base.match_indices('(').map(|(i, _)| i).collect();
    for _ in 0..3000 {
        let mut text = base.clone();
        for _ in 0..1 + rand(3) {
            let at = spots[rand(spots.len())];
            let start = text[..at]
                .rfind(|c: char| !c.is_alphanumeric())
                .map_or(0, |p| p + 1);
            match rand(3) {
                0 => text.replace_range(start..at, heads[rand(heads.len())]),
                1 => {
                    if let Some(end) = text[at..].find(", ").map(|e| at + e) {
                        let stop = text[end + 2..]
                            .find([',', ')'])
                            .map_or(end + 2, |e| end + 2 + e);
                        text.replace_range(end..stop, "");
                    }
                }
                _ => text = text.replacen("Symbol('x')", "Symbol('n', integer=True)", 1),
            }
        }
        let _ = air_sympy::import(&text, &Options::default());
    }
}

#[test]
fn a_system_with_temporaries_sums_piecewise_and_matrices() {
    // tests/data/system.srepr, written by SymPy 1.14:
    //   h[i] = A[i,j]*x[j] + b[i];  y[i] = Piecewise((tanh(h[i]), h[i] > 0 & b[i] != 1), (a*h[i]**2, True))
    //   s = Sum(2**(k-n+1)*y[k], (k, 0, n-1)) + Max(b[0], a) + Product(1 + b[k]/10, (k, 0, n-1))
    //   C = M*M.T
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/system.srepr");
    let text = std::fs::read_to_string(path).unwrap();
    let (av, xv, bv) = (
        [0.5, -1.0, 2.0, 0.25, -0.75, 1.5],
        [0.8, -0.4],
        [0.3, -0.2, 1.0],
    );
    let mv = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let a = 0.7;
    let inputs = [
        ("A", mat_t(3, &av)),
        ("M", mat_t(3, &mv)),
        ("a", Tensor::F64(ArrayD::from_elem(IxDyn(&[]), a))),
        ("b", vec_t(&bv)),
        ("x", vec_t(&xv)),
    ];
    let out = run(&text, &Options::default(), &inputs);
    let names: Vec<&str> = out.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["s", "C"], "h and y are temporaries");
    let mut s = 0.0;
    for k in 0..3 {
        let h = av[2 * k] * xv[0] + av[2 * k + 1] * xv[1] + bv[k];
        let y = if h > 0.0 && bv[k] != 1.0 {
            h.tanh()
        } else {
            a * h * h
        };
        s += 2f64.powi(k as i32 - 2) * y;
    }
    s += f64::max(bv[0], a) + bv.iter().map(|b| 1.0 + b / 10.0).product::<f64>();
    close(&out[0].1, &[s]);
    let c: Vec<f64> = (0..9)
        .map(|e| {
            (0..2)
                .map(|t| mv[(e / 3) * 2 + t] * mv[(e % 3) * 2 + t])
                .sum()
        })
        .collect();
    close(&out[1].1, &c);
}

/// Issue 13's done criterion: SymPy writes `Eq(y[i], re(exp(x[i])))` as
/// `exp(re(x[i])) * cos(im(x[i]))` (srepr below, printed by SymPy 1.14); on f64 `x`, `re(x)` is
/// `x` (NumPy's `np.real`: no node) and `im(x)` is 0, so `y = exp(x)`.
#[test]
fn re_of_exp_imports_with_numpys_complex_part_rules() {
    let n = dim("n");
    let i = idx("i", &n);
    let x = at("x", &[&n], &[&i]);
    let y = at("y", &[&n], &[&i]);
    let text = eq(&y, &format!("Mul(exp(re({x})), cos(im({x})))"));
    let m = air_sympy::import(&text, &Options::default()).unwrap();
    assert_eq!(m.opset_version, 2, "im is an op set 2 op");
    let printed = air_ir::text::print(&m);
    assert!(printed.contains("imag ("), "{printed}");
    assert!(
        !printed.contains("real ("),
        "re of f64 adds no node: {printed}"
    );
    let xs = [-1.5, 0.0, 0.5, 3.0];
    let got = &run(&text, &Options::default(), &[("x", vec_t(&xs))])[0].1;
    let want: Vec<f64> = xs.iter().map(|v: &f64| v.exp()).collect();
    close(got, &want);
    // conjugate and arg of real values: x itself, and 0 or pi (np.angle).
    let text = eq(&y, &format!("Add(conjugate({x}), arg({x}))"));
    let got = &run(&text, &Options::default(), &[("x", vec_t(&xs))])[0].1;
    let pi = std::f64::consts::PI;
    close(got, &[-1.5 + pi, 0.0, 0.5, 3.0]);
}
