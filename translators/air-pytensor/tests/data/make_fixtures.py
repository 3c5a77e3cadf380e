#!/usr/bin/env python3
"""Writes the PyTensor fixtures of the Rust tests: real PyTensor builds each graph, writes it
with ``graph_to_json`` and computes the expected values itself (``pytensor.function``).

Each fixture is ``<name>.pytensor.json``, ``<name>.inputs.npz`` and ``<name>.expected.npz``
(outputs named ``out0``, ``out1``...). Rerun after changing a graph; the Rust test
``fixtures.rs`` imports each JSON, runs it on the interpreter and compares.

Usage: make_fixtures.py
"""

import json
from pathlib import Path

import numpy as np
import pytensor
import pytensor.tensor as pt
import skair.pytensor_json as pj
from pytensor.compile.mode import Mode
from pytensor.tensor.extra_ops import Unique
from pytensor.scan.utils import until as until_

HERE = Path(__file__).resolve().parent
MODE = Mode(linker="py", optimizer=None)



def scan(fn, **kw):
    return pytensor.scan(fn, return_updates=False, mode=MODE, **kw)


def while_scan(step, until, states, non_seqs, n_steps):
    """A ``Scan`` in while mode whose states are all untraced sit-sot (only the final state is
    kept), built with PyTensor's own ``Scan`` op: ``step(*states, *non_seqs)`` gives the next
    states and ``until(*next_states, *non_seqs)`` the stop flag, tested after each step."""
    from pytensor.scan.op import Scan, ScanInfo

    s_in = [s.type() for s in states]
    x_in = [x.type() for x in non_seqs]
    nxt = step(*s_in, *x_in)
    info = ScanInfo(n_seqs=0, mit_mot_in_slices=(), mit_mot_out_slices=(), mit_sot_in_slices=(),
                    sit_sot_in_slices=(), n_nit_sot=0, n_untraced_sit_sot=len(states),
                    n_non_seqs=len(non_seqs), as_while=True)
    op = Scan(s_in + x_in, nxt + [until(*nxt, *x_in)], info, mode=MODE)
    return op(n_steps, *states, *non_seqs, return_list=True)


