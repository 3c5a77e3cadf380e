"""Every conformance case that runs (`expect = "ok"`), through skair on both backends, with each
input passed in another memory layout than NumPy's default (Fortran order, negative strides):
the kernels read the arrays where they are. Outputs are compared with `expected.npz` as the
conformance runner compares them (`conformance/runner/src/compare.rs`)."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

import skair
from conftest import REPO

CASES = REPO / "conformance/cases"


def llvm_skips():
    lines = (REPO / "conformance/skip/llvm.txt").read_text().splitlines()
    return {line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()}


def runnable():
    out = []
    for toml in sorted(CASES.glob("*/*/case.toml")):
        meta = tomllib.loads(toml.read_text())
        if meta.get("expect") == "ok":
            out.append((f"{toml.parent.parent.name}/{toml.parent.name}", meta))
    return out


RUNNABLE = runnable()
SKIP_LLVM = llvm_skips()


def relayout(a: np.ndarray, k: int) -> np.ndarray:
    """The same values in another layout: Fortran order, or reversed strides."""
    if a.ndim == 0 or a.size < 2:
        return a
    if a.ndim >= 2 and k % 2 == 0:
        return np.asfortranarray(a)
    return np.flip(np.flip(a).copy())


def ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    bits = {2: np.int16, 4: np.int32, 8: np.int64}[got.dtype.itemsize]
    def ordered(x):
        i = x.view(bits).astype(np.int64)
        return np.where(i < 0, np.iinfo(bits).min - i, i)
    return np.abs(ordered(got) - ordered(want))


def close(got: np.ndarray, want: np.ndarray, tol: dict) -> np.ndarray:
    if got.dtype.kind == "c":
        return close(got.real.copy(), want.real.copy(), tol) & close(got.imag.copy(), want.imag.copy(), tol)
    if got.dtype.kind != "f":
        return got == want
    nan = np.isnan(got) | np.isnan(want)
    strict = tol.get("exact", False) | np.isinf(got) | np.isinf(want)
    same = (got == want) & (np.signbit(got) == np.signbit(want))
    with np.errstate(invalid="ignore", over="ignore"):
        near = np.abs(got - want) <= tol.get("atol", 0.0) + tol.get("rtol", 0.0) * np.abs(want)
        if "ulp" in tol:
            near |= ulps(got, want) <= tol["ulp"]
    return np.where(nan, np.isnan(got) & np.isnan(want), np.where(strict, same, near))


@pytest.mark.parametrize("backend", ["llvm", "interp"])
def test_conformance_cases(backend):
    ran = 0
    failures = []
    for k, (case, meta) in enumerate(RUNNABLE):
        if backend == "llvm" and case in SKIP_LLVM:
            continue
        d = CASES / case
        with np.load(d / "inputs.npz") as z:
            inputs = {name: z[name] for name in z.files}
        with np.load(d / "expected.npz") as z:
            expected = {name: z[name] for name in z.files}
        if any(a.dtype.kind == "V" for a in inputs.values()) or "bf16" in (d / "case.air").read_text():
            continue  # NumPy has no bfloat16 (stored as raw 2-byte records)
        kernel = skair.compile(skair.load(d / "case.air"), backend=backend)
        got = kernel(**{p.name: relayout(inputs[p.name], k) for p in kernel.params if p.name in inputs})
        got = got if isinstance(got, tuple) else (got,)
        names = [r.name for r in kernel.results] + [p.name for p in kernel.params if p.intent != "in"]
        tol = meta.get("tolerance", {})
        for name, value in zip(names, got):
            want = expected[name]
            if value.dtype != want.dtype or value.shape != want.shape:
                failures.append(f"{case}: {name}: {value.dtype}{value.shape} vs {want.dtype}{want.shape}")
            elif not close(np.asarray(value), want, tol).all():
                failures.append(f"{case}: {name}: values differ")
        ran += 1
    assert not failures, "\n".join(failures)
    print(f"{backend}: {ran} cases")
    assert ran > 350, ran
