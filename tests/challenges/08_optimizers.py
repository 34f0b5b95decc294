"""Test class of challenge 08 (Nesterov momentum, AdamW, one AdamW step for a model).

The buggy members are the solution's answer cells with one change each (``_edit`` fails
loudly when the solution no longer contains the text it replaces).
"""

from __future__ import annotations

import functools

from tests.challenges import edited, solution_answers

_edit = functools.partial(edited, solution_answers("08_optimizers"))


# --- correct in other forms ------------------------------------------------------------

NESTEROV_EXPANDED = '''
def nesterov_update(w, dw, velocity, lr, momentum=0.9):
    # w_t = w - lr * ((1 + mu) g + mu^2 v_{t-1}): the same step, expanded
    step = (1.0 + momentum) * dw + momentum * momentum * velocity
    return w - lr * step, dw + momentum * velocity
'''

NESTEROV_OUT = '''
def nesterov_update(w, dw, velocity, lr, momentum=0.9):
    velocity_new = np.empty_like(velocity)
    np.multiply(velocity, momentum, out=velocity_new)
    np.add(velocity_new, dw, out=velocity_new)
    w_new = np.array(w, copy=True)
    w_new -= lr * dw
    w_new -= lr * momentum * velocity_new
    return w_new, velocity_new
'''

ADAMW_TORCH_ORDER = '''
def adamw_update(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=1e-2):
    w = w * (1 - lr * weight_decay)          # torch: param.mul_(1 - lr * weight_decay)
    m = m + (dw - m) * (1 - beta1)           # torch: exp_avg.lerp_(grad, 1 - beta1)
    v = v * beta2 + (1 - beta2) * dw * dw
    bias_correction1 = 1 - beta1 ** t
    bias_correction2 = 1 - beta2 ** t
    denom = np.sqrt(v) / np.sqrt(bias_correction2) + eps
    return w - (lr / bias_correction1) * (m / denom), m, v
'''

ADAMW_LOOPS = '''
import math


def adamw_update(w, dw, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
                 weight_decay=1e-2):
    m_new = np.array(m, dtype=float, copy=True)
    v_new = np.array(v, dtype=float, copy=True)
    w_new = np.array(w, dtype=float, copy=True)
    for i in np.ndindex(np.shape(w)):
        g = dw[i]
        m_new[i] = beta1 * m[i] + (1 - beta1) * g
        v_new[i] = beta2 * v[i] + (1 - beta2) * g * g
        m_hat = m_new[i] / (1 - math.pow(beta1, t))
        v_hat = v_new[i] / (1 - math.pow(beta2, t))
        w_new[i] = w[i] - lr * (weight_decay * w[i] + m_hat / (math.sqrt(v_hat) + eps))
    return w_new, m_new, v_new
'''

STEP_INLINE = '''
import copy


def adamw_step(params, grads, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    if state is None:
        state = {"t": 0, "m": {}, "v": {}, "note": "extra entries are allowed"}
    state = copy.deepcopy(state)           # work on a copy, then update it freely
    state["t"] += 1
    t = state["t"]
    new_params = {}
    for name in sorted(params, reverse=True):
        w, g = params[name], grads[name]
        m = state["m"].get(name, np.zeros_like(w))
        v = state["v"].get(name, np.zeros_like(w))
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        decay = weight_decay if name[0] != "b" else 0.0
        step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
        new_params[name] = w - lr * decay * w - step
        state["m"][name], state["v"][name] = m, v
    return new_params, state
'''

STEP_TUPLE_STATE = '''
def adamw_step(params, grads, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    t = 1 if state is None else state["t"] + 1
    zeros = {name: np.zeros_like(p) for name, p in params.items()}
    old_m = zeros if state is None else state["m"]
    old_v = zeros if state is None else state["v"]
    results = {name: adamw_update(params[name], grads[name], old_m[name], old_v[name], t, lr,
                                  beta1, beta2, eps,
                                  0.0 if name.startswith("b") else weight_decay)
               for name in params}
    return ({name: r[0] for name, r in results.items()},
            {"t": t, "m": {name: r[1] for name, r in results.items()},
             "v": {name: r[2] for name, r in results.items()}})
'''

CORRECT = {
    "expanded-torch-order": {"answer-nesterov": NESTEROV_EXPANDED,
                             "answer-adamw": ADAMW_TORCH_ORDER,
                             "answer-adamw-step": STEP_INLINE},
    "out-arrays-loops": {"answer-nesterov": NESTEROV_OUT,
                         "answer-adamw": ADAMW_LOOPS,
                         "answer-adamw-step": STEP_TUPLE_STATE},
}

# --- one classic bug each ----------------------------------------------------------------

