"""Reductions (sum prod max min mean any all, over axes with keepdims), argmax/argmin, cumsum,
cumprod and sort. Reductions keep the operand dtype (integer sums wrap); empty sums give 0, products
1, any false, all true, mean nan; max/min/argmax/argmin propagate NaN (first NaN wins)."""

import numpy as np

import oracle as O
from air_text import TType
from builder import Module
from case import Case, rng_for
from common import INF, NAN, complexes, ints, uniform

G = "reduce"


def red(name, summary, kind, ty, x, axes=(), keepdims=False, tags=(), tol=None, axis=None,
        descending=False):
    """One reduction-like op on param x of type `ty`; result y."""
    ty = TType.parse(ty)
    x = O.arr(x, ty.dtype)
    m = Module()
    f = m.func("main")
    p = f.param("x", ty)
    if kind in ("argmax", "argmin"):
        y = f.argreduce(kind, p, axis, keepdims, name="y")
        op = kind
    elif kind in ("cumsum", "cumprod"):
        y = f.scan(kind, p, axis, name="y")
        op = kind
    elif kind == "sort":
        y = f.sort(p, axis, descending, name="y")
        op = kind
    else:
        y = f.reduce(kind, p, list(axes), keepdims, name="y")
        op = "reduce_" + kind
    f.ret(y)
    return Case(G, name, summary, [op, ty.dtype] + list(tags), m, {"x": x}, tol=tol)


def sum_prod_mean(rng):
    i32 = np.iinfo(np.int32)
    return [
        red("reduce_sum_f64_axis1", "reduce_sum over axis 1 of f64[n, m]", "sum", "f64[n, m]",
            uniform(rng, -1, 1, (3, 4), "f64"), [1]),
        red("reduce_sum_i32_wrap", "reduce_sum of i32 stays i32 and wraps", "sum", "i32[n]",
            [i32.max, i32.max, 5, i32.min + 1], [0], tags=["wrap"]),
        red("reduce_sum_c128_all", "reduce_sum over both axes of c128[n, m]", "sum", "c128[n, m]",
            complexes(rng, (-1, 1), (-1, 1), (2, 3), "c128"), [0, 1], tags=["complex"]),
        red("reduce_sum_f32_keepdims", "reduce_sum over axis 0 of f32[n, m] with keepdims",
            "sum", "f32[n, m]", uniform(rng, 0, 1, (4, 3), "f32"), [0], True, ["keepdims"]),
        red("reduce_sum_empty", "reduce_sum of an empty f64[n] is 0.0", "sum", "f64[n]",
            np.zeros(0), [0], tags=["empty"]),
        red("reduce_sum_no_axes", "reduce_sum with axes = [] is the identity", "sum", "u8[n]",
            [1, 2, 255], [], tags=["edge"]),
        red("reduce_sum_f16", "reduce_sum of f16[n] (f16 result)", "sum", "f16[n]",
            uniform(rng, 0, 4, 8, "f16"), [0], tags=["f16"]),
        red("reduce_sum_i64_3d", "reduce_sum over axes [2, 0] of i64[2, 3, 4]", "sum",
            "i64[2, 3, 4]", np.arange(24).reshape(2, 3, 4), [2, 0]),
        red("reduce_sum_f64_inf", "reduce_sum with inf and -inf gives nan", "sum", "f64[n]",
            [1.0, INF, -INF, 2.0], [0], tags=["edge"]),
        red("reduce_prod_f64", "reduce_prod over axis 0 of f64[n, m]", "prod", "f64[n, m]",
            uniform(rng, 0.5, 2, (3, 2), "f64"), [0]),
        red("reduce_prod_i64_wrap", "reduce_prod of i64 wraps", "prod", "i64[n]",
            [2 ** 40, 2 ** 23 + 1, 3], [0], tags=["wrap"]),
        red("reduce_prod_c64", "reduce_prod of c64[n]", "prod", "c64[n]",
            complexes(rng, (-1, 1), (-1, 1), 4, "c64"), [0], tags=["complex"]),
        red("reduce_prod_empty", "reduce_prod of an empty i32[n] is 1", "prod", "i32[n]",
            np.zeros(0), [0], tags=["empty"]),
        red("reduce_prod_u8", "reduce_prod of u8[n, m] over axis 1 wraps", "prod", "u8[n, m]",
            [[16, 16, 2], [3, 5, 7]], [1], tags=["wrap"]),
        red("reduce_mean_f64", "reduce_mean over axis 1 of f64[n, m]", "mean", "f64[n, m]",
            uniform(rng, -1, 1, (2, 5), "f64"), [1]),
        red("reduce_mean_f32_all", "reduce_mean over both axes of f32[n, m]", "mean",
            "f32[n, m]", uniform(rng, -1, 1, (3, 3), "f32"), [0, 1]),
        red("reduce_mean_c128", "reduce_mean of c128[n]", "mean", "c128[n]",
            complexes(rng, (-1, 1), (-1, 1), 4, "c128"), [0], tags=["complex"]),
        red("reduce_mean_empty", "reduce_mean of an empty f64[n] is nan", "mean", "f64[n]",
            np.zeros(0), [0], tags=["empty"]),
    ]


