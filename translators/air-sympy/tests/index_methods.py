#!/usr/bin/env python3
"""SymPy's own index examples through AIR, checked against SymPy's contraction structure.

Every example of SymPy 1.14's ``sympy/tensor/tests/test_index_methods.py`` that has a numeric
meaning, plus the examples of the docstrings of ``sympy/tensor/index_methods.py`` and the
five forms of AIR issue 11, is built with real SymPy as an ``Eq`` to an output whose indices
are the expression's outer indices (``get_indices``). Its srepr runs through ``air run`` on
every backend with random inputs, and the result must match a NumPy evaluation of the
structure that ``get_contraction_structure`` reports, computed here at test time: at each
``Indexed`` and ``Mul`` the evaluator asks SymPy which indices that node contracts, and sums
exactly those there; functions and powers apply elementwise; the terms of an ``Add``
broadcast.

Undefined functions of the test file (``f``, ``g``) have no numbers: they are written as
``sin`` and ``exp`` (``atan2`` for two arguments), which SymPy's index analysis treats alike
(every ``Function``), and the one three-argument call as ``atan2(a, y[i]*x[j])``. The test
file's ``x[i]*y[j]*exp(y[i]*y[k, k])`` reads ``y`` with one index and with two, which no array
does: it runs as issue 11's ``x[i]*y[j]*exp(y[i]*z[k, k])``.

Where SymPy's structure contracts an index that is on the left side (``x[i] + y[i, i]`` gives
``(i,): {y[i, i]}`` with ``i`` the output index), AIR reads the left side's index as the output
element, as ``lambdify`` does (``docs/formats/foreign-formats.md``); those examples are listed
(``POINTWISE``; any other one fails) and checked against ``lambdify`` at each output element
instead. Forms whose meaning SymPy
leaves open (an index contracted inside a part of a term and used outside it) must be refused
by ``air check`` with an error naming the index.

Usage: index_methods.py [--air target/debug/air] [--backends interp,llvm] [--seed 0]
Exits non-zero on any mismatch, any unexpected refusal, or any form not refused.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import sympy as sp
from sympy import Idx, IndexedBase, Symbol
from sympy.tensor.index_methods import get_contraction_structure, get_indices

ROOT = Path(__file__).resolve().parents[3]
N = 3
n = Symbol("n", integer=True, positive=True)
i, j, k = (Idx(Symbol(s, integer=True), n) for s in "ijk")
ic, jc = (Idx(Symbol(s, integer=True), N) for s in "ij")
x, y, z, A = (IndexedBase(Symbol(s, real=True)) for s in ("x", "y", "z", "A"))
a, xs, ys = (Symbol(s, real=True) for s in ("a", "x", "y"))
f, g, f2 = sp.sin, sp.exp, sp.atan2
FUNCS = {sp.exp: np.exp, sp.sin: np.sin, sp.atan2: np.arctan2}

T = "test_index_methods.py"
D = "index_methods.py docstrings"
EXAMPLES = [
    (f"{T}::test_trivial_indices", [xs, xs * ys, xs + ys, xs**ys]),
    (f"{T}::test_get_indices_Indexed", [x[i, j], x[j, i]]),
    (f"{T}::test_get_indices_Idx (ranges of the constant extent N: no array gives one)",
     [f(ic) * jc, f2(jc, ic), f(ic) * ic]),
    (f"{T}::test_get_indices_mul", [x[j] * y[i], x[i] * y[j]]),
    (f"{T}::test_get_indices_exceptions (get_indices raises; the structure is plain)",
     [x[i] + y[j]]),
    (f"{T}::test_scalar_broadcast", [x[i] + y[i, i], x[i] + y[j, j]]),
    (f"{T}::test_get_indices_add",
     [x[i] + 2 * y[i], y[i] + 2 * A[i, j] * x[j], y[i] + 2 * (x[i] + A[i, j] * x[j]),
      y[i] + x[i] * (A[j, j] + 1), y[i] + x[i] * x[j] * (y[j] + A[j, k] * x[k])]),
    (f"{T}::test_get_indices_Pow",
     [sp.Pow(x[i], y[j]), sp.Pow(x[i, k], y[j, k]), sp.Pow(A[i, k], y[k] + A[k, j] * x[j]),
      sp.Pow(2, x[i]), sp.exp(x[i]), sp.Pow(x[i], 2)]),
    (f"{T}::test_get_contraction_structure_basic",
     [x[i] * y[j], x[i] + y[j], x[i] * y[i], 1 + x[i] * y[i], x[i]**y[i]]),
    (f"{T}::test_get_contraction_structure_complex",
     [y[i] + A[i, j] * x[j], (y[i] + A[i, j] * x[j]) * A[k, i] + x[k]]),
    (f"{T}::test_contraction_structure_simple_Pow", [x[i, i]**y[j, j], x[i, i]**y[j, k]]),
    (f"{T}::test_contraction_structure_Mul_and_Pow",
     [x[i]**(y[j] * x[i]), (x[i] * y[j])**(y[i]), x[j] * (x[i] * y[j])**(y[i]),
      x[j] * x[i]**(y[j] * x[i])]),
    (f"{T}::test_contraction_structure_Add_in_Pow",
     [(1 + x[i, i])**(1 + y[j, j]), (1 + x[i, i])**(1 + y[j, k])]),
    (f"{T}::test_contraction_structure_Pow_in_Pow", [x[i, i]**y[j, j]**z[k, k]]),
    (f"{T}::test_ufunc_support (f = sin, g = exp, two-argument f = atan2)",
     [f(x[i]), f2(x[i], y[j]), f(y[i]) * g(x[i]), f2(a, x[i]),
      f2(a, y[i] * x[j]) * g(x[i]), g(f(x[i])), f(y[i]) * g(f(x[i])),
      f2(x[j], y[i]) * g(x[i])]),
    (f"{D}: get_indices, _get_indices_Mul/_Add/_Pow",
     [A[i, i], x[i] + A[i, j] * y[j], (x[i] + A[i, j] * y[j]) * x[j], x[i, k] * y[j, k],
      x[i] + x[k] * y[i, k], sp.exp(A[i, j] * x[j]), sp.Pow(x[i], x[i]),
      sp.Pow(A[i, j] * x[j], x[i])]),
    (f"{D}: get_contraction_structure",
     [x[i] * y[i] + A[j, j], x[i, i] * y[j, j], x[i] * (y[i] + A[i, j] * x[j]),
      A[j, j]**A[i, i]]),
    ("AIR issue 11 (silently wrong before)",
     [sp.exp(A[i, i]), x[i, i]**y[j, j], (1 + x[i, i])**(1 + y[j, j]), x[i, i]**y[j, j]**z[k, k],
      x[i] * y[j] * sp.exp(y[i] * z[k, k]), sp.exp(A[i, i]) * x[j], x[j]**y[i, i],
      (1 + x[i, i])**(1 + y[j]), x[k] * sp.sin(A[i, i] + y[j] * z[j, k])]),
]

# The examples in which SymPy's structure contracts an index of the left side: AIR reads it as
# the output element, as lambdify does. Any other such example fails the run.
POINTWISE = {x[i] + y[i, i], (x[i] + A[i, j] * y[j]) * x[j]}

# (source, rhs, output indices, index the refusal must name): SymPy keeps an index summed
# inside a part apart from the same index outside it; AIR refuses the form.
REFUSED = [
    (f"{D}: get_indices warning, j not on the left side", (x[i] + A[i, j] * y[j]) * x[j], [i], "j"),
    ("trace inside a product that sums the same index", x[i] * y[i] * sp.exp(A[i, i]), [], "i"),
    ("trace beside the same index outside it", sp.exp(x[i] + A[i, i]), [], "i"),
]


class Departure(Exception):
    """SymPy's structure contracts an index of the left side."""


