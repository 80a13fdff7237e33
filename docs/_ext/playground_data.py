r"""The numbers behind the λ playground (``docs/playground.md``), computed from the library.

:func:`playground_data` draws the book's problem at every training-set size of :data:`SIZES`
and trains it over one grid of penalty strengths with :func:`weightdecay.regularization_path`:
the L2 and the L1 penalty from scratch, and the concise trainer's ``weight_decay``. Beside each
run it puts the converged estimator on the same data (:func:`weightdecay.ridge_closed_form`, the
exact minimizer of the L2 objective, bias included) and its expectation over draws
(:func:`weightdecay.theory.ridge_risk`), both on the trainer's loss scale.

:func:`write_playground_data` writes one small file that the page needs before anything else
(the settings, the grid, the sizes) and one file per size with its runs, which the page loads
when a reader picks that size. Each is written as JSON and as the same JSON assigned in a small
``.js`` file, which a page opened from disk (``file://``) can load with a ``<script>`` tag where
``fetch()`` of a local file fails.

The grid ends below the largest :math:`\lambda` for which every SGD update is a contraction.
With the L2 penalty one update multiplies the weights by :math:`I - \eta(\lambda I + X_B^\top
X_B/|B|)`, whose eigenvalues lie in :math:`(-1, 1)` when :math:`\eta(L_B + \lambda) < 2`,
:math:`L_B` being the largest eigenvalue of :math:`X_B^\top X_B/|B|`. :func:`curvature_bound`
bounds :math:`L_B` over *every* minibatch that SGD can draw from the training set, at every size.

This module imports no Sphinx: ``docs/_ext/playground.py`` calls it during a build, and
``tests/test_playground_data.py`` imports it by path. ``playground_claims`` checks what the page
says against the data.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
from typing import TYPE_CHECKING, Any

import torch

import weightdecay
from weightdecay import (
    make_problem,
    regularization_path,
    ridge_closed_form,
    ridge_risk,
    train_concise,
    train_scratch,
)
from weightdecay.path import ZERO_TOL

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from weightdecay import PathResult, Problem

__all__ = [
    "DATA_NAME",
    "DEFAULT_SIZE",
    "DISAGREEMENT",
    "JS_VARIABLE",
    "LAMBDA_ANCHOR",
    "LAMBDA_MIN",
    "LOG10_STEP",
    "RUNS_VARIABLE",
    "SIGNIFICANT_DIGITS",
    "SIZES",
    "curvature_bound",
    "defaults",
    "log_grid",
    "playground_data",
    "round_significant",
    "size_file",
    "write_playground_data",
]

SIZES = (10, 20, 50, 100, 150, 200, 250, 400)
"""The training-set sizes of the ``n`` slider: the book's 20, the number of weights (200), more."""
DEFAULT_SIZE = 20
"""The book's training-set size, shown first."""
LOG10_STEP = 0.11
"""About how far apart the λ slider's positions are, in log10."""
LAMBDA_MIN = 1e-6
"""The grid's smallest strength (or just below): small enough for the converged estimator's
peak at n = d to show."""
LAMBDA_ANCHOR = 3.0
"""A strength that the grid holds exactly: the book's λ = 3."""
SIGNIFICANT_DIGITS = 4
"""Every loss, norm and weight in the data files is rounded to this many significant digits."""
DISAGREEMENT = 1.25
"""The page notes that optimization has not finished where SGD's final test loss and the
converged estimator's differ by more than this factor."""
LOG10_DECIMALS = 6
"""The grid's log10 values have this many decimals, so a range input steps through them exactly."""
DATA_NAME = "playground-data"
"""Base name of the written files: ``playground-data.json``/``.js``, ``playground-data-n20.js``."""
JS_VARIABLE = "weightdecayPlayground"
"""The global that ``playground-data.js`` assigns the settings, the grid and the sizes to."""
RUNS_VARIABLE = "weightdecayPlaygroundRuns"
"""The global object that each size's ``.js`` file adds its runs to, under its size."""

_TRAINING = ("num_epochs", "lr", "batch_size", "eval_every", "seed")
_PROBLEM = ("n_test", "num_inputs", "true_w", "true_b", "noise", "seed")

Data = dict[str, Any]


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


