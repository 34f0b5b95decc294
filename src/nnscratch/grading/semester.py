"""A semester's files: assignments, the roster, overrides and the late policy.

All are optional, small, and read on every run, so that editing one and grading again
is all an instructor does:

- ``assignments.yml``: which challenges are graded together, and their deadlines::

      late_policy: {per_day: 10, max: 50}   # percent of the total; optional
      week1:
        exercises: [01, 02]                  # stems or their number prefixes
        deadline: 2026-10-07 23:59           # optional
      week2: [03_two_layer_net]              # short form: the exercises only

- the roster (CSV with a header): ``id`` (required: the student's submission folder),
  ``name``, ``email``, ``section``;
- overrides (CSV): ``student``, ``exercise``, ``check`` (empty: the whole exercise),
  ``points``, ``reason``;
- submission times (CSV): ``student``, ``submitted_at`` (ISO 8601) and optionally
  ``exercise``; or the grading worksheet Moodle exports (its ``Email address`` or
  ``ID number`` column, matched with the roster, and ``Last modified (submission)``).

Every problem in these files is a ``SemesterError`` naming the file, the row and what
is wrong.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

MOODLE_TIME = "Last modified (submission)"


class SemesterError(ValueError):
    """A problem in an assignments, roster, overrides or times file."""


class UnknownExercise(SemesterError):
    """A file names an exercise that the solutions folder does not have."""


@dataclass(frozen=True)
class LatePolicy:
    """Percent of the total lost per started day late, up to ``max`` percent."""

    per_day: float = 10.0
    max: float = 100.0

    def penalty(self, days: int) -> float:
        """The fraction of the total lost when ``days`` (started) days late."""
        return min(self.max, self.per_day * max(0, days)) / 100


@dataclass(frozen=True)
class Assignment:
    """A named group of exercises graded together, with an optional deadline."""

    name: str
    exercises: tuple[str, ...]
    deadline: datetime | None = None


@dataclass(frozen=True)
class Course:
    """The assignments of a course and its late policy."""

    assignments: dict[str, Assignment] = field(default_factory=dict)
    late_policy: LatePolicy | None = None
    unknown: dict[str, str] = field(default_factory=dict)  # assignment -> why it is unusable


def resolve_exercises(names: list, known: list[str], where: str) -> tuple[str, ...]:
    """Exercise stems for ``names``: a stem, or a number prefix such as ``01``.

    YAML reads ``01`` as the integer 1, so integers are read as two-digit prefixes.
    """
    resolved = []
    for name in names:
        name = f"{name:02d}" if isinstance(name, int) else str(name).strip()
        matches = [stem for stem in known if stem == name or stem.split("_")[0] == name]
        if len(matches) != 1:
            raise UnknownExercise(f"{where}: unknown exercise {name!r} "
                                f"(exercises: {', '.join(known)})")
        resolved.append(matches[0])
    return tuple(resolved)


def load_course(path: Path, known: list[str]) -> Course:
    """The assignments and late policy of ``path`` (an empty course when it is missing)."""
    if not path.exists():
        return Course()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise SemesterError(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise SemesterError(f"{path}: expected assignment names mapped to exercises")
    policy = data.pop("late_policy", None)
    assignments, unknown = {}, {}
    for name, spec in data.items():
        try:
            assignments[str(name)] = _assignment(path, str(name), spec, known)
        except UnknownExercise as err:  # another solutions folder: an error only when used
            unknown[str(name)] = str(err)
    return Course(assignments, _late_policy(path, policy) if policy is not None else None,
                  unknown)


def _assignment(path: Path, name: str, spec, known: list[str]) -> Assignment:
    where = f"{path}: assignment {name!r}"
    if isinstance(spec, list | str | int):
        spec = {"exercises": spec}
    if isinstance(spec, dict) and isinstance(spec.get("exercises"), str | int):
        spec["exercises"] = [part for part in str(spec["exercises"]).split(",") if part.strip()] \
            if isinstance(spec["exercises"], str) else [spec["exercises"]]
    if not isinstance(spec, dict) or not isinstance(spec.get("exercises"), list) \
            or not spec["exercises"]:
        raise SemesterError(f"{where}: expected a list of exercises, or exercises: [...]")
    unknown = set(spec) - {"exercises", "deadline"}
    if unknown:
        raise SemesterError(f"{where}: unknown keys {sorted(unknown)}")
    deadline = spec.get("deadline")
    if deadline is not None and not isinstance(deadline, datetime):
        deadline = parse_time(str(deadline), where)
    return Assignment(name, resolve_exercises(spec["exercises"], known, where), deadline)


def _late_policy(path: Path, spec) -> LatePolicy:
    where = f"{path}: late_policy"
    if not isinstance(spec, dict) or set(spec) - {"per_day", "max"}:
        raise SemesterError(f"{where}: expected {{per_day: PERCENT, max: PERCENT}}")
    values = {}
    for key, value in spec.items():
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not 0 <= value <= 100:
            raise SemesterError(f"{where}: {key} must be a percentage in [0, 100], "
                                f"got {value!r}")
        values[key] = float(value)
    return LatePolicy(**values)


def parse_time(text: str, where: str) -> datetime:
    """A date and time: ISO 8601 (``2026-10-07 23:59``) or Moodle's long format."""
    text = text.strip()
    for parse in (datetime.fromisoformat,
                  lambda t: datetime.strptime(t, "%A, %d %B %Y, %I:%M %p")):
        try:
            return parse(text)
        except ValueError:
            continue
    raise SemesterError(f"{where}: not a date and time: {text!r} "
                        "(expected e.g. 2026-10-07 23:59)")


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a CSV file whose header holds ``required``."""
    if not path.is_file():
        raise SemesterError(f"no such file: {path}")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in required if name not in header]
        if missing:
            raise SemesterError(f"{path}: the header needs the column(s) {', '.join(missing)} "
                                f"(found: {', '.join(header) or 'nothing'})")
        return [(number, {key.strip(): (value or "").strip() for key, value in row.items()
                          if key is not None})
                for number, row in enumerate(reader, start=2)]


@dataclass(frozen=True)
class RosterEntry:
    id: str
    name: str = ""
    email: str = ""
    section: str = ""


def load_roster(path: Path) -> list[RosterEntry]:
    """The roster's students, in file order (ids unique and not empty)."""
    entries, seen = [], set()
    for number, row in _read_csv(path, ("id",)):
        student = row["id"]
        if not student or student in seen:
            problem = "an empty id" if not student else f"a second row for id {student!r}"
            raise SemesterError(f"{path}, line {number}: {problem}")
        seen.add(student)
        entries.append(RosterEntry(student, row.get("name", ""), row.get("email", ""),
                                   row.get("section", "")))
    return entries


