"""`select`, `cast` (every conversion family, with AIR's saturating float->int rule) and `clip`."""

import numpy as np

import oracle as O
from air_text import TType
from builder import Module
from case import Case, rng_for
from common import INF, NAN, complexes, dims_for, iinfo, uniform

G = "elementwise"


def cast_case(name, summary, src, dst, values, tags=(), symbolic=True):
    x = O.arr(values, src) if src not in ("c64", "c128") else np.asarray(values, O.NP[src])
    m = Module()
    f = m.func("main")
    p = f.param("x", TType(src, dims_for(x.shape, symbolic)))
    f.ret(f.cast(p, dst, name="y"))
    return Case(G, name, summary, ["cast", src, dst] + list(tags), m, {"x": x})


def saturating_casts():
    """float -> int: truncate toward zero, saturate, NaN -> 0."""
    big = [NAN, INF, -INF, 3e9, -3e9, 2.9, -2.9, -0.5, 2147483647.0, -2147483648.0, 1e300]
    return [
        # AIR: float -> int truncates toward zero and saturates; NaN -> 0 (NumPy: undefined).
        cast_case("cast_f64_i32_saturate", "f64 -> i32 truncates, saturates at the range, nan -> 0",
                  "f64", "i32", big, ["edge", "saturate"], symbolic=False),
        cast_case("cast_f64_i64_saturate", "f64 -> i64 saturates at +-2^63 (nan -> 0)", "f64",
                  "i64", [9.3e18, -9.3e18, 9.223372036854775e18, -9.223372036854775808e18, NAN,
                          INF, -1.5, 2.0 ** 62], ["edge", "saturate"], symbolic=False),
        cast_case("cast_f32_u8_saturate", "f32 -> u8: negatives give 0, 300 gives 255",
                  "f32", "u8", [-1.0, -0.9, 0.9, 255.9, 256.0, 300.0, NAN, INF, 127.5],
                  ["edge", "saturate", "unsigned"], symbolic=False),
        cast_case("cast_f64_u64_saturate", "f64 -> u64 saturates at 2^64 - 1 and 0", "f64",
                  "u64", [1.9e19, 1.8446744073709550e19, -5.0, NAN, 2.0 ** 63, 12.7],
                  ["edge", "saturate", "unsigned"], symbolic=False),
        cast_case("cast_f16_i16_saturate", "f16 -> i16: 65504 saturates at 32767", "f16", "i16",
                  [65504.0, -65504.0, 1.5, -1.5, NAN, -INF], ["edge", "saturate"]),
        cast_case("cast_f32_i8", "f32 -> i8 truncates toward zero", "f32", "i8",
                  [1.99, -1.99, 127.0, -128.0, 0.5, -0.5], []),
    ]


