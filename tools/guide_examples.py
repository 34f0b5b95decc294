"""Produce the instructor guide's examples (docs/guide/) by grading a small class.

The class takes week 1 of ``assignments.yml`` (challenges 01 and 02) with the real
solutions, answers taken from the challenges' test classes, a roster, an override and
submission times; the grading run uses a fixed seed, so the examples are the same on
every run. ``tests/test_guide.py`` runs this script into a temporary folder and compares
the result with the committed files.

Usage (from the repository root)::

    .venv/bin/python tools/guide_examples.py [--out docs/guide]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import importlib
import io
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test classes live in tests/challenges

from nnscratch.cli import main as nnscratch  # noqa: E402
from nnscratch.grading.grade import Options, grade_class  # noqa: E402
from nnscratch.grading.roles import graded_checks  # noqa: E402
from nnscratch.grading.runner import Limits  # noqa: E402

SEED = 424242
EXERCISES = ("01_initialization", "02_activations")
ROSTER = """id,name,email,section
ada,Ada Lovelace,ada@uni.example,A
bob,Bob Kahn,bob@uni.example,A
cy,Cy Young,cy@uni.example,B
dan,Dan Abramov,dan@uni.example,B
"""
OVERRIDES = """student,exercise,check,points,reason
cy,02,,{points},regrade request accepted: full marks for 02
"""
TIMES = """student,submitted_at
ada,2026-10-07T21:14
bob,2026-10-08T09:30
cy,2026-10-07T23:58
eve,2026-10-06T18:02
"""
COPIED = ["week1/gradebook.csv", "week1/gradebook.md", "week1/feedback/bob.md",
          "week1/summary.md", "week1/summary.png", "lms/canvas.csv", "lms/moodle.csv"]


def solution(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / f"{name}.ipynb", as_version=4)


def buggy(name: str, index: int = 0) -> nbformat.NotebookNode:
    """The solution with the answers of one buggy member of its test class."""
    members = importlib.import_module(f"tests.challenges.{name}")
    answers, _ = list(members.BUGGY.values())[index]
    nb = copy.deepcopy(solution(name))
    for cell in nb.cells:
        if cell.id in answers:
            cell.source = answers[cell.id]
    return nb


def write_class(folder: Path) -> None:
    notebooks = {
        "ada": {name: solution(name) for name in EXERCISES},
        "bob": {EXERCISES[0]: buggy(EXERCISES[0]), EXERCISES[1]: solution(EXERCISES[1])},
        "cy": {EXERCISES[0]: solution(EXERCISES[0]), EXERCISES[1]: buggy(EXERCISES[1])},
        "eve": {EXERCISES[0]: solution(EXERCISES[0])},  # not on the roster
    }
    for student, files in notebooks.items():
        (folder / student).mkdir(parents=True)
        for name, notebook in files.items():
            nbformat.write(notebook, folder / student / f"{name}.ipynb")


def self_check_output(tmp: Path) -> str:
    """What `nnscratch check exercises/02_activations.ipynb` prints for a buggy answer."""
    exercise = nbformat.read(ROOT / "exercises" / f"{EXERCISES[1]}.ipynb", as_version=4)
    answers = {cell.id: cell.source for cell in buggy(EXERCISES[1]).cells}
    for cell in exercise.cells:
        if "answer" in cell.metadata.get("tags", []):
            cell.source = answers[cell.id]
    (tmp / "exercises").mkdir()
    nbformat.write(exercise, tmp / "exercises" / f"{EXERCISES[1]}.ipynb")
    out, here = io.StringIO(), Path.cwd()
    os.chdir(tmp)  # the output names the notebook as the command line does
    try:
        with contextlib.redirect_stdout(out):
            nnscratch(["check", f"exercises/{EXERCISES[1]}.ipynb"])
    finally:
        os.chdir(here)
    return out.getvalue()


def generate(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nnscratch-guide-") as name:
        tmp = Path(name)
        write_class(tmp / "submissions" / "week1")
        points = sum(check.points for check in graded_checks(solution(EXERCISES[1])))
        for file, text in (("roster.csv", ROSTER), ("overrides.csv",
                                                     OVERRIDES.format(points=points)),
                           ("times.csv", TIMES)):
            (target / file).write_text(text, encoding="utf-8")
        options = Options(limits=Limits(jobs=2), assignment="week1",
                          assignments=ROOT / "assignments.yml", roster=target / "roster.csv",
                          overrides=target / "overrides.csv", times=target / "times.csv",
                          seed=SEED)
        grade_class(tmp / "submissions" / "week1", ROOT / "solutions", tmp / "out", options)
        for relative in COPIED:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp / "out" / relative, target / relative)
        (target / "check.txt").write_text(self_check_output(tmp), encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "guide")
    generate(parser.parse_args().out)
