"""The training loop shared by every trainer, with a divergence guard that costs almost nothing.

Checking every update for NaN or Inf would synchronize on a scalar each step, which costs far more
than a whole step of the tiny linear model. Instead the loop checks once per evaluation window
(the ``eval_every`` epochs between two evaluations): the window's minibatch losses and the
evaluation losses are finite exactly when every parameter they came from was. When a window fails,
the loop restores the checkpoint taken at the window's start and replays the window's updates one
by one, with every check on, to find the first failing update of each model. The replay does the
same operations on the same batches, so it reproduces the run bit for bit.

Models are vectorized: a trainable holds ``K`` independent models (columns) that see the same
batches, possibly behind leading batch dimensions; each column diverges, and is frozen at its last
finite parameters, on its own.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import torch

from weightdecay.data import _minibatches

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["ColumnDivergence", "StepOut", "Trace", "Trainable", "run"]


@dataclass(frozen=True)
class StepOut:
    """What one update reports, per column: the minibatch's mean data loss (before the update),
    the gradient norm (before clipping) or None, and, when inspected, whether the gradient was
    finite."""

    loss: torch.Tensor
    grad_norm: torch.Tensor | None = None
    grad_finite: torch.Tensor | None = None


class Trainable(Protocol):
    """A set of models that the loop can step, evaluate, checkpoint and freeze."""

    def step(self, idx: torch.Tensor, *, inspect: bool) -> StepOut:
        """Update every live column on the rows ``idx``."""

    def evaluate(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact mean train and test losses, one per column."""

    def param_sums(self) -> torch.Tensor:
        """Per column: the sum of its parameters, NaN or infinite when one of them is."""

    def max_abs_w(self) -> torch.Tensor:
        """Per column: the largest absolute weight."""

    def save(self) -> object:
        """A checkpoint of the parameters (and any optimizer state)."""

    def restore(self, state: object) -> None:
        """Go back to a checkpoint."""

    def freeze(self, dead: torch.Tensor, state: object) -> None:
        """Set the ``dead`` columns to their values in ``state`` and stop updating them."""


@dataclass(frozen=True)
class ColumnDivergence:
    """Where one column stopped being finite."""

    epoch: int
    step: int
    quantity: str
    value: float
    last_finite_loss: float
    max_abs_w: float


@dataclass
class Trace:
    """Everything the loop recorded; losses are NaN for a column after it diverged."""

    epochs: list[int] = field(default_factory=list)
    train_loss: list[torch.Tensor] = field(default_factory=list)
    test_loss: list[torch.Tensor] = field(default_factory=list)
    step_loss: list[torch.Tensor] = field(default_factory=list)
    grad_norm: list[torch.Tensor] = field(default_factory=list)
    num_updates: int = 0
    divergences: dict[int, ColumnDivergence] = field(default_factory=dict)


@dataclass(frozen=True)
class LoopSettings:
    """The loop's knobs, already validated by the public functions."""

    num_examples: int
    num_epochs: int
    batch_size: int
    eval_every: int
    stop_at_first_divergence: bool
    record_grad_norm: bool


def run(model: Trainable, settings: LoopSettings, batch_gen: torch.Generator) -> Trace:
    """Train ``model`` for ``settings.num_epochs`` epochs and return the trace."""
    with _single_threaded():
        return _run(model, settings, batch_gen)


@contextmanager
def _single_threaded() -> Iterator[None]:
    """Run torch's intra-op work on one thread, then restore the caller's setting.

    Every operation here is tiny (a 5 x 200 batch against a 200 x K weight matrix): splitting it
    over threads costs more in synchronization than it saves, and when the cores are busy the
    waiting threads make a step take milliseconds instead of microseconds (measured 10-100x on a
    loaded 2-core machine). scikit-learn limits its thread pools around small loops the same way
    (``threadpoolctl.threadpool_limits``).
    """
    previous = torch.get_num_threads()
    if previous == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _run(model: Trainable, settings: LoopSettings, batch_gen: torch.Generator) -> Trace:
    trace = Trace()
    alive = torch.isfinite(model.param_sums())
    checkpoint = model.save()
    window: list[tuple[int, torch.Tensor]] = []
    window_start = 0  # index into trace.step_loss where the window began
    for epoch in range(1, settings.num_epochs + 1):
        for idx in _minibatches(settings.num_examples, settings.batch_size, batch_gen):
            out = model.step(idx, inspect=False)
            _record_step(trace, out, settings)
            window.append((epoch, idx))
        if epoch % settings.eval_every and epoch != settings.num_epochs:
            continue
        train, test = model.evaluate()
        window_loss = torch.stack(trace.step_loss[window_start:]).sum(0)
        finite = torch.isfinite(train + test + window_loss) | ~alive
        if not bool(finite.all()):
            model.restore(checkpoint)
            del trace.step_loss[window_start:], trace.grad_norm[window_start:]
            trace.num_updates -= len(window)
            _replay(model, settings, window, alive, trace)
            if not bool(alive.any()):
                break
            train, test = model.evaluate()
        nan = torch.full_like(train, math.nan)
        trace.epochs.append(epoch)
        trace.train_loss.append(torch.where(alive, train, nan))
        trace.test_loss.append(torch.where(alive, test, nan))
        checkpoint = model.save()
        window, window_start = [], len(trace.step_loss)
        if not bool(alive.any()) or (settings.stop_at_first_divergence and trace.divergences):
            break
    return trace


