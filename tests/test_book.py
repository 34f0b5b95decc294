"""The built book: table of contents, output pages, executed chapters.

These tests read the output of ``make book`` (``_build/html``; the environment variable
``NNSCRATCH_BOOK_HTML`` points them at another build's ``html`` folder) and do not build
the book themselves. Each chapter must import the library instead of redefining it, and
start with the cell that installs it where it is missing (Colab, Binder).
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

from tests.toc import chapter_stems

pytestmark = [pytest.mark.book, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("NNSCRATCH_BOOK_HTML", ROOT / "_build" / "html")).resolve()
CACHE = HTML.parent / ".jupyter_cache"

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

# The first cell of every chapter: in Colab or Binder without the course package it
# installs the package from the repository of _config.yml; elsewhere it does nothing.
INSTALL_CELL = (
    "# In Colab or Binder without the course package, install it (does nothing elsewhere).\n"
    "try:\n"
    "    import nnscratch\n"
    "except ImportError:\n"
    '    %pip install --quiet "nnscratch @ git+{url}"'
)


def shown(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it (for messages)."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def built(relative: str) -> Path:
    path = HTML / relative
    assert path.is_file(), f"{shown(path)} is missing: run `make book` first"
    return path


def chapter_notebook(stem: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "chapters" / f"{stem}.ipynb", as_version=4)


def code_of(nb: nbformat.NotebookNode) -> str:
    """Python source of the code cells; IPython magics and shell lines become ``pass``
    (they may be the body of a block, like the install cell's ``%pip``)."""
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                code = line.lstrip()
                if code.startswith(("%", "!")):
                    line = line[: len(line) - len(code)] + "pass"
                lines.append(line)
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


def test_toc_lists_notation_chapters_then_challenges():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    assert toc["root"] == "intro"
    parts = {part["caption"]: [entry["file"] for entry in part["chapters"]]
             for part in toc["parts"]}
    assert list(parts) == ["Conventions", "Chapters", "Challenges"]
    assert parts["Conventions"] == ["notation"]
    assert parts["Chapters"] == [f"chapters/{stem}" for stem in STEMS]
    # Only the chapters are numbered ("Figure 3.2" in chapter 3); numbering stops at the
    # page titles, so sections inside a chapter carry no number.
    numbered = {part["caption"]: part.get("numbered", False) for part in toc["parts"]}
    assert numbered == {"Conventions": False, "Chapters": 1, "Challenges": False}
    assert [stem[:3] for stem in STEMS] == [f"{n:02d}_" for n in range(1, 11)]
    assert parts["Challenges"] == [f"exercises/{stem}" for stem in STEMS] + ["instructor_guide"]


def test_every_page_is_built():
    for page in ["index.html", "intro.html", "notation.html", "instructor_guide.html"]:
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


def executed_kernel(name: str) -> str:
    """The kernel the book executes a notebook with (``nb_kernel_rgx_aliases``)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    aliases = config["sphinx"]["config"]["nb_kernel_rgx_aliases"]
    return next((kernel for pattern, kernel in aliases.items() if re.fullmatch(pattern, name)),
                name)


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_was_executed(stem):
    """The cache holds an execution of the chapter's current code, and it shows outputs."""
    from jupyter_cache import get_cache

    assert CACHE.is_dir(), f"{shown(CACHE)} is missing: run `make book` first"
    notebook = chapter_notebook(stem)
    notebook.metadata.kernelspec.name = executed_kernel(notebook.metadata.kernelspec.name)
    try:
        get_cache(str(CACHE)).match_cache_notebook(notebook)
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


@pytest.mark.parametrize("stem", STEMS)
def test_chapter_starts_with_the_install_cell(stem):
    """The first cell installs the course package from ``repository.url``, hidden in the book."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    first = chapter_notebook(stem).cells[0]
    assert first.cell_type == "code", f"chapters/{stem}.ipynb must start with the install cell"
    assert first.get("id") == "install"
    assert first.metadata.get("tags") == ["remove-cell"]
    assert first.source == INSTALL_CELL.format(url=config["repository"]["url"])


def test_binder_installs_the_pinned_versions_with_cpu_torch():
    """Binder reads binder/ (not the top-level requirements.txt): the same pins, PyTorch's
    CPU wheel instead of the default one (which pulls in CUDA), and the course package."""

    def lines(path: str) -> list[str]:
        text = (ROOT / path).read_text(encoding="utf-8")
        return [line.split("#", 1)[0].strip() for line in text.splitlines()]

    def pins(path: str) -> dict[str, str]:
        return dict(line.split("==") for line in lines(path) if "==" in line)

    root, binder = pins("requirements.txt"), pins("binder/requirements.txt")
    assert binder.pop("torch") == root["torch"] + "+cpu"
    assert {name: root.get(name) for name in binder} == binder
    options = lines("binder/requirements.txt")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in options
    assert "." in options
    assert (ROOT / "binder" / "runtime.txt").read_text().strip().startswith("python-3.")


@pytest.mark.parametrize("number, stem", list(enumerate(STEMS, start=1)))
def test_chapter_figures_have_numbers_captions_and_alt_text(number, stem):
    """Every figure a chapter draws is "Figure <chapter>.<n>" with a caption, and its image
    has an alt text that describes it (not the file name MyST-NB would use otherwise)."""
    soup = BeautifulSoup(built(f"chapters/{stem}.html").read_text(encoding="utf-8"),
                         "html.parser")
    images = soup.select("div.cell_output img")
    assert images, f"chapters/{stem}.html draws no figure"
    for k, img in enumerate(images, start=1):
        figure = img.find_parent("figure")
        assert figure is not None, f"chapters/{stem}.html: figure {k} has no caption"
        label = figure.select_one("figcaption .caption-number").get_text(strip=True)
        assert label == f"Figure {number}.{k}", (stem, label)
        caption = figure.select_one("figcaption").get_text(" ", strip=True)
        assert len(caption.split()) >= 5, (stem, label, caption)
        alt = img.get("alt", "")
        assert len(alt.split()) >= 8 and not alt.endswith(".png"), (stem, label, alt)
