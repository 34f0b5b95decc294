"""Figures used across the book. Each function draws on an ``Axes`` (new if None)
and returns it, so chapters can compose them into subplots."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np


def _axes(ax):
    return plt.subplots(figsize=(6, 4))[1] if ax is None else ax


def plot_decision_boundary(predict: Callable[[np.ndarray], np.ndarray], X: np.ndarray,
                           y: np.ndarray, ax=None, title: str = "Decision boundary",
                           resolution: int = 300, margin: float = 0.5):
    """Shade the class ``predict`` assigns over a grid around 2-D data, with the points.

    ``predict`` maps (M, 2) points to (M,) integer classes (e.g. ``lambda Z:
    model(Z).argmax(1)``).
    """
    ax = _axes(ax)
    x0, x1 = X[:, 0].min() - margin, X[:, 0].max() + margin
    y0, y1 = X[:, 1].min() - margin, X[:, 1].max() + margin
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    Z = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    n_classes = int(max(y.max(), Z.max())) + 1
    colors = [plt.cm.tab10(k % 10) for k in range(n_classes)]
    ax.contourf(gx, gy, Z, levels=np.arange(n_classes + 1) - 0.5,
                colors=colors, alpha=0.25)
    size = 60 if len(X) < 50 else 14
    for k in range(n_classes):
        pts = X[y == k]
        ax.scatter(pts[:, 0], pts[:, 1], s=size, edgecolors="k", linewidths=0.3,
                   color=colors[k], label=f"class {k}")
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_history(history, axes=None, label: str | None = None):
    """Loss (left) and accuracy (right) per epoch from a ``train.History``.

    A regression history (no accuracies) gets the loss panel only.
    """
    has_acc = bool(history.train_acc) and history.train_acc[0] is not None
    if axes is None:
        axes = plt.subplots(1, 2 if has_acc else 1, figsize=(11 if has_acc else 6, 4),
                            squeeze=False)[1][0]
    epochs = np.arange(1, len(history.loss) + 1)
    prefix = f"{label}: " if label else ""
    axes[0].plot(epochs, history.loss, label=f"{prefix}train loss")
    axes[0].set(title="Training loss", xlabel="epoch", ylabel="loss")
    if has_acc:
        axes[1].plot(epochs, history.train_acc, label=f"{prefix}train")
        if history.val_acc and history.val_acc[0] is not None:
            axes[1].plot(epochs, history.val_acc, "--", label=f"{prefix}validation")
        axes[1].set(title="Accuracy", xlabel="epoch", ylabel="accuracy")
    for ax in axes[:2 if has_acc else 1]:
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    return axes


def plot_histograms(arrays: Sequence[np.ndarray], labels: Sequence[str], title: str,
                    xlabel: str = "value", axes=None, bins: int = 50, sharex: bool = True):
    """One histogram per array in a row of subplots (e.g. activations per layer).

    Each panel's title is its label plus the array's standard deviation.
    """
    if axes is None:
        fig, axes = plt.subplots(1, len(arrays), figsize=(2.2 * len(arrays), 2.4),
                                 sharex=sharex, sharey=False, squeeze=False)
        axes = axes[0]
    axes[0].figure.suptitle(title)
    for ax, a, name in zip(axes, arrays, labels, strict=True):
        a = np.asarray(a).ravel()
        counts, edges = np.histogram(a, bins=bins)
        ax.stairs(counts, edges, fill=True, color="C0", alpha=0.8)  # far faster than ax.hist
        ax.set_title(f"{name}\nstd={a.std():.2g}", fontsize="small")
        ax.set_xlabel(xlabel, fontsize="small")
        ax.tick_params(labelsize="x-small")
        ax.set_yticks([])
    return axes


def plot_confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None,
                          ax=None, title: str = "Confusion matrix"):
    """Counts of (true class, predicted class) pairs, annotated."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true and y_pred must be 1-D label arrays of one shape, "
                         f"got shapes {y_true.shape} and {y_pred.shape}")
    if y_true.dtype.kind not in "iu" or y_pred.dtype.kind not in "iu":
        raise TypeError(f"labels must be integers, got dtypes {y_true.dtype} and {y_pred.dtype}")
    ax = _axes(ax)
    n = int(n_classes or max(y_true.max(), y_pred.max()) + 1)
    cm = np.zeros((n, n), dtype=int)
    np.add.at(cm, (y_true, y_pred), 1)
    im = ax.imshow(cm, cmap="Blues")
    for i in range(n):
        for j in range(n):
            ax.text(j, i, cm[i, j], ha="center", va="center", fontsize="small",
                    color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set(title=title, xlabel="predicted class", ylabel="true class",
           xticks=range(n), yticks=range(n))
    ax.figure.colorbar(im, ax=ax, label="count")
    return ax
