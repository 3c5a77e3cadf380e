"""The op set 2 index ops `scatter`, `gather` and `unique` (`docs/spec.md` section 3.5), and the
group-by built from them. NumPy is the oracle: `np.add.at`, `np.multiply.at`, `np.maximum.at`,
`np.minimum.at` and `x[tuple(idx)] = v` (applied update by update, in order) for scatter, fancy
indexing `x[i_0, ..., i_{k-1}]` for gather, `np.unique(x, return_index=True, return_inverse=True,
return_counts=True)` (NumPy 2, `equal_nan=True`; `return_index` makes its sort stable) for
unique. Every module declares `opset 2`."""

import numpy as np

import oracle as O
from air_text import TType
from builder import Module
from case import Case, rng_for
from common import INF, NAN, uniform

G = "scatter"
MODES = ["replace", "add", "mul", "max", "min"]
UFUNC = {"add": np.add, "mul": np.multiply, "max": np.maximum, "min": np.minimum}


def _k(idx):
    k = idx.shape[-1].const()
    assert k is not None, "the tuple length must be a constant"
    return k


def _tuples(x, i):
    """The index arrays NumPy's fancy indexing takes, checked in range (the spec's R1)."""
    k = i.shape[-1]
    for a in range(k):
        d = x.shape[a]
        assert ((i[..., a] >= -d) & (i[..., a] < d)).all(), "index out of range"
    return tuple(i[..., a].astype(np.int64) for a in range(k))


def gather(f, x, idx, name=None):
    k = _k(idx)
    shape = list(idx.shape[:-1]) + list(x.shape[k:])
    def ev(v, env):
        if k == 0:  # every (empty) tuple selects the whole operand
            return np.broadcast_to(v[0], v[1].shape[:-1] + v[0].shape).copy()
        return np.array(v[0][_tuples(v[0], v[1])])
    return f.node("gather", [x, idx], [TType(x.dtype, shape)], name=name, evaluator=ev)


def scatter(f, mode, x, idx, upd, name=None):
    k = _k(idx)
    assert list(upd.shape) == list(idx.shape[:-1]) + list(x.shape[k:]) and upd.dtype == x.dtype

    def ev(v, env):
        out = v[0].copy()
        t = _tuples(v[0], v[1])
        # One update after another in ascending order (the spec's order): the last of duplicate
        # `replace`s wins; the ufuncs are NumPy's own binary ops.
        for b in np.ndindex(*v[1].shape[:-1]):
            pos = tuple(int(ti[b]) for ti in t)
            with np.errstate(invalid="ignore", over="ignore"):
                out[pos] = v[2][b] if mode == "replace" else UFUNC[mode](out[pos], v[2][b])
        if mode != "replace" and k > 0:
            # `ufunc.at` (unbuffered, in order) gives the same, bit for bit.
            at = v[0].copy()
            with np.errstate(invalid="ignore", over="ignore"):
                UFUNC[mode].at(at, t, v[2])
            assert at.tobytes() == out.tobytes() or (at.dtype.kind == "f" and np.array_equal(
                at, out, equal_nan=True)), "ufunc.at differs"
        return out
    return f.node("scatter", [x, idx, upd], [TType(x.dtype, x.shape)], [("mode", mode)],
                  name=name, evaluator=ev)


def unique(f, x, fresh, name=None):
    assert x.ty.rank == 1

    def ev(v, env):
        # return_index=True makes NumPy sort stably (mergesort), so each value is represented
        # by its first occurrence, as the spec says; without it NumPy's choice between -0.0 and
        # 0.0 (or among NaN payloads) depends on its unstable sort.
        vals, _, inv, cnt = np.unique(v[0], return_index=True, return_inverse=True,
                                      return_counts=True)
        env[fresh] = vals.shape[0]
        return [vals, inv.reshape(-1).astype(np.int64), cnt.astype(np.int64)]
    return f.node("unique", [x], [TType(x.dtype, [fresh]), TType("i64", x.shape),
                                  TType("i64", [fresh])], name=name, evaluator=ev)


