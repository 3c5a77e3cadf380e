"""The PyTensor bridge: live PyTensor graphs to AIR and back.

``from_pytensor`` walks the graph as built (no rewrites) into ``pytensor-fgraph-json/1`` with
:mod:`skair.pytensor_json` and imports it with AIR's PyTensor translator; ``to_pytensor`` exports a
module with that translator and rebuilds live PyTensor variables, each op class imported by module
and name and called with its props, ready for ``pytensor.function``.
"""

from __future__ import annotations

import json
from typing import Any, List, Optional, Sequence, Tuple

from skair import pytensor_json
from skair._skair import Module, loads


def from_pytensor(outputs: Any, inputs: Optional[Sequence[Any]] = None) -> Module:
    """The AIR module of a PyTensor graph.

    ``outputs`` is a variable, a list of variables or a ``FunctionGraph`` (then ``inputs`` must be
    None); ``inputs`` are the parameters in order, as for ``pytensor.function``. They may be left
    out only when the graph has at most one free input (a root that is not a constant): with
    several, a ``TypeError`` lists them and asks for ``inputs=[...]``. Ops AIR cannot express
    raise ``skair.TranslationError`` listing every one with its node.
    """
    doc = pytensor_json.graph_to_json(outputs, inputs)
    return loads(json.dumps(doc), format="pytensor", source="<pytensor graph>")


def to_pytensor(module: Module) -> Tuple[List[Any], List[Any]]:
    """Live PyTensor ``(inputs, outputs)`` computing the module's entry function.

    ``pytensor.function(*skair.to_pytensor(m))`` compiles it. Constructs PyTensor cannot express
    raise ``skair.TranslationError`` listing every one.
    """
    text = module.dumps("pytensor")
    return pytensor_json.json_to_graph(json.loads(text))
