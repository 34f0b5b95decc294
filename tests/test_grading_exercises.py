"""Exercise generation: solution regions become stubs, hidden cells go, outputs clear."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat
import pytest

from nnscratch.cli import main
from nnscratch.grading.exercises import (
    CHECK_MAGIC,
    EXPECTED,
    SELFCHECK_TAG,
    STUB,
    make_exercise,
    stale_exercises,
    stub_solution_regions,
    write_exercises,
)
from nnscratch.grading.notebooks import InvalidSolution
from nnscratch.grading.roles import cell_role, graded_checks, solution_problems

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
REPO = Path(__file__).resolve().parents[1]


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(FIXTURES / "solutions" / f"{name}.ipynb", as_version=4)


def test_stub_keeps_code_outside_the_region_and_its_indentation():
    source = ("def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    y = x + 1\n"
              "    return y\n    ### END SOLUTION\n\nprint('after')\n")
    assert stub_solution_regions(source) == (
        f"def f(x):\n    \"\"\"Doc.\"\"\"\n    {STUB}\n\nprint('after')\n")


def test_stub_at_top_level_and_several_regions():
    source = ("a = 0\n### BEGIN SOLUTION\na = 1\n### END SOLUTION\n"
              "class C:\n    def g(self):\n        ### BEGIN SOLUTION\n        return 2\n"
              "        ### END SOLUTION")
    assert stub_solution_regions(source) == (
        f"a = 0\n{STUB}\nclass C:\n    def g(self):\n        {STUB}")


def test_stub_without_regions_is_identity():
    assert stub_solution_regions("x = 1\n") == "x = 1\n"


@pytest.mark.parametrize("source, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "never closed"),
    ("x = 1\n### END SOLUTION\n", "without"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "nested"),
])
def test_stub_rejects_unbalanced_markers(source, message):
    with pytest.raises(ValueError, match=message):
        stub_solution_regions(source)


def test_make_exercise_drops_hidden_clears_outputs_keeps_ids_and_metadata():
    solution = read("01_basics")
    original = copy.deepcopy(solution)
    exercise = make_exercise(solution)
    assert solution == original  # input untouched
    generated = [cell for cell in exercise.cells
                 if SELFCHECK_TAG in cell.metadata.get("tags", [])]
    mine = [cell for cell in exercise.cells if cell not in generated]
    kept = [cell for cell in solution.cells if cell_role(cell) != "hidden"]
    assert [cell.id for cell in mine] == [cell.id for cell in kept]
    assert exercise.metadata == solution.metadata
    for old, new in zip(kept, mine, strict=True):
        if new.cell_type == "code":
            assert new.outputs == [] and new.execution_count is None
        role = cell_role(new)
        if role == "answer":
            assert STUB in new.source and "### BEGIN SOLUTION" not in new.source
        elif role == "check":
            meta = new.metadata.nnscratch
            assert new.source == f"{CHECK_MAGIC} {meta['id']}\n{old.source}"
            assert meta[EXPECTED] == "".join(o.text for o in old.outputs)
        else:
            assert new.source == old.source and new.metadata == old.metadata


def test_the_exercise_shows_each_expected_output_and_can_check_itself():
    exercise = make_exercise(read("01_basics"))
    ids = [cell.id for cell in exercise.cells]
    assert ids.index("selfcheck") == ids.index("setup") + 1
    assert ids[ids.index("check-total") + 1] == "check-total-expected"
    cells = {cell.id: cell for cell in exercise.cells}
    assert cells["check-total-expected"].source == (
        "Expected output of `total` (1 point):\n\n```text\n385\n```")
    helper = cells["selfcheck"].source
    assert "def compare_outputs" in helper and "import nnscratch" not in helper
    assert "'total': (1, 1e-06, '385\\n')," in helper
    assert "relu-shape" not in helper  # hidden checks stay out of the exercise


def test_the_self_check_cell_gives_a_verdict_in_plain_jupyter():
    """Run the exercise as a learner would, with nbclient, no nnscratch involved."""
    from nbclient import NotebookClient

    exercise = make_exercise(read("01_basics"))
    answers = {cell.id: cell.source for cell in read("01_basics").cells}
    for cell in exercise.cells:
        if cell_role(cell) == "answer":
            cell.source = answers[cell.id]
    cells = {cell.id: cell for cell in exercise.cells}
    cells["answer-relu"].source = "def relu(x):\n    return np.abs(x)"
    NotebookClient(exercise, timeout=60, kernel_name="python3").execute()
    printed = {cell.id: "".join(o.get("text", "") for o in cell.outputs)
               for cell in exercise.cells if cell_role(cell) == "check"}
    assert "PASS total: 1/1 points" in printed["check-total"]
    assert "FAIL relu-values: 0/2 points; line 1: expected 0., got " in printed[
        "check-relu-values"]
    assert "probable mistake: relu of a negative number is 0" in printed["check-relu-values"]


def test_roles_and_default_dependencies():
    checks = {check.id: check for check in graded_checks(read("01_basics"))}
    assert checks["relu-values"].depends == ("answer-relu",)
    assert checks["relu-shape"].hidden and checks["relu-shape"].points == 1
    assert checks["combined"].depends == ("answer-relu", "answer-sigmoid")
    assert checks["total"].depends == ("answer-total",)
    assert solution_problems(read("01_basics")) == []


def test_solution_problems_are_reported():
    nb = read("02_tiny")
    nb.cells[3].metadata.nnscratch = {"id": "square"}  # no points
    nb.cells[4].metadata.nnscratch["id"] = "square"
    nb.cells[4].metadata.nnscratch["depends"] = ["answer-nope"]
    nb.cells[2].source = "def square(x):\n    return x * x"
    problems = "\n".join(solution_problems(nb))
    assert "needs metadata nnscratch" in problems
    assert "without '### BEGIN SOLUTION'" in problems
    assert "unknown answer cells ['answer-nope']" in problems
    assert "exactly one line 'SEED = 0' (found 1)" not in problems


def test_a_solution_needs_its_seed_line():
    nb = read("02_tiny")
    nb.cells[1].source = "import numpy as np"
    assert "exactly one line 'SEED = 0' (found 0)" in "\n".join(solution_problems(nb))


def copy_fixtures(tmp_path: Path) -> tuple[Path, Path]:
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    shutil.copytree(FIXTURES / "solutions", solutions)
    shutil.copytree(FIXTURES / "exercises", exercises)
    return solutions, exercises


def test_fixture_exercises_are_up_to_date(capsys):
    code = main(["exercises", "--check", "--solutions", str(FIXTURES / "solutions"),
                 "--exercises", str(FIXTURES / "exercises")])
    assert code == 0, capsys.readouterr().out


def test_check_lists_stale_missing_and_orphan_files(tmp_path, capsys):
    solutions, exercises = copy_fixtures(tmp_path)
    (exercises / "01_basics.ipynb").write_text("{}")
    (exercises / "02_tiny.ipynb").unlink()
    shutil.copy(solutions / "02_tiny.ipynb", exercises / "99_old.ipynb")
    code = main(["exercises", "--check", "--solutions", str(solutions),
                 "--exercises", str(exercises)])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{exercises / '01_basics.ipynb'} (out of date)" in out
    assert f"{exercises / '02_tiny.ipynb'} (missing)" in out
    assert f"{exercises / '99_old.ipynb'} (no matching solution)" in out


def test_generation_is_deterministic_and_idempotent(tmp_path):
    solutions, exercises = copy_fixtures(tmp_path)
    shutil.rmtree(exercises)
    assert len(write_exercises(solutions, exercises)) == 2
    first = {path.name: path.read_bytes() for path in exercises.iterdir()}
    assert write_exercises(solutions, exercises) == []
    assert stale_exercises(solutions, exercises) == []
    assert first == {path.name: path.read_bytes() for path in exercises.iterdir()}
    assert first["01_basics.ipynb"] == (FIXTURES / "exercises" / "01_basics.ipynb").read_bytes()


def test_cli_generates_exercises(tmp_path, capsys):
    solutions, exercises = copy_fixtures(tmp_path)
    shutil.rmtree(exercises)
    assert main(["exercises", "--solutions", str(solutions), "--exercises", str(exercises)]) == 0
    assert "2 exercise notebook(s) updated" in capsys.readouterr().out


def test_unclosed_region_names_the_file_and_cell(tmp_path):
    solutions, exercises = copy_fixtures(tmp_path)
    nb = read("02_tiny")
    nb.cells[2].source = nb.cells[2].source.replace("    ### END SOLUTION", "")
    nbformat.write(nb, solutions / "02_tiny.ipynb")
    with pytest.raises(InvalidSolution, match="answer cell 'answer-square'.*never closed"):
        write_exercises(solutions, exercises)
    assert main(["exercises", "--solutions", str(solutions), "--exercises", str(exercises)]) == 1


def test_missing_solutions_folder_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["exercises", "--check"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == ("nnscratch: error: no solutions folder at solutions: run from the "
                           "repository root or pass --solutions DIR")


def test_repository_exercises_are_generated_from_solutions(capsys):
    code = main(["exercises", "--check", "--solutions", str(REPO / "solutions"),
                 "--exercises", str(REPO / "exercises")])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
