"""Plotting helpers draw labelled figures and reject bad input clearly."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnscratch import plotting  # noqa: E402
from nnscratch.train import History  # noqa: E402


def test_history_classification_has_loss_and_accuracy_panels():
    h = History(loss=[1.0, 0.5], train_acc=[0.5, 0.9], val_acc=[0.4, 0.8], grad_norm=[1, 1])
    axes = plotting.plot_history(h)
    assert [ax.get_title() for ax in axes] == ["Training loss", "Accuracy"]
    assert len(axes[1].get_lines()) == 2
    plt.close("all")


def test_history_regression_has_only_the_loss_panel():
    h = History(loss=[1.0, 0.5], train_acc=[None, None], val_acc=[None, None], grad_norm=[1, 1])
    axes = plotting.plot_history(h)
    assert len(axes) == 1 and axes[0].get_title() == "Training loss"
    plt.close("all")


def test_confusion_matrix_counts_pairs_and_accepts_lists():
    ax = plotting.plot_confusion_matrix([0, 1, 2, 2], [0, 1, 1, 2])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "0", "0", "0", "1", "0", "0", "1", "1"]
    plt.close("all")


def test_confusion_matrix_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="shapes"):
        plotting.plot_confusion_matrix([0, 1], [0, 1, 1])
    with pytest.raises(TypeError, match="integers"):
        plotting.plot_confusion_matrix([0.0, 1.0], [0, 1])


def test_decision_boundary_and_histograms_are_labelled():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    y = np.array([0, 1, 1])
    ax = plotting.plot_decision_boundary(lambda Z: (Z.sum(1) > 0.5).astype(int), X, y)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_legend() is not None
    axes = plotting.plot_histograms([np.arange(10.0), np.ones(5)], ["a", "b"], title="T")
    assert axes[0].figure._suptitle.get_text() == "T"
    plt.close("all")
