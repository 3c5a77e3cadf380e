"""SymPy's own numbers for an srepr system, computed the way a SymPy user computes them.

Shared by the peer script ``conformance/peers/sympy.py`` (SymPy evaluates AIR's export of each
conformance case) and ``translators/air-sympy/tests/random_sympy.py`` (SymPy's values are the
oracle for random systems). The library must already be imported by the caller (the peer script
takes care that its own folder does not shadow ``sympy``).

- ``read`` evaluates srepr text with ``from sympy import *`` plus ``ExprCondPair`` and ``Str``,
  the two classes srepr names that the star import does not export.
- ``evaluate`` computes every equation of a system in order, with ``lambdify`` (NumPy and
  SciPy printers), at every output index. SymPy has no meaning for an index that is neither on
  the left side nor bound by ``Sum``/``Product``; AIR's one index rule sums it over the top-level
  ``Add`` term it appears in, so it is written as an explicit ``Sum`` first. ``Product`` has no
  NumPy printer: it is expanded with ``doit()`` once its bounds are numbers (after the dims, and
  the output indices where its bounds depend on them, are substituted).
- ``autowrapped`` compiles one equation with SymPy's ``autowrap`` (Cython backend, gcc).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable

import numpy as np
import sympy as sp
from sympy import Idx, IndexedBase, Symbol

Equation = sp.Equality


def namespace() -> dict[str, Any]:
    """The names srepr text uses: ``from sympy import *`` plus ``ExprCondPair`` and ``Str``."""
    ns: dict[str, Any] = {}
    exec("from sympy import *", ns)
    ns.update(ExprCondPair=sp.functions.elementary.piecewise.ExprCondPair, Str=sp.core.symbol.Str)
    return ns


def read(text: str) -> list[Equation]:
    """The equations of srepr text: one ``Equality`` or a ``Tuple`` of them."""
    root = eval(text, namespace())  # srepr is made to be read back by eval; our own export here
    eqs = list(root) if isinstance(root, sp.Tuple) else [root]
    for e in eqs:
        if not isinstance(e, sp.Equality):
            raise ValueError(f"SymPy reads the text as {e!r}, not as an Equality")
    return eqs


def lhs_name(eq: Equation) -> str:
    """The name an equation assigns: its ``Indexed`` base or its ``Symbol``."""
    lhs = eq.lhs
    return str(lhs.base.label) if isinstance(lhs, sp.Indexed) else str(lhs)


def lhs_indices(eq: Equation) -> list[Idx]:
    return list(eq.lhs.indices) if isinstance(eq.lhs, sp.Indexed) else []


def bind_dims(eqs: list[Equation], arrays: dict[str, np.ndarray]) -> dict[Symbol, int]:
    """Dimension symbols bound by the shapes of the arrays passed (``IndexedBase`` shapes)."""
    dims: dict[Symbol, int] = {}
    for e in eqs:
        for b in e.atoms(IndexedBase):
            arr = arrays.get(str(b.label))
            if arr is None or b.shape is None:
                continue
            for d, size in zip(b.shape, arr.shape):
                if isinstance(d, Symbol):
                    if dims.setdefault(d, size) != size:
                        raise ValueError(f"dimension {d} is both {dims[d]} and {size}")
    # A dimension passed as an integer argument (an AIR size parameter, SymPy codegen's `int`
    # dimension argument): a 0-d array named as the symbol.
    shapes = [d for e in eqs for b in e.atoms(IndexedBase) for d in (b.shape or ())]
    shapes += [x for e in eqs for ix in e.atoms(Idx) for x in (ix.lower, ix.upper)
               if x is not None]
    for s in {s for d in shapes for s in sp.sympify(d).free_symbols}:
        arr = arrays.get(str(s))
        if arr is not None and np.ndim(arr) == 0:
            size = int(arr)
            if dims.setdefault(s, size) != size:
                raise ValueError(f"dimension {s} is both {dims[s]} and {size}")
    return dims


def explicit(eq: Equation) -> sp.Expr:
    """The right side with every index made a plain integer symbol and AIR's implicit sums
    written as ``Sum`` over the top-level ``Add`` terms they appear in. That is SymPy's
    contraction structure only where each contraction is at the top of its term: a term with
    one deeper down (``exp(A[i, i])``, a trace inside ``exp``) raises ``ValueError``."""
    out = {ix.label for ix in lhs_indices(eq)}
    terms = []
    for t in sp.Add.make_args(eq.rhs):
        nested_contraction(t, out)
        free = sorted({s for s in t.free_symbols if isinstance(s, Idx) and s.label not in out},
                      key=str)
        t = plain(t)
        if free:
            t = sp.Sum(t, *[(ix.label, ix.lower, ix.upper) for ix in free])
        terms.append(t)
    return sp.Add(*terms)


def nested_contraction(term: sp.Expr, out: set[Symbol]) -> None:
    """Raises ``ValueError`` when SymPy's ``get_contraction_structure`` contracts a free
    ``Idx`` (not in `out`) below the top of `term`."""
    from sympy.tensor.index_methods import get_contraction_structure

    def walk(structure: Any, top: bool) -> None:
        for key, parts in structure.items():
            if isinstance(key, tuple) and not top and any(
                    isinstance(ix, Idx) and ix.label not in out for ix in key):
                raise ValueError(f"a contraction below the top of {term}: {key} in {parts}")
            if isinstance(key, sp.Basic) and not isinstance(key, tuple):
                for d in parts:
                    walk(d, False)

    try:
        structure = get_contraction_structure(term)
    except NotImplementedError:  # a Sum or Product: it binds its own indices
        return
    except TypeError:
        # SymPy 1.14 describes a Piecewise as {None: expr}, not a set, and fails to merge it
        # into an Add's structure: it has no structure there (and AIR refuses a contraction
        # inside a Piecewise).
        return
    walk(structure, True)


def plain(e: sp.Expr) -> sp.Expr:
    """``Idx`` objects replaced by their labels (``subs`` on a ``Sum`` bound by an ``Idx`` loses
    the binding)."""
    return e.replace(lambda a: isinstance(a, Idx), lambda a: a.label)


def out_shape(eq: Equation, dims: dict[Symbol, int]) -> tuple[list[int], list[int]]:
    """(lower bounds, extents) of the left side's indices."""
    lows, extents = [], []
    for ix in lhs_indices(eq):
        lo, hi = (int(sp.sympify(b).subs(dims)) for b in (ix.lower, ix.upper))
        lows.append(lo)
        extents.append(max(hi - lo + 1, 0))
    return lows, extents


