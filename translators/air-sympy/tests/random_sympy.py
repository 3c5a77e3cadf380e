#!/usr/bin/env python3
"""Random SymPy systems through AIR, checked against SymPy's own numbers.

For each seeded case, real SymPy builds an equation (elementwise expressions, implicit sums,
Sum/Product, Piecewise with relations and logic, integer arrays, temporaries), writes its
srepr, and computes the expected values itself with ``lambdify`` (an index that the one index
rule sums is summed here in Python, per Add term; a Product is expanded with ``doit``). The
srepr then runs through ``air run`` on every backend (``--backend interp`` and ``--backend
llvm``; the ``air`` binary must be built with ``--features llvm``), and every backend's results
must match. A case in which SymPy cancelled every array of some extent must instead be refused
by ``air check``, naming that extent. One ``air`` process per case and backend (tens of
milliseconds each, run on a few threads beside SymPy's own work), so a failure names its seed
and backend.

``--peers`` also checks the other direction: every conformance case that ``air convert``
writes as srepr is evaluated by real SymPy (``eval`` with ``from sympy import *`` plus
``ExprCondPair`` and ``Str``), then computed with ``lambdify`` and compared with the case's
``expected.npz``.

Usage: random_sympy.py [--cases 500] [--seed 0] [--air target/debug/air] [--backends interp,llvm]
                       [--peers]
"""

import argparse
import random
import subprocess
import sys
import tempfile
import tomllib
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import sympy as sp
from sympy import Idx, IndexedBase, Symbol

ROOT = Path(__file__).resolve().parents[3]
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
    """(equations, output name, output indices, implicitly summed indices, ints)."""
    g = Gen(rng, ints=(kind == "ints"))
    # Each right side reads an array of every extent, so the dims are bound by the inputs.
    if kind in ("elementwise", "ints"):
        rhs = rng.choice([lambda e: e + x[i], lambda e: e * y[i], lambda e: x[i] - e])(g.expr([i], 4))
        return [sp.Eq(IndexedBase("z", shape=(n,))[i], rhs)], "z", [i], []
    if kind == "matrix":
        rhs = g.expr([i, j], 3) + A[i, j]
        return [sp.Eq(IndexedBase("B", shape=(n, m))[i, j], rhs)], "B", [i, j], []
    if kind == "sum":
        body = g.expr([k], 3) * x[k]
        red = sp.Sum(body, (k, 0, n - 1)) if rng.random() < 0.7 else sp.Product(
            1 + x[k] / 10 + g.expr([k], 1) / 100, (k, 0, n - 1))
        return [sp.Eq(Symbol("s"), red + a)], "s", [], []
    if kind == "implicit":
        terms = [A[i, j] * w[j] * g.expr([i], 2)]
        if rng.random() < 0.5:
            terms.append(g.expr([i], 2))
        return [sp.Eq(IndexedBase("v", shape=(n,))[i], sp.Add(*terms))], "v", [i], [j]
    if kind == "dot":
        # One i-dependent leaf in the second factor, so no product inside it repeats i and the
        # only contraction is the top one, x[i]*f(i).
        f = next((e for e in (g.expr([i], 2) for _ in range(30)) if index_leaves(e, i) == 1), y[i])
        return [sp.Eq(Symbol("d"), x[i] * f)], "d", [], [i]
    h = IndexedBase("h", shape=(n,))
    eqs = [sp.Eq(h[i], g.expr([i], 3) + x[i]),
           sp.Eq(IndexedBase("z", shape=(n,))[i], h[i] * y[i] + g.expr([i], 2))]
    return eqs, "z", [i], []


def index_leaves(e, ix):
    """How many leaves of `e` depend on the index `ix`."""
    return sum(1 for a in sp.preorder_traversal(e) if a == ix or (isinstance(a, sp.Indexed) and ix in a.indices))


def inputs(rng, ints):
    r = np.random.default_rng(rng.randint(0, 2**31))
    if ints:
        return {"x": r.integers(-5, 6, N), "y": r.integers(-5, 6, N)}
    return {"x": r.uniform(-2, 2, N), "y": r.uniform(-2, 2, N), "w": r.uniform(-2, 2, M),
            "A": r.uniform(-2, 2, (N, M)), "a": np.float64(r.uniform(-2, 2))}


