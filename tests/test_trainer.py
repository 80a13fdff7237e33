from __future__ import annotations

import inspect
import json
import math
import statistics
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import hypothesis.strategies as st
import pytest
import torch
from hypothesis import given, settings
from reference import batches, notebook_train, notebook_train_concise
from reference import squared_loss as d2l_squared_loss

import weightdecay
from weightdecay import (
    DivergenceError,
    TrainResult,
    init_params,
    linreg,
    make_problem,
    regularization_path,
    ridge_closed_form,
    sgd,
    squared_loss,
    train_concise,
    train_scratch,
)
from weightdecay._settings import training_generators
from weightdecay.model import concise_net
from weightdecay.penalty import ElasticNet, Penalty, get_penalty, l1_penalty, l2_penalty

if TYPE_CHECKING:
    from collections.abc import Callable

SEEDS = range(5)  # 25 runs; each median holds with a wide margin (DESIGN.md has 20 seeds)


def _median(values: list[float]) -> float:
    return statistics.median(values)


# --------------------------------------------------------------------------------------------
# 1. The notebook reproduced (medians over data seeds 0-4)
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def notebook_runs() -> dict[str, list[TrainResult]]:
    runs: dict[str, list[TrainResult]] = {k: [] for k in ("l0", "l1", "l2", "c0", "c7")}
    for seed in SEEDS:
        problem = make_problem(seed=seed)
        runs["l0"].append(train_scratch(problem, lambd=0.0, seed=seed))
        runs["l1"].append(train_scratch(problem, lambd=2.0, penalty="l1", seed=seed))
        runs["l2"].append(train_scratch(problem, lambd=3.0, penalty="l2", seed=seed))
        runs["c0"].append(train_concise(problem, weight_decay=0.0, seed=seed))
        runs["c7"].append(train_concise(problem, weight_decay=7.0, seed=seed))
    return runs


def _norm(runs: list[TrainResult]) -> float:
    return _median([r.w_norm for r in runs])


def _test_loss(runs: list[TrainResult]) -> float:
    return _median([r.history.test_loss[-1] for r in runs])


def test_lambda_zero_overfits(notebook_runs: dict[str, list[TrainResult]]) -> None:
    runs = notebook_runs["l0"]
    assert 11 < _norm(runs) < 15
    assert _median([r.history.train_loss[-1] for r in runs]) < 1e-3
    assert _test_loss(runs) > 20


def test_l1_lambda_two_recovers(notebook_runs: dict[str, list[TrainResult]]) -> None:
    runs = notebook_runs["l1"]
    assert _norm(runs) < 0.5
    assert _test_loss(runs) < 0.1


def test_l2_lambda_three_shrinks(notebook_runs: dict[str, list[TrainResult]]) -> None:
    assert 0.2 < _norm(notebook_runs["l2"]) < 0.6


def test_concise_runs(notebook_runs: dict[str, list[TrainResult]]) -> None:
    assert 11 < _norm(notebook_runs["c0"]) < 15
    assert _norm(notebook_runs["c7"]) < 0.3
    assert _test_loss(notebook_runs["c7"]) * 50 <= _test_loss(notebook_runs["c0"])


def test_history_layout(notebook_runs: dict[str, list[TrainResult]]) -> None:
    history = notebook_runs["l2"][0].history
    assert history.epochs == list(range(5, 101, 5))
    assert len(history.train_loss) == len(history.test_loss) == 20
    assert history.num_updates == 400 == len(history.step_loss)
    assert history.grad_norm == []


# --------------------------------------------------------------------------------------------
# 2. Closed form = autograd; concise (lr, wd) = scratch (2 lr, wd / 2)
# --------------------------------------------------------------------------------------------
def _start(num_inputs: int, dtype: torch.dtype, seed: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(num_inputs, 1, generator=gen, dtype=dtype), torch.randn(
        1, generator=gen, dtype=dtype
    )


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).norm() / b.norm())


