"""The figures: the helpers draw what they are given, on the scales d2l uses."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pytest
import torch

from weightdecay import (
    make_problem,
    plot_coefficients,
    plot_history,
    plot_path,
    regularization_path,
    select_lambda_holdout,
    train_scratch,
)

mpl.use("Agg")


def _values(data: object) -> list[float]:
    return [float(v) for v in np.asarray(data, dtype=float)]


def test_plot_path_with_zero_in_the_grid() -> None:
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


def test_plot_history_draws_the_recorded_losses() -> None:
    history = train_scratch(make_problem(), num_epochs=10).history
    ax = plot_history(history, label="run")
    train, test = ax.get_lines()
    assert _values(train.get_xdata()) == history.epochs
    assert _values(train.get_ydata()) == history.train_loss
    assert _values(test.get_ydata()) == history.test_loss
    assert ax.get_yscale() == "log"


def test_plot_coefficients_draws_every_weight_and_highlights_the_truth() -> None:
    problem = make_problem(num_nonzero=10, true_w=1.0, n_train=50)
    path = regularization_path(
        problem, [0.0, 0.1, 1.0, 5000.0], penalty="elasticnet", num_epochs=10
    )
    assert problem.true_w is not None
    ax = plot_coefficients(path, highlight=problem.true_w != 0, highlight_label="true support")
    lines = ax.get_lines()[:-1]  # the last line is the zero line
    assert len(lines) == 200
    for j in (0, 57, 199):
        ys = _values(lines[j].get_ydata())
        assert ys[:3] == pytest.approx(path.W[j, :3].tolist())
        assert math.isnan(ys[3])  # lambda = 5000 diverged: a gap
    colours = [line.get_color() for line in lines]
    assert colours.count("C1") == 10
    assert ax.get_xscale() == "symlog"
    legend = ax.get_legend()
    assert legend is not None
    assert sorted(t.get_text() for t in legend.get_texts()) == ["true support", "weights"]
    with pytest.raises(
        ValueError, match=r"highlight must have one entry per weight \(200\), got 3"
    ):
        plot_coefficients(path, highlight=torch.ones(3, dtype=torch.bool))
