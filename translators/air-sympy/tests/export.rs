//! The exporter: AIR written as srepr and imported back computes the same numbers (run on the
//! interpreter), in SymPy's spelling; what SymPy cannot express is listed construct by
//! construct.

use air_ir::Module;
use air_sympy::{Error, Options};
use air_value::ndarray::{ArrayD, IxDyn};
use air_value::{check_close, Tensor};

fn parse(text: &str) -> Module {
    let m = air_ir::text::parse(text, "test.air").unwrap_or_else(|e| panic!("{e}"));
    air_ir::validate::validate(&m).unwrap_or_else(|e| panic!("{e}"));
    m
}

/// Options an importer needs to rebuild the signature: dtypes of params and results, arg order.
fn options(m: &Module) -> Options {
    let f = &m.functions[0];
    let mut o = Options::default();
    for p in &f.params {
        o.dtypes.insert(p.name.clone(), p.ty.dtype);
    }
    for r in &f.results {
        o.dtypes
            .insert(r.name.clone().unwrap_or_default(), r.ty.dtype);
    }
    o.args = Some(f.params.iter().map(|p| p.name.clone()).collect());
    o
}

/// Deterministic f64 values for a shape.
fn f64s(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|i| (((i as u64 + 1) * 2654435761 + seed * 97) % 1000) as f64 / 250.0 - 2.0)
        .collect();
    Tensor::F64(ArrayD::from_shape_vec(IxDyn(shape), v).unwrap())
}

