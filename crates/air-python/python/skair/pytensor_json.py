"""PyTensor graphs <-> ``pytensor-fgraph-json/1`` files (pure Python; needs only PyTensor and NumPy).

The format (``docs/formats/pytensor.md``) is a walk of ``FunctionGraph(inputs, outputs,
clone=True)`` built without rewrites; ``air`` reads and writes it as ``.pytensor.json``.
``graph_to_json`` writes it from live PyTensor variables (or a ``FunctionGraph``);
``json_to_graph`` rebuilds live variables, building every op from the format's allow-list
(``skair._pytensor_vocab``: op classes and scalar ops by module and class, each prop checked
against what the constructor takes; anything else is a ``ValueError`` naming it, and no name from
the document is ever looked up as a Python attribute), so that ``pytensor.graph.basic.equal_computations`` holds between the original
and the rebuilt graph::

    skair.pytensor_json.dump(y, "model.pytensor.json", inputs=[x])   # then: air run model.pytensor.json ...
    inputs, outputs = skair.pytensor_json.load("model.pytensor.json")

This module uses nothing of the compiled extension (the Rust translator
``translators/air-pytensor`` reads and writes the same JSON); scripts import it as
``skair.pytensor_json`` from the installed package.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from skair import _pytensor_vocab as vocab

FORMAT = "pytensor-fgraph-json/1"

__all__ = ["FORMAT", "graph_to_json", "json_to_graph", "dumps", "dump", "loads", "load"]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def graph_to_json(outputs: Any, inputs: Sequence[Any] | None = None) -> dict[str, Any]:
    """The ``pytensor-fgraph-json/1`` document of a graph.

    ``outputs`` is a variable, a sequence of variables or a ``FunctionGraph`` (then ``inputs``
    must be ``None``). ``inputs`` are the parameters, in order, as for ``pytensor.function``; it
    may be left out only when the graph has at most one free input (a root that is not a
    constant), else the order would be the one PyTensor's traversal happens to find, and a
    ``TypeError`` lists the free inputs. The graph is cloned into a ``FunctionGraph`` and
    written as built: no rewrite runs.
    """
    from pytensor.graph.fg import FunctionGraph

    if isinstance(outputs, FunctionGraph):
        if inputs is not None:
            raise ValueError("pass either a FunctionGraph or outputs with inputs, not both")
        fgraph = outputs
    else:
        outs = [outputs] if not isinstance(outputs, (list, tuple)) else list(outputs)
        if inputs is None:
            inputs = _implicit_inputs(outs)
        fgraph = FunctionGraph(list(inputs), outs, clone=True)
    return _Writer().graph(fgraph.inputs, fgraph.outputs, fgraph.toposort())


def _implicit_inputs(outputs: list[Any]) -> list[Any]:
    """The one free input of a graph (or none); a ``TypeError`` when there are several."""
    from pytensor.graph.basic import Constant
    from pytensor.graph.traversal import explicit_graph_inputs

    free = [v for v in explicit_graph_inputs(outputs) if not isinstance(v, Constant)]
    if len(free) > 1:
        names = ", ".join(v.name if v.name is not None else str(v) for v in free)
        raise TypeError(
            f"the graph has {len(free)} free inputs ({names}, in the order PyTensor's traversal "
            "finds them, which is not an order anyone chose): pass inputs=[...] with the "
            "parameters in order, as pytensor.function requires"
        )
    return free


class _Writer:
    """Numbers variables and nodes of one graph (inner graphs get their own writer)."""

    def __init__(self) -> None:
        self.ids: dict[Any, str] = {}
        self.variables: list[dict[str, Any]] = []

    def graph(self, inputs: Sequence[Any], outputs: Sequence[Any], order: Sequence[Any]) -> dict:
        from pytensor.graph.basic import Constant

        for v in inputs:
            self._variable(v, {"kind": "input"})
        nodes = []
        for k, node in enumerate(order):
            for v in node.inputs:
                if v not in self.ids:
                    if not isinstance(v, Constant):
                        raise ValueError(f"{v} is neither an input of the graph nor a constant")
                    self._variable(v, {"kind": "constant", "value": _constant_value(v)})
            for index, v in enumerate(node.outputs):
                self._variable(v, {"kind": "node_output", "node": k, "index": index})
            nodes.append(
                {
                    "id": k,
                    "op": _op_json(node.op),
                    "inputs": [self.ids[v] for v in node.inputs],
                    "outputs": [self.ids[v] for v in node.outputs],
                }
            )
        for v in outputs:
            if v not in self.ids:
                if not isinstance(v, Constant):
                    raise ValueError(f"output {v} is not computed by the graph")
                self._variable(v, {"kind": "constant", "value": _constant_value(v)})
        import pytensor

        return {
            "format": FORMAT,
            "pytensor_version": pytensor.__version__,
            "inputs": [self.ids[v] for v in inputs],
            "outputs": [self.ids[v] for v in outputs],
            "variables": self.variables,
            "nodes": nodes,
        }

    def _variable(self, v: Any, extra: dict[str, Any]) -> None:
        vid = f"v{len(self.ids)}"
        self.ids[v] = vid
        entry: dict[str, Any] = {"id": vid, "kind": extra.pop("kind"), "name": v.name}
        entry["type"] = _type_json(v.type)
        entry.update(extra)
        self.variables.append(entry)


def _type_json(t: Any) -> dict[str, Any]:
    from pytensor.scalar import ScalarType
    from pytensor.tensor.type import TensorType

    if isinstance(t, TensorType):
        return {"class": "TensorType", "dtype": str(t.dtype), "shape": list(t.shape)}
    if isinstance(t, ScalarType):
        return {"class": "ScalarType", "dtype": str(t.dtype)}
    return {"class": type(t).__name__, "module": type(t).__module__, "str": str(t)}


def _number(x: Any) -> Any:
    """A JSON number, with non-finite floats as ``{"float": ...}``."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return {"float": "nan"}
    if math.isinf(x):
        return {"float": "inf" if x > 0 else "-inf"}
    return x


