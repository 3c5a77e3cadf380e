"""No order, default or convention picked by accident on the SymPy side, each checked against
SymPy itself: the default parameter order is the one SymPy's codegen gives
(``make_routine(..., argument_sequence=None)``), results come in the order of the equations (as
SymPy's codegen returns several values), integer assumptions give integer dtypes as
``get_default_datatype`` does, and ``Piecewise`` without a default is ``nan`` where SymPy's is."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy.utilities.codegen import InOutArgument, InputArgument, make_routine

import skair

n, m = sp.symbols("n m", integer=True, positive=True)
i, j = sp.Idx("i", n), sp.Idx("j", m)
A = sp.IndexedBase("A", shape=(n, m))
x, y, u, v = (sp.IndexedBase(name, shape=(n,)) for name in "xyuv")
p = sp.IndexedBase("p", shape=(m,))
a, b, c, t = sp.symbols("a b c t")
DIMS = {"n", "m"}  # AIR binds dims from the arrays' shapes; SymPy's codegen makes them arguments

SYSTEMS = {
    "matvec": sp.Eq(y[i], A[i, j] * p[j]),
    "scalars": [sp.Eq(sp.Symbol("z"), b - a), sp.Eq(sp.Symbol("w"), a * c)],
    "inout": sp.Eq(x[i], x[i] + b * y[i]),
    "inout_and_input_names_interleave": sp.Eq(u[i], a * x[i] + u[i] + v[i]),
    "outputs_out_of_name_order": [sp.Eq(v[i], x[i] + t), sp.Eq(u[i], x[i] * t)],
    "capital_and_lower_case": sp.Eq(sp.Symbol("r"), sp.Symbol("B") * a - sp.Symbol("Z")),
}


def sympy_signature(eqs):
    """SymPy's default argument list (C/Fortran codegen: inputs by name, then the arguments an
    equation assigns by name) less the dims, and the results in the order SymPy's codegen
    returns several values (Octave): the two lists AIR must give."""
    args = make_routine("f", eqs, language="F95").arguments
    params = [
        (str(arg.name), "inout" if isinstance(arg, InOutArgument) else "in")
        for arg in args
        if isinstance(arg, (InputArgument, InOutArgument)) and str(arg.name) not in DIMS
    ]
    inouts = {name for name, intent in params if intent == "inout"}
    results = [str(r.name) for r in make_routine("f", eqs, language="Octave").results]
    return params, [r for r in results if r not in inouts]


@pytest.mark.parametrize("name", sorted(SYSTEMS))
def test_default_order_is_sympy_codegen_s(name):
    eqs = SYSTEMS[name]
    kernel = skair.compile(skair.from_sympy(eqs), backend="interp")
    got_params = [(arg.name, arg.intent) for arg in kernel.params]
    got_results = [arg.name for arg in kernel.results]
    assert (got_params, got_results) == sympy_signature(eqs)


def test_the_order_rule_differs_from_sorting_every_parameter():
    # The inout case is where the rule matters: sorted by name, x would come before y.
    params, _ = sympy_signature(SYSTEMS["inout"])
    assert [name for name, _ in params] == ["b", "y", "x"]


def test_positional_calls_bind_as_sympy_s_routine_orders():
    eqs = SYSTEMS["scalars"]
    kernel = skair.compile(skair.from_sympy(eqs), backend="interp")
    z, w = kernel(2.0, 5.0, 3.0)  # a, b, c as make_routine orders them
    assert (float(z), float(w)) == (3.0, 6.0)


def assumption_keys():
    from sympy.core.assumptions import _assume_defined

    return sorted(_assume_defined)


@pytest.mark.parametrize("key", assumption_keys())
def test_a_symbol_is_integer_exactly_when_sympy_says_so(key):
    k = sp.Symbol("k", **{key: True})
    kernel = skair.compile(skair.from_sympy(sp.Eq(sp.Symbol("r"), k + 1)), backend="interp")
    want = "int64" if k.is_integer else "float64"
    assert kernel.params[0].dtype == want, (key, k.is_integer)


def test_piecewise_without_a_default_is_nan_where_sympy_s_is():
    q = sp.Symbol("q")
    expr = sp.Piecewise((q * 2, q > 0), (q - 1, q < -1))
    kernel = skair.compile(skair.from_sympy(expr, output="r"), backend="interp")
    for value in (3.0, -0.5, -4.0):
        want = float(expr.subs(q, value))
        got = float(kernel(value))
        assert (np.isnan(got) and np.isnan(want)) or got == want, value
    assert np.isnan(float(expr.subs(q, -0.5)))  # SymPy's own rule, not only AIR's
    # Integer branches: nan is still the value, so the result is a float.
    k = sp.Symbol("k", integer=True)
    ints = sp.Piecewise((k, k > 0))
    kernel = skair.compile(skair.from_sympy(ints, output="r"), backend="interp")
    assert kernel.results[0].dtype == "float64"
    assert np.isnan(float(kernel(np.int64(-1)))) and ints.subs(k, -1) is sp.nan
    assert float(kernel(np.int64(3))) == 3.0


def test_mod_and_division_of_integers_follow_sympy():
    k, l = sp.symbols("k l", integer=True)
    eqs = [sp.Eq(sp.Symbol("r"), sp.Mod(k, l)), sp.Eq(sp.Symbol("s"), k / l)]
    kernel = skair.compile(skair.from_sympy(eqs, args=[k, l]), backend="interp")
    for kv, lv in [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3)]:
        r, q = kernel(np.int64(kv), np.int64(lv))
        assert int(r) == int(sp.Mod(kv, lv)), (kv, lv)
        assert float(q) == float(sp.Rational(kv, lv)), (kv, lv)


def test_several_functions_without_main_are_refused():
    text = """air 1 opset 1
func @f(%x: f64[n]) -> (%y: f64[n]) {
  %y = neg (%x) : f64[n]
  return %y
}
func @g(%x: f64[n]) -> (%y: f64[n]) {
  %y = exp (%x) : f64[n]
  return %y
}
"""
    module = skair.loads(text)
    with pytest.raises(ValueError, match="functions @f, @g and none is @main"):
        skair.compile(module)
    assert skair.compile(module, function="g", backend="interp")(np.zeros(2)).tolist() == [1.0, 1.0]
    with pytest.raises(skair.TranslationError, match="no entry function"):
        skair.to_sympy(module)
    with pytest.raises(skair.TranslationError, match="no entry function"):
        skair.to_pytensor(module)
