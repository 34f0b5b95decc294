"""The command line: friendly errors, ``python -m nnscratch``, and the self-check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nnscratch.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "grading"
SOLUTIONS = FIXTURES / "solutions"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_python_dash_m_help():
    result = subprocess.run([sys.executable, "-m", "nnscratch", "--help"],
                            capture_output=True, text=True, check=True)
    for command in ("exercises", "check", "grade"):
        assert command in result.stdout


def test_grade_help_lists_options(capsys):
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    out = capsys.readouterr().out
    for option in ("--out", "--jobs", "--timeout", "--solutions", "--memory", "--no-sandbox",
                   "--show-hidden"):
        assert option in out


@pytest.mark.parametrize("argv, message", [
    (["check", "missing.ipynb"], "no such file: missing.ipynb"),
    (["check", str(FIXTURES / "build.py")], f"not a notebook: {FIXTURES / 'build.py'} "
                                             "(expected an .ipynb file)"),
    (["check", str(FIXTURES / "solutions")], "not a notebook"),
    (["check", str(SOLUTIONS / "02_tiny.ipynb")], f"{SOLUTIONS / '02_tiny.ipynb'} has no checks "
                                                  "with expected outputs"),
    (["grade", "no-such-class", "--solutions", str(SOLUTIONS)],
     "no submissions folder at no-such-class"),
])
def test_input_errors_are_one_line_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith(f"nnscratch: error: {message}")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert out == ""


def test_missing_solutions_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    code, _, err = run(capsys, "grade", "class")
    assert code == 2
    assert "no solutions folder at solutions: run from the repository root" in err


def test_unreadable_notebook_exits_1(capsys, tmp_path):
    path = tmp_path / "02_tiny.ipynb"
    path.write_text("{oops")
    code, _, err = run(capsys, "check", str(path))
    assert code == 1
    assert err.startswith(f"nnscratch: error: cannot read {path}: ")
    assert len(err.strip().splitlines()) == 1


def test_no_sandbox_means_a_clear_refusal(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr("nnscratch.grading.grade.sandbox_problem",
                        lambda: "bubblewrap (bwrap) is not installed: install bubblewrap")
    exercise = FIXTURES / "exercises" / "02_tiny.ipynb"
    code, _, err = run(capsys, "check", str(exercise))
    assert code == 2
    assert err == ("nnscratch: error: cannot grade safely: bubblewrap (bwrap) is not "
                   "installed: install bubblewrap\n")
    (tmp_path / "class" / "ada").mkdir(parents=True)
    code, _, err = run(capsys, "grade", str(tmp_path / "class"), "--solutions", str(SOLUTIONS),
                       "--out", str(tmp_path / "out"))
    assert code == 2 and "cannot grade safely" in err


@pytest.mark.slow
@pytest.mark.sandbox
def test_self_check_needs_only_the_exercise(capsys, tmp_path):
    exercise = tmp_path / "02_tiny.ipynb"  # no solutions folder anywhere near it
    shutil.copy(FIXTURES / "exercises" / "02_tiny.ipynb", exercise)
    code, out, _ = run(capsys, "check", str(exercise))
    assert code == 0
    assert "FAIL  square  0/1" in out and "NotImplementedError: Your code here" in out
    assert "square-negative" not in out  # hidden
    assert "Score: 0/1 points on the visible checks" in out

    answered = nbformat.read(exercise, as_version=4)
    answer = next(cell for cell in answered.cells if cell.id == "answer-square")
    answer.source = "def square(x):\n    return x * x\n"
    nbformat.write(answered, exercise)
    before = exercise.read_bytes()
    code, out, _ = run(capsys, "check", str(exercise))
    assert code == 0 and "PASS  square  1/1" in out and "Score: 1/1" in out
    assert "in the sandbox" in out
    assert exercise.read_bytes() == before


@pytest.mark.parametrize("option, value, message", [
    ("--jobs", "0", "must be > 0, got 0"),
    ("--timeout", "-3", "must be > 0, got -3"),
    ("--timeout", "abc", "expected a number, got 'abc'"),
    ("--memory", "-1", "must be >= 0, got -1"),
])
def test_grade_rejects_bad_limits_before_grading(tmp_path, capsys, option, value, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), option, value])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
