"""The built book: table of contents, output pages, executed chapters.

These tests read the output of ``make book`` (``_build/html``) and do not build the
book themselves. Each chapter must import the library instead of redefining it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import chapter_stems

pytestmark = [pytest.mark.book, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CACHE = ROOT / "_build" / ".jupyter_cache"

STEMS = chapter_stems()

# Public names of nnscratch (see API.md) that a chapter must import, not redefine.
LIBRARY_FUNCTIONS = {
    *(f"{op}_{way}" for op in ("linear", "relu", "leaky_relu", "sigmoid", "tanh",
                                "dropout", "batchnorm", "layernorm", "rmsnorm")
      for way in ("forward", "backward")),
    "softmax", "log_softmax", "softmax_cross_entropy", "mse_loss",
    "xavier_uniform", "xavier_normal", "he_normal", "he_uniform",
    "sgd_momentum_update", "rmsprop_update", "adam_update",
    "numerical_gradient", "numerical_gradient_array", "rel_error", "check_gradients",
    "fit",
}
LIBRARY_CLASSES = {
    "Parameter", "Module", "Linear", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Dropout",
    "BatchNorm1d", "LayerNorm", "RMSNorm", "Sequential", "TwoLayerNet", "MLP",
    "SGD", "RMSprop", "Adam",
}
IMPORTS_LIBRARY = re.compile(r"^\s*(import nnscratch|from nnscratch\b)", re.MULTILINE)


def built(relative: str) -> Path:
    path = HTML / relative
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing: run `make book` first"
    return path


def chapter_notebook(stem: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)


def code_of(nb: nbformat.NotebookNode) -> str:
    """Python source of the code cells; IPython magics and shell lines dropped."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines += [line for line in cell.source.splitlines()
                      if not line.lstrip().startswith(("%", "!"))]
            lines.append("")
    return "\n".join(lines)


def redefined_library_names(source: str) -> list[str]:
    """Functions/classes named like the library's. ``nn.Module`` subclasses are allowed."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name in LIBRARY_FUNCTIONS:
            found.append(f"def {node.name}")
        elif isinstance(node, ast.ClassDef) and node.name in LIBRARY_CLASSES:
            bases = [ast.unparse(base) for base in node.bases]
            if not any(base.endswith("nn.Module") for base in bases):
                found.append(f"class {node.name}")
    return found


def test_toc_lists_chapters_then_challenges():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert toc["root"] == "intro"
    parts = {part["caption"]: [entry["file"] for entry in part["chapters"]]
             for part in toc["parts"]}
    assert list(parts) == ["Chapters", "Challenges"]
    assert parts["Chapters"] == [f"chapters/{stem}" for stem in STEMS]
    assert [stem[:3] for stem in STEMS] == [f"{n:02d}_" for n in range(1, 11)]
    assert parts["Challenges"] == [f"exercises/{stem}" for stem in STEMS] + ["instructor_guide"]


def test_every_page_is_built():
    for page in ["index.html", "intro.html", "instructor_guide.html"]:
        built(page)
    for stem in STEMS:
        built(f"chapters/{stem}.html")
        built(f"exercises/{stem}.html")


def test_mathjax_is_served_by_the_book():
    built("_static/mathjax/tex-chtml.js")
    page = built(f"chapters/{STEMS[0]}.html").read_text(encoding="utf-8")
    assert re.search(r'src="\.\./_static/mathjax/tex-chtml\.js(\?v=\w+)?"', page)


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_imports_the_library(stem):
    source = code_of(chapter_notebook(stem))
    assert IMPORTS_LIBRARY.search(source), (
        f"chapters/{stem}.ipynb must `import nnscratch` (or `from nnscratch import ...`)"
    )
    assert redefined_library_names(source) == [], (
        f"chapters/{stem}.ipynb redefines library code; import it from nnscratch instead"
    )


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_was_executed(stem):
    """The cache holds an execution of the chapter's current code, and it shows outputs."""
    from jupyter_cache import get_cache

    assert CACHE.is_dir(), f"{CACHE.relative_to(ROOT)} is missing: run `make book` first"
    try:
        get_cache(str(CACHE)).match_cache_notebook(chapter_notebook(stem))
    except KeyError:
        pytest.fail(f"chapters/{stem}.ipynb has no executed copy of its current code: "
                    "run `make book`")
    soup = BeautifulSoup(built(f"chapters/{stem}.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert soup.select("div.cell_output"), f"chapters/{stem}.html shows no cell output"


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_shows_no_unexpected_error(stem):
    """Tracebacks appear only in cells tagged ``raises-exception`` (deliberate errors)."""
    soup = BeautifulSoup(built(f"chapters/{stem}.html").read_text(encoding="utf-8"),
                         "html.parser")
    unexpected = []
    for output in soup.select("div.cell_output"):
        text = output.get_text()
        is_error = output.select("div.output.traceback, div.output.error") or (
            "Traceback (most recent call last)" in text
        )
        cell = output.find_parent("div", class_="cell")
        deliberate = cell is not None and "tag_raises-exception" in cell.get("class", [])
        if is_error and not deliberate:
            unexpected.append(text.strip().splitlines()[-1] if text.strip() else "(empty)")
    assert unexpected == [], f"chapters/{stem}.html shows errors: {unexpected}"
