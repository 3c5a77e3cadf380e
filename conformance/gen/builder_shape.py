"""The shape ops of the builder (`Block` inherits them): broadcast, reshape, transpose,
expand_dims, squeeze, slice, concat, take, extract, insert, filter. Each infers its result type
with the rules of docs/spec.md 3.5 and evaluates with NumPy indexing."""

import numpy as np

from air_text import INT, Dim, Shape, Slices, TType


def check(cond, msg):
    """Raises when a case is built against the typing rules (a bug in a generator)."""
    if not cond:
        raise TypeError(msg)


_check = check


class ShapeOps:
    """Shape-op methods; `self.node` is `Block.node`."""

    # -- shape ops ------------------------------------------------------------------------------

    def broadcast(self, x, shape, dims, name=None):
        shape = [Dim.of(d) for d in shape]
        _check(len(dims) == x.ty.rank and list(dims) == sorted(set(dims)), "broadcast dims")
        for i, d in enumerate(dims):
            _check(x.shape[i] == shape[d] or x.shape[i] == Dim.of(1), "broadcast extent")
        ty = TType(x.dtype, shape)

        def ev(v, env):
            sh = [d.eval(env) for d in shape]
            src = [1] * len(sh)
            for i, d in enumerate(dims):
                src[d] = v[0].shape[i]
            return np.broadcast_to(v[0].reshape(src), sh).copy()
        return self.node("broadcast", [x], [ty], [("shape", Shape(shape)), ("dims", list(dims))],
                         name, evaluator=ev)

    def reshape(self, x, shape, name=None):
        shape = [Dim.of(d) for d in shape]
        prod = lambda s: _prod(s)
        _check(prod(shape) == prod(x.shape), "reshape count")
        return self.node("reshape", [x], [TType(x.dtype, shape)], [("shape", Shape(shape))], name,
                         evaluator=lambda v, env: v[0].reshape([d.eval(env) for d in shape]))

    def transpose(self, x, perm, name=None):
        _check(sorted(perm) == list(range(x.ty.rank)), "perm")
        ty = TType(x.dtype, [x.shape[p] for p in perm])
        return self.node("transpose", [x], [ty], [("perm", list(perm))], name,
                         evaluator=lambda v, env: np.transpose(v[0], perm).copy())

    def expand_dims(self, x, axes, name=None):
        r = x.ty.rank + len(axes)
        _check(all(0 <= a < r for a in axes) and len(set(axes)) == len(axes), "expand axes")
        it = iter(x.shape)
        shape = [Dim.of(1) if i in axes else next(it) for i in range(r)]
        return self.node("expand_dims", [x], [TType(x.dtype, shape)], [("axes", list(axes))],
                         name, evaluator=lambda v, env: v[0].reshape([d.eval(env) for d in shape]))

    def squeeze(self, x, axes, name=None):
        _check(all(x.shape[a] == Dim.of(1) for a in axes), "squeeze")
        shape = [d for i, d in enumerate(x.shape) if i not in axes]
        return self.node("squeeze", [x], [TType(x.dtype, shape)], [("axes", list(axes))], name,
                         evaluator=lambda v, env: v[0].reshape([d.eval(env) for d in shape]))

    def slice(self, x, axes, bounds=(), name=None, fresh=None):
        """`axes`: one air_text.Sl per axis; bounds: scalar operands referenced as '#k';
        `fresh`: names for the fresh run-time dims, in axis order."""
        _check(len(axes) == x.ty.rank, "slice axis count")
        fresh = list(fresh or [])
        shape, fresh_syms = [], []
        for d, s in zip(x.shape, axes):
            ext = _slice_extent(d, s)
            if ext is None:
                sym = fresh.pop(0)
                fresh_syms.append(sym)
                ext = Dim.sym(sym)
            shape.append(ext)
        _check(not fresh, "unused fresh names")
        ty = TType(x.dtype, shape)

        def ev(v, env):
            def b(e):
                if isinstance(e, str):
                    return int(v[int(e[1:])])
                return e
            idx = tuple(slice(b(s.start), b(s.stop), s.step) for s in axes)
            out = v[0][idx].copy()
            for d, n in zip(shape, out.shape):
                if d.const() is None and len(d.terms) == 1 and d.symbols()[0] in fresh_syms:
                    env[d.symbols()[0]] = n
            return out
        return self.node("slice", [x] + list(bounds), [ty], [("axes", Slices(axes))], name,
                         evaluator=ev)

    def concat(self, xs, axis, name=None):
        r = xs[0].ty.rank
        for x in xs:
            _check(x.dtype == xs[0].dtype and x.ty.rank == r, "concat")
            _check(all(x.shape[i] == xs[0].shape[i] for i in range(r) if i != axis), "concat")
        shape = list(xs[0].shape)
        shape[axis] = sum((x.shape[axis] for x in xs[1:]), xs[0].shape[axis])
        return self.node("concat", list(xs), [TType(xs[0].dtype, shape)], [("axis", axis)], name,
                         evaluator=lambda v, env: np.concatenate(v, axis=axis))

    def take(self, x, idx, axis, name=None):
        _check(idx.dtype in INT and axis < x.ty.rank, "take")
        shape = list(x.shape[:axis]) + list(idx.shape) + list(x.shape[axis + 1:])

        def ev(v, env):
            n = v[0].shape[axis]
            i = v[1].astype(np.int64)
            assert ((i >= -n) & (i < n)).all(), "take index out of range"
            return np.take(v[0], i, axis=axis)
        return self.node("take", [x, idx], [TType(x.dtype, shape)], [("axis", axis)], name,
                         evaluator=ev)

    def extract(self, x, idx, name=None):
        _check(len(idx) == x.ty.rank and all(i.ty == TType("i64") for i in idx), "extract")
        return self.node("extract", [x] + list(idx), [TType(x.dtype)], name=name,
                         evaluator=lambda v, env: v[0][tuple(int(i) for i in v[1:])].copy())

    def insert(self, x, val, idx, name=None):
        _check(len(idx) == x.ty.rank and val.ty == TType(x.dtype), "insert")

        def ev(v, env):
            out = v[0].copy()
            out[tuple(int(i) for i in v[2:])] = v[1]
            return out
        return self.node("insert", [x, val] + list(idx), [x.ty], name=name, evaluator=ev)

    def filter(self, x, mask, fresh, name=None):
        _check(x.ty.rank == 1 and mask.ty == TType("bool", x.shape), "filter")

        def ev(v, env):
            out = v[0][v[1]].copy()
            env[fresh] = out.shape[0]
            return out
        return self.node("filter", [x, mask], [TType(x.dtype, [fresh])], name=name, evaluator=ev)


def _prod(shape):
    p = Dim.of(1)
    for d in shape:
        p = p * d
    return p


def _slice_extent(d, s):
    """The static extent of slice `s` on dim `d`, or None for a fresh run-time dim."""
    opnd = lambda e: isinstance(e, str)
    if opnd(s.start) or opnd(s.stop):
        return None
    c = d.const()
    if c is not None:
        return Dim.of(len(range(*slice(s.start, s.stop, s.step).indices(c))))
    if s.step != 1:
        return None
    if s.start is None and s.stop is None:
        return d
    start = 0 if s.start is None else s.start
    if start < 0:
        return None
    if s.stop is None:
        return d - start
    if s.stop >= 0:
        return Dim.of(max(0, s.stop - start))
    return None
