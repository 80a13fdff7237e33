"""Training diagnostics: the divergence guard, gradient norms and clipping, deep MLPs, the CLI.

Every expected value is computed here from the definitions (a hand-rolled loop, the shapes, the
clipping rule), never copied from a previous run.
"""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import reference
import torch
from torch import nn

from weightdecay import DivergenceError, Problem, TrainResult, make_problem
from weightdecay._settings import training_generators
from weightdecay.cli import main
from weightdecay.model import concise_net, init_params
from weightdecay.networks import layer_grad_norms, mlp
from weightdecay.trainer import train_concise, train_scratch

if TYPE_CHECKING:
    from collections.abc import Callable

    Trainer = Callable[..., TrainResult]

TRAINERS: dict[str, Trainer] = {"scratch": train_scratch, "concise": train_concise}
QUANTITIES = {"loss", "gradient", "parameters", "evaluation loss"}


@pytest.fixture(scope="module")
def problem() -> Problem:
    return make_problem(seed=0)


def _start(problem: Problem, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    w0 = torch.randn(problem.num_inputs, 1, generator=torch.Generator().manual_seed(seed))
    return w0, torch.zeros(1)


def _all_finite(values: list[float]) -> bool:
    return all(math.isfinite(v) for v in values)


# --------------------------------------------------------------------------------------------
# The guard: raise, stop, never a false alarm
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TRAINERS)
def test_diverging_run_raises_with_every_field(problem: Problem, name: str) -> None:
    lr = 1.0
    with pytest.raises(DivergenceError) as info:
        TRAINERS[name](problem, lr=lr)
    error = info.value
    assert isinstance(error, FloatingPointError)
    d = error.divergence
    per_epoch = math.ceil(problem.n_train / 5)
    assert 1 <= d.epoch <= 5, "a run at lr = 1 should fail within the first few epochs"
    assert (d.epoch - 1) * per_epoch < d.step <= d.epoch * per_epoch
    assert d.lr == lr
    assert d.quantity in QUANTITIES
    assert not math.isfinite(d.value)
    assert math.isfinite(d.last_finite_loss)
    assert d.last_finite_loss > 0
    assert math.isfinite(d.max_abs_w)
    assert d.max_abs_w > 0
    message = str(error)
    assert f"epoch {d.epoch}, update {d.step}" in message
    assert f"the {d.quantity} became" in message
    assert "lr=1 " in message
    assert "Lower the learning rate" in message
    assert "clip the gradient (max_grad_norm=...)" in message
    assert "\n" not in message
    # What the error carries is the finite part of the run.
    assert error.history.num_updates == d.step - 1 == len(error.history.step_loss)
    assert _all_finite(error.history.step_loss)
    assert d.last_finite_loss == error.history.step_loss[-1]


@pytest.mark.parametrize("name", TRAINERS)
def test_stop_keeps_a_finite_history_and_finite_weights(problem: Problem, name: str) -> None:
    result = TRAINERS[name](problem, lr=1.0, on_divergence="stop", record_grad_norm=True)
    assert result.diverged
    d = result.divergence
    assert d is not None
    h = result.history
    assert h.num_updates == d.step - 1 == len(h.step_loss) == len(h.grad_norm)
    assert _all_finite(h.step_loss)
    assert _all_finite(h.train_loss)
    assert _all_finite(h.test_loss)
    assert all(e < d.epoch for e in h.epochs)
    assert bool(torch.isfinite(result.w).all())
    assert bool(torch.isfinite(result.b).all())
    assert float(result.w.abs().max()) == pytest.approx(d.max_abs_w)
    # "raise" and "stop" describe the same failure.
    with pytest.raises(DivergenceError) as info:
        TRAINERS[name](problem, lr=1.0, record_grad_norm=True)
    assert info.value.divergence == d
    assert info.value.history == h
    assert result.to_dict()["divergence"]["step"] == d.step


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", TRAINERS)
def test_normal_runs_never_trip_the_guard(name: str, seed: int) -> None:
    problem = make_problem(seed=seed)
    result = TRAINERS[name](problem, seed=seed, record_grad_norm=True)
    assert not result.diverged
    h = result.history
    assert h.num_updates == 100 * math.ceil(problem.n_train / 5) == len(h.step_loss)
    assert len(h.grad_norm) == h.num_updates
    assert _all_finite(h.step_loss + h.grad_norm + h.train_loss + h.test_loss)


def _splits(problem: Problem) -> list[tuple[torch.Tensor, torch.Tensor]]:
    return [(problem.X_train, problem.y_train), (problem.X_test, problem.y_test)]


