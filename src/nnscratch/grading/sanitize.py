"""nbval's sanitizer: regexes applied to reference and actual outputs before comparing.

Checks print deterministic values, but a few things legitimately differ between two
runs of the same correct code and are masked: memory addresses in reprs
(``<object at 0x7f...>``), durations (``Wall time: 1.2 s``, ``0.53 ms``) and progress
bar timings/rates (tqdm's ``[00:01<00:00, 5.2it/s]``).
"""

from __future__ import annotations

from pathlib import Path

PATTERNS: list[tuple[str, str]] = [
    (r"0x[0-9a-fA-F]{4,}", "0xADDRESS"),
    (r"\b\d+(\.\d+)?\s?(ns|µs|us|ms|s|sec|seconds)\b", "DURATION"),
    (r"\d+(\.\d+)?\s?(it/s|s/it)", "RATE"),
    (r"\[\d+:\d+(:\d+)?<[\d:?]+", "[ELAPSED<REMAINING"),
]


def sanitize_config() -> str:
    """The patterns in nbval's ``--nbval-sanitize-with`` file format."""
    return "".join(f"regex: {regex}\nreplace: {replace}\n" for regex, replace in PATTERNS)


def write_sanitize_config(path: Path) -> Path:
    """Write the sanitizer file to ``path`` and return it."""
    path.write_text(sanitize_config(), encoding="utf-8")
    return path
