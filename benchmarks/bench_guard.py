"""What the divergence check costs: ``train_scratch`` and ``train_concise`` with and without it.

The guard (:class:`weightdecay.guard.DivergenceGuard`) reads the minibatch loss and the
parameters after every update and copies the parameters it vouched for. The baseline replaces it
by a guard that only records the history (the same ``float`` of each minibatch loss, the same
lists), so the difference is exactly the checking and the copies. Same runs, same thread
setting (one torch thread), timed in turns. Target: at most 10% of a run.

Run: ``python benchmarks/bench_guard.py`` (or ``nox -s bench``). Exits 1 if a target is missed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING
from unittest import mock

import torch

sys.path.insert(0, str(Path(__file__).parent))

from _timing import interleaved_medians, report

import weightdecay.trainer
from weightdecay import make_problem, train_concise, train_scratch
from weightdecay.guard import DivergenceGuard

if TYPE_CHECKING:
    from collections.abc import Callable


class RecordingOnly(DivergenceGuard):
    """The guard without its checks: it records the history and nothing else."""

    def after_update(self, epoch: int, loss: torch.Tensor, grad_norm: float | None = None) -> None:
        del epoch, grad_norm
        self.history.num_updates += 1
        self.history.step_loss.append(float(loss.detach().sum()) / loss.numel())

    def after_evaluation(self, epoch: int, train_loss: float, test_loss: float) -> None:
        self.history.epochs.append(epoch)
        self.history.train_loss.append(train_loss)
        self.history.test_loss.append(test_loss)


def unguarded(run: Callable[[], object]) -> Callable[[], object]:
    def call() -> object:
        with mock.patch.object(weightdecay.trainer, "DivergenceGuard", RecordingOnly):
            return run()

    return call


def bench_guard(repeats: int = 41) -> list[bool]:
    problem = make_problem(seed=0)
    runs: dict[str, Callable[[], object]] = {
        "train_scratch": lambda: train_scratch(problem, lambd=3.0),
        "train_concise": lambda: train_concise(problem, weight_decay=7.0),
    }
    results = []
    for name, run in runs.items():
        medians = interleaved_medians(
            {"guarded": run, "unguarded": unguarded(run)}, repeats=repeats
        )
        guarded, bare = medians["guarded"], medians["unguarded"]
        cost = (guarded - bare) / bare
        print(
            f"      {name}: with the guard {guarded * 1e3:.1f} ms, recording only "
            f"{bare * 1e3:.1f} ms (medians of {repeats} interleaved runs)"
        )
        results.append(report(f"guard cost in {name}", cost * 100, "<= 10 %", cost <= 0.10))
    return results


def main() -> int:
    print("== benchmarks/bench_guard.py")
    torch.set_num_threads(1)
    return 0 if all(bench_guard()) else 1


if __name__ == "__main__":
    sys.exit(main())