def _first_failure_by_hand(
    problem: Problem, lr: float, *, concise: bool
) -> tuple[int, str, list[float]]:
    """The notebook's loop (d2l's functions, tests/reference.py), checked by hand at each update.

    It draws the trainers' batches from the same seed, so in float32 it computes what the trainer
    computes; it returns the first failing update, what failed, and the finite losses.
    """
    init_gen, batch_gen = training_generators(0)
    w: torch.Tensor
    b: torch.Tensor
    if concise:
        net = concise_net(problem.num_inputs, generator=init_gen)
        w, b = net.parameters()
        optimizer = torch.optim.SGD([w, b], lr=lr)
    else:
        w, b = init_params(problem.num_inputs, generator=init_gen)
    losses: list[float] = []
    step = 0
    for _ in range(100):
        for rows in reference.batches(problem, 5, batch_gen):
            step += 1
            X, y = problem.X_train[rows], problem.y_train[rows]
            if concise:
                optimizer.zero_grad()
                loss = (net(X) - y) ** 2
                loss.mean().backward()
                norm = math.hypot(*(float(p.grad.double().norm()) for p in (w, b)))  # type: ignore[union-attr]
                optimizer.step()
            else:
                loss = reference.squared_loss(reference.linreg(X, w, b), y)
                loss.sum().backward()
                norm = math.hypot(*(float(p.grad.double().norm()) / 5 for p in (w, b)))  # type: ignore[union-attr]
                reference.sgd([w, b], lr, 5)
            mean = float(loss.detach().mean())
            for quantity, value in (("loss", mean), ("gradient", norm)):
                if not math.isfinite(value):
                    return step, quantity, losses
            if not (bool(torch.isfinite(w).all()) and bool(torch.isfinite(b).all())):
                return step, "parameters", losses
            losses.append(mean)
    pytest.fail("the hand-rolled loop should diverge")


@pytest.mark.parametrize(("name", "lr"), [("scratch", 0.2), ("scratch", 1.0), ("concise", 0.1)])
def test_reported_step_is_the_first_failing_update(problem: Problem, name: str, lr: float) -> None:
    result = TRAINERS[name](
        problem, lr=lr, on_divergence="stop", record_grad_norm=True, eval_every=100
    )
    step, quantity, losses = _first_failure_by_hand(problem, lr, concise=name == "concise")
    d = result.divergence
    assert d is not None
    assert (d.step, d.quantity) == (step, quantity)
    assert d.epoch == math.ceil(step / 4)  # 4 updates per epoch
    # The same float32 arithmetic but for sgd's rounding (alpha = lr / |B| in one step).
    assert result.history.step_loss == pytest.approx(losses, rel=1e-4)


def test_run_cut_before_the_failure_is_a_finite_prefix(problem: Problem) -> None:
    full = train_scratch(problem, lr=1.0, on_divergence="stop")
    d = full.divergence
    assert d is not None
    cut = train_scratch(problem, lr=1.0, num_epochs=d.epoch - 1, on_divergence="stop")
    assert not cut.diverged
    # The guard's replay of the failing window reproduces the run bit for bit.
    assert full.history.step_loss[: cut.history.num_updates] == cut.history.step_loss
    assert (
        cut.history.num_updates < d.step <= cut.history.num_updates + math.ceil(problem.n_train / 5)
    )


# --------------------------------------------------------------------------------------------
# Gradient norms and clipping
# --------------------------------------------------------------------------------------------
def _params(result: TrainResult) -> torch.Tensor:
    return torch.cat([result.w.flatten(), result.b.flatten()])


@pytest.mark.parametrize(("name", "lr"), [("scratch", 0.5), ("concise", 0.25)])
def test_clipping_bounds_the_applied_update(problem: Problem, name: str, lr: float) -> None:
    """One update per epoch (full batch): the parameters after k epochs are after k updates."""
    clip = 1.0
    start = _start(problem)
    train = TRAINERS[name]
    options: dict[str, Any] = {"lr": lr, "batch_size": problem.n_train, "initial": start}
    free = train(problem, num_epochs=1, record_grad_norm=True, **options)
    free_step = float((_params(free) - torch.cat([start[0].flatten(), start[1]])).norm())
    # Without clipping the step is lr times the recorded (pre-clipping) norm.
    assert free_step == pytest.approx(lr * free.history.grad_norm[0], rel=1e-4)

    runs = [
        train(problem, num_epochs=k, max_grad_norm=clip, record_grad_norm=True, **options)
        for k in range(1, 7)
    ]
    norms = runs[-1].history.grad_norm
    assert len(norms) == 6
    assert min(norms) > clip, "the gradient should be larger than C, so that clipping acts"
    points = [torch.cat([start[0].flatten(), start[1]])] + [_params(r) for r in runs]
    steps = [float((b - a).norm()) for a, b in itertools.pairwise(points)]
    for step in steps:
        assert step <= lr * clip * (1 + 1e-5)
        assert step == pytest.approx(lr * clip, rel=1e-4)
    # The same number of epochs without clipping diverges or at least moves much further.
    assert max(norms) > 10 * clip
    unclipped = train(problem, num_epochs=6, on_divergence="stop", **options)
    assert unclipped.diverged or float((_params(unclipped) - points[0]).norm()) > sum(steps)


