"""Argparse types of the ``weightdecay`` command: each names the expected range and echoes the token.

``argument --epochs: must be an integer >= 1, got 0``: argparse adds the flag, the type says what
was expected and what it got. No torch here (see :mod:`weightdecay._cli_options`).
"""

from __future__ import annotations

import argparse
import itertools
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["FINITE", "NONNEGATIVE", "POSITIVE", "PROBABILITY", "int_at_least", "parse_grid"]


def _number(
    kind: Callable[[str], float], low: float, high: float, text: str
) -> Callable[[str], float]:
    def convert(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            msg = f"must be {text}, got {value!r}"
            raise argparse.ArgumentTypeError(msg) from None
        if not (math.isfinite(number) and low <= number <= high):
            msg = f"must be {text}, got {value}"
            raise argparse.ArgumentTypeError(msg)
        return number

    return convert


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``low``."""
    check = _number(int, low, math.inf, f"an integer >= {low}")
    return lambda value: int(check(value))


NONNEGATIVE = _number(float, 0.0, math.inf, "a finite number >= 0")
POSITIVE = _number(float, math.ulp(0.0), math.inf, "a finite number > 0")
FINITE = _number(float, -math.inf, math.inf, "a finite number")
PROBABILITY = _number(float, 0.0, 1.0, "a number in [0, 1]")


def parse_grid(text: str) -> list[float]:
    """Parse ``--lambdas``: ``START:STOP:NUM`` (log-spaced, as ``numpy.geomspace``) or a comma list.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    list of float
        The grid: finite, >= 0 and strictly increasing.

    Raises
    ------
    argparse.ArgumentTypeError
        Naming the token that is not a number, negative, repeated or out of order.

    Examples
    --------
    >>> parse_grid("0.01:100:5")
    [0.01, 0.1, 1.0, 10.0, 100.0]
    >>> parse_grid("0, 0.5,2")
    [0.0, 0.5, 2.0]
    >>> parse_grid("1,2,abc")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 'abc' is not a number (in '1,2,abc')
    """
    grid = _log_grid(text) if ":" in text else _list_grid(text)
    for before, after in itertools.pairwise(grid):
        if after == before:
            msg = f"{after:g} appears twice (in {text!r}); every lambda must differ"
            raise argparse.ArgumentTypeError(msg)
        if after < before:
            msg = f"{after:g} comes after {before:g} (in {text!r}); list the lambdas in increasing order"
            raise argparse.ArgumentTypeError(msg)
    return grid


def _list_grid(text: str) -> list[float]:
    grid = []
    for token in text.split(","):
        try:
            value = float(token)
        except ValueError:
            shown = token.strip() or "an empty item"
            msg = f"{shown!r} is not a number (in {text!r})"
            if not text.strip():
                msg = "expected START:STOP:NUM (log-spaced) or a comma list such as 0,0.1,1, got ''"
            raise argparse.ArgumentTypeError(msg) from None
        if not (math.isfinite(value) and value >= 0):
            msg = f"{token.strip()} is not a finite number >= 0 (in {text!r}); lambda cannot be negative"
            raise argparse.ArgumentTypeError(msg)
        grid.append(value)
    return grid


def _log_grid(text: str) -> list[float]:
    """``START:STOP:NUM``: NUM values spaced evenly in log10 from START to STOP, both included."""
    parts = text.split(":")
    expected = (
        f"expected START:STOP:NUM with 0 < START < STOP and an integer NUM >= 2, got {text!r}"
    )
    try:
        start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        raise argparse.ArgumentTypeError(expected) from None
    if len(parts) != 3 or not (0 < start < stop < math.inf) or num < 2:
        raise argparse.ArgumentTypeError(expected)
    low, high = math.log10(start), math.log10(stop)
    grid = [10 ** (low + (high - low) * i / (num - 1)) for i in range(num)]
    grid[0], grid[-1] = start, stop  # exact end points, as numpy.geomspace
    return [float(f"{v:.12g}") for v in grid]
