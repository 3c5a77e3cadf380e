#!/usr/bin/env python3
"""The scale bench: `air check`, `air convert` and `air run` on modules of 10^4 to 10^6 nodes.

Generates each module (nothing big is committed), times the release `air` on it, and prints one
markdown table per module shape: seconds (and peak memory) per size and the ratio per 10x, which is
about 10 when a step is linear in the module's size. Standard library only (the inputs `.npz` is
written by hand), so it runs without the project's `.venv`.

    cargo build --release -p air-cli --features llvm
    python3 bench/scale.py                    # 10^4, 10^5, 10^6 nodes (about 15 min)
    python3 bench/scale.py --quick            # 10^3, 10^4: checks the harness (2 min, mostly llvm)
    python3 bench/scale.py --sizes 20000 --shapes calls --steps check
    python3 bench/scale.py --write chain 1000 /tmp/c.air   # only write one module

Shapes (N is the size):
  chain    one function, an element-wise chain of N nodes (`%v1 = add (%v0, %x)`, four ops in turn)
  calls    one function making N calls in a chain to one small function
  funcs    N functions: N-2 each calling one leaf, all called in a chain from main (so the
           per-call name lookup is measured; a chain of N functions is not: calls nest at most
           256 deep, `max_call_depth`)
  invalid  N independent nodes in one function, each with a wrong declared dtype (E0213 on every
           node), written as JSON: checking must report N errors without hanging
"""

import argparse
import math
import os
import platform
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AIR = os.path.join(ROOT, "target", "release", "air")
OPS = ["add", "mul", "sub", "div"]  # v -> v + x - 1 every four nodes: bounded for x in [1, 2]
LENGTH = 64  # elements of the input array
# Default sizes above which `run --backend llvm` is not run: linear since functions are compiled
# in parts of about 1024 nodes (air-llvm `split`), but about 0.7 ms per call and 7 ms per
# function, so 10^6 calls would take 12 minutes; --max llvm=N overrides.
LLVM_MAX = {"chain": 10**6, "calls": 10**5, "funcs": 10**4, "invalid": 0}
MAX_FUNCTIONS = 100_000  # `Limits::max_functions`: larger `funcs` modules are refused (E0105)

HEADER = 'air 1 opset 1\nproducer "bench/scale.py"\n\n'


def chain(n):
    lines = ["func @main(%x: f64[n]) -> (%z: f64[n]) {", "  %v0 = neg (%x) : f64[n]"]
    for i in range(1, n):
        lines.append(f"  %v{i} = {OPS[i % 4]} (%v{i - 1}, %x) : f64[n]")
    lines += [f"  return %v{n - 1}", "}"]
    return HEADER + "\n".join(lines) + "\n"


LEAF = """func @leaf(%a: f64[n]) -> (%r: f64[n]) {
  %r = sin (%a) : f64[n]
  return %r
}
"""


def calls(n):
    lines = ["func @main(%x: f64[n]) -> (%z: f64[n]) {", "  %v0 = neg (%x) : f64[n]"]
    for i in range(1, n):
        lines.append(f"  %v{i} = call {{callee = @leaf}} (%v{i - 1}) : f64[n]")
    lines += [f"  return %v{n - 1}", "}"]
    return HEADER + LEAF + "\n" + "\n".join(lines) + "\n"


def funcs(n):
    out = [HEADER, LEAF]
    n = max(1, n - 2)  # with @leaf and @main, n functions in all
    for i in range(n):
        out.append(
            f"\nfunc @f{i}(%a: f64[n]) -> (%r: f64[n]) {{\n"
            f"  %r = call {{callee = @leaf}} (%a) : f64[n]\n  return %r\n}}\n"
        )
    lines = ["\nfunc @main(%x: f64[n]) -> (%z: f64[n]) {", "  %v0 = neg (%x) : f64[n]"]
    for i in range(1, n + 1):
        lines.append(f"  %v{i} = call {{callee = @f{i - 1}}} (%v{i - 1}) : f64[n]")
    lines += [f"  return %v{n}", "}"]
    out.append("\n".join(lines) + "\n")
    return "".join(out)


def invalid(n):
    lines = ["func @main(%x: f64[n]) -> (%z: f64[n]) {"]
    for i in range(n):
        lines.append(f"  %v{i} = {OPS[i % 4]} (%x, %x) : f32[n]")
    lines += ["  return %x", "}"]
    return HEADER + "\n".join(lines) + "\n"


SHAPES = {"chain": chain, "calls": calls, "funcs": funcs, "invalid": invalid}


def npz(path, arrays):
    """Writes float64 1-D arrays as an uncompressed .npz (NumPy's format, by hand)."""
    with zipfile.ZipFile(path, "w") as z:
        for name, values in arrays.items():
            header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }" % len(values)
            pad = 64 - (10 + len(header) + 1) % 64
            header = header + " " * pad + "\n"
            data = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
            data += struct.pack(f"<{len(values)}d", *values)
            z.writestr(name + ".npy", data)


