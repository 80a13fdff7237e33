"""The closed-form ridge reference: normal equations, scikit-learn, the lambda = 0 limit."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

from weightdecay import make_problem, regularization_path
from weightdecay.ridge import ridge_closed_form

# (n, d): fewer examples than features (the notebook's case, the dual form), more, and equal.
SHAPES = [(20, 200), (5, 3), (3, 8), (50, 10), (30, 30), (2, 1)]


def random_problem(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=gen, dtype=torch.float64) + 0.5  # off-centre on purpose
    y = X @ torch.randn(d, 1, generator=gen, dtype=torch.float64) + 1.5
    return X, y + 0.1 * torch.randn(n, 1, generator=gen, dtype=torch.float64)


def objective_gradient(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, lambd: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient of (1/(2n)) sum (y - Xw - b)^2 + (lambd/2) ||w||^2 in (w, b), by autograd."""
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    objective = ((y - X @ w - b) ** 2).mean() / 2 + lambd * (w**2).sum() / 2
    grad_w, grad_b = torch.autograd.grad(objective, [w, b])
    return grad_w, grad_b


def sklearn_ridge(
    X: torch.Tensor, y: torch.Tensor, lambd: float
) -> tuple[torch.Tensor, torch.Tensor]:
    n = X.shape[0]
    model = Ridge(alpha=n * lambd, fit_intercept=True).fit(X.numpy(), y.numpy().ravel())
    coef = torch.from_numpy(np.asarray(model.coef_, dtype=np.float64)).reshape(-1, 1)
    return coef, torch.tensor(float(model.intercept_), dtype=torch.float64)


