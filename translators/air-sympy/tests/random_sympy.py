#!/usr/bin/env python3
"""Random SymPy systems through AIR, checked against SymPy's own numbers.

For each seeded case, real SymPy builds an equation (elementwise expressions, implicit sums,
Sum/Product, also with bounds that depend on the output index, Piecewise with relations and
logic, integer arrays, temporaries), writes its srepr, and computes the expected values itself
with ``lambdify`` at every output index (``conformance/peers/sympy_eval.py``, shared with the
``peers-sympy`` conformance target: an index that the one index rule sums is summed per Add
term; a Product is expanded with ``doit``). The srepr then runs through ``air run`` on every
backend (``--backend interp`` and ``--backend llvm``; the ``air`` binary must be built with
``--features llvm``), and every backend's results must match. A case in which SymPy cancelled
every array of some extent takes it as a size parameter, given to ``air run`` with ``--size``. One
``air`` process per case and backend (tens of milliseconds each, run on a few threads beside
SymPy's own work), so a failure names its seed and backend.

``--peers`` also checks the other direction on the same systems: ``air convert`` writes AIR's
import of each system back as srepr, and real SymPy evaluates that export (the same evaluator),
which must give SymPy's numbers for the original. (The conformance cases' exports are checked
by ``air conformance --target peers-sympy``.)

Usage: random_sympy.py [--cases 500] [--seed 0] [--air target/debug/air] [--backends interp,llvm]
                       [--peers]
"""

import argparse
import random
import subprocess
import sys
import tempfile
import warnings
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sympy as sp
from sympy import Idx, IndexedBase, Symbol

ROOT = Path(__file__).resolve().parents[3]
sys.path.append(str(ROOT / "conformance/peers"))
import sympy_eval  # noqa: E402 - after sympy, from the peers folder

N, M = 4, 3
RTOL, ATOL = 1e-9, 1e-12

n = Symbol("n", integer=True, positive=True)
m = Symbol("m", integer=True, positive=True)
i = Idx(Symbol("i", integer=True), (0, n - 1))
j = Idx(Symbol("j", integer=True), (0, m - 1))
k = Symbol("k", integer=True)
x = IndexedBase(Symbol("x", real=True), shape=(n,))
y = IndexedBase(Symbol("y", real=True), shape=(n,))
w = IndexedBase(Symbol("w", real=True), shape=(m,))
A = IndexedBase(Symbol("A", real=True), shape=(n, m))
a = Symbol("a", real=True)
DIMS = {n: N, m: M}


class Gen:
    """Random expressions over the arrays, with output indices `idx` available."""

    def __init__(self, rng, ints=False):
        self.rng = rng
        self.ints = ints

    def leaf(self, idx):
        r = self.rng
        choices = [lambda: x[idx[0]], lambda: y[idx[0]], lambda: sp.Integer(r.randint(-3, 3))]
        if not self.ints:
            choices += [lambda: a, lambda: sp.Rational(r.randint(1, 5), r.randint(2, 7)),
                        lambda: sp.Float(round(r.uniform(-2, 2), 3))]
        choices.append(lambda: idx[0])
        if len(idx) > 1:
            choices += [lambda: A[idx[0], idx[1]], lambda: w[idx[1]]]
        return r.choice(choices)()

    def expr(self, idx, depth):
        r = self.rng
        if depth <= 0 or r.random() < 0.25:
            return self.leaf(idx)
        e = lambda: self.expr(idx, depth - 1)
        if self.ints:
            ops = [lambda: e() + e(), lambda: e() - e(), lambda: e() * e(),
                   lambda: sp.Max(e(), e()), lambda: sp.Min(e(), e()), lambda: sp.Abs(e()),
                   lambda: sp.Piecewise((e(), self.cond(idx, depth)), (e(), True))]
        else:
            ops = [lambda: e() + e(), lambda: e() - e(), lambda: e() * e(),
                   lambda: e() / (e() ** 2 + 1), lambda: sp.sin(e()), lambda: sp.cos(e()),
                   lambda: sp.tanh(e()), lambda: sp.exp(sp.tanh(e())), lambda: sp.atan(e()),
                   lambda: sp.log(e() ** 2 + 1), lambda: sp.sqrt(e() ** 2 + 1),
                   lambda: sp.Abs(e()), lambda: sp.sign(e()), lambda: sp.floor(e()),
                   lambda: sp.ceiling(e()), lambda: sp.Max(e(), e(), e()), lambda: sp.Min(e(), e()),
                   lambda: sp.atan2(e(), e() ** 2 + 1), lambda: e() ** 3,
                   lambda: (e() ** 2 + 1) ** sp.Rational(1, 3),
                   lambda: sp.Piecewise((e(), self.cond(idx, depth)), (e(), True)),
                   lambda: sp.Piecewise((e(), self.cond(idx, depth)), (e(), self.cond(idx, depth)),
                                        (e(), True))]
        return r.choice(ops)()

    def cond(self, idx, depth):
        r = self.rng
        e = lambda: self.expr(idx, depth - 2)
        rel = r.choice([sp.StrictGreaterThan, sp.StrictLessThan, sp.GreaterThan, sp.LessThan,
                        sp.Unequality])
        c = rel(e(), e())
        if c in (sp.true, sp.false):
            return sp.StrictGreaterThan(x[idx[0]], 0)
        roll = r.random()
        if roll < 0.15:
            return sp.And(c, sp.StrictLessThan(y[idx[0]], 1))
        if roll < 0.3:
            return sp.Or(c, sp.Not(sp.StrictGreaterThan(x[idx[0]], 0)))
        return c


