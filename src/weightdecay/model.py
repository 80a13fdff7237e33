"""Models: the from-scratch linear regression, its ``nn.Linear`` twin, and deep MLPs.

The MLPs serve the vanishing-gradient study; the linear models serve everything else.
"""

from __future__ import annotations

import itertools
from typing import Literal, TypeAlias

import torch
from torch import nn

from weightdecay._validation import check_choice, check_int

__all__ = ["Activation", "Init", "concise_net", "init_params", "linreg", "mlp"]

Activation: TypeAlias = Literal["sigmoid", "tanh", "relu"]
Init: TypeAlias = Literal["default", "xavier", "kaiming"]

_ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
_INITS: tuple[Init, ...] = ("default", "xavier", "kaiming")


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
    """The linear model :math:`\\hat y = Xw + b`, as d2l's ``linreg``.

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

    Raises
    ------
    ValueError
        If the shapes do not fit together.

    Examples
    --------
    >>> import torch
    >>> linreg(torch.ones(2, 3), torch.ones(3, 1), torch.tensor([0.5]))
    tensor([[3.5000],
            [3.5000]])
    """
    if X.ndim != 2 or w.ndim != 2 or w.shape != (X.shape[1], 1):
        msg = f"linreg needs X of shape (n, d) and w of shape (d, 1), got {tuple(X.shape)} and {tuple(w.shape)}."
        raise ValueError(msg)
    return X @ w + b


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


def mlp(
    num_inputs: int,
    *,
    depth: int,
    width: int,
    activation: Activation = "sigmoid",
    init: Init = "default",
    generator: torch.Generator,
    num_outputs: int = 1,
    dtype: torch.dtype = torch.float32,
) -> nn.Sequential:
    """A deep multilayer perceptron, for the vanishing-gradient study.

    ``depth`` hidden layers of ``width`` units, each ``Linear`` then the activation, then a linear
    output layer. The hidden ``Linear`` layers are ``net[0], net[2], ...``.

    Parameters
    ----------
    num_inputs : int
        Number of input features (>= 1).
    depth : int
        Number of hidden layers (>= 1).
    width : int
        Units per hidden layer (>= 1).
    activation : {"sigmoid", "tanh", "relu"}, default="sigmoid"
        The hidden layers' nonlinearity.
    init : {"default", "xavier", "kaiming"}, default="default"
        Weight initialization: PyTorch's ``nn.Linear`` default (uniform with bound
        ``1/sqrt(fan_in)``), Xavier/Glorot normal (variance ``2/(fan_in + fan_out)``) or Kaiming/He normal (variance ``2/fan_in``, for ReLU). Biases
        start at 0 for Xavier and Kaiming.
    generator : torch.Generator
        Source of every draw.
    num_outputs : int, default=1
        Width of the output layer.
    dtype : torch.dtype, default=torch.float32
        Floating-point dtype of the parameters.

    Returns
    -------
    torch.nn.Sequential
        The network.

    Raises
    ------
    ValueError
        If a size is below 1 or ``activation``/``init`` is unknown.

    Examples
    --------
    >>> import torch
    >>> net = mlp(10, depth=3, width=8, activation="relu", init="kaiming",
    ...           generator=torch.Generator().manual_seed(0))
    >>> len(net), net(torch.zeros(4, 10)).shape
    (7, torch.Size([4, 1]))
    """
    num_inputs = check_int("num_inputs", num_inputs, low=1)
    depth = check_int("depth", depth, low=1)
    width = check_int("width", width, low=1)
    num_outputs = check_int("num_outputs", num_outputs, low=1)
    act_name = check_choice("activation", activation, tuple(_ACTIVATIONS))
    init = check_choice("init", init, _INITS)
    sizes = [num_inputs] + [width] * depth
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [_linear(fan_in, fan_out, dtype), _ACTIVATIONS[act_name]()]
    layers.append(_linear(width, num_outputs, dtype))
    net = nn.Sequential(*layers)
    for layer in net:
        if isinstance(layer, nn.Linear):
            _initialize(layer, init, generator)
    return net


def _linear(fan_in: int, fan_out: int, dtype: torch.dtype) -> nn.Linear:
    # nn.Linear's constructor initializes from the *global* RNG; skip that, we draw our own.
    layer: nn.Linear = torch.nn.utils.skip_init(  # type: ignore[no-untyped-call]
        nn.Linear, fan_in, fan_out, dtype=dtype
    )
    return layer


def _initialize(layer: nn.Linear, init: Init, generator: torch.Generator) -> None:
    with torch.no_grad():
        if init == "default":  # nn.Linear.reset_parameters, but drawn from our generator
            bound = 1.0 / layer.in_features**0.5
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
            return
        if init == "xavier":  # Glorot & Bengio's gain of 1, whatever the activation
            nn.init.xavier_normal_(layer.weight, generator=generator)
        else:
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=generator)
        layer.bias.zero_()
