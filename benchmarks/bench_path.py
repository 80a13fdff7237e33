"""Speed of the vectorized regularization path against one run and against a loop of runs.

* (a) ``regularization_path`` over 64 values of lambda (100 epochs, the defaults);
* (b) one ``train_scratch`` run of the same length;
* (c) ``train_scratch`` once per lambda of the same grid, in a Python loop.

Targets: (a) at most 1x (b), and (c) at least 50x (a). Everything runs on one torch thread (the
path sets it itself; the runs are set here), so both sides share the same thread settings. Timing all 64 runs of (c) at every repeat
would dominate the benchmark, so (c) times every 8th lambda (8 runs) and multiplies by 8: the runs
cost the same whatever lambda is (the output says so).

Run: ``python benchmarks/bench_path.py`` (or ``nox -s bench``). Exits 1 if a target is missed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))

from _timing import interleaved_medians, report

from weightdecay import make_problem, regularization_path, train_scratch

NUM_LAMBDAS = 64
LOOP_STRIDE = 8  # time every 8th lambda of the loop, then scale


def check_agreement(grid: torch.Tensor) -> None:
    """Fail loudly if the fast path were computing something else than the loop."""
    problem = make_problem(seed=0)
    path = regularization_path(problem, grid)
    k = NUM_LAMBDAS // 2
    run = train_scratch(problem, lambd=float(grid[k]))
    gap = float((path.W[:, k : k + 1] - run.w).abs().max() / run.w.abs().max())
    print(f"      column {k} (lambda = {float(grid[k]):.3g}) vs train_scratch: rel. gap {gap:.1e}")
    if gap > 1e-4:
        msg = f"the path's column {k} differs from train_scratch by {gap:.1e} (relative)"
        raise SystemExit(msg)


def bench_path(repeats: int = 9) -> list[bool]:
    problem = make_problem(seed=0)
    grid = torch.logspace(-3, 2, NUM_LAMBDAS, dtype=torch.float64)
    check_agreement(grid)
    sampled = grid[::LOOP_STRIDE].tolist()

    def loop() -> None:
        for lambd in sampled:
            train_scratch(problem, lambd=lambd)

    medians = interleaved_medians(
        {
            "path": lambda: regularization_path(problem, grid),
            "single": lambda: train_scratch(problem, lambd=3.0),
            "loop": loop,
        },
        repeats=repeats,
    )
    path, single = medians["path"], medians["single"]
    loop_total = medians["loop"] * NUM_LAMBDAS / len(sampled)
    print(
        f"      torch threads: {torch.get_num_threads()}; medians over {repeats} interleaved repeats"
    )
    print(f"      (a) regularization_path, {NUM_LAMBDAS} lambdas  {path * 1e3:9.1f} ms")
    print(f"      (b) one train_scratch run            {single * 1e3:9.1f} ms")
    print(
        f"      (c) {NUM_LAMBDAS} train_scratch runs in a loop   {loop_total * 1e3:9.1f} ms "
        f"(timed {len(sampled)} runs, every {LOOP_STRIDE}th lambda, x {NUM_LAMBDAS // len(sampled)})"
    )
    cost = path / single
    speedup = loop_total / path
    return [
        report(f"path of {NUM_LAMBDAS} / one run", cost, "<= 1x", cost <= 1.0),
        report(f"loop of {NUM_LAMBDAS} runs / path", speedup, ">= 50x", speedup >= 50.0),
    ]


def main() -> int:
    print("== benchmarks/bench_path.py")
    torch.set_num_threads(1)
    return 0 if all(bench_path()) else 1


if __name__ == "__main__":
    sys.exit(main())
