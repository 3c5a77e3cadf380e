"""The examples of docs/python.md run, in order, in one namespace; a `print(...)  # text` line
checks that the printed text matches (`...` stands for any text)."""

from __future__ import annotations

import re

from conftest import REPO

PRINT = re.compile(r"^(\s*)print\((.*)\)\s+# (.*)$")


def blocks(text):
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def expect(*values, pattern):
    printed = " ".join(str(v) for v in values)
    regex = ".*".join(re.escape(part) for part in pattern.split("...")) + "$"
    assert re.match(regex, printed, flags=re.S), f"printed {printed!r}, the docs say {pattern!r}"


def run_examples(path, tmp_path, monkeypatch):
    """Runs the file's python blocks in order in one namespace; returns how many prints it checked."""
    monkeypatch.chdir(tmp_path)
    namespace = {"__expect": expect}
    checked = 0
    for block in blocks((REPO / path).read_text()):
        lines = []
        for line in block.splitlines():
            m = PRINT.match(line)
            if m:
                lines.append(f"{m[1]}__expect({m[2]}, pattern={m[3]!r})")
                checked += 1
            else:
                lines.append(line)
        exec(compile("\n".join(lines), path, "exec"), namespace)
    return checked


def test_python_md_examples_run(tmp_path, monkeypatch):
    assert len(blocks((REPO / "docs/python.md").read_text())) >= 5
    assert run_examples("docs/python.md", tmp_path, monkeypatch) >= 8


def test_readme_examples_run(tmp_path, monkeypatch):
    assert len(blocks((REPO / "README.md").read_text())) >= 2
    assert run_examples("README.md", tmp_path, monkeypatch) >= 1
