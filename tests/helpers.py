"""Assertions and module walking shared by the test modules (NumPy only)."""

from __future__ import annotations

import numpy as np

from nnscratch.layers import Module

TOL = 1e-10


def to_numpy(a) -> np.ndarray:
    """An ndarray from an ndarray, a scalar or a (possibly grad-carrying) torch tensor."""
    if hasattr(a, "detach"):  # a torch.Tensor, without importing torch
        return a.detach().cpu().numpy()
    return np.asarray(a)


def assert_close(actual, expected, tol: float = TOL) -> None:
    """``assert_allclose`` with the suite's default ``rtol = atol = 1e-10``."""
    actual, expected = to_numpy(actual), to_numpy(expected)
    assert actual.shape == expected.shape, f"shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def leaf_modules(module: Module) -> list[Module]:
    """Leaf sub-modules of an nnscratch ``Module`` in definition order (no duplicates).

    Walks ``Sequential``-like iterables and attributes holding modules or lists of
    modules, so it does not depend on how a model stores its layers.
    """
    seen: set[int] = set()
    leaves: list[Module] = []

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
