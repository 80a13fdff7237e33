"""The notebook's from-scratch and concise loops, transcribed with d2l's own helper functions.

Nothing here comes from ``weightdecay`` except the seeded generators (so that the batches are
the same): ``linreg``, ``squared_loss``, ``sgd`` and the penalties are d2l's code, copied. The
tests compare the package's trainers and its vectorized path engine against these loops.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from weightdecay._settings import training_generators

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from weightdecay.problem import Problem

    Penalty = Callable[[torch.Tensor], torch.Tensor]


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """d2l.linreg."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d2l.squared_loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """d2l.sgd."""
    with torch.no_grad():
        for param in params:
            assert param.grad is not None
            param -= lr * param.grad / batch_size  # noqa: PLW2901 - d2l's in-place update
            param.grad.zero_()


def batches(problem: Problem, batch_size: int, generator: torch.Generator) -> list[torch.Tensor]:
    """One epoch of row indices: one randperm cut into batches, as the trainers draw them."""
    return list(torch.randperm(problem.n_train, generator=generator).split(batch_size))


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
    step_losses: list[float] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's ``train(lambd)`` from ``(w0, b0)``, on the trainers' batches.

    ``step_losses``, if given, receives each update's mean data loss (without the penalty).
    """
    _, batch_gen = training_generators(seed)
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    for _ in range(num_epochs):
        for rows in batches(problem, batch_size, batch_gen):
            X, y = problem.X_train[rows], problem.y_train[rows]
            data_loss = squared_loss(linreg(X, w, b), y)
            loss = data_loss + lambd * penalty(w)
            loss.sum().backward()
            sgd([w, b], lr, len(rows))
            if step_losses is not None:
                step_losses.append(float(data_loss.detach().mean()))
    return w.detach(), b.detach()


def notebook_train_concise(
    problem: Problem,
    w0: torch.Tensor,
    b0: torch.Tensor,
    *,
    wd: float,
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    seed: int = 0,
    step_losses: list[float] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The notebook's ``train_concise(wd)`` from ``(w0, b0)``, on the trainers' batches.

    ``step_losses``, if given, receives each update's mean ``MSELoss`` (without the decay).
    """
    _, batch_gen = training_generators(seed)
    net = nn.Linear(problem.num_inputs, 1, dtype=problem.dtype)
    with torch.no_grad():
        net.weight.copy_(w0.T)
        net.bias.copy_(b0)
    loss = nn.MSELoss(reduction="none")
    groups: list[dict[str, Any]] = [
        {"params": [net.weight], "weight_decay": wd},
        {"params": [net.bias]},
    ]
    trainer = torch.optim.SGD(groups, lr=lr)
    for _ in range(num_epochs):
        for rows in batches(problem, batch_size, batch_gen):
            trainer.zero_grad()
            l = loss(net(problem.X_train[rows]), problem.y_train[rows])
            l.mean().backward()
            trainer.step()
            if step_losses is not None:
                step_losses.append(float(l.detach().mean()))
    return net.weight.detach().T.clone(), net.bias.detach().clone()
