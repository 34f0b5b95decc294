"""Assembling the graded notebook, and detecting answers that use nnscratch."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from nnscratch.grading.assemble import CHECK_OUTPUT_TAG, assemble
from nnscratch.grading.exercises import STUB, make_exercise
from nnscratch.grading.imports import uses_nnscratch
from nnscratch.grading.notebooks import InvalidNotebook, code_cells, read_notebook

FIXTURES = Path(__file__).parent / "fixtures" / "grading"


@pytest.fixture
def solution() -> nbformat.NotebookNode:
    return nbformat.read(FIXTURES / "solutions" / "01_basics.ipynb", as_version=4)


def by_id(nb) -> dict:
    return {cell.id: cell for cell in nb.cells}


def test_only_answer_sources_come_from_the_learner(solution):
    learner = copy.deepcopy(solution)
    cells = by_id(learner)
    cells["answer-relu"].source = "def relu(x):\n    return x"
    cells["setup"].source = "import os"
    cells["check-total"].source = "print(385)"
    learner.metadata.kernelspec.name = "julia-1.9"
    learner.cells.append(new_code_cell("print('extra')", id="extra"))
    graded = assemble(solution, learner)
    cells = by_id(graded.notebook)
    assert cells["answer-relu"].source == "def relu(x):\n    return x"
    assert cells["setup"].source == by_id(solution)["setup"].source
    assert cells["check-total"].source == "print(total)"
    assert "extra" not in cells
    assert graded.notebook.metadata == solution.metadata
    assert [plan.cell_id for plan in graded.cells] == [c.id for c in code_cells(solution)]
    assert graded.missing_answers == [] and graded.flagged_answers == []


def test_graded_cells_keep_reference_outputs_and_are_compared(solution):
    graded = assemble(solution, make_exercise(solution))
    for plan, cell in zip(graded.cells, code_cells(graded.notebook), strict=True):
        reference = by_id(solution)[cell.id]
        if plan.check is not None:
            assert CHECK_OUTPUT_TAG in cell.metadata.tags
            assert cell.outputs == reference.outputs and cell.execution_count
        else:
            assert CHECK_OUTPUT_TAG not in cell.metadata.get("tags", [])
            assert cell.outputs == [] and cell.execution_count is None
    assert [c.id for c in graded.checks] == ["relu-values", "relu-shape", "sigmoid-values",
                                             "combined", "total"]
    assert not any(cell.cell_type == "markdown" for cell in graded.notebook.cells)


def test_missing_answer_cell_gets_the_exercise_stub(solution):
    learner = copy.deepcopy(solution)
    learner.cells = [cell for cell in learner.cells if cell.id != "answer-sigmoid"]
    graded = assemble(solution, learner)
    assert graded.missing_answers == ["answer-sigmoid"]
    assert STUB in by_id(graded.notebook)["answer-sigmoid"].source


def test_learner_markdown_cell_with_an_answer_id_counts_as_missing(solution):
    learner = copy.deepcopy(solution)
    by_id(learner)["answer-total"].cell_type = "markdown"
    assert assemble(solution, learner).missing_answers == ["answer-total"]


def test_answer_using_nnscratch_is_flagged(solution):
    learner = copy.deepcopy(solution)
    by_id(learner)["answer-relu"].source = "from nnscratch.functional import relu_forward"
    assert assemble(solution, learner).flagged_answers == ["answer-relu"]


def test_self_check_leaves_out_hidden_checks(solution):
    graded = assemble(solution, solution, include_hidden=False)
    assert "hidden-relu-shape" not in by_id(graded.notebook)
    assert all(not check.hidden for check in graded.checks)


def test_inputs_are_not_modified(solution):
    learner = make_exercise(solution)
    before = copy.deepcopy((solution, learner))
    assemble(solution, learner)
    assert (solution, learner) == before


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
