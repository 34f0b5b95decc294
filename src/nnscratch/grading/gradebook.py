"""Write the gradebook (CSV and Markdown) and one feedback file per student.

``gradebook.csv`` / ``gradebook.md``: a header ``student, <exercise>..., total, status``,
then a ``(max)`` row with the maximum points, then one row per student with the
points earned. ``status`` is ``ok`` or the student's problems joined by ``; ``.
``feedback/<student>.md``: per exercise, the notes and each failed check with its id,
points, and expected vs actual output (truncated).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .notebooks import fenced
from .results import CheckResult, NotebookResult, Outcome
from .submissions import suggest

MAX_ROW = "(max)"
FEEDBACK_TEXT_CAP = 2000


@dataclass
class StudentGrade:
    """Every exercise's result for one student, and the notebooks matching no exercise."""

    student: str
    results: dict[str, NotebookResult]
    unexpected: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(result.earned for result in self.results.values())

    @property
    def status(self) -> str:
        problems = [f"unexpected file {name}" for name in self.unexpected]
        missing = [name for name, result in self.results.items() if not result.submitted]
        problems += [f"{name}: {problem}" for name, result in self.results.items()
                     if result.submitted for problem in result.problems]
        if missing:
            problems.append("not submitted: " + ", ".join(missing))
        return "; ".join(problems) or "ok"


def points(value: float) -> str:
    """``2`` for 2.0, ``1.5`` for 1.5."""
    return f"{value:g}"


def gradebook_rows(grades: list[StudentGrade], max_points: dict[str, float]) -> list[list[str]]:
    """Header, the ``(max)`` row, then one row per student (all cells as text)."""
    exercises = list(max_points)
    rows = [["student", *exercises, "total", "status"],
            [MAX_ROW, *(points(max_points[name]) for name in exercises),
             points(sum(max_points.values())), ""]]
    for grade in grades:
        rows.append([grade.student, *(points(grade.results[name].earned) for name in exercises),
                     points(grade.total), grade.status])
    return rows


def markdown_table(rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table; the first row is the header."""
    def line(cells):
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    header, *body = rows
    aligns = ["---", *["---:"] * (len(header) - 2), "---"]
    return "\n".join([line(header), "| " + " | ".join(aligns) + " |", *map(line, body)]) + "\n"


def write_gradebook(out: Path, grades: list[StudentGrade], max_points: dict[str, float],
                    show_hidden: bool = False) -> list[Path]:
    """Write gradebook.csv, gradebook.md and feedback/<student>.md under ``out``."""
    rows = gradebook_rows(grades, max_points)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    (out / "gradebook.md").write_text("# Gradebook\n\n" + markdown_table(rows), encoding="utf-8")
    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    written = [out / "gradebook.csv", out / "gradebook.md"]
    for grade in grades:
        path = feedback / f"{grade.student}.md"
        path.write_text(feedback_text(grade, show_hidden), encoding="utf-8")
        written.append(path)
    return written


def feedback_text(grade: StudentGrade, show_hidden: bool = False) -> str:
    """The Markdown feedback of one student."""
    possible = sum(result.max_points for result in grade.results.values())
    lines = [f"# Feedback: {grade.student}", "",
             f"Total: {points(grade.total)} / {points(possible)} points. "
             f"Status: {grade.status}.", ""]
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
    lines = [f"### `{check.id}`{hidden}: 0 / {points(check.points)} {unit}, "
             f"{result.outcome.reason}", ""]
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
