"""Reading, writing, converting and checking modules; the errors they raise."""

from __future__ import annotations

import numpy as np
import pytest

import skair
from conftest import REPO

SCALE = """air 1 opset 1

func @scale(%x: f64[n]) -> (%y: f64[n]) {
  %two = full {value = f64 2.0, shape = [n]} () : f64[n]
  %y = mul (%x, %two) : f64[n]
  return %y
}
"""

INVALID = REPO / "docs/examples/invalid/E0203_matmul_inner_dims.air"


def test_formats_lists_the_serial_forms_and_every_translator():
    f = skair.formats()
    assert f["air"] == [".air"]
    assert f["airpb"] == [".airpb"]
    assert f["json"] == [".air.json"]
    assert f["sympy"] == [".srepr", ".srepr.txt"]
    assert list(f)[:3] == ["air", "airpb", "json"]


def test_text_round_trips_through_protobuf_and_json():
    m = skair.loads(SCALE)
    pb = m.dumps("airpb")
    js = m.dumps("json")
    assert isinstance(pb, bytes) and isinstance(js, str)
    assert skair.loads(pb).text() == m.text()
    assert skair.loads(js, format="json").text() == m.text()
    assert m.functions == ["scale"]
    assert "@scale(%x: f64[n]) -> (%y: f64[n])" in repr(m)
    assert str(m) == m.text()


@pytest.mark.parametrize("ext", [".air", ".airpb", ".air.json", ".srepr"])
def test_save_and_load_by_extension(tmp_path, ext):
    m = skair.loads(SCALE)
    path = tmp_path / f"m{ext}"
    m.save(path)
    back = skair.load(path)
    if ext == ".srepr":
        # SymPy's text names the function `main` and its index symbols; the numbers agree.
        assert back.functions == ["main"]
        assert "Float('2.0', precision=53)" in path.read_text()
    else:
        assert back.text() == m.text()


def test_convert_picks_both_forms_by_extension(tmp_path):
    src = tmp_path / "m.air"
    src.write_text(SCALE)
    skair.convert(src, tmp_path / "m.airpb")
    skair.convert(tmp_path / "m.airpb", tmp_path / "m.air.json")
    skair.convert(tmp_path / "m.air.json", tmp_path / "out.txt", dst_format="air")
    assert skair.load(tmp_path / "out.txt", format="air").text() == skair.loads(SCALE).text()


def test_unknown_format_and_extension_are_clear():
    with pytest.raises(ValueError, match=r"unknown format 'xyz'; known: air, airpb, json, sympy"):
        skair.loads(SCALE, format="xyz")
    with pytest.raises(ValueError, match=r"cannot tell the format of 'm\.xyz' from its extension; known: \.air \(air\)"):
        skair.load("m.xyz")
    with pytest.raises(TypeError, match="loads\\(\\) takes str or bytes, not int"):
        skair.loads(3)


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope.air"
    with pytest.raises(FileNotFoundError, match="nope.air"):
        skair.load(missing)


def test_check_lists_every_problem_with_code_and_location():
    m = skair.load(INVALID)
    with pytest.raises(skair.ValidationError) as e:
        m.check()
    assert isinstance(e.value, ValueError)
    diags = e.value.diagnostics
    assert [d.code for d in diags] == ["E0203", "E0213", "E0206"]
    first = diags[0]
    assert first.message == "inner dims differ (k vs k+1)"
    assert first.location == f"{INVALID}:5:3"
    assert first.function == "f"
    assert first.op == "matmul"
    assert first.path == "%0"
    assert "E0203" in str(first) and "3 problems" in str(e.value)
    assert skair.loads(SCALE).check() is None


def test_compile_refuses_an_invalid_module():
    with pytest.raises(skair.ValidationError) as e:
        skair.compile(skair.load(INVALID))
    assert len(e.value.diagnostics) == 3


def test_syntax_errors_are_diagnostics():
    with pytest.raises(skair.ValidationError) as e:
        skair.loads("air 1 opset 1\nfunc @f(%x: f64) -> (f64) {\n  return %nope\n}\n", source="bad.air")
    assert [d.code for d in e.value.diagnostics] == ["E0106"]
    assert e.value.diagnostics[0].location.startswith("bad.air:3:")


def test_translation_errors_list_every_construct():
    text = "Equality(Symbol('y'), Add(besselj(Integer(0), Symbol('x')), hyper(Symbol('x'))))"
    with pytest.raises(skair.TranslationError) as e:
        skair.loads(text, format="sympy")
    assert isinstance(e.value, ValueError)
    codes = [d.code for d in e.value.diagnostics]
    assert codes == ["E0102", "E0102"]
    messages = " ".join(d.message for d in e.value.diagnostics)
    assert "besselj" in messages and "hyper" in messages
    assert e.value.diagnostics[0].location == "<string>:1:27"


