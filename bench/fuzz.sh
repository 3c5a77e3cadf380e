#!/usr/bin/env bash
# The long fuzz run: every cargo-fuzz target of fuzz/ for SECONDS each (default 300), one after
# another, and a table of what ran written to docs/fuzzing.md (rows replaced per target).
#
#   bench/fuzz.sh [SECONDS] [TARGET...]      # default: every target
#
# Needs cargo-fuzz and a nightly toolchain (`rustup toolchain install nightly`,
# `cargo +nightly install cargo-fuzz`); it says so and exits 1 without them. Each target starts
# from a corpus of the repository's modules (conformance cases and examples, written by
# `fuzz_smoke --write-corpus`) plus what earlier runs kept in fuzz/corpus/<target>/ (not
# committed). Budgets: -timeout=30 s per input and -rss_limit_mb=4096, so a slow or huge
# compile or run is a finding. The reader targets (read_*) are built without AddressSanitizer:
# AIR's readers deny unsafe code (workspace lint `unsafe_code = "deny"`), so ASan has little to
# find there and slows them several times; the targets past reading (the interpreter, the LLVM
# backend's JIT and runtime, which hold unsafe code) keep it. A finding is saved by libFuzzer
# under fuzz/artifacts/<target>/;
# the table counts them and the script exits 1 if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
export LLVM_SYS_191_PREFIX="${LLVM_SYS_191_PREFIX:-/usr/lib/llvm-19}"

seconds="${1:-300}"
shift || true
all=(read_text read_pb read_json read_srepr read_pytensor read_npz check_module run_interp compile_llvm export)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

toolchain=""
rustc --version | grep -q nightly || toolchain="+nightly"
if ! cargo ${toolchain} fuzz --version >/dev/null 2>&1; then
    echo "bench/fuzz.sh: needs cargo-fuzz with a nightly toolchain (cargo +nightly install cargo-fuzz)" >&2
    exit 1
fi

cargo build -q -p air-fuzz --bin fuzz_smoke
seeds="$(mktemp -d)"
trap 'rm -rf "$seeds"' EXIT
target/debug/fuzz_smoke --write-corpus "$seeds" >/dev/null

cpu="$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates translators fuzz || echo '+changes')"
table=docs/fuzzing.md
rows="$(mktemp)"
found=0
for t in "${targets[@]}"; do
    case "$t" in
        read_npz) seed_dir="$seeds/npz" ;;
        check_module|run_interp|compile_llvm|export) seed_dir="$seeds/module" ;;
        *) seed_dir="" ;;
    esac
    case "$t" in
        read_*) sanitizer=none ;;
        *) sanitizer=address ;;
    esac
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    before=$(ls "fuzz/artifacts/$t" | wc -l)
    log="$(mktemp)"
    echo "== $t: ${seconds} s (sanitizer: $sanitizer)"
    set +e
    cargo ${toolchain} fuzz run -O --sanitizer "$sanitizer" "$t" "fuzz/corpus/$t" ${seed_dir:+"$seed_dir"} -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -max_len=65536 \
        -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=${execs:-0}
    corpus=$(ls "fuzz/corpus/$t" | wc -l)
    new=$(( $(ls "fuzz/artifacts/$t" | wc -l) - before ))
    if [ "$rc" -ne 0 ] && [ "$new" -eq 0 ]; then new=1; fi
    [ "$new" -eq 0 ] || { found=1; tail -30 "$log"; }
    rate=$(( execs / (seconds > 0 ? seconds : 1) ))
    printf '| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" "$sanitizer" "$seconds" "$execs" "$rate" \
        "$corpus" "$new" "$(date -u +%Y-%m-%d)" "$commit" "$cpu" >>"$rows"
    echo "   $execs executions ($rate/s), corpus $corpus, findings $new"
    rm -f "$log"
done

# Keep the other targets' rows; replace the rows of the targets just run.
python3 - "$table" "$rows" <<'PY'
import re, sys
path, rows_path = sys.argv[1], sys.argv[2]
new_rows = [r for r in open(rows_path).read().splitlines() if r]
ran = {re.match(r"\| `([^`]+)`", r).group(1) for r in new_rows}
try:
    old = open(path).read()
except FileNotFoundError:
    old = ""
start, end = "<!-- fuzz table -->", "<!-- end of fuzz table -->"
kept = []
if start in old:
    body = old.split(start, 1)[1].split(end, 1)[0]
    kept = [l for l in body.splitlines() if l.startswith("| `") and re.match(r"\| `([^`]+)`", l).group(1) not in ran]
    # Rows from before the sanitizer column were all run with AddressSanitizer.
    kept = [l if l.count("|") == 11 else l.replace("` |", "` | address |", 1) for l in kept]
header = "| target | sanitizer | seconds | executions | per second | corpus | findings | date | commit | CPU |\n|---|---|---|---|---|---|---|---|---|---|"
table = start + "\n" + header + "\n" + "\n".join(sorted(kept + new_rows)) + "\n" + end
if start in old:
    out = old.split(start, 1)[0] + table + old.split(end, 1)[1]
else:
    out = old + table + "\n"
open(path, "w").write(out)
PY
echo "== written to $table"
exit "$found"
