"""Losses and measurements: the squared loss, exact evaluation and the weight norm."""

from __future__ import annotations

from collections.abc import Callable

import torch

__all__ = ["evaluate_loss", "squared_loss", "weight_norm"]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Half the squared error per example, :math:`\tfrac12(\hat y - y)^2`, with no reduction.

    As d2l's ``squared_loss``: ``y`` is reshaped to ``y_hat``'s shape.

    Parameters
    ----------
    y_hat : torch.Tensor
        Predictions.
    y : torch.Tensor
        Targets, with as many elements as ``y_hat``.

    Returns
    -------
    torch.Tensor
        Elementwise loss of ``y_hat``'s shape.

    Raises
    ------
    ValueError
        If the element counts differ.

    Notes
    -----
    The :math:`\tfrac12` cancels the 2 of the derivative: :math:`\partial/\partial\hat y =
    \hat y - y`. ``torch.nn.MSELoss`` has no :math:`\tfrac12`, so its values (and gradients) are
    twice these.

    Examples
    --------
    >>> import torch
    >>> squared_loss(torch.tensor([[1.0], [3.0]]), torch.tensor([0.0, 1.0]))
    tensor([[0.5000],
            [2.0000]])
    """
    if y_hat.numel() != y.numel():
        msg = f"y must have as many elements as y_hat ({y_hat.numel()}), got {y.numel()}."
        raise ValueError(msg)
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def evaluate_loss(
    net: Callable[[torch.Tensor], torch.Tensor],
    X: torch.Tensor,
    y: torch.Tensor,
    loss: Loss = squared_loss,
) -> float:
    """Mean of an unreduced loss over every element of a data set, without autograd.

    This is what d2l's ``evaluate_loss`` computes batch by batch, done in one pass.

    Parameters
    ----------
    net : callable
        Maps ``X`` to predictions.
    X : torch.Tensor of shape (n, num_inputs)
        Features.
    y : torch.Tensor of shape (n, 1)
        Targets.
    loss : callable, default=squared_loss
        Elementwise (unreduced) loss, for example :func:`squared_loss` or
        ``torch.nn.MSELoss(reduction="none")``.

    Returns
    -------
    float
        The mean loss.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` do not have the same number of rows.

    Examples
    --------
    >>> import torch
    >>> evaluate_loss(lambda X: X.sum(1, keepdim=True), torch.ones(4, 2), torch.zeros(4, 1))
    2.0
    """
    if X.ndim != 2 or y.shape[:1] != X.shape[:1]:
        msg = f"X must be 2-D with as many rows as y, got shapes {tuple(X.shape)} and {tuple(y.shape)}."
        raise ValueError(msg)
    with torch.no_grad():
        return float(loss(net(X), y).mean())


def weight_norm(w: torch.Tensor) -> float:
    """The Euclidean norm :math:`\\lVert w\\rVert_2` of a weight tensor, as a float.

    Parameters
    ----------
    w : torch.Tensor
        The weights (any shape; flattened).

    Returns
    -------
    float
        The norm.

    Examples
    --------
    >>> import torch
    >>> weight_norm(torch.tensor([[3.0], [4.0]]))
    5.0
    """
    # Accumulated in float64, so that finite float32 weights never report an infinite norm.
    return float(torch.linalg.vector_norm(w.detach(), dtype=torch.float64))
