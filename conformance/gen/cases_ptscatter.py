"""`scatter` and `gather` shapes that the PyTensor export writes differently (`peers-pytensor`
runs them in real PyTensor): one index tuple (`indices` of rank 1: PyTensor's basic
`IncSubtensor`/`Subtensor` with scalar indices), 2-D batches of tuples (index arrays of rank 2),
tuples shorter than the rank on a rank-3 operand, `max` on bool (PyTensor's `inc`, NumPy's `or`)
and static shapes. NumPy is the oracle (the evaluators of `cases_scatter`: update by update, in
order; fancy indexing). Names start with `pt_`; group `scatter`."""

import numpy as np

import oracle as O
from air_text import TType
from builder import Module
from case import Case, rng_for
from cases_scatter import G, gather, scatter
from common import uniform


def mk(name, summary, tags, build, inputs):
    m = Module(header="air 1 opset 2")
    f = m.func("main")
    ps = {k: f.param(k, t) for k, (t, _) in inputs.items()}
    res = build(f, ps)
    f.ret(res, names=[res.ref.lstrip("%")])
    return Case(G, name, summary, tags, m,
                {k: O.arr(a, TType.parse(t).dtype) for k, (t, a) in inputs.items()})


def sc(mode):
    return lambda f, p: scatter(f, mode, p["x"], p["i"], p["u"], "y")


def ga(f, p):
    return gather(f, p["x"], p["i"], "y")


def cases():
    rng = rng_for("ptscatter")
    x2 = uniform(rng, -1, 1, (3, 4), "f64")
    x3 = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    return [
        mk("pt_scatter_add_one_tuple", "scatter add with one index tuple (indices i64[2]) into "
           "an element of f64[n, m]", ["scatter", "add", "edge"], sc("add"),
           {"x": ("f64[n, m]", x2), "i": ("i64[2]", np.array([2, -1])),
            "u": ("f64", np.array(0.25))}),
        mk("pt_scatter_replace_one_row", "scatter replace of one row (indices i32[1], "
           "negative)", ["scatter", "replace", "edge"], sc("replace"),
           {"x": ("f64[n, m]", x2), "i": ("i32[1]", np.array([-2], np.int32)),
            "u": ("f64[m]", uniform(rng, 5, 6, 4, "f64"))}),
        mk("pt_gather_one_tuple", "gather of one row by one index tuple (indices i64[1])",
           ["gather", "edge"], ga,
           {"x": ("f64[n, m]", x2), "i": ("i64[1]", np.array([1]))}),
        mk("pt_scatter_add_batch2d_rows", "scatter add of rows with a 2-D batch of tuples and "
           "duplicates (indices i64[2, 3, 1])", ["scatter", "add", "rank2", "duplicates"],
           sc("add"),
           {"x": ("f32[n, m]", uniform(rng, -1, 1, (3, 2), "f32")),
            "i": ("i64[2, 3, 1]", np.array([[[0], [2], [0]], [[-1], [1], [0]]])),
            "u": ("f32[2, 3, m]", uniform(rng, -1, 1, (2, 3, 2), "f32"))}),
        mk("pt_scatter_replace_batch2d_k2", "scatter replace of rank-3 rows by (i, j) tuples in "
           "a 2-D batch, duplicates (the last wins)", ["scatter", "replace", "rank2",
                                                       "duplicates"], sc("replace"),
           {"x": ("i32[a, b, c]", x3),
            "i": ("i64[2, 2, 2]", np.array([[[0, 1], [1, -1]], [[0, 1], [1, 0]]])),
            "u": ("i32[2, 2, c]", rng.integers(-50, 50, (2, 2, 4)).astype(np.int32))}),
        mk("pt_gather_k2_rank3", "gather (i, j) tuples of a rank-3 operand (rows of the last "
           "axis)", ["gather", "rank2"], ga,
           {"x": ("i32[a, b, c]", x3), "i": ("u16[j, 2]", np.array([[1, 2], [0, 0], [1, 2]],
                                                                   np.uint16))}),
        mk("pt_scatter_max_bool_rows", "scatter max on bool rows (NumPy's or; PyTensor's inc)",
           ["scatter", "max", "bool", "duplicates"], sc("max"),
           {"x": ("bool[n, m]", np.array([[True, False], [False, False], [False, True]])),
            "i": ("i64[j, 1]", np.array([[1], [0], [1]])),
            "u": ("bool[j, m]", np.array([[False, True], [True, True], [True, False]]))}),
        mk("pt_scatter_add_static", "scatter add on a static i64[4] with u8 indices",
           ["scatter", "add", "static"], sc("add"),
           {"x": ("i64[4]", np.array([1, 2, 3, 4])),
            "i": ("u8[5, 1]", np.array([[3], [0], [3], [3], [1]], np.uint8)),
            "u": ("i64[5]", np.array([10, 20, 30, 40, 50]))}),
    ]
