"""`while` loops (op set 2, `docs/spec.md` 3.8): zero, one and many iterations, several carried
values of different dtypes, carried arrays (symbolic dims), captured values, a `while` nested in
a `for`, in a `while` and in a function reached by `call`, branches and calls in the body. Each
valid case is checked against the same loop written in plain Python/NumPy (`check=`). Invalid
cases: the constraints of the spec section, one code each. Every module declares `opset 2`,
except the one that checks that op set 1 rejects the op (E0102)."""

import numpy as np

from builder import Module
from case import Case, rng_for
from common import uniform

G = "control"
OPSET2 = "air 1 opset 2"


def _case(name, summary, tags, m, inputs, check):
    return Case(G, name, summary, ["while", "loop", "opset2"] + tags, m, inputs, check=check)


def _module():
    return Module(header=OPSET2)


def counter_below(f, limit_type="i64"):
    """A cond region over (k: i64, lim: i64): k < lim."""
    c = f.region([("k", "i64"), ("lim", limit_type)])
    c.finish(c.binary("lt", c.params[0], c.params[1], name="go"))
    return c


def count_up(f):
    """A body region over (k: i64, lim: i64): k + 1."""
    b = f.region([("k", "i64"), ("lim", "i64")])
    one = b.scalar("i64", 1, name="one")
    b.finish(b.binary("add", b.params[0], one, name="k2"))
    return b


