"""Choosing lambda: k-fold and hold-out validation, checked against scikit-learn and closed forms."""

from __future__ import annotations

import json
import math

import pytest
import torch
from sklearn.model_selection import KFold

from weightdecay import (
    Problem,
    make_problem,
    regularization_path,
    ridge_closed_form,
    select_lambda_cv,
    select_lambda_holdout,
    train_scratch,
)
from weightdecay.selection import kfold_splits


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------
def fold_problem(problem: Problem, train_rows: torch.Tensor, val_rows: torch.Tensor) -> Problem:
    """The fold as a Problem whose test split is the held-out fold."""
    X, y = problem.X_train, problem.y_train
    return Problem(
        X[train_rows], y[train_rows], X[val_rows], y[val_rows], problem.true_w, problem.true_b
    )


@pytest.mark.parametrize(("n_train", "folds"), [(20, 5), (20, 3), (7, 7)])
def test_folds_are_kfold_and_each_fold_is_train_scratch(n_train: int, folds: int) -> None:
    problem = make_problem(n_train=n_train, num_inputs=30)
    splits = kfold_splits(n_train, folds)
    expected = list(KFold(n_splits=folds).split(range(n_train)))
    assert [(t.tolist(), v.tolist()) for t, v in splits] == [
        (t.tolist(), v.tolist()) for t, v in expected
    ]
    grid = [0.1, 1.0, 10.0]
    batch_size = min(5, n_train - -(-n_train // folds))
    cv = select_lambda_cv(problem, grid, folds=folds, num_epochs=20, batch_size=batch_size)
    assert cv.val_loss.shape == (folds, len(grid))
    for f in {0, folds - 1}:  # the first and last folds differ in size when folds does not divide n
        sub = fold_problem(problem, *splits[f])
        for k, lambd in enumerate(grid):
            run = train_scratch(sub, lambd=lambd, num_epochs=20, batch_size=batch_size)
            assert math.isclose(float(cv.val_loss[f, k]), run.history.test_loss[-1], rel_tol=1e-5)
            assert math.isclose(
                float(cv.train_loss[f, k]), run.history.train_loss[-1], rel_tol=1e-5
            )
    torch.testing.assert_close(cv.mean, cv.val_loss.mean(0))
    torch.testing.assert_close(cv.std, cv.val_loss.std(0, correction=0))


def test_best_and_one_standard_error_choices_follow_their_definitions() -> None:
    problem = make_problem()
    grid = torch.logspace(-2, 2, 9)
    cv = select_lambda_cv(problem, grid, folds=4)
    mean = cv.val_loss.mean(0)
    best = int(mean.argmin())
    assert cv.best_index == best
    assert cv.best_lambda == float(grid[best])
    # The 1-SE rule: the *largest* lambda whose mean is within one standard error of the best.
    sem = float(cv.val_loss[:, best].std()) / math.sqrt(4)  # sample std over 4 folds
    within = [k for k in range(len(grid)) if float(mean[k]) <= float(mean[best]) + sem]
    assert cv.index_1se == max(within)
    torch.testing.assert_close(cv.sem, cv.val_loss.std(0) / 2)
    again = select_lambda_cv(problem, grid, folds=4)
    assert torch.equal(cv.val_loss, again.val_loss)
    assert not torch.equal(cv.val_loss, select_lambda_cv(problem, grid, folds=4, seed=1).val_loss)
    assert cv.method == "4-fold cross-validation"


def test_cv_finds_the_closed_form_optimum_inside_the_grid() -> None:
    # A problem where SGD converges and the best lambda lies inside the grid: 60 examples, 10
    # features, noisy labels. The reference CV curve uses ridge_closed_form (the exact minimizer
    # each trained model converges to) on the same folds.
    problem = make_problem(
        n_train=60, num_inputs=10, true_w=0.3, noise=1.0, seed=5, dtype=torch.float64
    )
    grid = torch.logspace(-3, 1, 13, dtype=torch.float64)
    splits = kfold_splits(60, 5)
    exact = torch.zeros(len(splits), len(grid), dtype=torch.float64)
    X, y = problem.X_train, problem.y_train
    for f, (train_rows, val_rows) in enumerate(splits):
        for k, lambd in enumerate(grid.tolist()):
            w, b = ridge_closed_form(X[train_rows], y[train_rows], lambd)
            exact[f, k] = ((X[val_rows] @ w + b - y[val_rows]) ** 2 / 2).mean()
    best_exact = int(exact.mean(0).argmin())
    assert 0 < best_exact < len(grid) - 1, "the test needs an interior optimum"
    cv = select_lambda_cv(
        problem, grid, folds=5, num_epochs=400, lr=0.02, batch_size=12, eval_every=400
    )
    assert abs(cv.best_index - best_exact) <= 1
    torch.testing.assert_close(cv.mean, exact.mean(0), rtol=0.02, atol=0)


def test_holdout_is_train_scratch_on_the_first_rows() -> None:
    problem = make_problem()
    grid = [0.5, 5.0]
    holdout = select_lambda_holdout(problem, grid, n_val=4, num_epochs=20)
    rows = torch.arange(20)
    sub = fold_problem(problem, rows[:16], rows[16:])
    for k, lambd in enumerate(grid):
        run = train_scratch(sub, lambd=lambd, num_epochs=20)
        assert math.isclose(float(holdout.val_loss[0, k]), run.history.test_loss[-1], rel_tol=1e-5)
    assert holdout.std.tolist() == [0.0, 0.0]
    assert holdout.index_1se == holdout.best_index
    assert holdout.best_lambda == grid[int(holdout.val_loss[0].argmin())]
    assert holdout.to_dict()["method"] == "hold-out validation on the last 4 rows"


def test_diverged_lambdas_are_never_chosen() -> None:
    problem = make_problem()
    cv = select_lambda_cv(problem, [1.0, 5000.0], num_epochs=10)
    assert cv.diverged.tolist() == [False, True]
    assert cv.best_lambda == 1.0
    with pytest.raises(FloatingPointError, match="every lambda diverged during 5-fold"):
        select_lambda_cv(problem, [4000.0, 5000.0], num_epochs=10)


def test_selection_repr_config_and_strict_json() -> None:
    cv = select_lambda_cv(make_problem(seed=1), [0.1, 1.0, 5000.0], num_epochs=10)
    assert len(repr(cv)) < 300
    assert cv.config["folds"] == 5
    assert cv.config["data_seed"] == 1
    data = json.loads(json.dumps(cv.to_dict(), allow_nan=False))  # the diverged column is null
    assert data["mean"][2] is None


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("grid", "error", "message"),
    [
        ([], ValueError, r"lambdas must hold at least one value, got an empty grid"),
        ([0.1, -1.0], ValueError, r"lambdas\[1\] must be a finite number >= 0, got -1.0"),
        ([0.1, float("nan")], ValueError, r"lambdas\[1\] must be a finite number >= 0, got nan"),
        ([float("inf")], ValueError, r"lambdas\[0\] must be a finite number >= 0, got inf"),
        (
            [1.0, 0.1],
            ValueError,
            r"lambdas must be in increasing order .* got 1.0 before 0.1 at index 1",
        ),
        (
            [0.1, 1.0, 1.0],
            ValueError,
            r"lambdas must not repeat a value, got 1.0 at indices 1 and 2",
        ),
        ([3.0, 1.0, 3.0], ValueError, r"lambdas must be in increasing order"),
        ([0.1, "1"], TypeError, r"lambdas\[1\] must be a real number, got '1' of type str"),
        ([True], TypeError, r"lambdas\[0\] must be a real number, got True"),
        ("0.1", TypeError, r"lambdas must be a sequence of numbers or a 1-D tensor, got str"),
        (3.0, TypeError, r"lambdas must be a sequence of numbers or a 1-D tensor, got float"),
        (torch.ones(2, 2), TypeError, r"lambdas must be a 1-D real tensor, got shape \(2, 2\)"),
    ],
)
def test_bad_grids(grid: object, error: type[Exception], message: str) -> None:
    problem = make_problem()
    for fn in (regularization_path, select_lambda_cv, select_lambda_holdout):
        with pytest.raises(error, match=message):
            fn(problem, grid)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"folds": 1}, ValueError, r"folds must be an integer in \[2, 20\], got 1"),
        ({"folds": 21}, ValueError, r"folds must be an integer in \[2, 20\], got 21"),
        ({"folds": 2.5}, TypeError, r"folds must be an integer, got 2.5"),
        (
            {"folds": 4, "batch_size": 16},
            ValueError,
            r"batch_size must be an integer in \[1, 15\] \(the smallest training set of 4-fold cross-validation has 15 rows\), got 16",
        ),
        ({"lr": 0.0}, ValueError, r"lr must be a finite number > 0, got 0.0"),
        (
            {"penalty": "l3"},
            ValueError,
            r"penalty must be one of 'l1', 'l2', 'elasticnet', got 'l3'",
        ),
        ({"l1_update": "exact"}, ValueError, r"l1_update must be one of 'subgradient', 'proximal'"),
    ],
)
def test_bad_cv_arguments(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        select_lambda_cv(make_problem(), [0.1, 1.0], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_val": 0}, r"n_val must be an integer in \[1, 19\], got 0"),
        ({"n_val": 20}, r"n_val must be an integer in \[1, 19\], got 20"),
        (
            {"n_val": 16},
            r"batch_size must be an integer in \[1, 4\] \(the training rows left with n_val=16 has 4 rows\), got 5",
        ),
    ],
)
def test_bad_holdout_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        select_lambda_holdout(make_problem(), [0.1, 1.0], **kwargs)  # type: ignore[arg-type]


def test_not_a_problem() -> None:
    for fn in (regularization_path, select_lambda_cv, select_lambda_holdout):
        with pytest.raises(TypeError, match=r"problem must be a weightdecay.problem.Problem"):
            fn(object(), [1.0])  # type: ignore[arg-type]
