"""The pins of requirements-grading.txt and binder/requirements.txt follow requirements.txt."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s#]+)")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_every_file_pins_what_requirements_txt_pins():
    main = pins(ROOT / "requirements.txt")
    for other in ("requirements-grading.txt", "binder/requirements.txt"):
        for name, version in pins(ROOT / other).items():
            assert main.get(name) == version.removesuffix("+cpu"), (other, name, version)


def test_the_grading_requirements_cover_the_packages_imports():
    grading = pins(ROOT / "requirements-grading.txt")
    for package in ("numpy", "torch", "scikit-learn", "nbval", "pytest-xdist", "ipykernel",
                    "pyyaml", "matplotlib"):
        assert package in grading