def while_zero_iterations():
    """The condition is false at once: the results are the carried operands (an f64 array and an
    i64 counter), and the body (which would negate the array) never runs."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "f64[n]")
    k0 = f.param("k", "i64")
    lim = f.scalar("i64", 0, name="lim")
    c = f.region([("x0", "f64[n]"), ("k0", "i64"), ("l0", "i64")])
    c.finish(c.binary("lt", c.params[1], c.params[2], name="go"))
    b = f.region([("x1", "f64[n]"), ("k1", "i64"), ("l1", "i64")])
    one = b.scalar("i64", 1, name="one")
    b.finish(b.unary("neg", b.params[0], name="nx"), b.binary("add", b.params[1], one, name="k2"))
    r = f.while_([x, k0], [lim], c, b, name="r")
    f.ret(r[0], r[1], names=["y", "count"])
    xv = np.array([1.5, -0.0, np.inf, np.nan])
    return _case("while_zero_iterations", "while whose condition is false at once returns the "
                 "carried operands unchanged (nan, -0.0 and inf included)", ["edge"], m,
                 {"x": xv, "k": np.array(5)},
                 check=lambda a: {"y": a["x"], "count": a["k"]})


def while_one_iteration():
    m = _module()
    f = m.func("main")
    k0 = f.param("k", "i64")
    lim = f.param("lim", "i64")
    r = f.while_([k0], [lim], counter_below(f), count_up(f), name="r")
    f.ret(r, names=["y"])
    return _case("while_one_iteration", "while k < lim: k += 1, with lim = k + 1 (one "
                 "iteration)", [], m, {"k": np.array(41), "lim": np.array(42)},
                 check=lambda a: {"y": a["lim"]})


def while_many_iterations():
    """s = 0; i = 0; while i < count: s += i * i; i += 1 (10000 iterations, i64)."""
    m = _module()
    f = m.func("main")
    cnt = f.param("count", "i64")
    i0 = f.scalar("i64", 0, name="i0")
    s0 = f.scalar("i64", 0, name="s0")
    c = f.region([("i", "i64"), ("s", "i64"), ("n", "i64")])
    c.finish(c.binary("lt", c.params[0], c.params[2], name="go"))
    b = f.region([("i", "i64"), ("s", "i64"), ("n", "i64")])
    i, s, _ = b.params
    one = b.scalar("i64", 1, name="one")
    sq = b.binary("mul", i, i, name="sq")
    b.finish(b.binary("add", i, one, name="i2"), b.binary("add", s, sq, name="s2"))
    r = f.while_([i0, s0], [cnt], c, b, name="r")
    f.ret(r[1], r[0], names=["sum", "steps"])

    def check(a):
        n = int(a["count"])
        return {"sum": np.array(sum(i * i for i in range(n))), "steps": np.array(n)}
    return _case("while_sum_of_squares_many", "while i < count (10000 iterations): sum of "
                 "i*i in i64, with the count captured", [], m, {"count": np.array(10000)}, check)


def while_collatz():
    """Collatz steps of a u64 start: while x != 1: x = x/2 if even else 3x+1."""
    m = _module()
    f = m.func("main")
    x0 = f.param("x", "u64")
    steps0 = f.scalar("i32", 0, name="steps0")
    c = f.region([("x", "u64"), ("k", "i32")])
    one_c = c.scalar("u64", 1, name="one")
    c.finish(c.binary("ne", c.params[0], one_c, name="go"))
    b = f.region([("x", "u64"), ("k", "i32")])
    x, k = b.params
    two = b.scalar("u64", 2, name="two")
    three = b.scalar("u64", 3, name="three")
    one = b.scalar("u64", 1, name="one")
    zero = b.scalar("u64", 0, name="zero")
    even = b.binary("eq", b.binary("rem", x, two, name="r"), zero, name="even")
    half = b.binary("floor_div", x, two, name="half")
    up = b.binary("add", b.binary("mul", x, three, name="x3"), one, name="up")
    k1 = b.scalar("i32", 1, name="k1")
    b.finish(b.select(even, half, up, name="next"), b.binary("add", k, k1, name="k2"))
    r = f.while_([x0, steps0], [], c, b, name="r")
    f.ret(r[1], names=["steps"])

    def check(a):
        x, k = int(a["x"]), 0
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            k += 1
        return {"steps": np.array(k, np.int32)}
    return _case("while_collatz_u64", "Collatz step count of 27 (111 steps): u64 state, i32 "
                 "counter, select in the body", ["select"], m, {"x": np.array(27, np.uint64)},
                 check)


def while_gcd():
    """Euclid on two u32: while b != 0: a, b = b, a % b."""
    m = _module()
    f = m.func("main")
    a0, b0 = f.param("a", "u32"), f.param("b", "u32")
    c = f.region([("a", "u32"), ("b", "u32")])
    zc = c.scalar("u32", 0, name="zero")
    c.finish(c.binary("ne", c.params[1], zc, name="go"))
    b = f.region([("a", "u32"), ("b", "u32")])
    b.finish(b.params[1], b.binary("rem", b.params[0], b.params[1], name="r"))
    r = f.while_([a0, b0], [], c, b, name="r")
    f.ret(r[0], names=["gcd"])
    return _case("while_gcd_u32", "Euclid's gcd of two u32 (1071, 462) -> 21", [], m,
                 {"a": np.array(1071, np.uint32), "b": np.array(462, np.uint32)},
                 check=lambda a: {"gcd": np.array(np.gcd(int(a["a"]), int(a["b"])), np.uint32)})


def while_newton():
    """The example of spec 3.8 `while`: Newton's iteration for sqrt(a), tolerance captured."""
    m = _module()
    f = m.func("main")
    a, tol = f.param("a", "f64"), f.param("tol", "f64")
    zero = f.scalar("i64", 0, name="zero")
    big = f.scalar("f64", np.inf, name="big")
    params = [("x", "f64"), ("d", "f64"), ("k", "i64"), ("a", "f64"), ("t", "f64")]
    c = f.region(params)
    c.finish(c.binary("gt", c.params[1], c.params[4], name="more"))
    b = f.region(params)
    x, _, k, aa, _ = b.params
    s = b.binary("add", x, b.binary("div", aa, x, name="q"), name="s")
    x2 = b.binary("mul", s, b.scalar("f64", 0.5, name="half"), name="x2")
    d2 = b.unary("abs", b.binary("sub", x, x2, name="diff"), name="d2")
    k2 = b.binary("add", k, b.scalar("i64", 1, name="one"), name="k2")
    b.finish(x2, d2, k2)
    r = f.while_([a, big, zero], [a, tol], c, b, name="r")
    f.ret(r[0], r[2], names=["x", "steps"])

    def check(i):
        av, tv = float(i["a"]), float(i["tol"])
        x, d, k = av, float("inf"), 0
        while d > tv:
            x2 = (x + av / x) * 0.5
            d, x, k = abs(x - x2), x2, k + 1
        return {"x": np.array(x), "steps": np.array(k)}
    return _case("while_newton_sqrt_f64", "spec example: Newton's iteration for sqrt(2) until "
                 "two iterates differ by at most a captured tolerance", ["div", "abs"], m,
                 {"a": np.array(2.0), "tol": np.array(1e-12)}, check)


