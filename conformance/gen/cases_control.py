"""Control flow and functions: `for` loops (carried and captured values, zero iterations,
negative steps, nesting, run-time bounds), `if` (computed conditions, several results, inside
loops), `call` between functions (symbol substitution, several results, chains), `custom` ops
with a decomposition function, and functions with several results."""

import numpy as np

import oracle as O
from builder import Module
from case import Case, rng_for
from common import uniform

G = "control"


def _case(name, summary, tags, m, inputs, check=None):
    return Case(G, name, summary, tags, m, inputs, check=check)


def for_running_sum(rng):
    """s = 0; for i in range(lo, hi): s = s + x[i]*x[i]  (bounds as params)."""
    m = Module()
    f = m.func("main")
    x, lo, hi = f.param("x", "f64[n]"), f.param("lo", "i64"), f.param("hi", "i64")
    one = f.scalar("i64", 1, name="one")
    s0 = f.scalar("f64", 0.0, name="s0")
    b = f.region([("i", "i64"), ("acc", "f64"), ("xs", "f64[n]")])
    i, acc, xs = b.params
    xi = b.extract(xs, [i], name="xi")
    sq = b.binary("mul", xi, xi, name="sq")
    b.finish(b.binary("add", acc, sq, name="next"))
    s = f.for_(lo, hi, one, [s0], [x], b, name="s")
    f.ret(s)
    xv = uniform(rng, -2, 2, 7, "f64")
    return _case("for_sum_of_squares_runtime_bounds",
                 "for over [lo, hi) with bounds from params: sum of x[i]^2",
                 ["for", "extract", "loop"], m, {"x": xv, "lo": np.array(1), "hi": np.array(5)},
                 check=lambda a: {"s": np.array(sum(float(v) ** 2 for v in a["x"][1:5]))})


def for_zero_iterations():
    m = Module()
    f = m.func("main")
    x = f.param("x", "i32[n]")
    lo = f.scalar("i64", 3, name="lo")
    hi = f.scalar("i64", 3, name="hi")
    one = f.scalar("i64", 1, name="one")
    b = f.region([("i", "i64"), ("acc", "i32[n]")])
    b.finish(b.binary("add", b.params[1], b.params[1], name="twice"))
    y = f.for_(lo, hi, one, [x], [], b, name="y")
    f.ret(y)
    return _case("for_zero_iterations", "for with lo == hi returns the initial carried value",
                 ["for", "edge"], m, {"x": np.array([1, -2, 3], np.int32)},
                 check=lambda a: {"y": a["x"]})


def for_negative_step():
    """Counts down: i = 4, 3, 2, 1, 0; y = insert(y, i*10, i) on a u16 vector."""
    m = Module()
    f = m.func("main")
    x = f.param("x", "u16[5]")
    lo = f.scalar("i64", 4, name="lo")
    hi = f.scalar("i64", -1, name="hi")
    step = f.scalar("i64", -1, name="step")
    cnt0 = f.scalar("u16", 0, name="cnt0")
    b = f.region([("i", "i64"), ("v", "u16[5]"), ("cnt", "u16")])
    i, v, cnt = b.params
    ten = b.scalar("u16", 10, name="ten")
    one = b.scalar("u16", 1, name="one")
    val = b.binary("mul", b.cast(i, "u16", name="iu"), ten, name="val")
    nv = b.insert(v, b.binary("add", val, cnt, name="valc"), [i], name="nv")
    b.finish(nv, b.binary("add", cnt, one, name="ncnt"))
    r = f.for_(lo, hi, step, [x, cnt0], [], b, name="r")
    f.ret(r[0], r[1], names=["y", "count"])

    def check(a):
        y = a["x"].copy()
        c = 0
        for i in range(4, -1, -1):
            y[i] = i * 10 + c
            c += 1
        return {"y": y, "count": np.array(c, np.uint16)}
    return _case("for_negative_step_two_carried", "for with step -1 and two carried values "
                 "(a vector updated with insert, and a counter)", ["for", "insert", "loop"], m,
                 {"x": np.zeros(5, np.uint16)}, check)


