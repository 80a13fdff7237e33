"""A faithful copy of the d2l notebook's from-scratch training loop, without the Animator.

It is the baseline the benchmarks measure :func:`weightdecay.train_scratch` against: the same data,
the same math (``squared_loss + lambd * penalty`` summed, ``sgd`` dividing by the batch size), a
shuffling ``DataLoader`` and evaluation by iterating ``DataLoader``\\ s every 5 epochs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch.utils import data

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["d2l_train"]


def _load_array(
    arrays: tuple[torch.Tensor, torch.Tensor], batch_size: int, is_train: bool, seed: int
) -> data.DataLoader[tuple[torch.Tensor, ...]]:
    generator = torch.Generator().manual_seed(seed)
    return data.DataLoader(
        data.TensorDataset(*arrays), batch_size, shuffle=is_train, generator=generator
    )


def _linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.matmul(X, w) + b


def _squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def _sgd(params: list[torch.Tensor], lr: float, batch_size: int) -> None:
    with torch.no_grad():
        for param in params:
            assert param.grad is not None
            param -= lr * param.grad / batch_size  # noqa: PLW2901 - d2l's in-place update
            param.grad.zero_()


def _evaluate_loss(
    net: Callable[[torch.Tensor], torch.Tensor],
    data_iter: data.DataLoader[tuple[torch.Tensor, ...]],
) -> float:
    total, count = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        l = _squared_loss(out, y)
        total += float(l.sum().detach())
        count += l.numel()
    return total / count


def d2l_train(
    train: tuple[torch.Tensor, torch.Tensor],
    test: tuple[torch.Tensor, torch.Tensor],
    lambd: float,
    *,
    l1: bool = False,
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    seed: int = 0,
) -> tuple[torch.Tensor, list[float], list[float]]:
    """Run the notebook's ``train(lambd)``; return the final w and the train/test losses."""
    generator = torch.Generator().manual_seed(seed)
    w = torch.normal(0, 1, size=(train[0].shape[1], 1), generator=generator, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    train_iter = _load_array(train, batch_size, is_train=True, seed=seed)
    test_iter = _load_array(test, batch_size, is_train=False, seed=seed)

    def penalty(v: torch.Tensor) -> torch.Tensor:
        return torch.sum(torch.abs(v)) if l1 else torch.sum(v.pow(2)) / 2

    def net(X: torch.Tensor) -> torch.Tensor:
        return _linreg(X, w, b)

    train_losses, test_losses = [], []
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = _squared_loss(net(X), y) + lambd * penalty(w)
            l.sum().backward()
            _sgd([w, b], lr, batch_size)
        if (epoch + 1) % 5 == 0:  # d2l evaluates with autograd on, as copied here
            train_losses.append(_evaluate_loss(net, train_iter))
            test_losses.append(_evaluate_loss(net, test_iter))
    return w.detach(), train_losses, test_losses
