"""The vocabulary ``skair.pytensor_json`` reads: the one allow-list of op classes, scalar ops,
variable types and dtypes a ``pytensor-fgraph-json/1`` document may name.

No name from a document is ever looked up as a Python attribute: the reader finds the op class
and module in ``OPS`` (or the scalar op in ``SCALAR_OPS``), checks every prop against what that
op's constructor takes (``PropCheck``), and only then imports the class named here, by the
module and attribute names written in this file. Anything else is a ``ValueError`` naming the
construct. The tables cover every op class and scalar op of the Rust translator's table
(``translators/air-pytensor/src/table.rs``) and of the committed fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DTYPES = frozenset(
    ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
    + ["float16", "float32", "float64", "complex64", "complex128"]
)
"""The dtypes of variables, constants, casts and dtype props."""

TYPES = frozenset(["TensorType", "ScalarType"])
"""The variable type classes: ``TensorType`` (``pytensor.tensor.type``) and ``ScalarType``."""


@dataclass(frozen=True)
class PropCheck:
    """What a prop's JSON value must be (``what`` is said in the refusal)."""

    what: str
    test: Callable[[Any], bool]


def _int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _ints(x: Any) -> bool:
    return isinstance(x, list) and all(_int(e) for e in x)


def _slice(x: Any) -> bool:
    parts = x.get("slice") if isinstance(x, dict) and len(x) == 1 else None
    return isinstance(parts, list) and len(parts) == 3 and all(p is None or _int(p) for p in parts)


def _op_ref(x: Any) -> bool:
    return isinstance(x, dict) and len(x) == 1 and isinstance(x.get("op"), dict)


def _inplace(x: Any) -> bool:
    pairs = x.get("dict") if isinstance(x, dict) and len(x) == 1 else None
    if not isinstance(pairs, list):
        return False
    return all(
        isinstance(p, list) and len(p) == 2 and _int(p[0]) and (_int(p[1]) or _ints(p[1]))
        for p in pairs
    )


def _scan_info(x: Any) -> bool:
    if not isinstance(x, dict) or x.get("dataclass") != "ScanInfo":
        return False
    fields = x.get("fields")
    if not isinstance(fields, dict) or set(fields) != set(_SCAN_INFO):
        return False
    return all(_SCAN_INFO[k].test(v) for k, v in fields.items())


INT = PropCheck("an int", _int)
BOOL = PropCheck("a bool", lambda x: isinstance(x, bool))
OPT_BOOL = PropCheck("a bool or null", lambda x: x is None or isinstance(x, bool))
OPT_STR = PropCheck("a string or null", lambda x: x is None or isinstance(x, str))
STR = PropCheck("a string", lambda x: isinstance(x, str))
DTYPE = PropCheck("a dtype name", lambda x: x in DTYPES)
OPT_DTYPE = PropCheck("a dtype name or null", lambda x: x is None or x in DTYPES)
OPT_INT = PropCheck("an int or null", lambda x: x is None or _int(x))
AXIS = PropCheck("null, an int or a list of ints", lambda x: x is None or _int(x) or _ints(x))
INTS = PropCheck("a list of ints", _ints)
INT_LISTS = PropCheck(
    "a list of lists of ints", lambda x: isinstance(x, list) and all(map(_ints, x))
)
NEW_ORDER = PropCheck(
    'a list of ints and "x"',
    lambda x: isinstance(x, list) and all(_int(e) or e == "x" for e in x),
)
IDX_LIST = PropCheck(
    "a list of ints and slices of ints",
    lambda x: isinstance(x, list) and all(_int(e) or _slice(e) for e in x),
)
INPLACE = PropCheck("a dict from ints to ints or lists of ints", _inplace)
OP = PropCheck('an {"op": ...} object', _op_ref)
SCAN_INFO = PropCheck("a ScanInfo dataclass of ints, bools and lists of lists of ints", _scan_info)
CUM_MODE = PropCheck('"add" or "mul"', lambda x: x in ("add", "mul"))
SORT_KIND = PropCheck(
    "a sort kind", lambda x: x in ("quicksort", "mergesort", "heapsort", "stable")
)

_SCAN_INFO = {
    "n_seqs": INT,
    "mit_mot_in_slices": INT_LISTS,
    "mit_mot_out_slices": INT_LISTS,
    "mit_sot_in_slices": INT_LISTS,
    "sit_sot_in_slices": INT_LISTS,
    "n_nit_sot": INT,
    "n_untraced_sit_sot": INT,
    "n_non_seqs": INT,
    "as_while": BOOL,
}


