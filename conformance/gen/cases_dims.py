"""Op set 2 dims (`docs/spec.md` 1.2 and 1.5.2): size parameters (`%len: i64 size n`, the value of
a scalar binds a dim symbol, 0 included, a negative value a run-time E0506), `iota`/`full`/
`reshape`/`broadcast` sized by them, `floordiv`/`max0` dims in parameter and result types, and
strided or clamped slices of symbolic axes with their exact extents, checked against NumPy
(`x[a:b:c]`) for several extents. Invalid modules: the new forms under `opset 1` (E0102), bad size
parameters (E0219), unbound symbols (E0214), a zero divisor (E0111), a wrong exact extent (E0213).

The modules are written as text (the generator's builder knows only polynomial dims); every
expected value is computed here with NumPy, and every slice extent formula is checked against
Python's `len(range(n)[a:b:c])` for n = 0..24 before it is used."""

import os

import numpy as np

import oracle as O
from case import Case, savez_deterministic

G = "dims"
HEAD2 = "air 1 opset 2\n\n"
HEAD1 = "air 1 opset 1\n\n"


class Ty:
    """A declared type, as far as the case files need it: dtype and rank."""

    def __init__(self, text):
        self.dtype = text.split("[")[0]
        inner = text[len(self.dtype):].strip()
        self.rank = len(split_dims(inner[1:-1])) if inner else 0


def split_dims(s):
    """The dims of `a, floordiv(b, 2), c`: commas inside parentheses do not separate."""
    out, depth, cur = [], 0, ""
    for ch in s:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


class DimsCase(Case):
    """A case written as text, with its signature types and NumPy-computed outputs given."""

    def __init__(self, name, summary, tags, ops, text, params=None, results=None, inputs=None,
                 outputs=None, expect="ok"):
        super().__init__(G, "dims_" + name, summary, ["dims", "opset2"] + tags, text=text,
                         inputs=inputs, ops=ops, expect=expect)
        self._params = {k: Ty(t) for k, t in (params or {}).items()}
        self._results = {k: Ty(t) for k, t in (results or {}).items()}
        self._outs = outputs

    def param_types(self):
        return self._params

    def result_types(self):
        return self._results

    def op_dtypes(self):
        return []

    def compute(self):
        self.outputs = self._outs
        return self

    def write(self, root):
        super().write(root)
        if self.expect.startswith("error:"):
            # A valid module whose run must fail: the inputs it runs on.
            d = os.path.join(root, self.group, self.name)
            savez_deterministic(os.path.join(d, "inputs.npz"),
                                {k: np.asarray(v) for k, v in self.inputs.items()})


def func(params, results, stmts, ret):
    """`@main` in the text form; params and results are (name, type) lists."""
    ps = ", ".join(f"%{n}: {t}" for n, t in params)
    rs = ", ".join(f"%{n}: {t}" for n, t in results)
    body = "".join(f"  {s}\n" for s in stmts)
    return f"func @main({ps}) -> ({rs}) {{\n{body}  return {ret}\n}}\n"


def sig(params):
    """Parameter types without the ` size n` suffix."""
    return {n: t.split(" size ")[0] for n, t in params}


def valid(name, summary, tags, ops, params, results, stmts, inputs, outputs, head=HEAD2):
    text = f"// {summary}\n" + head + func(params, results, stmts, ", ".join(
        f"%{n}" for n, _ in results))
    return DimsCase(name, summary, tags, ops, text, sig(params), dict(results),
                    {k: O.arr(v, sig(params)[k].split("[")[0]) for k, v in inputs.items()},
                    outputs)


def run_error(name, code, summary, tags, ops, params, results, stmts, inputs):
    text = f"// run-time error: {summary} ({code})\n" + HEAD2 + func(
        params, results, stmts, ", ".join(f"%{n}" for n, _ in results))
    return DimsCase(name, summary, tags + ["run-error", code], ops, text,
                    inputs={k: O.arr(v, sig(params)[k].split("[")[0]) for k, v in inputs.items()},
                    expect=f"error: {code}")


