"""Small timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["interleaved_medians", "report"]


def interleaved_medians(
    candidates: dict[str, Callable[[], object]], *, repeats: int, warmup: int = 1
) -> dict[str, float]:
    """Median wall time of each callable, timed in turns so that machine noise hits all alike."""
    for fn in candidates.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, fn in candidates.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def report(name: str, value: float, target: str, ok: bool) -> bool:
    """Print one checked result as a line and return whether it met its target."""
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {value:.3g} (target {target})")
    return ok
