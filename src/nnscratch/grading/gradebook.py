"""The gradebook of one assignment, and one feedback file per student.

``gradebook.csv``: a header ``student, [name, section,] <exercise>..., late_days, penalty,
total, status``, then one row per student (no row of maxima: a spreadsheet or an LMS
would take it for a student). ``gradebook.md``: the same table for reading, with the
maxima first. ``feedback/<student>.md``: per exercise, the notes, adjustments and every
failed check.

``status`` is ``ok`` or the student's problems joined by ``; ``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .notebooks import fenced
from .results import CheckResult, NotebookResult, Outcome
from .semester import Override, RosterEntry
from .submissions import suggest

FEEDBACK_TEXT_CAP = 2000


@dataclass
class StudentGrade:
    """One student's results for an assignment's exercises, and what adjusts them."""

    student: str
    results: dict[str, NotebookResult]
    unexpected: list[str] = field(default_factory=list)
    roster: RosterEntry | None = None
    on_roster: bool = True  # False: a roster is used and does not list this student
    days_late: int = 0
    penalty: float = 0.0  # fraction of the total lost to the late policy

    @property
    def earned(self) -> float:
        return sum(result.earned for result in self.results.values())

    @property
    def total(self) -> float:
        return round(self.earned * (1 - self.penalty), 4)

    @property
    def status(self) -> str:
        problems = [] if self.on_roster else ["not on the roster"]
        problems += [f"unexpected file {name}" for name in self.unexpected]
        missing = [name for name, result in self.results.items() if not result.submitted]
        problems += [f"{name}: {problem}" for name, result in self.results.items()
                     if result.submitted for problem in result.problems]
        if missing and len(missing) == len(self.results):
            problems.append("no submission")
        elif missing:
            problems.append("not submitted: " + ", ".join(missing))
        if self.days_late:
            problems.append(f"late {_days(self.days_late)} (-{points(100 * self.penalty)}%)")
        return "; ".join(problems) or "ok"


def points(value: float) -> str:
    """``2`` for 2.0, ``1.5`` for 1.5."""
    return f"{value:g}"


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def apply_overrides(grades: list[StudentGrade], overrides: list[Override]) -> list[str]:
    """Set the points the overrides give (and note why); return overrides that match nothing."""
    by_student = {grade.student: grade for grade in grades}
    unused = []
    for override in overrides:
        grade = by_student.get(override.student)
        result = grade.results.get(override.exercise) if grade else None
        check = next((c for c in result.checks if c.check.id == override.check), None) \
            if result and override.check else None
        if result is None or (override.check and check is None):
            unused.append(f"{override.student}, {override.exercise} {override.check}".strip())
            continue
        if check is not None:
            check.earned = override.points
            what = f"check `{check.check.id}`"
        else:
            result.override = override.points
            what = "this exercise"
        result.notes.append(f"Your instructor set {what} to {points(override.points)} "
                            f"point(s): {override.reason}")
    return unused


def gradebook_rows(grades: list[StudentGrade], max_points: dict[str, float]
                   ) -> list[list[str]]:
    """The header, then one row per student (every cell as text)."""
    exercises = list(max_points)
    roster = any(grade.roster for grade in grades)
    header = ["student", *(["name", "section"] if roster else []), *exercises,
              "late_days", "penalty", "total", "status"]
    rows = [header]
    for grade in grades:
        who = [grade.roster.name, grade.roster.section] if grade.roster else ["", ""]
        rows.append([grade.student, *(who if roster else []),
                     *(points(grade.results[name].earned) for name in exercises),
                     str(grade.days_late), f"{points(100 * grade.penalty)}%", points(grade.total),
                     grade.status])
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table; the first row is the header.

    Columns of numbers (points, percentages, fractions) are right-aligned.
    """
    def line(cells):
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    header, *body = rows
    numeric = [bool(body) and all(re.fullmatch(r"[-\d.%/]+", row[i]) for row in body)
               for i in range(len(header))]
    aligns = ["---:" if right else "---" for right in numeric]
    return "\n".join([line(header), "| " + " | ".join(aligns) + " |", *map(line, body)]) + "\n"


