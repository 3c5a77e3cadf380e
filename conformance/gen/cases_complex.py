"""Op set 2 complex parts and the binary ufuncs op set 1 lacked (docs/spec.md 3.2 and 3.3):
real, imag, conj, angle, sinc; hypot, copysign, logaddexp, logaddexp2, heaviside, complex. NumPy
is the oracle (`oracle_complex.py`): every op on every dtype class it accepts, NaN/inf/±0 edge
values, empty inputs, symbolic shapes, and the invalid dtypes and op set 1 uses (E0202, E0102).
Every case is in the group `complexparts`."""

import numpy as np

from case import Case, rng_for
from common import INF, NAN, complexes, ew, uniform

G = "complexparts"
OP2 = "air 1 opset 2\n\n"

EDGE_C = [complex(1.5, -2.0), complex(-0.0, 0.0), complex(0.0, -0.0), complex(-1.0, 0.0),
          complex(-1.0, -0.0), complex(INF, NAN), complex(NAN, 1.0), complex(-INF, INF),
          complex(3.0, 4.0)]
EDGE_F = [0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 2.5, -1e-300]


def part_cases():
    out = []
    for op in ("real", "imag", "conj", "angle"):
        rng = rng_for("cplx_" + op)
        for dt in ("c64", "c128"):
            out.append(ew(G, f"{op}_{dt}", f"{op} on {dt}[n]", op, dt,
                          [complexes(rng, (-3, 3), (-3, 3), 6, dt)], tags=["complex"]))
        out.append(ew(G, f"{op}_c128_edge", f"{op} on c128 edge values (±0, ±inf, nan parts)",
                      op, "c128", [EDGE_C], tags=["complex", "edge"], symbolic=False))
        out.append(ew(G, f"{op}_f64_edge", f"{op} on real f64 (±0, ±inf, nan)", op, "f64",
                      [EDGE_F], tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_f32_2d", f"{op} on f32[n, m]", op, "f32",
                      [uniform(rng, -3, 3, (2, 3), "f32")], tags=["rank2"]))
        out.append(ew(G, f"{op}_c64_empty", f"{op} on an empty c64[n] (n = 0)", op, "c64",
                      [np.zeros(0, dtype=np.complex64)], tags=["empty", "complex"]))
    for op in ("real", "imag", "conj"):
        out.append(ew(G, f"{op}_i32", f"{op} on i32 (the value; imag: 0)", op, "i32",
                      [[-5, 0, 7, 2147483647, -2147483648]], symbolic=False))
        out.append(ew(G, f"{op}_u8", f"{op} on u8", op, "u8", [[0, 1, 255]]))
    out.append(ew(G, "angle_f16", "angle on f16 (pi rounds to 3.140625)", "angle", "f16",
                  [[1.0, -1.0, -0.0, 0.0, NAN, -INF]], tags=["f16", "edge"]))
    out.append(ew(G, "angle_bf16", "angle on bf16", "angle", "bf16", [[1.0, -2.0, -0.0]],
                  tags=["bf16"]))
    return out


def sinc_cases():
    rng = rng_for("cplx_sinc")
    return [
        ew(G, "sinc_f64", "sinc on f64[n]", "sinc", "f64", [uniform(rng, -4, 4, 7, "f64")]),
        ew(G, "sinc_f64_edge", "sinc: 1 at ±0, nan at ±inf and nan, integers, tiny values",
           "sinc", "f64", [[0.0, -0.0, INF, -INF, NAN, 1.0, -2.0, 0.5, 1e-300, 1e300]],
           tags=["edge"], symbolic=False),
        ew(G, "sinc_f32_2d", "sinc on f32[n, m]", "sinc", "f32",
           [uniform(rng, -4, 4, (2, 3), "f32")], tags=["rank2"]),
        ew(G, "sinc_f16", "sinc on f16: every step rounded to f16 (sinc(1) = 3.08e-4)", "sinc",
           "f16", [[0.0, 1.0, 0.5, -0.25, 2.0, 1.5, NAN]], tags=["f16", "edge"]),
        ew(G, "sinc_bf16", "sinc on bf16, every step rounded", "sinc", "bf16",
           [[0.0, 0.5, -0.25, 1.5]], tags=["bf16"]),
        ew(G, "sinc_f64_empty", "sinc on an empty f64[n]", "sinc", "f64", [np.zeros(0)],
           tags=["empty"]),
    ]


# Pairs (a, b) of edge values for the binary ufuncs.
EDGE_A = [0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, INF, -INF, NAN, 1000.0, -3.0]
EDGE_B = [-0.0, 0.0, -0.0, NAN, NAN, -INF, 1.0, INF, -INF, -NAN, 1000.0, 4.0]


