"""No order or convention picked by accident on the PyTensor side: parameters are what the caller
names (as ``pytensor.function`` requires), and the scalar ops whose conventions differ between
languages (integer division, remainder, rounding, division of integers) compute what real
PyTensor computes."""

from __future__ import annotations

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

import skair
import skair.pytensor_json as pj


def pytensor_values(inputs, outputs, args):
    """Real PyTensor's values: the Python linker, no rewrites (each op's own ``perform``)."""
    mode = pytensor.compile.mode.Mode(linker="py", optimizer=None)
    return pytensor.function(inputs, outputs, mode=mode)(*args)


def test_several_free_inputs_without_inputs_are_refused():
    a, b = pt.dvector("a"), pt.dvector("b")
    for call in (lambda: skair.from_pytensor(a - b), lambda: pj.dumps(a - b), lambda: pj.graph_to_json([a - b])):
        with pytest.raises(TypeError, match=r"2 free inputs \((a, b|b, a),.*inputs=\[\.\.\.\]"):
            call()


def test_unnamed_free_inputs_are_listed_too():
    a, b = pt.dvector(), pt.dvector("b")
    with pytest.raises(TypeError, match=r"2 free inputs .*b"):
        skair.from_pytensor(a * b)


def test_inputs_fix_the_positional_order():
    a, b = pt.dvector("a"), pt.dvector("b")
    x, y = np.array([5.0, 7.0]), np.array([1.0, 2.0])
    for order, want in (([a, b], x - y), ([b, a], x - y)):
        k = skair.compile(skair.from_pytensor(a - b, order), backend="interp")
        assert [p.name for p in k.params] == [v.name for v in order]
        got = k(**{"a": x, "b": y})
        np.testing.assert_array_equal(got, want)
    k = skair.compile(skair.from_pytensor(a - b, [b, a]), backend="interp")
    np.testing.assert_array_equal(k(y, x), x - y)


def test_one_free_input_may_stay_implicit():
    a = pt.dvector("a")
    k = skair.compile(skair.from_pytensor(pt.exp(a) + 1.0), backend="interp")
    assert [p.name for p in k.params] == ["a"]
    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(k(x), pytensor_values([a], pt.exp(a) + 1.0, [x]))


def test_a_function_graph_keeps_its_own_inputs():
    from pytensor.graph.fg import FunctionGraph

    a, b = pt.dvector("a"), pt.dvector("b")
    fg = FunctionGraph([b, a], [a - b], clone=True)
    k = skair.compile(skair.from_pytensor(fg), backend="interp")
    assert [p.name for p in k.params] == ["b", "a"]


@pytest.mark.parametrize("dtype", ["int64", "int32", "float64"])
def test_division_remainder_and_rounding_follow_pytensor(dtype):
    x, y = pt.vector("x", dtype=dtype), pt.vector("y", dtype=dtype)
    outs = [x // y, x % y, x / y]
    if dtype == "float64":
        outs.append(pt.round(x / y, mode="half_to_even"))
    a = np.array([7, -7, 7, -7, 5, -5, 3, -3, 0], dtype=dtype)
    b = np.array([2, 2, -2, -2, 2, 2, 2, -2, 3], dtype=dtype)
    if dtype == "float64":
        a = np.concatenate([a, [2.5, -0.5, 1.5, 7.25]])
        b = np.concatenate([b, [1.0, 1.0, 1.0, -0.5]])
    want = pytensor_values([x, y], outs, [a, b])
    for backend in ("interp", "llvm"):
        got = skair.compile(skair.from_pytensor(outs, [x, y]), backend=backend)(a, b)
        for g, w, what in zip(got, want, ["//", "%", "/", "round"]):
            assert g.dtype == w.dtype, (backend, what)
            np.testing.assert_array_equal(g, w, err_msg=f"{what} on {backend}")


def test_round_half_away_from_zero_is_refused_not_rounded_to_even():
    x = pt.dvector("x")
    with pytest.raises(skair.TranslationError, match="RoundHalfAwayFromZero"):
        skair.from_pytensor(pt.round(x, mode="half_away_from_zero"), [x])
