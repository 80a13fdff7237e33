"""The vectorized regularization path: every column is a train_scratch run."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pytest
import torch

from weightdecay import make_problem, plot_path, regularization_path, train_scratch
from weightdecay.path import ZERO_TOL

if TYPE_CHECKING:
    from weightdecay._settings import L1Update

GRID = [0.0, 0.3, 2.0, 3.0, 30.0]


def assert_relative(actual: torch.Tensor, expected: torch.Tensor, rel: float = 1e-5) -> None:
    """Equal to ``rel`` relative to the size of ``expected`` (a few weights sit near zero)."""
    scale = float(expected.abs().max())
    torch.testing.assert_close(actual, expected, rtol=rel, atol=rel * scale)


def custom_penalty(w: torch.Tensor) -> torch.Tensor:
    """A penalty the engine knows nothing about: its gradient comes from torch.func."""
    return (w**4).sum() / 4 + w.abs().sum() / 10


# --------------------------------------------------------------------------------------------
# Each column is a train_scratch run (the readable autograd loop)
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("penalty", "l1_update", "dtype", "rel"),
    [
        ("l2", "subgradient", torch.float64, 1e-10),
        ("l1", "subgradient", torch.float64, 1e-10),
        ("l1", "proximal", torch.float64, 1e-10),
        ("elasticnet", "subgradient", torch.float64, 1e-10),
        ("elasticnet", "proximal", torch.float64, 1e-10),
        (custom_penalty, "subgradient", torch.float64, 1e-10),
        # In float32 the L1 subgradient's sign(w) of a weight within rounding of zero can differ
        # between a (d, K) product and a (d, 1) one, and that flip of 2 lr lambd never heals:
        # L1 is compared in float64 only.
        ("l2", "subgradient", torch.float32, 1e-4),
    ],
    ids=["l2", "l1", "l1-proximal", "elasticnet", "elasticnet-proximal", "custom", "l2-float32"],
)
def test_each_column_is_train_scratch_over_100_epochs(
    penalty: Any, l1_update: L1Update, dtype: torch.dtype, rel: float
) -> None:
    problem = make_problem(dtype=dtype)
    path = regularization_path(problem, GRID, penalty=penalty, l1_update=l1_update, seed=3)
    assert path.W.shape == (problem.num_inputs, len(GRID))
    assert path.epochs == list(range(5, 101, 5))
    for k, lambd in enumerate(GRID):
        run = train_scratch(problem, lambd=lambd, penalty=penalty, l1_update=l1_update, seed=3)
        mine = torch.cat([path.W[:, k], path.b[k : k + 1]])
        theirs = torch.cat([run.w[:, 0], run.b])
        assert float((mine - theirs).norm() / theirs.norm()) <= rel, f"lambda = {lambd}"
        # Losses: relative, but a float32 train loss near 1e-5 (lambda = 0) carries rounding of
        # the weights' scale, so allow an absolute 1e-7 there.
        atol = 0.0 if dtype == torch.float64 else 1e-7
        for ours, reference in (
            (path.train_loss, run.history.train_loss),
            (path.test_loss, run.history.test_loss),
        ):
            expected = torch.tensor(reference, dtype=dtype)
            torch.testing.assert_close(ours[:, k], expected, rtol=max(rel, 1e-9), atol=atol)
    assert path.initial is not None
    assert torch.equal(path.initial[0], run.initial[0])  # type: ignore[index]


def test_shared_initial_weights_and_final_summaries() -> None:
    problem = make_problem()
    w0 = torch.linspace(-1, 1, problem.num_inputs).reshape(-1, 1)
    b0 = torch.tensor([0.2])
    path = regularization_path(problem, [0.5, 5.0], num_epochs=10, initial=(w0, b0))
    run = train_scratch(problem, lambd=5.0, num_epochs=10, initial=(w0, b0))
    assert_relative(path.W[:, 1:], run.w)
    torch.testing.assert_close(path.final_test_loss, path.test_loss[-1])
    assert path.penalty == "l2"
    assert path.lambdas.dtype == torch.float64


def test_near_zero_counts_match_a_count_by_hand() -> None:
    problem = make_problem()
    path = regularization_path(problem, [0.1, 2.0], penalty="l1", l1_update="proximal")
    for k in range(2):
        by_hand = sum(1 for v in path.W[:, k].tolist() if abs(v) < ZERO_TOL)
        assert int(path.num_near_zero[k]) == by_hand
    # The proximal step lands on exact zeros: at lambda = 2 most of the 200 weights are 0.0.
    assert sum(1 for v in path.W[:, 1].tolist() if v == 0.0) > 150


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
    # Reported at the first evaluation whose loss is not finite, kept at the one before.
    d = path.divergences[1]
    assert d.quantity == "evaluation loss"
    assert d.epoch == 5
    assert d.step == 20
    alone = train_scratch(problem, lambd=5000.0, num_epochs=10, on_divergence="stop")
    assert alone.divergence is not None
    assert alone.divergence.epoch <= d.epoch  # the trainer checks every update: never later
    payload = json.dumps(path.to_dict(), allow_nan=False)  # NaN became null
    assert '"1"' in payload
    mpl.use("Agg")
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


def test_repr_and_config() -> None:
    path = regularization_path(make_problem(seed=2), [0.1, 1.0, 10.0], penalty="l1", num_epochs=10)
    assert len(repr(path)) < 300
    assert "penalty='l1'" in repr(path)
    assert path.config["data_seed"] == 2
    assert path.config["penalty"] == "l1"
    assert path.config["num_epochs"] == 10
    assert json.loads(json.dumps(path.to_dict(), allow_nan=False))["config"] == path.config


def test_the_path_leaves_torchs_threads_and_batched_solves_alone() -> None:
    # In a fresh interpreter with torch's default threads: after a path, the thread count is
    # unchanged and a batched linear solve is still right (torch 2.13's CPU build gets it wrong
    # once set_num_threads has been called with 2 or more, which the engine used to do).
    code = """
import torch
from weightdecay import make_problem, regularization_path
threads = torch.get_num_threads()
regularization_path(make_problem(), [0.1, 1.0], num_epochs=2)
assert torch.get_num_threads() == threads
g = torch.Generator().manual_seed(0)
A = torch.randn(4, 200, 200, generator=g, dtype=torch.float64) + 20 * torch.eye(200, dtype=torch.float64)
b = torch.randn(4, 200, 1, generator=g, dtype=torch.float64)
assert float((A @ torch.linalg.solve(A, b) - b).abs().max()) < 1e-10
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)