def _record_step(trace: Trace, out: StepOut, settings: LoopSettings) -> None:
    trace.num_updates += 1
    trace.step_loss.append(out.loss)
    if settings.record_grad_norm and out.grad_norm is not None:
        trace.grad_norm.append(out.grad_norm)


def _replay(
    model: Trainable,
    settings: LoopSettings,
    window: Sequence[tuple[int, torch.Tensor]],
    alive: torch.Tensor,
    trace: Trace,
) -> None:
    """Redo the window update by update, checking everything, and freeze each failing column."""
    last_loss = _last_finite_losses(trace, alive)
    for epoch, idx in window:
        before = model.save()
        max_abs = model.max_abs_w()
        out = model.step(idx, inspect=True)
        _record_step(trace, out, settings)
        sums = model.param_sums()
        failures = _classify(out, sums) & alive.unsqueeze(0)
        if bool(failures.any()):
            dead = failures.any(0)
            for flat in dead.flatten().nonzero().flatten().tolist():
                which = int(failures.reshape(4, -1)[:, flat].nonzero()[0])
                value = _offending_value(out, sums, which, flat)
                trace.divergences[flat] = ColumnDivergence(
                    epoch=epoch,
                    step=trace.num_updates,
                    quantity=("loss", "gradient", "parameters", "evaluation loss")[which],
                    value=value,
                    last_finite_loss=float(last_loss.flatten()[flat]),
                    max_abs_w=float(max_abs.flatten()[flat]),
                )
            model.freeze(dead, before)
            alive &= ~dead
            if settings.stop_at_first_divergence or not bool(alive.any()):
                return
        last_loss = torch.where(torch.isfinite(out.loss), out.loss, last_loss)
    # Every update was finite, so an evaluation loss overflowed: blame the window's last update.
    train, test = model.evaluate()
    bad = ~torch.isfinite(train + test) & alive
    for flat in bad.flatten().nonzero().flatten().tolist():
        trace.divergences[flat] = ColumnDivergence(
            epoch=window[-1][0],
            step=trace.num_updates,
            quantity="evaluation loss",
            value=float((train + test).flatten()[flat]),
            last_finite_loss=float(last_loss.flatten()[flat]),
            max_abs_w=float(model.max_abs_w().flatten()[flat]),
        )
    alive &= ~bad


def _classify(out: StepOut, param_sums: torch.Tensor) -> torch.Tensor:
    """Stack the per-column failure flags, in the order of the quantities' names: loss,
    gradient, parameters, evaluation loss (never set here)."""
    loss_bad = ~torch.isfinite(out.loss)
    grad_bad = torch.zeros_like(loss_bad) if out.grad_finite is None else ~out.grad_finite
    params_bad = ~torch.isfinite(param_sums)
    return torch.stack([loss_bad, grad_bad, params_bad, torch.zeros_like(loss_bad)])


def _offending_value(out: StepOut, param_sums: torch.Tensor, which: int, flat: int) -> float:
    if which == 0:
        return float(out.loss.flatten()[flat])
    if which == 1:
        return math.nan if out.grad_norm is None else float(out.grad_norm.flatten()[flat])
    return float(param_sums.flatten()[flat])


def _last_finite_losses(trace: Trace, alive: torch.Tensor) -> torch.Tensor:
    last = torch.full(alive.shape, math.nan)
    for loss in trace.step_loss:
        last = torch.where(torch.isfinite(loss), loss.to(last.dtype), last)
    return last
