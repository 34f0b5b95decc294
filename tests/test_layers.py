"""nnscratch.layers against torch.nn modules with copied weights (float64, 1e-10)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from nnscratch import layers as L
from tests.autograd import tensor, torch
from tests.helpers import assert_close, to_numpy

nn = torch.nn


def run_torch(module: nn.Module, x: np.ndarray, dout: np.ndarray):
    """Forward ``x`` through a float64 torch module, backprop ``dout``; returns (out, dx)."""
    xt = tensor(x, requires_grad=True)
    out = module(xt)
    out.backward(tensor(dout))
    return to_numpy(out), to_numpy(xt.grad)


def torch_linear(layer: L.Linear) -> nn.Linear:
    t = nn.Linear(*layer.W.data.shape).double()
    with torch.no_grad():
        t.weight.copy_(tensor(layer.W.data.T))
        t.bias.copy_(tensor(layer.b.data))
    return t


def random_linear(rng, D, M) -> L.Linear:
    layer = L.Linear(D, M, rng=rng)
    layer.b.data[...] = rng.standard_normal(M)  # a non-zero bias is a better test
    return layer


# ---------------------------------------------------------------- Parameter / Module basics


def test_parameter_has_data_and_zero_grad_of_same_shape():
    p = L.Parameter(np.arange(6.0).reshape(2, 3))
    assert p.data.shape == p.grad.shape == (2, 3)
    assert p.grad.dtype == p.data.dtype
    np.testing.assert_array_equal(p.grad, 0.0)


def test_linear_parameters_and_shapes(rng):
    layer = L.Linear(3, 5, rng=rng)
    assert isinstance(layer, L.Module)
    assert layer.W.data.shape == (3, 5) and layer.b.data.shape == (5,)
    params = layer.parameters()
    assert isinstance(params, list) and len(params) == 2
    assert {id(p) for p in params} == {id(layer.W), id(layer.b)}
    assert all(isinstance(p, L.Parameter) for p in params)
    np.testing.assert_array_equal(layer.W.grad, 0.0)
    np.testing.assert_array_equal(layer.b.grad, 0.0)


def test_linear_same_rng_seed_same_weights():
    a = L.Linear(4, 3, rng=np.random.default_rng(9))
    b = L.Linear(4, 3, rng=np.random.default_rng(9))
    np.testing.assert_array_equal(a.W.data, b.W.data)


# ---------------------------------------------------------------- Linear


@pytest.mark.parametrize(("N", "D", "M"), [(1, 3, 2), (5, 4, 3), (8, 1, 1)])
def test_linear_matches_torch(rng, N, D, M):
    layer = random_linear(rng, D, M)
    t = torch_linear(layer)
    x, dout = rng.standard_normal((N, D)), rng.standard_normal((N, M))
    out = layer(x)
    dx = layer.backward(dout)
    t_out, t_dx = run_torch(t, x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)
    assert_close(layer.W.grad, t.weight.grad.T)
    assert_close(layer.b.grad, t.bias.grad)


def test_call_is_forward(rng):
    layer = random_linear(rng, 3, 2)
    x = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(layer(x), layer.forward(x))


def test_backward_accumulates_and_zero_grad_resets(rng):
    layer = random_linear(rng, 3, 2)
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(x)
    layer.backward(dout)
    W1, b1 = layer.W.grad.copy(), layer.b.grad.copy()
    assert np.any(W1 != 0)
    layer(x)
    layer.backward(dout)
    assert_close(layer.W.grad, 2 * W1)
    assert_close(layer.b.grad, 2 * b1)
    layer.zero_grad()
    assert layer.W.grad.shape == (3, 2) and layer.b.grad.shape == (2,)
    np.testing.assert_array_equal(layer.W.grad, 0.0)
    np.testing.assert_array_equal(layer.b.grad, 0.0)


def test_linear_float32_end_to_end(rng):
    layer = L.Linear(3, 4, rng=rng, dtype=np.float32)
    assert layer.W.data.dtype == np.float32 and layer.b.data.dtype == np.float32
    x = rng.standard_normal((5, 3)).astype(np.float32)
    out = layer(x)
    assert out.dtype == np.float32
    dx = layer.backward(np.ones((5, 4), dtype=np.float32))
    assert dx.dtype == np.float32
    assert layer.W.grad.dtype == np.float32 and layer.b.grad.dtype == np.float32


def test_linear_wrong_input_width_raises(rng):
    layer = L.Linear(3, 4, rng=rng)
    with pytest.raises(ValueError, match=r"\(2, 5\)"):
        layer(np.ones((2, 5)))


# ---------------------------------------------------------------- activations

ACTIVATIONS = [
    ("relu", L.ReLU, nn.ReLU),
    ("leaky_relu", L.LeakyReLU, nn.LeakyReLU),
    ("leaky_relu_0.3", lambda: L.LeakyReLU(0.3), lambda: nn.LeakyReLU(0.3)),
    ("sigmoid", L.Sigmoid, nn.Sigmoid),
    ("tanh", L.Tanh, nn.Tanh),
]


@pytest.mark.parametrize(("name", "ours", "theirs"), ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
@pytest.mark.parametrize("shape", [(1, 1), (1, 6), (7, 4)])
def test_activation_modules_match_torch(rng, name, ours, theirs, shape):
    m = ours()
    x = 3 * rng.standard_normal(shape)
    x.flat[::4] = 0.0
    dout = rng.standard_normal(shape)
    out = m(x)
    dx = m.backward(dout)
    t_out, t_dx = run_torch(theirs(), x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)
    assert m.parameters() == []


# ---------------------------------------------------------------- Dropout


def test_dropout_module_train_mask_and_backward(rng):
    p = 0.3
    x, dout = rng.standard_normal((6, 5)), rng.standard_normal((6, 5))
    m = L.Dropout(p, rng=np.random.default_rng(11))
    keep = np.random.default_rng(11).random(x.shape) >= p
    out = m(x)
    assert_close(out, x * keep / (1 - p))
    assert_close(m.backward(dout), dout * keep / (1 - p))


def test_dropout_module_eval_is_identity(rng):
    m = L.Dropout(0.5, rng=np.random.default_rng(0))
    assert m.eval() is m
    assert m.training is False
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    np.testing.assert_array_equal(m(x), x)
    np.testing.assert_array_equal(m.backward(dout), dout)
    assert m.train() is m and m.training is True


def test_dropout_default_p_is_half():
    m = L.Dropout(rng=np.random.default_rng(0))
    out = m(np.ones((200, 200)))
    assert abs((out != 0).mean() - 0.5) < 0.01
    assert_close(out[out != 0], np.full((out != 0).sum(), 2.0))


@pytest.mark.parametrize("p", [-0.5, 1.01, 3])
def test_dropout_module_bad_p_raises(p):
    with pytest.raises(ValueError, match=r"\bp\b"):
        L.Dropout(p)


# ---------------------------------------------------------------- normalization


def randomize_affine(m, rng):
    m.gamma.data[...] = 1 + 0.5 * rng.standard_normal(m.gamma.data.shape)
    if hasattr(m, "beta"):
        m.beta.data[...] = rng.standard_normal(m.beta.data.shape)


def torch_norm(kind, m):
    D = m.gamma.data.shape[0]
    if kind == "batch":
        t = nn.BatchNorm1d(D, eps=m.eps, momentum=m.momentum)
    elif kind == "layer":
        t = nn.LayerNorm(D, eps=m.eps)
    else:
        t = nn.RMSNorm(D, eps=m.eps)
    t = t.double()
    with torch.no_grad():
        t.weight.copy_(tensor(m.gamma.data))
        if kind != "rms":
            t.bias.copy_(tensor(m.beta.data))
    return t


def norm_grads(kind, t):
    grads = [to_numpy(t.weight.grad)]
    if kind != "rms":
        grads.append(to_numpy(t.bias.grad))
    return grads


def our_norm_grads(kind, m):
    return [m.gamma.grad] if kind == "rms" else [m.gamma.grad, m.beta.grad]


NORMS = [("batch", L.BatchNorm1d), ("layer", L.LayerNorm), ("rms", L.RMSNorm)]


@pytest.mark.parametrize(("kind", "cls"), NORMS, ids=[n[0] for n in NORMS])
@pytest.mark.parametrize(("N", "D"), [(2, 3), (6, 4), (16, 1)])
def test_norm_modules_match_torch_in_training(rng, kind, cls, N, D):
    m = cls(D)
    randomize_affine(m, rng)
    t = torch_norm(kind, m)
    x, dout = 2 * rng.standard_normal((N, D)) + 1, rng.standard_normal((N, D))
    out = m(x)
    dx = m.backward(dout)
    t_out, t_dx = run_torch(t, x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)
    for ours, theirs in zip(our_norm_grads(kind, m), norm_grads(kind, t), strict=True):
        assert_close(ours, theirs)


@pytest.mark.parametrize(("kind", "cls"), NORMS[1:], ids=[n[0] for n in NORMS[1:]])
def test_row_norms_accept_a_batch_of_one(rng, kind, cls):
    m = cls(5)
    randomize_affine(m, rng)
    x, dout = rng.standard_normal((1, 5)), rng.standard_normal((1, 5))
    out, dx = m(x), m.backward(dout)
    t_out, t_dx = run_torch(torch_norm(kind, m), x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)


@pytest.mark.parametrize(("kind", "cls"), NORMS, ids=[n[0] for n in NORMS])
def test_norm_default_eps_and_parameters(kind, cls):
    m = cls(4)
    assert m.eps == {"batch": 1e-5, "layer": 1e-5, "rms": 1e-6}[kind]
    np.testing.assert_array_equal(m.gamma.data, np.ones(4))
    expected = [m.gamma] if kind == "rms" else [m.gamma, m.beta]
    assert {id(p) for p in m.parameters()} == {id(p) for p in expected}
    if kind != "rms":
        np.testing.assert_array_equal(m.beta.data, np.zeros(4))


@pytest.mark.parametrize(("kind", "cls"), NORMS, ids=[n[0] for n in NORMS])
def test_norm_backward_accumulates(rng, kind, cls):
    m = cls(3)
    randomize_affine(m, rng)
    x, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    m(x)
    m.backward(dout)
    first = [g.copy() for g in our_norm_grads(kind, m)]
    m(x)
    m.backward(dout)
    for g, g1 in zip(our_norm_grads(kind, m), first, strict=True):
        assert_close(g, 2 * g1)


@pytest.mark.parametrize("momentum", [0.1, 0.35])
@pytest.mark.parametrize("N", [2, 7])
def test_batchnorm_running_stats_and_eval_match_torch(rng, momentum, N):
    D = 4
    m = L.BatchNorm1d(D, momentum=momentum)
    randomize_affine(m, rng)
    t = torch_norm("batch", m)
    np.testing.assert_array_equal(m.running_mean, np.zeros(D))
    np.testing.assert_array_equal(m.running_var, np.ones(D))
    for step in range(5):
        x = (step + 1) * rng.standard_normal((N, D)) + step
        out = m(x)
        t_out = t(tensor(x))
        assert_close(out, t_out)
        assert_close(m.running_mean, t.running_mean)
        assert_close(m.running_var, t.running_var)
    assert m.eval() is m and m.training is False
    t.eval()
    x, dout = rng.standard_normal((3, D)), rng.standard_normal((3, D))
    out = m(x)
    dx = m.backward(dout)
    t_out, t_dx = run_torch(t, x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)
    assert_close(m.gamma.grad, t.weight.grad)
    assert_close(m.beta.grad, t.bias.grad)
    # Eval mode must not touch the running statistics; a batch of one is fine there.
    mean, var = m.running_mean.copy(), m.running_var.copy()
    m(rng.standard_normal((1, D)))
    np.testing.assert_array_equal(m.running_mean, mean)
    np.testing.assert_array_equal(m.running_var, var)


def test_batchnorm_custom_eps_matches_torch(rng):
    m = L.BatchNorm1d(3, eps=0.5)
    t = torch_norm("batch", m)
    x = 0.3 * rng.standard_normal((4, 3))
    assert_close(m(x), t(tensor(x)))
    assert_close(m.running_var, t.running_var)


def test_batchnorm_training_batch_of_one_raises(rng):
    m = L.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"\(1, 3\)"):
        m(rng.standard_normal((1, 3)))
    np.testing.assert_array_equal(m.running_mean, np.zeros(3))
    np.testing.assert_array_equal(m.running_var, np.ones(3))


@pytest.mark.parametrize("momentum", [0.0, 1.0, np.float32(0.5)])
def test_batchnorm_momentum_may_be_zero_or_one(momentum):
    assert L.BatchNorm1d(3, momentum=momentum).momentum == float(momentum)


@pytest.mark.parametrize(
    ("momentum", "error", "match"),
    [(1.5, ValueError, r"momentum.*\[0\.0, 1\.0\].*1\.5"), (-0.1, ValueError, r"momentum.*-0\.1"),
     ("0.1", TypeError, r"momentum.*'0\.1'"), (None, TypeError, r"momentum.*None")],
)
def test_batchnorm_bad_momentum_raises(momentum, error, match):
    with pytest.raises(error, match=match):
        L.BatchNorm1d(3, momentum=momentum)


def test_batchnorm_backward_follows_the_mode_of_its_forward(rng):
    """A mode switch between forward and backward must not mix the two formulas."""
    m = L.BatchNorm1d(3)
    x, dout = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    m(x)
    m.eval()
    dx = m.backward(dout)
    t = torch_norm("batch", L.BatchNorm1d(3))
    _, t_dx = run_torch(t, x, dout)
    assert_close(dx, t_dx)


def test_batchnorm_wrong_width_raises(rng):
    with pytest.raises(ValueError, match=r"gamma|\(4, 5\)"):
        L.BatchNorm1d(3)(rng.standard_normal((4, 5)))


def test_layernorm_module_3d_input_matches_torch(rng):
    m = L.LayerNorm(5)
    randomize_affine(m, rng)
    x, dout = rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 3, 5))
    out, dx = m(x), m.backward(dout)
    t = torch_norm("layer", m)
    t_out, t_dx = run_torch(t, x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)
    assert_close(m.gamma.grad, t.weight.grad)


# ---------------------------------------------------------------- Sequential and modes


def build_pair(rng, D=4, H=6, C=3):
    fc1, fc2 = random_linear(rng, D, H), random_linear(rng, H, C)
    bn = L.BatchNorm1d(H)
    randomize_affine(bn, rng)
    ours = L.Sequential(fc1, bn, L.Tanh(), L.Dropout(0.2, rng=np.random.default_rng(0)), fc2)
    theirs = nn.Sequential(
        torch_linear(fc1), torch_norm("batch", bn), nn.Tanh(), nn.Dropout(0.2), torch_linear(fc2)
    ).double()
    return ours, theirs


def test_sequential_is_iterable_indexable_and_sized(rng):
    a, b, c = L.Linear(2, 3, rng=rng), L.ReLU(), L.Linear(3, 1, rng=rng)
    seq = L.Sequential(a, b, c)
    assert len(seq) == 3
    assert list(seq) == [a, b, c]
    assert seq[0] is a and seq[1] is b and seq[2] is c and seq[-1] is c
    assert len(seq.parameters()) == 4
    assert {id(p) for p in seq.parameters()} == {id(a.W), id(a.b), id(c.W), id(c.b)}
    assert len(L.Sequential()) == 0


def test_sequential_matches_torch_in_eval_mode(rng):
    ours, theirs = build_pair(rng)
    # Give the BatchNorm some running statistics first.
    for _ in range(3):
        x = rng.standard_normal((8, 4))
        ours(x)
        theirs(tensor(x))
    ours.eval()
    theirs.eval()
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    out, dx = ours(x), ours.backward(dout)
    t_out, t_dx = run_torch(theirs, x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)
    assert_close(ours[0].W.grad, theirs[0].weight.grad.T)
    assert_close(ours[1].gamma.grad, theirs[1].weight.grad)
    assert_close(ours[4].b.grad, theirs[4].bias.grad)


def test_sequential_matches_torch_in_training_without_dropout(rng):
    fc1, fc2 = random_linear(rng, 3, 5), random_linear(rng, 5, 2)
    ours = L.Sequential(fc1, L.LayerNorm(5), L.ReLU(), fc2, L.Sigmoid())
    theirs = nn.Sequential(torch_linear(fc1), nn.LayerNorm(5), nn.ReLU(), torch_linear(fc2),
                           nn.Sigmoid()).double()
    x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    out, dx = ours(x), ours.backward(dout)
    t_out, t_dx = run_torch(theirs, x, dout)
    assert_close(out, t_out)
    assert_close(dx, t_dx)
    assert_close(fc1.W.grad, theirs[0].weight.grad.T)
    assert_close(fc2.b.grad, theirs[3].bias.grad)


def test_train_eval_return_self_and_recurse(rng):
    ours, _ = build_pair(rng)
    nested = L.Sequential(ours, L.ReLU())
    assert nested.training is True and all(m.training for m in ours)
    assert nested.eval() is nested
    assert nested.training is False
    assert all(m.training is False for m in ours) and ours.training is False
    assert nested[1].training is False
    assert nested.train() is nested
    assert nested.training is True and all(m.training is True for m in ours)


def test_sequential_zero_grad_clears_every_parameter(rng):
    ours, _ = build_pair(rng)
    ours(rng.standard_normal((6, 4)))
    ours.backward(rng.standard_normal((6, 3)))
    assert all(np.any(p.grad != 0) for p in ours.parameters())
    ours.zero_grad()
    assert all(np.all(p.grad == 0) for p in ours.parameters())


# ---------------------------------------------------------------- backward(dout, input_grad)


class FlagSpy(L.Module):
    """The identity, recording the ``input_grad`` each backward call receives."""

    def __init__(self, log: list):
        self.log = log

    def forward(self, x):
        return x

    def backward(self, dout, *, input_grad=True):
        self.log.append((self, input_grad))
        return dout if input_grad else None


class PlainBackward(L.Module):
    """A module written before ``input_grad``: ``backward(self, dout)``."""

    def forward(self, x):
        return x

    def backward(self, dout):
        return dout


EVERY_MODULE = {
    "linear": lambda r: random_linear(r, 3, 4),
    "relu": lambda r: L.ReLU(),
    "leaky_relu": lambda r: L.LeakyReLU(0.1),
    "sigmoid": lambda r: L.Sigmoid(),
    "tanh": lambda r: L.Tanh(),
    "dropout": lambda r: L.Dropout(0.3, rng=np.random.default_rng(1)),
    "batchnorm": lambda r: L.BatchNorm1d(3),
    "batchnorm_eval": lambda r: L.BatchNorm1d(3).eval(),
    "layernorm": lambda r: L.LayerNorm(3),
    "rmsnorm": lambda r: L.RMSNorm(3),
    "sequential": lambda r: L.Sequential(random_linear(r, 3, 5), L.ReLU(), random_linear(r, 5, 2)),
    "sequential_relu_first": lambda r: L.Sequential(L.ReLU(), random_linear(r, 3, 2)),
}
SKIP_INPUT_GRAD = {"linear", "sequential"}  # these return None for input_grad=False


def test_module_base_declares_the_input_grad_flag():
    flag = inspect.signature(L.Module.backward).parameters["input_grad"]
    assert flag.default is True and flag.kind is flag.KEYWORD_ONLY
    assert "input_grad" in L.Module.__doc__ and "input_grad" in L.Module.backward.__doc__
    with pytest.raises(NotImplementedError):
        L.Module().backward(np.ones((2, 3)), input_grad=False)


@pytest.mark.parametrize("name", EVERY_MODULE)
def test_every_module_takes_input_grad_and_keeps_parameter_gradients(rng, name):
    make = EVERY_MODULE[name]
    full, skipped = make(np.random.default_rng(0)), make(np.random.default_rng(0))
    x = rng.standard_normal((6, 3))
    out = full(x)
    np.testing.assert_array_equal(skipped(x), out)
    dout = rng.standard_normal(out.shape)
    dx = full.backward(dout, input_grad=True)
    no_dx = skipped.backward(dout, input_grad=False)
    if name in SKIP_INPUT_GRAD:
        assert no_dx is None
    else:
        assert_close(no_dx, dx)
    assert_close(full.backward(dout), dx)  # the default is input_grad=True
    for p, q in zip(full.parameters(), skipped.parameters(), strict=True):
        assert_close(p.grad, 2 * q.grad)


def test_sequential_passes_input_grad_false_to_its_first_module_only(rng):
    log = []
    spies = [FlagSpy(log) for _ in range(3)]
    seq = L.Sequential(*spies)
    x = rng.standard_normal((2, 3))
    seq(x)
    assert seq.backward(x, input_grad=False) is None
    assert log == [(spies[2], True), (spies[1], True), (spies[0], False)]
    log.clear()
    np.testing.assert_array_equal(seq.backward(x), x)
    assert log == [(spies[2], True), (spies[1], True), (spies[0], True)]


def test_empty_sequential_backward_is_the_identity(rng):
    dout = rng.standard_normal((2, 3))
    assert L.Sequential().backward(dout) is dout


@pytest.mark.parametrize("position", [0, 1])
def test_sequential_refuses_a_module_without_input_grad(position):
    layers = [L.ReLU()]
    layers.insert(position, PlainBackward())
    with pytest.raises(TypeError, match=r"PlainBackward\.backward\(dout\).*input_grad=True"):
        L.Sequential(*layers)