def other_casts():
    """int -> int wraps, int -> float and float -> float round to nearest even, bool, complex,
    bf16."""
    return [
        cast_case("cast_i64_i8_wrap", "i64 -> i8 keeps the low bits", "i64", "i8",
                  [300, -129, 255, 128, -1, iinfo("i64").min], ["wrap"]),
        cast_case("cast_i32_u16_wrap", "i32 -> u16 wraps", "i32", "u16",
                  [-1, 65536, 65535, 70000, -70000], ["wrap", "unsigned"]),
        cast_case("cast_u8_i8", "u8 -> i8 reinterprets the bits", "u8", "i8",
                  [0, 127, 128, 255], ["wrap"]),
        cast_case("cast_u32_i64", "u32 -> i64 widens", "u32", "i64",
                  [0, 4294967295, 12345], ["unsigned"]),
        cast_case("cast_i32_f32_round", "i32 -> f32 rounds to nearest even (2^24 + 1)", "i32",
                  "f32", [16777217, 16777219, -16777217, 7, iinfo("i32").max], ["rounding"]),
        cast_case("cast_i64_f64", "i64 -> f64 rounds to nearest even", "i64", "f64",
                  [2 ** 53 + 1, 2 ** 53 + 3, -5, iinfo("i64").max, iinfo("i64").min],
                  ["rounding"]),
        cast_case("cast_u16_f16", "u16 -> f16 (65535 overflows to inf)", "u16", "f16",
                  [0, 2049, 65504, 65535, 1000], ["rounding", "edge"]),
        cast_case("cast_f64_f32", "f64 -> f32 rounds; 1e300 overflows to inf", "f64", "f32",
                  [0.1, 1e300, -1e300, 1e-50, -0.0, NAN, 3.4028235e38], ["rounding", "edge"]),
        cast_case("cast_f64_f16", "f64 -> f16 rounds once (no double rounding)", "f64", "f16",
                  [0.1, 65520.0, 65519.0, 1e-8, 2049.0, 2051.0, -0.0], ["rounding", "edge"]),
        cast_case("cast_f32_f16", "f32 -> f16 rounds to nearest even", "f32", "f16",
                  [0.1, 1.0009765625, 1.00048828125, 70000.0, -3.14159], ["rounding"]),
        cast_case("cast_f16_f64", "f16 -> f64 is exact", "f16", "f64",
                  [0.1, 65504.0, -INF, NAN, 6e-8], []),
        cast_case("cast_f32_f64", "f32 -> f64 is exact", "f32", "f64",
                  [0.1, 3.4028235e38, 1e-45, -0.0], []),
        cast_case("cast_bool_f32", "bool -> f32 gives 0.0 or 1.0", "bool", "f32",
                  [True, False, True], ["bool"]),
        cast_case("cast_bool_i16", "bool -> i16 gives 0 or 1", "bool", "i16",
                  [True, False], ["bool"]),
        cast_case("cast_i32_bool", "i32 -> bool is x != 0", "i32", "bool",
                  [0, 1, -1, 256, 0], ["bool"]),
        cast_case("cast_f64_bool", "f64 -> bool is x != 0 (nan -> true, -0.0 -> false)", "f64",
                  "bool", [0.0, -0.0, NAN, 1e-300, -INF], ["bool", "edge"]),
        cast_case("cast_c128_f64", "c128 -> f64 keeps the real part", "c128", "f64",
                  [1 + 2j, -3.5 - 1j, complex(NAN, 1.0), 0j], ["complex"]),
        cast_case("cast_c128_bool", "c128 -> bool: true when either part is non-zero or nan",
                  "c128", "bool", [1 + 1j, 0j, complex(0.0, -0.0), complex(NAN, 0.0), 2j],
                  ["complex", "bool"]),
        cast_case("cast_c64_i32", "c64 -> i32: the real part, truncated and saturated",
                  "c64", "i32", [1.9 + 5j, -3.7 - 1j, complex(NAN, 0.0), 1e10 + 0j],
                  ["complex", "saturate"]),
        cast_case("cast_i32_c128", "i32 -> c128 has imaginary part 0", "i32", "c128",
                  [-7, 0, 2147483647], ["complex"]),
        cast_case("cast_f64_c128", "f64 -> c128 has imaginary part 0", "f64", "c128",
                  [1.5, -0.0, INF, NAN], ["complex"]),
        cast_case("cast_f32_c64", "f32 -> c64", "f32", "c64", [1.5, -2.25, 0.0], ["complex"]),
        cast_case("cast_c128_c64", "c128 -> c64 rounds both parts", "c128", "c64",
                  [0.1 + 0.2j, 1e300 + 1j, -1.0 - 0.3j], ["complex", "rounding"]),
        cast_case("cast_i8_u64", "i8 -> u64 sign-extends then wraps", "i8", "u64",
                  [-1, -128, 127, 0], ["wrap", "unsigned"]),
        cast_case("cast_f32_bf16", "f32 -> bf16 rounds to nearest even", "f32", "bf16",
                  [1.00390625, 1.01171875, 0.1, -3.0e38, 3.4e38, 1.0], ["bf16", "rounding"]),
        cast_case("cast_bf16_f32", "bf16 -> f32 is exact", "bf16", "f32",
                  [1.0078125, -0.099609375, 3.0e38, -2.0], ["bf16"]),
        cast_case("cast_f64_i32_scalar", "f64 -> i32 on a rank-0 value", "f64", "i32",
                  np.array(-7.9), ["rank0"]),
        cast_case("cast_i64_f32_empty", "i64 -> f32 on an empty array", "i64", "f32",
                  np.zeros(0, np.int64), ["empty"]),
    ]