def while_mixed_dtypes():
    """Carried f32, i16, bool and u8: a geometric series in f32 until the term is below a
    captured epsilon, a step count in i16, a parity flag toggled each step, a wrapping u8."""
    m = _module()
    f = m.func("main")
    eps = f.param("eps", "f32")
    s0 = f.scalar("f32", 0.0, name="s0")
    t0 = f.scalar("f32", 1.0, name="t0")
    k0 = f.scalar("i16", 0, name="k0")
    p0 = f.scalar("bool", False, name="p0")
    w0 = f.scalar("u8", 250, name="w0")
    params = [("s", "f32"), ("t", "f32"), ("k", "i16"), ("p", "bool"), ("w", "u8"),
              ("e", "f32")]
    c = f.region(params)
    c.finish(c.binary("ge", c.params[1], c.params[5], name="go"))
    b = f.region(params)
    s, t, k, p, w, _ = b.params
    third = b.scalar("f32", 1.0 / 3.0, name="third")
    b.finish(b.binary("add", s, t, name="s2"), b.binary("mul", t, third, name="t2"),
             b.binary("add", k, b.scalar("i16", 1, name="one"), name="k2"),
             b.unary("not", p, name="p2"),
             b.binary("add", w, b.scalar("u8", 1, name="w1"), name="w2"))
    r = f.while_([s0, t0, k0, p0, w0], [eps], c, b, name="r")
    f.ret(*r, names=["sum", "term", "steps", "odd", "wrap"])

    def check(a):
        e = np.float32(a["eps"])
        s, t, k, p, w = np.float32(0), np.float32(1), 0, False, 250
        third = np.float32(1.0 / 3.0)
        while t >= e:
            s, t, k, p, w = np.float32(s + t), np.float32(t * third), k + 1, not p, (w + 1) % 256
        return {"sum": np.array(s), "term": np.array(t), "steps": np.array(k, np.int16),
                "odd": np.array(p), "wrap": np.array(w, np.uint8)}
    return _case("while_mixed_dtypes", "five carried values of five dtypes (f32, f32, i16, bool, "
                 "u8 wrapping past 255) and a captured f32", ["f32", "i16", "bool", "u8", "wrap"],
                 m, {"eps": np.array(1e-6, np.float32)}, check)


def while_carried_array():
    """Halves an f64[n] while its sum exceeds a captured limit (sums of powers of two: exact)."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "f64[n]")
    lim = f.param("limit", "f64")
    k0 = f.scalar("i64", 0, name="k0")
    params = [("x", "f64[n]"), ("k", "i64"), ("l", "f64")]
    c = f.region(params)
    tot = c.reduce("sum", c.params[0], [0], name="tot")
    c.finish(c.binary("gt", tot, c.params[2], name="go"))
    b = f.region(params)
    h = b.broadcast(b.scalar("f64", 0.5, name="h"), ["n"], [], name="hb")
    b.finish(b.binary("mul", b.params[0], h, name="x2"),
             b.binary("add", b.params[1], b.scalar("i64", 1, name="one"), name="k2"))
    r = f.while_([x, k0], [lim], c, b, name="r")
    f.ret(r[0], r[1], names=["y", "halvings"])

    def check(a):
        y, k = a["x"].copy(), 0
        while y.sum() > a["limit"]:
            y, k = y * 0.5, k + 1
        return {"y": y, "halvings": np.array(k)}
    return _case("while_carried_array_f64", "an f64[n] halved while its sum exceeds a captured "
                 "limit (reduce_sum in the condition, broadcast in the body)",
                 ["reduce_sum", "broadcast"], m,
                 {"x": np.array([4.0, 8.0, 16.0, 4.0]), "limit": np.array(3.0)}, check)


def while_carried_array_2d():
    """Doubles an i32[n, m] while its maximum is below a captured cap."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "i32[n, m]")
    cap = f.param("cap", "i32")
    c = f.region([("x", "i32[n, m]"), ("c", "i32")])
    mx = c.reduce("max", c.params[0], [0, 1], name="mx")
    c.finish(c.binary("lt", mx, c.params[1], name="go"))
    b = f.region([("x", "i32[n, m]"), ("c", "i32")])
    b.finish(b.binary("add", b.params[0], b.params[0], name="x2"))
    y = f.while_([x], [cap], c, b, name="y")
    f.ret(y)

    def check(a):
        y = a["x"].copy()
        while y.max() < a["cap"]:
            y = y + y
        return {"y": y}
    rng = rng_for("while_carried_array_2d")
    xv = rng.integers(1, 9, (2, 3)).astype(np.int32)
    return _case("while_carried_array_i32_2d", "an i32[n, m] doubled while its max is below a "
                 "captured cap (reduce_max over both axes)", ["reduce_max", "i32", "rank2"], m,
                 {"x": xv, "cap": np.array(1000, np.int32)}, check)


