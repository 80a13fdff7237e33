"""The λ playground's data (``docs/_ext/playground_data.py``), against independent references.

The writer's records are compared with ``train_scratch`` and ``train_concise`` run one at a time,
its stability bound with singular values computed here, its initial weights with the exact
null-space shrinkage of the L2 update, and its zero predictor with numpy; the files it writes
must be strict JSON (no NaN or Infinity).
"""

from __future__ import annotations

import doctest
import importlib.util
import itertools
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from weightdecay import make_problem, regularization_path, train_concise, train_scratch
from weightdecay.path import ZERO_TOL

if TYPE_CHECKING:
    from types import ModuleType

EXT = Path(__file__).resolve().parents[1] / "docs" / "_ext" / "playground_data.py"
LR = 0.003  # the trainers' default learning rate (DESIGN.md)
BATCH = 5  # their default minibatch size


def _load_writer() -> ModuleType:
    """Import docs/_ext/playground_data.py by its path (docs/_ext is no package)."""
    spec = importlib.util.spec_from_file_location("playground_data", EXT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


writer = _load_writer()

Data = dict[str, Any]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Data, Path, Path]:
    """The data of a real build, and the two files written from it."""
    data: Data = writer.playground_data()
    json_path, js_path = writer.write_playground_data(data, tmp_path_factory.mktemp("_static"))
    return data, json_path, js_path


@pytest.fixture(scope="module")
def data(written: tuple[Data, Path, Path]) -> Data:
    return written[0]


@pytest.fixture(scope="module")
def curvature() -> float:
    """max over every 5-row minibatch of sigma_max(X_B)^2 / 5: numpy's spectral norm."""
    X = make_problem(seed=0).X_train.to(torch.float64).numpy()
    rows = itertools.combinations(range(X.shape[0]), BATCH)
    return max(float(np.linalg.norm(X[list(r)], 2)) ** 2 / BATCH for r in rows)


# --------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------
def test_curvature_is_the_largest_over_every_minibatch(data: Data, curvature: float) -> None:
    record = data["curvature"]
    assert record["minibatches_checked"] == math.comb(20, BATCH) == 15504
    assert record["max_minibatch_eigenvalue"] == pytest.approx(curvature, rel=1e-10)


@pytest.mark.parametrize(
    ("trainer", "bound"),
    [
        # from scratch: lr * (L + lambda) < 2
        ("scratch", lambda L: 2 / LR - L),
        # concise: its step is scratch's at 2 lr with lambda = wd / 2: 2 lr (L + wd / 2) < 2
        ("concise", lambda L: 2 / LR - 2 * L),
    ],
)
def test_grid_runs_from_1e3_to_just_below_the_stability_bound(
    data: Data, curvature: float, trainer: str, bound: Any
) -> None:
    grid = data["trainers"][trainer]["grid"]
    values, log10 = np.array(grid["values"]), np.array(grid["log10"])
    expected_bound = bound(curvature)
    assert grid["num"] == len(values) >= 64
    assert values[0] == pytest.approx(1e-3, rel=1e-12)
    assert np.all(np.diff(values) > 0)
    np.testing.assert_allclose(values, 10.0**log10, rtol=1e-12)
    # Equally spaced in log10, with the range input's min, max and step.
    np.testing.assert_allclose(np.diff(log10), grid["log10_step"], atol=1e-9)
    assert grid["log10_min"] == log10[0]
    assert grid["log10_max"] == log10[-1]
    assert grid["log10_min"] + (grid["num"] - 1) * grid["log10_step"] == pytest.approx(
        grid["log10_max"], abs=1e-9
    )
    # The largest value is below the bound, and within 0.1 % of it.
    assert data["trainers"][trainer]["stability_bound"] == pytest.approx(expected_bound, rel=1e-9)
    assert expected_bound * 0.999 < values[-1] < expected_bound


def test_every_update_of_the_grid_contracts_and_beyond_two_over_lr_diverges(
    data: Data, curvature: float
) -> None:
    lambdas = data["trainers"]["scratch"]["grid"]["values"]
    assert all(LR * (curvature + lam) < 2 for lam in lambdas)
    # Past 2 / lr the null-space factor 1 - lr * lambda is below -1: the run blows up.
    beyond = regularization_path(make_problem(seed=0), [1.1 * 2 / LR])
    assert list(beyond.divergences) == [0]


