"""Grade one synthetic class of broken submissions in a single ``nnscratch grade`` run.

The fixture solutions are ``01_basics`` (7 points: relu-values 2, relu-shape 1 hidden,
sigmoid-values 2, combined 1, total 1) and ``02_tiny`` (2 points: square 1,
square-negative 1 hidden). Every student is built from them; the whole class is
graded once (module fixture) with a 5 s cell timeout and a 1 GB kernel memory limit.
"""

from __future__ import annotations

import copy
import csv
import hashlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from nnscratch.cli import main
from nnscratch.grading.exercises import make_exercise

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SOLUTIONS = FIXTURES / "solutions"

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


def solution(name: str = "01_basics") -> nbformat.NotebookNode:
    return nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4)


def replace_source(nb, cell_id: str, source: str):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("id") == cell_id:
            cell.source = source
    return nb


def drop_cells(nb, *cell_ids: str):
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if cell.get("id") not in cell_ids]
    return nb


WRONG_RELU = "def relu(x):\n    return np.abs(x)\n"
HUGE_RELU = ("def relu(x):\n    if x.size == 5:\n        print('x' * 50_000_000)\n"
             "    return np.maximum(x, 0)\n")
NNSCRATCH_RELU = ("from nnscratch.functional import relu_forward\n\n\n"
                  "def relu(x):\n    return relu_forward(x)[0]\n")


def with_extra_cells(nb):
    nb = copy.deepcopy(nb)
    nb.cells.insert(4, new_code_cell("def relu(x):\n    return -x", id="my-scratch"))
    nb.cells.insert(0, new_markdown_cell("My notes", id="my-notes"))
    nb.cells.append(new_code_cell("print('debugging')", id="my-debug"))
    return nb


def with_kernel(nb, name: str):
    nb = copy.deepcopy(nb)
    nb.metadata.kernelspec = {"name": name, "display_name": name, "language": name}
    return nb


# student -> {file name: notebook or raw text}
CLASS = {
    "perfect": {"01_basics.ipynb": solution(), "02_tiny.ipynb": solution("02_tiny")},
    "blank": {"01_basics.ipynb": make_exercise(solution()),
              "02_tiny.ipynb": make_exercise(solution("02_tiny"))},
    "wrong_answer": {"01_basics.ipynb": replace_source(solution(), "answer-relu", WRONG_RELU)},
    "edited_check": {"01_basics.ipynb": replace_source(
        replace_source(solution(), "answer-relu", WRONG_RELU),
        "check-relu-values", 'print("[0.  0.  2.5]")')},
    "deleted_check": {"01_basics.ipynb": drop_cells(solution(), "check-relu-values",
                                                    "hidden-relu-shape")},
    "deleted_answer": {"01_basics.ipynb": drop_cells(solution(), "answer-sigmoid")},
    "invalid_json": {"01_basics.ipynb": '{"cells": [ this is not JSON'},
    "infinite_loop": {"01_basics.ipynb": replace_source(
        solution(), "answer-total", "while True:\n    pass\n")},
    "kernel_dies": {"01_basics.ipynb": replace_source(
        solution(), "answer-sigmoid", "import os\n\nos._exit(1)\n")},
    "huge_output": {"01_basics.ipynb": replace_source(solution(), "answer-relu", HUGE_RELU)},
    "uses_nnscratch": {"01_basics.ipynb": replace_source(solution(), "answer-relu",
                                                         NNSCRATCH_RELU)},
    "extra_cells": {"01_basics.ipynb": with_extra_cells(solution())},
    "other_kernel": {"01_basics.ipynb": with_kernel(solution(), "julia-1.9")},
    "wrong_name": {"01-basics.ipynb": solution(), "notes.ipynb": solution(),
                   "02_tiny.ipynb": solution("02_tiny")},
    "memory_hog": {"01_basics.ipynb": replace_source(
        solution(), "answer-total", "big = np.ones(2**28)\n")},
}
MISSING_TINY = "not submitted: 02_tiny"
EXPECTED = {  # student: (01_basics, 02_tiny, status)
    "perfect": (7, 2, "ok"),
    "blank": (0, 0, "ok"),
    "wrong_answer": (3, 0, MISSING_TINY),
    "edited_check": (3, 0, MISSING_TINY),
    "deleted_check": (7, 0, MISSING_TINY),
    "deleted_answer": (4, 0, f"01_basics: missing answer cell answer-sigmoid; {MISSING_TINY}"),
    "invalid_json": (0, 0, f"01_basics: invalid notebook; {MISSING_TINY}"),
    "infinite_loop": (6, 0, f"01_basics: timeout; {MISSING_TINY}"),
    "kernel_dies": (3, 0, f"01_basics: kernel died; {MISSING_TINY}"),
    "huge_output": (5, 0, f"01_basics: output too large; {MISSING_TINY}"),
    "uses_nnscratch": (3, 0, f"01_basics: uses nnscratch (answer-relu); {MISSING_TINY}"),
    "extra_cells": (7, 0, MISSING_TINY),
    "other_kernel": (7, 0, MISSING_TINY),
    "wrong_name": (0, 2, "unexpected file 01-basics.ipynb; unexpected file notes.ipynb; "
                         "not submitted: 01_basics"),
    "memory_hog": (6, 0, f"01_basics: out of memory; {MISSING_TINY}"),
}


