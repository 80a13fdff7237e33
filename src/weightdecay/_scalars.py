"""Checks of scalar arguments (numbers, integers, names), without torch.

:mod:`weightdecay._validation` re-exports them next to its tensor checks; a module that needs no
torch (:mod:`weightdecay.conventions`, which the command line's ``convert`` uses before torch
could load) imports them from here. Each check raises before any work starts, with a message
that names the argument, the value received and the valid range.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Collection

__all__ = [
    "check_choice",
    "check_finite",
    "check_int",
    "check_nonnegative",
    "check_optional_positive",
    "check_positive",
    "check_probability",
]

_T = TypeVar("_T", bound=str)


def _as_float(name: str, value: object) -> float:
    if type(value) is float:  # the common case, without the slower checks against numbers.Real
        return value
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
    if type(value) is int and low <= value and (high is None or value <= high):
        return value  # the common case, without the slower checks against numbers.Integral
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
