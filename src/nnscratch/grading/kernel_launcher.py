"""The grading kernel: an ipykernel of the current Python with resource limits.

nbval starts one kernel per notebook from a kernelspec. ``write_kernelspec`` writes
one (``nnscratch-grading``) whose command runs this file as a script; it caps the
kernel's data segment (``RLIMIT_DATA``: heap and anonymous mappings, i.e. what
NumPy arrays use) before starting ipykernel, so a runaway allocation raises
MemoryError in the learner's cell instead of exhausting the machine. RLIMIT_AS is
not used: it counts reserved address space, which torch and BLAS thread pools
reserve generously (about 1 GB for ``import torch`` on two cores, more on larger
machines) without using it.

It also caps what the kernel can print: after ``OUTPUT_LIMIT`` characters on stdout
(or stderr) further text is dropped, so ``while True: print(...)`` cannot fill the
grader's memory before the cell times out.

The spec's environment also sets BLAS/OpenMP threads so that parallel kernels do not
oversubscribe the cores, and keeps IPython's history off (no SQLite file per kernel).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

KERNEL_NAME = "nnscratch-grading"
MEMORY_ENV = "NNSCRATCH_KERNEL_MEMORY_MB"
OUTPUT_ENV = "NNSCRATCH_KERNEL_OUTPUT_LIMIT"
OUTPUT_LIMIT = 100_000_000
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def write_kernelspec(jupyter_path: Path, *, memory_mb: int | None, threads: int | None) -> Path:
    """Write the grading kernelspec under ``jupyter_path/kernels`` and return its dir.

    Point ``JUPYTER_PATH`` at ``jupyter_path`` and pass
    ``--nbval-kernel-name nnscratch-grading`` to use it.
    """
    env = {name: str(threads) for name in _THREAD_VARS} if threads else {}
    env[OUTPUT_ENV] = str(OUTPUT_LIMIT)
    if memory_mb:
        env[MEMORY_ENV] = str(memory_mb)
    spec = {
        "argv": [sys.executable, str(Path(__file__).resolve()), "-f", "{connection_file}",
                 "--HistoryManager.enabled=False"],
        "display_name": "Python 3 (nnscratch grading)",
        "language": "python",
        "env": env,
        "metadata": {"debugger": False},
    }
    spec_dir = jupyter_path / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_dir


def limit_memory(megabytes: int) -> None:
    """Cap this process's data segment at ``megabytes`` (soft and hard limit)."""
    import resource

    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def cap_output(stream, limit: int) -> None:
    """Make ``stream.write`` drop everything after ``limit`` characters in total."""
    write = stream.write
    left = [limit]

    def capped_write(text: str) -> int:
        if left[0] > 0:
            kept = text[: left[0]]
            left[0] -= len(kept)
            if left[0] <= 0:
                kept += f"\n[output truncated by the grader after {limit:,} characters]\n"
            write(kept)
        return len(text)

    stream.write = capped_write


def main() -> None:
    """Apply the limits from the environment, then run ipykernel (like ipykernel_launcher)."""
    here = Path(__file__).resolve().parent
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == here:
        del sys.path[0]  # running as a script put the grading package dir on sys.path
    memory = os.environ.get(MEMORY_ENV)
    if memory:
        limit_memory(int(memory))
    from ipykernel.kernelapp import IPKernelApp

    class GradingKernelApp(IPKernelApp):
        def init_io(self):
            super().init_io()
            limit = int(os.environ.get(OUTPUT_ENV) or 0)
            for stream in (sys.stdout, sys.stderr) if limit else ():
                cap_output(stream, limit)

    GradingKernelApp.launch_instance()


if __name__ == "__main__":
    main()