def mk(name, summary, tags, build, inputs, tol=None):
    m = Module(header="air 1 opset 2")
    f = m.func("main")
    ps = {k: f.param(k, t) for k, (t, _) in inputs.items()}
    res = build(f, ps)
    res = res if isinstance(res, (list, tuple)) else [res]
    f.ret(*res, names=[v.ref.lstrip("%").replace("#", "_") for v in res])
    return Case(G, name, summary, tags, m,
                {k: O.arr(a, TType.parse(t).dtype) for k, (t, a) in inputs.items()}, tol=tol)


def _dup_idx():
    return np.array([[0], [2], [0], [-1], [2], [0]])


def mode_cases(rng):
    """Every mode on every dtype class it accepts, with duplicate and negative indices."""
    out = []
    data = {
        "f64": lambda n: uniform(rng, -2, 2, n, "f64"),
        "f32": lambda n: uniform(rng, -2, 2, n, "f32"),
        "i32": lambda n: rng.integers(-50, 50, n).astype(np.int32),
        "u8": lambda n: rng.integers(0, 200, n).astype(np.uint8),
        "bool": lambda n: rng.integers(0, 2, n).astype(bool),
        "c128": lambda n: uniform(rng, -1, 1, n, "f64") + 1j * uniform(rng, -1, 1, n, "f64"),
        "c64": lambda n: (uniform(rng, -1, 1, n, "f64") + 1j * uniform(rng, -1, 1, n, "f64")
                          ).astype(np.complex64),
        "f16": lambda n: uniform(rng, -2, 2, n, "f64").astype(np.float16),
    }
    accepts = {"replace": ["f64", "i32", "bool", "c128"], "add": ["f64", "f32", "i32", "u8", "c128", "c64"],
               "mul": ["f64", "i32", "u8", "f16"], "max": ["f64", "i32", "bool", "u8"],
               "min": ["f64", "f32", "i32", "bool"]}
    for mode, dts in accepts.items():
        for dt in dts:
            out.append(mk(f"scatter_{mode}_{dt}_dup",
                          f"scatter {mode} on {dt}[n] with duplicate and negative indices "
                          "(ascending update order)", ["scatter", mode, dt, "duplicates"],
                          lambda f, p, mode=mode: scatter(f, mode, p["x"], p["i"], p["u"], "y"),
                          {"x": (f"{dt}[n]", data[dt](4)), "i": ("i64[m, 1]", _dup_idx()),
                           "u": (f"{dt}[m]", data[dt](6))}))
    return out


