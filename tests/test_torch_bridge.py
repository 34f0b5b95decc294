"""nnscratch.torch_bridge: to_torch / from_torch give the same function to 1e-10."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import functional as F
from nnscratch import layers as L
from nnscratch.models import MLP, TwoLayerNet
from nnscratch.torch_bridge import from_torch, to_torch
from tests.autograd import tensor, torch
from tests.helpers import assert_close, leaf_modules, to_numpy

tF = torch.nn.functional
nn = torch.nn


def randomize(model, rng):
    """Non-trivial biases, gammas and betas (the defaults are 0 / 1 / 0)."""
    for m in leaf_modules(model):
        for name in ("b", "beta"):
            if hasattr(m, name):
                getattr(m, name).data[...] = 0.2 * rng.standard_normal(getattr(m, name).shape)
        if hasattr(m, "gamma"):
            m.gamma.data[...] = 1 + 0.3 * rng.standard_normal(m.gamma.shape)
    return model


def warm_up_batchnorm(model, rng, D, steps=4):
    """A few training forwards so running statistics differ from (0, 1)."""
    for i in range(steps):
        model(2 * rng.standard_normal((8, D)) + i)


def outputs(model, tmodel, x):
    with torch.no_grad():
        return model(x), to_numpy(tmodel(tensor(x)))


def test_two_layer_net_to_torch(rng):
    model = randomize(TwoLayerNet(4, 7, 3, rng=rng), rng)
    tmodel = to_torch(model)
    assert isinstance(tmodel, nn.Module)
    assert all(p.dtype == torch.float64 for p in tmodel.parameters())
    assert sum(p.numel() for p in tmodel.parameters()) == 4 * 7 + 7 + 7 * 3 + 3
    for N in (1, 6):
        ours, theirs = outputs(model, tmodel, rng.standard_normal((N, 4)))
        assert_close(ours, theirs)


def test_to_torch_copies_weights_not_views(rng):
    model = TwoLayerNet(3, 4, 2, rng=rng)
    tmodel = to_torch(model)
    x = rng.standard_normal((2, 3))
    before = outputs(model, tmodel, x)[1]
    model.fc1.W.data[...] += 1.0
    assert_close(outputs(model, tmodel, x)[1], before)


def test_to_torch_gradients_match_backprop(rng):
    model = randomize(TwoLayerNet(4, 6, 3, rng=rng), rng)
    tmodel = to_torch(model)
    X, y = rng.standard_normal((5, 4)), rng.integers(0, 3, 5)
    loss, dlogits = F.softmax_cross_entropy(model(X), y)
    model.backward(dlogits)
    t_loss = tF.cross_entropy(tmodel(tensor(X)), torch.as_tensor(y))
    t_loss.backward()
    assert_close(loss, t_loss)
    t_linears = [m for m in tmodel.modules() if isinstance(m, nn.Linear)]
    assert_close(model.fc1.W.grad, t_linears[0].weight.grad.T)
    assert_close(model.fc1.b.grad, t_linears[0].bias.grad)
    assert_close(model.fc2.W.grad, t_linears[1].weight.grad.T)


MLP_CONFIGS = [
    dict(),
    dict(activation="tanh"),
    dict(activation="sigmoid"),
    dict(activation="leaky_relu"),
    dict(norm="layer"),
    dict(norm="rms"),
    dict(norm="batch"),
    dict(norm="layer", dropout=0.3),
    dict(norm="batch", dropout=0.5, activation="tanh"),
]


def cfg_id(cfg):
    return "-".join(f"{k}={v}" for k, v in cfg.items()) or "plain"


@pytest.mark.parametrize("cfg", MLP_CONFIGS, ids=cfg_id)
def test_mlp_to_torch_eval_mode(rng, cfg):
    model = randomize(MLP([5, 8, 6, 3], rng=rng, **cfg), rng)
    if cfg.get("norm") == "batch":
        warm_up_batchnorm(model, rng, 5)
    model.eval()
    tmodel = to_torch(model).eval()
    for N in (1, 7):
        ours, theirs = outputs(model, tmodel, rng.standard_normal((N, 5)))
        assert_close(ours, theirs)


@pytest.mark.parametrize("cfg", [c for c in MLP_CONFIGS if not c.get("dropout")], ids=cfg_id)
def test_mlp_to_torch_training_mode(rng, cfg):
    model = randomize(MLP([5, 8, 6, 3], rng=rng, **cfg), rng)
    tmodel = to_torch(model).train()
    ours, theirs = outputs(model, tmodel, rng.standard_normal((6, 5)))
    assert_close(ours, theirs)


def test_batchnorm_running_stats_are_copied(rng):
    model = MLP([4, 6, 2], norm="batch", rng=rng)
    warm_up_batchnorm(model, rng, 4)
    bn = next(m for m in leaf_modules(model) if isinstance(m, L.BatchNorm1d))
    tbn = next(m for m in to_torch(model).modules() if isinstance(m, nn.BatchNorm1d))
    assert_close(tbn.running_mean, bn.running_mean)
    assert_close(tbn.running_var, bn.running_var)
    assert tbn.eps == bn.eps and tbn.momentum == bn.momentum
    # And they keep evolving the same way when both train on.
    model.train()
    tmodel = to_torch(model).train()
    x = rng.standard_normal((5, 4))
    outputs(model, tmodel, x)
    tbn = next(m for m in tmodel.modules() if isinstance(m, nn.BatchNorm1d))
    assert_close(tbn.running_var, bn.running_var)


def test_to_torch_float32(rng):
    model = randomize(MLP([3, 4, 2], norm="layer", rng=rng), rng)
    tmodel = to_torch(model, dtype=torch.float32)
    assert all(p.dtype == torch.float32 for p in tmodel.parameters())
    x = rng.standard_normal((4, 3))
    out = tmodel(torch.tensor(x, dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(out, model(x), rtol=1e-5, atol=1e-5)


def test_to_torch_of_single_layers_and_sequential(rng):
    seq = L.Sequential(L.Linear(3, 4, rng=rng), L.LeakyReLU(0.2), L.LayerNorm(4),
                       L.Linear(4, 2, rng=rng), L.Sigmoid())
    randomize(seq, rng)
    x = rng.standard_normal((5, 3))
    assert_close(*outputs(seq, to_torch(seq), x))
    lin = randomize(L.Sequential(L.Linear(3, 2, rng=rng)), rng)[0]
    assert_close(*outputs(lin, to_torch(lin), x))


# ---------------------------------------------------------------- from_torch


@pytest.mark.parametrize("cfg", MLP_CONFIGS, ids=cfg_id)
def test_round_trip_mlp(rng, cfg):
    model = randomize(MLP([5, 8, 6, 3], rng=rng, **cfg), rng)
    if cfg.get("norm") == "batch":
        warm_up_batchnorm(model, rng, 5)
    model.eval()
    back = from_torch(to_torch(model))
    assert isinstance(back, L.Module)
    assert back.training is False
    assert [type(m) for m in leaf_modules(back)] == [type(m) for m in leaf_modules(model)]
    for p, q in zip(model.parameters(), back.parameters(), strict=True):
        assert p.data.shape == q.data.shape
        np.testing.assert_array_equal(p.data, q.data)
        np.testing.assert_array_equal(q.grad, 0.0)
    x = rng.standard_normal((4, 5))
    assert_close(back(x), model(x))


def test_round_trip_two_layer_net_trains_like_the_original(rng):
    model = randomize(TwoLayerNet(4, 5, 3, rng=rng), rng)
    back = from_torch(to_torch(model))
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    dx = model.backward(F.softmax_cross_entropy(model(X), y)[1])
    dx_back = back.backward(F.softmax_cross_entropy(back(X), y)[1])
    assert_close(dx_back, dx)
    for p, q in zip(model.parameters(), back.parameters(), strict=True):
        assert_close(q.grad, p.grad)


def test_from_torch_hand_built_sequential(rng):
    torch.manual_seed(0)
    tmodel = nn.Sequential(
        nn.Linear(4, 6), nn.BatchNorm1d(6, momentum=0.2), nn.ReLU(), nn.Dropout(0.1),
        nn.Linear(6, 5), nn.LayerNorm(5, eps=1e-3), nn.Tanh(),
        nn.Linear(5, 5), nn.RMSNorm(5, eps=1e-6), nn.LeakyReLU(0.05),
        nn.Linear(5, 2), nn.Sigmoid(),
    ).double()
    with torch.no_grad():
        for m in tmodel.modules():
            if isinstance(m, nn.BatchNorm1d | nn.LayerNorm | nn.RMSNorm):
                m.weight.uniform_(0.5, 1.5)
                if getattr(m, "bias", None) is not None:
                    m.bias.uniform_(-0.5, 0.5)
    for _ in range(3):
        tmodel.train()(torch.randn(8, 4, dtype=torch.float64))
    tmodel.eval()
    model = from_torch(tmodel)
    assert model.training is False
    x = rng.standard_normal((5, 4))
    assert_close(*outputs(model, tmodel, x))
    # Training mode (batch statistics; dropout with p=0.1 removed for comparability).
    tmodel[3].p = 0.0
    model2 = from_torch(tmodel).train()
    tmodel.train()
    assert_close(*outputs(model2, tmodel, x))


def test_from_torch_default_rmsnorm_eps(rng):
    """nn.RMSNorm(eps=None) uses torch.finfo(dtype).eps; the converted layer must agree."""
    tmodel = nn.Sequential(nn.Linear(3, 4), nn.RMSNorm(4)).double()
    x = rng.standard_normal((2, 3))
    assert_close(*outputs(from_torch(tmodel), tmodel, x))


def test_from_torch_float32_module_stays_float32(rng):
    tmodel = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model = from_torch(tmodel)
    assert all(p.data.dtype == np.float32 for p in model.parameters())
    x = rng.standard_normal((2, 3)).astype(np.float32)
    out = model(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, tmodel(torch.from_numpy(x)).detach().numpy(), rtol=1e-6,
                               atol=1e-6)


def test_from_torch_linear_without_bias_converts_or_raises_clearly(rng):
    tmodel = nn.Sequential(nn.Linear(3, 2, bias=False)).double()
    try:
        model = from_torch(tmodel)
    except (TypeError, ValueError) as exc:  # a clear refusal is acceptable
        assert "bias" in str(exc)
    else:
        x = rng.standard_normal((4, 3))
        assert_close(*outputs(model, tmodel, x))


@pytest.mark.parametrize(
    ("make", "word"),
    [
        (lambda: nn.LayerNorm(3, elementwise_affine=False), "affine"),
        (lambda: nn.LayerNorm(3, bias=False), "bias"),
        (lambda: nn.BatchNorm1d(3, affine=False), "affine"),
        (lambda: nn.BatchNorm1d(3, momentum=None), "momentum"),
    ],
    ids=["layernorm-no-affine", "layernorm-no-bias", "batchnorm-no-affine", "batchnorm-cma"],
)
def test_from_torch_norm_variants_convert_or_raise_clearly(rng, make, word):
    """Variants of the supported norm layers: equivalent in training, or a clear refusal."""
    tmodel = make().double()
    try:
        model = from_torch(tmodel)
    except (TypeError, ValueError) as exc:
        assert word in str(exc)
        return
    for _ in range(3):  # several training steps, so running statistics matter
        assert_close(*outputs(model, tmodel, rng.standard_normal((5, 3))))
    model.eval()
    tmodel.eval()
    assert_close(*outputs(model, tmodel, rng.standard_normal((2, 3))))


def test_from_torch_rejects_unknown_layers():
    with pytest.raises(TypeError, match="Conv1d"):
        from_torch(nn.Sequential(nn.Conv1d(1, 1, 3)))
