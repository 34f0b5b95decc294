"""Test classes of the challenges, one module per challenge (``NN_topic.py``).

Each module defines two mappings, graded by ``tests/test_challenges.py``:

- ``CORRECT``: name -> ``{answer cell id: source}``, answers that are correct by the
  statement in another form than the solution (loops, another stable formula, other
  cache contents); each must get full marks and no hint;
- ``BUGGY``: name -> ``({answer cell id: source}, phrase)``, answers with one classic
  bug; each must lose points, and its hint should contain ``phrase``.

Answer cells not named keep the solution's code.
"""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"


@functools.cache
def solution_answers(stem: str) -> dict[str, str]:
    """The answer cells of ``solutions/<stem>.ipynb``, by cell id."""
    nb = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    return {cell.id: cell.source for cell in nb.cells
            if "answer" in cell.metadata.get("tags", [])}


def replaced(source: str, *changes: tuple[str, str]) -> str:
    """``source`` with each ``(old, new)`` change made; a missing ``old`` fails loudly."""
    for old, new in changes:
        assert old in source, f"{old!r} is not in the answer it should change"
        source = source.replace(old, new)
    return source


def edited(answers: dict[str, str], cell_id: str, *changes: tuple[str, str]) -> dict[str, str]:
    """A member's answers: ``answers[cell_id]`` with the ``changes`` made."""
    return {cell_id: replaced(answers[cell_id], *changes)}
