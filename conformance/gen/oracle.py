"""NumPy implementations of AIR's op semantics (docs/op-rules.md): the independent oracle.

Values are NumPy arrays. `bf16` values are kept as float32 arrays whose elements are exactly
representable in bfloat16 (every bf16 op computes in float32 and rounds with `round_bf16`); they
are written to the npz files as uint16 bit patterns (see README.md).

Where AIR deviates from NumPy (saturating float->int casts, integer division by zero, integer
powers with negative exponents, shift counts out of range, max/min tie rule) the rule is spelled
out below with NumPy primitives and a comment.
"""

import decimal
import math
import warnings

import numpy as np

from air_text import COMPLEX, FLOAT, INT, SIGNED, UNSIGNED, dtype_class, round_bf16
import oracle_complex

NP = {
    "bool": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
    "u8": np.uint8, "u16": np.uint16, "u32": np.uint32, "u64": np.uint64,
    "f16": np.float16, "bf16": np.float32, "f32": np.float32, "f64": np.float64,
    "c64": np.complex64, "c128": np.complex128,
}
BITS = {"i8": 8, "i16": 16, "i32": 32, "i64": 64, "u8": 8, "u16": 16, "u32": 32, "u64": 64}


def arr(values, dt):
    """An array of dtype `dt` (bf16 values are rounded to bfloat16)."""
    with np.errstate(over="ignore"):
        a = np.asarray(values, dtype=NP[dt])
    return round_bf16(a) if dt == "bf16" else a


# ---------------------------------------------------------------------------------------------
# bfloat16
# ---------------------------------------------------------------------------------------------

def bf16_bits(a):
    """The uint16 bit patterns of bf16 values held as float32."""
    a = np.array(a, dtype=np.float32, order="C")
    assert np.array_equal(round_bf16(a).view(np.uint32), a.view(np.uint32)) or np.isnan(a).any()
    return (a.view(np.uint32) >> 16).astype(np.uint16).reshape(a.shape)


def finish(x, dt):
    """Converts a result computed at higher precision to `dt` (bf16: float32 then round)."""
    if dt == "bf16":
        return round_bf16(np.asarray(x, dtype=np.float32))
    return np.asarray(x).astype(NP[dt])


# ---------------------------------------------------------------------------------------------
# Unary
# ---------------------------------------------------------------------------------------------

_MATH = {
    "exp": math.exp, "expm1": math.expm1, "log": math.log, "log1p": math.log1p,
    "sqrt": math.sqrt, "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin,
    "acos": math.acos, "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh,
    "tanh": math.tanh, "erf": math.erf,
    "asinh": math.asinh, "acosh": math.acosh, "atanh": math.atanh, "exp2": math.exp2,
    "log2": math.log2, "log10": math.log10, "cbrt": math.cbrt,
}
_NPF = {
    "exp": np.exp, "expm1": np.expm1, "log": np.log, "log1p": np.log1p, "sqrt": np.sqrt,
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
    "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "exp2": np.exp2,
    "log2": np.log2, "log10": np.log10, "cbrt": np.cbrt,
}