def evaluate(rhs, env, out_idx, summed):
    """SymPy's value of `rhs` at every output index, summing `summed` per Add term."""
    rhs = rhs.subs(DIMS)
    rhs = rhs.replace(lambda e: isinstance(e, sp.Product), lambda e: e.doit())
    terms = sp.Add.make_args(rhs) if summed else [rhs]
    names = sorted(env)
    bases = [IndexedBase(Symbol(s, real=True)) if np.ndim(env[s]) else Symbol(s, real=True) for s in names]
    idx_syms = [ix.label for ix in out_idx + summed]
    extent = {ix.label: int(ix.upper.subs(DIMS)) + 1 for ix in out_idx + summed}
    args = [env[s] for s in names]
    shape = [extent[ix.label] for ix in out_idx]
    out = np.zeros(shape, dtype=object)
    for t in terms:
        t = t.replace(lambda e: isinstance(e, Idx), lambda e: e.label)
        f = sp.lambdify(bases + idx_syms, t, modules="numpy")
        inner = [ix.label for ix in summed if t.has(ix.label)]
        for pos in np.ndindex(*shape) if shape else [()]:
            vals = dict(zip([ix.label for ix in out_idx], pos))
            if inner:
                tot = 0
                for spos in np.ndindex(*[extent[s] for s in inner]):
                    vals.update(zip(inner, spos))
                    tot = tot + f(*args, *[vals.get(s, 0) for s in idx_syms])
                v = tot
            else:
                v = f(*args, *[vals.get(s, 0) for s in idx_syms])
            out[pos] = out[pos] + np.asarray(v).item()
    return out


def expected(eqs, name, out_idx, summed, env):
    env = dict(env)
    for e in eqs:
        lhs = e.lhs
        lhs_name = str(lhs.base.label) if isinstance(lhs, sp.Indexed) else str(lhs)
        val = evaluate(e.rhs, env, out_idx, summed if lhs_name == name else [])
        env[lhs_name] = np.array(val.tolist())
    return np.array(env[name].tolist())


def kind_ok(got, want):
    """Integers stay integers; lambdify's Piecewise (numpy.select with a NaN default) turns
    integer branches into floats, so integral floats also match an integer result."""
    if (got.dtype.kind in "iu") == (want.dtype.kind in "iu"):
        return True
    return got.dtype.kind in "iu" and bool(np.all(want == np.round(want)))


def run_case(seed, air, backends, work, pool):
    rng = random.Random(seed)
    kind = rng.choice(["elementwise", "elementwise", "ints", "matrix", "sum", "implicit", "dot", "temps"])
    eqs, name, out_idx, summed = case(rng, kind)
    eqs = [e for e in eqs]
    if any(e in (sp.true, sp.false) for e in eqs):
        return "skip", "the equation evaluated to a truth value"
    root = eqs[0] if len(eqs) == 1 else sp.Tuple(*eqs)
    text = sp.srepr(root)
    ns = {}
    exec("from sympy import *", ns)
    ns.update(ExprCondPair=sp.functions.elementary.piecewise.ExprCondPair, Str=sp.core.symbol.Str)
    # SymPy canonicalises again when it reads its own srepr (Abs(1/x) becomes 1/Abs(x)): the
    # case is the expression as read back, which is what a user of the text has.
    root = eval(text, ns)
    text = sp.srepr(root)
    eqs = list(root) if isinstance(root, sp.Tuple) else [root]
    env = inputs(rng, kind == "ints")
    used = {str(s.label) if isinstance(s, IndexedBase) else str(s)
            for e in eqs for s in e.rhs.atoms(IndexedBase, Symbol)}
    lhs_names = {str(e.lhs.base.label) if isinstance(e.lhs, sp.Indexed) else str(e.lhs) for e in eqs}
    env = {s: v for s, v in env.items() if s in used and s not in lhs_names}
    bound = {d for s in env if np.ndim(env[s]) for d in {"x": [n], "y": [n], "w": [m], "A": [n, m]}[s]}
    needed = set().union(*(e.free_symbols for e in eqs)) & {n, m}
    if not needed <= bound:
        # SymPy cancelled every array of some extent: AIR, which binds extents from the inputs,
        # cannot know it, and must say so.
        d = work / f"case{seed}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "model.srepr").write_text(text)
        return "refused", kind, pool.submit(refused, air, d, sorted(str(s) for s in needed - bound))
    try:
        want = expected(eqs, name, out_idx, summed, env)
    except (OverflowError, ZeroDivisionError, TypeError, ValueError) as e:
        return "skip", f"SymPy cannot evaluate it: {e}"
    want = want.astype(np.int64) if want.dtype.kind in "iu" or (want.dtype == object and all(
        isinstance(v, int) for v in want.ravel())) else want.astype(np.float64)
    d = work / f"case{seed}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "model.srepr").write_text(text)
    np.savez(d / "inputs.npz", **{s: np.asarray(v) for s, v in env.items()})
    return "ran", kind, {b: pool.submit(run_backend, air, b, d, name, want, text) for b in backends}


