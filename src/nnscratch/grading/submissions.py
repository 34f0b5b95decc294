"""Find a class's submissions: ``SUBMISSIONS/<student>/<exercise>.ipynb``.

Every non-hidden folder of ``SUBMISSIONS`` is a student. A notebook directly in the
student's folder whose stem is an exercise name is that exercise's submission; any
other notebook in the folder (or below it) is an unexpected file. Other files and
hidden folders (``.ipynb_checkpoints``) are ignored.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Submission:
    """One student's notebooks by exercise name, and the notebooks that match none."""

    student: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)


def find_submissions(root: Path, exercises: list[str], *,
                     skip: tuple[Path, ...] = ()) -> tuple[list[Submission], list[str]]:
    """The students under ``root`` (sorted) and warnings about files outside any folder.

    Folders in ``skip`` (e.g. the grader's output folder) are not students.
    """
    students, warnings = [], []
    skipped = {path.resolve() for path in skip}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or entry.resolve() in skipped:
            continue
        if entry.is_dir():
            students.append(student_folder(entry, exercises))
        elif entry.suffix == ".ipynb":
            warnings.append(f"ignoring {entry}: put notebooks in {root}/<student>/")
    return students, warnings


def student_folder(folder: Path, exercises: list[str]) -> Submission:
    """One student's submission: the notebooks of ``folder``, named after it."""
    submission = Submission(folder.name, folder)
    for path in sorted(folder.rglob("*.ipynb")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if len(relative.parts) == 1 and path.stem in exercises:
            submission.notebooks[path.stem] = path
        else:
            submission.unexpected.append(relative.as_posix())
    return submission


def suggest(name: str, exercises: list[str]) -> str | None:
    """The exercise an unexpected file name was probably meant to be, if any."""
    stem = Path(name).stem.lower().replace("-", "_").replace(" ", "_")
    matches = difflib.get_close_matches(stem, exercises, n=1, cutoff=0.8)
    return matches[0] if matches else None
