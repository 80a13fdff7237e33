"""The λ playground's data (``docs/_ext/playground_data.py``), against independent references.

The records are compared with ``train_scratch`` and ``train_concise`` run one at a time, the
curvature bound with the spectral norm of every minibatch (numpy), the converged estimator with
scikit-learn's ``Ridge``, the theory with the Marchenko-Pastur formula written here in numpy,
the refitted bias and the zero predictor with numpy, the starting weights with the exact
null-space shrinkage of the L2 update; the files must be strict JSON, and the first load small.

The data of these tests are those of a build at three sizes (10, 20, 50): the build trains all
eight, which takes ten times longer, and checks the page's claims on them at every build
(``docs/_ext/playground_claims.py``; its own test is at the end).
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
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

from weightdecay import make_problem, regularization_path, train_concise, train_scratch
from weightdecay.path import ZERO_TOL

if TYPE_CHECKING:
    from types import ModuleType

EXT = Path(__file__).resolve().parents[1] / "docs" / "_ext"
LR = 0.003  # the trainers' default learning rate (DESIGN.md)
BATCH = 5  # their default minibatch size
SIZES = (10, 20, 50)
W_NORM, NOISE = math.sqrt(200) * 0.01, 0.01  # the book's ||w*|| and sigma


def _load(name: str) -> ModuleType:
    """Import a module of docs/_ext by its path (docs/_ext is no package)."""
    spec = importlib.util.spec_from_file_location(name, EXT / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


writer = _load("playground_data")
checker = _load("playground_claims")

Data = dict[str, Any]


@pytest.fixture(scope="module")
def data() -> Data:
    """The data of a build at three sizes."""
    result: Data = writer.playground_data(sizes=SIZES)
    return result


@pytest.fixture(scope="module")
def written(data: Data, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    files: list[Path] = writer.write_playground_data(data, tmp_path_factory.mktemp("_static"))
    return files


def _trainer(data: Data, n: int, name: str = "scratch") -> Data:
    trainer: Data = data["sizes"][str(n)]["trainers"][name]
    return trainer


def _exact_curvature(X: np.ndarray) -> float:
    """max over every 5-row minibatch of sigma_max(X_B)^2 / 5: numpy's spectral norm."""
    rows = itertools.combinations(range(X.shape[0]), BATCH)
    return max(float(np.linalg.norm(X[list(r)], 2)) ** 2 / BATCH for r in rows)


# --------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [10, 20])
def test_curvature_bound_holds_every_minibatch_and_is_not_loose(n: int) -> None:
    X = make_problem(n_train=n, seed=0).X_train
    exact = _exact_curvature(X.double().numpy())
    bound = writer.curvature_bound(X, BATCH)
    assert exact <= bound < 1.25 * exact


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(2, 7),
    cols=st.integers(1, 5),
    batch=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_curvature_bound_holds_for_any_matrix(rows: int, cols: int, batch: int, seed: int) -> None:
    batch = min(batch, rows)
    X = torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed))
    exact = max(
        float(np.linalg.norm(X.double().numpy()[list(r)], 2)) ** 2 / batch
        for r in itertools.combinations(range(rows), batch)
    )
    assert writer.curvature_bound(X, batch) >= exact * (1 - 1e-12)


