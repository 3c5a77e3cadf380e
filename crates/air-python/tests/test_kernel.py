"""Compiled kernels on NumPy arrays: results against NumPy, strides and orders without copies,
out= buffers, argument binding, dtype specialisation, threads, the GIL, and the errors."""

from __future__ import annotations

import threading
import time
import tracemalloc

import numpy as np
import pytest
import sympy as sp

import skair

BACKENDS = ["llvm", "interp"]


@pytest.fixture(scope="module")
def ew(sym):
    """z[i] = x[i]*y[i] + sin(x[i])."""
    eq = sp.Eq(sym.z[sym.i], sym.x[sym.i] * sym.y[sym.i] + sp.sin(sym.x[sym.i]))
    return skair.from_sympy(eq)


@pytest.fixture(scope="module")
def matvec(sym):
    """y[i] = A[i, j]*v[j], an implicit sum over j."""
    return skair.from_sympy(sp.Eq(sym.y[sym.i], sym.A[sym.i, sym.j] * sym.v[sym.j]), args=[sym.A, sym.v])


@pytest.fixture(scope="module")
def typed():
    """A module with dtypes of its own (the text form): no specialisation, exact dtypes."""
    return skair.loads(
        """air 1 opset 1
func @f(%a: f64[n, 3], %b: f64[n], %c: f64[2*n]) -> (%r: f64[n, 3], %s: f64) {
  %bb = broadcast {shape = [n, 3], dims = [0]} (%b) : f64[n, 3]
  %r = add (%a, %bb) : f64[n, 3]
  %s = reduce_sum {axes = [0]} (%c) : f64
  return %r, %s
}
"""
    )


def rng(seed=0):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("backend", BACKENDS)
def test_elementwise_matches_numpy(ew, backend):
    k = skair.compile(ew, backend=backend)
    x, y = rng().standard_normal((2, 1000))
    np.testing.assert_allclose(k(x, y), x * y + np.sin(x), rtol=1e-12, atol=1e-15)
    assert k.backend == backend and k.function == "main"


@pytest.mark.parametrize("backend", BACKENDS)
def test_implicit_sum_is_a_matrix_vector_product(matvec, backend):
    k = skair.compile(matvec, backend=backend)
    A = rng().standard_normal((5, 7))
    v = rng(1).standard_normal(7)
    np.testing.assert_allclose(k(A, v), A @ v, rtol=1e-13)
    assert k.signature == "@main(%A: f64[n, m], %v: f64[m]) -> (%y: f64[n])"
    assert [(p.name, p.dtype, p.shape, p.intent) for p in k.params] == [
        ("A", "float64", ("n", "m"), "in"),
        ("v", "float64", ("m",), "in"),
    ]
    assert [(r.name, r.intent) for r in k.results] == [("y", "result")]


def test_piecewise_is_a_select(sym):
    x, i, z = sym.x, sym.i, sym.z
    eq = sp.Eq(z[i], sp.Piecewise((x[i] ** 2, x[i] > 0), (-2 * x[i], True)))
    k = skair.compile(skair.from_sympy(eq))
    a = np.linspace(-2, 2, 9)
    np.testing.assert_array_equal(k(a), np.where(a > 0, a**2, -2 * a))


def test_any_strides_and_orders(matvec, ew):
    mv = skair.compile(matvec)
    base = rng().standard_normal((12, 10))
    v = rng(1).standard_normal(20)
    views = {
        "C": np.ascontiguousarray(base),
        "F": np.asfortranarray(base),
        "transposed": base.T.copy().T,
        "sliced": np.ascontiguousarray(np.repeat(base, 2, axis=1))[:, ::2],
        "negative": base[::-1, ::-1][::-1, ::-1],
        "reversed rows": base[::-1],
    }
    for name, A in views.items():
        np.testing.assert_allclose(mv(A, v[::2]), A @ v[::2], rtol=1e-13, err_msg=name)
    k = skair.compile(ew)
    x = rng(2).standard_normal(41)
    y = rng(3).standard_normal(41)
    for a, b in [(x[::-1], y[::-1]), (x[::3], y[1::3]), (x[::-2], y[::2])]:
        np.testing.assert_allclose(k(a, b), a * b + np.sin(a), rtol=1e-12, atol=1e-15)
    # a broadcast view (stride 0) is an array like any other
    b0 = np.broadcast_to(np.float64(0.5), x.shape)
    np.testing.assert_allclose(k(x, b0), x * 0.5 + np.sin(x), rtol=1e-12, atol=1e-15)


