"""nnscratch.init: shapes, bound/std equal to the torch.nn.init formulas, determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnscratch import init
from nnscratch.layers import Linear
from nnscratch.models import MLP
from tests.autograd import torch

tinit = torch.nn.init

FANS = [(1, 1), (1, 7), (3, 5), (64, 32), (10, 300)]


def torch_fans(fan_in: int, fan_out: int) -> tuple[int, int]:
    """torch's own fan computation on an nn.Linear weight of shape (out, in)."""
    return tinit._calculate_fan_in_and_fan_out(torch.empty(fan_out, fan_in))


def torch_xavier_uniform_bound(fan_in, fan_out, gain=1.0):
    t_in, t_out = torch_fans(fan_in, fan_out)
    return gain * math.sqrt(2.0 / (t_in + t_out)) * math.sqrt(3.0)


def torch_xavier_normal_std(fan_in, fan_out, gain=1.0):
    t_in, t_out = torch_fans(fan_in, fan_out)
    return gain * math.sqrt(2.0 / (t_in + t_out))


def torch_kaiming_normal_std(fan_in, fan_out):
    t_in, _ = torch_fans(fan_in, fan_out)  # mode="fan_in"
    return tinit.calculate_gain("relu") / math.sqrt(t_in)


def torch_kaiming_uniform_bound(fan_in, fan_out):
    return math.sqrt(3.0) * torch_kaiming_normal_std(fan_in, fan_out)


UNIFORM = [
    ("xavier_uniform", lambda i, o, rng: init.xavier_uniform(i, o, rng=rng),
     torch_xavier_uniform_bound),
    ("he_uniform", lambda i, o, rng: init.he_uniform(i, o, rng=rng), torch_kaiming_uniform_bound),
]
NORMAL = [
    ("xavier_normal", lambda i, o, rng: init.xavier_normal(i, o, rng=rng),
     torch_xavier_normal_std),
    ("he_normal", lambda i, o, rng: init.he_normal(i, o, rng=rng), torch_kaiming_normal_std),
]
ALL = UNIFORM + NORMAL


def test_torch_formula_sanity():
    # Guards the helpers above against torch changing what they compute.
    t = torch.empty(30, 20, dtype=torch.float64)
    torch.manual_seed(0)
    tinit.kaiming_uniform_(t, mode="fan_in", nonlinearity="relu")
    assert t.abs().max().item() <= torch_kaiming_uniform_bound(20, 30)
    assert t.abs().max().item() > 0.9 * torch_kaiming_uniform_bound(20, 30)
    tinit.xavier_uniform_(t)
    assert t.abs().max().item() <= torch_xavier_uniform_bound(20, 30)
    assert t.abs().max().item() > 0.9 * torch_xavier_uniform_bound(20, 30)


@pytest.mark.parametrize(("name", "make", "_formula"), ALL, ids=[c[0] for c in ALL])
@pytest.mark.parametrize(("fan_in", "fan_out"), FANS)
def test_shape_and_dtype(name, make, _formula, fan_in, fan_out):
    W = make(fan_in, fan_out, np.random.default_rng(0))
    assert W.shape == (fan_in, fan_out)
    assert W.dtype == np.float64
    assert np.all(np.isfinite(W))


@pytest.mark.parametrize(("name", "make", "bound"), UNIFORM, ids=[c[0] for c in UNIFORM])
@pytest.mark.parametrize(("fan_in", "fan_out"), [(400, 300), (784, 100), (50, 1000)])
def test_uniform_bound_and_std_match_torch_formula(name, make, bound, fan_in, fan_out):
    a = bound(fan_in, fan_out)
    W = make(fan_in, fan_out, np.random.default_rng(1))
    assert np.abs(W).max() <= a
    # With >= 5e4 samples the max of U(-a, a) lies within 0.1% of a.
    assert np.abs(W).max() > 0.999 * a
    np.testing.assert_allclose(W.std(), a / math.sqrt(3.0), rtol=0.02)
    assert abs(W.mean()) < 0.02 * a


