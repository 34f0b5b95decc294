"""nnscratch.models: structure, torch equivalence, gradient checks, dtypes, bad names."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import functional as F
from nnscratch import layers as L
from nnscratch.gradcheck import check_gradients
from nnscratch.models import MLP, TwoLayerNet
from tests.autograd import tensor, torch
from tests.helpers import assert_close, leaf_modules, to_numpy

tF = torch.nn.functional
nn = torch.nn

ACT_TYPES = {"relu": L.ReLU, "leaky_relu": L.LeakyReLU, "tanh": L.Tanh, "sigmoid": L.Sigmoid}
NORM_TYPES = {"batch": L.BatchNorm1d, "layer": L.LayerNorm, "rms": L.RMSNorm}


def expected_types(sizes, activation="relu", norm=None, dropout=0.0):
    types = []
    for _ in sizes[1:-1]:
        types.append(L.Linear)
        if norm is not None:
            types.append(NORM_TYPES[norm])
        types.append(ACT_TYPES[activation])
        if dropout > 0:
            types.append(L.Dropout)
    return [*types, L.Linear]


def torch_copy(leaves) -> nn.Sequential:
    """A float64 torch Sequential equivalent to a list of nnscratch leaf modules."""
    mods = []
    for m in leaves:
        if isinstance(m, L.Linear):
            t = nn.Linear(*m.W.data.shape)
            t.weight.data = tensor(m.W.data.T)
            t.bias.data = tensor(m.b.data)
        elif isinstance(m, L.BatchNorm1d):
            t = nn.BatchNorm1d(m.gamma.data.shape[0], eps=m.eps, momentum=m.momentum)
            t.weight.data, t.bias.data = tensor(m.gamma.data), tensor(m.beta.data)
            t.running_mean, t.running_var = tensor(m.running_mean), tensor(m.running_var)
        elif isinstance(m, L.LayerNorm):
            t = nn.LayerNorm(m.gamma.data.shape[0], eps=m.eps)
            t.weight.data, t.bias.data = tensor(m.gamma.data), tensor(m.beta.data)
        elif isinstance(m, L.RMSNorm):
            t = nn.RMSNorm(m.gamma.data.shape[0], eps=m.eps)
            t.weight.data = tensor(m.gamma.data)
        elif isinstance(m, L.LeakyReLU):
            t = nn.LeakyReLU(m.negative_slope)
        elif isinstance(m, L.Dropout):
            t = nn.Dropout(m.p)
        else:
            t = {L.ReLU: nn.ReLU, L.Tanh: nn.Tanh, L.Sigmoid: nn.Sigmoid}[type(m)]()
        mods.append(t)
    return nn.Sequential(*mods).double()


def torch_param_grads(leaves, tmodel):
    """Gradients of the torch copy in nnscratch layout, in the order of ``parameters()``."""
    grads = []
    for m, t in zip(leaves, tmodel, strict=True):
        if isinstance(m, L.Linear):
            grads += [to_numpy(t.weight.grad.T), to_numpy(t.bias.grad)]
        elif isinstance(m, L.RMSNorm):
            grads += [to_numpy(t.weight.grad)]
        elif isinstance(m, L.BatchNorm1d | L.LayerNorm):
            grads += [to_numpy(t.weight.grad), to_numpy(t.bias.grad)]
    return grads


def our_param_grads(leaves):
    grads = []
    for m in leaves:
        if isinstance(m, L.Linear):
            grads += [m.W.grad, m.b.grad]
        elif isinstance(m, L.RMSNorm):
            grads += [m.gamma.grad]
        elif isinstance(m, L.BatchNorm1d | L.LayerNorm):
            grads += [m.gamma.grad, m.beta.grad]
    return grads


def perturb_norms(model, rng):
    """Non-trivial gamma/beta so norm layers are not the identity affine map."""
    for m in leaf_modules(model):
        if hasattr(m, "gamma"):
            m.gamma.data[...] = 1 + 0.3 * rng.standard_normal(m.gamma.data.shape)
        if hasattr(m, "beta"):
            m.beta.data[...] = 0.3 * rng.standard_normal(m.beta.data.shape)
        if isinstance(m, L.Linear):
            m.b.data[...] = 0.1 * rng.standard_normal(m.b.data.shape)


# ---------------------------------------------------------------- structure


def test_two_layer_net_structure_and_forward(rng):
    model = TwoLayerNet(4, 7, 3, rng=rng)
    assert isinstance(model, L.Module)
    assert isinstance(model.fc1, L.Linear) and isinstance(model.fc2, L.Linear)
    assert model.fc1.W.data.shape == (4, 7) and model.fc1.b.data.shape == (7,)
    assert model.fc2.W.data.shape == (7, 3) and model.fc2.b.data.shape == (3,)
    assert [type(m) for m in leaf_modules(model)] == [L.Linear, L.ReLU, L.Linear]
    assert len(model.parameters()) == 4
    perturb_norms(model, rng)
    x = rng.standard_normal((5, 4))
    h = np.maximum(x @ model.fc1.W.data + model.fc1.b.data, 0)
    assert_close(model(x), h @ model.fc2.W.data + model.fc2.b.data)


def test_two_layer_net_seed_determinism():
    a = TwoLayerNet(3, 5, 2, rng=np.random.default_rng(4))
    b = TwoLayerNet(3, 5, 2, rng=np.random.default_rng(4))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    c = TwoLayerNet(3, 5, 2, rng=np.random.default_rng(5))
    assert not np.array_equal(a.fc1.W.data, c.fc1.W.data)
    # fc1 and fc2 must not reuse the same random stream.
    d = TwoLayerNet(4, 4, 4, rng=np.random.default_rng(4))
    assert not np.array_equal(d.fc1.W.data, d.fc2.W.data)


@pytest.mark.parametrize(
    "make",
    [lambda r: TwoLayerNet(4, 6, 3, rng=r), lambda r: MLP([4, 3], rng=r),
     lambda r: MLP([4, 6, 5, 3], norm="batch", dropout=0.2, rng=r)],
    ids=["two_layer_net", "mlp_linear", "mlp_batchnorm_dropout"],
)
def test_models_skip_the_input_gradient_and_keep_parameter_gradients(rng, make):
    full, skipped = make(np.random.default_rng(0)), make(np.random.default_rng(0))
    x = rng.standard_normal((5, 4))
    dout = rng.standard_normal((5, 3))
    full(x)
    skipped(x)
    assert full.backward(dout).shape == x.shape
    assert skipped.backward(dout, input_grad=False) is None
    for p, q in zip(full.parameters(), skipped.parameters(), strict=True):
        assert_close(p.grad, q.grad)


MLP_CONFIGS = [
    dict(sizes=[4, 3]),
    dict(sizes=[5, 8, 3]),
    dict(sizes=[5, 8, 6, 3]),
    dict(sizes=[5, 8, 6, 3], norm="batch"),
    dict(sizes=[5, 8, 6, 3], norm="layer"),
    dict(sizes=[5, 8, 6, 3], norm="rms"),
    dict(sizes=[5, 8, 6, 3], dropout=0.25),
    dict(sizes=[5, 8, 6, 3], norm="batch", dropout=0.5, activation="tanh"),
    dict(sizes=[5, 8, 3], activation="tanh"),
    dict(sizes=[5, 8, 3], activation="sigmoid"),
    dict(sizes=[5, 8, 3], activation="leaky_relu", norm="layer"),
]


def cfg_id(cfg):
    return "-".join(f"{k}={v}" for k, v in cfg.items())


@pytest.mark.parametrize("cfg", MLP_CONFIGS, ids=cfg_id)
def test_mlp_structure(rng, cfg):
    cfg = dict(cfg)
    sizes = cfg.pop("sizes")
    model = MLP(sizes, rng=rng, **cfg)
    assert isinstance(model, L.Module)
    leaves = leaf_modules(model)
    assert [type(m) for m in leaves] == expected_types(sizes, **cfg)
    linears = [m for m in leaves if isinstance(m, L.Linear)]
    assert [m.W.data.shape for m in linears] == list(zip(sizes[:-1], sizes[1:], strict=True))
    for m in leaves:
        if isinstance(m, L.Dropout):
            assert m.p == cfg["dropout"]
    n_norm_params = {None: 0, "batch": 2, "layer": 2, "rms": 1}[cfg.get("norm")]
    assert len(model.parameters()) == 2 * len(linears) + n_norm_params * (len(sizes) - 2)
    assert model(rng.standard_normal((4, sizes[0]))).shape == (4, sizes[-1])


@pytest.mark.parametrize("cfg", MLP_CONFIGS, ids=cfg_id)
def test_mlp_matches_torch_forward_and_backward(rng, cfg):
    cfg = dict(cfg)
    sizes = cfg.pop("sizes")
    model = MLP(sizes, rng=rng, **cfg)
    perturb_norms(model, rng)
    if cfg.get("dropout"):
        model.eval()  # torch's dropout mask cannot be reproduced; compare in eval mode
    leaves = leaf_modules(model)
    tmodel = torch_copy(leaves)
    tmodel.train(model.training)
    x, dout = rng.standard_normal((6, sizes[0])), rng.standard_normal((6, sizes[-1]))
    out, dx = model(x), model.backward(dout)
    xt = tensor(x, requires_grad=True)
    t_out = tmodel(xt)
    t_out.backward(tensor(dout))
    assert_close(out, t_out)
    assert_close(dx, xt.grad)
    for ours, theirs in zip(our_param_grads(leaves), torch_param_grads(leaves, tmodel),
                            strict=True):
        assert_close(ours, theirs)


def test_mlp_train_eval_recurse(rng):
    model = MLP([4, 6, 5, 2], norm="batch", dropout=0.3, rng=rng)
    assert model.eval() is model
    assert all(m.training is False for m in leaf_modules(model))
    x = rng.standard_normal((3, 4))
    np.testing.assert_array_equal(model(x), model(x))  # eval: deterministic
    assert model.train() is model
    assert all(m.training is True for m in leaf_modules(model))


def test_mlp_zero_grad(rng):
    model = MLP([4, 6, 2], norm="layer", rng=rng)
    model(rng.standard_normal((3, 4)))
    model.backward(np.ones((3, 2)))
    assert any(np.any(p.grad != 0) for p in model.parameters())
    model.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(norm="group"), r"norm.*'group'"),
        (dict(norm="batchnorm"), r"norm.*'batchnorm'"),
        (dict(activation="gelu"), r"activation.*'gelu'"),
        (dict(activation="ReLU"), r"activation.*'ReLU'"),
        (dict(init="kaiming"), r"init.*'kaiming'"),
        (dict(dropout=1.5), r"dropout.*1\.5"),
        (dict(dropout=-0.1), r"dropout.*-0\.1"),
    ],
)
def test_mlp_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP([4, 5, 2], rng=np.random.default_rng(0), **kwargs)


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("norm", [None, "batch", "layer", "rms"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_mlp_float32_end_to_end(rng, norm, activation):
    model = MLP([4, 6, 5, 3], norm=norm, activation=activation, dropout=0.2, dtype=np.float32,
                rng=rng)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    out = model(x)
    assert out.dtype == np.float32
    loss, dlogits = F.softmax_cross_entropy(out, np.array([0, 1, 2, 0, 1]))
    assert dlogits.dtype == np.float32
    assert model.backward(dlogits).dtype == np.float32
    for p in model.parameters():
        assert p.data.dtype == np.float32 and p.grad.dtype == np.float32


def test_two_layer_net_float32(rng):
    model = TwoLayerNet(4, 5, 3, rng=rng, dtype=np.float32)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    assert model(x).dtype == np.float32
    assert model.backward(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


# ---------------------------------------------------------------- numerical gradient checks


def toy_data(rng, N=8, D=5, C=3):
    return rng.standard_normal((N, D)), rng.integers(0, C, size=N)


def test_two_layer_net_gradcheck(rng):
    X, y = toy_data(rng)
    model = TwoLayerNet(5, 7, 3, rng=rng)
    perturb_norms(model, rng)
    errors = check_gradients(model, X, y)
    assert len(errors) == 4
    assert all(err < 1e-8 for err in errors.values()), errors


GRADCHECK_CONFIGS = [
    dict(),
    dict(norm="batch"),
    dict(norm="layer"),
    dict(norm="rms"),
    dict(activation="tanh"),
    dict(activation="sigmoid", norm="layer"),
    dict(activation="leaky_relu", norm="batch"),
]


@pytest.mark.parametrize("cfg", GRADCHECK_CONFIGS, ids=lambda c: cfg_id(c) or "plain")
def test_mlp_gradcheck_every_parameter_below_1e8(rng, cfg):
    X, y = toy_data(rng)
    model = MLP([5, 6, 4, 3], rng=rng, **cfg)
    perturb_norms(model, rng)
    errors = check_gradients(model, X, y)
    assert len(errors) == len(model.parameters())
    assert all(err < 1e-8 for err in errors.values()), errors


def test_mlp_batchnorm_zero_bias_gradient_is_not_reported_as_wrong(rng):
    """The Linear bias feeding BatchNorm has an exactly-zero true gradient."""
    X, y = toy_data(rng, N=10)
    model = MLP([5, 6, 4, 3], norm="batch", rng=rng)
    perturb_norms(model, rng)
    first = leaf_modules(model)[0]
    model.backward(F.softmax_cross_entropy(model(X), y)[1])
    assert np.abs(first.b.grad).max() < 1e-15  # analytic gradient is zero up to rounding
    assert np.abs(first.W.grad).max() > 1e-6
    errors = check_gradients(model, X, y)
    assert all(err < 1e-8 for err in errors.values()), errors


def test_mlp_gradcheck_mse(rng):
    X = rng.standard_normal((7, 3))
    Y = rng.standard_normal((7, 2))
    model = MLP([3, 5, 2], activation="tanh", rng=rng)
    perturb_norms(model, rng)
    errors = check_gradients(model, X, Y, loss="mse")
    assert all(err < 1e-8 for err in errors.values()), errors


def test_mlp_cross_entropy_gradients_match_torch(rng):
    """Analytic gradients through the loss, independently of check_gradients."""
    X, y = toy_data(rng)
    model = MLP([5, 6, 4, 3], norm="layer", activation="tanh", rng=rng)
    perturb_norms(model, rng)
    leaves = leaf_modules(model)
    tmodel = torch_copy(leaves)
    loss, dlogits = F.softmax_cross_entropy(model(X), y)
    model.backward(dlogits)
    t_loss = tF.cross_entropy(tmodel(tensor(X)), torch.as_tensor(y))
    t_loss.backward()
    assert_close(loss, t_loss)
    for ours, theirs in zip(our_param_grads(leaves), torch_param_grads(leaves, tmodel),
                            strict=True):
        assert_close(ours, theirs)