def for_fibonacci():
    m = Module()
    f = m.func("main")
    nn = f.param("count", "i64")
    lo = f.scalar("i64", 0, name="lo")
    one = f.scalar("i64", 1, name="one")
    a0 = f.scalar("i64", 0, name="a0")
    b0 = f.scalar("i64", 1, name="b0")
    b = f.region([("i", "i64"), ("a", "i64"), ("b", "i64")])
    b.finish(b.params[2], b.binary("add", b.params[1], b.params[2], name="s"))
    r = f.for_(lo, nn, one, [a0, b0], [], b, name="fib")
    f.ret(r[0], names=["y"])

    def check(a):
        x, y = 0, 1
        for _ in range(int(a["count"])):
            x, y = y, (x + y) % 2 ** 64
        return {"y": np.array(x if x < 2 ** 63 else x - 2 ** 64, np.int64)}
    return _case("for_fibonacci_wrap", "for with two carried i64 scalars: fib(100) wraps",
                 ["for", "wrap", "loop"], m, {"count": np.array(100)}, check)


def for_nested(rng):
    """Sum of a matrix through two nested loops with extract."""
    m = Module()
    f = m.func("main")
    a, rows, cols = f.param("a", "f64[n, m]"), f.param("rows", "i64"), f.param("cols", "i64")
    zero = f.scalar("i64", 0, name="zero")
    one = f.scalar("i64", 1, name="one")
    s0 = f.scalar("f64", 0.0, name="s0")
    outer = f.region([("i", "i64"), ("acc", "f64"), ("am", "f64[n, m]"), ("nc", "i64")])
    i, acc, am, nc = outer.params
    z = outer.scalar("i64", 0, name="z")
    o = outer.scalar("i64", 1, name="o")
    inner = outer.region([("j", "i64"), ("acc2", "f64"), ("am2", "f64[n, m]"), ("row", "i64")])
    j, acc2, am2, row = inner.params
    e = inner.extract(am2, [row, j], name="e")
    inner.finish(inner.binary("add", acc2, e, name="next"))
    rs = outer.for_(z, nc, o, [acc], [am, i], inner, name="rowsum")
    outer.finish(rs)
    s = f.for_(zero, rows, one, [s0], [a, cols], outer, name="s")
    f.ret(s)
    av = uniform(rng, -1, 1, (3, 4), "f64")
    return Case(G, "for_nested_matrix_sum", "two nested for loops sum a matrix element by "
                "element", ["for", "nested", "extract", "loop"], m,
                {"a": av, "rows": np.array(3), "cols": np.array(4)}, tol={"rtol": 1e-12,
                                                                          "atol": 1e-15},
                check=lambda x: {"s": np.array(sum(float(v) for v in x["a"].reshape(-1)))})


def if_cases(rng):
    out = []
    # if on a bool param, one result each branch.
    for cond in [True, False]:
        m = Module()
        f = m.func("main")
        c, a, b = f.param("c", "bool"), f.param("a", "f64[n]"), f.param("b", "f64[n]")
        t = f.region([("ta", "f64[n]"), ("tb", "f64[n]")])
        t.finish(t.binary("add", *t.params, name="sum"))
        e = f.region([("ea", "f64[n]"), ("eb", "f64[n]")])
        e.finish(e.binary("sub", *e.params, name="diff"))
        y = f.if_(c, [a, b], t, e, name="y")
        f.ret(y)
        av, bv = uniform(rng, -1, 1, 4, "f64"), uniform(rng, -1, 1, 4, "f64")
        out.append(_case(f"if_param_{str(cond).lower()}", f"if on a bool param ({cond}): a+b "
                         "or a-b", ["if"], m, {"c": np.array(cond), "a": av, "b": bv},
                         check=lambda x: {"y": x["a"] + x["b"] if x["c"] else x["a"] - x["b"]}))
    # if on a computed condition, two results.
    m = Module()
    f = m.func("main")
    x = f.param("x", "i32[n]")
    tot = f.reduce("sum", x, [0], name="total")
    zero = f.scalar("i32", 0, name="zero")
    pos = f.binary("gt", tot, zero, name="pos")
    t = f.region([("tx", "i32[n]")])
    t.finish(t.reduce("max", t.params[0], [0], name="mx"), t.params[0])
    e = f.region([("ex", "i32[n]")])
    e.finish(e.reduce("min", e.params[0], [0], name="mn"), e.unary("neg", e.params[0], name="ng"))
    r = f.if_(pos, [x], t, e, name="r")
    f.ret(r[0], r[1], names=["extreme", "v"])
    out.append(_case("if_computed_two_results", "if on sum(x) > 0 with two results",
                     ["if", "multi-output"], m, {"x": np.array([3, -9, 2, 1], np.int32)},
                     check=lambda a: {"extreme": np.array(-9, np.int32),
                                      "v": -a["x"]}))
    # if with no operands besides the condition: regions take () and yield constants.
    m = Module()
    f = m.func("main")
    c = f.param("c", "bool")
    t = f.region([])
    t.finish(t.constant("f32", [2], [1.5, -2.0], name="k1"))
    e = f.region([])
    e.finish(e.full("f32", 0.25, [2], name="k2"))
    f.ret(f.if_(c, [], t, e, name="y"))
    out.append(_case("if_no_args", "if with regions that take no params (constants)",
                     ["if", "constant", "full"], m, {"c": np.array(True)},
                     check=lambda a: {"y": np.array([1.5, -2.0], np.float32)}))
    out.append(_if_in_loop(rng))
    return out


