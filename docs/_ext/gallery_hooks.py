"""Hooks of the sphinx-gallery configuration, importable by name from ``docs/conf.py``.

sphinx-gallery accepts ``reset_modules`` entries as ``"module.function"`` strings; a function
defined in ``conf.py`` itself would make the configuration unpicklable, which Sphinx reports as a
warning (an error under ``-W``).
"""

from __future__ import annotations

from typing import Any


def reset_torch_and_figures(gallery_conf: dict[str, Any], fname: str) -> None:
    """Close every figure and seed torch's global RNG before each example runs.

    The package itself never reads the global RNG (every draw takes an explicit
    ``torch.Generator``); this makes any ``torch.randn`` an example calls without a generator
    reproducible, whatever ran before it in the same build.
    """
    del gallery_conf, fname
    import matplotlib.pyplot as plt  # noqa: PLC0415 - imported when the gallery runs
    import torch  # noqa: PLC0415

    plt.close("all")
    torch.manual_seed(0)