def edge_cases(rng):
    x = uniform(rng, -1, 1, (3, 4), "f64")
    return [
        mk("scatter_add_f64_rounding", "scatter add on f64 with duplicates: sequential rounding "
           "order (1e16 + 1 + 1 + -1e16 in update order)", ["scatter", "add", "duplicates", "edge"],
           lambda f, p: scatter(f, "add", p["x"], p["i"], p["u"], "y"),
           {"x": ("f64[n]", np.array([0.0, 0.0])), "i": ("i64[m, 1]", np.array([[0], [0], [0], [0], [1]])),
            "u": ("f64[m]", np.array([1e16, 1.0, 1.0, -1e16, 5.0]))}),
        mk("scatter_max_f64_nan", "scatter max/min propagate NaN; ties give the update "
           "(max(0.0, -0.0) = -0.0)", ["scatter", "max", "nan", "edge"],
           lambda f, p: scatter(f, "max", p["x"], p["i"], p["u"], "y"),
           {"x": ("f64[n]", np.array([0.0, 1.0, NAN, 0.0])),
            "i": ("i64[m, 1]", np.array([[0], [1], [1], [2], [3]])),
            "u": ("f64[m]", np.array([NAN, 5.0, 2.0, 3.0, -0.0]))}),
        mk("scatter_min_f64_inf", "scatter min into +inf (the group-by min start value)",
           ["scatter", "min", "edge"],
           lambda f, p: scatter(f, "min", p["x"], p["i"], p["u"], "y"),
           {"x": ("f64[n]", np.array([INF, INF, INF])),
            "i": ("i64[m, 1]", np.array([[2], [0], [2], [2]])),
            "u": ("f64[m]", np.array([3.0, -1.0, -7.5, 1.0]))}),
        mk("scatter_add_i8_wrap", "scatter add on i8 wraps", ["scatter", "add", "edge"],
           lambda f, p: scatter(f, "add", p["x"], p["i"], p["u"], "y"),
           {"x": ("i8[n]", np.array([120, -120], np.int8)),
            "i": ("i32[m, 1]", np.array([[0], [0], [1]], np.int32)),
            "u": ("i8[m]", np.array([5, 10, -20], np.int8))}),
        mk("scatter_replace_2d_rows", "scatter replace rows of f64[n, m] (k = 1 < rank)",
           ["scatter", "replace", "rank2"],
           lambda f, p: scatter(f, "replace", p["x"], p["i"], p["u"], "y"),
           {"x": ("f64[n, m]", x), "i": ("i64[2, 1]", np.array([[2], [-3]])),
            "u": ("f64[2, m]", uniform(rng, 5, 6, (2, 4), "f64"))}),
        mk("scatter_add_2d_elements", "scatter add at (row, column) tuples of f64[n, m] (k = 2)",
           ["scatter", "add", "rank2"],
           lambda f, p: scatter(f, "add", p["x"], p["i"], p["u"], "y"),
           {"x": ("f64[n, m]", x), "i": ("i64[j, 2]", np.array([[0, 0], [2, -1], [0, 0], [1, 2]])),
            "u": ("f64[j]", np.array([1.0, 2.0, 3.0, 4.0]))}),
        mk("scatter_mul_batch_2d", "scatter mul with a 2-D batch of index tuples (indices "
           "i64[2, 2, 1])", ["scatter", "mul", "rank2"],
           lambda f, p: scatter(f, "mul", p["x"], p["i"], p["u"], "y"),
           {"x": ("f32[n]", np.array([1.0, 2.0, 3.0], np.float32)),
            "i": ("u8[2, 2, 1]", np.array([[[0], [1]], [[0], [2]]], np.uint8)),
            "u": ("f32[2, 2]", np.array([[2.0, 3.0], [4.0, 0.5]], np.float32))}),
        mk("scatter_add_k0_whole", "scatter add with k = 0: every update adds to the whole operand",
           ["scatter", "add", "edge"],
           lambda f, p: scatter(f, "add", p["x"], p["i"], p["u"], "y"),
           {"x": ("i64[n]", np.array([1, 2, 3])), "i": ("i64[2, 0]", np.zeros((2, 0), np.int64)),
            "u": ("i64[2, n]", np.array([[10, 20, 30], [100, 200, 300]]))}),
        mk("scatter_add_empty_updates", "scatter add with no updates gives the operand",
           ["scatter", "add", "empty"],
           lambda f, p: scatter(f, "add", p["x"], p["i"], p["u"], "y"),
           {"x": ("f64[n]", np.array([1.0, -0.0, 3.0])), "i": ("i64[m, 1]", np.zeros((0, 1), np.int64)),
            "u": ("f64[m]", np.zeros(0))}),
        mk("scatter_replace_empty_operand", "scatter replace into an empty f64[0, m] with no "
           "updates", ["scatter", "replace", "empty"],
           lambda f, p: scatter(f, "replace", p["x"], p["i"], p["u"], "y"),
           {"x": ("f64[n, m]", np.zeros((0, 3))), "i": ("i64[j, 1]", np.zeros((0, 1), np.int64)),
            "u": ("f64[j, m]", np.zeros((0, 3)))}),
        mk("scatter_replace_u64_static", "scatter replace on a static u64[4] with u16 indices",
           ["scatter", "replace", "static"],
           lambda f, p: scatter(f, "replace", p["x"], p["i"], p["u"], "y"),
           {"x": ("u64[4]", np.array([1, 2, 3, 4], np.uint64)),
            "i": ("u16[3, 1]", np.array([[3], [1], [3]], np.uint16)),
            "u": ("u64[3]", np.array([2**64 - 1, 7, 9], np.uint64))}),
        mk("scatter_add_f16", "scatter add on f16 (each sum rounded to f16)", ["scatter", "add", "f16"],
           lambda f, p: scatter(f, "add", p["x"], p["i"], p["u"], "y"),
           {"x": ("f16[n]", np.array([1.0, 2.0, 0.5])), "i": ("i64[m, 1]", np.array([[0], [0], [2]])),
            "u": ("f16[m]", np.array([0.25, 1024.0, -0.5]))}),
    ]


