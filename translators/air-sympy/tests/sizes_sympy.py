#!/usr/bin/env python3
"""Op set 2 sizes and strided extents from real SymPy, on every backend, against SymPy's values.

Each system is built with SymPy and written with ``srepr``; ``air run`` imports it and runs it
on each backend; the result must equal SymPy's own value of every output element
(``lambdify`` of the right side, with the ``Idx`` labels as arguments, at each element):

- ``y[i] = i**2`` for ``i`` in ``range(n)``: no input has an axis of extent ``n``, so ``n``
  becomes a size parameter (passed with ``--size n=5``, and ``n = 0``), as SymPy's codegen
  passes it as an ``int`` argument;
- ``y[i] = x[i] + n`` with ``n`` the extent of ``x`` (bound by ``x``, used as a number);
- ``z[i] = A[2*i]`` with ``z`` of ``ceiling(m/2)`` rows (``A[::2]``), ``m`` = 7, 6, 1, 0;
- ``B[i, j] = A[i + 1, 2*j]`` with ``B`` of shape ``(m - 1, ceiling(n/2))`` (``A[1:, ::2]``);
- ``w[i] = A[3*i + 1]`` with ``w`` of ``floor((m + 1)/3)`` rows (``A[1::3]``).

Usage: sizes_sympy.py [--air target/debug/air] [--backends interp,llvm]
Exits non-zero on any mismatch or refusal.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import sympy as sp
from sympy import Idx, IndexedBase, Symbol, ceiling, floor

ROOT = Path(__file__).resolve().parents[3]
n = Symbol("n", integer=True, nonnegative=True)
m = Symbol("m", integer=True, nonnegative=True)


def sympy_values(eq, arrays, sizes):
    """SymPy's value of every element of the left side: ``lambdify`` of the right side with
    the labels of the left side's indices as arguments, at each index tuple."""
    lhs_idx = eq.lhs.indices
    labels = [ix.label for ix in lhs_idx]
    subs = {ix: ix.label for ix in eq.rhs.atoms(Idx)}
    rhs = eq.rhs.xreplace(subs)
    env = {Symbol(k, integer=True, nonnegative=True): v for k, v in sizes.items()}
    shape = tuple(int(sp.sympify(d).subs({s: env.get(s, s) for s in d.free_symbols}))
                  for d in eq.lhs.base.shape)
    bases = sorted(rhs.atoms(IndexedBase), key=str)
    scalars = sorted((s for s in rhs.free_symbols if isinstance(s, Symbol)
                      and s not in labels and not any(s == b.label for b in bases)), key=str)
    f = sp.lambdify([*(b.label for b in bases), *scalars, *labels], rhs, modules="numpy")
    args = [arrays[str(b.label)] for b in bases] + [sizes[str(s)] for s in scalars]
    out = np.zeros(shape)
    for pos in np.ndindex(*shape):
        out[pos] = f(*args, *pos)
    return out


def case(name, eq, arrays, sizes, passed_sizes):
    """One system: ``passed_sizes`` go on the command line (``--size``), the rest of
    ``sizes`` only tell SymPy the extents (they are bound by the arrays)."""
    return name, eq, arrays, sizes, passed_sizes


def cases():
    out = []
    i = Idx(Symbol("i", integer=True), n)
    y = IndexedBase(Symbol("y", integer=True), shape=(n,))
    for nv in [5, 0]:
        out.append(case(f"y[i] = i**2, n = {nv}", sp.Eq(y[i], i**2), {}, {"n": nv},
                        {"n": nv}))
    x = IndexedBase("x", shape=(n,))
    yf = IndexedBase("y", shape=(n,))
    xv = np.array([0.5, -1.0, 2.0, 4.0])
    out.append(case("y[i] = x[i] + n, n x's extent used as a number", sp.Eq(yf[i], x[i] + n),
                    {"x": xv}, {"n": 4}, {}))
    h = ceiling(m / 2)
    ih = Idx(Symbol("i", integer=True), h)
    A = IndexedBase("A", shape=(m,))
    z = IndexedBase("z", shape=(h,))
    for mv in [7, 6, 1, 0]:
        av = np.arange(mv) * 1.5 - 2.0
        out.append(case(f"z[i] = A[2*i], z of ceiling(m/2) rows, m = {mv}",
                        sp.Eq(z[ih], A[2 * ih]), {"A": av}, {"m": mv}, {}))
    nn = Symbol("n", integer=True, nonnegative=True)
    A2 = IndexedBase("A", shape=(m, nn))
    rows, cols = m - 1, ceiling(nn / 2)
    i2, j2 = Idx(Symbol("i", integer=True), rows), Idx(Symbol("j", integer=True), cols)
    B = IndexedBase("B", shape=(rows, cols))
    for (mv, nv) in [(4, 5), (3, 2), (1, 3)]:
        av = np.arange(mv * nv, dtype=np.float64).reshape(mv, nv)
        out.append(case(f"B[i, j] = A[i+1, 2*j] (A[1:, ::2]), m = {mv}, n = {nv}",
                        sp.Eq(B[i2, j2], A2[i2 + 1, 2 * j2]), {"A": av},
                        {"m": mv, "n": nv}, {}))
    t = floor((m + 1) / 3)
    it = Idx(Symbol("i", integer=True), t)
    w = IndexedBase("w", shape=(t,))
    for mv in [8, 2]:
        av = np.linspace(-1, 1, mv)
        out.append(case(f"w[i] = A[3*i + 1] (A[1::3]), m = {mv}",
                        sp.Eq(w[it], A[3 * it + 1]), {"A": av}, {"m": mv}, {}))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--air", default=str(ROOT / "target/debug/air"))
    ap.add_argument("--backends", default="interp,llvm")
    args = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for k, (name, eq, arrays, sizes, passed) in enumerate(cases()):
            want = sympy_values(eq, arrays, sizes)
            model = tmp / f"c{k}.srepr"
            model.write_text(sp.srepr(eq))
            inputs = tmp / f"c{k}.npz"
            np.savez(inputs, **arrays)
            for backend in args.backends.split(","):
                out = tmp / f"c{k}_{backend}.npz"
                cmd = [args.air, "run", str(model), "--inputs", str(inputs), "--outputs",
                       str(out), "--backend", backend]
                for s, v in passed.items():
                    cmd += ["--size", f"{s}={v}"]
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    print(f"FAIL {name} [{backend}]: {r.stderr.strip()}")
                    failures += 1
                    continue
                with np.load(out) as z:
                    got = z[str(eq.lhs.base.label)]
                if got.shape != want.shape or not np.allclose(got, want, rtol=1e-12, atol=0):
                    print(f"FAIL {name} [{backend}]: got {got!r}, SymPy {want!r}")
                    failures += 1
                else:
                    print(f"ok   {name} [{backend}]: shape {got.shape}")
    if failures:
        print(f"sizes_sympy.py: {failures} failure(s)")
        sys.exit(1)
    print("sizes_sympy.py: every system matches SymPy on every backend")


if __name__ == "__main__":
    main()
