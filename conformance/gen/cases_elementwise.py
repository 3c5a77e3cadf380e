"""Unary elementwise ops: every op on every dtype class it accepts, with the IEEE edge values
(NaN, +-inf, -0.0, poles, domain errors), integer extremes, rank 0, rank 2 and empty arrays."""

import math

import numpy as np

from case import rng_for
from common import INF, NAN, complexes, ew, iinfo, uniform

G = "elementwise"
C128_TOL = {"rtol": 1e-11, "atol": 1e-13}
C64_TOL = {"rtol": 1e-5, "atol": 1e-6}

# op: (real domain, edge values, complex domain (re range, im range))
TRANSCENDENTAL = {
    "exp": ((-5, 5), [0.0, -0.0, INF, -INF, NAN, 710.0, -750.0, 1.0], ((-2, 2), (-3, 3))),
    "expm1": ((-3, 3), [-0.0, 0.0, 1e-10, -1e-10, INF, -INF, NAN, 710.0],
              ((-1, 1), (-1, 1))),
    "log": ((0.1, 10), [0.0, -0.0, -1.0, 1.0, INF, -INF, NAN, 5e-324], ((0.2, 3), (-2, 2))),
    "log1p": ((-0.9, 5), [-1.0, -2.0, -0.0, 1e-12, INF, NAN, 0.0, -0.5], ((0.0, 2), (-1, 1))),
    "sqrt": ((0, 10), [-0.0, 0.0, -1.0, INF, -INF, NAN, 4.0, 2.0], ((0.1, 3), (-2, 2))),
    "rsqrt": ((0.1, 10), [0.0, -0.0, INF, -1.0, NAN, 4.0, 0.25, 1.0], ((0.1, 3), (-2, 2))),
    "sin": ((-3, 3), [0.0, -0.0, INF, -INF, NAN, math.pi / 2, 1e-300, 100.0],
            ((-2, 2), (-1, 1))),
    "cos": ((-3, 3), [0.0, -0.0, INF, -INF, NAN, math.pi, 1e-300, 100.0], ((-2, 2), (-1, 1))),
    "tan": ((-1.4, 1.4), [0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 100.0], ((-1, 1), (-1, 1))),
    "asin": ((-1, 1), [1.0, -1.0, 1.5, -1.5, -0.0, 0.0, NAN, INF], ((-0.8, 0.8), (0.1, 0.8))),
    "acos": ((-1, 1), [1.0, -1.0, 1.5, -1.5, -0.0, 0.0, NAN, INF], ((-0.8, 0.8), (0.1, 0.8))),
    "atan": ((-5, 5), [INF, -INF, -0.0, 0.0, NAN, 1.0, 1e300, -1.0], ((-0.8, 0.8), (0.1, 0.8))),
    "sinh": ((-3, 3), [INF, -INF, -0.0, 0.0, 800.0, -800.0, NAN, 1e-300], ((-2, 2), (-1, 1))),
    "cosh": ((-3, 3), [INF, -INF, -0.0, 0.0, 800.0, -800.0, NAN, 1.0], ((-2, 2), (-1, 1))),
    "tanh": ((-4, 4), [INF, -INF, -0.0, 0.0, 30.0, -30.0, NAN, 1e-300], ((-1, 1), (-1, 1))),
}
ROUNDING_EDGE = [2.5, -2.5, 0.5, -0.5, 1.5, -1.5, -0.0, 0.0, INF, -INF, NAN, 3.7, -3.7, 1e300,
                 0.49999999999999994, -0.2]


