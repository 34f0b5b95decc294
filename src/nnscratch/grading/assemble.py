"""Build the notebooks a grading run executes.

- ``assemble(solution, answers, seed)``: the solution's code cells in the solution's
  order, with the learner's answer cells swapped in by cell id and the setup cell's
  ``SEED`` set to this run's secret seed. Setup, check and hidden cells always come from
  the solution, so editing or deleting them in a submission changes nothing; extra
  learner cells and the learner's kernelspec are ignored. A missing answer cell is
  replaced by the exercise stub. With ``answers=None`` the solution's own answers stay:
  that is the reference run, whose check outputs the learner's are compared with.
- ``self_check(exercise)``: the code cells of an exercise as the learner has it (the
  self-check helper left out), and the expected output of each visible check, stored in
  the exercise when it was generated.

Every output is cleared: nbval only runs the cells, and the grader compares what the
checks print afterwards.

Answer cells that use ``nnscratch`` are flagged (``uses_nnscratch``). The check is
static, on the cell's source after IPython's magics are translated to Python; the
sandbox does not contain the package either, so a disguised import fails at run time.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode

from .exercises import CHECK_MAGIC, EXPECTED, SELFCHECK_TAG, stub_solution_regions
from .roles import Check, cell_role, graded_checks, with_seed

PACKAGE = "nnscratch"
_MODULE_STRING = re.compile(rf"\s*{PACKAGE}(\.\w+)*\s*")
_IMPORT_TEXT = re.compile(rf"(^|[\s;:(])(import|from)\s+{PACKAGE}\b", re.MULTILINE)


@dataclass(frozen=True)
class CellPlan:
    """What nbval's ``Cell N`` of a graded notebook is: role, cell id, check (if any)."""

    role: str | None
    cell_id: str
    check: Check | None = None


@dataclass
class Assembly:
    """A notebook to run and what its code cells mean."""

    notebook: NotebookNode
    cells: list[CellPlan]
    checks: list[Check]
    missing_answers: list[str] = field(default_factory=list)
    flagged_answers: list[str] = field(default_factory=list)


def learner_answers(learner: NotebookNode) -> dict[str, str]:
    """Source of the learner's code cells by cell id (the first one wins on duplicates)."""
    answers: dict[str, str] = {}
    for cell in learner.cells:
        cell_id = cell.get("id")
        if cell.cell_type == "code" and isinstance(cell_id, str):
            answers.setdefault(cell_id, cell.source)
    return answers


def assemble(solution: NotebookNode, answers: dict[str, str] | None, *, seed: int,
             include_hidden: bool = True) -> Assembly:
    """The notebook grading ``answers`` (cell id -> source) against ``solution``.

    ``answers=None`` keeps the solution's answers (the reference run). Inputs are not
    modified; ``include_hidden=False`` leaves the hidden checks out.
    """
    checks = {check.cell_id: check for check in graded_checks(solution)
              if include_hidden or not check.hidden}
    result = Assembly(nbformat.v4.new_notebook(metadata=copy.deepcopy(solution.metadata)),
                      [], list(checks.values()))
    for cell in solution.cells:
        role = cell_role(cell)
        if cell.cell_type != "code" or (role == "hidden" and not include_hidden):
            continue
        source = cell.source
        if role == "setup":
            source = with_seed(source, seed)
        elif role == "answer" and answers is not None:
            source = _answer_source(cell, answers, result)
        _add_cell(result, cell, source, role, checks.get(cell.id))
    return result


def self_check(exercise: NotebookNode) -> tuple[Assembly, dict[str, str]]:
    """The exercise's own cells to run, and each visible check's expected output.

    Only checks that carry their expected output (generated exercises) are graded; the
    self-check cells and the learner's own extra cells are left out, as in grading.
    """
    checks = [check for check in graded_checks(exercise) if not check.hidden]
    result = Assembly(nbformat.v4.new_notebook(metadata=copy.deepcopy(exercise.metadata)),
                      [], [])
    by_cell = {check.cell_id: check for check in checks}
    expected = {}
    for cell in exercise.cells:
        role = cell_role(cell)
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or role not in ("setup", "answer", "check") \
                or SELFCHECK_TAG in tags:
            continue
        source = cell.source
        if role == "check":
            if EXPECTED not in cell.metadata.get("nnscratch", {}):
                continue
            first, _, rest = source.partition("\n")
            source = rest if first.startswith(CHECK_MAGIC) else source
            expected[cell.id] = cell.metadata.nnscratch[EXPECTED]
            result.checks.append(by_cell[cell.id])
        elif role == "answer" and uses_nnscratch(source):
            result.flagged_answers.append(cell.id)
        _add_cell(result, cell, source, role, by_cell.get(cell.id) if role == "check" else None)
    return result, expected


def _add_cell(result: Assembly, cell: NotebookNode, source: str, role: str | None,
              check: Check | None) -> None:
    new = nbformat.v4.new_code_cell(source, id=cell.id, metadata=copy.deepcopy(cell.metadata))
    result.notebook.cells.append(new)
    result.cells.append(CellPlan(role, cell.id, check))


def _answer_source(cell: NotebookNode, answers: dict[str, str], result: Assembly) -> str:
    source = answers.get(cell.id)
    if source is None:
        result.missing_answers.append(cell.id)
        return stub_solution_regions(cell.source)
    if uses_nnscratch(source):
        result.flagged_answers.append(cell.id)
    return source


def uses_nnscratch(source: str) -> bool:
    """True when the code in ``source`` imports or refers to the nnscratch package.

    Flags ``import nnscratch``, ``from nnscratch... import``, the bare name
    ``nnscratch``, and a string naming the package as a module or holding an import of
    it (``importlib.import_module("nnscratch")``, ``exec("from nnscratch import ...")``).
    A cell that does not parse is checked line by line for import statements instead.
    """
    try:
        tree = ast.parse(_as_python(source))
    except (SyntaxError, ValueError):
        return bool(_IMPORT_TEXT.search(source))
    return any(_refers_to_package(node) for node in ast.walk(tree))


def _refers_to_package(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(_is_package(alias.name) for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.level == 0 and _is_package(node.module or "")
    if isinstance(node, ast.Name):
        return node.id == PACKAGE
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_MODULE_STRING.fullmatch(node.value) or _IMPORT_TEXT.search(node.value))
    return False


def _is_package(module: str) -> bool:
    return module == PACKAGE or module.startswith(PACKAGE + ".")


def _as_python(source: str) -> str:
    """``source`` with IPython syntax (``%magic``, ``!cmd``) translated to Python."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)
