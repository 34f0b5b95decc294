"""Reading and cleaning notebooks with nbformat; the text of cell outputs."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .roles import solution_problems


class InvalidNotebook(Exception):
    """A file that cannot be read as a Jupyter notebook (the message says why)."""


class InvalidSolution(Exception):
    """A solution notebook whose cell roles or metadata break the conventions."""


def read_notebook(path: Path) -> NotebookNode:
    """Read ``path`` as an nbformat-4 notebook, or raise InvalidNotebook.

    Invalid JSON, a JSON document that is not a notebook and cells missing their
    type or source are all reported as InvalidNotebook with a one-line reason.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            nb = nbformat.read(handle, as_version=4)
    except UnicodeDecodeError:
        raise InvalidNotebook("not UTF-8 text") from None
    except Exception as err:  # nbformat raises many types for broken files
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InvalidNotebook(reason[:200]) from None
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise InvalidNotebook("no list of cells")
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("source"), str) or \
                cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook("a cell without a valid type or source")
    return nb


def read_solution(path: Path) -> NotebookNode:
    """Read a solution notebook and check its roles (InvalidSolution lists problems)."""
    try:
        nb = read_notebook(path)
    except InvalidNotebook as err:
        raise InvalidSolution(f"{path}: {err}") from None
    problems = solution_problems(nb)
    if problems:
        raise InvalidSolution(f"{path}:\n  " + "\n  ".join(problems))
    return nb


def clear_outputs(nb: NotebookNode) -> NotebookNode:
    """Remove outputs and execution counts from every code cell of ``nb`` (in place)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def code_cells(nb: NotebookNode) -> list[NotebookNode]:
    """The code cells of ``nb`` in order: nbval's ``Cell N`` is ``code_cells(nb)[N]``."""
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def output_text(outputs) -> str:
    """What a cell printed to stdout or displayed as text (what a check is graded on)."""
    parts = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def fenced(text: str, info: str = "text") -> list[str]:
    """``text`` as the lines of a Markdown code block that no backtick run can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, text.rstrip("\n") or "(no output)", fence]
