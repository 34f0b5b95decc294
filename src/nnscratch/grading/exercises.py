"""Generate exercise notebooks from solution notebooks.

An exercise is its solution with:

- every ``### BEGIN SOLUTION`` .. ``### END SOLUTION`` region of an answer cell replaced
  by ``raise NotImplementedError("Your code here")`` (indented like the region);
- hidden cells removed and all outputs cleared;
- a self-check cell after the first setup cell: the code of ``selfcheck.py`` and the
  expected output of every visible check (the solution's stored output);
- every visible check cell starting with ``%%check <id>`` (the magic prints PASS or FAIL
  under the check), its code folded (Jupyter's ``source_hidden``, the book's
  ``hide-input``), and followed by a Markdown cell showing its expected output.

Everything else (cell ids, metadata, markdown) is kept, so learners' answer cells keep
the ids the grader matches them by. The generated cells are tagged ``selfcheck``.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .notebooks import InvalidSolution, clear_outputs, fenced, output_text, read_solution
from .roles import BEGIN, END, cell_role, graded_checks

STUB = 'raise NotImplementedError("Your code here")'
SELFCHECK_TAG = "selfcheck"
CHECK_MAGIC = "%%check"
EXPECTED = "expected"  # key of a visible check's expected output in its nnscratch metadata
SELFCHECK_INTRO = """\
# Self-check. Run this cell once, before the checks. Each check cell starts with %%check:
# it runs the check, compares what it prints with the expected output shown under the
# cell, and prints PASS or FAIL. Numbers may differ by a relative 1e-6 (or the check's
# stated tolerance). Grading compares the same way, on other random inputs.
"""


def stub_solution_regions(source: str) -> str:
    """Replace each solution region of ``source`` by an indented NotImplementedError.

    The marker lines and everything between them become one line
    ``<indent>raise NotImplementedError("Your code here")`` where ``<indent>`` is the
    indentation of the ``### BEGIN SOLUTION`` line. Raises ValueError on a region that
    is not closed, or an ``END`` without a ``BEGIN``.
    """
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    inside = False
    for number, line in enumerate(lines, start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"line {number}: nested '{BEGIN}'")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            ending = "\n" if line.endswith("\n") else ""
            out.append(f"{indent}{STUB}{ending}")
        elif marker == END:
            if not inside:
                raise ValueError(f"line {number}: '{END}' without '{BEGIN}'")
            inside = False
            if not line.endswith("\n") and out[-1].endswith("\n"):
                out[-1] = out[-1][:-1]
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"'{BEGIN}' is never closed by '{END}'")
    return "".join(out)


def make_exercise(solution: NotebookNode) -> NotebookNode:
    """The exercise notebook of ``solution`` (a new notebook; the input is untouched)."""
    expected = {cell.id: output_text(cell.outputs) for cell in solution.cells
                if cell_role(cell) == "check"}
    exercise = clear_outputs(copy.deepcopy(solution))
    cells: list[NotebookNode] = []
    for cell in exercise.cells:
        role = cell_role(cell)
        if role == "hidden":
            continue
        cells.append(cell)
        if role == "answer":
            try:
                cell.source = stub_solution_regions(cell.source)
            except ValueError as err:
                raise ValueError(f"answer cell {cell.id!r}: {err}") from None
        elif role == "check":
            meta = cell.metadata["nnscratch"]
            meta[EXPECTED] = expected[cell.id]
            cell.source = f"{CHECK_MAGIC} {meta['id']}\n{cell.source}"
            cell.metadata.tags.append("hide-input")  # folded: the verdict is what matters
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
            cells.append(_expected_cell(cell.id, meta["id"], meta["points"], expected[cell.id]))
        elif role == "setup" and not any(c.id == SELFCHECK_TAG for c in cells):
            cells.append(selfcheck_cell(solution))
    exercise.cells = cells
    return exercise


def selfcheck_cell(solution: NotebookNode) -> NotebookNode:
    """The code cell defining ``%%check`` with every visible check's expected output."""
    rows = [f"    {check.id!r}: ({check.points!r}, {check.rtol!r}, {text!r}),"
            for check, text in _visible_expected(solution)]
    source = (SELFCHECK_INTRO + "\n" + Path(__file__).with_name("selfcheck.py").read_text()
              + "\n\nregister({\n" + "\n".join(rows) + "\n})")
    return nbformat.v4.new_code_cell(source, id=SELFCHECK_TAG,
                                     metadata={"tags": [SELFCHECK_TAG, "hide-input"]})


def _visible_expected(solution: NotebookNode) -> list[tuple]:
    cells = {cell.id: cell for cell in solution.cells}
    return [(check, output_text(cells[check.cell_id].outputs))
            for check in graded_checks(solution) if not check.hidden]


def _expected_cell(cell_id: str, check_id: str, points: float, text: str) -> NotebookNode:
    unit = "point" if points == 1 else "points"
    body = "\n".join([f"Expected output of `{check_id}` ({points:g} {unit}):", "",
                      *fenced(text)])
    return nbformat.v4.new_markdown_cell(body, id=f"{cell_id}-expected",
                                         metadata={"tags": [SELFCHECK_TAG]})


def exercise_text(solution_path: Path) -> str:
    """The exact file contents of the exercise generated from ``solution_path``."""
    try:
        return nbformat.writes(make_exercise(read_solution(solution_path)))
    except ValueError as err:
        raise InvalidSolution(f"{solution_path}: {err}") from None


def planned_exercises(solutions: Path, exercises: Path) -> dict[Path, str]:
    """Map each exercise path to the text it should have, one per solution notebook."""
    return {exercises / path.name: exercise_text(path)
            for path in sorted(solutions.glob("*.ipynb"))}


def stale_exercises(solutions: Path, exercises: Path) -> list[str]:
    """Exercise files that differ from what ``write_exercises`` would generate.

    Each entry reads ``<path> (missing)``, ``<path> (out of date)`` or
    ``<path> (no matching solution)``.
    """
    plan = planned_exercises(solutions, exercises)
    stale = []
    for path, text in plan.items():
        if not path.exists():
            stale.append(f"{path} (missing)")
        elif path.read_text(encoding="utf-8") != text:
            stale.append(f"{path} (out of date)")
    stale.extend(f"{path} (no matching solution)" for path in extra_exercises(plan, exercises))
    return stale


def write_exercises(solutions: Path, exercises: Path) -> list[Path]:
    """Regenerate ``exercises/`` from ``solutions/``; return the files that changed."""
    plan = planned_exercises(solutions, exercises)
    exercises.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in plan.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def extra_exercises(plan: dict[Path, str], exercises: Path) -> list[Path]:
    """Notebooks in ``exercises/`` without a solution (never deleted automatically)."""
    return sorted(path for path in exercises.glob("*.ipynb") if path not in plan)
