"""Softmax, log-softmax and the two losses, each returning ``(loss, dinput)``.

Losses use PyTorch's default ``reduction="mean"``.
"""

from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_labels, check_ndim


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise ``log softmax`` of (N, C) logits (or any shape, over the last axis).

    ``log_softmax(z) = z - max(z) - log(sum(exp(z - max(z))))``: subtracting the
    row maximum keeps every ``exp`` argument <= 0, so logits of 1e4 stay finite.
    """
    z = as_float_array(logits, "logits")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits (see ``log_softmax``)."""
    z = as_float_array(logits, "logits")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of softmax(logits) against integer labels.

    Inputs:
    - logits: (N, C) unnormalized scores
    - y: (N,) integer labels in [0, C)

    Returns a tuple of:
    - loss: scalar, ``-mean_i log softmax(logits)[i, y_i]``
    - dlogits: (N, C), ``(softmax(logits) - onehot(y)) / N``
    """
    z = as_float_array(logits, "logits")
    check_ndim(z, 2, "logits", "(N, C)")
    n, c = z.shape
    y = check_labels(y, n, c)
    logp = log_softmax(z)
    rows = np.arange(n)
    loss = -logp[rows, y].mean() if n else z.dtype.type(np.nan)
    dlogits = np.exp(logp)
    dlogits[rows, y] -= 1
    dlogits /= max(n, 1)
    return z.dtype.type(loss), dlogits


def mse_loss(pred: np.ndarray, target: np.ndarray):
    """Mean squared error.

    Inputs:
    - pred, target: arrays of the same shape

    Returns a tuple of:
    - loss: scalar, ``mean((pred - target) ** 2)``
    - dpred: same shape as pred, ``2 * (pred - target) / pred.size``
    """
    pred = as_float_array(pred, "pred")
    target = np.asarray(target, dtype=pred.dtype)
    if target.shape != pred.shape:
        raise ValueError(
            f"target must have the shape of pred {pred.shape}, got shape {target.shape}"
        )
    diff = pred - target
    loss = np.mean(diff * diff)
    return pred.dtype.type(loss), diff * pred.dtype.type(2 / diff.size)


LOSSES = {"cross_entropy": softmax_cross_entropy, "mse": mse_loss}
"""Losses by the names ``fit`` and ``check_gradients`` accept for ``loss=``."""
