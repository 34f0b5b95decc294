"""Build the notebook that grades one submission.

The graded notebook is the solution's code cells, in the solution's order, where
only the source of each ``answer`` cell comes from the learner's cell with the same
id. Setup, check and hidden cells always come from the solution, so editing or
deleting them in a submission changes nothing; extra learner cells and the learner's
kernelspec are ignored. A missing answer cell is replaced by the exercise stub.

For nbval in ``--nbval-lax`` mode, graded cells keep the solution's reference outputs
and get the ``nbval-check-output`` tag (compare outputs); every other cell has its
outputs cleared, so it only has to run.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from .exercises import stub_solution_regions
from .imports import uses_nnscratch
from .roles import GRADED, Check, cell_role, graded_checks

CHECK_OUTPUT_TAG = "nbval-check-output"
_NBVAL_TAGS = {"nbval-check-output", "nbval-ignore-output", "nbval-skip",
               "nbval-raises-exception", "raises-exception"}


@dataclass(frozen=True)
class CellPlan:
    """What nbval's ``Cell N`` of a graded notebook is: role, cell id, check (if any)."""

    role: str | None
    cell_id: str
    check: Check | None = None


@dataclass
class Assembly:
    """A graded notebook and what its code cells mean."""

    notebook: NotebookNode
    cells: list[CellPlan]
    checks: list[Check]
    missing_answers: list[str] = field(default_factory=list)
    flagged_answers: list[str] = field(default_factory=list)


def assemble(solution: NotebookNode, learner: NotebookNode | None, *,
             include_hidden: bool = True) -> Assembly:
    """The notebook grading ``learner`` against ``solution`` (None: nothing submitted).

    Inputs are not modified. With ``include_hidden=False`` hidden checks are left out
    (a learner's self-check).
    """
    answers = _learner_answers(learner)
    checks = {check.cell_id: check for check in graded_checks(solution)
              if include_hidden or not check.hidden}
    cells: list[NotebookNode] = []
    plan: list[CellPlan] = []
    missing: list[str] = []
    flagged: list[str] = []
    for cell in solution.cells:
        role = cell_role(cell)
        if cell.cell_type != "code" or (role == "hidden" and not include_hidden):
            continue
        new = copy.deepcopy(cell)
        tags = [tag for tag in new.metadata.get("tags", []) if tag not in _NBVAL_TAGS]
        if role in GRADED:
            tags.append(CHECK_OUTPUT_TAG)
        else:
            new.outputs, new.execution_count = [], None
        if role == "answer":
            new.source = _answer_source(cell, answers, missing, flagged)
        if tags or "tags" in new.metadata:
            new.metadata["tags"] = tags
        cells.append(new)
        plan.append(CellPlan(role, cell.id, checks.get(cell.id)))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(solution.metadata))
    return Assembly(notebook, plan, list(checks.values()), missing, flagged)


def _learner_answers(learner: NotebookNode | None) -> dict[str, str]:
    """Source of the learner's code cells by cell id (first one wins on duplicates)."""
    answers: dict[str, str] = {}
    for cell in learner.cells if learner is not None else []:
        cell_id = cell.get("id")
        if cell.cell_type == "code" and isinstance(cell_id, str):
            answers.setdefault(cell_id, cell.source)
    return answers


def _answer_source(cell: NotebookNode, answers: dict[str, str],
                   missing: list[str], flagged: list[str]) -> str:
    source = answers.get(cell.id)
    if source is None:
        missing.append(cell.id)
        return stub_solution_regions(cell.source)
    if uses_nnscratch(source):
        flagged.append(cell.id)
    return source
