"""The SymPy bridge: live SymPy objects to AIR and back.

``from_sympy`` writes the objects with ``sympy.srepr`` and imports the text with AIR's SymPy
translator; ``to_sympy`` exports a module with that translator and rebuilds live objects from the
srepr text without ``eval``: the text is parsed with ``ast`` and only calls of SymPy classes
(``Symbol``, ``Add``, ``exp``...), SymPy's named constants (``pi``, ``true``...) and literal
arguments are accepted.
"""

from __future__ import annotations

import ast
from typing import Any, Mapping, Optional, Sequence, Union

from skair._skair import Module, loads

#: Classes srepr writes that ``from sympy import *`` does not provide.
_EXTRA = {
    "ExprCondPair": ("sympy.functions.elementary.piecewise", "ExprCondPair"),
    "Str": ("sympy.core.symbol", "Str"),
}


def _name(obj: Any, what: str) -> str:
    """The name of a symbol as AIR sees it: a str, a Symbol, an IndexedBase or an Indexed."""
    import sympy

    if isinstance(obj, str):
        return obj
    if isinstance(obj, sympy.Indexed):
        return str(obj.base.label)
    if isinstance(obj, sympy.IndexedBase):
        return str(obj.label)
    if isinstance(obj, sympy.Symbol):
        return obj.name
    raise TypeError(f"{what}: expected a name (str, Symbol, IndexedBase), got {type(obj).__name__}")


def _equations(eqs: Any, output: Any) -> list:
    import sympy

    if isinstance(eqs, sympy.Equality):
        eqs = [eqs]
    elif isinstance(eqs, (list, tuple, sympy.Tuple)):
        eqs = list(eqs)
        bad = [type(e).__name__ for e in eqs if not isinstance(e, sympy.Equality)]
        if bad or not eqs:
            raise TypeError(
                "from_sympy: a list must hold sympy.Eq equations"
                + (f", got {', '.join(bad)}" if bad else ", got an empty list")
            )
    elif isinstance(eqs, sympy.Basic):
        if output is None:
            raise TypeError(
                "from_sympy: an expression needs output= (the name, Symbol or Indexed it is assigned to)"
            )
        lhs = sympy.Symbol(output) if isinstance(output, str) else output
        if not isinstance(lhs, (sympy.Symbol, sympy.Indexed)):
            raise TypeError(f"from_sympy: output= must be a str, Symbol or Indexed, got {type(output).__name__}")
        return [sympy.Eq(lhs, eqs, evaluate=False)]
    else:
        raise TypeError(
            f"from_sympy: expected a sympy.Eq, a list of them, or an expression with output=, got {type(eqs).__name__}"
        )
    if output is not None:
        raise TypeError("from_sympy: output= is for a bare expression; equations name their left sides")
    return eqs


def from_sympy(
    eqs: Any,
    args: Optional[Sequence[Any]] = None,
    *,
    output: Any = None,
    dtypes: Optional[Mapping[Any, Any]] = None,
) -> Module:
    """A module with one function ``main`` computing SymPy equations.

    ``eqs``: a ``sympy.Eq`` (``Eq(y[i], A[i, j]*x[j])``), a list of them, or an expression with
    ``output=`` naming what it is assigned to. An index on the right side that is neither on the
    left side nor bound by a ``Sum`` is summed (SymPy's codegen convention). ``args``: the
    parameters in order (names, Symbols or IndexedBases; not dims, which come from the arrays'
    shapes); a listed name that is only assigned becomes an ``out`` parameter. Without ``args``
    the order is SymPy's codegen default (``make_routine`` with ``argument_sequence=None``): the
    inputs by name, then the ``inout`` parameters by name; results come in equation order.
    ``dtypes``: ``{name: dtype}`` (``"f32"``, ``numpy.float32``...); names not listed take
    ``i64`` for symbols SymPy holds integer (``integer=True``, ``odd=True``...), else ``f64``,
    and a compiled kernel specialises them to the dtypes of the arrays it is given.
    """
    import sympy

    eqs = _equations(eqs, output)
    text = sympy.srepr(eqs[0] if len(eqs) == 1 else sympy.Tuple(*eqs))
    names = None if args is None else [_name(a, "args") for a in args]
    types = None if dtypes is None else {_name(k, "dtypes"): v for k, v in dtypes.items()}
    return loads(text, format="sympy", args=names, dtypes=types, source="<sympy>")


def to_sympy(module: Module) -> Union[Any, list]:
    """The module's function (``main``, else the only one) as live SymPy objects: an ``Equality`` per
    result and per ``out``/``inout`` parameter, one alone or a list of them (what ``from_sympy``
    accepts). Raises ``skair.TranslationError`` listing every construct SymPy cannot express."""
    text = module.dumps("sympy")
    built = rebuild(text)
    import sympy

    if isinstance(built, sympy.Tuple):
        return list(built)
    return built


def rebuild(text: str) -> Any:
    """Live SymPy objects from srepr text, without ``eval`` (see the module docs)."""
    import sympy

    try:
        tree = ast.parse(text, mode="eval")
        return _Builder(sympy).node(tree.body, top=True)
    except RecursionError:
        raise ValueError("srepr text nested too deeply to rebuild") from None
    except SyntaxError as e:
        raise ValueError(f"not srepr text: {e}") from None


class _Builder:
    def __init__(self, sympy: Any) -> None:
        self.sympy = sympy

    def node(self, n: ast.AST, top: bool = False) -> Any:
        if isinstance(n, ast.Call):
            f = self.callee(n.func)
            args = [self.node(a) for a in n.args]
            kwargs = {}
            for k in n.keywords:
                if k.arg is None:
                    raise ValueError("srepr text: ** arguments are not accepted")
                kwargs[k.arg] = self.literal(k.value)
            return f(*args, **kwargs)
        if isinstance(n, ast.Name):
            value = self.lookup(n.id)
            if isinstance(value, self.sympy.Basic):
                return value
            if isinstance(value, type) and issubclass(value, self.sympy.Basic):
                raise ValueError(f"srepr text: {n.id} is used without arguments")
            raise ValueError(f"srepr text: {n.id!r} is not a SymPy constant")
        if not top:
            return self.literal(n)
        raise ValueError(f"srepr text: a literal at the top ({ast.dump(n)}); expected a SymPy expression")

    def lookup(self, name: str) -> Any:
        if name in _EXTRA:
            import importlib

            module, attr = _EXTRA[name]
            return getattr(importlib.import_module(module), attr)
        if name.startswith("_") or not hasattr(self.sympy, name):
            raise ValueError(f"srepr text: {name!r} is not a SymPy name")
        return getattr(self.sympy, name)

    def callee(self, n: ast.AST) -> Any:
        if not isinstance(n, ast.Name):
            raise ValueError(f"srepr text: only SymPy class names may be called, not {ast.dump(n)}")
        f = self.lookup(n.id)
        if not (isinstance(f, type) and issubclass(f, self.sympy.Basic)):
            raise ValueError(f"srepr text: {n.id!r} is not a SymPy class; refusing to call it")
        return f

    def literal(self, n: ast.AST) -> Any:
        if isinstance(n, ast.Constant) and type(n.value) in (int, float, str, bool):
            return n.value
        if (
            isinstance(n, ast.UnaryOp)
            and isinstance(n.op, ast.USub)
            and isinstance(n.operand, ast.Constant)
            and type(n.operand.value) in (int, float)
        ):
            return -n.operand.value
        raise ValueError(f"srepr text: unexpected {type(n).__name__} (only SymPy calls and literals)")
