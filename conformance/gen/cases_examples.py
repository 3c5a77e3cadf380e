"""The five shared examples (data/examples/, copied from the examples produced by the real
libraries: NumPy, PyTensor, SymPy, Numba, Blaze) as AIR cases. Their inputs and expected values
are the libraries' own; the tolerance is the one of their meta.json. The NumPy evaluation of each
graph must agree with those expected values (checked when generating)."""

import json
import os

import numpy as np

from air_text import Dim
from builder import Module
from case import Case

G = "examples"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "examples")


def load(name):
    d = os.path.join(DATA, name)
    with open(os.path.join(d, "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    with np.load(os.path.join(d, "inputs.npz"), allow_pickle=False) as z:
        inputs = {k: z[k] for k in z.files}
    with np.load(os.path.join(d, "expected.npz"), allow_pickle=False) as z:
        expected = {k: z[k] for k in z.files}
    return meta, inputs, expected


def example(name, tags, build):
    meta, inputs, expected = load(name)
    m = Module()
    f = m.func("main")
    build(f)
    params = [p.ref[1:] for p in f.params]
    return Case(G, name, meta["doc"], ["example"] + tags, m, {k: inputs[k] for k in params},
                tol=dict(meta["tolerance"]), expected=expected)


def matvec(f):
    a, v = f.param("A", "f64[n, m]"), f.param("v", "f64[m]")
    f.ret(f.einsum("ij,j->i", [a, v], name="y"))


def ew_fused(f):
    """z = exp(x)*2 + log1p(y) - x**2, with the constants made explicit by `full`."""
    x, y = f.param("x", "f64[n]"), f.param("y", "f64[n]")
    two = f.full("f64", 2.0, ["n"], name="two")
    t1 = f.binary("mul", f.unary("exp", x, name="ex"), two, name="t1")
    t2 = f.binary("add", t1, f.unary("log1p", y, name="ly"), name="t2")
    f.ret(f.binary("sub", t2, f.binary("pow", x, two, name="sq"), name="z"))


def table_revenue(f):
    """A record table t as one param per field (t__<field>): s = sum(price*qty where ok)."""
    ps = {}
    for field, dt in [("id", "i64"), ("price", "f64"), ("qty", "i32"), ("cost", "f64"),
                      ("ok", "bool")]:
        ps[field] = f.param(f"t__{field}", f"{dt}[n]")
    qty = f.cast(ps["qty"], "f64", name="qty")
    rev = f.binary("mul", ps["price"], qty, name="rev")
    kept = f.filter(rev, ps["ok"], "k", name="kept")
    f.ret(f.reduce("sum", kept, [0], name="s"))


def scan_iir(f):
    """s = 0; for k in range(6): s = 0.5*s + x[k]  (the example of docs/text-format.md)."""
    x = f.param("x", "f64[n]")
    lo = f.scalar("i64", 0, name="lo")
    hi = f.scalar("i64", 6, name="hi")
    one = f.scalar("i64", 1, name="one")
    s0 = f.scalar("f64", 0.0, name="s0")
    b = f.region([("k", "i64"), ("acc", "f64"), ("xs", "f64[n]")])
    k, acc, xs = b.params
    half = b.scalar("f64", 0.5, name="half")
    xk = b.extract(xs, [k], name="xk")
    t = b.binary("mul", half, acc, name="t")
    b.finish(b.binary("add", t, xk, name="next"))
    f.ret(f.for_(lo, hi, one, [s0], [x], b, name="s"))


def concat(f):
    """y = concatenate([x, 2*w]): the result dim n + m prints as m+n."""
    x, w = f.param("x", "f64[n]"), f.param("w", "f64[m]")
    two = f.full("f64", 2.0, ["m"], name="two")
    y = f.concat([x, f.binary("mul", w, two, name="w2")], 0, name="y")
    assert y.shape == (Dim.of("m+n"),)
    f.ret(y)


def cases():
    return [
        example("matvec", ["einsum"], matvec),
        example("ew_fused", ["elementwise", "full"], ew_fused),
        example("table_revenue", ["filter", "record-table", "fresh-dim"], table_revenue),
        example("scan_iir", ["for", "loop"], scan_iir),
        example("concat", ["concat", "symbolic"], concat),
    ]
