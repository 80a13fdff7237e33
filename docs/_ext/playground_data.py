r"""The numbers behind the λ playground (``docs/playground.md``), computed from the library.

:func:`playground_data` trains the default problem over a grid of penalty strengths with
:func:`weightdecay.regularization_path`, for the L2 and the L1 penalty from scratch and for the
concise trainer's ``weight_decay``; :func:`write_playground_data` writes the result as JSON, and
as the same JSON assigned to a global in a small ``.js`` file, which a page opened from disk
(``file://``) can load with a ``<script>`` tag where ``fetch()`` of a local file fails.

The grid ends at the largest :math:`\lambda` for which every SGD update is a contraction. With the
L2 penalty one update multiplies the weights by :math:`I - \eta(\lambda I + X_B^\top X_B/|B|)`,
whose eigenvalues lie in :math:`(-1, 1)` when :math:`\eta(L_B + \lambda) < 2`, :math:`L_B` being
the largest eigenvalue of :math:`X_B^\top X_B/|B|`. :func:`max_minibatch_curvature` takes the
largest :math:`L_B` over *every* minibatch that SGD can draw from the training set.

This module imports no Sphinx: ``docs/_ext/playground.py`` calls it during a build and
``tests/test_playground_data.py`` imports it by path.
"""

from __future__ import annotations

import inspect
import itertools
import json
import math
from typing import TYPE_CHECKING, Any

import torch

import weightdecay
from weightdecay import make_problem, regularization_path, train_concise, train_scratch
from weightdecay.path import ZERO_TOL

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from weightdecay import PathResult, Problem

__all__ = [
    "DATA_NAME",
    "JS_VARIABLE",
    "LAMBDA_MIN",
    "NUM_LAMBDAS",
    "SIGNIFICANT_DIGITS",
    "check_claims",
    "defaults",
    "log_grid",
    "max_minibatch_curvature",
    "playground_data",
    "round_significant",
    "write_playground_data",
]

NUM_LAMBDAS = 64
"""Grid points per trainer: the slider's positions."""
LAMBDA_MIN = 1e-3
"""The smallest penalty strength of the grid."""
SIGNIFICANT_DIGITS = 4
"""Every loss, norm and weight in the data file is rounded to this many significant digits."""
LOG10_DECIMALS = 6
"""The grid's log10 values have this many decimals, so a range input steps through them exactly."""
MAX_MINIBATCHES = 1_000_000
"""Refuse to enumerate more minibatches than this in :func:`max_minibatch_curvature`."""
DATA_NAME = "playground-data"
"""Base name of the written files: ``playground-data.json`` and ``playground-data.js``."""
JS_VARIABLE = "weightdecayPlayground"
"""The global that ``playground-data.js`` assigns the data to."""

_TRAINING = ("num_epochs", "lr", "batch_size", "eval_every", "seed")
_PROBLEM = ("n_train", "n_test", "num_inputs", "true_w", "true_b", "noise", "seed")


