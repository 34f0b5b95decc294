"""The ``nnscratch`` command line (also ``python -m nnscratch``).

- ``nnscratch exercises [--check]``: regenerate ``exercises/`` from ``solutions/``.
- ``nnscratch check EXERCISE.ipynb``: a learner's self-check of one notebook.
- ``nnscratch grade SUBMISSIONS/``: grade a class; write a gradebook and feedback.

Input problems (a missing file or folder, a wrong extension, an unknown exercise)
print one line ``nnscratch: error: ...`` and exit with status 2.
"""

from __future__ import annotations

import argparse
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
        description="Grade SUBMISSIONS/<student>/<exercise>.ipynb against the solutions.")
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS/")
    grade.add_argument("--out", type=Path, default=Path("grading-out"), metavar="DIR",
                       help="where gradebook.csv, gradebook.md and feedback/ go "
                            "(default: grading-out/)")
    grade.add_argument("--jobs", "-j", type=_positive(int), default=None, metavar="N",
                       help="notebooks run in parallel (default: number of CPUs)")
    grade.add_argument("--timeout", type=_positive(float), default=120.0, metavar="SECONDS",
                       help="time limit per cell (default: 120)")
    grade.add_argument("--notebook-timeout", type=_positive(float), default=None, metavar="SECONDS",
                       help="time limit per notebook (default: 5 x --timeout)")
    grade.add_argument("--memory", type=_positive(int, allow_zero=True), default=4096, metavar="MB",
                       help="data memory limit per kernel, 0 for none (default: 4096)")
    grade.add_argument("--show-hidden", action="store_true",
                       help="show the expected and actual output of failed hidden checks in "
                            "the feedback (default: hidden checks are only named)")
    _solutions_option(grade)
    _sandbox_option(grade)
    return parser


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
        return {"exercises": _exercises, "check": _check, "grade": _grade}[args.command](args)
    except GradingError as err:
        print(f"nnscratch: error: {err}", file=sys.stderr)
        return USAGE_ERROR
    except InvalidSolution as err:
        print(f"nnscratch: error: invalid solution notebook {err}", file=sys.stderr)
        return 1
    except InvalidNotebook as err:
        print(f"nnscratch: error: cannot read {args.notebook}: {err}", file=sys.stderr)
        return 1


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


def _grade(args: argparse.Namespace) -> int:
    from .grading.grade import grade_class
    from .grading.runner import Limits

    start = time.perf_counter()
    limits = Limits(timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    memory_mb=args.memory, jobs=args.jobs, sandbox=args.sandbox)
    grades = grade_class(args.submissions, args.solutions, args.out, limits,
                         show_hidden=args.show_hidden)
    problems = sum(grade.status != "ok" for grade in grades)
    print(f"Graded {len(grades)} student(s) in {time.perf_counter() - start:.1f} s "
          f"({problems} with problems): {args.out / 'gradebook.md'}")
    return 0