@pytest.mark.parametrize(
    ("trainer", "bound"),
    [
        ("scratch", lambda L: 2 / LR - L),  # from scratch: lr * (L + lambda) < 2
        ("concise", lambda L: 2 / LR - 2 * L),  # its step is scratch's at 2 lr, lambda = wd / 2
    ],
)
def test_grid_runs_from_1e6_through_3_to_just_below_the_stability_bound(
    data: Data, trainer: str, bound: Any
) -> None:
    grid = data["common"]["trainers"][trainer]["grid"]
    values, log10 = np.array(grid["values"]), np.array(grid["log10"])
    curvature = max(
        writer.curvature_bound(make_problem(n_train=n, seed=0).X_train, BATCH) for n in SIZES
    )
    assert data["common"]["curvature"]["bound"] == pytest.approx(curvature, rel=1e-12)
    expected_bound = bound(curvature)
    step = grid["log10_step"]
    assert grid["num"] == len(values) >= 64
    assert np.all(np.diff(values) > 0)
    np.testing.assert_allclose(values, 10.0**log10, rtol=1e-12)
    np.testing.assert_allclose(np.diff(log10), step, atol=1e-9)
    assert 0.09 < step <= 0.11
    assert grid["log10_min"] == log10[0]
    assert grid["log10_max"] == log10[-1]
    # From 1e-6 or one step below it, through the book's 3, to within a step of the bound.
    assert -6 - step < log10[0] <= -6
    assert np.min(np.abs(values / 3.0 - 1)) < 1e-5
    assert data["common"]["trainers"][trainer]["stability_bound"] == pytest.approx(
        expected_bound, rel=1e-9
    )
    assert 10 ** (math.log10(expected_bound) - step) < values[-1] < expected_bound


def test_every_update_of_the_grid_contracts_and_beyond_two_over_lr_diverges(data: Data) -> None:
    lambdas = data["common"]["trainers"]["scratch"]["grid"]["values"]
    curvature = max(
        _exact_curvature(make_problem(n_train=n).X_train.double().numpy()) for n in (10, 20)
    )
    assert all(LR * (curvature + lam) < 2 for lam in lambdas)
    beyond = regularization_path(make_problem(seed=0), [1.1 * 2 / LR])
    assert list(beyond.divergences) == [0]


@settings(deadline=None)
@given(
    low=st.floats(1e-6, 1e2),
    anchor_ratio=st.floats(1.5, 1e3),
    high_ratio=st.floats(1.5, 1e3),
    step=st.floats(0.01, 1.0),
)
def test_log_grid_is_evenly_spaced_through_the_anchor_and_never_passes_high(
    low: float, anchor_ratio: float, high_ratio: float, step: float
) -> None:
    anchor = low * anchor_ratio
    high = anchor * high_ratio
    grid = writer.log_grid(low, high, anchor=anchor, step=step)
    steps = np.diff(grid)
    np.testing.assert_allclose(steps, steps[0], atol=2e-6)
    assert 0 < steps[0] <= step + 1e-9
    assert min(abs(x - math.log10(anchor)) for x in grid) < 1e-6
    assert grid[-1] <= math.log10(high) + 1e-9
    assert grid[-1] > math.log10(high) - steps[0]
    assert grid[0] <= math.log10(low) + 1e-6 < grid[0] + steps[0] + 1e-6


# --------------------------------------------------------------------------------------------
# The records against the trainers, one run at a time
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "penalty", "index"), [(20, "l2", 0), (20, "l1", 55), (50, "l2", 80)])
def test_records_match_train_scratch(data: Data, n: int, penalty: str, index: int) -> None:
    lam = data["common"]["trainers"]["scratch"]["grid"]["values"][index]
    record = _trainer(data, n)["runs"][penalty][index]
    run = train_scratch(make_problem(n_train=n, seed=0), lambd=lam, penalty=penalty)
    assert record["strength"] == lam
    assert record["b"] == pytest.approx(float(run.b), rel=1e-3, abs=1e-6)
    _assert_record_is(record, run.history.train_loss, run.history.test_loss, run.w, run.w_norm)
    assert data["common"]["epochs"] == run.history.epochs
    assert data["sizes"][str(n)]["num_updates"] == run.history.num_updates == 100 * n // BATCH


