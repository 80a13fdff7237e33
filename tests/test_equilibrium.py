"""The rotational equilibrium of weightdecay.equilibrium against a simulation with torch.optim.

The simulation is the idealized scale-invariant weight of the theory: a vector whose gradient, at
every step, is a random direction orthogonal to it with norm k / ||w||, as for the weights in
front of a normalization layer. torch.optim's own SGD and AdamW take the steps, and the angle
between successive weights is measured directly. The formulas are derived in the docstrings;
nothing here calls the package to produce a reference.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest
import torch

import weightdecay
from weightdecay.equilibrium import decay_timescale, equilibrium_angular_update

if TYPE_CHECKING:
    from collections.abc import Callable

F64 = torch.float64


def simulate(
    make_optimizer: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    *,
    steps: int,
    dim: int = 1000,
    start_norm: float = 1.0,
    seed: int = 0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Angles between successive weights and the norms, one per step, of the ideal weight."""
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(dim, generator=gen, dtype=F64)
    w = (start_norm * w / w.norm()).requires_grad_()
    optimizer = make_optimizer([w])
    angles, norms = torch.empty(steps, dtype=F64), torch.empty(steps, dtype=F64)
    for t in range(steps):
        with torch.no_grad():
            before = w / w.norm()
            grad = torch.randn(dim, generator=gen, dtype=F64)
            grad -= (grad @ before) * before  # orthogonal to w ...
            grad /= grad.norm() * w.norm()  # ... with norm 1 / ||w||
        w.grad = grad
        optimizer.step()
        with torch.no_grad():
            after = w / w.norm()
            angles[t] = 2 * torch.asin((after - before).norm() / 2)  # accurate for small angles
            norms[t] = w.norm()
    return angles, norms


Setting = tuple[type[torch.optim.Optimizer], dict[str, Any], float]
SETTINGS: dict[str, Setting] = {  # name: (optimizer class, its arguments, the formula by hand)
    "SGD": (torch.optim.SGD, {"lr": 0.1, "weight_decay": 0.01}, math.sqrt(2 * 1e-3)),
    "SGD, momentum 0.9": (
        torch.optim.SGD,
        {"lr": 0.1, "weight_decay": 0.01, "momentum": 0.9},
        math.sqrt(2 * 1e-3 / 1.9),
    ),
    "AdamW": (torch.optim.AdamW, {"lr": 2e-3, "weight_decay": 1.0}, math.sqrt(4e-3 * 0.1 / 1.9)),
    "AdamW, beta1 0.5": (
        torch.optim.AdamW,
        {"lr": 2e-3, "weight_decay": 1.0, "betas": (0.5, 0.999)},
        math.sqrt(4e-3 * 0.5 / 1.5),
    ),
}


@pytest.mark.parametrize("name", SETTINGS)
def test_formula_is_the_hand_computed_value(name: str) -> None:
    optimizer_class, arguments, by_hand = SETTINGS[name]
    options = {k: v for k, v in arguments.items() if k in {"momentum", "betas"}}
    if optimizer_class is torch.optim.AdamW:
        options["optimizer"] = "adamw"
    value = equilibrium_angular_update(arguments["lr"], arguments["weight_decay"], **options)
    assert value == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("name", SETTINGS)
def test_simulated_angle_matches_the_formula(name: str) -> None:
    optimizer_class, arguments, by_hand = SETTINGS[name]
    angles, _ = simulate(lambda p: optimizer_class(p, **arguments), steps=3000)
    measured = float(angles[-1000:].mean())  # ten relaxation times after the start
    assert measured == pytest.approx(by_hand, rel=0.02), f"{name}: {measured} vs {by_hand}"


def test_without_decay_the_norm_grows_and_the_angle_shrinks() -> None:
    lr, steps = 0.1, 2000
    angles, norms = simulate(lambda p: torch.optim.SGD(p, lr=lr), steps=steps, dim=100)
    # By hand: the step lr * g is orthogonal to w, so ||w||^2 grows by lr^2 ||g||^2 =
    # lr^2 / ||w||^2 (Pythagoras), and the step turns w by atan(lr ||g|| / ||w||).
    squared, expected_norms, expected_angles = 1.0, [], []
    for _ in range(steps):
        expected_angles.append(math.atan(lr / squared))
        squared += lr**2 / squared
        expected_norms.append(math.sqrt(squared))
    torch.testing.assert_close(norms, torch.tensor(expected_norms, dtype=F64))
    torch.testing.assert_close(angles, torch.tensor(expected_angles, dtype=F64))
    assert float(angles[-1]) < float(angles[0]) / 5  # the effective learning rate decays


