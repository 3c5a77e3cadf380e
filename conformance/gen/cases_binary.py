"""Binary elementwise ops: arithmetic, division family (AIR's zero-divisor rules), pow, max/min,
atan2, comparisons, logical/bitwise ops and shifts, on every dtype class each accepts."""

import numpy as np

from case import rng_for
from common import INF, NAN, complexes, ew, iinfo, ints, uniform

G = "elementwise"
C128_TOL = {"rtol": 1e-12, "atol": 1e-14}


def arith_cases():
    out = []
    rng = rng_for("arith")
    i32, u8, i64 = iinfo("i32"), iinfo("u8"), iinfo("i64")
    for op in ["add", "sub", "mul"]:
        out.append(ew(G, f"{op}_f64", f"{op} on f64[n]", op, "f64",
                      [uniform(rng, -10, 10, 6, "f64"), uniform(rng, -10, 10, 6, "f64")]))
        out.append(ew(G, f"{op}_i32_wrap", f"{op} on i32 wraps on overflow", op, "i32",
                      [[i32.max, i32.min, 7, -3, 65536, i32.max],
                       [1, -1, -9, 4, 65536, i32.max]], tags=["edge", "wrap"], symbolic=False))
        out.append(ew(G, f"{op}_u8_wrap", f"{op} on u8 wraps modulo 256", op, "u8",
                      [[250, 3, 0, 128, 17], [10, 5, 1, 2, 15]], tags=["edge", "wrap",
                                                                       "unsigned"]))
        out.append(ew(G, f"{op}_c128", f"{op} on c128[n]", op, "c128",
                      [complexes(rng, (-3, 3), (-3, 3), 4, "c128"),
                       complexes(rng, (-3, 3), (-3, 3), 4, "c128")], tags=["complex"],
                      tol=None if op != "mul" else C128_TOL))
        out.append(ew(G, f"{op}_f32_2d", f"{op} on f32[n, m]", op, "f32",
                      [uniform(rng, -4, 4, (3, 2), "f32"), uniform(rng, -4, 4, (3, 2), "f32")],
                      tags=["rank2"]))
    fe_a = [INF, INF, -INF, NAN, 0.0, -0.0, 1e308, 5e-324]
    fe_b = [-INF, INF, -INF, 1.0, -0.0, -0.0, 1e308, 5e-324]
    for op in ["add", "sub", "mul"]:
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 infinities, nan, signed zeros, overflow",
                      op, "f64", [fe_a, fe_b], tags=["edge"], symbolic=False))
    out.append(ew(G, "add_i64_scalar", "add on rank-0 i64 (wraps at INT_MAX)", "add", "i64",
                  [np.array(i64.max), np.array(1)], tags=["rank0", "wrap"]))
    out.append(ew(G, "add_u16_u32", "add on u16[n]", "add", "u16",
                  [[65535, 1, 300], [1, 1, 65000]], tags=["unsigned", "wrap"]))
    out.append(ew(G, "mul_u32", "mul on u32[n] wraps modulo 2^32", "mul", "u32",
                  [[65536, 4294967295, 3], [65536, 2, 5]], tags=["unsigned", "wrap"]))
    out.append(ew(G, "sub_f16", "sub on f16[n] (correctly rounded)", "sub", "f16",
                  [uniform(rng, -100, 100, 6, "f16"), uniform(rng, -100, 100, 6, "f16")],
                  tags=["f16"]))
    out.append(ew(G, "mul_i16_2d", "mul on i16[n, m] wraps", "mul", "i16",
                  [ints(rng, -400, 400, (2, 3), "i16"), ints(rng, -400, 400, (2, 3), "i16")],
                  tags=["wrap", "rank2"]))
    out.append(ew(G, "add_f64_empty", "add on empty f64[n] (n = 0)", "add", "f64",
                  [np.zeros(0), np.zeros(0)], tags=["empty"]))
    out.append(ew(G, "add_bf16", "add on bf16[n] (float32 sum rounded to bfloat16)", "add",
                  "bf16", [[1.0, 0.5, 3.0, 256.0, -2.0], [0.00390625, 0.25, 0.0078125, 1.0, 2.0]],
                  tags=["bf16"]))
    out.append(ew(G, "mul_bf16", "mul on bf16[n]", "mul", "bf16",
                  [[1.5, -3.0, 100.0, 0.1], [1.5, 7.0, 100.0, 3.0]], tags=["bf16"]))
    return out


