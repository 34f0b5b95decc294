"""What an instructor reads or uploads besides the gradebook.

- ``checks.csv``: one row per student and check (long format), for a spreadsheet or pandas;
- ``summary.md`` and ``summary.png``: per check, its pass rate and most frequent failure,
  and the distribution of totals;
- ``lms/canvas.csv`` and ``lms/moodle.csv``: one row per student, one column per
  assignment, for the gradebook import of Canvas ("Student", "ID", "SIS User ID",
  "SIS Login ID", "Section", then one column per assignment, which Canvas matches by
  name or creates) and of Moodle ("ID number", "Email address", "Full name", then one
  column per grade item; choose "ID number" or "Email address" to map users).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from .gradebook import StudentGrade, markdown_table, points
from .results import CheckResult, Outcome
from .semester import RosterEntry

CHECK_COLUMNS = ["student", "assignment", "exercise", "check", "hidden", "points", "max",
                 "status"]


def check_rows(assignment: str, grades: list[StudentGrade]) -> list[list[str]]:
    """The long-format rows of every check of every student (with the header)."""
    rows = [CHECK_COLUMNS]
    for grade in grades:
        for exercise, result in grade.results.items():
            for check in result.checks:
                rows.append([grade.student, assignment, exercise, check.check.id,
                             str(check.check.hidden).lower(), points(check.earned),
                             points(check.check.points), check.outcome.value])
    return rows


def failure(check: CheckResult) -> str:
    """A failure in a few words, comparable across students: the hint, else the reason."""
    if check.hints:
        return check.hints[0]
    if check.outcome is Outcome.ERROR and check.detail:
        return f"raised {check.detail.split(':')[0]}"
    return check.outcome.reason


def check_summary(grades: list[StudentGrade]) -> list[list[str]]:
    """Per check: exercise, check, hidden, pass rate and most frequent failure (header first)."""
    submitted = [grade for grade in grades if any(r.submitted for r in grade.results.values())]
    rows = [["exercise", "check", "hidden", "passed", "most frequent failure"]]
    exercises = submitted[0].results if submitted else {}
    for exercise, result in exercises.items():
        for index, check in enumerate(result.checks):
            outcomes = [grade.results[exercise].checks[index] for grade in submitted
                        if grade.results[exercise].submitted]
            passed = sum(c.passed for c in outcomes)
            common = Counter(failure(c) for c in outcomes if not c.passed).most_common(1)
            worst = f"{common[0][0]} ({common[0][1]})" if common else ""
            rows.append([exercise, check.check.id, "yes" if check.check.hidden else "",
                         f"{passed}/{len(outcomes)}", worst])
    return rows


def write_reports(folder: Path, assignment: str, grades: list[StudentGrade],
                  max_points: dict[str, float]) -> None:
    """Write checks.csv, summary.md and summary.png in ``folder``."""
    with open(folder / "checks.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(check_rows(assignment, grades))
    summary = check_summary(grades)
    totals = [grade.total for grade in grades]
    possible = sum(max_points.values())
    mean = sum(totals) / len(totals) if totals else 0.0
    text = (f"# Class summary: {assignment}\n\n{len(grades)} students; mean total "
            f"{mean:.1f} / {points(possible)}.\n\n![Totals and pass rates](summary.png)\n\n"
            + markdown_table(summary))
    (folder / "summary.md").write_text(text, encoding="utf-8")
    plot_summary(folder / "summary.png", assignment, totals, possible, summary[1:])


def plot_summary(path: Path, assignment: str, totals: list[float], possible: float,
                 checks: list[list[str]]) -> None:
    """Two panels: the histogram of totals, and the pass rate of every check."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    rates = [int(row[3].split("/")[0]) / max(1, int(row[3].split("/")[1])) for row in checks]
    labels = [f"{row[0].split('_')[0]} {row[1]}{' (hidden)' if row[2] else ''}"
              for row in checks]
    height = max(3.5, 0.28 * len(checks) + 1.2)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, height),
                                         gridspec_kw={"width_ratios": [1, 1.3]})
    left.hist(totals, bins=min(20, max(5, len(totals))), range=(0, possible or 1),
              color="#4C72B0", edgecolor="white")
    left.set(title=f"Totals ({len(totals)} students)", xlabel=f"points (of {points(possible)})",
             ylabel="students")
    left.yaxis.set_major_locator(MaxNLocator(integer=True))
    positions = range(len(rates))
    right.barh(positions, rates, color=["#C44E52" if r < 0.5 else "#55A868" for r in rates])
    right.set_yticks(list(positions), labels, fontsize=8)
    right.invert_yaxis()
    right.set(title="Pass rate per check", xlabel="fraction of submissions passing",
              xlim=(0, 1))
    figure.suptitle("Class summary" if assignment == "all" else f"Class summary: {assignment}")
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(figure)


def write_lms(folder: Path, students: list[RosterEntry], totals: dict[str, dict[str, float]]
              ) -> None:
    """Write lms/canvas.csv and lms/moodle.csv: one row per student, one column per assignment.

    ``totals`` maps each assignment to the students' totals (a missing student scores 0).
    """
    target = folder / "lms"
    target.mkdir(parents=True, exist_ok=True)
    assignments = list(totals)
    canvas = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignments]]
    moodle = [["ID number", "Email address", "Full name", *assignments]]
    for student in students:
        scores = [points(totals[name].get(student.id, 0.0)) for name in assignments]
        canvas.append([student.name or student.id, "", student.id, student.email,
                       student.section, *scores])
        moodle.append([student.id, student.email, student.name or student.id, *scores])
    for name, rows in (("canvas.csv", canvas), ("moodle.csv", moodle)):
        with open(target / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerows(rows)
