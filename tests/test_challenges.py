"""Each challenge graded with its test class, in the sandbox, as a class would be.

A test class (``tests/challenges/NN_topic.py``) holds answers written as careful learners
would, in other correct forms (``CORRECT``: loops, other stable formulas, other cache
contents), and answers with the classic bugs of the topic (``BUGGY``: each with a phrase
its hint must contain). Every member is the solution with some answer cells replaced.
The class is graded once per challenge with a fixed secret seed, together with a forger
that knows every stored output of the solution and replays it through an IPython input
transformer, computing nothing.

- every correct member gets full marks and no hint;
- every buggy member loses points; at least 80% get the hint that names their bug;
- the forger scores at most 10% of the points.
"""

from __future__ import annotations

import copy
import importlib
import shutil
from pathlib import Path

import nbformat
import pytest

from nnscratch.grading.grade import Options, grade_class
from nnscratch.grading.notebooks import output_text
from nnscratch.grading.roles import cell_role
from nnscratch.grading.runner import Limits

ROOT = Path(__file__).resolve().parents[1]
CLASSES = sorted(path.stem for path in (Path(__file__).parent / "challenges").glob("[0-9]*.py"))
SEED = 20261201  # a fixed "secret" seed, so that a failure can be reproduced

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]


def load_class(stem: str):
    return importlib.import_module(f"tests.challenges.{stem}")


def with_answers(solution: nbformat.NotebookNode, answers: dict[str, str]):
    nb = copy.deepcopy(solution)
    unknown = set(answers) - {cell.id for cell in nb.cells if cell_role(cell) == "answer"}
    assert not unknown, f"not answer cells: {unknown}"
    for cell in nb.cells:
        if cell.id in answers:
            cell.source = answers[cell.id]
    return nb


FORGE = '''
KNOWN = {known!r}


def forge(lines):
    return [f"print({{KNOWN[''.join(lines).strip()]!r}}, end='')\\n"] \\
        if "".join(lines).strip() in KNOWN else lines


get_ipython().input_transformers_cleanup.append(forge)
'''


