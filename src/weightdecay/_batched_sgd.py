r"""``train_scratch``'s update written out by hand for K models at once: the engine of the path.

:func:`~weightdecay.trainer.train_scratch` lets autograd differentiate the notebook's loss
:math:`\sum_{i\in B}\big[\tfrac12(x_i^\top w + b - y_i)^2 + \lambda P(w)\big]`. For a linear model
that gradient, divided by :math:`|B|` as ``sgd`` does, has a closed form:

.. math::

    g_w = \frac{1}{|B|} X_B^\top r + \lambda\nabla P(w), \qquad
    g_b = \frac{1}{|B|}\mathbf 1^\top r, \qquad r = X_B w + b - y_B .

Why it exists. Written out, the update works on a matrix ``W`` of shape (d, K) whose column
:math:`k` is a model with its own :math:`\lambda_k`: all columns see the same minibatches, and one
matrix product serves them all, with none of autograd's bookkeeping. A regularization path of 64
:math:`\lambda` then costs about as much as one ``train_scratch`` run, and k-fold
cross-validation adds a leading dimension (one per fold). Why it is not in ``train_scratch``: a
student should read the notebook's loop there, not this. ``tests/test_path.py`` checks that column
:math:`k` equals ``train_scratch(problem, lambd=lambdas[k])`` for every penalty.

:func:`train_splits` runs the same loop for the splits of a validation, stacked on a leading
dimension. Divergence is checked at each evaluation, not at each update: a column whose
evaluation loss is not finite is reported at that evaluation and returned at its weights of the
last finite evaluation; the other columns train on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from weightdecay._progress import progress_bar
from weightdecay._settings import training_generators
from weightdecay.data import batch_indices
from weightdecay.model import init_params
from weightdecay.penalty import penalty_parts, soft_threshold
from weightdecay.results import Divergence

if TYPE_CHECKING:
    from collections.abc import Callable

    from weightdecay._settings import Settings
    from weightdecay.problem import Problem

__all__ = ["Trained", "train_columns", "train_splits"]


@dataclass(frozen=True)
class Trained:
    """What :func:`train_columns` returns; shapes use ``lead`` for the leading dimensions of X."""

    epochs: list[int]
    train_loss: torch.Tensor  # (num_evals, *lead, K), NaN after a column diverged
    eval_loss: torch.Tensor  # (num_evals, *lead, K)
    W: torch.Tensor  # (*lead, d, K)
    b: torch.Tensor  # (*lead, 1, K)
    initial: tuple[torch.Tensor, torch.Tensor]  # the shared start, (d, 1) and (1,)
    divergences: dict[int, Divergence]  # keyed by the flat index into (*lead, K)


def train_columns(
    train: tuple[torch.Tensor, torch.Tensor],
    evaluation: tuple[torch.Tensor, torch.Tensor],
    lambdas: torch.Tensor,
    settings: Settings,
    progress: Callable[[int], None] | None = None,
) -> Trained:
    """Train one model per ``lambdas[k]`` (and per leading index of ``train``) in one loop.

    ``train`` and ``evaluation`` are ``(X, y)`` of shapes (*lead, n, d) and (*lead, n, 1);
    ``progress`` is called with the number of epochs done after each evaluation.
    """
    X, y = train
    lead, (n, d), K = X.shape[:-2], X.shape[-2:], lambdas.shape[0]
    init_gen, batch_gen = training_generators(settings.seed)
    w0, b0 = settings.initial or init_params(d, generator=init_gen, dtype=X.dtype)
    W = w0.detach().reshape(d, 1).expand(*lead, d, K).clone()
    b = b0.detach().reshape(1, 1).expand(*lead, 1, K).clone()
    step = _Step(settings, lambdas.to(X.dtype).reshape(1, K))
    kept = (W.clone(), b.clone())  # each column's weights at its last finite evaluation
    alive = torch.ones((*lead, K), dtype=torch.bool)
    divergences: dict[int, Divergence] = {}
    epochs: list[int] = []
    train_losses: list[torch.Tensor] = []
    eval_losses: list[torch.Tensor] = []
    updates = 0
    for epoch in range(1, settings.num_epochs + 1):
        for rows in batch_indices(n, settings.batch_size, generator=batch_gen):
            step(W, b, X[..., rows, :], y[..., rows, :])
            updates += 1
        if epoch % settings.eval_every and epoch != settings.num_epochs:
            continue
        losses = _half_mse(X, y, W, b), _half_mse(*evaluation, W, b)
        failed = alive & ~(torch.isfinite(losses[0]) & torch.isfinite(losses[1]))
        if bool(failed.any()):
            last = train_losses[-1] if train_losses else torch.full_like(losses[0], math.nan)
            for flat in failed.flatten().nonzero().flatten().tolist():
                divergences[flat] = _divergence(
                    epoch, updates, settings.lr, losses, last, kept[0], flat
                )
            alive &= ~failed
        keep = alive.unsqueeze(-2)
        kept = (torch.where(keep, W, kept[0]), torch.where(keep, b, kept[1]))
        epochs.append(epoch)
        train_losses.append(losses[0].masked_fill(~alive, math.nan))
        eval_losses.append(losses[1].masked_fill(~alive, math.nan))
        if progress is not None:
            progress(epoch)
    return Trained(
        epochs=epochs,
        train_loss=torch.stack(train_losses),
        eval_loss=torch.stack(eval_losses),
        W=kept[0],
        b=kept[1],
        initial=(w0.detach().reshape(d, 1).clone(), b0.detach().reshape(1).clone()),
        divergences=divergences,
    )


def train_splits(
    problem: Problem,
    splits: list[tuple[torch.Tensor, torch.Tensor]],
    grid: torch.Tensor,
    settings: Settings,
    progress: bool | Callable[[int], None] | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Final train and validation losses of every split and lambda, shape (num_splits, K) each.

    Splits of equal size are stacked on a leading dimension and train in one loop.
    """
    K = grid.shape[0]
    train_loss = torch.full((len(splits), K), math.nan, dtype=problem.dtype)
    val_loss = torch.full((len(splits), K), math.nan, dtype=problem.dtype)
    X, y = problem.X_train, problem.y_train
    groups = _groups_by_size(splits)
    total = settings.num_epochs * len(groups)
    with progress_bar(progress, total=total, desc="validation") as report:
        for group in groups:
            train_rows = torch.stack([splits[i][0] for i in group])
            val_rows = torch.stack([splits[i][1] for i in group])
            trained = train_columns(
                (X[train_rows], y[train_rows]), (X[val_rows], y[val_rows]), grid, settings, report
            )
            train_loss[group] = trained.train_loss[-1]
            val_loss[group] = trained.eval_loss[-1]
    return train_loss, val_loss