_NESTEROV_STEP = "w_new = w - lr * (dw + momentum * velocity_new)"
_ADAMW_W = "w_new = (1 - lr * weight_decay) * w - lr * m_hat / (np.sqrt(v_hat) + eps)"

BUGGY = {
    "nesterov-plain-momentum": (
        _edit("answer-nesterov", (_NESTEROV_STEP, "w_new = w - lr * velocity_new")),
        "plain (heavy-ball) momentum"),
    "nesterov-lookahead-with-old-velocity": (
        _edit("answer-nesterov", (_NESTEROV_STEP, "w_new = w - lr * (dw + momentum * velocity)")),
        "NEW velocity"),
    "nesterov-returns-step-direction": (
        _edit("answer-nesterov", ("return w_new, velocity_new",
                                  "return w_new, dw + momentum * velocity_new")),
        "not the step direction"),
    "nesterov-cs231n-velocity": (
        _edit("answer-nesterov",
              ("velocity_new = momentum * velocity + dw",
               "velocity_new = momentum * velocity - lr * dw"),
              (_NESTEROV_STEP, "w_new = w - momentum * velocity + (1 + momentum) * velocity_new")),
        "PyTorch's convention"),
    "nesterov-dampening": (
        _edit("answer-nesterov", ("velocity_new = momentum * velocity + dw",
                                  "velocity_new = momentum * velocity + (1 - momentum) * dw")),
        "no dampening"),
    "nesterov-in-place": (
        _edit("answer-nesterov", ("velocity_new = momentum * velocity + dw",
                                  "velocity *= momentum\n    velocity += dw\n"
                                  "    velocity_new = velocity")),
        "modified its inputs"),
    "adamw-l2-in-gradient": (
        _edit("answer-adamw",
              ("m_new = beta1", "dw = dw + weight_decay * w\n    m_new = beta1"),
              (_ADAMW_W, "w_new = w - lr * m_hat / (np.sqrt(v_hat) + eps)")),
        "added to the gradient"),
    "adamw-decay-without-lr": (
        _edit("answer-adamw", ("(1 - lr * weight_decay) * w", "(1 - weight_decay) * w")),
        "not 1 - weight_decay"),
    "adamw-decay-after-step": (
        _edit("answer-adamw", (_ADAMW_W, "w_new = (1 - lr * weight_decay) * "
                                         "(w - lr * m_hat / (np.sqrt(v_hat) + eps))")),
        "decay the OLD weights"),
    "adamw-no-bias-correction": (
        _edit("answer-adamw", ("m_new / (1 - beta1**t)", "m_new"),
              ("v_new / (1 - beta2**t)", "v_new")),
        "bias correction missing"),
    "adamw-t-from-zero": (
        _edit("answer-adamw", ("beta1**t", "beta1**(t - 1)"), ("beta2**t", "beta2**(t - 1)")),
        "1-based"),
    "adamw-eps-inside-sqrt": (
        _edit("answer-adamw", ("(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat + eps)")),
        "outside the square root"),
    "adamw-eps-before-correction": (
        _edit("answer-adamw", ("v_hat = v_new / (1 - beta2**t)",
                               "v_hat = (np.sqrt(v_new) + eps) ** 2 / (1 - beta2**t)"),
              ("(np.sqrt(v_hat) + eps)", "np.sqrt(v_hat)")),
        "after the bias correction"),
    "adamw-returns-corrected-moments": (
        _edit("answer-adamw", ("return w_new, m_new, v_new", "return w_new, m_hat, v_hat")),
        "not the bias-corrected"),
    "adamw-in-place": (
        _edit("answer-adamw",
              ("m_new = beta1 * m + (1 - beta1) * dw",
               "m *= beta1\n    m += (1 - beta1) * dw\n    m_new = m")),
        "modified its inputs"),
    "step-t-per-parameter": (
        _edit("answer-adamw-step",
              ("t = state[\"t\"] + 1\n", "t = state[\"t\"]\n"),
              ("    for name, value in params.items():\n",
               "    for name, value in params.items():\n        t += 1\n")),
        "counts steps"),
    "step-decays-biases": (
        _edit("answer-adamw-step", ('decay = 0.0 if name.startswith("b") else weight_decay',
                                    "decay = weight_decay")),
        "no weight decay"),
    "step-t-from-zero": (
        _edit("answer-adamw-step", ('t = state["t"] + 1', 't = state["t"]'),
              ('return new_params, {"t": t,', 'return new_params, {"t": t + 1,')),
        "divide by zero"),
    "step-mutates-state": (
        _edit("answer-adamw-step",
              ('t = state["t"] + 1', 'state["t"] += 1\n    t = state["t"]'),
              ('return new_params, {"t": t, "m": new_m, "v": new_v}',
               'state["m"].update(new_m)\n    state["v"].update(new_v)\n'
               '    return new_params, state')),
        "modified its inputs"),
}
