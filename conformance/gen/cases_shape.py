"""Shape ops: broadcast, reshape, transpose, expand_dims, squeeze, slice (static, symbolic and
run-time bounds), concat, take, extract, insert, filter."""

import numpy as np

import oracle as O
from air_text import Sl, TType
from builder import Module
from case import Case, rng_for
from common import NAN, complexes, uniform

G = "shape"


def mk(name, summary, tags, build, inputs):
    """A case whose main takes `inputs` (name -> (type, array)) and is built by `build(f, ps)`."""
    m = Module()
    f = m.func("main")
    ps = {k: f.param(k, t) for k, (t, _) in inputs.items()}
    res = build(f, ps)
    f.ret(*(res if isinstance(res, (list, tuple)) else [res]))
    return Case(G, name, summary, tags, m,
                {k: O.arr(a, TType.parse(t).dtype) for k, (t, a) in inputs.items()})


def broadcast_cases(rng):
    return [
        mk("broadcast_row", "broadcast f64[n] to [m, n] along the last axis, then add",
           ["broadcast", "symbolic"],
           lambda f, p: f.binary("add", f.broadcast(p["v"], ["m", "n"], [1], name="vb"), p["a"],
                                 name="y"),
           {"v": ("f64[n]", uniform(rng, -1, 1, 4, "f64")),
            "a": ("f64[m, n]", uniform(rng, -1, 1, (3, 4), "f64"))}),
        mk("broadcast_unit_dim", "broadcast f32[n, 1] to [n, m] (extent 1 stretched)",
           ["broadcast", "symbolic"],
           lambda f, p: f.binary("mul", f.broadcast(p["c"], ["n", "m"], [0, 1], name="cb"),
                                 p["a"], name="y"),
           {"c": ("f32[n, 1]", uniform(rng, -2, 2, (2, 1), "f32")),
            "a": ("f32[n, m]", uniform(rng, -2, 2, (2, 5), "f32"))}),
        mk("broadcast_scalar_static", "broadcast a rank-0 i32 to [3, 2]", ["broadcast", "rank0"],
           lambda f, p: f.broadcast(p["s"], [3, 2], [], name="y"),
           {"s": ("i32", O.arr(-7, "i32"))}),
        mk("broadcast_bool_col", "broadcast bool[n] to [n, 2] along the first axis",
           ["broadcast", "bool"], lambda f, p: f.broadcast(p["b"], ["n", 2], [0], name="y"),
           {"b": ("bool[n]", np.array([True, False, True]))}),
        mk("broadcast_c128_3d", "broadcast c128[n] to [2, 3, n]", ["broadcast", "complex"],
           lambda f, p: f.broadcast(p["z"], [2, 3, "n"], [2], name="y"),
           {"z": ("c128[n]", complexes(rng, (-1, 1), (-1, 1), 2, "c128"))}),
        mk("broadcast_outer_sum", "outer sum a[i] + b[j] through two broadcasts",
           ["broadcast", "symbolic"],
           lambda f, p: f.binary("add", f.broadcast(p["a"], ["n", "m"], [0], name="ab"),
                                 f.broadcast(p["b"], ["n", "m"], [1], name="bb"), name="y"),
           {"a": ("i64[n]", np.arange(3)), "b": ("i64[m]", 10 * np.arange(4))}),
    ]


def reshape_cases(rng):
    return [
        mk("reshape_flatten_symbolic", "reshape f64[n, m] to [m*n] (C order)",
           ["reshape", "symbolic"], lambda f, p: f.reshape(p["x"], ["n*m"], name="y"),
           {"x": ("f64[n, m]", uniform(rng, -1, 1, (2, 3), "f64"))}),
        mk("reshape_static", "reshape i32[6] to [2, 3]", ["reshape"],
           lambda f, p: f.reshape(p["x"], [2, 3], name="y"),
           {"x": ("i32[6]", np.arange(6, dtype=np.int32))}),
        mk("reshape_split_symbolic", "reshape f32[n, 2] to [2*n] then to [2, n]",
           ["reshape", "symbolic"],
           lambda f, p: f.reshape(f.reshape(p["x"], ["2*n"], name="flat"), [2, "n"], name="y"),
           {"x": ("f32[n, 2]", uniform(rng, -1, 1, (3, 2), "f32"))}),
        mk("reshape_to_scalar", "reshape u16[1, 1] to rank 0", ["reshape", "rank0"],
           lambda f, p: f.reshape(p["x"], [], name="y"),
           {"x": ("u16[1, 1]", np.array([[65535]], np.uint16))}),
        mk("reshape_empty", "reshape an empty f64[0, n] to [n, 0]", ["reshape", "empty"],
           lambda f, p: f.reshape(p["x"], ["n", 0], name="y"),
           {"x": ("f64[0, n]", np.zeros((0, 3)))}),
    ]