def timed(cmd, expect_ok=True):
    """Runs `cmd`; returns (seconds, peak RSS in MiB, exit status)."""
    start = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    seconds = time.perf_counter() - start
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if expect_ok and code != 0:
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n{err[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, code, err


def steps_for(shape, n, d, inputs):
    """The commands to time for one module: name -> (command, whether it must succeed)."""
    src = os.path.join(d, f"{shape}{n}.air")
    pb, js = src[:-4] + ".airpb", src[:-4] + ".air.json"
    if shape == "invalid":
        return src, {
            "convert": ([AIR, "convert", "--no-check", src, js], True),
            "check": ([AIR, "check", js], False),
        }
    return src, {
        "check": ([AIR, "check", src], True),
        "convert": (["sh", "-c", f'"{AIR}" convert "{src}" "{pb}" && "{AIR}" convert "{pb}" "{js}"'], True),
        "interp": ([AIR, "run", "--backend", "interp", "--inputs", inputs, src], True),
        "llvm": ([AIR, "run", "--backend", "llvm", "--threads", "1", "--inputs", inputs, src], True),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="sizes 10^3 and 10^4")
    ap.add_argument("--sizes", help="comma-separated sizes (default 10^4,10^5,10^6)")
    ap.add_argument("--shapes", default="chain,calls,funcs,invalid")
    ap.add_argument("--steps", default="check,convert,interp,llvm")
    ap.add_argument("--max", action="append", default=[], metavar="STEP=N",
                    help="skip a step above a size, e.g. llvm=100000 (repeatable)")
    ap.add_argument("--write", nargs=3, metavar=("SHAPE", "N", "PATH"), help="only write one module")
    a = ap.parse_args()
    if a.write:
        shape, n, path = a.write
        with open(path, "w") as f:
            f.write(SHAPES[shape](int(n)))
        return
    sizes = [int(s) for s in a.sizes.split(",")] if a.sizes else ([10**3, 10**4] if a.quick else [10**4, 10**5, 10**6])
    wanted = a.steps.split(",")
    limit = {k: int(v) for k, v in (m.split("=") for m in a.max)}
    if not os.path.exists(AIR):
        sys.exit(f"{AIR} missing: cargo build --release -p air-cli --features llvm")
    cpu = next((l.split(":", 1)[1].strip() for l in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines() if l.startswith("Model name")), platform.processor())
    print(f"CPU: {cpu}; {os.cpu_count()} cores; llvm on 1 thread; seconds (peak MiB)\n")
    with tempfile.TemporaryDirectory() as d:
        inputs = os.path.join(d, "in.npz")
        npz(inputs, {"x": [1.0 + i / LENGTH for i in range(LENGTH)]})
        for shape in a.shapes.split(","):
            rows = {}
            for n in sizes:
                src, steps = steps_for(shape, n, d, inputs)
                if shape == "funcs" and n > MAX_FUNCTIONS:
                    for name in steps:
                        if name in wanted:
                            rows.setdefault(name, []).append(None)
                    continue
                with open(src, "w") as f:
                    f.write(SHAPES[shape](n))
                for name, (cmd, ok) in steps.items():
                    if name not in wanted and not (shape == "invalid" and name == "convert"):
                        continue
                    default = LLVM_MAX[shape] if name == "llvm" else n
                    if n > limit.get(name, default) and not (shape == "invalid" and name == "convert"):
                        rows.setdefault(name, []).append(None)
                        continue
                    s, rss, code, err = timed(cmd, ok)
                    if shape == "invalid" and name == "check":
                        last = err.strip().splitlines()[-2:] if err.strip() else ["(nothing)"]
                        print(f"  invalid {n}: exit {code}, ends with: {' / '.join(last)}")
                    rows.setdefault(name, []).append((s, rss))
                    print(f"  {shape} {n} {name}: {s:.2f} s, {rss:.0f} MiB", file=sys.stderr, flush=True)
                for p in (src, src[:-4] + ".airpb", src[:-4] + ".air.json"):
                    if os.path.exists(p):
                        os.remove(p)
            print(f"\n**{shape}**\n")
            print("| step | " + " | ".join(f"N = {n:.0e}".replace("e+0", "e") for n in sizes) + " | ratio per 10x |")
            print("|---" * (len(sizes) + 2) + "|")
            for name, vals in rows.items():
                cells = ["—" if v is None else f"{v[0]:.2f} ({v[1]:.0f})" for v in vals]
                ratios = []
                for v0, v1, n0, n1 in zip(vals, vals[1:], sizes, sizes[1:]):
                    if v0 is None or v1 is None:
                        continue
                    per10 = (v1[0] / max(v0[0], 1e-3)) ** (1 / math.log10(n1 / n0))
                    ratios.append(f"{per10:.1f}")
                print(f"| {name} | " + " | ".join(cells) + f" | {', '.join(ratios)} |")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
