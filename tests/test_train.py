"""nnscratch.train.fit: history, mini-batches, gradient accumulation, determinism."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from nnscratch import functional as F
from nnscratch import layers as L
from nnscratch import optim
from nnscratch.models import MLP, TwoLayerNet
from nnscratch.train import fit
from tests.helpers import assert_close


def blobs(rng, n=60):
    """Two well separated Gaussian blobs in 2-D."""
    y = np.arange(n) % 2
    X = rng.standard_normal((n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return X, y


def params_of(model):
    return [p.data.copy() for p in model.parameters()]


def count_calls(obj, name):
    """Wrap ``obj.name`` so calls are counted in the returned list."""
    calls = []
    original = getattr(obj, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    setattr(obj, name, wrapper)
    return calls


def test_history_lists_have_one_entry_per_epoch(rng):
    X, y = blobs(rng)
    Xv, yv = blobs(rng, 20)
    model = TwoLayerNet(2, 8, 2, rng=rng)
    hist = fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=7, batch_size=16,
               X_val=Xv, y_val=yv, rng=np.random.default_rng(0), progress=False)
    for name in ("loss", "train_acc", "val_acc", "grad_norm"):
        values = getattr(hist, name)
        assert isinstance(values, list) and len(values) == 7, name
    assert all(np.isfinite(v) and v > 0 for v in hist.loss)
    assert all(np.isfinite(v) and v > 0 for v in hist.grad_norm)
    assert all(0.0 <= v <= 1.0 for v in hist.train_acc + hist.val_acc)


def test_loss_decreases_on_a_separable_problem(rng):
    X, y = blobs(rng, 80)
    Xv, yv = blobs(rng, 40)
    model = TwoLayerNet(2, 16, 2, rng=rng)
    hist = fit(model, optim.Adam(model.parameters(), lr=0.05), X, y, epochs=20, batch_size=16,
               X_val=Xv, y_val=yv, rng=np.random.default_rng(1), progress=False)
    assert hist.loss[-1] < 0.2 * hist.loss[0]
    assert hist.loss[-1] < 0.1
    assert hist.train_acc[-1] == 1.0
    assert hist.val_acc[-1] >= 0.95


def test_full_batch_first_epoch_records_initial_loss_and_gradient_norm(rng):
    X, y = blobs(rng, 30)
    model = MLP([2, 6, 2], activation="tanh", rng=rng)
    loss0, dlogits = F.softmax_cross_entropy(model(X), y)
    model.backward(dlogits)
    norm0 = np.sqrt(sum(np.sum(p.grad**2) for p in model.parameters()))
    model.zero_grad()
    hist = fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=1,
               rng=np.random.default_rng(0), progress=False)
    np.testing.assert_allclose(hist.loss[0], loss0, rtol=1e-12)
    np.testing.assert_allclose(hist.grad_norm[0], norm0, rtol=1e-12)


def test_full_batch_sgd_equals_a_manual_loop(rng):
    X, y = blobs(rng, 30)
    model = MLP([2, 5, 2], activation="tanh", rng=np.random.default_rng(3))
    manual = MLP([2, 5, 2], activation="tanh", rng=np.random.default_rng(3))
    fit(model, optim.SGD(model.parameters(), lr=0.2, momentum=0.9), X, y, epochs=5,
        rng=np.random.default_rng(0), progress=False)
    opt = optim.SGD(manual.parameters(), lr=0.2, momentum=0.9)
    for _ in range(5):
        opt.zero_grad()
        manual.backward(F.softmax_cross_entropy(manual(X), y)[1])
        opt.step()
    for a, b in zip(params_of(model), params_of(manual), strict=True):
        assert_close(a, b)


@pytest.mark.parametrize(("batch_size", "accumulation_steps", "steps", "backwards"),
                         [(None, 1, 1, 1), (48, 1, 1, 1), (16, 1, 3, 3), (5, 1, 10, 10),
                          (8, 2, 3, 6), (4, 3, 4, 12), (6, 8, 1, 8)])
def test_mini_batches_and_accumulation_count_steps(rng, batch_size, accumulation_steps, steps,
                                                   backwards):
    X, y = blobs(rng, 48)
    model = TwoLayerNet(2, 4, 2, rng=rng)
    opt = optim.SGD(model.parameters(), lr=0.01)
    step_calls = count_calls(opt, "step")
    backward_calls = count_calls(model, "backward")
    fit(model, opt, X, y, epochs=2, batch_size=batch_size, accumulation_steps=accumulation_steps,
        rng=np.random.default_rng(0), progress=False)
    assert len(step_calls) == 2 * steps
    assert len(backward_calls) == 2 * backwards


def accumulation_run(make_opt, batch_size, k, epochs, model_kwargs, n=48):
    X, y = blobs(np.random.default_rng(11), n)
    model = MLP(**model_kwargs, rng=np.random.default_rng(2))
    hist = fit(model, make_opt(model.parameters()), X, y, epochs=epochs, batch_size=batch_size,
               accumulation_steps=k, rng=np.random.default_rng(5), progress=False)
    return params_of(model), hist


OPTIMIZERS = [
    ("sgd", lambda ps: optim.SGD(ps, lr=0.1)),
    ("sgd_momentum", lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=1e-3)),
    ("adam", lambda ps: optim.Adam(ps, lr=0.01)),
]


@pytest.mark.parametrize(("name", "make_opt"), OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
@pytest.mark.parametrize(("b", "k"), [(4, 3), (8, 2), (1, 6)])
@pytest.mark.parametrize("epochs", [1, 3])
@pytest.mark.parametrize("model_kwargs", [dict(sizes=[2, 6, 5, 2], activation="tanh"),
                                          dict(sizes=[2, 6, 2], norm="layer")],
                         ids=["tanh", "layernorm"])
def test_accumulation_matches_the_big_batch_trajectory(name, make_opt, b, k, epochs,
                                                       model_kwargs):
    small, hist_small = accumulation_run(make_opt, b, k, epochs, model_kwargs)
    big, hist_big = accumulation_run(make_opt, k * b, 1, epochs, model_kwargs)
    for a, c in zip(small, big, strict=True):
        assert_close(a, c)
    assert_close(hist_small.loss, hist_big.loss)
    assert_close(hist_small.grad_norm, hist_big.grad_norm)


@pytest.mark.parametrize(("n", "b", "k"), [(50, 4, 3), (50, 8, 2), (13, 2, 4)])
def test_accumulation_matches_with_a_partial_last_step(n, b, k):
    make = OPTIMIZERS[1][1]
    kwargs = dict(sizes=[2, 6, 5, 2], activation="tanh")
    small, hist_small = accumulation_run(make, b, k, 2, kwargs, n=n)
    big, hist_big = accumulation_run(make, k * b, 1, 2, kwargs, n=n)
    for a, c in zip(small, big, strict=True):
        assert_close(a, c)
    assert_close(hist_small.loss, hist_big.loss)


def test_accumulation_is_not_a_no_op(rng):
    """Guards the test above: accumulation k with batch b differs from plain batch b."""
    kwargs = dict(sizes=[2, 6, 2], activation="tanh")
    make = OPTIMIZERS[0][1]
    accumulated, _ = accumulation_run(make, 4, 3, 1, kwargs)
    plain, _ = accumulation_run(make, 4, 1, 1, kwargs)
    assert not np.allclose(accumulated[0], plain[0])


def test_progress_false_prints_nothing(rng, capfd):
    X, y = blobs(rng, 20)
    Xv, yv = blobs(rng, 10)
    model = TwoLayerNet(2, 4, 2, rng=rng)
    fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=8, X_val=Xv,
        y_val=yv, rng=np.random.default_rng(0), progress=False)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_progress_true_shows_a_bar(rng, capfd):
    X, y = blobs(rng, 20)
    model = TwoLayerNet(2, 4, 2, rng=rng)
    fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=2,
        rng=np.random.default_rng(0))
    out, err = capfd.readouterr()
    assert (out + err).strip() != ""


def test_fit_is_deterministic_given_rng():
    def run(shuffle_seed):
        rng = np.random.default_rng(0)
        X, y = blobs(rng, 40)
        model = MLP([2, 8, 2], dropout=0.2, rng=np.random.default_rng(1))
        hist = fit(model, optim.Adam(model.parameters(), lr=0.01), X, y, epochs=4,
                   batch_size=8, rng=np.random.default_rng(shuffle_seed), progress=False)
        return params_of(model), hist

    (p1, h1), (p2, h2), (p3, _) = run(0), run(0), run(1)
    for a, b in zip(p1, p2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert h1 == h2
    assert not np.array_equal(p1[0], p3[0])  # the shuffling does depend on rng


def test_fit_rng_none_and_leaves_data_untouched(rng):
    X, y = blobs(rng, 20)
    X0, y0 = X.copy(), y.copy()
    model = TwoLayerNet(2, 4, 2, rng=rng)
    hist = fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=2, batch_size=7,
               progress=False)
    assert len(hist.loss) == 2
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_fit_mse_regression_on_sine():
    from nnscratch.data import sine

    X, y = sine(n_samples=100, noise=0.05, seed=0)
    model = MLP([1, 16, 1], activation="tanh", rng=np.random.default_rng(0))
    hist = fit(model, optim.Adam(model.parameters(), lr=0.02), X, y, loss="mse", epochs=150,
               batch_size=25, rng=np.random.default_rng(0), progress=False)
    assert len(hist.loss) == 150 and len(hist.grad_norm) == 150
    assert hist.loss[-1] < 0.1 * hist.loss[0]
    assert F.mse_loss(model(X), y)[0] < 0.02


class PlainNet(L.Module):
    """A user-written Module following the contract ``backward(dout, *, input_grad=True)``."""

    def __init__(self, rng):
        self.fc = L.Linear(2, 2, rng=rng)

    def forward(self, x):
        return self.fc(x)

    def backward(self, dout, *, input_grad=True):
        return self.fc.backward(dout, input_grad=input_grad)


def test_fit_trains_a_user_defined_module(rng):
    X, y = blobs(rng, 40)
    model = PlainNet(rng)
    hist = fit(model, optim.SGD(model.parameters(), lr=0.5), X, y, epochs=10, batch_size=10,
               rng=np.random.default_rng(0), progress=False)
    assert hist.loss[-1] < 0.5 * hist.loss[0]
    assert hist.train_acc[-1] == 1.0


class LoggingNet(TwoLayerNet):
    """A subclass overriding ``backward``, recording the ``input_grad`` it receives."""

    def backward(self, dout, input_grad=True):
        self.flags = [*getattr(self, "flags", []), input_grad]
        return super().backward(dout, input_grad=input_grad)


def test_fit_asks_the_model_to_skip_the_input_gradient(rng):
    X, y = blobs(rng, 40)
    model = LoggingNet(2, 8, 2, rng=rng)
    hist = fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=10,
               rng=np.random.default_rng(0), progress=False)
    assert model.flags == [False] * 12
    assert len(hist.loss) == 3


class OldStyleNet(PlainNet):
    """Written before ``input_grad`` joined the contract."""

    def backward(self, dout):
        return self.fc.backward(dout)


def test_fit_refuses_a_backward_without_input_grad_before_training(rng):
    model = OldStyleNet(rng)
    before = params_of(model)
    with pytest.raises(TypeError, match=r"OldStyleNet\.backward\(dout\).*"
                                        r"backward\(self, dout, \*, input_grad=True\)"):
        fit(model, optim.SGD(model.parameters(), lr=0.5), *blobs(rng, 10), epochs=1,
            progress=False)
    for a, p in zip(before, model.parameters(), strict=True):
        np.testing.assert_array_equal(a, p.data)


def test_fit_shows_the_loop_and_leaves_the_checks_to_one_call():
    """The book displays ``fit``: its argument checks live in a helper."""
    source = inspect.getsource(fit)
    assert "raise" not in source
    assert source.count("_check_fit_arguments(") == 1


def test_fit_with_batchnorm_and_dropout_runs(rng):
    X, y = blobs(rng, 40)
    model = MLP([2, 8, 2], norm="batch", dropout=0.2, rng=rng)
    hist = fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=10,
               rng=np.random.default_rng(0), progress=False)
    assert len(hist.loss) == 3 and all(np.isfinite(hist.loss))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(loss="hinge"), r"loss.*'hinge'"),
        (dict(batch_size=0), r"batch_size.*0"),
        (dict(accumulation_steps=0), r"accumulation_steps.*0"),
        (dict(epochs=-1), r"epochs.*-1"),
        (dict(y=np.zeros(7, dtype=int)), r"y.*\(7,\)"),
        (dict(X=np.zeros(10)), r"X.*\(10,\)"),
        (dict(epochs=2.0), r"epochs.*2\.0"),
        (dict(batch_size=2.5), r"batch_size.*2\.5"),
        (dict(accumulation_steps=True), r"accumulation_steps.*True"),
        (dict(X_val=np.zeros((3, 2))), r"X_val and y_val"),
        (dict(X_val=np.zeros((3, 2)), y_val=np.zeros(4, dtype=int)), r"y_val.*\(4,\)"),
    ],
)
def test_fit_bad_arguments_raise(rng, kwargs, match):
    model = TwoLayerNet(2, 3, 2, rng=rng)
    args = dict(X=np.zeros((10, 2)), y=np.zeros(10, dtype=int), epochs=1)
    args.update(kwargs)
    X, y = args.pop("X"), args.pop("y")
    with pytest.raises(ValueError, match=match):
        fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, progress=False, **args)


def test_fit_refuses_a_one_row_batch_for_batchnorm_before_training():
    X = np.random.default_rng(0).standard_normal((9, 3))
    y = np.arange(9) % 2
    model = MLP([3, 4, 2], norm="batch", rng=np.random.default_rng(0))
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match="batch_size=4 with 9 rows.*one row"):
        fit(model, optim.Adam(model.parameters()), X, y, epochs=1, batch_size=4,
            progress=False)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters(), strict=True))