def max_min_any_all(rng):
    out = []
    for kind in ["max", "min"]:
        out += [
            red(f"reduce_{kind}_f64_nan", f"reduce_{kind} propagates NaN", kind, "f64[n, m]",
                [[1.0, NAN, 3.0], [-INF, 2.0, 0.5]], [1], tags=["nan", "edge"]),
            red(f"reduce_{kind}_i8", f"reduce_{kind} of i8[n]", kind, "i8[n]",
                [-128, 127, 0, 5], [0]),
            red(f"reduce_{kind}_bool", f"reduce_{kind} of bool[n, m] over axis 0", kind,
                "bool[n, m]", [[True, False], [False, False]], [0], tags=["bool"]),
            red(f"reduce_{kind}_f32_keepdims", f"reduce_{kind} of f32[n, m] with keepdims", kind,
                "f32[n, m]", uniform(rng, -5, 5, (3, 4), "f32"), [0, 1], True, ["keepdims"]),
            red(f"reduce_{kind}_u16", f"reduce_{kind} of u16[n]", kind, "u16[n]",
                [0, 65535, 7], [0], tags=["unsigned"]),
        ]
    for kind in ["any", "all"]:
        out += [
            red(f"reduce_{kind}_axis1", f"reduce_{kind} over axis 1 of bool[n, m]", kind,
                "bool[n, m]", [[True, False, True], [False, False, False], [True, True, True]],
                [1], tags=["bool"]),
            red(f"reduce_{kind}_empty", f"reduce_{kind} of an empty bool[n]", kind, "bool[n]",
                np.zeros(0, bool), [0], tags=["empty", "bool"]),
            red(f"reduce_{kind}_keepdims", f"reduce_{kind} over axis 0 with keepdims", kind,
                "bool[n, m]", [[True, False], [True, True]], [0], True, ["keepdims", "bool"]),
        ]
    return out


def arg_cases(rng):
    out = []
    for kind in ["argmax", "argmin"]:
        out += [
            red(f"{kind}_f64_nan", f"{kind}: the first NaN wins", kind, "f64[n]",
                [1.0, NAN, 5.0, NAN, -INF], axis=0, tags=["nan", "edge"]),
            red(f"{kind}_ties", f"{kind}: the first of equal extremes", kind, "i32[n]",
                [3, 7, 7, -2, -2, 7], axis=0, tags=["edge"]),
            red(f"{kind}_i16_axis1_keepdims", f"{kind} over axis 1 of i16[n, m] with keepdims",
                kind, "i16[n, m]", ints(rng, -50, 50, (3, 4), "i16"), axis=1, keepdims=True,
                tags=["keepdims"]),
            red(f"{kind}_bool", f"{kind} of bool[n]", kind, "bool[n]",
                [False, True, False, True], axis=0, tags=["bool"]),
            red(f"{kind}_f32_axis0", f"{kind} over axis 0 of f32[n, m]", kind, "f32[n, m]",
                uniform(rng, -1, 1, (4, 2), "f32"), axis=0),
        ]
    return out


def scan_sort(rng):
    out = []
    for kind in ["cumsum", "cumprod"]:
        out += [
            red(f"{kind}_f64", f"{kind} of f64[n]", kind, "f64[n]",
                uniform(rng, 0.5, 1.5, 6, "f64"), axis=0),
            red(f"{kind}_i32_wrap", f"{kind} of i32 wraps", kind, "i32[n]",
                [2 ** 30, 2 ** 30, 2 ** 30, -7] if kind == "cumsum" else [2 ** 20, 2 ** 11, 3, -7],
                axis=0, tags=["wrap"]),
            red(f"{kind}_c128", f"{kind} of c128[n]", kind, "c128[n]",
                complexes(rng, (-1, 1), (-1, 1), 4, "c128"), axis=0, tags=["complex"]),
            red(f"{kind}_f32_axis1", f"{kind} over axis 1 of f32[n, m]", kind, "f32[n, m]",
                uniform(rng, 0.5, 1.5, (2, 4), "f32"), axis=1),
            red(f"{kind}_u8_empty", f"{kind} of an empty u8[n]", kind, "u8[n]",
                np.zeros(0), axis=0, tags=["empty"]),
        ]
    out += [
        red("sort_f64_nan", "sort puts NaN last; -inf first", "sort", "f64[n]",
            [3.0, NAN, -1.0, INF, -INF, 0.5, NAN], axis=0, tags=["nan", "edge"]),
        red("sort_f64_desc", "sort descending is the reverse (NaN first)", "sort", "f64[n]",
            [3.0, NAN, -1.0, INF, -INF, 0.5], axis=0, descending=True, tags=["nan", "edge"]),
        red("sort_i16_axis0", "sort over axis 0 of i16[n, m]", "sort", "i16[n, m]",
            ints(rng, -100, 100, (4, 3), "i16"), axis=0),
        red("sort_bool", "sort of bool[n]", "sort", "bool[n]", [True, False, True, False],
            axis=0, tags=["bool"]),
        red("sort_u32_desc", "sort descending of u32[n, m] over axis 1", "sort", "u32[n, m]",
            [[5, 4294967295, 0], [7, 7, 1]], axis=1, descending=True, tags=["unsigned"]),
        red("sort_f32_rank1", "sort of f32[n]", "sort", "f32[n]",
            uniform(rng, -10, 10, 9, "f32"), axis=0),
    ]
    return out


def cases():
    rng = rng_for("reduce")
    return sum_prod_mean(rng) + max_min_any_all(rng) + arg_cases(rng) + scan_sort(rng)