@dataclass(frozen=True)
class Override:
    """Points set by hand: a whole exercise (``check`` empty) or one check."""

    student: str
    exercise: str
    check: str
    points: float
    reason: str


def load_overrides(path: Path, known: list[str]) -> list[Override]:
    overrides = []
    for number, row in _read_csv(path, ("student", "exercise", "points", "reason")):
        where = f"{path}, line {number}"
        try:
            points = float(row["points"])
        except ValueError:
            raise SemesterError(f"{where}: points must be a number, got {row['points']!r}") \
                from None
        if not math.isfinite(points) or points < 0:
            raise SemesterError(f"{where}: points must be >= 0, got {row['points']!r}")
        if not row["reason"]:
            raise SemesterError(f"{where}: give a reason (the student reads it)")
        exercise = resolve_exercises([row["exercise"]], known, where)[0]
        overrides.append(Override(row["student"], exercise, row.get("check", ""), points,
                                  row["reason"]))
    return overrides


def load_times(path: Path, known: list[str]) -> dict[tuple[str, str | None], datetime]:
    """Submission times by (student id or e-mail, exercise; None: every exercise)."""
    if not path.is_file():
        raise SemesterError(f"no such file: {path}")
    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), [])
    if MOODLE_TIME in header:  # Moodle's grading worksheet: students by e-mail or ID number
        column = "Email address" if "Email address" in header else "ID number"
        return {(row[column], None): parse_time(row[MOODLE_TIME], f"{path}, line {number}")
                for number, row in _read_csv(path, (column, MOODLE_TIME))
                if row[MOODLE_TIME] not in ("", "-")}
    times = {}
    for number, row in _read_csv(path, ("student", "submitted_at")):
        where = f"{path}, line {number}"
        exercise = resolve_exercises([row["exercise"]], known, where)[0] \
            if row.get("exercise") else None
        times[row["student"], exercise] = parse_time(row["submitted_at"], where)
    return times


def days_late(submitted: datetime, deadline: datetime) -> int:
    """Started days after the deadline (0 when on time)."""
    seconds = (submitted - deadline).total_seconds()
    return max(0, math.ceil(seconds / 86400))
