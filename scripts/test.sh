#!/usr/bin/env bash
# Runs every test: formatting, lints, the Rust test suites (the conformance suite included), the
# skair Python package (installed into .venv) with its pytest suite, the
# check that the committed conformance cases are exactly what the generators produce, and a short
# fuzz smoke run of every reader.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export LLVM_SYS_191_PREFIX=/usr/lib/llvm-19

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo build (libair_rt.a, which tests link C programs against, is built here)"
cargo build --workspace --all-features -q
echo "== cargo clippy"
cargo clippy --workspace --all-targets --all-features -q -- -D warnings
echo "== cargo test"
cargo test --workspace --all-features
echo "== skair: the Python package installed into .venv (release build), and its tests"
PATH="$PWD/.venv/bin:$PATH" .venv/bin/pip install -q --no-build-isolation ./crates/air-python
.venv/bin/python -m pytest -q crates/air-python/tests
echo "== SymPy translator against real SymPy (500 random systems on interp and llvm; SymPy evaluates our exports)"
.venv/bin/python translators/air-sympy/tests/random_sympy.py --cases 500 --peers
echo "== SymPy's index examples (test_index_methods.py) against SymPy's own contraction structure, on interp and llvm"
.venv/bin/python translators/air-sympy/tests/index_methods.py
echo "== op set 2 sizes and strided extents from real SymPy (size parameters, ceiling(m/2) rows), on interp and llvm"
.venv/bin/python translators/air-sympy/tests/sizes_sympy.py
echo "== peers-sympy: real SymPy evaluates the srepr export of every conformance case (lambdify; autowrap on a sample)"
target/debug/air conformance --target peers-sympy
echo "== PyTensor translator against real PyTensor (300 random graphs: round trip, interp and llvm, SymPy both ways)"
.venv/bin/python translators/air-pytensor/tests/random_pytensor.py --cases 300
echo "== peers-pytensor: real PyTensor compiles the export of every conformance case (skips: conformance/skip/peers-pytensor.txt)"
target/debug/air conformance --target peers-pytensor
echo "== the README's seed example is the srepr SymPy writes"
diff <(.venv/bin/python docs/examples/sympy/make_matvec.py) docs/examples/sympy/matvec.srepr
if [ -f conformance/gen/generate.py ]; then
  echo "== conformance cases are what the generators produce"
  .venv/bin/python conformance/gen/generate.py --check
fi
if [ -f bench/fuzz-smoke.sh ]; then
  echo "== fuzz smoke"
  bash bench/fuzz-smoke.sh
fi
echo "== bench/peers.py --quick --strict: every library builds each kernel it can express and agrees with NumPy (times are not checked)"
.venv/bin/python bench/peers.py --quick --strict --threads 1 --json "$(mktemp)" 2>/dev/null
echo "== all tests passed"
