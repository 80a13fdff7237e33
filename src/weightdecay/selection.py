r"""Choosing :math:`\lambda` by validation: k-fold cross-validation and a hold-out split.

Both train one model per :math:`\lambda` and per split with the vectorized engine of
:func:`~weightdecay.path.regularization_path` (all folds :math:`\times` all :math:`\lambda` in one
loop) and score each on the rows it did not see. The test split never takes part in the choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from weightdecay._batched_sgd import train_splits
from weightdecay._json import short_float, strict_json
from weightdecay._settings import check_problem, check_settings
from weightdecay._validation import check_grid, check_int

if TYPE_CHECKING:
    from collections.abc import Sequence

    from weightdecay._settings import L1Update
    from weightdecay.path import Progress
    from weightdecay.penalty import PenaltyLike
    from weightdecay.problem import Problem

__all__ = ["LambdaSelection", "kfold_splits", "select_lambda_cv", "select_lambda_holdout"]

Split = tuple[torch.Tensor, torch.Tensor]  # (training rows, validation rows)


@dataclass(frozen=True, eq=False, repr=False)
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
    config : dict
        The settings that made the selection, as :attr:`TrainResult.config
        <weightdecay.results.TrainResult>`.

    Examples
    --------
    >>> from weightdecay import make_problem, select_lambda_cv
    >>> cv = select_lambda_cv(make_problem(), [0.1, 1.0, 10.0], folds=4)
    >>> cv.val_loss.shape, cv.best_lambda == float(cv.lambdas[cv.mean.argmin()])
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
    config: dict[str, Any] = field(default_factory=dict)

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
        """A strict-JSON dictionary (NaN and infinities become None).

        Returns
        -------
        dict
            The settings, the grid, the method, the per-split losses, the curve, its spread and
            the choices.

        Examples
        --------
        >>> from weightdecay import make_problem, select_lambda_holdout
        >>> d = select_lambda_holdout(make_problem(), [0.5, 5.0], num_epochs=5).to_dict()
        >>> d["method"], d["best_lambda"] in (0.5, 5.0)
        ('hold-out validation on the last 5 rows', True)
        """
        data: dict[str, Any] = strict_json(
            {
                "config": self.config,
                "lambdas": self.lambdas,
                "method": self.method,
                "train_loss": self.train_loss,
                "val_loss": self.val_loss,
                "mean": self.mean,
                "std": self.std,
                "best_lambda": self.best_lambda,
                "lambda_1se": self.lambda_1se,
            }
        )
        return data

    def __repr__(self) -> str:
        """The method, the grid and the choices, on one line."""
        grid = self.lambdas.tolist()
        return (
            f"LambdaSelection(method={self.method!r}, lambdas={len(grid)} in "
            f"[{short_float(grid[0])}, {short_float(grid[-1])}], "
            f"best_lambda={short_float(self.best_lambda)}, "
            f"lambda_1se={short_float(self.lambda_1se)})"
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
    progress: bool | Progress | None = None,
) -> LambdaSelection:
    r"""Choose :math:`\lambda` by k-fold cross-validation on the training set.

    The training rows are cut into ``folds`` contiguous blocks, as scikit-learn's
    ``KFold(n_splits=folds)`` without shuffling (the rows of a :class:`~weightdecay.problem.Problem`
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
        As in :func:`~weightdecay.path.regularization_path`.
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
    weightdecay.path.regularization_path : train on all the training rows and report the test loss.

    Examples
    --------
    >>> from weightdecay import make_problem, select_lambda_cv
    >>> cv = select_lambda_cv(make_problem(), [0.01, 0.1, 1.0, 10.0], folds=5)
    >>> cv.method, cv.val_loss.shape
    ('5-fold cross-validation', torch.Size([5, 4]))
    >>> cv.best_lambda == float(cv.lambdas[cv.mean.argmin()]) and cv.lambda_1se >= cv.best_lambda
    True
    """
    folds = check_int("folds", folds, low=2, high=check_problem(problem).n_train)
    # The largest folds hold ceil(n / folds) rows, so the smallest training sets have the rest.
    min_rows = problem.n_train - -(-problem.n_train // folds)
    reason = f"the smallest training set of {folds}-fold cross-validation"
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
        max_batch_rows=(min_rows, reason),
    )
    grid = check_grid(lambdas)
    splits = kfold_splits(problem.n_train, folds)
    train, val = train_splits(problem, splits, grid, settings, progress)
    method = f"{folds}-fold cross-validation"
    config = {"trainer": "select_lambda_cv", "folds": folds, **settings.penalty_config()}
    return _selection(grid, method, train, val, config | settings.config(problem))


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
    progress: bool | Progress | None = None,
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
        As in :func:`~weightdecay.path.regularization_path`.
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
    >>> holdout.val_loss.shape, holdout.best_lambda == holdout.lambda_1se  # one split
    (torch.Size([1, 4]), True)
    """
    n_val = check_int("n_val", n_val, low=1, high=check_problem(problem).n_train - 1)
    reason = f"the training rows left with n_val={n_val}"
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
        max_batch_rows=(problem.n_train - n_val, reason),
    )
    grid = check_grid(lambdas)
    n = problem.n_train
    split = (torch.arange(n - n_val), torch.arange(n - n_val, n))
    train, val = train_splits(problem, [split], grid, settings, progress)
    method = f"hold-out validation on the last {n_val} row{'s' if n_val > 1 else ''}"
    config = {"trainer": "select_lambda_holdout", "n_val": n_val, **settings.penalty_config()}
    return _selection(grid, method, train, val, config | settings.config(problem))


def kfold_splits(n: int, folds: int) -> list[Split]:
    """Cut ``n`` rows into ``folds`` (training rows, validation rows) splits, as scikit-learn.

    The same splits as ``sklearn.model_selection.KFold(n_splits=folds)`` without shuffling:
    contiguous validation blocks, the first ``n % folds`` of them one row longer.

    Parameters
    ----------
    n : int
        Number of rows (>= 2).
    folds : int
        Number of splits, in ``[2, n]``.

    Returns
    -------
    list of tuple of torch.Tensor
        For each fold, the indices of its training rows and of its validation rows.

    Raises
    ------
    ValueError
        If ``folds`` is outside ``[2, n]``.

    Examples
    --------
    >>> [val.tolist() for _, val in kfold_splits(5, 2)]
    [[0, 1, 2], [3, 4]]
    """
    folds = check_int("folds", folds, low=2, high=check_int("n", n, low=2))
    sizes = [n // folds + (1 if f < n % folds else 0) for f in range(folds)]
    blocks = torch.arange(n).split(sizes)  # the validation rows of each fold
    return [(torch.cat(blocks[:f] + blocks[f + 1 :]), val) for f, val in enumerate(blocks)]


def _selection(
    grid: torch.Tensor,
    method: str,
    train_loss: torch.Tensor,
    val_loss: torch.Tensor,
    config: dict[str, Any],
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
        config=config,
    )
