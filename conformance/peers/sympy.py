#!/usr/bin/env python3
"""The peer script of the ``peers-sympy`` conformance target: real SymPy evaluates AIR's srepr.

It speaks the peer-check protocol of ``docs/conformance.md``: one JSON request a line on stdin,
one JSON answer a line on stdout, anything for humans on stderr. For each case, SymPy reads the
export (``eval`` of the srepr with SymPy's names), the dims are bound from the input shapes, and
``lambdify`` computes every equation at every output index (``sympy_eval.py``, shared with the
random SymPy test); those values, cast to the dtypes the request names, are ``outputs.npz``.

``autowrap`` (SymPy's C code generation, Cython backend, gcc) also compiles and runs the case
when ``AIR_PEER_AUTOWRAP`` says so: ``all``, ``off``, or ``sample`` (the default: the shared
examples and the cases whose id hashes to 0 modulo ``AIR_PEER_AUTOWRAP_EVERY``, default 12,
since each compilation takes seconds). Its values must agree with lambdify's, or the case is an
error naming both; a construct SymPy's code generation does not take (``Sum``, ``Piecewise``,
``Max``, a pointwise product its contraction rule would sum) leaves the case to lambdify, and
the summary on stderr at the end lists which cases went through autowrap and why others did not.
"""

import contextlib
import json
import os
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import sympy  # noqa: F401 - the library under test, imported before this folder joins sys.path

sys.path.append(str(Path(__file__).resolve().parent))
import sympy_eval  # noqa: E402

AUTOWRAP = os.environ.get("AIR_PEER_AUTOWRAP", "sample")
EVERY = int(os.environ.get("AIR_PEER_AUTOWRAP_EVERY", "12"))
FLOATS = {"float16", "float32", "float64"}


class NotApplicable(Exception):
    """SymPy cannot evaluate this case, for the reason given."""


class Log:
    """What the summary at the end reports."""

    def __init__(self) -> None:
        self.requests = 0
        self.autowrapped: list[str] = []
        self.not_wrapped: dict[str, list[str]] = {}
        self.started = time.monotonic()

    def skip_autowrap(self, case: str, reason: str) -> None:
        self.not_wrapped.setdefault(reason, []).append(case)

    def summary(self) -> str:
        lines = [f"{self.requests} cases in {time.monotonic() - self.started:.1f} s; "
                 f"autowrap ({AUTOWRAP}) compiled and matched {len(self.autowrapped)}: "
                 + ", ".join(self.autowrapped)]
        for reason, cases in sorted(self.not_wrapped.items()):
            lines.append(f"  not through autowrap ({len(cases)}): {reason}: {', '.join(cases)}")
        return "\n".join(lines)


def wants_autowrap(case: str) -> bool:
    if AUTOWRAP == "all":
        return True
    if AUTOWRAP == "sample":
        return case.startswith("examples/") or zlib.crc32(case.encode()) % EVERY == 0
    if AUTOWRAP == "off":
        return False
    raise ValueError(f"AIR_PEER_AUTOWRAP must be all, sample or off, not {AUTOWRAP!r}")


def cast(name: str, value: np.ndarray, dtype: str) -> np.ndarray:
    """SymPy's value as the dtype the function declares (SymPy has none): integral values only
    for an integer result."""
    v = np.asarray(value.tolist() if value.dtype == object else value)
    want = np.dtype(dtype)
    if want.kind in "iu" and v.dtype.kind == "f":
        if not np.all(np.isfinite(v)) or not np.all(v == np.round(v)):
            raise ValueError(f"{name}: SymPy computed non-integral values {v} for a {dtype} result")
    return v.astype(want)


def agree(got: np.ndarray, want: np.ndarray, dtype: str) -> bool:
    """autowrap (double precision) against lambdify (the case's dtype)."""
    if got.shape != want.shape:
        return False
    eps = np.finfo(np.dtype(dtype)).eps if np.dtype(dtype).kind == "f" else 0.0
    return bool(np.allclose(got.astype(np.float64), want.astype(np.float64),
                            rtol=max(64 * eps, 1e-12), atol=1e-12, equal_nan=True))


def check_autowrap(req: dict[str, Any], eqs: list, arrays: dict[str, np.ndarray],
                   values: dict[str, np.ndarray], dims: dict, log: Log) -> None:
    """Compiles every equation with autowrap and compares with lambdify's values."""
    case = req["case"]
    dtypes = req.get("dtypes", {})
    if any(dtypes.get(p) not in FLOATS for p in [*req["params"], *req["results"]]):
        log.skip_autowrap(case, "integer or bool arrays (autowrap types arrays as C doubles here)")
        return
    env: dict[str, Any] = dict(arrays)
    for e in eqs:
        name = sympy_eval.lhs_name(e)
        try:
            got = sympy_eval.autowrapped(e, req["params"], env, dims)
        except sympy_eval.NotTaken as why:
            # SymPy's code generation does not take this construct: lambdify alone checks it.
            log.skip_autowrap(case, str(why))
            return
        want = values[name]
        if not agree(got, want, dtypes.get(name, "float64")):
            raise RuntimeError(f"{name}: autowrap computes {got}, lambdify {want}")
        env[name] = got
    log.autowrapped.append(case)


def handle(req: dict[str, Any], log: Log) -> dict[str, Any]:
    dtypes = req.get("dtypes", {})
    if "bfloat16" in dtypes.values():
        raise NotApplicable("NumPy has no bfloat16 (the case's bf16 arrays are uint16 bit patterns)")
    eqs = sympy_eval.read(Path(req["export"]).read_text())
    with np.load(req["inputs"]) as z:
        arrays = {k: z[k] for k in z.files}
    dims = sympy_eval.bind_dims(eqs, arrays)
    with np.errstate(all="ignore"):
        values = sympy_eval.evaluate(eqs, arrays, dims)
    outputs = {}
    for name in req["results"]:
        if name not in values:
            raise ValueError(f"the export assigns no `{name}`")
        outputs[name] = cast(name, values[name], dtypes.get(name, "float64"))
    if wants_autowrap(req["case"]):
        with np.errstate(all="ignore"):
            check_autowrap(req, eqs, arrays, values, dims, log)
    np.savez(req["outputs"], **outputs)
    return {"status": "ok"}


def main() -> None:
    log = Log()
    answers = sys.stdout
    for line in sys.stdin:
        log.requests += 1
        try:
            req = json.loads(line)
            # SymPy and the compilers it runs print for humans: keep stdout for the protocol.
            with contextlib.redirect_stdout(sys.stderr):
                answer = handle(req, log)
        except NotApplicable as e:
            answer = {"status": "na", "reason": str(e)}
        except Exception as e:  # noqa: BLE001 - every other failure is the case's finding
            answer = {"status": "error", "message": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), file=answers, flush=True)
    print(log.summary(), file=sys.stderr)


if __name__ == "__main__":
    main()