def test_arguments_are_not_copied(matvec):
    k = skair.compile(matvec, threads=1)
    A = np.asfortranarray(rng().standard_normal((1000, 1000)))[::-1, :]  # 8 MB, F-order, reversed
    v = rng(1).standard_normal(2000)[::2]
    k(A, v)  # warm
    tracemalloc.start()
    try:
        y = k(A, v)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200_000, f"{peak} bytes traced during the call: the arguments were copied"
    np.testing.assert_allclose(y, A @ v, rtol=1e-12)


def test_out_buffers_are_filled_and_returned(ew):
    k = skair.compile(ew)
    x, y = rng().standard_normal((2, 16))
    out = np.full(16, np.nan)
    r = k(x, y, out=out)
    assert r is out
    np.testing.assert_allclose(out, x * y + np.sin(x), rtol=1e-12, atol=1e-15)
    wide = np.zeros(32)
    assert k(x, y, out=(wide[::2],)) is not None
    np.testing.assert_allclose(wide[::2], out)
    assert not wide[1::2].any()


def test_out_buffer_errors(ew, typed):
    t = skair.compile(typed)
    with pytest.raises(TypeError, match=r"out= buffer for result 'r' of @f: expected float64, got float32"):
        t(np.ones((2, 3)), np.ones(2), np.ones(4), out=(np.empty((2, 3), np.float32), None))
    k = skair.compile(ew)
    x, y = rng().standard_normal((2, 16))
    with pytest.raises(ValueError, match=r"out= buffer for result 'z' of @main \(f64\[n\]\): axis 0 must have extent n = 16, got 15"):
        k(x, y, out=np.empty(15))
    with pytest.raises(ValueError, match=r"the output buffer for 'z' of @main overlaps argument 'x'"):
        k(x, y, out=x)
    with pytest.raises(TypeError, match=r"out= must give 1 buffer \(or None\) for @main's outputs \(z\), got 2"):
        k(x, y, out=(np.empty(16), np.empty(16)))
    ro = np.empty(16)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        k(x, y, out=ro)
    with pytest.raises(TypeError, match="expected a NumPy array, got list"):
        k(x, y, out=[[0.0] * 16])


def test_out_parameters(sym):
    x, y, z, i = sym.x, sym.y, sym.z, sym.i
    m = skair.from_sympy(sp.Eq(z[i], x[i] + 2 * y[i]), args=[x, y, z])
    for backend in BACKENDS:
        k = skair.compile(m, backend=backend)
        assert [p.intent for p in k.params] == ["in", "in", "out"]
        a, b = rng().standard_normal((2, 8))
        np.testing.assert_allclose(k(a, b), a + 2 * b)
        buf = np.empty(8)
        assert k(a, b, z=buf) is buf
        np.testing.assert_allclose(buf, a + 2 * b)
        buf2 = np.empty(8)
        assert k(a, b, out=buf2) is buf2
        np.testing.assert_allclose(buf2, a + 2 * b)
        with pytest.raises(TypeError, match=r"takes 2 positional arguments \(x, y\) but 3 were given; out parameters \(z\)"):
            k(a, b, buf)


def test_inout_parameters_update_in_place(sym):
    x, y, i = sym.x, sym.y, sym.i
    m = skair.from_sympy(sp.Eq(x[i], 3 * x[i] + y[i]), args=[x, y])
    for backend in BACKENDS:
        k = skair.compile(m, backend=backend)
        assert [p.intent for p in k.params] == ["inout", "in"]
        a = np.arange(6.0)
        b = np.ones(6)
        r = k(a, b)
        assert r is a
        np.testing.assert_array_equal(a, 3 * np.arange(6.0) + 1)
        with pytest.raises(ValueError, match="updated in place; give None or that array"):
            k(a, b, out=np.empty(6))


def test_several_outputs_come_back_as_a_tuple(typed):
    k = skair.compile(typed)
    a = rng().standard_normal((4, 3))
    b = rng(1).standard_normal(4)
    c = rng(2).standard_normal(8)
    r, s = k(a, b, c)
    np.testing.assert_allclose(r, a + b[:, None])
    assert s.shape == () and s.dtype == np.float64
    np.testing.assert_allclose(s, c.sum())
    r2 = np.empty((4, 3))
    got = k(a, b, c, out=(r2, None))
    assert got[0] is r2
    np.testing.assert_allclose(got[1], c.sum())


