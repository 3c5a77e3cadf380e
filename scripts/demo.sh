#!/usr/bin/env bash
# The demo: builds `air`, then checks, prints and round-trips the five example computations
# (text -> protobuf -> JSON -> text) and shows a rendered error report.
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

if [ -d ../shared/examples ]; then
  echo
  echo "== air run: the examples on the inputs the real libraries were given"
  for f in docs/examples/*.air; do
    name=$(basename "$f" .air)
    $air run "$f" --inputs "../shared/examples/$name/inputs.npz" --outputs "$out/$name.out.npz"
    .venv/bin/python - "$out/$name.out.npz" "../shared/examples/$name/expected.npz" "$name" <<'PY'
import sys, numpy as np
got, want, name = np.load(sys.argv[1]), np.load(sys.argv[2]), sys.argv[3]
for k in want.files:
    err = float(np.max(np.abs(got[k] - want[k]))) if want[k].size else 0.0
    print(f"  {name}.{k}: {got[k].tolist() if got[k].size < 8 else got[k].shape} (max abs err vs the library: {err:.1e})")
PY
  done
fi

echo
echo "== air conformance: every case on the interpreter, the three serial round trips and the LLVM backend"
$air conformance

echo
echo "== air check on an invalid module (exit code 1 expected)"
set +e
$air check docs/examples/invalid/E0203_matmul_inner_dims.air
echo "exit code: $?"