def forger(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Answers left as exercise stubs; every check replaced by a print of its stored output."""
    known = {cell.source.strip(): output_text(cell.outputs) for cell in solution.cells
             if cell_role(cell) in ("check", "hidden")}
    from nnscratch.grading.exercises import make_exercise

    stubs = {cell.id: cell.source for cell in make_exercise(solution).cells
             if cell_role(cell) == "answer"}
    first = next(iter(stubs))
    stubs[first] = FORGE.format(known=known) + "\n" + stubs[first]
    return with_answers(solution, stubs)


@pytest.fixture(scope="module", params=CLASSES)
def graded(request, tmp_path_factory):
    stem = request.param
    members = load_class(stem)
    root = tmp_path_factory.mktemp(stem)
    solutions = root / "solutions"
    solutions.mkdir()
    shutil.copy(ROOT / "solutions" / f"{stem}.ipynb", solutions)
    solution = nbformat.read(solutions / f"{stem}.ipynb", as_version=4)
    students = {f"correct-{name}": with_answers(solution, answers)
                for name, answers in members.CORRECT.items()}
    students.update({f"buggy-{name}": with_answers(solution, answers)
                     for name, (answers, _) in members.BUGGY.items()})
    students["forger"] = forger(solution)
    for student, notebook in students.items():
        (root / "class" / student).mkdir(parents=True)
        nbformat.write(notebook, root / "class" / student / f"{stem}.ipynb")
    summary = grade_class(root / "class", solutions, root / "out",
                          Options(limits=Limits(timeout=120, jobs=2), seed=SEED))
    return stem, members, {grade.student: grade.results[stem] for grade in summary.grades}


def hints(result) -> list[str]:
    return [hint for check in result.checks for hint in check.hints]


def test_the_class_is_big_enough(graded):
    _, members, _ = graded
    assert len(members.CORRECT) >= 2 and len(members.BUGGY) >= 3


def test_correct_answers_get_full_marks_and_no_hint(graded):
    _, members, results = graded
    for name in members.CORRECT:
        result = results[f"correct-{name}"]
        failed = {c.check.id: c.detail for c in result.checks if not c.passed}
        assert failed == {}, f"correct-{name} lost points: {failed}"
        assert result.problems == [] and hints(result) == [], name


def test_buggy_answers_lose_points(graded):
    _, members, results = graded
    kept = [name for name in members.BUGGY
            if results[f"buggy-{name}"].earned == results[f"buggy-{name}"].max_points]
    assert kept == []


def test_hints_name_the_bug(graded):
    _, members, results = graded
    named = {name: any(phrase.lower() in hint.lower()
                       for hint in hints(results[f"buggy-{name}"]))
             for name, (_, phrase) in members.BUGGY.items()}
    missed = [name for name, ok in named.items() if not ok]
    assert len(missed) <= 0.2 * len(named), f"no hint naming the bug: {missed}"


def test_the_forger_scores_at_most_ten_percent(graded):
    _, _, results = graded
    result = results["forger"]
    assert result.earned <= 0.1 * result.max_points, \
        [c.check.id for c in result.checks if c.passed]


STEMS = sorted(path.stem for path in (ROOT / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("stem", STEMS)
def test_the_exercise_checks_itself_in_plain_jupyter(stem):
    """With the solution's answers, every %%check prints PASS; untouched, every one FAILs.

    Plain nbclient and the stock python3 kernel, as in Jupyter, Colab or Binder: no
    sandbox and no nnscratch.
    """
    from nbclient import NotebookClient

    exercise = nbformat.read(ROOT / "exercises" / f"{stem}.ipynb", as_version=4)
    answers = {cell.id: cell.source for cell in
               nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4).cells}
    for blank in (True, False):
        nb = copy.deepcopy(exercise)
        for cell in nb.cells:
            if cell_role(cell) == "answer" and not blank:
                cell.source = answers[cell.id]
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=blank).execute()
        for cell in nb.cells:
            if cell_role(cell) == "check":
                printed = "".join(o.get("text", "") for o in cell.outputs)
                verdict = "FAIL" if blank else "PASS"
                assert f"{verdict} {cell.metadata.nnscratch['id']}:" in printed, printed[-500:]


@pytest.mark.parametrize("stem", STEMS)
def test_stored_outputs_do_not_survive_another_seed(stem):
    """Replaying the stored outputs (seed 0) earns at most 10% of the points at other seeds.

    The forger above is graded at one seed; a check with few possible outputs (a list of
    names, a permutation) would pay off at some seeds. Here the solution runs in this
    process at three more seeds, as the self-check magic runs a cell, and every check
    whose output at any of them matches the stored one counts as forgeable.
    """
    import contextlib
    import io

    from nnscratch.grading.roles import graded_checks, with_seed
    from nnscratch.grading.selfcheck import compare_outputs, run_code

    solution = nbformat.read(ROOT / "solutions" / f"{stem}.ipynb", as_version=4)
    checks = {check.cell_id: check for check in graded_checks(solution)}
    stored = {cell.id: output_text(cell.outputs) for cell in solution.cells
              if cell.id in checks}
    forgeable: set[str] = set()
    for seed in (1, 2, 3):
        namespace: dict = {}
        for cell in solution.cells:
            if cell.cell_type != "code":
                continue
            source = with_seed(cell.source, seed) if cell_role(cell) == "setup" else cell.source
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
                run_code(source, namespace, cell.id)
            if cell.id in checks and compare_outputs(stored[cell.id], printed.getvalue(),
                                                     checks[cell.id].rtol) is None:
                forgeable.add(cell.id)
    points = sum(check.points for check in checks.values())
    assert sum(checks[cell].points for cell in forgeable) <= 0.1 * points, sorted(forgeable)