@pytest.mark.parametrize(("n", "index"), [(20, 60), (50, 70)])
def test_concise_records_match_train_concise(data: Data, n: int, index: int) -> None:
    wd = data["common"]["trainers"]["concise"]["grid"]["values"][index]
    record = _trainer(data, n, "concise")["runs"]["l2"][index]
    run = train_concise(make_problem(n_train=n, seed=0), weight_decay=wd)
    assert record["strength"] == wd
    assert record["path_lambda"] == pytest.approx(wd / 2, rel=1e-12)
    _assert_record_is(record, run.history.train_loss, run.history.test_loss, run.w, run.w_norm)
    assert run.initial is not None
    initial_w = data["common"]["trainers"]["concise"]["initial_w"]
    np.testing.assert_allclose(initial_w, run.initial[0].flatten(), rtol=5e-4)


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


def test_every_size_starts_from_the_same_weights(data: Data) -> None:
    """The charts draw one start for every n: the trainers' start depends on the seed only."""
    for n in (*SIZES, 400):
        problem = make_problem(n_train=n, seed=0)
        for name, run in (
            ("scratch", train_scratch(problem, num_epochs=1)),
            ("concise", train_concise(problem, num_epochs=1)),
        ):
            assert run.initial is not None
            start = data["common"]["trainers"][name]["initial_w"]
            np.testing.assert_allclose(start, run.initial[0].flatten(), rtol=5e-4, err_msg=name)


def test_initial_weights_are_where_every_scratch_run_started(data: Data) -> None:
    """With L2 the data never moves w outside the row space of X_train, and each update
    multiplies that part by 1 - lr * lambda: after T updates it is (1 - lr lambda)^T of the
    start's. That identifies the start, whatever else the data did."""
    X = make_problem(seed=0).X_train.to(torch.float64).numpy()
    null_space = np.eye(X.shape[1]) - np.linalg.pinv(X) @ X
    w0 = np.array(data["common"]["trainers"]["scratch"]["initial_w"])
    updates = data["sizes"]["20"]["num_updates"]
    grid = data["common"]["trainers"]["scratch"]["grid"]["values"]
    checked = 0
    for lam, record in zip(grid, _trainer(data, 20)["runs"]["l2"], strict=True):
        factor = (1 - LR * lam) ** updates
        if not 0.05 < factor < 0.95:
            continue
        expected = factor * (null_space @ w0)
        actual = null_space @ np.array(record["w"])
        np.testing.assert_allclose(actual, expected, atol=2e-3 * np.abs(expected).max())
        checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------------------------
# The references: zero predictor, converged estimator, theory, refitted bias
# --------------------------------------------------------------------------------------------
def _numpy_problem(n: int) -> tuple[np.ndarray, ...]:
    problem = make_problem(n_train=n, seed=0)
    return tuple(
        t.double().numpy()
        for t in (problem.X_train, problem.y_train, problem.X_test, problem.y_test)
    )


@pytest.mark.parametrize("n", SIZES)
def test_zero_predictor_and_label_means(data: Data, n: int) -> None:
    _, y_train, _, y_test = _numpy_problem(n)
    measured = 0.5 * np.mean((y_test - y_train.mean()) ** 2)
    assert _trainer(data, n)["zero_predictor_loss"] == pytest.approx(measured, rel=1e-3)
    assert _trainer(data, n, "concise")["zero_predictor_loss"] == pytest.approx(
        2 * measured, rel=1e-3
    )
    assert data["sizes"][str(n)]["mean_train_label"] == pytest.approx(y_train.mean(), rel=1e-3)
    assert data["sizes"][str(n)]["mean_test_label"] == pytest.approx(y_test.mean(), rel=1e-3)
    # 200 true weights of 0.01 and noise 0.01: ||w*||^2 + sigma^2.
    expected = data["common"]["theory"]["expected_zero_predictor_mse"]
    assert expected == pytest.approx(200 * 0.01**2 + 0.01**2, rel=1e-3)