def curvature_bound(X: torch.Tensor, batch_size: int) -> float:
    r"""An upper bound on :math:`L_B`, the largest eigenvalue of :math:`X_B^\top X_B/|B|`, over
    every minibatch :math:`B` of ``batch_size`` rows of ``X``.

    :math:`L_B` is also the largest eigenvalue of the :math:`|B|\times|B|` matrix
    :math:`G_B = X_B X_B^\top/|B|`, which by Gershgorin's theorem is at most the largest absolute
    row sum of :math:`G_B`. Row :math:`i` of any :math:`G_B` sums at most :math:`G_{ii}` plus the
    :math:`|B| - 1` largest :math:`|G_{ij}|`, :math:`j \ne i`, of the full :math:`G = X X^\top/|B|`:
    one pass over :math:`G`, where the minibatches number :math:`\binom{n}{|B|}`.

    Examples
    --------
    Two orthogonal rows of squared norm 4, in minibatches of 2: :math:`G_B = 2I`, :math:`L_B = 2`.

    >>> curvature_bound(torch.tensor([[2.0, 0.0], [0.0, 2.0]]), batch_size=2)
    2.0
    """
    n = int(X.shape[0])
    if not 1 <= batch_size <= n:
        msg = f"batch_size must be between 1 and the number of rows ({n}), got {batch_size!r}."
        raise ValueError(msg)
    X64 = X.to(torch.float64)
    gram = X64 @ X64.T / batch_size
    off_diagonal = gram.abs().fill_diagonal_(0.0)
    largest = off_diagonal.topk(batch_size - 1, dim=1).values.sum(dim=1)
    return float((gram.diagonal() + largest).max())


def log_grid(low: float, high: float, *, anchor: float, step: float) -> list[float]:
    """log10 values spaced by about ``step``, through ``log10(anchor)``, from ``log10(low)`` or
    just below it up to at most ``log10(high)``.

    Every value is a short decimal (:data:`LOG10_DECIMALS` places): a browser's range input,
    whose ``min``, ``step`` and ``max`` these become, steps through them exactly. The step is
    rounded *down*, so the last value never exceeds ``log10(high)``.

    Examples
    --------
    >>> log_grid(1e-3, 10.0, anchor=1.0, step=1.0)
    [-3.0, -2.0, -1.0, 0.0, 1.0]
    >>> log_grid(0.1, 30.0, anchor=3.0, step=0.5)  # log10(3) = 0.477121
    [-1.189544, -0.856211, -0.522878, -0.189545, 0.143788, 0.477121, 0.810454, 1.143787, 1.47712]
    """
    if not (math.isfinite(low) and math.isfinite(high) and 0 < low < anchor < high):
        msg = (
            f"the grid needs 0 < low < anchor < high, got low={low!r}, anchor={anchor!r} "
            f"and high={high!r}."
        )
        raise ValueError(msg)
    if not (math.isfinite(step) and step > 0):
        msg = f"step must be a finite number > 0, got {step!r}."
        raise ValueError(msg)
    middle = round(math.log10(anchor), LOG10_DECIMALS)
    above = max(1, math.ceil((math.log10(high) - middle) / step))
    scale = 10**LOG10_DECIMALS
    exact = math.floor((math.log10(high) - middle) / above * scale) / scale
    if exact <= 0:
        msg = f"the grid from {anchor!r} to {high!r} is too narrow for steps of 1e-6 in log10."
        raise ValueError(msg)
    below = math.ceil((middle - math.log10(low)) / exact - 1e-9)
    return [round(middle + k * exact, LOG10_DECIMALS) for k in range(-below, above + 1)]


def size_file(n: int) -> str:
    """The base name of size ``n``'s files.

    >>> size_file(20)
    'playground-data-n20'
    """
    return f"{DATA_NAME}-n{n}"


