"""Test and doctest setup for the tests, the package, the README and the site's Markdown pages."""

from __future__ import annotations

import os

import pytest
import torch

os.environ.setdefault("MPLBACKEND", "Agg")  # no display anywhere the tests run

# The models here are tiny (a 5 x 200 batch): a second intra-op thread only adds synchronization,
# and on a busy machine it makes each step wait for a core (measured 40x slower under load).
torch.set_num_threads(1)

# The first torch.testing.assert_close of a process imports torch.distributed.tensor (1-3 s).
# Hypothesis times each example against its deadline, so a test file run alone billed that import
# to its first example (DeadlineExceeded, then Flaky). Paid here, the deadlines measure the tests.
torch.testing.assert_close(torch.zeros(1), torch.zeros(1))


@pytest.fixture(autouse=True)
def _seed_torch() -> None:
    """Seed the global RNG before every test and doctest, so that any output is stable.

    The package itself never reads the global RNG; this is for examples that call torch.randn.
    """
    torch.manual_seed(0)
