"""Deep networks: the MLPs of the vanishing-gradient study and per-layer gradient norms.

The linear model of the book lives in :mod:`weightdecay.model`; this module holds what a learner
needs once they leave it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Literal, TypeAlias

import torch
from torch import nn

from weightdecay._validation import check_choice, check_int, check_tensor

__all__ = ["Activation", "Init", "layer_grad_norms", "mlp"]

Activation: TypeAlias = Literal["sigmoid", "tanh", "relu"]
Init: TypeAlias = Literal["default", "xavier", "kaiming"]

_ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
_INITS: tuple[Init, ...] = ("default", "xavier", "kaiming")

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


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
    layer: nn.Linear = torch.nn.utils.skip_init(nn.Linear, fan_in, fan_out, dtype=dtype)
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


def layer_grad_norms(
    net: nn.Module, X: torch.Tensor, y: torch.Tensor, loss: Loss | None = None
) -> list[float]:
    """Gradient norm of each ``nn.Linear`` layer's weight, for one batch.

    The gradients are computed with :func:`torch.autograd.grad`, so the network's ``.grad``
    fields are left untouched.

    Parameters
    ----------
    net : torch.nn.Module
        The network; its ``nn.Linear`` layers are listed in module order (input side first).
    X : torch.Tensor of shape (n, num_inputs)
        A batch of inputs.
    y : torch.Tensor
        Targets matching ``net(X)``.
    loss : callable or None, default=None
        A reduced loss; ``None`` means mean squared error (``nn.MSELoss()``).

    Returns
    -------
    list of float
        ``||dL/dW_l||_2`` for each linear layer ``l``, from the input layer to the output layer.

    Raises
    ------
    ValueError
        If the network has no ``nn.Linear`` layer or ``X`` is not a finite 2-D tensor.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> net = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1))
    >>> len(layer_grad_norms(net, torch.ones(3, 2), torch.zeros(3, 1)))
    2
    """
    check_tensor("X", X, ndim=2)
    weights = [m.weight for m in net.modules() if isinstance(m, nn.Linear)]
    if not weights:
        msg = "net must contain at least one nn.Linear layer, got none."
        raise ValueError(msg)
    criterion = nn.MSELoss() if loss is None else loss
    grads = torch.autograd.grad(criterion(net(X), y), weights)
    return [float(torch.linalg.vector_norm(g)) for g in grads]
