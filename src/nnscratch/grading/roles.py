"""Cell roles of a challenge notebook, read from nbformat cells.

The roles (tags ``setup``, ``answer``, ``check``, ``hidden``), the check metadata
(``id``, ``points``, ``depends``, ``rtol``) and the ``SEED`` line are specified once, in
the instructor guide's "Writing a challenge"; this module reads and validates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nbformat import NotebookNode

from .selfcheck import RTOL

ROLES = ("setup", "answer", "check", "hidden")
GRADED = ("check", "hidden")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SEED_LINE = re.compile(r"^(SEED = )(\d+)\b", re.MULTILINE)
PUBLIC_SEED = 0  # the seed solutions are stored with; grading runs draw another


@dataclass(frozen=True)
class Check:
    """A graded cell: its check id, points, role, the answers it uses, its tolerance."""

    id: str
    points: float
    cell_id: str
    hidden: bool
    depends: tuple[str, ...] = field(default=())
    rtol: float = RTOL


def cell_role(cell: NotebookNode) -> str | None:
    """The role tag of ``cell`` (one of ROLES) or None for an untagged cell."""
    tags = cell.get("metadata", {}).get("tags", [])
    found = [tag for tag in tags if tag in ROLES] if isinstance(tags, list) else []
    if len(found) > 1:
        raise ValueError(f"cell {cell.get('id')!r} has several role tags: {found}")
    return found[0] if found else None


def graded_checks(nb: NotebookNode) -> list[Check]:
    """Every check and hidden cell of a solution notebook, in notebook order.

    A check without ``depends`` depends on the nearest answer cell above it.
    """
    checks = []
    last_answer: str | None = None
    for cell in nb.cells:
        role = cell_role(cell)
        if role == "answer":
            last_answer = cell.id
        elif role in GRADED:
            meta = cell.metadata.get("nnscratch", {})
            default = (last_answer,) if last_answer else ()
            checks.append(Check(id=meta["id"], points=meta["points"], cell_id=cell.id,
                                hidden=role == "hidden",
                                depends=tuple(meta.get("depends", default)),
                                rtol=meta.get("rtol", RTOL)))
    return checks


def answer_ids(nb: NotebookNode) -> list[str]:
    """Cell ids of the answer cells, in notebook order."""
    return [cell.id for cell in nb.cells if cell_role(cell) == "answer"]


def with_seed(source: str, seed: int) -> str:
    """``source`` with its ``SEED = <n>`` line set to ``seed``."""
    return SEED_LINE.sub(lambda match: f"{match.group(1)}{seed}", source)


def solution_problems(nb: NotebookNode) -> list[str]:
    """What is wrong with a solution notebook's roles and metadata (empty if fine)."""
    problems: list[str] = []
    cell_ids: set[str] = set()
    check_ids: set[str] = set()
    seeds = 0
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
        elif role == "setup":
            seeds += sum(int(value) == PUBLIC_SEED for _, value in SEED_LINE.findall(cell.source))
        elif role == "answer" and BEGIN not in cell.source:
            problems.append(f"{where} is an answer cell without '{BEGIN}'")
        elif role in GRADED:
            problems.extend(_check_meta_problems(cell, where, check_ids))
    if seeds != 1:
        problems.append(f"the setup cells must hold exactly one line 'SEED = {PUBLIC_SEED}' "
                        f"(found {seeds}): grading replaces it with a secret seed")
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
    for key in ("points", "rtol"):
        value = meta.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            problems.append(f"{where}: {key} must be a non-negative number, got {value!r}")
    if meta["id"] in seen:
        problems.append(f"{where}: duplicate check id {meta['id']!r}")
    seen.add(meta["id"])
    depends = meta.get("depends", [])
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        problems.append(f"{where}: depends must be a list of answer cell ids")
    return problems
