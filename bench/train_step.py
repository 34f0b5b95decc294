"""One training step of an MLP 1024-1024-1024-10, batch 512, float32, Adam.

Three contenders: nnscratch, PyTorch (CPU), and the same math written inline in
NumPy (the floor nnscratch can reach). Each measurement runs in its own process
(BLAS thread pools in one process slow each other down), contenders alternate
round by round, and the table reports medians and ratios.

    .venv/bin/python bench/train_step.py [--rounds 5] [--steps 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

SIZES = [1024, 1024, 1024, 10]
BATCH = 512
CONTENDERS = ("nnscratch", "pytorch", "numpy-inline")


def make_batch():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH)
    return X, y


def step_nnscratch():
    from nnscratch.functional import softmax_cross_entropy
    from nnscratch.models import MLP
    from nnscratch.optim import Adam

    X, y = make_batch()
    model = MLP(SIZES, rng=np.random.default_rng(0), dtype=np.float32)
    opt = Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        _, dlogits = softmax_cross_entropy(model.forward(X), y)
        model.backward(dlogits, input_grad=False)  # as train.fit does
        opt.step()

    return step


def step_pytorch():
    import torch

    X, y = make_batch()
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    torch.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True)):
        layers.append(torch.nn.Linear(a, b))
        if i < len(SIZES) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(X), y).backward()
        opt.step()

    return step


def step_numpy_inline():
    """The same step with no library: plain arrays, in-place Adam."""
    X, y = make_batch()
    rng = np.random.default_rng(0)
    Ws = [(rng.standard_normal((a, b)) * np.sqrt(2 / a)).astype(np.float32)
          for a, b in zip(SIZES[:-1], SIZES[1:], strict=True)]
    bs = [np.zeros(b, np.float32) for b in SIZES[1:]]
    params = Ws + bs
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    buf = [np.empty_like(p) for p in params]
    t = [0]
    rows = np.arange(BATCH)

    def step():
        acts = [X]
        for i, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            z = acts[-1] @ W
            z += b
            if i < len(Ws) - 1:
                np.maximum(z, 0, out=z)
            acts.append(z)
        z = acts[-1]
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[rows, y] -= 1
        d = p / np.float32(BATCH)
        grads_W, grads_b = [None] * len(Ws), [None] * len(Ws)
        for i in reversed(range(len(Ws))):
            grads_W[i] = acts[i].T @ d
            grads_b[i] = d.sum(axis=0)
            if i:
                d = d @ Ws[i].T
                d *= acts[i] > 0
        t[0] += 1
        step_size = 1e-3 / (1 - 0.9 ** t[0])
        bc2 = (1 - 0.999 ** t[0]) ** 0.5
        for p_, g, m_, v_, b_ in zip(params, grads_W + grads_b, m, v, buf, strict=True):
            m_ *= 0.9
            m_ += 0.1 * g
            v_ *= 0.999
            v_ += 0.001 * g * g
            np.sqrt(v_, out=b_)
            b_ /= bc2
            b_ += 1e-8
            np.divide(m_, b_, out=b_)
            b_ *= step_size
            p_ -= b_

    return step


BUILDERS = {"nnscratch": step_nnscratch, "pytorch": step_pytorch,
            "numpy-inline": step_numpy_inline}


def worker(name: str, steps: int) -> None:
    """Time ``steps`` training steps after a warm-up; print the median in seconds."""
    step = BUILDERS[name]()
    for _ in range(3):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    print(json.dumps({"median": statistics.median(times)}))


def measure(name: str, steps: int) -> float:
    out = subprocess.run([sys.executable, __file__, "--worker", name, "--steps", str(steps)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["median"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--worker", choices=CONTENDERS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.steps)
        return
    results = {name: [] for name in CONTENDERS}
    for r in range(args.rounds):
        order = CONTENDERS if r % 2 == 0 else CONTENDERS[::-1]
        for name in order:
            results[name].append(measure(name, args.steps))
    torch_ms = statistics.median(results["pytorch"]) * 1e3
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, Adam; "
          f"{args.rounds} rounds x {args.steps} steps, one process each")
    print(f"| {'contender':<13} | {'median step (ms)':>16} | {'vs PyTorch':>10} |")
    print(f"|{'-' * 15}|{'-' * 18}|{'-' * 12}|")
    for name in CONTENDERS:
        ms = statistics.median(results[name]) * 1e3
        print(f"| {name:<13} | {ms:>16.1f} | {ms / torch_ms:>9.2f}x |")


if __name__ == "__main__":
    main()