def test_export_errors_list_what_the_format_cannot_express():
    m = skair.load(REPO / "docs/examples/concat.air")
    with pytest.raises(skair.TranslationError, match="the sympy format cannot express this module") as e:
        m.dumps("sympy")
    assert any("concat" in d.message for d in e.value.diagnostics)


def test_dtype_options_are_for_formats_without_dtypes():
    with pytest.raises(ValueError, match=r"args= and dtypes= are for formats without dtypes \(sympy\)"):
        skair.loads(SCALE, dtypes={"x": "f32"})
    with pytest.raises(TypeError, match="dtypes=: x: not a dtype"):
        skair.loads("Equality(Symbol('y'), Symbol('x'))", format="sympy", dtypes={"x": "nonsense"})


def test_sympy_text_takes_dtypes_and_argument_order():
    text = "Equality(Symbol('y'), Add(Symbol('b'), Symbol('a')))"
    m = skair.loads(text, format="sympy", args=["b", "a"], dtypes={"a": "float32", "b": "f32"})
    k = skair.compile(m)
    assert k.signature == "@main(%b: f32, %a: f32) -> (%y: f32)"


def test_compile_names_unknown_backends_and_functions():
    m = skair.loads(SCALE)
    with pytest.raises(ValueError, match=r"unknown backend 'gpu'; known: llvm, interp"):
        skair.compile(m, backend="gpu")
    with pytest.raises(ValueError, match=r"no function @nope in the module"):
        skair.compile(m, function="nope")
    with pytest.raises(ValueError, match="threads must be at least 1"):
        skair.compile(m, threads=0)
    with pytest.raises(ValueError, match="the interpreter runs on one thread"):
        skair.compile(m, backend="interp", threads=2)


def test_backend_limits_are_compile_errors():
    text = (
        "air 1 opset 1\nfunc @c(%x: f64[n]) -> (%y: f64[n]) {\n"
        '  %y = custom {domain = "mylib", name = "opaque"} (%x) : f64[n]\n  return %y\n}\n'
    )
    with pytest.raises(skair.CompileError) as e:
        skair.compile(skair.loads(text))
    assert isinstance(e.value, ValueError)
    assert all(d.code == "E0407" for d in e.value.diagnostics)
    assert "mylib.opaque" in str(e.value)


def test_version_constants():
    assert skair.IR_VERSION >= 1 and skair.OPSET_VERSION >= 1
    assert isinstance(skair.__version__, str)


def test_the_stubs_describe_the_native_module():
    import ast
    from pathlib import Path

    import skair._skair as native

    stub = Path(skair.__file__).with_name("_skair.pyi")
    assert stub.with_name("py.typed").exists()
    tree = ast.parse(stub.read_text())
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
    public = {n for n in dir(native) if not n.startswith("_")} | {"__version__"}
    assert public <= declared, f"not in the stubs: {public - declared}"
    assert {n for n in declared if not n.startswith("_")} <= public | {"__version__"}
    for cls in ["Module", "Kernel", "Arg", "Diagnostic"]:
        node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
        methods = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
        runtime = {n for n in dir(getattr(native, cls)) if not n.startswith("_")}
        assert runtime <= methods, f"{cls}: not in the stubs: {runtime - methods}"
    assert set(skair.__all__) <= set(dir(skair))


SIZED = """air 1 opset 2
func @main(%len: i64 size n, %x: f64[3*n]) -> (%y: f64[n]) {
  %y = iota {dtype = f64, shape = [n], axis = 0} () : f64[n]
  return %y
}
"""


@pytest.mark.parametrize("backend", ["interp", "llvm"])
def test_a_size_parameter_binds_its_symbol(backend):
    """Op set 2 size parameters: the scalar's value is the extent `n`, checked against the arrays
    (3*n here) before anything runs; 0 is a size, a negative value is not."""
    k = skair.compile(skair.loads(SIZED), backend=backend)
    np.testing.assert_array_equal(k(np.int64(4), np.zeros(12)), np.arange(4.0))
    assert k(np.int64(0), np.zeros(0)).shape == (0,)
    with pytest.raises(ValueError, match="E0506"):
        k(np.int64(-1), np.zeros(0))
    with pytest.raises(ValueError, match="must have extent 3"):
        k(np.int64(2), np.zeros(5))
