"""Reading a PyTensor graph never runs code a document names (issue 12, item 1).

``skair.pytensor_json`` builds ops only from the allow-list in ``skair._pytensor_vocab``: every
document below names something outside it (or a prop of the wrong type) and must be refused
with a ``ValueError`` naming it, before anything runs; a canary directory and file check that
nothing happened. Every committed ``pytensor.json`` still loads and round-trips.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from conftest import REPO, examples_dir

pytest.importorskip("pytensor")
pj = pytest.importorskip("skair.pytensor_json")


def _exp_doc(op: dict) -> dict:
    """A one-node document: ``y = op(x)`` for a float64 vector ``x``."""
    t = {"class": "TensorType", "dtype": "float64", "shape": [None]}
    return {
        "format": pj.FORMAT,
        "inputs": ["v0"],
        "outputs": ["v1"],
        "variables": [
            {"id": "v0", "kind": "input", "name": "x", "type": t},
            {"id": "v1", "kind": "node_output", "name": None, "type": t, "node": 0, "index": 0},
        ],
        "nodes": [{"id": 0, "op": op, "inputs": ["v0"], "outputs": ["v1"]}],
    }


def _elemwise(scalar_op: dict) -> dict:
    return {
        "class": "Elemwise",
        "module": "pytensor.tensor.elemwise",
        "props": {"scalar_op": {"op": scalar_op}, "inplace_pattern": {"dict": []}},
    }


EXP = {"class": "Exp", "module": "pytensor.scalar.basic", "name": "exp"}


@pytest.fixture
def canary(tmp_path: Path):
    """A directory with a file in it; the test checks both are untouched and nothing was added."""
    d = tmp_path / "canary"
    d.mkdir()
    (d / "keep.txt").write_text("keep")

    def check() -> None:
        assert d.is_dir() and (d / "keep.txt").read_text() == "keep"
        assert sorted(p.name for p in tmp_path.rglob("*")) == ["canary", "keep.txt"]

    return d, check


def test_the_valid_document_loads():
    """The base of the refusals below is itself accepted (so each refusal is the change's)."""
    inputs, outputs = pj.json_to_graph(_exp_doc(_elemwise(EXP)))
    assert len(inputs) == 1 and len(outputs) == 1


@pytest.mark.parametrize(
    ("module", "cls"),
    [
        ("pytensor.link.c.cmodule", "ModuleCache"),
        ("os", "system"),
        ("builtins", "eval"),
        ("subprocess", "Popen"),
        ("pytensor.compile.function", "function"),
        ("pytensor.graph.fg", "FunctionGraph"),
        ("pytensor.tensor.basic", "__class__"),
        ("pytensor.tensor.elemwise", "__init__"),
        ("pytensor.tensor.elemwise", "Elemwise.__init__"),
    ],
)
def test_ops_outside_the_allow_list_are_refused(canary, module, cls):
    d, check = canary
    op = {"class": cls, "module": module, "props": {"dirname": str(d), "cmd": f"rm -r {d}"}}
    with pytest.raises(ValueError, match=r"node 0: refusing the op class") as e:
        pj.json_to_graph(_exp_doc(op))
    assert repr(cls) in str(e.value) and repr(module) in str(e.value)
    check()


def test_module_cache_named_as_a_nested_op_is_refused(canary):
    d, check = canary
    bad = {"class": "ModuleCache", "module": "pytensor.link.c.cmodule", "props": {"dirname": str(d)}}
    with pytest.raises(ValueError, match="refusing the op class 'ModuleCache'"):
        pj.json_to_graph(_exp_doc(_elemwise(bad)))
    check()


@pytest.mark.parametrize(
    "scalar",
    [
        {"class": "Composite", "module": "pytensor.scalar.basic"},
        {"class": "ScalarOp", "module": "pytensor.scalar.basic"},
        {"class": "Exp", "module": "pytensor.scalar.math"},
        {"class": "__dict__", "module": "pytensor.scalar.basic"},
    ],
)
def test_scalar_ops_outside_the_allow_list_are_refused(scalar):
    with pytest.raises(ValueError, match=f"refusing the op class '{scalar['class']}'"):
        pj.json_to_graph(_exp_doc(_elemwise(scalar)))


def test_a_cast_to_an_unknown_dtype_is_refused():
    cast = {"class": "Cast", "module": "pytensor.scalar.basic", "o_type": "float64; import os"}
    with pytest.raises(ValueError, match="refusing the dtype"):
        pj.json_to_graph(_exp_doc(_elemwise(cast)))


def test_a_scalar_op_with_another_name_is_refused():
    with pytest.raises(ValueError, match="named 'exp' in PyTensor, the document says 'log'"):
        pj.json_to_graph(_exp_doc(_elemwise({**EXP, "name": "log"})))


@pytest.mark.parametrize(
    ("prop", "value", "what"),
    [
        ("inplace_pattern", "rm -rf /", "a dict from ints"),
        ("inplace_pattern", {"dict": [["0", [0]]]}, "a dict from ints"),
        ("scalar_op", "pytensor.scalar.basic.exp", "an {\"op\": ...} object"),
        ("nfunc_spec", ["os", "system"], None),
        ("__class__", 1, None),
    ],
)
def test_props_of_the_wrong_type_are_refused(prop, value, what):
    op = copy.deepcopy(_elemwise(EXP))
    op["props"][prop] = value
    with pytest.raises(ValueError, match=r"node 0 \(pytensor.tensor.elemwise.Elemwise\)") as e:
        pj.json_to_graph(_exp_doc(op))
    message = str(e.value)
    assert repr(prop) in message
    assert (what in message) if what else "not one this op class takes" in message


@pytest.mark.parametrize(
    ("cls", "module", "props", "prop"),
    [
        ("DimShuffle", "pytensor.tensor.elemwise", {"input_ndim": True, "new_order": [0]}, "input_ndim"),
        ("DimShuffle", "pytensor.tensor.elemwise", {"input_ndim": 1, "new_order": ["y"]}, "new_order"),
        ("Subtensor", "pytensor.tensor.subtensor", {"idx_list": [{"slice": ["a", None, None]}]}, "idx_list"),
        ("Sum", "pytensor.tensor.math", {"axis": None, "dtype": "object", "acc_dtype": None}, "dtype"),
        ("SortOp", "pytensor.tensor.sort", {"kind": "bogosort"}, "kind"),
        ("Reshape", "pytensor.tensor.shape", {"ndim": 1.5}, "ndim"),
    ],
)
def test_tensor_op_props_are_checked(cls, module, props, prop):
    with pytest.raises(ValueError, match=f"the prop '{prop}' must be"):
        pj.json_to_graph(_exp_doc({"class": cls, "module": module, "props": props}))


def test_variable_types_and_dtypes_come_from_the_allow_list():
    doc = _exp_doc(_elemwise(EXP))
    doc["variables"][0]["type"] = {"class": "NoneTypeT", "module": "pytensor.graph.null_type"}
    with pytest.raises(ValueError, match="refusing the variable type 'NoneTypeT'"):
        pj.json_to_graph(doc)
    doc = _exp_doc(_elemwise(EXP))
    doc["variables"][0]["type"]["dtype"] = "object"
    with pytest.raises(ValueError, match="refusing the dtype 'object'"):
        pj.json_to_graph(doc)


def test_scan_info_fields_are_checked():
    path = REPO / "translators" / "air-pytensor" / "tests" / "data" / "scan_vector_state.pytensor.json"
    doc = json.loads(path.read_text())
    scan = next(n for n in doc["nodes"] if n["op"]["class"] == "Scan")
    scan["op"]["props"]["info"]["fields"]["n_seqs"] = "1"
    with pytest.raises(ValueError, match="the prop 'info' must be a ScanInfo"):
        pj.json_to_graph(doc)


def _committed_documents() -> list[Path]:
    data = REPO / "translators" / "air-pytensor" / "tests" / "data"
    files = sorted(examples_dir().glob("*/pytensor.json")) + sorted(data.glob("*.pytensor.json"))
    assert len(files) >= 10, files
    return files


@pytest.mark.parametrize("path", _committed_documents(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_documents_load_and_round_trip(path):
    from pytensor.graph.basic import equal_computations

    inputs, outputs = pj.json_to_graph(json.loads(path.read_text()))
    again = pj.graph_to_json(outputs, inputs)
    inputs2, outputs2 = pj.json_to_graph(again)
    assert equal_computations(outputs, outputs2, inputs, inputs2)
    assert pj.graph_to_json(outputs2, inputs2)["nodes"] == again["nodes"]
