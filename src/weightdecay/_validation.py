"""Argument checks shared by the public functions.

Each check raises before any work starts, with a message that names the argument, the value received
and the valid range (the Scientific Python guide's EM rule: build the message, then raise it).
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import TYPE_CHECKING, TypeVar

import torch

if TYPE_CHECKING:
    from collections.abc import Collection

__all__ = [
    "check_choice",
    "check_column",
    "check_finite",
    "check_int",
    "check_nonnegative",
    "check_optional_positive",
    "check_positive",
    "check_probability",
    "check_tensor",
]

_T = TypeVar("_T", bound=str)


def _as_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        msg = f"{name} must be a real number, got {value!r} of type {type(value).__name__}."
        raise TypeError(msg)
    return float(value)


def check_finite(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    number = _as_float(name, value)
    if not math.isfinite(number):
        msg = f"{name} must be a finite number, got {value!r}."
        raise ValueError(msg)
    return number


def check_nonnegative(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number >= 0."""
    number = _as_float(name, value)
    if not (math.isfinite(number) and number >= 0):
        msg = f"{name} must be a finite number >= 0, got {value!r}."
        raise ValueError(msg)
    return number


def check_positive(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    number = _as_float(name, value)
    if not (math.isfinite(number) and number > 0):
        msg = f"{name} must be a finite number > 0, got {value!r}."
        raise ValueError(msg)
    return number


def check_optional_positive(name: str, value: object) -> float | None:
    """Like :func:`check_positive`, but ``None`` passes through (meaning "off")."""
    return None if value is None else check_positive(name, value)


def check_probability(name: str, value: object) -> float:
    """Return ``value`` as a float, or raise if it is not in the closed interval [0, 1]."""
    number = _as_float(name, value)
    if not 0.0 <= number <= 1.0:
        msg = f"{name} must be a number in [0, 1], got {value!r}."
        raise ValueError(msg)
    return number


def check_int(name: str, value: object, *, low: int, high: int | None = None) -> int:
    """Return ``value`` as an int, or raise if it is not an integer in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        msg = f"{name} must be an integer, got {value!r} of type {type(value).__name__}."
        raise TypeError(msg)
    number = int(value)
    if number < low or (high is not None and number > high):
        valid = f">= {low}" if high is None else f"in [{low}, {high}]"
        msg = f"{name} must be an integer {valid}, got {number!r}."
        raise ValueError(msg)
    return number


def check_choice(name: str, value: object, choices: Collection[_T]) -> _T:
    """Return ``value`` if it is one of ``choices``, else raise naming the valid ones."""
    for choice in choices:
        if value == choice:
            return choice
    valid = ", ".join(repr(c) for c in choices)
    msg = f"{name} must be one of {valid}, got {value!r}."
    raise ValueError(msg)


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