@dataclass(frozen=True)
class OpSpec:
    """An op class the reader may build: ``args`` are the props passed to its constructor,
    ``dropped`` the props it writes but does not take (checked, then left out: the rebuilt
    output types are compared with the document's)."""

    args: dict[str, PropCheck] = field(default_factory=dict)
    dropped: dict[str, PropCheck] = field(default_factory=dict)


_REDUCE_DROPPED = {"scalar_op": OP, "dtype": OPT_DTYPE, "acc_dtype": OPT_DTYPE}
_UPCAST = {"upcast_discrete_output": BOOL}
_MINMAX = OpSpec({"axis": AXIS}, {**_REDUCE_DROPPED, **_UPCAST})
_SUM_ARGS = {"axis": AXIS, "dtype": OPT_DTYPE, "acc_dtype": OPT_DTYPE}
_INC = {"idx_list": IDX_LIST, "inplace": BOOL, "set_instead_of_inc": BOOL}
_SCAN = {
    "info": SCAN_INFO,
    "name": OPT_STR,
    "truncate_gradient": INT,
    "profile": OPT_BOOL,
    "allow_gc": OPT_BOOL,
    "strict": BOOL,
}

_TE, _TM, _TB = "pytensor.tensor.elemwise", "pytensor.tensor.math", "pytensor.tensor.basic"
_TS, _SH, _XO = "pytensor.tensor.subtensor", "pytensor.tensor.shape", "pytensor.tensor.extra_ops"

OPS: dict[tuple[str, str], OpSpec] = {
    (_TE, "Elemwise"): OpSpec({"scalar_op": OP, "inplace_pattern": INPLACE}),
    (_TE, "DimShuffle"): OpSpec({"input_ndim": INT, "new_order": NEW_ORDER}),
    (_TE, "CAReduce"): OpSpec({"scalar_op": OP, **_SUM_ARGS, **_UPCAST}),
    (_TM, "Sum"): OpSpec(_SUM_ARGS, {"scalar_op": OP, **_UPCAST}),
    (_TM, "Prod"): OpSpec({**_SUM_ARGS, "no_zeros_in_input": BOOL}, {"scalar_op": OP, **_UPCAST}),
    (_TM, "Max"): _MINMAX,
    (_TM, "Min"): _MINMAX,
    (_TM, "Any"): _MINMAX,
    (_TM, "All"): _MINMAX,
    (_TM, "Argmax"): OpSpec({"axis": AXIS}),
    (_TM, "Dot"): OpSpec(),
    ("pytensor.tensor.blockwise", "Blockwise"): OpSpec({"core_op": OP, "signature": OPT_STR}),
    (_TS, "Subtensor"): OpSpec({"idx_list": IDX_LIST}),
    (_TS, "IncSubtensor"): OpSpec({**_INC, "destroyhandler_tolerate_aliased": INT_LISTS}),
    (_TS, "AdvancedSubtensor1"): OpSpec(),
    (_TS, "AdvancedSubtensor"): OpSpec({"idx_list": IDX_LIST}),
    (_TS, "AdvancedIncSubtensor"): OpSpec({**_INC, "ignore_duplicates": BOOL}),
    (_TS, "AdvancedIncSubtensor1"): OpSpec({"inplace": BOOL, "set_instead_of_inc": BOOL}),
    (_TB, "Join"): OpSpec(),
    (_TB, "Alloc"): OpSpec(),
    (_TB, "AllocEmpty"): OpSpec({"dtype": DTYPE}),
    (_TB, "MakeVector"): OpSpec({"dtype": DTYPE}),
    (_TB, "ScalarFromTensor"): OpSpec(),
    (_TB, "TensorFromScalar"): OpSpec(),
    (_TB, "ARange"): OpSpec({"dtype": DTYPE}),
    (_TB, "Eye"): OpSpec({"dtype": OPT_DTYPE}),
    (_TB, "ExtractDiag"): OpSpec({"offset": INT, "axis1": INT, "axis2": INT, "view": BOOL}),
    (_TB, "Split"): OpSpec({"len_splits": INT}),
    (_SH, "Shape"): OpSpec(),
    (_SH, "Shape_i"): OpSpec({"i": INT}),
    (_SH, "Reshape"): OpSpec({"ndim": INT}),
    (_SH, "SpecifyShape"): OpSpec(),
    (_XO, "CumOp"): OpSpec({"axis": OPT_INT, "mode": CUM_MODE}),
    (_XO, "Repeat"): OpSpec({"axis": OPT_INT}),
    (_XO, "Unique"): OpSpec(
        {"return_index": BOOL, "return_inverse": BOOL, "return_counts": BOOL, "axis": OPT_INT}
    ),
    ("pytensor.tensor.sort", "SortOp"): OpSpec({"kind": SORT_KIND}),
    ("pytensor.tensor.sort", "ArgSortOp"): OpSpec({"kind": SORT_KIND}),
    ("pytensor.tensor.special", "Softmax"): OpSpec({"axis": AXIS}),
    ("pytensor.tensor.special", "LogSoftmax"): OpSpec({"axis": AXIS}),
    ("pytensor.tensor.einsum", "Einsum"): OpSpec(
        {"subscripts": STR, "path": INT_LISTS, "optimized": BOOL}
    ),
    ("pytensor.compile.builders", "OpFromGraph"): OpSpec(),
    ("pytensor.scan.op", "Scan"): OpSpec(_SCAN),
    ("pytensor.ifelse", "IfElse"): OpSpec({"n_outs": INT, "as_view": BOOL}),
}
"""Op classes by (module, class), each with the props its constructor takes."""

