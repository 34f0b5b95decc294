"""pytest plugin for the grader's nbval run: ``-p nnscratch.grading.pytest_plugin``.

On every process (the xdist workers included) it installs ``nbval_patches``, makes
nbval ignore stderr when comparing outputs (warnings are not part of a check's
answer), enforces a per-notebook time limit and attaches to each cell's report a
small record: the failure kind, the expected and actual text (truncated) and the
size of the cell's output. The huge parts of nbval's failure text are dropped
before the report travels to the controller.

On the controller it appends one JSON line per report to ``--nnscratch-results``.
"""

from __future__ import annotations

import json
import time

import pytest

from . import nbval_patches

PROPERTY = "nnscratch"
NOTEBOOK_TIMEOUT = "notebook time limit exceeded"
TEXT_CAP = 4000
_starts = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("nnscratch", "nnscratch grading")
    group.addoption("--nnscratch-results", default=None,
                    help="append one JSON line per nbval cell report to this file")
    group.addoption("--nnscratch-notebook-timeout", type=float, default=0.0,
                    help="skip the remaining cells of a notebook after this many seconds")


def pytest_configure(config):
    nbval_patches.install()
    config.stash[_starts] = {}
    path = config.getoption("nnscratch_results")
    if path and not hasattr(config, "workerinput"):  # the controller, or no xdist
        config.pluginmanager.register(ResultWriter(path), "nnscratch-results")


def pytest_collection_modifyitems(items):
    for item in items:
        skip = getattr(item.parent, "skip_compare", None)
        if skip is not None and "stderr" not in skip:
            item.parent.skip_compare = (*skip, "stderr")


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
        props = dict(report.user_properties).get(PROPERTY)
        if props is not None:
            self.write({"when": report.when, "outcome": report.outcome, **props})

    def pytest_collectreport(self, report):
        if report.failed:
            lines = str(report.longrepr).splitlines() or [""]
            self.write({"when": "collect", "outcome": "failed", "file": report.nodeid,
                        "kind": "grader-error", "message": lines[-1][:TEXT_CAP]})

    def pytest_unconfigure(self, config):
        self.handle.close()


def describe(item, call, report) -> dict:
    """The record of one cell run: kind, message, expected/actual text, output size."""
    outputs = getattr(item, "test_outputs", None) or []
    sanitize = getattr(item, "sanitize", lambda text: text)
    record = {"file": str(item.path), "cell": getattr(item, "cell_num", None),
              "kind": "passed", "message": "", "output_chars": output_chars(outputs)}
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        record["kind"] = "notebook-timeout" if NOTEBOOK_TIMEOUT in reason else "skipped"
        record["message"] = reason
        return record
    if call.excinfo is None:
        return record
    record["kind"], record["message"] = classify(call.excinfo.value, call.when)
    if record["kind"] in ("mismatch", "error", "timeout"):
        reference = getattr(item, "cell", {}).get("outputs", [])
        record["expected"] = sanitize(output_text(reference))
        record["actual"] = sanitize(output_text(outputs))
        record["error"] = error_text(outputs)
    return record


def classify(exc: BaseException, when: str) -> tuple[str, str]:
    """(kind, one-line message) for an exception raised while running a cell."""
    message = (str(exc).splitlines() or [type(exc).__name__])[0][:TEXT_CAP]
    if isinstance(exc, nbval_patches.KernelDied):
        return "kernel-died", message
    if message.startswith("Kernel dead on test start"):
        return "kernel-dead", message
    if when != "call":
        return "grader-error", f"{type(exc).__name__}: {message}"
    if message.startswith("Timeout of"):
        return "timeout", message
    if message == "Cell outputs differ":
        return "mismatch", message
    if message == "Cell execution caused an exception":
        return "error", message
    return "grader-error", f"{type(exc).__name__}: {message}"


def output_text(outputs) -> str:
    """What a cell printed to stdout or displayed as text, truncated to TEXT_CAP."""
    parts: list[str] = []
    size = 0
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            text = output.get("text", "")
        elif "data" in output:
            text = output["data"].get("text/plain", "")
        else:
            continue
        parts.append(text[: TEXT_CAP - size + 1])
        size += len(parts[-1])
        if size > TEXT_CAP:
            return "".join(parts)[:TEXT_CAP] + f"\n... [truncated, {output_chars(outputs)} chars]"
    return "".join(parts)


def error_text(outputs) -> str:
    """``ExceptionName: message`` of the cell's error output, or ''."""
    for output in outputs:
        if output.get("output_type") == "error":
            return f"{output.get('ename', '')}: {output.get('evalue', '')}"[:TEXT_CAP]
    return ""


def output_chars(outputs) -> int:
    """Total characters of text a cell produced (streams and text/plain)."""
    total = 0
    for output in outputs:
        total += len(output.get("text", ""))
        total += len(output.get("data", {}).get("text/plain", ""))
    return total
