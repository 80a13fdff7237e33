"""Argument checks shared by the public functions.

Each check raises before any work starts, with a message that names the argument, the value received
and the valid range (the Scientific Python guide's EM rule: build the message, then raise it). The
checks of scalars live in :mod:`weightdecay._scalars`, which needs no torch, and are re-exported
here.
"""

from __future__ import annotations

import math
from numbers import Real

import torch

from weightdecay._scalars import (
    check_choice,
    check_finite,
    check_int,
    check_nonnegative,
    check_optional_positive,
    check_positive,
    check_probability,
)

__all__ = [
    "as_column_tensor",
    "as_real_tensor",
    "check_choice",
    "check_column",
    "check_finite",
    "check_grid",
    "check_int",
    "check_nonnegative",
    "check_optional_positive",
    "check_positive",
    "check_probability",
    "check_tensor",
]


def check_tensor(
    name: str, value: object, *, ndim: int, shape: tuple[int | None, ...] | None = None
) -> torch.Tensor:
    """Return ``value`` if it is a floating-point tensor of the given rank and shape.

    ``shape`` entries that are ``None`` match any length. Non-finite entries are rejected too:
    a NaN in the data would otherwise surface, much later, as a NaN loss.
    """
    return _check_values(name, _check_shape(name, value, ndim=ndim, shape=shape))


def check_column(name: str, value: object) -> torch.Tensor:
    """Return a finite floating-point vector of shape (d,) or (d, 1) as a (d, 1) column."""
    if isinstance(value, torch.Tensor) and value.ndim == 1:
        value = value.reshape(-1, 1)
    return check_tensor(name, value, ndim=2, shape=(None, 1))


def _check_shape(
    name: str, value: object, *, ndim: int, shape: tuple[int | None, ...] | None
) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        msg = f"{name} must be a torch.Tensor, got {type(value).__name__}."
        raise TypeError(msg)
    if not value.is_floating_point():
        msg = f"{name} must have a floating-point dtype, got {value.dtype}."
        raise TypeError(msg)
    expected = shape if shape is not None else (None,) * ndim
    if value.ndim != ndim or any(
        e is not None and e != s for e, s in zip(expected, value.shape, strict=True)
    ):
        pretty = "(" + ", ".join("*" if e is None else str(e) for e in expected) + ")"
        msg = f"{name} must have shape {pretty}, got {tuple(value.shape)}."
        raise ValueError(msg)
    return value


def _check_values(name: str, value: torch.Tensor) -> torch.Tensor:
    if not bool(torch.isfinite(value).all()):
        bad = int((~torch.isfinite(value)).sum())
        msg = f"{name} must contain only finite values, got {bad} NaN or infinite entries."
        raise ValueError(msg)
    return value


def check_grid(lambdas: object, name: str = "lambdas") -> torch.Tensor:
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
    >>> check_grid([0.0, 0.5, 2])
    tensor([0.0000, 0.5000, 2.0000], dtype=torch.float64)
    >>> check_grid([1.0, 0.1])
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


def as_real_tensor(name: str, value: object, dtype: torch.dtype | None) -> torch.Tensor:
    """A NumPy array, tensor or nested list of reals as a tensor of ``dtype``.

    By default the dtype is the input's own floating dtype, or float32 for integers.
    """
    candidate: object = dtype  # the annotation is a promise users can break: check anyway
    if candidate is not None and not (
        isinstance(candidate, torch.dtype) and candidate.is_floating_point
    ):
        msg = f"dtype must be a floating-point torch.dtype or None, got {dtype!r}."
        raise TypeError(msg)
    try:
        tensor = torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError) as error:
        msg = f"{name} must be a NumPy array, a tensor or a nested list of numbers, got {type(value).__name__} ({error})."
        raise TypeError(msg) from None
    if tensor.is_complex() or tensor.dtype == torch.bool:
        msg = f"{name} must hold real numbers, got dtype {tensor.dtype}."
        raise TypeError(msg)
    if dtype is None:
        dtype = tensor.dtype if tensor.is_floating_point() else torch.float32
    return tensor.to(dtype)


def as_column_tensor(name: str, value: object, dtype: torch.dtype) -> torch.Tensor:
    """Like :func:`as_real_tensor`, with a 1-D array turned into a column."""
    tensor = as_real_tensor(name, value, dtype)
    return tensor.reshape(-1, 1) if tensor.ndim == 1 else tensor
