"""Cost of the divergence guard: the trainers against the same runs with no checks at all.

The guard is structural (see ``weightdecay/_loop.py``): it never looks at a single update. Once
per evaluation window (``eval_every`` epochs) it takes a checkpoint and tests whether the window's
minibatch losses and the evaluation losses, which the loop computes anyway, are finite; only a
failing window is replayed update by update. For each trainer, at its defaults (100 epochs,
``eval_every=5``), we time three variants:

* the trainer itself (``train_scratch``, ``train_concise``);
* the same trainer call with its loop (``weightdecay.trainer.run``) swapped for a copy of
  ``_loop.run`` with every check removed: the same argument checks, models, steps, evaluations
  and results, so the difference is exactly the guard (the target);
* a bare loop: ``LinearSGD`` driven by the few lines of ``_loop.run`` that train, or a plain
  ``torch.optim`` loop for the concise trainer (``nn.Linear``, SGD with the same parameter groups,
  ``MSELoss``), on the same batches. The difference is the guard plus the trainers' own
  bookkeeping (argument checks, the shared loop's structure, building the result).

All variants are first checked to end with bitwise-equal weights, so the copies are faithful.
The variants run in interleaved rounds (each round runs every variant once, back to back), so
a busy machine slows them down alike. The estimate is the median over rounds of the per-round
time ratio, which load that drifts from round to round leaves alone; the ratio of the median
times is printed next to it. Target: the guarded trainer at most 5% slower than the same run
without checks.

Run: ``python benchmarks/bench_guard.py [rounds]`` (or ``nox -s bench``). Exits 1 if the guard
costs more than 5%.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import TYPE_CHECKING
from unittest import mock

import torch
from torch import nn

import weightdecay.trainer
from weightdecay import make_problem, train_concise, train_scratch
from weightdecay._linear_sgd import LinearSGD, LinearSpec
from weightdecay._loop import LoopSettings, Trace, Trainable, _single_threaded
from weightdecay._seeding import spawn_generators
from weightdecay.data import _minibatches
from weightdecay.model import concise_net, init_params
from weightdecay.penalty import get_penalty

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from weightdecay import Problem

NUM_EPOCHS, LR, BATCH_SIZE, EVAL_EVERY, SEED = 100, 0.003, 5, 5, 0
TARGET = 1.05


def unguarded_run(model: Trainable, settings: LoopSettings, batch_gen: torch.Generator) -> Trace:
    """``_loop.run`` without the guard: no checkpoint, no finiteness test, no replay.

    It keeps ``_loop.run``'s single-threaded context, which is not part of the guard.
    """
    with _single_threaded():
        return _unguarded_run(model, settings, batch_gen)


def _unguarded_run(model: Trainable, settings: LoopSettings, batch_gen: torch.Generator) -> Trace:
    trace = Trace()
    for epoch in range(1, settings.num_epochs + 1):
        for idx in _minibatches(settings.num_examples, settings.batch_size, batch_gen):
            out = model.step(idx, inspect=False)
            trace.num_updates += 1
            if out.loss is not None:
                trace.step_loss.append(out.loss)
            if settings.record_grad_norm and out.grad_norm is not None:
                trace.grad_norm.append(out.grad_norm)
        if epoch % settings.eval_every and epoch != settings.num_epochs:
            continue
        train, test = model.evaluate()
        trace.epochs.append(epoch)
        trace.train_loss.append(train)
        trace.test_loss.append(test)
    return trace


def without_checks(train: Callable[[], torch.Tensor]) -> Callable[[], torch.Tensor]:
    """Run ``train`` with the trainers' loop swapped for :func:`unguarded_run`."""

    def call() -> torch.Tensor:
        with mock.patch.object(weightdecay.trainer, "run", unguarded_run):
            return train()

    return call


def unguarded_scratch(problem: Problem) -> torch.Tensor:
    """``train_scratch(problem)`` without a single check: ``_loop.run`` minus the guard."""
    with _single_threaded():  # as the trainers' loop runs
        return _unguarded_scratch(problem)


def _unguarded_scratch(problem: Problem) -> torch.Tensor:
    init_gen, batch_gen = spawn_generators(SEED, 2, purpose="train")
    w0, b0 = init_params(problem.num_inputs, generator=init_gen, dtype=problem.dtype)
    W = w0.detach().clone().reshape(-1, 1)
    b = b0.detach().clone().reshape(1, 1)
    spec = LinearSpec(penalty=get_penalty("l2"), lambd=0.0, lr=LR)
    model = LinearSGD(
        (problem.X_train, problem.y_train), (problem.X_test, problem.y_test), W, b, spec
    )
    step_loss: list[torch.Tensor] = []
    train_loss: list[torch.Tensor] = []
    test_loss: list[torch.Tensor] = []
    num_updates = 0
    for epoch in range(1, NUM_EPOCHS + 1):
        for idx in _minibatches(problem.n_train, BATCH_SIZE, batch_gen):
            out = model.step(idx, inspect=False)
            num_updates += 1
            assert out.loss is not None  # the trainer's model reports every update's loss
            step_loss.append(out.loss)
        if epoch % EVAL_EVERY and epoch != NUM_EPOCHS:
            continue
        train, test = model.evaluate()
        train_loss.append(train)
        test_loss.append(test)
    torch.stack(step_loss).flatten().tolist()  # the history's floats, as the trainer makes them
    assert num_updates == NUM_EPOCHS * len(range(0, problem.n_train, BATCH_SIZE))
    return W


