"""Re-execute chapters in two cases that Sphinx and jupyter-cache miss.

1. The library changed. jupyter-cache keys a notebook's stored outputs on its code
cells only, and Sphinx re-reads a page only when its source file changes, so a chapter
that imports ``nnscratch`` (and shows its source with ``inspect.getsource``) would keep
stale outputs after an edit to ``src/nnscratch``. This extension hashes the library's
files (config ``nb_library_paths`` minus ``nb_library_exclude``: the grader and the CLI
are left out); when the hash differs from the one stored beside the execution cache,
it clears that cache and marks every executed notebook as outdated.

2. The last execution failed. The failure is a warning (an error under ``-W``), but
Sphinx stores the page anyway and would not read it again: a second ``make book``
would pass with the broken chapter. Such notebooks are marked outdated, so every build
executes them again and reports the failure again.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path, PurePosixPath

from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

STAMP_NAME = "library.sha256"


def library_hash(srcdir: Path, paths: list[str], exclude: list[str]) -> str:
    """SHA-256 over the relative paths and contents of the ``.py`` files in ``paths``.

    A file is skipped when its path relative to ``srcdir`` matches a pattern of
    ``exclude`` (``PurePosixPath.match``) or lies under a directory named there.
    """
    digest = hashlib.sha256()
    for root in paths:
        for file in sorted((srcdir / root).rglob("*.py")):
            relative = PurePosixPath(file.relative_to(srcdir).as_posix())
            if any(relative.match(p) or relative.is_relative_to(p) for p in exclude):
                continue
            digest.update(str(relative).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def executed_notebooks(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Docnames of the notebooks myst-nb executes (``.ipynb``, not excluded)."""
    excluded = app.config.nb_execution_excludepatterns or []
    docnames = []
    for docname in sorted(env.found_docs):
        path = PurePosixPath(Path(env.doc2path(docname)).as_posix())
        if path.suffix == ".ipynb" and not any(path.match(p) for p in excluded):
            docnames.append(docname)
    return docnames


def failed_last_time(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Executed notebooks whose previous execution did not succeed."""
    failed = []
    for docname in executed_notebooks(app, env):
        exec_data = NbMetadataCollector.get_exec_data(env, docname)
        if exec_data is not None and not exec_data.get("succeeded", True):
            failed.append(docname)
    return failed


def outdated_notebooks(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    if app.config.nb_execution_mode not in ("cache", "force", "auto"):
        return []
    failed = failed_last_time(app, env)
    if failed:
        logger.info("reexecute: last execution failed, re-reading %s", ", ".join(failed))
    if app.config.nb_execution_mode != "cache":
        return failed
    return sorted(set(failed) | set(outdated_by_library(app, env)))


def outdated_by_library(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """All executed notebooks if the library changed since the cache was filled."""
    cache_dir = Path(env.mystnb_config.execution_cache_path)
    stamp = cache_dir / STAMP_NAME
    current = library_hash(
        Path(app.srcdir), app.config.nb_library_paths, app.config.nb_library_exclude
    )
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == current:
        return []
    if (cache_dir / "global.db").is_file():
        logger.info("reexecute: library changed, clearing %s", cache_dir)
        shutil.rmtree(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current, encoding="utf-8")
    return executed_notebooks(app, env)


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("nb_library_paths", ["src/nnscratch"], "env")
    # the grader and the command line are not used by the chapters
    app.add_config_value(
        "nb_library_exclude",
        ["src/nnscratch/grading", "src/nnscratch/cli.py", "src/nnscratch/__main__.py"],
        "env",
    )
    app.connect("env-get-outdated", outdated_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