def test_record_grad_norm_is_cheap_to_switch_off(problem: Problem) -> None:
    off = train_scratch(problem, num_epochs=5)
    on = train_scratch(problem, num_epochs=5, record_grad_norm=True)
    assert off.history.grad_norm == []
    assert len(on.history.grad_norm) == on.history.num_updates
    assert torch.equal(off.w, on.w), "recording must not change the run"


# --------------------------------------------------------------------------------------------
# Deep networks: per-layer gradient norms
# --------------------------------------------------------------------------------------------
def _deep_norms(activation: Any, init: Any, seed: int, depth: int = 10) -> list[float]:
    X = torch.randn(64, 16, generator=torch.Generator().manual_seed(100))
    y = X.sum(1, keepdim=True) / 4
    gen = torch.Generator().manual_seed(seed)
    net = mlp(16, depth=depth, width=64, activation=activation, init=init, generator=gen)
    return layer_grad_norms(net, X, y)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_gradients_vanish_towards_the_input(seed: int) -> None:
    depth = 10
    norms = _deep_norms("sigmoid", "default", seed, depth)
    assert len(norms) == depth + 1
    hidden = norms[:depth]
    assert all(a < b for a, b in itertools.pairwise(hidden)), "should shrink towards the input"
    assert norms[0] < 1e-6 * norms[-1], "input layer smaller by orders of magnitude"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kaiming_relu_gradients_do_not_vanish(seed: int) -> None:
    norms = _deep_norms("relu", "kaiming", seed)
    assert max(norms) < 30 * min(norms)
    assert norms[0] > 0.05 * norms[-1]


def test_layer_grad_norms_leaves_grad_untouched_and_matches_autograd() -> None:
    net = mlp(4, depth=2, width=3, generator=torch.Generator().manual_seed(0))
    X = torch.randn(5, 4, generator=torch.Generator().manual_seed(1))
    y = torch.zeros(5, 1)
    norms = layer_grad_norms(net, X, y)
    assert all(p.grad is None for p in net.parameters())
    weights = [m.weight for m in net if isinstance(m, nn.Linear)]
    grads = torch.autograd.grad(nn.functional.mse_loss(net(X), y), weights)
    expected = [float(g.norm()) for g in grads]
    assert norms == pytest.approx(expected, rel=1e-6)


# --------------------------------------------------------------------------------------------
# Bad options
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", TRAINERS)
@pytest.mark.parametrize(
    ("option", "value", "error", "match"),
    [
        (
            "on_divergence",
            "maybe",
            ValueError,
            r"on_divergence must be one of 'raise', 'stop', got 'maybe'",
        ),
        ("max_grad_norm", 0, ValueError, r"max_grad_norm must be a finite number > 0, got 0\."),
        (
            "max_grad_norm",
            -1.0,
            ValueError,
            r"max_grad_norm must be a finite number > 0, got -1\.0",
        ),
        (
            "max_grad_norm",
            math.nan,
            ValueError,
            r"max_grad_norm must be a finite number > 0, got nan",
        ),
        ("max_grad_norm", "1", TypeError, r"max_grad_norm must be a real number, got '1'"),
        (
            "record_grad_norm",
            "yes",
            TypeError,
            r"record_grad_norm must be True or False, got 'yes'",
        ),
    ],
)
def test_bad_training_options_raise_clear_errors(
    problem: Problem, name: str, option: str, value: object, error: type[Exception], match: str
) -> None:
    options: dict[str, Any] = {option: value}
    with pytest.raises(error, match=match):
        TRAINERS[name](problem, **options)