def sha256_tree(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    for student, files in CLASS.items():
        (submissions / student).mkdir(parents=True)
        for name, content in files.items():
            path = submissions / student / name
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                nbformat.write(content, path)
    before = sha256_tree(submissions)
    out = root / "out"
    code = main(["grade", str(submissions), "--out", str(out), "--solutions", str(SOLUTIONS),
                 "--timeout", "5", "--memory", "1024", "--jobs", "2"])
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {"code": code, "before": before, "after": sha256_tree(submissions), "out": out,
            "rows": {row["student"]: row for row in rows}}


def test_grade_exits_zero_and_leaves_submissions_untouched(graded):
    assert graded["code"] == 0
    assert graded["after"] == graded["before"]
    assert len(graded["before"]) == 19


@pytest.mark.parametrize("student", list(EXPECTED))
def test_scores_and_status(graded, student):
    basics, tiny, status = EXPECTED[student]
    row = graded["rows"][student]
    assert (row["01_basics"], row["02_tiny"], row["total"], row["status"]) == \
        (str(basics), str(tiny), str(basics + tiny), status)


def test_gradebook_has_one_row_per_student(graded):
    rows = graded["rows"]
    assert list(rows) == sorted(CLASS)
    markdown = (graded["out"] / "gradebook.md").read_text()
    assert "Maximum points: 01_basics 7, 02_tiny 2; total 9." in markdown
    assert "| perfect | 7 | 2 | 0 | 0% | 9 | ok |" in markdown


def test_outputs_stay_small(graded):
    out = graded["out"]
    assert (out / "gradebook.md").stat().st_size < 10_000
    sizes = {path.name: path.stat().st_size for path in (out / "feedback").iterdir()}
    assert set(sizes) == {f"{student}.md" for student in CLASS}
    assert max(sizes.values()) < 20_000
    assert [path.name for path in out.iterdir()
            if path.name.startswith(".scratch")] == []  # scratch removed


def feedback(graded, student: str) -> str:
    return (graded["out"] / "feedback" / f"{student}.md").read_text()


def test_feedback_shows_expected_and_actual(graded):
    text = feedback(graded, "wrong_answer")
    assert "### `relu-values`: 0 / 2 points, output differs" in text
    assert "- Probable mistake: relu of a negative number is 0" in text
    assert "First difference: `line 1: expected 0., got " in text
    assert "Expected output:" in text and "Your output:" in text
    assert "Passed: `sigmoid-values`, `total`." in text
    assert "### `relu-shape` (hidden check): 0 / 1 point, output differs" in text
    assert "## 02_tiny: 0 / 2 points\n\n- Not submitted." in text


def test_feedback_of_edited_check_uses_the_solution_check(graded):
    text = feedback(graded, "edited_check")
    assert "### `relu-values`: 0 / 2 points, output differs" in text  # not the edited print


def test_feedback_notes(graded):
    assert "graded as the exercise's empty stub" in feedback(graded, "deleted_answer")
    assert "not a valid notebook" in feedback(graded, "invalid_json")
    assert "exceeded the time limit (5 s)" in feedback(graded, "infinite_loop")
    assert "kernel died while running cell `answer-sigmoid`" in feedback(graded, "kernel_dies")
    assert "ran out of memory" in feedback(graded, "memory_hog")
    text = feedback(graded, "uses_nnscratch")
    assert "uses the `nnscratch` package" in text
    assert "relu-values, relu-shape, combined" in text
    assert "its answer uses nnscratch" in text
    text = feedback(graded, "wrong_name")
    assert "Unexpected file `01-basics.ipynb`" in text and "Unexpected file `notes.ipynb`" in text
    assert "Did you mean `01_basics.ipynb`?" in text


def test_huge_output_is_truncated(graded):
    text = feedback(graded, "huge_output")
    assert "Cell `check-relu-values` printed 50,000,0" in text
    assert "only the first 1,000,000 were kept" in text
    assert "x" * 1000 in text and "x" * 5000 not in text


def test_blank_exercise_feedback_lists_every_check(graded):
    text = feedback(graded, "blank")
    for check in ("relu-values", "relu-shape", "sigmoid-values", "combined", "total",
                  "square", "square-negative"):
        assert f"### `{check}`" in text
    assert "Detail: `NotImplementedError: Your code here`" in text


def test_notebook_time_limit_skips_the_remaining_cells(tmp_path):
    slow = replace_source(solution(), "answer-relu",
                          "import time\n\ntime.sleep(3)\n\n\ndef relu(x):\n    return x\n")
    (tmp_path / "class" / "slow").mkdir(parents=True)
    nbformat.write(slow, tmp_path / "class" / "slow" / "01_basics.ipynb")
    code = main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                 "--solutions", str(SOLUTIONS), "--timeout", "20", "--notebook-timeout", "2",
                 "--jobs", "1"])
    assert code == 0
    with open(tmp_path / "out" / "gradebook.csv", newline="", encoding="utf-8") as handle:
        row = list(csv.DictReader(handle))[0]
    assert (row["01_basics"], row["status"]) == ("0", f"01_basics: timeout; {MISSING_TINY}")
    text = (tmp_path / "out" / "feedback" / "slow.md").read_text()
    assert "exceeded its total time limit" in text
    assert "0 / 2 points, not run" in text
