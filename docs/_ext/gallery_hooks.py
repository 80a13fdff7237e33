"""Hooks of the sphinx-gallery configuration, importable by name from ``docs/conf.py``.

sphinx-gallery accepts ``reset_modules`` entries as ``"module.function"`` strings; a function
defined in ``conf.py`` itself would make the configuration unpicklable, which Sphinx reports as a
warning (an error under ``-W``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import recorded
from sphinx.util import logging

logger = logging.getLogger(__name__)
_started: dict[str, float] = {}


def reset_torch_and_figures(gallery_conf: dict[str, Any], fname: str, when: str) -> None:
    """Before each example: close every figure, seed torch's global RNG, use one thread.

    The package itself never reads the global RNG (every draw takes an explicit
    ``torch.Generator``); this makes any ``torch.randn`` an example calls without a generator
    reproducible, whatever ran before it in the same build.

    After each example: log how long it ran, and write the values it recorded for the prose
    (``recorded``). The pages do not show the run time (``min_reported_time`` in ``conf.py``): a
    number that changes at every build would be a new message for the translation every time.
    """
    if when == "after":
        seconds = time.perf_counter() - _started.pop(fname, time.perf_counter())
        logger.info("gallery example %s ran in %.1f s", Path(fname).name, seconds)
        recorded.finish(_target_of(gallery_conf, Path(fname).name))
        return
    _started[fname] = time.perf_counter()
    recorded.start()
    import matplotlib.pyplot as plt  # noqa: PLC0415 - imported when the gallery runs
    import torch  # noqa: PLC0415

    plt.close("all")
    torch.manual_seed(0)
    # The tutorials' models and factorizations are small: one thread runs them fastest, and a
    # busy machine does not stall it. Set once and never raised again: in torch 2.13's CPU build,
    # calling set_num_threads with 2 or more breaks batched torch.linalg.solve afterwards.
    torch.set_num_threads(1)


def _target_of(gallery_conf: dict[str, Any], name: str) -> Path:
    """Where an example's values go: its gallery folder, beside its generated page."""
    src = Path(gallery_conf["src_dir"])
    examples, galleries = gallery_conf["examples_dirs"], gallery_conf["gallery_dirs"]
    pairs = zip(
        [examples] if isinstance(examples, str) else examples,
        [galleries] if isinstance(galleries, str) else galleries,
        strict=True,
    )
    for example_dir, gallery_dir in pairs:
        for script in (src / example_dir).rglob(name):
            relative = script.parent.relative_to(src / example_dir)
            return src / gallery_dir / relative / (script.stem + recorded.SUFFIX)
    msg = f"gallery example {name} is in none of {examples}"
    raise FileNotFoundError(msg)
