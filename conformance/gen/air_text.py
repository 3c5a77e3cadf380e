"""Emitting the `.air` text form (docs/text-format.md): dims, types, literals and attributes.

Everything here prints exactly what the canonical printer prints:
- dims as canonical integer polynomials (`crates/air-ir/src/dim.rs`, `Display for Dim`): terms
  with higher degree first, ties ordered by their sorted monomial, the constant last
  (`2*n*m` prints as `2*m*n`, `(n+1)*2` as `2*n+2`, `n-1`);
- floats in the shortest form that reads back to the same value, as the Rust printer writes them
  (`1.0`, `0.1`, `1e-7`, `-0.0`, `nan`, `inf`, `-inf`); f16/bf16/f32 values through their f32
  form (the shortest decimal that reads back to the same f32);
- attributes in the order of `crates/air-ir/src/attrs.rs` (callers pass them in that order).
"""

import math

import numpy as np

DTYPES = ["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64",
          "f16", "bf16", "f32", "f64", "c64", "c128"]
INT = ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"]
SIGNED = ["i8", "i16", "i32", "i64"]
UNSIGNED = ["u8", "u16", "u32", "u64"]
FLOAT = ["f16", "bf16", "f32", "f64"]
COMPLEX = ["c64", "c128"]


def dtype_class(dt):
    """The dtype class of docs/op-rules.md: bool, int, float or complex."""
    if dt == "bool":
        return "bool"
    if dt in INT:
        return "int"
    if dt in FLOAT:
        return "float"
    if dt in COMPLEX:
        return "complex"
    raise ValueError(f"unknown dtype {dt}")


# ---------------------------------------------------------------------------------------------
# Dims: integer polynomials over symbols.
# ---------------------------------------------------------------------------------------------

class Dim:
    """A canonical integer polynomial: {monomial: coefficient}, a monomial a sorted tuple of
    (symbol, power) pairs, the constant term under the empty monomial."""

    __slots__ = ("terms",)

    def __init__(self, terms=None):
        t = {}
        for mono, c in (terms or {}).items():
            if c != 0:
                t[mono] = t.get(mono, 0) + c
        self.terms = {m: c for m, c in t.items() if c != 0}

    @staticmethod
    def of(x):
        """A Dim from an int, a Dim or a dim expression string (`n+1`)."""
        if isinstance(x, Dim):
            return x
        if isinstance(x, (int, np.integer)):
            return Dim({(): int(x)})
        if isinstance(x, str):
            return _DimParser(x).parse()
        raise TypeError(f"not a dim: {x!r}")

    @staticmethod
    def sym(name):
        return Dim({((name, 1),): 1})

    def __add__(self, o):
        o = Dim.of(o)
        t = dict(self.terms)
        for m, c in o.terms.items():
            t[m] = t.get(m, 0) + c
        return Dim(t)

    __radd__ = __add__

    def __neg__(self):
        return Dim({m: -c for m, c in self.terms.items()})

    def __sub__(self, o):
        return self + (-Dim.of(o))

    def __mul__(self, o):
        o = Dim.of(o)
        t = {}
        for ma, ca in self.terms.items():
            for mb, cb in o.terms.items():
                powers = {}
                for s, p in ma + mb:
                    powers[s] = powers.get(s, 0) + p
                mono = tuple(sorted(powers.items()))
                t[mono] = t.get(mono, 0) + ca * cb
        return Dim(t)

    __rmul__ = __mul__

    def __eq__(self, o):
        try:
            return self.terms == Dim.of(o).terms
        except TypeError:
            return NotImplemented

    def __hash__(self):
        return hash(tuple(sorted(self.terms.items())))

    def const(self):
        """The value when constant, else None."""
        if not self.terms:
            return 0
        if len(self.terms) == 1 and () in self.terms:
            return self.terms[()]
        return None

    def symbols(self):
        return sorted({s for m in self.terms for s, _ in m})

    def eval(self, env):
        total = 0
        for mono, c in self.terms.items():
            v = c
            for s, p in mono:
                v *= env[s] ** p
            total += v
        return total

    def __str__(self):
        if not self.terms:
            return "0"
        order = sorted(self.terms.items(), key=lambda mc: (-sum(p for _, p in mc[0]), mc[0]))
        out = []
        for i, (mono, c) in enumerate(order):
            sign, mag = ("-", -c) if c < 0 else ("+", c)
            if i > 0 or sign == "-":
                out.append(sign)
            if not mono:
                out.append(str(mag))
                continue
            if mag != 1:
                out.append(f"{mag}*")
            out.append("*".join(s for s, p in mono for _ in range(p)))
        return "".join(out)

    __repr__ = __str__


