"""Cell roles of a challenge notebook, read from nbformat cells.

A cell's role is given by one tag in ``cell.metadata.tags`` (docs/CONVENTIONS.md):

- ``setup``  imports, seeds, data; identical in exercise and solution;
- ``answer`` the learner's code, solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``;
- ``check``  a graded check, ``metadata.nnscratch = {"id": ..., "points": ...}``;
- ``hidden`` a graded check kept out of the exercise (same metadata as ``check``).

A check may list the answer cells it relies on in ``metadata.nnscratch.depends``
(answer cell ids). Without it, a check depends on the nearest answer cell above it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nbformat import NotebookNode

ROLES = ("setup", "answer", "check", "hidden")
GRADED = ("check", "hidden")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Check:
    """A graded cell: its check id, points, role and the answer cells it depends on."""

    id: str
    points: float
    cell_id: str
    hidden: bool
    depends: tuple[str, ...] = field(default=())


def cell_role(cell: NotebookNode) -> str | None:
    """The role tag of ``cell`` (one of ROLES) or None for an untagged cell."""
    tags = cell.get("metadata", {}).get("tags", [])
    found = [tag for tag in tags if tag in ROLES] if isinstance(tags, list) else []
    if len(found) > 1:
        raise ValueError(f"cell {cell.get('id')!r} has several role tags: {found}")
    return found[0] if found else None


def is_graded(cell: NotebookNode) -> bool:
    """True for ``check`` and ``hidden`` cells."""
    return cell_role(cell) in GRADED


def check_points(cell: NotebookNode) -> float:
    """Points of a graded cell (``metadata.nnscratch.points``)."""
    return cell.metadata["nnscratch"]["points"]


def graded_checks(nb: NotebookNode) -> list[Check]:
    """Every check and hidden cell of a solution notebook, in notebook order."""
    checks = []
    last_answer: str | None = None
    for cell in nb.cells:
        role = cell_role(cell)
        if role == "answer":
            last_answer = cell.id
        elif role in GRADED:
            meta = cell.metadata.get("nnscratch", {})
            default = (last_answer,) if last_answer else ()
            depends = tuple(meta.get("depends", default))
            checks.append(Check(id=meta["id"], points=meta["points"], cell_id=cell.id,
                                hidden=role == "hidden", depends=depends))
    return checks


def answer_ids(nb: NotebookNode) -> list[str]:
    """Cell ids of the answer cells, in notebook order."""
    return [cell.id for cell in nb.cells if cell_role(cell) == "answer"]


def solution_problems(nb: NotebookNode) -> list[str]:
    """What is wrong with a solution notebook's roles and metadata (empty if fine)."""
    problems: list[str] = []
    cell_ids: set[str] = set()
    check_ids: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        where = f"cell {index} ({cell_id!r})"
        if not cell_id:
            problems.append(f"{where} has no id (save as nbformat 4.5)")
        elif cell_id in cell_ids:
            problems.append(f"{where}: duplicate cell id")
        cell_ids.add(cell_id)
        try:
            role = cell_role(cell)
        except ValueError as err:
            problems.append(str(err))
            continue
        if role is not None and cell.cell_type != "code":
            problems.append(f"{where} is tagged {role!r} but is a {cell.cell_type} cell")
        elif role == "answer" and BEGIN not in cell.source:
            problems.append(f"{where} is an answer cell without '{BEGIN}'")
        elif role in GRADED:
            problems.extend(_check_meta_problems(cell, where, check_ids))
    known = set(answer_ids(nb))
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nnscratch", {})
        depends = meta.get("depends", []) if isinstance(meta, dict) else []
        unknown = [dep for dep in depends if dep not in known] if isinstance(depends, list) else []
        if unknown:
            problems.append(f"cell {cell.get('id')!r} depends on unknown answer cells {unknown}")
    return problems


def _check_meta_problems(cell: NotebookNode, where: str, seen: set[str]) -> list[str]:
    meta = cell.metadata.get("nnscratch")
    if not isinstance(meta, dict) or "id" not in meta or "points" not in meta:
        return [f"{where} needs metadata nnscratch = {{'id': ..., 'points': ...}}"]
    problems = []
    points = meta["points"]
    if isinstance(points, bool) or not isinstance(points, int | float) or points < 0:
        problems.append(f"{where}: points must be a non-negative number, got {points!r}")
    if meta["id"] in seen:
        problems.append(f"{where}: duplicate check id {meta['id']!r}")
    seen.add(meta["id"])
    depends = meta.get("depends", [])
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        problems.append(f"{where}: depends must be a list of answer cell ids")
    return problems
