r"""The update step of each trainer, with the run's options chosen once, before the loop.

The trainers' inner loops hold the notebook's statements and one call to ``update``, with no
branch. What ``update`` does is decided here, before the first epoch:

* :func:`scratch_options` starts from d2l's ``sgd``; with ``l1_update="proximal"`` it takes the L1
  part out of the loss and soft-thresholds the weights after each step; when the run clips or
  records gradient norms, it measures (and clips) the gradient before each step.
* :func:`optimizer_update` does the same around ``torch.optim``'s ``step``.

Each returned function gives back the norm of the gradient it measured, or None when the run
needs none, and the trainer hands that to its :class:`~weightdecay.guard.DivergenceGuard`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import torch

from weightdecay.guard import clip_grad_norm
from weightdecay.penalty import proximal_split, soft_threshold

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from weightdecay._settings import Settings
    from weightdecay.penalty import Penalty

__all__ = ["ScratchUpdate", "optimizer_update", "scratch_options"]

ScratchUpdate: TypeAlias = "Callable[[Sequence[torch.Tensor], float, int], float | None]"
"""Called as d2l's ``sgd(params, lr, batch_size)``; returns the gradient norm it measured."""


def scratch_options(
    sgd: ScratchUpdate, w: torch.Tensor, settings: Settings, lambd: float
) -> tuple[Penalty, ScratchUpdate]:
    r"""The penalty that stays in the loss, and ``sgd`` with the run's options around it.

    With ``l1_update="proximal"`` the L1 part :math:`a\lVert w\rVert_1` of the penalty leaves the
    loss, and each step ends by soft-thresholding the weights by :math:`\eta\lambda a`. When the
    run clips or records gradient norms, each step begins by measuring (and clipping) the
    gradient. The gradient is that of the loss summed over the batch, so its norm and the clipping
    use ``1 / batch_size`` of it: the gradient of the mean loss, the one the step applies.
    """
    penalty, update = settings.penalty, sgd
    if settings.proximal:
        penalty, l1_share = proximal_split(settings.penalty)
        update = _soft_threshold_after(update, w, settings.lr * lambd * l1_share)
    if settings.record_grad_norm or settings.max_grad_norm is not None:
        update = _measure_before(update, settings.max_grad_norm)
    return penalty, update


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