def invalid(name, code, summary, tags, ops, body, head=HEAD2):
    text = f"// invalid: {summary} ({code})\n" + head + body
    return DimsCase(name, summary, ["invalid", code] + tags, ops, text,
                    expect=f"invalid: {code}")


# -- slice extents ------------------------------------------------------------------------------

def slice_extent(d, start, stop, step):
    """The extent of `x[start:stop:step]` on an axis of symbolic extent `d`, as spec 3.5 (C6)
    rule 5 writes it (the reader puts it in canonical form)."""
    if step > 0:
        lo = "0" if start is None else (f"{start}" if start >= 0 else f"max0({d}{start:+d})")
        hi = d if stop is None else (f"{stop}-max0({stop}-{d})" if stop >= 0
                                     else f"{d}{stop:+d}")
        return f"max0(ceildiv({hi}-({lo}), {step}))"
    t = -step
    hi = f"{d}-1" if start is None else (f"{start}-max0({start}-{d}+1)" if start >= 0
                                         else f"{d}{start:+d}")
    lo = "-1" if stop is None else (f"{stop}" if stop >= 0 else f"max0({d}{stop:+d}+1)-1")
    return f"max0(ceildiv({hi}-({lo}), {t}))"


def eval_dim(text, env):
    """Evaluates a dim written with floordiv, ceildiv and max0 (Python ints, floor division)."""
    fns = {"floordiv": lambda a, k: a // k, "ceildiv": lambda a, k: -((-a) // k),
           "max0": lambda a: max(0, a)}
    return eval(text, {"__builtins__": {}}, {**fns, **env})  # noqa: S307 (our own text)


def check_extent(start, stop, step):
    d = slice_extent("n", start, stop, step)
    for n in range(25):
        want = len(range(n)[slice(start, stop, step)])
        assert eval_dim(d, {"n": n}) == want, (d, n, want)
    return d


def bound(b):
    return "" if b is None else str(b)


def slice_case(name, summary, start, stop, step, ns, dtype="f64"):
    """`x[start:stop:step]` of `x: dtype[n]`, one case per extent in `ns`."""
    d = check_extent(start, stop, step)
    sl = f"{bound(start)}:{bound(stop)}:{step}"
    out = []
    for n in ns:
        x = np.arange(n, dtype=O.NP[dtype]) * 3 + 1
        y = x[slice(start, stop, step)]
        out.append(valid(f"{name}_n{n}", f"{summary}; n = {n}", ["slice", "strided"],
                         ["slice"], [("x", f"{dtype}[n]")], [("y", f"{dtype}[{d}]")],
                         [f"%y = slice {{axes = [{sl}]}} (%x) : {dtype}[{d}]"],
                         {"x": x}, {"y": y}))
    return out


