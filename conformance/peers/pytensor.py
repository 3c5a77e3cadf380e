#!/usr/bin/env python3
"""The peer script of the ``peers-pytensor`` conformance target: real PyTensor runs AIR's export.

It speaks the peer-check protocol of ``docs/conformance.md``: one JSON request a line on stdin,
one JSON answer a line on stdout, anything for humans on stderr. For each case the export
(``pytensor-fgraph-json/1``) is rebuilt into live PyTensor variables by
``skair.pytensor_json.json_to_graph`` (imported from the ``skair`` package installed in the
interpreter's environment: the runner's ``$AIR_PYTHON``, else ``.venv``, where ``scripts/test.sh``
installs it before it runs this target), compiled with ``pytensor.function`` and called on the case's inputs; its outputs are
``outputs.npz``.

The compilation mode is ``AIR_PEER_PYTENSOR_MODE``: ``py`` (the default: the Python linker with
no rewrites, the fastest to compile, every op's own ``perform``), or any mode name PyTensor
knows (``NUMBA``, PyTensor 3's default; ``FAST_COMPILE``; ``FAST_RUN``...). The same mode is the
default for inner graphs (``Scan``, ``OpFromGraph``).
"""

import contextlib
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytensor
from pytensor.compile.mode import Mode

MODE_NAME = os.environ.get("AIR_PEER_PYTENSOR_MODE", "py")


def load_translator() -> Any:
    """The installed ``skair.pytensor_json``; an ``ImportError`` says how to install it."""
    try:
        import skair.pytensor_json
    except ImportError as e:
        raise ImportError(f"{e} (install skair: pip install --no-build-isolation ./crates/air-python)") from e
    return skair.pytensor_json


def mode() -> Any:
    """The compilation mode, also made PyTensor's default so inner graphs use it."""
    chosen = Mode(linker="py", optimizer=None) if MODE_NAME == "py" else MODE_NAME
    pytensor.config.mode = chosen
    return chosen


def inner_graphs_use(outputs: list[Any], compile_mode: Any) -> None:
    """Makes every Scan compile its inner graph in the peer's mode (a Scan built without a mode
    uses the C VM with all rewrites, whose compiled code may contract a*b+c into one FMA)."""
    from pytensor.graph.traversal import applys_between
    from pytensor.scan.op import Scan

    pending = [(None, outputs)]
    while pending:
        ins, outs = pending.pop()
        for node in applys_between(ins or [], outs):
            if isinstance(node.op, Scan):
                node.op.mode = compile_mode
                pending.append((node.op.fgraph.inputs, node.op.fgraph.outputs))


class NotApplicable(Exception):
    """PyTensor cannot evaluate this case, for the reason given."""


def handle(req: dict[str, Any], pj: Any, compile_mode: Any) -> dict[str, Any]:
    if "bfloat16" in req.get("dtypes", {}).values():
        raise NotApplicable("PyTensor has no bfloat16")
    doc = json.loads(Path(req["export"]).read_text())
    inputs, outputs = pj.json_to_graph(doc)
    inner_graphs_use(outputs, compile_mode)
    fn = pytensor.function(inputs, outputs, mode=compile_mode, on_unused_input="ignore")
    with np.load(req["inputs"]) as z:
        arrays = {k: z[k] for k in z.files}
    args = []
    for v in inputs:
        if v.name not in arrays:
            raise ValueError(f"no input array for {v.name}")
        args.append(arrays[v.name])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = fn(*args)
    if len(values) != len(req["results"]):
        raise ValueError(f"{len(values)} outputs for results {req['results']}")
    # The values in the dtypes the graph declares: the Python implementation of some ops
    # (CumOp on small integers) returns NumPy's wider accumulator dtype.
    out = {
        name: np.asarray(v).astype(o.type.dtype, copy=False)
        for name, v, o in zip(req["results"], values, outputs)
    }
    np.savez(req["outputs"], **out)
    return {"status": "ok"}


def main() -> None:
    answers = sys.stdout
    try:
        pj, compile_mode, setup_error = load_translator(), mode(), None
    except Exception as e:  # noqa: BLE001 - reported for every case below
        pj, compile_mode, setup_error = None, None, f"{type(e).__name__}: {e}"
    started, count = time.monotonic(), 0
    for line in sys.stdin:
        count += 1
        try:
            if setup_error is not None:
                raise RuntimeError(f"the peer script cannot start: {setup_error}")
            req = json.loads(line)
            with contextlib.redirect_stdout(sys.stderr):
                answer = handle(req, pj, compile_mode)
        except NotApplicable as e:
            answer = {"status": "na", "reason": str(e)}
        except Exception as e:  # noqa: BLE001 - every other failure is the case's finding
            answer = {"status": "error", "message": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), file=answers, flush=True)
    print(f"{count} cases in {time.monotonic() - started:.1f} s (mode {MODE_NAME})", file=sys.stderr)


if __name__ == "__main__":
    main()
