"""The path's engine on its own: each helper against d2l's loop or a formula written by hand.

test_path.py checks that a path column equals ``train_scratch``; but the two share
``init_params``, ``batch_indices`` and ``soft_threshold``, so a bug in a shared helper would pass
there. Here the engine meets references that share nothing with it but the seeded generators.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
import torch
from reference import notebook_train

from weightdecay import make_problem, regularization_path
from weightdecay._batched_sgd import (
    _columnwise_grad,
    _divergence,
    _groups_by_size,
    _half_mse,
    _Step,
    train_columns,
)
from weightdecay._settings import check_settings
from weightdecay.penalty import ElasticNet, get_penalty


def _settings(**kwargs: Any) -> Any:
    problem = make_problem(n_train=6, num_inputs=4)
    run = {"num_epochs": 1, "lr": 0.1, "batch_size": 3, "eval_every": 1, "seed": 0}
    return check_settings(problem, **(run | kwargs))


def _batch(lead: tuple[int, ...] = ()) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(*lead, 3, 4, generator=gen, dtype=torch.float64)
    y = torch.randn(*lead, 3, 1, generator=gen, dtype=torch.float64)
    W = torch.randn(*lead, 4, 2, generator=gen, dtype=torch.float64)
    b = torch.randn(*lead, 1, 2, generator=gen, dtype=torch.float64)
    return X, y, W, b


def _one_column_by_hand(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, lambd: float, **kind: Any
) -> tuple[torch.Tensor, torch.Tensor]:
    """One SGD step of one column, written out: the mean-loss gradient plus lambd * grad P."""
    lr, l1, l2 = 0.1, kind.get("l1", 0.0), kind.get("l2", 0.0)
    r = X @ w + b - y
    grad_w = X.T @ r / len(X) + lambd * l2 * w
    if not kind.get("proximal"):
        grad_w = grad_w + lambd * l1 * torch.sign(w)
    w_new, b_new = w - lr * grad_w, b - lr * r.mean()
    if kind.get("proximal"):
        t = lr * lambd * l1
        w_new = torch.where(w_new.abs() <= t, 0.0, w_new - t * torch.sign(w_new))
    return w_new, b_new.reshape(1, 1)


@pytest.mark.parametrize(
    ("penalty", "l1_update", "kind"),
    [
        ("l2", "subgradient", {"l2": 1.0}),
        ("l1", "subgradient", {"l1": 1.0}),
        ("l1", "proximal", {"l1": 1.0, "proximal": True}),
        (ElasticNet(0.25), "subgradient", {"l1": 0.25, "l2": 0.75}),
        (ElasticNet(0.25), "proximal", {"l1": 0.25, "l2": 0.75, "proximal": True}),
    ],
)
@pytest.mark.parametrize("lead", [(), (2,)])
def test_one_step_of_every_column_is_the_update_written_by_hand(
    penalty: Any, l1_update: str, kind: dict[str, Any], lead: tuple[int, ...]
) -> None:
    X, y, W, b = _batch(lead)
    lambdas = torch.tensor([[0.5, 3.0]], dtype=torch.float64)
    expected_W, expected_b = W.clone(), b.clone()
    for index in itertools.product(*(range(n) for n in lead)):  # () when there is no lead
        for k in range(2):
            w_k, b_k = _one_column_by_hand(
                X[index],
                y[index],
                W[index][:, k : k + 1],
                b[index][:, k],
                float(lambdas[0, k]),
                **kind,
            )
            expected_W[index][:, k : k + 1] = w_k
            expected_b[index][:, k : k + 1] = b_k
    _Step(_settings(penalty=penalty, l1_update=l1_update), lambdas)(W, b, X, y)
    torch.testing.assert_close(W, expected_W, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(b, expected_b, rtol=1e-12, atol=1e-12)


def test_a_callable_penalty_gets_its_gradient_per_column() -> None:
    def quartic(w: torch.Tensor) -> torch.Tensor:
        return (w**4).sum() / 4

    _, _, W, _ = _batch((2,))
    torch.testing.assert_close(_columnwise_grad(quartic, W), W**3)  # d/dw (w**4 / 4), per column
    X, y, W, b = _batch()
    expected = W**3
    lambdas = torch.tensor([[0.0, 2.0]], dtype=torch.float64)
    l2_step = _Step(_settings(penalty="l2"), lambdas * 0)  # the data term alone
    W_data, b_data = W.clone(), b.clone()
    l2_step(W_data, b_data, X, y)
    _Step(_settings(penalty=quartic), lambdas)(W, b, X, y)
    # SGD subtracts lr * lambd * grad P: column 0 (lambd = 0) is the data step alone.
    torch.testing.assert_close(W, W_data - 0.1 * lambdas * expected, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(b, b_data)


def test_half_mse_is_the_mean_half_squared_error_of_each_column() -> None:
    X, y, W, b = _batch((2,))
    for i in range(2):
        for k in range(2):
            r = [float(X[i, row] @ W[i, :, k] + b[i, 0, k] - y[i, row, 0]) for row in range(3)]
            by_hand = sum(v * v for v in r) / 3 / 2
            assert math.isclose(float(_half_mse(X, y, W, b)[i, k]), by_hand, rel_tol=1e-12)


@pytest.mark.parametrize("batch_size", [5, 6])  # 6: every epoch ends on an uneven batch of 2
@pytest.mark.parametrize(("penalty", "lambd"), [("l2", 3.0), ("l1", 2.0)])
def test_each_column_is_the_notebooks_loop(penalty: str, lambd: float, batch_size: int) -> None:
    problem = make_problem(seed=2, dtype=torch.float64)
    gen = torch.Generator().manual_seed(1)
    w0 = torch.randn(problem.num_inputs, 1, generator=gen, dtype=torch.float64)
    b0 = torch.randn(1, generator=gen, dtype=torch.float64)
    run: dict[str, Any] = {"num_epochs": 30, "batch_size": batch_size, "seed": 7}
    path = regularization_path(problem, [0.0, lambd], penalty=penalty, initial=(w0, b0), **run)
    for k, lam in enumerate([0.0, lambd]):
        w, b = notebook_train(problem, w0, b0, lambd=lam, penalty=get_penalty(penalty), **run)
        mine = torch.cat([path.W[:, k], path.b[k : k + 1]])
        theirs = torch.cat([w[:, 0], b])
        assert float((mine - theirs).norm() / theirs.norm()) < 1e-10


def test_train_columns_evaluates_on_schedule_and_keeps_the_start() -> None:
    problem = make_problem(n_train=6, num_inputs=4, dtype=torch.float64)
    settings = check_settings(
        problem,
        num_epochs=7,
        lr=0.01,
        batch_size=4,
        eval_every=3,
        seed=0,
        initial=(torch.ones(4, 1, dtype=torch.float64), torch.full((1,), 0.5, dtype=torch.float64)),
    )
    lambdas = torch.tensor([0.0, 1.0])
    seen: list[int] = []
    train = (problem.X_train, problem.y_train)
    trained = train_columns(train, (problem.X_test, problem.y_test), lambdas, settings, seen.append)
    assert trained.epochs == seen == [3, 6, 7]
    assert trained.train_loss.shape == trained.eval_loss.shape == (3, 2)
    torch.testing.assert_close(trained.train_loss[-1], _half_mse(*train, trained.W, trained.b))
    assert torch.equal(trained.initial[0], torch.ones(4, 1, dtype=torch.float64))
    assert torch.equal(trained.initial[1], torch.full((1,), 0.5, dtype=torch.float64))
    assert trained.divergences == {}


def test_divergence_report_names_the_column_of_a_flat_index() -> None:
    # lead (2,) x K = 3 columns: flat index 4 is split 1, column 1.
    kept = torch.zeros(2, 5, 3)
    kept[1, :, 1] = torch.tensor([1.0, -7.0, 2.0, 0.0, 3.0])
    train = torch.tensor([[0.1, 0.2, 0.3], [0.4, math.inf, 0.6]])
    test = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    last = torch.tensor([[9.0, 9.0, 9.0], [9.0, 0.25, 9.0]])
    d = _divergence(
        epoch=5, updates=20, lr=0.003, losses=(train, test), last_train=last, kept_W=kept, flat=4
    )
    assert (d.epoch, d.step, d.lr, d.quantity) == (5, 20, 0.003, "evaluation loss")
    assert d.value == math.inf  # the train loss failed first
    assert d.last_finite_loss == 0.25
    assert d.max_abs_w == 7.0
    test[1, 1], train[1, 1] = math.nan, 0.5  # a test loss failing alone is reported too
    assert math.isnan(_divergence(5, 20, 0.003, (train, test), last, kept, 4).value)


def test_splits_are_grouped_by_their_training_size() -> None:
    rows = [torch.arange(n) for n in (4, 3, 4, 3, 4)]
    splits = [(r, torch.arange(1)) for r in rows]
    assert _groups_by_size(splits) == [[0, 2, 4], [1, 3]]