def _real_f64(op, x):
    """A transcendental op on float64 values. The finite, in-domain elements use the C library
    through `math` (correctly rounded or within 1 ulp on glibc; NumPy's SIMD float64 kernels are
    up to 3 ulp off here); special values (nan, inf, poles, domain errors) come from NumPy's IEEE
    results."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        if op == "erf":
            special = np.full(x.shape, np.nan)
            special = np.where(np.isinf(x), np.sign(x), special)
        else:
            special = _NPF[op](x)
    out = special.copy()
    flat_x, flat_o = x.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat_x):
        if not math.isfinite(v):
            continue
        try:
            flat_o[i] = _MATH[op](v)
        except (ValueError, OverflowError):
            pass
    return out


def _decimal_map(op, x, special):
    """rsqrt or logistic of finite, in-domain float64 values with the `decimal` module (40
    digits, correctly rounded steps), rounded once to float64; other elements from `special`."""
    out = np.array(special, dtype=np.float64)
    flat_x, flat_o = x.reshape(-1), out.reshape(-1)
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        for i, v in enumerate(flat_x):
            if not math.isfinite(v) or (op == "rsqrt" and v <= 0.0):
                continue
            d = decimal.Decimal(float(v))
            if op == "rsqrt":
                flat_o[i] = float(1 / d.sqrt())
            elif v > -700.0:
                flat_o[i] = float(1 / (1 + (-d).exp()))
    return out


def unary(op, x, dt):
    """AIR unary op `op` on `x` of dtype `dt`."""
    with np.errstate(all="ignore"):
        return _unary(op, x, dt)


def _unary(op, x, dt):
    if op in oracle_complex.UNARY:
        return oracle_complex.unary(op, x, dt)
    cls = dtype_class(dt)
    if op == "neg":
        return finish(np.negative(x), dt)  # ints wrap: neg(INT_MIN) = INT_MIN, neg(1u8) = 255
    if op == "abs":
        if cls == "complex":
            return np.abs(x)  # c64 -> f32, c128 -> f64
        return finish(np.abs(x), dt)  # abs(INT_MIN) = INT_MIN (wraps, as NumPy)
    if op == "sign":
        # -1, 0, 1 with sign(+-0.0) = +0.0 and sign(nan) = nan, written out rather than trusting
        # np.sign's zero sign.
        one = np.ones_like(x)
        zero = np.zeros_like(x)
        s = np.where(x > 0, one, np.where(x < 0, -one if dt not in UNSIGNED else zero, zero))
        if cls == "float":
            s = np.where(np.isnan(x), x, s)
        return finish(s, dt)
    if op in ("floor", "ceil", "round", "trunc"):
        f = {"floor": np.floor, "ceil": np.ceil, "round": np.rint,  # rint: half to even
             "trunc": np.trunc}[op]
        return finish(f(x), dt)
    if op == "square":
        # Exactly mul(x, x): ints wrap; f16 is multiplied in float32 and rounded once (exact).
        if dt == "f16":
            return finish(np.multiply(x.astype(np.float32), x.astype(np.float32)), dt)
        return finish(np.multiply(x, x), dt)
    if op == "not":
        return np.logical_not(x) if dt == "bool" else np.invert(x)
    if op in ("isnan", "isinf", "isfinite"):
        return {"isnan": np.isnan, "isinf": np.isinf, "isfinite": np.isfinite}[op](x)
    if op == "reciprocal":
        return finish(np.reciprocal(x.astype(np.float64) if cls == "float" else x), dt)
    if op in ("rsqrt", "logistic"):
        if cls == "complex":
            return 1 / np.sqrt(x)
        # Compositions of two or three roundings in float64 would be off by an ulp or two; the
        # reference is computed with 40 significant digits and rounded once.
        xd = x.astype(np.float64)
        special = 1.0 / np.sqrt(xd) if op == "rsqrt" else 1.0 / (1.0 + np.exp(-xd))
        return finish(_decimal_map(op, xd, special), dt)
    if cls == "complex":
        return _NPF[op](x)
    # Real transcendental ops: computed in float64 (1 ulp) and rounded to the operand dtype.
    return finish(_real_f64(op, x.astype(np.float64)), dt)


# ---------------------------------------------------------------------------------------------
# Binary
# ---------------------------------------------------------------------------------------------

def binary(op, a, b, dt):
    """AIR binary op `op` on `a`, `b` of dtype `dt`."""
    with np.errstate(all="ignore"):
        return _binary(op, a, b, dt)


def _nan_either(a, b):
    return np.isnan(a) | np.isnan(b)


def _binary(op, a, b, dt):
    if op in oracle_complex.BINARY:
        return oracle_complex.binary(op, a, b, dt)
    isint = dt in INT
    isfloat = dt in FLOAT
    if op in ("add", "sub", "mul", "div"):
        f = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}[op]
        return finish(f(a, b), dt)  # ints wrap (two's complement), as NumPy
    if op == "floor_div":
        if isint:
            safe = np.where(b == 0, 1, b).astype(a.dtype)
            q = np.floor_divide(a, safe)  # NumPy gives INT_MIN // -1 = INT_MIN (wraps), as AIR
            return np.where(b == 0, 0, q).astype(a.dtype)  # AIR: x // 0 = 0
        # Floats: NumPy's npy_divmod algorithm, which AIR adopts (1.0 // 0.1 = 9.0, not
        # floor(1.0 / 0.1) = 10.0); f16/bf16 computed in float32 and rounded.
        if dt in ("f16", "bf16"):
            return finish(np.floor_divide(a.astype(np.float32), b.astype(np.float32)), dt)
        return np.floor_divide(a, b)
    if op in ("rem", "mod"):
        f = np.fmod if op == "rem" else np.mod  # rem: C fmod; mod: Python %
        if isint:
            safe = np.where(b == 0, 1, b).astype(a.dtype)
            return np.where(b == 0, 0, f(a, safe)).astype(a.dtype)  # AIR: x rem/mod 0 = 0
        return finish(f(a, b), dt)
    if op == "pow":
        return _pow(a, b, dt)
    if op in ("max", "min"):
        # AIR: NaN if either is NaN, else max(a, b) = a if a > b else b (min: a if a < b): on a
        # tie the second operand, so max(-0.0, 0.0) = 0.0 and max(0.0, -0.0) = -0.0, exactly as
        # np.maximum; written out rather than relying on NumPy's SIMD loops.
        pick = (a > b) if op == "max" else (a < b)
        r = np.where(pick, a, b)
        if isfloat:
            r = np.where(_nan_either(a, b), np.nan, r)
        return finish(r, dt)
    if op == "atan2":
        ad, bd = a.astype(np.float64), b.astype(np.float64)
        r = np.arctan2(ad, bd)
        flat, fa, fb = r.reshape(-1), ad.reshape(-1), bd.reshape(-1)
        for i in range(flat.size):  # the C library's atan2 (within 1 ulp) for every element
            flat[i] = math.atan2(fa[i], fb[i])
        return finish(r, dt)
    if op in ("eq", "ne", "lt", "le", "gt", "ge"):
        f = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
             "gt": np.greater, "ge": np.greater_equal}[op]
        return f(a, b)
    if op in ("and", "or", "xor"):
        if dt == "bool":
            return {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}[op](a, b)
        return {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}[op](a, b)
    if op in ("shl", "shr"):
        return _shift(op, a, b, dt)
    raise ValueError(f"unknown binary op {op}")


def _pow(a, b, dt):
    if dt in FLOAT:
        # IEEE/NumPy: pow(0.0, -1.0) = inf, pow(nan, 0) = 1; computed in float64 and rounded.
        return finish(np.power(a.astype(np.float64), b.astype(np.float64)), dt)
    if dt in COMPLEX:
        return np.power(a, b)
    # Integers: wrapping repeated multiplication for b >= 0 (np.power wraps the same way, by
    # squaring, which gives the same residue); b < 0: 1 for base 1, +-1 for base -1 by parity,
    # 0 otherwise (base 0 included). np.power rejects negative integer exponents, hence np.where.
    neg = b < 0
    safe_b = np.where(neg, 0, b).astype(b.dtype)
    p = np.power(a, safe_b)
    odd = (b % 2) != 0
    minus_one = np.where(odd, -1, 1).astype(a.dtype) if dt in SIGNED else np.zeros_like(a)
    negres = np.where(a == 1, 1, np.where((a == -1) if dt in SIGNED else False, minus_one, 0))
    return np.where(neg, negres, p).astype(a.dtype)


def _shift(op, a, b, dt):
    """AIR: a count outside [0, bits) gives 0 for shl; for shr 0, or -1 for a negative signed
    operand. shl keeps the low bits (computed on the unsigned view, so signed overflow wraps);
    shr is arithmetic on signed and logical on unsigned (NumPy's right_shift does both)."""
    bits = BITS[dt]
    ok = (b >= 0) & (b < bits)
    cnt = np.where(ok, b, 0).astype(a.dtype)
    if op == "shl":
        udt = np.dtype(f"u{a.dtype.itemsize}")
        r = np.left_shift(a.view(udt), cnt.astype(udt)).view(a.dtype)
        return np.where(ok, r, 0).astype(a.dtype)
    r = np.right_shift(a, cnt)
    fill = np.where(a < 0, -1, 0).astype(a.dtype) if dt in SIGNED else np.zeros_like(a)
    return np.where(ok, r, fill).astype(a.dtype)


# ---------------------------------------------------------------------------------------------
# Casts, select, clip
# ---------------------------------------------------------------------------------------------

def cast(x, src, dst):
    """AIR `cast` from dtype `src` to `dst`."""
    with np.errstate(all="ignore"):
        if src in COMPLEX and dst not in COMPLEX and dst != "bool":
            return cast(np.real(x).astype(np.float64 if src == "c128" else np.float32),
                        "f64" if src == "c128" else "f32", dst)  # complex -> real: real part
        if dst == "bool":
            return x != 0  # nan != 0, so nan -> true; complex: either part non-zero
        if src in FLOAT and dst in INT:
            return _float_to_int(x, dst)
        if dst == "bf16":
            return _to_bf16(x, src)
        if src == "bf16":
            return np.asarray(x, dtype=np.float32).astype(NP[dst])  # bf16 -> f32 is exact
        return np.asarray(x).astype(NP[dst])  # int -> int wraps; to float: round to nearest


def _to_bf16(x, src):
    if src in ("f64", "c128") or src in ("i32", "i64", "u32", "u64"):
        # Rounding through float32 first could round twice; cases only cast values for which
        # float32 is exact.
        x32 = np.asarray(x).astype(np.float32)
        back = x32.astype(np.float64)
        exact = (back == np.asarray(x).astype(np.float64)) | np.isnan(back)
        assert exact.all(), "bf16 cast from a value float32 does not hold exactly"
        return round_bf16(x32)
    return round_bf16(np.asarray(x).astype(np.float32))


def _float_to_int(x, dst):
    """AIR: float -> int truncates toward zero and saturates at the target's range; NaN -> 0.
    (NumPy's astype is undefined there.) The bounds are compared as exact powers of two."""
    bits = BITS[dst]
    xd = np.asarray(x).astype(np.float64)
    t = np.trunc(xd)
    if dst in SIGNED:
        lo_i, hi_i = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
        too_big = t >= 2.0 ** (bits - 1)
        too_small = t < -(2.0 ** (bits - 1))
    else:
        lo_i, hi_i = 0, 2 ** bits - 1
        too_big = t >= 2.0 ** bits
        too_small = t < 0
    nan = np.isnan(t)
    inside = ~(too_big | too_small | nan)
    safe = np.where(inside, t, 0.0).astype(NP[dst])
    out = np.where(too_big, NP[dst](hi_i), safe)
    out = np.where(too_small, NP[dst](lo_i), out)
    return np.where(nan, NP[dst](0), out).astype(NP[dst])


def select(c, a, b):
    return np.where(c, a, b).astype(a.dtype)


def clip(x, lo, hi, dt):
    """min(max(x, lo), hi) with AIR's max/min (NaN-propagating); lo > hi gives hi."""
    return binary("min", binary("max", x, lo, dt), hi, dt)


# ---------------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------------

def reduce(kind, x, axes, keepdims, dt):
    """Reductions keep the operand dtype (no promotion): `np.sum(x, dtype=x.dtype)`; integer
    sums wrap. f16/bf16 sums are computed in float64 and rounded once (summation order is
    unspecified; the case tolerance covers the difference)."""
    axes = tuple(axes)
    with np.errstate(all="ignore"):
        if kind in ("sum", "prod", "mean"):
            f = {"sum": np.sum, "prod": np.prod, "mean": np.mean}[kind]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # mean of nothing is nan
                if dt in ("f16", "bf16"):
                    r = f(x.astype(np.float64), axis=axes, keepdims=keepdims)
                    return finish(r, dt)
                return np.asarray(f(x, axis=axes, keepdims=keepdims, dtype=x.dtype))
        if kind in ("max", "min"):
            assert all(x.shape[a] > 0 for a in axes), "empty max/min is a run-time error"
            f = np.max if kind == "max" else np.min  # NaN-propagating, as AIR
            return np.asarray(f(x, axis=axes, keepdims=keepdims)).astype(x.dtype)
        if kind == "any":
            return np.asarray(np.any(x, axis=axes, keepdims=keepdims))
        if kind == "all":
            return np.asarray(np.all(x, axis=axes, keepdims=keepdims))
    raise ValueError(kind)


def argreduce(kind, x, axis, keepdims):
    f = np.argmax if kind == "argmax" else np.argmin  # first occurrence; first NaN wins
    return np.asarray(f(x, axis=axis, keepdims=keepdims)).astype(np.int64)


def scan(kind, x, axis, dt):
    f = np.cumsum if kind == "cumsum" else np.cumprod
    with np.errstate(all="ignore"):
        if dt in ("f16", "bf16"):
            return finish(f(x.astype(np.float64), axis=axis), dt)
        return f(x, axis=axis, dtype=x.dtype)


def sort(x, axis, descending):
    s = np.sort(x, axis=axis)  # NaN last
    return np.flip(s, axis=axis).copy() if descending else s  # descending: reverse (NaN first)