def defaults(function: Callable[..., object], names: Sequence[str]) -> dict[str, Any]:
    """The default values of some keyword arguments of ``function``, read from its signature.

    Examples
    --------
    >>> defaults(make_problem, ["n_train", "seed"])
    {'n_train': 20, 'seed': 0}
    """
    parameters = inspect.signature(function).parameters
    return {name: parameters[name].default for name in names}


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits; a non-finite value is an error.

    Examples
    --------
    >>> round_significant(105.0818), round_significant(0.000123456)
    (105.1, 0.0001235)
    """
    if not math.isfinite(value):
        msg = f"value must be finite to be written as strict JSON, got {value!r}."
        raise ValueError(msg)
    return float(f"{value:.{digits}g}")


def max_minibatch_curvature(X: torch.Tensor, batch_size: int) -> tuple[float, int]:
    r"""The largest eigenvalue of :math:`X_B^\top X_B/|B|` over every minibatch :math:`B` of rows.

    SGD shuffles the rows every epoch, so any ``batch_size`` of them may form a minibatch; each
    one's :math:`|B|\times|B|` Gram matrix :math:`X_B X_B^\top/|B|` has the same non-zero
    eigenvalues, and is cheap.

    Parameters
    ----------
    X : torch.Tensor of shape (n, d)
        The training features.
    batch_size : int
        The minibatch size; it must divide ``n`` (every minibatch is then full).

    Returns
    -------
    curvature : float
        The largest :math:`L_B`.
    count : int
        How many minibatches were checked: :math:`\binom{n}{|B|}`.

    Examples
    --------
    >>> L, count = max_minibatch_curvature(torch.eye(4), batch_size=2)
    >>> L, count
    (0.5, 6)
    """
    n = int(X.shape[0])
    if not 1 <= batch_size <= n or n % batch_size:
        msg = f"batch_size must divide the number of rows ({n}), got {batch_size!r}."
        raise ValueError(msg)
    count = math.comb(n, batch_size)
    if count > MAX_MINIBATCHES:
        msg = f"there are {count} minibatches of {batch_size} of {n} rows, more than {MAX_MINIBATCHES} to check."
        raise ValueError(msg)
    gram = X.to(torch.float64) @ X.to(torch.float64).T / batch_size
    rows = torch.tensor(list(itertools.combinations(range(n), batch_size)))
    blocks = gram[rows.unsqueeze(-1), rows.unsqueeze(-2)]  # (count, |B|, |B|)
    return float(torch.linalg.eigvalsh(blocks)[:, -1].max()), count


def log_grid(low: float, high: float, num: int) -> list[float]:
    """``num`` log10 values from ``log10(low)`` up to at most ``log10(high)``, equally spaced.

    The step is rounded *down* to :data:`LOG10_DECIMALS` decimals (so the last value never
    exceeds ``high``) and every value is a short decimal, which a browser's range input, whose
    ``min``, ``step`` and ``max`` these become, steps through exactly.

    Examples
    --------
    >>> log_grid(1e-3, 10.0, 5)
    [-3.0, -2.0, -1.0, 0.0, 1.0]
    >>> log_grid(1.0, 603.1, 3)
    [0.0, 1.390194, 2.780388]
    """
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
        msg = f"the grid needs 0 < low < high, got low={low!r} and high={high!r}."
        raise ValueError(msg)
    if num < 2:
        msg = f"num must be an integer >= 2, got {num!r}."
        raise ValueError(msg)
    start = round(math.log10(low), LOG10_DECIMALS)
    scale = 10**LOG10_DECIMALS
    step = math.floor((math.log10(high) - start) / (num - 1) * scale) / scale
    if step <= 0:
        msg = f"the grid from {low!r} to {high!r} is too narrow for {num} distinct values."
        raise ValueError(msg)
    return [round(start + k * step, LOG10_DECIMALS) for k in range(num)]


def playground_data(*, num: int = NUM_LAMBDAS, lambda_min: float = LAMBDA_MIN) -> dict[str, Any]:
    """Train the default problem over the grid and collect what the playground shows.

    Parameters
    ----------
    num : int, default=NUM_LAMBDAS
        Grid points per trainer (>= 2).
    lambda_min : float, default=LAMBDA_MIN
        The grid's smallest strength (> 0, below the stability bound).

    Returns
    -------
    dict
        Strict-JSON-ready: the settings, the zero predictor, the curvature and, per trainer, the
        grid and one record per strength (final losses, norm, zero counts, loss histories,
        final weights).
    """
    problem_settings = defaults(make_problem, _PROBLEM)
    problem = make_problem(seed=problem_settings["seed"])
    scratch = defaults(regularization_path, (*_TRAINING, "l1_update"))
    concise = defaults(train_concise, _TRAINING)
    if concise["batch_size"] != scratch["batch_size"]:
        msg = "the concise and scratch trainers must share a batch size."
        raise ValueError(msg)
    curvature, minibatches = max_minibatch_curvature(problem.X_train, scratch["batch_size"])
    zero_loss = _zero_predictor_loss(problem)
    assert problem.true_w is not None  # make_problem knows its true weights
    true_w_norm2 = float(problem.true_w.to(torch.float64).square().sum())
    trainers = {
        "scratch": _scratch_trainer(problem, scratch, curvature, num, lambda_min, zero_loss),
        "concise": _concise_trainer(problem, concise, curvature, num, lambda_min, zero_loss),
    }
    data = {
        "format": 1,
        "generated_by": "docs/_ext/playground_data.py",
        "weightdecay_version": weightdecay.__version__,
        "significant_digits": SIGNIFICANT_DIGITS,
        "zero_tol": ZERO_TOL,
        "problem": problem_settings,
        "epochs": trainers["scratch"].pop("epochs"),
        "curvature": {
            "max_minibatch_eigenvalue": curvature,
            "minibatches_checked": minibatches,
            "batch_size": scratch["batch_size"],
        },
        "zero_predictor": {
            "test_loss": round_significant(zero_loss),
            "expected_test_loss": round_significant(
                0.5 * (true_w_norm2 + problem_settings["noise"] ** 2)
            ),
        },
        "trainers": trainers,
    }
    check_claims(data)
    return data


def check_claims(data: dict[str, Any]) -> None:
    """Fail if a statement of the playground page's "What to try" list no longer holds.

    Raises
    ------
    AssertionError
        Naming the statement that the data contradicts.
    """
    true_w = abs(data["problem"]["true_w"])
    for name, trainer in data["trainers"].items():
        zero_loss = trainer["zero_predictor_loss"]
        for penalty, runs in trainer["runs"].items():
            where = f"{name}, {penalty}"
            first, last = runs[0], runs[-1]
            test = [r["final_test_loss"] for r in runs]
            best = test.index(min(test))
            claims = {
                "at the smallest strength the train loss falls": first["train_loss"][-1]
                < first["train_loss"][0] / 100,
                "at the smallest strength the test loss is far above the zero predictor's": test[0]
                > 100 * zero_loss,
                "at the smallest strength the weights lie along the diagonal": _cosine(
                    first["w"], trainer["initial_w"]
                )
                > 0.9,
                "the lowest test loss lies between the ends of the grid": 0 < best < len(runs) - 1,
            }
            if penalty == "l2":
                claims["L2: the test loss drops below the zero predictor's"] = (
                    test[best] < zero_loss
                )
                claims["L2: at the largest strength all weights are close to zero"] = (
                    max(abs(v) for v in last["w"]) < true_w
                )
                claims["L2: at the largest strength the test loss is near the zero predictor's"] = (
                    0.5 < test[-1] / zero_loss < 2
                )
            else:
                claims["L1: some weights end near zero"] = max(r["near_zeros"] for r in runs) > 0
                claims["L1: at a large strength the test loss climbs again"] = (
                    test[-1] > 10 * test[best]
                )
            failed = [claim for claim, holds in claims.items() if not holds]
            if failed:
                msg = f"the playground page says what the data ({where}) contradicts: {failed}"
                raise AssertionError(msg)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def write_playground_data(data: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    """Write ``data`` as ``playground-data.json`` and ``playground-data.js`` into ``folder``.

    The ``.js`` file holds the same JSON text, assigned to ``window.weightdecayPlayground``.

    Returns
    -------
    json_path, js_path : pathlib.Path
        The two files written.

    Raises
    ------
    ValueError
        If ``data`` holds NaN or an infinity (strict JSON has neither).
    """
    try:
        text = json.dumps(data, allow_nan=False, separators=(",", ":"), ensure_ascii=True)
    except ValueError as error:
        msg = f"data must hold only finite numbers (strict JSON): {error}."
        raise ValueError(msg) from error
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / f"{DATA_NAME}.json"
    js_path = folder / f"{DATA_NAME}.js"
    json_path.write_text(text + "\n", encoding="utf-8")
    js_path.write_text(
        "// The lambda playground's data, written by docs/_ext/playground_data.py at build time.\n"
        f"window.{JS_VARIABLE} = {text};\n",
        encoding="utf-8",
    )
    return json_path, js_path


# --------------------------------------------------------------------------------------------
# The two trainers
# --------------------------------------------------------------------------------------------
def _scratch_trainer(
    problem: Problem,
    settings: dict[str, Any],
    curvature: float,
    num: int,
    lambda_min: float,
    zero_loss: float,
) -> dict[str, Any]:
    """The from-scratch grid: lr * (L + lambda) < 2 for every update; L2 and L1 paths."""
    bound = 2 / settings["lr"] - curvature
    grid = log_grid(lambda_min, bound, num)
    paths = {
        penalty: regularization_path(problem, [10**x for x in grid], penalty=penalty, **settings)
        for penalty in ("l2", "l1")
    }
    _check_finite(*paths.values())
    w0 = _scratch_initial_weights(problem, settings)
    return {
        "function": "regularization_path",
        "strength": "lambda",
        "settings": settings,
        "num_updates": settings["num_epochs"] * _updates_per_epoch(problem, settings),
        "loss": "half squared error",
        "loss_scale": 1,
        "zero_predictor_loss": round_significant(zero_loss),
        "stability_bound": bound,
        "grid": _grid_record(grid),
        "initial_w": _weights(w0),
        "initial_w_norm": round_significant(float(w0.norm())),
        "runs": {penalty: _records(path, 1.0) for penalty, path in paths.items()},
        "epochs": list(paths["l2"].epochs),
    }


def _concise_trainer(
    problem: Problem,
    settings: dict[str, Any],
    curvature: float,
    num: int,
    lambda_min: float,
    zero_loss: float,
) -> dict[str, Any]:
    """The weight_decay grid of train_concise, computed as the path it equals.

    torch.optim's ``weight_decay=wd`` at ``lr`` takes the from-scratch L2 step with
    ``lambda = wd / 2`` at ``2 lr``, from the concise model's own N(0, 1) start (weight and
    bias), and its MSE losses are twice the half squared errors: stable when
    ``2 lr (L + wd / 2) < 2``.
    """
    bound = 2 * (1 / settings["lr"] - curvature)
    grid = log_grid(lambda_min, bound, num)
    start = train_concise(problem, **{**settings, "num_epochs": 1}).initial
    assert start is not None  # a run that did not diverge reports its start
    path = regularization_path(
        problem,
        [10**x / 2 for x in grid],
        penalty="l2",
        **{**settings, "lr": 2 * settings["lr"]},
        initial=start,
    )
    _check_finite(path)
    return {
        "function": "train_concise",
        "strength": "weight_decay",
        "settings": settings,
        "num_updates": settings["num_epochs"] * _updates_per_epoch(problem, settings),
        "computed_as": {
            "function": "regularization_path",
            "penalty": "l2",
            "lr": 2 * settings["lr"],
            "lambda": "weight_decay / 2",
            "loss": "2 x half squared error",
        },
        "loss": "squared error",
        "loss_scale": 2,
        "zero_predictor_loss": round_significant(2 * zero_loss),
        "stability_bound": bound,
        "grid": _grid_record(grid),
        "initial_w": _weights(start[0]),
        "initial_w_norm": round_significant(float(start[0].norm())),
        "runs": {"l2": _records(path, 2.0, strengths=grid, path_lambda=True)},
    }


def _check_finite(*paths: PathResult) -> None:
    for path in paths:
        if path.divergences:
            msg = f"columns {sorted(path.divergences)} of the playground's grid diverged."
            raise FloatingPointError(msg)


def _updates_per_epoch(problem: Problem, settings: dict[str, Any]) -> int:
    batch_size: int = settings["batch_size"]
    return -(-problem.n_train // batch_size)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
def _zero_predictor_loss(problem: Problem) -> float:
    """Test loss of w = 0 with the bias set to the training labels' mean: ½ mean (y - ȳ)²."""
    mean_y = problem.y_train.to(torch.float64).mean()
    return float(0.5 * (problem.y_test.to(torch.float64) - mean_y).square().mean())