@pytest.mark.parametrize(("n", "d"), SHAPES)
@pytest.mark.parametrize("lambd", [1e-4, 0.1, 3.0])
def test_normal_equations_and_scikit_learn(n: int, d: int, lambd: float) -> None:
    X, y = random_problem(n, d, seed=n * 1000 + d)
    w, b = ridge_closed_form(X, y, lambd)
    assert w.shape == (d, 1)
    assert b.shape == ()
    assert w.dtype == b.dtype == torch.float64
    grad_w, grad_b = objective_gradient(X, y, w, b, lambd)
    torch.testing.assert_close(grad_w, torch.zeros_like(grad_w), rtol=0, atol=1e-9)
    torch.testing.assert_close(grad_b, torch.zeros_like(grad_b), rtol=0, atol=1e-9)
    coef, intercept = sklearn_ridge(X, y, lambd)
    torch.testing.assert_close(w, coef, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(b, intercept, rtol=1e-6, atol=1e-6)


@settings(max_examples=30, deadline=timedelta(seconds=1))
@given(
    n=st.integers(2, 30),
    d=st.integers(1, 40),
    lambd=st.floats(1e-3, 10.0),
    seed=st.integers(0, 2**16),
)
def test_matches_scikit_learn_on_random_problems(n: int, d: int, lambd: float, seed: int) -> None:
    X, y = random_problem(n, d, seed)
    w, b = ridge_closed_form(X, y, lambd)
    coef, intercept = sklearn_ridge(X, y, lambd)
    torch.testing.assert_close(w, coef, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(b, intercept, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("n", "d"), [(20, 200), (3, 8), (10, 10)])
def test_lambda_zero_is_the_minimum_norm_interpolant(n: int, d: int) -> None:
    X, y = random_problem(n, d, seed=7)
    w, b = ridge_closed_form(X, y, 0.0)
    x_mean, y_mean = X.mean(0, keepdim=True), y.mean()
    expected = torch.linalg.pinv(X - x_mean) @ (y - y_mean)
    torch.testing.assert_close(w, expected, rtol=1e-8, atol=1e-10)
    # n <= d: the centred data have rank n - 1 and the bias takes the last degree of freedom.
    torch.testing.assert_close(X @ w + b, y, rtol=0, atol=1e-9)
    # ... and it is the limit of ridge as lambda -> 0+.
    w_small, _ = ridge_closed_form(X, y, 1e-10)
    torch.testing.assert_close(w_small, w, rtol=1e-5, atol=1e-7)


def test_dtype_follows_X_and_one_dimensional_y() -> None:
    problem = make_problem()
    w, b = ridge_closed_form(problem.X_train, problem.y_train.flatten(), 3.0)
    assert w.dtype == b.dtype == torch.float32
    w64, b64 = ridge_closed_form(problem.X_train.double(), problem.y_train.double(), 3.0)
    torch.testing.assert_close(w, w64.float(), rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(b, b64.float(), rtol=1e-4, atol=1e-6)


def test_tiny_lambda_in_float32_stays_finite() -> None:
    problem = make_problem()
    w, b = ridge_closed_form(problem.X_train, problem.y_train, 1e-12)
    assert bool(torch.isfinite(w).all())
    assert bool(torch.isfinite(b))


def test_sgd_converges_to_the_closed_form() -> None:
    # Full-batch steps (batch_size = n_train) remove the minibatch noise, which would otherwise
    # keep constant-step SGD wandering around the optimum; lr = 0.05 is below 2 / L. Small lambda
    # converges slowly (the null-space part decays as (1 - lr * lambda) ** steps), so take >= 1.
    problem = make_problem(dtype=torch.float64)
    grid = [1.0, 3.0, 10.0]
    path = regularization_path(
        problem, grid, lr=0.05, batch_size=problem.n_train, num_epochs=3000, eval_every=3000
    )
    for k, lambd in enumerate(grid):
        w, b = ridge_closed_form(problem.X_train, problem.y_train, lambd)
        torch.testing.assert_close(
            path.W[:, k : k + 1], w, rtol=1e-6, atol=1e-6 * float(w.abs().max())
        )
        torch.testing.assert_close(path.b[k], b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (
            (torch.ones(3, 2), torch.ones(3, 1), -1.0),
            ValueError,
            r"lambd must be a finite number >= 0, got -1.0",
        ),
        (
            (torch.ones(3, 2), torch.ones(3, 1), float("inf")),
            ValueError,
            r"lambd must be a finite number >= 0, got inf",
        ),
        (
            (torch.ones(3, 2), torch.ones(4, 1), 1.0),
            ValueError,
            r"y must have one row per row of X \(3\), got 4",
        ),
        (
            (torch.ones(3), torch.ones(3, 1), 1.0),
            ValueError,
            r"X must have shape \(\*, \*\), got \(3,\)",
        ),
        (
            (torch.ones(3, 2, dtype=torch.int64), torch.ones(3, 1), 1.0),
            TypeError,
            r"X must have a floating-point dtype",
        ),
        (
            (torch.ones(3, 2), torch.ones(3, 2), 1.0),
            ValueError,
            r"y must have shape \(\*, 1\), got \(3, 2\)",
        ),
        (
            (torch.full((3, 2), float("nan")), torch.ones(3, 1), 1.0),
            ValueError,
            r"X must contain only finite values",
        ),
    ],
)
def test_bad_input(
    args: tuple[object, object, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ridge_closed_form(*args)  # type: ignore[arg-type]


def test_the_dual_system_is_cheaper_not_better_conditioned() -> None:
    # ridge.py solves the n x n dual system when n < d. Centring leaves Xc of rank <= n - 1, so
    # both Gram matrices have the eigenvalue 0 besides their shared nonzero ones, and both
    # systems have the condition number (s_1^2 + n lambda) / (n lambda).
    problem = make_problem(dtype=torch.float64)
    X = problem.X_train
    Xc = X - X.mean(0, keepdim=True)
    n, d = Xc.shape
    assert int(torch.linalg.matrix_rank(Xc)) == n - 1
    nonzero = torch.linalg.svdvals(Xc)[: n - 1] ** 2
    for lambd in (0.01, 1.0, 100.0):
        primal = torch.linalg.cond(Xc.T @ Xc + n * lambd * torch.eye(d, dtype=X.dtype))
        dual = torch.linalg.cond(Xc @ Xc.T + n * lambd * torch.eye(n, dtype=X.dtype))
        by_hand = (nonzero[0] + n * lambd) / (n * lambd)
        torch.testing.assert_close(primal, by_hand, rtol=1e-8, atol=0.0)
        torch.testing.assert_close(dual, by_hand, rtol=1e-8, atol=0.0)
