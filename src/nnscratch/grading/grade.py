"""Grade a class, or self-check one exercise: assemble, run nbval once, compare, score.

A grading run draws a secret seed. Each exercise's solution runs once with it (the
reference run) in the same nbval run as the submissions, which run with the same seed;
a check scores when the learner's output matches the reference's. A submission cannot
know the inputs in advance, so replaying known outputs earns nothing.

Submissions are only read. The notebooks that run are written to a scratch folder
(``<out>/.scratch-*`` for a class, a temporary folder for a self-check) that is removed
afterwards; the kernels never see it.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .assemble import Assembly, assemble, learner_answers, self_check
from .gradebook import StudentGrade, write_gradebook
from .notebooks import InvalidNotebook, read_notebook, read_solution
from .results import NotebookResult, Outcome, not_submitted, score_notebook, unreadable, zero
from .roles import graded_checks
from .runner import DEFAULT_LIMITS, Limits, run_nbval
from .sandbox import sandbox_problem
from .submissions import find_submissions


class GradingError(Exception):
    """A problem with the command's input, reported as one line without a traceback."""


def no_solutions(folder: Path) -> GradingError:
    return GradingError(f"no solutions folder at {folder}: run from the repository root or "
                        "pass --solutions DIR")


def load_solutions(folder: Path) -> dict[str, NotebookNode]:
    """Every solution notebook by exercise name (its file stem)."""
    if not folder.is_dir():
        raise no_solutions(folder)
    notebooks = {path.stem: read_solution(path) for path in sorted(folder.glob("*.ipynb"))}
    if not notebooks:
        raise GradingError(f"no solution notebooks (*.ipynb) in {folder}")
    return notebooks


def require_sandbox(limits: Limits) -> None:
    """GradingError when the sandbox is asked for but cannot run here."""
    problem = sandbox_problem() if limits.sandbox else None
    if problem:
        raise GradingError(f"cannot grade safely: {problem}")


@dataclass
class _Job:
    """One notebook of the run: whose, which exercise, what it is."""

    student: str | None  # None: the exercise's reference run
    exercise: str
    assembly: Assembly


def grade_class(submissions: Path, solutions: Path, out: Path, limits: Limits = DEFAULT_LIMITS,
                *, show_hidden: bool = False, seed: int | None = None) -> list[StudentGrade]:
    """Grade ``submissions/<student>/<exercise>.ipynb``; write the gradebook under ``out``."""
    if not submissions.is_dir():
        raise GradingError(f"no submissions folder at {submissions}")
    references = load_solutions(solutions)
    require_sandbox(limits)
    students, warnings = find_submissions(submissions, list(references), skip=(out,))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    seed = 1 + secrets.randbelow(2**31 - 1) if seed is None else seed  # never PUBLIC_SEED
    results: dict[tuple[str, str], NotebookResult] = {}
    jobs: list[_Job] = []
    for submission in students:
        for name, solution in references.items():
            path = submission.notebooks.get(name)
            if path is None:
                results[submission.student, name] = not_submitted(name, graded_checks(solution))
                continue
            try:
                answers = learner_answers(read_notebook(path))
            except InvalidNotebook as err:
                results[submission.student, name] = unreadable(name, graded_checks(solution),
                                                               str(err))
                continue
            jobs.append(_Job(submission.student, name, assemble(solution, answers, seed=seed)))
    needed = sorted({job.exercise for job in jobs})
    jobs = [_Job(None, name, assemble(references[name], None, seed=seed)) for name in needed] \
        + jobs
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".scratch-", dir=out)).resolve()
    try:
        results.update(_run(jobs, scratch, limits))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    grades = [StudentGrade(s.student, {name: results[s.student, name] for name in references},
                           s.unexpected) for s in students]
    max_points = {name: sum(check.points for check in graded_checks(solution))
                  for name, solution in references.items()}
    write_gradebook(out, grades, max_points, show_hidden)
    return grades


def _run(jobs: list[_Job], scratch: Path, limits: Limits) -> dict[tuple[str, str],
                                                                   NotebookResult]:
    """Run every job in one nbval run; score the submissions against their references."""
    paths: dict[Path, _Job] = {}
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


def load_exercise(path: Path) -> tuple[Assembly, dict[str, str]]:
    """The self-check of an exercise notebook (``assemble.self_check``), checked first.

    Raises GradingError for a wrong path or a notebook without self-checks, and
    InvalidNotebook for a file that is not a readable notebook.
    """
    if not path.exists():
        raise GradingError(f"no such file: {path}")
    if path.is_dir() or path.suffix != ".ipynb":
        raise GradingError(f"not a notebook: {path} (expected an .ipynb file)")
    assembly, expected = self_check(read_notebook(path))
    if not expected:
        raise GradingError(f"{path} has no checks with expected outputs: self-check works on "
                           "the exercise notebooks (exercises/NN_topic.ipynb)")
    return assembly, expected


def check_notebook(path: Path, limits: Limits = DEFAULT_LIMITS) -> NotebookResult:
    """Self-check one exercise notebook: run it in the sandbox, compare its visible checks.

    Needs only the notebook: the expected outputs are stored in it.
    """
    assembly, expected = load_exercise(path)
    require_sandbox(limits)
    with tempfile.TemporaryDirectory(prefix="nnscratch-check-") as scratch:
        target = Path(scratch).resolve() / path.name
        nbformat.write(assembly.notebook, target)
        records = run_nbval({target: len(assembly.cells)}, target.parent, limits)
    return score_notebook(path.stem, assembly, records[target], expected, limits.timeout)


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
