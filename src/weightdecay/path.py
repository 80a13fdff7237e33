r"""The regularization path: one from-scratch model per :math:`\lambda`, all trained in one loop.

Column :math:`k` of the path starts from the same initial weights and sees the same minibatches
as ``train_scratch(problem, lambd=lambdas[k], seed=seed)``, and takes the same update, written
out by hand for all columns at once (see ``weightdecay/_batched_sgd.py``). So it *is* that run, up
to floating-point rounding, for about the price of one run. Choosing :math:`\lambda` by validation
lives in :mod:`weightdecay.selection`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import torch

from weightdecay._batched_sgd import train_columns
from weightdecay._json import short_float, strict_json
from weightdecay._progress import progress_bar
from weightdecay._settings import check_settings
from weightdecay._validation import check_grid

if TYPE_CHECKING:
    from collections.abc import Sequence

    from weightdecay._settings import L1Update
    from weightdecay.penalty import PenaltyLike
    from weightdecay.problem import Problem
    from weightdecay.results import Divergence

__all__ = ["ZERO_TOL", "PathResult", "Progress", "regularization_path"]

ZERO_TOL = 1e-3
"""A weight counts as near zero when :math:`\\lvert w_i\\rvert <` ``ZERO_TOL``: a tenth of the
true weights (0.01) of the default problem."""

Progress: TypeAlias = Callable[[int], None]
"""A progress callback: called with the number of epochs completed so far (in its loop)."""


@dataclass(frozen=True, eq=False, repr=False)
class PathResult:
    r"""SGD-trained models for a grid of :math:`\lambda` values: the regularization path.

    Attributes
    ----------
    lambdas : torch.Tensor of shape (K,)
        The grid, increasing (float64).
    penalty : str
        The penalty's name, for example ``"l2"``.
    epochs : list of int
        The epochs (1-based) at which the losses were evaluated.
    train_loss, test_loss : torch.Tensor of shape (num_evals, K)
        Exact mean half squared error on the whole train and test split at those epochs; NaN for a
        column after it diverged.
    W : torch.Tensor of shape (num_inputs, K)
        Final weights, one column per :math:`\lambda` (for a diverged column, its weights at its
        last finite evaluation).
    b : torch.Tensor of shape (K,)
        Final biases.
    divergences : dict of int to Divergence
        For each column that stopped being finite, where: the first evaluation whose loss was not
        finite (the path checks at evaluations, not at every update as the trainers do).
    initial : tuple of torch.Tensor
        The shared starting ``(w, b)``, shapes (num_inputs, 1) and (1,).
    config : dict
        The settings that made the path, as :attr:`TrainResult.config
        <weightdecay.results.TrainResult>`.

    Examples
    --------
    >>> from weightdecay import make_problem, regularization_path
    >>> path = regularization_path(make_problem(), [0.0, 3.0])
    >>> path.W.shape, path.train_loss.shape
    (torch.Size([200, 2]), torch.Size([20, 2]))
    >>> bool(path.w_norm[1] < path.w_norm[0] / 20)
    True
    """

    lambdas: torch.Tensor
    penalty: str
    epochs: list[int]
    train_loss: torch.Tensor
    test_loss: torch.Tensor
    W: torch.Tensor
    b: torch.Tensor
    divergences: dict[int, Divergence] = field(default_factory=dict)
    initial: tuple[torch.Tensor, torch.Tensor] | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def final_train_loss(self) -> torch.Tensor:
        """Training loss at the last evaluation, shape (K,); NaN where a column diverged."""
        return self.train_loss[-1]

    @property
    def final_test_loss(self) -> torch.Tensor:
        """Test loss at the last evaluation, shape (K,); NaN where a column diverged."""
        return self.test_loss[-1]

    @property
    def w_norm(self) -> torch.Tensor:
        """:math:`\\lVert w\\rVert_2` of each column at the end, shape (K,)."""
        norms: torch.Tensor = torch.linalg.vector_norm(self.W, dim=0)
        return norms

    @property
    def num_near_zero(self) -> torch.Tensor:
        """Weights with :math:`\\lvert w_i\\rvert <` :data:`ZERO_TOL` per column, shape (K,).

        Meaningful for L1: the proximal update (``l1_update="proximal"``) sets weights exactly to
        zero, while the subgradient update leaves them oscillating within :math:`\\pm\\eta\\lambda`
        of zero, which may exceed the tolerance.
        """
        return (self.W.abs() < ZERO_TOL).sum(0)

    @property
    def diverged(self) -> torch.Tensor:
        """Boolean mask of shape (K,): which columns stopped being finite."""
        mask = torch.zeros(self.lambdas.shape[0], dtype=torch.bool)
        mask[list(self.divergences)] = True
        return mask

    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON dictionary (NaN and infinities become None).

        Returns
        -------
        dict
            The settings, the grid, the final losses, norms and near-zero counts per
            :math:`\\lambda`, the loss histories and the divergences.

        Examples
        --------
        >>> import json
        >>> from weightdecay import make_problem, regularization_path
        >>> data = regularization_path(make_problem(), [1.0, 1e4], num_epochs=5).to_dict()
        >>> data["final_test_loss"][1], len(json.dumps(data, allow_nan=False)) > 0
        (None, True)
        """
        data: dict[str, Any] = strict_json(
            {
                "config": self.config,
                "lambdas": self.lambdas,
                "penalty": self.penalty,
                "final_train_loss": self.final_train_loss,
                "final_test_loss": self.final_test_loss,
                "w_norm": self.w_norm,
                "num_near_zero": self.num_near_zero,
                "epochs": self.epochs,
                "train_loss": self.train_loss,
                "test_loss": self.test_loss,
                "divergences": {k: asdict(v) for k, v in self.divergences.items()},
            }
        )
        return data

    def __repr__(self) -> str:
        """The grid, the penalty and the best test loss among the finite runs, on one line."""
        grid = self.lambdas.tolist()
        test = torch.where(self.diverged, math.inf, self.final_test_loss.nan_to_num(math.inf))
        best = int(test.argmin())
        found = (
            f"best_test_loss={short_float(float(test[best]))} at lambda={short_float(grid[best])}"
            if math.isfinite(float(test[best]))
            else "no finite test loss"
        )
        return (
            f"PathResult(penalty={self.penalty!r}, lambdas={len(grid)} in "
            f"[{short_float(grid[0])}, {short_float(grid[-1])}], epochs={self.epochs[-1]}, "
            f"{found}, diverged={len(self.divergences)})"
        )