def select_cases():
    out = []
    rng = rng_for("select")
    for dt, a, b in [
        ("f64", [1.0, NAN, -0.0, INF, 5.0], [-1.0, 2.0, 0.0, 3.0, NAN]),
        ("i32", [1, 2, 3, 4, 5], [-1, -2, -3, -4, -5]),
        ("bool", [True, True, False, False, True], [False, True, True, False, False]),
        ("c64", complexes(rng, (-1, 1), (-1, 1), 5, "c64"),
         complexes(rng, (-1, 1), (-1, 1), 5, "c64")),
        ("u8", [0, 255, 7, 8, 9], [10, 20, 30, 40, 50]),
    ]:
        m = Module()
        f = m.func("main")
        c = f.param("c", "bool[n]")
        pa, pb = f.param("a", f"{dt}[n]"), f.param("b", f"{dt}[n]")
        f.ret(f.select(c, pa, pb, name="y"))
        cond = np.array([True, False, True, False, False])
        out.append(Case(G, f"select_{dt}", f"select on {dt}[n] picks a where c else b",
                        ["select", dt], m, {"c": cond, "a": O.arr(a, dt), "b": O.arr(b, dt)}))
    m = Module()
    f = m.func("main")
    c, pa, pb = f.param("c", "bool"), f.param("a", "f32"), f.param("b", "f32")
    f.ret(f.select(c, pa, pb, name="y"))
    out.append(Case(G, "select_f32_scalar", "select on rank-0 operands", ["select", "rank0"], m,
                    {"c": np.array(False), "a": O.arr(1.5, "f32"), "b": O.arr(-2.5, "f32")}))
    # select with a scalar condition broadcast explicitly to the operands' shape.
    m = Module()
    f = m.func("main")
    c, pa, pb = f.param("c", "bool"), f.param("a", "i64[n, m]"), f.param("b", "i64[n, m]")
    cb = f.broadcast(c, ["n", "m"], [], name="cb")
    f.ret(f.select(cb, pa, pb, name="y"))
    out.append(Case(G, "select_broadcast_cond", "select with a rank-0 condition broadcast to "
                    "[n, m]", ["select", "broadcast"], m,
                    {"c": np.array(True), "a": rng.integers(0, 9, (2, 3)),
                     "b": rng.integers(-9, 0, (2, 3))}))
    return out


def clip_cases():
    out = []
    rng = rng_for("clip")

    def clip_case(name, summary, dt, x, lo, hi, tags=()):
        m = Module()
        f = m.func("main")
        ty = TType(dt, ["n"])
        px, plo, phi = f.param("x", ty), f.param("lo", ty), f.param("hi", ty)
        f.ret(f.clip(px, plo, phi, name="y"))
        return Case(G, name, summary, ["clip", dt] + list(tags), m,
                    {"x": O.arr(x, dt), "lo": O.arr(lo, dt), "hi": O.arr(hi, dt)})

    out.append(clip_case("clip_f64_edge", "clip on f64: nan anywhere gives nan; lo > hi gives hi",
                         "f64", [0.5, NAN, 0.5, 0.5, 5.0, -5.0, 0.5],
                         [0.0, 0.0, NAN, 0.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, NAN, 1.0, 1.0, 0.0],
                         ["edge", "nan"]))
    out.append(clip_case("clip_i32", "clip on i32", "i32", [-5, 0, 5, 10, 100],
                         [0, 0, 0, 0, 50], [8, 8, 8, 8, 40]))
    out.append(clip_case("clip_u8", "clip on u8", "u8", [0, 100, 255], [10, 10, 10],
                         [200, 200, 200], ["unsigned"]))
    out.append(clip_case("clip_bool", "clip on bool", "bool", [True, False, True, False],
                         [False, True, False, True], [False, True, True, True], ["bool"]))
    out.append(clip_case("clip_f16", "clip on f16", "f16", [-2.0, 0.25, 3.0, INF],
                         [-1.0, -1.0, -1.0, -1.0], [1.0, 1.0, 1.0, 1.0], ["f16"]))
    # clip of a matrix to scalar bounds, broadcast explicitly.
    m = Module()
    f = m.func("main")
    x, lo, hi = f.param("x", "f32[n, m]"), f.param("lo", "f32"), f.param("hi", "f32")
    blo = f.broadcast(lo, ["n", "m"], [], name="blo")
    bhi = f.broadcast(hi, ["n", "m"], [], name="bhi")
    f.ret(f.clip(x, blo, bhi, name="y"))
    out.append(Case(G, "clip_f32_broadcast_bounds", "clip of f32[n, m] to rank-0 bounds "
                    "broadcast explicitly", ["clip", "broadcast", "f32"], m,
                    {"x": uniform(rng, -3, 3, (3, 4), "f32"), "lo": O.arr(-1.0, "f32"),
                     "hi": O.arr(1.5, "f32")}))
    return out


def cases():
    return saturating_casts() + other_casts() + select_cases() + clip_cases()
