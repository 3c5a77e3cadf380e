#!/usr/bin/env python3
"""Writes the seed example's srepr: the matrix-vector system y[i] = A[i, j]*x[j] in SymPy.

`j` is on the right side only, so AIR's one index rule sums it; `n` and `m` stay symbolic and
are bound at run time by the arrays passed. Run it to regenerate matvec.srepr:
    python docs/examples/sympy/make_matvec.py > docs/examples/sympy/matvec.srepr
"""
from sympy import Eq, Idx, IndexedBase, srepr, symbols

n, m = symbols("n m", integer=True)
i, j = Idx("i", n), Idx("j", m)  # inclusive ranges 0..n-1 and 0..m-1
A = IndexedBase("A", shape=(n, m))
x = IndexedBase("x", shape=(m,))
y = IndexedBase("y", shape=(n,))
print(srepr(Eq(y[i], A[i, j] * x[j])))