# batch_size=6 ends every epoch on an uneven batch of 2 rows: sgd must divide by 2 there.
@pytest.mark.parametrize("batch_size", [5, 6])
@pytest.mark.parametrize(
    ("penalty", "lambd"), [("l2", 0.0), ("l2", 3.0), ("l1", 2.0), ("elasticnet", 1.0)]
)
def test_scratch_equals_the_notebooks_autograd_loop(
    penalty: str, lambd: float, batch_size: int
) -> None:
    # float64, so that a weight sitting next to 0 takes the same sign(w) in both computations.
    problem = make_problem(seed=2, dtype=torch.float64)
    w0, b0 = _start(problem.num_inputs, torch.float64)
    ours = train_scratch(
        problem, lambd=lambd, penalty=penalty, batch_size=batch_size, initial=(w0, b0), seed=7
    )
    losses: list[float] = []
    w, b = notebook_train(
        problem,
        w0,
        b0,
        lambd=lambd,
        penalty=get_penalty(penalty),
        batch_size=batch_size,
        seed=7,
        step_losses=losses,
    )
    assert _rel(ours.w, w) < 1e-10
    torch.testing.assert_close(ours.b, b)
    # Each update records the mean data loss of its batch, without lambd * P(w).
    assert ours.history.step_loss == pytest.approx(losses, rel=1e-10)


@pytest.mark.parametrize("batch_size", [5, 6])
@pytest.mark.parametrize("wd", [0.0, 7.0])
def test_concise_equals_the_notebooks_concise_loop(wd: float, batch_size: int) -> None:
    problem = make_problem(seed=2, dtype=torch.float64)
    w0, b0 = _start(problem.num_inputs, torch.float64)
    ours = train_concise(problem, weight_decay=wd, batch_size=batch_size, initial=(w0, b0), seed=7)
    losses: list[float] = []
    w, b = notebook_train_concise(
        problem, w0, b0, wd=wd, batch_size=batch_size, seed=7, step_losses=losses
    )
    assert _rel(ours.w, w) < 1e-12
    torch.testing.assert_close(ours.b, b)
    assert ours.history.step_loss == pytest.approx(losses, rel=1e-12)


def test_lambda_zero_never_moves_the_null_space_of_the_training_data() -> None:
    # With 20 examples in 200 dimensions every gradient X_B^T r lies in the row space of X, so
    # the part of w orthogonal to it (180 dimensions) keeps its N(0, 1) start exactly; its norm
    # is about sqrt(d - n) = sqrt(180), which is why ||w|| stays near 13.4 without decay.
    problem = make_problem(seed=0, dtype=torch.float64)
    result = train_scratch(problem)
    assert result.initial is not None
    basis = torch.linalg.svd(problem.X_train, full_matrices=True).Vh[
        problem.n_train :
    ]  # null space
    torch.testing.assert_close(basis @ result.w, basis @ result.initial[0], rtol=0, atol=1e-12)
    null_norm = float((basis @ result.initial[0]).norm())
    assert null_norm < result.w_norm  # the row-space part adds to it
    assert abs(null_norm - math.sqrt(180)) < 3 * math.sqrt(0.5)  # chi(180) has sd ~ 0.71


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("wd", [0.0, 7.0, 1.5])
def test_concise_equals_scratch_at_twice_the_lr_and_half_the_decay(
    dtype: torch.dtype, wd: float
) -> None:
    problem = make_problem(seed=3, dtype=dtype)
    start = _start(problem.num_inputs, dtype)
    concise = train_concise(problem, weight_decay=wd, lr=0.003, initial=start, seed=5)
    scratch = train_scratch(problem, lambd=wd / 2, lr=0.006, penalty="l2", initial=start, seed=5)
    assert _rel(concise.w, scratch.w) < 1e-5
    torch.testing.assert_close(concise.b, scratch.b, rtol=1e-5, atol=1e-6)
    # MSELoss has no 1/2: every concise loss is twice the scratch loss.
    torch.testing.assert_close(
        torch.tensor(concise.history.test_loss),
        2 * torch.tensor(scratch.history.test_loss),
        rtol=1e-5,
        atol=0,
    )
    if dtype == torch.float64:  # train losses reach 1e-10 at wd = 0: compare them in float64
        torch.testing.assert_close(
            torch.tensor(concise.history.train_loss),
            2 * torch.tensor(scratch.history.train_loss),
            rtol=1e-6,
            atol=1e-14,
        )