def binary_cases():
    out = []
    for op, (lo, hi) in [("hypot", (-5, 5)), ("copysign", (-5, 5)), ("logaddexp", (-30, 30)),
                         ("logaddexp2", (-30, 30)), ("heaviside", (-2, 2))]:
        rng = rng_for("cplx_" + op)
        a = uniform(rng, lo, hi, 7, "f64")
        if op == "heaviside":
            a[1] = 0.0
            a[2] = -0.0
        out.append(ew(G, f"{op}_f64", f"{op} on f64[n]", op, "f64",
                      [a, uniform(rng, lo, hi, 7, "f64")]))
        out.append(ew(G, f"{op}_f64_edge", f"{op} on f64 edge pairs (±0, ±inf, nan, signs)",
                      op, "f64", [EDGE_A, EDGE_B], tags=["edge"], symbolic=False))
        out.append(ew(G, f"{op}_f32_2d", f"{op} on f32[n, m]", op, "f32",
                      [uniform(rng, lo, hi, (2, 3), "f32"), uniform(rng, lo, hi, (2, 3), "f32")],
                      tags=["rank2"]))
        out.append(ew(G, f"{op}_f16", f"{op} on f16 (computed in f32, rounded)", op, "f16",
                      [uniform(rng, -4, 4, 5, "f16"), uniform(rng, -4, 4, 5, "f16")],
                      tags=["f16"]))
        out.append(ew(G, f"{op}_f64_empty", f"{op} on empty f64[n]", op, "f64",
                      [np.zeros(0), np.zeros(0)], tags=["empty"]))
    out.append(ew(G, "logaddexp_f32_edge", "logaddexp on f32: (-inf, -inf) = -inf, large values",
                  "logaddexp", "f32", [[-INF, INF, 80.0, -80.0, NAN], [-INF, INF, 80.0, 80.0, 0.0]],
                  tags=["edge"], symbolic=False))
    out.append(ew(G, "hypot_bf16", "hypot on bf16", "hypot", "bf16", [[3.0, -5.0], [4.0, 12.0]],
                  tags=["bf16"]))
    rng = rng_for("cplx_complex")
    out += [
        ew(G, "complex_f64", "complex(re, im) on f64 parts -> c128", "complex", "f64",
           [uniform(rng, -3, 3, 5, "f64"), uniform(rng, -3, 3, 5, "f64")], tags=["complex"]),
        ew(G, "complex_f32_2d", "complex on f32[n, m] parts -> c64", "complex", "f32",
           [uniform(rng, -3, 3, (2, 3), "f32"), uniform(rng, -3, 3, (2, 3), "f32")],
           tags=["complex", "rank2"]),
        ew(G, "complex_f64_edge", "complex keeps inf and nan in their component (no arithmetic)",
           "complex", "f64", [[1.0, INF, NAN, -0.0], [INF, NAN, -INF, -0.0]],
           tags=["complex", "edge"], symbolic=False),
        ew(G, "complex_f32_empty", "complex on empty f32[n] parts", "complex", "f32",
           [np.zeros(0), np.zeros(0)], tags=["complex", "empty"]),
    ]
    return out


def composed_cases():
    """real(exp(x)) and angle(complex(a, b)) chained, and a broadcast operand."""
    from builder import Module
    out = []
    m = Module(header="air 1 opset 2")
    f = m.func("main")
    a = f.param("a", "f64[n]")
    b = f.param("b", "f64[n]")
    z = f.binary("complex", a, b)
    y = f.unary("angle", z, name="y")
    r = f.unary("real", f.unary("exp", z), name="r")
    f.ret(y, r)
    rng = rng_for("cplx_composed")
    out.append(Case(G, "angle_real_exp_of_complex", "angle(complex(a, b)) and real(exp(z))",
                    ["complex", "composed"], m,
                    {"a": uniform(rng, -2, 2, 5, "f64"), "b": uniform(rng, -2, 2, 5, "f64")}))
    return out


def inv(name, code, summary, ops, body, head=OP2):
    text = f"// invalid: {summary} ({code})\n" + head + body.strip("\n") + "\n"
    return Case(G, name, summary, ["invalid", code] + ops, text=text,
                expect=f"invalid: {code}", ops=ops)


def one(params, results, stmt):
    return f"func @main({params}) -> ({results}) {{\n  {stmt}\n  return %y\n}}\n"


def invalid_cases():
    return [
        inv("real_bool", "E0202", "real on bool", ["real"],
            one("%x: bool[n]", "%y: bool[n]", "%y = real (%x) : bool[n]")),
        inv("angle_i32", "E0202", "angle on i32 (the builder casts to f64 first)", ["angle"],
            one("%x: i32[n]", "%y: i32[n]", "%y = angle (%x) : i32[n]")),
        inv("sinc_c128", "E0202", "sinc on c128", ["sinc"],
            one("%x: c128[n]", "%y: c128[n]", "%y = sinc (%x) : c128[n]")),
        inv("hypot_i64", "E0202", "hypot on i64", ["hypot"],
            one("%a: i64[n], %b: i64[n]", "%y: i64[n]", "%y = hypot (%a, %b) : i64[n]")),
        inv("heaviside_c64", "E0202", "heaviside on c64", ["heaviside"],
            one("%a: c64[n], %b: c64[n]", "%y: c64[n]", "%y = heaviside (%a, %b) : c64[n]")),
        inv("complex_f16", "E0202", "complex of f16 parts (no complex32)", ["complex"],
            one("%a: f16[n], %b: f16[n]", "%y: c64[n]", "%y = complex (%a, %b) : c64[n]")),
        inv("complex_mixed", "E0201", "complex of f32 and f64 parts", ["complex"],
            one("%a: f32[n], %b: f64[n]", "%y: c128[n]", "%y = complex (%a, %b) : c128[n]")),
        inv("real_c64_declared_c64", "E0213", "real of c64 declared c64 (the result is f32)",
            ["real"], one("%x: c64[n]", "%y: c64[n]", "%y = real (%x) : c64[n]")),
        inv("real_in_opset1", "E0102", "real (op set 2) in an op set 1 module", ["real"],
            one("%x: c64[n]", "%y: f32[n]", "%y = real (%x) : f32[n]"), head="air 1 opset 1\n\n"),
        inv("logaddexp_in_opset1", "E0102", "logaddexp (op set 2) in an op set 1 module",
            ["logaddexp"], one("%a: f64[n], %b: f64[n]", "%y: f64[n]",
                               "%y = logaddexp (%a, %b) : f64[n]"), head="air 1 opset 1\n\n"),
    ]


def cases():
    return (part_cases() + sinc_cases() + binary_cases() + composed_cases() + invalid_cases())