def gather_cases(rng):
    x = uniform(rng, -1, 1, (3, 4), "f64")
    return [
        mk("gather_elements_2d", "gather (row, column) tuples of f64[n, m] with negative indices",
           ["gather", "rank2"], lambda f, p: gather(f, p["x"], p["i"], "y"),
           {"x": ("f64[n, m]", x), "i": ("i64[j, 2]", np.array([[0, 0], [2, -1], [-3, 3], [1, 1]]))}),
        mk("gather_rows_dup", "gather rows (k = 1) with duplicates", ["gather", "duplicates"],
           lambda f, p: gather(f, p["x"], p["i"], "y"),
           {"x": ("i32[n, m]", np.arange(12, dtype=np.int32).reshape(3, 4)),
            "i": ("i64[j, 1]", np.array([[1], [1], [-1]]))}),
        mk("gather_batch_bool", "gather from bool[n, m] with a 2-D batch of tuples",
           ["gather", "bool"], lambda f, p: gather(f, p["x"], p["i"], "y"),
           {"x": ("bool[n, m]", rng.integers(0, 2, (2, 3)).astype(bool)),
            "i": ("i16[2, 2, 2]", np.array([[[0, 0], [1, 2]], [[1, -1], [0, 1]]], np.int16))}),
        mk("gather_c64", "gather from c64[n]", ["gather", "complex"],
           lambda f, p: gather(f, p["x"], p["i"], "y"),
           {"x": ("c64[n]", np.array([1 + 2j, -3j, 4.5], np.complex64)),
            "i": ("u32[j, 1]", np.array([[2], [0], [2]], np.uint32))}),
        mk("gather_empty", "gather with no index tuples gives an empty result",
           ["gather", "empty"], lambda f, p: gather(f, p["x"], p["i"], "y"),
           {"x": ("f32[n, m]", np.ones((2, 3), np.float32)), "i": ("i64[j, 1]", np.zeros((0, 1), np.int64))}),
        mk("gather_k0", "gather with k = 0 repeats the whole operand", ["gather", "edge"],
           lambda f, p: gather(f, p["x"], p["i"], "y"),
           {"x": ("u8[n]", np.array([1, 2, 3], np.uint8)), "i": ("i64[2, 0]", np.zeros((2, 0), np.int64))}),
    ]


def unique_cases(rng):
    def u3(f, p):
        return unique(f, p["x"], "u", "g")
    return [
        mk("unique_f64_nan_negzero", "unique on f64 with NaNs (one value, last) and -0.0/0.0 "
           "(equal; the first occurrence represents them)", ["unique", "nan", "edge"], u3,
           {"x": ("f64[n]", np.array([0.0, NAN, -0.0, 1.0, -NAN, -0.0, 1.0, -INF]))}),
        mk("unique_f64_negzero_first", "unique keeps -0.0 when it occurs first",
           ["unique", "edge"], u3, {"x": ("f64[n]", np.array([-0.0, 2.0, 0.0]))}),
        mk("unique_f32", "unique on f32[n]", ["unique"], u3,
           {"x": ("f32[n]", np.round(uniform(rng, -3, 3, 12, "f32")))}),
        mk("unique_i64", "unique on i64[n] with repeats", ["unique"], u3,
           {"x": ("i64[n]", rng.integers(-3, 4, 15))}),
        mk("unique_u8_all_same", "unique on u8 where every element is equal", ["unique", "edge"],
           u3, {"x": ("u8[n]", np.full(5, 7, np.uint8))}),
        mk("unique_bool", "unique on bool", ["unique", "bool"], u3,
           {"x": ("bool[n]", np.array([True, False, True, True]))}),
        mk("unique_i32_empty", "unique on an empty i32[n] gives u = 0", ["unique", "empty"], u3,
           {"x": ("i32[n]", np.zeros(0, np.int32))}),
        mk("unique_f16", "unique on f16", ["unique", "f16"], u3,
           {"x": ("f16[n]", np.array([1.5, -2.0, 1.5, 0.0, NAN]))}),
        mk("unique_static", "unique on a static i16[6]", ["unique", "static"], u3,
           {"x": ("i16[6]", np.array([5, -1, 5, 5, 0, -1], np.int16))}),
    ]


