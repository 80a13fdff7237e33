"""The synthetic regression problem of d2l's weight-decay chapter, and its minibatches.

:func:`make_problem` draws it as a :class:`~weightdecay.problem.Problem`.

d2l draws ``X ~ N(0, 1)`` with 200 features but only 20 training examples, so an unregularized
linear model can fit the training set exactly and generalizes badly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from weightdecay._seeding import spawn_generators
from weightdecay._validation import check_column, check_finite, check_int, check_nonnegative
from weightdecay.problem import Problem

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["batch_indices", "make_problem", "minibatches", "synthetic_data"]


def synthetic_data(
    w: torch.Tensor,
    b: float,
    num_examples: int,
    *,
    noise: float = 0.01,
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Draw a linear-regression data set, as d2l's ``synthetic_data`` does.

    Parameters
    ----------
    w : torch.Tensor of shape (num_inputs, 1) or (num_inputs,)
        The true weights.
    b : float
        The true bias.
    num_examples : int
        Number of rows to draw (>= 1).
    noise : float, default=0.01
        Standard deviation of the Gaussian label noise (>= 0).
    generator : torch.Generator
        Source of every random draw (features first, then noise).

    Returns
    -------
    X : torch.Tensor of shape (num_examples, num_inputs)
        Features drawn from :math:`\mathcal{N}(0, 1)`, in the dtype of ``w``.
    y : torch.Tensor of shape (num_examples, 1)
        Labels :math:`y = Xw + b + \epsilon` with :math:`\epsilon \sim \mathcal{N}(0, \sigma^2)`.

    Raises
    ------
    ValueError
        If ``w`` is mis-shaped or not finite, ``num_examples < 1`` or ``noise`` is negative or not finite.

    Examples
    --------
    >>> import torch
    >>> X, y = synthetic_data(torch.ones(3), 0.5, 4, generator=torch.Generator().manual_seed(0))
    >>> X.shape, y.shape
    (torch.Size([4, 3]), torch.Size([4, 1]))
    """
    w = check_column("w", w)
    b = check_finite("b", b)
    num_examples = check_int("num_examples", num_examples, low=1)
    noise = check_nonnegative("noise", noise)
    X = torch.randn(num_examples, w.shape[0], generator=generator, dtype=w.dtype)
    y = X @ w + b
    y += noise * torch.randn(y.shape, generator=generator, dtype=w.dtype)
    return X, y


def make_problem(
    *,
    n_train: int = 20,
    n_test: int = 100,
    num_inputs: int = 200,
    true_w: float = 0.01,
    true_b: float = 0.05,
    noise: float = 0.01,
    seed: int = 0,
    num_nonzero: int | None = None,
    dtype: torch.dtype = torch.float32,
) -> Problem:
    r"""Draw d2l's high-dimensional linear-regression problem.

    Every weight equals ``true_w`` (or, with ``num_nonzero=k``, ``k`` weights at random positions do
    and the rest are 0); labels follow :math:`y = Xw + b + \epsilon`, :math:`\epsilon \sim
    \mathcal{N}(0, \text{noise}^2)`, features :math:`X \sim \mathcal{N}(0, 1)`.

    Parameters
    ----------
    n_train : int, default=20
        Number of training examples (>= 1).
    n_test : int, default=100
        Number of test examples (>= 1).
    num_inputs : int, default=200
        Number of features (>= 1).
    true_w : float, default=0.01
        Value of every non-zero true weight (finite).
    true_b : float, default=0.05
        The true bias (finite).
    noise : float, default=0.01
        Standard deviation of the label noise (finite, >= 0).
    seed : int, default=0
        Seed of the data's own generator (>= 0); training has its own seed.
    num_nonzero : int or None, default=None
        If given, only this many weights (in ``[0, num_inputs]``) are non-zero: a sparse truth.
    dtype : torch.dtype, default=torch.float32
        Floating-point dtype of every tensor.

    Returns
    -------
    Problem
        The train and test split and the true parameters.

    Raises
    ------
    TypeError
        If an argument has the wrong type (for example a float ``n_train``).
    ValueError
        If an argument is outside its valid range.

    Examples
    --------
    >>> problem = make_problem(seed=0)
    >>> problem.X_train.shape, problem.y_test.shape
    (torch.Size([20, 200]), torch.Size([100, 1]))
    >>> float(problem.true_w.sum())
    2.0...
    >>> int((make_problem(num_nonzero=10).true_w != 0).sum())
    10
    """
    n_train = check_int("n_train", n_train, low=1)
    n_test = check_int("n_test", n_test, low=1)
    num_inputs = check_int("num_inputs", num_inputs, low=1)
    true_w = check_finite("true_w", true_w)
    true_b = check_finite("true_b", true_b)
    noise = check_nonnegative("noise", noise)
    seed = check_int("seed", seed, low=0)
    if num_nonzero is not None:
        num_nonzero = check_int("num_nonzero", num_nonzero, low=0, high=num_inputs)
    candidate: object = dtype
    if not (isinstance(candidate, torch.dtype) and candidate.is_floating_point):
        msg = f"dtype must be a floating-point torch.dtype, got {dtype!r}."
        raise TypeError(msg)

    data_gen, support_gen = spawn_generators(seed, 2, purpose="data")
    w = torch.full((num_inputs, 1), true_w, dtype=dtype)
    if num_nonzero is not None:
        off = torch.randperm(num_inputs, generator=support_gen)[num_nonzero:]
        w[off] = 0.0
    X_train, y_train = synthetic_data(w, true_b, n_train, noise=noise, generator=data_gen)
    X_test, y_test = synthetic_data(w, true_b, n_test, noise=noise, generator=data_gen)
    source = {
        "problem": "make_problem",
        "true_w": true_w,
        "true_b": true_b,
        "noise": noise,
        "data_seed": seed,
        "num_nonzero": num_nonzero,
    }
    return Problem(X_train, y_train, X_test, y_test, w, true_b, source=source)


