"""The unary ops of op set 2 (`docs/spec.md` section 3.2): asinh, acosh, atanh, exp2, log2, log10,
cbrt, trunc (float) and square (numeric), with NumPy's edge values (`np.arcsinh`, `np.arccosh`,
`np.arctanh`, `np.exp2`, `np.log2`, `np.log10`, `np.cbrt`, `np.trunc`, `np.square`), empty inputs
and symbolic shapes. Every module here declares `opset 2`."""

import numpy as np

from case import rng_for
from common import INF, NAN, complexes, ew, iinfo, uniform

G = "elementwise"

# op: (real domain of random values, edge values)
FLOAT_OPS = {
    "asinh": ((-5, 5), [0.0, -0.0, INF, -INF, NAN, 1e300, -1e300, 1e-300]),
    "acosh": ((1, 10), [1.0, 0.5, 0.0, -1.0, INF, -INF, NAN, 1e300]),
    "atanh": ((-0.99, 0.99), [1.0, -1.0, 2.0, -2.0, 0.0, -0.0, NAN, INF]),
    "exp2": ((-10, 10), [0.0, -0.0, INF, -INF, NAN, 1024.0, -1075.0, 0.5]),
    "log2": ((0.1, 100), [0.0, -0.0, -1.0, 1.0, INF, -INF, NAN, 5e-324]),
    "log10": ((0.1, 100), [0.0, -0.0, -1.0, 100.0, INF, -INF, NAN, 1e-300]),
    "cbrt": ((-30, 30), [-8.0, 27.0, -0.0, 0.0, INF, -INF, NAN, -1e-300]),
}
TRUNC_EDGE = [2.5, -2.5, 0.5, -0.5, 1.5, -1.5, -0.0, 0.0, INF, -INF, NAN, 3.7, -3.7, 1e300,
              0.49999999999999994, -0.2]


def float_cases():
    out = []
    for op, ((lo, hi), edge) in FLOAT_OPS.items():
        rng = rng_for(op)
        out.append(ew(G, f"{op}_f64", f"{op} on f64[n] with values in [{lo}, {hi}]", op, "f64",
                      [uniform(rng, lo, hi, 7, "f64")]))
        out.append(ew(G, f"{op}_f32_2d", f"{op} on f32[n, m]", op, "f32",
                      [uniform(rng, lo, hi, (2, 3), "f32")], tags=["rank2"]))
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 edge values (nan, inf, -0.0, domain "
                      "edges)", op, "f64", [edge], tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_f32_edge", f"{op} on f32 edge values", op, "f32",
                      [[v for v in edge if abs(v) < 1e30 or v != v or abs(v) == INF]],
                      tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_f16", f"{op} on f16[n] (computed in f64, rounded to f16)", op,
                      "f16", [uniform(rng, lo, hi, 6, "f16")], tags=["f16"]))
        out.append(ew(G, f"{op}_f64_empty", f"{op} on an empty f64[n] (n = 0)", op, "f64",
                      [np.zeros(0)], tags=["empty"]))
    return out


def trunc_cases():
    rng = rng_for("trunc")
    return [
        ew(G, "trunc_f64_edge", "trunc on f64: toward zero, trunc(-0.5) = -0.0, inf, nan",
           "trunc", "f64", [TRUNC_EDGE], tags=["edge"], symbolic=False),
        ew(G, "trunc_f32", "trunc on f32[n]", "trunc", "f32",
           [np.round(rng.uniform(-8, 8, 8) * 4) / 4]),
        ew(G, "trunc_f32_2d", "trunc on f32[n, m]", "trunc", "f32",
           [uniform(rng, -5, 5, (2, 3), "f32")], tags=["rank2"]),
        ew(G, "trunc_f16", "trunc on f16[n] halves", "trunc", "f16",
           [[0.5, 1.5, 2.5, -0.5, -2.5, 1.25, -1.75, 3.0]], tags=["f16"]),
        ew(G, "trunc_f64_empty", "trunc on an empty f64[n] (n = 0)", "trunc", "f64",
           [np.zeros(0)], tags=["empty"]),
        ew(G, "trunc_f64_scalar", "trunc on a rank-0 f64", "trunc", "f64", [np.array(-7.9)],
           tags=["rank0"]),
    ]


def square_cases():
    rng = rng_for("square")
    i64, u64 = iinfo("i64"), iinfo("u64")
    return [
        ew(G, "square_f64_edge", "square on f64: -0.0, inf, nan, overflow to inf", "square",
           "f64", [[-0.0, 0.0, INF, -INF, NAN, 1e200, -3.0, 1e-200]], tags=["edge"],
           symbolic=False),
        ew(G, "square_f64", "square on f64[n]", "square", "f64", [uniform(rng, -5, 5, 7, "f64")]),
        ew(G, "square_f32_2d", "square on f32[n, m]", "square", "f32",
           [uniform(rng, -5, 5, (2, 3), "f32")], tags=["rank2"]),
        ew(G, "square_f16", "square on f16[n] (300^2 overflows to inf)", "square", "f16",
           [[0.5, -1.5, 300.0, 255.0, -0.0, NAN]], tags=["f16", "edge"]),
        ew(G, "square_i8_wrap", "square on i8 wraps: square(100) = 16", "square", "i8",
           [[100, -128, 127, 11, -12, 0]], tags=["edge", "wrap"], symbolic=False),
        ew(G, "square_i64_edge", "square on i64 extremes wraps", "square", "i64",
           [[i64.min, i64.max, 3037000500, -7, 0]], tags=["edge", "wrap"], symbolic=False),
        ew(G, "square_u64_edge", "square on u64 wraps", "square", "u64",
           [[u64.max, 2**32, 2**32 + 1, 5, 0]], tags=["edge", "wrap", "unsigned"],
           symbolic=False),
        ew(G, "square_i32", "square on i32[n]", "square", "i32",
           [rng.integers(-1000, 1000, 6)]),
        ew(G, "square_c128", "square on c128[n] (complex mul(x, x))", "square", "c128",
           [complexes(rng, (-2, 2), (-2, 2), 5, "c128")], tags=["complex"]),
        ew(G, "square_c64", "square on c64[n]", "square", "c64",
           [complexes(rng, (-2, 2), (-2, 2), 5, "c64")], tags=["complex"]),
        ew(G, "square_i8_empty", "square on an empty i8[n] (n = 0)", "square", "i8",
           [np.zeros(0, dtype=np.int8)], tags=["empty"]),
    ]


def cases():
    return float_cases() + trunc_cases() + square_cases()