class _DimParser:
    """`expr := term {(+|-) term}`, `term := factor {* factor}`, `factor := -factor | (expr) |
    INT | IDENT`, as `parse_dim` in dim.rs."""

    def __init__(self, s):
        self.s, self.i = s, 0

    def parse(self):
        d = self.expr()
        self.ws()
        if self.i != len(self.s):
            raise ValueError(f"bad dim {self.s!r}")
        return d

    def ws(self):
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def peek(self):
        self.ws()
        return self.s[self.i] if self.i < len(self.s) else None

    def expr(self):
        acc = self.term()
        while self.peek() in ("+", "-"):
            op = self.s[self.i]
            self.i += 1
            t = self.term()
            acc = acc + t if op == "+" else acc - t
        return acc

    def term(self):
        acc = self.factor()
        while self.peek() == "*":
            self.i += 1
            acc = acc * self.factor()
        return acc

    def factor(self):
        c = self.peek()
        if c == "-":
            self.i += 1
            return -self.factor()
        if c == "(":
            self.i += 1
            e = self.expr()
            if self.peek() != ")":
                raise ValueError(f"bad dim {self.s!r}")
            self.i += 1
            return e
        j = self.i
        if c is not None and c.isdigit():
            while j < len(self.s) and self.s[j].isdigit():
                j += 1
            v, self.i = int(self.s[self.i:j]), j
            return Dim.of(v)
        if c is not None and (c.isalpha() or c == "_"):
            while j < len(self.s) and (self.s[j].isalnum() or self.s[j] == "_"):
                j += 1
            name, self.i = self.s[self.i:j], j
            return Dim.sym(name)
        raise ValueError(f"bad dim {self.s!r}")


# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------

class TType:
    """A tensor type: dtype name and a tuple of Dims."""

    __slots__ = ("dtype", "shape")

    def __init__(self, dtype, shape=()):
        if dtype not in DTYPES:
            raise ValueError(f"unknown dtype {dtype}")
        self.dtype = dtype
        self.shape = tuple(Dim.of(d) for d in shape)

    @staticmethod
    def parse(text):
        """`f64[n, m]` or `f64`."""
        text = text.strip()
        if "[" not in text:
            return TType(text)
        dt, rest = text.split("[", 1)
        inner = rest.rsplit("]", 1)[0].strip()
        dims = _split_top(inner) if inner else []
        return TType(dt.strip(), [Dim.of(d) for d in dims])

    @property
    def rank(self):
        return len(self.shape)

    def with_dtype(self, dt):
        return TType(dt, self.shape)

    def __eq__(self, o):
        return isinstance(o, TType) and self.dtype == o.dtype and self.shape == o.shape

    def __hash__(self):
        return hash((self.dtype, self.shape))

    def __str__(self):
        if not self.shape:
            return self.dtype
        return f"{self.dtype}[{', '.join(str(d) for d in self.shape)}]"

    __repr__ = __str__


def _split_top(s):
    """Splits on commas outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [x.strip() for x in out]


# ---------------------------------------------------------------------------------------------
# Floats and literals
# ---------------------------------------------------------------------------------------------

def fmt_f64(v):
    """Shortest round-trip form of a double, as the Rust printer writes it (`{:?}`): `1.0`,
    `0.1`, `1e-7`, `1.5e300`, `-0.0`, `nan`, `-inf`. Python's repr picks the same digits and the
    same switch to an exponent (below 1e-4 or from 1e16 on) but writes `1e-07` and `1e+16`."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    r = repr(v)
    if "e" in r:
        mant, exp = r.split("e")
        r = f"{mant}e{int(exp)}"
    return r


def fmt_f32(v):
    """Shortest decimal that reads back to the same f32, printed like Python's repr."""
    f = np.float32(v)
    if np.isnan(f) or np.isinf(f):
        return fmt_f64(float(f))
    for p in range(1, 10):
        s = "%.*e" % (p - 1, float(f))
        with np.errstate(over="ignore"):
            back = np.float32(float(s))
        if back == f:
            return fmt_f64(float(s)) if float(s) != 0.0 else fmt_f64(float(f))
    return fmt_f64(float(f))


def fmt_float(v, dtype):
    """A real float element of `dtype` (f16/bf16/f32 through their f32 form)."""
    return fmt_f64(v) if dtype in ("f64", "c128") else fmt_f32(v)


def fmt_elem(v, dtype):
    """One literal element."""
    if dtype == "bool":
        return "true" if bool(v) else "false"
    if dtype in INT:
        return str(int(v))
    if dtype in FLOAT:
        return fmt_float(v, dtype)
    c = complex(v)
    return f"({fmt_float(c.real, dtype)}, {fmt_float(c.imag, dtype)})"