def dummies_at(e, keep):
    """The indices SymPy's structure contracts at the node `e` itself."""
    out = []
    for key, terms in get_contraction_structure(e).items():
        if isinstance(key, tuple) and e in terms:
            out.extend(key)
    if set(out) & set(keep):
        raise Departure(f"SymPy contracts {sorted(set(out) & set(keep), key=str)} at {e}")
    return out


def align(val, idx, target):
    """`val` (axes named by `idx`) with its axes in `target` order, length 1 where absent."""
    arr = np.asarray(val, dtype=np.float64)
    order = [idx.index(t) for t in target if t in idx]
    arr = np.transpose(arr, order) if order else arr
    shape = [N if t in idx else 1 for t in target]
    return arr.reshape(shape)


def union(parts):
    out = []
    for _, idx in parts:
        out.extend(t for t in idx if t not in out)
    return out


def ev(e, env, keep):
    """(NumPy value, its index list) of `e` under SymPy's contraction structure."""
    if isinstance(e, sp.Indexed):
        labels = list(e.indices)
        dummies = dummies_at(e, keep)
        uniq = [t for t in dict.fromkeys(labels)]
        letters = {t: chr(ord("a") + p) for p, t in enumerate(uniq)}
        outs = [t for t in uniq if t not in dummies]
        spec = "".join(letters[t] for t in labels) + "->" + "".join(letters[t] for t in outs)
        return np.einsum(spec, env[str(e.base.label)]), outs
    if isinstance(e, Idx):
        return np.arange(N, dtype=np.float64), [e]
    if isinstance(e, Symbol):
        return env[str(e)], []
    if e.is_Number:
        return float(e), []
    parts = [ev(arg, env, keep) for arg in e.args]
    idx = union(parts)
    vals = [align(v, p, idx) for v, p in parts]
    if e.is_Mul:
        dummies = dummies_at(e, keep)
        prod = np.prod(np.broadcast_arrays(*vals), axis=0)
        axes = tuple(p for p, t in enumerate(idx) if t in dummies)
        return prod.sum(axis=axes), [t for t in idx if t not in dummies]
    if dummies_at(e, keep):
        raise AssertionError(f"SymPy contracts at a {type(e).__name__}: {e}")
    if e.is_Add:
        return sum(np.broadcast_arrays(*vals)), idx
    if e.is_Pow:
        return np.power(*vals), idx
    if e.func in FUNCS:
        return FUNCS[e.func](*vals), idx
    raise NotImplementedError(f"no NumPy evaluation for {e.func}")