def while_captured_array():
    """acc += x (captured f64[n]) while acc[0] < target; the count of additions."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "f64[n]")
    target = f.param("target", "f64")
    zero = f.scalar("i64", 0, name="zero")
    acc0 = f.broadcast(f.scalar("f64", 0.0, name="z"), ["n"], [], name="acc0")
    params = [("acc", "f64[n]"), ("k", "i64"), ("x", "f64[n]"), ("t", "f64")]
    c = f.region(params)
    i0 = c.scalar("i64", 0, name="i0")
    c.finish(c.binary("lt", c.extract(c.params[0], [i0], name="a0"), c.params[3], name="go"))
    b = f.region(params)
    acc, k, xs, _ = b.params
    b.finish(b.binary("add", acc, xs, name="acc2"),
             b.binary("add", k, b.scalar("i64", 1, name="one"), name="k2"))
    r = f.while_([acc0, zero], [x, target], c, b, name="r")
    f.ret(r[0], r[1], names=["acc", "count"])

    def check(a):
        acc, k = np.zeros_like(a["x"]), 0
        while acc[0] < a["target"]:
            acc, k = acc + a["x"], k + 1
        return {"acc": acc, "count": np.array(k)}
    xv = uniform(rng_for("while_captured_array"), 0.5, 2.0, 5, "f64")
    xv[0] = 0.75
    return _case("while_captured_array", "a captured f64[n] added to a carried accumulator "
                 "while its first element is below a captured target (extract in the condition)",
                 ["extract", "broadcast"], m, {"x": xv, "target": np.array(10.0)}, check)


def while_empty_array():
    """A carried f64[n] with n = 0, the loop driven by a counter."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "f64[n]")
    k0 = f.scalar("i64", 0, name="k0")
    lim = f.scalar("i64", 3, name="lim")
    params = [("x", "f64[n]"), ("k", "i64"), ("l", "i64")]
    c = f.region(params)
    c.finish(c.binary("lt", c.params[1], c.params[2], name="go"))
    b = f.region(params)
    b.finish(b.unary("exp", b.params[0], name="e"),
             b.binary("add", b.params[1], b.scalar("i64", 1, name="one"), name="k2"))
    r = f.while_([x, k0], [lim], c, b, name="r")
    f.ret(r[0], r[1], names=["y", "count"])
    return _case("while_empty_array", "three iterations over an empty carried f64[n] (n = 0)",
                 ["empty", "exp"], m, {"x": np.zeros(0)},
                 check=lambda a: {"y": np.zeros(0), "count": np.array(3)})


