"""Comparing generated cases with the committed ones (`generate.py --check`).

`case.air`, `case.toml` and `inputs.npz` must be byte-identical. `expected.npz` should be too, but
NumPy's float kernels (complex functions, BLAS behind `matmul`/`einsum`, SIMD loops) may differ in
the last bits between NumPy versions and CPUs; so where the bytes differ, each array must still
agree within the case's own tolerance (exact cases bit for bit). A real change of semantics or of
inputs is far outside any tolerance and is reported.
"""

import os

import numpy as np

from case import Case


def tree(root, groups):
    """Relative paths of every file under the given group folders."""
    out = set()
    for g in groups:
        base = os.path.join(root, g)
        for dirpath, _, files in os.walk(base):
            for f in files:
                out.add(os.path.relpath(os.path.join(dirpath, f), root))
    return out


def differences(cases, fresh_root, committed_root):
    """Problems between a fresh generation and the committed cases, as strings."""
    groups = sorted({c.group for c in cases})
    fresh, old = tree(fresh_root, groups), tree(committed_root, groups)
    problems = [f"missing from the committed cases: {p}" for p in sorted(fresh - old)]
    problems += [f"not produced by the generators: {p}" for p in sorted(old - fresh)]
    by_dir = {os.path.join(c.group, c.name): c for c in cases}
    for p in sorted(fresh & old):
        with open(os.path.join(fresh_root, p), "rb") as f:
            a = f.read()
        with open(os.path.join(committed_root, p), "rb") as f:
            b = f.read()
        if a == b:
            continue
        case = by_dir[os.path.dirname(p)]
        if os.path.basename(p) == "expected.npz" and case.valid:
            problems += _expected_close(case, os.path.join(fresh_root, p),
                                        os.path.join(committed_root, p), p)
        else:
            problems.append(f"differs: {p}")
    return problems


def _expected_close(case: Case, fresh, committed, label):
    tol = case.tolerance()
    bf16 = set(case.bf16_names())
    out = []
    with np.load(fresh, allow_pickle=False) as za, np.load(committed, allow_pickle=False) as zb:
        if za.files != zb.files:
            return [f"differs (array names): {label}"]
        for k in za.files:
            a, b = za[k], zb[k]
            if a.dtype != b.dtype or a.shape != b.shape:
                out.append(f"differs (dtype or shape of {k}): {label}")
                continue
            if k in bf16:
                a = (a.astype(np.uint32) << 16).view(np.float32)
                b = (b.astype(np.uint32) << 16).view(np.float32)
            if not close(a, b, tol):
                out.append(f"differs beyond the tolerance {tol} ({k}): {label}")
    return out


def close(a, b, tol):
    """a and b agree within `tol` (the case.toml [tolerance] table)."""
    if a.dtype.kind in "biu" or tol.get("exact"):
        if a.dtype.kind in "fc":
            return _same_bits_or_nan(a, b)
        return np.array_equal(a, b)
    if a.dtype.kind == "c":
        return close(a.real.copy(), b.real.copy(), tol) and close(a.imag.copy(), b.imag.copy(), tol)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    if not np.array_equal(nan_a, nan_b):
        return False
    inf_a, inf_b = np.isinf(a), np.isinf(b)
    if not np.array_equal(inf_a, inf_b) or not np.array_equal(a[inf_a], b[inf_b]):
        return False
    fin = ~(nan_a | inf_a)
    x, y = a[fin].astype(np.float64), b[fin].astype(np.float64)
    bound = tol.get("atol", 0.0) + tol.get("rtol", 0.0) * np.abs(y)
    if "ulp" in tol:
        bound = bound + tol["ulp"] * np.spacing(np.abs(b[fin])).astype(np.float64)
    return bool(np.all(np.abs(x - y) <= bound))


def _same_bits_or_nan(a, b):
    nan = np.isnan(a)
    if not np.array_equal(nan, np.isnan(b)):
        return False
    ia = a[~nan].view(f"u{a.dtype.itemsize}") if a.dtype.kind == "f" else a[~nan]
    ib = b[~nan].view(f"u{b.dtype.itemsize}") if b.dtype.kind == "f" else b[~nan]
    if a.dtype.kind == "c":
        return np.array_equal(a[~nan].view(np.uint8), b[~nan].view(np.uint8))
    return np.array_equal(ia, ib)
