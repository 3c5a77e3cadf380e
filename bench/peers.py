#!/usr/bin/env python3
"""AIR against the libraries its users would pick instead: the kernels of `docs/DESIGN.md` §8, side by side.

    .venv/bin/python bench/peers.py            # everything, about 5 minutes on 2 cores
    .venv/bin/python bench/peers.py --quick    # sizes / 10, 3 repetitions: checks the harness
    .venv/bin/python bench/peers.py --only fused,matvec --threads 1

For every kernel, in one process per thread count, each library in turn (its own block) is given
the same inputs, checked against NumPy's answer, then timed: `--reps` calls (default 7), each after
reading a 512 MiB buffer so that the data starts in DRAM. Results go into buffers allocated once
where the library accepts them (`out=`); freed memory stays in the process
(MALLOC_MMAP_MAX_=0, MALLOC_TRIM_THRESHOLD_ set before the workers start), so allocating a result
costs what it costs in a long-running program, not a page-fault storm.

Rows: AIR (`skair.compile`), NumPy, numexpr, Numba (`njit`, and `fastmath=True` separately),
PyTensor (`pytensor.function`, its default mode), SymPy (`autowrap`/`ufuncify`, where the kernel is
expressible and a backend works here). The floor is the kernel's minimal memory traffic (inputs read
once, results written once) at the triad bandwidth measured in the same process. Then compile latency
(each library in a fresh process, module or function -> callable; the first kernel a process
compiles also pays for loading the library's compiler) and per-call overhead on N=8 (same process).

Prints a markdown table of medians (min-max) with ratios to the fastest peer and to the floor, and
writes bench/results.json. The harness measures; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent


def portable_args(args) -> dict:
    """The command-line arguments as recorded in the results: paths inside the repository relative to
    it, paths outside it by file name only (a results file holds no machine-specific path)."""
    out = dict(vars(args))
    if out.get("json"):
        p = Path(out["json"]).resolve()
        try:
            out["json"] = str(p.relative_to(HERE.parent))
        except ValueError:
            out["json"] = p.name
    return out
PEERS = ["AIR", "NumPy", "numexpr", "Numba", "Numba fastmath", "PyTensor", "SymPy"]
MALLOC_ENV = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": "100000000000"}


# --------------------------------------------------------------------------------------------
# The kernels, as AIR modules (text) or SymPy systems, with their sizes and minimal traffic.

FUSED_AIR = """air 1 opset 1
func @fused(%a: f64[n], %b: f64[n], %c: f64[n]) -> (%y: f64[n]) {
  %ab = mul (%a, %b) : f64[n]
  %s = sin (%c) : f64[n]
  %na = neg (%a) : f64[n]
  %e = exp (%na) : f64[n]
  %se = mul (%s, %e) : f64[n]
  %y = add (%ab, %se) : f64[n]
  return %y
}
"""

MATMUL_AIR = """air 1 opset 1
func @matmul(%a: f64[n, k], %b: f64[k, m]) -> (%c: f64[n, m]) {
  %c = matmul (%a, %b) : f64[n, m]
  return %c
}
"""

SOFTMAX_AIR = """air 1 opset 1
func @softmax(%x: f64[n, m]) -> (%y: f64[n, m]) {
  %mx = reduce_max {axes = [1], keepdims = true} (%x) : f64[n, 1]
  %mxb = broadcast {shape = [n, m], dims = [0, 1]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %den = reduce_sum {axes = [1], keepdims = true} (%ex) : f64[n, 1]
  %denb = broadcast {shape = [n, m], dims = [0, 1]} (%den) : f64[n, m]
  %y = div (%ex, %denb) : f64[n, m]
  return %y
}
"""

LOGSUMEXP_AIR = """air 1 opset 1
func @logsumexp(%x: f64[n, m]) -> (%y: f64[n]) {
  %mx = reduce_max {axes = [1]} (%x) : f64[n]
  %mxb = broadcast {shape = [n, m], dims = [0]} (%mx) : f64[n, m]
  %sh = sub (%x, %mxb) : f64[n, m]
  %ex = exp (%sh) : f64[n, m]
  %s = reduce_sum {axes = [1]} (%ex) : f64[n]
  %l = log (%s) : f64[n]
  %y = add (%l, %mx) : f64[n]
  return %y
}
"""

SUMSQ_AIR = """air 1 opset 1
func @sumsq(%x: f64[n]) -> (%y: f64) {
  %q = mul (%x, %x) : f64[n]
  %y = reduce_sum {axes = [0]} (%q) : f64
  return %y
}
"""

HORNER_COEFS = [0.5, -1.25, 0.75, 2.0, -0.5, 0.125, -0.0625, 0.03125, 0.01]


def horner_air() -> str:
    """`((c8*x + c7)*x + ...)*x + c0`, the scalar coefficients broadcast."""
    last = len(HORNER_COEFS) - 1
    lines = [f"  %c{k} = constant {{value = f64 {c!r}}} () : f64" for k, c in enumerate(HORNER_COEFS)]
    lines.append(f"  %cb{last} = broadcast {{shape = [n], dims = []}} (%c{last}) : f64[n]")
    acc = f"%cb{last}"
    for k in range(last - 1, -1, -1):
        lines.append(f"  %m{k} = mul ({acc}, %x) : f64[n]")
        lines.append(f"  %cb{k} = broadcast {{shape = [n], dims = []}} (%c{k}) : f64[n]")
        lines.append(f"  %h{k} = add (%m{k}, %cb{k}) : f64[n]")
        acc = f"%h{k}"
    body = "\n".join(lines)
    return f"air 1 opset 1\nfunc @horner(%x: f64[n]) -> (%y: f64[n]) {{\n{body}\n  return {acc}\n}}\n"


class Kernel:
    """One computation: how to make its inputs, its minimal traffic, and its reference answer."""

    def __init__(self, key: str, title: str, shapes: dict[str, tuple[int, ...]], out_shape: tuple[int, ...],
                 bytes_moved: float, flops: float = 0.0, rtol: float = 1e-10):
        self.key, self.title, self.shapes, self.out_shape = key, title, shapes, out_shape
        self.bytes_moved, self.flops, self.rtol = bytes_moved, flops, rtol

    def inputs(self, np):
        rng = np.random.default_rng(20261121)
        return {k: rng.uniform(-3.0, 3.0, size=s) for k, s in self.shapes.items()}


def kernels(scale: int) -> list[Kernel]:
    n = 10_000_000 // scale
    mv = 4000 // (1 if scale == 1 else 4)
    r = 2000 // (1 if scale == 1 else 4)
    ks = [
        Kernel("fused", f"fused a*b+sin(c)*exp(-a), {n:,}", {"a": (n,), "b": (n,), "c": (n,)}, (n,), 32.0 * n),
        Kernel("matvec", f"matvec implicit sum y[i]=A[i,j]*x[j], {mv}²", {"A": (mv, mv), "x": (mv,)}, (mv,),
               8.0 * (mv * mv + 2 * mv)),
    ]
    for m in ([512, 1024] if scale == 1 else [128]):
        ks.append(Kernel(f"matmul{m}", f"matmul {m}³", {"a": (m, m), "b": (m, m)}, (m, m), 24.0 * m * m,
                         flops=2.0 * m ** 3))
    ks += [
        Kernel("softmax", f"softmax rows, {r}²", {"x": (r, r)}, (r, r), 16.0 * r * r, rtol=1e-12),
        Kernel("logsumexp", f"logsumexp rows, {r}²", {"x": (r, r)}, (r,), 8.0 * r * r, rtol=1e-12),
        Kernel("sumsq", f"sum of squares, {n:,}", {"x": (n,)}, (), 8.0 * n, rtol=1e-9),
        Kernel("horner", f"Horner degree 8, {n:,}", {"x": (n,)}, (n,), 16.0 * n),
    ]
    return ks


# --------------------------------------------------------------------------------------------
# Each library's version of each kernel: `build(kernel, threads)` returns None (the library cannot
# express it) or a `Call`: the library's callable and how to lay out its arguments, so that timing
# and the per-call overhead measure the library's own entry, not a wrapper of this script.

class Call:
    """`fn(*args(x, out), **kwargs(out))`; the result is what fn returns, or `out` if it returns None."""

    def __init__(self, fn, names: list[str], out: str | None = "out", extra: tuple = ()):
        self.fn, self.names, self.out, self.extra = fn, names, out, extra

    def arguments(self, x: dict, out) -> tuple[tuple, dict]:
        args = tuple(x[n] for n in self.names)
        if self.out == "positional":
            return args + (out,) + self.extra, {}
        if self.out == "out" and out is not None:
            return args + self.extra, {"out": out}
        return args + self.extra, {}

    def __call__(self, x: dict, out):
        a, kw = self.arguments(x, out)
        r = self.fn(*a, **kw)
        return out if r is None else r


def reference(np, k: Kernel, x: dict):
    if k.key == "fused":
        return x["a"] * x["b"] + np.sin(x["c"]) * np.exp(-x["a"])
    if k.key == "matvec":
        return x["A"] @ x["x"]
    if k.key.startswith("matmul"):
        return x["a"] @ x["b"]
    if k.key == "softmax":
        e = np.exp(x["x"] - x["x"].max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if k.key == "logsumexp":
        m = x["x"].max(axis=1)
        return np.log(np.exp(x["x"] - m[:, None]).sum(axis=1)) + m
    if k.key == "sumsq":
        return np.array(x["x"] @ x["x"])
    if k.key == "horner":
        return np.polyval(HORNER_COEFS[::-1], x["x"])
    raise KeyError(k.key)


def build_air(k: Kernel, threads: int):
    import skair
    if k.key == "matvec":
        import sympy as sp
        n, m = sp.symbols("n m", integer=True)
        i, j = sp.Idx("i", n), sp.Idx("j", m)
        A, xv, y = sp.IndexedBase("A", shape=(n, m)), sp.IndexedBase("x", shape=(m,)), sp.IndexedBase("y", shape=(n,))
        module = skair.from_sympy(sp.Eq(y[i], A[i, j] * xv[j]), args=["A", "x"])
    else:
        text = {"fused": FUSED_AIR, "softmax": SOFTMAX_AIR, "logsumexp": LOGSUMEXP_AIR, "sumsq": SUMSQ_AIR,
                "horner": horner_air()}.get(k.key, MATMUL_AIR)
        module = skair.loads(text, format="air")
    return Call(skair.compile(module, threads=threads), list(k.shapes), out="out" if k.out_shape else None)


def build_numpy(k: Kernel, threads: int):
    import numpy as np
    if k.key == "fused":
        return Call(lambda a, b, c, out: np.add(a * b, np.sin(c) * np.exp(-a), out=out), ["a", "b", "c"])
    if k.key == "matvec" or k.key.startswith("matmul"):
        return Call(np.matmul, list(k.shapes))
    names = list(k.shapes)
    return Call(lambda *arrays: reference(np, k, dict(zip(names, arrays))), names, out=None)


def build_numexpr(k: Kernel, threads: int):
    import numexpr as ne
    ne.set_num_threads(threads)
    if k.key == "fused":
        expr = "a*b + sin(c)*exp(-a)"
    elif k.key == "sumsq":
        expr = "sum(x*x)"
    elif k.key == "horner":
        expr = repr(HORNER_COEFS[-1])
        for c in reversed(HORNER_COEFS[:-1]):
            expr = f"({expr})*x + {c!r}"
    else:
        return None  # numexpr has no matrix products and no row-wise reductions
    names = list(k.shapes)

    def evaluate(*arrays, out=None):  # what numexpr users write; evaluate caches the compiled expression
        return ne.evaluate(expr, local_dict=dict(zip(names, arrays)), out=out)
    return Call(evaluate, names, out="out" if k.key != "sumsq" else None)


NUMBA_SRC = '''
import numpy as np
from numba import prange

def fused(a, b, c, y):
    for i in prange(a.shape[0]):
        y[i] = a[i] * b[i] + np.sin(c[i]) * np.exp(-a[i])

def matvec(A, x, y):
    for i in prange(A.shape[0]):
        s = 0.0
        for j in range(A.shape[1]):
            s += A[i, j] * x[j]
        y[i] = s

def matmul(a, b, c):
    for i in prange(a.shape[0]):
        for j in range(b.shape[1]):
            c[i, j] = 0.0
        for k in range(a.shape[1]):
            aik = a[i, k]
            for j in range(b.shape[1]):
                c[i, j] += aik * b[k, j]

def softmax(x, y):
    for i in prange(x.shape[0]):
        m = x[i, 0]
        for j in range(x.shape[1]):
            m = max(m, x[i, j])
        s = 0.0
        for j in range(x.shape[1]):
            e = np.exp(x[i, j] - m)
            y[i, j] = e
            s += e
        for j in range(x.shape[1]):
            y[i, j] /= s

def logsumexp(x, y):
    for i in prange(x.shape[0]):
        m = x[i, 0]
        for j in range(x.shape[1]):
            m = max(m, x[i, j])
        s = 0.0
        for j in range(x.shape[1]):
            s += np.exp(x[i, j] - m)
        y[i] = np.log(s) + m

def sumsq(x):
    s = 0.0
    for i in prange(x.shape[0]):
        s += x[i] * x[i]
    return s

def horner(x, y, c):
    for i in prange(x.shape[0]):
        acc = c[c.shape[0] - 1]
        for k in range(c.shape[0] - 2, -1, -1):
            acc = acc * x[i] + c[k]
        y[i] = acc
'''

NUMBA_SIGS = {
    "fused": "void(f8[::1], f8[::1], f8[::1], f8[::1])",
    "matvec": "void(f8[:, ::1], f8[::1], f8[::1])",
    "matmul": "void(f8[:, ::1], f8[:, ::1], f8[:, ::1])",
    "softmax": "void(f8[:, ::1], f8[:, ::1])",
    "logsumexp": "void(f8[:, ::1], f8[::1])",
    "sumsq": "f8(f8[::1])",
    "horner": "void(f8[::1], f8[::1], f8[::1])",
}


def numba_function(key: str, threads: int, fastmath: bool):
    """The kernel compiled eagerly with its signature: `prange` loops, parallel on more than one thread."""
    import numba
    namespace: dict = {}
    exec(compile(NUMBA_SRC, "<numba kernels>", "exec"), namespace)
    base = "matmul" if key.startswith("matmul") else key
    return numba.njit(NUMBA_SIGS[base], parallel=threads > 1, fastmath=fastmath, cache=False)(namespace[base])


def build_numba(k: Kernel, threads: int, fastmath: bool = False):
    import numpy as np
    import numba
    numba.set_num_threads(threads)
    f = numba_function(k.key, threads, fastmath)
    if k.key == "sumsq":
        return Call(f, ["x"], out=None)
    extra = (np.array(HORNER_COEFS),) if k.key == "horner" else ()
    return Call(f, list(k.shapes), out="positional", extra=extra)


def build_numba_fastmath(k: Kernel, threads: int):
    return build_numba(k, threads, fastmath=True)


def pytensor_graph(k: Kernel):
    import pytensor.tensor as pt
    if k.key == "fused":
        a, b, c = pt.dvector("a"), pt.dvector("b"), pt.dvector("c")
        return [a, b, c], a * b + pt.sin(c) * pt.exp(-a)
    if k.key == "matvec":
        A, x = pt.dmatrix("A"), pt.dvector("x")
        return [A, x], pt.dot(A, x)
    if k.key.startswith("matmul"):
        a, b = pt.dmatrix("a"), pt.dmatrix("b")
        return [a, b], pt.dot(a, b)
    if k.key == "softmax":
        x = pt.dmatrix("x")
        return [x], pt.special.softmax(x, axis=1)
    if k.key == "logsumexp":
        x = pt.dmatrix("x")
        return [x], pt.logsumexp(x, axis=1)
    if k.key == "sumsq":
        x = pt.dvector("x")
        return [x], pt.sum(x * x)
    if k.key == "horner":
        x = pt.dvector("x")
        acc = pt.constant(HORNER_COEFS[-1], dtype="float64")
        for c in reversed(HORNER_COEFS[:-1]):
            acc = acc * x + c
        return [x], acc
    raise KeyError(k.key)


def build_pytensor(k: Kernel, threads: int):
    import pytensor
    ins, out = pytensor_graph(k)
    return Call(pytensor.function(ins, out), list(k.shapes), out=None)


def sympy_system(k: Kernel):
    """(kind, expression or equation, args) for the kernels SymPy's wrappers can express."""
    import sympy as sp
    if k.key == "fused":
        a, b, c = sp.symbols("a b c")
        return "ufuncify", a * b + sp.sin(c) * sp.exp(-a), [a, b, c]
    if k.key == "horner":
        x = sp.Symbol("x")
        return "ufuncify", sp.horner(sum(sp.Float(c) * x ** p for p, c in enumerate(HORNER_COEFS)), x), [x]
    if k.key == "matvec" or k.key.startswith("matmul"):
        n, m, p = sp.symbols("n m p", integer=True)
        i, j, l = sp.Idx("i", n), sp.Idx("j", m), sp.Idx("l", p)
        A, B = sp.IndexedBase("A", shape=(n, m)), sp.IndexedBase("B", shape=(m, p))
        if k.key == "matvec":
            x, y = sp.IndexedBase("x", shape=(m,)), sp.IndexedBase("y", shape=(n,))
            return "autowrap", sp.Eq(y[i], A[i, j] * x[j]), [A, x, y, m, n]
        C = sp.IndexedBase("C", shape=(n, p))
        return "autowrap", sp.Eq(C[i, l], A[i, j] * B[j, l]), [A, B, C, m, n, p]
    return None


def build_sympy(k: Kernel, threads: int):
    if threads > 1:
        return None  # the wrappers are single-threaded loops; timed once, in the 1-thread block
    system = sympy_system(k)
    if system is None:
        return None
    from sympy.utilities.autowrap import autowrap, ufuncify
    kind, expr, args = system
    if kind == "ufuncify":
        return Call(ufuncify(args, expr, backend="numpy"), list(k.shapes))
    return Call(autowrap(expr, backend="cython", args=args), list(k.shapes), out=None)


BUILDERS: dict[str, Callable] = {
    "AIR": build_air, "NumPy": build_numpy, "numexpr": build_numexpr, "Numba": build_numba,
    "Numba fastmath": build_numba_fastmath, "PyTensor": build_pytensor, "SymPy": build_sympy,
}


# --------------------------------------------------------------------------------------------
# Measuring.

class Flush:
    """Reads 512 MiB so that the next call finds its data in DRAM, not in the last-level cache."""

    def __init__(self, np, mib: int):
        self.buf = np.ones(mib * (1 << 20) // 8)

    def __call__(self) -> None:
        self.buf.sum()


def time_calls(call, x, out, reps: int, flush: Flush) -> list[float]:
    times = []
    for _ in range(reps):
        flush()
        t0 = time.perf_counter()
        call(x, out)
        times.append(time.perf_counter() - t0)
    return times


def triad_bandwidth(np, threads: int, n: int, flush: Flush) -> float:
    """Bytes per second of `a = b + s*c` (24 bytes per element), written with Numba, best of 7."""
    import numba

    def triad(a, b, c, s):
        for i in numba.prange(a.shape[0]):
            a[i] = b[i] + s * c[i]
    f = numba.njit("void(f8[::1], f8[::1], f8[::1], f8)", parallel=threads > 1)(triad)
    a, b, c = np.zeros(n), np.ones(n), np.ones(n)
    f(a, b, c, 2.0)
    best = min(time_calls(lambda x, o: f(a, b, c, 2.0), None, None, 7, flush))
    return 24.0 * n / best


def worker(args) -> dict:
    """Runs in its own process with the thread count fixed: every kernel, every peer."""
    import numpy as np
    threads = args.threads_one
    flush = Flush(np, args.flush_mib)
    scale = 10 if args.quick else 1
    result = {"threads": threads, "triad_GBs": triad_bandwidth(np, threads, 10_000_000 // scale, flush) / 1e9,
              "kernels": {}}
    for k in kernels(scale):
        if args.only and not any(k.key.startswith(o) for o in args.only):
            continue
        x = k.inputs(np)
        want = reference(np, k, x)
        row = {"title": k.title, "floor_ms": 1e3 * k.bytes_moved / (result["triad_GBs"] * 1e9),
               "flops": k.flops, "peers": {}}
        for peer in args.peers:
            row["peers"][peer] = run_peer(np, peer, k, x, want, threads, args.reps, flush)
            print(f"  [{threads} thr] {k.key:10} {peer:15} {summarise(row['peers'][peer])}", file=sys.stderr)
        result["kernels"][k.key] = row
    return result


def run_peer(np, peer: str, k: Kernel, x: dict, want, threads: int, reps: int, flush: Flush) -> dict:
    try:
        call = BUILDERS[peer](k, threads)
    except Exception as e:  # a library that cannot build this kernel here: say why in the table
        return {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"}
    if call is None:
        return {"na": True}
    out = np.empty(k.out_shape) if k.out_shape != () else None
    try:
        got = np.asarray(call(x, out))
    except Exception as e:
        return {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"}
    if got.shape != want.shape or not np.allclose(got, want, rtol=k.rtol if "fastmath" not in peer else 1e-6,
                                                   atol=1e-12):
        diff = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("nan")
        return {"error": f"wrong answer (shape {got.shape}, max abs diff {diff:.3g})"}
    times = time_calls(call, x, out, reps, flush)
    return {"ms": sorted(1e3 * t for t in times)}


def call_overhead(np, peer: str) -> float | None:
    """Nanoseconds per call of the fused kernel on 8 elements, straight to the library's callable."""
    k = Kernel("fused", "fused", {"a": (8,), "b": (8,), "c": (8,)}, (8,), 0.0)
    try:
        call = BUILDERS[peer](k, 1)
    except Exception:
        return None
    if call is None:
        return None
    x, out = k.inputs(np), np.empty(8)
    fn, (args, kwargs) = call.fn, call.arguments(x, out)
    fn(*args, **kwargs)
    best, loops = float("inf"), 20000
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(loops):
            fn(*args, **kwargs)
        best = min(best, (time.perf_counter() - t0) / loops)
    return best * 1e9


def summarise(cell: dict) -> str:
    if "ms" in cell:
        ms = cell["ms"]
        return f"{ms[len(ms) // 2]:.3g} ({ms[0]:.3g}–{ms[-1]:.3g})"
    if cell.get("na"):
        return "–"
    return "error: " + cell["error"]


# --------------------------------------------------------------------------------------------
# Compile latency, each library in a fresh process.

LATENCY_SNIPPET = r'''
import sys, time, json
sys.path.insert(0, {here!r})
import numpy as np
import peers
import sympy  # imported before timing: the AIR matvec kernel is built from a SymPy system
peer = {peer!r}
if peer == "AIR":
    import skair
elif peer.startswith("Numba"):
    import numba
elif peer == "PyTensor":
    import pytensor
res = {{}}
for k in peers.kernels(10):
    t0 = time.perf_counter()
    try:
        call = peers.BUILDERS[peer](k, 1)
    except Exception as e:
        res[k.key] = "error: " + type(e).__name__
        continue
    res[k.key] = None if call is None else 1e3 * (time.perf_counter() - t0)
res["overhead_ns"] = peers.call_overhead(np, peer)
print(json.dumps(res))
'''


def compile_latency(peer: str) -> dict:
    code = LATENCY_SNIPPET.format(here=str(HERE), peer=peer)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# Orchestration and the table.

def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for mod in ("numpy", "numexpr", "numba", "pytensor", "sympy", "skair"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception as e:
            versions[mod] = f"unavailable ({type(e).__name__})"
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "versions": versions,
            "malloc": MALLOC_ENV}


def spawn_worker(argv: list[str], threads: int) -> dict:
    env = dict(os.environ, **MALLOC_ENV)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                "NUMEXPR_MAX_THREADS"):
        env[var] = str(threads)
    cmd = [sys.executable, str(Path(__file__).resolve()), *argv, "--worker", str(threads)]
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit(f"peers.py: the {threads}-thread worker failed (exit {p.returncode})")
    return json.loads(p.stdout)


def table(results: list[dict], peers: list[str]) -> str:
    head = "| kernel | thr | " + " | ".join(peers) + " | floor | AIR vs fastest peer | AIR vs floor |"
    lines = [head, "|" + "---|" * (len(peers) + 5)]
    for res in results:
        for key, row in res["kernels"].items():
            cells = [summarise(row["peers"].get(p, {"na": True})) for p in peers]
            med = {p: c["ms"][len(c["ms"]) // 2] for p, c in row["peers"].items() if "ms" in c}
            air = med.get("AIR")
            others = {p: v for p, v in med.items() if p != "AIR"}
            best = min(others.items(), key=lambda kv: kv[1]) if others else None
            floor = row["floor_ms"] if not row["flops"] else None
            vs_best = f"{best[1] / air:.2f}x ({'faster' if air < best[1] else 'slower'} than {best[0]})" \
                if air and best else "–"
            vs_floor = f"{air / floor:.2f}x" if air and floor else "–"
            floor_s = f"{floor:.3g}" if floor else "–"
            lines.append(f"| {row['title']} | {res['threads']} | " + " | ".join(cells)
                         + f" | {floor_s} | {vs_best} | {vs_floor} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes / 10 and 3 repetitions")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--threads", default=f"1,{os.cpu_count()}", help="thread counts, e.g. 1,2")
    ap.add_argument("--only", default="", help="comma-separated kernel keys (fused, matvec, matmul...)")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ", ".join(PEERS))
    ap.add_argument("--flush-mib", type=int, default=512)
    ap.add_argument("--no-latency", action="store_true", help="skip the fresh-process compile latency")
    ap.add_argument("--json", default=str(HERE / "results.json"))
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 if any library failed to build a kernel or gave a wrong answer (for CI)")
    ap.add_argument("--worker", dest="threads_one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.only = [o for o in args.only.split(",") if o]
    args.peers = [p for p in args.peers.split(",") if p]
    unknown = [p for p in args.peers if p not in BUILDERS]
    if unknown:
        ap.error(f"unknown peer(s) {unknown}; known: {', '.join(PEERS)}")
    if args.quick:
        args.reps = min(args.reps, 3)
        args.flush_mib = min(args.flush_mib, 64)
    if args.threads_one is not None:
        print(json.dumps(worker(args)))
        return
    passthrough = ["--reps", str(args.reps), "--only", ",".join(args.only), "--peers", ",".join(args.peers),
                   "--flush-mib", str(args.flush_mib)] + (["--quick"] if args.quick else [])
    threads = sorted({int(t) for t in args.threads.split(",") if t})
    results = [spawn_worker(passthrough, t) for t in threads]
    latency = {} if args.no_latency else {p: compile_latency(p) for p in args.peers}
    info = machine()
    report = ["## AIR against its peers", "",
              f"{info['cpu']}, {info['cores']} cores, Python {info['python']}; "
              + ", ".join(f"{m} {v}" for m, v in info["versions"].items())
              + "; triad " + ", ".join(f"{r['triad_GBs']:.1f} GB/s on {r['threads']} thr" for r in results) + ".",
              "", "Milliseconds, median (min–max) of "
              f"{args.reps} cold-cache calls; floor = minimal traffic at the triad bandwidth.", "",
              table(results, args.peers), ""]
    if latency:
        keys = sorted({k for v in latency.values() if isinstance(v, dict) for k in v
                       if k not in ("error", "overhead_ns")})
        report += ["Compile latency, ms (module or function -> callable; one fresh process per library, kernels"
                   " compiled in the order fused, matvec, matmul, softmax, logsumexp, sumsq, horner, so the first"
                   " also pays for loading the library's compiler):", "",
                   "| peer | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
        for p, v in latency.items():
            cells = [("–" if v.get(k) is None else v[k] if isinstance(v.get(k), str) else f"{v[k]:.1f}")
                     for k in keys] if "error" not in v else [v["error"]] * len(keys)
            report.append(f"| {p} | " + " | ".join(cells) + " |")
        report.append("")
    overhead = {p: v.get("overhead_ns") for p, v in latency.items() if "error" not in v}
    if overhead:
        report += ["Per-call overhead, fused kernel on N=8, results into a buffer where the library takes one"
                   " (ns per call, best of 5 x 20000 calls, fresh process):", "",
                   "| " + " | ".join(overhead) + " |", "|" + "---|" * len(overhead),
                   "| " + " | ".join("–" if v is None else f"{v:.0f}" for v in overhead.values()) + " |", ""]
    print("\n".join(report))
    Path(args.json).write_text(json.dumps({"machine": info, "results": results, "compile_ms": latency,
                                           "args": portable_args(args)}, indent=1) + "\n")
    print(f"wrote {args.json}", file=sys.stderr)
    errors = [f"{row['title']} [{r['threads']} thr] {peer}: {cell['error']}"
              for r in results for row in r["kernels"].values() for peer, cell in row["peers"].items()
              if "error" in cell]
    errors += [f"compile latency {peer}: {v['error']}" for peer, v in latency.items() if "error" in v]
    if errors and args.strict:
        raise SystemExit("peers.py --strict: " + "; ".join(errors))


if __name__ == "__main__":
    main()
