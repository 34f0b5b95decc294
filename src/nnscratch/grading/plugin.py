"""The grader's pytest plugin for nbval (``-p nnscratch.grading.plugin``).

nbval executes each notebook cell by cell; this plugin records what every cell did and
bounds what a hostile cell can cost. In every pytest process (xdist workers included)
it patches nbval 0.11 in three places:

1. **Dead kernels.** nbval waits for a cell's reply for the whole cell timeout, so a
   kernel that exited looks like a timeout. ``await_reply`` waits in one-second slices
   and checks that the kernel is alive.
2. **A hard deadline per cell.** After a timeout nbval interrupts the kernel and reads
   its output until it goes idle; a kernel that ignores the interrupt and keeps printing
   would keep it reading forever. No message is read after ``cell timeout + GRACE``
   seconds: nbval then stops (kills) the kernel. Waiting for idle is bounded the same way.
3. **Output size.** Text beyond ``OUTPUT_LIMIT`` characters per cell is dropped as it
   arrives, and so is everything but text (images are never graded), so a printing
   loop cannot fill the grader's memory.

It also skips the remaining cells of a notebook after ``--nnscratch-notebook-timeout``
seconds, and attaches to each cell's report a record (see ``describe``) that the
controller appends as one JSON line to ``--nnscratch-results``. Outputs are not compared
here: the grader compares them afterwards, outside the learner's process.
"""

from __future__ import annotations

import json
import time
from queue import Empty

import pytest
from nbval import kernel as nbval_kernel
from nbval import plugin as nbval_plugin

from .notebooks import output_text
from .results import NOTEBOOK_TIMEOUT, OUTPUT_LIMIT, Outcome

PROPERTY = "nnscratch"
KERNEL_DIED = "the kernel died while running this cell"
GRACE = 10.0  # seconds a timed-out cell has to stop after the interrupt
HINT = "Hint:"
_starts = pytest.StashKey[dict]()


class KernelDied(RuntimeError):
    """The kernel process exited while a cell was running."""


def pytest_addoption(parser):
    group = parser.getgroup("nnscratch", "nnscratch grading")
    group.addoption("--nnscratch-results", default=None,
                    help="append one JSON line per nbval cell report to this file")
    group.addoption("--nnscratch-notebook-timeout", type=float, default=0.0,
                    help="skip the remaining cells of a notebook after this many seconds")


def pytest_configure(config):
    install_patches()
    config.stash[_starts] = {}
    path = config.getoption("nnscratch_results")
    if path and not hasattr(config, "workerinput"):  # the controller, or no xdist
        config.pluginmanager.register(ResultWriter(path), "nnscratch-results")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    limit = item.config.getoption("nnscratch_notebook_timeout")
    start = item.config.stash[_starts].setdefault(item.parent.nodeid, time.monotonic())
    if limit and time.monotonic() - start > limit:
        pytest.skip(NOTEBOOK_TIMEOUT)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" or not report.passed:
        record = describe(item, call, report)
        report.user_properties.append((PROPERTY, record))
        if report.longrepr is not None and not isinstance(report.longrepr, tuple):
            report.longrepr = record["message"]  # nbval's text may hold whole outputs
        item.test_outputs = None  # nbval keeps every output of the cell: free it
    return report


class ResultWriter:
    """Appends each cell report's record to a JSON-lines file as soon as it arrives."""

    def __init__(self, path: str):
        self.handle = open(path, "a", encoding="utf-8")  # closed in pytest_unconfigure

    def write(self, record: dict) -> None:
        self.handle.write(json.dumps(record) + "\n")
        self.handle.flush()

    def pytest_runtest_logreport(self, report):
        record = dict(report.user_properties).get(PROPERTY)
        if record is not None:
            self.write({"when": report.when, **record})

    def pytest_collectreport(self, report):
        if report.failed:
            lines = str(report.longrepr).splitlines() or [""]
            self.write({"when": "collect", "file": report.nodeid,
                        "outcome": Outcome.GRADER_ERROR.value, "message": lines[-1][:1000]})

    def pytest_unconfigure(self, config):
        self.handle.close()