def test_keywords_and_positional_arguments(typed):
    k = skair.compile(typed)
    a, b, c = np.ones((2, 3)), np.ones(2), np.ones(4)
    r1, _ = k(a, b, c)
    r2, _ = k(c=c, a=a, b=b)
    r3, _ = k(a, c=c, b=b)
    np.testing.assert_array_equal(r1, r2)
    np.testing.assert_array_equal(r1, r3)
    with pytest.raises(TypeError, match=r"@f\(\) missing 1 argument: 'c' \(param 3, f64\[2\*n\]\)"):
        k(a, b)
    with pytest.raises(TypeError, match=r"@f\(\) got multiple values for argument 'a'"):
        k(a, b, c, a=a)
    with pytest.raises(TypeError, match=r"@f\(\) got an unexpected keyword argument 'd'; parameters: a, b, c"):
        k(a, b, c, d=a)
    with pytest.raises(TypeError, match=r"@f\(\) takes 3 positional arguments \(a, b, c\) but 4 were given"):
        k(a, b, c, c)


def test_dtype_errors_name_the_argument(typed):
    k = skair.compile(typed)
    a, b, c = np.ones((2, 3)), np.ones(2), np.ones(4)
    with pytest.raises(TypeError, match=r"^argument 'b' \(param 2 of @f\): expected float64, got int32$"):
        k(a, b.astype(np.int32), c)
    with pytest.raises(TypeError, match=r"argument 'c' \(param 3 of @f\): expected float64, got >f8"):
        k(a, b, c.astype(">f8"))
    with pytest.raises(TypeError, match=r"argument 'a' \(param 1 of @f\): expected float64, got <U1"):
        k(np.full((2, 3), "x"), b, c)
    with pytest.raises(TypeError, match=r"argument 'a' \(param 1 of @f\): expected a NumPy array \(f64\[n, 3\]\), got list"):
        k([[1.0, 2.0, 3.0]], b, c)


def test_shape_errors_name_the_argument(typed, matvec):
    k = skair.compile(typed)
    a, b, c = np.ones((2, 3)), np.ones(2), np.ones(4)
    with pytest.raises(ValueError, match=r"argument 'a' \(param 1 of @f\): expected 2 dimensions \(f64\[n, 3\]\), got 1 \(shape \(6,\)\)"):
        k(np.ones(6), b, c)
    with pytest.raises(ValueError, match=r"argument 'a' \(param 1 of @f\) \(f64\[n, 3\]\): axis 1 must have extent 3, got 4"):
        k(np.ones((2, 4)), b, c)
    with pytest.raises(ValueError, match=r"argument 'b' \(param 2 of @f\) \(f64\[n\]\): axis 0 has extent 3, but n is 2 \(from argument 'a', axis 0\)"):
        k(a, np.ones(3), c)
    with pytest.raises(ValueError, match=r"argument 'c' \(param 3 of @f\) \(f64\[2\*n\]\): axis 0 must have extent 2\*n = 4, got 5"):
        k(a, b, np.ones(5))
    mv = skair.compile(matvec)
    with pytest.raises(ValueError, match=r"argument 'v' \(param 2 of @main\) \(f64\[m\]\): axis 0 has extent 5, but m is 4"):
        mv(np.ones((3, 4)), np.ones(5))


def test_runtime_errors_of_the_backend_are_value_errors():
    m = skair.loads(
        "air 1 opset 1\nfunc @main(%x: f64[n], %i: i64[k]) -> (%y: f64[k]) {\n"
        "  %y = take {axis = 0} (%x, %i) : f64[k]\n  return %y\n}\n"
    )
    for backend in BACKENDS:
        k = skair.compile(m, backend=backend)
        np.testing.assert_array_equal(k(np.arange(5.0), np.array([4, -1, 0])), [4.0, 4.0, 0.0])
        with pytest.raises(ValueError, match="E0503") as e:
            k(np.arange(5.0), np.array([5]))
        assert str(e.value).count("@main") == 1, str(e.value)


