"""Serve MathJax 3 from the built book, so every page renders math without internet.

The MathJax files come from the ``django-static-mathjax`` wheel (``import mathjax``),
pinned in requirements.txt. At build time they are copied into ``_static/mathjax/``
of the HTML output and ``mathjax_path`` points there. Sphinx resolves a relative
``mathjax_path`` against ``_static/`` and writes it relative to each page, so the same
HTML works from ``file://`` and from any web server, at any nesting depth.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

MATHJAX_PATH = "mathjax/tex-chtml.js"

# Only tex-chtml.js among the combined bundles is loaded; the rest are alternatives
# to it (about 14 MB) and are left out. Directories are kept whole: the menu can load
# the SVG output, accessibility tools and the speech-rule engine on demand.
SKIPPED_BUNDLES = {
    "node-main.js",
    "mml-chtml.js",
    "mml-svg.js",
    "tex-chtml-full.js",
    "tex-chtml-full-speech.js",
    "tex-mml-chtml.js",
    "tex-mml-svg.js",
    "tex-svg.js",
    "tex-svg-full.js",
}
STAMP = ".nnscratch-mathjax-source"


def mathjax_es5_dir() -> Path:
    """Directory of the installed MathJax 3 ``es5`` build (holds ``tex-chtml.js``)."""
    try:
        import mathjax  # the django-static-mathjax wheel
    except ImportError as err:
        raise ExtensionError(
            "offline_mathjax: cannot import 'mathjax'; install django-static-mathjax "
            "(pinned in requirements.txt)"
        ) from err
    es5 = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (es5 / "tex-chtml.js").is_file():
        raise ExtensionError(f"offline_mathjax: no tex-chtml.js in {es5}")
    return es5


def set_mathjax_path(app: Sphinx, config: Config) -> None:
    config.mathjax_path = MATHJAX_PATH


def copy_mathjax(app: Sphinx, exception: Exception | None) -> None:
    """Copy MathJax into ``_static/mathjax`` unless the same copy is already there."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_es5_dir()
    target = Path(app.outdir) / "_static" / "mathjax"
    license_file = source.parent / "LICENSE"
    version = f"{source.resolve()} {(source / 'tex-chtml.js').stat().st_mtime_ns}"
    stamp = target / STAMP
    if (target / "tex-chtml.js").is_file() and stamp.is_file():
        if stamp.read_text(encoding="utf-8") == version:
            return
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, ignore=lambda d, names: _skipped(source, d, names))
    if license_file.is_file():
        shutil.copyfile(license_file, target / "LICENSE")
    stamp.write_text(version, encoding="utf-8")
    logger.info("offline_mathjax: copied MathJax from %s", source)


def _skipped(source: Path, directory: str, names: list[str]) -> set[str]:
    if Path(directory) != source:
        return set()
    return {name for name in names if name in SKIPPED_BUNDLES}


def setup(app: Sphinx) -> dict[str, object]:
    # priority > 500: run after jupyter-book/myst-nb have applied their settings
    app.connect("config-inited", set_mathjax_path, priority=900)
    app.connect("build-finished", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
