"""nnscratch.functional against torch autograd in float64 (forward and backward to 1e-10)."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import functional as F
from tests.autograd import tensor, torch, torch_grads
from tests.helpers import assert_close

tF = torch.nn.functional

SHAPES_2D = [(1, 3), (4, 5), (7, 2), (16, 10)]
SHAPES_ANY = [(1, 1), (1, 4), (5, 3), (2, 3, 4), (6,)]


def with_exact_zeros(x: np.ndarray) -> np.ndarray:
    """``x`` with about a third of its entries set to exactly 0.0."""
    x = x.copy()
    x.flat[::3] = 0.0
    return x


# ---------------------------------------------------------------- linear


@pytest.mark.parametrize(("N", "D", "M"), [(1, 3, 2), (4, 5, 3), (10, 1, 6), (7, 8, 1)])
def test_linear_matches_torch(rng, N, D, M):
    x, W, b = rng.standard_normal((N, D)), rng.standard_normal((D, M)), rng.standard_normal(M)
    dout = rng.standard_normal((N, M))
    out, cache = F.linear_forward(x, W, b)
    dx, dW, db = F.linear_backward(dout, cache)
    t_out, (tdx, tdW, tdb) = torch_grads(lambda x, W, b: tF.linear(x, W.T, b), x, W, b, dout=dout)
    assert_close(out, t_out)
    assert_close(dx, tdx)
    assert_close(dW, tdW)
    assert_close(db, tdb)


def test_linear_does_not_mutate_inputs(rng):
    x, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    copies = [a.copy() for a in (x, W, b)]
    out, cache = F.linear_forward(x, W, b)
    F.linear_backward(np.ones_like(out), cache)
    for a, c in zip((x, W, b), copies, strict=True):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(
    ("x_shape", "W_shape", "b_shape", "match"),
    [
        ((5,), (5, 3), (3,), r"x.*\(5,\)"),
        ((2, 5), (4, 3), (3,), r"W.*\(4, 3\)"),
        ((2, 5), (5,), (3,), r"W.*\(5,\)"),
        ((2, 5), (5, 3), (4,), r"b.*\(4,\)"),
        ((2, 5), (5, 3), (1, 3), r"b.*\(1, 3\)"),
    ],
)
def test_linear_bad_shapes_raise(x_shape, W_shape, b_shape, match):
    with pytest.raises(ValueError, match=match):
        F.linear_forward(np.zeros(x_shape), np.zeros(W_shape), np.zeros(b_shape))


# ---------------------------------------------------------------- activations


@pytest.mark.parametrize("shape", SHAPES_ANY)
def test_relu_matches_torch_including_exact_zeros(rng, shape):
    x = with_exact_zeros(rng.standard_normal(shape))
    dout = rng.standard_normal(shape)
    out, cache = F.relu_forward(x)
    dx = F.relu_backward(dout, cache)
    t_out, (tdx,) = torch_grads(tF.relu, x, dout=dout)
    assert_close(out, t_out)
    assert_close(dx, tdx)
    assert np.all(dx[x == 0] == 0.0)


@pytest.mark.parametrize("shape", SHAPES_ANY)
@pytest.mark.parametrize("slope", [0.01, 0.2, 1.5])
def test_leaky_relu_matches_torch(rng, shape, slope):
    x = with_exact_zeros(rng.standard_normal(shape))
    dout = rng.standard_normal(shape)
    out, cache = F.leaky_relu_forward(x, negative_slope=slope)
    dx = F.leaky_relu_backward(dout, cache)
    t_out, (tdx,) = torch_grads(lambda t: tF.leaky_relu(t, slope), x, dout=dout)
    assert_close(out, t_out)
    assert_close(dx, tdx)


def test_leaky_relu_default_slope_is_001(rng):
    x = rng.standard_normal((4, 5))
    out, _ = F.leaky_relu_forward(x)
    assert_close(out, tF.leaky_relu(tensor(x)))


@pytest.mark.parametrize("shape", SHAPES_ANY)
def test_sigmoid_matches_torch(rng, shape):
    x = 4 * rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    out, cache = F.sigmoid_forward(x)
    dx = F.sigmoid_backward(dout, cache)
    t_out, (tdx,) = torch_grads(torch.sigmoid, x, dout=dout)
    assert_close(out, t_out)
    assert_close(dx, tdx)


@pytest.mark.parametrize("shape", SHAPES_ANY)
def test_tanh_matches_torch(rng, shape):
    x = 2 * rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    out, cache = F.tanh_forward(x)
    dx = F.tanh_backward(dout, cache)
    t_out, (tdx,) = torch_grads(torch.tanh, x, dout=dout)
    assert_close(out, t_out)
    assert_close(dx, tdx)


@pytest.mark.filterwarnings("error")
def test_sigmoid_saturates_exactly_without_warnings():
    x = np.array([[1000.0, -1000.0, 0.0], [800.0, -800.0, 1e308]])
    out, cache = F.sigmoid_forward(x)
    np.testing.assert_array_equal(out, [[1.0, 0.0, 0.5], [1.0, 0.0, 1.0]])
    dx = F.sigmoid_backward(np.ones_like(x), cache)
    assert np.all(np.isfinite(dx))
    np.testing.assert_array_equal(dx[:, :2], 0.0)


@pytest.mark.filterwarnings("error")
def test_sigmoid_float32_saturates_without_warnings():
    out, _ = F.sigmoid_forward(np.array([1000.0, -1000.0, 100.0, -100.0], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out[:2], [1.0, 0.0])
    assert np.all(np.isfinite(out))


# ---------------------------------------------------------------- dropout


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (6, 5), (3, 4, 5)])
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_mask_is_exactly_rng_random_ge_p(rng, shape, p):
    x = rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    keep = np.random.default_rng(123).random(shape) >= p
    out, cache = F.dropout_forward(x, p, True, np.random.default_rng(123))
    assert_close(out, x * keep / (1 - p))
    dx = F.dropout_backward(dout, cache)
    assert_close(dx, dout * keep / (1 - p))


def test_dropout_matches_torch_with_the_same_mask(rng):
    p = 0.4
    x, dout = rng.standard_normal((8, 6)), rng.standard_normal((8, 6))
    keep = np.random.default_rng(5).random(x.shape) >= p
    out, cache = F.dropout_forward(x, p, True, np.random.default_rng(5))
    dx = F.dropout_backward(dout, cache)
    mask = tensor(keep)
    t_out, (tdx,) = torch_grads(lambda t: t * mask / (1 - p), x, dout=dout)
    assert_close(out, t_out)
    assert_close(dx, tdx)


def test_dropout_p0_is_identity(rng):
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    out, cache = F.dropout_forward(x, 0.0, True, np.random.default_rng(0))
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(F.dropout_backward(dout, cache), dout)


@pytest.mark.filterwarnings("error")
def test_dropout_p1_gives_zeros(rng):
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    out, cache = F.dropout_forward(x, 1.0, True, np.random.default_rng(0))
    np.testing.assert_array_equal(out, np.zeros_like(x))
    dx = F.dropout_backward(dout, cache)
    np.testing.assert_array_equal(dx, np.zeros_like(dout))


@pytest.mark.parametrize("p", [0.0, 0.5, 1.0])
def test_dropout_eval_is_identity(rng, p):
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
    out, cache = F.dropout_forward(x, p, False, np.random.default_rng(0))
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(F.dropout_backward(dout, cache), dout)


def test_dropout_keep_rate_and_mean_statistics():
    p = 0.3
    x = np.ones((1000, 1000))
    out, cache = F.dropout_forward(x, p, True, np.random.default_rng(7))
    kept = out != 0
    # std of the keep rate over 1e6 draws is ~4.6e-4; 3e-3 is > 6 sigma.
    assert abs(kept.mean() - (1 - p)) < 3e-3
    assert_close(out[kept], np.full(kept.sum(), 1 / (1 - p)))
    assert abs(out.mean() - 1.0) < 5e-3
    dx = F.dropout_backward(np.ones_like(x), cache)
    np.testing.assert_array_equal(dx != 0, kept)


def test_dropout_rng_none_and_different_seeds(rng):
    x = rng.standard_normal((50, 40))
    out_none, _ = F.dropout_forward(x, 0.5, True, None)
    assert out_none.shape == x.shape
    a, _ = F.dropout_forward(x, 0.5, True, np.random.default_rng(1))
    b, _ = F.dropout_forward(x, 0.5, True, np.random.default_rng(1))
    c, _ = F.dropout_forward(x, 0.5, True, np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_does_not_touch_global_numpy_state(rng):
    np.random.seed(0)  # noqa: NPY002 (checks the legacy global state is untouched)
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checks the legacy global state is untouched)
    F.dropout_forward(rng.standard_normal((10, 10)), 0.5, True, None)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002 (checks the legacy global state is untouched)


@pytest.mark.parametrize("p", [-0.1, 1.5, 2.0, float("nan")])
def test_dropout_bad_p_raises(p):
    with pytest.raises(ValueError, match=r"\bp\b"):
        F.dropout_forward(np.ones((2, 3)), p, True, np.random.default_rng(0))


# ---------------------------------------------------------------- normalization


BATCHNORM_CASES = [(True, s) for s in [(2, 1), (2, 3), (5, 4), (16, 7)]] + [
    (False, s) for s in [(1, 1), (1, 3), (5, 4), (16, 7)]  # evaluation takes a single row
]


@pytest.mark.parametrize(("training", "shape"), BATCHNORM_CASES,
                         ids=[f"{'train' if t else 'eval'}-{s}" for t, s in BATCHNORM_CASES])
@pytest.mark.parametrize("eps", [1e-5, 1e-2])
def test_batchnorm_matches_torch(rng, training, shape, eps):
    D = shape[1]
    x = 3 * rng.standard_normal(shape) + 1
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    mean, var = rng.standard_normal(D), rng.uniform(0.2, 3.0, D)  # running statistics
    mean0, var0 = mean.copy(), var.copy()
    dout = rng.standard_normal(shape)
    if training:
        out, cache = F.batchnorm_forward(x, gamma, beta, eps=eps)
        dx, dgamma, dbeta = F.batchnorm_backward(dout, cache)
        stats = (None, None)  # torch then normalizes with the batch statistics
    else:
        out, cache = F.batchnorm_eval_forward(x, gamma, beta, mean, var, eps=eps)
        dx, dgamma, dbeta = F.batchnorm_eval_backward(dout, cache)
        stats = (tensor(mean), tensor(var))

    def bn(x, g, b):
        return tF.batch_norm(x, *stats, weight=g, bias=b, training=training, eps=eps)

    t_out, (tdx, tdg, tdb) = torch_grads(bn, x, gamma, beta, dout=dout)
    assert_close(out, t_out)
    assert_close(dx, tdx)
    assert_close(dgamma, tdg)
    assert_close(dbeta, tdb)
    np.testing.assert_array_equal(mean, mean0)  # the functional pairs never update them
    np.testing.assert_array_equal(var, var0)


def test_batchnorm_default_eps_is_1e5(rng):
    x, gamma, beta = rng.standard_normal((3, 4)) * 1e-3, np.ones(4), np.zeros(4)
    out, _ = F.batchnorm_forward(x, gamma, beta)
    t_out = tF.batch_norm(tensor(x), None, None, tensor(gamma), tensor(beta), True, eps=1e-5)
    assert_close(out, t_out)


@pytest.mark.parametrize(
    ("x_shape", "g_shape", "b_shape", "match"),
    [
        ((1, 3), (3,), (3,), r"\(1, 3\)"),
        ((6,), (6,), (6,), r"x.*\(6,\)"),
        ((4, 3), (4,), (3,), r"gamma.*\(4,\)"),
        ((4, 3), (3,), (2,), r"beta.*\(2,\)"),
    ],
)
def test_batchnorm_bad_input_raises(x_shape, g_shape, b_shape, match):
    with pytest.raises(ValueError, match=match):
        F.batchnorm_forward(np.ones(x_shape), np.ones(g_shape), np.zeros(b_shape))


def test_batchnorm_eval_default_eps_is_1e5(rng):
    x, gamma, beta = rng.standard_normal((3, 4)) * 1e-3, np.ones(4), np.zeros(4)
    mean, var = np.zeros(4), np.full(4, 1e-6)
    out, _ = F.batchnorm_eval_forward(x, gamma, beta, mean, var)
    t_out = tF.batch_norm(tensor(x), tensor(mean), tensor(var), tensor(gamma), tensor(beta),
                          False, eps=1e-5)
    assert_close(out, t_out)


def test_batchnorm_eval_is_the_training_formula_with_fixed_statistics(rng):
    """With the batch's own mean and biased variance, evaluation gives training's output."""
    x, gamma, beta = rng.standard_normal((6, 3)), rng.standard_normal(3), rng.standard_normal(3)
    out_train, _ = F.batchnorm_forward(x, gamma, beta)
    out_eval, _ = F.batchnorm_eval_forward(x, gamma, beta, x.mean(axis=0), x.var(axis=0))
    assert_close(out_eval, out_train)


@pytest.mark.parametrize(
    ("x_shape", "param", "p_shape", "match"),
    [
        ((6,), None, None, r"x.*\(6,\)"),
        ((4, 3), "gamma", (4,), r"gamma.*\(4,\)"),
        ((4, 3), "beta", (2,), r"beta.*\(2,\)"),
        ((4, 3), "running_mean", (3, 1), r"running_mean.*\(3, 1\)"),
        ((4, 3), "running_var", (1,), r"running_var.*\(1,\)"),
    ],
)
def test_batchnorm_eval_bad_input_raises(x_shape, param, p_shape, match):
    args = dict(gamma=np.ones(3), beta=np.zeros(3), running_mean=np.zeros(3),
                running_var=np.ones(3))
    if param is not None:
        args[param] = np.ones(p_shape)
    with pytest.raises(ValueError, match=match):
        F.batchnorm_eval_forward(np.ones(x_shape), **args)


@pytest.mark.parametrize("shape", [(1, 5), (4, 6), (7, 1), (3, 4, 5)])
@pytest.mark.parametrize("eps", [1e-5, 1e-1])
def test_layernorm_matches_torch(rng, shape, eps):
    D = shape[-1]
    x = 2 * rng.standard_normal(shape) - 1
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    dout = rng.standard_normal(shape)
    out, cache = F.layernorm_forward(x, gamma, beta, eps=eps)
    dx, dgamma, dbeta = F.layernorm_backward(dout, cache)
    t_out, (tdx, tdg, tdb) = torch_grads(
        lambda x, g, b: tF.layer_norm(x, (D,), g, b, eps=eps), x, gamma, beta, dout=dout
    )
    assert_close(out, t_out)
    assert_close(dx, tdx)
    assert_close(dgamma, tdg)
    assert_close(dbeta, tdb)


def test_layernorm_default_eps_is_1e5(rng):
    x, gamma, beta = rng.standard_normal((3, 4)) * 1e-3, np.ones(4), np.zeros(4)
    out, _ = F.layernorm_forward(x, gamma, beta)
    assert_close(out, tF.layer_norm(tensor(x), (4,), tensor(gamma), tensor(beta), eps=1e-5))


@pytest.mark.parametrize(
    ("g_shape", "b_shape", "match"),
    [((5,), (4,), r"gamma.*\(5,\)"), ((4,), (3,), r"beta.*\(3,\)"), ((1, 4), (4,), "gamma")],
)
def test_layernorm_bad_params_raise(g_shape, b_shape, match):
    with pytest.raises(ValueError, match=match):
        F.layernorm_forward(np.ones((2, 4)), np.ones(g_shape), np.zeros(b_shape))


@pytest.mark.parametrize("shape", [(1, 5), (4, 6), (7, 1), (2, 3, 4)])
@pytest.mark.parametrize("eps", [1e-6, 1e-2])
def test_rmsnorm_matches_torch(rng, shape, eps):
    D = shape[-1]
    x = 2 * rng.standard_normal(shape) + 0.5
    gamma = rng.standard_normal(D)
    dout = rng.standard_normal(shape)
    out, cache = F.rmsnorm_forward(x, gamma, eps=eps)
    dx, dgamma = F.rmsnorm_backward(dout, cache)
    t_out, (tdx, tdg) = torch_grads(
        lambda x, g: tF.rms_norm(x, (D,), g, eps=eps), x, gamma, dout=dout
    )
    assert_close(out, t_out)
    assert_close(dx, tdx)
    assert_close(dgamma, tdg)


def test_rmsnorm_default_eps_is_1e6(rng):
    x, gamma = rng.standard_normal((3, 4)) * 1e-3, np.ones(4)
    out, _ = F.rmsnorm_forward(x, gamma)
    assert_close(out, tF.rms_norm(tensor(x), (4,), tensor(gamma), eps=1e-6))


def test_rmsnorm_bad_gamma_raises():
    with pytest.raises(ValueError, match=r"gamma.*\(3,\)"):
        F.rmsnorm_forward(np.ones((2, 4)), np.ones(3))


# ---------------------------------------------------------------- softmax and losses


@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (5, 3), (2, 3, 4)])
def test_softmax_and_log_softmax_match_torch(rng, shape):
    z = 5 * rng.standard_normal(shape)
    assert_close(F.softmax(z), torch.softmax(tensor(z), dim=-1))
    assert_close(F.log_softmax(z), torch.log_softmax(tensor(z), dim=-1))


@pytest.mark.parametrize(("N", "C"), [(1, 1), (1, 5), (4, 3), (20, 10)])
def test_softmax_cross_entropy_matches_torch(rng, N, C):
    logits = 3 * rng.standard_normal((N, C))
    y = rng.integers(0, C, size=N)
    loss, dlogits = F.softmax_cross_entropy(logits, y)
    t_loss, (tdl,) = torch_grads(lambda z: tF.cross_entropy(z, torch.as_tensor(y)), logits)
    assert np.ndim(loss) == 0
    assert_close(loss, t_loss)
    assert_close(dlogits, tdl)


def test_softmax_cross_entropy_accepts_int32_labels(rng):
    logits, y = rng.standard_normal((6, 4)), np.array([0, 3, 1, 2, 2, 0], dtype=np.int32)
    loss, dlogits = F.softmax_cross_entropy(logits, y)
    t_loss, (tdl,) = torch_grads(
        lambda z: tF.cross_entropy(z, torch.as_tensor(y.astype(np.int64))), logits
    )
    assert_close(loss, t_loss)
    assert_close(dlogits, tdl)


@pytest.mark.parametrize(
    ("logits_shape", "y", "exc", "match"),
    [
        ((3, 4), np.array([[0], [1], [2]]), ValueError, r"y.*\(3, 1\)"),
        ((3, 4), np.array([0, 1]), ValueError, r"y.*\(2,\)"),
        ((3, 4), np.array([0, 1, 4]), ValueError, r"y.*4"),
        ((3, 4), np.array([0, -1, 2]), ValueError, r"y.*-1"),
        ((3, 4), np.array([0.0, 1.0, 2.0]), TypeError, r"y.*float"),
        ((4,), np.array([0]), ValueError, r"logits.*\(4,\)"),
    ],
)
def test_softmax_cross_entropy_bad_input_raises(logits_shape, y, exc, match):
    with pytest.raises(exc, match=match):
        F.softmax_cross_entropy(np.zeros(logits_shape), y)


@pytest.mark.parametrize("shape", [(1, 1), (1, 3), (4, 3), (5,), (2, 3, 2)])
def test_mse_loss_matches_torch(rng, shape):
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, dpred = F.mse_loss(pred, target)
    t_loss, (tdp,) = torch_grads(lambda p: tF.mse_loss(p, tensor(target)), pred)
    assert np.ndim(loss) == 0
    assert_close(loss, t_loss)
    assert_close(dpred, tdp)


def test_mse_loss_shape_mismatch_raises():
    with pytest.raises(ValueError, match=r"target.*\(4, 1\)"):
        F.mse_loss(np.zeros((4, 2)), np.zeros((4, 1)))


# ---------------------------------------------------------------- numerical stability

BIG_LOGITS = np.array(
    [[1e4, -1e4, 0.0], [-1e4, 1e4 + 1.0, 1e4], [1e4, 1e4, 1e4], [-1e4, -1e4, -1e4 + 2.0]]
)


@pytest.mark.filterwarnings("error")
def test_softmax_and_log_softmax_stable_for_huge_logits():
    sm, lsm = F.softmax(BIG_LOGITS), F.log_softmax(BIG_LOGITS)
    assert np.all(np.isfinite(sm)) and np.all(np.isfinite(lsm))
    assert_close(sm, torch.softmax(tensor(BIG_LOGITS), dim=-1))
    assert_close(lsm, torch.log_softmax(tensor(BIG_LOGITS), dim=-1))
    assert_close(sm.sum(axis=1), np.ones(4))


@pytest.mark.filterwarnings("error")
def test_cross_entropy_stable_for_huge_logits():
    y = np.array([1, 0, 2, 0])
    loss, dlogits = F.softmax_cross_entropy(BIG_LOGITS, y)
    assert np.isfinite(loss) and np.all(np.isfinite(dlogits))
    t_loss, (tdl,) = torch_grads(lambda z: tF.cross_entropy(z, torch.as_tensor(y)), BIG_LOGITS)
    # The loss itself is ~5e3: compare relatively.
    np.testing.assert_allclose(loss, t_loss, rtol=1e-12, atol=0)
    assert_close(dlogits, tdl)


# ---------------------------------------------------------------- dtypes


def _float32_cases(rng):
    def f32(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    x, dout = f32(4, 3), f32(4, 3)
    return [
        ("linear", lambda: F.linear_forward(x, f32(3, 3), f32(3)), F.linear_backward, dout),
        ("relu", lambda: F.relu_forward(x), F.relu_backward, dout),
        ("leaky_relu", lambda: F.leaky_relu_forward(x, 0.1), F.leaky_relu_backward, dout),
        ("sigmoid", lambda: F.sigmoid_forward(x), F.sigmoid_backward, dout),
        ("tanh", lambda: F.tanh_forward(x), F.tanh_backward, dout),
        (
            "dropout",
            lambda: F.dropout_forward(x, 0.3, True, np.random.default_rng(0)),
            F.dropout_backward,
            dout,
        ),
        (
            "dropout_eval",
            lambda: F.dropout_forward(x, 0.3, False, None),
            F.dropout_backward,
            dout,
        ),
        ("batchnorm", lambda: F.batchnorm_forward(x, f32(3), f32(3)), F.batchnorm_backward, dout),
        (
            "batchnorm_eval",
            lambda: F.batchnorm_eval_forward(x, f32(3), f32(3), f32(3), f32(3) ** 2),
            F.batchnorm_eval_backward,
            dout,
        ),
        ("layernorm", lambda: F.layernorm_forward(x, f32(3), f32(3)), F.layernorm_backward, dout),
        ("rmsnorm", lambda: F.rmsnorm_forward(x, f32(3)), F.rmsnorm_backward, dout),
    ]


@pytest.mark.parametrize(
    "name",
    ["linear", "relu", "leaky_relu", "sigmoid", "tanh", "dropout", "dropout_eval", "batchnorm",
     "batchnorm_eval", "layernorm", "rmsnorm"],
)
def test_float32_stays_float32(rng, name):
    _, forward, backward, dout = next(c for c in _float32_cases(rng) if c[0] == name)
    out, cache = forward()
    assert out.dtype == np.float32
    grads = backward(dout, cache)
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert g.dtype == np.float32


def test_float32_losses_and_softmax_stay_float32(rng):
    z = rng.standard_normal((5, 3)).astype(np.float32)
    assert F.softmax(z).dtype == np.float32
    assert F.log_softmax(z).dtype == np.float32
    loss, dz = F.softmax_cross_entropy(z, np.array([0, 1, 2, 1, 0]))
    assert np.asarray(loss).dtype == np.float32 and dz.dtype == np.float32
    loss, dp = F.mse_loss(z, np.zeros((5, 3), dtype=np.float32))
    assert np.asarray(loss).dtype == np.float32 and dp.dtype == np.float32
    loss, dp = F.mse_loss(z, np.zeros((5, 3)))  # float64 target must not upcast pred's grad
    assert dp.dtype == np.float32


def test_float64_is_default_for_integer_input():
    out, _ = F.relu_forward(np.array([[1, -2, 3]]))
    assert out.dtype == np.float64


def test_complex_input_raises_typeerror():
    with pytest.raises(TypeError, match=r"x.*complex"):
        F.relu_forward(np.ones((2, 2), dtype=complex))
