"""The book's table of contents (``_toc.yml``), as the book and browser tests read it."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def chapter_stems() -> list[str]:
    """The book's chapter file stems (``01_initialization`` ...), read from _toc.yml."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f.split("/", 1)[1] for f in files if f.startswith("chapters/")]
