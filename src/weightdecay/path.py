r"""Choosing :math:`\lambda`: a whole regularization path in one training loop, and validation.

A linear model's gradient has a closed form,

.. math::

    g_W = \frac{1}{|B|} X_B^\top (X_B W + \mathbf 1 b - y_B) + \nabla P(W)\,\operatorname{diag}(\lambda),

so the weights of :math:`K` models can sit side by side in one matrix :math:`W` of shape
(num_inputs, K), column :math:`k` trained with :math:`\lambda_k`. Every column starts from the same
initial weights and sees the same minibatches as :func:`~weightdecay.trainer.train_scratch` with
the same ``seed``, so column :math:`k` *is* ``train_scratch(problem, lambd=lambdas[k], seed=seed)``
(up to floating-point rounding), computed for about the price of one run.

Cross-validation adds a leading dimension: the training sets of the folds are stacked, and
:math:`K \times` folds models train in one loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from numbers import Real
from typing import TYPE_CHECKING, Any, TypeAlias

import torch

from weightdecay._linear_sgd import LinearSGD, LinearSpec
from weightdecay._loop import ColumnDivergence, LoopSettings, StepOut, run
from weightdecay._seeding import spawn_generators
from weightdecay._validation import check_choice, check_int
from weightdecay.data import Problem
from weightdecay.model import init_params
from weightdecay.penalty import get_penalty, penalty_name, penalty_parts
from weightdecay.trainer import (
    _L1_UPDATES,
    Divergence,
    L1Update,
    _check_penalty_value,
    _check_settings,
    _initial,
    _Settings,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from weightdecay.penalty import Penalty, PenaltyLike

__all__ = [
    "ZERO_TOL",
    "LambdaSelection",
    "PathResult",
    "Progress",
    "regularization_path",
    "select_lambda_cv",
    "select_lambda_holdout",
]

ZERO_TOL = 1e-3
"""A weight counts as near zero when :math:`\\lvert w_i\\rvert <` ``ZERO_TOL``: a tenth of the
true weights (0.01) of the default problem."""

Progress: TypeAlias = Callable[[int], None]
"""A progress callback: called with the number of epochs completed so far."""


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
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
        Final weights, one column per :math:`\lambda` (the last finite ones for a diverged column).
    b : torch.Tensor of shape (K,)
        Final biases.
    divergences : dict of int to Divergence
        For each column that stopped being finite, where and how.

    Examples
    --------
    >>> from weightdecay import make_problem, regularization_path
    >>> path = regularization_path(make_problem(), [0.0, 3.0])
    >>> path.W.shape, path.train_loss.shape
    (torch.Size([200, 2]), torch.Size([20, 2]))
    >>> [round(v, 2) for v in path.w_norm.tolist()]
    [13.89, 0.38]
    """

    lambdas: torch.Tensor
    penalty: str
    epochs: list[int]
    train_loss: torch.Tensor
    test_loss: torch.Tensor
    W: torch.Tensor
    b: torch.Tensor
    divergences: dict[int, Divergence] = field(default_factory=dict)

    @property
    def final_train_loss(self) -> torch.Tensor:
        """Training loss at the last evaluation, shape (K,); NaN where a column diverged."""
        return _final(self.train_loss, self.diverged)

    @property
    def final_test_loss(self) -> torch.Tensor:
        """Test loss at the last evaluation, shape (K,); NaN where a column diverged."""
        return _final(self.test_loss, self.diverged)

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
        """A JSON-ready dictionary (NaN becomes None).

        Returns
        -------
        dict
            The grid, the penalty, the final losses, norms and near-zero counts per
            :math:`\\lambda`, the loss histories and the divergences.

        Examples
        --------
        >>> from weightdecay import make_problem, regularization_path
        >>> sorted(regularization_path(make_problem(), [1.0], num_epochs=5).to_dict())
        ... # doctest: +NORMALIZE_WHITESPACE
        ['divergences', 'epochs', 'final_test_loss', 'final_train_loss', 'lambdas',
         'num_near_zero', 'penalty', 'test_loss', 'train_loss', 'w_norm']
        """
        return {
            "lambdas": self.lambdas.tolist(),
            "penalty": self.penalty,
            "final_train_loss": _json_floats(self.final_train_loss),
            "final_test_loss": _json_floats(self.final_test_loss),
            "w_norm": _json_floats(self.w_norm),
            "num_near_zero": self.num_near_zero.tolist(),
            "epochs": list(self.epochs),
            "train_loss": [_json_floats(row) for row in self.train_loss],
            "test_loss": [_json_floats(row) for row in self.test_loss],
            "divergences": {str(k): _json_safe(asdict(v)) for k, v in self.divergences.items()},
        }