def transpose_cases(rng):
    return [
        mk("transpose_2d", "transpose f64[n, m] with perm [1, 0]", ["transpose", "symbolic"],
           lambda f, p: f.transpose(p["x"], [1, 0], name="y"),
           {"x": ("f64[n, m]", uniform(rng, -1, 1, (2, 3), "f64"))}),
        mk("transpose_3d", "transpose i8[2, 3, 4] with perm [2, 0, 1]", ["transpose"],
           lambda f, p: f.transpose(p["x"], [2, 0, 1], name="y"),
           {"x": ("i8[2, 3, 4]", np.arange(24, dtype=np.int8).reshape(2, 3, 4))}),
        mk("transpose_bool", "transpose bool[n, m]", ["transpose", "bool"],
           lambda f, p: f.transpose(p["x"], [1, 0], name="y"),
           {"x": ("bool[n, m]", rng.integers(0, 2, (3, 2)).astype(bool))}),
        mk("transpose_c64_identity", "transpose c64[n, m] with the identity perm",
           ["transpose", "complex"], lambda f, p: f.transpose(p["x"], [0, 1], name="y"),
           {"x": ("c64[n, m]", complexes(rng, (-1, 1), (-1, 1), (2, 2), "c64"))}),
    ]


def expand_squeeze_cases(rng):
    return [
        mk("expand_dims_front", "expand_dims f64[n] at axis 0 gives [1, n]", ["expand_dims"],
           lambda f, p: f.expand_dims(p["x"], [0], name="y"),
           {"x": ("f64[n]", uniform(rng, -1, 1, 3, "f64"))}),
        mk("expand_dims_two", "expand_dims i32[n] at result axes 0 and 2 gives [1, n, 1]",
           ["expand_dims"], lambda f, p: f.expand_dims(p["x"], [0, 2], name="y"),
           {"x": ("i32[n]", np.array([1, 2, 3, 4], np.int32))}),
        mk("expand_dims_scalar", "expand_dims a rank-0 f16 to [1]", ["expand_dims", "rank0"],
           lambda f, p: f.expand_dims(p["x"], [0], name="y"), {"x": ("f16", O.arr(2.5, "f16"))}),
        mk("squeeze_front", "squeeze axis 0 of f64[1, n]", ["squeeze"],
           lambda f, p: f.squeeze(p["x"], [0], name="y"),
           {"x": ("f64[1, n]", uniform(rng, -1, 1, (1, 4), "f64"))}),
        mk("squeeze_two", "squeeze axes 1 and 2 of u32[n, 1, 1]", ["squeeze"],
           lambda f, p: f.squeeze(p["x"], [1, 2], name="y"),
           {"x": ("u32[n, 1, 1]", np.array([1, 2, 4294967295], np.uint32).reshape(3, 1, 1))}),
        mk("squeeze_to_scalar", "squeeze bool[1] to rank 0", ["squeeze", "rank0"],
           lambda f, p: f.squeeze(p["x"], [0], name="y"), {"x": ("bool[1]", np.array([True]))}),
    ]


