"""Turn nbval's per-cell records into scored checks, problems and feedback notes.

Scoring rules:

- a check scores its points when its cell ran without error and its output matched
  the solution's (after sanitizing); otherwise 0;
- an answer cell that uses ``nnscratch`` is flagged, and every check depending on it
  (``metadata.nnscratch.depends``, by default the checks between it and the next
  answer cell) scores 0 even if it passed;
- cells that never ran (kernel died, notebook time limit, grader stopped) score 0.

Problems are short phrases for the gradebook's status column; notes are sentences
for the learner's feedback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .assemble import Assembly
from .roles import Check

OUTPUT_LIMIT = 1_000_000  # characters a cell may print before "output too large"
MEMORY_ERRORS = ("MemoryError", "_ArrayMemoryError")


@dataclass
class CheckResult:
    """One graded check: the points earned and, if it failed, why."""

    check: Check
    earned: float
    kind: str  # passed, mismatch, error, timeout, kernel-died, not-run, uses-nnscratch, ...
    expected: str = ""
    actual: str = ""
    error: str = ""

    @property
    def passed(self) -> bool:
        return self.kind == "passed"


@dataclass
class NotebookResult:
    """The grade of one exercise of one learner."""

    exercise: str
    checks: list[CheckResult]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    submitted: bool = True
    readable: bool = True

    @property
    def earned(self) -> float:
        return sum(result.earned for result in self.checks)

    @property
    def max_points(self) -> float:
        return sum(result.check.points for result in self.checks)


def not_submitted(exercise: str, checks: list[Check]) -> NotebookResult:
    """0 for every check of an exercise the learner did not hand in."""
    return NotebookResult(exercise, [CheckResult(check, 0, "not-submitted") for check in checks],
                          [], ["Not submitted."], submitted=False)


def unreadable(exercise: str, checks: list[Check], reason: str) -> NotebookResult:
    """0 for every check of a submission that is not a readable notebook."""
    return NotebookResult(exercise, [CheckResult(check, 0, "invalid") for check in checks],
                          ["invalid notebook"],
                          [f"Your file is not a valid notebook ({reason}); nothing could be "
                           "graded. Save it from Jupyter and submit the .ipynb file."],
                          readable=False)


def score_notebook(exercise: str, assembly: Assembly, records: list[dict],
                   cell_timeout: float | None = None) -> NotebookResult:
    """Score one graded notebook from its cell records (see pytest_plugin.describe)."""
    by_cell: dict[int, dict] = {}
    for record in records:
        if record.get("when") in ("setup", "call") and record.get("cell") is not None:
            by_cell[record["cell"]] = record  # the call record replaces its setup record
    collect_failed = any(record.get("when") == "collect" for record in records)
    result = NotebookResult(exercise, [])
    _note_assembly(result, assembly)
    flagged = set(assembly.flagged_answers)
    for index, plan in enumerate(assembly.cells):
        record = by_cell.get(index, {"kind": "not-run"})
        _note_cell(result, plan.role, plan.cell_id, record, cell_timeout)
        if plan.check is None:
            continue
        check = plan.check
        kind = record["kind"]
        uses = [answer for answer in check.depends if answer in flagged]
        if kind == "passed" and uses:
            kind = "uses-nnscratch"
        result.checks.append(CheckResult(
            check, check.points if kind == "passed" else 0, kind,
            record.get("expected", ""), record.get("actual", ""), record.get("error", "")))
    _note_run(result, by_cell, len(assembly.cells), collect_failed)
    return result


def _note_assembly(result: NotebookResult, assembly: Assembly) -> None:
    for answer in assembly.missing_answers:
        result.problems.append(f"missing answer cell {answer}")
        result.notes.append(f"Answer cell `{answer}` is missing from your notebook: it was "
                            "graded as the exercise's empty stub. Keep the answer cells "
                            "(their ids) and write your code inside them.")
    for answer in assembly.flagged_answers:
        result.problems.append(f"uses nnscratch ({answer})")
        depending = [check.id for check in assembly.checks if answer in check.depends]
        result.notes.append(f"Answer cell `{answer}` uses the `nnscratch` package: the checks "
                            f"relying on it score 0 ({', '.join(depending) or 'none'}). "
                            "Implement the functions yourself.")


def _note_cell(result: NotebookResult, role: str | None, cell_id: str, record: dict,
               cell_timeout: float | None) -> None:
    kind = record["kind"]
    if kind == "timeout":
        limit = f" ({cell_timeout:g} s)" if cell_timeout else ""
        _add(result, "timeout", f"Cell `{cell_id}` exceeded the time limit{limit} and was "
             "interrupted.")
    elif kind == "kernel-died":
        _add(result, "kernel died", f"The kernel died while running cell `{cell_id}` "
             "(a crash or an exit); the cells after it could not run.")
    elif kind == "notebook-timeout":
        _add(result, "timeout", "The notebook exceeded its total time limit; the remaining "
             "cells were not run.")
    elif kind == "grader-error":
        _add(result, "grader error", f"Cell `{cell_id}` could not be graded: "
             f"{record.get('message', '')}")
    error = record.get("error", "")
    if error.split(":")[0] in MEMORY_ERRORS:
        _add(result, "out of memory", f"Cell `{cell_id}` ran out of memory ({error}).")
    elif kind == "error" and role == "setup":
        _add(result, "setup cell failed", f"Setup cell `{cell_id}` failed: {error}.")
    elif kind == "error" and role == "answer":
        result.notes.append(f"Answer cell `{cell_id}` raised {error}.")
    if record.get("output_chars", 0) > OUTPUT_LIMIT:
        _add(result, "output too large", f"Cell `{cell_id}` printed "
             f"{record['output_chars']:,} characters; only the start is kept.")


def _note_run(result: NotebookResult, by_cell: dict, cells: int, collect_failed: bool) -> None:
    ran = [record for record in by_cell.values() if record["kind"] != "kernel-dead"]
    if collect_failed or len(by_cell) < cells:
        _add(result, "not graded (grader stopped)", "The grader stopped before this notebook "
             "finished; ask your instructor.")
    elif len(ran) < cells and "timeout" not in result.problems \
            and "kernel died" not in result.problems:
        _add(result, "kernel died", "The kernel stopped; the remaining cells could not run.")


def _add(result: NotebookResult, problem: str, note: str) -> None:
    """Add a problem once, and its note."""
    if problem not in result.problems:
        result.problems.append(problem)
    if note not in result.notes:
        result.notes.append(note)
