"""Scoring nbval records, and writing the gradebook and feedback (no kernels)."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from nnscratch.grading import pytest_plugin
from nnscratch.grading.assemble import assemble
from nnscratch.grading.gradebook import (
    StudentGrade,
    feedback_text,
    gradebook_rows,
    markdown_table,
    points,
    write_gradebook,
)
from nnscratch.grading.nbval_patches import KernelDied
from nnscratch.grading.results import not_submitted, score_notebook, unreadable
from nnscratch.grading.roles import graded_checks
from nnscratch.grading.sanitize import PATTERNS, sanitize_config

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SOLUTION = nbformat.read(FIXTURES / "solutions" / "01_basics.ipynb", as_version=4)
CELLS = ["setup", "answer-relu", "check-relu-values", "hidden-relu-shape", "answer-sigmoid",
         "check-sigmoid-values", "check-combined", "answer-total", "check-total"]


def records(**kinds) -> list[dict]:
    """One call record per code cell: ``passed`` unless given as cell_id=kind."""
    out = []
    for index, cell_id in enumerate(CELLS):
        kind = kinds.get(cell_id.replace("-", "_"), "passed")
        out.append({"when": "call", "outcome": "passed" if kind == "passed" else "failed",
                    "cell": index, "kind": kind, "output_chars": 10})
    return out


def score(assembly=None, recs=None):
    return score_notebook("01_basics", assembly or assemble(SOLUTION, SOLUTION),
                          records() if recs is None else recs, cell_timeout=5)


def test_all_passed_is_full_marks():
    result = score()
    assert (result.earned, result.max_points, result.problems, result.notes) == (7, 7, [], [])


def test_failed_checks_score_zero_and_keep_expected_and_actual():
    recs = records(check_relu_values="mismatch")
    recs[2].update(expected="[0. 0. 2.5]\n", actual="[1. 0. 2.5]\n")
    result = score(recs=recs)
    failed = [check for check in result.checks if not check.passed]
    assert result.earned == 5 and [check.check.id for check in failed] == ["relu-values"]
    assert (failed[0].expected, failed[0].actual) == ("[0. 0. 2.5]\n", "[1. 0. 2.5]\n")


def test_flagged_answer_zeroes_its_dependent_checks():
    learner = nbformat.from_dict(SOLUTION)
    learner.cells[3].source = "import nnscratch\n" + learner.cells[3].source
    result = score(assemble(SOLUTION, learner))
    assert result.problems == ["uses nnscratch (answer-relu)"]
    assert {c.check.id: c.earned for c in result.checks} == {
        "relu-values": 0, "relu-shape": 0, "sigmoid-values": 2, "combined": 0, "total": 1}
    assert all(c.kind == "uses-nnscratch" for c in result.checks if c.earned == 0)


@pytest.mark.parametrize("kinds, problem", [
    ({"answer_total": "timeout"}, "timeout"),
    ({"check_total": "notebook-timeout"}, "timeout"),
    ({"answer_sigmoid": "kernel-died", "check_sigmoid_values": "kernel-dead",
      "check_combined": "kernel-dead", "answer_total": "kernel-dead",
      "check_total": "kernel-dead"}, "kernel died"),
    ({"check_total": "grader-error"}, "grader error"),
])
def test_run_problems(kinds, problem):
    assert score(recs=records(**kinds)).problems == [problem]


def test_timeout_then_dead_kernel_is_only_a_timeout():
    recs = records(answer_total="timeout", check_total="kernel-dead")
    assert score(recs=recs).problems == ["timeout"]


def test_memory_error_and_huge_output_and_missing_records():
    recs = records(answer_total="error")
    recs[7]["error"] = "_ArrayMemoryError: Unable to allocate 2.00 GiB"
    recs[2]["output_chars"] = 50_000_000
    assert score(recs=recs).problems == ["output too large", "out of memory"]
    assert score(recs=records()[:4]).problems == ["not graded (grader stopped)"]


def test_unscored_results():
    checks = graded_checks(SOLUTION)
    assert not_submitted("01_basics", checks).earned == 0
    result = unreadable("01_basics", checks, "bad JSON")
    assert (result.max_points, result.problems) == (7, ["invalid notebook"])


def grades() -> list[StudentGrade]:
    checks = graded_checks(SOLUTION)
    recs = records(check_relu_values="mismatch")
    recs[2].update(expected="[0. 0. 2.5]\n", actual="```\n" + "y" * 5000)
    return [
        StudentGrade("ada", {"01_basics": score(), "02_x": not_submitted("02_x", checks[:1])}),
        StudentGrade("bob | jr", {"01_basics": score(recs=recs),
                                  "02_x": unreadable("02_x", checks[:1], "bad JSON")},
                     ["notes.ipynb"]),
    ]


def test_status_lists_problems():
    ada, bob = grades()
    assert ada.status == "not submitted: 02_x"
    assert bob.status == "unexpected file notes.ipynb; 02_x: invalid notebook"


def test_gradebook_rows_and_markdown():
    rows = gradebook_rows(grades(), {"01_basics": 7, "02_x": 2.5})
    assert rows[:2] == [["student", "01_basics", "02_x", "total", "status"],
                        ["(max)", "7", "2.5", "9.5", ""]]
    assert rows[2] == ["ada", "7", "0", "7", "not submitted: 02_x"]
    table = markdown_table(rows)
    assert "| bob \\| jr | 5 | 0 | 5 |" in table
    assert table.splitlines()[1] == "| --- | ---: | ---: | ---: | --- |"
    assert (points(2.0), points(1.5)) == ("2", "1.5")


def test_write_gradebook(tmp_path):
    write_gradebook(tmp_path, grades(), {"01_basics": 7, "02_x": 2})
    with open(tmp_path / "gradebook.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[3][0] == "bob | jr" and len(rows) == 4
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["ada.md", "bob | jr.md"]


def test_feedback_truncates_and_fences_safely():
    text = feedback_text(grades()[1])
    assert "### `relu-values`: 0 / 2 points, output differs" in text
    assert "````text\n```\nyyy" in text  # a longer fence around output holding ```
    assert "... [truncated]" in text and "y" * 2001 not in text
    assert "Unexpected file `notes.ipynb`" in text
    assert "not a valid notebook (bad JSON)" in text


def out(text: str, name: str = "stdout") -> NotebookNode:
    return nbformat.from_dict({"output_type": "stream", "name": name, "text": text})


def test_plugin_output_text_is_capped():
    outputs = [out("a\n"), out("warn\n", "stderr"),
               nbformat.from_dict({"output_type": "execute_result", "execution_count": 1,
                                   "data": {"text/plain": "3"}, "metadata": {}})]
    assert pytest_plugin.output_text(outputs) == "a\n3"
    assert pytest_plugin.output_chars(outputs) == 8
    huge = pytest_plugin.output_text([out("x" * 10**6)])
    assert len(huge) < pytest_plugin.TEXT_CAP + 100 and huge.endswith("1000000 chars]")


@pytest.mark.parametrize("exc, when, kind", [
    (KernelDied("the kernel died"), "call", "kernel-died"),
    (RuntimeError("Kernel dead on test start"), "call", "kernel-dead"),
    (Exception("Timeout of 5 seconds exceeded executing cell"), "call", "timeout"),
    (Exception("Cell outputs differ"), "call", "mismatch"),
    (Exception("Cell execution caused an exception"), "call", "error"),
    (RuntimeError("cannot start kernel"), "setup", "grader-error"),
])
def test_plugin_classifies_failures(exc, when, kind):
    assert pytest_plugin.classify(exc, when)[0] == kind


@pytest.mark.parametrize("text, expected", [
    ("<Foo object at 0x7f3a2b4c5d60>", "<Foo object at 0xADDRESS>"),
    ("Wall time: 1.25 s", "Wall time: DURATION"),
    ("took 350ms", "took DURATION"),
    ("100%|####| 10/10 [00:01<00:00, 9.50it/s]", "100%|####| 10/10 [ELAPSED<REMAINING, RATE]"),
    ("loss 0.6931, 3 samples, shape (3, 4)", "loss 0.6931, 3 samples, shape (3, 4)"),
])
def test_sanitizer(text, expected):
    import re

    for regex, replace in PATTERNS:
        text = re.sub(regex, replace, text)
    assert text == expected
    assert sanitize_config().count("regex: ") == len(PATTERNS)