def slice_cases():
    out = []
    out += slice_case("slice_step2", "x[::2]: extent floordiv(n+1, 2)", None, None, 2, [7, 6, 0])
    out += slice_case("slice_from1_step2", "x[1::2]: extent floordiv(n, 2) (= ceildiv(n-1, 2))",
                      1, None, 2, [1, 8])
    out += slice_case("slice_step3", "x[::3]: extent floordiv(n+2, 3)", None, None, 3, [8, 2],
                      dtype="i32")
    out += slice_case("slice_rev_step2", "x[::-2]: reversed, extent floordiv(n+1, 2)", None,
                      None, -2, [7, 0])
    out += slice_case("slice_rev_from_m2_step3", "x[-2::-3]: extent floordiv(n+1, 3)", -2, None,
                      -3, [7, 1])
    out += slice_case("slice_tail3", "x[-3:]: clamped, extent with max0", -3, None, 1, [5, 2])
    out += slice_case("slice_to5_step2", "x[:5:2]: stop clamped to n", None, 5, 2, [9, 3],
                      dtype="u8")
    out += slice_case("slice_2_to_m1_step2", "x[2:-1:2]", 2, -1, 2, [10, 2])
    # A[1:, ::2] on a symbolic matrix (the example).
    m, n = 4, 5
    a = np.arange(m * n, dtype=np.float64).reshape(m, n)
    out.append(valid("slice_2d_rows_from1_cols_step2", "A[1:, ::2] of f64[m, n]: [m-1, "
                     "floordiv(n+1, 2)]", ["slice", "strided", "rank2"], ["slice"],
                     [("A", "f64[m, n]")], [("B", "f64[m-1, floordiv(n+1, 2)]")],
                     ["%B = slice {axes = [1:, ::2]} (%A) : f64[m-1, floordiv(n+1, 2)]"],
                     {"A": a}, {"B": a[1:, ::2]}))
    # The exact extent is a dim like any other: it sizes another parameter.
    for n in [5, 0]:
        x = np.linspace(-1, 1, n)
        h = np.arange((n + 1) // 2, dtype=np.float64)
        out.append(valid(f"floordiv_param_n{n}", f"x[::2] + h with h: f64[floordiv(n+1, 2)]; "
                         f"n = {n}", ["slice", "param-dim"], ["slice", "add"],
                         [("x", "f64[n]"), ("h", "f64[floordiv(n+1, 2)]")],
                         [("y", "f64[floordiv(n+1, 2)]")],
                         ["%e = slice {axes = [::2]} (%x) : f64[floordiv(n+1, 2)]",
                          "%y = add (%e, %h) : f64[floordiv(n+1, 2)]"],
                         {"x": x, "h": h}, {"y": x[::2] + h}))
    out.append(valid("max0_iota", "iota of extent max0(n-3): [0, 1] for n = 5", ["iota"],
                     ["iota"], [("x", "f64[n]")], [("y", "i64[max0(n-3)]")],
                     ["%y = iota {dtype = i64, shape = [max0(n-3)], axis = 0} () : "
                      "i64[max0(n-3)]"], {"x": np.zeros(5)}, {"y": np.arange(2)}))
    out.append(valid("max0_iota_clamped", "iota of extent max0(n-3) for n = 1: empty",
                     ["iota", "empty"], ["iota"], [("x", "f64[n]")], [("y", "i64[max0(n-3)]")],
                     ["%y = iota {dtype = i64, shape = [max0(n-3)], axis = 0} () : "
                      "i64[max0(n-3)]"], {"x": np.zeros(1)},
                     {"y": np.zeros(0, dtype=np.int64)}))
    out.append(run_error("floordiv_param_mismatch", "E0502", "h: f64[floordiv(n+1, 2)] with "
                         "n = 5 but 2 elements", ["param-dim"], ["slice", "add"],
                         [("x", "f64[n]"), ("h", "f64[floordiv(n+1, 2)]")],
                         [("y", "f64[floordiv(n+1, 2)]")],
                         ["%e = slice {axes = [::2]} (%x) : f64[floordiv(n+1, 2)]",
                          "%y = add (%e, %h) : f64[floordiv(n+1, 2)]"],
                         {"x": np.zeros(5), "h": np.zeros(2)}))
    return out


# -- size parameters ---------------------------------------------------------------------------

def size_cases():
    out = []
    for n in [5, 0]:
        out.append(valid(f"size_iota_n{n}", f"iota i64[n] with n from a size parameter; n = {n}",
                         ["size-param", "iota"], ["iota"], [("n", "i64 size n")],
                         [("y", "i64[n]")],
                         ["%y = iota {dtype = i64, shape = [n], axis = 0} () : i64[n]"],
                         {"n": np.int64(n)}, {"y": np.arange(n, dtype=np.int64)}))
    out.append(valid("size_squares", "y[i] = i*i for i in range(n), n a size parameter (SymPy's "
                     "`y[i] = i**2`)", ["size-param", "iota"], ["iota", "mul"],
                     [("n", "i64 size n")], [("y", "i64[n]")],
                     ["%i = iota {dtype = i64, shape = [n], axis = 0} () : i64[n]",
                      "%y = mul (%i, %i) : i64[n]"],
                     {"n": np.int64(6)}, {"y": np.arange(6, dtype=np.int64) ** 2}))
    for (n, k) in [(3, 2), (3, 0)]:
        out.append(valid(f"size_full_{n}x{k}", f"full f64 2.5 of shape [n, k], two size "
                         f"parameters (i64 and i32); n = {n}, k = {k}", ["size-param", "full"],
                         ["full"], [("n", "i64 size n"), ("k", "i32 size k")],
                         [("y", "f64[n, k]")],
                         ["%y = full {value = f64 2.5, shape = [n, k]} () : f64[n, k]"],
                         {"n": np.int64(n), "k": np.int32(k)}, {"y": np.full((n, k), 2.5)}))
    out.append(valid("size_u8_iota_f32", "a u8 size parameter sizes an f32 iota", ["size-param",
                     "iota", "u8"], ["iota"], [("n", "u8 size n")], [("y", "f32[n]")],
                     ["%y = iota {dtype = f32, shape = [n], axis = 0} () : f32[n]"],
                     {"n": np.uint8(7)}, {"y": np.arange(7, dtype=np.float32)}))
    x = np.linspace(0, 1, 4)
    out.append(valid("size_broadcast_rows", "x: f64[m] broadcast to [n, m] with n a size "
                     "parameter", ["size-param", "broadcast"], ["broadcast"],
                     [("n", "i64 size n"), ("x", "f64[m]")], [("y", "f64[n, m]")],
                     ["%y = broadcast {shape = [n, m], dims = [1]} (%x) : f64[n, m]"],
                     {"n": np.int64(3), "x": x}, {"y": np.broadcast_to(x, (3, 4)).copy()}))
    x = np.arange(12, dtype=np.float64)
    out.append(valid("size_reshape", "x: f64[3*n] reshaped to [n, 3], n from a size parameter "
                     "(reshape(-1, 3) with the row count given)", ["size-param", "reshape"],
                     ["reshape"], [("n", "i64 size n"), ("x", "f64[3*n]")],
                     [("y", "f64[n, 3]")],
                     ["%y = reshape {shape = [n, 3]} (%x) : f64[n, 3]"],
                     {"n": np.int64(4), "x": x}, {"y": x.reshape(-1, 3)}))
    x = np.array([1.0, -2.0, 4.0, 0.5])
    out.append(valid("size_and_array_agree", "n bound by a size parameter and by x: f64[n] "
                     "(equal values)", ["size-param"], ["iota", "add"],
                     [("n", "i64 size n"), ("x", "f64[n]")], [("y", "f64[n]")],
                     ["%i = iota {dtype = f64, shape = [n], axis = 0} () : f64[n]",
                      "%y = add (%x, %i) : f64[n]"],
                     {"n": np.int64(4), "x": x}, {"y": x + np.arange(4.0)}))
    out.append(valid("size_sum_empty", "sum of iota f64[n] with n = 0 is 0.0",
                     ["size-param", "empty"], ["iota", "reduce_sum"], [("n", "i64 size n")],
                     [("s", "f64")],
                     ["%i = iota {dtype = f64, shape = [n], axis = 0} () : f64[n]",
                      "%s = reduce_sum {axes = [0]} (%i) : f64"],
                     {"n": np.int64(0)}, {"s": np.float64(0.0)}))
    out.append(valid("size_read_as_value", "the size parameter is also an ordinary scalar: "
                     "iota(n) + n", ["size-param"], ["iota", "broadcast", "add"],
                     [("n", "i64 size n")], [("y", "i64[n]")],
                     ["%i = iota {dtype = i64, shape = [n], axis = 0} () : i64[n]",
                      "%b = broadcast {shape = [n], dims = []} (%n) : i64[n]",
                      "%y = add (%i, %b) : i64[n]"],
                     {"n": np.int64(3)}, {"y": np.arange(3, dtype=np.int64) + 3}))
    out.append(valid("size_floordiv_iota", "iota of extent floordiv(n, 2), n a size parameter",
                     ["size-param", "iota"], ["iota"], [("n", "i64 size n")],
                     [("y", "i64[floordiv(n, 2)]")],
                     ["%y = iota {dtype = i64, shape = [floordiv(n, 2)], axis = 0} () : "
                      "i64[floordiv(n, 2)]"],
                     {"n": np.int64(7)}, {"y": np.arange(3, dtype=np.int64)}))
    out.append(run_error("size_negative", "E0506", "a size parameter of value -3",
                         ["size-param"], ["iota"], [("n", "i64 size n")], [("y", "i64[n]")],
                         ["%y = iota {dtype = i64, shape = [n], axis = 0} () : i64[n]"],
                         {"n": np.int64(-3)}))
    out.append(run_error("size_conflict", "E0502", "n = 3 from the size parameter, 4 from "
                         "x: f64[n]", ["size-param"], ["neg"],
                         [("n", "i64 size n"), ("x", "f64[n]")], [("y", "f64[n]")],
                         ["%y = neg (%x) : f64[n]"], {"n": np.int64(3), "x": np.zeros(4)}))
    return out


# -- invalid modules ---------------------------------------------------------------------------

def invalid_cases():
    iota = ["%y = iota {dtype = i64, shape = [n], axis = 0} () : i64[n]"]
    return [
        invalid("size_opset1", "E0102", "a size parameter in a module of op set 1",
                ["size-param", "opset"], ["iota"],
                func([("n", "i64 size n")], [("y", "i64[n]")], iota, "%y"), head=HEAD1),
        invalid("floordiv_opset1", "E0102", "a floordiv dim in a module of op set 1",
                ["opset"], ["neg"],
                func([("x", "f64[n]"), ("h", "f64[floordiv(n+1, 2)]")],
                     [("y", "f64[floordiv(n+1, 2)]")],
                     ["%y = neg (%h) : f64[floordiv(n+1, 2)]"], "%y"), head=HEAD1),
        invalid("max0_opset1_node", "E0102", "a max0 dim in a node's type under op set 1",
                ["opset"], ["iota"],
                func([("x", "f64[n]")], [("s", "i64")],
                     ["%y = iota {dtype = i64, shape = [max0(n-3)], axis = 0} () : "
                      "i64[max0(n-3)]",
                      "%s = reduce_sum {axes = [0]} (%y) : i64"], "%s"), head=HEAD1),
        invalid("size_float", "E0219", "a size parameter of dtype f64", ["size-param"], ["iota"],
                func([("n", "f64 size n")], [("y", "i64[n]")], iota, "%y")),
        invalid("size_rank1", "E0219", "a size parameter of rank 1", ["size-param"], ["iota"],
                func([("n", "i64[2] size n")], [("y", "i64[n]")], iota, "%y")),
        invalid("size_twice", "E0219", "two size parameters bind n", ["size-param"], ["iota"],
                func([("a", "i64 size n"), ("b", "i32 size n")], [("y", "i64[n]")], iota,
                     "%y")),
        invalid("floordiv_unbound", "E0214", "a result extent floordiv(k, 2) with k bound by "
                "nothing", ["param-dim"], ["iota"],
                func([("x", "f64[n]")], [("y", "i64[floordiv(k, 2)]")],
                     ["%y = iota {dtype = i64, shape = [floordiv(k, 2)], axis = 0} () : "
                      "i64[floordiv(k, 2)]"], "%y")),
        invalid("floordiv_by_zero", "E0111", "floordiv by 0 in a dim", ["param-dim"], ["neg"],
                func([("x", "f64[floordiv(n, 0)]")], [("y", "f64[floordiv(n, 0)]")],
                     ["%y = neg (%x) : f64[floordiv(n, 0)]"], "%y")),
        invalid("slice_wrong_extent", "E0213", "x[::2] declared floordiv(n, 2) (it is "
                "floordiv(n+1, 2))", ["slice"], ["slice"],
                func([("x", "f64[n]")], [("y", "f64[floordiv(n, 2)]")],
                     ["%y = slice {axes = [::2]} (%x) : f64[floordiv(n, 2)]"], "%y")),
    ]


def cases():
    return size_cases() + slice_cases() + invalid_cases()