def _groupby(f, p):
    g = unique(f, p["key"], "u", "g")
    idx = f.reshape(g[1], ["n", 1], name="idx")
    zero = f.full("f64", 0.0, ["u"], name="zero")
    s = scatter(f, "add", zero, idx, p["val"], "sum")
    cnt = f.cast(g[2], "f64", name="cnt")
    mean = f.binary("div", s, cnt, name="mean")
    pinf = f.full("f64", INF, ["u"], name="pinf")
    lo = scatter(f, "min", pinf, idx, p["val"], "lo")
    ninf = f.full("f64", -INF, ["u"], name="ninf")
    hi = scatter(f, "max", ninf, idx, p["val"], "hi")
    return [g[0], s, g[2], mean, lo, hi]


def _groupby_dense(f, p):
    idx = f.reshape(p["key"], ["n", 1], name="idx")
    zero = f.full("f64", 0.0, ["g"], name="zero")
    return scatter(f, "add", zero, idx, p["val"], "sum")


def groupby_cases(rng):
    key = rng.integers(0, 4, 20) * 10 - 7
    return [
        mk("groupby_unique_scatter", "group-by: unique keys, then scatter add/min/max; sum, "
           "count, mean, min, max per key (the spec's recipe)", ["unique", "scatter", "groupby"],
           _groupby, {"key": ("i64[n]", key), "val": ("f64[n]", uniform(rng, -5, 5, 20, "f64"))}),
        mk("groupby_dense_keys", "group-by on keys 0..g-1 (PyTensor's inc_subtensor(out[key], "
           "val)): one scatter add", ["scatter", "groupby"], _groupby_dense,
           {"key": ("i64[n]", rng.integers(0, 3, 10)), "val": ("f64[n]", uniform(rng, -1, 1, 10, "f64")),
            "g": ("f64[g]", np.zeros(3))}),
    ]


def cases():
    rng = rng_for("scatter")
    out = []
    for fam in [mode_cases, edge_cases, gather_cases, unique_cases, groupby_cases]:
        out.extend(fam(rng))
    return out + invalid_cases() + run_error_cases()


def run_error_cases():
    """Valid modules whose run fails with E0503: an index outside `-d..d-1` (checked for every
    index before anything is written), for scatter and gather, past either end."""
    from cases_dims import DimsCase, HEAD2, func

    def err(name, summary, op, params, stmts, results, inputs):
        text = f"// run-time error: {summary} (E0503)\n" + HEAD2 + func(
            params, results, stmts, ", ".join(f"%{n}" for n, _ in results))
        c = DimsCase(name, summary, [op, "out-of-range"], [op], text,
                     inputs={k: O.arr(v, dt) for k, (v, dt) in inputs.items()},
                     expect="error: E0503")
        c.group, c.name = G, name
        c.tags = list(dict.fromkeys(["scatter", "opset2", op, "out-of-range", "run-error", "E0503"]))
        return c

    sc = ["%y = scatter {mode = \"add\"} (%x, %i, %u) : f64[n]"]
    sp = [("x", "f64[n]"), ("i", "i64[m, 1]"), ("u", "f64[m]")]
    ga = ["%y = gather (%x, %i) : f64[m]"]
    gp = [("x", "f64[n]"), ("i", "i64[m, 1]")]
    return [
        err("scatter_index_past_end", "scatter add with index 4 into f64[4]", "scatter", sp, sc,
            [("y", "f64[n]")], {"x": (np.zeros(4), "f64"), "i": (np.array([[1], [4]]), "i64"),
                                "u": (np.ones(2), "f64")}),
        err("scatter_index_below_start", "scatter add with index -5 into f64[4] (-4 is the "
            "lowest)", "scatter", sp, sc, [("y", "f64[n]")],
            {"x": (np.zeros(4), "f64"), "i": (np.array([[0], [-5]]), "i64"),
             "u": (np.ones(2), "f64")}),
        err("gather_index_past_end", "gather index 3 from f64[3]", "gather", gp, ga,
            [("y", "f64[m]")], {"x": (np.arange(3.0), "f64"), "i": (np.array([[0], [3]]), "i64")}),
        err("gather_index_empty_operand", "gather index 0 from an empty f64[0]", "gather", gp, ga,
            [("y", "f64[m]")], {"x": (np.zeros(0), "f64"), "i": (np.array([[0]]), "i64")}),
    ]


