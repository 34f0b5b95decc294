"""Run nbval over many graded notebooks in one pytest process.

One ``python -m pytest --nbval-lax`` run executes every notebook of a class;
pytest-xdist spreads whole notebooks over ``jobs`` workers (``--dist loadfile``), and
nbval starts one kernel per notebook from the grading kernelspec (memory limit,
BLAS threads). The grader's plugin writes one JSON record per cell to a results
file, which is read back while pytest runs to report progress.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .kernel_launcher import KERNEL_NAME, write_kernelspec
from .sanitize import write_sanitize_config

PLUGIN = "nnscratch.grading.pytest_plugin"


@dataclass(frozen=True)
class RunOptions:
    """Limits of a grading run (seconds, megabytes; 0 or None means no limit)."""

    jobs: int = 1
    cell_timeout: float = 120.0
    notebook_timeout: float = 600.0
    memory_mb: int | None = None
    threads: int | None = None


def pytest_command(notebooks: list[Path], workdir: Path, options: RunOptions) -> list[str]:
    """The pytest command line that grades ``notebooks`` (paths inside ``workdir``)."""
    ini = workdir / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")  # ignore any project configuration
    command = [
        sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(workdir),
        "-p", PLUGIN, "-p", "no:cacheprovider", "-q", "--tb=no", "--color=no",
        "--nbval-lax", "--nbval-kernel-name", KERNEL_NAME,
        "--nbval-cell-timeout", str(options.cell_timeout),
        "--nbval-sanitize-with", str(write_sanitize_config(workdir / "sanitize.cfg")),
        "--nnscratch-results", str(workdir / "results.jsonl"),
        "--nnscratch-notebook-timeout", str(options.notebook_timeout or 0),
    ]
    jobs = min(options.jobs, len(notebooks))
    if jobs > 1:
        command += ["-n", str(jobs), "--dist", "loadfile"]
    else:
        command += ["-p", "no:xdist"]
    return command + [str(path.relative_to(workdir)) for path in notebooks]


def pytest_environment(workdir: Path, options: RunOptions) -> dict[str, str]:
    """Environment of the pytest process (inherited by workers and kernels)."""
    jupyter = workdir / "jupyter"
    write_kernelspec(jupyter, memory_mb=options.memory_mb, threads=options.threads)
    package_root = str(Path(__file__).resolve().parents[2])
    python_path = [package_root, *filter(None, [os.environ.get("PYTHONPATH")])]
    return dict(os.environ, JUPYTER_PATH=str(jupyter), PYTHONPATH=os.pathsep.join(python_path),
                IPYTHONDIR=str(workdir / "ipython"),
                JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
                PYTHONDONTWRITEBYTECODE="1")


def run_nbval(notebooks: dict[Path, int], workdir: Path, options: RunOptions,
              on_done: Callable[[Path], None] | None = None) -> dict[Path, list[dict]]:
    """Execute ``notebooks`` (path -> number of code cells) and return records per path.

    Each record describes one nbval cell report (see pytest_plugin.describe).
    ``on_done(path)`` is called as each notebook finishes. A run that exceeds the
    sum of its notebook time limits (divided over the jobs) is killed; notebooks
    without records then show as not graded.
    """
    paths = list(notebooks)
    if not paths:
        return {}
    command = pytest_command(paths, workdir, options)
    env = pytest_environment(workdir, options)
    (workdir / "results.jsonl").write_text("", encoding="utf-8")
    tracker = _Progress(workdir / "results.jsonl", notebooks, on_done)
    per_notebook = (options.notebook_timeout or 3600) + 2 * options.cell_timeout + 60
    deadline = time.monotonic() + per_notebook * -(-len(paths) // max(1, options.jobs)) + 120
    with open(workdir / "pytest.log", "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            while process.poll() is None:
                if time.monotonic() > deadline:
                    os.killpg(process.pid, signal.SIGKILL)
                    break
                tracker.poll()
                time.sleep(0.2)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    tracker.poll()
    return tracker.records


class _Progress:
    """Reads the results file incrementally; a notebook is done when all cells reported."""

    def __init__(self, path: Path, cells: dict[Path, int], on_done):
        self.path, self.on_done = path, on_done
        self.keys = {nb.resolve(): nb for nb in cells}
        self.cells = {nb.resolve(): count for nb, count in cells.items()}
        self.records: dict[Path, list[dict]] = {nb: [] for nb in cells}
        self.finished: dict[Path, int] = dict.fromkeys(self.cells, 0)
        self.offset = 0

    def poll(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode("utf-8").splitlines():
            self._add(json.loads(line))

    def _add(self, record: dict) -> None:
        path = (self.path.parent / record["file"]).resolve()
        if path not in self.keys:
            return
        self.records[self.keys[path]].append(record)
        ends_cell = record["when"] == "call" or (record["when"] == "setup"
                                                 and record["outcome"] != "passed")
        if not ends_cell and record["when"] != "collect":
            return
        done_before = self.finished[path] >= self.cells[path]
        self.finished[path] += 1 if ends_cell else self.cells[path]
        if not done_before and self.finished[path] >= self.cells[path] and self.on_done:
            self.on_done(self.keys[path])
