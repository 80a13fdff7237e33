"""weightdecay.conventions: each conversion checked against the framework's own definition.

The references are independent of ``convert``: d2l's loop (tests/reference.py), PyTorch's and
scikit-learn's real estimators, and for the other frameworks their documented loss and penalty
written out here. ``nox -s frameworks`` runs Keras, JAX, PaddlePaddle, MXNet, fastai and
Hugging Face themselves (frameworks/).
"""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import hypothesis.strategies as st
import numpy as np
import pytest
import torch
from hypothesis import given
from reference import batches, linreg, notebook_train
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge, SGDRegressor

from weightdecay import make_problem, ridge_closed_form, train_concise
from weightdecay._settings import training_generators
from weightdecay.cli import main
from weightdecay.conventions import CONVENTIONS, convert, explain

if TYPE_CHECKING:
    from collections.abc import Callable

    from weightdecay.problem import Problem

LAMBD, LR = 3.0, 0.003  # the book's from-scratch setting
NAMES = [
    "d2l",
    "torch-sgd",
    "torch-adam",
    "torch-adamw",
    "keras-l2",
    "keras-adamw",
    "optax-sgd",
    "optax-adamw",
    "paddle-sgd",
    "paddle-adamw",
    "mxnet-sgd",
    "sklearn-ridge",
    "sklearn-sgd",
    "fastai",
    "hf-trainer",
]
WITH_LR = [n for n in NAMES if CONVENTIONS[n].family != "ridge"]


def _convertible(a: str, b: str) -> bool:
    families = {CONVENTIONS[a].family, CONVENTIONS[b].family}
    return len(families) == 1 or families == {"sgd", "ridge"}


@pytest.fixture(scope="module")
def problem() -> Problem:
    return make_problem(seed=0, dtype=torch.float64)


@pytest.fixture(scope="module")
def start() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    return torch.randn(200, 1, generator=gen, dtype=torch.float64), torch.zeros(
        1, dtype=torch.float64
    )


def _rel(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).norm() / b.norm())


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------
def test_the_conventions_are_the_documented_ones() -> None:
    assert list(CONVENTIONS) == NAMES
    for name, c in CONVENTIONS.items():
        assert c.name == name
        assert c.sources, name
        assert all(s.startswith("https://") for s in c.sources), name
        assert "{" not in c.code(0.1, 0.2).replace("{'", "").replace('{"', ""), name
        assert (c.loss_scale is None) == (c.family != "sgd"), name
        assert (c.decay_scale is None) == (c.family != "sgd"), name
        assert c.coupled == (c.family != "adamw"), name


def test_the_defaults_the_issue_quotes() -> None:
    """AdamW's default decay differs by framework: 1e-2, 1e-4, 0.004 and 0."""
    defaults = {n: CONVENTIONS[n].default for n in ("torch-adamw", "optax-adamw", "keras-adamw")}
    assert defaults == {"torch-adamw": 1e-2, "optax-adamw": 1e-4, "keras-adamw": 0.004}
    assert CONVENTIONS["hf-trainer"].default == 0.0
    assert torch.optim.AdamW([torch.zeros(1)]).defaults["weight_decay"] == 0.01
    assert torch.optim.SGD([torch.zeros(1)], lr=0.1).defaults["weight_decay"] == 0
    assert Ridge().alpha == CONVENTIONS["sklearn-ridge"].default
    assert SGDRegressor().alpha == CONVENTIONS["sklearn-sgd"].default


# --------------------------------------------------------------------------------------------
# Conversions take the same steps: d2l's loop against each framework's definition
# --------------------------------------------------------------------------------------------
def _mse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((y_hat - y) ** 2).mean()