def playground_data(
    *, sizes: Sequence[int] = SIZES, step: float = LOG10_STEP, lambda_min: float = LAMBDA_MIN
) -> Data:
    """Train the book's problem at every size over the grid and collect what the page shows.

    Parameters
    ----------
    sizes : sequence of int, default=SIZES
        Training-set sizes, increasing, each a multiple of the minibatch size; one of them is
        :data:`DEFAULT_SIZE`.
    step : float, default=LOG10_STEP
        About how far apart the grid's points are, in log10 (> 0).
    lambda_min : float, default=LAMBDA_MIN
        The grid's smallest strength, or just above it (0 < lambda_min < LAMBDA_ANCHOR).

    Returns
    -------
    dict
        Strict-JSON-ready: ``"common"``, what the page needs first (settings, grids, sizes,
        starting weights, the charts' ranges), and ``"sizes"``, per size (as a string) its runs,
        zero predictor, converged estimator and theory.

    Raises
    ------
    ValueError
        If ``sizes`` is empty, not increasing, misses :data:`DEFAULT_SIZE` or holds a size that
        the minibatch size does not divide.
    """
    scratch = defaults(regularization_path, (*_TRAINING, "l1_update"))
    concise = defaults(train_concise, _TRAINING)
    if concise["batch_size"] != scratch["batch_size"]:
        msg = "the concise and scratch trainers must share a batch size."
        raise ValueError(msg)
    batch = scratch["batch_size"]
    sizes = list(sizes)
    if (
        not sizes
        or sizes != sorted(set(sizes))
        or DEFAULT_SIZE not in sizes
        or any(isinstance(n, bool) or not isinstance(n, int) or n % batch for n in sizes)
    ):
        msg = (
            f"sizes must be increasing multiples of the batch size {batch}, with "
            f"{DEFAULT_SIZE} among them; got {sizes!r}."
        )
        raise ValueError(msg)
    setting = defaults(make_problem, _PROBLEM)
    problems = {n: make_problem(n_train=n, seed=setting["seed"]) for n in sizes}
    curvature = max(curvature_bound(p.X_train, batch) for p in problems.values())
    bounds = {
        "scratch": 2 / scratch["lr"] - curvature,
        "concise": 2 * (1 / concise["lr"] - curvature),
    }
    grids = {
        name: log_grid(lambda_min, bound, anchor=LAMBDA_ANCHOR, step=step)
        for name, bound in bounds.items()
    }
    starts = {
        "scratch": _scratch_start(problems[DEFAULT_SIZE], scratch),
        "concise": _concise_start(problems[DEFAULT_SIZE], concise),
    }
    per_size = {
        str(n): _size_data(problem, scratch, concise, grids, starts)
        for n, problem in problems.items()
    }
    w_norm = math.sqrt(setting["num_inputs"]) * abs(setting["true_w"])
    common = {
        "format": 2,
        "generated_by": "docs/_ext/playground_data.py",
        "weightdecay_version": weightdecay.__version__,
        "significant_digits": SIGNIFICANT_DIGITS,
        "zero_tol": ZERO_TOL,
        "problem": setting,
        "sizes": sizes,
        "default_size": DEFAULT_SIZE,
        "disagreement_ratio": DISAGREEMENT,
        "epochs": per_size[str(DEFAULT_SIZE)].pop("epochs"),
        "curvature": {"bound": curvature, "batch_size": batch, "method": "gershgorin"},
        "theory": {
            "function": "ridge_risk",
            "w_norm": w_norm,
            "noise": setting["noise"],
            "expected_zero_predictor_mse": round_significant(w_norm**2 + setting["noise"] ** 2),
        },
        "trainers": {
            name: _trainer_record(name, settings, grids[name], bounds[name], starts[name])
            for name, settings in (("scratch", scratch), ("concise", concise))
        },
    }
    for record in per_size.values():
        record.pop("epochs", None)
    for name, trainer in common["trainers"].items():
        trainer["ranges"] = _ranges([s["trainers"][name] for s in per_size.values()])
    return {"common": common, "sizes": per_size}


def write_playground_data(data: Data, folder: Path) -> list[Path]:
    """Write ``data`` into ``folder``: ``playground-data.json``/``.js`` (the common part) and
    ``playground-data-n{n}.json``/``.js`` for each size.

    The ``.js`` file of a size adds its runs to ``window.weightdecayPlaygroundRuns`` under the
    size; that of the common part assigns it to ``window.weightdecayPlayground``, with a
    ``files`` entry that names each size's files (the script's name carries a hash of its
    contents, so that a browser never runs an old copy) and their sizes in bytes.

    Returns
    -------
    list of pathlib.Path
        The files written, the common ones first.

    Raises
    ------
    ValueError
        If ``data`` holds NaN or an infinity (strict JSON has neither).
    """
    folder.mkdir(parents=True, exist_ok=True)
    files, written = {}, []
    for n, record in data["sizes"].items():
        target = f"(window.{RUNS_VARIABLE} = window.{RUNS_VARIABLE} || {{}})[{json.dumps(n)}]"
        json_path, js_path = _write_pair(folder, size_file(int(n)), record, target)
        digest = hashlib.sha256(js_path.read_bytes()).hexdigest()[:12]
        files[n] = {
            "script": f"{js_path.name}?v={digest}",
            "json": json_path.name,
            "bytes": js_path.stat().st_size,
        }
        written += [json_path, js_path]
    common = {**data["common"], "files": files}
    return [*_write_pair(folder, DATA_NAME, common, f"window.{JS_VARIABLE}"), *written]