# --------------------------------------------------------------------------------------------
# 3. Properties
# --------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=timedelta(seconds=1))
@given(
    batch_size=st.integers(1, 30),
    lambd=st.floats(0.0, 10.0),
    penalty=st.sampled_from([l1_penalty, l2_penalty, ElasticNet(0.4)]),
    seed=st.integers(0, 2**31),
)
def test_penalty_contributes_exactly_lambda_grad(
    batch_size: int, lambd: float, penalty: Penalty, seed: int
) -> None:
    # n_train = batch_size gives one update per epoch, from the same start, with any batch size.
    problem = make_problem(n_train=batch_size, num_inputs=12, seed=seed, dtype=torch.float64)
    w0, b0 = _start(12, torch.float64, seed)
    lr = 0.01
    kwargs: dict[str, Any] = {
        "num_epochs": 1,
        "lr": lr,
        "batch_size": batch_size,
        "initial": (w0, b0),
    }
    with_penalty = train_scratch(problem, lambd=lambd, penalty=penalty, **kwargs)
    without = train_scratch(problem, lambd=0.0, penalty=penalty, **kwargs)
    w = w0.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(penalty(w), w)
    torch.testing.assert_close(
        with_penalty.w - without.w, -lr * lambd * grad, rtol=1e-9, atol=1e-12
    )
    assert torch.equal(with_penalty.b, without.b)  # the bias is never penalized


# The first example builds torch.optim's first optimizer (0.3 s here); the others take ~1 ms.
@settings(max_examples=20, deadline=timedelta(seconds=5))
@given(wd=st.floats(0.1, 50.0), optimizer=st.sampled_from(["sgd", "adam", "adamw"]))
def test_concise_never_decays_the_bias(wd: float, optimizer: Any) -> None:
    # One update (batch = whole set) from the same start: the bias's step depends on the data
    # gradient only, so it must be identical with and without weight decay.
    problem = make_problem(n_train=5, seed=1, dtype=torch.float64)
    start = _start(problem.num_inputs, torch.float64)
    kwargs: dict[str, Any] = {
        "num_epochs": 1,
        "batch_size": 5,
        "initial": start,
        "optimizer": optimizer,
    }
    decayed = train_concise(problem, weight_decay=wd, **kwargs)
    plain = train_concise(problem, weight_decay=0.0, **kwargs)
    assert torch.equal(decayed.b, plain.b)
    assert not torch.equal(decayed.w, plain.w)


@pytest.mark.parametrize("trainer", ["scratch", "concise"])
def test_bias_unpenalized_over_a_whole_run(trainer: str) -> None:
    # Full-batch gradient descent for 1000 epochs converges to the minimizer of the L2 objective
    # with an unpenalized bias, which ridge_closed_form computes directly. A penalized bias would
    # be pulled from about 5 towards 0.
    problem = make_problem(true_b=5.0, seed=3, dtype=torch.float64)
    lambd, lr = 5.0, 0.05  # eta * (L + lambd) is about 1.1 < 2: stable
    run: dict[str, Any] = {"num_epochs": 1000, "batch_size": problem.n_train, "eval_every": 1000}
    if trainer == "scratch":
        result = train_scratch(problem, lambd=lambd, lr=lr, **run)
    else:  # concise (lr, wd) follows scratch (2 lr, wd / 2)
        result = train_concise(problem, weight_decay=2 * lambd, lr=lr / 2, **run)
    w, b = ridge_closed_form(problem.X_train, problem.y_train, lambd)
    torch.testing.assert_close(result.w, w, rtol=0, atol=1e-6)
    torch.testing.assert_close(result.b, b.reshape(1), rtol=0, atol=1e-6)
    assert float(result.b) > 4.5


