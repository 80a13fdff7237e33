"""Hooks of the sphinx-gallery configuration, importable by name from ``docs/conf.py``.

sphinx-gallery accepts ``reset_modules`` entries as ``"module.function"`` strings; a function
defined in ``conf.py`` itself would make the configuration unpicklable, which Sphinx reports as a
warning (an error under ``-W``).
"""

from __future__ import annotations

from typing import Any


def reset_torch_and_figures(gallery_conf: dict[str, Any], fname: str) -> None:
    """Close every figure, seed torch's global RNG and use one thread before each example runs.

    The package itself never reads the global RNG (every draw takes an explicit
    ``torch.Generator``); this makes any ``torch.randn`` an example calls without a generator
    reproducible, whatever ran before it in the same build.
    """
    del gallery_conf, fname
    import matplotlib.pyplot as plt  # noqa: PLC0415 - imported when the gallery runs
    import torch  # noqa: PLC0415

    plt.close("all")
    torch.manual_seed(0)
    # The tutorials' models and factorizations are small: one thread runs them fastest, and a
    # busy machine does not stall it. Set once and never raised again: in torch 2.13's CPU build,
    # calling set_num_threads with 2 or more breaks batched torch.linalg.solve afterwards.
    torch.set_num_threads(1)
