"""Doctest setup for the package, the README and the Markdown pages of the site."""

from __future__ import annotations

import os

import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")  # no display anywhere the tests run

# The models here are tiny (a 5 x 200 batch): a second intra-op thread only adds synchronization,
# and on a busy machine it makes each step wait for a core (measured 40x slower under load).
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed_torch() -> None:
    """Seed the global RNG before every test and doctest, so that any output is stable.

    The package itself never reads the global RNG; this is for examples that call torch.randn.
    """
    torch.manual_seed(0)