_SB, _SM = "pytensor.scalar.basic", "pytensor.scalar.math"

SCALAR_OPS: dict[tuple[str, str], str] = {
    (_SB, c): a
    for c, a in [
        ("Add", "add"), ("Sub", "sub"), ("Mul", "mul"), ("TrueDiv", "true_div"),
        ("IntDiv", "int_div"), ("Mod", "mod"), ("Pow", "pow"), ("Maximum", "scalar_maximum"),
        ("Minimum", "scalar_minimum"), ("ArcTan2", "arctan2"), ("EQ", "eq"), ("NEQ", "neq"),
        ("LT", "lt"), ("LE", "le"), ("GT", "gt"), ("GE", "ge"), ("AND", "and_"), ("OR", "or_"),
        ("XOR", "xor"), ("Neg", "neg"), ("Abs", "scalar_abs"), ("Sign", "sign"), ("Exp", "exp"),
        ("Expm1", "expm1"), ("Log", "log"), ("Log1p", "log1p"), ("Sqrt", "sqrt"), ("Sin", "sin"),
        ("Cos", "cos"), ("Tan", "tan"), ("ArcSin", "arcsin"), ("ArcCos", "arccos"),
        ("ArcTan", "arctan"), ("Sinh", "sinh"), ("Cosh", "cosh"), ("Tanh", "tanh"),
        ("Floor", "floor"), ("Ceil", "ceil"), ("RoundHalfToEven", "round_half_to_even"),
        ("Reciprocal", "reciprocal"), ("Invert", "invert"), ("IsNan", "isnan"),
        ("IsInf", "isinf"), ("Switch", "switch"), ("Clip", "clip"), ("Sqr", "sqr"),
        ("Trunc", "trunc"), ("Second", "second"), ("Identity", "identity"), ("Real", "real"),
        ("Imag", "imag"), ("Conj", "conj"), ("Angle", "angle"), ("Complex", "complex"),
        ("ArcSinh", "arcsinh"), ("ArcCosh", "arccosh"), ("ArcTanh", "arctanh"),
        ("Exp2", "exp2"), ("Log2", "log2"), ("Log10", "log10"),
    ]  # fmt: skip
} | {(_SM, "Erf"): "erf", (_SM, "Sigmoid"): "sigmoid", (_SM, "Softplus"): "softplus"}
"""Scalar ops by (module, class): the instance's attribute in ``pytensor.scalar`` (``Cast`` is
separate: ``convert_to_<dtype>`` for a dtype of ``DTYPES``)."""

CAST = (_SB, "Cast")


def check_props(where: str, spec: OpSpec, props: Any) -> dict[str, Any]:
    """The props ``spec``'s constructor takes, after every prop is checked; a ``ValueError``
    (naming ``where``, the prop and what it must be) for an unknown prop or a wrong value."""
    if not isinstance(props, dict):
        raise ValueError(f"{where}: props must be an object, not {type(props).__name__}")
    for name, value in props.items():
        check = spec.args.get(name) or spec.dropped.get(name)
        if check is None:
            raise ValueError(f"{where}: refusing the prop {name!r}, not one this op class takes")
        if not check.test(value):
            raise ValueError(f"{where}: the prop {name!r} must be {check.what}, not {value!r}")
    return {k: v for k, v in props.items() if k in spec.args}