def case(rng, kind):
    """(equations, output name)."""
    g = Gen(rng, ints=(kind == "ints"))
    # Each right side reads an array of every extent, so the dims are bound by the inputs.
    if kind in ("elementwise", "ints"):
        rhs = rng.choice([lambda e: e + x[i], lambda e: e * y[i], lambda e: x[i] - e])(g.expr([i], 4))
        return [sp.Eq(IndexedBase("z", shape=(n,))[i], rhs)], "z"
    if kind == "matrix":
        rhs = g.expr([i, j], 3) + A[i, j]
        return [sp.Eq(IndexedBase("B", shape=(n, m))[i, j], rhs)], "B"
    if kind == "sum":
        body = g.expr([k], 3) * x[k]
        red = sp.Sum(body, (k, 0, n - 1)) if rng.random() < 0.7 else sp.Product(
            1 + x[k] / 10 + g.expr([k], 1) / 100, (k, 0, n - 1))
        return [sp.Eq(Symbol("s"), red + a)], "s"
    if kind == "implicit":
        terms = [A[i, j] * w[j] * g.expr([i], 2)]
        if rng.random() < 0.5:
            terms.append(g.expr([i], 2))
        return [sp.Eq(IndexedBase("v", shape=(n,))[i], sp.Add(*terms))], "v"
    if kind == "dot":
        # One i-dependent leaf in the second factor, so no product inside it repeats i and the
        # only contraction is the top one, x[i]*f(i).
        f = next((e for e in (g.expr([i], 2) for _ in range(30)) if index_leaves(e, i) == 1), y[i])
        return [sp.Eq(Symbol("d"), x[i] * f)], "d"
    if kind == "bounds":
        return [sp.Eq(IndexedBase("z", shape=(n,))[i], bounded(rng, g) + x[i])], "z"
    h = IndexedBase("h", shape=(n,))
    eqs = [sp.Eq(h[i], g.expr([i], 3) + x[i]),
           sp.Eq(IndexedBase("z", shape=(n,))[i], h[i] * y[i] + g.expr([i], 2))]
    return eqs, "z"


def bounded(rng, g):
    """A Sum or Product whose bounds depend on the output index `i` (a triangle, a tail, a
    prefix, a window), its dummy a plain integer Symbol or an Idx, sometimes nested."""
    kk = Idx(Symbol("k", integer=True), (0, n - 1)) if rng.random() < 0.3 else k
    lo, hi = rng.choice([(0, i), (i, n - 1), (i + 1, n - 1), (0, n - 1 - i), (i, i)])
    src = rng.choice([x, y])
    roll = rng.random()
    if roll < 0.55:
        return sp.Sum(src[kk] * g.expr([kk], 2), (kk, lo, hi))
    if roll < 0.8:
        return sp.Product(1 + src[kk] / 10 + g.expr([kk], 1) / 100, (kk, lo, hi))
    l = Symbol("l", integer=True)
    return sp.Sum(x[l] * y[kk] + g.expr([l], 1), (l, 0, kk), (kk, lo, hi))


def index_leaves(e, ix):
    """How many leaves of `e` depend on the index `ix`."""
    return sum(1 for a in sp.preorder_traversal(e) if a == ix or (isinstance(a, sp.Indexed) and ix in a.indices))


def inputs(rng, ints):
    r = np.random.default_rng(rng.randint(0, 2**31))
    if ints:
        return {"x": r.integers(-5, 6, N), "y": r.integers(-5, 6, N)}
    return {"x": r.uniform(-2, 2, N), "y": r.uniform(-2, 2, N), "w": r.uniform(-2, 2, M),
            "A": r.uniform(-2, 2, (N, M)), "a": np.float64(r.uniform(-2, 2))}