@pytest.mark.parametrize(
    ("option", "value", "match"),
    [
        ("depth", 0, r"depth must be an integer >= 1, got 0"),
        ("width", 0, r"width must be an integer >= 1, got 0"),
        ("activation", "gelu", r"activation must be one of 'sigmoid', 'tanh', 'relu', got 'gelu'"),
        ("init", "zeros", r"init must be one of 'default', 'xavier', 'kaiming', got 'zeros'"),
        ("norm", "group", r"norm must be one of 'batch', 'layer', got 'group'"),
    ],
)
def test_bad_mlp_options_raise_clear_errors(option: str, value: object, match: str) -> None:
    options: dict[str, Any] = {"depth": 2, "width": 4, option: value}
    with pytest.raises(ValueError, match=match):
        mlp(3, generator=torch.Generator(), **options)


def test_layer_grad_norms_rejects_bad_input() -> None:
    net = mlp(2, depth=1, width=2, generator=torch.Generator())
    X = torch.ones(3, 2)
    X[0, 0] = math.nan
    with pytest.raises(ValueError, match=r"X must contain only finite values, got 1 NaN"):
        layer_grad_norms(net, X, torch.zeros(3, 1))
    with pytest.raises(ValueError, match=r"net must contain at least one nn.Linear layer"):
        layer_grad_norms(nn.Sequential(nn.ReLU()), torch.ones(3, 2), torch.zeros(3, 1))


def test_nan_in_the_data_is_caught_before_training(problem: Problem) -> None:
    X = problem.X_train.clone()
    X[3, 7] = math.nan
    with pytest.raises(ValueError, match=r"X_train must contain only finite values, got 1 NaN"):
        Problem(X, problem.y_train, problem.X_test, problem.y_test, problem.true_w, 0.05)


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------
def _one_line_divergence(stderr: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("weightdecay train: lambda = 0 (l2): training diverged: ")
    assert "Lower --lr" in lines[0]
    assert "Traceback" not in stderr


def test_cli_divergence_is_one_line_and_exit_code_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--lr", "1.0"]) == 1
    captured = capsys.readouterr()
    _one_line_divergence(captured.err)


def test_cli_divergence_as_a_subprocess() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "weightdecay", "train", "--lr", "1.0"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 1
    _one_line_divergence(completed.stderr)


def test_cli_clipping_keeps_the_run_finite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--lr", "1.0", "--max-grad-norm", "1", "--epochs", "10"]) == 0
    assert "Traceback" not in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Regressions: each of these once failed (reported step depending on eval_every, inf / inf in
# the concise clipping, norms overflowing in float32).
# --------------------------------------------------------------------------------------------
def test_more_frequent_evaluation_can_only_catch_an_overflow_earlier(problem: Problem) -> None:
    # The updates are checked one by one whatever eval_every is; an evaluation on the whole split
    # can overflow before any 5-row minibatch does, and is then reported at the update before it.
    runs = {e: train_scratch(problem, lr=0.1, eval_every=e, on_divergence="stop") for e in (1, 5)}
    every_epoch, every_five = runs[1].divergence, runs[5].divergence
    assert every_epoch is not None
    assert every_five is not None
    assert every_epoch.step <= every_five.step
    if every_epoch.quantity != "evaluation loss":
        assert every_epoch.step == every_five.step
    # Up to the earlier failure, both runs are the same run.
    kept = runs[1].history.num_updates
    assert runs[1].history.step_loss == runs[5].history.step_loss[:kept]


def test_concise_blames_the_gradient_only_if_it_is_not_finite(problem: Problem) -> None:
    # The gradient norm is accumulated in float64, so finite float32 gradients never count as
    # a non-finite gradient (their float32 norm would overflow first).
    result = train_concise(problem, lr=0.1, on_divergence="stop", record_grad_norm=True)
    assert result.divergence is not None
    assert _all_finite(result.history.grad_norm)
    assert max(result.history.grad_norm) > 1e19  # float32's norm of such gradients overflows


def test_a_clipping_threshold_never_reached_changes_nothing(problem: Problem) -> None:
    plain = train_scratch(problem, lr=0.1, on_divergence="stop")
    huge = train_scratch(problem, lr=0.1, max_grad_norm=1e30, on_divergence="stop")
    assert huge.divergence == plain.divergence


def test_norms_of_finite_tensors_are_finite(problem: Problem) -> None:
    result = train_scratch(problem, lr=1.0, on_divergence="stop", record_grad_norm=True)
    assert bool(torch.isfinite(result.w).all())
    true_norm = float(result.w.double().norm())
    assert true_norm < torch.finfo(torch.float32).max
    assert result.w_norm == pytest.approx(true_norm, rel=1e-6)
    assert _all_finite(result.history.grad_norm)
