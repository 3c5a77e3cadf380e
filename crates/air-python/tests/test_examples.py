"""The five library-written examples (`docs/examples/libraries/`), computed by skair from every form AIR reads them
in: the AIR text of `docs/examples/<name>.air` (what `scripts/demo.sh` runs), SymPy's srepr file,
and the live SymPy objects it describes; checked against `expected.npz`, which the real libraries
computed."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

import skair
from conftest import REPO, examples_dir
from test_sympy import same_equation

NAMES = ["concat", "ew_fused", "matvec", "scan_iir", "table_revenue"]
WITH_SYMPY = ["ew_fused", "matvec", "scan_iir", "table_revenue"]
BACKENDS = ["llvm", "interp"]


def case(name):
    d = examples_dir() / name
    meta = json.loads((d / "meta.json").read_text())
    with np.load(d / "inputs.npz") as z:
        inputs = {k: z[k] for k in z.files}
    with np.load(d / "expected.npz") as z:
        expected = {k: z[k] for k in z.files}
    return d, meta, inputs, expected


def check(meta, expected, got):
    outputs = meta["outputs"]
    got = got if isinstance(got, tuple) else (got,)
    assert len(got) == len(outputs)
    tol = meta["tolerance"]
    for name, value in zip(outputs, got):
        want = expected[name]
        assert value.shape == want.shape and value.dtype == want.dtype, name
        np.testing.assert_allclose(value, want, rtol=tol["rtol"], atol=tol["atol"], err_msg=name)


def call(kernel, inputs):
    """Binds the example's inputs by parameter name (the npz also holds the record table `t`)."""
    return kernel(**{p.name: inputs[p.name] for p in kernel.params})


def test_every_shared_example_is_covered():
    assert sorted(p.name for p in examples_dir().iterdir() if p.is_dir()) == sorted(NAMES)
    assert sorted(p.stem for p in (REPO / "docs/examples").glob("*.air")) == sorted(NAMES)
    assert sorted(p.parent.name for p in examples_dir().glob("*/sympy.srepr.txt")) == sorted(WITH_SYMPY)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", NAMES)
def test_air_form(name, backend):
    _, meta, inputs, expected = case(name)
    k = skair.compile(skair.load(REPO / "docs/examples" / f"{name}.air"), backend=backend)
    check(meta, expected, call(k, inputs))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", WITH_SYMPY)
def test_srepr_file(name, backend):
    d, meta, inputs, expected = case(name)
    k = skair.compile(skair.load(d / "sympy.srepr.txt"), backend=backend)
    check(meta, expected, call(k, inputs))


def live(name):
    from sympy.core.symbol import Str
    from sympy.functions.elementary.piecewise import ExprCondPair

    namespace = {**vars(sympy), "ExprCondPair": ExprCondPair, "Str": Str}
    return eval((examples_dir() / name / "sympy.srepr.txt").read_text(), namespace)  # trusted test data


@pytest.mark.parametrize("name", WITH_SYMPY)
def test_live_sympy_objects(name):
    _, meta, inputs, expected = case(name)
    eq = live(name)
    k = skair.compile(skair.from_sympy(eq))
    check(meta, expected, call(k, inputs))


@pytest.mark.parametrize("name", ["ew_fused", "matvec", "table_revenue"])
def test_live_sympy_round_trip(name):
    _, meta, inputs, expected = case(name)
    eq = live(name)
    back = skair.to_sympy(skair.from_sympy(eq))
    assert same_equation(eq, back), f"{eq}\n{back}"
    check(meta, expected, call(skair.compile(skair.from_sympy(back)), inputs))


@pytest.mark.xfail(
    strict=True,
    raises=skair.TranslationError,
    reason="air-sympy's export has no form for the int-to-float cast its import makes of 2**(k-n+1)",
)
def test_live_sympy_round_trip_scan_iir():
    skair.to_sympy(skair.from_sympy(live("scan_iir")))


def test_record_table_passed_whole():
    _, meta, inputs, expected = case("table_revenue")
    t = inputs["t"]
    for path in [REPO / "docs/examples/table_revenue.air", examples_dir() / "table_revenue/sympy.srepr.txt"]:
        check(meta, expected, skair.compile(skair.load(path))(t=t))
