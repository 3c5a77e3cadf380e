"""(Re)writes every conformance case under conformance/cases/ and prints a summary.

    python conformance/gen/generate.py            # write every case, print counts
    python conformance/gen/generate.py --check    # write nothing; fail if the committed cases
                                                  # differ from what the generators produce, or
                                                  # the coverage rules do not hold

Deterministic: fixed seeds (per case name), npz members with a fixed timestamp; running it twice
gives byte-identical files. Expected values come from NumPy (oracle.py), never from AIR's
interpreter.
"""

import argparse
import os
import shutil
import sys
import tempfile
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import cases_binary  # noqa: E402
import cases_complex  # noqa: E402
import compare  # noqa: E402
import compat  # noqa: E402
import cases_contract  # noqa: E402
import cases_control  # noqa: E402
import cases_creation  # noqa: E402
import cases_dims  # noqa: E402
import cases_elementwise  # noqa: E402
import cases_examples  # noqa: E402
import cases_invalid  # noqa: E402
import cases_opset2  # noqa: E402
import cases_ptscatter  # noqa: E402
import cases_reduce  # noqa: E402
import cases_scatter  # noqa: E402
import cases_select_cast  # noqa: E402
import cases_shape  # noqa: E402
import cases_while  # noqa: E402
from air_text import DTYPES, dtype_class  # noqa: E402
from builder import ACCEPTS, ALL_OPS  # noqa: E402

FAMILIES = [cases_elementwise, cases_opset2, cases_binary, cases_select_cast, cases_shape, cases_reduce,
            cases_contract, cases_control, cases_creation, cases_examples, cases_invalid,
            cases_while, cases_scatter, cases_complex, cases_dims, cases_ptscatter]
ROOT = os.path.normpath(os.path.join(HERE, "..", "cases"))


def collect():
    out = []
    for fam in FAMILIES:
        out.extend(fam.cases())
    seen = set()
    for c in out:
        key = (c.group, c.name)
        assert key not in seen, f"duplicate case {key}"
        seen.add(key)
    return out


def coverage_problems(cases):
    """The rules of the conformance issue: every op in >= 3 valid cases, every accepted dtype
    class of every op in some valid case, all 15 dtypes, >= 250 valid and >= 40 invalid cases."""
    valid = [c for c in cases if c.valid]
    problems = []
    per_op = Counter(o for c in valid for o in set(c.ops()))
    for op in ALL_OPS:
        if per_op[op] < 3:
            problems.append(f"op {op} in {per_op[op]} valid cases (< 3)")
    classes = defaultdict(set)
    for c in valid:
        for op, dt in c.op_dtypes():
            classes[op].add(dtype_class(dt))
    for op, want in ACCEPTS.items():
        missing = want - classes[op]
        if missing:
            problems.append(f"op {op}: no valid case on {sorted(missing)}")
    dts = set().union(*(c.dtypes() for c in valid))
    for dt in DTYPES:
        if dt not in dts:
            problems.append(f"dtype {dt} in no valid case")
    if len(valid) < 250:
        problems.append(f"{len(valid)} valid cases (< 250)")
    invalid = [c for c in cases if not c.valid]
    if len(invalid) < 40:
        problems.append(f"{len(invalid)} invalid cases (< 40)")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="compare with the committed cases instead of writing them")
    ap.add_argument("--root", default=ROOT, help="the cases folder")
    args = ap.parse_args()
    cases = [c.compute() for c in collect()]
    problems = coverage_problems(cases)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            for c in cases:
                c.write(tmp)
            problems += compare.differences(cases, tmp, args.root)
        if os.path.normpath(args.root) == ROOT:
            problems += compat.problems(args.root)
    else:
        # The op set 1 compatibility corpus (compat.py) is frozen: never rewritten or removed.
        frozen = compat.frozen_cases() if os.path.normpath(args.root) == ROOT else set()
        for g in sorted({c.group for c in cases}):
            gdir = os.path.join(args.root, g)
            for name in sorted(os.listdir(gdir)) if os.path.isdir(gdir) else []:
                if f"{g}/{name}" not in frozen:
                    shutil.rmtree(os.path.join(gdir, name))
        for c in cases:
            if f"{c.group}/{c.name}" not in frozen:
                c.write(args.root)
    summary(cases)
    for p in problems:
        print("problem:", p)
    if problems and args.check:
        print(f"generate.py --check: {len(problems)} problem(s)")
        sys.exit(1)
    if args.check:
        print("generate.py --check: the committed cases are what the generators produce")


def summary(cases):
    per_group = Counter(c.group for c in cases)
    print(f"{len(cases)} cases ({sum(c.valid for c in cases)} valid, "
          f"{sum(not c.valid for c in cases)} invalid)")
    for g, n in sorted(per_group.items()):
        print(f"  {g:12s} {n}")
    per_op = Counter(o for c in cases if c.valid for o in set(c.ops()))
    print("valid cases per op:")
    row = []
    for op in ALL_OPS:
        row.append(f"{op}={per_op[op]}")
        if len(row) == 8:
            print("  " + " ".join(row))
            row = []
    if row:
        print("  " + " ".join(row))
    codes = Counter(c.expect.split(": ")[1] for c in cases if not c.valid)
    print("invalid cases per code: " + " ".join(f"{k}={v}" for k, v in sorted(codes.items())))


if __name__ == "__main__":
    main()
