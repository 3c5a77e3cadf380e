"""The op set 1 compatibility corpus: the conformance cases frozen when op set 2 began.

Every case whose module declared `opset 1` when op set 2 was introduced is listed, file by file,
with its SHA-256 in `conformance/compat/opset1.sha256` (the format of `sha256sum`, so
`cd conformance/cases && sha256sum -c ../compat/opset1.sha256` checks it too). These cases are
the promise of spec §2 ("meaning never changes"): every later op set, reader and backend must pass
them exactly as they were written. So

- `generate.py` never rewrites a frozen case (a generator change cannot silently move one), and
- `generate.py --check` fails if a frozen case's committed files differ from the manifest, or a
  file of a frozen case is missing or added.

    python conformance/gen/compat.py --freeze   # write the manifest (done once, at op set 2)
    python conformance/gen/compat.py            # check the committed cases against it
"""

import argparse
import hashlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.normpath(os.path.join(HERE, "..", "cases"))
MANIFEST = os.path.normpath(os.path.join(HERE, "..", "compat", "opset1.sha256"))


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _declares_opset1(case_dir):
    """The header of case.air (its first line that is not a `//` comment) is `air <ir> opset 1`;
    invalid cases included: a case whose header is itself the error still says which op set it
    was written for."""
    path = os.path.join(case_dir, "case.air")
    if not os.path.isfile(path):
        return False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.lstrip().startswith("//"):
                words = line.split()
                return len(words) == 4 and words[0] == "air" and words[2:] == ["opset", "1"]
    return False


def read_manifest(path=MANIFEST):
    """{relative file path: sha256} of the frozen files; empty if there is no manifest."""
    if not os.path.isfile(path):
        return {}
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            digest, rel = line.rstrip("\n").split("  ", 1)
            out[rel] = digest
    return out


def frozen_cases(path=MANIFEST):
    """The frozen cases, as `group/name`."""
    return {os.path.dirname(rel) for rel in read_manifest(path)}


def freeze(root=CASES, path=MANIFEST):
    rows = []
    for group in sorted(os.listdir(root)):
        gdir = os.path.join(root, group)
        if not os.path.isdir(gdir):
            continue
        for name in sorted(os.listdir(gdir)):
            cdir = os.path.join(gdir, name)
            if not _declares_opset1(cdir):
                continue
            for fname in sorted(os.listdir(cdir)):
                rel = f"{group}/{name}/{fname}"
                rows.append(f"{_sha256(os.path.join(cdir, fname))}  {rel}")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    return len({r.split("  ", 1)[1].rsplit("/", 1)[0] for r in rows})


def problems(root=CASES, path=MANIFEST):
    """Every way the committed frozen cases differ from the manifest, as strings."""
    manifest = read_manifest(path)
    out = []
    if not manifest:
        return [f"no compatibility manifest at {os.path.relpath(path, root)}"]
    for rel, digest in sorted(manifest.items()):
        p = os.path.join(root, rel)
        if not os.path.isfile(p):
            out.append(f"op set 1 compatibility corpus: missing {rel}")
        elif _sha256(p) != digest:
            out.append(f"op set 1 compatibility corpus: {rel} changed (frozen cases never change)")
    for case in sorted(frozen_cases(path)):
        cdir = os.path.join(root, case)
        if os.path.isdir(cdir):
            for fname in sorted(os.listdir(cdir)):
                if f"{case}/{fname}" not in manifest:
                    out.append(f"op set 1 compatibility corpus: {case}/{fname} added to a frozen case")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--freeze", action="store_true", help="write the manifest from the committed cases")
    args = ap.parse_args()
    if args.freeze:
        n = freeze()
        print(f"froze {n} cases into {os.path.relpath(MANIFEST)}")
        return
    probs = problems()
    for p in probs:
        print("problem:", p)
    if probs:
        sys.exit(1)
    print(f"op set 1 compatibility corpus: {len(frozen_cases())} cases, every file as frozen")


if __name__ == "__main__":
    main()
