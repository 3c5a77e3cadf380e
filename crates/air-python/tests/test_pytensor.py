"""Live PyTensor graphs through skair: from_pytensor / to_pytensor / pytensor_json, against the
numbers real PyTensor and SymPy compute, and the library examples (docs/examples/libraries)' pytensor.json files."""

from __future__ import annotations

import json

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
import sympy as sp

import skair
from conftest import examples_dir

RNG = np.random.default_rng(7)


def fast_function(inputs, outputs):
    """Real PyTensor, compiled quickly: the Python linker, no rewrites (what the peer check uses)."""
    return pytensor.function(inputs, outputs, mode=pytensor.compile.mode.Mode(linker="py", optimizer=None))


def test_a_live_graph_compiles_to_the_numbers_pytensor_computes():
    a, b, c = pt.dvector("a"), pt.dvector("b"), pt.dvector("c")
    y = a * b + pt.sin(c) * pt.exp(-a)
    module = skair.from_pytensor(y, [a, b, c])
    assert [p.name for p in skair.compile(module).params] == ["a", "b", "c"]
    args = [RNG.uniform(-3, 3, 101) for _ in range(3)]
    want = fast_function([a, b, c], y)(*args)
    for backend in ("llvm", "interp"):
        got = skair.compile(module, backend=backend)(*args)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


def test_matrix_graph_with_reductions_and_broadcasting():
    A, x = pt.dmatrix("A"), pt.dvector("x")
    y = pt.dot(A, x) + A.sum(axis=1) * pt.max(x)
    module = skair.from_pytensor([y], [A, x])
    A0, x0 = RNG.normal(size=(5, 7)), RNG.normal(size=7)
    want = fast_function([A, x], y)(A0, x0)
    np.testing.assert_allclose(skair.compile(module)(A0, x0), want, rtol=1e-12)
    # Fortran-ordered input, no copy needed by the kernel: same numbers.
    np.testing.assert_allclose(skair.compile(module)(np.asfortranarray(A0), x0), want, rtol=1e-12)


def test_sympy_to_pytensor_runs_in_pytensor():
    n, m = sp.symbols("n m", integer=True, positive=True)
    i, j = sp.Idx("i", n), sp.Idx("j", m)
    A, x, y = sp.IndexedBase("A", shape=(n, m)), sp.IndexedBase("x", shape=(m,)), sp.IndexedBase("y", shape=(n,))
    module = skair.from_sympy(sp.Eq(y[i], sp.exp(-A[i, j] ** 2) * x[j]), args=["A", "x"])
    inputs, outputs = skair.to_pytensor(module)
    assert [v.name for v in inputs] == ["A", "x"]
    A0, x0 = RNG.normal(size=(4, 6)), RNG.normal(size=6)
    got = fast_function(inputs, outputs)(A0, x0)
    got = got[0] if isinstance(got, list) else got
    np.testing.assert_allclose(got, np.exp(-A0 ** 2) @ x0, rtol=1e-12)


def test_pytensor_to_sympy_evaluates_in_sympy():
    x, z = pt.dvector("x"), pt.dvector("z")
    y = pt.switch(x > 0, pt.sqrt(x), -x) * z + 1.5
    eqs = skair.to_sympy(skair.from_pytensor(y, [x, z]))
    eq = eqs[0] if isinstance(eqs, list) else eqs
    x0, z0 = RNG.normal(size=9), RNG.normal(size=9)
    want = fast_function([x, z], y)(x0, z0)
    (idx,) = sorted(eq.lhs.indices, key=str)
    bases = {b.label.name: b for b in eq.rhs.atoms(sp.IndexedBase)}
    values = {"x": x0, "z": z0}
    got = []
    for k in range(9):
        expr = eq.rhs.subs(idx, k)
        expr = expr.subs({bases[name][k]: sp.Float(values[name][k], 17) for name in bases})
        got.append(float(expr))
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_pytensor_json_files_round_trip(tmp_path):
    a, b = pt.dmatrix("a"), pt.dmatrix("b")
    y = pt.tanh(a @ b).sum(axis=0)
    path = tmp_path / "model.pytensor.json"
    skair.pytensor_json.dump(y, path, inputs=[a, b])
    assert json.loads(path.read_text())["format"] == "pytensor-fgraph-json/1"
    inputs, outputs = skair.pytensor_json.load(path)
    a0, b0 = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 5))
    want = fast_function([a, b], y)(a0, b0)
    np.testing.assert_allclose(fast_function(inputs, outputs)(a0, b0)[0], want, rtol=1e-13)
    np.testing.assert_allclose(skair.compile(skair.load(path))(a0, b0), want, rtol=1e-13)
    # AIR's own PyTensor export of the same module rebuilds into PyTensor too.
    skair.convert(path, tmp_path / "again.pytensor.json")
    inputs2, outputs2 = skair.pytensor_json.load(tmp_path / "again.pytensor.json")
    np.testing.assert_allclose(fast_function(inputs2, outputs2)(a0, b0)[0], want, rtol=1e-13)


