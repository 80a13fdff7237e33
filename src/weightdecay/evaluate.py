"""Losses and measurements: the squared loss, exact evaluation, the weight norm and the baseline."""

from __future__ import annotations

from collections.abc import Callable

import torch

from weightdecay.problem import Problem  # noqa: TC001 - autodoc evaluates the annotations

__all__ = ["evaluate_loss", "squared_loss", "weight_norm", "zero_predictor_loss"]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Half the squared error per example, :math:`\tfrac12(\hat y - y)^2`, with no reduction.

    d2l's ``squared_loss``: ``y`` is reshaped to ``y_hat``'s shape, so it must have as many
    elements.

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


def zero_predictor_loss(problem: Problem, loss: Loss = squared_loss) -> float:
    r"""Test loss of the model that learned nothing: :math:`w = 0`, :math:`b` = the mean training label.

    The honest baseline of a regression: any model worth training must beat it. On d2l's
    problem (20 examples, 200 features, :math:`w^* = 0.01`, :math:`\sigma = 0.01`) nothing that
    20 examples allow beats it by much, because :math:`\lVert w^*\rVert^2 = 0.02` is tiny.

    Parameters
    ----------
    problem : Problem
        The data; the bias is learned from ``y_train``, the loss measured on the test split.
    loss : callable, default=squared_loss
        Elementwise loss, as in :func:`evaluate_loss`: :func:`squared_loss` (half squared error,
        the scale of :func:`~weightdecay.trainer.train_scratch`) or
        ``torch.nn.MSELoss(reduction="none")`` (the scale of
        :func:`~weightdecay.trainer.train_concise`).

    Returns
    -------
    float
        The mean loss on the test split.

    Notes
    -----
    With :math:`y = x^\top w^* + b + \epsilon`, :math:`x \sim \mathcal N(0, I)`, the error
    :math:`y - \bar y_{\text{train}}` has variance :math:`(\lVert w^*\rVert^2 + \sigma^2)(1 + 1/n)`,
    so the expected half squared error, over draws of the data, is
    :math:`\tfrac12(\lVert w^*\rVert^2 + \sigma^2)(1 + 1/n)`: 0.0106 on d2l's problem. One draw
    varies around it, through the mean of its :math:`n` training labels and its :math:`m` test
    rows, with a relative standard deviation of
    :math:`\sqrt{2/m + 2/n^2 + 4/(nm)}\,/\,(1 + 1/n)`: about 16% for d2l's
    :math:`n = 20`, :math:`m = 100` (the example below computes it, and measures it over 400
    draws).

    Examples
    --------
    The average over 40 draws of d2l's problem is close to the expectation:

    >>> import statistics
    >>> from weightdecay import make_problem
    >>> expected = 0.5 * (200 * 0.01**2 + 0.01**2) * (1 + 1 / 20)
    >>> draws = [zero_predictor_loss(make_problem(n_test=2000, seed=s)) for s in range(40)]
    >>> abs(sum(draws) / len(draws) / expected - 1) < 0.05
    True

    How much one draw of d2l's problem (20 training labels, 100 test rows) varies:

    >>> n, m = 20, 100
    >>> spread = (2 / m + 2 / n**2 + 4 / (n * m)) ** 0.5 / (1 + 1 / n)
    >>> round(spread, 3)
    0.156
    >>> draws = [zero_predictor_loss(make_problem(seed=s)) / expected for s in range(400)]
    >>> abs(statistics.stdev(draws) / spread - 1) < 0.15
    True
    """
    bias = problem.y_train.mean()

    def predict(X: torch.Tensor) -> torch.Tensor:
        return torch.zeros(len(X), 1, dtype=X.dtype) + bias

    return evaluate_loss(predict, problem.X_test, problem.y_test, loss)
