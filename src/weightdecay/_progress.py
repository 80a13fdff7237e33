"""Progress bars for the long loops: the path, cross-validation and the command line.

Where the bar goes decides how it is drawn:

* a Jupyter notebook with ipywidgets: a widget (``tqdm.notebook``);
* a notebook without ipywidgets: tqdm's text bar, which the notebook redraws in place, with no
  warning about the missing widgets;
* a terminal: tqdm's text bar;
* a standard error that is no terminal (a log file, a pipe): nothing, since a text bar would
  fill the log with carriage-return frames.
"""

from __future__ import annotations

import importlib.util
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["in_notebook", "progress_bar", "widgets_available"]


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (not a terminal IPython), as ``tqdm.auto`` tells."""
    ipython = sys.modules.get("IPython")  # never imported here: a kernel has already done it
    shell = None if ipython is None else ipython.get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def widgets_available() -> bool:
    """Whether ipywidgets, which tqdm's notebook bar needs, is installed."""
    return importlib.util.find_spec("ipywidgets") is not None


@contextmanager
def progress_bar(
    progress: bool | Callable[[int], None] | None, *, total: int, desc: str
) -> Iterator[Callable[[int], None] | None]:
    """Yield the callback that the training loops call with the epochs done in their loop.

    ``progress`` is None or False (no bar), a callable (passed through), or True: a bar of
    ``total`` epochs, drawn as the module's introduction says. A new loop (the next group of
    folds, then the path) reports from 1 again; the bar keeps counting.
    """
    if progress is None or progress is False:
        yield None
        return
    if callable(progress):
        yield progress
        return
    from tqdm.std import tqdm  # noqa: PLC0415 - tqdm loads only when a bar is asked for

    notebook = in_notebook()
    bar: tqdm[NoReturn]
    if notebook and widgets_available():
        from tqdm.notebook import tqdm_notebook  # noqa: PLC0415

        bar = tqdm_notebook(total=total, desc=desc, unit="epoch", leave=False)
    else:
        # disable=None is tqdm's own test: no bar when stderr is no terminal (a log file). A
        # notebook's stderr is none either, but the notebook redraws a text bar in place.
        disable = False if notebook else None
        bar = tqdm(total=total, desc=desc, unit="epoch", leave=False, disable=disable)
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