@dataclass(frozen=True, eq=False)
class LambdaSelection:
    r"""Validation losses over a grid of :math:`\lambda` values and the choice they imply.

    Returned by :func:`select_lambda_cv` (one split per fold) and :func:`select_lambda_holdout`
    (one split).

    Attributes
    ----------
    lambdas : torch.Tensor of shape (K,)
        The grid, increasing (float64).
    method : str
        How the splits were made, for example ``"5-fold cross-validation"``.
    train_loss : torch.Tensor of shape (num_splits, K)
        Final loss on each split's training rows (half squared error).
    val_loss : torch.Tensor of shape (num_splits, K)
        Final loss on each split's held-out rows; NaN where the model diverged.
    mean, std : torch.Tensor of shape (K,)
        Mean and standard deviation (``ddof=0``, as ``numpy.std``) of ``val_loss`` over the splits:
        the validation curve and its spread. ``std`` is 0 for a single split.
    best_index : int
        Index of the smallest ``mean`` among the :math:`\lambda` that never diverged.
    index_1se : int
        Index of the one-standard-error choice: the largest :math:`\lambda` whose ``mean`` is
        within one standard error of the best ``mean`` (equals ``best_index`` for one split).

    Examples
    --------
    >>> from weightdecay import make_problem, select_lambda_cv
    >>> cv = select_lambda_cv(make_problem(), [0.1, 1.0, 10.0], folds=4)
    >>> cv.val_loss.shape, cv.best_lambda in (0.1, 1.0, 10.0)
    (torch.Size([4, 3]), True)
    """

    lambdas: torch.Tensor
    method: str
    train_loss: torch.Tensor
    val_loss: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor
    best_index: int
    index_1se: int

    @property
    def best_lambda(self) -> float:
        """The :math:`\\lambda` with the smallest mean validation loss."""
        return float(self.lambdas[self.best_index])

    @property
    def lambda_1se(self) -> float:
        """The largest :math:`\\lambda` within one standard error of the best mean loss."""
        return float(self.lambdas[self.index_1se])

    @property
    def sem(self) -> torch.Tensor:
        r"""Standard error of ``mean``: sample standard deviation over :math:`\sqrt{\text{splits}}`.

        Zero for a single split.
        """
        splits = self.val_loss.shape[0]
        if splits < 2:
            return torch.zeros_like(self.mean)
        return self.std * math.sqrt(1.0 / (splits - 1))

    @property
    def diverged(self) -> torch.Tensor:
        """Boolean mask of shape (K,): the :math:`\\lambda` that diverged on some split."""
        return ~torch.isfinite(self.val_loss).all(0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (NaN becomes None).

        Returns
        -------
        dict
            The grid, the method, the per-split losses, the curve, its spread and the choices.

        Examples
        --------
        >>> from weightdecay import make_problem, select_lambda_holdout
        >>> d = select_lambda_holdout(make_problem(), [0.5, 5.0], num_epochs=5).to_dict()
        >>> d["method"], d["best_lambda"] in (0.5, 5.0)
        ('hold-out validation on the last 5 rows', True)
        """
        return {
            "lambdas": self.lambdas.tolist(),
            "method": self.method,
            "train_loss": [_json_floats(row) for row in self.train_loss],
            "val_loss": [_json_floats(row) for row in self.val_loss],
            "mean": _json_floats(self.mean),
            "std": _json_floats(self.std),
            "best_lambda": self.best_lambda,
            "lambda_1se": self.lambda_1se,
        }


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------
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
    progress: Progress | None = None,
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
    progress : callable or None, default=None
        Called after each evaluation with the number of epochs completed (for a progress bar;
        the function itself prints nothing).

    Returns
    -------
    PathResult
        Final weights, losses, norms and histories per :math:`\lambda`. A column that diverges
        (for example :math:`\eta\lambda > 2` with L2) is frozen at its last finite weights and
        reported in ``divergences``; the others train on.

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

    with the data term computed for all columns by two matrix products. The models are small, so
    the loop runs on one CPU thread (the caller's thread setting is restored afterwards):
    spreading such products over threads costs more than it saves.

    See Also
    --------
    select_lambda_cv : choose :math:`\lambda` by k-fold cross-validation.
    weightdecay.ridge.ridge_closed_form : the point the L2 path converges to.

    Examples
    --------
    >>> from weightdecay import make_problem, regularization_path
    >>> path = regularization_path(make_problem(), [0.0, 1.0, 10.0])
    >>> [f"{v:.3g}" for v in path.final_test_loss.tolist()]
    ['105', '9.5', '0.00806']
    """
    config = _check_config(
        problem,
        lambdas,
        penalty=penalty,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        l1_update=l1_update,
        initial=initial,
    )
    trained = _train_columns(
        (problem.X_train, problem.y_train), (problem.X_test, problem.y_test), config, progress
    )
    return PathResult(
        lambdas=config.grid,
        penalty=penalty_name(config.penalty),
        epochs=trained.epochs,
        train_loss=trained.train_loss,
        test_loss=trained.eval_loss,
        W=trained.W,
        b=trained.b.reshape(-1),
        divergences={
            k: Divergence(lr=config.settings.lr, **asdict(d))
            for k, d in trained.divergences.items()
        },
    )


def select_lambda_cv(
    problem: Problem,
    lambdas: Sequence[float] | torch.Tensor,
    *,
    folds: int = 5,
    penalty: PenaltyLike = "l2",
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    eval_every: int = 5,
    seed: int = 0,
    l1_update: L1Update = "subgradient",
    initial: tuple[torch.Tensor, torch.Tensor] | None = None,
    progress: Progress | None = None,
) -> LambdaSelection:
    r"""Choose :math:`\lambda` by k-fold cross-validation on the training set.

    The training rows are cut into ``folds`` contiguous blocks, as scikit-learn's
    ``KFold(n_splits=folds)`` without shuffling (the rows of a :class:`~weightdecay.data.Problem`
    are drawn independently, so their order carries no information). For each fold, a model per
    :math:`\lambda` is trained from scratch on the other rows and scored on the fold; all
    ``folds`` :math:`\times K` models train in one loop. The test split is never used.

    Parameters
    ----------
    problem : Problem
        The data; only ``X_train`` and ``y_train`` are used.
    lambdas : sequence of float or 1-D torch.Tensor
        The grid: finite, >= 0, strictly increasing, at least one value.
    folds : int, default=5
        Number of folds, in ``[2, n_train]`` (``n_train`` is leave-one-out).
    penalty, num_epochs, lr, eval_every, seed, l1_update, initial, progress
        As in :func:`regularization_path`.
    batch_size : int, default=5
        Minibatch size, at most the number of rows each fold trains on.

    Returns
    -------
    LambdaSelection
        Per-fold losses, the mean validation curve and its spread, ``best_lambda`` (smallest
        mean) and ``lambda_1se`` (the one-standard-error rule).

    Raises
    ------
    ValueError
        If the grid, ``folds`` or another argument is out of range (before any training starts).
    TypeError
        If an argument has the wrong type.
    FloatingPointError
        If every :math:`\lambda` diverged on some fold, so none can be chosen.

    Notes
    -----
    When ``folds`` does not divide ``n_train``, the first ``n_train % folds`` folds hold one row
    more (as ``KFold``), so the folds train on two different numbers of rows. Each size trains in
    its own loop (the stacked tensors need equal sizes), so fold :math:`f`'s models are exactly
    ``train_scratch`` on the rows outside fold :math:`f` with the same ``seed``. The curve is the
    unweighted mean over folds, as scikit-learn's ``cross_val_score(...).mean()``.

    The one-standard-error rule (Hastie, Tibshirani and Friedman, *The Elements of Statistical
    Learning*, 7.10) picks the most regularized model whose mean loss is within one standard
    error, :math:`\mathrm{sd}/\sqrt{\text{folds}}`, of the minimum: a simpler model that the
    data cannot tell apart from the best one.

    See Also
    --------
    select_lambda_holdout : the simpler single validation split.
    regularization_path : train on all the training rows and report the test loss.

    Examples
    --------
    >>> from weightdecay import make_problem, select_lambda_cv
    >>> cv = select_lambda_cv(make_problem(), [0.01, 0.1, 1.0, 10.0], folds=5)
    >>> cv.method, cv.best_lambda, cv.lambda_1se
    ('5-fold cross-validation', 10.0, 10.0)
    """
    folds = check_int("folds", folds, low=2, high=_n_train(problem))
    # The largest folds hold ceil(n / folds) rows, so the smallest training sets have the rest.
    min_rows = problem.n_train - -(-problem.n_train // folds)
    config = _check_config(
        problem,
        lambdas,
        penalty=penalty,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        l1_update=l1_update,
        initial=initial,
        min_rows=min_rows,
        rows_reason=f"the smallest training set of {folds}-fold cross-validation",
    )
    splits = _kfold(problem.n_train, folds)
    train, val = _run_splits(problem, splits, config, progress)
    return _selection(config.grid, f"{folds}-fold cross-validation", train, val)


def select_lambda_holdout(
    problem: Problem,
    lambdas: Sequence[float] | torch.Tensor,
    *,
    n_val: int = 5,
    penalty: PenaltyLike = "l2",
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    eval_every: int = 5,
    seed: int = 0,
    l1_update: L1Update = "subgradient",
    initial: tuple[torch.Tensor, torch.Tensor] | None = None,
    progress: Progress | None = None,
) -> LambdaSelection:
    r"""Choose :math:`\lambda` on a held-out validation split of the training set.

    The last ``n_val`` training rows are set aside; a model per :math:`\lambda` is trained on the
    others and scored on them. This is d2l's exercise 2; :func:`select_lambda_cv` averages the
    same over several splits and is less noisy.

    Parameters
    ----------
    problem : Problem
        The data; only ``X_train`` and ``y_train`` are used.
    lambdas : sequence of float or 1-D torch.Tensor
        The grid: finite, >= 0, strictly increasing, at least one value.
    n_val : int, default=5
        Rows held out for validation, in ``[1, n_train - 1]``.
    penalty, num_epochs, lr, eval_every, seed, l1_update, initial, progress
        As in :func:`regularization_path`.
    batch_size : int, default=5
        Minibatch size, at most ``n_train - n_val``.

    Returns
    -------
    LambdaSelection
        With one split: ``std`` is 0 and ``lambda_1se`` equals ``best_lambda``.

    Raises
    ------
    ValueError
        If the grid, ``n_val`` or another argument is out of range (before any training starts).
    TypeError
        If an argument has the wrong type.
    FloatingPointError
        If every :math:`\lambda` diverged.

    See Also
    --------
    select_lambda_cv : k-fold cross-validation.

    Examples
    --------
    >>> from weightdecay import make_problem, select_lambda_holdout
    >>> holdout = select_lambda_holdout(make_problem(), [0.01, 0.1, 1.0, 10.0], n_val=5)
    >>> holdout.best_lambda, holdout.val_loss.shape
    (10.0, torch.Size([1, 4]))
    """
    n_val = check_int("n_val", n_val, low=1, high=_n_train(problem) - 1)
    config = _check_config(
        problem,
        lambdas,
        penalty=penalty,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        l1_update=l1_update,
        initial=initial,
        min_rows=problem.n_train - n_val,
        rows_reason=f"the training rows left with n_val={n_val}",
    )
    n = problem.n_train
    split = (torch.arange(n - n_val), torch.arange(n - n_val, n))
    train, val = _run_splits(problem, [split], config, progress)
    method = f"hold-out validation on the last {n_val} row{'s' if n_val > 1 else ''}"
    return _selection(config.grid, method, train, val)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Config:
    grid: torch.Tensor  # (K,) float64
    settings: _Settings
    penalty: Penalty
    proximal: bool
    seed: int
    start: tuple[torch.Tensor, torch.Tensor] | None
    num_inputs: int
    dtype: torch.dtype


def _n_train(problem: object) -> int:
    """The number of training rows, once ``problem`` is known to be a Problem."""
    if not isinstance(problem, Problem):
        msg = f"problem must be a weightdecay.data.Problem (see make_problem), got {type(problem).__name__}."
        raise TypeError(msg)
    return problem.n_train


def _check_config(
    problem: Problem,
    lambdas: object,
    *,
    penalty: PenaltyLike,
    num_epochs: object,
    lr: object,
    batch_size: object,
    eval_every: object,
    seed: object,
    l1_update: object,
    initial: tuple[torch.Tensor, torch.Tensor] | None,
    min_rows: int | None = None,
    rows_reason: str = "",
) -> _Config:
    """Validate everything, in the trainer's order, before any work starts."""
    settings = _check_settings(
        problem,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        record_grad_norm=False,
        max_grad_norm=None,
        on_divergence="stop",
    )
    if min_rows is not None and settings.batch_size > min_rows:
        msg = (
            f"batch_size must be an integer in [1, {min_rows}] ({rows_reason} has {min_rows} "
            f"rows), got {settings.batch_size}."
        )
        raise ValueError(msg)
    grid = _check_grid(lambdas)
    penalty_fn = get_penalty(penalty)
    proximal = check_choice("l1_update", l1_update, _L1_UPDATES) == "proximal"
    if proximal and penalty_parts(penalty_fn) is None:
        msg = "l1_update='proximal' needs a built-in penalty ('l1', 'l2', 'elasticnet'), got a callable."
        raise ValueError(msg)
    start = _initial(initial, problem)
    if penalty_parts(penalty_fn) is None:
        _check_penalty_value(penalty_fn, torch.zeros(problem.num_inputs, 1, dtype=problem.dtype))
    return _Config(
        grid=grid,
        settings=settings,
        penalty=penalty_fn,
        proximal=proximal,
        seed=check_int("seed", seed, low=0),
        start=start,
        num_inputs=problem.num_inputs,
        dtype=problem.dtype,
    )


def _check_grid(lambdas: object, name: str = "lambdas") -> torch.Tensor:
    """Return a grid of penalty strengths as a float64 tensor, or raise a clear error.

    Parameters
    ----------
    lambdas : sequence of float or 1-D torch.Tensor
        The candidate values.
    name : str, default="lambdas"
        The argument's name, for the messages.

    Returns
    -------
    torch.Tensor of shape (K,)
        The values, float64.

    Raises
    ------
    TypeError
        If ``lambdas`` is not a sequence of real numbers or a 1-D real tensor.
    ValueError
        If it is empty, or a value is negative or not finite, repeated or out of order.

    Examples
    --------
    >>> _check_grid([0.0, 0.5, 2])
    tensor([0.0000, 0.5000, 2.0000], dtype=torch.float64)
    >>> _check_grid([1.0, 0.1])
    Traceback (most recent call last):
    ...
    ValueError: lambdas must be in increasing order (sort it, for example with sorted()), got 1.0 before 0.1 at index 1.
    """
    values = _grid_values(lambdas, name)
    if not values:
        msg = f"{name} must hold at least one value, got an empty grid."
        raise ValueError(msg)
    for i, value in enumerate(values):
        if not (math.isfinite(value) and value >= 0):
            msg = f"{name}[{i}] must be a finite number >= 0, got {value!r}."
            raise ValueError(msg)
    for i in range(1, len(values)):
        if values[i] == values[i - 1]:
            msg = f"{name} must not repeat a value, got {values[i]!r} at indices {i - 1} and {i}."
            raise ValueError(msg)
        if values[i] < values[i - 1]:
            msg = (
                f"{name} must be in increasing order (sort it, for example with sorted()), "
                f"got {values[i - 1]!r} before {values[i]!r} at index {i}."
            )
            raise ValueError(msg)
    return torch.tensor(values, dtype=torch.float64)


def _grid_values(lambdas: object, name: str) -> list[float]:
    if isinstance(lambdas, torch.Tensor):
        if lambdas.ndim != 1 or lambdas.is_complex() or lambdas.dtype == torch.bool:
            msg = f"{name} must be a 1-D real tensor, got shape {tuple(lambdas.shape)} and dtype {lambdas.dtype}."
            raise TypeError(msg)
        return [float(v) for v in lambdas.tolist()]
    if isinstance(lambdas, (str, bytes)) or not hasattr(lambdas, "__iter__"):
        msg = f"{name} must be a sequence of numbers or a 1-D tensor, got {type(lambdas).__name__}."
        raise TypeError(msg)
    values = []
    for i, value in enumerate(lambdas):
        if isinstance(value, bool) or not isinstance(value, Real):
            msg = (
                f"{name}[{i}] must be a real number, got {value!r} of type {type(value).__name__}."
            )
            raise TypeError(msg)
        values.append(float(value))
    return values


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Trained:
    epochs: list[int]
    train_loss: torch.Tensor  # (num_evals, *lead, K)
    eval_loss: torch.Tensor  # (num_evals, *lead, K)
    W: torch.Tensor  # (*lead, d, K)
    b: torch.Tensor  # (*lead, 1, K)
    divergences: dict[int, ColumnDivergence]  # keyed by flat index into (*lead, K)


def _train_columns(
    train: tuple[torch.Tensor, torch.Tensor],
    evaluation: tuple[torch.Tensor, torch.Tensor],
    config: _Config,
    progress: Progress | None,
) -> _Trained:
    """Train K columns (times any leading dimensions of ``train``) in one loop of the shared engine."""
    lead = tuple(train[0].shape[:-2])
    K = config.grid.shape[0]
    init_gen, batch_gen = spawn_generators(config.seed, 2, purpose="train")
    W, b = _starting_columns(config, init_gen, (*lead, K))
    spec = LinearSpec(
        penalty=config.penalty,
        lambd=config.grid.to(config.dtype).reshape(1, K),
        lr=config.settings.lr,
        proximal=config.proximal,
        # A path reports losses per evaluation, not per update; the guard then rests on the
        # evaluations and the parameters, and a replay still checks every update's loss.
        step_loss=False,
    )
    model = LinearSGD(train, evaluation, W, b, spec)
    num_rows = int(train[0].shape[-2])
    settings = config.settings
    loop = LoopSettings(
        num_examples=num_rows,
        num_epochs=settings.num_epochs,
        batch_size=settings.batch_size,
        eval_every=settings.eval_every,
        stop_at_first_divergence=False,  # report each diverging column, train the others on
        record_grad_norm=False,
    )
    steps_per_epoch = -(-num_rows // settings.batch_size)
    trainable = model if progress is None else _Reporting(model, steps_per_epoch, progress)
    trace = run(trainable, loop, batch_gen)
    return _Trained(
        epochs=list(trace.epochs),
        train_loss=_stack(trace.train_loss, (*lead, K), config.dtype),
        eval_loss=_stack(trace.test_loss, (*lead, K), config.dtype),
        W=W,
        b=b,
        divergences=dict(trace.divergences),
    )


def _starting_columns(
    config: _Config, init_gen: torch.Generator, shape: tuple[int, ...]
) -> tuple[torch.Tensor, torch.Tensor]:
    """The shared start, copied into every column: W of shape (*lead, d, K), b of (*lead, 1, K)."""
    if config.start is None:  # the same draw as train_scratch makes
        w0, b0 = init_params(config.num_inputs, generator=init_gen, dtype=config.dtype)
    else:
        w0, b0 = config.start
    *lead, K = shape
    dense = torch.contiguous_format  # a real copy per column, not a broadcast view
    W = w0.detach().reshape(-1, 1).expand(*lead, -1, K).clone(memory_format=dense)
    b = b0.detach().reshape(1, 1).expand(*lead, 1, K).clone(memory_format=dense)
    return W, b


class _Reporting:
    """Forwards to a LinearSGD and tells a callback how many epochs are done at each evaluation.

    The step count travels with the checkpoints, so the replay after a divergence does not count
    its updates twice.
    """

    def __init__(self, model: LinearSGD, steps_per_epoch: int, callback: Progress) -> None:
        self.model, self.steps_per_epoch, self.callback = model, steps_per_epoch, callback
        self.steps = 0

    def step(self, idx: torch.Tensor, *, inspect: bool) -> StepOut:
        self.steps += 1
        return self.model.step(idx, inspect=inspect)

    def evaluate(self) -> tuple[torch.Tensor, torch.Tensor]:
        self.callback(self.steps // self.steps_per_epoch)
        return self.model.evaluate()

    def param_sums(self) -> torch.Tensor:
        return self.model.param_sums()

    def max_abs_w(self) -> torch.Tensor:
        return self.model.max_abs_w()

    def save(self) -> object:
        return self.model.save(), self.steps

    def restore(self, state: object) -> None:
        inner, self.steps = _unwrap(state)
        self.model.restore(inner)

    def freeze(self, dead: torch.Tensor, state: object) -> None:
        self.model.freeze(dead, _unwrap(state)[0])


def _unwrap(state: object) -> tuple[object, int]:
    assert isinstance(state, tuple)
    inner, steps = state
    assert isinstance(steps, int)
    return inner, steps


def _stack(rows: list[torch.Tensor], shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    if not rows:  # every column diverged before the first evaluation
        return torch.empty((0, *shape), dtype=dtype)
    return torch.stack(rows)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------
Split = tuple[torch.Tensor, torch.Tensor]  # (training rows, validation rows)


def _kfold(n: int, folds: int) -> list[Split]:
    """scikit-learn's KFold(n_splits=folds) without shuffling: contiguous blocks, the first
    n % folds of them one row longer."""
    sizes = [n // folds + (1 if f < n % folds else 0) for f in range(folds)]
    rows = torch.arange(n)
    splits = []
    start = 0
    for size in sizes:
        val = rows[start : start + size]
        train = torch.cat([rows[:start], rows[start + size :]])
        splits.append((train, val))
        start += size
    return splits


def _run_splits(
    problem: Problem, splits: list[Split], config: _Config, progress: Progress | None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Final train and validation losses of every split and lambda, shape (num_splits, K) each.

    Splits of equal size are stacked on a leading dimension and train in one loop.
    """
    K = config.grid.shape[0]
    train_loss = torch.full((len(splits), K), math.nan, dtype=config.dtype)
    val_loss = torch.full((len(splits), K), math.nan, dtype=config.dtype)
    X, y = problem.X_train, problem.y_train
    for group in _groups_by_size(splits):
        train_rows = torch.stack([splits[i][0] for i in group])
        val_rows = torch.stack([splits[i][1] for i in group])
        trained = _train_columns(
            (X[train_rows], y[train_rows]), (X[val_rows], y[val_rows]), config, progress
        )
        diverged = torch.zeros(trained.W.shape[:-2] + trained.W.shape[-1:], dtype=torch.bool)
        diverged.view(-1)[list(trained.divergences)] = True
        train_loss[group] = _final(trained.train_loss, diverged)
        val_loss[group] = _final(trained.eval_loss, diverged)
    return train_loss, val_loss


def _groups_by_size(splits: list[Split]) -> list[list[int]]:
    groups: dict[int, list[int]] = {}
    for i, (train_rows, _) in enumerate(splits):
        groups.setdefault(int(train_rows.numel()), []).append(i)
    return list(groups.values())


def _selection(
    grid: torch.Tensor, method: str, train_loss: torch.Tensor, val_loss: torch.Tensor
) -> LambdaSelection:
    mean = val_loss.mean(0)
    std = val_loss.std(0, correction=0)
    finite = torch.isfinite(mean)
    if not bool(finite.any()):
        msg = (
            f"every lambda diverged during {method}, so none can be chosen; "
            "lower the learning rate (lr=...) or the largest lambda."
        )
        raise FloatingPointError(msg)
    scores = torch.where(finite, mean, math.inf)
    best = int(scores.argmin())
    splits = val_loss.shape[0]
    sem = std[best] / math.sqrt(splits - 1) if splits > 1 else torch.zeros(())
    within = finite & (scores <= scores[best] + sem)
    index_1se = int(within.nonzero().max())
    return LambdaSelection(
        lambdas=grid,
        method=method,
        train_loss=train_loss,
        val_loss=val_loss,
        mean=mean,
        std=std,
        best_index=best,
        index_1se=index_1se,
    )


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------
def _final(history: torch.Tensor, diverged: torch.Tensor) -> torch.Tensor:
    """The last evaluation, NaN for diverged columns: when every column dies, the loop stops
    before recording the failing evaluation, so the last row may predate a divergence."""
    if history.shape[0] == 0:
        return torch.full(history.shape[1:], math.nan, dtype=history.dtype)
    return history[-1].masked_fill(diverged, math.nan)


def _json_floats(values: torch.Tensor) -> list[float | None]:
    return [v if math.isfinite(v) else None for v in values.tolist()]


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in record.items()
    }