def refused(air, d, extents):
    """(passed, detail): `air check` refuses the case, naming the extents no input has."""
    p = subprocess.run([air, "check", str(d / "model.srepr")], capture_output=True, text=True)
    names = ", ".join(f"`{e}`" for e in extents)
    if p.returncode == 1 and f"no input array has the extent{'s' if len(extents) > 1 else ''} {names}" in p.stderr:
        return True, ""
    return False, f"expected a refusal naming {names}, got rc {p.returncode}:\n{p.stderr}"


def run_backend(air, backend, d, name, want, text):
    """(passed, detail): `air run --backend <backend>` on the case in `d` against `want`."""
    out = d / f"out-{backend}.npz"
    p = subprocess.run([air, "run", str(d / "model.srepr"), "--inputs", str(d / "inputs.npz"),
                        "--outputs", str(out), "--backend", backend], capture_output=True, text=True)
    if p.returncode != 0:
        return False, f"air run failed:\n{p.stderr}\n{text}"
    got = np.load(out)[name]
    if got.shape != want.shape or not kind_ok(got, want):
        return False, f"{got.dtype}{got.shape} vs {want.dtype}{want.shape}\n{text}"
    if not np.allclose(got, want, rtol=RTOL, atol=ATOL, equal_nan=True):
        return False, f"got {got}\nwant {want}\n{text}"
    return True, ""


def peers(air, work):
    """Real SymPy evaluates every srepr `air convert` writes for a conformance case."""
    counts = {"written": 0, "parsed": 0, "evaluated": 0, "matched": 0}
    failures = []
    ns = {}
    exec("from sympy import *", ns)
    ns.update(ExprCondPair=sp.functions.elementary.piecewise.ExprCondPair, Str=sp.core.symbol.Str)
    for case_dir in sorted((ROOT / "conformance/cases").glob("*/*")):
        meta = tomllib.loads((case_dir / "case.toml").read_text())
        if meta.get("expect", "ok") != "ok":
            continue
        out = work / (case_dir.name + ".srepr")
        p = subprocess.run([air, "convert", str(case_dir / "case.air"), str(out)], capture_output=True)
        if p.returncode != 0:
            continue
        counts["written"] += 1
        try:
            root = eval(out.read_text(), dict(ns))
        except Exception as e:  # noqa: BLE001 - any failure to parse is the finding
            failures.append(f"{case_dir}: SymPy cannot read the export: {e}")
            continue
        eqs = list(root) if isinstance(root, sp.Tuple) else [root]
        if not all(isinstance(e, sp.Equality) for e in eqs):
            failures.append(f"{case_dir}: SymPy evaluated the export to {root}")
            continue
        counts["parsed"] += 1
        ok = peer_numbers(case_dir, eqs, meta, failures)
        if ok is not None:
            counts["evaluated"] += 1
            counts["matched"] += int(ok)
    return counts, failures