def regularization_path(
    problem: Problem,
    lambdas: Sequence[float] | torch.Tensor,
    *,
    penalty: PenaltyLike = "l2",
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    eval_every: int = 5,
    seed: int = 0,
    l1_update: L1Update = "subgradient",
    initial: tuple[torch.Tensor, torch.Tensor] | None = None,
    progress: bool | Progress | None = None,
) -> PathResult:
    r"""Train one from-scratch model per :math:`\lambda`, all in one vectorized loop.

    Column :math:`k` reproduces ``train_scratch(problem, lambd=lambdas[k], ...)`` with the same
    other arguments: same initial weights, same minibatches, same update.

    Parameters
    ----------
    problem : Problem
        The data (see :func:`~weightdecay.data.make_problem`).
    lambdas : sequence of float or 1-D torch.Tensor
        The grid: finite, >= 0, strictly increasing (so no value repeats), at least one value.
    penalty : {"l2", "l1", "elasticnet"} or callable, default="l2"
        :math:`P`, as in :func:`~weightdecay.trainer.train_scratch`.
    num_epochs : int, default=100
        Passes over the training set (>= 1).
    lr : float, default=0.003
        Learning rate :math:`\eta` (> 0).
    batch_size : int, default=5
        Minibatch size, in ``[1, n_train]``.
    eval_every : int, default=5
        Evaluate every this many epochs (>= 1), and after the last one.
    seed : int, default=0
        Seed of the initial weights and the minibatch order (>= 0).
    l1_update : {"subgradient", "proximal"}, default="subgradient"
        How the L1 part of a built-in penalty is applied.
    initial : tuple of torch.Tensor or None, default=None
        Starting ``(w, b)`` of shapes (num_inputs, 1) and (1,), shared by every column.
    progress : bool or callable or None, default=None
        True shows a progress bar on the standard error: a widget in a notebook with
        ipywidgets, tqdm's text bar elsewhere, and nothing when the standard error is a log file
        rather than a terminal. A callable is called after each evaluation with the number of
        epochs completed; None prints nothing.

    Returns
    -------
    PathResult
        Final weights, losses, norms and histories per :math:`\lambda`. A column that diverges
        (for example :math:`\eta\lambda \ge 2` with L2) is reported in ``divergences`` at the
        first evaluation whose loss is not finite, and kept at its weights of the evaluation
        before; the others train on.

    Raises
    ------
    ValueError
        If the grid or an argument is out of range (before any training starts).
    TypeError
        If an argument has the wrong type.

    Notes
    -----
    Every column takes the update of :func:`~weightdecay.trainer.train_scratch`,

    .. math::

        w_k \leftarrow w_k - \eta\lambda_k\nabla P(w_k) - \frac{\eta}{|B|}\sum_{i\in B}
        x_i\,(x_i^\top w_k + b_k - y_i),

    with the data term computed for all columns by two matrix products. With the L2 penalty a
    column approaches the ridge solution (:func:`~weightdecay.ridge.ridge_closed_form`) once the
    part of its start that the data never sees has decayed, as :math:`(1 - \eta\lambda_k)^T`
    after :math:`T` updates. It then keeps moving in a neighbourhood of that minimizer whose size
    shrinks with :math:`\eta`, not with the number of epochs: its losses agree with the
    minimizer's, its weights only where they are large next to that neighbourhood.

    On a CPU these small
    models run fastest on one thread, the more so on a busy machine (``benchmarks/bench_threads.py``
    measures it): call ``torch.set_num_threads(1)`` once, at the start of your program, as the
    ``weightdecay`` command does. The package itself never changes the setting: it is global,
    and in torch 2.13's CPU build raising it again later breaks batched ``torch.linalg.solve``.

    See Also
    --------
    weightdecay.selection.select_lambda_cv : choose :math:`\lambda` by k-fold cross-validation.
    weightdecay.ridge.ridge_closed_form : the minimizer that the L2 path approaches.

    Examples
    --------
    >>> from weightdecay import make_problem, regularization_path
    >>> path = regularization_path(make_problem(), [0.0, 1.0, 10.0])
    >>> path.final_train_loss[0] < 1e-3 < path.final_test_loss[0]  # lambda = 0 interpolates
    tensor(True)
    """
    settings = check_settings(
        problem,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        penalty=penalty,
        l1_update=l1_update,
        initial=initial,
    )
    grid = check_grid(lambdas)
    train, test = (problem.X_train, problem.y_train), (problem.X_test, problem.y_test)
    with progress_bar(progress, total=settings.num_epochs, desc="path") as report:
        trained = train_columns(train, test, grid, settings, report)
    return PathResult(
        lambdas=grid,
        penalty=settings.penalty_config()["penalty"],
        epochs=trained.epochs,
        train_loss=trained.train_loss,
        test_loss=trained.eval_loss,
        W=trained.W,
        b=trained.b.reshape(-1),
        divergences=trained.divergences,
        initial=trained.initial,
        config={"trainer": "path", **settings.penalty_config(), **settings.config(problem)},
    )
