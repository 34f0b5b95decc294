"""Grade a class (or part of it), merge shards, or self-check one exercise.

A grading run draws a secret seed. Each exercise's solution runs once with it (the
reference run) in the same nbval run as the submissions, which run with the same seed;
a check scores when the learner's output matches the reference's. A submission cannot
know the inputs in advance, so replaying known outputs earns nothing.

Results are stored per notebook under ``<out>/results`` and reused while the notebook,
its solution and the limits stay the same; the reports are then rebuilt from all stored
results (``publish.py``).

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
from .batch import Job, run_jobs
from .gradebook import StudentGrade
from .notebooks import InvalidNotebook, read_notebook, read_solution
from .publish import ALL, ClassFiles, publish
from .results import NotebookResult, score_notebook, unreadable
from .roles import graded_checks
from .runner import DEFAULT_LIMITS, Limits, run_nbval
from .sandbox import sandbox_problem
from .semester import (
    Assignment,
    SemesterError,
    load_course,
    load_overrides,
    load_roster,
    load_times,
    resolve_exercises,
)
from .store import ResultStore, digest, result_key
from .submissions import Submission, find_submissions, student_folder


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


@dataclass(frozen=True)
class Options:
    """What a grading run grades, and which semester files shape the reports."""

    limits: Limits = DEFAULT_LIMITS
    assignment: str | None = None  # a name in the assignments file
    exercises: tuple[str, ...] = ()  # or exercises by stem or number; default: all
    students: tuple[str, ...] = ()  # only (re)grade these students
    shard: tuple[int, int] | None = None  # (k, n): the k-th of n parts of the class
    assignments: Path = Path("assignments.yml")
    roster: Path | None = None
    overrides: Path | None = None
    times: Path | None = None
    show_hidden: bool = False
    seed: int | None = None


DEFAULT_OPTIONS = Options()


@dataclass
class Summary:
    """What a run did: the grades of its selection, notebooks run and reused, where."""

    grades: list[StudentGrade]
    ran: int
    reused: int
    folder: Path


def class_files(solutions: Path, options: Options) -> ClassFiles:
    """The solutions and the semester files named in ``options``, all checked."""
    references = load_solutions(solutions)
    known = list(references)
    try:
        return ClassFiles(
            references, load_course(options.assignments, known),
            load_roster(options.roster) if options.roster else None,
            load_overrides(options.overrides, known) if options.overrides else [],
            load_times(options.times, known) if options.times else None,
            show_hidden=options.show_hidden)
    except SemesterError as err:
        raise GradingError(str(err)) from None


def selection(files: ClassFiles, options: Options) -> Assignment:
    """The exercises this run grades: a named assignment, a list, or all of them."""
    if options.assignment:
        if options.assignment in files.course.unknown:
            raise GradingError(files.course.unknown[options.assignment])
        if options.assignment not in files.course.assignments:
            defined = ", ".join(files.course.assignments) or "none"
            raise GradingError(f"no assignment {options.assignment!r} in "
                               f"{options.assignments} (assignments: {defined})")
        return files.course.assignments[options.assignment]
    if options.exercises:
        try:
            return Assignment(ALL, resolve_exercises(list(options.exercises),
                                                     list(files.solutions), "--exercises"))
        except SemesterError as err:
            raise GradingError(str(err)) from None
    return Assignment(ALL, tuple(files.solutions))


def grade_class(submissions: Path, solutions: Path, out: Path,
                options: Options = DEFAULT_OPTIONS) -> Summary:
    """Grade ``submissions/<student>/<exercise>.ipynb``; write the reports under ``out``.

    Only notebooks whose answers, solution or limits changed since they were last graded
    into ``out`` run again. ``submissions`` may also be one student's folder.
    """
    files = class_files(solutions, options)
    chosen = selection(files, options)
    students = _students(submissions, out, list(files.solutions), options)
    require_sandbox(options.limits)
    store = ResultStore(out)
    jobs: list[Job] = []
    reused = 0
    digests = {name: digest((solutions / f"{name}.ipynb").read_bytes())
               for name in chosen.exercises}
    for submission in students:
        files.unexpected[submission.student] = submission.unexpected
        for name in chosen.exercises:
            job = _job(store, files.solutions[name], digests[name], submission, name,
                       options.limits)
            if job is None:
                reused += 1
            elif job.answers is not None:  # else its result is known without running it
                jobs.append(job)
    if jobs:
        seed = 1 + secrets.randbelow(2**31 - 1) if options.seed is None else options.seed
        for job in jobs:
            job.assembly = assemble(files.solutions[job.exercise], job.answers, seed=seed)
        needed = sorted({job.exercise for job in jobs})
        references = [Job(None, name, assemble(files.solutions[name], None, seed=seed))
                      for name in needed]
        out.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".scratch-", dir=out)).resolve()
        try:
            results = run_jobs(references + jobs, scratch, options.limits)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        for job in jobs:
            store.save(job.exercise, job.student, job.key, results[job.student, job.exercise])
    grades = publish(out, store, files, chosen, [s.student for s in students])
    return Summary(grades, len(jobs), reused, out if chosen.name == ALL else out / chosen.name)


def merge_shards(shards: list[Path], solutions: Path, out: Path,
                 options: Options = DEFAULT_OPTIONS) -> Summary:
    """Merge the stored results of several output folders into ``out`` and publish them."""
    files = class_files(solutions, options)
    chosen = selection(files, options)
    store = ResultStore(out)
    for shard in shards:
        if not (shard / "results").is_dir():
            raise GradingError(f"no results in {shard}: expected the --out folder of a "
                               "`nnscratch grade --shard` run")
        conflicts = store.merge_from(shard)
        if conflicts:
            raise GradingError(f"{shard} and another shard both graded "
                               f"{', '.join(conflicts[:3])} differently: grade each student "
                               "in one shard only")
    grades = publish(out, store, files, chosen, [])
    return Summary(grades, 0, 0, out if chosen.name == ALL else out / chosen.name)


def _students(submissions: Path, out: Path, exercises: list[str],
              options: Options) -> list[Submission]:
    """The students this run grades (one student's folder works too), filtered."""
    if not submissions.is_dir():
        raise GradingError(f"no submissions folder at {submissions}")
    students, warnings = find_submissions(submissions, exercises, skip=(out,))
    if not students and any(path.stem in exercises for path in submissions.glob("*.ipynb")):
        students, warnings = [student_folder(submissions, exercises)], []
        print(f"note: {submissions} holds exercise notebooks: grading it as the folder of "
              f"student {students[0].student!r}", file=sys.stderr)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if not students:
        raise GradingError(f"no submissions in {submissions}: expected "
                           f"{submissions}/<student>/<exercise>.ipynb")
    if options.students:
        found = {student.student for student in students}
        unknown = [name for name in options.students if name not in found]
        if unknown:
            raise GradingError(f"no submission folder for {', '.join(unknown)} in "
                               f"{submissions}")
        students = [s for s in students if s.student in options.students]
    if options.shard:
        index, count = options.shard
        students = [s for i, s in enumerate(students) if i % count == index - 1]
    return students


def _job(store: ResultStore, solution: NotebookNode, solution_digest: str,
         submission: Submission, name: str, limits: Limits) -> Job | None:
    """The job grading one notebook; None when its stored result is still valid.

    A missing or unreadable notebook needs no kernel: its result is stored (or removed)
    here and the job has no assembly.
    """
    path = submission.notebooks.get(name)
    if path is None:
        store.remove(name, submission.student)
        return Job(submission.student, name, None)
    try:
        answers = learner_answers(read_notebook(path))
    except InvalidNotebook as err:
        key = result_key(None, path.read_bytes(), solution_digest, limits)
        if store.load(name, submission.student, key) is not None:
            return None
        store.save(name, submission.student, key,
                   unreadable(name, graded_checks(solution), str(err)))
        return Job(submission.student, name, None)
    key = result_key(answers, None, solution_digest, limits)
    if store.load(name, submission.student, key) is not None:
        return None
    return Job(submission.student, name, None, key, answers)


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