def fixtures(rng):
    x, y = pt.vector("x"), pt.vector("y")
    A = pt.matrix("A")
    n = pt.lscalar("n")
    xs = rng.uniform(-2, 2, 6)
    ys = rng.uniform(-2, 2, 6)
    As = rng.uniform(-2, 2, (5, 3))
    # mit-sot: Fibonacci-like recurrence with taps -2 and -1 over n steps.
    init = pt.as_tensor(np.array([1.0, 1.0]))
    fib = scan(lambda a, b: a + 0.5 * b, outputs_info=[{"initial": init, "taps": [-2, -1]}], n_steps=6)
    yield "scan_mit_sot", [x], [fib * x.sum()], {"x": xs}
    # nit-sot: a map over the rows of a matrix, plus a non-sequence.
    rows = scan(lambda r, v: pt.tanh(r) * v, sequences=[A], non_sequences=[y[:3]])
    yield "scan_nit_sot_matrix_rows", [A, y], [rows], {"A": As, "y": ys}
    # sit-sot of a vector state (rows written with select), two sequences.
    vec = scan(lambda a, b, s: s * 0.5 + a * b, sequences=[A, A[::-1]], outputs_info=[pt.zeros(3)])
    yield "scan_vector_state", [A], [vec[-1], vec], {"A": As}
    # n_steps a symbolic input: the traced buffer has a run-time length.
    yield "scan_runtime_steps", [x, n], [scan(lambda s: s * 2.0, outputs_info=[x], n_steps=n)[-1]], \
        {"x": xs, "n": np.int64(3)}
    # indexing and shape arithmetic
    yield "subtensor_and_inc", [x, A], [
        pt.inc_subtensor(A[1:3, ::-1][:, 0], x[:2]), pt.set_subtensor(x[-2:], 0.0),
        A[x.shape[0] - 5:, 1], x[pt.argmax(x)],
    ], {"x": xs, "A": As}
    yield "softmax_family", [A], [pt.special.softmax(A, axis=0), pt.special.log_softmax(A, axis=-1),
                                  pt.einsum("ij,kj->ik", A, A)], {"A": As}
    yield "reshape_alloc_arange", [A, x], [
        A.reshape((A.shape[1], -1)), pt.alloc(x[0], 2, x.shape[0]), pt.arange(x.shape[0] - 1) * x[1:],
        pt.zeros_like(A) + A.mean(), A.flatten().sort()[::-1],
    ], {"A": As, "x": xs}
    # while mode, untraced states: Collatz steps of c, at most n steps (do-while: one step runs
    # even when c is 1 already). Two inputs where the bound and the condition stop it.
    c, m = pt.lscalar("c"), pt.lscalar("m")
    for tag, cv, mv in [("condition", 27, 500), ("bound", 27, 40), ("one_step", 1, 10),
                        ("no_step", 6, 0)]:
        def collatz(v, k, mm):
            return [pt.switch(pt.eq(v % 2, 0), v // 2, 3 * v + 1), k + 1]
        outs = while_scan(collatz, lambda v, k, mm: pt.eq(v, 1), [c, pt.constant(np.int32(0))],
                          [m], m)
        yield f"scan_while_untraced_{tag}", [c, m], outs, {"c": np.int64(cv), "m": np.int64(mv)}
    # while mode as pytensor.scan(until=...) writes it: a traced sit-sot, cut to the steps run.
    until = scan(lambda s: (s * 2.0, until_(pt.sum(s) > 100.0)),
                 outputs_info=[x], n_steps=50)
    yield "scan_until_traced", [x], [until[-1]], {"x": xs}
    k = pt.ivector("k")
    yield "integers_and_bools", [k, x], [
        (k // 2) * (k % 3) - pt.maximum(k, 1), pt.cumsum(k), (k > 0) | (x > 0), pt.sum(k), pt.prod(x > -1),
        pt.switch(k > 0, x, -x), pt.cast(k, "float32") / 3,
    ], {"k": rng.integers(-5, 6, 6).astype(np.int32), "x": xs}
    # Group-by with duplicate keys (AIR's scatter, op set 2): inc_subtensor accumulates like
    # np.add.at; set_subtensor keeps the last of duplicates; two index arrays; rows.
    key, val = pt.lvector("key"), pt.dvector("val")
    i, j = pt.lvector("i"), pt.lvector("j")
    yield "groupby_inc_subtensor", [key, val, A, i, j], [
        pt.inc_subtensor(pt.zeros(4)[key], val), pt.set_subtensor(pt.zeros(4)[key], val),
        pt.inc_subtensor(A[i, j], val[:3]), A[i, j], pt.inc_subtensor(A[key], 1.0),
    ], {"key": np.array([2, 0, 2, -1, 0, 2, 1, 3]), "val": rng.uniform(-2, 2, 8), "A": As,
        "i": np.array([0, 4, 0]), "j": np.array([1, -1, 1])}
    # Unique (AIR's op set 2 unique): axis None flattens a matrix (NaNs collapse, the inverse
    # is raveled), every optional output in PyTensor's order; an integer vector along axis 0.
    X, kv = pt.dmatrix("X"), pt.ivector("kv")
    Xs = np.array([[3.0, np.nan, 1.0, -2.5], [1.0, 3.0, np.nan, 0.5], [7.0, -2.5, 3.0, 1.0]])
    yield "unique_extra_ops", [X, kv], [
        *Unique(True, True, True)(X), *Unique(False, False, True)(X),
        *Unique(False, True, False, axis=0)(kv), Unique()(kv),
    ], {"X": Xs, "kv": np.array([5, -1, 5, 2, 2, 5, 0], dtype=np.int32)}


def main():
    rng = np.random.default_rng(7)
    for name, ins, outs, values in fixtures(rng):
        for i, o in enumerate(outs):
            o.name = f"out{i}"
        fn = pytensor.function(ins, outs, mode=MODE)
        got = fn(*[values[v.name] for v in ins])
        (HERE / f"{name}.pytensor.json").write_text(json.dumps(pj.graph_to_json(outs, ins), indent=1) + "\n")
        np.savez(HERE / f"{name}.inputs.npz", **values)
        # In the declared dtypes: PyTensor's Python CumOp returns NumPy's wider accumulator.
        expected = {o.name: np.asarray(g).astype(o.type.dtype) for o, g in zip(outs, got)}
        np.savez(HERE / f"{name}.expected.npz", **expected)
        print(name)


if __name__ == "__main__":
    main()
