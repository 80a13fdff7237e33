from __future__ import annotations

import json
import statistics
from typing import Any

import hypothesis.strategies as st
import pytest
import torch
from hypothesis import given, settings
from reference import notebook_train

from weightdecay import TrainResult, make_problem, train_concise, train_scratch
from weightdecay.penalty import ElasticNet, Penalty, get_penalty, l1_penalty, l2_penalty

SEEDS = range(10)


def _median(values: list[float]) -> float:
    return statistics.median(values)


# --------------------------------------------------------------------------------------------
# 1. The notebook reproduced (medians over data seeds 0-9)
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


@pytest.mark.parametrize(
    ("penalty", "lambd"), [("l2", 0.0), ("l2", 3.0), ("l1", 2.0), ("elasticnet", 1.0)]
)
def test_scratch_equals_the_notebooks_autograd_loop(penalty: str, lambd: float) -> None:
    # float64, so that a weight sitting next to 0 takes the same sign(w) in both computations.
    problem = make_problem(seed=2, dtype=torch.float64)
    w0, b0 = _start(problem.num_inputs, torch.float64)
    ours = train_scratch(problem, lambd=lambd, penalty=penalty, initial=(w0, b0), seed=7)
    w, b = notebook_train(problem, w0, b0, lambd=lambd, penalty=get_penalty(penalty), seed=7)
    assert _rel(ours.w, w) < 1e-10
    torch.testing.assert_close(ours.b, b)


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
@settings(max_examples=40, deadline=None)
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


@settings(max_examples=20, deadline=None)
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


def test_scratch_bias_unpenalized_over_a_whole_run() -> None:
    # With a zero-mean residual-free start the bias only moves through the data: at lambd = 0
    # and lambd > 0 it starts equal and its first step is equal.
    problem = make_problem(seed=0, dtype=torch.float64)
    start = _start(problem.num_inputs, torch.float64)
    one: dict[str, Any] = {"num_epochs": 1, "batch_size": problem.n_train, "initial": start}
    assert torch.equal(
        train_scratch(problem, lambd=100.0, **one).b, train_scratch(problem, lambd=0.0, **one).b
    )


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
    # Equivalence above relies on it; check it directly with lr tiny so nothing else matters.
    problem = make_problem()
    a = train_scratch(problem, num_epochs=1, record_grad_norm=True)
    b = train_scratch(problem, num_epochs=1, record_grad_norm=True, seed=1)
    assert a.history.step_loss != b.history.step_loss


# --------------------------------------------------------------------------------------------
# Odds and ends
# --------------------------------------------------------------------------------------------
def test_uneven_last_batch_and_final_evaluation() -> None:
    result = train_scratch(make_problem(), batch_size=6, num_epochs=7, eval_every=3)
    assert result.history.num_updates == 7 * 4  # 6 + 6 + 6 + 2
    assert result.history.epochs == [3, 6, 7]


def test_record_grad_norm_and_clipping() -> None:
    problem = make_problem()
    recorded = train_scratch(problem, num_epochs=3, record_grad_norm=True)
    assert len(recorded.history.grad_norm) == recorded.history.num_updates == 12
    assert all(g > 0 for g in recorded.history.grad_norm)
    clipped = train_scratch(problem, num_epochs=3, record_grad_norm=True, max_grad_norm=1.0)
    assert clipped.history.grad_norm[0] == recorded.history.grad_norm[0]  # norm before clipping
    assert not torch.equal(clipped.w, recorded.w)


def test_to_dict_is_json_ready() -> None:
    result = train_scratch(make_problem(), num_epochs=5)
    data = json.loads(json.dumps(result.to_dict()))
    assert len(data["w"]) == 200
    assert data["history"]["epochs"] == [5]
    assert data["divergence"] is None


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