@pytest.mark.parametrize(
    ("optimizer_class", "arguments", "effective_lr"),
    [
        (torch.optim.AdamW, {"lr": 1e-3, "weight_decay": 1.0}, 1e-3),
        (torch.optim.SGD, {"lr": 0.01, "weight_decay": 0.1}, 0.01),
        (torch.optim.SGD, {"lr": 1e-3, "weight_decay": 0.1, "momentum": 0.9}, 1e-2),
    ],
)
def test_decay_alone_forgets_by_e_over_one_timescale(
    optimizer_class: type[torch.optim.Optimizer],
    arguments: dict[str, Any],
    effective_lr: float,
) -> None:
    """With no gradient, ||w|| falls by e^-1 every timescale (SGD + momentum: lr / (1 - m))."""
    steps = round(decay_timescale(effective_lr, arguments["weight_decay"]))
    w = torch.ones(10, dtype=F64, requires_grad=True)
    optimizer = optimizer_class([w], **arguments)
    for _ in range(steps):
        w.grad = torch.zeros_like(w)
        optimizer.step()
    ratio = float(w.detach().norm() / math.sqrt(10))
    assert ratio == pytest.approx(math.exp(-1), rel=0.02)


def test_time_to_equilibrium_scales_with_the_timescale() -> None:
    """Plain SGD from 3x the equilibrium norm, at two decay rates.

    With x = ||w||^2 / ||w*||^2 and ||w*||^4 = lr k^2 / (2 wd), the norm balance is
    dx/dt = 2 lr wd (1/x - x), so x^2 - 1 = (x0^2 - 1) exp(-4 t / tau), and the angle, which is
    proportional to 1 / ||w||^2, is within 5% of its equilibrium once x <= 1 / 0.95.
    """
    x0, lr = 9.0, 0.1
    predicted_fraction = math.log((x0**2 - 1) / (1 / 0.95**2 - 1)) / 4  # of tau
    for weight_decay in (0.01, 0.04):
        tau = decay_timescale(lr, weight_decay)
        start = x0**0.5 * (lr / (2 * weight_decay)) ** 0.25  # k = 1

        def make_sgd(params: list[torch.Tensor], wd: float = weight_decay) -> torch.optim.SGD:
            return torch.optim.SGD(params, lr=lr, weight_decay=wd)

        angles, _ = simulate(
            make_sgd,
            steps=round(2 * predicted_fraction * tau),
            dim=100,  # plain SGD's norm is deterministic: a small vector will do
            start_norm=start,
        )
        target = equilibrium_angular_update(lr, weight_decay)
        reached = int(torch.nonzero(angles >= 0.95 * target)[0])
        assert reached / tau == pytest.approx(predicted_fraction, rel=0.03)


def test_reexported_by_theory_and_the_package() -> None:
    assert weightdecay.theory.equilibrium_angular_update is equilibrium_angular_update
    assert weightdecay.decay_timescale is decay_timescale
    assert decay_timescale(3e-4, 0.1) == pytest.approx(1 / 3e-5)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: equilibrium_angular_update(0.0, 0.1), ValueError, r"lr must be .* > 0, got 0\.0"),
        (
            lambda: equilibrium_angular_update(0.1, -1.0),
            ValueError,
            r"weight_decay must be .* > 0, got -1\.0",
        ),
        (lambda: decay_timescale(0.1, float("nan")), ValueError, "weight_decay must be a finite"),
        (lambda: decay_timescale(2.0, 0.5), ValueError, r"lr \* weight_decay must be < 1"),
        (lambda: decay_timescale("0.1", 0.5), TypeError, "lr must be a real number"),  # type: ignore[arg-type]
        (
            lambda: equilibrium_angular_update(0.1, 0.1, optimizer="adam"),  # type: ignore[arg-type]
            ValueError,
            "optimizer must be one of 'sgd', 'adamw', got 'adam'",
        ),
        (
            lambda: equilibrium_angular_update(0.1, 0.1, momentum=1.0),
            ValueError,
            r"momentum must be a number in \[0, 1\), got 1\.0",
        ),
        (
            lambda: equilibrium_angular_update(0.1, 0.1, optimizer="adamw", momentum=0.9),
            ValueError,
            "momentum applies to optimizer='sgd' only",
        ),
        (
            lambda: equilibrium_angular_update(0.1, 0.1, betas=(0.5, 0.9)),
            ValueError,
            "betas apply to optimizer='adamw' only",
        ),
        (
            lambda: equilibrium_angular_update(0.1, 0.1, optimizer="adamw", betas=(0.9, 1.0)),
            ValueError,
            r"betas\[1\] must be a number in \[0, 1\), got 1\.0",
        ),
        (
            lambda: equilibrium_angular_update(0.1, 0.1, optimizer="adamw", betas=0.9),  # type: ignore[arg-type]
            TypeError,
            "betas must be a pair",
        ),
    ],
)
def test_bad_input_is_named(call: Callable[[], object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
