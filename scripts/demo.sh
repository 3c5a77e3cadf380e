#!/usr/bin/env bash
# The demo: builds `air`, then checks, prints and round-trips the five example computations
# (text -> protobuf -> JSON -> text), runs them on the inputs the real libraries were given (failing
# if a result differs from the library's), converts a PyTensor graph through SymPy and back, prints
# results with `air run`, builds SymPy's matvec as a prefixed C library and calls it from C, uses
# `skair` on live SymPy and PyTensor objects, runs the conformance suite and shows a rendered error
# report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export LLVM_SYS_191_PREFIX=/usr/lib/llvm-19
cargo build --release -q -p air-cli --features llvm
air=target/release/air
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== air check docs/examples/*.air"
$air check docs/examples/*.air

echo
echo "== air print docs/examples/matvec.air"
$air print docs/examples/matvec.air

for f in docs/examples/*.air; do
  name=$(basename "$f" .air)
  $air convert "$f" "$out/$name.airpb"
  $air convert "$out/$name.airpb" "$out/$name.air.json"
  $air convert "$out/$name.air.json" "$out/$name.air"
  if diff -q <($air print "$f") "$out/$name.air" >/dev/null; then
    echo "round trip $name: .air -> .airpb ($(wc -c <"$out/$name.airpb") bytes) -> .air.json -> .air: identical"
  else
    echo "round trip $name: DIFFERS" >&2
    diff <($air print "$f") "$out/$name.air" >&2
    exit 1
  fi
done

{
  echo
  echo "== air run: the examples on the inputs the real libraries were given"
  for f in docs/examples/*.air; do
    name=$(basename "$f" .air)
    $air run "$f" --inputs "docs/examples/libraries/$name/inputs.npz" --outputs "$out/$name.out.npz"
    .venv/bin/python - "$out/$name.out.npz" "docs/examples/libraries/$name" "$name" <<'PY'
import json, sys, numpy as np
got, ex, name = np.load(sys.argv[1]), sys.argv[2], sys.argv[3]
want, tol = np.load(f"{ex}/expected.npz"), json.load(open(f"{ex}/meta.json"))["tolerance"]
for k in want.files:
    err = float(np.max(np.abs(got[k] - want[k]))) if want[k].size else 0.0
    print(f"  {name}.{k}: {got[k].tolist() if got[k].size < 8 else got[k].shape} (max abs err vs the library: {err:.1e})")
    if not np.allclose(got[k], want[k], rtol=tol["rtol"], atol=tol["atol"]):
        sys.exit(f"demo: {name}.{k} differs from the library's result")
PY
  done
}

{
  echo
  echo "== one graph, three libraries: PyTensor's matvec graph -> AIR -> SymPy srepr -> AIR, run natively"
  $air convert docs/examples/libraries/matvec/pytensor.json "$out/matvec.srepr"
  echo "  SymPy form: $(cat "$out/matvec.srepr")"
  $air convert "$out/matvec.srepr" "$out/matvec_back.pytensor.json"
  $air run "$out/matvec_back.pytensor.json" --inputs docs/examples/libraries/matvec/inputs.npz \
    --outputs "$out/matvec_back.npz"
  .venv/bin/python - "$out/matvec_back.npz" docs/examples/libraries/matvec/expected.npz <<'PY'
import sys, numpy as np
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
print("  y via PyTensor -> SymPy -> PyTensor -> llvm:", got[got.files[0]], "| PyTensor's own:", want["y"])
PY
}

echo
echo "== air run without --outputs prints the results"
$air run docs/examples/matvec.air --inputs docs/examples/libraries/matvec/inputs.npz

echo
echo "== SymPy's matvec as a C library (symbols matvec_*; the runtime is inside, hidden), called from C"
$air compile docs/examples/sympy/matvec.srepr -o "$out/libmatvec.so" --header "$out/matvec.h"
cc -I"$out" docs/examples/sympy/main.c -o "$out/matvec" "$out/libmatvec.so" -Wl,-rpath,"$out"
echo "  $("$out/matvec" 3 4)   ($(wc -c <"$out/libmatvec.so") bytes; exports: $(nm -D --defined-only "$out/libmatvec.so" | awk '{print $3}' | grep -v '^_' | tr '\n' ' '))"

echo
echo "== skair: live SymPy and PyTensor objects, compiled and called on NumPy arrays"
if ! .venv/bin/python -c "import skair" 2>/dev/null; then
  echo "(installing skair into .venv: a release build of crates/air-python, a few minutes the first time)"
  PATH="$PWD/.venv/bin:$PATH" .venv/bin/pip install -q --no-build-isolation ./crates/air-python
fi
.venv/bin/python - <<'PY'
import numpy as np, sympy as sp, pytensor, pytensor.tensor as pt, skair
n, m = sp.symbols("n m", integer=True, positive=True)
i, j = sp.Idx("i", n), sp.Idx("j", m)
A, x, y = sp.IndexedBase("A", shape=(n, m)), sp.IndexedBase("x", shape=(m,)), sp.IndexedBase("y", shape=(n,))
module = skair.from_sympy(sp.Eq(y[i], A[i, j] * x[j]))
print(module.text())
A0, x0 = np.arange(12.0).reshape(3, 4), np.ones(4)
print("  skair.compile(module)(A, x), A Fortran-ordered, not copied:", skair.compile(module)(np.asfortranarray(A0), x0), "NumPy A @ x:", A0 @ x0)
f = pytensor.function(*skair.to_pytensor(module))
print("  the same module in PyTensor:", f(A0, x0)[0])
a, b = pt.dvector("a"), pt.dvector("b")
k = skair.compile(skair.from_pytensor(a * b + pt.sin(b), [a, b]))
print("  a PyTensor graph compiled by AIR:", k(np.array([1.0, 2.0]), np.array([3.0, 4.0])), k.signature)
PY

echo
echo "== air conformance: every case on the interpreter, the serial round trips, the LLVM backend and the SymPy and PyTensor translators"
$air conformance

echo
echo "== air check on an invalid module (exit code 1 expected)"
set +e
$air check docs/examples/invalid/E0203_matmul_inner_dims.air
echo "exit code: $?"