def _if_in_loop(rng):
    """Sum of the positive elements: an if inside a for."""
    m = Module()
    f = m.func("main")
    x, cnt = f.param("x", "f32[n]"), f.param("len", "i64")
    lo = f.scalar("i64", 0, name="lo")
    one = f.scalar("i64", 1, name="one")
    s0 = f.scalar("f32", 0.0, name="s0")
    b = f.region([("i", "i64"), ("acc", "f32"), ("xs", "f32[n]")])
    i, acc, xs = b.params
    xi = b.extract(xs, [i], name="xi")
    z = b.scalar("f32", 0.0, name="z")
    pos = b.binary("gt", xi, z, name="pos")
    t = b.region([("ta", "f32"), ("tx", "f32")])
    t.finish(t.binary("add", t.params[0], t.params[1], name="more"))
    e = b.region([("ea", "f32"), ("ex", "f32")])
    e.finish(e.params[0])
    b.finish(b.if_(pos, [acc, xi], t, e, name="nacc"))
    s = f.for_(lo, cnt, one, [s0], [x], b, name="s")
    f.ret(s)
    xv = np.array([0.5, -1.0, 2.0, -0.25, 4.0, 0.0], np.float32)
    return _case("if_inside_for", "an if inside a for body: sum of the positive elements",
                 ["if", "for", "nested", "loop"], m, {"x": xv, "len": np.array(6)},
                 check=lambda a: {"s": np.array(6.5, np.float32)})


def call_cases(rng):
    out = []
    # main calls a helper twice; the helper's symbol k is substituted by n.
    m = Module()
    f = m.func("main")
    g = m.func("square_plus")
    gx, gy = g.param("x", "f64[k]"), g.param("y", "f64[k]")
    g.ret(g.binary("add", g.binary("mul", gx, gx, name="sq"), gy, name="r"))
    x, y = f.param("x", "f64[n]"), f.param("y", "f64[n]")
    c1 = f.call("square_plus", [x, y], name="c1")
    c2 = f.call("square_plus", [c1, x], name="c2")
    f.ret(c2, names=["z"])
    xv, yv = uniform(rng, -1, 1, 5, "f64"), uniform(rng, -1, 1, 5, "f64")
    out.append(_case("call_twice_symbol_subst", "main calls @square_plus(x: f64[k]) twice with "
                     "f64[n] arguments", ["call", "symbolic"], m, {"x": xv, "y": yv},
                     check=lambda a: {"z": (a["x"] ** 2 + a["y"]) ** 2 + a["x"]}))
    # a callee with two results.
    m = Module()
    f = m.func("main")
    g = m.func("minmax")
    gx = g.param("v", "i16[n]")
    g.ret(g.reduce("min", gx, [0], name="lo"), g.reduce("max", gx, [0], name="hi"))
    x = f.param("x", "i16[n]")
    r = f.call("minmax", [x], name="r")
    f.ret(f.binary("sub", r[1], r[0], name="range"), r[0], names=["range", "low"])
    out.append(_case("call_two_results", "a callee with two results (min and max)",
                     ["call", "multi-output"], m, {"x": np.array([4, -7, 12, 0], np.int16)},
                     check=lambda a: {"range": np.array(19, np.int16),
                                      "low": np.array(-7, np.int16)}))
    # a chain main -> mid -> leaf, with a scalar argument.
    m = Module()
    f = m.func("main")
    mid = m.func("mid")
    leaf = m.func("leaf")
    lx, ls = leaf.param("x", "f32[p]"), leaf.param("s", "f32")
    lb = leaf.broadcast(ls, ["p"], [], name="sb")
    leaf.ret(leaf.binary("mul", lx, lb, name="scaled"))
    mx, ms = mid.param("x", "f32[q]"), mid.param("s", "f32")
    inner = mid.call("leaf", [mx, ms], name="inner")
    mid.ret(mid.binary("add", inner, mx, name="out"))
    x, s = f.param("x", "f32[n]"), f.param("s", "f32")
    f.ret(f.call("mid", [x, s], name="y"))
    out.append(_case("call_chain", "a chain of calls main -> mid -> leaf with a scalar argument",
                     ["call", "broadcast"], m,
                     {"x": uniform(rng, -1, 1, 4, "f32"), "s": O.arr(3.0, "f32")},
                     check=lambda a: {"y": (a["x"] * np.float32(3.0) + a["x"])}))
    return out


