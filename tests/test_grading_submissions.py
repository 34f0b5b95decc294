"""Finding a class's submissions: one folder per student, notebooks named by exercise."""

from __future__ import annotations

from nnscratch.grading.submissions import find_submissions, suggest

EXERCISES = ["01_initialization", "02_activations"]


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")


def test_find_submissions(tmp_path):
    for name in ["ada/01_initialization.ipynb", "ada/02_activations.ipynb", "ada/README.md",
                 "ada/.ipynb_checkpoints/01_initialization-checkpoint.ipynb",
                 "bob/01-initialization.ipynb", "bob/work/02_activations.ipynb",
                 "bob/notes.ipynb", "stray.ipynb", ".hidden/01_initialization.ipynb",
                 "out/gradebook.md"]:
        touch(tmp_path / name)
    (tmp_path / "carol").mkdir()
    students, warnings = find_submissions(tmp_path, EXERCISES, skip=(tmp_path / "out",))
    assert [s.student for s in students] == ["ada", "bob", "carol"]
    ada, bob, carol = students
    assert ada.notebooks == {name: tmp_path / "ada" / f"{name}.ipynb" for name in EXERCISES}
    assert ada.unexpected == []
    assert bob.notebooks == {}
    assert bob.unexpected == ["01-initialization.ipynb", "notes.ipynb", "work/02_activations.ipynb"]
    assert (carol.notebooks, carol.unexpected) == ({}, [])
    assert len(warnings) == 1 and "stray.ipynb" in warnings[0]


def test_suggest():
    assert suggest("01-initialization.ipynb", EXERCISES) == "01_initialization"
    assert suggest("02_Activations.ipynb", EXERCISES) == "02_activations"
    assert suggest("notes.ipynb", EXERCISES) is None