def _constant_value(v: Any) -> dict[str, Any] | None:
    data = v.data
    if not isinstance(data, (np.ndarray, np.generic, int, float, bool)):
        return None
    a = np.asarray(data)
    if a.dtype.kind == "c":
        flat = [[_number(z.real), _number(z.imag)] for z in a.reshape(-1)]
    else:
        flat = [_number(z) for z in a.reshape(-1).tolist()]
    return {"dtype": str(a.dtype), "shape": list(a.shape), "data": flat}


def _scalar_op_json(op: Any) -> dict[str, Any]:
    out = {
        "class": type(op).__name__,
        "module": type(op).__module__,
        "str": str(op),
        "name": getattr(op, "name", None),
    }
    if type(op).__name__ == "Cast":
        out["o_type"] = str(op.o_type.dtype)
    return out


def _op_json(op: Any) -> dict[str, Any]:
    from pytensor.compile.builders import OpFromGraph, SymbolicOp
    from pytensor.scalar import ScalarOp
    from pytensor.scan.op import Scan

    if isinstance(op, ScalarOp):
        return _scalar_op_json(op)
    out: dict[str, Any] = {
        "class": type(op).__name__,
        "module": type(op).__module__,
        "str": str(op),
    }
    props = {p: _prop(getattr(op, p)) for p in getattr(op, "__props__", ())}
    if isinstance(op, Scan):
        props = {
            "info": _prop(op.info),
            "name": op.name,
            "truncate_gradient": op.truncate_gradient,
            "profile": _prop(op.profile),
            "allow_gc": op.allow_gc,
            "strict": op.strict,
        }
    elif isinstance(op, OpFromGraph) and not isinstance(op, SymbolicOp):
        # Keyword arguments of the subclass's constructor kept as attributes (Einsum's
        # subscripts, path, optimized), so a reader can rebuild the same op.
        for name in _init_keywords(type(op)):
            if name not in props and hasattr(op, name):
                props[name] = _prop(getattr(op, name))
    out["props"] = props
    if isinstance(op, (Scan, OpFromGraph)):
        fg = op.fgraph
        out["inner"] = _Writer().graph(fg.inputs, fg.outputs, fg.toposort())
    return out