def while_in_for():
    """for i in range(4): acc = acc + (the while-count of halving 2**(i+3) down to 1)."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "i64")
    lo, hi = f.scalar("i64", 0, name="lo"), f.scalar("i64", 4, name="hi")
    one = f.scalar("i64", 1, name="one")
    body = f.region([("i", "i64"), ("acc", "i64")])
    i, acc = body.params
    three = body.scalar("i64", 3, name="three")
    e = body.binary("add", i, three, name="e")
    two = body.scalar("i64", 2, name="two")
    start = body.binary("pow", two, e, name="start")
    k0 = body.scalar("i64", 0, name="k0")
    c = body.region([("v", "i64"), ("k", "i64")])
    c.finish(c.binary("gt", c.params[0], c.scalar("i64", 1, name="one"), name="go"))
    w = body.region([("v", "i64"), ("k", "i64")])
    w.finish(w.binary("floor_div", w.params[0], w.scalar("i64", 2, name="two"), name="h"),
             w.binary("add", w.params[1], w.scalar("i64", 1, name="one"), name="k2"))
    inner = body.while_([start, k0], [], c, w, name="w")
    body.finish(body.binary("add", acc, inner[1], name="acc2"))
    y = f.for_(lo, hi, one, [x], [], body, name="y")
    f.ret(y)

    def check(a):
        acc = int(a["x"])
        for i in range(4):
            v, k = 2 ** (i + 3), 0
            while v > 1:
                v, k = v // 2, k + 1
            acc += k
        return {"y": np.array(acc)}
    return _case("while_nested_in_for", "a while in the body of a for (its start value from the "
                 "for counter)", ["for", "pow", "floor_div"], m, {"x": np.array(100)}, check)


def while_in_while():
    """Outer while over rows r < n: inner while sums x[r, j] for j < m; total of the row sums."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "f64[n, m]")
    nr, nc = f.param("rows", "i64"), f.param("cols", "i64")
    r0 = f.scalar("i64", 0, name="r0")
    t0 = f.scalar("f64", 0.0, name="t0")
    params = [("r", "i64"), ("t", "f64"), ("x", "f64[n, m]"), ("nr", "i64"), ("nc", "i64")]
    c = f.region(params)
    c.finish(c.binary("lt", c.params[0], c.params[3], name="go"))
    b = f.region(params)
    r, t, xs, _, ncols = b.params
    j0 = b.scalar("i64", 0, name="j0")
    s0 = b.scalar("f64", 0.0, name="s0")
    ip = [("j", "i64"), ("s", "f64"), ("x", "f64[n, m]"), ("r", "i64"), ("nc", "i64")]
    ic = b.region(ip)
    ic.finish(ic.binary("lt", ic.params[0], ic.params[4], name="go"))
    ib = b.region(ip)
    j, s, xx, rr, _ = ib.params
    xij = ib.extract(xx, [rr, j], name="xij")
    ib.finish(ib.binary("add", j, ib.scalar("i64", 1, name="one"), name="j2"),
              ib.binary("add", s, xij, name="s2"))
    inner = b.while_([j0, s0], [xs, r, ncols], ic, ib, name="row")
    b.finish(b.binary("add", r, b.scalar("i64", 1, name="one"), name="r2"),
             b.binary("add", t, inner[1], name="t2"))
    out = f.while_([r0, t0], [x, nr, nc], c, b, name="out")
    f.ret(out[1], names=["total"])

    def check(a):
        t = 0.0
        for i in range(int(a["rows"])):
            s = 0.0
            for j in range(int(a["cols"])):
                s += float(a["x"][i, j])
            t += s
        return {"total": np.array(t)}
    xv = uniform(rng_for("while_in_while"), -1, 1, (3, 4), "f64")
    return _case("while_nested_in_while", "a while in the body of a while: row sums by "
                 "extract, bounds captured", ["extract", "nested"], m,
                 {"x": xv, "rows": np.array(3), "cols": np.array(4)}, check)


def while_in_called_function():
    """@digits counts the decimal digits of an i64 with a while; main calls it on two values."""
    m = _module()
    g = m.func("digits")
    v = g.param("v", "i64")
    one = g.scalar("i64", 1, name="one")
    c = g.region([("v", "i64"), ("k", "i64")])
    c.finish(c.binary("ge", c.params[0], c.scalar("i64", 10, name="ten"), name="go"))
    b = g.region([("v", "i64"), ("k", "i64")])
    b.finish(b.binary("floor_div", b.params[0], b.scalar("i64", 10, name="ten"), name="q"),
             b.binary("add", b.params[1], b.scalar("i64", 1, name="one"), name="k2"))
    r = g.while_([v, one], [], c, b, name="r")
    g.ret(r[1], names=["d"])
    f = m.func("main")
    a, bb = f.param("a", "i64"), f.param("b", "i64")
    da = f.call("digits", [a], name="da")
    db = f.call("digits", [bb], name="db")
    f.ret(da, db, names=["da", "db"])
    return _case("while_in_called_function", "a while in a function reached by call, called "
                 "twice (digit counts of 7 and 1234567890123)", ["call"], m,
                 {"a": np.array(7), "b": np.array(1234567890123)},
                 check=lambda i: {"da": np.array(len(str(int(i["a"])))),
                                  "db": np.array(len(str(int(i["b"]))))})