def test_scalars_for_rank0_parameters():
    m = skair.loads(
        "air 1 opset 1\nfunc @f(%x: f64[n], %s: f64) -> (%y: f64[n]) {\n"
        "  %b = broadcast {shape = [n], dims = []} (%s) : f64[n]\n  %y = mul (%x, %b) : f64[n]\n  return %y\n}\n"
    )
    k = skair.compile(m)
    x = np.arange(4.0)
    for s in [2.5, 2, np.float64(2.5), np.array(2.5)]:
        np.testing.assert_array_equal(k(x, s), x * float(s))
    with pytest.raises(TypeError, match=r"argument 's' \(param 2 of @f\): expected a NumPy array \(f64\), got complex"):
        k(x, 1j)
    with pytest.raises(TypeError, match="expected float64, got float32"):
        k(x, np.float32(2.5))


def test_sympy_modules_specialise_to_the_arrays_dtypes(ew, sym):
    k = skair.compile(ew)
    x64, y64 = rng().standard_normal((2, 10))
    for dt in [np.float32, np.float64]:
        x, y = x64.astype(dt), y64.astype(dt)
        r = k(x, y)
        assert r.dtype == dt
        np.testing.assert_allclose(r, x * y + np.sin(x), rtol=1e-5 if dt == np.float32 else 1e-12, atol=1e-6 if dt == np.float32 else 1e-15)
    assert k.variants == [
        "@main(%x: f64[n], %y: f64[n]) -> (%z: f64[n])",
        "@main(%x: f32[n], %y: f32[n]) -> (%z: f32[n])",
    ]
    k(x64.astype(np.float32), y64.astype(np.float32))
    assert len(k.variants) == 2  # cached per dtype signature
    # integers: NumPy's promotion (sin of an int64 is float64)
    xi = np.arange(5)
    ri = k(xi, xi)
    np.testing.assert_allclose(ri, xi * xi + np.sin(xi), rtol=1e-12, atol=1e-15)
    # dtypes= fixes a dtype: arrays of another dtype are refused
    fixed = skair.compile(skair.from_sympy(sp.Eq(sym.z[sym.i], 2 * sym.x[sym.i]), dtypes={"x": "f32"}))
    np.testing.assert_allclose(fixed(x64.astype(np.float32)), 2 * x64.astype(np.float32), rtol=1e-6)
    with pytest.raises(TypeError, match=r"argument 'x' \(param 1 of @main\): expected float32, got float64"):
        fixed(x64)


def test_concurrent_first_calls_compile_each_specialisation_once(ew):
    """Threads that all call a kernel with a new dtype at once wait for the one compiling it."""
    k = skair.compile(ew)
    x64, y64 = rng().standard_normal((2, 64))
    args = {np.float32: (x64.astype(np.float32), y64.astype(np.float32)), np.int64: (np.arange(64), np.arange(64))}
    start = threading.Barrier(8)
    results, errors = {}, []

    def call(t):
        dt = np.float32 if t % 2 else np.int64
        start.wait()
        try:
            results[t] = (dt, k(*args[dt]))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=call, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(k.variants) == sorted([
        "@main(%x: f64[n], %y: f64[n]) -> (%z: f64[n])",
        "@main(%x: f32[n], %y: f32[n]) -> (%z: f32[n])",
        "@main(%x: i64[n], %y: i64[n]) -> (%z: f64[n])",
    ]), k.variants
    for dt, r in results.values():
        x, y = args[dt]
        np.testing.assert_allclose(r, x * y + np.sin(x), rtol=1e-5)


NUMPY_NAMES = {
    "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64",
    "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
    "f16": "float16", "f32": "float32", "f64": "float64", "c64": "complex64", "c128": "complex128",
}


def test_out_buffers_of_another_dtype_specialise_a_sympy_result(ew):
    k = skair.compile(ew)
    x, y = rng().standard_normal((2, 16))
    out = np.empty(16, np.float32)
    assert k(x, y, out=out) is out
    np.testing.assert_allclose(out, (x * y + np.sin(x)).astype(np.float32), rtol=1e-6)
    assert k.variants[-1] == "@main(%x: f64[n], %y: f64[n]) -> (%z: f32[n])"


