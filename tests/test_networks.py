"""decay_param_groups: which tensors are decayed, checked by identity and by optimizer steps by hand.

Also the normalized MLP: its hidden weights are scale-invariant, checked by scaling them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pytest
import torch
from torch import nn

import weightdecay
from weightdecay.networks import NORM_LAYERS, decay_param_groups, mlp

if TYPE_CHECKING:
    from collections.abc import Sequence

LR, WD = 0.1, 0.05


class ConvNet(nn.Module):
    """Every kind of parameter: convolution, batch norm, linear, layer norm."""

    def __init__(self) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(0)
        self.conv = nn.Conv2d(1, 3, kernel_size=3)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(3 * 4 * 4, 8)
        self.ln = nn.LayerNorm(8)
        self.out = nn.Linear(8, 2)
        with torch.no_grad():  # non-trivial values everywhere, norms included
            for param in self.parameters():
                param.copy_(torch.randn(param.shape, generator=gen))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.relu(self.bn(self.conv(x))).flatten(1)
        logits: torch.Tensor = self.out(torch.relu(self.ln(self.fc(h))))
        return logits


def _params(group: dict[str, object]) -> list[torch.Tensor]:
    params = group["params"]
    assert isinstance(params, list)
    return params


def _same(actual: list[torch.Tensor], expected: Sequence[object]) -> bool:
    """The same tensors (by identity), in the same order."""
    return len(actual) == len(expected) and all(
        a is e for a, e in zip(actual, expected, strict=True)
    )


def test_weights_are_decayed_and_biases_and_norms_are_not() -> None:
    net = ConvNet()
    decayed, exempt = decay_param_groups(net, WD)
    assert decayed["weight_decay"] == WD
    assert exempt["weight_decay"] == 0.0
    assert _same(_params(decayed), [net.conv.weight, net.fc.weight, net.out.weight])
    assert _same(
        _params(exempt),
        [net.conv.bias, net.bn.weight, net.bn.bias, net.fc.bias, net.ln.weight, net.ln.bias,
         net.out.bias],
    )  # fmt: skip
    # BatchNorm's running statistics are buffers: an optimizer must never see them.
    listed = {id(p) for group in (decayed, exempt) for p in _params(group)}
    assert id(net.bn.running_mean) not in listed
    assert listed == {id(p) for p in net.parameters()}


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_step_with_zero_gradient_shrinks_only_the_decayed_group(momentum: float) -> None:
    net = ConvNet()
    decayed, exempt = decay_param_groups(net, WD)
    before = {id(p): p.detach().clone() for p in net.parameters()}
    optimizer = torch.optim.SGD([decayed, exempt], lr=LR, momentum=momentum)
    for trainable in net.parameters():
        trainable.grad = torch.zeros_like(trainable)
    optimizer.step()
    # First step: the momentum buffer is just the gradient, g + wd * w = wd * w.
    for param in _params(decayed):
        torch.testing.assert_close(param.detach(), (1 - LR * WD) * before[id(param)])
    for param in _params(exempt):
        torch.testing.assert_close(param.detach(), before[id(param)], rtol=0, atol=0)


def test_sgd_step_with_a_gradient_follows_the_update_rule() -> None:
    net = ConvNet()
    x = torch.randn(5, 1, 6, 6, generator=torch.Generator().manual_seed(1))
    net(x).square().sum().backward()
    decayed, exempt = decay_param_groups(net, WD)
    expected = {id(p): p.detach() - LR * p.grad for p in _params(exempt)}  # type: ignore[operator]
    expected |= {
        id(p): (1 - LR * WD) * p.detach() - LR * p.grad  # type: ignore[operator]
        for p in _params(decayed)
    }
    torch.optim.SGD([decayed, exempt], lr=LR).step()
    for param in net.parameters():
        torch.testing.assert_close(param.detach(), expected[id(param)])


def test_adamw_and_adam_with_zero_gradient() -> None:
    """AdamW shrinks by (1 - lr wd); Adam + L2 moves by lr wd w / (|wd w| + eps), about lr."""
    lr, eps = 1e-3, 1e-8
    for cls in (torch.optim.AdamW, torch.optim.Adam):
        net = ConvNet()
        before = {id(p): p.detach().clone() for p in net.parameters()}
        decayed, exempt = decay_param_groups(net, WD)
        optimizer = cls([decayed, exempt], lr=lr, eps=eps)
        for trainable in net.parameters():
            trainable.grad = torch.zeros_like(trainable)
        optimizer.step()
        for param in _params(decayed):
            w = before[id(param)]
            if cls is torch.optim.AdamW:
                expected = (1 - lr * WD) * w
            else:  # first step: m_hat = g = wd w, v_hat = g**2
                expected = w - lr * (WD * w) / ((WD * w).abs() + eps)
            torch.testing.assert_close(param.detach(), expected)
        for param in _params(exempt):
            torch.testing.assert_close(param.detach(), before[id(param)], rtol=0, atol=0)


def test_frozen_parameters_are_in_no_group() -> None:
    net = ConvNet()
    net.conv.requires_grad_(False)
    groups = decay_param_groups(net, WD)
    listed = [p for group in groups for p in _params(group)]
    assert all(p is not net.conv.weight and p is not net.conv.bias for p in listed)
    assert len(listed) == sum(1 for p in net.parameters() if p.requires_grad)


def test_a_shared_parameter_is_listed_once() -> None:
    tied = nn.Linear(4, 4)
    net = nn.Sequential(tied, nn.ReLU(), tied)
    decayed, exempt = decay_param_groups(net, WD)
    assert _same(_params(decayed), [tied.weight])
    assert _same(_params(exempt), [tied.bias])


class Scale(nn.Module):
    """A per-feature scale registered under a name that is not ``bias``."""

    def __init__(self, scale: nn.Parameter) -> None:
        super().__init__()
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale


def test_a_parameter_shared_with_a_norm_layer_is_exempt() -> None:
    norm = nn.LayerNorm(4)
    net = nn.Sequential(Scale(norm.weight), norm)  # the norm comes second in module order
    groups = decay_param_groups(net, WD)
    assert len(groups) == 1
    assert groups[0]["weight_decay"] == 0.0
    assert _same(_params(groups[0]), [norm.weight, norm.bias])


def test_empty_groups_are_left_out() -> None:
    no_bias = nn.Linear(3, 2, bias=False)
    (only,) = decay_param_groups(no_bias, WD)
    assert only["weight_decay"] == WD
    assert _same(_params(only), [no_bias.weight])
    norm = nn.LayerNorm(3)
    (only,) = decay_param_groups(norm, WD)
    assert only["weight_decay"] == 0.0
    torch.optim.SGD([only], lr=LR)  # a usable optimizer


def test_no_decay_controls_the_exempt_module_types() -> None:
    net = nn.Sequential(nn.Embedding(10, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    embedding, norm, linear = net
    decayed, exempt = decay_param_groups(net, WD, no_decay=())  # only biases exempt
    assert _same(_params(decayed), [embedding.weight, norm.weight, linear.weight])
    assert _same(_params(exempt), [norm.bias, linear.bias])
    decayed, exempt = decay_param_groups(net, WD, no_decay=(*NORM_LAYERS, nn.Embedding))
    assert _same(_params(decayed), [linear.weight])
    assert _same(_params(exempt), [embedding.weight, norm.weight, norm.bias, linear.bias])


def test_norm_layers_covers_every_torch_normalization_with_parameters() -> None:
    # An independent list: every torch.nn class named *Norm*, except LocalResponseNorm, which
    # has no parameters.
    norm_classes = {
        name
        for name in dir(nn)
        if "Norm" in name and isinstance(getattr(nn, name), type) and name != "LocalResponseNorm"
    }
    assert norm_classes == {cls.__name__ for cls in NORM_LAYERS}


def test_exported_at_the_top_level() -> None:
    assert weightdecay.decay_param_groups is decay_param_groups
    assert "decay_param_groups" in weightdecay.__all__


@pytest.mark.parametrize(
    ("model", "weight_decay", "no_decay", "error", "match"),
    [
        ([nn.Linear(2, 2)], WD, NORM_LAYERS, TypeError, r"model must be a torch.nn.Module, got list"),
        (nn.Linear(2, 2), -0.1, NORM_LAYERS, ValueError, r"weight_decay must be a finite number >= 0, got -0.1"),
        (nn.Linear(2, 2), math.nan, NORM_LAYERS, ValueError, r"weight_decay must be a finite number >= 0, got nan"),
        (nn.Linear(2, 2), math.inf, NORM_LAYERS, ValueError, r"weight_decay must be a finite number >= 0, got inf"),
        (nn.Linear(2, 2), "1e-4", NORM_LAYERS, TypeError, r"weight_decay must be a real number, got '1e-4' of type str"),
        (nn.Linear(2, 2), WD, [nn.LayerNorm], TypeError, r"no_decay must be a tuple of torch.nn.Module subclasses, such as \(nn.LayerNorm,\), got \["),
        (nn.Linear(2, 2), WD, (nn.LayerNorm, int), TypeError, r"no_decay must be a tuple of torch.nn.Module subclasses.*<class 'int'>"),
        (nn.ReLU(), WD, NORM_LAYERS, ValueError, r"model has no parameter that requires a gradient"),
        (nn.Linear(2, 2).requires_grad_(False), WD, NORM_LAYERS, ValueError, r"model has no parameter that requires a gradient"),
    ],
)  # fmt: skip
def test_bad_input_raises_a_clear_error(
    model: object, weight_decay: object, no_decay: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        decay_param_groups(model, weight_decay, no_decay=no_decay)  # type: ignore[arg-type]


def _normed_mlp(norm: str, init: str = "kaiming") -> nn.Sequential:
    return mlp(
        6, depth=2, width=16, activation="relu", init=init, num_outputs=3, norm=norm,  # type: ignore[arg-type]
        generator=torch.Generator().manual_seed(0), dtype=torch.float64,
    )  # fmt: skip


def _linear(net: nn.Sequential, index: int) -> nn.Linear:
    layer = net[index]
    assert isinstance(layer, nn.Linear)
    return layer


@pytest.mark.parametrize(
    ("norm", "norm_class"), [("batch", nn.BatchNorm1d), ("layer", nn.LayerNorm)]
)
@pytest.mark.parametrize("init", ["default", "kaiming"])
def test_normed_mlp_layout(norm: str, norm_class: type[nn.Module], init: str) -> None:
    net = _normed_mlp(norm, init)
    kinds = [type(layer) for layer in net]
    assert kinds == [nn.Linear, norm_class, nn.ReLU] * 2 + [nn.Linear]
    hidden, out = [_linear(net, 0), _linear(net, 3)], _linear(net, 6)
    assert [layer.bias for layer in hidden] == [None, None]
    assert isinstance(out.bias, torch.Tensor)  # the output layer keeps its bias
    decayed, exempt = decay_param_groups(net, WD)
    assert _same(_params(decayed), [hidden[0].weight, hidden[1].weight, out.weight])
    norms = [p for layer in (net[1], net[4]) for p in layer.parameters()]
    assert _same(_params(exempt), [*norms, out.bias])


@pytest.mark.parametrize("norm", ["batch", "layer"])
@pytest.mark.parametrize("index", [0, 3])
@pytest.mark.parametrize("scale", [0.01, 1 / 3, 3.0, 100.0])
def test_hidden_weights_of_the_normed_mlp_are_scale_invariant(
    norm: str, index: int, scale: float
) -> None:
    """f(c w) = f(w); hence (Euler) w . grad = 0 and grad(c w) = grad(w) / c."""
    net = _normed_mlp(norm)
    for layer in net:  # the normalization's epsilon is the only departure: remove it
        if isinstance(layer, (nn.BatchNorm1d, nn.LayerNorm)):
            layer.eps = 1e-14
    X = torch.randn(32, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.arange(32) % 3
    weight = _linear(net, index).weight

    def output_and_grad() -> tuple[torch.Tensor, torch.Tensor]:
        output = net(X)
        (grad,) = torch.autograd.grad(nn.functional.cross_entropy(output, y), weight)
        return output.detach(), grad

    output, grad = output_and_grad()
    with torch.no_grad():
        weight.mul_(scale)
    scaled_output, scaled_grad = output_and_grad()
    torch.testing.assert_close(scaled_output, output, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(scaled_grad, grad / scale, rtol=1e-6, atol=1e-12)
    cosine = float((grad * weight.detach()).sum() / (grad.norm() * weight.detach().norm()))
    assert abs(cosine) < 1e-9
    # The output layer is not scale-invariant: the same scaling changes the logits.
    with torch.no_grad():
        _linear(net, 6).weight.mul_(scale)
    assert not torch.allclose(net(X), output, rtol=1e-2, atol=1e-2)
