"""Start a grading kernel: resource limits first, then ipykernel.

The grading kernelspec runs this file as a script, inside the sandbox (see
``sandbox.py``) or, with ``--no-sandbox``, directly. It uses the standard library and
ipykernel only: the sandbox holds the Python environment but not the course package.

Limits, read from the environment:

- ``NNSCRATCH_MEMORY_MB``: ``RLIMIT_DATA`` (heap and anonymous mappings, where NumPy
  arrays live), so a runaway allocation raises MemoryError in the learner's cell.
  ``RLIMIT_AS`` is not used: torch and BLAS thread pools reserve far more address space
  than they use.
- ``NNSCRATCH_PROCESSES``: ``RLIMIT_NPROC`` (processes and threads). Only the sandbox
  sets it: there the kernel has a user namespace of its own, so the count starts at zero
  and a fork bomb stops at the limit.
- ``NNSCRATCH_FILE_MB``: ``RLIMIT_FSIZE``, the largest file the kernel may write.

Core dumps are off, and the kernel's OOM score is raised so that under memory pressure
the kernel, not the grader, is the first process the system stops.
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

MB = 2**20
LIMITS = {
    "NNSCRATCH_MEMORY_MB": (resource.RLIMIT_DATA, MB),
    "NNSCRATCH_PROCESSES": (resource.RLIMIT_NPROC, 1),
    "NNSCRATCH_FILE_MB": (resource.RLIMIT_FSIZE, MB),
}


def apply_limits(environ: dict[str, str]) -> None:
    """Set the limits named in ``environ``, no core dumps, and a high OOM score.

    With ``NNSCRATCH_UID`` (a sandbox started by root) the process first becomes that
    unprivileged uid, which also drops every capability.
    """
    if environ.get("NNSCRATCH_UID"):
        uid = int(environ["NNSCRATCH_UID"])
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    for name, (limit, unit) in LIMITS.items():
        value = int(environ.get(name) or 0) * unit
        if value > 0:  # 0 means no limit
            resource.setrlimit(limit, (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError:  # not Linux, or /proc is not mounted: the limits above still hold
        pass


def main() -> None:
    here = Path(__file__).resolve().parent
    if sys.path and sys.path[0] and Path(sys.path[0]).resolve() == here:
        del sys.path[0]  # running as a script put this file's folder on sys.path
    apply_limits(dict(os.environ))
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
