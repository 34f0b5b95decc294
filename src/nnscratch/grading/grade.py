"""Grade a class, or self-check one notebook: assemble, run nbval once, score, report.

Submissions are only read. Graded notebooks are written to a scratch folder
(``<out>/.scratch-*`` for a class, a temporary folder for a self-check) that is
removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .assemble import Assembly, assemble
from .gradebook import StudentGrade, write_gradebook
from .notebooks import InvalidNotebook, read_notebook, read_solution
from .results import NotebookResult, not_submitted, score_notebook, unreadable
from .roles import graded_checks
from .runner import RunOptions, run_nbval
from .submissions import find_submissions


class GradingError(Exception):
    """A problem with the command's input, reported as one line without a traceback."""


@dataclass(frozen=True)
class Limits:
    """Per-run limits: cell and notebook timeouts (s), kernel memory (MB), parallel jobs."""

    timeout: float = 120.0
    notebook_timeout: float | None = None  # default: 5 cell timeouts
    memory_mb: int | None = 4096
    jobs: int | None = None  # default: os.cpu_count()

    def run_options(self, notebooks: int = 1) -> RunOptions:
        cores = os.cpu_count() or 1
        jobs = max(1, min(self.jobs or cores, notebooks))
        return RunOptions(jobs=jobs, cell_timeout=self.timeout,
                          notebook_timeout=self.notebook_timeout or 5 * self.timeout,
                          memory_mb=self.memory_mb or None, threads=max(1, cores // jobs))


def load_solutions(solutions: Path) -> dict[str, NotebookNode]:
    """Every solution notebook by exercise name (its file stem)."""
    if not solutions.is_dir():
        raise GradingError(f"no solutions folder at {solutions}: run from the repository "
                           "root or pass --solutions DIR")
    notebooks = {path.stem: read_solution(path) for path in sorted(solutions.glob("*.ipynb"))}
    if not notebooks:
        raise GradingError(f"no solution notebooks (*.ipynb) in {solutions}")
    return notebooks


def grade_class(submissions: Path, solutions: Path, out: Path,
                limits: Limits = Limits()) -> list[StudentGrade]:
    """Grade ``submissions/<student>/<exercise>.ipynb``; write the gradebook under ``out``."""
    if not submissions.is_dir():
        raise GradingError(f"no submissions folder at {submissions}")
    references = load_solutions(solutions)
    students, warnings = find_submissions(submissions, list(references), skip=(out,))
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".scratch-", dir=out)).resolve()
    results: dict[tuple[str, str], NotebookResult] = {}
    pending: dict[Path, tuple[str, str, Assembly]] = {}
    try:
        for index, submission in enumerate(students):
            for name, solution in references.items():
                key = (submission.student, name)
                path = submission.notebooks.get(name)
                if path is None:
                    results[key] = not_submitted(name, graded_checks(solution))
                    continue
                try:
                    learner = read_notebook(path)
                except InvalidNotebook as err:
                    results[key] = unreadable(name, graded_checks(solution), str(err))
                    continue
                target = scratch / "notebooks" / f"{index:04d}" / f"{name}.ipynb"
                pending[target] = (*key, _write(assemble(solution, learner), target))
        options = limits.run_options(len(pending))
        order = sorted(pending, key=lambda path: (path.name, path.parent.name))
        progress = _Progress({path: "/".join(pending[path][:2]) for path in order})
        records = run_nbval({path: len(pending[path][2].cells) for path in order},
                            scratch, options, progress.done)
        progress.close()
        for path, (student, name, assembly) in pending.items():
            results[student, name] = score_notebook(name, assembly, records[path],
                                                    options.cell_timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    grades = [StudentGrade(s.student, {name: results[s.student, name] for name in references},
                           s.unexpected) for s in students]
    max_points = {name: sum(check.points for check in graded_checks(solution))
                  for name, solution in references.items()}
    write_gradebook(out, grades, max_points)
    return grades


def reference_for(path: Path, solutions: Path) -> Path:
    """The solution notebook an exercise file is checked against (GradingError if none)."""
    if not path.exists():
        raise GradingError(f"no such file: {path}")
    if path.is_dir() or path.suffix != ".ipynb":
        raise GradingError(f"not a notebook: {path} (expected an .ipynb file)")
    if not solutions.is_dir():
        raise GradingError(f"no solutions folder at {solutions}: run from the repository "
                           "root or pass --solutions DIR")
    reference = solutions / path.name
    if not reference.exists():
        known = ", ".join(sorted(p.stem for p in solutions.glob("*.ipynb"))) or "none"
        raise GradingError(f"unknown exercise {path.stem!r}: no {reference} "
                           f"(exercises: {known})")
    return reference


def check_notebook(path: Path, solutions: Path, limits: Limits = Limits()) -> NotebookResult:
    """Self-check one exercise notebook against its solution's visible checks.

    Raises GradingError for a wrong path or an unknown exercise and InvalidNotebook
    for a file that is not a readable notebook.
    """
    reference = reference_for(path, solutions)
    learner = read_notebook(path)
    assembly = assemble(read_solution(reference), learner, include_hidden=False)
    with tempfile.TemporaryDirectory(prefix="nnscratch-check-") as scratch:
        target = Path(scratch).resolve() / path.name
        _write(assembly, target)
        options = limits.run_options()
        records = run_nbval({target: len(assembly.cells)}, target.parent, options)
    return score_notebook(path.stem, assembly, records[target], options.cell_timeout)


def _write(assembly: Assembly, target: Path) -> Assembly:
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(assembly.notebook, target)
    return assembly


class _Progress:
    """A tqdm bar on a terminal, else one line per graded notebook on stderr."""

    def __init__(self, labels: dict[Path, str]):
        self.labels, self.count = labels, 0
        self.bar = None
        if sys.stderr.isatty() and labels:
            from tqdm import tqdm

            self.bar = tqdm(total=len(labels), desc="grading", unit="notebook", file=sys.stderr)

    def done(self, path: Path) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.set_postfix_str(self.labels[path], refresh=False)
            self.bar.update(1)
        else:
            print(f"[{self.count}/{len(self.labels)}] graded {self.labels[path]}",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