def expected(rhs, out_idx, env):
    value, idx = ev(rhs, env, out_idx)
    assert set(idx) <= set(out_idx), f"outer indices {idx} not all on the left side"
    return np.broadcast_to(align(value, idx, out_idx), (N,) * len(out_idx))


def lambdified(rhs, out_idx, env):
    """The pointwise reading: lambdify at each output element."""
    syms = sorted(env, key=str)
    fn = sp.lambdify([Symbol(s) for s in syms] + [t.label for t in out_idx],
                     rhs.replace(lambda t: isinstance(t, Idx), lambda t: t.label), "numpy")
    out = np.empty((N,) * len(out_idx))
    for pos in np.ndindex(*out.shape):
        out[pos] = fn(*[env[s] for s in syms], *pos)
    return out


def inputs(rhs, rng):
    env = {}
    for b in rhs.atoms(sp.Indexed):
        env[str(b.base.label)] = rng.uniform(0.5, 1.5, (N,) * b.rank)
    for s in rhs.free_symbols:
        if isinstance(s, Symbol) and not isinstance(s, Idx) and str(s) not in env and s != n \
                and s.is_real:
            env[str(s)] = np.float64(rng.uniform(0.5, 1.5))
    return env


def equation(rhs, out_idx):
    out = IndexedBase(Symbol("out", real=True))[tuple(out_idx)] if out_idx else Symbol("out")
    return sp.Eq(out, rhs, evaluate=False)