def _write_pair(folder: Path, name: str, piece: Data, target: str) -> tuple[Path, Path]:
    """``piece`` as ``name.json``, and as ``name.js`` that assigns it to ``target``."""
    try:
        text = json.dumps(piece, allow_nan=False, separators=(",", ":"), ensure_ascii=True)
    except ValueError as error:
        msg = f"data must hold only finite numbers (strict JSON): {error}."
        raise ValueError(msg) from error
    json_path, js_path = folder / f"{name}.json", folder / f"{name}.js"
    json_path.write_text(text + "\n", encoding="utf-8")
    js_path.write_text(
        "// The playground's data, written by docs/_ext/playground_data.py at build time.\n"
        f"{target} = {text};\n",
        encoding="utf-8",
    )
    return json_path, js_path


# --------------------------------------------------------------------------------------------
# The two trainers
# --------------------------------------------------------------------------------------------
def _trainer_record(
    name: str,
    settings: dict[str, Any],
    grid: list[float],
    bound: float,
    start: tuple[torch.Tensor, ...],
) -> Data:
    """What a trainer's runs share at every size: settings, grid, starting weights."""
    if name == "scratch":
        described = {
            "function": "regularization_path",
            "strength": "lambda",
            "loss": "half squared error",
            "loss_scale": 1,
            "penalties": ["l2", "l1"],
        }
    else:
        described = {
            "function": "train_concise",
            "strength": "weight_decay",
            "loss": "squared error",
            "loss_scale": 2,
            "penalties": ["l2"],
            "computed_as": {
                "function": "regularization_path",
                "penalty": "l2",
                "lr": 2 * settings["lr"],
                "lambda": "weight_decay / 2",
                "loss": "2 x half squared error",
            },
        }
    return {
        **described,
        "stability_bound": bound,
        "settings": settings,
        "grid": _grid_record(grid),
        "initial_w": _weights(start[0]),
        "initial_w_norm": round_significant(float(start[0].norm())),
    }


def _concise_start(problem: Problem, settings: dict[str, Any]) -> tuple[torch.Tensor, ...]:
    """train_concise's own N(0, 1) start: weights and bias."""
    run = train_concise(problem, **{**settings, "num_epochs": 1})
    assert run.initial is not None
    return run.initial


def _scratch_start(problem: Problem, settings: dict[str, Any]) -> tuple[torch.Tensor, ...]:
    """The seeded N(0, 1) start that every from-scratch column shares (one epoch is enough)."""
    run = train_scratch(problem, **{**settings, "num_epochs": 1})
    assert run.initial is not None  # a run that did not diverge reports its start
    return run.initial