def test_dtypes_on_both_backends():
    text = """air 1 opset 1
func @f(%a: {t}[n], %b: {t}[n]) -> (%s: {t}[n], %g: bool[n]) {{
  %s = add (%a, %b) : {t}[n]
  %g = gt (%a, %b) : bool[n]
  return %s, %g
}}
"""
    for t in ["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16", "f32", "f64", "c64", "c128"]:
        m = skair.loads(text.format(t=t))
        dt = np.dtype(NUMPY_NAMES[t])
        a = (np.arange(6) * 3 % 7).astype(dt)
        b = (np.arange(6) * 5 % 4).astype(dt)
        for backend in BACKENDS:
            if dt.kind == "c":
                continue  # complex numbers are not ordered: `gt` refuses them (checked below)
            s, g = skair.compile(m, backend=backend)(a, b)
            assert s.dtype == dt and g.dtype == np.bool_
            np.testing.assert_array_equal(s, a + b)
            np.testing.assert_array_equal(g, a > b)
    c = skair.loads("air 1 opset 1\nfunc @f(%a: c128[n]) -> (%s: c128[n]) {\n  %s = mul (%a, %a) : c128[n]\n  return %s\n}\n")
    z = np.array([1 + 2j, -3j])
    for backend in BACKENDS:
        np.testing.assert_array_equal(skair.compile(c, backend=backend)(z), z * z)


def test_bfloat16_is_refused_with_a_reason():
    m = skair.loads("air 1 opset 1\nfunc @f(%a: bf16[n]) -> (%s: bf16[n]) {\n  %s = add (%a, %a) : bf16[n]\n  return %s\n}\n")
    k = skair.compile(m, backend="interp")
    with pytest.raises(TypeError, match="expected bfloat16, got float16"):
        k(np.ones(3, np.float16))


def test_threads_give_the_same_numbers(ew):
    x, y = rng().standard_normal((2, 3_000_000))
    one = skair.compile(ew, threads=1)(x, y)
    two = skair.compile(ew, threads=2)
    assert two.threads == 2
    np.testing.assert_array_equal(two(x, y), one)


def test_the_gil_is_released_while_a_kernel_runs(sym):
    x, i, z = sym.x, sym.i, sym.z
    heavy = skair.from_sympy(sp.Eq(z[i], sp.Add(*[sp.sin(k * x[i]) for k in range(1, 25)])))
    k = skair.compile(heavy, threads=1)
    a = rng().standard_normal(3_000_000)
    t0 = time.perf_counter()
    expected = k(a)
    single = time.perf_counter() - t0
    np.testing.assert_allclose(expected[:100], sum(np.sin(j * a[:100]) for j in range(1, 25)), rtol=1e-9, atol=1e-12)

    # One call in the background: this thread keeps running Python meanwhile. With the GIL held
    # it would wait for the whole call; released, its longest pause is short.
    worker = threading.Thread(target=k, args=(a,))
    worker.start()
    longest, last = 0.0, time.perf_counter()
    while worker.is_alive():
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    worker.join()
    assert longest < 0.6 * single, f"the main thread stalled {longest:.3f} s; one call takes {single:.3f} s"

    # Two threads calling the kernel at once both get the right numbers.
    results = {}

    def work(name):
        results[name] = k(a)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(results["a"], expected)
    np.testing.assert_array_equal(results["b"], expected)


def test_record_tables_split_into_fields():
    from conftest import REPO

    m = skair.load(REPO / "docs/examples/table_revenue.air")
    t = np.zeros(5, dtype=[("id", "i8"), ("price", "f8"), ("qty", "i4"), ("cost", "f8"), ("ok", "?")])
    t["price"] = [1.5, 2.0, 3.0, 4.0, 5.0]
    t["qty"] = [1, 2, 3, 4, 5]
    t["ok"] = [True, False, True, True, False]
    k = skair.compile(m)
    want = float(np.sum((t["price"] * t["qty"])[t["ok"]]))
    assert float(k(t=t)) == want
    assert float(skair.compile(m, backend="interp")(t=t)) == want
    with pytest.raises(TypeError, match="'t' is a record table"):
        k(t=np.ones(5))


def test_results_of_run_time_length_are_handed_to_numpy():
    import gc

    m = skair.loads(
        "air 1 opset 1\nfunc @keep(%x: f64[n], %m: bool[n]) -> (%y: f64[k]) {\n"
        "  %y = filter (%x, %m) : f64[k]\n  return %y\n}\n"
    )
    x = np.arange(10.0)
    mask = x % 3 == 0
    for backend in BACKENDS:
        k = skair.compile(m, backend=backend)
        y = k(x, mask)
        np.testing.assert_array_equal(y, x[mask])
        assert y.flags.c_contiguous and y.flags.writeable
        if backend == "llvm":
            # the buffer the compiled code allocated, owned by the array (no copy)
            assert type(y.base).__name__ == "PyCapsule"
        y[0] = 42.0
        view = y[1:]
        del k, y
        gc.collect()
        assert float(view.sum()) == 3 + 6 + 9  # the buffer lives as long as a view of it
