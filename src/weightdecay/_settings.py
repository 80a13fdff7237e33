"""One validated record of a training run's settings, and the seed that becomes its generators.

Every public training function (:func:`~weightdecay.trainer.train_scratch`,
:func:`~weightdecay.trainer.train_concise`, :func:`~weightdecay.path.regularization_path`, the
λ selection) checks its arguments with :func:`check_settings` before any work starts, and draws
its initial weights and minibatch order from :func:`training_generators`, so that they all see
the same start and the same batches for the same ``seed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import torch

from weightdecay._seeding import spawn_generators
from weightdecay._validation import (
    check_choice,
    check_int,
    check_optional_positive,
    check_positive,
    check_tensor,
)
from weightdecay.penalty import get_penalty, penalty_name, penalty_parts
from weightdecay.problem import Problem

if TYPE_CHECKING:
    from weightdecay.penalty import Penalty, PenaltyLike

__all__ = [
    "L1Update",
    "OnDivergence",
    "Settings",
    "check_problem",
    "check_settings",
    "training_generators",
]

OnDivergence: TypeAlias = Literal["raise", "stop"]
L1Update: TypeAlias = Literal["subgradient", "proximal"]
_L1_UPDATES: tuple[L1Update, ...] = ("subgradient", "proximal")
_ON_DIVERGENCE: tuple[OnDivergence, ...] = ("raise", "stop")


@dataclass(frozen=True)
class Settings:
    """The validated settings shared by every trainer and the path.

    ``initial`` holds the starting ``(w, b)`` as a (d, 1) column and a (1,) bias, or None for
    the seeded draw. ``penalty`` is resolved to a callable.
    """

    num_epochs: int
    lr: float
    batch_size: int
    eval_every: int
    seed: int
    penalty: Penalty
    l1_update: L1Update
    initial: tuple[torch.Tensor, torch.Tensor] | None
    record_grad_norm: bool
    max_grad_norm: float | None
    on_divergence: OnDivergence

    @property
    def proximal(self) -> bool:
        """Whether the L1 part of the penalty is applied by soft-thresholding."""
        return self.l1_update == "proximal"

    @property
    def l2_share(self) -> float:
        """The L2 coefficient of a built-in penalty (0 for a user's callable)."""
        parts = penalty_parts(self.penalty)
        return 0.0 if parts is None else parts[1]

    def config(self, problem: Problem) -> dict[str, Any]:
        """The settings as a JSON-ready dict, with the problem's own settings and the version."""
        from weightdecay import __version__  # noqa: PLC0415 - the package imports this module

        return {
            **problem.config,
            "num_epochs": self.num_epochs,
            "lr": self.lr,
            "batch_size": self.batch_size,
            "eval_every": self.eval_every,
            "seed": self.seed,
            "initial": "seeded" if self.initial is None else "given",
            "max_grad_norm": self.max_grad_norm,
            "weightdecay_version": __version__,
        }

    def penalty_config(self) -> dict[str, Any]:
        """The penalty's name and how its L1 part is applied."""
        return {"penalty": penalty_name(self.penalty), "l1_update": self.l1_update}


def check_problem(problem: object) -> Problem:
    """Return ``problem`` if it is a :class:`~weightdecay.problem.Problem`, else raise TypeError."""
    if not isinstance(problem, Problem):
        msg = f"problem must be a weightdecay.problem.Problem (see make_problem), got {type(problem).__name__}."
        raise TypeError(msg)
    return problem


def check_settings(
    problem: object,
    *,
    num_epochs: object,
    lr: object,
    batch_size: object,
    eval_every: object,
    seed: object,
    penalty: PenaltyLike = "l2",
    l1_update: object = "subgradient",
    initial: object = None,
    record_grad_norm: object = False,
    max_grad_norm: object = None,
    on_divergence: object = "raise",
    max_batch_rows: tuple[int, str] | None = None,
) -> Settings:
    """Check every shared argument, in signature order, and return them as one record.

    ``max_batch_rows=(rows, reason)`` caps ``batch_size`` below ``n_train`` (the training rows of
    a validation split), naming the reason in the message.
    """
    problem = check_problem(problem)
    num_epochs = check_int("num_epochs", num_epochs, low=1)
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, low=1, high=problem.n_train)
    if max_batch_rows is not None and batch_size > max_batch_rows[0]:
        rows, reason = max_batch_rows
        msg = f"batch_size must be an integer in [1, {rows}] ({reason} has {rows} rows), got {batch_size}."
        raise ValueError(msg)
    eval_every = check_int("eval_every", eval_every, low=1)
    seed = check_int("seed", seed, low=0)
    penalty_fn = get_penalty(penalty)
    l1 = check_choice("l1_update", l1_update, _L1_UPDATES)
    if l1 == "proximal" and penalty_parts(penalty_fn) is None:
        msg = "l1_update='proximal' needs a built-in penalty ('l1', 'l2', 'elasticnet'), got a callable."
        raise ValueError(msg)
    start = _check_initial(initial, problem)
    _check_penalty_value(penalty_fn, problem)
    if not isinstance(record_grad_norm, bool):
        msg = f"record_grad_norm must be True or False, got {record_grad_norm!r}."
        raise TypeError(msg)
    return Settings(
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        penalty=penalty_fn,
        l1_update=l1,
        initial=start,
        record_grad_norm=record_grad_norm,
        max_grad_norm=check_optional_positive("max_grad_norm", max_grad_norm),
        on_divergence=check_choice("on_divergence", on_divergence, _ON_DIVERGENCE),
    )


def _check_initial(initial: object, problem: Problem) -> tuple[torch.Tensor, torch.Tensor] | None:
    """User-given starting parameters as a detached (d, 1) column and (1,) bias, or None."""
    if initial is None:
        return None
    if not (isinstance(initial, tuple) and len(initial) == 2):
        msg = f"initial must be a tuple (w, b) of tensors, got {type(initial).__name__}."
        raise TypeError(msg)
    w = check_tensor("initial w", initial[0], ndim=2, shape=(problem.num_inputs, 1))
    b = check_tensor("initial b", initial[1], ndim=1, shape=(1,))
    return w.detach().to(problem.dtype).clone(), b.detach().to(problem.dtype).clone()


def _check_penalty_value(penalty: Penalty, problem: Problem) -> None:
    """A user's penalty must map the weights to a differentiable scalar: try it once."""
    if penalty_parts(penalty) is not None:
        return
    w = torch.zeros(problem.num_inputs, 1, dtype=problem.dtype, requires_grad=True)
    value: object = penalty(w)
    if not isinstance(value, torch.Tensor) or value.numel() != 1 or not value.requires_grad:
        msg = (
            "penalty must map the weights to a differentiable scalar tensor, "
            f"got {type(value).__name__} {getattr(value, 'shape', '')}."
        )
        raise TypeError(msg)


def training_generators(seed: int) -> tuple[torch.Generator, torch.Generator]:
    """The generators of a training run: one for the initial weights, one for the batch order.

    Every trainer, the path, the tests and the benchmarks take their generators from here, so the
    same ``seed`` gives the same start and the same minibatches everywhere.
    """
    init_gen, batch_gen = spawn_generators(seed, 2, purpose="train")
    return init_gen, batch_gen
