"""The synthetic regression problem of d2l's weight-decay chapter, and its minibatches.

d2l draws ``X ~ N(0, 1)`` with 200 features but only 20 training examples, so an unregularized
linear model can fit the training set exactly and generalizes badly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch.utils.data import DataLoader, TensorDataset

from weightdecay._seeding import spawn_generators
from weightdecay._validation import (
    check_column,
    check_finite,
    check_int,
    check_nonnegative,
    check_tensor,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Problem", "load_array", "make_problem", "minibatches", "synthetic_data"]


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


@dataclass(frozen=True, eq=False)
class Problem:
    """A train/test split of the synthetic linear-regression problem.

    Build it with :func:`make_problem`; constructing it directly checks the shapes.

    Parameters
    ----------
    X_train : torch.Tensor of shape (n_train, num_inputs)
        Training features.
    y_train : torch.Tensor of shape (n_train, 1)
        Training labels.
    X_test : torch.Tensor of shape (n_test, num_inputs)
        Test features.
    y_test : torch.Tensor of shape (n_test, 1)
        Test labels.
    true_w : torch.Tensor of shape (num_inputs, 1)
        The weights that generated the labels.
    true_b : float
        The bias that generated the labels.

    Raises
    ------
    TypeError
        If a field is not a floating-point tensor (``true_b``: not a real number).
    ValueError
        If the shapes do not agree or a tensor holds NaN or infinite values.

    Examples
    --------
    >>> problem = make_problem(seed=0)
    >>> problem.n_train, problem.n_test, problem.num_inputs
    (20, 100, 200)
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    true_w: torch.Tensor
    true_b: float

    def __post_init__(self) -> None:
        X_train = check_tensor("X_train", self.X_train, ndim=2)
        n_train, num_inputs = X_train.shape
        check_tensor("y_train", self.y_train, ndim=2, shape=(n_train, 1))
        X_test = check_tensor("X_test", self.X_test, ndim=2, shape=(None, num_inputs))
        check_tensor("y_test", self.y_test, ndim=2, shape=(X_test.shape[0], 1))
        check_tensor("true_w", self.true_w, ndim=2, shape=(num_inputs, 1))
        object.__setattr__(self, "true_b", check_finite("true_b", self.true_b))
        if n_train < 1 or X_test.shape[0] < 1:
            msg = f"a Problem needs at least one train and one test row, got {n_train} and {X_test.shape[0]}."
            raise ValueError(msg)
        dtypes = {
            t.dtype for t in (self.X_train, self.y_train, self.X_test, self.y_test, self.true_w)
        }
        if len(dtypes) != 1:
            msg = f"all tensors of a Problem must share one dtype, got {sorted(map(str, dtypes))}."
            raise TypeError(msg)

    @property
    def n_train(self) -> int:
        """Number of training examples."""
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test examples."""
        return int(self.X_test.shape[0])

    @property
    def num_inputs(self) -> int:
        """Number of features (the length of ``w``)."""
        return int(self.X_train.shape[1])

    @property
    def dtype(self) -> torch.dtype:
        """The floating-point dtype shared by every tensor."""
        return self.X_train.dtype


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
    return Problem(X_train, y_train, X_test, y_test, w, true_b)


def minibatches(
    num_examples: int, batch_size: int, *, generator: torch.Generator, shuffle: bool = True
) -> Iterator[torch.Tensor]:
    """Yield the row indices of one epoch's minibatches.

    One call is one epoch: a fresh permutation (from ``generator``) cut into batches of
    ``batch_size``; the last batch is smaller when ``batch_size`` does not divide ``num_examples``
    (as a ``DataLoader`` with ``drop_last=False``).

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
    >>> batches = list(minibatches(5, 2, generator=torch.Generator().manual_seed(0)))
    >>> [len(b) for b in batches], sorted(torch.cat(batches).tolist())
    ([2, 2, 1], [0, 1, 2, 3, 4])
    """
    num_examples = check_int("num_examples", num_examples, low=1)
    batch_size = check_int("batch_size", batch_size, low=1, high=num_examples)
    return _minibatches(num_examples, batch_size, generator, shuffle=shuffle)


def _minibatches(
    num_examples: int, batch_size: int, generator: torch.Generator, *, shuffle: bool = True
) -> Iterator[torch.Tensor]:
    order = (
        torch.randperm(num_examples, generator=generator) if shuffle else torch.arange(num_examples)
    )
    yield from torch.split(order, batch_size)


def load_array(
    data_arrays: tuple[torch.Tensor, ...],
    batch_size: int,
    is_train: bool = True,
    *,
    generator: torch.Generator | None = None,
) -> DataLoader[tuple[torch.Tensor, ...]]:
    """Wrap tensors in a ``DataLoader``, as d2l's ``load_array`` does.

    Kept for parity with the book's code (and the benchmark's baseline); the trainers use the much
    cheaper :func:`minibatches`.

    Parameters
    ----------
    data_arrays : tuple of torch.Tensor
        Tensors sharing their first dimension, for example ``(X, y)``.
    batch_size : int
        Rows per batch (>= 1).
    is_train : bool, default=True
        Shuffle each epoch (training) or keep the order (evaluation).
    generator : torch.Generator or None, default=None
        Generator of the shuffle; pass one for a reproducible order.

    Returns
    -------
    torch.utils.data.DataLoader
        Yields tuples of batch tensors.

    Raises
    ------
    ValueError
        If ``batch_size < 1`` or the tensors' lengths differ.

    Examples
    --------
    >>> import torch
    >>> loader = load_array((torch.zeros(6, 2), torch.ones(6, 1)), 4, is_train=False)
    >>> [X.shape[0] for X, _ in loader]
    [4, 2]
    """
    batch_size = check_int("batch_size", batch_size, low=1)
    lengths = {int(t.shape[0]) for t in data_arrays}
    if len(lengths) != 1:
        msg = f"data_arrays must share their first dimension, got lengths {sorted(lengths)}."
        raise ValueError(msg)
    dataset = TensorDataset(*data_arrays)
    return DataLoader(dataset, batch_size, shuffle=is_train, generator=generator)