def test_custom_penalty_callable_matches_builtin() -> None:
    problem = make_problem(seed=1)
    builtin = train_scratch(problem, lambd=3.0, penalty="l2")
    custom = train_scratch(problem, lambd=3.0, penalty=lambda w: (w * w).sum() / 2)
    assert _rel(custom.w, builtin.w) < 1e-5


# --------------------------------------------------------------------------------------------
# 4. Determinism
# --------------------------------------------------------------------------------------------
def _same(a: TrainResult, b: TrainResult) -> bool:
    return (
        torch.equal(a.w, b.w)
        and torch.equal(a.b, b.b)
        and a.w_norm == b.w_norm
        and a.history == b.history
    )


@pytest.mark.parametrize("trainer", ["scratch", "concise"])
def test_same_seed_bitwise_equal_whatever_the_global_rng(trainer: str) -> None:
    def run() -> TrainResult:
        problem = make_problem(seed=4)
        if trainer == "scratch":
            return train_scratch(problem, lambd=2.0, penalty="l1", seed=9)
        return train_concise(problem, weight_decay=7.0, seed=9)

    torch.manual_seed(0)
    first = run()
    torch.manual_seed(12345)
    torch.randn(1000)
    second = run()
    assert _same(first, second)
    third = train_scratch(make_problem(seed=4), lambd=2.0, penalty="l1", seed=10)
    assert not torch.equal(first.w, third.w)


def test_training_does_not_touch_the_global_rng_or_thread_count() -> None:
    state, threads = torch.get_rng_state(), torch.get_num_threads()
    train_scratch(make_problem(), num_epochs=2)
    train_concise(make_problem(), num_epochs=2)
    assert torch.equal(state, torch.get_rng_state())
    assert torch.get_num_threads() == threads  # the loop runs single-threaded, then restores


def test_same_seed_same_minibatches_in_both_trainers() -> None:
    # With a tiny learning rate the weights do not move, so each update's minibatch loss is the
    # loss of the starting weights on that batch: computing it for the batches drawn by hand
    # from the seed's generator must give both trainers' step losses (concise: MSE, twice).
    problem = make_problem(dtype=torch.float64)
    start = _start(problem.num_inputs, torch.float64)
    tiny: dict[str, Any] = {"num_epochs": 2, "lr": 1e-300, "initial": start, "seed": 11}
    scratch, concise = train_scratch(problem, **tiny), train_concise(problem, **tiny)
    _, batch_gen = training_generators(11)
    expected = [
        float(
            d2l_squared_loss(
                problem.X_train[rows] @ start[0] + start[1], problem.y_train[rows]
            ).mean()
        )
        for _ in range(2)
        for rows in batches(problem, 5, batch_gen)
    ]
    assert scratch.history.step_loss == pytest.approx(expected, rel=1e-12)
    assert concise.history.step_loss == pytest.approx([2 * e for e in expected], rel=1e-12)
    other = train_scratch(problem, **(tiny | {"seed": 12}))
    assert other.history.step_loss != scratch.history.step_loss