def describe(item, call, report) -> dict:
    """The record of one cell: outcome, message, printed text, hints, error, size."""
    outputs = getattr(item, "test_outputs", None) or []
    record = {"file": str(item.path), "cell": getattr(item, "cell_num", None),
              "outcome": Outcome.PASSED.value, "message": "", "text": output_text(outputs),
              "hints": hints(outputs), "error": error_text(outputs),
              "output_chars": getattr(item.parent, "output_chars", 0)}
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        record["outcome"], record["message"] = Outcome.NOT_RUN.value, reason
    elif call.excinfo is not None:
        outcome, record["message"] = classify(call.excinfo.value, call.when)
        record["outcome"] = outcome.value  # records cross processes as plain JSON
    return record


def classify(exc: BaseException, when: str) -> tuple[Outcome, str]:
    """(outcome, one-line message) for an exception raised while running a cell."""
    message = (str(exc).splitlines() or [type(exc).__name__])[0][:1000]
    if isinstance(exc, KernelDied):
        return Outcome.KERNEL_DIED, message
    if message.startswith("Kernel dead on test start"):
        return Outcome.NOT_RUN, "the kernel had stopped"
    if when == "call" and message.startswith("Timeout of"):
        return Outcome.TIMEOUT, message
    if when == "call" and message == "Cell execution caused an exception":
        return Outcome.ERROR, message
    return Outcome.GRADER_ERROR, f"{type(exc).__name__}: {message}"


def hints(outputs) -> list[str]:
    """The ``Hint: ...`` lines a check printed to stderr (at most five, no repeats)."""
    found: list[str] = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            for line in output.get("text", "").splitlines():
                hint = line.strip()[len(HINT):].strip()[:500]
                if line.strip().startswith(HINT) and hint not in found and len(found) < 5:
                    found.append(hint)
    return found


def error_text(outputs) -> str:
    """``ExceptionName: message`` of the cell's error output, or ''."""
    for output in outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename', '')}: {output.get('evalue', '')}"[:1000]
    return ""


# ---- patches to nbval ---------------------------------------------------------------

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


_nbval_runtest = nbval_plugin.IPyNbCell.runtest


def runtest(self):
    """nbval's cell run, with this cell's deadline and output budget set first."""
    notebook = self.parent
    notebook.deadline = time.monotonic() + self.config.option.nbval_cell_timeout + GRACE
    notebook.output_chars = 0
    return _nbval_runtest(self)


def get_kernel_message(self, timeout=None, stream="iopub"):
    """nbval's ``IPyNbFile.get_kernel_message`` with the cell's deadline and output cap."""
    left = getattr(self, "deadline", float("inf")) - time.monotonic()
    if left <= 0:
        raise Empty
    msg = self.kernel.get_message(stream, timeout=left if timeout is None else min(timeout, left))
    content = msg["content"]
    if msg["msg_type"] == "stream":
        content["text"] = self.keep(content["text"])
    elif msg["msg_type"] in ("display_data", "execute_result"):  # text only: images are
        content["data"] = {"text/plain": self.keep(content["data"].get("text/plain", ""))}
    return msg


def keep(self, text: str) -> str:
    """The part of ``text`` that fits in the cell's output budget (all of it is counted)."""
    room = max(0, OUTPUT_LIMIT - self.output_chars)
    self.output_chars += len(text)
    return text[:room]


def await_idle(self, parent_id, timeout):
    """nbval's ``RunningKernel.await_idle``, giving up ``timeout + GRACE`` s after the start."""
    deadline = time.monotonic() + timeout + GRACE
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Empty
        msg = self.get_message(timeout=min(timeout, left), stream="iopub")
        if msg["parent_header"].get("msg_id") == parent_id and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            return


def install_patches() -> None:
    """Patch nbval's classes (idempotent)."""
    nbval_kernel.RunningKernel.await_reply = await_reply
    nbval_kernel.RunningKernel.await_idle = await_idle
    nbval_plugin.IPyNbFile.keep = keep
    nbval_plugin.IPyNbCell.runtest = runtest
    nbval_plugin.IPyNbFile.get_kernel_message = get_kernel_message