def _groups_by_size(splits: list[tuple[torch.Tensor, torch.Tensor]]) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, (train_rows, _) in enumerate(splits):
        groups.setdefault(int(train_rows.numel()), []).append(i)
    return list(groups.values())


class _Step:
    """One SGD update of every column, with the gradient in closed form."""

    def __init__(self, settings: Settings, lambdas: torch.Tensor) -> None:
        parts = penalty_parts(settings.penalty)
        l1, l2 = parts if parts is not None else (0.0, 0.0)
        self.lr = settings.lr
        self.penalty = settings.penalty if parts is None else None  # a user's callable
        self.lambdas = lambdas
        self.lam_l2 = lambdas * l2  # (1, K): coefficient of W in lambda * grad P
        self.lam_l1 = None if settings.proximal or l1 == 0 else lambdas * l1  # of sign(W)
        self.threshold = settings.lr * lambdas * l1 if settings.proximal and l1 else None

    def __call__(
        self, W: torch.Tensor, b: torch.Tensor, Xb: torch.Tensor, yb: torch.Tensor
    ) -> None:
        r = Xb @ W + b - yb  # residuals, (*lead, |B|, K)
        scale = 1.0 / r.shape[-2]
        # lambd * l2 * W + X_B^T r / |B| in one pass (addmm / baddbmm): W is the large operand.
        product = torch.addmm if W.ndim == 2 else torch.baddbmm
        grad = product(W * self.lam_l2, Xb.mT, r, alpha=scale)
        if self.lam_l1 is not None:
            grad += self.lam_l1 * torch.sign(W)
        if self.penalty is not None:
            grad += self.lambdas * _columnwise_grad(self.penalty, W)
        W.sub_(grad, alpha=self.lr)
        b.sub_(r.sum(-2, keepdim=True), alpha=self.lr * scale)
        if self.threshold is not None:
            W.copy_(soft_threshold(W, self.threshold))


def _half_mse(X: torch.Tensor, y: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Exact mean of the half squared error per column, shape (*lead, K)."""
    r = X @ W + b - y
    return (r * r).mean(-2) / 2


def _divergence(
    epoch: int,
    updates: int,
    lr: float,
    losses: tuple[torch.Tensor, torch.Tensor],
    last_train: torch.Tensor,
    kept_W: torch.Tensor,
    flat: int,
) -> Divergence:
    """The report of column ``flat``, whose evaluation after ``updates`` updates was not finite."""
    train, test = (loss.flatten()[flat] for loss in losses)
    value = float(train if not torch.isfinite(train) else test)
    K = kept_W.shape[-1]
    column = kept_W.reshape(-1, kept_W.shape[-2], K)[flat // K, :, flat % K]
    return Divergence(
        epoch=epoch,
        step=updates,
        lr=lr,
        quantity="evaluation loss",
        value=value,
        last_finite_loss=float(last_train.flatten()[flat]),
        max_abs_w=float(column.abs().max()),
    )


def _columnwise_grad(
    penalty: Callable[[torch.Tensor], torch.Tensor], W: torch.Tensor
) -> torch.Tensor:
    """Gradient of a user's penalty, applied to each column of W as a (d, 1) tensor."""
    d = W.shape[-2]
    columns = W.detach().movedim(-1, 0).reshape(-1, d, 1)
    grads: torch.Tensor = torch.func.vmap(torch.func.grad(penalty))(columns)
    return grads.reshape(W.shape[-1], *W.shape[:-2], d).movedim(0, -1)