@pytest.mark.parametrize(("n", "index"), [(10, 0), (20, 30), (20, 81), (50, 55)])
def test_converged_estimator_is_scikit_learns_ridge(data: Data, n: int, index: int) -> None:
    """Ridge(alpha = n lambda) with an intercept minimizes the from-scratch L2 objective."""
    X, y, X_test, y_test = _numpy_problem(n)
    for name, scale, to_lambda in (("scratch", 1, 1.0), ("concise", 2, 0.5)):
        strength = data["common"]["trainers"][name]["grid"]["values"][index]
        model = Ridge(alpha=n * strength * to_lambda, fit_intercept=True, solver="svd")
        model.fit(X, y.ravel())
        loss = scale * 0.5 * np.mean((model.predict(X_test) - y_test.ravel()) ** 2)
        assert _trainer(data, n, name)["converged"][index] == pytest.approx(loss, rel=2e-3), name


def _marchenko_pastur_risk(n: int, lam: float) -> float:
    """Expected test MSE of ridge from the Marchenko-Pastur law, with a numeric derivative."""
    gamma = 200 / n

    def m(z: float) -> float:  # the Stieltjes transform at -z
        b = 1 - gamma + z
        return (-b + math.sqrt(b * b + 4 * gamma * z)) / (2 * gamma * z)

    h = lam * 1e-5
    dm = -(m(lam + h) - m(lam - h)) / (2 * h)  # d/dz of m(z) at z = -lam
    return NOISE**2 + W_NORM**2 * lam**2 * dm + NOISE**2 * gamma * (m(lam) - lam * dm)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("index", [0, 40, 81])
def test_theory_is_half_the_marchenko_pastur_risk(data: Data, n: int, index: int) -> None:
    lam = data["common"]["trainers"]["scratch"]["grid"]["values"][index]
    expected = _marchenko_pastur_risk(n, lam)
    assert _trainer(data, n)["theory"][index] == pytest.approx(0.5 * expected, rel=1e-3)
    wd = data["common"]["trainers"]["concise"]["grid"]["values"][index]
    concise = _trainer(data, n, "concise")["theory"][index]
    assert concise == pytest.approx(_marchenko_pastur_risk(n, wd / 2), rel=1e-3)
    # A huge penalty predicts zero: the risk tends to ||w*||^2 + sigma^2 (no intercept).
    assert _marchenko_pastur_risk(n, 1e6) == pytest.approx(W_NORM**2 + NOISE**2, rel=1e-3)


@pytest.mark.parametrize(("n", "index"), [(20, 81), (50, 60)])
def test_bias_refitted_is_the_training_mean_residual(data: Data, n: int, index: int) -> None:
    X, y, X_test, y_test = _numpy_problem(n)
    w = np.array(_trainer(data, n)["runs"]["l2"][index]["w"]).reshape(-1, 1)
    b = np.mean(y - X @ w)
    loss = 0.5 * np.mean((X_test @ w + b - y_test) ** 2)
    assert _trainer(data, n)["bias_refitted"][index] == pytest.approx(loss, rel=5e-3)


# --------------------------------------------------------------------------------------------
# The rounding and the files
# --------------------------------------------------------------------------------------------
def _records(data: Data) -> list[Data]:
    return [
        r
        for size in data["sizes"].values()
        for t in size["trainers"].values()
        for runs in t["runs"].values()
        for r in runs
    ]


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


