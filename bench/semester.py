"""A semester's grading operations, timed: a first run, a resubmission, shards.

Builds a class of ``--students`` students, each submitting a copy of the solutions of
``--exercises`` (64 notebooks by default), and measures:

1. the first grading run of the whole class;
2. grading the class again after one student resubmits one notebook (one answer cell
   changed): only that notebook and its reference run, and every other row of the
   gradebook must stay byte-identical (target: at most 5 s);
3. grading it again with nothing changed;
4. the class graded in 2 shards and merged with ``merge_shards``: the gradebook, the
   per-check CSV, the summary and the LMS exports must be byte-identical to step 1's.

Usage (from the repository root)::

    .venv/bin/python bench/semester.py [--students 16] [--exercises 01,02,03,04] [--jobs 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from nnscratch.grading.grade import Options, grade_class, merge_shards
from nnscratch.grading.roles import cell_role
from nnscratch.grading.runner import Limits
from nnscratch.grading.semester import resolve_exercises

REPORTS = ["gradebook.csv", "gradebook.md", "checks.csv", "summary.md", "lms/canvas.csv",
           "lms/moodle.csv"]


def timed(run):
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=16)
    parser.add_argument("--exercises", default="01,02,03,04")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--solutions", type=Path, default=Path("solutions"))
    args = parser.parse_args(argv)
    known = sorted(path.stem for path in args.solutions.glob("*.ipynb"))
    exercises = resolve_exercises(args.exercises.split(","), known, "--exercises")
    options = Options(limits=Limits(jobs=args.jobs), exercises=exercises)
    with tempfile.TemporaryDirectory(prefix="nnscratch-semester-") as tmp:
        root = Path(tmp)
        for index in range(args.students):
            folder = root / "class" / f"student{index:02d}"
            folder.mkdir(parents=True)
            for name in exercises:
                shutil.copy(args.solutions / f"{name}.ipynb", folder)
        notebooks = args.students * len(exercises)
        out = root / "out"
        first, first_time = timed(lambda: grade_class(root / "class", args.solutions, out,
                                                      options))
        before = {name: (out / name).read_bytes() for name in REPORTS}

        changed = root / "class" / "student03" / f"{exercises[-1]}.ipynb"
        nb = nbformat.read(changed, as_version=4)
        answer = next(cell for cell in nb.cells if cell_role(cell) == "answer")
        answer.source += "\n# resubmitted with a comment\n"
        nbformat.write(nb, changed)
        again, again_time = timed(lambda: grade_class(root / "class", args.solutions, out,
                                                      options))
        after = (out / "gradebook.csv").read_bytes().splitlines()
        changed_rows = [a for a, b in zip(after, before["gradebook.csv"].splitlines(),
                                          strict=True) if a != b]
        _, unchanged_time = timed(lambda: grade_class(root / "class", args.solutions, out,
                                                      options))

        for index in (1, 2):
            grade_class(root / "class", args.solutions, root / f"shard{index}",
                        Options(limits=options.limits, exercises=exercises,
                                shard=(index, 2)))
        single = root / "single"
        grade_class(root / "class", args.solutions, single, options)
        merge_shards([root / "shard1", root / "shard2"], args.solutions, root / "merged",
                     options)
        identical = all((root / "merged" / name).read_bytes() == (single / name).read_bytes()
                        for name in REPORTS)

    print(f"class: {args.students} students x {len(exercises)} exercises = {notebooks} "
          f"notebooks, jobs {options.limits.jobs_for(notebooks)}")
    print(f"first run:          {first_time:6.1f} s  ({first.ran} notebooks run)")
    print(f"one resubmission:   {again_time:6.1f} s  ({again.ran} run, {again.reused} reused; "
          f"rows changed: {len(changed_rows)})")
    print(f"nothing changed:    {unchanged_time:6.1f} s")
    print(f"2 shards merged == one run: {identical}")
    return 0 if identical and again.ran == 1 and len(changed_rows) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
