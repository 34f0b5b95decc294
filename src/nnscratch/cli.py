"""The ``nnscratch`` command line (also ``python -m nnscratch``).

- ``nnscratch exercises [--check]``: regenerate ``exercises/`` from ``solutions/``.
- ``nnscratch check EXERCISE.ipynb``: a learner's self-check of one notebook.
- ``nnscratch grade SUBMISSIONS/``: grade a class (or a part of it); write the gradebook,
  feedback, reports and LMS exports.
- ``nnscratch merge SHARD_OUT/...``: merge the results of classes graded in parts.

Input problems (a missing file or folder, a wrong extension, an unknown exercise)
print one line ``nnscratch: error: ...`` and exit with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import __version__

USAGE_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnscratch",
        description="Neural Networks from Scratch: course tools.")
    parser.add_argument("--version", action="version", version=f"nnscratch {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    exercises = commands.add_parser(
        "exercises", help="generate exercises/ from solutions/",
        description="Generate the exercise notebooks from the solution notebooks.")
    exercises.add_argument("--check", action="store_true",
                           help="only compare; exit 1 listing the exercises that are stale")
    _solutions_option(exercises)
    exercises.add_argument("--exercises", type=Path, default=Path("exercises"), metavar="DIR",
                           help="exercise notebooks (default: exercises/)")

    check = commands.add_parser(
        "check", help="self-check one exercise notebook",
        description="Run an exercise notebook in the sandbox and compare each visible check "
                    "with the expected output stored in the notebook. Needs only the notebook.")
    check.add_argument("notebook", type=Path, metavar="EXERCISE.ipynb")
    check.add_argument("--timeout", type=_positive(float), default=120.0, metavar="SECONDS",
                       help="time limit per cell (default: 120)")
    _sandbox_option(check)

    grade = commands.add_parser(
        "grade", help="grade a class's submissions",
        description="Grade SUBMISSIONS/<student>/<exercise>.ipynb against the solutions. "
                    "Results are kept under --out; grading again runs only the notebooks "
                    "that changed, and rebuilds the gradebook from every stored result.")
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS/",
                       help="one folder per student (or one student's folder)")
    _output_options(grade)
    what = grade.add_argument_group("what to grade")
    what.add_argument("--student", action="append", default=[], metavar="NAME",
                      help="(re)grade only this student's folder (repeatable)")
    what.add_argument("--shard", type=_shard, default=None, metavar="K/N",
                      help="grade only the K-th of N parts of the class (merge the parts "
                           "with `nnscratch merge`)")
    limits = grade.add_argument_group("limits")
    limits.add_argument("--jobs", "-j", type=_positive(int), default=None, metavar="N",
                        help="notebooks run in parallel (default: the CPUs available)")
    limits.add_argument("--timeout", type=_positive(float), default=120.0, metavar="SECONDS",
                        help="time limit per cell (default: 120)")
    limits.add_argument("--notebook-timeout", type=_positive(float), default=None,
                        metavar="SECONDS", help="time limit per notebook (default: 5 x --timeout)")
    limits.add_argument("--memory", type=_positive(int, allow_zero=True), default=4096,
                        metavar="MB", help="data memory limit per kernel, 0 for none "
                                           "(default: 4096)")
    _sandbox_option(limits)

    merge = commands.add_parser(
        "merge", help="merge the results of several `grade --shard` runs",
        description="Copy the stored results of several --out folders (shards graded on "
                    "several machines) into one, and write its gradebook and reports.")
    merge.add_argument("shards", type=Path, nargs="+", metavar="SHARD_OUT/")
    _output_options(merge)
    return parser


def _output_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by grade and merge: what the reports cover and where they go."""
    parser.add_argument("--out", type=Path, default=Path("grading-out"), metavar="DIR",
                        help="stored results, gradebooks, feedback and LMS exports "
                             "(default: grading-out/)")
    _solutions_option(parser)
    course = parser.add_argument_group("the course")
    course.add_argument("--assignment", metavar="NAME",
                        help="grade this assignment of the assignments file")
    course.add_argument("--exercises", type=lambda text: tuple(text.split(",")), default=(),
                        metavar="01,02", help="grade these exercises (stems or numbers)")
    course.add_argument("--assignments", type=Path, default=Path("assignments.yml"),
                        metavar="FILE", help="assignments, deadlines and late policy "
                                             "(default: assignments.yml)")
    course.add_argument("--roster", type=Path, metavar="CSV",
                        help="students (id, name, email, section): everyone gets a row")
    course.add_argument("--overrides", type=Path, metavar="CSV",
                        help="points set by hand (student, exercise, check, points, reason)")
    course.add_argument("--times", type=Path, metavar="CSV",
                        help="submission times (student, submitted_at) for the late policy")
    course.add_argument("--show-hidden", action="store_true",
                        help="show the expected and actual output of failed hidden checks "
                             "in the feedback (default: hidden checks are only named)")


