"""Assembling the graded notebook, and detecting answers that use nnscratch."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from nnscratch.grading.assemble import assemble, learner_answers, self_check, uses_nnscratch
from nnscratch.grading.exercises import CHECK_MAGIC, STUB, make_exercise
from nnscratch.grading.notebooks import InvalidNotebook, code_cells, read_notebook

FIXTURES = Path(__file__).parent / "fixtures" / "grading"


@pytest.fixture
def solution() -> nbformat.NotebookNode:
    return nbformat.read(FIXTURES / "solutions" / "01_basics.ipynb", as_version=4)


def by_id(nb) -> dict:
    return {cell.id: cell for cell in nb.cells}


def graded(solution, learner, seed=7):
    return assemble(solution, learner_answers(learner), seed=seed)


def test_only_answer_sources_come_from_the_learner(solution):
    learner = copy.deepcopy(solution)
    cells = by_id(learner)
    cells["answer-relu"].source = "def relu(x):\n    return x"
    cells["setup"].source = "import os"
    cells["check-total"].source = "print(385)"
    learner.metadata.kernelspec.name = "julia-1.9"
    learner.cells.append(new_code_cell("print('extra')", id="extra"))
    result = graded(solution, learner)
    cells = by_id(result.notebook)
    assert cells["answer-relu"].source == "def relu(x):\n    return x"
    assert cells["setup"].source == by_id(solution)["setup"].source.replace(
        "SEED = 0", "SEED = 7")
    assert cells["check-total"].source == by_id(solution)["check-total"].source
    assert "extra" not in cells
    assert result.notebook.metadata == solution.metadata
    assert [plan.cell_id for plan in result.cells] == [c.id for c in code_cells(solution)]
    assert result.missing_answers == [] and result.flagged_answers == []


def test_every_output_is_cleared_and_no_markdown_is_kept(solution):
    result = graded(solution, make_exercise(solution))
    for cell in result.notebook.cells:
        assert cell.cell_type == "code" and cell.outputs == [] and cell.execution_count is None
    assert [c.id for c in result.checks] == ["relu-values", "relu-shape", "sigmoid-values",
                                             "combined", "total"]


def test_the_reference_run_keeps_the_solution_answers(solution):
    result = assemble(solution, None, seed=11)
    answers = {c.id: c.source for c in result.notebook.cells if c.id.startswith("answer")}
    assert answers == {c.id: c.source for c in solution.cells if c.id.startswith("answer")}
    assert "SEED = 11" in by_id(result.notebook)["setup"].source


def test_missing_answer_cell_gets_the_exercise_stub(solution):
    learner = copy.deepcopy(solution)
    learner.cells = [cell for cell in learner.cells if cell.id != "answer-sigmoid"]
    result = graded(solution, learner)
    assert result.missing_answers == ["answer-sigmoid"]
    assert STUB in by_id(result.notebook)["answer-sigmoid"].source


def test_learner_markdown_cell_with_an_answer_id_counts_as_missing(solution):
    learner = copy.deepcopy(solution)
    by_id(learner)["answer-total"].cell_type = "markdown"
    assert graded(solution, learner).missing_answers == ["answer-total"]


def test_answer_using_nnscratch_is_flagged(solution):
    learner = copy.deepcopy(solution)
    by_id(learner)["answer-relu"].source = "from nnscratch.functional import relu_forward"
    assert graded(solution, learner).flagged_answers == ["answer-relu"]


def test_hidden_checks_can_be_left_out(solution):
    result = assemble(solution, None, seed=1, include_hidden=False)
    assert "hidden-relu-shape" not in by_id(result.notebook)
    assert all(not check.hidden for check in result.checks)


def test_inputs_are_not_modified(solution):
    learner = make_exercise(solution)
    before = copy.deepcopy((solution, learner))
    graded(solution, learner)
    assert (solution, learner) == before


def test_self_check_runs_the_exercise_without_its_helper_cells(solution):
    exercise = make_exercise(solution)
    by_id(exercise)["answer-relu"].source = "import nnscratch"
    exercise.cells.append(new_code_cell("print('mine')", id="my-own"))
    result, expected = self_check(exercise)
    ids = [plan.cell_id for plan in result.cells]
    assert ids == ["setup", "answer-relu", "check-relu-values", "answer-sigmoid",
                   "check-sigmoid-values", "check-combined", "answer-total", "check-total"]
    assert not any(cell.source.startswith(CHECK_MAGIC) for cell in result.notebook.cells)
    assert by_id(result.notebook)["check-total"].source == \
        by_id(solution)["check-total"].source
    assert expected["check-total"] == "385\n"
    assert [check.id for check in result.checks] == ["relu-values", "sigmoid-values",
                                                     "combined", "total"]
    assert result.flagged_answers == ["answer-relu"]


def test_a_solution_has_nothing_to_self_check(solution):
    assert self_check(solution)[1] == {}


@pytest.mark.parametrize("source", [
    "import nnscratch",
    "import numpy as np, nnscratch.functional as F",
    "from nnscratch import functional",
    "from nnscratch.functional import relu_forward as relu",
    "def f(x):\n    from nnscratch.layers import ReLU\n    return ReLU()(x)",
    "import importlib\nF = importlib.import_module('nnscratch.functional')",
    "F = __import__('nnscratch')",
    "import sys\nrelu = sys.modules['nnscratch'].functional.relu_forward",
    "exec('from nnscratch import functional')",
    "out = nnscratch.functional.relu_forward(x)",
    "%time import nnscratch",
    "def broken(:\n    from nnscratch import functional",
])
def test_uses_nnscratch(source):
    assert uses_nnscratch(source)


@pytest.mark.parametrize("source", [
    "import numpy as np\n\ndef relu(x):\n    return np.maximum(x, 0)",
    '"""Unlike nnscratch.functional.relu_forward, this returns no cache."""',
    "# I did not use nnscratch here\nx = 1",
    "import nnscratch_notes",
    "from .nnscratch import x",
    "nnscratchy = 3",
    "def broken(:\n    pass",
])
def test_does_not_flag_own_code(source):
    assert not uses_nnscratch(source)


@pytest.mark.parametrize("text, reason", [
    ("{not json", "Notebook does not appear to be JSON"),
    ('{"hello": 1}', "missing a key"),
    ("", "Notebook does not appear to be JSON"),
])
def test_unreadable_notebooks(tmp_path, text, reason):
    path = tmp_path / "bad.ipynb"
    path.write_text(text)
    with pytest.raises(InvalidNotebook, match=reason):
        read_notebook(path)


def test_non_utf8_notebook(tmp_path):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InvalidNotebook):
        read_notebook(path)
