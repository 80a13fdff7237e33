"""The training loop shared by every trainer, with a divergence guard that costs almost nothing.

Checking every update for NaN or Inf would synchronize on a scalar each step, which costs far more
than a whole step of the tiny linear model. Instead the loop checks once per evaluation window
(the ``eval_every`` epochs between two evaluations): the evaluation losses are finite exactly when
every parameter they came from was (a run whose minibatch loss overflowed between evaluations is
caught at the end and redone with those losses checked too, see :func:`run`). When a window fails,
the loop goes back to its last checkpoint (the start, or the end of the last replay), redoes the
updates up to the window's start, then replays the window's updates one by one with every check
on, to find the first failing update of each model. Redoing is cheaper than checkpointing every
window, and exact: the same operations on the same batches reproduce the run bit for bit.

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
    """What one update reports, per column: the minibatch's mean data loss (before the update;
    None if the model was asked not to report it, but always given when inspected), the gradient
    norm (before clipping) or None, and, when inspected, whether the gradient was finite."""

    loss: torch.Tensor | None
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
    step_loss_matrix: torch.Tensor | None = None  # step_loss stacked, once the run is over
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
    """Train ``model`` for ``settings.num_epochs`` epochs and return the trace.

    Each window is vouched for by its evaluation losses alone: a non-finite parameter makes
    them non-finite. A minibatch loss can still overflow between two evaluations while the
    parameters stay finite; so once, at the end, the recorded minibatch losses are checked too,
    and if one is not finite the run is redone from the start with every window also checking
    its minibatch losses (the same run, bit for bit, with the failure now caught where it is).
    """
    with _single_threaded():
        start, gen_state = model.save(), batch_gen.get_state()
        trace = _run(model, settings, batch_gen, careful=False)
        if not _step_losses_finite(trace):
            model.restore(start)
            batch_gen.set_state(gen_state)
            trace = _run(model, settings, batch_gen, careful=True)
        return trace


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


def _run(
    model: Trainable, settings: LoopSettings, batch_gen: torch.Generator, *, careful: bool
) -> Trace:
    trace = Trace()
    alive = torch.isfinite(model.param_sums())
    all_alive = bool(alive.all())  # while True, no masking is needed anywhere
    # The checkpoint is taken at the start and after each replay only, not every window: a
    # failing window is reached again by redoing, unchecked, the updates since the checkpoint,
    # on the same batches, drawn again from the generator's state at the checkpoint.
    checkpoint = _Checkpoint(model.save(), batch_gen.get_state(), epoch=0)
    window_epoch = 1  # the first epoch of the current window
    window_start = 0  # where the window starts in trace.step_loss
    window_updates = 0
    for epoch in range(1, settings.num_epochs + 1):
        for idx in _minibatches(settings.num_examples, settings.batch_size, batch_gen):
            out = model.step(idx, inspect=False)
            _record_step(trace, out, settings)
            window_updates += 1
        if epoch % settings.eval_every and epoch != settings.num_epochs:
            continue
        train, test = model.evaluate()
        losses = trace.step_loss[window_start:] if careful else []
        if not _window_finite(train, test, losses, alive, all_alive):
            window = _back_to_window(model, settings, checkpoint, window_epoch, epoch)
            del trace.step_loss[window_start:], trace.grad_norm[window_start:]
            trace.num_updates -= window_updates
            _replay(model, settings, window, alive, trace)
            all_alive = bool(alive.all())
            if not bool(alive.any()):
                break
            checkpoint = _Checkpoint(model.save(), batch_gen.get_state(), epoch=epoch)
            train, test = model.evaluate()
        trace.epochs.append(epoch)
        trace.train_loss.append(train if all_alive else _mask(train, alive))
        trace.test_loss.append(test if all_alive else _mask(test, alive))
        if settings.stop_at_first_divergence and trace.divergences:
            break
        window_epoch, window_start, window_updates = epoch + 1, len(trace.step_loss), 0
    return trace


@dataclass(frozen=True)
class _Checkpoint:
    """The model's state and the batch generator's state after ``epoch`` epochs."""

    model: object
    generator: torch.Tensor
    epoch: int


def _back_to_window(
    model: Trainable,
    settings: LoopSettings,
    checkpoint: _Checkpoint,
    first_epoch: int,
    last_epoch: int,
) -> list[tuple[int, torch.Tensor]]:
    """Restore the checkpoint, redo the updates before ``first_epoch`` and return the window's
    (epoch, batch) pairs, drawn again exactly as the run drew them."""
    model.restore(checkpoint.model)
    generator = torch.Generator()
    generator.set_state(checkpoint.generator)
    window = []
    for epoch in range(checkpoint.epoch + 1, last_epoch + 1):
        for idx in _minibatches(settings.num_examples, settings.batch_size, generator):
            if epoch < first_epoch:
                model.step(idx, inspect=False)
            else:
                window.append((epoch, idx))
    return window


def _window_finite(
    train: torch.Tensor,
    test: torch.Tensor,
    step_losses: list[torch.Tensor],
    alive: torch.Tensor,
    all_alive: bool,
) -> bool:
    """Were the window's losses, and the evaluation at its end, finite for every live column?

    A non-finite parameter makes every later loss non-finite, so these values, which the loop
    computes anyway, vouch for every update of the window: one concatenation, one test, one sync.
    """
    if all_alive and train.numel() == 1 and not step_losses:  # one model: two scalar reads
        return math.isfinite(float(train) + float(test))
    values = torch.cat([train, test, *step_losses])
    if all_alive:  # a sum is finite exactly when every term is (float64: no overflow of its own)
        return math.isfinite(float(values.sum(dtype=torch.float64)))
    finite = torch.isfinite(values).reshape(-1, *alive.shape) | ~alive
    return bool(finite.all())


def _step_losses_finite(trace: Trace) -> bool:
    """Are all recorded minibatch losses finite, up to each diverged column's failing update?

    Stacks them once, into ``trace.step_loss_matrix``, which the callers read instead of
    stacking again.
    """
    if not trace.step_loss:
        return True
    trace.step_loss_matrix = torch.stack(trace.step_loss)
    values = trace.step_loss_matrix.reshape(len(trace.step_loss), -1)
    if not trace.divergences:
        return math.isfinite(float(values.sum(dtype=torch.float64)))
    kept = torch.full((values.shape[1],), len(trace.step_loss))
    for column, failure in trace.divergences.items():
        kept[column] = failure.step - 1  # the failing update's own loss may be the culprit
    rows = torch.arange(len(trace.step_loss)).unsqueeze(1)
    return bool((torch.isfinite(values) | (rows >= kept)).all())


def _mask(values: torch.Tensor, alive: torch.Tensor) -> torch.Tensor:
    return torch.where(alive, values, torch.full_like(values, math.nan))


def _record_step(trace: Trace, out: StepOut, settings: LoopSettings) -> None:
    trace.num_updates += 1
    if out.loss is not None:
        trace.step_loss.append(out.loss)
    if settings.record_grad_norm and out.grad_norm is not None:
        trace.grad_norm.append(out.grad_norm)


_QUANTITIES = ("loss", "gradient", "parameters", "evaluation loss")


def _replay(
    model: Trainable,
    settings: LoopSettings,
    window: Sequence[tuple[int, torch.Tensor]],
    alive: torch.Tensor,
    trace: Trace,
) -> None:
    """Redo the window update by update, checking everything, and freeze each failing column.

    After each update the replay checks, in this order: the minibatch loss the update started
    from, its gradient, the new parameters, and the evaluation losses of the new parameters. The
    last check makes the reported update independent of ``eval_every``: whichever check first
    caught the failure, the replay names the first update whose result was not usable.
    """
    last_loss = _last_finite_losses(trace, alive)
    for epoch, idx in window:
        before = model.save()
        max_abs = model.max_abs_w()
        out = model.step(idx, inspect=True)
        _record_step(trace, out, settings)
        sums = model.param_sums()
        train, test = model.evaluate()
        evaluation = train + test
        failures = _classify(out, sums, evaluation) & alive.unsqueeze(0)
        if bool(failures.any()):
            dead = failures.any(0)
            values = (out.loss, out.grad_norm, sums, evaluation)
            for flat in dead.flatten().nonzero().flatten().tolist():
                which = int(failures.reshape(len(_QUANTITIES), -1)[:, flat].nonzero()[0])
                value = values[which]
                trace.divergences[flat] = ColumnDivergence(
                    epoch=epoch,
                    step=trace.num_updates,
                    quantity=_QUANTITIES[which],
                    value=math.nan if value is None else float(value.flatten()[flat]),
                    last_finite_loss=float(last_loss.flatten()[flat]),
                    max_abs_w=float(max_abs.flatten()[flat]),
                )
            model.freeze(dead, before)
            alive &= ~dead
            if settings.stop_at_first_divergence or not bool(alive.any()):
                return
        if out.loss is not None:
            last_loss = torch.where(torch.isfinite(out.loss), out.loss, last_loss)


def _classify(out: StepOut, param_sums: torch.Tensor, evaluation: torch.Tensor) -> torch.Tensor:
    """Stack the per-column failure flags in the order of ``_QUANTITIES``."""
    assert out.loss is not None  # an inspected step always reports its loss
    loss_bad = ~torch.isfinite(out.loss)
    grad_bad = torch.zeros_like(loss_bad) if out.grad_finite is None else ~out.grad_finite
    return torch.stack(
        [loss_bad, grad_bad, ~torch.isfinite(param_sums), ~torch.isfinite(evaluation)]
    )


def _last_finite_losses(trace: Trace, alive: torch.Tensor) -> torch.Tensor:
    """Per column, the last finite minibatch loss recorded, else the last training evaluation
    (for models that do not report minibatch losses), else NaN."""
    last = torch.full(alive.shape, math.nan)
    for loss in trace.step_loss or trace.train_loss[-1:]:
        last = torch.where(torch.isfinite(loss), loss.to(last.dtype), last)
    return last