def transcendental_cases():
    out = []
    for i, (op, ((lo, hi), edge, cdom)) in enumerate(TRANSCENDENTAL.items()):
        rng = rng_for(op)
        out.append(ew(G, f"{op}_f64", f"{op} on f64[n] with values in [{lo}, {hi}]", op, "f64",
                      [uniform(rng, lo, hi, 7, "f64")]))
        out.append(ew(G, f"{op}_f32_2d", f"{op} on f32[n, m]", op, "f32",
                      [uniform(rng, lo, hi, (2, 3), "f32")], tags=["rank2"]))
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 edge values (nan, inf, -0.0, domain "
                      "edges)", op, "f64", [edge], tags=["edge"], symbolic=False))
        cdt = "c128" if i % 2 == 0 else "c64"
        out.append(ew(G, f"{op}_{cdt}", f"{op} on {cdt}[n], away from branch cuts", op, cdt,
                      [complexes(rng, cdom[0], cdom[1], 5, cdt)], tags=["complex"],
                      tol=C128_TOL if cdt == "c128" else C64_TOL))
    rng = rng_for("f16")
    for op in ["exp", "sqrt", "sin", "tanh", "log"]:
        (lo, hi), _, _ = TRANSCENDENTAL[op]
        out.append(ew(G, f"{op}_f16", f"{op} on f16[n] (computed in f64, rounded to f16)", op,
                      "f16", [uniform(rng, lo, hi, 6, "f16")], tags=["f16"]))
    out.append(ew(G, "exp_f64_scalar", "exp on a rank-0 f64", "exp", "f64", [np.array(0.5)],
                  tags=["rank0"]))
    out.append(ew(G, "sin_f32_empty", "sin on an empty f32[n] (n = 0)", "sin", "f32",
                  [np.zeros(0)], tags=["empty"]))
    out.append(ew(G, "cos_f64_rank3", "cos on f64[n, m, k]", "cos", "f64",
                  [uniform(rng, -3, 3, (2, 2, 3), "f64")], tags=["rank3"]))
    return out


def rounding_cases():
    out = []
    rng = rng_for("rounding")
    for op in ["floor", "ceil", "round"]:
        note = " (half to even)" if op == "round" else ""
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 halves, -0.0, inf, nan{note}", op,
                      "f64", [ROUNDING_EDGE], tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_f32", f"{op} on f32[n]{note}", op, "f32",
                      [np.round(rng.uniform(-8, 8, 8) * 4) / 4], tags=[]))
        out.append(ew(G, f"{op}_f16", f"{op} on f16[n] halves{note}", op, "f16",
                      [[0.5, 1.5, 2.5, -0.5, -2.5, 1.25, -1.75, 3.0]], tags=["f16"]))
    return out


def special_cases():
    out = []
    rng = rng_for("special")
    for op, dom, edge in [("erf", (-3, 3), [INF, -INF, -0.0, 0.0, NAN, 6.0, -6.0, 1e-300]),
                          ("logistic", (-6, 6), [INF, -INF, 0.0, -0.0, NAN, 800.0, -800.0, 40.0])]:
        out.append(ew(G, f"{op}_f64", f"{op} on f64[n]", op, "f64",
                      [uniform(rng, *dom, 7, "f64")]))
        out.append(ew(G, f"{op}_f32", f"{op} on f32[n]", op, "f32",
                      [uniform(rng, *dom, 6, "f32")]))
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 edge values", op, "f64", [edge],
                      tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_f16", f"{op} on f16[n]", op, "f16",
                      [uniform(rng, *dom, 5, "f16")], tags=["f16"]))
    recip_edge = [0.0, -0.0, INF, -INF, NAN, 3.0, -0.1, 1e-310]
    out.append(ew(G, "reciprocal_f64_edge", "reciprocal: 1/0.0 = inf, 1/-0.0 = -inf, 1/inf = 0",
                  "reciprocal", "f64", [recip_edge], tags=["edge"], symbolic=False))
    out.append(ew(G, "reciprocal_f32", "reciprocal on f32[n] (correctly rounded)", "reciprocal",
                  "f32", [uniform(rng, 0.5, 4, 6, "f32") * np.array([1, -1] * 3)]))
    out.append(ew(G, "reciprocal_c128", "reciprocal on c128[n]", "reciprocal", "c128",
                  [complexes(rng, (-2, 2), (-2, 2), 5, "c128")], tags=["complex"], tol=C128_TOL))
    out.append(ew(G, "reciprocal_f16", "reciprocal on f16[n]", "reciprocal", "f16",
                  [[2.0, -4.0, 3.0, 0.0, 0.1, 1000.0]], tags=["f16"]))
    return out