def while_if_and_call_in_body():
    """A body with an if (bisection step) and a call (@f(x) = x*x*x - 2): the bisection of
    the cube root of 2 on [0, 2] for a captured number of halvings."""
    m = _module()
    fn = m.func("f")
    x = fn.param("x", "f64")
    fn.ret(fn.binary("sub", fn.binary("mul", fn.binary("mul", x, x, name="x2"), x, name="x3"),
                     fn.scalar("f64", 2.0, name="two"), name="y"), names=["y"])
    f = m.func("main")
    steps = f.param("steps", "i64")
    lo0, hi0 = f.scalar("f64", 0.0, name="lo0"), f.scalar("f64", 2.0, name="hi0")
    k0 = f.scalar("i64", 0, name="k0")
    params = [("lo", "f64"), ("hi", "f64"), ("k", "i64"), ("n", "i64")]
    c = f.region(params)
    c.finish(c.binary("lt", c.params[2], c.params[3], name="go"))
    b = f.region(params)
    lo, hi, k, _ = b.params
    mid = b.binary("mul", b.binary("add", lo, hi, name="s"), b.scalar("f64", 0.5, name="h"),
                   name="mid")
    fm = b.call("f", [mid], name="fm")
    neg = b.binary("lt", fm, b.scalar("f64", 0.0, name="z"), name="neg")
    t = b.region([("lo", "f64"), ("hi", "f64"), ("mid", "f64")])
    t.finish(t.params[2], t.params[1])
    e = b.region([("lo", "f64"), ("hi", "f64"), ("mid", "f64")])
    e.finish(e.params[0], e.params[2])
    br = b.if_(neg, [lo, hi, mid], t, e, name="br")
    b.finish(br[0], br[1], b.binary("add", k, b.scalar("i64", 1, name="one"), name="k2"))
    r = f.while_([lo0, hi0, k0], [steps], c, b, name="r")
    f.ret(r[0], r[1], names=["lo", "hi"])

    def check(a):
        lo, hi = 0.0, 2.0
        for _ in range(int(a["steps"])):
            mid = (lo + hi) * 0.5
            if mid * mid * mid - 2.0 < 0.0:
                lo = mid
            else:
                hi = mid
        return {"lo": np.array(lo), "hi": np.array(hi)}
    return _case("while_if_and_call_in_body", "bisection for the cube root of 2: an if and a "
                 "call in the body, 40 steps", ["if", "call"], m, {"steps": np.array(40)}, check)


def while_bool_only():
    """One carried bool: while b: b = not b (one iteration from true, none from false)."""
    out = []
    for v in (True, False):
        m = _module()
        f = m.func("main")
        b0 = f.param("b", "bool")
        c = f.region([("b", "bool")])
        c.finish(c.params[0])
        b = f.region([("b", "bool")])
        b.finish(b.unary("not", b.params[0], name="nb"))
        y = f.while_([b0], [], c, b, name="y")
        f.ret(y)
        out.append(_case(f"while_bool_flag_{str(v).lower()}", "a while whose condition yields "
                         f"its carried bool parameter itself, started {str(v).lower()}", ["bool"],
                         m, {"b": np.array(v)}, check=lambda a: {"y": np.array(False)}))
    return out


def while_filter_in_body():
    """A fresh dim inside the body: filter x > t, count what passes, raise t by that count,
    while the count is positive (the fresh symbol stays inside the body)."""
    m = _module()
    f = m.func("main")
    x = f.param("x", "f64[n]")
    t0 = f.param("t", "f64")
    k0 = f.scalar("i64", 1, name="k0")
    params = [("t", "f64"), ("k", "i64"), ("x", "f64[n]")]
    c = f.region(params)
    c.finish(c.binary("gt", c.params[1], c.scalar("i64", 0, name="z"), name="go"))
    b = f.region(params)
    t, _, xs = b.params
    tb = b.broadcast(t, ["n"], [], name="tb")
    mask = b.binary("gt", xs, tb, name="mask")
    kept = b.filter(xs, mask, "kept_n", name="kept")
    ones = b.unary("isfinite", kept, name="fin")
    cnt = b.cast(b.reduce("sum", b.cast(ones, "i64", name="ci"), [0], name="cnt0"), "i64",
                 name="cnt")
    b.finish(b.binary("add", t, b.cast(cnt, "f64", name="cf"), name="t2"), cnt)
    r = f.while_([t0, k0], [x], c, b, name="r")
    f.ret(r[0], names=["t"])

    def check(a):
        t, k = float(a["t"]), 1
        while k > 0:
            k = int(np.sum(a["x"] > t))
            t = t + k
        return {"t": np.array(t)}
    xv = np.array([1.0, 5.0, 2.5, 9.0, 7.5, 3.0, 12.0])
    return _case("while_filter_in_body", "a filter (fresh dim) inside the body: the threshold "
                 "rises by the count above it until none is", ["filter", "cast", "reduce_sum"],
                 m, {"x": xv, "t": np.array(0.0)}, check)