def write_gradebook(folder: Path, grades: list[StudentGrade], max_points: dict[str, float],
                    show_hidden: bool = False, title: str = "Gradebook") -> None:
    """Write gradebook.csv, gradebook.md and feedback/<student>.md in ``folder``."""
    rows = gradebook_rows(grades, max_points)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    maxima = ", ".join(f"{name} {points(value)}" for name, value in max_points.items())
    (folder / "gradebook.md").write_text(
        f"# {title}\n\nMaximum points: {maxima}; total {points(sum(max_points.values()))}.\n\n"
        + markdown_table(rows), encoding="utf-8")
    feedback = folder / "feedback"
    feedback.mkdir(exist_ok=True)
    for grade in grades:
        (feedback / f"{grade.student}.md").write_text(feedback_text(grade, show_hidden),
                                                      encoding="utf-8")


def feedback_text(grade: StudentGrade, show_hidden: bool = False) -> str:
    """The Markdown feedback of one student."""
    possible = sum(result.max_points for result in grade.results.values())
    lines = [f"# Feedback: {grade.student}", "",
             f"Total: {points(grade.total)} / {points(possible)} points. "
             f"Status: {grade.status}.", ""]
    if grade.days_late:
        lines += [f"- Submitted {_days(grade.days_late)} after the deadline: the late policy "
                  f"takes {points(100 * grade.penalty)}% off your {points(grade.earned)} "
                  "points.", ""]
    for name in grade.unexpected:
        guess = suggest(name, list(grade.results))
        hint = f" Did you mean `{guess}.ipynb`?" if guess else ""
        lines += [f"- Unexpected file `{name}`: it was not graded. Submissions must be named "
                  f"exactly like the exercises, directly in your folder.{hint}", ""]
    for name, result in grade.results.items():
        lines += exercise_feedback(name, result, show_hidden)
    return "\n".join(lines).rstrip() + "\n"


def exercise_feedback(name: str, result: NotebookResult, show_hidden: bool = False) -> list[str]:
    """The feedback section of one exercise."""
    lines = [f"## {name}: {points(result.earned)} / {points(result.max_points)} points", ""]
    lines += [f"- {note}" for note in result.notes]
    lines += [""] if result.notes else []
    if any(c.outcome in (Outcome.NOT_SUBMITTED, Outcome.INVALID) for c in result.checks):
        return lines
    passed = [check.check.id for check in result.checks if check.passed]
    if passed:
        lines += ["Passed: " + ", ".join(f"`{check}`" for check in passed) + ".", ""]
    for check in result.checks:
        if not check.passed:
            lines += failed_check(check, show_hidden)
    return lines


def failed_check(result: CheckResult, show_hidden: bool = False) -> list[str]:
    """A failed check in Markdown: id, points, reason, probable mistake, and the details.

    A hidden check shows no details (its code, inputs and expected output stay private)
    unless ``show_hidden``. The self-check (``nnscratch check``) prints the same text.
    """
    check = result.check
    hidden = " (hidden check)" if check.hidden else ""
    unit = "point" if check.points == 1 else "points"
    lines = [f"### `{check.id}`{hidden}: {points(result.earned)} / {points(check.points)} "
             f"{unit}, {result.outcome.reason}", ""]
    lines += [f"- Probable mistake: {hint}" for hint in result.hints]
    lines += [""] if result.hints else []
    if check.hidden and not show_hidden:
        return lines + ["A hidden check tests other inputs; its code and expected output are "
                        "not shown.", ""]
    if result.detail:
        label = "First difference" if result.outcome is Outcome.WRONG else "Detail"
        lines += [f"{label}: `{_one_line(result.detail)}`", ""]
    if result.outcome in (Outcome.WRONG, Outcome.ERROR, Outcome.TIMEOUT):
        lines += ["Expected output:", "", *fenced(_cut(result.expected)), "",
                  "Your output:", "", *fenced(_cut(result.actual)), ""]
    return lines


def _cut(text: str) -> str:
    return text[:FEEDBACK_TEXT_CAP] + "\n... [cut]" if len(text) > FEEDBACK_TEXT_CAP else text


def _one_line(text: str) -> str:
    text = " ".join(text.split()).replace("`", "'")
    return (text[:300] + " ...") if len(text) > 300 else text
