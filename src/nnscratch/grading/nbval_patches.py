"""Two changes to nbval (0.11) for grading untrusted notebooks, installed by the plugin.

1. Kernel death. nbval waits for a cell's reply for the whole cell timeout, so a
   kernel that died (``os._exit``, a segfault, the OOM killer) looks like a timeout
   and costs the full timeout. ``await_reply`` here waits in one-second slices and
   checks that the kernel process is alive; a dead kernel raises ``KernelDied``
   at once (later cells then fail with nbval's "Kernel dead on test start").
2. Output diffs. On a mismatch nbval asks pytest for a diff of reference and test
   output; difflib on a 50 MB output takes minutes. The grader computes its own
   truncated expected/actual text (see pytest_plugin), so the diff is skipped.
"""

from __future__ import annotations

import time
from queue import Empty

from nbval import kernel as nbval_kernel
from nbval import plugin as nbval_plugin

KERNEL_DIED = "the kernel died while running this cell"


class KernelDied(RuntimeError):
    """The kernel process exited while a cell was running."""


def await_reply(self, msg_id, timeout=None):
    """nbval's ``RunningKernel.await_reply``, also watching for a dead kernel."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = 1.0 if deadline is None else deadline - time.monotonic()
        try:
            msg = self.get_message(stream="shell", timeout=max(0.0, min(1.0, left)))
        except Empty:
            if not self.is_alive():
                _forget_kernel(self)
                raise KernelDied(KERNEL_DIED) from None
            if deadline is not None and time.monotonic() >= deadline:
                raise
            continue
        if msg["parent_header"].get("msg_id") == msg_id:
            if msg["content"]["status"] == "aborted":
                raise RuntimeError("Kernel aborted execution request")
            return


def _forget_kernel(kernel) -> None:
    """Release a dead kernel's channels and process, as nbval's ``stop`` does."""
    try:
        kernel.stop()
    except Exception:  # the process is gone already; cleanup is best effort
        if hasattr(kernel, "km"):
            del kernel.km


def format_output_compare(self, key, left, right):
    """Record which output field differs, without computing a diff."""
    self.comparison_traceback.append(f" mismatch {key!r}")


def install() -> None:
    """Patch nbval's classes (idempotent)."""
    nbval_kernel.RunningKernel.await_reply = await_reply
    nbval_plugin.IPyNbCell.format_output_compare = format_output_compare