# --------------------------------------------------------------------------------------------
# 5. The notebook's building blocks, against d2l's formulas and hand draws
# --------------------------------------------------------------------------------------------
def test_init_params_draws_w_from_the_generator_and_starts_b_at_zero() -> None:
    w, b = init_params(7, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    by_hand = torch.randn(7, 1, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    assert torch.equal(w.detach(), by_hand)
    assert torch.equal(b.detach(), torch.zeros(1, dtype=torch.float64))
    assert w.is_leaf
    assert w.requires_grad
    assert b.is_leaf
    assert b.requires_grad


def test_concise_net_draws_the_weight_then_the_bias_from_the_generator() -> None:
    net = concise_net(7, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    weight, bias = net.parameters()
    by_hand = torch.randn(8, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    assert torch.equal(weight.detach(), by_hand[:7].reshape(1, 7))
    assert torch.equal(bias.detach(), by_hand[7:])


@pytest.mark.parametrize("trainer", ["scratch", "concise", "path"])
def test_a_seeded_run_starts_from_the_init_generators_draw(trainer: str) -> None:
    # The seeded start is N(0, 1) draws of the first training generator: w, then (concise only,
    # as the notebook's normal_()) the bias; the from-scratch bias starts at 0.
    problem = make_problem(num_inputs=12)
    init_gen, _ = training_generators(5)
    draws = torch.randn(13, generator=init_gen)
    w0, b0 = draws[:12].reshape(12, 1), draws[12:] if trainer == "concise" else torch.zeros(1)
    run: dict[str, Any] = {"num_epochs": 1, "seed": 5}
    if trainer == "path":
        start = regularization_path(problem, [0.0, 1.0], **run).initial
    else:
        start = (train_scratch if trainer == "scratch" else train_concise)(problem, **run).initial
    assert start is not None
    assert torch.equal(start[0], w0)
    assert torch.equal(start[1], b0)


def test_linreg_squared_loss_and_sgd_are_d2ls_formulas() -> None:
    X = torch.tensor([[1.0, 2.0], [3.0, -1.0], [0.5, 0.0]])
    w = torch.tensor([[0.5], [-1.0]], requires_grad=True)
    b = torch.tensor([0.25], requires_grad=True)
    y_hat = linreg(X, w, b)
    torch.testing.assert_close(y_hat, torch.tensor([[-1.25], [2.75], [0.5]]))  # Xw + b by hand
    loss = squared_loss(y_hat, torch.tensor([0.75, 2.75, -0.5]))  # y reshaped to y_hat's shape
    torch.testing.assert_close(loss, torch.tensor([[2.0], [0.0], [0.5]]))  # (y_hat - y)**2 / 2
    loss.sum().backward()
    # d(loss)/dw = X^T (y_hat - y) = X^T [-2, 0, 1] = [-1.5, -4]; d/db = sum = -1.
    sgd([w, b], lr=0.3, batch_size=3)
    torch.testing.assert_close(w.detach(), torch.tensor([[0.5 + 0.15], [-1.0 + 0.4]]))
    torch.testing.assert_close(b.detach(), torch.tensor([0.25 + 0.1]))
    for param in (w, b):  # zeroed for the next batch
        assert param.grad is not None
        assert torch.equal(param.grad, torch.zeros_like(param))


def test_sgd_needs_a_gradient() -> None:
    w = torch.ones(2, requires_grad=True)
    with pytest.raises(AssertionError, match=r"^call backward\(\) before sgd$"):
        sgd([w], lr=0.1, batch_size=1)


# --------------------------------------------------------------------------------------------
# Odds and ends
# --------------------------------------------------------------------------------------------
def test_uneven_last_batch_and_final_evaluation() -> None:
    result = train_scratch(make_problem(), batch_size=6, num_epochs=7, eval_every=3)
    assert result.history.num_updates == 7 * 4  # 6 + 6 + 6 + 2
    assert result.history.epochs == [3, 6, 7]


@pytest.mark.parametrize("max_norm", [None, 0.5])
def test_grad_norm_and_clipping_follow_the_rule_computed_by_hand(max_norm: float | None) -> None:
    # One full-batch update from a known start: the gradient of the mean loss by autograd, its
    # norm, and torch.nn.utils.clip_grad_norm_'s rule g * C / (||g|| + 1e-6).
    problem = make_problem(dtype=torch.float64)
    w0, b0 = _start(problem.num_inputs, torch.float64)
    lambd, lr, n = 0.5, 0.01, problem.n_train
    result = train_scratch(
        problem,
        lambd=lambd,
        lr=lr,
        num_epochs=1,
        batch_size=n,
        initial=(w0, b0),
        record_grad_norm=True,
        max_grad_norm=max_norm,
    )
    w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
    loss = ((problem.X_train @ w + b - problem.y_train) ** 2 / 2).mean() + lambd * (w * w).sum() / 2
    gw, gb = torch.autograd.grad(loss, [w, b])
    norm = float(torch.cat([gw.flatten(), gb]).norm())
    assert result.history.grad_norm == [pytest.approx(norm, rel=1e-12)]
    scale = 1.0 if max_norm is None else min(1.0, max_norm / (norm + 1e-6))
    torch.testing.assert_close(result.w, w0 - lr * scale * gw)
    torch.testing.assert_close(result.b, b0 - lr * scale * gb)


@pytest.mark.parametrize("trainer", ["scratch", "concise"])
def test_clipping_does_not_depend_on_recording_the_norms(trainer: str) -> None:
    train = train_scratch if trainer == "scratch" else train_concise
    problem = make_problem()
    run: dict[str, Any] = {"num_epochs": 3, "lr": 0.05, "max_grad_norm": 0.5}
    quiet, recorded = train(problem, **run), train(problem, **run, record_grad_norm=True)
    assert torch.equal(quiet.w, recorded.w)
    assert quiet.history.grad_norm == []
    assert max(recorded.history.grad_norm) > 0.5  # so the clipping changed some updates
    assert not torch.equal(quiet.w, train(problem, **(run | {"max_grad_norm": None})).w)


def test_to_dict_is_strict_json_even_for_a_diverged_run() -> None:
    result = train_scratch(make_problem(), num_epochs=5)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert len(data["w"]) == 200
    assert data["history"]["epochs"] == [5]
    assert data["divergence"] is None
    diverged = train_scratch(make_problem(), lr=1.0, on_divergence="stop")
    text = json.dumps(diverged.to_dict(), allow_nan=False)  # the inf of the report becomes null
    assert json.loads(text)["divergence"]["value"] is None


# Every argument away from its default, so that a value the config forgets cannot go unnoticed.
PROBLEM_ARGS: dict[str, Any] = {
    "n_train": 25,
    "n_test": 30,
    "num_inputs": 40,
    "true_w": 0.02,
    "true_b": -0.1,
    "noise": 0.05,
    "num_nonzero": 10,
    "seed": 4,
    "dtype": torch.float64,
}
RUN_ARGS: dict[str, Any] = {
    "num_epochs": 3,
    "lr": 0.002,
    "batch_size": 6,
    "eval_every": 2,
    "seed": 6,
    "max_grad_norm": 5.0,
    "record_grad_norm": True,
    "on_divergence": "stop",
}
TRAINER_ARGS: dict[str, dict[str, Any]] = {
    "scratch": {"lambd": 2.0, "penalty": "l1", "l1_update": "proximal"},
    "concise": {"weight_decay": 7.0, "optimizer": "adamw"},
}


def _redo(config: dict[str, Any], on_divergence: str) -> TrainResult:
    """Run again from nothing but a result's config: every argument is read from it.

    But ``on_divergence``, which the result itself tells: a run that diverged and returned was
    run with "stop"; one that did not diverge gives the same result with either value.
    """
    assert config["problem"] == "make_problem"
    assert config["initial"] == "seeded"  # a given start is not stored in the config
    data = {k: config[k] for k in PROBLEM_ARGS if k not in ("seed", "dtype")}
    problem = make_problem(**data, seed=config["data_seed"], dtype=getattr(torch, config["dtype"]))
    trainer: Callable[..., TrainResult] = (
        train_scratch if config["trainer"] == "scratch" else train_concise
    )
    run = {k: config[k] for k in [*RUN_ARGS, *TRAINER_ARGS[config["trainer"]]] if k in config}
    return trainer(problem, **run, on_divergence=on_divergence)


@pytest.mark.parametrize("trainer", ["scratch", "concise"])
def test_config_holds_everything_that_made_the_run(trainer: str) -> None:
    problem = make_problem(**PROBLEM_ARGS)
    train = train_scratch if trainer == "scratch" else train_concise
    result = train(problem, **RUN_ARGS, **TRAINER_ARGS[trainer])
    # Each keyword of the trainer and of make_problem is in the config, under its own name, with
    # its value: all but `initial` and `callback`, a tensor and a function, which JSON cannot
    # hold, and `on_divergence`, which the result tells (see _redo).
    names = inspect.signature(train).parameters.keys() - {"problem", "initial", "callback"}
    assert names == RUN_ARGS.keys() | TRAINER_ARGS[trainer].keys()
    assert names - result.config.keys() == {"on_divergence"}  # see _redo
    assert inspect.signature(make_problem).parameters.keys() == PROBLEM_ARGS.keys()
    expected = RUN_ARGS | TRAINER_ARGS[trainer] | {"trainer": trainer, "data_seed": 4}
    del expected["on_divergence"]
    expected |= {k: v for k, v in PROBLEM_ARGS.items() if k not in ("seed", "dtype")}
    assert expected.items() <= result.config.items()
    assert result.config["dtype"] == "float64"
    assert result.config["weightdecay_version"] == weightdecay.__version__
    # The config is enough to redo the run, bit for bit.
    redo = _redo(result.config, "stop" if result.divergence else "raise")
    assert torch.equal(redo.w, result.w)
    assert torch.equal(redo.b, result.b)
    assert redo.history == result.history
    assert redo.config == result.config


@pytest.mark.parametrize("trainer", ["scratch", "concise"])
def test_defaults_are_the_notebooks_settings(trainer: str) -> None:
    # DESIGN.md's stable signatures: the notebook's run, no decay, seed 0, a guard that raises.
    train = train_scratch if trainer == "scratch" else train_concise
    expected: dict[str, Any] = {
        "num_epochs": 100,
        "lr": 0.003,
        "batch_size": 5,
        "eval_every": 5,
        "seed": 0,
        "max_grad_norm": None,
        "record_grad_norm": False,
        "initial": "seeded",
    }
    if trainer == "scratch":
        expected |= {"lambd": 0.0, "penalty": "l2", "l1_update": "subgradient"}
    else:
        expected |= {"weight_decay": 0.0, "optimizer": "sgd"}
    result = train(make_problem())
    assert expected.items() <= result.config.items()
    assert result.history.grad_norm == []
    with pytest.raises(DivergenceError):  # on_divergence="raise"
        train(make_problem(), lr=1.0)


def test_reprs_are_short_and_show_the_key_numbers() -> None:
    problem = make_problem()
    result = train_scratch(problem, lambd=3.0)
    text = repr(result)
    assert len(text) < 300
    assert "lambd=3.0" in text
    assert f"w_norm={result.w_norm:.4g}" in text
    assert f"test_loss={result.history.test_loss[-1]:.4g}" in text


@pytest.mark.parametrize("trainer", [train_scratch, train_concise])
def test_result_keeps_the_starting_point(trainer: Any) -> None:
    problem = make_problem()
    result = trainer(problem, num_epochs=1)
    assert result.initial is not None
    w0, b0 = result.initial
    assert w0.shape == (200, 1)
    assert b0.shape == (1,)
    # Passing it back reproduces the run bitwise.
    again = trainer(problem, num_epochs=1, initial=(w0, b0))
    assert torch.equal(again.w, result.w)
    start = (torch.zeros(200, 1), torch.zeros(1))
    assert all(
        torch.equal(a, s)
        for a, s in zip(trainer(problem, num_epochs=1, initial=start).initial, start, strict=True)
    )
