"""``pytensor-fgraph-json/1`` files from live PyTensor graphs, and graphs from those files.

The format (a walk of ``FunctionGraph(inputs, outputs, clone=True)`` before rewrites) is what
``air`` reads and writes as ``.pytensor.json``; these helpers need only PyTensor and NumPy::

    skair.pytensor_json.dump(y, "model.pytensor.json", inputs=[x])   # then: air run model.pytensor.json ...
    inputs, outputs = skair.pytensor_json.load("model.pytensor.json")
"""

from __future__ import annotations

import json
import os
from typing import Any, List, Optional, Sequence, Tuple, Union

from skair._pytensor_json import FORMAT, graph_to_json, json_to_graph

__all__ = ["FORMAT", "graph_to_json", "json_to_graph", "dumps", "dump", "loads", "load"]


def dumps(outputs: Any, inputs: Optional[Sequence[Any]] = None, indent: Optional[int] = None) -> str:
    """The graph as ``pytensor-fgraph-json/1`` text."""
    return json.dumps(graph_to_json(outputs, inputs), indent=indent)


def dump(
    outputs: Any, path: Union[str, "os.PathLike[str]"], inputs: Optional[Sequence[Any]] = None
) -> None:
    """Writes the graph to ``path`` (conventionally ``*.pytensor.json``)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(outputs, inputs, indent=1))
        f.write("\n")


def loads(text: Union[str, bytes]) -> Tuple[List[Any], List[Any]]:
    """Live ``(inputs, outputs)`` rebuilt from ``pytensor-fgraph-json/1`` text."""
    return json_to_graph(json.loads(text))


def load(path: Union[str, "os.PathLike[str]"]) -> Tuple[List[Any], List[Any]]:
    """Live ``(inputs, outputs)`` rebuilt from a ``pytensor-fgraph-json/1`` file."""
    with open(path, encoding="utf-8") as f:
        return loads(f.read())
