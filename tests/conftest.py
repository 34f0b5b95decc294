"""Shared helpers: every test compares nnscratch with PyTorch autograd in float64."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

# Run from a checkout even when the package is not installed (``pip install -e .``).
if importlib.util.find_spec("nnscratch") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

# Two cores are shared by several workers (and pytest -n 2): keep torch single-threaded.
torch.set_num_threads(1)

TOL = 1e-10


def chapter_stems() -> list[str]:
    """The book's chapter file stems (``01_initialization`` ...), read from _toc.yml."""
    import yaml

    toc = yaml.safe_load((Path(__file__).resolve().parents[1] / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    return [f.split("/", 1)[1] for f in files if f.startswith("chapters/")]


def to_numpy(a) -> np.ndarray:
    """An ndarray from an ndarray, a scalar or a (possibly grad-carrying) tensor."""
    if isinstance(a, torch.Tensor):
        return a.detach().cpu().numpy()
    return np.asarray(a)


def assert_close(actual, expected, tol: float = TOL) -> None:
    """``assert_allclose`` with the suite's default ``rtol = atol = 1e-10``."""
    actual, expected = to_numpy(actual), to_numpy(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def rel_error(a, b) -> float:
    """``max(|a - b| / max(1e-8, |a| + |b|))`` (independent of nnscratch.gradcheck)."""
    a, b = to_numpy(a).astype(np.float64), to_numpy(b).astype(np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def tensor(a, requires_grad: bool = False) -> torch.Tensor:
    """A float64 torch tensor copied from ``a``."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def torch_grads(fn, *arrays, dout=None):
    """Run ``fn`` on float64 tensors made from ``arrays`` with autograd.

    Returns ``(out, grads)``: ``out`` as ndarray and the list of gradients of
    ``sum(out * dout)`` (or of the scalar ``out`` when ``dout`` is None) with
    respect to each array, as ndarrays in the order given.
    """
    tensors = [tensor(a, requires_grad=True) for a in arrays]
    out = fn(*tensors)
    if dout is None:
        out.backward()
    else:
        out.backward(tensor(dout))
    grads = [to_numpy(t.grad) if t.grad is not None else np.zeros_like(a) for t, a in
             zip(tensors, arrays, strict=True)]
    return to_numpy(out), grads


def leaf_modules(module) -> list:
    """Leaf sub-modules of an nnscratch ``Module`` in definition order (no duplicates).

    Walks ``Sequential``-like iterables and attributes holding modules or lists of
    modules, so it does not depend on how a model stores its layers.
    """
    from nnscratch.layers import Module

    seen: set[int] = set()
    leaves: list = []

    def children(m):
        found = []
        for value in vars(m).values():
            if isinstance(value, Module):
                found.append(value)
            elif isinstance(value, list | tuple):
                found.extend(v for v in value if isinstance(v, Module))
        return found

    def walk(m):
        if id(m) in seen:
            return
        seen.add(id(m))
        kids = children(m)
        if not kids:
            leaves.append(m)
        for kid in kids:
            walk(kid)

    walk(module)
    return leaves


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded Generator for each test."""
    return np.random.default_rng(0)
