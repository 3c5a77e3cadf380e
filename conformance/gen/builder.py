"""Building AIR modules in Python: types are inferred with the rules of docs/op-rules.md (so the
declared result types in `case.air` are the inferred ones), the text is emitted in canonical form,
and the graph can be run on NumPy arrays with the semantics of `oracle.py` (the expected values).

    m = Module()
    f = m.func("main")
    x = f.param("x", "f64[n]")
    y = f.unary("exp", x, name="y")
    f.ret(y)
    outputs = m.run("main", {"x": np.array([1.0, 2.0])})
"""


import numpy as np

import oracle as O
from air_text import COMPLEX, DT, Dim, Fn, Lit, Shape, TType, dtype_class, fmt_attrs
from builder_shape import ShapeOps, check as _check

UNARY = ["neg", "abs", "sign", "exp", "expm1", "log", "log1p", "sqrt", "rsqrt", "sin", "cos",
         "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "floor", "ceil", "round", "erf",
         "logistic", "reciprocal", "not", "isnan", "isinf", "isfinite",
         # op set 2
         "asinh", "acosh", "atanh", "exp2", "log2", "log10", "cbrt", "trunc", "square",
         "real", "imag", "conj", "angle", "sinc"]
# The ops op set 2 added; a module using one declares `opset 2` (docs/spec.md section 2).
OPSET2 = {"asinh", "acosh", "atanh", "exp2", "log2", "log10", "cbrt", "trunc", "square",
          "real", "imag", "conj", "angle", "sinc",
          "hypot", "copysign", "logaddexp", "logaddexp2", "heaviside", "complex"}
OPSET2 |= {"while"}
OPSET2 |= {"scatter", "gather", "unique"}
BINARY = ["add", "sub", "mul", "div", "floor_div", "rem", "mod", "pow", "max", "min", "atan2",
          "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "xor", "shl", "shr",
          # op set 2
          "hypot", "copysign", "logaddexp", "logaddexp2", "heaviside", "complex"]
COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge"]
REDUCE = ["sum", "prod", "max", "min", "mean", "any", "all"]

ALL_OPS = (["constant", "iota", "full"] + UNARY + BINARY +
           ["select", "cast", "clip", "broadcast", "reshape", "transpose", "expand_dims",
            "squeeze", "slice", "concat", "take", "extract", "insert", "filter"] +
           ["reduce_" + k for k in REDUCE] +
           ["argmax", "argmin", "cumsum", "cumprod", "sort", "einsum", "matmul"] +
           ["for", "if", "call", "custom"] + ["while"] +
           ["scatter", "gather", "unique"])

# Accepted dtype classes per op (docs/op-rules.md).
NUMERIC = {"int", "float", "complex"}
ORDERED = {"bool", "int", "float"}
ACCEPTS = {
    "neg": NUMERIC, "abs": NUMERIC, "sign": {"int", "float"},
    "floor": {"float"}, "ceil": {"float"}, "round": {"float"}, "erf": {"float"},
    "logistic": {"float"}, "not": {"bool", "int"},
    "asinh": {"float"}, "acosh": {"float"}, "atanh": {"float"}, "exp2": {"float"},
    "log2": {"float"}, "log10": {"float"}, "cbrt": {"float"}, "trunc": {"float"},
    "square": NUMERIC,
    "isnan": {"float", "complex"}, "isinf": {"float", "complex"}, "isfinite": {"float", "complex"},
    "add": NUMERIC, "sub": NUMERIC, "mul": NUMERIC, "div": {"float", "complex"},
    "floor_div": {"int", "float"}, "rem": {"int", "float"}, "mod": {"int", "float"},
    "pow": NUMERIC, "max": ORDERED, "min": ORDERED, "atan2": {"float"},
    "eq": ORDERED | {"complex"}, "ne": ORDERED | {"complex"},
    "lt": ORDERED, "le": ORDERED, "gt": ORDERED, "ge": ORDERED,
    "and": {"bool", "int"}, "or": {"bool", "int"}, "xor": {"bool", "int"},
    "shl": {"int"}, "shr": {"int"},
    "clip": ORDERED,
    "reduce_sum": NUMERIC, "reduce_prod": NUMERIC, "reduce_max": ORDERED, "reduce_min": ORDERED,
    "reduce_mean": {"float", "complex"}, "reduce_any": {"bool"}, "reduce_all": {"bool"},
    "argmax": ORDERED, "argmin": ORDERED, "cumsum": NUMERIC, "cumprod": NUMERIC,
    "sort": ORDERED, "einsum": NUMERIC, "matmul": NUMERIC, "iota": {"int", "float"},
}
ACCEPTS.update({"scatter": ORDERED | {"complex"}, "gather": ORDERED | {"complex"},
                "unique": ORDERED})
