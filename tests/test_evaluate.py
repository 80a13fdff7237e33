"""Losses and measurements against the same quantities computed by hand."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from weightdecay import make_problem
from weightdecay.evaluate import evaluate_loss, squared_loss, weight_norm, zero_predictor_loss


def test_evaluate_loss_is_the_mean_over_every_element_without_autograd() -> None:
    w = torch.tensor([[1.0], [-2.0]], requires_grad=True)
    X = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = torch.tensor([[0.0], [0.0], [1.0]])
    # predictions 1, -2, -1: half squared errors 0.5, 2, 2, mean 1.5; MSE twice that.
    assert evaluate_loss(lambda X: X @ w, X, y) == 1.5
    assert evaluate_loss(lambda X: X @ w, X, y, nn.MSELoss(reduction="none")) == 3.0
    seen: list[bool] = []

    def net(X: torch.Tensor) -> torch.Tensor:
        seen.append(torch.is_grad_enabled())
        return X @ w

    evaluate_loss(net, X, y)
    assert seen == [False]


@pytest.mark.parametrize("shape", [(3, 2), (4,)])
def test_evaluate_loss_rejects_mismatched_rows(shape: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="X must be 2-D with as many rows as y, got shapes"):
        evaluate_loss(lambda X: X, torch.ones(shape), torch.ones(5, 1))


def test_squared_loss_is_half_the_squared_error_in_y_hats_shape() -> None:
    loss = squared_loss(torch.tensor([[2.0], [-1.0]]), torch.tensor([0.0, 2.0]))
    assert loss.shape == (2, 1)
    assert loss.flatten().tolist() == [2.0, 4.5]


def test_weight_norm_is_euclidean_and_never_overflows_for_finite_weights() -> None:
    assert weight_norm(torch.tensor([[3.0], [4.0]])) == 5.0
    big = torch.full((4, 1), 3e38)  # finite in float32, its squares are not
    assert weight_norm(big) == pytest.approx(2 * 3e38, rel=1e-6)


@pytest.mark.parametrize("mse", [False, True])
def test_zero_predictor_loss_predicts_the_mean_training_label(mse: bool) -> None:
    problem = make_problem(seed=3, dtype=torch.float64)
    errors = (problem.y_test - problem.y_train.mean()).flatten().tolist()
    by_hand = sum(e * e for e in errors) / len(errors) / (1 if mse else 2)
    loss = nn.MSELoss(reduction="none") if mse else squared_loss
    assert math.isclose(zero_predictor_loss(problem, loss), by_hand, rel_tol=1e-12)
