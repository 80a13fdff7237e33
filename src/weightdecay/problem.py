"""The container of a train/test split: :class:`Problem`, from d2l's generator or your own arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from weightdecay._validation import (
    as_column_tensor,
    as_real_tensor,
    check_column,
    check_finite,
    check_tensor,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt

    ArrayLike = npt.ArrayLike | torch.Tensor
    DTypeLike = torch.dtype | npt.DTypeLike  # numpy's DTypeLike includes names and scalar types

__all__ = ["Problem"]


@dataclass(frozen=True, eq=False, repr=False)
class Problem:
    """A train/test split of a linear-regression problem.

    Build it with :func:`~weightdecay.data.make_problem` (d2l's synthetic problem) or :meth:`from_arrays` (your own
    data); constructing it directly checks the shapes.

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
    true_w : torch.Tensor of shape (num_inputs, 1) or None, default=None
        The weights that generated the labels, when known.
    true_b : float or None, default=None
        The bias that generated the labels, when known.
    source : dict, default={}
        How the data was made (for example ``make_problem``'s arguments); it becomes part of
        :attr:`config` and of every result's ``config``.

    Raises
    ------
    TypeError
        If a field is not a floating-point tensor (``true_b``: not a real number).
    ValueError
        If the shapes do not agree or a tensor holds NaN or infinite values.

    Examples
    --------
    >>> from weightdecay import make_problem
    >>> problem = make_problem(seed=0)
    >>> problem.n_train, problem.n_test, problem.num_inputs
    (20, 100, 200)
    >>> problem
    Problem(n_train=20, n_test=100, num_inputs=200, dtype=float32, source='make_problem', data_seed=0)
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    true_w: torch.Tensor | None = None
    true_b: float | None = None
    source: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        X_train = check_tensor("X_train", self.X_train, ndim=2)
        n_train, num_inputs = X_train.shape
        check_tensor("y_train", self.y_train, ndim=2, shape=(n_train, 1))
        X_test = check_tensor("X_test", self.X_test, ndim=2, shape=(None, num_inputs))
        check_tensor("y_test", self.y_test, ndim=2, shape=(X_test.shape[0], 1))
        tensors = [self.X_train, self.y_train, self.X_test, self.y_test]
        if self.true_w is not None:
            tensors.append(check_tensor("true_w", self.true_w, ndim=2, shape=(num_inputs, 1)))
        if self.true_b is not None:
            object.__setattr__(self, "true_b", check_finite("true_b", self.true_b))
        if n_train < 1 or X_test.shape[0] < 1:
            msg = f"a Problem needs at least one train and one test row, got {n_train} and {X_test.shape[0]}."
            raise ValueError(msg)
        dtypes = {t.dtype for t in tensors}
        if len(dtypes) != 1:
            msg = f"all tensors of a Problem must share one dtype, got {sorted(map(str, dtypes))}."
            raise TypeError(msg)
        object.__setattr__(self, "source", dict(self.source))

    @classmethod
    def from_arrays(
        cls,
        X_train: ArrayLike,
        y_train: ArrayLike,
        X_test: ArrayLike,
        y_test: ArrayLike,
        *,
        true_w: ArrayLike | None = None,
        true_b: float | None = None,
        dtype: DTypeLike | None = None,
    ) -> Problem:
        """Wrap your own data: NumPy arrays, tensors or nested lists, with 1-D or column ``y``.

        Parameters
        ----------
        X_train, X_test : array-like of shape (n, num_inputs)
            Features.
        y_train, y_test : array-like of shape (n,) or (n, 1)
            Targets.
        true_w : array-like of shape (num_inputs,) or (num_inputs, 1), or None, default=None
            The true weights, if known (the tutorials compare against them).
        true_b : float or None, default=None
            The true bias, if known.
        dtype : torch.dtype, NumPy dtype, str or None, default=None
            Floating-point dtype of every tensor (``torch.float64``, ``np.float64`` and
            ``"float64"`` are the same); by default that of ``X_train`` if it is a
            floating-point array, else ``torch.float32``.

        Returns
        -------
        Problem
            With ``source={"problem": "from_arrays"}``.

        Raises
        ------
        TypeError
            If an input cannot be turned into a real tensor, or ``dtype`` is not floating point.
        ValueError
            If the shapes do not agree or a value is not finite.

        Examples
        --------
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(30, 3)), rng.normal(size=30)
        >>> problem = Problem.from_arrays(X[:20], y[:20], X[20:], y[20:])
        >>> problem.y_train.shape, problem.dtype, problem.true_w is None
        (torch.Size([20, 1]), torch.float64, True)
        >>> Problem.from_arrays(X[:20], y[:20], X[20:], y[20:], dtype="float32").dtype
        torch.float32
        """
        X = as_real_tensor("X_train", X_train, _torch_dtype(dtype))
        dtype = X.dtype
        w = (
            None
            if true_w is None
            else check_column("true_w", as_real_tensor("true_w", true_w, dtype))
        )
        return cls(
            X,
            as_column_tensor("y_train", y_train, dtype),
            as_real_tensor("X_test", X_test, dtype),
            as_column_tensor("y_test", y_test, dtype),
            w,
            true_b,
            source={"problem": "from_arrays"},
        )

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

    @property
    def config(self) -> dict[str, Any]:
        """The sizes, the dtype and how the data was made, as a JSON-ready dict."""
        sizes = {"n_train": self.n_train, "n_test": self.n_test, "num_inputs": self.num_inputs}
        return {**sizes, "dtype": str(self.dtype).removeprefix("torch."), **self.source}

    def __repr__(self) -> str:
        """The sizes and the origin, on one line."""
        extra = "".join(
            f", {k}={v!r}" for k, v in self.source.items() if k in ("problem", "data_seed")
        ).replace("problem=", "source=")
        dtype = str(self.dtype).removeprefix("torch.")
        return (
            f"Problem(n_train={self.n_train}, n_test={self.n_test}, "
            f"num_inputs={self.num_inputs}, dtype={dtype}{extra})"
        )


def _torch_dtype(dtype: object) -> torch.dtype | None:
    """A floating-point dtype given as a torch dtype, a NumPy dtype (or scalar type) or a name."""
    found: object = dtype
    if isinstance(dtype, str):
        found = getattr(torch, dtype.removeprefix("torch."), None)
    if dtype is not None and not isinstance(found, torch.dtype):
        found = _numpy_dtype(dtype)
    if dtype is None:
        return None
    if isinstance(found, torch.dtype) and found.is_floating_point:
        return found
    msg = (
        "dtype must be a floating-point dtype such as torch.float64, np.float64 or 'float64', "
        f"got {dtype!r}."
    )
    raise TypeError(msg)


def _numpy_dtype(dtype: object) -> torch.dtype | None:
    """The torch dtype of a NumPy dtype, or None if NumPy does not know it."""
    try:
        import numpy as np  # noqa: PLC0415 - only for a dtype that torch does not name

        return torch.from_numpy(np.empty(0, dtype=dtype)).dtype
    except (ImportError, TypeError, ValueError):
        return None
