"""Models: the from-scratch linear regression and its ``nn.Linear`` twin.

Deep networks (for the vanishing-gradient study and real data) live in :mod:`weightdecay.networks`.
"""

from __future__ import annotations

import torch
from torch import nn

from weightdecay._validation import check_int

__all__ = ["concise_net", "init_params", "linreg"]


def init_params(
    num_inputs: int, *, generator: torch.Generator, dtype: torch.dtype = torch.float32
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Draw the from-scratch parameters: :math:`w \sim \mathcal{N}(0, 1)`, :math:`b = 0`.

    Parameters
    ----------
    num_inputs : int
        Length of ``w`` (>= 1).
    generator : torch.Generator
        Source of the draw.
    dtype : torch.dtype, default=torch.float32
        Floating-point dtype of both tensors.

    Returns
    -------
    w : torch.Tensor of shape (num_inputs, 1)
        Weights, with ``requires_grad=True``.
    b : torch.Tensor of shape (1,)
        Bias (zero), with ``requires_grad=True``.

    Examples
    --------
    >>> import torch
    >>> w, b = init_params(200, generator=torch.Generator().manual_seed(0))
    >>> w.shape, b
    (torch.Size([200, 1]), tensor([0.], requires_grad=True))
    """
    num_inputs = check_int("num_inputs", num_inputs, low=1)
    w = torch.randn(num_inputs, 1, generator=generator, dtype=dtype).requires_grad_(True)
    b = torch.zeros(1, dtype=dtype, requires_grad=True)
    return w, b


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r"""The linear model :math:`\hat y = Xw + b`, d2l's ``linreg``.

    Like d2l's, it trusts its arguments: the data's shapes are checked once, when the
    :class:`~weightdecay.problem.Problem` is made.

    Parameters
    ----------
    X : torch.Tensor of shape (n, num_inputs)
        Features.
    w : torch.Tensor of shape (num_inputs, 1)
        Weights.
    b : torch.Tensor of shape (1,)
        Bias.

    Returns
    -------
    torch.Tensor of shape (n, 1)
        Predictions.

    Examples
    --------
    >>> import torch
    >>> linreg(torch.ones(2, 3), torch.ones(3, 1), torch.tensor([0.5]))
    tensor([[3.5000],
            [3.5000]])
    """
    return torch.matmul(X, w) + b


def concise_net(
    num_inputs: int, *, generator: torch.Generator, dtype: torch.dtype = torch.float32
) -> nn.Sequential:
    """The concise model: ``nn.Sequential(nn.Linear(num_inputs, 1))`` with N(0, 1) parameters.

    Like the notebook's ``param.data.normal_()``, *every* parameter is re-drawn from
    :math:`\\mathcal{N}(0, 1)`, the bias included (the from-scratch model starts its bias at 0).

    Parameters
    ----------
    num_inputs : int
        Number of features (>= 1).
    generator : torch.Generator
        Source of the draw (weight first, then bias).
    dtype : torch.dtype, default=torch.float32
        Floating-point dtype of the parameters.

    Returns
    -------
    torch.nn.Sequential
        A one-layer network; ``net[0].weight`` has shape (1, num_inputs).

    Examples
    --------
    >>> import torch
    >>> net = concise_net(200, generator=torch.Generator().manual_seed(0))
    >>> net[0].weight.shape, net[0].bias.shape
    (torch.Size([1, 200]), torch.Size([1]))
    """
    num_inputs = check_int("num_inputs", num_inputs, low=1)
    net = nn.Sequential(_linear(num_inputs, 1, dtype))
    with torch.no_grad():
        for param in net.parameters():
            param.normal_(generator=generator)
    return net


def _linear(fan_in: int, fan_out: int, dtype: torch.dtype) -> nn.Linear:
    # nn.Linear's constructor initializes from the *global* RNG; skip that, we draw our own.
    layer: nn.Linear = torch.nn.utils.skip_init(nn.Linear, fan_in, fan_out, dtype=dtype)
    return layer
