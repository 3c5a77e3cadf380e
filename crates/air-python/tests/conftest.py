"""Shared helpers of the skair test suite: SymPy objects for a few systems, and the library examples (docs/examples/libraries)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def examples_dir() -> Path:
    """`docs/examples/libraries/`: the computations the real libraries wrote, committed in the repository."""
    path = REPO / "docs" / "examples" / "libraries"
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is missing: the examples are part of the repository")
    return path


@pytest.fixture(scope="session")
def sym():
    """SymPy objects: dims n, m; indices i, j; vectors x, y, z, w; matrix A."""
    import sympy as sp

    class S:
        n = sp.Symbol("n", integer=True, positive=True)
        m = sp.Symbol("m", integer=True, positive=True)
        i = sp.Idx("i", n)
        j = sp.Idx("j", m)
        x = sp.IndexedBase("x", shape=(n,))
        y = sp.IndexedBase("y", shape=(n,))
        z = sp.IndexedBase("z", shape=(n,))
        w = sp.IndexedBase("w", shape=(n,))
        v = sp.IndexedBase("v", shape=(m,))
        A = sp.IndexedBase("A", shape=(n, m))

    return S
