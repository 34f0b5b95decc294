"""Score a graded notebook: its cell records and the reference outputs -> points and notes.

Scoring rules:

- a check scores its points when its cell ran without error and what it printed matches
  the reference output (``selfcheck.compare_outputs``, with the check's ``rtol``); the
  reference is the solution's output on the same inputs, computed in the same run;
- an answer cell that uses ``nnscratch`` is flagged, and every check depending on it
  scores 0 even if it passed;
- cells that never ran (kernel died, notebook time limit, grader stopped) score 0.

Problems are short phrases for the gradebook's status column; notes are sentences for
the learner's feedback.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum

from .roles import Check
from .selfcheck import compare_outputs

MEMORY_ERRORS = ("MemoryError", "_ArrayMemoryError")
OUTPUT_LIMIT = 1_000_000  # characters of text kept per cell (plugin.py drops the rest)
NOTEBOOK_TIMEOUT = "notebook time limit exceeded"  # why plugin.py skips the cells left


class Outcome(str, Enum):
    """What happened to a cell, or to a check."""

    PASSED = "passed"  # the cell ran (and, for a check, its output matched)
    WRONG = "wrong"  # a check ran but printed something else than the reference
    ERROR = "error"  # the cell raised an exception
    TIMEOUT = "timeout"  # the cell exceeded its time limit
    KERNEL_DIED = "kernel-died"  # the kernel exited while this cell ran
    NOT_RUN = "not-run"  # the cell never ran (kernel stopped, notebook time limit)
    USES_NNSCRATCH = "uses-nnscratch"  # passed, but relies on an answer using nnscratch
    NOT_SUBMITTED = "not-submitted"
    INVALID = "invalid"  # the submission is not a readable notebook
    GRADER_ERROR = "grader-error"  # the grader could not run or score the cell

    @property
    def reason(self) -> str:
        """Why a check scored 0, in a few words."""
        return _REASONS[self]


_REASONS = {
    Outcome.PASSED: "passed", Outcome.WRONG: "output differs", Outcome.ERROR: "raised an error",
    Outcome.TIMEOUT: "timed out", Outcome.KERNEL_DIED: "the kernel died",
    Outcome.NOT_RUN: "not run", Outcome.USES_NNSCRATCH: "its answer uses nnscratch",
    Outcome.NOT_SUBMITTED: "not submitted", Outcome.INVALID: "invalid notebook",
    Outcome.GRADER_ERROR: "could not be graded",
}


@dataclass
class CheckResult:
    """One graded check: the points earned and, if it failed, why."""

    check: Check
    earned: float
    outcome: Outcome
    detail: str = ""  # the first difference, the error, or why it did not run
    expected: str = ""
    actual: str = ""
    hints: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED

    def to_dict(self) -> dict:
        return {**asdict(self), "check": asdict(self.check), "outcome": self.outcome.value}

    @classmethod
    def from_dict(cls, data: dict) -> CheckResult:
        check = Check(**{**data["check"], "depends": tuple(data["check"]["depends"])})
        return cls(**{**data, "check": check, "outcome": Outcome(data["outcome"])})


@dataclass
class NotebookResult:
    """The grade of one exercise of one learner."""

    exercise: str
    checks: list[CheckResult]
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    submitted: bool = True
    override: float | None = None  # points set by the instructor for the whole exercise

    @property
    def earned(self) -> float:
        if self.override is not None:
            return self.override
        return sum(result.earned for result in self.checks)

    @property
    def max_points(self) -> float:
        return sum(result.check.points for result in self.checks)

    def to_dict(self) -> dict:
        return {**asdict(self), "checks": [check.to_dict() for check in self.checks]}

    @classmethod
    def from_dict(cls, data: dict) -> NotebookResult:
        return cls(**{**data, "checks": [CheckResult.from_dict(c) for c in data["checks"]]})


def zero(exercise: str, checks: list[Check], outcome: Outcome, problem: str | None,
         note: str) -> NotebookResult:
    """0 for every check, for a reason that concerns the whole notebook."""
    return NotebookResult(exercise, [CheckResult(check, 0, outcome) for check in checks],
                          [problem] if problem else [], [note],
                          submitted=outcome is not Outcome.NOT_SUBMITTED)


def not_submitted(exercise: str, checks: list[Check]) -> NotebookResult:
    return zero(exercise, checks, Outcome.NOT_SUBMITTED, None, "Not submitted.")


def unreadable(exercise: str, checks: list[Check], reason: str) -> NotebookResult:
    return zero(exercise, checks, Outcome.INVALID, "invalid notebook",
                f"Your file is not a valid notebook ({reason}); nothing could be graded. "
                "Save it from Jupyter and submit the .ipynb file.")


def score_notebook(exercise: str, assembly, records: list[dict], expected: dict[str, str],
                   cell_timeout: float | None = None) -> NotebookResult:
    """Score one graded notebook.

    ``assembly`` is the notebook's ``assemble.Assembly``, ``records`` its cell records
    (``plugin.describe``) and ``expected`` the reference output of each check, by cell id.
    """
    by_cell: dict[int, dict] = {}
    for record in records:
        if record.get("when") in ("setup", "call") and record.get("cell") is not None:
            by_cell[record["cell"]] = record  # the call record replaces its setup record
    result = NotebookResult(exercise, [])
    _note_assembly(result, assembly)
    flagged = set(assembly.flagged_answers)
    for index, plan in enumerate(assembly.cells):
        record = by_cell.get(index, {"outcome": Outcome.NOT_RUN, "message": "not run"})
        _note_cell(result, plan.role, plan.cell_id, record, cell_timeout)
        if plan.check is not None:
            result.checks.append(_score_check(plan.check, record, expected[plan.cell_id],
                                              flagged))
    stopped = any(record.get("when") == "collect" for record in records) \
        or len(by_cell) < len(assembly.cells)
    if stopped:
        _add(result, "not graded (grader stopped)", "The grader stopped before this notebook "
             "finished; ask your instructor.")
    return result


def _score_check(check: Check, record: dict, expected: str, flagged: set[str]) -> CheckResult:
    outcome = Outcome(record["outcome"])
    actual = record.get("text", "")
    detail = record.get("error") or record.get("message", "")
    if any(answer in flagged for answer in check.depends):
        outcome = Outcome.USES_NNSCRATCH
    elif outcome is Outcome.PASSED:
        difference = compare_outputs(expected, actual, check.rtol)
        if difference is not None:
            outcome, detail = Outcome.WRONG, difference
    if outcome is Outcome.PASSED:  # nothing to explain: keep results free of this run's seed
        return CheckResult(check, check.points, outcome)
    return CheckResult(check, 0, outcome, detail, expected, actual, record.get("hints", []))


def _note_assembly(result: NotebookResult, assembly) -> None:
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
    outcome, message = Outcome(record["outcome"]), record.get("message", "")
    if outcome is Outcome.TIMEOUT:
        limit = f" ({cell_timeout:g} s)" if cell_timeout else ""
        _add(result, "timeout", f"Cell `{cell_id}` exceeded the time limit{limit} and was "
             "stopped.")
    elif outcome is Outcome.KERNEL_DIED:
        _add(result, "kernel died", f"The kernel died while running cell `{cell_id}` "
             "(a crash or an exit); the cells after it could not run.")
    elif outcome is Outcome.NOT_RUN and NOTEBOOK_TIMEOUT in message:
        _add(result, "timeout", "The notebook exceeded its total time limit; the remaining "
             "cells were not run.")
    elif outcome is Outcome.GRADER_ERROR:
        _add(result, "grader error", f"Cell `{cell_id}` could not be graded: {message}")
    error = record.get("error", "")
    if error.split(":")[0] in MEMORY_ERRORS:
        _add(result, "out of memory", f"Cell `{cell_id}` ran out of memory ({error}).")
    elif error.startswith("BlockingIOError: [Errno 11]"):
        _add(result, "process limit", f"Cell `{cell_id}` tried to start more processes than "
             f"the sandbox allows ({error}).")
    elif outcome is Outcome.ERROR and role == "setup":
        _add(result, "setup cell failed", f"Setup cell `{cell_id}` failed: {error}.")
    elif outcome is Outcome.ERROR and role == "answer":
        result.notes.append(f"Answer cell `{cell_id}` raised {error}.")
    if record.get("output_chars", 0) > OUTPUT_LIMIT:
        _add(result, "output too large", f"Cell `{cell_id}` printed "
             f"{record['output_chars']:,} characters; only the first {OUTPUT_LIMIT:,} "
             "were kept.")


def _add(result: NotebookResult, problem: str, note: str) -> None:
    """Add a problem once, and its note."""
    if problem not in result.problems:
        result.problems.append(problem)
    if note not in result.notes:
        result.notes.append(note)

