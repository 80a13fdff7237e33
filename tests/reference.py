"""The notebook's from-scratch loop, literally: autograd on the summed loss, then d2l's ``sgd``.

The tests compare :func:`weightdecay.train_scratch` (closed-form gradient) against it on the same
minibatches, which proves that the closed form is the gradient autograd would compute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from weightdecay._seeding import spawn_generators
from weightdecay.data import minibatches
from weightdecay.evaluate import squared_loss
from weightdecay.model import linreg
from weightdecay.trainer import sgd

if TYPE_CHECKING:
    import torch

    from weightdecay.data import Problem
    from weightdecay.penalty import Penalty


def notebook_train(
    problem: Problem,
    w0: torch.Tensor,
    b0: torch.Tensor,
    *,
    lambd: float,
    penalty: Penalty,
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the notebook's ``train(lambd)`` from ``(w0, b0)`` on train_scratch's batches."""
    _, batch_gen = spawn_generators(seed, 2, purpose="train")
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    for _ in range(num_epochs):
        for idx in minibatches(problem.n_train, batch_size, generator=batch_gen):
            X, y = problem.X_train[idx], problem.y_train[idx]
            loss = squared_loss(linreg(X, w, b), y) + lambd * penalty(w)
            loss.sum().backward()  # type: ignore[no-untyped-call]
            sgd([w, b], lr, len(idx))
    return w.detach(), b.detach()