def expected(eqs, name, env):
    """SymPy's values of the output `name` (the shared evaluator, at N and M)."""
    return sympy_eval.evaluate(eqs, env, DIMS)[name]


def kind_ok(got, want):
    """Integers stay integers; lambdify's Piecewise (numpy.select with a NaN default) turns
    integer branches into floats, so integral floats also match an integer result."""
    if (got.dtype.kind in "iu") == (want.dtype.kind in "iu"):
        return True
    return got.dtype.kind in "iu" and bool(np.all(want == np.round(want)))


@dataclass
class Ran:
    """A case that runs: the `air run` per backend, and the export for the peer check."""
    seed: int
    runs: dict[str, Future]
    export: Future | None
    env: dict[str, np.ndarray]
    name: str
    want: np.ndarray
    sized: bool = False  # an extent no input has, given with --size


def srepr(eqs):
    return sp.srepr(eqs[0] if len(eqs) == 1 else sp.Tuple(*eqs))


def run_case(seed, air, backends, work, pool, peers):
    rng = random.Random(seed)
    kind = rng.choice(["elementwise", "elementwise", "ints", "matrix", "sum", "implicit", "dot", "temps",
                       "bounds"])
    eqs, name = case(rng, kind)
    eqs = [e for e in eqs]
    if any(e in (sp.true, sp.false) for e in eqs):
        return "skip", "the equation evaluated to a truth value"
    # SymPy canonicalises again when it reads its own srepr (Abs(1/x) becomes 1/Abs(x)): the
    # case is the expression as read back, which is what a user of the text has.
    eqs = sympy_eval.read(srepr(eqs))
    text = srepr(eqs)
    env = inputs(rng, kind == "ints")
    used = {str(s.label) if isinstance(s, IndexedBase) else str(s)
            for e in eqs for s in e.rhs.atoms(IndexedBase, Symbol)}
    lhs_names = {str(e.lhs.base.label) if isinstance(e.lhs, sp.Indexed) else str(e.lhs) for e in eqs}
    env = {s: v for s, v in env.items() if s in used and s not in lhs_names}
    bound = {d for s in env if np.ndim(env[s]) for d in {"x": [n], "y": [n], "w": [m], "A": [n, m]}[s]}
    needed = set().union(*(e.free_symbols for e in eqs)) & {n, m}
    # SymPy cancelled every array of some extent: the import takes it as a size parameter (op
    # set 2), and `air run` is given its value with `--size`.
    sizes = {str(s): DIMS[s] for s in sorted(needed - bound, key=str)}
    try:
        want = expected(eqs, name, env)
    except (OverflowError, ZeroDivisionError, TypeError, ValueError) as e:
        return "skip", f"SymPy cannot evaluate it: {e}"
    want = want.astype(np.int64) if want.dtype.kind in "iu" or (want.dtype == object and all(
        isinstance(v, int) for v in want.ravel())) else want.astype(np.float64)
    d = work / f"case{seed}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "model.srepr").write_text(text)
    np.savez(d / "inputs.npz", **{s: np.asarray(v) for s, v in env.items()})
    runs = {b: pool.submit(run_backend, air, b, d, name, want, text, sizes) for b in backends}
    export = pool.submit(convert, air, d) if peers else None
    return "ran", kind, Ran(seed, runs, export, env, name, want, bool(sizes))


def run_backend(air, backend, d, name, want, text, sizes):
    """(passed, detail): `air run --backend <backend>` on the case in `d` against `want`, the
    extents no input has given as `--size` values."""
    out = d / f"out-{backend}.npz"
    size_args = [a for k, v in sizes.items() for a in ("--size", f"{k}={v}")]
    p = subprocess.run([air, "run", str(d / "model.srepr"), "--inputs", str(d / "inputs.npz"),
                        "--outputs", str(out), "--backend", backend, *size_args],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return False, f"air run failed:\n{p.stderr}\n{text}"
    got = np.load(out)[name]
    if sizes and not np.load(d / "inputs.npz").files and want.dtype.kind in "iu" \
            and got.dtype == np.float64 and np.array_equal(got, want):
        # No input array to take a dtype from: the srepr import's default dtype is f64
        # (`Options::default_dtype`, as SymPy's codegen), so SymPy's integers come back as integral f64 values.
        got = got.astype(want.dtype)
    return matches(got, want, text)


def matches(got, want, text):
    """(passed, detail) of a result against SymPy's values."""
    if got.shape != want.shape or not kind_ok(got, want):
        return False, f"{got.dtype}{got.shape} vs {want.dtype}{want.shape}\n{text}"
    if not np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True):
        return False, f"got {got}\nwant {want}\n{text}"
    return True, ""


