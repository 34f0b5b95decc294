"""How much does grading cost beyond running the notebooks?

Builds a class of N students, each submitting a copy of every solution notebook, and
compares two runs on the same cores:

1. baseline: nbclient executes each solution notebook once per student, ``--jobs``
   notebooks at a time (a process pool), one fresh kernel per notebook;
2. grading: ``nnscratch grade`` on the class: assembly, one pytest + nbval + xdist run
   in which every kernel is sandboxed and each exercise's solution runs once more with
   the run's secret seed (the reference), scoring, and all reports.

Prints both wall times, the per-notebook cost, the overhead ratio (grading / baseline)
and the CPU utilisation of each run (CPU seconds the machine was busy divided by
wall time x cores). The grading run must give every student full marks.

Usage (from the repository root)::

    .venv/bin/python bench/grading.py [--students 8] [--jobs 2] [--solutions solutions]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from nnscratch.grading.grade import Options, grade_class
from nnscratch.grading.runner import Limits


def execute(path: str, timeout: float) -> float:
    """Execute one notebook with nbclient in its own folder; return its wall time."""
    start = time.perf_counter()
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    return time.perf_counter() - start


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (``/proc/stat``).

    The processes of a sandboxed kernel are not waited for by the grader, so their CPU
    time never reaches ``RUSAGE_CHILDREN``; on an otherwise idle machine the machine's
    busy time is the run's.
    """
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + sum(fields[5:8])  # user nice system irq ...
    return busy / os.sysconf("SC_CLK_TCK")


def measure(run) -> tuple[float, float]:
    """(wall seconds, CPU seconds the machine was busy) of ``run()``."""
    cpu, start = machine_cpu(), time.perf_counter()
    run()
    return time.perf_counter() - start, machine_cpu() - cpu


def baseline(notebooks: list[Path], jobs: int, timeout: float) -> None:
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(execute, map(str, notebooks), [timeout] * len(notebooks)))


def make_class(root: Path, solutions: list[Path], students: int) -> Path:
    submissions = root / "submissions"
    for index in range(students):
        folder = submissions / f"student{index:02d}"
        folder.mkdir(parents=True)
        for path in solutions:
            shutil.copy(path, folder / path.name)
    return submissions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--solutions", type=Path, default=Path("solutions"))
    parser.add_argument("--timeout", type=float, default=600.0, help="per cell (s)")
    args = parser.parse_args(argv)
    solutions = sorted(args.solutions.glob("*.ipynb"))
    if not solutions:
        print(f"no solution notebooks in {args.solutions}", file=sys.stderr)
        return 2
    cores = os.cpu_count() or 1
    # the grader gives each kernel cores // jobs BLAS threads: do the same for nbclient
    threads = str(max(1, cores // args.jobs))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = threads
    with tempfile.TemporaryDirectory(prefix="nnscratch-bench-") as tmp:
        root = Path(tmp)
        submissions = make_class(root, solutions, args.students)
        notebooks = sorted(submissions.rglob("*.ipynb"))
        base_wall, base_cpu = measure(lambda: baseline(notebooks, args.jobs, args.timeout))
        options = Options(limits=Limits(timeout=args.timeout, jobs=args.jobs, memory_mb=0))
        grades = []
        grade_wall, grade_cpu = measure(lambda: grades.extend(
            grade_class(submissions, args.solutions, root / "out", options).grades))
    full = sum(grade.status == "ok" and grade.total == sum(
        result.max_points for result in grade.results.values()) for grade in grades)
    count = len(notebooks)
    print(f"{args.students} students x {len(solutions)} notebooks = {count} notebooks, "
          f"{args.jobs} jobs, {cores} cores")
    for label, wall, cpu in (("nbclient", base_wall, base_cpu),
                             ("grading", grade_wall, grade_cpu)):
        print(f"{label:>9}: {wall:7.1f} s wall, {wall / count:5.2f} s/notebook, "
              f"CPU {cpu:7.1f} s, utilisation {cpu / (wall * cores):4.0%}")
    print(f" overhead: {grade_wall / base_wall - 1:+.0%} wall, {grade_cpu / base_cpu - 1:+.0%} "
          f"CPU; {full}/{len(grades)} students with full marks")
    return 0 if full == len(grades) else 1


if __name__ == "__main__":
    sys.exit(main())
