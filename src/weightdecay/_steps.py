r"""The update step of each trainer, with the run's options chosen once, before the loop.

The trainers' inner loops hold the notebook's statements and one call to ``update``, with no
branch. What ``update`` does is decided here, before the first epoch:

* :func:`scratch_update` starts from d2l's ``sgd``; with ``l1_update="proximal"`` it
  soft-thresholds the weights after each step; when the run clips or records gradient norms, it
  measures (and clips) the gradient before each step.
* :func:`optimizer_update` does the same around ``torch.optim``'s ``step``.

Each returned function gives back the norm of the gradient it measured, or None when the run
needs none, and the trainer hands that to its :class:`~weightdecay.guard.DivergenceGuard`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import torch

from weightdecay.guard import clip_grad_norm
from weightdecay.penalty import soft_threshold

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from weightdecay._settings import Settings

__all__ = ["ScratchUpdate", "optimizer_update", "scratch_update"]

ScratchUpdate: TypeAlias = "Callable[[Sequence[torch.Tensor], float, int], float | None]"
"""Called as d2l's ``sgd(params, lr, batch_size)``; returns the gradient norm it measured."""


def scratch_update(
    sgd: ScratchUpdate, w: torch.Tensor, settings: Settings, *, l1_threshold: float = 0.0
) -> ScratchUpdate:
    r"""``sgd``, with a proximal L1 step after it and a gradient measure before it if asked.

    ``l1_threshold`` is :math:`\eta\lambda a` of a proximal L1 step (0: none). The gradient is
    that of the loss summed over the batch, so its norm and the clipping use ``1 / batch_size``
    of it: the gradient of the mean loss, the one the step applies.
    """
    update = sgd
    if l1_threshold > 0:
        update = _soft_threshold_after(update, w, l1_threshold)
    if settings.record_grad_norm or settings.max_grad_norm is not None:
        update = _measure_before(update, settings.max_grad_norm)
    return update


def optimizer_update(
    optimizer: torch.optim.Optimizer, params: Sequence[torch.Tensor], settings: Settings
) -> Callable[[], float | None]:
    """``optimizer.step``, measuring (and clipping) the gradient before it if the run asks to."""
    if not settings.record_grad_norm and settings.max_grad_norm is None:
        return optimizer.step
    max_norm = settings.max_grad_norm

    def measured_step() -> float:
        norm = clip_grad_norm(params, max_norm)
        optimizer.step()
        return norm

    return measured_step


def _soft_threshold_after(
    update: ScratchUpdate, w: torch.Tensor, threshold: float
) -> ScratchUpdate:
    def step_then_threshold(
        params: Sequence[torch.Tensor], lr: float, batch_size: int
    ) -> float | None:
        norm = update(params, lr, batch_size)
        with torch.no_grad():
            w.copy_(soft_threshold(w, threshold))  # lands on exact zeros: the proximal step
        return norm

    return step_then_threshold


def _measure_before(update: ScratchUpdate, max_norm: float | None) -> ScratchUpdate:
    def measure_then_step(params: Sequence[torch.Tensor], lr: float, batch_size: int) -> float:
        norm = clip_grad_norm(params, max_norm, scale=1 / batch_size)
        update(params, lr, batch_size)
        return norm

    return measure_then_step
