#!/usr/bin/env bash
# Fuzz smoke test of the three AIR readers (text, protobuf, JSON), the SymPy srepr reader, the
# PyTensor reader (pytensor-fgraph-json/1), and the checks of crates/air-fuzz past reading. The
# long run, with a table of executions, is bench/fuzz.sh.
#
# With cargo-fuzz (and a nightly toolchain) it runs each target of fuzz/ for FUZZ_SECONDS
# (default 20) seconds. Without it, it runs the seeded smoke fuzzers
# crates/air-ir/examples/fuzz_smoke.rs, translators/air-sympy/examples/fuzz_smoke_srepr/ and
# translators/air-pytensor/examples/fuzz_smoke_pytensor/ on FUZZ_ITERATIONS (default 5000) random and
# mutated inputs per format. Either way the checks are the same: no panic; for the AIR forms,
# write-then-read is a fixed point for every input that reads; for srepr, what parses prints
# back, what imports validates, and what exports imports back and settles
# (translators/air-sympy/examples/fuzz_smoke_srepr/check.rs); for PyTensor, what imports validates,
# what does not export lists its constructs, and what exports imports back with the same
# signature and settles (modules with a `for` loop excepted, see
# translators/air-pytensor/examples/fuzz_smoke_pytensor/check.rs). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-20}"
iterations="${FUZZ_ITERATIONS:-5000}"

# cargo-fuzz needs a nightly compiler: the default one, or rustup's `+nightly`.
toolchain=""
if ! rustc --version | grep -q nightly; then
    if command -v rustup >/dev/null 2>&1 && rustup toolchain list | grep -q '^nightly'; then
        toolchain="+nightly"
    fi
fi

if cargo ${toolchain} fuzz --version >/dev/null 2>&1 \
    && { [ -n "${toolchain}" ] || rustc --version | grep -q nightly; }; then
    for target in read_text read_pb read_json read_srepr read_pytensor read_npz check_module run_interp compile_llvm export; do
        echo "== cargo fuzz run ${target} (${seconds} s)"
        cargo ${toolchain} fuzz run "${target}" -- -max_total_time="${seconds}"
    done
else
    echo "== cargo-fuzz with a nightly toolchain not found: running the seeded smoke fuzzer" >&2
    cargo run --quiet -p air-ir --example fuzz_smoke -- "${iterations}"
    cargo run --quiet -p air-sympy --example fuzz_smoke_srepr -- "${iterations}"
    cargo run --quiet -p air-pytensor --example fuzz_smoke_pytensor -- "${iterations}"
fi
# The checks past reading (crates/air-fuzz: validate, print and re-read; run the interpreter in a
# memory budget; compile with LLVM and run like the interpreter; npz; export through each
# translator), seeded with the repository's modules: the same checks as the cargo-fuzz targets
# check_module, run_interp, compile_llvm, read_npz and export, always run (the seeds reach
# deeper than a short coverage-guided run from an empty corpus).
cargo run --quiet -p air-fuzz --bin fuzz_smoke -- "${iterations}"
