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
    for option in ("--out", "--jobs", "--timeout", "--solutions", "--memory"):
        assert option in out


@pytest.mark.parametrize("argv, message", [
    (["check", "missing.ipynb"], "no such file: missing.ipynb"),
    (["check", str(FIXTURES / "build.py")], f"not a notebook: {FIXTURES / 'build.py'} "
                                             "(expected an .ipynb file)"),
    (["check", str(FIXTURES / "solutions")], "not a notebook"),
    (["grade", "no-such-class"], "no submissions folder at no-such-class"),
])
def test_input_errors_are_one_line_exit_2(capsys, argv, message):
    code, out, err = run(capsys, *argv, "--solutions", str(SOLUTIONS))
    assert code == 2
    assert err.startswith(f"nnscratch: error: {message}")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_unknown_exercise(capsys, tmp_path):
    path = tmp_path / "03_other.ipynb"
    shutil.copy(SOLUTIONS / "02_tiny.ipynb", path)
    code, _, err = run(capsys, "check", str(path), "--solutions", str(SOLUTIONS))
    assert code == 2
    assert err == (f"nnscratch: error: unknown exercise '03_other': no {SOLUTIONS / path.name} "
                   "(exercises: 01_basics, 02_tiny)\n")


def test_missing_solutions_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(SOLUTIONS / "02_tiny.ipynb", tmp_path / "02_tiny.ipynb")
    (tmp_path / "class").mkdir()
    for argv in (["check", "02_tiny.ipynb"], ["grade", "class"]):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert "no solutions folder at solutions: run from the repository root" in err


def test_unreadable_notebook_exits_1(capsys, tmp_path):
    path = tmp_path / "02_tiny.ipynb"
    path.write_text("{oops")
    code, _, err = run(capsys, "check", str(path), "--solutions", str(SOLUTIONS))
    assert code == 1
    assert err.startswith(f"nnscratch: error: cannot read {path}: ")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_self_check_of_an_exercise_and_a_solution(capsys, tmp_path):
    exercise = FIXTURES / "exercises" / "02_tiny.ipynb"
    code, out, _ = run(capsys, "check", str(exercise), "--solutions", str(SOLUTIONS))
    assert code == 0
    assert "FAIL  square  0/1" in out and "NotImplementedError: Your code here" in out
    assert "square-negative" not in out  # hidden
    assert "Score: 0/1 points on the visible checks" in out

    answered = nbformat.read(exercise, as_version=4)
    answered.cells[2].source = "def square(x):\n    return x * x\n"
    path = tmp_path / "02_tiny.ipynb"
    nbformat.write(answered, path)
    before = path.read_bytes()
    code, out, _ = run(capsys, "check", str(path), "--solutions", str(SOLUTIONS))
    assert code == 0 and "PASS  square  1/1" in out and "Score: 1/1" in out
    assert path.read_bytes() == before


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
