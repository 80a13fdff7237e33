"""Speed of the core trainer and of ``import weightdecay``.

* ``train_scratch`` (the notebook's loop, autograd and a divergence check at every update) against
  a faithful copy of the d2l loop (``d2l_baseline.py``: DataLoader with shuffle, autograd per
  batch, evaluation by iterating DataLoaders every 5 epochs, no plotting, no check), same data,
  same 100 epochs, same math, both on one torch thread. Target: at least 1.5x faster.
* ``import weightdecay`` on top of ``import torch``, in fresh interpreters. Target: under 50 ms.

Run: ``python benchmarks/bench_train.py`` (or ``nox -s bench``). Exits 1 if a target is missed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import torch
from _timing import interleaved_medians, report
from d2l_baseline import d2l_train

from weightdecay import make_problem, train_scratch

IMPORT_PROBE = (
    "import time, torch; t = time.perf_counter(); import weightdecay; "
    "print(time.perf_counter() - t)"
)


def bench_training(repeats: int = 15) -> bool:
    problem = make_problem(seed=0)
    train, test = (problem.X_train, problem.y_train), (problem.X_test, problem.y_test)
    medians = interleaved_medians(
        {
            "d2l loop (baseline)": lambda: d2l_train(train, test, 3.0),
            "train_scratch": lambda: train_scratch(problem, lambd=3.0),
        },
        repeats=repeats,
    )
    for name, seconds in medians.items():
        print(f"      {name:<22} median {seconds * 1e3:8.1f} ms over {repeats} runs (L2, lambda=3)")
    w_ours = train_scratch(problem, lambd=3.0).w_norm
    w_d2l = float(d2l_train(train, test, 3.0)[0].norm())
    print(f"      ||w|| after 100 epochs: train_scratch {w_ours:.3f}, d2l loop {w_d2l:.3f}")
    ratio = medians["d2l loop (baseline)"] / medians["train_scratch"]
    return report("train_scratch speed-up over the d2l loop", ratio, ">= 1.5x", ratio >= 1.5)


def bench_import(repeats: int = 9) -> bool:
    # As installed packages are: with their bytecode cached (pip compiles a wheel's .pyc files;
    # the first run below writes the cache of an editable install).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    samples = []
    for _ in range(repeats + 1):
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    samples = samples[1:]
    cost = statistics.median(samples) * 1e3
    print(f"      import weightdecay after import torch: median {cost:.1f} ms over {repeats} runs")
    return report("import weightdecay on top of torch (ms)", cost, "< 50 ms", cost < 50.0)


def main() -> int:
    print("== benchmarks/bench_train.py")
    torch.set_num_threads(1)  # both sides alike: tiny models run fastest on one thread
    print(f"      torch threads: {torch.get_num_threads()}")
    results = [bench_training(), bench_import()]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
