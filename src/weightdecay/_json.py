"""Strict JSON for the result types: tensors become lists, NaN and infinities become ``null``."""

from __future__ import annotations

import math
from typing import Any

import torch

__all__ = ["short_float", "strict_json"]


def strict_json(value: Any) -> Any:
    """``value`` with every tensor turned into (nested) lists and every non-finite float into None.

    ``json.dumps(strict_json(x), allow_nan=False)`` then always works: the standard forbids NaN
    and Infinity, and other tools (JavaScript's ``JSON.parse``, ``jq``) reject them.
    """
    if isinstance(value, torch.Tensor):
        return strict_json(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): strict_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json(v) for v in value]
    return value


def short_float(value: float) -> str:
    """A float in 4 significant digits, for the results' one-line ``repr``."""
    return f"{value:.4g}"