def _init_keywords(cls: type) -> list[str]:
    from pytensor.compile.builders import OpFromGraph

    if cls is OpFromGraph:
        return []
    params = inspect.signature(cls.__init__).parameters.values()
    return [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _prop(x: Any) -> Any:
    """Encodes a prop value (see the format README)."""
    from pytensor.graph.op import Op
    from pytensor.graph.type import Type
    from pytensor.scalar import ScalarOp

    if x is None or isinstance(x, (str, bool, np.bool_)):
        return bool(x) if isinstance(x, np.bool_) else x
    if isinstance(x, (int, float, np.integer, np.floating)):
        return _number(x)
    if isinstance(x, (tuple, list)):
        return [_prop(e) for e in x]
    if isinstance(x, slice):
        return {"slice": [_prop(x.start), _prop(x.stop), _prop(x.step)]}
    if isinstance(x, ScalarOp):
        return {"op": _scalar_op_json(x)}
    if isinstance(x, Op):
        return {"op": _op_json(x)}
    if isinstance(x, Type):
        return {"type": _type_json(x)}
    if isinstance(x, np.dtype):
        return str(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        fields = {f.name: _prop(getattr(x, f.name)) for f in dataclasses.fields(x)}
        return {"dataclass": type(x).__name__, "fields": fields}
    if hasattr(x, "items"):
        return {"dict": [[_prop(k), _prop(v)] for k, v in x.items()]}
    raise TypeError(f"cannot encode the prop value {x!r} ({type(x).__name__})")


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def json_to_graph(doc: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Rebuilds live PyTensor variables from a ``pytensor-fgraph-json/1`` document.

    Returns ``(inputs, outputs)``, ready for ``pytensor.function(inputs, outputs)``. Every op is
    found in the allow-list ``skair._pytensor_vocab`` by module and class (else a ``ValueError``
    naming them and the node) and called with its checked props; ``Elemwise`` gets its scalar op,
    ``Scan`` its ``ScanInfo`` and rebuilt inner graph, a ``SymbolicOp`` is rebuilt through its
    ``__call__``, another ``OpFromGraph`` from its inner graph. A rebuilt output type that
    differs from the document's is an error.
    """
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document (format = {doc.get('format')!r})")
    return _Reader(doc).run()


class _Reader:
    def __init__(self, doc: dict[str, Any], prefix: str = "") -> None:
        self.doc = doc
        self.prefix = prefix
        self.vars: dict[str, Any] = {}
        self.entries = {v["id"]: v for v in doc["variables"]}

    def run(self) -> tuple[list[Any], list[Any]]:
        for entry in self.doc["variables"]:
            if entry["kind"] == "input":
                self.vars[entry["id"]] = _make_type(entry["type"])(name=entry.get("name"))
            elif entry["kind"] == "constant":
                self.vars[entry["id"]] = _make_constant(entry)
        for node in self.doc["nodes"]:
            ins = [self._get(i) for i in node["inputs"]]
            outs = _apply(node["op"], ins, f"{self.prefix}node {node['id']}")
            if len(outs) != len(node["outputs"]):
                raise ValueError(
                    f"node {node['id']} ({node['op']['class']}) gave {len(outs)} outputs, "
                    f"{len(node['outputs'])} in the document"
                )
            for vid, out in zip(node["outputs"], outs):
                entry = self.entries[vid]
                want = _make_type(entry["type"])
                if not _same_type(out.type, want):
                    raise ValueError(
                        f"node {node['id']} ({node['op']['class']}) output {vid} rebuilt as "
                        f"{out.type}, the document says {want}"
                    )
                if entry.get("name") is not None:
                    out.name = entry["name"]
                self.vars[vid] = out
        inputs = [self._get(i) for i in self.doc["inputs"]]
        outputs = [self._get(o) for o in self.doc["outputs"]]
        return inputs, outputs

    def _get(self, vid: str) -> Any:
        if vid not in self.vars:
            raise ValueError(f"variable {vid} is used before it is defined")
        return self.vars[vid]


def _same_type(a: Any, b: Any) -> bool:
    """Same class and dtype, same rank, and static dims that agree where both are known (static
    shape inference differs between writers; a contradiction is still an error)."""
    if a == b:
        return True
    if type(a) is not type(b) or getattr(a, "dtype", None) != getattr(b, "dtype", None):
        return False
    sa, sb = getattr(a, "shape", None), getattr(b, "shape", None)
    if sa is None or sb is None:
        return sa == sb
    return len(sa) == len(sb) and all(x is None or y is None or x == y for x, y in zip(sa, sb))


def _make_type(t: Any) -> Any:
    """A ``TensorType`` or ``ScalarType`` (the only type classes of the format), checked."""
    from pytensor.scalar import ScalarType
    from pytensor.tensor.type import TensorType

    cls = t.get("class") if isinstance(t, dict) else None
    if cls not in vocab.TYPES:
        raise ValueError(
            f"refusing the variable type {cls!r}: the format has only TensorType and ScalarType"
        )
    dtype = _dtype(t.get("dtype"))
    if cls == "ScalarType":
        return ScalarType(dtype)
    shape = t.get("shape")
    if not isinstance(shape, list) or not all(d is None or _is_int(d) for d in shape):
        raise ValueError(f"a TensorType shape must be a list of ints and nulls, not {shape!r}")
    return TensorType(dtype=dtype, shape=tuple(shape))


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _dtype(name: Any) -> str:
    if name not in vocab.DTYPES:
        raise ValueError(f"refusing the dtype {name!r}: not one of {sorted(vocab.DTYPES)}")
    return str(name)


def _decode_number(x: Any) -> Any:
    if isinstance(x, dict) and "float" in x:
        return float(x["float"])
    return x


def _make_constant(entry: dict[str, Any]) -> Any:
    from pytensor.scalar import ScalarConstant
    from pytensor.tensor.variable import TensorConstant

    value = entry["value"]
    dtype = np.dtype(_dtype(value["dtype"]))
    if dtype.kind == "c":
        flat = [complex(_decode_number(re), _decode_number(im)) for re, im in value["data"]]
    else:
        flat = [_decode_number(x) for x in value["data"]]
    data = np.array(flat, dtype=dtype).reshape(value["shape"])
    t = _make_type(entry["type"])
    if entry["type"]["class"] == "ScalarType":
        return ScalarConstant(t, data[()], name=entry.get("name"))
    return TensorConstant(t, data, name=entry.get("name"))


def _decode(x: Any, where: str) -> Any:
    """Decodes a checked prop value (``vocab.check_props``); lists become tuples."""
    if isinstance(x, list):
        return tuple(_decode(e, where) for e in x)
    if isinstance(x, dict):
        if "float" in x and len(x) == 1:
            return float(x["float"])
        if "slice" in x:
            return slice(*(_decode(e, where) for e in x["slice"]))
        if "dict" in x:
            from pytensor.misc.frozendict import frozendict

            return frozendict({_decode(k, where): _decode(v, where) for k, v in x["dict"]})
        if "op" in x:
            return _make_op(x["op"], where)
        if "type" in x:
            return _make_type(x["type"])
        if "dataclass" in x:
            return _make_dataclass(x["dataclass"], x["fields"], where)
        raise ValueError(f"{where}: cannot decode the prop value {x!r}")
    return x


def _make_dataclass(name: str, fields: dict[str, Any], where: str) -> Any:
    if name != "ScanInfo":
        raise ValueError(f"{where}: refusing the dataclass {name!r}: the format has only ScanInfo")
    from pytensor.scan.op import ScanInfo

    return ScanInfo(**{k: _decode(v, where) for k, v in fields.items()})


def _key(op: Any, where: str) -> tuple[str, str]:
    """The (module, class) of an op object, as the allow-list spells it; a ``ValueError``
    naming both (and ``where``) for anything the allow-list lacks."""
    key = (op.get("module"), op.get("class")) if isinstance(op, dict) else (None, None)
    for known in (vocab.OPS, vocab.SCALAR_OPS, {vocab.CAST: None}):
        for k in known:
            if k == key:
                return k
    raise ValueError(
        f"{where}: refusing the op class {key[1]!r} of module {key[0]!r}: not in the "
        "pytensor-fgraph-json/1 vocabulary (skair/_pytensor_vocab.py)"
    )


def _import(key: tuple[str, str]) -> type:
    """The class of an allow-listed op (``key`` comes from ``vocab.OPS``)."""
    module, name = key
    return getattr(importlib.import_module(module), name)


def _scalar_op(op: dict[str, Any], key: tuple[str, str], where: str) -> Any:
    import pytensor.scalar as ps

    if key == vocab.CAST:
        inst = getattr(ps, f"convert_to_{_dtype(op.get('o_type'))}")
    else:
        inst = getattr(ps, vocab.SCALAR_OPS[key])
    name = op.get("name")
    if name is not None and name != getattr(inst, "name", None):
        raise ValueError(
            f"{where}: the scalar op {key[1]} is named {getattr(inst, 'name', None)!r} in "
            f"PyTensor, the document says {name!r}"
        )
    return inst


def _props(op: dict[str, Any], key: tuple[str, str], where: str) -> dict[str, Any]:
    """The checked, decoded constructor arguments of an allow-listed op class."""
    raw = vocab.check_props(f"{where} ({key[0]}.{key[1]})", vocab.OPS[key], op.get("props", {}))
    return {k: _decode(v, where) for k, v in raw.items()}


def _make_op(op: Any, where: str) -> Any:
    """An op built from its checked props (not for ops with inner graphs; see ``_apply``)."""
    from pytensor.compile.builders import OpFromGraph, SymbolicOp

    key = _key(op, where)
    if key not in vocab.OPS:
        return _scalar_op(op, key, where)
    cls = _import(key)
    if issubclass(cls, OpFromGraph) and not issubclass(cls, SymbolicOp):
        raise ValueError(f"{where}: {key[1]} has an inner graph and cannot be a prop")
    return cls(**_props(op, key, where))


def _inner(op: dict[str, Any], where: str) -> tuple[list[Any], list[Any]]:
    inner = op.get("inner")
    if not isinstance(inner, dict) or inner.get("format") != FORMAT:
        raise ValueError(f"{where}: {op.get('class')} needs an inner {FORMAT} graph")
    return _Reader(inner, f"{where}, inner graph: ").run()


def _apply(op: Any, inputs: list[Any], where: str) -> list[Any]:
    from pytensor.compile.builders import OpFromGraph, SymbolicOp
    from pytensor.scan.op import Scan

    key = _key(op, where)
    cls = _import(key) if key in vocab.OPS else None
    if cls is not None and issubclass(cls, Scan):
        props = _props(op, key, where)
        if "info" not in props:
            raise ValueError(f"{where}: Scan needs its info prop")
        inner_in, inner_out = _inner(op, where)
        built = Scan(inner_in, inner_out, props.pop("info"), **props)
    elif cls is not None and issubclass(cls, OpFromGraph) and not issubclass(cls, SymbolicOp):
        props = _props(op, key, where)
        inner_in, inner_out = _inner(op, where)
        built = cls(inner_in, inner_out, **props)
    else:
        built = _make_op(op, where)
    out = built(*inputs, return_list=True)
    return list(out)


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def dumps(outputs: Any, inputs: Sequence[Any] | None = None, indent: int | None = None) -> str:
    """The graph as ``pytensor-fgraph-json/1`` text."""
    return json.dumps(graph_to_json(outputs, inputs), indent=indent)


def dump(outputs: Any, path: str | os.PathLike[str], inputs: Sequence[Any] | None = None) -> None:
    """Writes the graph to ``path`` (conventionally ``*.pytensor.json``)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(outputs, inputs, indent=1))
        f.write("\n")


def loads(text: str | bytes) -> tuple[list[Any], list[Any]]:
    """Live ``(inputs, outputs)`` rebuilt from ``pytensor-fgraph-json/1`` text."""
    return json_to_graph(json.loads(text))


def load(path: str | os.PathLike[str]) -> tuple[list[Any], list[Any]]:
    """Live ``(inputs, outputs)`` rebuilt from a ``pytensor-fgraph-json/1`` file."""
    with open(path, encoding="utf-8") as f:
        return loads(f.read())
