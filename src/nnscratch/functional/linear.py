"""Affine layer: ``out = x @ W + b``, batch-first."""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_ndim, check_shape


def linear_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray):
    """Affine forward pass.

    Inputs:
    - x: (N, D) inputs
    - W: (D, M) weights
    - b: (M,) biases

    Returns a tuple of:
    - out: (N, M), ``out = x @ W + b``
    - cache: (x, W) for the backward pass
    """
    x = as_float_array(x, "x")
    check_ndim(x, 2, "x", "(N, D)")
    check_ndim(W, 2, "W", "(D, M)")
    if W.shape[0] != x.shape[1]:
        raise ValueError(
            f"W must have shape ({x.shape[1]}, M) to match x of shape {x.shape}, "
            f"got shape {W.shape}"
        )
    check_shape(b, (W.shape[1],), "b")
    out = x @ W
    out += b
    return out, (x, W)


def linear_backward(dout: np.ndarray, cache):
    """Affine backward pass.

    Inputs:
    - dout: (N, M) upstream gradient dL/dout
    - cache: (x, W) from ``linear_forward``

    Returns a tuple of:
    - dx: (N, D) = dout @ W.T
    - dW: (D, M) = x.T @ dout
    - db: (M,)   = sum of dout over the batch
    """
    x, W = cache
    check_shape(dout, (x.shape[0], W.shape[1]), "dout")
    dx = dout @ W.T
    dW = x.T @ dout
    db = dout.sum(axis=0)
    return dx, dW, db