def bound_by(p: sp.Product, syms: set[Symbol]) -> bool:
    """True when a bound of the product mentions one of `syms`."""
    return any(sp.sympify(b).free_symbols & syms for lim in p.limits for b in lim[1:])


def expand_products(rhs: sp.Expr, values: dict[Symbol, Any]) -> sp.Expr:
    """Every ``Product`` with `values` substituted and expanded by ``doit`` (SymPy's NumPy
    printer has none)."""
    return rhs.replace(lambda a: isinstance(a, sp.Product), lambda a: a.subs(values).doit())


def evaluate_equation(eq: Equation, env: dict[str, Any], dims: dict[Symbol, int]) -> np.ndarray:
    """The equation's right side at every output index, as an object array of NumPy scalars
    (rank 0 for a scalar). The dims are arguments of the lambdified function (NumPy integers,
    so that ``m**-1`` at ``m = 0`` is infinity, as in NumPy, rather than SymPy's ``zoo``)."""
    lows, extents = out_shape(eq, dims)
    outer = [ix.label for ix in lhs_indices(eq)]
    rhs = explicit(eq)
    dim_syms = sorted(dims, key=str)
    # A dimension passed as an integer argument is a dimension here, not also an input value.
    names = sorted(({str(s) for s in rhs.atoms(Symbol)} & set(env)) - {str(d) for d in dims})
    args = [env[s] for s in names] + [np.int64(dims[d]) for d in dim_syms]
    syms = [Symbol(s) for s in names] + dim_syms
    if any(bound_by(p, set(outer)) for p in rhs.atoms(sp.Product)):
        # A bound depends on the output index: expand per output element.
        def at(vals: tuple[int, ...]) -> Any:
            e = expand_products(rhs, {**dims, **dict(zip(outer, vals))})
            return lambdify(syms + outer, e)(*args, *vals)
    else:
        f = lambdify(syms + outer, expand_products(rhs, dims))

        def at(vals: tuple[int, ...]) -> Any:
            return f(*args, *vals)
    out = np.empty(extents, dtype=object)
    for pos in np.ndindex(*extents):
        out[pos] = np.asarray(at(tuple(lo + p for lo, p in zip(lows, pos))))[()]
    return out


def lambdify(args: list[Symbol], expr: sp.Expr) -> Callable[..., Any]:
    """SymPy's ``lambdify`` with SciPy's printer (``erf``) over NumPy."""
    return sp.lambdify(args, expr, modules=["scipy", "numpy"])