def convert(air, d):
    """`air convert` of the case's srepr to srepr: AIR's import written back (or the error)."""
    out = d / "export.srepr"
    p = subprocess.run([air, "convert", str(d / "model.srepr"), str(out)], capture_output=True,
                       text=True)
    return (True, out.read_text()) if p.returncode == 0 else (False, p.stderr)


def peer_check(r: Ran):
    """(passed, detail): real SymPy evaluates AIR's export of the case, as SymPy's original;
    passed is None when the export lists constructs SymPy cannot express (a cast, say)."""
    ok, export = r.export.result()
    if not ok and "the sympy format cannot express this module" in export:
        return None, export
    if not ok:
        return False, f"air convert cannot write the import back:\n{export}"
    try:
        got = sympy_eval.evaluate(sympy_eval.read(export), r.env, DIMS)[r.name]
    except Exception as e:  # noqa: BLE001 - any failure of SymPy on the export is the finding
        return False, f"SymPy cannot evaluate the export: {type(e).__name__}: {e}\n{export}"
    # `air convert` has no arrays to take dtypes from, so an integer system is imported (and
    # written back) as f64: its integral values stand for SymPy's integers.
    if r.want.dtype.kind in "iu" and got.dtype.kind in "fb" and np.all(got == np.round(got)):
        got = got.astype(r.want.dtype)
    return matches(got, r.want, export)




def main():
    # Random inputs overflow, divide by zero and leave domains: NumPy's warnings are noise here.
    np.seterr(all="ignore")
    warnings.simplefilter("ignore", RuntimeWarning)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--air", default=str(ROOT / "target/debug/air"))
    ap.add_argument("--peers", action="store_true",
                    help="also check that SymPy evaluates AIR's export of each system alike")
    ap.add_argument("--backends", default="interp,llvm",
                    help="comma-separated backends of `air run`; every case runs on each")
    args = ap.parse_args()
    # The `air` runs go to a thread pool: they overlap each other and SymPy's work on the
    # next cases, which take about as long.
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=4) as pool:
        started = generate(args, Path(tmp), pool)
        sys.exit(0 if report(args, started) else 1)


def generate(args, work, pool):
    """Runs seeds until --cases cases run; skipped cases (SymPy cannot evaluate them) do not
    count."""
    started = {"ran": [], "skipped": [], "kinds": {}}
    s = args.seed
    while len(started["ran"]) < args.cases and s < args.seed + 2 * args.cases:
        outcome = run_case(s, args.air, args.backends.split(","), work, pool, args.peers)
        if outcome[0] == "skip":
            started["skipped"].append(f"seed {s}: skip: {outcome[1]}")
        else:
            started["ran"].append(outcome[2])
            started["kinds"][outcome[1]] = started["kinds"].get(outcome[1], 0) + 1
        s += 1
    return started


def report(args, started):
    """Prints the counts and every failure; True when everything passed."""
    backends = args.backends.split(",")
    ran = started["ran"]
    passed = {b: 0 for b in backends}
    peers_ok, inexpressible = 0, 0
    failures = list(started["skipped"])
    for r in ran:
        for b, run in r.runs.items():
            ok, detail = run.result()
            passed[b] += int(ok)
            if not ok:
                failures.append(f"seed {r.seed}: {b}: fail: {detail}")
        if r.export is not None:
            ok, detail = peer_check(r)
            if ok is None:
                inexpressible += 1
            elif ok:
                peers_ok += 1
            else:
                failures.append(f"seed {r.seed}: SymPy on AIR's export: fail: {detail}")
    print(f"random SymPy systems: {len(ran)} run, {len(started['skipped'])} skipped, by kind "
          f"{dict(sorted(started['kinds'].items()))}")
    sized = [r for r in ran if r.sized]
    print(f"  an extent no input has (a size parameter, given with --size): {len(sized)} of the "
          f"{len(ran)} systems")
    for b in backends:
        print(f"  air run --backend {b}: {passed[b]} of {len(ran)} match SymPy")
    if args.peers:
        print(f"  SymPy evaluates AIR's export (air convert): {peers_ok} of "
              f"{len(ran) - inexpressible} match ({inexpressible} exports refused: a construct "
              "SymPy cannot express, such as a cast)")
    for f in failures:
        print(f)
    return (len(ran) == args.cases and all(passed[b] == len(ran) for b in backends)
            and (not args.peers or peers_ok + inexpressible == len(ran)))


if __name__ == "__main__":
    main()
