"""Graded notebooks kept between runs: ``<out>/results/<exercise>/<student>.json``.

Each file holds one ``NotebookResult`` and the key it was graded under: a hash of the
learner's answer cells, of the solution notebook and of the limits that can change a
score. A run grades only the notebooks whose key changed; everything else is read back,
so regrading a class after one resubmission runs one notebook (plus its reference).

Files are written with sorted keys and no timestamps: the same results give the same
bytes, and results graded on several machines (``--shard``) merge by copying files.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from .results import NotebookResult
from .runner import Limits

GRADER_VERSION = 2  # bump when a change to grading makes stored results stale
RESULTS = "results"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def result_key(answers: dict[str, str] | None, raw: bytes | None, solution: str,
               limits: Limits) -> str:
    """The key of a notebook's result: what was graded, against what, within what limits.

    ``answers`` are the learner's answer cells by id (None for a file that could not be
    read, which is then identified by its bytes ``raw``); ``solution`` is the digest of
    the solution notebook's file.
    """
    what = {"answers": answers} if answers is not None else {"file": digest(raw)}
    payload = {**what, "solution": solution,
               "limits": [limits.timeout, limits.notebook_limit, limits.memory_mb,
                          limits.sandbox], "grader": GRADER_VERSION}
    return digest(json.dumps(payload, sort_keys=True).encode())


class ResultStore:
    """The stored results under ``<out>/results``."""

    def __init__(self, out: Path):
        self.root = out / RESULTS

    def path(self, exercise: str, student: str) -> Path:
        return self.root / exercise / f"{student}.json"

    def load(self, exercise: str, student: str, key: str | None = None
             ) -> NotebookResult | None:
        """The stored result (only if graded under ``key``, when given), else None."""
        path = self.path(exercise, student)
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if key is not None and data.get("key") != key:
            return None
        return NotebookResult.from_dict(data["result"])

    def save(self, exercise: str, student: str, key: str, result: NotebookResult) -> None:
        path = self.path(exercise, student)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"key": key, "result": result.to_dict()}, sort_keys=True, indent=1)
        path.write_text(text + "\n", encoding="utf-8")

    def remove(self, exercise: str, student: str) -> None:
        self.path(exercise, student).unlink(missing_ok=True)

    def students(self) -> set[str]:
        """Every student with at least one stored result."""
        return {path.stem for path in self.root.glob("*/*.json")}

    def exercises(self) -> set[str]:
        return {path.parent.name for path in self.root.glob("*/*.json")}

    def merge_from(self, other: Path) -> list[str]:
        """Copy the results of another output folder (a shard) here; return conflicts.

        A conflict is a (exercise, student) stored in both with different contents; the
        other folder's file is then not copied.
        """
        conflicts = []
        for source in sorted((other / RESULTS).glob("*/*.json")):
            target = self.root / source.parent.name / source.name
            if target.exists() and target.read_bytes() != source.read_bytes():
                conflicts.append(f"{source.parent.name}/{source.stem}")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        return conflicts