def division_cases():
    out = []
    rng = rng_for("division")
    i32, i8, i64 = iinfo("i32"), iinfo("i8"), iinfo("i64")
    dy = lambda n, lo, hi: np.round(rng.uniform(lo, hi, n) * 4) / 4  # dyadic: exact quotients
    out.append(ew(G, "div_f64_edge", "div: 1/0 = inf, 0/0 = nan, 1/-0.0 = -inf, inf/inf = nan",
                  "div", "f64", [[1.0, 0.0, 1.0, INF, -1.0, 1.0, NAN, 1e308],
                                 [0.0, 0.0, -0.0, INF, 0.0, INF, 1.0, 1e-10]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "div_f32", "div on f32[n] (correctly rounded)", "div", "f32",
                  [uniform(rng, -5, 5, 6, "f32"), uniform(rng, 0.5, 5, 6, "f32")]))
    out.append(ew(G, "div_c128", "div on c128[n]", "div", "c128",
                  [complexes(rng, (-3, 3), (-3, 3), 4, "c128"),
                   complexes(rng, (0.5, 3), (-3, 3), 4, "c128")], tags=["complex"],
                  tol=C128_TOL))
    out.append(ew(G, "div_f16", "div on f16[n]", "div", "f16",
                  [[1.0, 3.0, -7.0, 1.0, 0.0], [3.0, 7.0, 2.0, 0.0, 0.0]], tags=["f16"]))
    # Integer division by zero gives 0 in AIR (NumPy warns and gives 0 too; the oracle uses an
    # explicit np.where); INT_MIN // -1 wraps to INT_MIN.
    out.append(ew(G, "floor_div_i32_edge",
                  "floor_div on i32: x // 0 = 0, INT_MIN // -1 = INT_MIN, floors toward -inf",
                  "floor_div", "i32", [[7, -7, 7, -7, 5, i32.min, i32.min, 0],
                                       [2, 2, -2, -2, 0, -1, 1, 0]], tags=["edge"],
                  symbolic=False))
    out.append(ew(G, "floor_div_u16", "floor_div on u16 with a zero divisor", "floor_div", "u16",
                  [[100, 7, 65535, 9], [7, 0, 2, 3]], tags=["edge", "unsigned"]))
    out.append(ew(G, "floor_div_f64_edge",
                  "floor_div on f64: 1.0 // 0.0 = inf, 0.0 // 0.0 = nan, -7.5 // 2 = -4",
                  "floor_div", "f64", [[1.0, -1.0, 0.0, -7.5, 7.5, 5.0, -0.0, NAN],
                                       [0.0, 0.0, 0.0, 2.0, -2.0, 0.5, 2.0, 1.0]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "floor_div_f64_numpy", "floor_div on f64 as np.floor_divide: "
                  "1.0 // 0.1 = 9.0, -1.0 // inf = -1.0, 0.0 // -3.0 = -0.0", "floor_div", "f64",
                  [[1.0, -1.0, 1.0, 0.0, -0.0, 7.0, 0.3], [0.1, INF, INF, -3.0, 3.0, 0.7, 0.1]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "floor_div_f32", "floor_div on f32[n] (dyadic inputs)", "floor_div", "f32",
                  [dy(6, -20, 20), dy(6, 1, 4) * np.array([1, -1] * 3)]))
    for op, note in [("rem", "C fmod: the sign of the dividend"),
                     ("mod", "Python %: the sign of the divisor")]:
        out.append(ew(G, f"{op}_i64_edge", f"{op} on i64 ({note}); x {op} 0 = 0", op, "i64",
                      [[7, -7, 7, -7, 5, i64.min, 0, i64.max], [3, 3, -3, -3, 0, -1, 5, 0]],
                      tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_i8", f"{op} on i8 ({note})", op, "i8",
                      [[i8.min, 100, -100, 13, -13], [7, -7, 7, 0, 5]], tags=["edge"]))
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 ({note}); x {op} 0.0 = nan", op, "f64",
                      [[7.5, -7.5, 7.5, -7.5, 1.0, -0.0, INF, NAN, 0.0, 1.0, -1.0, 2.5],
                       [2.0, 2.0, -2.0, -2.0, 0.0, 1.0, 2.0, 1.0, -3.0, -INF, INF, INF]],
                      tags=["edge"],
                      symbolic=False))
        out.append(ew(G, f"{op}_f32", f"{op} on f32[n] (dyadic inputs)", op, "f32",
                      [dy(6, -20, 20), dy(6, 1, 4) * np.array([1, -1] * 3)]))
    out.append(ew(G, "mod_u32", "mod on u32 with a zero divisor", "mod", "u32",
                  [[10, 4294967295, 5], [3, 10, 0]], tags=["unsigned", "edge"]))
    return out


def pow_cases():
    out = []
    rng = rng_for("pow")
    out.append(ew(G, "pow_i32_negative_exponent",
                  "pow on i32: negative exponent gives 1 for base 1, +-1 for base -1, else 0",
                  "pow", "i32", [[1, -1, -1, 0, 2, -2, 3, 5], [-3, -3, -2, -1, -1, -5, 0, 2]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "pow_i64_wrap", "pow on i64 wraps (repeated multiplication)", "pow", "i64",
                  [[2, 3, -2, 10, 7], [63, 40, 63, 18, 0]], tags=["edge", "wrap"]))
    out.append(ew(G, "pow_u8", "pow on u8 wraps modulo 256", "pow", "u8",
                  [[2, 3, 0, 255, 16], [7, 5, 0, 2, 2]], tags=["unsigned", "wrap"]))
    out.append(ew(G, "pow_f64_edge",
                  "pow on f64: 0^-1 = inf, nan^0 = 1, (-8)^(1/3) = nan, 1^nan = 1",
                  "pow", "f64", [[0.0, NAN, -8.0, 1.0, -0.0, 2.0, INF, -2.0],
                                 [-1.0, 0.0, 1 / 3, NAN, -1.0, 0.5, -1.0, 3.0]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "pow_f32", "pow on f32[n]", "pow", "f32",
                  [uniform(rng, 0.1, 4, 6, "f32"), uniform(rng, -3, 3, 6, "f32")]))
    out.append(ew(G, "pow_c128", "pow on c128[n]", "pow", "c128",
                  [complexes(rng, (0.5, 2), (-1, 1), 4, "c128"),
                   complexes(rng, (-1, 2), (-1, 1), 4, "c128")], tags=["complex"],
                  tol={"rtol": 1e-11, "atol": 1e-13}))
    return out


def minmax_atan2_cases():
    out = []
    rng = rng_for("minmax")
    u64 = iinfo("u64")
    for op in ["max", "min"]:
        out.append(ew(G, f"{op}_f64_nan", f"{op} on f64 propagates NaN from either side", op,
                      "f64", [[1.0, NAN, NAN, -INF, 2.0, 0.5], [NAN, 1.0, NAN, INF, -3.0, 0.5]],
                      tags=["edge", "nan"], symbolic=False))
        out.append(ew(G, f"{op}_i16", f"{op} on i16[n]", op, "i16",
                      [ints(rng, -999, 999, 6, "i16"), ints(rng, -999, 999, 6, "i16")]))
        out.append(ew(G, f"{op}_bool", f"{op} on bool (false < true)", op, "bool",
                      [[True, True, False, False], [True, False, True, False]], tags=["bool"]))
        out.append(ew(G, f"{op}_u64_extremes", f"{op} on u64 extremes", op, "u64",
                      [[u64.max, 0, 5], [1, u64.max, 5]], tags=["edge", "unsigned"]))
        out.append(ew(G, f"{op}_f32_2d", f"{op} on f32[n, m]", op, "f32",
                      [uniform(rng, -3, 3, (2, 3), "f32"), uniform(rng, -3, 3, (2, 3), "f32")],
                      tags=["rank2"]))
    # On a tie the second operand is returned (np.maximum/np.minimum): the sign of zero shows it.
    out.append(ew(G, "max_f64_signed_zero", "max on a tie returns the second operand: "
                  "max(-0.0, 0.0) = 0.0, max(0.0, -0.0) = -0.0", "max", "f64",
                  [[-0.0, 0.0, -0.0, 0.0], [0.0, -0.0, -0.0, 0.0]], tags=["edge", "signed-zero"],
                  symbolic=False))
    out.append(ew(G, "min_f32_signed_zero", "min on a tie returns the second operand: "
                  "min(0.0, -0.0) = -0.0, min(-0.0, 0.0) = 0.0", "min", "f32",
                  [[0.0, -0.0, 1.0], [-0.0, 0.0, 1.0]], tags=["edge", "signed-zero"],
                  symbolic=False))
    out.append(ew(G, "atan2_f64_edge", "atan2 on f64 signed zeros and infinities", "atan2",
                  "f64", [[0.0, -0.0, 0.0, -0.0, INF, -INF, INF, 1.0, NAN, 1.0],
                          [0.0, 0.0, -0.0, -0.0, INF, INF, -INF, -INF, 1.0, 0.0]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "atan2_f64", "atan2 on f64[n], all quadrants", "atan2", "f64",
                  [uniform(rng, -3, 3, 8, "f64"), uniform(rng, -3, 3, 8, "f64")]))
    out.append(ew(G, "atan2_f32", "atan2 on f32[n]", "atan2", "f32",
                  [uniform(rng, -3, 3, 6, "f32"), uniform(rng, -3, 3, 6, "f32")]))
    out.append(ew(G, "atan2_f16", "atan2 on f16[n]", "atan2", "f16",
                  [uniform(rng, -3, 3, 5, "f16"), uniform(rng, -3, 3, 5, "f16")], tags=["f16"]))
    return out


def comparison_cases():
    out = []
    rng = rng_for("compare")
    i8 = iinfo("i8")
    fa = [1.0, NAN, NAN, -0.0, INF, -INF, 2.0, 3.0]
    fb = [1.0, 1.0, NAN, 0.0, INF, INF, 3.0, 2.0]
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64: nan compares unequal, -0.0 == 0.0", op,
                      "f64", [fa, fb], tags=["edge", "comparison"], symbolic=False))
        out.append(ew(G, f"{op}_i8", f"{op} on i8 including the extremes", op, "i8",
                      [[i8.min, i8.max, 0, -1, 5], [i8.max, i8.min, 0, 1, 5]],
                      tags=["comparison"]))
        out.append(ew(G, f"{op}_bool", f"{op} on bool", op, "bool",
                      [[True, True, False, False], [True, False, True, False]],
                      tags=["bool", "comparison"]))
    out.append(ew(G, "eq_c128", "eq on c128 compares both parts", "eq", "c128",
                  [np.array([1 + 2j, 1 + 2j, complex(NAN, 0), 0j]),
                   np.array([1 + 2j, 1 - 2j, complex(NAN, 0), -0.0 + 0j])],
                  tags=["complex", "comparison"]))
    out.append(ew(G, "ne_c64", "ne on c64 compares both parts", "ne", "c64",
                  [np.array([1 + 2j, 1 + 2j, 3j]), np.array([1 + 2j, 2 + 2j, 3j])],
                  tags=["complex", "comparison"]))
    out.append(ew(G, "lt_u32", "lt on u32 (unsigned order)", "lt", "u32",
                  [[0, 4294967295, 7], [4294967295, 0, 7]], tags=["unsigned", "comparison"]))
    out.append(ew(G, "ge_f32_2d", "ge on f32[n, m]", "ge", "f32",
                  [np.round(rng.uniform(-2, 2, (2, 3))), np.round(rng.uniform(-2, 2, (2, 3)))],
                  tags=["rank2", "comparison"]))
    out.append(ew(G, "gt_f16", "gt on f16", "gt", "f16",
                  [[1.0, 65504.0, -0.0, NAN], [0.5, INF, 0.0, 1.0]], tags=["f16", "comparison"]))
    return out


def bitwise_cases():
    out = []
    rng = rng_for("bitwise")
    for op in ["and", "or", "xor"]:
        out.append(ew(G, f"{op}_bool", f"logical {op} on bool", op, "bool",
                      [[True, True, False, False], [True, False, True, False]], tags=["bool"]))
        out.append(ew(G, f"{op}_i32", f"bitwise {op} on i32 (two's complement)", op, "i32",
                      [[-1, 0x0F0F, -256, 12345, iinfo("i32").min],
                       [0x00FF, 0x00FF, 255, -12345, -1]]))
        out.append(ew(G, f"{op}_u8", f"bitwise {op} on u8", op, "u8",
                      [[0xF0, 0xAA, 0xFF, 0], [0x3C, 0x55, 0x0F, 0xFF]], tags=["unsigned"]))
    out.append(ew(G, "xor_u64", "bitwise xor on u64 extremes", "xor", "u64",
                  [[2 ** 64 - 1, 2 ** 63, 12345], [2 ** 63, 2 ** 63, 0]], tags=["unsigned"]))
    out.append(ew(G, "and_i64_2d", "bitwise and on i64[n, m]", "and", "i64",
                  [rng.integers(-1000, 1000, (2, 2)), rng.integers(-1000, 1000, (2, 2))],
                  tags=["rank2"]))
    # AIR: a shift count outside [0, bits) gives 0 (shl), 0 or -1 (shr of a negative signed).
    out.append(ew(G, "shl_i8_edge", "shl on i8: overflow keeps the low bits; counts outside "
                  "[0, 8) give 0", "shl", "i8", [[1, 1, 1, -1, 3, 1, 64, -128],
                                                 [0, 7, 8, 3, 9, -1, 1, 0]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "shr_i8_edge", "shr on i8 is arithmetic; counts outside [0, 8) give 0 or -1",
                  "shr", "i8", [[-128, -128, 127, -1, -7, 64, -3, 100],
                                [1, 7, 7, 3, 9, 8, -1, 2]], tags=["edge"], symbolic=False))
    out.append(ew(G, "shl_u32", "shl on u32; count 32 gives 0", "shl", "u32",
                  [[1, 0xFFFFFFFF, 5, 7], [31, 4, 32, 0]], tags=["unsigned", "edge"]))
    out.append(ew(G, "shr_u32", "shr on u32 is logical; count 40 gives 0", "shr", "u32",
                  [[0x80000000, 0xFFFFFFFF, 5, 7], [31, 4, 40, 0]], tags=["unsigned", "edge"]))
    out.append(ew(G, "shl_i64", "shl on i64[n]", "shl", "i64",
                  [[1, -3, 12345, 1], [62, 2, 10, 63]], tags=["wrap"]))
    out.append(ew(G, "shr_i16", "shr on i16[n]", "shr", "i16",
                  [[-32768, 32767, -100, 100], [15, 15, 2, 2]]))
    return out


def cases():
    return (arith_cases() + division_cases() + pow_cases() + minmax_atan2_cases() +
            comparison_cases() + bitwise_cases())
