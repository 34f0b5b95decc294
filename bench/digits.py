"""nnscratch MLP([64, 128, 64, 10]) with Adam vs scikit-learn's MLPClassifier((128, 64))
on the same digits split: test accuracy and wall time, side by side.

Both use ReLU, Adam (lr 1e-3), an L2 penalty and mini-batches; scikit-learn runs with
its defaults (batch 200, alpha 1e-4, up to 200 epochs, stopping when the loss stalls),
nnscratch with batch 32 and weight decay 1e-3 for a fixed number of epochs. Each fit runs in its own
process, contenders alternating, over several seeds.

    .venv/bin/python bench/digits.py [--seeds 5] [--epochs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np


def run_nnscratch(seed: int, epochs: int) -> dict:
    from nnscratch.data import load_digits
    from nnscratch.models import MLP
    from nnscratch.optim import Adam
    from nnscratch.train import accuracy, fit

    d = load_digits(test_size=0.2, seed=0)
    t0 = time.perf_counter()
    model = MLP([64, 128, 64, 10], rng=np.random.default_rng(seed))
    # L2 weight decay 1e-3 plays the part of scikit-learn's alpha (its L2 penalty)
    fit(model, Adam(model.parameters(), lr=1e-3, weight_decay=1e-3), d.X_train, d.y_train,
        epochs=epochs, batch_size=32, rng=np.random.default_rng(seed), progress=False)
    seconds = time.perf_counter() - t0
    return {"acc": accuracy(model, d.X_test, d.y_test), "seconds": seconds}


def run_sklearn(seed: int, epochs: int) -> dict:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from nnscratch.data import load_digits

    d = load_digits(test_size=0.2, seed=0)
    t0 = time.perf_counter()
    clf = MLPClassifier(hidden_layer_sizes=(128, 64), random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(d.X_train, d.y_train)
    seconds = time.perf_counter() - t0
    return {"acc": float(clf.score(d.X_test, d.y_test)), "seconds": seconds,
            "epochs": clf.n_iter_}


RUNNERS = {"nnscratch": run_nnscratch, "scikit-learn": run_sklearn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=15, help="nnscratch epochs")
    parser.add_argument("--worker", choices=tuple(RUNNERS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(RUNNERS[args.worker](args.seed, args.epochs)))
        return
    results = {name: [] for name in RUNNERS}
    for seed in range(args.seeds):
        order = list(RUNNERS) if seed % 2 == 0 else list(RUNNERS)[::-1]
        for name in order:
            cmd = [sys.executable, __file__, "--worker", name, "--seed", str(seed),
                   "--epochs", str(args.epochs)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            results[name].append(json.loads(out.strip().splitlines()[-1]))
    sk_time = statistics.median(r["seconds"] for r in results["scikit-learn"])
    sk_epochs = statistics.median(r["epochs"] for r in results["scikit-learn"])
    print(f"digits (1437 train / 360 test), {args.seeds} seeds, one process per fit; "
          f"nnscratch {args.epochs} epochs of batch 32, scikit-learn {sk_epochs:.0f} epochs "
          f"(median) of batch 200")
    print(f"| {'model':<13} | {'test acc (mean)':>15} | {'min..max':>13} | "
          f"{'fit time (s, median)':>20} | {'time vs sklearn':>15} |")
    print(f"|{'-' * 15}|{'-' * 17}|{'-' * 15}|{'-' * 22}|{'-' * 17}|")
    for name, rs in results.items():
        accs = [r["acc"] for r in rs]
        secs = statistics.median(r["seconds"] for r in rs)
        print(f"| {name:<13} | {statistics.mean(accs):>15.4f} | "
              f" {min(accs):.3f}..{max(accs):.3f} | {secs:>20.2f} | {secs / sk_time:>14.2f}x |")


if __name__ == "__main__":
    main()
