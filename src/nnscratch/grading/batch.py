"""Run a batch of graded notebooks, with their references, and score them.

Every exercise in the batch has one reference job: its solution with the run's seed.
All jobs run in one nbval run; then each submission is scored against its exercise's
reference outputs. A reference that fails (it should not) makes that exercise's
submissions a grader error instead of a wrong score.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assemble import Assembly
from .results import NotebookResult, Outcome, score_notebook, zero
from .runner import Limits, run_nbval


@dataclass
class Job:
    """One notebook of the run: whose, which exercise, what it is, its result key."""

    student: str | None  # None: the exercise's reference run
    exercise: str
    assembly: Assembly | None  # None: nothing to run (the result is already known)
    key: str = ""
    answers: dict[str, str] | None = None  # the learner's answer cells, by id


def run_jobs(jobs: list[Job], scratch: Path, limits: Limits) -> dict[tuple[str, str],
                                                                   NotebookResult]:
    """Run every job in one nbval run; score the submissions against their references."""
    paths: dict[Path, Job] = {}
    for index, job in enumerate(jobs):
        folder = "reference" if job.student is None else f"{index:05d}"
        path = scratch / "notebooks" / folder / f"{job.exercise}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(job.assembly.notebook, path)
        paths[path] = job
    labels = {path: "/".join(filter(None, [job.student or "reference", job.exercise]))
              for path, job in paths.items()}
    with Progress(labels) as progress:
        records = run_nbval({path: len(job.assembly.cells) for path, job in paths.items()},
                            scratch, limits, progress.done)
    expected, failures = {}, {}
    for path, job in paths.items():
        if job.student is None:
            expected[job.exercise], failures[job.exercise] = reference_outputs(
                job.assembly, records[path])
    results = {}
    for path, job in paths.items():
        if job.student is None:
            continue
        checks = job.assembly.checks
        if failures[job.exercise]:
            results[job.student, job.exercise] = zero(
                job.exercise, checks, Outcome.GRADER_ERROR, "grader error",
                f"The solution of {job.exercise} failed in this grading run "
                f"({failures[job.exercise]}), so nothing could be compared; ask your "
                "instructor.")
        else:
            results[job.student, job.exercise] = score_notebook(
                job.exercise, job.assembly, records[path], expected[job.exercise],
                limits.timeout)
    return results


def reference_outputs(assembly: Assembly, records: list[dict]) -> tuple[dict[str, str], str]:
    """The reference run's output of each check, and why it failed ('' if it did not)."""
    by_cell = {record["cell"]: record for record in records
               if record.get("when") in ("setup", "call") and record.get("cell") is not None}
    outputs = {}
    for index, plan in enumerate(assembly.cells):
        record = by_cell.get(index)
        if record is None or record["outcome"] != Outcome.PASSED:
            what = (record.get("error") or record.get("message")) if record else "not run"
            return {}, f"cell {plan.cell_id}: {what}"
        if plan.check is not None:
            outputs[plan.cell_id] = record["text"]
    return outputs, ""


class Progress:
    """A tqdm bar on a terminal, else one line per finished notebook on stderr."""

    def __init__(self, labels: dict[Path, str]):
        self.labels, self.count, self.bar = labels, 0, None
        if sys.stderr.isatty() and labels:
            from tqdm import tqdm

            self.bar = tqdm(total=len(labels), desc="grading", unit="notebook", file=sys.stderr)

    def done(self, path: Path) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix_str(self.labels[path], refresh=False)
            self.bar.update(1)
        else:
            print(f"[{self.count}/{len(self.labels)}] ran {self.labels[path]}",
                  file=sys.stderr, flush=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.close()