def test_unsupported_ops_are_all_named():
    x = pt.dmatrix("x")
    y = pt.linalg.det(x) + pt.linalg.inv(x).sum()
    with pytest.raises(skair.TranslationError) as err:
        skair.from_pytensor(y, [x])
    message = str(err.value)
    assert "Det" in message and "MatrixInverse" in message, message


@pytest.mark.parametrize("name", ["concat", "ew_fused", "matvec", "scan_iir", "table_revenue"])
def test_shared_examples_from_their_pytensor_json(name):
    d = examples_dir() / name
    meta = json.loads((d / "meta.json").read_text())
    module = skair.load(d / "pytensor.json", format="pytensor")
    with np.load(d / "inputs.npz") as z:
        inputs = {k: z[k] for k in z.files}
    with np.load(d / "expected.npz") as z:
        expected = {k: z[k] for k in z.files}
    kernel = skair.compile(module)
    names = [p.name for p in kernel.params]
    got = kernel(**{k: inputs[k] for k in names}) if set(names) <= set(inputs) else None
    assert got is not None, f"params {names} not all in inputs.npz ({sorted(inputs)})"
    got = got if isinstance(got, tuple) else (got,)
    tol = meta["tolerance"]
    for out, value in zip(meta["outputs"], got):
        np.testing.assert_allclose(value, expected[out], rtol=tol.get("rtol", 0), atol=tol.get("atol", 0))


def test_complex_parts_match_pytensor():
    """pt.complex, pt.real, pt.imag, pt.angle, pt.conj (op set 2) against PyTensor's own numbers:
    complex intermediates and results on both backends."""
    a, b = pt.dvector("a"), pt.dvector("b")
    z = pt.complex(a, b)
    real_out = pt.real(z) * 2.0 + pt.imag(z) + pt.angle(z)
    args = [RNG.uniform(-3, 3, 17), RNG.uniform(-3, 3, 17)]
    args[1][:3] = [0.0, -0.0, np.inf]
    want = fast_function([a, b], real_out)(*args)
    module = skair.from_pytensor(real_out, [a, b])
    text = module.text()
    assert "complex (" in text and "angle (" in text and "imag (" in text, text
    for backend in ("interp", "llvm"):
        got = skair.compile(module, backend=backend)(*args)
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    conj_out = pt.conj(z)
    want = fast_function([a, b], conj_out)(*args)
    for backend in ("interp", "llvm"):
        got = skair.compile(skair.from_pytensor(conj_out, [a, b]), backend=backend)(*args)
        np.testing.assert_array_equal(got, want)
    # Real dtypes: pt.real/pt.imag of a float vector run on both backends.
    x = pt.dvector("x")
    y = pt.real(x) + pt.imag(x) + pt.angle(x)
    x0 = np.array([-1.5, -0.0, 0.0, 2.0, np.nan])
    want = fast_function([x], y)(x0)
    module = skair.from_pytensor(y, [x])
    for backend in ("interp", "llvm"):
        np.testing.assert_allclose(skair.compile(module, backend=backend)(x0), want, rtol=1e-15)
