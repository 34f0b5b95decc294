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
        description="Run the visible checks of one exercise notebook and show what passes.")
    check.add_argument("notebook", type=Path, metavar="EXERCISE.ipynb")
    _solutions_option(check)
    check.add_argument("--timeout", type=_positive(float), default=120.0, metavar="SECONDS",
                       help="time limit per cell (default: 120)")

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
    _solutions_option(grade)
    return parser


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
    from .grading.grade import GradingError

    if not args.solutions.is_dir():
        raise GradingError(f"no solutions folder at {args.solutions}: run from the repository "
                           "root or pass --solutions DIR")
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
    from .grading.grade import Limits, check_notebook, reference_for
    from .grading.gradebook import points

    if not args.solutions.is_dir() and args.notebook.exists():
        # a learner may run the check from anywhere: look beside the exercises folder
        beside = args.notebook.resolve().parent.parent / "solutions"
        if beside.is_dir():
            args.solutions = beside
    reference = reference_for(args.notebook, args.solutions)
    print(f"Checking {args.notebook} against {reference} (visible checks) ...", flush=True)
    result = check_notebook(args.notebook, args.solutions, Limits(timeout=args.timeout, jobs=1))
    width = max((len(check.check.id) for check in result.checks), default=0)
    for check in result.checks:
        score = f"{points(check.earned)}/{points(check.check.points)}"
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.check.id:<{width}}  {score}")
        if not check.passed:
            print(_indent(_failure_details(check), "      "))
    if result.notes:
        print("Notes:")
        print("\n".join(f"  - {note}" for note in result.notes))
    print(f"Score: {points(result.earned)}/{points(result.max_points)} points on the visible "
          "checks (hidden checks count too when your instructor grades).")
    return 0


def _failure_details(check) -> str:
    lines = [f"error: {check.error}"] if check.error else []
    if check.kind in ("mismatch", "error", "timeout"):
        lines += ["expected:", _indent(check.expected.rstrip("\n") or "(no output)", "  "),
                  "actual:", _indent(check.actual.rstrip("\n") or "(no output)", "  ")]
    elif not check.error:
        lines.append(check.kind.replace("-", " "))
    return "\n".join(lines)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _grade(args: argparse.Namespace) -> int:
    from .grading.grade import Limits, grade_class

    start = time.perf_counter()
    limits = Limits(timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                    memory_mb=args.memory, jobs=args.jobs)
    grades = grade_class(args.submissions, args.solutions, args.out, limits)
    problems = sum(grade.status != "ok" for grade in grades)
    print(f"Graded {len(grades)} student(s) in {time.perf_counter() - start:.1f} s "
          f"({problems} with problems): {args.out / 'gradebook.md'}")
    return 0
