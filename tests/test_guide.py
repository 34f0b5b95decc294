"""The instructor guide shows what the code does: its examples are regenerated and compared.

``tools/guide_examples.py`` grades the guide's example class (in the sandbox, with a fixed
seed) and writes the files the guide includes from ``docs/guide/``. This test runs it
into a temporary folder: every committed example must be reproduced byte for byte (the
figure: same size), and every file the guide includes must exist. The option table of
the guide must list every option of ``nnscratch grade``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnscratch.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "instructor_guide.md"
EXAMPLES = ROOT / "docs" / "guide"


def included() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return re.findall(r"```\{(?:literalinclude|image)\} (\S+)", text)


def test_every_included_file_exists():
    paths = included()
    assert len(paths) >= 10
    for path in paths:
        assert (ROOT / path).is_file(), path


def test_the_option_table_lists_every_grade_option():
    parser = build_parser()
    grade = parser._subparsers._group_actions[0].choices["grade"]
    options = {o for action in grade._actions for o in action.option_strings
               if o.startswith("--") and o != "--help"}
    table = GUIDE.read_text(encoding="utf-8").split("## A semester")[0]
    missing = sorted(o for o in options if f"`{o}" not in table)
    assert missing == []


@pytest.mark.slow
@pytest.mark.sandbox
def test_the_examples_are_what_the_code_produces(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "tools" / "guide_examples.py"),
                    "--out", str(tmp_path)], check=True, cwd=ROOT, capture_output=True)
    committed = sorted(p.relative_to(EXAMPLES) for p in EXAMPLES.rglob("*") if p.is_file())
    produced = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert committed == produced
    for relative in committed:
        old, new = (EXAMPLES / relative).read_bytes(), (tmp_path / relative).read_bytes()
        if relative.suffix == ".png":
            assert old[16:24] == new[16:24], relative  # the image's width and height
        else:
            assert old.decode() == new.decode(), relative
