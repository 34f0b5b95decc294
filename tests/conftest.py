"""Fixtures shared by the test modules.

Helpers are ordinary modules of the ``tests`` package: ``tests.helpers``
(assertions), ``tests.autograd`` (the PyTorch side) and ``tests.toc`` (the book's
chapters).
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded Generator for each test."""
    return np.random.default_rng(0)