def _half(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((y_hat - y) ** 2 / 2).mean()


def _half_norm(w: torch.Tensor) -> torch.Tensor:
    return (w**2).sum() / 2  # a coupled weight_decay d adds d * w to the gradient


def _norm(w: torch.Tensor) -> torch.Tensor:
    return (w**2).sum()  # Keras's L2(c): c * reduce_sum(square(w))


# name: (the data loss, the penalty per unit of decay), from each framework's documentation.
DEFINITIONS: dict[str, tuple[Callable[..., torch.Tensor], Callable[[torch.Tensor], torch.Tensor]]]
DEFINITIONS = {
    "d2l": (_half, _half_norm),
    "torch-sgd": (_mse, _half_norm),  # nn.MSELoss, SGD(weight_decay)
    "keras-l2": (_mse, _norm),  # loss="mse", kernel_regularizer=L2(c)
    "optax-sgd": (_half, _half_norm),  # optax.l2_loss, add_decayed_weights
    "paddle-sgd": (_mse, _half_norm),  # nn.MSELoss, L2Decay = 0.5 coeff ||w||^2
    "mxnet-sgd": (_half, _half_norm),  # gluon.loss.L2Loss, sgd with wd
}


def _train_by_definition(
    problem: Problem, start: tuple[torch.Tensor, torch.Tensor], name: str, *, epochs: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Plain SGD on the framework's loss + decay * penalty(w), at ``convert``'s setting."""
    lr, decay = convert(LAMBD, lr=LR, source="d2l", target=name)
    assert lr is not None
    loss_fn, penalty = DEFINITIONS[name]
    w, b = (p.clone().requires_grad_(True) for p in start)
    _, batch_gen = training_generators(0)
    for _ in range(epochs):
        for rows in batches(problem, 5, batch_gen):
            X, y = problem.X_train[rows], problem.y_train[rows]
            (loss_fn(linreg(X, w, b), y) + decay * penalty(w)).backward()
            with torch.no_grad():
                for p in (w, b):
                    assert p.grad is not None
                    p.sub_(lr * p.grad)
                    p.grad = None
    return w.detach(), b.detach()


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_converted_setting_takes_d2ls_steps(
    problem: Problem, start: tuple[torch.Tensor, torch.Tensor], name: str
) -> None:
    w_ref, b_ref = notebook_train(problem, *start, lambd=LAMBD, penalty=_half_norm, num_epochs=20)
    w, b = _train_by_definition(problem, start, name, epochs=20)
    assert _rel(w, w_ref) < 1e-12
    assert _rel(b, b_ref) < 1e-12


def test_a_factor_of_two_off_is_caught(
    problem: Problem, start: tuple[torch.Tensor, torch.Tensor]
) -> None:
    """The check above can fail: Keras's value taken for PyTorch's is far from d2l's run."""
    w_ref, _ = notebook_train(problem, *start, lambd=LAMBD, penalty=_half_norm, num_epochs=20)
    lr, decay = convert(LAMBD, lr=LR, source="d2l", target="keras-l2")
    assert lr is not None
    run = train_concise(problem, weight_decay=decay, lr=lr, num_epochs=20, initial=start)
    assert _rel(run.w, w_ref) > 0.1


def test_torch_optim_sgd_with_the_converted_setting(
    problem: Problem, start: tuple[torch.Tensor, torch.Tensor]
) -> None:
    lr, wd = convert(LAMBD, lr=LR, source="d2l", target="torch-sgd")
    assert lr is not None
    assert (lr, wd) == (LR / 2, 2 * LAMBD)
    w_ref, b_ref = notebook_train(problem, *start, lambd=LAMBD, penalty=_half_norm)
    run = train_concise(problem, weight_decay=wd, lr=lr, initial=start)  # torch.optim.SGD
    assert _rel(run.w, w_ref) < 1e-12
    assert _rel(run.b, b_ref) < 1e-12


def test_sklearn_sgd_regressor_is_d2l_with_batch_size_one(problem: Problem) -> None:
    """SGDRegressor(penalty="l2", alpha=lambd, constant eta0=lr) against d2l's loop, |B| = 1."""
    lr, alpha = convert(LAMBD, lr=LR, source="d2l", target="sklearn-sgd")
    assert lr is not None
    zeros = (torch.zeros(200, 1, dtype=torch.float64), torch.zeros(1, dtype=torch.float64))
    w_ref, b_ref = notebook_train(
        problem, *zeros, lambd=LAMBD, penalty=_half_norm, batch_size=1, num_epochs=30
    )
    X, y = problem.X_train.numpy(), problem.y_train.numpy().ravel()
    sgd = SGDRegressor(penalty="l2", alpha=alpha, learning_rate="constant", eta0=lr, shuffle=False)
    _, batch_gen = training_generators(0)
    for _ in range(30):  # one partial_fit per epoch, in the order d2l's loop visits the rows
        order = torch.cat(batches(problem, 1, batch_gen)).numpy()
        sgd.partial_fit(X[order], y[order])
    assert _rel(torch.from_numpy(sgd.coef_).reshape(-1, 1), w_ref) < 1e-10
    assert _rel(torch.from_numpy(sgd.intercept_), b_ref) < 1e-10


def test_sklearn_ridge_is_the_fixed_point(problem: Problem) -> None:
    """Ridge(alpha = n lambd) equals the closed form, and d2l's full gradient vanishes there."""
    _, alpha = convert(LAMBD, lr=LR, source="d2l", target="sklearn-ridge", n_train=problem.n_train)
    assert alpha == problem.n_train * LAMBD
    X, y = problem.X_train, problem.y_train
    ridge = Ridge(alpha=alpha).fit(X.numpy(), y.numpy().ravel())
    w = torch.tensor(ridge.coef_, dtype=torch.float64).reshape(-1, 1).requires_grad_(True)
    b = torch.tensor([ridge.intercept_], dtype=torch.float64).requires_grad_(True)
    w_closed, b_closed = ridge_closed_form(X, y, LAMBD)
    assert _rel(w.detach(), w_closed) < 1e-8
    assert abs(float(b.detach()) - float(b_closed)) < 1e-8
    objective = _half(linreg(X, w, b), y) + LAMBD * _half_norm(w)  # d2l's, over all 20 rows
    objective.backward()
    assert w.grad is not None
    assert b.grad is not None
    assert float(w.grad.norm()) < 1e-10 * float(w.detach().norm() * LAMBD)
    assert abs(float(b.grad)) < 1e-10


def test_ridge_is_not_the_end_of_100_epochs(problem: Problem) -> None:
    """The fixed point is where SGD heads, not where the book's 100 epochs stop."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        short = SGDRegressor(penalty="l2", alpha=LAMBD, learning_rate="constant", eta0=LR)
        short.set_params(max_iter=5, tol=None, shuffle=False).fit(
            problem.X_train.numpy(), problem.y_train.numpy().ravel()
        )
    ridge = Ridge(alpha=problem.n_train * LAMBD).fit(
        problem.X_train.numpy(), problem.y_train.numpy().ravel()
    )
    assert np.linalg.norm(short.coef_ - ridge.coef_) > 1e-3 * np.linalg.norm(ridge.coef_)


# --------------------------------------------------------------------------------------------
# Round trips, composition, and the conversions that do not exist
# --------------------------------------------------------------------------------------------
POSITIVE = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)


@given(
    decay=POSITIVE,
    lr=POSITIVE,
    pair=st.sampled_from(
        [(a, b) for a, b in itertools.product(WITH_LR, WITH_LR) if _convertible(a, b)]
    ),
)
def test_round_trips_are_exact(decay: float, lr: float, pair: tuple[str, str]) -> None:
    a, b = pair
    there = convert(decay, lr=lr, source=a, target=b)
    assert there[0] is not None
    assert convert(there[1], lr=there[0], source=b, target=a) == (lr, decay)


SGD_FAMILY = [n for n in WITH_LR if CONVENTIONS[n].family == "sgd"]


@given(
    decay=POSITIVE,
    lr=POSITIVE,
    names=st.tuples(*[st.sampled_from(SGD_FAMILY)] * 3),
)
def test_conversions_compose(decay: float, lr: float, names: tuple[str, str, str]) -> None:
    a, b, c = names
    b_lr, b_decay = convert(decay, lr=lr, source=a, target=b)
    assert convert(b_decay, lr=b_lr, source=b, target=c) == convert(
        decay, lr=lr, source=a, target=c
    )


@given(lambd=st.floats(min_value=1e-6, max_value=1e6), n_train=st.integers(1, 10_000))
def test_ridge_round_trip_rounds_once(lambd: float, n_train: int) -> None:
    _, alpha = convert(lambd, lr=LR, source="d2l", target="sklearn-ridge", n_train=n_train)
    lr, back = convert(alpha, lr=None, source="sklearn-ridge", target="d2l", n_train=n_train)
    assert lr is None
    assert math.isclose(back, lambd, rel_tol=2.3e-16, abs_tol=0.0)


@pytest.mark.parametrize(("a", "b"), list(itertools.product(NAMES, NAMES)))
def test_every_pair_converts_or_says_why_in_one_sentence(a: str, b: str) -> None:
    lr = None if CONVENTIONS[a].family == "ridge" else LR
    sentence = explain(a, b)
    assert sentence.endswith(".")
    assert sentence.count(". ") == 0
    assert "\n" not in sentence
    if _convertible(a, b):
        new_lr, new_decay = convert(1.0, lr=lr, source=a, target=b, n_train=20)
        assert new_decay > 0
        assert (new_lr is None) == ("ridge" in {CONVENTIONS[a].family, CONVENTIONS[b].family})
    else:
        with pytest.raises(ValueError, match=f"^{re.escape(sentence)}$"):
            convert(1.0, lr=lr, source=a, target=b, n_train=20)


def test_adam_against_adamw_says_why() -> None:
    with pytest.raises(ValueError, match=r"divides a coupled L2 term by sqrt\(v\)"):
        convert(0.01, lr=1e-3, source="torch-adam", target="torch-adamw")
    with pytest.raises(ValueError, match="different optimizers take different steps"):
        convert(3.0, lr=LR, source="d2l", target="optax-adamw")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"decay": -1.0}, ValueError, r"decay must be a finite number >= 0, got -1.0"),
        ({"decay": math.nan}, ValueError, r"decay must be a finite number >= 0, got nan"),
        ({"decay": "3"}, TypeError, r"decay must be a real number, got '3'"),
        ({"lr": 0.0}, ValueError, r"lr must be a finite number > 0, got 0.0"),
        ({"lr": None}, ValueError, r"lr is required for source 'd2l'"),
        ({"source": "tf"}, ValueError, r"source must be one of 'd2l', .*, got 'tf'"),
        ({"target": "jax"}, ValueError, r"target must be one of 'd2l', .*, got 'jax'"),
        ({"target": "sklearn-ridge"}, ValueError, r"n_train is required"),
        ({"target": "sklearn-ridge", "n_train": 0}, ValueError, r"n_train must be an integer >= 1"),
        ({"decay": 1e308, "target": "torch-sgd"}, ValueError, r"converted decay overflows"),
        ({"source": "sklearn-ridge", "n_train": 20}, ValueError, r"lr must be None when source"),
    ],
)
def test_bad_input_names_the_argument(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    args: dict[str, object] = {"decay": 3.0, "lr": LR, "source": "d2l", "target": "d2l"} | kwargs
    with pytest.raises(error, match=message):
        convert(**args)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# frameworks/results.json, which `nox -s frameworks` writes and the documentation cites
# --------------------------------------------------------------------------------------------
RESULTS = Path(__file__).resolve().parents[1] / "frameworks" / "results.json"
EXECUTED = {
    *("keras-l2", "keras-adamw", "optax-sgd", "optax-adamw", "paddle-sgd", "paddle-adamw"),
    *("mxnet-sgd", "fastai", "hf-trainer"),
}


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8"))
    return data


def test_the_session_ran_every_framework_convention(results: dict[str, Any]) -> None:
    runs = [run for fw in results["frameworks"].values() for run in fw["runs"]]
    assert {run["convention"] for run in runs} == EXECUTED
    assert len({run["key"] for run in runs}) == len(runs)


def test_the_measured_settings_are_what_convert_gives_today(results: dict[str, Any]) -> None:
    """A change to CONVENTIONS that the committed measurement did not see fails here."""
    for fw in results["frameworks"].values():
        for run in fw["runs"]:
            lr, decay = run["source_setting"]
            setting = convert(decay, lr=lr, source=run["source"], target=run["convention"])
            assert list(setting) == run["setting"], run["key"]
            if run["tolerance"] is not None:
                assert max(run["rel_w"], run["rel_b"]) <= run["tolerance"], run["key"]


def test_the_measured_defaults_and_decays_are_the_tables(results: dict[str, Any]) -> None:
    for fw in results["frameworks"].values():
        for key, moved in fw["decays"].items():
            c = CONVENTIONS[key.split(",")[0]]
            expected = (
                {"weight": True, "bias": c.d2l_decays_bias}
                if "tab" in key
                else {"weight": True, "bias": c.decays_bias, "norm": c.decays_norm}
            )
            assert moved == expected, key
        defaults = {
            k.removesuffix(" default"): v for k, v in fw["facts"].items() if k.endswith(" default")
        }
        assert defaults, fw["framework"]
        for name, value in defaults.items():
            assert value == CONVENTIONS[name].default, name


# --------------------------------------------------------------------------------------------
# The command line: weightdecay convert
# --------------------------------------------------------------------------------------------
def test_convert_command_prints_the_setting_its_code_and_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        main(["convert", "--from", "d2l", "--to", "keras-l2", "--lambd", "3", "--lr", "0.003"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    lr, decay = convert(3.0, lr=0.003, source="d2l", target="keras-l2")
    assert lines[0] == f"keras-l2: lr = {lr!r}, l2 = {decay!r}"
    assert f"keras.regularizers.L2({decay!r})" in lines[1]
    assert lines[-1] == explain("d2l", "keras-l2")


def test_convert_command_writes_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["convert", "--from", "sklearn-ridge", "--to", "torch-sgd", "--lambd", "60"]
    assert main([*argv, "--n-train", "20", "--json", "-"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert {"command", "weightdecay_version", "config"} <= set(document)
    assert document["command"] == "convert"
    assert document["config"]["n_train"] == 20
    target = document["conversion"]["target"]
    assert (target["lr"], target["decay"]) == convert(
        60.0, lr=None, source="sklearn-ridge", target="torch-sgd", n_train=20
    )
    assert "torch-sgd: weight_decay = 6.0" in captured.err  # the text goes to stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--from", "torch-adam", "--to", "torch-adamw", "--lr", "1e-3"],
            r"--from torch-adam --to torch-adamw: Adam divides",
        ),
        (["--from", "d2l", "--to", "torch-sgd"], r"argument --lr: required to convert from d2l"),
        (
            ["--from", "d2l", "--to", "sklearn-ridge", "--lr", "0.003"],
            r"argument --n-train: required",
        ),
        (
            ["--from", "sklearn-ridge", "--to", "d2l", "--lr", "1", "--n-train", "20"],
            r"argument --lr: sklearn-ridge has no",
        ),
        (
            ["--from", "d2l", "--to", "torch-sgd", "--lr", "0"],
            r"argument --lr: must be a finite number > 0, got 0",
        ),
        (["--from", "d2l", "--to", "torch_sgd", "--lr", "1"], r"did you mean 'torch-sgd'\?"),
    ],
)
def test_convert_command_names_the_flag(
    capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["convert", "--lambd", "3", *extra]) == 2
    assert re.search(message, capsys.readouterr().err)


def test_convert_command_loads_no_torch() -> None:
    code = (
        "import sys\nfrom weightdecay.cli import main\n"
        "assert main(['convert', '--from', 'd2l', '--to', 'optax-sgd', '--lambd', '3', '--lr', '0.003']) == 0\n"
        "print('torch' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "False"