def peer_numbers(case_dir, eqs, meta, failures):
    """lambdify of the SymPy equations against expected.npz; None when SymPy cannot evaluate."""
    ins = dict(np.load(case_dir / "inputs.npz"))
    exp = dict(np.load(case_dir / "expected.npz"))
    if "bf16" in meta or any(v.dtype.kind in "cV" for v in ins.values()):
        return None  # bf16 travels as uint16 bit patterns; NumPy has no bfloat16
    dims = {}
    for e in eqs:
        for b in e.atoms(IndexedBase):
            if str(b.label) in ins:
                dims.update({s: v for s, v in zip(b.shape, ins[str(b.label)].shape) if s.is_Symbol})
    tol = meta.get("tolerance", {})
    for e in eqs:
        lhs = e.lhs
        name = str(lhs.base.label) if isinstance(lhs, sp.Indexed) else str(lhs)
        if name not in exp:
            return None
        out_idx = list(lhs.indices) if isinstance(lhs, sp.Indexed) else []
        free = {ix for ix in e.rhs.atoms(Idx)} - set(out_idx)
        try:
            global DIMS
            saved, DIMS = DIMS, dims
            val = evaluate(e.rhs, {s: v for s, v in ins.items()}, out_idx, sorted(free, key=str))
        except Exception:  # noqa: BLE001 - SymPy's printers do not cover everything
            return None
        finally:
            DIMS = saved
        want = exp[name]
        got = val.astype(bool if want.dtype.kind == "b" else np.float64)
        eps = np.finfo(want.dtype).eps if want.dtype.kind == "f" else 0.0
        rtol = max(tol.get("rtol", 0.0), tol.get("ulp", 0) * eps, 1e-9)
        atol = max(tol.get("atol", 0.0), 1e-12)
        if got.shape != want.shape or not np.allclose(got.astype(np.float64), want.astype(np.float64),
                                                      rtol=rtol, atol=atol, equal_nan=True):
            failures.append(f"{case_dir}: {name}: SymPy gives {got}, expected {want}")
            return False
    return True


def main():
    # Random inputs overflow, divide by zero and leave domains: NumPy's warnings are noise here.
    np.seterr(all="ignore")
    warnings.simplefilter("ignore", RuntimeWarning)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--air", default=str(ROOT / "target/debug/air"))
    ap.add_argument("--peers", action="store_true")
    ap.add_argument("--backends", default="interp,llvm",
                    help="comma-separated backends of `air run`; every case runs on each")
    args = ap.parse_args()
    backends = args.backends.split(",")
    ran, skipped = 0, 0
    refusals = []
    kinds = {}
    passed = {b: 0 for b in backends}
    failures = []
    # The `air run`s go to a thread pool: they overlap each other and SymPy's work on the
    # next cases, which take about as long.
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=4) as pool:
        work = Path(tmp)
        s = args.seed
        runs = []
        # Skipped cases (SymPy cannot evaluate them) and refused ones do not count toward --cases.
        while ran < args.cases and s < args.seed + 2 * args.cases:
            outcome = run_case(s, args.air, backends, work, pool)
            s += 1
            if outcome[0] == "skip":
                skipped += 1
                failures.append(f"seed {s - 1}: skip: {outcome[1]}")
                continue
            if outcome[0] == "refused":
                refusals.append((s - 1, outcome[2]))
                continue
            _, kind, by_backend = outcome
            ran += 1
            kinds[kind] = kinds.get(kind, 0) + 1
            runs.append((s - 1, by_backend))
        for seed, by_backend in runs:
            for b, run in by_backend.items():
                ok, detail = run.result()
                passed[b] += int(ok)
                if not ok:
                    failures.append(f"seed {seed}: {b}: fail: {detail}")
        refused_ok = 0
        for seed, run in refusals:
            ok, detail = run.result()
            refused_ok += int(ok)
            if not ok:
                failures.append(f"seed {seed}: refusal: fail: {detail}")
        print(f"random SymPy systems: {ran} run, {skipped} skipped, by kind "
              f"{dict(sorted(kinds.items()))}")
        print(f"  an extent no input has: {refused_ok} of {len(refusals)} refused by air check, "
              "naming it")
        for b in backends:
            print(f"  air run --backend {b}: {passed[b]} of {ran} match SymPy")
        for f in failures:
            print(f)
        peer_failures = []
        if args.peers:
            counts, peer_failures = peers(args.air, work)
            print(f"peers-sympy: {counts}")
            for f in peer_failures:
                print(f)
    bad = (ran < args.cases or any(passed[b] < ran for b in backends)
           or refused_ok < len(refusals) or peer_failures)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
