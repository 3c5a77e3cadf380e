"""A conformance case and how it is written: `case.air`, `inputs.npz`, `expected.npz`,
`case.toml` (see README.md for the layout and conventions)."""

import json
import os
import random
import zipfile
import zlib

import numpy as np

import oracle as O
from air_text import COMPLEX, FLOAT, fmt_f64

# Ops whose float results are not correctly rounded by every library: compared within 4 ulp.
TRANSCENDENTAL = {"exp", "expm1", "log", "log1p", "sin", "cos", "tan", "asin", "acos", "atan",
                  "sinh", "cosh", "tanh", "erf", "logistic", "rsqrt", "atan2", "pow",
                  # op set 2; asinh/acosh/atanh: the interpreter uses musl's formulas (libm
                  # crate), NumPy glibc's
                  "asinh", "acosh", "atanh", "exp2", "log2", "log10", "cbrt",
                  # op set 2, cases_complex.py
                  "angle", "sinc", "hypot", "logaddexp", "logaddexp2"}
# Ops whose float results depend on an unspecified evaluation order: compared with rtol.
ORDER_DEPENDENT = {"reduce_sum", "reduce_prod", "reduce_mean", "cumsum", "cumprod", "einsum",
                   "matmul"}
RTOL = {"f64": 1e-12, "c128": 1e-12, "f32": 1e-5, "c64": 1e-5, "f16": 5e-3, "bf16": 2e-2}
ATOL = {"f64": 1e-14, "c128": 1e-14, "f32": 1e-6, "c64": 1e-6, "f16": 1e-3, "bf16": 1e-2}


class Rng:
    """Random inputs that do not depend on the NumPy version: Python's `random.Random(seed)
    .random()` sequence is guaranteed stable across Python versions (NumPy's Generator streams
    are not guaranteed across NumPy versions, and `--check` compares inputs byte for byte)."""

    def __init__(self, seed):
        self._r = random.Random(seed)

    def _draw(self, shape):
        n = int(np.prod(shape)) if np.ndim(shape) else int(shape)
        return np.array([self._r.random() for _ in range(n)]).reshape(shape)

    def uniform(self, lo, hi, shape):
        """Floats in [lo, hi)."""
        return lo + (hi - lo) * self._draw(shape)

    def integers(self, lo, hi, shape, endpoint=False):
        """Integers in [lo, hi), or [lo, hi] with endpoint."""
        span = hi - lo + (1 if endpoint else 0)
        return lo + np.floor(self._draw(shape) * span).astype(np.int64)


def rng_for(name):
    """A generator seeded from a name, so each family is reproducible on its own."""
    return Rng(zlib.crc32(name.encode()))


