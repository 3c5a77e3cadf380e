"""The SymPy bridge with live SymPy objects: from_sympy, to_sympy, round trips, and the safe
rebuilding of srepr text."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

import skair
from skair._sympy import rebuild


def bound_symbols(e):
    out = set(e.atoms(sp.Idx))
    for s in e.atoms(sp.Sum, sp.Product):
        out.update(limit[0] for limit in s.limits)
    return sorted(out, key=str)


def same_equation(a, b) -> bool:
    """True when SymPy finds `b` equal to `a` up to the names of indices and summation variables
    (the export renames them), with `b`'s floats read back as the integers they equal; a left
    side Symbol compares by name (AIR keeps dtypes, not assumptions)."""
    xa, xb = bound_symbols(a), bound_symbols(b)
    if len(xa) != len(xb):
        return False
    for perm in itertools.permutations(xa):
        b2 = b.xreplace(dict(zip(xb, perm)))
        lhs_same = b2.lhs == a.lhs or (
            isinstance(a.lhs, sp.Symbol) and isinstance(b2.lhs, sp.Symbol) and a.lhs.name == b2.lhs.name
        )
        if lhs_same and sp.nsimplify(b2.rhs) == a.rhs:
            return True
    return False


def systems(s):
    i, j, x, y, z, A, v = s.i, s.j, s.x, s.y, s.z, s.A, s.v
    k = sp.Symbol("k", integer=True)
    return {
        "elementwise": sp.Eq(z[i], x[i] * y[i] + sp.exp(-x[i]) * sp.cos(y[i])),
        "piecewise": sp.Eq(z[i], sp.Piecewise((x[i], x[i] > y[i]), (y[i] ** 2, True))),
        "matvec": sp.Eq(s.y[i], A[i, j] * v[j]),
        "sum": sp.Eq(sp.Symbol("t"), sp.Sum(x[k] * y[k], (k, 0, s.n - 1))),
    }


@pytest.mark.parametrize("name", ["elementwise", "piecewise", "matvec", "sum"])
def test_round_trip_through_live_objects(sym, name):
    eq = systems(sym)[name]
    back = skair.to_sympy(skair.from_sympy(eq))
    assert isinstance(back, sp.Equality)
    if name == "sum":
        # The export writes the explicit Sum as SymPy codegen's implicit one: by SymPy's own
        # index analysis the right side has no free index and one contracted index.
        from sympy.tensor.index_methods import get_contraction_structure, get_indices

        assert get_indices(back.rhs)[0] == set()
        assert len([key for key in get_contraction_structure(back.rhs) if key]) == 1
    else:
        assert same_equation(eq, back), f"{eq}\n{back}"
    # and the rebuilt equation computes the same numbers
    x, y = np.random.default_rng(0).standard_normal((2, 6))
    k1, k2 = skair.compile(skair.from_sympy(eq)), skair.compile(skair.from_sympy(back))
    args = {"A": np.ones((6, 4)), "v": np.arange(4.0)} if name == "matvec" else {"x": x, "y": y}
    np.testing.assert_allclose(k2(**args), k1(**args), rtol=1e-12)


def test_several_equations_come_back_as_a_list(sym):
    i, x, y, z, w = sym.i, sym.x, sym.y, sym.z, sym.w
    eqs = [sp.Eq(z[i], x[i] + y[i]), sp.Eq(w[i], x[i] * y[i])]
    m = skair.from_sympy(eqs)
    k = skair.compile(m)
    a, b = np.arange(3.0), np.arange(3.0) + 1
    zz, ww = k(a, b)
    np.testing.assert_array_equal(zz, a + b)
    np.testing.assert_array_equal(ww, a * b)
    back = skair.to_sympy(m)
    assert isinstance(back, list) and len(back) == 2
    assert all(same_equation(e, b) for e, b in zip(eqs, back))
    assert skair.from_sympy(back).text() == m.text()


def test_expressions_take_an_output_name(sym):
    i, x = sym.i, sym.x
    s = skair.compile(skair.from_sympy(x[i] ** 2, output="s"))  # a Symbol left side: summed over i
    a = np.arange(4.0)
    assert float(s(a)) == float(np.sum(a**2))
    z = skair.compile(skair.from_sympy(x[i] ** 2, output=sym.z[i]))
    np.testing.assert_array_equal(z(a), a**2)


def test_args_and_dtypes_accept_sympy_objects(sym):
    i, x, y, z = sym.i, sym.x, sym.y, sym.z
    m = skair.from_sympy(sp.Eq(z[i], x[i] - y[i]), args=[y, x], dtypes={x: np.float32, "y": "f32"})
    k = skair.compile(m)
    assert k.signature == "@main(%y: f32[n], %x: f32[n]) -> (%z: f32[n])"
    r = k(np.ones(2, np.float32), np.full(2, 3, np.float32))
    assert r.dtype == np.float32 and list(r) == [2.0, 2.0]


def test_from_sympy_says_what_it_takes(sym):
    with pytest.raises(TypeError, match="expected a sympy.Eq, a list of them, or an expression with output="):
        skair.from_sympy(42)
    with pytest.raises(TypeError, match="an expression needs output="):
        skair.from_sympy(sym.x[sym.i] + 1)
    with pytest.raises(TypeError, match="a list must hold sympy.Eq equations, got Add"):
        skair.from_sympy([sym.x[sym.i] + 1])
    with pytest.raises(TypeError, match="output= is for a bare expression"):
        skair.from_sympy(sp.Eq(sym.z[sym.i], sym.x[sym.i]), output="q")
    with pytest.raises(skair.TranslationError, match="besselj"):
        skair.from_sympy(sp.Eq(sp.Symbol("y"), sp.besselj(0, sp.Symbol("x"))))


@pytest.mark.parametrize(
    "text, message",
    [
        ("__import__('os')", "'__import__' is not a SymPy name"),
        ("__import__('os').system('true')", "only SymPy class names may be called"),
        ("lambdify(Symbol('x'), Symbol('x'))", "'lambdify' is not a SymPy class"),
        ("sympify('1+1')", "'sympify' is not a SymPy class"),
        ("Symbol('x').evalf()", "only SymPy class names may be called"),
        ("Add(Integer(1), x)", "'x' is not a SymPy name"),
        ("Integer(1) + Integer(2)", "a literal at the top"),
        ("Integer([1, 2])", "unexpected List"),
        ("Symbol('x', **{'real': True})", "\\*\\* arguments are not accepted"),
        ("Symbol", "Symbol is used without arguments"),
        ("Equality(", "not srepr text"),
    ],
)
def test_rebuilding_srepr_never_evaluates_code(text, message):
    with pytest.raises(ValueError, match=message):
        rebuild(text)


def test_rebuild_reads_what_srepr_writes(sym):
    e = sp.Eq(
        sym.z[sym.i],
        sp.Piecewise((sp.Rational(1, 2) * sym.x[sym.i], sp.Ne(sym.x[sym.i], 0)), (-sp.pi, True)) + sp.Float("1.5"),
    )
    assert rebuild(sp.srepr(e)) == e
    assert rebuild(sp.srepr(sp.Tuple(e, e))) == sp.Tuple(e, e)


def test_re_of_exp_runs_on_both_backends_as_lambdify():
    """Issue 13's done criterion: SymPy's Eq(y[i], re(exp(x[i]))) (which SymPy rewrites as
    exp(re(x[i])) * cos(im(x[i]))) imports, runs on the interpreter and llvm, and matches
    SymPy's own lambdify."""
    n = sp.Symbol("n", integer=True, positive=True)
    i = sp.Idx("i", n)
    x, y = sp.IndexedBase("x", shape=(n,)), sp.IndexedBase("y", shape=(n,))
    rhs = sp.re(sp.exp(x[i]))
    module = skair.from_sympy(sp.Eq(y[i], rhs))
    x0 = np.linspace(-3.0, 3.0, 13)
    xs = sp.Symbol("xs")
    f = sp.lambdify(xs, rhs.subs(x[i], xs), "numpy")
    want = np.array([f(v) for v in x0], dtype=np.float64)
    for backend in ("interp", "llvm"):
        got = skair.compile(module, backend=backend)(x0)
        np.testing.assert_allclose(got, want, rtol=1e-15)