@pytest.mark.parametrize(("name", "make", "std"), NORMAL, ids=[c[0] for c in NORMAL])
@pytest.mark.parametrize(("fan_in", "fan_out"), [(400, 300), (784, 100), (50, 1000)])
def test_normal_std_matches_torch_formula(name, make, std, fan_in, fan_out):
    s = std(fan_in, fan_out)
    W = make(fan_in, fan_out, np.random.default_rng(2))
    np.testing.assert_allclose(W.std(), s, rtol=0.02)
    assert abs(W.mean()) < 0.02 * s
    # Gaussian, not uniform nor truncated: ~68.3% within one std, some beyond 3 std.
    assert abs(np.mean(np.abs(W) < s) - 0.6827) < 0.01
    assert np.abs(W).max() > 3.5 * s


@pytest.mark.parametrize("gain", [0.5, 2.0])
def test_xavier_gain_scales(gain):
    W = init.xavier_uniform(300, 200, rng=np.random.default_rng(3), gain=gain)
    a = torch_xavier_uniform_bound(300, 200, gain)
    assert a * 0.999 < np.abs(W).max() <= a
    W = init.xavier_normal(300, 200, rng=np.random.default_rng(3), gain=gain)
    np.testing.assert_allclose(W.std(), torch_xavier_normal_std(300, 200, gain), rtol=0.02)


def test_he_uses_fan_in_not_fan_out():
    narrow = init.he_normal(1000, 10, rng=np.random.default_rng(0))
    wide = init.he_normal(10, 1000, rng=np.random.default_rng(0))
    np.testing.assert_allclose(narrow.std(), math.sqrt(2 / 1000), rtol=0.05)
    np.testing.assert_allclose(wide.std(), math.sqrt(2 / 10), rtol=0.05)


@pytest.mark.parametrize(("name", "make", "_formula"), ALL, ids=[c[0] for c in ALL])
def test_same_seed_same_array_different_seed_different(name, make, _formula):
    a = make(20, 30, np.random.default_rng(42))
    b = make(20, 30, np.random.default_rng(42))
    c = make(20, 30, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(("name", "make", "_formula"), ALL, ids=[c[0] for c in ALL])
def test_rng_none_works_and_leaves_global_state_alone(name, make, _formula):
    np.random.seed(0)  # noqa: NPY002 (checks the legacy global state is untouched)
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checks the legacy global state is untouched)
    W = make(5, 4, None)
    assert W.shape == (5, 4)
    make(5, 4, np.random.default_rng(0))
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002 (checks the legacy global state is untouched)


@pytest.mark.parametrize("name", ["kaiming", "normal", "He", ""])
def test_unknown_init_name_in_linear_raises(name):
    with pytest.raises(ValueError, match=rf"init.*{name!r}"):
        Linear(3, 4, init=name, rng=np.random.default_rng(0))


def test_unknown_init_name_in_mlp_raises():
    with pytest.raises(ValueError, match=r"init.*'glorot'"):
        MLP([3, 4, 2], init="glorot", rng=np.random.default_rng(0))


@pytest.mark.parametrize(("init_name", "std"), [("he", math.sqrt(2 / 400)),
                                                ("xavier", math.sqrt(2 / 700))])
def test_linear_init_names_choose_the_scheme(init_name, std):
    layer = Linear(400, 300, init=init_name, rng=np.random.default_rng(0))
    assert layer.W.data.shape == (400, 300)
    np.testing.assert_allclose(layer.W.data.std(), std, rtol=0.02)


@pytest.mark.parametrize("fans", [(3.0, 4), (True, 4), (4, 0), (-1, 2)])
def test_fans_must_be_positive_integers(fans):
    with pytest.raises(ValueError, match="fan_(in|out) must be a positive integer"):
        init.xavier_uniform(*fans)


def test_fans_may_be_numpy_integers():
    W = init.he_uniform(np.int64(3), np.int32(4), np.random.default_rng(0))
    assert W.shape == (3, 4)