class Case:
    """One case. Valid cases give `module` and `inputs`; invalid ones give `text` and `expect`."""

    def __init__(self, group, name, summary, tags, module=None, inputs=None, tol=None,
                 expect="ok", text=None, ops=None, entry="main", expected=None, check=None):
        self.group, self.name, self.summary = group, name, summary
        self.tags = list(dict.fromkeys(tags))
        self.module, self.inputs, self.expect = module, inputs or {}, expect
        self.text = text
        self.entry = entry
        self._ops = ops
        self.tol = tol
        self.fixed_expected = expected
        # check(inputs) -> {result: array}: a second, direct NumPy computation of the expected
        # values (for loops, branches, calls), compared with the graph evaluation.
        self.check = check
        self.check_rtol = 1e-12
        self.outputs = None

    @property
    def valid(self):
        return self.expect == "ok"

    def ops(self):
        return self._ops if self._ops is not None else self.module.ops()

    def bf16_names(self):
        """The inputs and outputs stored as bf16 bit patterns."""
        if not self.valid:
            return []
        ts = {**self.param_types(), **self.result_types()}
        return sorted(k for k, t in ts.items() if t.dtype == "bf16")

    def op_dtypes(self):
        return self.module.op_dtypes() if self.module else []

    def param_types(self):
        """The params that take inputs (`in` and `inout`)."""
        f = self.module.functions[self.entry]
        return {p.ref[1:]: p.ty for p in f.in_params()}

    def result_types(self):
        """The outputs: results, then out/inout params."""
        f = self.module.functions[self.entry]
        return dict(zip(f.yield_names(), f.yield_types()))

    def dtypes(self):
        """Every dtype in the entry's signature."""
        if not self.valid:
            return set()
        return {t.dtype for t in list(self.param_types().values()) +
                list(self.result_types().values())}

    def compute(self):
        if self.valid:
            outs = self.module.run(self.entry, self.inputs)
            if self.fixed_expected is not None:
                # Expected values that come from elsewhere (the examples: the real libraries);
                # the NumPy evaluation must agree with them within the tolerance.
                for k, v in self.fixed_expected.items():
                    np.testing.assert_allclose(outs[k], v, rtol=1e-9, atol=1e-12)
                outs = dict(self.fixed_expected)
            if self.check is not None:
                for k, v in self.check(self.inputs).items():
                    np.testing.assert_allclose(outs[k], v, rtol=self.check_rtol, atol=0,
                                               err_msg=self.name)
            for k, t in self.result_types().items():
                want = O.NP[t.dtype]
                assert outs[k].dtype == np.dtype(want), f"{self.name}: {k} is {outs[k].dtype}"
                assert outs[k].ndim == t.rank, f"{self.name}: {k} rank"
            self.outputs = outs
        return self

    def tolerance(self):
        if self.tol is not None:
            return self.tol
        out_dts = {t.dtype for t in self.result_types().values()}
        inexact = [d for d in out_dts if d in FLOAT or d in COMPLEX]
        if not inexact:
            return {"exact": True}
        ops = set(self.ops())
        widest = max(inexact, key=lambda d: -RTOL[d])
        cplx = any(d in COMPLEX for d in self.dtypes())
        if ops & ORDER_DEPENDENT or (cplx and ops - EXACT_COMPLEX - SHAPE_OPS):
            # atol: inputs are of magnitude ~1, so a sum that nearly cancels is compared
            # absolutely (a few ulps of 1) rather than relatively.
            return {"rtol": RTOL[widest], "atol": ATOL[widest]}
        if ops & TRANSCENDENTAL:
            return {"ulp": 4}
        return {"exact": True}

    # -- writing ----------------------------------------------------------------------------

    def check_written(self, root):
        """Reads the npz files back and checks names, dtypes and shapes against the signature."""
        d = os.path.join(root, self.group, self.name)
        for fname, types, arrays in [("inputs.npz", self.param_types(), self.inputs),
                                     ("expected.npz", self.result_types(), self.outputs)]:
            with np.load(os.path.join(d, fname), allow_pickle=False) as z:
                assert list(z.files) == list(types), f"{self.name}/{fname}: {z.files}"
                for k, t in types.items():
                    a = z[k]
                    want = np.uint16 if t.dtype == "bf16" else O.NP[t.dtype]
                    assert a.dtype == np.dtype(want) and a.ndim == t.rank, f"{self.name}: {k}"
                    assert a.shape == np.shape(arrays[k]), f"{self.name}: {k} shape"

    def write(self, root):
        d = os.path.join(root, self.group, self.name)
        os.makedirs(d, exist_ok=True)
        text = self.text if self.text is not None else self.module.text()
        _write(os.path.join(d, "case.air"), text)
        bf16 = []
        if self.valid:
            pt, rt = self.param_types(), self.result_types()
            ins = {k: _store(self.inputs[k], pt[k].dtype, k, bf16) for k in pt}
            outs = {k: _store(self.outputs[k], rt[k].dtype, k, bf16) for k in rt}
            savez_deterministic(os.path.join(d, "inputs.npz"), ins)
            savez_deterministic(os.path.join(d, "expected.npz"), outs)
            self.check_written(root)
        _write(os.path.join(d, "case.toml"), self.toml(bf16))

    def toml(self, bf16):
        q = json.dumps
        lines = [f"summary = {q(self.summary)}",
                 "tags = [" + ", ".join(q(t) for t in self.tags) + "]",
                 "ops = [" + ", ".join(q(o) for o in self.ops()) + "]",
                 f"expect = {q(self.expect)}"]
        if bf16:
            lines.append("bf16 = [" + ", ".join(q(b) for b in sorted(set(bf16))) + "]")
        if self.valid:
            lines.append("")
            lines.append("[tolerance]")
            for k, v in self.tolerance().items():
                if isinstance(v, bool):
                    lines.append(f"{k} = {'true' if v else 'false'}")
                elif isinstance(v, int):
                    lines.append(f"{k} = {v}")
                else:
                    lines.append(f"{k} = {fmt_f64(v)}")
        return "\n".join(lines) + "\n"


# Ops that are exact on complex values too.
EXACT_COMPLEX = {"add", "sub", "neg", "constant", "select", "cast", "eq", "ne", "isnan", "isinf",
                 "isfinite", "call", "if", "for", "real", "imag", "conj", "complex"}
SHAPE_OPS = {"broadcast", "reshape", "transpose", "expand_dims", "squeeze", "slice", "concat",
             "take", "extract", "insert", "filter", "full", "iota"}


def _store(a, dt, name, bf16):
    a = np.asarray(a)
    if dt == "bf16":
        bf16.append(name)
        return O.bf16_bits(a)
    want = O.NP[dt]
    assert a.dtype == np.dtype(want), f"{name}: {a.dtype} is not {dt}"
    return np.array(a, order="C")  # (np.ascontiguousarray would make rank 0 into rank 1)


def _write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def savez_deterministic(path, arrays):
    """`np.savez` (stored, not compressed, zip64 members, as NumPy writes them) with a fixed
    timestamp, so that regenerating gives byte-identical files."""
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        for key, val in arrays.items():
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            with z.open(info, "w", force_zip64=True) as fid:
                np.lib.format.write_array(fid, np.asanyarray(val), allow_pickle=False)
