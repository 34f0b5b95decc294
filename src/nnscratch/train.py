"""``fit``: the training loop used throughout the book.

One epoch = one pass over a fresh permutation of the data in mini-batches.
With ``accumulation_steps = k`` each optimizer step covers ``k * batch_size``
rows, processed as ``k`` mini-batches whose gradients add up; each mini-batch
gradient is weighted by its share of the step's rows, so the step equals one
taken on the whole ``k * batch_size`` batch (without BatchNorm, which sees
each mini-batch on its own) while memory holds only ``batch_size`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from ._checks import (
    as_float_array,
    as_generator,
    check_backward_takes_input_grad,
    check_choice,
    check_int,
    check_ndim,
)
from .functional import LOSSES
from .layers import BatchNorm1d, Module
from .optim import Optimizer


@dataclass
class History:
    """Per-epoch records: mean training ``loss``, ``train_acc``, ``val_acc``
    (None without validation data or for regression) and the global L2
    ``grad_norm`` of the last optimizer step."""

    loss: list[float] = field(default_factory=list)
    train_acc: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.loss)


def accuracy(model: Module, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose arg-max logit equals the label (model in eval mode)."""
    was_training = model.training
    model.eval()
    try:
        return float(np.mean(model.forward(X).argmax(axis=1) == y))
    finally:
        model.train(was_training)


def backward_params(model: Module, dout: np.ndarray) -> None:
    """Backpropagate ``dout`` into the parameter gradients only, as ``fit`` does.

    The same as ``model.backward(dout, input_grad=False)``, which new code calls
    directly.
    """
    model.backward(dout, input_grad=False)


def grad_norm(model: Module) -> float:
    """Global L2 norm of all parameter gradients."""
    return float(np.sqrt(sum(np.sum(p.grad.astype(np.float64) ** 2) for p in model.parameters())))


def _batches(n: int, batch_size: int, rng: np.random.Generator):
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def _check_data(X, y, name: str) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, f"X{name}")
    y = np.asarray(y)
    check_ndim(X, 2, f"X{name}", "(N, D)")
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y{name} must have {X.shape[0]} rows to match X{name}, "
                         f"got shape {y.shape}")
    return X, y


def _check_batchnorm_batches(model: Module, n: int, batch_size: int) -> None:
    """BatchNorm cannot normalize a one-row batch: refuse a batch_size that makes one."""
    if not any(isinstance(m, BatchNorm1d) for m in model.modules()):
        return
    if min(batch_size, n) == 1 or n % batch_size == 1:
        raise ValueError(
            f"batch_size={batch_size} with {n} rows gives a mini-batch of one row, which "
            "BatchNorm1d cannot normalize in training; choose another batch_size")


def _check_fit_arguments(model, X, y, X_val, y_val, loss, epochs, batch_size,
                         accumulation_steps):
    """Check ``fit``'s arguments before any training.

    Returns ``X, y, X_val, y_val, batch_size`` as the loop uses them: float
    arrays, and an int batch size (all rows when None).
    """
    check_backward_takes_input_grad(model)
    check_choice(loss, tuple(LOSSES), "loss")
    X, y = _check_data(X, y, "")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val must be given together")
    if X_val is not None:
        X_val, y_val = _check_data(X_val, y_val, "_val")
    check_int(epochs, "epochs", minimum=0)
    batch_size = X.shape[0] if batch_size is None else check_int(batch_size, "batch_size")
    check_int(accumulation_steps, "accumulation_steps")
    _check_batchnorm_batches(model, X.shape[0], batch_size)
    return X, y, X_val, y_val, batch_size


def fit(model: Module, optimizer: Optimizer, X: np.ndarray, y: np.ndarray, *,
        loss: str = "cross_entropy", epochs: int, batch_size: int | None = None,
        accumulation_steps: int = 1, X_val: np.ndarray | None = None,
        y_val: np.ndarray | None = None, rng: np.random.Generator | None = None,
        progress: bool = True) -> History:
    """Train ``model`` with ``optimizer`` and return its ``History``.

    Inputs:
    - X: (N, D) inputs; y: (N,) integer labels for ``loss="cross_entropy"``,
      or targets shaped like the model output for ``loss="mse"``
    - epochs: passes over the data
    - batch_size: rows per mini-batch (None: the full batch)
    - accumulation_steps: mini-batches whose gradients add up before a step
    - X_val, y_val: optional validation data for ``val_acc``
    - rng: Generator for shuffling (None: ``default_rng()``)
    - progress: show a tqdm bar over epochs
    """
    X, y, X_val, y_val, batch_size = _check_fit_arguments(
        model, X, y, X_val, y_val, loss, epochs, batch_size, accumulation_steps)
    n = X.shape[0]
    rng = as_generator(rng)
    loss_fn = LOSSES[loss]
    classify = loss == "cross_entropy"
    history = History()
    # mininterval=1: an executed notebook stores each redraw, so redraw at most once a second
    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress,
               mininterval=1.0)
    model.train()
    for _ in bar:
        total, last_norm = 0.0, 0.0
        for step_idx in _batches(n, batch_size * accumulation_steps, rng):
            optimizer.zero_grad()
            for start in range(0, len(step_idx), batch_size):
                idx = step_idx[start:start + batch_size]
                value, dout = loss_fn(model.forward(X[idx]), y[idx])
                total += float(value) * len(idx)
                if len(idx) != len(step_idx):
                    dout *= len(idx) / len(step_idx)  # mean over the whole step's rows
                model.backward(dout, input_grad=False)  # nothing uses dL/dX
            last_norm = grad_norm(model)
            optimizer.step()
        history.loss.append(total / n)
        history.grad_norm.append(last_norm)
        history.train_acc.append(accuracy(model, X, y) if classify else None)
        has_val = classify and X_val is not None
        history.val_acc.append(accuracy(model, X_val, y_val) if has_val else None)
        postfix = {"loss": f"{history.loss[-1]:.4f}"}
        if has_val:
            postfix["val_acc"] = f"{history.val_acc[-1]:.3f}"
        bar.set_postfix(postfix, refresh=False)
    return history