def inv(name, code, summary, ops, params, results, stmts, ret, head="air 1 opset 2"):
    """An invalid module with one problem and the code it must produce."""
    lines = [f"// invalid: {summary} ({code})", head, "", f"func @main({params}) -> ({results}) {{"]
    lines += ["  " + s for s in stmts] + [f"  return {ret}", "}"]
    return Case(G, name, summary, ["invalid", code] + ops, text="\n".join(lines) + "\n",
                expect=f"invalid: {code}", ops=ops)


SC = "%x: f64[n], %i: i64[m, 1], %u: f64[m]"


def invalid_cases():
    sc = ["scatter"]
    return [
        inv("scatter_in_opset1", "E0102", "scatter (op set 2) in a module that declares op set 1",
            sc, SC, "%y: f64[n]", ['%y = scatter {mode = "add"} (%x, %i, %u) : f64[n]'], "%y",
            head="air 1 opset 1"),
        inv("scatter_bad_mode", "E0103", "scatter mode \"sub\" is not a mode", sc, SC,
            "%y: f64[n]", ['%y = scatter {mode = "sub"} (%x, %i, %u) : f64[n]'], "%y"),
        inv("scatter_add_bool", "E0202", "scatter add on bool (add is numeric only)", sc,
            "%x: bool[n], %i: i64[m, 1], %u: bool[m]", "%y: bool[n]",
            ['%y = scatter {mode = "add"} (%x, %i, %u) : bool[n]'], "%y"),
        inv("scatter_updates_dtype", "E0201", "scatter updates of another dtype than the operand",
            sc, "%x: f64[n], %i: i64[m, 1], %u: f32[m]", "%y: f64[n]",
            ['%y = scatter {mode = "replace"} (%x, %i, %u) : f64[n]'], "%y"),
        inv("scatter_updates_shape", "E0204", "scatter updates not shaped indices.shape[:-1] + "
            "x.shape[k:]", sc, "%x: f64[n, p], %i: i64[m, 1], %u: f64[m]", "%y: f64[n, p]",
            ['%y = scatter {mode = "add"} (%x, %i, %u) : f64[n, p]'], "%y"),
        inv("scatter_float_indices", "E0202", "scatter with f64 indices", sc,
            "%x: f64[n], %i: f64[m, 1], %u: f64[m]", "%y: f64[n]",
            ['%y = scatter {mode = "add"} (%x, %i, %u) : f64[n]'], "%y"),
        inv("gather_tuple_too_long", "E0215", "gather with index tuples longer than the rank",
            ["gather"], "%x: f64[n], %i: i64[m, 2]", "%y: f64[m]",
            ["%y = gather (%x, %i) : f64[m]"], "%y"),
        inv("gather_symbolic_k", "E0217", "gather whose tuple length is a symbolic dim",
            ["gather"], "%x: f64[n], %i: i64[m, k]", "%y: f64[m]",
            ["%y = gather (%x, %i) : f64[m]"], "%y"),
        inv("gather_scalar_indices", "E0215", "gather with rank-0 indices", ["gather"],
            "%x: f64[n], %i: i64", "%y: f64", ["%y = gather (%x, %i) : f64"], "%y"),
        inv("unique_counts_other_symbol", "E0213", "unique counts declared with a symbol other "
            "than the values' fresh one", ["unique"], "%x: f64[n]",
            "%v: f64[u], %c: i64[w]", ["%g:3 = unique (%x) : (f64[u], i64[n], i64[w])"],
            "%g#0, %g#2"),
        inv("unique_rank2", "E0215", "unique on a rank-2 operand (reshape it first)", ["unique"],
            "%x: f64[n, m]", "%v: f64[u]", ["%g:3 = unique (%x) : (f64[u], i64[n], i64[u])"],
            "%g#0"),
        inv("unique_complex", "E0202", "unique on c128 (not ordered)", ["unique"], "%x: c128[n]",
            "%v: c128[u]", ["%g:3 = unique (%x) : (c128[u], i64[n], i64[u])"], "%g#0"),
        inv("unique_one_result", "E0303", "unique declared with one result", ["unique"],
            "%x: f64[n]", "%v: f64[u]", ["%g = unique (%x) : f64[u]"], "%g"),
    ]