def _shard(text: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N such as 1/2, got {text!r}") from None
    if not 1 <= index <= count:
        raise argparse.ArgumentTypeError(f"K must be between 1 and N, got {text}")
    return index, count


def _sandbox_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-sandbox", dest="sandbox", action="store_false",
                        help="run learner code without the bubblewrap sandbox (only for "
                             "code you trust: it can then read and write your files)")


def _positive(kind: type, *, allow_zero: bool = False):
    """An argparse type: a number of ``kind`` that is > 0 (or >= 0), with a clear error."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if value < 0 or (value == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
        return value
    return parse


def _solutions_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--solutions", type=Path, default=Path("solutions"), metavar="DIR",
                        help="solution notebooks (default: solutions/)")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from .grading.grade import GradingError
    from .grading.notebooks import InvalidNotebook, InvalidSolution

    try:
        commands = {"exercises": _exercises, "check": _check, "grade": _grade, "merge": _merge}
        return commands[args.command](args)
    except GradingError as err:
        print(f"nnscratch: error: {err}", file=sys.stderr)
        return USAGE_ERROR
    except InvalidSolution as err:
        print(f"nnscratch: error: invalid solution notebook {err}", file=sys.stderr)
        return 1
    except InvalidNotebook as err:
        print(f"nnscratch: error: cannot read {args.notebook}: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the output was piped into `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _exercises(args: argparse.Namespace) -> int:
    from .grading.exercises import extra_exercises, stale_exercises, write_exercises
    from .grading.grade import no_solutions

    if not args.solutions.is_dir():
        raise no_solutions(args.solutions)
    if args.check:
        stale = stale_exercises(args.solutions, args.exercises)
        if stale:
            print("Stale exercises (run `nnscratch exercises` to regenerate):")
            print("\n".join(f"  {entry}" for entry in stale))
            return 1
        print(f"{args.exercises} is up to date with {args.solutions}.")
        return 0
    written = write_exercises(args.solutions, args.exercises)
    for path in written:
        print(f"wrote {path}")
    known = {args.exercises / path.name for path in args.solutions.glob("*.ipynb")}
    for path in extra_exercises(dict.fromkeys(known, ""), args.exercises):
        print(f"warning: {path} has no solution (not removed)", file=sys.stderr)
    print(f"{len(written)} exercise notebook(s) updated in {args.exercises}.")
    return 0


def _check(args: argparse.Namespace) -> int:
    from .grading.grade import check_notebook, load_exercise
    from .grading.gradebook import failed_check, points
    from .grading.runner import Limits

    load_exercise(args.notebook)  # a wrong path or file fails here, before any output
    where = "in the sandbox" if args.sandbox else "WITHOUT the sandbox"
    print(f"Checking {args.notebook} (visible checks, {where}) ...", flush=True)
    result = check_notebook(args.notebook, Limits(timeout=args.timeout, jobs=1,
                                                  sandbox=args.sandbox))
    width = max((len(check.check.id) for check in result.checks), default=0)
    for check in result.checks:
        score = f"{points(check.earned)}/{points(check.check.points)}"
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.check.id:<{width}}  {score}")
    failures = [line for check in result.checks if not check.passed
                for line in failed_check(check)]
    if failures:
        print("\n" + "\n".join(failures).rstrip())
    if result.notes:
        print("\nNotes:")
        print("\n".join(f"  - {note}" for note in result.notes))
    print(f"\nScore: {points(result.earned)}/{points(result.max_points)} points on the visible "
          "checks (hidden checks count too when your instructor grades).")
    return 0


def _options(args: argparse.Namespace, **extra):
    from .grading.grade import Options

    return Options(assignment=args.assignment, exercises=args.exercises,
                   assignments=args.assignments, roster=args.roster, overrides=args.overrides,
                   times=args.times, show_hidden=args.show_hidden, **extra)


def _grade(args: argparse.Namespace) -> int:
    from .grading.grade import grade_class
    from .grading.runner import Limits

    start = time.perf_counter()
    limits = Limits(timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    memory_mb=args.memory, jobs=args.jobs, sandbox=args.sandbox)
    summary = grade_class(args.submissions, args.solutions, args.out,
                          _options(args, limits=limits, students=tuple(args.student),
                                   shard=args.shard))
    _report(summary, f"ran {summary.ran} notebook(s), reused {summary.reused}, in "
                     f"{time.perf_counter() - start:.1f} s")
    return 0


def _merge(args: argparse.Namespace) -> int:
    from .grading.grade import merge_shards

    summary = merge_shards(args.shards, args.solutions, args.out, _options(args))
    _report(summary, f"merged {len(args.shards)} shard(s)")
    return 0


def _report(summary, what: str) -> None:
    problems = sum(grade.status != "ok" for grade in summary.grades)
    print(f"{len(summary.grades)} student(s), {problems} with problems; {what}: "
          f"{summary.folder / 'gradebook.md'}")
