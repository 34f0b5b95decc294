"""Run nbval over many notebooks in one pytest process, each kernel in the sandbox.

One ``python -m pytest --nbval-lax`` run executes every notebook of a grading run;
pytest-xdist spreads whole notebooks over the jobs (``--dist loadfile``), and nbval
starts one kernel per notebook from the grading kernelspec written here: the sandbox
provisioner with its limits (``sandbox.py``), or, with ``Limits(sandbox=False)``, a plain
kernel with a memory limit. The plugin writes one JSON record per cell to a results
file, read back while pytest runs to report progress.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .plugin import GRACE
from .sandbox import PROVISIONER

PLUGIN = "nnscratch.grading.plugin"
KERNEL_NAME = "nnscratch-grading"
STARTUP_TIMEOUT = 60.0
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Limits:
    """What a grading run allows each notebook (seconds, megabytes; 0 means no limit)."""

    timeout: float = 120.0  # one cell
    notebook_timeout: float | None = None  # one notebook; default 5 cell timeouts
    memory_mb: int = 4096  # each kernel's data segment
    jobs: int | None = None  # notebooks run in parallel; default: the CPUs available
    sandbox: bool = True  # run each kernel in the bubblewrap sandbox
    scratch_mb: int = 256  # the sandbox's writable space
    processes: int = 64  # processes and threads of a sandboxed kernel

    def jobs_for(self, notebooks: int) -> int:
        return max(1, min(self.jobs or available_cpus(), notebooks))

    def threads_for(self, notebooks: int) -> int:
        """BLAS threads per kernel, so that parallel kernels do not oversubscribe the cores."""
        return max(1, available_cpus() // self.jobs_for(notebooks))

    @property
    def notebook_limit(self) -> float:
        return self.notebook_timeout or 5 * self.timeout

    def run_deadline(self, notebooks: int) -> float:
        """Seconds after which the whole run is stopped: a bound no notebook can stretch."""
        per_notebook = STARTUP_TIMEOUT + self.notebook_limit + self.timeout + 3 * GRACE
        rounds = -(-notebooks // self.jobs_for(notebooks))
        return rounds * per_notebook + 120


DEFAULT_LIMITS = Limits()


def available_cpus() -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup CPU quota.

    A container started with ``--cpus 2`` sees every core of the host in
    ``os.cpu_count()``; its quota is in ``cpu.max`` (cgroup v2) or ``cpu.cfs_quota_us``
    (cgroup v1).
    """
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1
    quota = _cgroup_quota()
    return max(1, min(count, int(quota))) if quota else count


def _cgroup_quota(root: Path = Path("/sys/fs/cgroup")) -> float | None:
    """CPUs allowed by the cgroup quota, or None when there is none."""
    try:
        text = (root / "cpu.max").read_text().split()
        if text and text[0] != "max":
            return int(text[0]) / int(text[1])
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period = int((root / "cpu" / "cpu.cfs_period_us").read_text())
        return quota / period if quota > 0 else None
    except (OSError, ValueError, ZeroDivisionError):
        return None


def write_kernelspec(jupyter: Path, limits: Limits, threads: int, runtime: Path) -> Path:
    """Write the grading kernelspec under ``jupyter/kernels`` and return its folder."""
    launcher = Path(__file__).with_name("kernel_launcher.py")
    spec: dict = {"display_name": "Python 3 (nnscratch grading)", "language": "python",
                  "metadata": {"debugger": False}}
    options = ["-f", "{connection_file}", "--HistoryManager.enabled=False"]
    if limits.sandbox:
        spec["argv"] = [sys.executable, "-m", "ipykernel_launcher", *options]
        spec["interrupt_mode"] = "message"
        spec["metadata"]["kernel_provisioner"] = {"provisioner_name": PROVISIONER, "config": {
            "memory_mb": limits.memory_mb, "processes": limits.processes,
            "scratch_mb": limits.scratch_mb, "threads": threads, "runtime_dir": str(runtime)}}
    else:
        spec["argv"] = [sys.executable, str(launcher), *options]
        spec["env"] = {name: str(threads) for name in _THREAD_VARS}
        if limits.memory_mb:
            spec["env"]["NNSCRATCH_MEMORY_MB"] = str(limits.memory_mb)
    folder = jupyter / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder


def pytest_command(notebooks: list[Path], workdir: Path, limits: Limits) -> list[str]:
    """The pytest command line that runs ``notebooks`` (paths inside ``workdir``)."""
    ini = workdir / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")  # ignore any project configuration
    command = [
        sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(workdir),
        "-p", PLUGIN, "-p", "no:cacheprovider", "-q", "--tb=no", "--color=no",
        "--nbval-lax", "--nbval-kernel-name", KERNEL_NAME,
        "--nbval-cell-timeout", str(limits.timeout),
        "--nbval-kernel-startup-timeout", str(STARTUP_TIMEOUT),
        "--nnscratch-results", str(workdir / "results.jsonl"),
        "--nnscratch-notebook-timeout", str(limits.notebook_limit),
    ]
    jobs = limits.jobs_for(len(notebooks))
    command += ["-n", str(jobs), "--dist", "loadfile"] if jobs > 1 else ["-p", "no:xdist"]
    return command + [str(path.relative_to(workdir)) for path in notebooks]


def run_nbval(notebooks: dict[Path, int], workdir: Path, limits: Limits,
              on_done: Callable[[Path], None] | None = None) -> dict[Path, list[dict]]:
    """Execute ``notebooks`` (path -> number of code cells); return the records per path.

    Each record describes one cell (see ``plugin.describe``). ``on_done(path)`` is called
    as each notebook finishes. A run that outlives ``limits.run_deadline`` is killed;
    notebooks without records then show as not graded.
    """
    paths = list(notebooks)
    if not paths:
        return {}
    runtime = Path(tempfile.mkdtemp(prefix="nnscratch-"))  # short: socket paths are limited
    try:
        write_kernelspec(workdir / "jupyter", limits, limits.threads_for(len(paths)), runtime)
        env = dict(os.environ, JUPYTER_PATH=str(workdir / "jupyter"),
                   JUPYTER_RUNTIME_DIR=str(runtime), IPYTHONDIR=str(workdir / "ipython"),
                   PYTHONDONTWRITEBYTECODE="1")
        results = workdir / "results.jsonl"
        results.write_text("", encoding="utf-8")
        reader = _RecordReader(results, notebooks, on_done)
        deadline = time.monotonic() + limits.run_deadline(len(paths))
        with open(workdir / "pytest.log", "w", encoding="utf-8") as log:
            process = subprocess.Popen(pytest_command(paths, workdir, limits), cwd=workdir,
                                       env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            try:
                while process.poll() is None and time.monotonic() < deadline:
                    reader.poll()
                    time.sleep(0.2)
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        reader.poll()
        return reader.records
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


class _RecordReader:
    """Reads the results file incrementally; a notebook is done when all cells reported."""

    def __init__(self, path: Path, cells: dict[Path, int], on_done):
        self.path, self.on_done = path, on_done
        self.keys = {nb.resolve(): nb for nb in cells}
        self.cells = {nb.resolve(): count for nb, count in cells.items()}
        self.records: dict[Path, list[dict]] = {nb: [] for nb in cells}
        self.finished: dict[Path, int] = dict.fromkeys(self.cells, 0)
        self.offset = 0

    def poll(self) -> None:
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
        ends_cell = record["when"] == "call" or record["when"] == "setup"
        if not ends_cell and record["when"] != "collect":
            return
        done_before = self.finished[path] >= self.cells[path]
        self.finished[path] += 1 if ends_cell else self.cells[path]
        if not done_before and self.finished[path] >= self.cells[path] and self.on_done:
            self.on_done(self.keys[path])
