"""NumPy oracle of the op set 2 complex-part ops and binary ufuncs (docs/spec.md 3.2, 3.3):
real, imag, conj, angle, sinc, hypot, copysign, logaddexp, logaddexp2, heaviside, complex.

f16 uses NumPy's own f16 loops (which compute in float32 and round); bf16 values are held as
float32 and computed as NumPy computes float32, rounded to bfloat16 once (sinc: after every step,
as the spec says)."""

import numpy as np

from air_text import COMPLEX, round_bf16

UNARY = {"real", "imag", "conj", "angle", "sinc"}
BINARY = {"hypot", "copysign", "logaddexp", "logaddexp2", "heaviside", "complex"}


def _bf16(x):
    return round_bf16(np.asarray(x, dtype=np.float32))


def unary(op, x, dt):
    with np.errstate(all="ignore"):
        if op == "real":
            return np.real(x).copy()
        if op == "imag":
            return np.imag(x).copy() if dt in COMPLEX else np.zeros_like(x)
        if op == "conj":
            return np.conjugate(x)
        if op == "angle":
            r = np.angle(x)
            return _bf16(r) if dt == "bf16" else r
        if op == "sinc":
            if dt == "bf16":
                # np.sinc's steps, each rounded to bfloat16.
                t = _bf16(_bf16(np.float32(np.pi)) * x)
                s = _bf16(np.sin(t))
                return np.where(t == 0, np.float32(1), _bf16(s / np.where(t == 0, 1, t)))
            return np.sinc(x)
    raise ValueError(op)


def binary(op, a, b, dt):
    if op == "complex":
        out = np.empty(a.shape, dtype=np.complex64 if dt == "f32" else np.complex128)
        out.real, out.imag = a, b  # exact: complex(1, inf) is (1, inf), not 1 + 1j * inf
        return out
    f = {"hypot": np.hypot, "copysign": np.copysign, "logaddexp": np.logaddexp,
         "logaddexp2": np.logaddexp2, "heaviside": np.heaviside}[op]
    with np.errstate(all="ignore"):
        if dt == "bf16":
            return _bf16(f(a.astype(np.float32), b.astype(np.float32)))
        return f(a, b)