def custom_cases(rng):
    out = []
    # softplus with a decomposition log1p(exp(x)).
    m = Module()
    f = m.func("main")
    d = m.func("softplus_ref")
    dx = d.param("x", "f64[n]")
    d.ret(d.unary("log1p", d.unary("exp", dx, name="e"), name="r"))
    x = f.param("x", "f64[n]")
    y = f.custom("mylib", "softplus", [x], ["f64[n]"], [("beta", 1.0)], "softplus_ref",
                 name="y")
    f.ret(y)
    out.append(Case(G, "custom_softplus", "custom op mylib.softplus with a decomposition "
                    "log1p(exp(x))", ["custom", "decomposition"], m,
                    {"x": uniform(rng, -3, 3, 6, "f64")}, tol={"rtol": 1e-13, "atol": 0.0},
                    check=lambda a: {"y": np.log1p(np.exp(a["x"]))}))
    # softmax over the last axis, decomposed into reductions and broadcasts.
    m = Module()
    f = m.func("main")
    d = m.func("softmax_ref")
    dx = d.param("x", "f32[n, m]")
    mx = d.reduce("max", dx, [1], keepdims=True, name="mx")
    sh = d.binary("sub", dx, d.broadcast(mx, ["n", "m"], [0, 1], name="mxb"), name="sh")
    ex = d.unary("exp", sh, name="ex")
    den = d.reduce("sum", ex, [1], keepdims=True, name="den")
    d.ret(d.binary("div", ex, d.broadcast(den, ["n", "m"], [0, 1], name="denb"), name="sm"))
    x = f.param("x", "f32[n, m]")
    f.ret(f.custom("pytensor", "Softmax", [x], ["f32[n, m]"], [("axis", -1)], "softmax_ref",
                   name="y"))

    def softmax(a):
        e = np.exp(a["x"].astype(np.float64) - a["x"].max(axis=1, keepdims=True))
        return {"y": e / e.sum(axis=1, keepdims=True)}
    xv = uniform(rng, -3, 3, (2, 4), "f32")
    c = Case(G, "custom_softmax", "custom op pytensor.Softmax decomposed into reduce_max, "
             "broadcast, exp, reduce_sum, div", ["custom", "decomposition", "broadcast"], m,
             {"x": xv}, tol={"rtol": 1e-5, "atol": 1e-7}, check=softmax)
    c.check_rtol = 1e-5
    out.append(c)
    # a custom op with two operands and two results.
    m = Module()
    f = m.func("main")
    d = m.func("divmod_ref")
    da, db = d.param("a", "i32[n]"), d.param("b", "i32[n]")
    d.ret(d.binary("floor_div", da, db, name="q"), d.binary("mod", da, db, name="r"))
    a, b = f.param("a", "i32[n]"), f.param("b", "i32[n]")
    r = f.custom("mylib", "divmod", [a, b], ["i32[n]", "i32[n]"], [], "divmod_ref", name="qr")
    f.ret(r[0], r[1], names=["q", "r"])
    av, bv = np.array([7, -7, 9, 5], np.int32), np.array([2, 2, -4, 0], np.int32)
    out.append(Case(G, "custom_two_results", "custom op with two operands and two results "
                    "(divmod; x // 0 = x mod 0 = 0)", ["custom", "decomposition",
                                                       "multi-output"], m, {"a": av, "b": bv},
                    check=lambda x: {"q": np.array([3, -4, -3, 0]), "r": np.array([1, 1, -3, 0])}))
    return out


