"""Scoring cell records, and writing the gradebook and feedback (no kernels)."""

from __future__ import annotations

import csv
from pathlib import Path

import nbformat
import pytest

from nnscratch.grading import plugin
from nnscratch.grading.assemble import assemble, learner_answers
from nnscratch.grading.gradebook import (
    StudentGrade,
    apply_overrides,
    failed_check,
    feedback_text,
    gradebook_rows,
    markdown_table,
    points,
    write_gradebook,
)
from nnscratch.grading.notebooks import output_text
from nnscratch.grading.results import (
    NotebookResult,
    Outcome,
    not_submitted,
    score_notebook,
    unreadable,
)
from nnscratch.grading.roles import graded_checks
from nnscratch.grading.semester import Override, RosterEntry

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SOLUTION = nbformat.read(FIXTURES / "solutions" / "01_basics.ipynb", as_version=4)
CELLS = ["setup", "answer-relu", "check-relu-values", "hidden-relu-shape", "answer-sigmoid",
         "check-sigmoid-values", "check-combined", "answer-total", "check-total"]
EXPECTED = {"check-relu-values": "[0. 0. 2.5]\n", "hidden-relu-shape": "(3, 4) 1.5\n",
            "check-sigmoid-values": "[0.5]\n", "check-combined": "[0.7310586]\n",
            "check-total": "385\n"}


def records(**outcomes) -> list[dict]:
    """One call record per code cell: ``passed`` (printing the expected text) unless given
    as cell_id=outcome."""
    out = []
    for index, cell_id in enumerate(CELLS):
        outcome = outcomes.get(cell_id.replace("-", "_"), "passed")
        out.append({"when": "call", "cell": index, "outcome": outcome, "message": "",
                    "text": EXPECTED.get(cell_id, ""), "hints": [], "error": "",
                    "output_chars": 10})
    return out


def score(assembly=None, recs=None):
    return score_notebook("01_basics", assembly or assemble(SOLUTION, None, seed=1),
                          records() if recs is None else recs, EXPECTED, cell_timeout=5)


def test_all_passed_is_full_marks():
    result = score()
    assert (result.earned, result.max_points, result.problems, result.notes) == (7, 7, [], [])


def test_outputs_are_compared_with_the_reference():
    recs = records()
    recs[2].update(text="[1. 0. 2.5]\n", hints=["relu of a negative number is 0"])
    recs[8].update(text="385.0000000001\n")  # within the relative tolerance
    result = score(recs=recs)
    failed = [check for check in result.checks if not check.passed]
    assert result.earned == 5 and [check.check.id for check in failed] == ["relu-values"]
    assert failed[0].outcome is Outcome.WRONG
    assert failed[0].detail == "line 1: expected 0., got 1."
    assert (failed[0].expected, failed[0].actual) == ("[0. 0. 2.5]\n", "[1. 0. 2.5]\n")
    assert failed[0].hints == ["relu of a negative number is 0"]


def test_flagged_answer_zeroes_its_dependent_checks():
    learner = nbformat.from_dict(SOLUTION)
    learner.cells[3].source = "import nnscratch\n" + learner.cells[3].source
    result = score(assemble(SOLUTION, learner_answers(learner), seed=1))
    assert result.problems == ["uses nnscratch (answer-relu)"]
    assert {c.check.id: c.earned for c in result.checks} == {
        "relu-values": 0, "relu-shape": 0, "sigmoid-values": 2, "combined": 0, "total": 1}
    assert all(c.outcome is Outcome.USES_NNSCRATCH for c in result.checks if c.earned == 0)


@pytest.mark.parametrize("outcomes, problem", [
    ({"answer_total": "timeout"}, "timeout"),
    ({"answer_sigmoid": "kernel-died", "check_sigmoid_values": "not-run",
      "check_combined": "not-run", "answer_total": "not-run",
      "check_total": "not-run"}, "kernel died"),
    ({"check_total": "grader-error"}, "grader error"),
])
def test_run_problems(outcomes, problem):
    assert score(recs=records(**outcomes)).problems == [problem]


def test_notebook_time_limit():
    recs = records(check_total="not-run")
    recs[8]["message"] = plugin.NOTEBOOK_TIMEOUT
    assert score(recs=recs).problems == ["timeout"]


def test_memory_error_processes_and_huge_output_and_missing_records():
    recs = records(answer_total="error", answer_sigmoid="error")
    recs[7]["error"] = "_ArrayMemoryError: Unable to allocate 2.00 GiB"
    recs[4]["error"] = "BlockingIOError: [Errno 11] Resource temporarily unavailable"
    recs[2]["output_chars"] = 50_000_000
    assert score(recs=recs).problems == ["output too large", "process limit", "out of memory"]
    assert score(recs=records()[:4]).problems == ["not graded (grader stopped)"]