def evaluate(eqs: list[Equation], arrays: dict[str, np.ndarray],
             dims: dict[Symbol, int] | None = None) -> dict[str, np.ndarray]:
    """Every equation in order; a later equation reads the values earlier ones assigned."""
    env: dict[str, Any] = dict(arrays)
    dims = bind_dims(eqs, arrays) if dims is None else dims
    values = {}
    for e in eqs:
        v = evaluate_equation(e, env, dims)
        env[lhs_name(e)] = values[lhs_name(e)] = np.array(v.tolist()).reshape(v.shape)
    return values


def autowrap_problem(eq: Equation) -> str | None:
    """Why ``autowrap`` would compute something else than SymPy says, or None.

    - Its contraction rule (``get_contraction_structure``) sums an index repeated in a product
      even when it is on the left side: ``y[i] = a[i]*b[i]`` would become ``n*sum(a*b)``.
    - SymPy 1.14's C printer writes a ``Mod`` of numbers not known to be integers as C's
      ``fmod``, whose result has the sign of the dividend, where SymPy's ``Mod`` has the
      divisor's; ``sign(x)`` as ``(x > 0) - (x < 0)``, which is 0 at NaN where SymPy's is nan;
      and ``x**(-1/2)`` as ``pow(x, -1.0/2.0)``, +inf at -0.0 where ``1/sqrt(x)`` is -inf.
    """
    from sympy.tensor.index_methods import get_contraction_structure

    for mod in eq.rhs.atoms(sp.Mod):
        if not all(a.is_integer for a in mod.args):
            return f"SymPy's C printer writes {mod} as fmod (truncated, not floored)"
    if eq.rhs.atoms(sp.sign):
        return "SymPy's C printer writes sign(x) as (x > 0) - (x < 0), 0 at NaN"
    for p in eq.rhs.atoms(sp.Pow):
        if p.exp.is_Rational and not p.exp.is_integer and p.exp < 0:
            return f"SymPy's C printer writes {p} with pow(), +inf at -0.0"
    out = {ix.label for ix in lhs_indices(eq)}

    def walk(structure: Any) -> str | None:
        if not isinstance(structure, dict):
            return None
        for key, parts in structure.items():
            if key is not None and {ix.label for ix in key} & out:
                return f"autowrap would sum the left side's index in {parts}"
            for p in parts if isinstance(parts, (list, set, tuple)) else [parts]:
                why = walk(p)
                if why:
                    return why
        return None

    try:
        structure = get_contraction_structure(eq.rhs)
    except NotImplementedError as e:  # SymPy's index analysis does not know the head
        return f"NotImplementedError: {e}"
    return walk(structure)


class NotTaken(Exception):
    """SymPy's code generation does not take this equation (before any compiling)."""


def autowrapped(eq: Equation, params: list[str], env: dict[str, Any],
                dims: dict[Symbol, int], tmp: Path | None = None) -> np.ndarray:
    """The equation compiled by ``autowrap(backend='cython')`` (C through Cython and gcc) and
    called on float64 arrays. Raises ``NotTaken`` when SymPy's code generation refuses it or
    would compute something else (``autowrap_problem``)."""
    from sympy.tensor.index_methods import IndexConformanceException
    from sympy.utilities.autowrap import autowrap
    from sympy.utilities.codegen import CodeGenError

    why = autowrap_problem(eq)
    if why:
        raise NotTaken(why)
    # Every array and scalar the right side reads, in the function's parameter order; then the
    # left side (returned by the wrapper), then the dims (inferred by it from the shapes).
    names = {str(s): s for s in eq.rhs.atoms(Symbol) if str(s) in env}
    inputs = [p for p in params if p in names] + sorted(p for p in names if p not in params)
    out = eq.lhs.base.label if isinstance(eq.lhs, sp.Indexed) else eq.lhs
    used = sorted(eq.atoms(Symbol) & set(dims), key=str)
    args = [names[p] for p in inputs] + ([] if str(out) in inputs else [out]) + used
    with tempfile.TemporaryDirectory(dir=tmp) as d:
        try:
            f = autowrap(eq, backend="cython", args=args, tempdir=d)
        except (NotImplementedError, ValueError, TypeError, IndexConformanceException,
                CodeGenError) as e:
            raise NotTaken(f"{type(e).__name__}: {str(e).splitlines()[0][:100]}") from e
        values = [np.ascontiguousarray(env[p], dtype=np.float64) if np.ndim(env[p])
                  else np.float64(env[p]) for p in inputs]
        return np.asarray(f(*values))
