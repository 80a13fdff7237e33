"""Deep networks: MLPs, per-layer gradient norms, and the optimizer groups of weight decay.

The linear model of the book lives in :mod:`weightdecay.model`; this module holds what a learner
needs once they leave it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Literal, TypeAlias

import torch
from torch import nn

from weightdecay._validation import check_choice, check_int, check_nonnegative, check_tensor

__all__ = [
    "NORM_LAYERS",
    "Activation",
    "Init",
    "Norm",
    "decay_param_groups",
    "layer_grad_norms",
    "mlp",
]

Activation: TypeAlias = Literal["sigmoid", "tanh", "relu"]
Init: TypeAlias = Literal["default", "xavier", "kaiming"]
Norm: TypeAlias = Literal["batch", "layer"]

_ACTIVATIONS: dict[str, type[nn.Module]] = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
_INITS: tuple[Init, ...] = ("default", "xavier", "kaiming")
_NORMS: dict[str, type[nn.BatchNorm1d | nn.LayerNorm]] = {
    "batch": nn.BatchNorm1d,
    "layer": nn.LayerNorm,
}

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

NORM_LAYERS: tuple[type[nn.Module], ...] = (
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.LazyBatchNorm1d,
    nn.LazyBatchNorm2d,
    nn.LazyBatchNorm3d,
    nn.SyncBatchNorm,
    nn.InstanceNorm1d,
    nn.InstanceNorm2d,
    nn.InstanceNorm3d,
    nn.LazyInstanceNorm1d,
    nn.LazyInstanceNorm2d,
    nn.LazyInstanceNorm3d,
    nn.GroupNorm,
    nn.LayerNorm,
    *((nn.RMSNorm,) if hasattr(nn, "RMSNorm") else ()),  # torch >= 2.4
)
"""The normalization layers of ``torch.nn``: :func:`decay_param_groups` exempts their parameters.