# ---- invalid ------------------------------------------------------------------------------------


def _inv(name, code, summary, ops, lines, ret, params="%x: f64, %k: i64", results="%y: f64",
         head=OPSET2):
    body = [f"func @main({params}) -> ({results}) {{"] + ["  " + s for s in lines]
    body += [f"  return {ret}", "}"]
    text = f"// invalid: {summary} ({code})\n{head}\n\n" + "\n".join(body) + "\n"
    return Case("invalid", name, summary, ["invalid", code] + ops, text=text,
                expect=f"invalid: {code}", ops=ops)


def _loop(cond, body, results="(f64, i64)"):
    """A while over (%x: f64, %k: i64) with the given region bodies (lines after the params)."""
    return ([f"%r:2 = while (%x, %k) : {results} {{", "  (%x0: f64, %k0: i64):"] +
            ["  " + s for s in cond] + ["} {", "  (%x1: f64, %k1: i64):"] +
            ["  " + s for s in body] + ["}"])


COND = ["%z = constant {value = i64 0} () : i64", "%go = gt (%k0, %z) : bool", "yield %go"]
BODY = ["%one = constant {value = i64 1} () : i64", "%k2 = sub (%k1, %one) : i64",
        "%x2 = add (%x1, %x1) : f64", "yield %x2, %k2"]
OPS = ["while", "constant", "gt", "sub", "add"]


def invalid_cases():
    return [
        _inv("while_in_opset1", "E0102", "a while (op set 2) in a module that declares op set 1",
             OPS, _loop(COND, BODY), "%r#0", head="air 1 opset 1"),
        _inv("while_cond_not_bool", "E0202", "a while whose condition region yields an i64",
             OPS, _loop(["%z = constant {value = i64 0} () : i64",
                         "%go = sub (%k0, %z) : i64", "yield %go"], BODY), "%r#0"),
        _inv("while_cond_not_scalar", "E0216", "a while whose condition region yields a "
             "bool[2]", ["while", "constant", "sub", "add"],
             _loop(["%go = constant {value = bool[2] [true, false]} () : bool[2]", "yield %go"],
                   BODY), "%r#0"),
        _inv("while_cond_two_yields", "E0405", "a while whose condition region yields two bools",
             OPS, _loop(COND[:2] + ["yield %go, %go"], BODY), "%r#0"),
        _inv("while_body_yield_type", "E0405", "a while body yielding an f32 for a carried f64",
             OPS + ["cast"], _loop(COND, BODY[:3] + ["%x3 = cast {dtype = f32} (%x2) : f32",
                                                     "yield %x3, %k2"]), "%r#0"),
        _inv("while_body_yield_count", "E0405", "a while body yielding one value for two "
             "carried", OPS, _loop(COND, BODY[:3] + ["yield %x2"]), "%r#0"),
        _inv("while_region_param_type", "E0405", "a while condition region whose second "
             "parameter is i32 for an i64 operand", OPS,
             ["%r:2 = while (%x, %k) : (f64, i64) {", "  (%x0: f64, %k0: i32):",
              "  %z = constant {value = i32 0} () : i32", "  %go = gt (%k0, %z) : bool",
              "  yield %go", "} {", "  (%x1: f64, %k1: i64):"] + ["  " + b for b in BODY] +
             ["}"], "%r#0"),
        _inv("while_result_type", "E0213", "a while declaring an i32 result for an i64 carried "
             "value", OPS, _loop(COND, BODY, results="(f64, i32)"), "%r#0"),
    ]


def cases():
    out = [while_zero_iterations(), while_one_iteration(), while_many_iterations(),
           while_collatz(), while_gcd(), while_newton(), while_mixed_dtypes(),
           while_carried_array(), while_carried_array_2d(), while_captured_array(),
           while_empty_array(), while_in_for(), while_in_while(), while_in_called_function(),
           while_if_and_call_in_body(), while_filter_in_body()]
    out += while_bool_only()
    return out + invalid_cases()