# op set 2: complex parts (cases_complex.py); "f32f64" is the class of complex's parts.
ACCEPTS.update({"real": {"int", "float", "complex"}, "imag": {"int", "float", "complex"},
                "conj": {"int", "float", "complex"}, "angle": {"float", "complex"},
                "sinc": {"float"}, "hypot": {"float"}, "copysign": {"float"},
                "logaddexp": {"float"}, "logaddexp2": {"float"}, "heaviside": {"float"},
                "complex": {"float"}})
for _u in ["exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan",
           "sinh", "cosh", "tanh", "reciprocal", "rsqrt"]:
    ACCEPTS[_u] = {"float", "complex"}


class Val:
    """A value in a block: its text reference and its type."""

    def __init__(self, ref, ty, block):
        self.ref, self.ty, self.block = ref, ty, block

    @property
    def dtype(self):
        return self.ty.dtype

    @property
    def shape(self):
        return self.ty.shape

    def __repr__(self):
        return f"{self.ref}: {self.ty}"


class Block(ShapeOps):
    """A function body or a region: params, nodes (text lines plus a NumPy evaluator), yields."""

    def __init__(self, module, params):
        self.module = module
        self.params = []
        self.names = set()
        self.nodes = []  # (text lines, evaluator, operand refs, result refs)
        self.count = 0
        self.yields = None
        self.ops = []
        self.op_dtypes = []  # (op, dtype of its first operand, or of its result)
        for name, ty in params:
            self._param(name, ty)

    # -- plumbing ---------------------------------------------------------------------------

    def _param(self, name, ty):
        ty = ty if isinstance(ty, TType) else TType.parse(ty)
        _check(name not in self.names, f"duplicate name {name}")
        self.names.add(name)
        v = Val("%" + name, ty, self)
        self.params.append(v)
        return v

    def node(self, op, operands, types, attrs=(), name=None, regions=(), evaluator=None):
        """Appends a node and returns its result Val (or a list when it has != 1 results)."""
        for o in operands:
            _check(o.block is self, f"{o.ref} is not in this region")
        idx = self.count
        self.count += 1
        name = str(idx) if name is None else name
        _check(name not in self.names, f"duplicate name {name}")
        self.names.add(name)
        types = [t if isinstance(t, TType) else TType.parse(t) for t in types]
        multi = len(types) != 1
        lhs = f"%{name}:{len(types)}" if multi else f"%{name}"
        tys = "(" + ", ".join(map(str, types)) + ")" if multi else str(types[0])
        a = fmt_attrs(list(attrs))
        head = f"{lhs} = {op} " + (a + " " if a else "")
        head += "(" + ", ".join(o.ref for o in operands) + f") : {tys}"
        lines = [head]
        for r in regions:
            lines[-1] += " {"
            lines.extend(r.region_lines())
            lines.append("}")
        results = ([Val(f"%{name}#{i}", t, self) for i, t in enumerate(types)] if multi
                   else [Val(f"%{name}", types[0], self)])
        self.nodes.append((lines, evaluator, [o.ref for o in operands], [r.ref for r in results]))
        self.ops.append(op)
        self.op_dtypes.append((op, operands[0].dtype if operands else types[0].dtype))
        for r in regions:
            self.ops.extend(r.ops)
            self.op_dtypes.extend(r.op_dtypes)
        return results if multi else results[0]

    def body_lines(self):
        out = []
        for lines, _, _, _ in self.nodes:
            out.extend(lines)
        return out

    def region_lines(self):
        ps = ", ".join(f"{p.ref}: {p.ty}" for p in self.params)
        out = [f"({ps}):"] + self.body_lines()
        out.append("yield " + ", ".join(v.ref for v in self.yields))
        return ["  " + l for l in out]

    def finish(self, *vals):
        for v in vals:
            _check(v.block is self, f"{v.ref} is not in this region")
        self.yields = list(vals)

    # -- evaluation ---------------------------------------------------------------------------

    def run(self, args, env):
        """Runs the block on NumPy arrays; `env` holds the bound dimension symbols."""
        vals = {}
        for p, a in zip(self.params, args):
            if a is None:  # an out param: never read
                continue
            bind_shape(env, p.ty, a)
            vals[p.ref] = a
        for _, ev, ins, outs in self.nodes:
            res = ev([vals[r] for r in ins], env)
            if len(outs) == 1 and not isinstance(res, list):
                res = [res]
            _check(len(res) == len(outs), "evaluator result count")
            for r, v in zip(outs, res):
                vals[r] = np.asarray(v)
        return [vals[v.ref] for v in self.yields]

    # -- ops ----------------------------------------------------------------------------------

    def constant(self, dtype, shape, values, name=None):
        lit = Lit(dtype, shape, values)
        val = O.arr(np.array(lit.values, dtype=object).astype(O.NP[dtype])
                    if dtype not in COMPLEX else np.array([complex(v) for v in lit.values]),
                    dtype).reshape(lit.shape)
        return self.node("constant", [], [lit.ttype()], [("value", lit)], name,
                         evaluator=lambda a, env: val.copy())

    def scalar(self, dtype, value, name=None):
        return self.constant(dtype, (), [value], name)

    def iota(self, dtype, shape, axis, name=None):
        ty = TType(dtype, shape)
        _check(dtype_class(dtype) in ("int", "float") and 0 <= axis < ty.rank, "iota")

        def ev(a, env):
            sh = [d.eval(env) for d in ty.shape]
            idx = np.arange(sh[axis]).reshape([-1 if i == axis else 1 for i in range(len(sh))])
            return O.arr(np.broadcast_to(idx, sh), dtype)
        return self.node("iota", [], [ty], [("dtype", DT(dtype)), ("shape", Shape(ty.shape)),
                                            ("axis", axis)], name, evaluator=ev)

    def full(self, dtype, value, shape, name=None):
        lit = Lit(dtype, (), [value])
        ty = TType(dtype, shape)
        one = O.arr(complex(value) if dtype in COMPLEX else value, dtype)
        return self.node("full", [], [ty], [("value", lit), ("shape", Shape(ty.shape))], name,
                         evaluator=lambda a, env: np.full([d.eval(env) for d in ty.shape], one,
                                                          dtype=one.dtype))

    def unary(self, op, x, name=None):
        _check(op in UNARY and dtype_class(x.dtype) in ACCEPTS[op], f"{op} on {x.dtype}")
        ty = x.ty
        if op in ("isnan", "isinf", "isfinite"):
            ty = ty.with_dtype("bool")
        elif op in ("abs", "real", "imag", "angle") and x.dtype in COMPLEX:
            ty = ty.with_dtype("f32" if x.dtype == "c64" else "f64")
        dt = x.dtype
        return self.node(op, [x], [ty], name=name,
                         evaluator=lambda a, env: O.unary(op, a[0], dt))

    def binary(self, op, a, b, name=None):
        _check(op in BINARY and dtype_class(a.dtype) in ACCEPTS[op], f"{op} on {a.dtype}")
        _check(a.ty == b.ty, f"{op}: {a.ty} vs {b.ty}")
        _check(op != "complex" or a.dtype in ("f32", "f64"), f"complex on {a.dtype}")
        ty = a.ty.with_dtype("bool") if op in COMPARISONS else a.ty
        if op == "complex":
            ty = a.ty.with_dtype("c64" if a.dtype == "f32" else "c128")
        dt = a.dtype
        return self.node(op, [a, b], [ty], name=name,
                         evaluator=lambda v, env: O.binary(op, v[0], v[1], dt))

    def select(self, c, a, b, name=None):
        _check(c.dtype == "bool" and a.ty == b.ty and c.shape == a.shape, "select")
        return self.node("select", [c, a, b], [a.ty], name=name,
                         evaluator=lambda v, env: O.select(*v))

    def cast(self, x, dtype, name=None):
        src = x.dtype
        return self.node("cast", [x], [x.ty.with_dtype(dtype)], [("dtype", DT(dtype))], name,
                         evaluator=lambda v, env: O.cast(v[0], src, dtype))

    def clip(self, x, lo, hi, name=None):
        _check(x.ty == lo.ty == hi.ty and dtype_class(x.dtype) in ORDERED, "clip")
        dt = x.dtype
        return self.node("clip", [x, lo, hi], [x.ty], name=name,
                         evaluator=lambda v, env: O.clip(v[0], v[1], v[2], dt))

    # -- reductions -----------------------------------------------------------------------------

    def reduce(self, kind, x, axes, keepdims=False, name=None):
        op = "reduce_" + kind
        _check(dtype_class(x.dtype) in ACCEPTS[op], f"{op} on {x.dtype}")
        _check(all(a < x.ty.rank for a in axes) and len(set(axes)) == len(axes), "axes")
        shape = [Dim.of(1) if i in axes else d for i, d in enumerate(x.shape)
                 if keepdims or i not in axes]
        attrs = [("axes", list(axes))] + ([("keepdims", True)] if keepdims else [])
        dt = x.dtype
        return self.node(op, [x], [TType(dt, shape)], attrs, name,
                         evaluator=lambda v, env: O.reduce(kind, v[0], axes, keepdims, dt))

    def argreduce(self, kind, x, axis, keepdims=False, name=None):
        _check(dtype_class(x.dtype) in ORDERED and axis < x.ty.rank, kind)
        shape = [Dim.of(1) if i == axis else d for i, d in enumerate(x.shape)
                 if keepdims or i != axis]
        attrs = [("axis", axis)] + ([("keepdims", True)] if keepdims else [])
        return self.node(kind, [x], [TType("i64", shape)], attrs, name,
                         evaluator=lambda v, env: O.argreduce(kind, v[0], axis, keepdims))

    def scan(self, kind, x, axis, name=None):
        _check(dtype_class(x.dtype) in NUMERIC and axis < x.ty.rank, kind)
        dt = x.dtype
        return self.node(kind, [x], [x.ty], [("axis", axis)], name,
                         evaluator=lambda v, env: O.scan(kind, v[0], axis, dt))

    def sort(self, x, axis, descending=False, name=None):
        _check(dtype_class(x.dtype) in ORDERED and axis < x.ty.rank, "sort")
        attrs = [("axis", axis)] + ([("descending", True)] if descending else [])
        return self.node("sort", [x], [x.ty], attrs, name,
                         evaluator=lambda v, env: O.sort(v[0], axis, descending))

    # -- contractions ---------------------------------------------------------------------------

    def einsum(self, spec, xs, name=None):
        ins, out = spec.split("->")
        terms = ins.split(",")
        _check(len(terms) == len(xs), "einsum terms")
        dims = {}
        for t, x in zip(terms, xs):
            _check(len(t) == x.ty.rank and x.dtype == xs[0].dtype, "einsum operand")
            for ch, d in zip(t, x.shape):
                _check(dims.setdefault(ch, d) == d, f"einsum dim of {ch}")
        shape = [dims[ch] for ch in out]

        def ev(v, env):
            with np.errstate(all="ignore"):
                if xs[0].dtype in ("f16", "bf16"):
                    r = np.einsum(spec, *[a.astype(np.float64) for a in v])
                    return O.finish(r, xs[0].dtype)
                return np.asarray(np.einsum(spec, *v, dtype=v[0].dtype))
        return self.node("einsum", list(xs), [TType(xs[0].dtype, shape)], [("spec", spec)],
                         name, evaluator=ev)

    def matmul(self, a, b, name=None):
        _check(a.dtype == b.dtype and a.ty.rank >= 1 and b.ty.rank >= 1, "matmul")
        sa, sb = list(a.shape), list(b.shape)
        va, vb = len(sa) == 1, len(sb) == 1
        if va:
            sa = [Dim.of(1)] + sa
        if vb:
            sb = sb + [Dim.of(1)]
        _check(sa[-1] == sb[-2], "matmul inner")
        ba, bb = sa[:-2], sb[:-2]
        n = max(len(ba), len(bb))
        ba = [Dim.of(1)] * (n - len(ba)) + ba
        bb = [Dim.of(1)] * (n - len(bb)) + bb
        batch = []
        for x, y in zip(ba, bb):
            _check(x == y or x == Dim.of(1) or y == Dim.of(1), "matmul batch")
            batch.append(y if x == Dim.of(1) else x)
        shape = batch + ([] if va else [sa[-2]]) + ([] if vb else [sb[-1]])
        return self.node("matmul", [a, b], [TType(a.dtype, shape)], name=name,
                         evaluator=lambda v, env: np.asarray(np.matmul(v[0], v[1])))

    # -- control --------------------------------------------------------------------------------

    def region(self, params):
        """A new region for a `for` or `if` (params: (name, type) pairs)."""
        return Block(self.module, params)

    def for_(self, lo, hi, step, carried, captured, body, name=None):
        types = [c.ty for c in carried]
        _check([p.ty for p in body.params] == [TType("i64")] + types + [c.ty for c in captured],
               "for body params")
        _check([y.ty for y in body.yields] == types, "for yields")
        nc = len(carried)

        def ev(v, env):
            i, hi_, st = int(v[0]), int(v[1]), int(v[2])
            assert st != 0
            cur = list(v[3:3 + nc])
            cap = list(v[3 + nc:])
            while (st > 0 and i < hi_) or (st < 0 and i > hi_):
                cur = body.run([np.asarray(i, dtype=np.int64)] + cur + cap, dict(env))
                i += st
            return cur
        return self.node("for", [lo, hi, step] + list(carried) + list(captured), types,
                         name=name, regions=[body], evaluator=ev)

    def if_(self, cond, args, then_b, else_b, name=None):
        _check(cond.ty == TType("bool"), "if cond")
        types = [y.ty for y in then_b.yields]
        _check([y.ty for y in else_b.yields] == types, "if yields")
        for b in (then_b, else_b):
            _check([p.ty for p in b.params] == [a.ty for a in args], "if params")

        def ev(v, env):
            return (then_b if bool(v[0]) else else_b).run(list(v[1:]), dict(env))
        return self.node("if", [cond] + list(args), types, name=name,
                         regions=[then_b, else_b], evaluator=ev)

    def while_(self, carried, captured, cond, body, name=None):
        """`while(carried..., captured...)` (op set 2): both regions take every operand; `cond`
        yields one bool scalar, `body` the next carried values."""
        types = [c.ty for c in carried]
        params = types + [c.ty for c in captured]
        for b in (cond, body):
            _check([p.ty for p in b.params] == params, "while region params")
        _check([y.ty for y in cond.yields] == [TType("bool")], "while cond yields")
        _check([y.ty for y in body.yields] == types, "while body yields")
        nc = len(carried)

        def ev(v, env):
            cur, cap = list(v[:nc]), list(v[nc:])
            while bool(cond.run(cur + cap, dict(env))[0]):
                cur = body.run(cur + cap, dict(env))
            return cur
        return self.node("while", list(carried) + list(captured), types, name=name,
                         regions=[cond, body], evaluator=ev)

    def call(self, callee, args, name=None, fresh=None):
        """`fresh` maps result-only symbols of the callee to new symbols of the caller."""
        f = self.module.functions[callee]
        subst = {}
        _check(len(args) == len(f.in_params()), "call arity")
        for p, a in zip(f.in_params(), args):
            _check(p.dtype == a.dtype and p.ty.rank == a.ty.rank, "call arg")
            for pd, ad in zip(p.shape, a.shape):
                syms = pd.symbols()
                if len(syms) == 1 and pd == Dim.sym(syms[0]):
                    _check(subst.setdefault(syms[0], ad) == ad, "call symbol")
                else:
                    _check(pd == ad, "call dim")
        for k, v in (fresh or {}).items():
            subst[k] = Dim.sym(v)
        types = [TType(t.dtype, [_subst(d, subst) for d in t.shape]) for t in f.yield_types()]

        def ev(v, env):
            res = f.run_body(list(v))
            for t, r in zip(types, res):
                for d, n in zip(t.shape, np.shape(r)):
                    if d.symbols() and d.symbols()[0] in (fresh or {}).values():
                        env[d.symbols()[0]] = n
            return res
        return self.node("call", list(args), types, [("callee", Fn(callee))], name,
                         evaluator=ev)

    def custom(self, domain, cname, args, types, attrs=(), decomposition=None, name=None):
        a = [("domain", domain), ("name", cname)]
        if decomposition:
            a.append(("decomposition", Fn(decomposition)))
        a.extend(attrs)

        def ev(v, env):
            return self.module.functions[decomposition].run_body(list(v))
        return self.node("custom", list(args), types, a, name, evaluator=ev)