def sign_abs_neg_cases():
    out = []
    rng = rng_for("signs")
    i8, i32, i64 = iinfo("i8"), iinfo("i32"), iinfo("i64")
    out.append(ew(G, "neg_i8_edge", "neg on i8 wraps: neg(-128) = -128", "neg", "i8",
                  [[i8.min, i8.max, 0, 1, -1, 100]], tags=["edge", "wrap"], symbolic=False))
    out.append(ew(G, "neg_u8_wrap", "neg on u8 wraps: neg(1) = 255", "neg", "u8",
                  [[0, 1, 2, 128, 255]], tags=["edge", "wrap", "unsigned"]))
    out.append(ew(G, "neg_f64_edge", "neg on f64: -0.0, inf, nan", "neg", "f64",
                  [[0.0, -0.0, INF, -INF, NAN, 1.5]], tags=["edge"], symbolic=False))
    out.append(ew(G, "neg_c64", "neg on c64[n]", "neg", "c64",
                  [complexes(rng, (-2, 2), (-2, 2), 4, "c64")], tags=["complex"]))
    out.append(ew(G, "neg_i64_scalar", "neg on a rank-0 i64", "neg", "i64", [np.array(42)],
                  tags=["rank0"]))
    out.append(ew(G, "abs_i32_edge", "abs on i32 wraps: abs(INT_MIN) = INT_MIN", "abs", "i32",
                  [[i32.min, i32.max, -1, 0, 7, -7]], tags=["edge", "wrap"], symbolic=False))
    out.append(ew(G, "abs_f32_edge", "abs on f32: abs(-0.0) = 0.0, abs(-inf) = inf", "abs",
                  "f32", [[-0.0, 0.0, -INF, INF, NAN, -2.5]], tags=["edge"], symbolic=False))
    out.append(ew(G, "abs_c128", "abs on c128 gives f64 (modulus)", "abs", "c128",
                  [np.array([3 + 4j, -1 - 1j, 0j, complex(INF, 1.0), 1e300 + 1e300j])],
                  tags=["complex", "edge"], tol=C128_TOL))
    out.append(ew(G, "abs_c64", "abs on c64 gives f32", "abs", "c64",
                  [complexes(rng, (-2, 2), (-2, 2), 5, "c64")], tags=["complex"], tol=C64_TOL))
    out.append(ew(G, "abs_i16", "abs on i16[n, m]", "abs", "i16",
                  [rng.integers(-300, 300, (2, 3))], tags=["rank2"]))
    out.append(ew(G, "sign_i64_edge", "sign on i64 extremes", "sign", "i64",
                  [[i64.min, i64.max, 0, -5, 5]], tags=["edge"], symbolic=False))
    out.append(ew(G, "sign_u16", "sign on u16 gives 0 or 1", "sign", "u16",
                  [[0, 1, 65535, 7]], tags=["unsigned"]))
    out.append(ew(G, "sign_f64_edge", "sign(+-0.0) = +0.0, sign(nan) = nan, sign(-inf) = -1",
                  "sign", "f64", [[-0.0, 0.0, NAN, -INF, INF, -3.5, 1e-320]], tags=["edge"],
                  symbolic=False))
    out.append(ew(G, "sign_f32", "sign on f32[n]", "sign", "f32",
                  [uniform(rng, -2, 2, 6, "f32")]))
    return out


def logical_cases():
    out = []
    out.append(ew(G, "not_bool", "logical not on bool[n]", "not", "bool",
                  [[True, False, False, True]], tags=["bool"]))
    out.append(ew(G, "not_i32", "bitwise not on i32: not(0) = -1", "not", "i32",
                  [[0, -1, 5, iinfo("i32").max, iinfo("i32").min]], tags=["edge"]))
    out.append(ew(G, "not_u8", "bitwise not on u8: not(0) = 255", "not", "u8",
                  [[0, 255, 15, 170]], tags=["unsigned"]))
    out.append(ew(G, "not_bool_empty", "not on an empty bool[n]", "not", "bool",
                  [np.zeros(0, bool)], tags=["empty", "bool"]))
    fedge = [0.0, -0.0, NAN, INF, -INF, 1.0, -1e308, 5e-324]
    cedge = [complex(NAN, 0.0), complex(0.0, NAN), complex(INF, 0.0), complex(1.0, -INF),
             complex(1.0, 2.0), complex(INF, NAN), 0j]
    for op in ["isnan", "isinf", "isfinite"]:
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 special values", op, "f64", [fedge],
                      tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_f32", f"{op} on f32[n]", op, "f32",
                      [[NAN, 1.0, INF, -0.0, 3e38, -INF]], tags=["edge"]))
        out.append(ew(G, f"{op}_c128_edge", f"{op} on c128: nan or inf in either part", op,
                      "c128", [cedge], tags=["complex", "edge"], symbolic=False))
        out.append(ew(G, f"{op}_f16", f"{op} on f16 (65520 overflows to inf)", op, "f16",
                      [[NAN, 65504.0, 65520.0, -INF, 0.0]], tags=["f16", "edge"]))
    return out


def cases():
    return (transcendental_cases() + rounding_cases() + special_cases() +
            sign_abs_neg_cases() + logical_cases())
