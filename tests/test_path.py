"""The vectorized regularization path, lambda selection, the plot helper and ``weightdecay path``."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
import pytest
import torch
from sklearn.model_selection import KFold

from weightdecay import (
    Problem,
    make_problem,
    plot_path,
    regularization_path,
    select_lambda_cv,
    select_lambda_holdout,
    train_scratch,
)
from weightdecay.cli import main, parse_grid
from weightdecay.path import _kfold

if TYPE_CHECKING:
    from pathlib import Path

    from weightdecay.trainer import L1Update

GRID = [0.0, 0.3, 2.0, 3.0, 30.0]


def assert_relative(actual: torch.Tensor, expected: torch.Tensor, rel: float = 1e-5) -> None:
    """Equal to ``rel`` relative to the size of ``expected`` (a few weights sit near zero)."""
    scale = float(expected.abs().max())
    torch.testing.assert_close(actual, expected, rtol=rel, atol=rel * scale)


# --------------------------------------------------------------------------------------------
# Each column is a train_scratch run
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("penalty", "l1_update", "dtype"),
    [
        ("l2", "subgradient", torch.float32),
        # The L1 subgradient step moves each weight by lr * lambd * sign(w): a weight that sits
        # within rounding error of zero can take the other sign in a (d, K) product than in a
        # (d, 1) one, and that flip of 2 * lr * lambd never heals. float64 keeps the rounding
        # (1e-16) far from any weight, so the two computations take the same branches. The
        # proximal step's threshold test |w| <= lr * lambd is a branch of the same kind.
        ("l1", "subgradient", torch.float64),
        ("l1", "proximal", torch.float64),
        ("elasticnet", "subgradient", torch.float64),
    ],
)
def test_each_column_is_train_scratch(
    penalty: str, l1_update: L1Update, dtype: torch.dtype
) -> None:
    problem = make_problem(dtype=dtype)
    path = regularization_path(
        problem, GRID, penalty=penalty, l1_update=l1_update, num_epochs=40, seed=3
    )
    assert path.W.shape == (problem.num_inputs, len(GRID))
    assert path.epochs == list(range(5, 41, 5))
    for k, lambd in enumerate(GRID):
        run = train_scratch(
            problem, lambd=lambd, penalty=penalty, l1_update=l1_update, num_epochs=40, seed=3
        )
        # The parameters together, relative to their scale: the bias alone can be near zero.
        assert_relative(
            torch.cat([path.W[:, k], path.b[k : k + 1]]), torch.cat([run.w[:, 0], run.b])
        )
        for mine, theirs in (
            (path.train_loss, run.history.train_loss),
            (path.test_loss, run.history.test_loss),
        ):
            torch.testing.assert_close(
                mine[:, k], torch.tensor(theirs, dtype=dtype), rtol=1e-5, atol=0
            )
        assert math.isclose(float(path.w_norm[k]), run.w_norm, rel_tol=1e-5)


def test_shared_initial_weights_and_final_summaries() -> None:
    problem = make_problem()
    w0 = torch.linspace(-1, 1, problem.num_inputs).reshape(-1, 1)
    b0 = torch.tensor([0.2])
    path = regularization_path(problem, [0.5, 5.0], num_epochs=10, initial=(w0, b0))
    run = train_scratch(problem, lambd=5.0, num_epochs=10, initial=(w0, b0))
    assert_relative(path.W[:, 1:], run.w)
    torch.testing.assert_close(path.final_test_loss, path.test_loss[-1])
    assert path.num_near_zero.tolist() == (path.W.abs() < 1e-3).sum(0).tolist()
    assert path.penalty == "l2"
    assert path.lambdas.dtype == torch.float64


def test_proximal_l1_counts_exact_zeros() -> None:
    problem = make_problem()
    path = regularization_path(problem, [0.1, 2.0], penalty="l1", l1_update="proximal")
    exact = (path.W == 0).sum(0)
    assert bool((path.num_near_zero >= exact).all())
    assert int(exact[1]) > 150  # most of the 200 weights are exactly zero at lambda = 2


def test_a_diverging_column_is_reported_not_raised() -> None:
    problem = make_problem()
    # |1 - lr * 5000| = 14: the weights grow 14-fold per update until they overflow.
    path = regularization_path(problem, [1.0, 5000.0], num_epochs=10)
    assert path.diverged.tolist() == [False, True]
    assert set(path.divergences) == {1}
    assert path.divergences[1].lr == 0.003
    assert math.isnan(float(path.final_test_loss[1]))
    assert math.isfinite(float(path.final_test_loss[0]))
    assert bool(torch.isfinite(path.W).all())  # frozen at the last finite weights
    healthy = train_scratch(problem, lambd=1.0, num_epochs=10)
    assert_relative(path.W[:, :1], healthy.w)
    payload = json.dumps(path.to_dict(), allow_nan=False)  # NaN became null
    assert '"1"' in payload
    _, norm_ax = plot_path(path)  # the diverged column is a gap (warnings are errors here)
    norms = np.asarray(norm_ax.get_lines()[0].get_ydata(), dtype=float)
    assert np.isnan(norms).tolist() == [False, True]


def test_tensor_grid_and_progress_callback() -> None:
    problem = make_problem()
    reports: list[int] = []
    path = regularization_path(
        problem,
        torch.tensor([0.1, 1.0], dtype=torch.float64),
        num_epochs=12,
        progress=reports.append,
    )
    assert path.lambdas.tolist() == [0.1, 1.0]
    assert reports == [5, 10, 12]


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
    splits = _kfold(n_train, folds)
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


def test_cv_chooses_inside_the_grid_and_is_reproducible() -> None:
    problem = make_problem()
    grid = torch.logspace(-2, 2, 9)
    first = select_lambda_cv(problem, grid, folds=4)
    second = select_lambda_cv(problem, grid, folds=4)
    assert first.best_lambda in grid.tolist()
    assert first.best_index == int(first.mean.argmin())
    assert first.lambda_1se >= first.best_lambda
    within = (
        first.mean[first.index_1se] <= first.mean[first.best_index] + first.sem[first.best_index]
    )
    assert bool(within)
    assert torch.equal(first.val_loss, second.val_loss)
    assert (first.best_lambda, first.lambda_1se) == (second.best_lambda, second.lambda_1se)
    other_seed = select_lambda_cv(problem, grid, folds=4, seed=1)
    assert not torch.equal(first.val_loss, other_seed.val_loss)
    assert first.method == "4-fold cross-validation"
    torch.testing.assert_close(first.sem, first.val_loss.std(0) / 2)  # sample std / sqrt(4)


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
    assert holdout.best_lambda in grid
    assert holdout.to_dict()["method"] == "hold-out validation on the last 4 rows"


def test_diverged_lambdas_are_never_chosen() -> None:
    problem = make_problem()
    cv = select_lambda_cv(problem, [1.0, 5000.0], num_epochs=10)
    assert cv.diverged.tolist() == [False, True]
    assert cv.best_lambda == 1.0
    with pytest.raises(FloatingPointError, match="every lambda diverged during 5-fold"):
        select_lambda_cv(problem, [4000.0, 5000.0], num_epochs=10)


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
        with pytest.raises(TypeError, match=r"problem must be a weightdecay.data.Problem"):
            fn(object(), [1.0])  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Plot and command line
# --------------------------------------------------------------------------------------------
def test_plot_path_with_zero_in_the_grid() -> None:
    mpl.use("Agg")
    problem = make_problem()
    grid = [0.0, 0.1, 1.0, 10.0]
    path = regularization_path(problem, grid, num_epochs=10)
    holdout = select_lambda_holdout(problem, grid, num_epochs=10)
    loss_ax, norm_ax = plot_path(path, validation=holdout, label="L2")
    assert loss_ax.get_xscale() == norm_ax.get_xscale() == "symlog"
    legend = loss_ax.get_legend()
    assert legend is not None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels[:3] == [
        "L2: train",
        "L2: test",
        "L2: validation (hold-out validation on the last 5 rows)",
    ]
    assert labels[-1] == f"chosen: {holdout.best_lambda:g}"
    with pytest.raises(ValueError, match="same grid"):
        plot_path(path, validation=select_lambda_holdout(problem, [1.0], num_epochs=5))


def test_parse_grid() -> None:
    grid = parse_grid("1e-3:1e2:51")
    assert len(grid) == 51
    assert grid[0] == 1e-3
    assert grid[-1] == 100.0
    assert grid[25] == pytest.approx(10**-0.5)
    assert parse_grid("3") == [3.0]


def test_cli_path_with_cv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot, data = tmp_path / "path.png", tmp_path / "path.json"
    argv = ["path", "--lambdas", "0.1:100:4", "--folds", "4", "--epochs", "20"]
    assert main([*argv, "--plot", str(plot), "--json", str(data)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["lambda", "train", "test", "||w||", "CV", "mean", "+-", "std"]
    assert [float(line.split()[0]) for line in lines[1:5]] == [0.1, 1.0, 10.0, 100.0]
    assert sum("<- chosen" in line for line in lines) == 1
    assert "chosen lambda = " in out
    assert "4-fold cross-validation" in out
    assert "one-standard-error rule" in out
    assert "wrote" in err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    payload = json.loads(data.read_text())
    assert payload["config"]["folds"] == 4
    assert payload["selection"]["best_lambda"] in [0.1, 1.0, 10.0, 100.0]
    assert len(payload["path"]["w_norm"]) == 4


def test_cli_path_holdout_l1_and_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["path", "--penalty", "l1", "--lambdas", "0.5,2", "--epochs", "10"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "|w|<1e-3" in out.splitlines()[0]
    assert "hold-out validation on the last 5 rows" in out
    assert main([*argv, "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["config"]["penalty"] == "l1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["path", "--lambdas", "1,0.1"], "lambdas must be in increasing order"),
        (["path", "--lambdas", "0.1,0.1"], "lambdas must not repeat a value"),
        (["path", "--lambdas", ""], "--lambdas: expected START:STOP:NUM"),
        (["path", "--lambdas", "1:0.1:5"], "--lambdas: expected START:STOP:NUM"),
        (["path", "--lambdas", "0:1:5"], "--lambdas: expected START:STOP:NUM"),
        (["path", "--lambdas", "1:2"], "--lambdas: expected START:STOP:NUM"),
        (["path", "--lambdas=-1,2"], "lambdas[0] must be a finite number >= 0, got -1.0"),
        (["path", "--folds", "1"], "folds must be an integer in [2, 20], got 1"),
        (["path", "--folds", "21"], "folds must be an integer in [2, 20], got 21"),
        (["path", "--n-val", "20"], "n_val must be an integer in [1, 19], got 20"),
        (["path", "--folds", "4", "--n-val", "4"], "not allowed with argument --folds"),
        (["path", "--l1-ratio", "0.5"], "--l1-ratio goes with --penalty elasticnet"),
        (["path", "--lambdas", "5000", "--epochs", "20"], "every lambda diverged"),
    ],
)
def test_cli_path_bad_arguments(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors exit from inside parse_args
        code = exit_.code  # type: ignore[assignment]
    assert code == (1 if "diverged" in message else 2)
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