def multi_output_cases(rng):
    m = Module()
    f = m.func("main")
    x = f.param("x", "f64[n, m]")
    s = f.reduce("sum", x, [0, 1], name="total")
    am = f.argreduce("argmax", x, 1, name="best")
    pos = f.binary("gt", x, f.full("f64", 0.0, ["n", "m"], name="zero"), name="positive")
    f.ret(s, am, pos)
    xv = uniform(rng, -1, 1, (3, 3), "f64")
    return [Case(G, "multi_output_three_dtypes", "a function with three results of three dtypes "
                 "(f64, i64, bool)", ["multi-output"], m, {"x": xv},
                 tol={"rtol": 1e-12, "atol": 1e-15},
                 check=lambda a: {"total": np.array(a["x"].sum()),
                                  "best": np.argmax(a["x"], axis=1), "positive": a["x"] > 0})]


def intent_cases(rng):
    """`out` and `inout` params: their final values are outputs named by the param, after the
    declared results (the examples of docs/spec.md 1.2)."""
    out = []
    m = Module()
    f = m.func("main")
    a, x = f.param("a", "f64"), f.param("x", "f64[n]")
    y = f.param("y", "f64[n]", intent="inout")
    ab = f.broadcast(a, ["n"], [], name="ab")
    t = f.binary("mul", ab, x, name="t")
    f.ret(outs=[f.binary("add", t, y, name="y2")])
    xv, yv = uniform(rng, -1, 1, 4, "f64"), uniform(rng, -1, 1, 4, "f64")
    out.append(_case("inout_axpy", "an inout param: y = a*x + y, output under the name y",
                     ["inout", "broadcast"], m, {"a": np.array(2.5), "x": xv, "y": yv},
                     check=lambda v: {"y": v["a"] * v["x"] + v["y"]}))
    m = Module()
    f = m.func("main")
    x = f.param("x", "f64[n]")
    f.param("negx", "f64[n]", intent="out")
    s = f.reduce("sum", x, [0], name="s")
    mx = f.reduce("max", x, [0], name="m")
    f.ret(s, mx, outs=[f.unary("neg", x, name="d")])
    out.append(Case(G, "out_param_stats", "an out param after two declared results: yields s, "
                    "m, then the value written to negx", ["out", "multi-output"], m,
                    {"x": uniform(rng, -1, 1, 5, "f64")}, tol={"rtol": 1e-12, "atol": 1e-15},
                    check=lambda v: {"s": np.array(v["x"].sum()), "m": np.array(v["x"].max()),
                                     "negx": -v["x"]}))
    # a call through an inout param: the caller receives the callee's results then its inout.
    m = Module()
    f = m.func("main")
    g = m.func("bump")
    gk, gv = g.param("k", "i32"), g.param("v", "i32[p]", intent="inout")
    kb = g.broadcast(gk, ["p"], [], name="kb")
    g.ret(g.reduce("sum", gv, [0], name="before"), outs=[g.binary("add", gv, kb, name="after")])
    x = f.param("x", "i32[n]")
    k = f.scalar("i32", 10, name="ten")
    r = f.call("bump", [k, x], name="r")
    f.ret(r[0], r[1], names=["total", "bumped"])
    out.append(_case("call_inout_callee", "a call of a function with an inout param returns its "
                     "result, then the inout value", ["call", "inout", "multi-output"], m,
                     {"x": np.array([1, 2, 3], np.int32)},
                     check=lambda v: {"total": np.array(6), "bumped": v["x"] + 10}))
    # a callee whose result has a result-only symbol: the call node introduces a fresh dim.
    m = Module()
    f = m.func("main")
    g = m.func("positives")
    gx = g.param("x", "f64[p]")
    gz = g.full("f64", 0.0, ["p"], name="zero")
    g.ret(g.filter(gx, g.binary("gt", gx, gz, name="pos"), "q", name="kept"))
    x = f.param("x", "f64[n]")
    kept = f.call("positives", [x], name="kept", fresh={"q": "k"})
    f.ret(f.binary("mul", kept, kept, name="y"))
    out.append(_case("call_fresh_dim", "a callee returning a filter result: the call introduces "
                     "the fresh dim k", ["call", "filter", "fresh-dim"], m,
                     {"x": np.array([0.5, -1.0, 2.0, 0.0, 3.0])},
                     check=lambda v: {"y": np.array([0.25, 4.0, 9.0])}))
    return out


def cases():
    rng = rng_for("control")
    out = [for_running_sum(rng), for_zero_iterations(), for_negative_step(), for_fibonacci(),
           for_nested(rng)]
    out += if_cases(rng) + call_cases(rng) + custom_cases(rng) + multi_output_cases(rng)
    out += intent_cases(rng)
    return out