def slice_cases(rng):
    x8 = uniform(rng, -1, 1, 8, "f64")
    return [
        mk("slice_static_step", "slice f64[8] with 1:6:2", ["slice"],
           lambda f, p: f.slice(p["x"], [Sl(1, 6, 2)], name="y"), {"x": ("f64[8]", x8)}),
        mk("slice_drop_first", "slice f64[n] with 1: gives [n-1]", ["slice", "symbolic"],
           lambda f, p: f.slice(p["x"], [Sl(1, None)], name="y"), {"x": ("f64[n]", x8)}),
        mk("slice_prefix", "slice i32[n] with :3 gives [3]", ["slice", "symbolic"],
           lambda f, p: f.slice(p["x"], [Sl(None, 3)], name="y"),
           {"x": ("i32[n]", np.arange(5, dtype=np.int32))}),
        mk("slice_strided_fresh", "slice f32[n] with ::2: the extent is a fresh dim k",
           ["slice", "fresh-dim"], lambda f, p: f.slice(p["x"], [Sl(None, None, 2)], name="y",
                                                       fresh=["k"]),
           {"x": ("f32[n]", uniform(rng, -1, 1, 7, "f32"))}),
        mk("slice_reverse", "slice f64[5] with ::-1 reverses", ["slice"],
           lambda f, p: f.slice(p["x"], [Sl(None, None, -1)], name="y"),
           {"x": ("f64[5]", x8[:5])}),
        mk("slice_2d", "slice f64[n, m] with [1:, :] gives [n-1, m]", ["slice", "symbolic"],
           lambda f, p: f.slice(p["x"], [Sl(1, None), Sl()], name="y"),
           {"x": ("f64[n, m]", uniform(rng, -1, 1, (3, 2), "f64"))}),
        mk("slice_operand_bounds", "slice i64[n] with run-time bounds #1:#2: a fresh dim k",
           ["slice", "fresh-dim"],
           lambda f, p: f.slice(p["x"], [Sl("#1", "#2")], [p["lo"], p["hi"]], name="y",
                                fresh=["k"]),
           {"x": ("i64[n]", np.arange(10, 20)), "lo": ("i64", np.array(2)),
            "hi": ("i64", np.array(-3))}),
        mk("slice_negative_static", "slice u8[8] with -3: and clamped 2:100",
           ["slice", "edge"],
           lambda f, p: [f.slice(p["x"], [Sl(-3, None)], name="tail"),
                         f.slice(p["x"], [Sl(2, 100)], name="mid")],
           {"x": ("u8[8]", np.arange(8, dtype=np.uint8))}),
        mk("slice_negative_symbolic", "slice f64[n] with -2: is a fresh dim",
           ["slice", "fresh-dim"], lambda f, p: f.slice(p["x"], [Sl(-2, None)], name="y",
                                                       fresh=["k"]),
           {"x": ("f64[n]", x8)}),
        mk("slice_empty_result", "slice f64[6] with 4:2 is empty", ["slice", "empty"],
           lambda f, p: f.slice(p["x"], [Sl(4, 2)], name="y"), {"x": ("f64[6]", x8[:6])}),
    ]


def concat_cases(rng):
    return [
        mk("concat_symbolic", "concat f64[n] and f64[m] gives [m+n]", ["concat", "symbolic"],
           lambda f, p: f.concat([p["a"], p["b"]], 0, name="y"),
           {"a": ("f64[n]", uniform(rng, -1, 1, 3, "f64")),
            "b": ("f64[m]", uniform(rng, -1, 1, 2, "f64"))}),
        mk("concat_axis1", "concat i32[n, 2] and i32[n, 3] along axis 1", ["concat"],
           lambda f, p: f.concat([p["a"], p["b"]], 1, name="y"),
           {"a": ("i32[n, 2]", np.arange(4, dtype=np.int32).reshape(2, 2)),
            "b": ("i32[n, 3]", -np.arange(6, dtype=np.int32).reshape(2, 3))}),
        mk("concat_three_same", "concat three f32[n] gives [3*n]", ["concat", "symbolic"],
           lambda f, p: f.concat([p["a"], p["a"], p["b"]], 0, name="y"),
           {"a": ("f32[n]", uniform(rng, -1, 1, 2, "f32")),
            "b": ("f32[n]", uniform(rng, -1, 1, 2, "f32"))}),
        mk("concat_with_empty", "concat with an empty operand", ["concat", "empty"],
           lambda f, p: f.concat([p["a"], p["e"]], 0, name="y"),
           {"a": ("c128[2]", np.array([1 + 1j, 2 - 1j])), "e": ("c128[0]", np.zeros(0, complex))}),
        mk("concat_single", "concat of a single bool operand", ["concat", "bool"],
           lambda f, p: f.concat([p["a"]], 0, name="y"), {"a": ("bool[n]", np.array([True]))}),
    ]


