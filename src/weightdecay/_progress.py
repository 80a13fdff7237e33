"""Progress bars for the long loops: the path, cross-validation and the command line."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["progress_bar"]


@contextmanager
def progress_bar(
    progress: bool | Callable[[int], None] | None,
    *,
    total: int,
    desc: str,
    terminal_only: bool = False,
) -> Iterator[Callable[[int], None] | None]:
    """Yield the callback that the training loops call with the epochs done in their loop.

    ``progress`` is None or False (no bar), a callable (passed through), or True: a tqdm bar of
    ``total`` epochs, from ``tqdm.auto`` so that a notebook shows a widget. A new loop (the
    next group of folds, then the path) reports from 1 again; the bar keeps counting.
    ``terminal_only=True`` (the command line) hides the bar when stderr is not a terminal, so
    that a redirected log gets no carriage-return frames.
    """
    if progress is None or progress is False:
        yield None
        return
    if callable(progress):
        yield progress
        return
    if terminal_only:
        from tqdm import tqdm  # noqa: PLC0415 - tqdm loads only when a bar is asked for
    else:
        from tqdm.auto import tqdm  # noqa: PLC0415

    bar = tqdm(total=total, desc=desc, unit="epoch", leave=False,
               disable=None if terminal_only else False)  # fmt: skip
    last = 0

    def report(epochs: int) -> None:
        nonlocal last
        if epochs < last:  # a new training loop started
            last = 0
        bar.update(epochs - last)
        last = epochs

    try:
        yield report
    finally:
        bar.close()