def _size_data(
    problem: Problem,
    scratch: dict[str, Any],
    concise: dict[str, Any],
    grids: dict[str, list[float]],
    starts: dict[str, tuple[torch.Tensor, ...]],
) -> Data:
    """Every run at one training-set size, with its zero predictor, converged fit and theory."""
    lambdas = [10**x for x in grids["scratch"]]
    paths = {
        penalty: regularization_path(problem, lambdas, penalty=penalty, **scratch)
        for penalty in ("l2", "l1")
    }
    # torch.optim's weight_decay = wd at lr takes the from-scratch L2 step with lambda = wd / 2
    # at 2 lr, from the concise model's own start; its MSE losses are twice the half ones.
    wds = [10**x for x in grids["concise"]]
    w0, b0 = starts["concise"]
    paths["concise"] = regularization_path(
        problem,
        [wd / 2 for wd in wds],
        penalty="l2",
        **{**scratch, "lr": 2 * concise["lr"]},
        initial=(w0, b0),
    )
    for path in paths.values():
        if path.divergences:
            msg = f"columns {sorted(path.divergences)} of the playground's grid diverged."
            raise FloatingPointError(msg)
    zero = _zero_predictor_loss(problem)
    return {
        "n_train": problem.n_train,
        "num_updates": scratch["num_epochs"] * -(-problem.n_train // scratch["batch_size"]),
        "mean_train_label": round_significant(float(problem.y_train.double().mean())),
        "mean_test_label": round_significant(float(problem.y_test.double().mean())),
        "epochs": list(paths["l2"].epochs),
        "trainers": {
            "scratch": {
                "zero_predictor_loss": round_significant(zero),
                "runs": {p: _records(paths[p], 1.0) for p in ("l2", "l1")},
                "converged": _converged(problem, lambdas, 1.0),
                "theory": _theory(problem, lambdas, 1.0),
                "bias_refitted": _bias_refitted(problem, paths["l2"]),
            },
            "concise": {
                "zero_predictor_loss": round_significant(2 * zero),
                "runs": {"l2": _records(paths["concise"], 2.0, strengths=wds)},
                "converged": _converged(problem, [wd / 2 for wd in wds], 2.0),
                "theory": _theory(problem, [wd / 2 for wd in wds], 2.0),
            },
        },
    }


# --------------------------------------------------------------------------------------------
# References: the zero predictor, the converged estimator, the theory
# --------------------------------------------------------------------------------------------
def _zero_predictor_loss(problem: Problem) -> float:
    """Test loss of w = 0 with the bias set to the training labels' mean: ½ mean (y - ȳ)²."""
    mean_y = problem.y_train.to(torch.float64).mean()
    return float(0.5 * (problem.y_test.to(torch.float64) - mean_y).square().mean())


def _half_test_loss(problem: Problem, w: torch.Tensor, b: torch.Tensor | float) -> float:
    X, y = problem.X_test.to(torch.float64), problem.y_test.to(torch.float64)
    return float(0.5 * (X @ w.to(torch.float64) + b - y).square().mean())


def _converged(problem: Problem, lambdas: Sequence[float], scale: float) -> list[float]:
    """Test loss of the exact minimizer of the L2 objective (bias included) at each lambda."""
    X, y = problem.X_train.to(torch.float64), problem.y_train.to(torch.float64)
    losses = []
    for lam in lambdas:
        w, b = ridge_closed_form(X, y, lam)
        losses.append(round_significant(scale * _half_test_loss(problem, w, b)))
    return losses


def _theory(problem: Problem, lambdas: Sequence[float], scale: float) -> list[float]:
    """½ ridge_risk (the expected test MSE, no intercept) at each lambda, times ``scale``."""
    assert problem.true_w is not None  # make_problem knows its true weights
    w_norm = float(problem.true_w.to(torch.float64).norm())
    noise = defaults(make_problem, ["noise"])["noise"]
    strengths = torch.tensor(lambdas, dtype=torch.float64)
    risks = ridge_risk(problem.n_train, problem.num_inputs, strengths, w_norm=w_norm, noise=noise)
    return [round_significant(scale * 0.5 * float(r)) for r in risks]


def _bias_refitted(problem: Problem, path: PathResult) -> list[float]:
    """Test loss of each column's weights with the bias refitted: b = mean(y - X w) on training."""
    X, y = problem.X_train.to(torch.float64), problem.y_train.to(torch.float64)
    losses = []
    for k in range(path.W.shape[1]):
        w = path.W[:, k : k + 1].to(torch.float64)
        losses.append(round_significant(_half_test_loss(problem, w, (y - X @ w).mean())))
    return losses


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------
def _grid_record(log10_values: list[float]) -> Data:
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
    path: PathResult, loss_scale: float, strengths: Sequence[float] | None = None
) -> list[Data]:
    """One record per grid point: final losses, norm, zero counts, histories, final weights.

    ``strengths`` replaces the path's lambdas as each record's ``strength`` (the concise
    trainer's weight decays), and each record then keeps the lambda the path was trained with.
    """
    values = path.lambdas.tolist() if strengths is None else list(strengths)
    records = []
    for k, strength in enumerate(values):
        w = path.W[:, k]
        extra = {} if strengths is None else {"path_lambda": float(path.lambdas[k])}
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


def _ranges(per_size: list[Data]) -> Data:
    """The smallest and largest loss of a trainer over every size: fixed axes as n changes."""
    history: list[float] = []
    final: list[float] = []
    for record in per_size:
        final += [record["zero_predictor_loss"], *record["converged"], *record["theory"]]
        for runs in record["runs"].values():
            for run in runs:
                history += run["train_loss"] + run["test_loss"]
                final.append(run["final_test_loss"])
    history.append(min(final))
    return {"history": [min(history), max(history)], "final": [min(final), max(final)]}