Their weight and bias are a per-feature scale and shift, not a map between layers: decaying the
scale pulls every normalized feature towards zero, whatever the data say.
"""


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
    norm: Norm | None = None,
) -> nn.Sequential:
    r"""A deep multilayer perceptron, optionally with a normalization layer in every hidden layer.

    ``depth`` hidden layers of ``width`` units, each ``Linear`` then the activation, then a linear
    output layer. The hidden ``Linear`` layers are ``net[0], net[2], ...``. With ``norm``, each
    hidden layer is ``Linear`` (without bias), then the normalization, then the activation, and
    the hidden ``Linear`` layers are ``net[0], net[3], ...``.

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
    norm : {"batch", "layer"} or None, default=None
        ``nn.BatchNorm1d`` or ``nn.LayerNorm`` after each hidden ``Linear``, or no normalization.
        Those ``Linear`` layers then have no bias, so that their weights are *scale-invariant*:
        multiplying one by any :math:`c > 0` leaves the output unchanged (up to the
        normalization's :math:`\epsilon`). BatchNorm would subtract a bias anyway; LayerNorm
        would not, and the weights would lose the invariance.

    Returns
    -------
    torch.nn.Sequential
        The network.

    Raises
    ------
    ValueError
        If a size is below 1 or ``activation``/``init``/``norm`` is unknown.

    Examples
    --------
    >>> import torch
    >>> net = mlp(10, depth=3, width=8, activation="relu", init="kaiming",
    ...           generator=torch.Generator().manual_seed(0))
    >>> len(net), net(torch.zeros(4, 10)).shape
    (7, torch.Size([4, 1]))
    >>> normed = mlp(10, depth=2, width=8, norm="layer", generator=torch.Generator().manual_seed(0))
    >>> [type(layer).__name__ for layer in normed], normed[0].bias is None
    (['Linear', 'LayerNorm', 'Sigmoid', 'Linear', 'LayerNorm', 'Sigmoid', 'Linear'], True)
    >>> x = torch.randn(5, 10, generator=torch.Generator().manual_seed(1))
    >>> before = normed(x)
    >>> with torch.no_grad():
    ...     _ = normed[0].weight.mul_(10.0)  # scale the first layer's weights
    >>> torch.allclose(normed(x), before, atol=1e-4)
    True
    """
    num_inputs = check_int("num_inputs", num_inputs, low=1)
    depth = check_int("depth", depth, low=1)
    width = check_int("width", width, low=1)
    num_outputs = check_int("num_outputs", num_outputs, low=1)
    act_name = check_choice("activation", activation, tuple(_ACTIVATIONS))
    init = check_choice("init", init, _INITS)
    norm_layer = None if norm is None else _NORMS[check_choice("norm", norm, tuple(_NORMS))]
    sizes = [num_inputs] + [width] * depth
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        if norm_layer is None:
            layers += [_linear(fan_in, fan_out, dtype), _ACTIVATIONS[act_name]()]
        else:
            linear = _linear(fan_in, fan_out, dtype, bias=False)
            layers += [linear, norm_layer(fan_out, dtype=dtype), _ACTIVATIONS[act_name]()]
    layers.append(_linear(width, num_outputs, dtype))
    net = nn.Sequential(*layers)
    for layer in net:
        if isinstance(layer, nn.Linear):
            _initialize(layer, init, generator)
    return net


def _linear(fan_in: int, fan_out: int, dtype: torch.dtype, *, bias: bool = True) -> nn.Linear:
    # nn.Linear's constructor initializes from the *global* RNG; skip that, we draw our own.
    layer: nn.Linear = torch.nn.utils.skip_init(nn.Linear, fan_in, fan_out, bias=bias, dtype=dtype)
    return layer


def _initialize(layer: nn.Linear, init: Init, generator: torch.Generator) -> None:
    bias: torch.Tensor | None = layer.bias  # None in front of a normalization
    with torch.no_grad():
        if init == "default":  # nn.Linear.reset_parameters, but drawn from our generator
            bound = 1.0 / layer.in_features**0.5
            layer.weight.uniform_(-bound, bound, generator=generator)
            if bias is not None:
                bias.uniform_(-bound, bound, generator=generator)
            return
        if init == "xavier":  # Glorot & Bengio's gain of 1, whatever the activation
            nn.init.xavier_normal_(layer.weight, generator=generator)
        else:
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=generator)
        if bias is not None:
            bias.zero_()


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


def decay_param_groups(
    model: nn.Module,
    weight_decay: float,
    *,
    no_decay: tuple[type[nn.Module], ...] = NORM_LAYERS,
) -> list[dict[str, object]]:
    r"""Split a model's parameters into a decayed and an exempt ``torch.optim`` parameter group.

    Weight matrices and convolution kernels are decayed; biases and the parameters of
    normalization layers are not. Pass the result straight to an optimizer:
    ``torch.optim.SGD(decay_param_groups(net, 1e-4), lr=0.1)``.

    Parameters
    ----------
    model : torch.nn.Module
        The network.
    weight_decay : float
        The decay of the first group (finite, >= 0).
    no_decay : tuple of type, default=NORM_LAYERS
        Module types whose own parameters are all exempt, whatever their names. Every parameter
        named ``bias``, in any module, is exempt too. Add ``nn.Embedding`` to exempt embeddings,
        pass ``()`` to exempt only the biases.

    Returns
    -------
    list of dict
        ``[{"params": decayed, "weight_decay": weight_decay}, {"params": exempt,
        "weight_decay": 0.0}]``, each list in the order of ``model.parameters()``. A group
        that would be empty is left out, so every optimizer accepts the result.

    Raises
    ------
    TypeError
        If ``model`` is not an ``nn.Module`` or ``no_decay`` is not a tuple of ``nn.Module``
        subclasses.
    ValueError
        If ``weight_decay`` is negative or not finite, or the model has no parameter that
        requires a gradient.

    See Also
    --------
    NORM_LAYERS : the default ``no_decay``.

    Notes
    -----
    A parameter that does not require a gradient (a frozen layer) is in neither group. A
    parameter that is shared between modules (tied weights) is listed once; it is exempt if any
    of the places it is registered exempts it.

    The rule is the one of minGPT and Hugging Face's trainers (exempt by module type and by the
    name ``bias``). timm exempts every parameter with fewer than two dimensions instead; on the
    layers of ``torch.nn`` the two agree, except that timm also exempts one-dimensional weights
    such as ``nn.PReLU``'s slopes, which this rule decays.

    With SGD and ``weight_decay`` :math:`\lambda`, each step multiplies the decayed group by
    :math:`1 - \eta\lambda` before subtracting the gradient step; the exempt group only
    follows its gradient.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> net = nn.Sequential(nn.Linear(4, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 2))
    >>> groups = decay_param_groups(net, 1e-2)
    >>> [(g["weight_decay"], [tuple(p.shape) for p in g["params"]]) for g in groups]
    [(0.01, [(8, 4), (2, 8)]), (0.0, [(8,), (8,), (8,), (2,)])]
    >>> optimizer = torch.optim.SGD(groups, lr=0.1)
    """
    model, no_decay = _check_model(model), _check_module_types(no_decay)
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    exempt_ids = {
        id(param)
        for module in model.modules()
        for name, param in module.named_parameters(recurse=False)
        if name == "bias" or isinstance(module, no_decay)
    }
    trainable = [p for p in model.parameters() if p.requires_grad]  # each shared tensor once
    if not trainable:
        msg = "model has no parameter that requires a gradient: there is nothing to optimize."
        raise ValueError(msg)
    decayed = [p for p in trainable if id(p) not in exempt_ids]
    exempt = [p for p in trainable if id(p) in exempt_ids]
    groups: list[dict[str, object]] = [
        {"params": decayed, "weight_decay": weight_decay},
        {"params": exempt, "weight_decay": 0.0},
    ]
    return [group for group in groups if group["params"]]


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        msg = f"model must be a torch.nn.Module, got {type(model).__name__}."
        raise TypeError(msg)
    return model


def _check_module_types(no_decay: object) -> tuple[type[nn.Module], ...]:
    if not (
        isinstance(no_decay, tuple)
        and all(isinstance(t, type) and issubclass(t, nn.Module) for t in no_decay)
    ):
        msg = (
            "no_decay must be a tuple of torch.nn.Module subclasses, such as (nn.LayerNorm,), "
            f"got {no_decay!r}."
        )
        raise TypeError(msg)
    return no_decay