def take_cases(rng):
    x = uniform(rng, -1, 1, 5, "f64")
    return [
        mk("take_negative", "take with negative indices counts from the end", ["take", "edge"],
           lambda f, p: f.take(p["x"], p["i"], 0, name="y"),
           {"x": ("f64[n]", x), "i": ("i64[k]", np.array([0, -1, 2, -5, 4]))}),
        mk("take_axis1", "take columns of f32[n, m] with i32 indices", ["take"],
           lambda f, p: f.take(p["x"], p["i"], 1, name="y"),
           {"x": ("f32[n, m]", uniform(rng, -1, 1, (2, 4), "f32")),
            "i": ("i32[k]", np.array([3, 0, 3], np.int32))}),
        mk("take_scalar_index", "take with a rank-0 index removes the axis", ["take", "rank0"],
           lambda f, p: f.take(p["x"], p["i"], 0, name="y"),
           {"x": ("i16[n, m]", np.arange(6, dtype=np.int16).reshape(3, 2)),
            "i": ("u8", np.array(2, np.uint8))}),
        mk("take_2d_indices", "take with i64[2, 2] indices gives [2, 2, m]", ["take"],
           lambda f, p: f.take(p["x"], p["i"], 0, name="y"),
           {"x": ("u64[n, m]", np.arange(6, dtype=np.uint64).reshape(3, 2)),
            "i": ("i64[2, 2]", np.array([[0, 2], [1, -1]]))}),
    ]


def extract_insert_cases(rng):
    x = uniform(rng, -1, 1, (3, 4), "f64")
    return [
        mk("extract_2d", "extract one element of f64[n, m]", ["extract"],
           lambda f, p: f.extract(p["x"], [p["i"], p["j"]], name="y"),
           {"x": ("f64[n, m]", x), "i": ("i64", np.array(1)), "j": ("i64", np.array(3))}),
        mk("extract_negative", "extract with negative indices counts from the end",
           ["extract", "edge"], lambda f, p: f.extract(p["x"], [p["i"]], name="y"),
           {"x": ("i32[n]", np.array([5, 6, 7], np.int32)), "i": ("i64", np.array(-1))}),
        mk("insert_2d", "insert a scalar into f64[n, m]", ["insert"],
           lambda f, p: f.insert(p["x"], p["v"], [p["i"], p["j"]], name="y"),
           {"x": ("f64[n, m]", x), "v": ("f64", np.array(NAN)), "i": ("i64", np.array(2)),
            "j": ("i64", np.array(0))}),
        mk("insert_negative", "insert with a negative index", ["insert", "edge"],
           lambda f, p: f.insert(p["x"], p["v"], [p["i"]], name="y"),
           {"x": ("bool[n]", np.array([False, False, False])), "v": ("bool", np.array(True)),
            "i": ("i64", np.array(-2))}),
    ]


def filter_cases(rng):
    x = uniform(rng, -1, 1, 6, "f64")
    return [
        mk("filter_f64", "filter f64[n] by a mask: result f64[k], k fresh",
           ["filter", "fresh-dim"], lambda f, p: f.filter(p["x"], p["m"], "k", name="y"),
           {"x": ("f64[n]", x), "m": ("bool[n]", np.array([1, 0, 1, 1, 0, 0], bool))}),
        mk("filter_positive_then_scale", "filter the positive elements, then square them "
           "(the fresh dim k flows on)", ["filter", "fresh-dim"],
           lambda f, p: _filter_square(f, p),
           {"x": ("f32[n]", uniform(rng, -1, 1, 7, "f32")), "z": ("f32[n]", np.zeros(7))}),
        mk("filter_all_false", "filter with an all-false mask gives an empty result",
           ["filter", "empty"], lambda f, p: f.filter(p["x"], p["m"], "k", name="y"),
           {"x": ("i32[n]", np.array([1, 2, 3], np.int32)), "m": ("bool[n]", np.zeros(3, bool))}),
        mk("filter_c64", "filter c64[n]", ["filter", "complex"],
           lambda f, p: f.filter(p["x"], p["m"], "k", name="y"),
           {"x": ("c64[n]", complexes(rng, (-1, 1), (-1, 1), 4, "c64")),
            "m": ("bool[n]", np.array([0, 1, 1, 0], bool))}),
    ]


def _filter_square(f, p):
    pos = f.binary("gt", p["x"], p["z"], name="pos")
    kept = f.filter(p["x"], pos, "k", name="kept")
    return f.binary("mul", kept, kept, name="y")


def cases():
    rng = rng_for("shape")
    out = []
    for fam in [broadcast_cases, reshape_cases, transpose_cases, expand_squeeze_cases,
                slice_cases, concat_cases, take_cases, extract_insert_cases, filter_cases]:
        out.extend(fam(rng))
    return out