def _subst(d, subst):
    out = Dim.of(0)
    for mono, c in d.terms.items():
        t = Dim.of(c)
        for s, p in mono:
            for _ in range(p):
                t = t * subst.get(s, Dim.sym(s))
        out = out + t
    return out


def bind_shape(env, ty, a):
    """Binds the symbols of `ty` from the shape of array `a` (single-symbol dims), and checks
    the others."""
    _check(a.ndim == ty.rank, f"rank of input for {ty}: {a.shape}")
    for d, n in zip(ty.shape, a.shape):
        syms = d.symbols()
        if d.const() is not None:
            _check(d.const() == n, f"extent {n} for {d}")
        elif d == Dim.sym(syms[0]) and len(syms) == 1:
            _check(env.setdefault(syms[0], n) == n, f"symbol {d} bound twice")
    for d, n in zip(ty.shape, a.shape):
        if all(s in env for s in d.symbols()):
            _check(d.eval(env) == n, f"extent {n} for {d}")


class Func(Block):
    """A function: params (in order), named results, body."""

    def __init__(self, module, name):
        super().__init__(module, [])
        self.name = name
        self.result_names = []
        self.result_types = []
        self.intents = {}

    def param(self, name, ty, intent="in"):
        """A parameter; intent "in", "out" (written, never read) or "inout"."""
        assert intent in ("in", "out", "inout")
        p = self._param(name, ty)
        self.intents[name] = intent
        return p

    def in_params(self):
        """The params a caller passes: `in` and `inout`."""
        return [p for p in self.params if self.intents[p.ref[1:]] != "out"]

    def buffer_params(self):
        """The `out` and `inout` params, whose final values follow the results."""
        return [p for p in self.params if self.intents[p.ref[1:]] != "in"]

    def ret(self, *vals, names=None, outs=()):
        """Returns values, then `outs`: one value per out/inout param (in param order). Result
        names default to the values' names."""
        self.finish(*vals, *outs)
        self.result_types = [v.ty for v in vals]
        self.result_names = names or [v.ref.lstrip("%").split("#")[0] for v in vals]
        _check(len(set(self.result_names)) == len(vals), "result names must be distinct")
        bufs = self.buffer_params()
        _check([o.ty for o in outs] == [p.ty for p in bufs], "out/inout yields")

    def yield_names(self):
        """Output names: the results, then the out/inout params."""
        return self.result_names + [p.ref[1:] for p in self.buffer_params()]

    def yield_types(self):
        return self.result_types + [p.ty for p in self.buffer_params()]

    def text(self):
        kw = {"in": "", "out": "out ", "inout": "inout "}
        ps = ", ".join(f"{kw[self.intents[p.ref[1:]]]}{p.ref}: {p.ty}" for p in self.params)
        rs = ", ".join(f"%{n}: {t}" for n, t in zip(self.result_names, self.result_types))
        out = [f"func @{self.name}({ps}) -> ({rs}) {{"]
        out += ["  " + l for l in self.body_lines()]
        out.append(("  return " + ", ".join(v.ref for v in self.yields)).rstrip())
        out.append("}")
        return out

    def run_body(self, args):
        """Runs on the in/inout arguments (as `call` passes them)."""
        it = iter(args)
        full = [None if self.intents[p.ref[1:]] == "out" else next(it) for p in self.params]
        return self.run(full, {})


class Module:
    """Functions in order; `text()` gives the canonical `.air` text."""

    def __init__(self, header="air 1 opset 1", producer=None, meta=()):
        self.functions = {}
        self.header = header
        self.producer = producer
        self.meta = list(meta)

    def func(self, name):
        _check(name not in self.functions, f"duplicate function {name}")
        f = Func(self, name)
        self.functions[name] = f
        return f

    def text(self, comment=None):
        out = []
        if comment:
            out += ["// " + l for l in comment.splitlines()]
        out.append(self.header)
        if self.producer is not None:
            out.append(f'producer "{self.producer}"')
        for k, v in self.meta:
            out.append(f'meta "{k}" = "{v}"')
        for f in self.functions.values():
            out.append("")
            out.extend(f.text())
        return "\n".join(out) + "\n"

    def ops(self):
        seen = []
        for f in self.functions.values():
            for o in f.ops:
                if o not in seen:
                    seen.append(o)
        return seen

    def op_dtypes(self):
        return [od for f in self.functions.values() for od in f.op_dtypes]

    def run(self, entry, inputs):
        f = self.functions[entry]
        res = f.run_body([inputs[p.ref[1:]] for p in f.in_params()])
        return dict(zip(f.yield_names(), res))


