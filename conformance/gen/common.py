"""Helpers shared by the case families."""

import numpy as np

import oracle as O
from air_text import TType
from builder import BINARY, OPSET2, UNARY, Module
from case import Case

SYMS = ["n", "m", "k", "p"]
# Extreme and special values per dtype.
NAN, INF = float("nan"), float("inf")


def iinfo(dt):
    return np.iinfo(O.NP[dt])


def dims_for(shape, symbolic):
    """Param dims for an input of this shape: symbols n, m, ... or the constants."""
    if symbolic:
        return [SYMS[i] for i in range(len(shape))]
    return list(shape)


def ew(group, name, summary, op, dt, arrays, tags=(), tol=None, symbolic=True,
       param_names=None):
    """A case applying one unary or binary op to params of one type; result `y`."""
    arrays = [O.arr(a, dt) for a in arrays]
    shape = arrays[0].shape
    for a in arrays:
        assert a.shape == shape
    m = Module(header="air 1 opset 2" if op in OPSET2 else "air 1 opset 1")
    f = m.func("main")
    names = param_names or (["x"] if len(arrays) == 1 else ["a", "b", "c"][:len(arrays)])
    ty = TType(dt, dims_for(shape, symbolic))
    ps = [f.param(n, ty) for n in names]
    if op in UNARY:
        y = f.unary(op, ps[0], name="y")
    elif op in BINARY:
        y = f.binary(op, ps[0], ps[1], name="y")
    else:
        raise ValueError(op)
    f.ret(y)
    kind = "unary" if op in UNARY else "binary"
    return Case(group, name, summary, [kind, op, dt] + list(tags), m,
                dict(zip(names, arrays)), tol=tol)


def uniform(rng, lo, hi, shape, dt):
    return O.arr(rng.uniform(lo, hi, shape), dt)


def ints(rng, lo, hi, shape, dt):
    return O.arr(rng.integers(lo, hi, shape, endpoint=True), dt)


def complexes(rng, re, im, shape, dt):
    return (rng.uniform(*re, shape) + 1j * rng.uniform(*im, shape)).astype(O.NP[dt])
