"""nnscratch.optim: functional updates and optimizer classes against torch.optim (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from nnscratch import optim
from nnscratch.layers import Parameter
from tests.autograd import tensor, torch
from tests.helpers import assert_close, to_numpy

tF = torch.nn.functional

# ---------------------------------------------------------------- a deterministic problem
# f(w) = sum_k 0.5 * w_k^T A_k w_k + c_k . w_k + 0.25 * q * sum(w_k^4): gradients depend
# only on the current parameters, so both libraries see the same gradients iff they
# follow the same trajectory.
#
# RMSprop is chaotic once it reaches the optimum (the gradient, hence the running
# square average, goes to 0 and the effective step lr / sqrt(s) grows): rounding-level
# differences (1e-16) then grow to 1e-7 within 100 steps. Its "far" problem puts the
# optimum out of reach of 100 steps so the comparison measures the update rule.


def make_problem(seed=0, far=False):
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,), (2, 2)]
    params0 = [rng.standard_normal(s) for s in shapes]
    mats = []
    for w in params0:
        n = w.size
        Q = rng.standard_normal((n, n))
        A = Q @ Q.T / n + 0.1 * np.eye(n)
        c = rng.standard_normal(n)
        mats.append((A, 50 * np.sign(c), 0.0) if far else (A, c, 1.0))
    return params0, mats


def grad_of(w: np.ndarray, A: np.ndarray, c: np.ndarray, q: float) -> np.ndarray:
    flat = w.reshape(-1)
    return (A @ flat + c + q * flat**3).reshape(w.shape)


def run_ours(cls, kwargs, steps=100, seed=0, far=False):
    params0, mats = make_problem(seed, far)
    params = [Parameter(w.copy()) for w in params0]
    opt = cls(params, **kwargs)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        for p, (A, c, q) in zip(params, mats, strict=True):
            p.grad += grad_of(p.data, A, c, q)
        opt.step()
        trajectory.append([p.data.copy() for p in params])
    return trajectory


def run_torch(cls, kwargs, steps=100, seed=0, far=False):
    params0, mats = make_problem(seed, far)
    params = [tensor(w, requires_grad=True) for w in params0]
    opt = cls(params, **kwargs)
    trajectory = []
    for _ in range(steps):
        opt.zero_grad()
        for p, (A, c, q) in zip(params, mats, strict=True):
            p.grad = tensor(grad_of(to_numpy(p), A, c, q))
        opt.step()
        trajectory.append([to_numpy(p).copy() for p in params])
    return trajectory


def assert_same_trajectory(ours, theirs):
    assert len(ours) == len(theirs)
    for step, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        for pa, pb in zip(a, b, strict=True):
            np.testing.assert_allclose(pa, pb, rtol=1e-10, atol=1e-10, err_msg=f"step {step}")


CLASS_CASES = [
    ("sgd", optim.SGD, torch.optim.SGD, dict(lr=0.05)),
    ("sgd_momentum", optim.SGD, torch.optim.SGD, dict(lr=0.02, momentum=0.9)),
    ("sgd_wd", optim.SGD, torch.optim.SGD, dict(lr=0.05, weight_decay=0.1)),
    ("sgd_momentum_wd", optim.SGD, torch.optim.SGD, dict(lr=0.02, momentum=0.5,
                                                         weight_decay=0.01)),
    ("rmsprop_default", optim.RMSprop, torch.optim.RMSprop, dict()),
    ("rmsprop", optim.RMSprop, torch.optim.RMSprop, dict(lr=3e-3, alpha=0.9, eps=1e-6)),
    ("adam_default", optim.Adam, torch.optim.Adam, dict()),
    ("adam", optim.Adam, torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-7)),
    ("adam_wd", optim.Adam, torch.optim.Adam, dict(lr=0.02, weight_decay=0.1)),
]


@pytest.mark.parametrize(("name", "ours", "theirs", "kwargs"), CLASS_CASES,
                         ids=[c[0] for c in CLASS_CASES])
def test_optimizer_classes_match_torch_over_100_steps(name, ours, theirs, kwargs):
    far = name.startswith("rmsprop")
    assert_same_trajectory(run_ours(ours, kwargs, far=far), run_torch(theirs, kwargs, far=far))


@pytest.mark.parametrize(("name", "ours", "theirs", "kwargs"), CLASS_CASES,
                         ids=[c[0] for c in CLASS_CASES])
def test_optimizer_actually_moves_the_parameters(name, ours, theirs, kwargs):
    params0, _ = make_problem()
    last = run_ours(ours, kwargs, steps=3)[-1]
    assert all(not np.array_equal(a, b) for a, b in zip(last, params0, strict=True))


def test_optimizers_match_torch_on_a_small_model(rng):
    """Adam on TwoLayerNet with backprop gradients vs torch.optim.Adam on the torch copy."""

    from nnscratch import functional as F
    from nnscratch.models import TwoLayerNet

    model = TwoLayerNet(4, 6, 3, rng=rng)
    X, y = rng.standard_normal((10, 4)), rng.integers(0, 3, 10)
    W1, b1 = tensor(model.fc1.W.data, True), tensor(model.fc1.b.data, True)
    W2, b2 = tensor(model.fc2.W.data, True), tensor(model.fc2.b.data, True)
    t_opt = torch.optim.Adam([W1, b1, W2, b2], lr=0.01, weight_decay=1e-3)
    opt = optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-3)
    for _ in range(30):
        opt.zero_grad()
        _, dlogits = F.softmax_cross_entropy(model(X), y)
        model.backward(dlogits)
        opt.step()
        t_opt.zero_grad()
        logits = torch.relu(tensor(X) @ W1 + b1) @ W2 + b2
        tF.cross_entropy(logits, torch.as_tensor(y)).backward()
        t_opt.step()
    assert_close(model.fc1.W.data, W1)
    assert_close(model.fc2.b.data, b2)


def test_zero_grad_clears_all_parameter_grads():
    params = [Parameter(np.ones((2, 3))), Parameter(np.ones(4))]
    for p in params:
        p.grad += 5.0
    for cls in (optim.SGD, optim.RMSprop, optim.Adam):
        opt = cls(params, lr=0.1)
        opt.zero_grad()
        assert all(np.all(p.grad == 0) for p in params)
        assert [p.grad.shape for p in params] == [(2, 3), (4,)]
        for p in params:
            p.grad += 1.0


def test_optimizer_accepts_model_parameters(rng):
    from nnscratch.models import MLP

    model = MLP([3, 4, 2], rng=rng)
    before = [p.data.copy() for p in model.parameters()]
    opt = optim.SGD(model.parameters(), lr=0.1)
    for p in model.parameters():
        p.grad[...] = 1.0
    opt.step()
    for p, b in zip(model.parameters(), before, strict=True):
        assert_close(p.data, b - 0.1)


# ---------------------------------------------------------------- functional updates


def arrays(rng, shape=(3, 4)):
    return [rng.standard_normal(shape) for _ in range(4)]


def assert_untouched(inputs, copies):
    for a, c in zip(inputs, copies, strict=True):
        np.testing.assert_array_equal(a, c)


def test_sgd_momentum_update_formula_and_purity(rng):
    w, dw, v, _ = arrays(rng)
    copies = [a.copy() for a in (w, dw, v)]
    new_w, new_v = optim.sgd_momentum_update(w, dw, v, lr=0.1, momentum=0.8)
    assert_untouched((w, dw, v), copies)
    assert_close(new_v, 0.8 * v + dw)
    assert_close(new_w, w - 0.1 * (0.8 * v + dw))
    assert not np.shares_memory(new_w, w) and not np.shares_memory(new_v, v)


def test_sgd_momentum_update_default_momentum_is_09(rng):
    w, dw, v, _ = arrays(rng)
    _, new_v = optim.sgd_momentum_update(w, dw, v, 0.1)
    assert_close(new_v, 0.9 * v + dw)


def test_rmsprop_update_formula_and_purity(rng):
    w, dw, cache, _ = arrays(rng)
    cache = cache**2
    copies = [a.copy() for a in (w, dw, cache)]
    new_w, new_cache = optim.rmsprop_update(w, dw, cache, lr=0.01, alpha=0.9, eps=1e-6)
    assert_untouched((w, dw, cache), copies)
    expected_cache = 0.9 * cache + 0.1 * dw**2
    assert_close(new_cache, expected_cache)
    assert_close(new_w, w - 0.01 * dw / (np.sqrt(expected_cache) + 1e-6))
    assert not np.shares_memory(new_w, w) and not np.shares_memory(new_cache, cache)


def test_rmsprop_update_defaults(rng):
    w, dw, _, _ = arrays(rng)
    new_w, new_cache = optim.rmsprop_update(w, dw, np.zeros_like(w))
    assert_close(new_cache, 0.01 * dw**2)
    assert_close(new_w, w - 1e-2 * dw / (np.sqrt(0.01 * dw**2) + 1e-8))


@pytest.mark.parametrize("t", [1, 2, 10])
def test_adam_update_formula_and_purity(rng, t):
    w, dw, m, v = arrays(rng)
    v = v**2
    copies = [a.copy() for a in (w, dw, m, v)]
    new_w, new_m, new_v = optim.adam_update(w, dw, m, v, t, lr=0.01, beta1=0.8, beta2=0.95,
                                            eps=1e-7)
    assert_untouched((w, dw, m, v), copies)
    em = 0.8 * m + 0.2 * dw
    ev = 0.95 * v + 0.05 * dw**2
    mhat, vhat = em / (1 - 0.8**t), ev / (1 - 0.95**t)
    assert_close(new_m, em)
    assert_close(new_v, ev)
    assert_close(new_w, w - 0.01 * mhat / (np.sqrt(vhat) + 1e-7))
    for new, old in ((new_w, w), (new_m, m), (new_v, v)):
        assert not np.shares_memory(new, old)


def test_adam_update_first_step_is_lr_times_sign(rng):
    w, dw, _, _ = arrays(rng)
    new_w, _, _ = optim.adam_update(w, dw, np.zeros_like(w), np.zeros_like(w), 1, eps=0.0)
    assert_close(new_w, w - 1e-3 * np.sign(dw))


FUNCTIONAL_CASES = [
    ("sgd_momentum", torch.optim.SGD, dict(lr=0.02, momentum=0.9)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=3e-3, alpha=0.9, eps=1e-6)),
    ("adam", torch.optim.Adam, dict(lr=0.05, betas=(0.8, 0.99), eps=1e-7)),
]


@pytest.mark.parametrize(("name", "theirs", "kwargs"), FUNCTIONAL_CASES,
                         ids=[c[0] for c in FUNCTIONAL_CASES])
def test_functional_updates_match_torch_over_100_steps(name, theirs, kwargs):
    far = name == "rmsprop"
    params0, mats = make_problem(far=far)
    ws = [w.copy() for w in params0]
    states = [[np.zeros_like(w), np.zeros_like(w)] for w in ws]
    trajectory = []
    for t in range(1, 101):
        for k, (A, c, q) in enumerate(mats):
            dw = grad_of(ws[k], A, c, q)
            s = states[k]
            if name == "sgd_momentum":
                ws[k], s[0] = optim.sgd_momentum_update(ws[k], dw, s[0], kwargs["lr"],
                                                        kwargs["momentum"])
            elif name == "rmsprop":
                ws[k], s[0] = optim.rmsprop_update(ws[k], dw, s[0], **kwargs)
            else:
                b1, b2 = kwargs["betas"]
                ws[k], s[0], s[1] = optim.adam_update(ws[k], dw, s[0], s[1], t, lr=kwargs["lr"],
                                                      beta1=b1, beta2=b2, eps=kwargs["eps"])
        trajectory.append([w.copy() for w in ws])
    assert_same_trajectory(trajectory, run_torch(theirs, kwargs, far=far))


# ---------------------------------------------------------------- bad arguments


def test_functional_updates_reject_mismatched_shapes(rng):
    w, dw = rng.standard_normal((2, 3)), rng.standard_normal(3)  # broadcastable, still wrong
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"dw.*\(3,\)"):
        optim.sgd_momentum_update(w, dw, z, 0.1)
    with pytest.raises(ValueError, match=r"velocity.*\(1, 3\)"):
        optim.sgd_momentum_update(w, z, np.zeros((1, 3)), 0.1)
    with pytest.raises(ValueError, match=r"dw.*\(3,\)"):
        optim.rmsprop_update(w, dw, z)
    with pytest.raises(ValueError, match=r"cache.*\(3,\)"):
        optim.rmsprop_update(w, z, np.zeros(3))
    with pytest.raises(ValueError, match=r"dw.*\(3,\)"):
        optim.adam_update(w, dw, z, z, 1)
    with pytest.raises(ValueError, match=r"\bm\b.*\(2, 1\)"):
        optim.adam_update(w, z, np.zeros((2, 1)), z, 1)
    with pytest.raises(ValueError, match=r"\bv\b.*\(3,\)"):
        optim.adam_update(w, z, z, np.zeros(3), 1)


@pytest.mark.parametrize("t", [0, -1])
def test_adam_update_rejects_non_positive_t(t):
    z = np.zeros(3)
    with pytest.raises(ValueError, match=rf"\bt\b.*{t}"):
        optim.adam_update(z, z, z, z, t)


@pytest.mark.parametrize(
    ("cls", "kwargs", "match"),
    [
        (optim.SGD, dict(lr=-0.1), r"lr.*-0\.1"),
        (optim.SGD, dict(lr=0.1, momentum=-0.5), r"momentum.*-0\.5"),
        (optim.SGD, dict(lr=0.1, weight_decay=-1.0), r"weight_decay.*-1"),
        (optim.RMSprop, dict(lr=-1.0), r"lr.*-1"),
        (optim.RMSprop, dict(alpha=1.5), r"alpha.*1\.5"),
        (optim.RMSprop, dict(alpha=1.0 + 1e-13), r"alpha must be in \[0\.0, 1\.0\]"),
        (optim.SGD, dict(lr=0.1, momentum=1.0), r"momentum must be in \[0\.0, 1\.0\), got 1\.0"),
        (optim.SGD, dict(lr=float("nan")), r"lr.*nan"),
        (optim.Adam, dict(lr=-1e-3), r"lr"),
        (optim.Adam, dict(betas=(1.0, 0.999)), r"betas.*1\.0"),
        (optim.Adam, dict(betas=(0.9, -0.1)), r"betas.*-0\.1"),
        (optim.Adam, dict(betas=(0.9,)), r"betas"),
        (optim.Adam, dict(weight_decay=-0.1), r"weight_decay.*-0\.1"),
    ],
)
def test_optimizer_classes_reject_bad_hyperparameters(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls([Parameter(np.zeros(3))], **kwargs)


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [(optim.RMSprop, dict(alpha=1.0)), (optim.RMSprop, dict(alpha=0.0)),
     (optim.SGD, dict(lr=0.0, momentum=0.0, weight_decay=0.0)),
     (optim.Adam, dict(betas=(0.0, np.float32(0.5)), weight_decay=1e3))],
)
def test_optimizer_classes_accept_the_ends_of_their_ranges(cls, kwargs):
    cls([Parameter(np.zeros(3))], **kwargs)


def test_optimizer_classes_reject_a_non_number_with_typeerror():
    with pytest.raises(TypeError, match=r"lr must be a real number, got '0\.1'"):
        optim.SGD([Parameter(np.zeros(3))], lr="0.1")


def test_optimizer_classes_reject_non_parameters():
    with pytest.raises(TypeError, match=r"params"):
        optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match=r"params"):
        optim.Adam([], lr=0.1)