def _scratch_initial_weights(problem: Problem, settings: dict[str, Any]) -> torch.Tensor:
    """The seeded N(0, 1) start that every from-scratch column shares (one epoch is enough)."""
    run = train_scratch(problem, **{**settings, "num_epochs": 1})
    assert run.initial is not None
    return run.initial[0]


def _grid_record(log10_values: list[float]) -> dict[str, Any]:
    return {
        "num": len(log10_values),
        "log10_min": log10_values[0],
        "log10_max": log10_values[-1],
        "log10_step": round(log10_values[1] - log10_values[0], LOG10_DECIMALS),
        "log10": log10_values,
        "values": [10**x for x in log10_values],
    }


def _weights(w: torch.Tensor) -> list[float]:
    """Weights rounded, except where rounding would move one across the near-zero tolerance."""
    rounded = []
    for value in w.reshape(-1).tolist():
        short = round_significant(value)
        rounded.append(value if (abs(short) < ZERO_TOL) != (abs(value) < ZERO_TOL) else short)
    return rounded


def _records(
    path: PathResult,
    loss_scale: float,
    strengths: Sequence[float] | None = None,
    *,
    path_lambda: bool = False,
) -> list[dict[str, Any]]:
    """One record per grid point: final losses, norm, zero counts, histories, final weights.

    ``strengths`` replaces the path's lambdas as each record's ``strength`` (the concise
    trainer's weight decays); ``path_lambda`` then keeps the lambda the path was trained with.
    """
    values = path.lambdas.tolist() if strengths is None else [10**x for x in strengths]
    records = []
    for k, strength in enumerate(values):
        w = path.W[:, k]
        extra = {"path_lambda": float(path.lambdas[k])} if path_lambda else {}
        records.append(
            {
                "strength": strength,
                **extra,
                "final_train_loss": round_significant(loss_scale * float(path.final_train_loss[k])),
                "final_test_loss": round_significant(loss_scale * float(path.final_test_loss[k])),
                "w_norm": round_significant(float(path.w_norm[k])),
                "exact_zeros": int((w == 0).sum()),
                "near_zeros": int((w.abs() < ZERO_TOL).sum()),
                "b": round_significant(float(path.b[k])),
                "train_loss": [
                    round_significant(loss_scale * v) for v in path.train_loss[:, k].tolist()
                ],
                "test_loss": [
                    round_significant(loss_scale * v) for v in path.test_loss[:, k].tolist()
                ],
                "w": _weights(w),
            }
        )
    return records