def test_unscored_results():
    checks = graded_checks(SOLUTION)
    assert not_submitted("01_basics", checks).earned == 0
    result = unreadable("01_basics", checks, "bad JSON")
    assert (result.max_points, result.problems) == (7, ["invalid notebook"])


def test_results_survive_a_round_trip_through_json():
    import json

    recs = records(check_total="error")
    recs[8]["error"] = "NameError: name 'x' is not defined"
    result = score(recs=recs)
    again = NotebookResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


def grades() -> list[StudentGrade]:
    checks = graded_checks(SOLUTION)
    recs = records()
    recs[2].update(text="```\n" + "y" * 5000)
    recs[3].update(text="(3, 4) 2.5", hints=["sum, not mean"])
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
    assert rows[0] == ["student", "01_basics", "02_x", "late_days", "penalty", "total",
                       "status"]
    assert rows[1] == ["ada", "7", "0", "0", "0%", "7", "not submitted: 02_x"]
    table = markdown_table(rows)
    assert "| bob \\| jr | 4 | 0 | 0 | 0% | 4 |" in table
    assert table.splitlines()[1] == "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
    assert (points(2.0), points(1.5)) == ("2", "1.5")


def test_write_gradebook_has_no_row_of_maxima(tmp_path):
    write_gradebook(tmp_path, grades(), {"01_basics": 7, "02_x": 2})
    with open(tmp_path / "gradebook.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows] == ["student", "ada", "bob | jr"]
    markdown = (tmp_path / "gradebook.md").read_text()
    assert "Maximum points: 01_basics 7, 02_x 2; total 9." in markdown
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["ada.md", "bob | jr.md"]


def test_roster_columns_lateness_and_status():
    ada, bob = grades()
    ada.roster = RosterEntry("ada", "Ada L.", "ada@uni.edu", "A")
    bob.on_roster = False
    bob.days_late, bob.penalty = 2, 0.2
    rows = gradebook_rows([ada, bob], {"01_basics": 7, "02_x": 2})
    assert rows[0][:3] == ["student", "name", "section"]
    assert rows[2][-4:] == ["2", "20%", "3.2", "not on the roster; unexpected file notes.ipynb; "
                            "02_x: invalid notebook; late 2 days (-20%)"]


def test_overrides_set_points_and_explain_them():
    ada, bob = grades()
    unused = apply_overrides([ada, bob], [
        Override("bob | jr", "01_basics", "relu-values", 2, "ambiguous statement"),
        Override("ada", "01_basics", "", 5.5, "regraded by hand"),
        Override("cy", "01_basics", "", 1, "no such student")])
    assert unused == ["cy, 01_basics"]
    assert bob.results["01_basics"].earned == 6 and ada.results["01_basics"].earned == 5.5
    assert "set check `relu-values` to 2 point(s): ambiguous statement" in feedback_text(bob)


def test_feedback_truncates_and_fences_safely():
    text = feedback_text(grades()[1])
    assert "### `relu-values`: 0 / 2 points, output differs" in text
    assert "````text\n```\nyyy" in text  # a longer fence around output holding ```
    assert "... [cut]" in text and "y" * 2001 not in text
    assert "Unexpected file `notes.ipynb`" in text
    assert "not a valid notebook (bad JSON)" in text


def test_hidden_checks_are_named_with_their_hint_but_not_shown():
    hidden = next(c for c in grades()[1].results["01_basics"].checks if c.check.hidden)
    text = "\n".join(failed_check(hidden))
    assert "### `relu-shape` (hidden check): 0 / 1 point, output differs" in text
    assert "Probable mistake: sum, not mean" in text
    assert "(3, 4)" not in text and "not shown" in text
    shown = "\n".join(failed_check(hidden, show_hidden=True))
    assert "(3, 4) 2.5" in shown and "(3, 4) 1.5" in shown


def out(text: str, name: str = "stdout"):
    return nbformat.from_dict({"output_type": "stream", "name": name, "text": text})


def test_output_text_and_hints():
    outputs = [out("a\n"), out("warn\nHint: look at x\nHint: look at x\n", "stderr"),
               nbformat.from_dict({"output_type": "execute_result", "execution_count": 1,
                                   "data": {"text/plain": "3"}, "metadata": {}})]
    assert output_text(outputs) == "a\n3"
    assert plugin.hints(outputs) == ["look at x"]


@pytest.mark.parametrize("exc, when, outcome", [
    (plugin.KernelDied("the kernel died"), "call", Outcome.KERNEL_DIED),
    (RuntimeError("Kernel dead on test start"), "call", Outcome.NOT_RUN),
    (Exception("Timeout of 5 seconds exceeded executing cell"), "call", Outcome.TIMEOUT),
    (Exception("Cell execution caused an exception"), "call", Outcome.ERROR),
    (RuntimeError("cannot start kernel"), "setup", Outcome.GRADER_ERROR),
])
def test_plugin_classifies_failures(exc, when, outcome):
    assert plugin.classify(exc, when)[0] is outcome