def test_files_hold_the_same_strict_json_and_the_first_load_is_small(
    data: Data, written: list[Path]
) -> None:
    def no_constant(name: str) -> None:
        msg = f"not strict JSON: {name}"
        raise AssertionError(msg)

    folder = written[0].parent
    assert sorted(p.name for p in written) == sorted(
        f"playground-data{suffix}.{ext}"
        for suffix in ["", *(f"-n{n}" for n in SIZES)]
        for ext in ("json", "js")
    )
    common = json.loads((folder / "playground-data.json").read_text(), parse_constant=no_constant)
    assert common == {**data["common"], "files": common["files"]}
    header, assignment = (folder / "playground-data.js").read_text().split("\n", 1)
    assert header.startswith("//")
    assert (
        assignment
        == f"window.weightdecayPlayground = {json.dumps(common, separators=(',', ':'))};\n"
    )
    for n in SIZES:
        js = folder / f"playground-data-n{n}.js"
        record = json.loads(
            (folder / f"playground-data-n{n}.json").read_text(), parse_constant=no_constant
        )
        assert record == data["sizes"][str(n)]
        text = json.dumps(record, separators=(",", ":"))
        runs = "window.weightdecayPlaygroundRuns"
        assert js.read_text().split("\n", 1)[1] == f'({runs} = {runs} || {{}})["{n}"] = {text};\n'
        entry = common["files"][str(n)]
        assert entry["bytes"] == js.stat().st_size
        assert entry["json"] == f"playground-data-n{n}.json"
        name, digest = entry["script"].split("?v=")
        assert name == js.name
        assert len(digest) == 12
    first = (folder / "playground-data.js").stat().st_size
    most = max(common["files"][str(n)]["bytes"] for n in SIZES)
    print(f"first load: {first / 1024:.0f} KiB + the runs of one n, at most {most / 1024:.0f} KiB")
    assert first < 64 * 1024
    assert first + most < 1_000_000  # before the first draw: the common file and one size's


def test_writer_refuses_nan(tmp_path: Path) -> None:
    broken = {"common": {}, "sizes": {"20": {"loss": math.nan}}}
    with pytest.raises(ValueError, match=r"data must hold only finite numbers \(strict JSON\)"):
        writer.write_playground_data(broken, tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: writer.log_grid(0.0, 1.0, anchor=0.5, step=0.1),
            r"the grid needs 0 < low < anchor < high, got low=0.0",
        ),
        (lambda: writer.log_grid(1.0, 10.0, anchor=20.0, step=0.1), r"0 < low < anchor < high"),
        (lambda: writer.log_grid(1.0, 10.0, anchor=3.0, step=0.0), r"step must be .* > 0, got 0.0"),
        (
            lambda: writer.curvature_bound(torch.eye(4), 5),
            r"batch_size must be between 1 and the number of rows \(4\), got 5\.",
        ),
        (lambda: writer.round_significant(math.inf), r"value must be finite .*, got inf\."),
        (
            lambda: writer.playground_data(sizes=[20, 21]),
            (
                r"sizes must be increasing multiples of the batch size 5, with 20 among them; "
                r"got \[20, 21\]\."
            ),
        ),
        (lambda: writer.playground_data(sizes=[50, 20]), r"sizes must be increasing"),
        (lambda: writer.playground_data(sizes=[10]), r"with 20 among them"),
    ],
)
def test_bad_input_is_refused(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_module_examples() -> None:
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    for module, least in ((writer, 6), (checker, 1)):
        result = doctest.testmod(module, optionflags=flags)
        assert result.attempted >= least
        assert result.failed == 0


# --------------------------------------------------------------------------------------------
# The page's claims
# --------------------------------------------------------------------------------------------
def test_claims_report_what_the_data_contradict(data: Data) -> None:
    """The build checks the page's claims on all eight sizes. Here the sizes the claims talk
    about (150, 200, 250, 400) are stand-ins, copies of n = 50's runs: the statements about the
    book's n = 20 hold, those about the peak at n = d and about learning do not."""
    stand_in = {**data["sizes"], **{str(n): data["sizes"]["50"] for n in (150, 200, 250, 400)}}
    common = {**data["common"], "sizes": [10, 20, 50, 150, 200, 250, 400]}
    with pytest.raises(
        AssertionError, match="the playground page says what its data contradict"
    ) as info:
        checker.claims({"common": common, "sizes": stand_in})
    reported = str(info.value)
    for statement in (
        "n = d: the theory peaks at the smallest strength",
        "n = d: the converged estimator peaks on this draw too",
        "n = 400: SGD's best is far below the line",
        "λ = 3, n = 400: SGD is within 10% of the converged estimator",
    ):
        assert statement in reported
    assert "at the top, the converged estimator lands on the line" not in reported
    assert "scratch, l2: L2: the test loss comes down to the line" not in reported
    assert "L1: some weights end near zero" not in reported
