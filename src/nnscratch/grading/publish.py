"""Turn the stored results into gradebooks, feedback, reports and the LMS exports.

Runs at the end of every ``nnscratch grade`` and of ``nnscratch merge``, from what is in
``<out>/results`` (never from one run's results only), so grading one student or one
notebook updates the class's gradebook and drops no row.

The rows are the roster's students (when a roster is given), every student with a stored
result, and the students of this run. Overrides and the late policy are applied here,
on every run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nbformat import NotebookNode

from .gradebook import StudentGrade, apply_overrides, write_gradebook
from .reports import write_lms, write_reports
from .results import not_submitted
from .roles import graded_checks
from .semester import Assignment, Course, Override, RosterEntry, days_late
from .store import ResultStore

ALL = "all"  # the name of a selection that is not a named assignment


@dataclass
class ClassFiles:
    """What a class's reports are built from, besides the stored results."""

    solutions: dict[str, NotebookNode]
    course: Course
    roster: list[RosterEntry] | None = None
    overrides: list[Override] = field(default_factory=list)
    times: dict[tuple[str, str | None], datetime] | None = None
    unexpected: dict[str, list[str]] = field(default_factory=dict)  # student -> files
    show_hidden: bool = False


def assignment_grades(store: ResultStore, files: ClassFiles, assignment: Assignment,
                      students: list[str], unused: list[str] | None = None
                      ) -> list[StudentGrade]:
    """Every student's grade for ``assignment``, from the store, with overrides and lateness.

    Overrides that match no result are appended to ``unused``.
    """
    on_roster = {entry.id: entry for entry in files.roster or []}
    grades = []
    for student in students:
        results = {}
        for exercise in assignment.exercises:
            stored = store.load(exercise, student)
            results[exercise] = stored or not_submitted(
                exercise, graded_checks(files.solutions[exercise]))
        grade = StudentGrade(student, results, files.unexpected.get(student, []),
                             on_roster.get(student),
                             on_roster=files.roster is None or student in on_roster)
        _apply_lateness(grade, files, assignment)
        grades.append(grade)
    missed = apply_overrides(grades, [o for o in files.overrides
                                      if o.exercise in assignment.exercises])
    if unused is not None:
        unused.extend(missed)
    return grades


def _apply_lateness(grade: StudentGrade, files: ClassFiles, assignment: Assignment) -> None:
    policy = files.course.late_policy
    if not (files.times and assignment.deadline and policy):
        return
    names = [grade.student] + ([grade.roster.email] if grade.roster and grade.roster.email
                               else [])
    days = 0
    for exercise in assignment.exercises:
        if not grade.results[exercise].submitted:
            continue
        times = [files.times.get((name, key)) for name in names for key in (exercise, None)]
        when = next((time for time in times if time is not None), None)
        if when is not None:
            days = max(days, days_late(when, assignment.deadline))
    grade.days_late, grade.penalty = days, policy.penalty(days)


def class_students(store: ResultStore, files: ClassFiles, ran: list[str]) -> list[str]:
    """The gradebook's rows: roster order first, then everyone else, sorted."""
    roster = [entry.id for entry in files.roster or []]
    others = sorted((store.students() | set(ran)) - set(roster))
    return roster + others


def publish(out: Path, store: ResultStore, files: ClassFiles, selection: Assignment,
            ran: list[str]) -> list[StudentGrade]:
    """Write the selection's gradebook and reports, and the LMS exports; return its grades."""
    students = class_students(store, files, ran)
    unused: list[str] = []
    grades = assignment_grades(store, files, selection, students, unused)
    for override in unused:
        print(f"warning: an override matches no graded result: {override}", file=sys.stderr)
    folder = out if selection.name == ALL else out / selection.name
    max_points = {exercise: sum(check.points for check in graded_checks(
        files.solutions[exercise])) for exercise in selection.exercises}
    title = "Gradebook" if selection.name == ALL else f"Gradebook: {selection.name}"
    write_gradebook(folder, grades, max_points, files.show_hidden, title)
    write_reports(folder, selection.name, grades, max_points)
    graded = store.exercises()
    assignments = list(files.course.assignments.values()) or [
        Assignment(name, (name,)) for name in files.solutions]
    totals = {}
    for assignment in assignments:
        if graded & set(assignment.exercises):
            done = grades if assignment == selection else assignment_grades(
                store, files, assignment, students)
            totals[assignment.name] = {grade.student: grade.total for grade in done}
    entries = {entry.id: entry for entry in files.roster or []}
    write_lms(out, [entries.get(student, RosterEntry(student)) for student in students], totals)
    return grades