@given(
    low=st.floats(1e-6, 1e2),
    ratio=st.floats(1.01, 1e6),
    num=st.integers(2, 200),
)
def test_log_grid_is_evenly_spaced_and_never_passes_high(
    low: float, ratio: float, num: int
) -> None:
    high = low * ratio
    grid = writer.log_grid(low, high, num)
    assert len(grid) == num
    assert grid[0] == round(math.log10(low), 6)
    assert grid[-1] <= math.log10(high) + 1e-12
    steps = np.diff(grid)
    assert steps[0] > 0
    np.testing.assert_allclose(steps, steps[0], atol=2e-6)


# --------------------------------------------------------------------------------------------
# The records against the trainers, one run at a time
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("penalty", ["l2", "l1"])
@pytest.mark.parametrize("index", [0, 31, 63])
def test_records_match_train_scratch(data: Data, penalty: str, index: int) -> None:
    scratch = data["trainers"]["scratch"]
    lam = scratch["grid"]["values"][index]
    record = scratch["runs"][penalty][index]
    run = train_scratch(make_problem(seed=0), lambd=lam, penalty=penalty)
    assert record["strength"] == lam
    _assert_record_is(record, run.history.train_loss, run.history.test_loss, run.w, run.w_norm)
    assert data["epochs"] == run.history.epochs


@pytest.mark.parametrize("index", [20, 50])
def test_concise_records_match_train_concise(data: Data, index: int) -> None:
    concise = data["trainers"]["concise"]
    wd = concise["grid"]["values"][index]
    record = concise["runs"]["l2"][index]
    run = train_concise(make_problem(seed=0), weight_decay=wd)
    assert record["strength"] == wd
    assert record["path_lambda"] == pytest.approx(wd / 2, rel=1e-12)
    _assert_record_is(record, run.history.train_loss, run.history.test_loss, run.w, run.w_norm)
    assert run.initial is not None
    np.testing.assert_allclose(concise["initial_w"], run.initial[0].flatten(), rtol=5e-4)


def _assert_record_is(
    record: Data, train_loss: list[float], test_loss: list[float], w: torch.Tensor, w_norm: float
) -> None:
    """Equal within the 4-significant-digit rounding (a relative error of at most 5e-4)."""
    assert record["final_train_loss"] == pytest.approx(train_loss[-1], rel=1e-3)
    assert record["final_test_loss"] == pytest.approx(test_loss[-1], rel=1e-3)
    assert record["w_norm"] == pytest.approx(w_norm, rel=1e-3)
    # A float32 train loss near 1e-6 carries the rounding of the weights: an absolute 1e-8 too.
    np.testing.assert_allclose(record["train_loss"], train_loss, rtol=1e-3, atol=1e-8)
    np.testing.assert_allclose(record["test_loss"], test_loss, rtol=1e-3)
    np.testing.assert_allclose(record["w"], w.flatten(), rtol=1e-3, atol=1e-6)
    assert record["exact_zeros"] == int((w == 0).sum())
    assert record["near_zeros"] == int((w.abs() < ZERO_TOL).sum())


def test_initial_weights_are_where_every_scratch_run_started(data: Data) -> None:
    """With L2 the data never moves w outside the row space of X_train, and each update
    multiplies that part by 1 - lr * lambda: after T updates it is (1 - lr lambda)^T of the
    start's. That identifies the start, whatever else the data did."""
    scratch = data["trainers"]["scratch"]
    X = make_problem(seed=0).X_train.to(torch.float64).numpy()
    null_space = np.eye(X.shape[1]) - np.linalg.pinv(X) @ X
    w0 = np.array(scratch["initial_w"])
    updates = 100 * 20 // BATCH
    assert scratch["num_updates"] == updates
    checked = 0
    for lam, record in zip(scratch["grid"]["values"], scratch["runs"]["l2"], strict=True):
        factor = (1 - LR * lam) ** updates
        if not 0.05 < factor < 0.95:
            continue
        expected = factor * (null_space @ w0)
        actual = null_space @ np.array(record["w"])
        np.testing.assert_allclose(actual, expected, atol=2e-3 * np.abs(expected).max())
        checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------------------------
