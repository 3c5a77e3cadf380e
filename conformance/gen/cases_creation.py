"""Creation ops: `constant` literals of many dtypes (special floats, integer extremes, complex,
empty, rank 0), `iota` (int and float, any axis, symbolic shapes) and `full`."""

import numpy as np

import oracle as O
from builder import Module
from case import Case, rng_for
from common import INF, NAN, uniform

G = "creation"


def const_case(name, summary, dtype, shape, values, tags=()):
    m = Module()
    f = m.func("main")
    f.ret(f.constant(dtype, shape, values, name="y"))
    return Case(G, name, summary, ["constant", dtype] + list(tags), m, {})


def constant_cases(rng):
    i8, u64, i64 = np.iinfo(np.int8), np.iinfo(np.uint64), np.iinfo(np.int64)
    out = [
        const_case("constant_f64_2d", "a f64[2, 2] literal", "f64", [2, 2],
                   [1.0, 0.1, -2.5, 1e-07]),
        const_case("constant_f64_special", "a literal with nan, inf, -inf, -0.0 and a subnormal",
                   "f64", [6], [NAN, INF, -INF, -0.0, 5e-324, 1.7976931348623157e308],
                   ["edge"]),
        const_case("constant_f32_shortest", "f32 literal elements print in their shortest f32 form",
                   "f32", [4], [0.1, 1.0 / 3.0, 3.4028234663852886e38, -1e-45], ["edge"]),
        const_case("constant_f16", "an f16 literal (elements through their f32 form)", "f16",
                   [3], [0.1, 65504.0, -6e-08], ["f16"]),
        const_case("constant_i8_extremes", "an i8 literal with the extremes", "i8", [3],
                   [i8.min, i8.max, 0], ["edge"]),
        const_case("constant_i64_extremes", "an i64 literal with the extremes", "i64", [2],
                   [i64.min, i64.max], ["edge"]),
        const_case("constant_u64_max", "a u64 literal with 2^64 - 1", "u64", [2],
                   [u64.max, 1], ["edge", "unsigned"]),
        const_case("constant_bool", "a bool[2, 3] literal", "bool", [2, 3],
                   [True, False, True, True, False, False], ["bool"]),
        const_case("constant_c128", "a c128 literal with (re, im) pairs", "c128", [2],
                   [1.5 - 2j, complex(NAN, INF)], ["complex"]),
        const_case("constant_c64", "a c64 literal", "c64", [2], [0.1 + 0.2j, -1j], ["complex"]),
        const_case("constant_empty", "an empty f64[0] literal", "f64", [0], [], ["empty"]),
        const_case("constant_scalar_u16", "a rank-0 u16 literal", "u16", [], [65535],
                   ["rank0", "unsigned"]),
        const_case("constant_i16_u32", "an i16 literal", "i16", [2, 1], [-32768, 32767]),
    ]
    # a constant combined with a param.
    m = Module()
    f = m.func("main")
    x = f.param("x", "u32[3]")
    k = f.constant("u32", [3], [1, 4294967295, 7], name="k")
    f.ret(f.binary("add", x, k, name="y"))
    out.append(Case(G, "constant_plus_param", "a u32 literal added to a param (wraps)",
                    ["constant", "add", "unsigned"], m,
                    {"x": np.array([1, 1, 1], np.uint32)}))
    return out


def iota_cases(rng):
    out = []

    def iota_case(name, summary, dtype, shape, axis, param=None, tags=()):
        m = Module()
        f = m.func("main")
        inputs = {}
        if param:
            p = f.param("x", param[0])
            inputs["x"] = O.arr(param[1], p.dtype)
            y = f.binary("add", p, f.iota(dtype, shape, axis, name="idx"), name="y")
        else:
            y = f.iota(dtype, shape, axis, name="y")
        f.ret(y)
        return Case(G, name, summary, ["iota", dtype] + list(tags), m, inputs)

    out.append(iota_case("iota_i64", "iota i64[5]", "i64", [5], 0))
    out.append(iota_case("iota_u8_axis0", "iota u8[2, 3] along axis 0", "u8", [2, 3], 0))
    out.append(iota_case("iota_f32_axis1_symbolic", "iota f32[n, 3] along axis 1, added to a "
                         "param", "f32", ["n", 3], 1,
                         ("f32[n, 3]", uniform(rng, -1, 1, (2, 3), "f32")), ["symbolic"]))
    out.append(iota_case("iota_f64_symbolic", "iota f64[n] added to x", "f64", ["n"], 0,
                         ("f64[n]", uniform(rng, -1, 1, 4, "f64")), ["symbolic"]))
    out.append(iota_case("iota_i32_3d", "iota i32[2, 2, 3] along axis 2", "i32", [2, 2, 3], 2))
    out.append(iota_case("iota_f16_empty", "iota f16[0]", "f16", [0], 0, tags=["empty"]))
    return out


def full_cases(rng):
    out = []

    def full_case(name, summary, dtype, value, shape, param=None, tags=()):
        m = Module()
        f = m.func("main")
        inputs = {}
        if param:
            p = f.param("x", param[0])
            inputs["x"] = O.arr(param[1], p.dtype)
            y = f.binary("mul", p, f.full(dtype, value, shape, name="k"), name="y")
        else:
            y = f.full(dtype, value, shape, name="y")
        f.ret(y)
        return Case(G, name, summary, ["full", dtype] + list(tags), m, inputs)

    out.append(full_case("full_f64_symbolic", "full f64[n, m] with 2.5 times x", "f64", 2.5,
                         ["n", "m"], ("f64[n, m]", uniform(rng, -1, 1, (2, 3), "f64")),
                         ["symbolic"]))
    out.append(full_case("full_bool", "full bool[3] true", "bool", True, [3], tags=["bool"]))
    out.append(full_case("full_i16_scalar", "full with shape [] is rank 0", "i16", -5, [],
                         tags=["rank0"]))
    out.append(full_case("full_c64", "full c64[2, 2]", "c64", 1 - 1j, [2, 2], tags=["complex"]))
    out.append(full_case("full_nan", "full f32[4] with nan", "f32", NAN, [4], tags=["nan"]))
    out.append(full_case("full_u32_max", "full u32[n] with 2^32 - 1 times x (wraps)", "u32",
                         4294967295, ["n"], ("u32[n]", np.array([0, 1, 2], np.uint32)),
                         ["unsigned", "wrap"]))
    out.append(full_case("full_i8_empty", "full i8[0, 2]", "i8", 3, [0, 2], tags=["empty"]))
    return out


def cases():
    rng = rng_for("creation")
    return constant_cases(rng) + iota_cases(rng) + full_cases(rng)