def unguarded_concise(problem: Problem) -> torch.Tensor:
    """``train_concise(problem)`` without a single check: a plain ``torch.optim`` loop."""
    with _single_threaded():  # as the trainers' loop runs
        return _unguarded_concise(problem)


def _unguarded_concise(problem: Problem) -> torch.Tensor:
    init_gen, batch_gen = spawn_generators(SEED, 2, purpose="train")
    net = concise_net(problem.num_inputs, generator=init_gen, dtype=problem.dtype)
    layer = net[0]
    assert isinstance(layer, nn.Linear)
    optimizer = torch.optim.SGD(
        [
            {"params": [layer.weight], "weight_decay": 0.0},
            {"params": [layer.bias], "weight_decay": 0.0},
        ],
        lr=LR,
    )
    mse = nn.MSELoss(reduction="none")
    X, y = problem.X_train, problem.y_train
    step_loss: list[torch.Tensor] = []
    train_loss: list[torch.Tensor] = []
    test_loss: list[torch.Tensor] = []
    for epoch in range(1, NUM_EPOCHS + 1):
        for idx in _minibatches(problem.n_train, BATCH_SIZE, batch_gen):
            optimizer.zero_grad()
            loss = mse(net(X[idx]), y[idx]).mean()
            loss.backward()
            optimizer.step()
            step_loss.append(loss.detach().reshape(1))
        if epoch % EVAL_EVERY and epoch != NUM_EPOCHS:
            continue
        with torch.no_grad():
            train_loss.append(mse(net(X), y).mean().reshape(1))
            test_loss.append(mse(net(problem.X_test), problem.y_test).mean().reshape(1))
    torch.stack(step_loss).flatten().tolist()
    return layer.weight.detach().T


def timed_rounds(
    candidates: Mapping[str, Callable[[], object]], rounds: int
) -> dict[str, list[float]]:
    """Wall times of every candidate, run in rotating turns, after one warm-up run each."""
    for fn in candidates.values():
        fn()
    names = list(candidates)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)  # rotate the order, so that no variant always runs first
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            candidates[name]()
            times[name].append(time.perf_counter() - start)
    return times


def bench_trainer(
    label: str, train: Callable[[], torch.Tensor], bare: Callable[[], torch.Tensor], rounds: int
) -> bool:
    variants = {
        "trainer": train,
        "trainer without checks": without_checks(train),
        "bare loop": bare,
    }
    reference = train()
    for name, fn in variants.items():
        if not torch.equal(fn(), reference):
            print(f"FAIL  {label}: the {name} does not reproduce the trainer's weights")
            return False
    times = timed_rounds(variants, rounds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, seconds in medians.items():
        print(f"      {label:<8}{name:<24}median {seconds * 1e3:8.2f} ms over {rounds} rounds")
    paired = {}
    for baseline in ("trainer without checks", "bare loop"):
        paired[baseline] = statistics.median(
            a / b for a, b in zip(times["trainer"], times[baseline], strict=True)
        )
        print(
            f"      {label:<8}trainer / {baseline}: median of per-round ratios "
            f"{paired[baseline]:.4f} (ratio of medians {medians['trainer'] / medians[baseline]:.4f})"
        )
    windows = NUM_EPOCHS // EVAL_EVERY
    extra = (medians["trainer"] - medians["trainer without checks"]) / windows
    print(
        f"      {label:<8}guard time per evaluation window ({windows} windows): {extra * 1e6:.0f} us"
    )
    ratio = paired["trainer without checks"]
    ok = ratio <= TARGET
    print(
        f"{'PASS' if ok else 'FAIL'}  {label}: cost of the guard, trainer / trainer without checks: "
        f"{ratio:.4f} (target <= {TARGET})"
    )
    return ok


def main(argv: list[str]) -> int:
    rounds = int(argv[0]) if argv else 31
    print("== benchmarks/bench_guard.py")
    problem = make_problem(seed=0)
    results = [
        bench_trainer(
            "scratch",
            lambda: train_scratch(problem).w,
            lambda: unguarded_scratch(problem),
            rounds,
        ),
        bench_trainer(
            "concise",
            lambda: train_concise(problem).w,
            lambda: unguarded_concise(problem),
            rounds,
        ),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