def round_bf16(a):
    """Rounds float32 values to the nearest bfloat16 (ties to even), kept as float32.
    NaN stays a (quiet) NaN; values past the largest bf16 round to +-inf."""
    a = np.array(a, dtype=np.float32, order="C")
    bits = a.view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    nan = np.isnan(a)
    rounded = np.where(nan, (bits | 0x00400000) & 0xFFFF0000, rounded)
    return rounded.astype(np.uint32).view(np.float32).reshape(a.shape)


def round_elem(v, dtype):
    """A literal element as the value the dtype holds (f16 0.1 is 0.0999755859375)."""
    with np.errstate(over="ignore"):
        if dtype == "f16":
            return float(np.float16(v))
        if dtype == "bf16":
            return float(round_bf16(np.float32(v)))
        if dtype == "f32":
            return float(np.float32(v))
        if dtype == "c64":
            return complex(np.complex64(v))
    return v


class Lit:
    """A literal attribute value: dtype, static shape, elements in C order (rounded to the
    dtype)."""

    def __init__(self, dtype, shape, values):
        self.dtype = dtype
        self.shape = tuple(int(d) for d in shape)
        self.values = [round_elem(v, dtype)
                       for v in np.asarray(values, dtype=object).reshape(-1)]
        n = int(np.prod(self.shape)) if self.shape else 1
        if len(self.values) != n:
            raise ValueError(f"literal {dtype}{list(self.shape)} needs {n} elements")

    def ttype(self):
        return TType(self.dtype, self.shape)

    def __str__(self):
        if not self.shape:
            return f"{self.dtype} {fmt_elem(self.values[0], self.dtype)}"
        elems = ", ".join(fmt_elem(v, self.dtype) for v in self.values)
        return f"{TType(self.dtype, self.shape)} [{elems}]"


# ---------------------------------------------------------------------------------------------
# Attributes
# ---------------------------------------------------------------------------------------------

class DT:
    """A dtype attribute value (`dtype = f32`)."""

    def __init__(self, name):
        assert name in DTYPES
        self.name = name

    def __str__(self):
        return self.name


class Fn:
    """A function reference attribute value (`callee = @helper`)."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return f"@{self.name}"


class Shape:
    """A shape attribute value (`shape = [n, 4]`)."""

    def __init__(self, dims):
        self.dims = tuple(Dim.of(d) for d in dims)

    def __str__(self):
        return "[" + ", ".join(str(d) for d in self.dims) + "]"


class Sl:
    """One slice axis: start/stop are None (default), an int, or `'#k'` (operand k)."""

    def __init__(self, start=None, stop=None, step=1):
        self.start, self.stop, self.step = start, stop, step

    def __str__(self):
        b = lambda x: "" if x is None else str(x)
        if self.step == 1:
            if self.start is None and self.stop is None:
                return ":"
            return f"{b(self.start)}:{b(self.stop)}"
        return f"{b(self.start)}:{b(self.stop)}:{self.step}"


class Slices:
    """A slices attribute value (`axes = [1:, ::2]`)."""

    def __init__(self, axes):
        self.axes = list(axes)

    def __str__(self):
        return "[" + ", ".join(str(a) for a in self.axes) + "]"


class Raw:
    """Attribute text written as is (for invalid cases)."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text


def fmt_string(s):
    out = []
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def fmt_attr_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, float):
        return fmt_f64(v)
    if isinstance(v, str):
        return fmt_string(v)
    if isinstance(v, (list, tuple)):
        if all(isinstance(x, bool) for x in v) and v:
            raise TypeError("no bool lists in the text form")
        if all(isinstance(x, (int, np.integer)) for x in v):
            return "[" + ", ".join(str(int(x)) for x in v) + "]"
        if all(isinstance(x, float) for x in v):
            return "[" + ", ".join(fmt_f64(x) for x in v) + "]"
        if all(isinstance(x, str) for x in v):
            return "[" + ", ".join(fmt_string(x) for x in v) + "]"
        raise TypeError(f"mixed list attribute {v!r}")
    if isinstance(v, (Lit, DT, Fn, Shape, Slices, Raw)):
        return str(v)
    raise TypeError(f"not an attribute value: {v!r}")


def fmt_attrs(attrs):
    """`{k = v, ...}` from a list of (name, value) pairs in canonical order; '' when empty."""
    if not attrs:
        return ""
    return "{" + ", ".join(f"{k} = {fmt_attr_value(v)}" for k, v in attrs) + "}"