def minibatches(
    X: torch.Tensor,
    y: torch.Tensor,
    batch_size: int,
    *,
    generator: torch.Generator,
    shuffle: bool = True,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield one epoch of ``(X_batch, y_batch)`` minibatches, as d2l's ``data_iter``.

    A fresh permutation of the rows (:func:`batch_indices`) is cut into batches of ``batch_size``;
    the last one is smaller when ``batch_size`` does not divide the number of rows. Indexing the
    tensors costs a fraction of a ``DataLoader``'s per-batch overhead.

    Parameters
    ----------
    X : torch.Tensor of shape (n, num_inputs)
        Features.
    y : torch.Tensor of shape (n, 1)
        Targets, one row per row of ``X``.
    batch_size : int
        Rows per batch, in ``[1, n]``.
    generator : torch.Generator
        Source of the permutation.
    shuffle : bool, default=True
        If False, the batches follow the row order.

    Yields
    ------
    tuple of torch.Tensor
        ``X[rows]`` and ``y[rows]`` for the rows of one batch.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` have different numbers of rows, or ``batch_size`` is outside ``[1, n]``.

    Examples
    --------
    >>> import torch
    >>> X, y = torch.arange(10.0).reshape(5, 2), torch.arange(5.0).reshape(5, 1)
    >>> batches = list(minibatches(X, y, 2, generator=torch.Generator().manual_seed(0)))
    >>> [len(yb) for _, yb in batches], sorted(torch.cat([yb for _, yb in batches]).flatten().tolist())
    ([2, 2, 1], [0.0, 1.0, 2.0, 3.0, 4.0])
    """
    if X.ndim < 1 or y.ndim < 1 or X.shape[0] != y.shape[0]:
        msg = f"X and y must have the same number of rows, got shapes {tuple(X.shape)} and {tuple(y.shape)}."
        raise ValueError(msg)
    for rows in batch_indices(len(X), batch_size, generator=generator, shuffle=shuffle):
        yield X[rows], y[rows]


def batch_indices(
    num_examples: int, batch_size: int, *, generator: torch.Generator, shuffle: bool = True
) -> Iterator[torch.Tensor]:
    """Yield the row indices of one epoch's minibatches.

    One ``randperm`` per epoch, cut into batches; :func:`minibatches` and the vectorized engine
    of :func:`~weightdecay.path.regularization_path` both draw their batches from it.

    Parameters
    ----------
    num_examples : int
        Number of rows to index (>= 1).
    batch_size : int
        Rows per batch, in ``[1, num_examples]``.
    generator : torch.Generator
        Source of the permutation.
    shuffle : bool, default=True
        If False, the batches follow the row order.

    Yields
    ------
    torch.Tensor
        A 1-D ``int64`` tensor of row indices.

    Raises
    ------
    ValueError
        If ``num_examples < 1`` or ``batch_size`` is outside ``[1, num_examples]``.

    Examples
    --------
    >>> import torch
    >>> batches = list(batch_indices(5, 2, generator=torch.Generator().manual_seed(0)))
    >>> [len(b) for b in batches], sorted(torch.cat(batches).tolist())
    ([2, 2, 1], [0, 1, 2, 3, 4])
    """
    num_examples = check_int("num_examples", num_examples, low=1)
    batch_size = check_int("batch_size", batch_size, low=1, high=num_examples)
    if shuffle:
        order = torch.randperm(num_examples, generator=generator)
    else:
        order = torch.arange(num_examples)
    yield from torch.split(order, batch_size)
