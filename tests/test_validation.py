"""Bad input is rejected before any training starts, with a message naming argument, value, range."""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch

import weightdecay.trainer
from weightdecay import make_problem, train_concise, train_scratch
from weightdecay.data import batch_indices, synthetic_data
from weightdecay.model import concise_net, init_params

PROBLEM = make_problem()
NAN, INF = math.nan, math.inf

SCRATCH_CASES: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"lambd": -1.0}, ValueError, r"lambd must be a finite number >= 0, got -1.0"),
    ({"lambd": NAN}, ValueError, r"lambd must be a finite number >= 0, got nan"),
    ({"lambd": INF}, ValueError, r"lambd must be a finite number >= 0, got inf"),
    ({"lambd": "3"}, TypeError, r"lambd must be a real number, got '3' of type str"),
    ({"lr": 0.0}, ValueError, r"lr must be a finite number > 0, got 0.0"),
    ({"lr": -0.1}, ValueError, r"lr must be a finite number > 0, got -0.1"),
    ({"lr": INF}, ValueError, r"lr must be a finite number > 0, got inf"),
    ({"batch_size": 0}, ValueError, r"batch_size must be an integer in \[1, 20\], got 0"),
    ({"batch_size": 21}, ValueError, r"batch_size must be an integer in \[1, 20\], got 21"),
    ({"batch_size": 2.5}, TypeError, r"batch_size must be an integer, got 2.5 of type float"),
    ({"num_epochs": 0}, ValueError, r"num_epochs must be an integer >= 1, got 0"),
    ({"num_epochs": True}, TypeError, r"num_epochs must be an integer, got True of type bool"),
    ({"eval_every": 0}, ValueError, r"eval_every must be an integer >= 1, got 0"),
    ({"seed": -1}, ValueError, r"seed must be an integer >= 0, got -1"),
    ({"penalty": "l3"}, ValueError, r"penalty must be one of 'l1', 'l2', 'elasticnet', got 'l3'"),
    ({"l1_update": "prox"}, ValueError, r"l1_update must be one of 'subgradient', 'proximal'"),
    ({"max_grad_norm": 0.0}, ValueError, r"max_grad_norm must be a finite number > 0, got 0.0"),
    ({"on_divergence": "ignore"}, ValueError, r"on_divergence must be one of 'raise', 'stop'"),
    (
        {"initial": (torch.zeros(199, 1), torch.zeros(1))},
        ValueError,
        r"initial w must have shape \(200, 1\), got \(199, 1\)",
    ),
    ({"initial": torch.zeros(200, 1)}, TypeError, r"initial must be a tuple \(w, b\)"),
    (
        {"penalty": lambda w: w.abs()},
        TypeError,
        r"penalty must map the weights to a differentiable scalar tensor",
    ),
    (
        {"penalty": lambda w: w.sum(), "l1_update": "proximal"},
        ValueError,
        r"l1_update='proximal' needs a built-in penalty",
    ),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), SCRATCH_CASES)
def test_train_scratch_rejects(
    kwargs: dict[str, Any], error: type[Exception], match: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_training(*_: object, **__: object) -> None:
        pytest.fail("training started before the arguments were checked")

    monkeypatch.setattr(weightdecay.trainer, "training_generators", no_training)
    with pytest.raises(error, match=match):
        train_scratch(PROBLEM, **kwargs)


CONCISE_CASES: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"weight_decay": -7.0}, ValueError, r"weight_decay must be a finite number >= 0, got -7.0"),
    ({"weight_decay": NAN}, ValueError, r"weight_decay must be a finite number >= 0, got nan"),
    ({"optimizer": "rmsprop"}, ValueError, r"optimizer must be one of 'sgd', 'adam', 'adamw'"),
    ({"lr": NAN}, ValueError, r"lr must be a finite number > 0, got nan"),
    ({"batch_size": 100}, ValueError, r"batch_size must be an integer in \[1, 20\], got 100"),
]


@pytest.mark.parametrize(("kwargs", "error", "match"), CONCISE_CASES)
def test_train_concise_rejects(
    kwargs: dict[str, Any], error: type[Exception], match: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        weightdecay.trainer, "training_generators", lambda *_, **__: pytest.fail("trained")
    )
    with pytest.raises(error, match=match):
        train_concise(PROBLEM, **kwargs)


def test_problem_must_be_a_problem() -> None:
    with pytest.raises(
        TypeError, match=r"problem must be a weightdecay.problem.Problem .* got tuple"
    ):
        train_scratch((PROBLEM.X_train, PROBLEM.y_train))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"noise": -0.1}, ValueError, r"noise must be a finite number >= 0, got -0.1"),
        ({"noise": NAN}, ValueError, r"noise must be a finite number >= 0, got nan"),
        ({"noise": INF}, ValueError, r"noise must be a finite number >= 0, got inf"),
        ({"n_train": 0}, ValueError, r"n_train must be an integer >= 1, got 0"),
        ({"n_test": 0}, ValueError, r"n_test must be an integer >= 1, got 0"),
        ({"true_b": INF}, ValueError, r"true_b must be a finite number, got inf"),
        ({"seed": -1}, ValueError, r"seed must be an integer >= 0, got -1"),
        ({"num_inputs": 2.0}, TypeError, r"num_inputs must be an integer, got 2.0"),
        ({"true_w": NAN}, ValueError, r"true_w must be a finite number, got nan"),
        (
            {"num_nonzero": 201},
            ValueError,
            r"num_nonzero must be an integer in \[0, 200\], got 201",
        ),
        ({"dtype": torch.int64}, TypeError, r"dtype must be a floating-point torch.dtype"),
    ],
)
def test_make_problem_rejects(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make_problem(**kwargs)


def test_lower_level_functions_reject() -> None:
    gen = torch.Generator()
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 5\], got 6"):
        next(batch_indices(5, 6, generator=gen))
    with pytest.raises(ValueError, match=r"^num_examples must be an integer >= 1, got 0\.$"):
        next(batch_indices(0, 1, generator=gen))
    w = torch.ones(3, 1)
    with pytest.raises(ValueError, match=r"^b must be a finite number, got nan\.$"):
        synthetic_data(w, NAN, 4, generator=gen)
    with pytest.raises(ValueError, match=r"^num_examples must be an integer >= 1, got 0\.$"):
        synthetic_data(w, 0.0, 0, generator=gen)
    with pytest.raises(ValueError, match=r"^noise must be a finite number >= 0, got -1\.0\.$"):
        synthetic_data(w, 0.0, 4, noise=-1.0, generator=gen)
    with pytest.raises(ValueError, match=r"w must have shape \(\*, 1\), got \(3, 2\)"):
        synthetic_data(torch.ones(3, 2), 0.0, 4, generator=gen)
    with pytest.raises(TypeError, match=r"w must have a floating-point dtype, got torch\.int64"):
        synthetic_data(torch.ones(3, dtype=torch.int64), 0.0, 4, generator=gen)
    for build in (init_params, concise_net):
        with pytest.raises(ValueError, match=r"num_inputs must be an integer >= 1, got 0"):
            build(0, generator=gen)
        build(1, generator=gen)  # one input is enough