def outer(rhs):
    """The left side's indices: SymPy's outer indices (of each term, for an Add whose terms
    differ, where get_indices raises), in order of first appearance."""
    try:
        found = get_indices(rhs)[0]
    except Exception:  # noqa: BLE001 - IndexConformanceException: x[i] + y[j]
        found = set().union(*(get_indices(t)[0] for t in sp.Add.make_args(rhs)))
    order = [t for t in sp.preorder_traversal(rhs) if isinstance(t, Idx)]
    return list(dict.fromkeys(t for t in order if t in found))


def run_air(air, backend, d, text, env):
    (d / "model.srepr").write_text(text)
    np.savez(d / "inputs.npz", **env)
    p = subprocess.run([air, "run", str(d / "model.srepr"), "--inputs", str(d / "inputs.npz"),
                        "--outputs", str(d / "out.npz"), "--backend", backend],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None, p.stderr.strip()
    return np.load(d / "out.npz")["out"], ""


def check_example(args, work, rng, source, rhs):
    """(kind, message or ''): 'ok', 'pointwise' (a departure checked against lambdify) or
    'fail'."""
    out_idx = outer(rhs)
    env = inputs(rhs, rng)
    kind, note = "ok", ""
    try:
        want = expected(rhs, out_idx, env)
    except Departure as dep:
        kind, want = "pointwise", lambdified(rhs, out_idx, env)
        note = f"{source}: out{out_idx} = {rhs}: {dep}"
    text = sp.srepr(equation(rhs, out_idx))
    for backend in args.backends.split(","):
        got, err = run_air(args.air, backend, work, text, env)
        label = f"{source}: out{out_idx} = {rhs} [{backend}]"
        if got is None:
            return "fail", f"{label}: air refused or failed:\n{err}\n{text}"
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-10, atol=1e-12):
            return "fail", f"{label}: got {got}, want {want}\n{text}"
    return kind, note


def check_refused(args, work, source, rhs, out_idx, name):
    text = sp.srepr(equation(rhs, out_idx))
    (work / "model.srepr").write_text(text)
    p = subprocess.run([args.air, "check", str(work / "model.srepr")], capture_output=True,
                       text=True)
    if p.returncode == 1 and f"the index `{name}`" in p.stderr:
        return True, ""
    return False, f"{source}: {rhs}: expected a refusal naming `{name}`, got rc " \
                  f"{p.returncode}:\n{p.stderr}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--air", default=str(ROOT / "target/debug/air"))
    ap.add_argument("--backends", default="interp,llvm")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    counts, failures, departures = {"ok": 0, "pointwise": 0, "fail": 0}, [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for source, exprs in EXAMPLES:
            for rhs in exprs:
                kind, msg = check_example(args, work, rng, source, rhs)
                if kind == "pointwise" and rhs not in POINTWISE:
                    kind, msg = "fail", f"unexpected: {msg}"
                counts[kind] += 1
                if kind == "fail":
                    failures.append(msg)
                elif kind == "pointwise":
                    departures.append(msg)
        refused = 0
        for source, rhs, out_idx, name in REFUSED:
            ok, msg = check_refused(args, work, source, rhs, out_idx, name)
            refused += int(ok)
            if not ok:
                failures.append(msg)
    total = sum(len(e) for _, e in EXAMPLES)
    print(f"SymPy index examples: {total} run on {args.backends}; {counts['ok']} match SymPy's "
          f"contraction structure, {counts['pointwise']} contract an index of the left side "
          f"(read pointwise, match lambdify), {counts['fail']} fail")
    for d in departures:
        print(f"  pointwise: {d}")
    print(f"ambiguous forms: {refused} of {len(REFUSED)} refused by air check, naming the index")
    for msg in failures:
        print(msg)
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main()
