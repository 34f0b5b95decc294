"""nnscratch.gradcheck: numerical gradients, rel_error and check_gradients."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import functional as F
from nnscratch.gradcheck import (
    check_gradients,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)
from nnscratch.models import MLP, TwoLayerNet
from tests.helpers import leaf_modules

# ---------------------------------------------------------------- numerical_gradient


@pytest.mark.parametrize("shape", [(1,), (5,), (3, 4), (2, 3, 2)])
def test_numerical_gradient_of_known_functions(rng, shape):
    x = rng.standard_normal(shape)
    c = rng.standard_normal(shape)
    grad = numerical_gradient(lambda: np.sum(x**3 + c * np.sin(x)), x)
    assert grad.shape == x.shape
    assert rel_error(grad, 3 * x**2 + c * np.cos(x)) < 1e-8


def test_numerical_gradient_of_quadratic_form(rng):
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    grad = numerical_gradient(lambda: x @ A @ x, x)
    assert rel_error(grad, (A + A.T) @ x) < 1e-9


def test_numerical_gradient_step_h_is_used():
    x = np.array([1.0])
    # For f = x^3 the centred difference is exactly 3x^2 + h^2.
    coarse = numerical_gradient(lambda: x[0] ** 3, x, h=0.1)
    np.testing.assert_allclose(coarse, [3.0 + 0.01], rtol=1e-12)
    fine = numerical_gradient(lambda: x[0] ** 3, x)  # default h = 1e-5
    np.testing.assert_allclose(fine, [3.0], rtol=1e-9)


def test_numerical_gradient_restores_x_bitwise(rng):
    # Values for which x + h - 2h + h != x in floating point: restoring by arithmetic fails.
    x = rng.standard_normal((6, 7)) * 10.0 ** rng.integers(-3, 4, size=(6, 7))
    assert np.any(((x + 1e-5) - 2e-5) + 1e-5 != x)
    before = x.copy()
    grad = numerical_gradient(lambda: np.sum(np.exp(x / 100)), x)
    assert np.array_equal(x.view(np.uint64), before.view(np.uint64))
    assert grad.shape == x.shape


def test_numerical_gradient_perturbs_x_in_place():
    x = np.array([2.0, -1.0])
    seen = []

    def f():
        seen.append(x.copy())
        return float(np.sum(x**2))

    grad = numerical_gradient(f, x, h=1e-3)
    np.testing.assert_allclose(grad, [4.0, -2.0], rtol=1e-9)
    assert len(seen) == 4
    assert {tuple(s) for s in seen} == {(2.001, -1.0), (1.999, -1.0), (2.0, -0.999),
                                        (2.0, -1.001)}


# ---------------------------------------------------------------- numerical_gradient_array


def test_numerical_gradient_array_elementwise(rng):
    x, c, dout = (rng.standard_normal((3, 4)) for _ in range(3))
    grad = numerical_gradient_array(lambda: c * x**2, x, dout)
    assert rel_error(grad, 2 * c * x * dout) < 1e-8


def test_numerical_gradient_array_checks_linear_backward(rng):
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((4, 5))
    _, cache = F.linear_forward(x, W, b)
    dx, dW, db = F.linear_backward(dout, cache)

    def out():
        return F.linear_forward(x, W, b)[0]

    assert rel_error(numerical_gradient_array(out, x, dout), dx) < 1e-8
    assert rel_error(numerical_gradient_array(out, W, dout), dW) < 1e-8
    assert rel_error(numerical_gradient_array(out, b, dout), db) < 1e-8


def test_numerical_gradient_array_checks_batchnorm_backward(rng):
    x = 2 * rng.standard_normal((6, 4)) + 1
    gamma, beta, dout = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal((6, 4))
    _, cache = F.batchnorm_forward(x, gamma, beta)
    dx, dgamma, _ = F.batchnorm_backward(dout, cache)

    def out():
        return F.batchnorm_forward(x, gamma, beta)[0]

    assert rel_error(numerical_gradient_array(out, x, dout), dx) < 1e-7
    assert rel_error(numerical_gradient_array(out, gamma, dout), dgamma) < 1e-8


# ---------------------------------------------------------------- rel_error


def test_rel_error_formula():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.5])) == pytest.approx(0.5 / 4.5)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    # The 1e-8 floor on the denominator:
    assert rel_error(np.array([1e-9]), np.array([0.0])) == pytest.approx(0.1)
    assert rel_error(np.array([3.0, -3.0]), np.array([-3.0, 3.0])) == pytest.approx(1.0)
    # Max over elements, not mean:
    assert rel_error(np.array([1.0, 1.0, 1.0]), np.array([1.0, 1.0, 3.0])) == pytest.approx(0.5)


def test_rel_error_is_symmetric_and_returns_a_float(rng):
    a, b = rng.standard_normal(10), rng.standard_normal(10)
    err = rel_error(a, b)
    assert isinstance(err, float)
    assert err == rel_error(b, a)
    assert 0.0 <= err <= 1.0


def test_rel_error_scalars():
    assert rel_error(2.0, 3.0) == pytest.approx(0.2)


# ---------------------------------------------------------------- check_gradients


def test_check_gradients_returns_readable_names(rng):
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    model = TwoLayerNet(3, 4, 2, rng=rng)
    errors = check_gradients(model, X, y)
    assert isinstance(errors, dict)
    assert len(errors) == 4
    for name, err in errors.items():
        assert isinstance(name, str) and name and "<" not in name and "0x" not in name
        assert isinstance(err, float) and 0.0 <= err < 1e-8
    joined = " ".join(errors)
    assert "fc1" in joined and "fc2" in joined
    assert sum("fc1" in k for k in errors) == 2 and sum("fc2" in k for k in errors) == 2


def test_check_gradients_names_are_unique_in_a_deep_mlp(rng):
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    model = MLP([3, 4, 4, 4, 2], norm="layer", rng=rng)
    errors = check_gradients(model, X, y)
    assert len(errors) == len(model.parameters()) == 4 * 2 + 3 * 2


def test_check_gradients_leaves_the_model_unchanged(rng):
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, 6)
    model = MLP([3, 5, 2], norm="batch", dropout=0.3, rng=rng)
    before = [p.data.copy() for p in model.parameters()]
    bn = next(m for m in leaf_modules(model) if hasattr(m, "running_mean"))
    stats = bn.running_mean.copy(), bn.running_var.copy()
    errors = check_gradients(model, X, y)
    for p, b in zip(model.parameters(), before, strict=True):
        assert np.array_equal(p.data.view(np.uint64), b.view(np.uint64))
    np.testing.assert_array_equal(bn.running_mean, stats[0])
    np.testing.assert_array_equal(bn.running_var, stats[1])
    # With dropout active, masks must be replayed identically for every evaluation.
    assert all(err < 1e-8 for err in errors.values()), errors


def test_check_gradients_detects_a_wrong_backward(rng):
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    model = TwoLayerNet(3, 5, 3, rng=rng)
    correct_backward = model.fc2.backward

    def wrong_backward(dout, **kwargs):
        dx = correct_backward(dout, **kwargs)
        model.fc2.b.grad *= 1.5  # a bug: bias gradient 50% too large
        return dx

    model.fc2.backward = wrong_backward
    errors = check_gradients(model, X, y)
    bias_errors = [err for name, err in errors.items() if "fc2" in name and name.endswith("b")]
    assert bias_errors and bias_errors[0] > 1e-2
    others = [err for name, err in errors.items() if not ("fc2" in name and name.endswith("b"))]
    assert all(err < 1e-8 for err in others), errors


def test_check_gradients_detects_a_zeroed_gradient(rng):
    """A backward that forgets a parameter must not pass as an 'exactly zero' gradient."""
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 3, 6)
    model = TwoLayerNet(3, 5, 3, rng=rng)
    correct_backward = model.fc1.backward

    def forgetful_backward(dout, **kwargs):
        dx = correct_backward(dout, **kwargs)
        model.fc1.W.grad[...] = 0.0
        return dx

    model.fc1.backward = forgetful_backward
    errors = check_gradients(model, X, y)
    assert max(err for name, err in errors.items() if "fc1" in name and "W" in name) > 0.5


def test_check_gradients_unknown_loss_raises(rng):
    model = TwoLayerNet(3, 4, 2, rng=rng)
    with pytest.raises(ValueError, match=r"loss.*'hinge'"):
        check_gradients(model, np.zeros((2, 3)), np.zeros(2, dtype=int), loss="hinge")


def test_check_gradients_refuses_float32_models():
    m = MLP([5, 6, 3], rng=np.random.default_rng(0), dtype=np.float32)
    X = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    with pytest.raises(TypeError, match="float64 model.*float32"):
        check_gradients(m, X, np.arange(4) % 3)


def test_check_gradients_accepts_integer_inputs():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    m = MLP([2, 4, 2], activation="tanh", rng=np.random.default_rng(0))
    errors = check_gradients(m, X, np.array([0, 1, 1, 0]))
    assert max(errors.values()) < 1e-8
