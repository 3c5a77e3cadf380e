"""Issue 12 items 8 and 9 through skair: a run-time dim that overflows i64 raises (never a
wrapped extent), and a tensor too large for the memory budget or the machine raises MemoryError
with E0508 instead of killing the Python process."""

from __future__ import annotations

import os

import numpy as np
import pytest

import skair

BACKENDS = ["interp", "llvm"]

# Sum(x, (i, 0, 4e9)): 4e9 + 1 terms, which the translation turns into a tensor of that many
# elements (32 GB of i64 or f64).
SUM_4E9 = (
    "Equality(Symbol('y'), Sum(Symbol('x'), Tuple(Symbol('i', integer=True), "
    "Integer(0), Integer(4000000000))))"
)

N32 = "*".join(["n"] * 32)


def full_of(dim: str) -> str:
    return (
        "air 1 opset 1\n"
        f"func @main(%x: f64[n]) -> (%y: f64[{dim}]) {{\n"
        f"  %y = full {{value = f64 1.0, shape = [{dim}]}} () : f64[{dim}]\n"
        "  return %y\n}\n"
    )


def physical_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def test_the_4e9_sum_reproducer_raises_memory_error_under_a_budget():
    m = skair.loads(SUM_4E9, format="sympy")
    k = skair.compile(m, backend="interp", max_memory="1G")
    assert k.max_memory == 1 << 30
    with pytest.raises(MemoryError, match="E0508"):
        k(np.float64(1.0))
    # The LLVM backend fuses the terms into the sum: nothing that large is allocated.
    k = skair.compile(m, backend="llvm", max_memory="1G")
    assert float(k(np.float64(1.0))) == 4000000001.0


@pytest.mark.skipif(physical_memory() >= 32 << 30, reason="the 32 GB tensor would fit this machine")
def test_the_4e9_sum_reproducer_raises_with_the_default_budget_on_the_interpreter():
    # The default budget is the machine's physical memory: less than the 32 GB asked for.
    m = skair.loads(SUM_4E9, format="sympy")
    k = skair.compile(m, backend="interp")
    assert k.max_memory is not None
    with pytest.raises(MemoryError, match="E0508"):
        k(np.float64(1.0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dim_that_overflows_i64_raises_e0506(backend):
    k = skair.compile(skair.loads(full_of(f"{N32}+5")), backend=backend)
    with pytest.raises(ValueError, match=r"E0506.*overflows i64 with n = 4"):
        k(np.zeros(4))
    # n = 1: 1 + 5 elements.
    assert k(np.zeros(1)).shape == (6,)


@pytest.mark.parametrize("backend", BACKENDS)
def test_max_memory_refuses_an_8_mb_result_and_allows_it_with_100_mb(backend):
    m = skair.loads(full_of("1048576"))
    with pytest.raises(MemoryError, match="E0508"):
        skair.compile(m, backend=backend, max_memory="1M")(np.zeros(1))
    y = skair.compile(m, backend=backend, max_memory=100 << 20)(np.zeros(1))
    assert y.shape == (1 << 20,) and y.sum() == 1 << 20
    y = skair.compile(m, backend=backend, max_memory="none")(np.zeros(1))
    assert y.shape == (1 << 20,)


def test_bad_max_memory_values_are_value_errors():
    m = skair.loads(full_of("4"))
    for bad in (0, -5, "12X", 1.5):
        with pytest.raises(ValueError, match="max_memory"):
            skair.compile(m, backend="interp", max_memory=bad)