# The zero predictor, the rounding, the files
# --------------------------------------------------------------------------------------------
def test_zero_predictor(data: Data) -> None:
    problem = make_problem(seed=0)
    y_train = problem.y_train.numpy().astype(np.float64)
    y_test = problem.y_test.numpy().astype(np.float64)
    measured = 0.5 * np.mean((y_test - y_train.mean()) ** 2)
    assert data["zero_predictor"]["test_loss"] == pytest.approx(measured, rel=1e-3)
    # 200 true weights of 0.01 and noise 0.01: 1/2 (||w*||^2 + sigma^2).
    assert data["zero_predictor"]["expected_test_loss"] == pytest.approx(
        0.5 * (200 * 0.01**2 + 0.01**2), rel=1e-3
    )
    assert data["trainers"]["scratch"]["zero_predictor_loss"] == pytest.approx(measured, rel=1e-3)
    assert data["trainers"]["concise"]["zero_predictor_loss"] == pytest.approx(
        2 * measured, rel=1e-3
    )


def _records(data: Data) -> list[Data]:
    return [r for t in data["trainers"].values() for runs in t["runs"].values() for r in runs]


def test_floats_are_rounded_and_near_zeros_survive_the_rounding(data: Data) -> None:
    def rounded(value: float) -> bool:
        return float(f"{value:.4g}") == value

    for record in _records(data):
        for key in ("final_train_loss", "final_test_loss", "w_norm", "b"):
            assert rounded(record[key]), (key, record[key])
        assert all(map(rounded, record["train_loss"] + record["test_loss"]))
        assert sum(abs(v) < ZERO_TOL for v in record["w"]) == record["near_zeros"]
        assert sum(v == 0 for v in record["w"]) == record["exact_zeros"]
        assert sum(not rounded(v) for v in record["w"]) <= 2  # kept exact near the tolerance


def test_files_hold_the_same_strict_json(written: tuple[Data, Path, Path]) -> None:
    data, json_path, js_path = written

    def no_constant(name: str) -> None:
        msg = f"not strict JSON: {name}"
        raise AssertionError(msg)

    text = json_path.read_text(encoding="utf-8")
    assert json.loads(text, parse_constant=no_constant) == data
    json.dumps(data, allow_nan=False)
    header, assignment = js_path.read_text(encoding="utf-8").split("\n", 1)
    assert header.startswith("//")
    assert assignment == f"window.weightdecayPlayground = {text.strip()};\n"
    size = js_path.stat().st_size
    print(f"data file: {js_path.name} {size / 1024:.0f} KiB, {json_path.name} the same")
    assert size < 512 * 1024


def test_writer_refuses_nan(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"data must hold only finite numbers \(strict JSON\)"):
        writer.write_playground_data({"loss": math.nan}, tmp_path)
    assert not list(tmp_path.iterdir())


def test_page_claims_are_checked(data: Data) -> None:
    writer.check_claims(data)
    broken = json.loads(json.dumps(data))
    broken["trainers"]["scratch"]["runs"]["l2"][-1]["final_test_loss"] = 100.0
    with pytest.raises(AssertionError, match="the test loss is near the zero predictor's"):
        writer.check_claims(broken)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: writer.log_grid(0.0, 1.0, 5), r"the grid needs 0 < low < high, got low=0.0"),
        (lambda: writer.log_grid(1.0, 0.5, 5), r"the grid needs 0 < low < high"),
        (lambda: writer.log_grid(1e-3, 10.0, 1), r"num must be an integer >= 2, got 1\."),
        (
            lambda: writer.log_grid(1.0, 1.00001, 100),
            r"the grid from 1.0 to 1.00001 is too narrow for 100 distinct values\.",
        ),
        (
            lambda: writer.max_minibatch_curvature(torch.eye(4), 3),
            r"batch_size must divide the number of rows \(4\), got 3\.",
        ),
        (lambda: writer.round_significant(math.inf), r"value must be finite .*, got inf\."),
    ],
)
def test_bad_input_is_refused(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_module_examples() -> None:
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(writer, optionflags=flags)
    assert result.attempted >= 6
    assert result.failed == 0