/// Exports, imports back, runs both, and compares every output.
fn round_trip(text: &str, inputs: &[(&str, Tensor)]) -> String {
    let m = parse(text);
    let srepr = air_sympy::export(&m, &Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let back = air_sympy::import(&srepr, &options(&m)).unwrap_or_else(|e| panic!("{e}\n{srepr}"));
    let inputs: Vec<(String, Tensor)> = inputs
        .iter()
        .map(|(n, t)| (n.to_string(), t.clone()))
        .collect();
    let entry = &m.functions[0].name;
    let want = air_interp::run(&m, entry, &inputs).unwrap();
    let got = air_interp::run(&back, "main", &inputs)
        .unwrap_or_else(|e| panic!("{e}\n{srepr}\n{}", air_ir::text::print(&back)));
    assert_eq!(got.len(), want.len());
    for ((gn, g), (wn, w)) in got.iter().zip(&want) {
        assert_eq!(gn, wn);
        check_close(g, w, 1e-12, 1e-14)
            .unwrap_or_else(|e| panic!("{gn}: {e}\n{srepr}\n{}", air_ir::text::print(&back)));
    }
    srepr
}

#[test]
fn elementwise_math_with_constants_and_select() {
    let text = "air 1 opset 1
func @f(%x: f64[n], %y: f64[n]) -> (%z: f64[n]) {
  %c = constant {value = f64 0.5} () : f64
  %cb = broadcast {shape = [n], dims = []} (%c) : f64[n]
  %e = exp (%x) : f64[n]
  %m = mul (%e, %cb) : f64[n]
  %s = sqrt (%m) : f64[n]
  %d = div (%s, %y) : f64[n]
  %g = gt (%x, %y) : bool[n]
  %t = tanh (%y) : f64[n]
  %sel = select (%g, %d, %t) : f64[n]
  %lo = neg (%cb) : f64[n]
  %z = clip (%sel, %lo, %cb) : f64[n]
  return %z
}";
    let srepr = round_trip(text, &[("x", f64s(&[5], 1)), ("y", f64s(&[5], 2))]);
    assert!(srepr.contains("Piecewise(ExprCondPair("), "{srepr}");
    assert!(srepr.contains("Pow(Mul(exp("), "{srepr}");
    assert!(srepr.contains("Rational(1, 2)"), "{srepr}");
}

#[test]
fn a_choice_between_truth_values_is_an_ite_and_a_condition_as_it_is() {
    // b = select(select(x > 0, x < 1, y > 0), x < y, not (x < y)): a select of truth values
    // used as a condition. Written as Piecewise it would be compared with zero, which reads back
    // as a cast that SymPy cannot write again; as ITE it is a Boolean that conditions take.
    let text = "air 1 opset 1
func @f(%x: f64[n], %y: f64[n]) -> (%b: bool[n]) {
  %z = constant {value = f64 0.0} () : f64
  %zb = broadcast {shape = [n], dims = []} (%z) : f64[n]
  %o = constant {value = f64 1.0} () : f64
  %ob = broadcast {shape = [n], dims = []} (%o) : f64[n]
  %p = gt (%x, %zb) : bool[n]
  %q = lt (%x, %ob) : bool[n]
  %r = gt (%y, %zb) : bool[n]
  %c = select (%p, %q, %r) : bool[n]
  %l = lt (%x, %y) : bool[n]
  %nl = not (%l) : bool[n]
  %b = select (%c, %l, %nl) : bool[n]
  return %b
}";
    let srepr = round_trip(text, &[("x", f64s(&[7], 5)), ("y", f64s(&[7], 6))]);
    assert!(srepr.contains("ITE(ITE(StrictGreaterThan("), "{srepr}");
    assert!(!srepr.contains("Unequality"), "{srepr}");
    // Written, read back and written again: the same text (select(c, true, false) is c).
    let back = air_sympy::import(&srepr, &Options::default()).unwrap();
    let again = air_sympy::export(&back, &Options::default()).unwrap();
    assert_eq!(again, srepr);
}

#[test]
fn reductions_einsum_and_matmul() {
    let text = "air 1 opset 1
func @f(%A: f64[n, m], %x: f64[m]) -> (%r: f64[n, 1], %mu: f64, %y: f64[n], %p: f64[n]) {
  %r = reduce_sum {axes = [1], keepdims = true} (%A) : f64[n, 1]
  %mu = reduce_mean {axes = [0, 1]} (%A) : f64
  %sq = mul (%A, %A) : f64[n, m]
  %y = einsum {spec = \"ij,j->i\"} (%sq, %x) : f64[n]
  %p = matmul (%A, %x) : f64[n]
  return %r, %mu, %y, %p
}";
    let srepr = round_trip(text, &[("A", f64s(&[3, 4], 3)), ("x", f64s(&[4], 4))]);
    assert!(srepr.starts_with("Tuple(Equality("), "{srepr}");
    assert!(srepr.contains("Sum("), "{srepr}");
}

#[test]
fn matvec_is_written_as_an_implicit_sum() {
    let text = "air 1 opset 1
func @matvec(%A: f64[n, m], %v: f64[m]) -> (%y: f64[n]) {
  %y = einsum {spec = \"ij,j->i\"} (%A, %v) : f64[n]
  return %y
}";
    let srepr = round_trip(text, &[("A", f64s(&[3, 4], 5)), ("v", f64s(&[4], 6))]);
    let n = "Symbol('n', integer=True, positive=True)";
    let m = "Symbol('m', integer=True, positive=True)";
    let i = format!("Idx(Symbol('i0', integer=True), Tuple(Integer(0), Add({n}, Integer(-1))))");
    let j = format!("Idx(Symbol('j0', integer=True), Tuple(Integer(0), Add({m}, Integer(-1))))");
    let want = format!(
        "Equality(Indexed(IndexedBase(Symbol('y'), Tuple({n})), {i}), \
         Mul(Indexed(IndexedBase(Symbol('A'), Tuple({n}, {m})), {i}, {j}), \
         Indexed(IndexedBase(Symbol('v'), Tuple({m})), {j})))"
    );
    assert_eq!(srepr, want);
}

/// An einsum of parameters is written as SymPy's implicit sum only where SymPy's contraction
/// structure sums exactly its summed letters; otherwise with an explicit `Sum`.
#[test]
fn an_implicit_sum_only_where_sympy_contracts_it() {
    let einsum = |spec: &str, args: &str, ty: &str, result: &str| {
        format!(
            "air 1 opset 1\nfunc @f({args}) -> (%s: {result}) {{\n  %s = einsum {{spec = \"{spec}\"}} ({ty}) : {result}\n  return %s\n}}"
        )
    };
    let a = [("A", f64s(&[3, 3], 1))];
    // A trace: SymPy contracts the index an Indexed repeats.
    let trace = round_trip(&einsum("ii->", "%A: f64[n, n]", "%A", "f64"), &a);
    assert!(!trace.contains("Sum("), "{trace}");
    // A sum of every element: no index is repeated, so SymPy would leave both outer.
    let all = round_trip(&einsum("ij->", "%A: f64[n, n]", "%A", "f64"), &a);
    assert!(all.starts_with("Equality(Symbol('s'), Sum("), "{all}");
    // x[j]*x[j] would be read by SymPy as x[j]**2, which contracts nothing.
    let x = [("x", f64s(&[4], 2))];
    let sq = round_trip(&einsum("i,i->", "%x: f64[n]", "%x, %x", "f64"), &x);
    assert!(sq.contains("Sum("), "{sq}");
    // A trace times the same letter elsewhere: SymPy keeps the two apart.
    let ab = [("A", f64s(&[3, 3], 1)), ("x", f64s(&[3], 3))];
    let mixed = round_trip(
        &einsum("ii,i->", "%A: f64[n, n], %x: f64[n]", "%A, %x", "f64"),
        &ab,
    );
    assert!(mixed.contains("Sum("), "{mixed}");
}

#[test]
fn shape_ops_move_indices() {
    let text = "air 1 opset 1
func @f(%A: f64[n, m], %b: f64[m], %u: f64[1, m]) -> (%t: f64[m, n], %s: f64[n, m], %o: f64[m], %q: f64[m]) {
  %t = transpose {perm = [1, 0]} (%A) : f64[m, n]
  %bb = broadcast {shape = [n, m], dims = [1]} (%b) : f64[n, m]
  %ub = broadcast {shape = [n, m], dims = [0, 1]} (%u) : f64[n, m]
  %s0 = add (%A, %bb) : f64[n, m]
  %s = sub (%s0, %ub) : f64[n, m]
  %row = slice {axes = [1:2:1, ::1]} (%A) : f64[1, m]
  %o = squeeze {axes = [0]} (%row) : f64[m]
  %e = expand_dims {axes = [0]} (%b) : f64[1, m]
  %kf = full {value = f64 0.25, shape = [1, m]} () : f64[1, m]
  %w = mul (%e, %kf) : f64[1, m]
  %q = squeeze {axes = [0]} (%w) : f64[m]
  return %t, %s, %o, %q
}";
    round_trip(
        text,
        &[
            ("A", f64s(&[3, 4], 7)),
            ("b", f64s(&[4], 8)),
            ("u", f64s(&[1, 4], 9)),
        ],
    );
}

#[test]
fn integer_and_boolean_results_keep_their_dtypes() {
    let text = "air 1 opset 1
func @f(%a: i32[n], %b: i32[n], %t: i64[n]) -> (%m: i32[n], %lt: bool[n], %s: i64) {
  %m = max (%a, %b) : i32[n]
  %lt = lt (%a, %b) : bool[n]
  %k = iota {dtype = i64, shape = [n], axis = 0} () : i64[n]
  %w = mul (%t, %k) : i64[n]
  %s = reduce_sum {axes = [0]} (%w) : i64
  return %m, %lt, %s
}";
    let ints =
        |v: &[i32]| Tensor::I32(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.to_vec()).unwrap());
    let t = Tensor::I64(ArrayD::from_shape_vec(IxDyn(&[3]), vec![5, 6, 7]).unwrap());
    let srepr = round_trip(
        text,
        &[("a", ints(&[1, 5, -2])), ("b", ints(&[3, 5, -7])), ("t", t)],
    );
    assert!(
        srepr.contains("Piecewise(ExprCondPair(true, StrictLessThan("),
        "{srepr}"
    );
}

#[test]
fn inout_parameters_read_their_old_value() {
    let text = "air 1 opset 1
func @axpy(%a: f64, %x: f64[n], inout %y: f64[n]) -> () {
  %ab = broadcast {shape = [n], dims = []} (%a) : f64[n]
  %ax = mul (%ab, %x) : f64[n]
  %y2 = add (%ax, %y) : f64[n]
  return %y2
}";
    let a = Tensor::F64(ArrayD::from_elem(IxDyn(&[]), 2.0));
    let srepr = round_trip(
        text,
        &[("a", a), ("x", f64s(&[4], 10)), ("y", f64s(&[4], 11))],
    );
    let back = air_sympy::import(&srepr, &options(&parse(text))).unwrap();
    let intents: Vec<_> = back.functions[0].params.iter().map(|p| p.intent).collect();
    assert_eq!(
        intents,
        [
            air_ir::Intent::In,
            air_ir::Intent::In,
            air_ir::Intent::InOut
        ]
    );
}

#[test]
fn every_inexpressible_construct_is_listed() {
    let text = "air 1 opset 1
func @f(%x: f32[n], %z: c64[n]) -> (%a: f64[n], %b: f32[n], %c: f32[k], %d: f32[n]) {
  %a = cast {dtype = f64} (%x) : f64[n]
  %b = sort {axis = 0, descending = false} (%x) : f32[n]
  %g = gt (%x, %x) : bool[n]
  %c = filter (%x, %g) : f32[k]
  %d = expm1 (%x) : f32[n]
  return %a, %b, %c, %d
}";
    let Err(Error::Export(items)) = air_sympy::export(&parse(text), &Options::default()) else {
        panic!("expected an export error");
    };
    let found: Vec<String> = items
        .iter()
        .map(|c| format!("{} {}", c.what, c.at))
        .collect();
    assert_eq!(
        found,
        [
            "a complex parameter %z",
            "cast %0",
            "sort %1",
            "filter %3",
            "expm1 %4",
            "an unused parameter %z",
        ]
    );
    assert!(items
        .iter()
        .all(|c| c.function == "f" && !c.reason.is_empty()));
}

#[test]
fn deep_expressions_are_refused_rather_than_unreadable() {
    let mut text = String::from(
        "air 1 opset 1\nfunc @f(%x: f64[n]) -> (%y: f64[n]) {\n  %v0 = exp (%x) : f64[n]\n",
    );
    for k in 1..400 {
        text.push_str(&format!("  %v{k} = sin (%v{}) : f64[n]\n", k - 1));
    }
    text.push_str("  return %v399\n}\n");
    let e = air_sympy::export(&parse(&text), &Options::default()).unwrap_err();
    assert!(e.to_string().contains("deeper than"), "{e}");
}

/// The `export` fuzz target's first finding: AIR names may be any text, but the srepr reader (and
/// SymPy's code printers) take only identifiers, so a function with a result named `=` exported
/// text that did not read back. Such names are now listed, parameters and results alike.
#[test]
fn names_that_are_not_identifiers_are_listed() {
    let text = "air 1 opset 1
func @main(%\"x y\": f64[8]) -> (%\"=\": f64[8], %ok: f64[8]) {
  %a = neg (%\"x y\") : f64[8]
  %b = exp (%\"x y\") : f64[8]
  return %a, %b
}";
    let Err(Error::Export(items)) = air_sympy::export(&parse(text), &Options::default()) else {
        panic!("names that are not identifiers must be refused")
    };
    let listed: Vec<(&str, &str)> = items
        .iter()
        .map(|c| (c.at.as_str(), c.what.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            ("%\"x y\"", "a parameter name"),
            ("result 0", "a result name")
        ],
        "{items:?}"
    );
    assert!(
        items[1].reason.contains("`=` is not an identifier"),
        "{items:?}"
    );
    let renamed = text.replace("\"x y\"", "xy").replace("%\"=\"", "%eq");
    let srepr = air_sympy::export(&parse(&renamed), &Options::default()).expect("exports");
    air_sympy::import(&srepr, &Options::default()).expect("imports back");
}
