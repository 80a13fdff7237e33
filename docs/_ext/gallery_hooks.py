"""Hooks of the sphinx-gallery configuration, importable by name from ``docs/conf.py``.

sphinx-gallery accepts ``reset_modules`` entries as ``"module.function"`` strings; a function
defined in ``conf.py`` itself would make the configuration unpicklable, which Sphinx reports as a
warning (an error under ``-W``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sphinx.util import logging

logger = logging.getLogger(__name__)
_started: dict[str, float] = {}


def reset_torch_and_figures(gallery_conf: dict[str, Any], fname: str, when: str) -> None:
    """Before each example: close every figure, seed torch's global RNG, use one thread.

    The package itself never reads the global RNG (every draw takes an explicit
    ``torch.Generator``); this makes any ``torch.randn`` an example calls without a generator
    reproducible, whatever ran before it in the same build.

    After each example: log how long it ran. The pages do not show it (``min_reported_time``
    in ``conf.py``): a number that changes at every build would be a new message for the
    translation at every build.
    """
    del gallery_conf
    if when == "after":
        seconds = time.perf_counter() - _started.pop(fname, time.perf_counter())
        logger.info("gallery example %s ran in %.1f s", Path(fname).name, seconds)
        return
    _started[fname] = time.perf_counter()
    import matplotlib.pyplot as plt  # noqa: PLC0415 - imported when the gallery runs
    import torch  # noqa: PLC0415

    plt.close("all")
    torch.manual_seed(0)
    # The tutorials' models and factorizations are small: one thread runs them fastest, and a
    # busy machine does not stall it. Set once and never raised again: in torch 2.13's CPU build,
    # calling set_num_threads with 2 or more breaks batched torch.linalg.solve afterwards.
    torch.set_num_threads(1)
