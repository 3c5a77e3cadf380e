"""skair: AIR, one array IR between SymPy, PyTensor, Numba and Blaze, from Python.

Read a module in any form (``load``, ``loads``, ``from_sympy``, ``from_pytensor``), write or
convert it (``Module.save``, ``Module.dumps``, ``convert``, ``to_sympy``, ``to_pytensor``), check it
(``Module.check``), and compile one of its functions into a ``Kernel`` that runs on NumPy arrays
without copying them (``compile``). ``skair.pytensor_json`` reads and writes PyTensor graphs as
``pytensor-fgraph-json/1`` files.
"""

from __future__ import annotations

from skair._skair import (
    IR_VERSION,
    OPSET_VERSION,
    Arg,
    CompileError,
    Diagnostic,
    Kernel,
    Module,
    TranslationError,
    ValidationError,
    __version__,
    compile,
    convert,
    formats,
    load,
    loads,
)
from skair import pytensor_json
from skair._pytensor import from_pytensor, to_pytensor
from skair._sympy import from_sympy, to_sympy

__all__ = [
    "IR_VERSION",
    "OPSET_VERSION",
    "Arg",
    "CompileError",
    "Diagnostic",
    "Kernel",
    "Module",
    "TranslationError",
    "ValidationError",
    "__version__",
    "compile",
    "convert",
    "formats",
    "from_pytensor",
    "from_sympy",
    "load",
    "loads",
    "pytensor_json",
    "to_pytensor",
    "to_sympy",
]
