"""Type stubs of the native module `skair._skair` (re-exported by `skair`)."""

from os import PathLike
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

_Path = Union[str, "PathLike[str]"]
_DType = Union[str, np.dtype, type]

__version__: str
IR_VERSION: int
OPSET_VERSION: int

class Diagnostic:
    """One problem: a stable code (`"E0203"`), a message, and where it is."""

    @property
    def code(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def location(self) -> Optional[str]: ...
    @property
    def path(self) -> Optional[str]: ...
    @property
    def function(self) -> Optional[str]: ...
    @property
    def op(self) -> Optional[str]: ...

class ValidationError(ValueError):
    """The module is not valid AIR (or not readable); `diagnostics` lists every problem."""

    diagnostics: List[Diagnostic]

class TranslationError(ValueError):
    """A translator cannot read the input or write the module; `diagnostics` lists every construct."""

    diagnostics: List[Diagnostic]

class CompileError(ValueError):
    """The backend cannot compile the module (an op or dtype it lacks); `diagnostics` lists every problem."""

    diagnostics: List[Diagnostic]

class Module:
    """An AIR module: functions over typed tensors."""

    @property
    def functions(self) -> List[str]: ...
    def text(self) -> str: ...
    def dumps(self, format: str = "air") -> Union[str, bytes]: ...
    def save(self, path: _Path, format: Optional[str] = None) -> None: ...
    def check(self) -> None: ...

class Arg:
    """A parameter or result of a kernel's signature."""

    @property
    def name(self) -> str: ...
    @property
    def dtype(self) -> str: ...
    @property
    def shape(self) -> Tuple[Union[int, str], ...]: ...
    @property
    def intent(self) -> str: ...

class Kernel:
    """A function compiled for a backend, callable on NumPy arrays."""

    def __call__(self, *args: Any, out: Any = None, **kwargs: Any) -> Any: ...
    @property
    def signature(self) -> str: ...
    @property
    def params(self) -> List[Arg]: ...
    @property
    def results(self) -> List[Arg]: ...
    @property
    def backend(self) -> str: ...
    @property
    def threads(self) -> Optional[int]: ...
    @property
    def max_memory(self) -> Optional[int]: ...
    @property
    def function(self) -> str: ...
    @property
    def variants(self) -> List[str]: ...

def load(
    path: _Path,
    format: Optional[str] = None,
    *,
    args: Optional[Sequence[str]] = None,
    dtypes: Optional[Mapping[str, _DType]] = None,
) -> Module: ...
def loads(
    data: Union[str, bytes],
    format: Optional[str] = None,
    *,
    args: Optional[Sequence[str]] = None,
    dtypes: Optional[Mapping[str, _DType]] = None,
    source: str = "<string>",
) -> Module: ...
def convert(
    src: _Path, dst: _Path, *, src_format: Optional[str] = None, dst_format: Optional[str] = None
) -> None: ...
def formats() -> Dict[str, List[str]]: ...
def compile(
    module: Module,
    backend: str = "llvm",
    threads: Optional[int] = None,
    function: Optional[str] = None,
    max_memory: Union[int, str, None] = None,
) -> Kernel: ...
