"""Test-suite setup: pay torch's one-time lazy imports before any test is timed."""

from __future__ import annotations

import torch

# The first torch.testing.assert_close of a process imports torch.distributed.tensor (1-3 s).
# Hypothesis times each example against its deadline, so a file run alone billed that import to
# its first example (DeadlineExceeded, then Flaky). Paid here, the deadlines measure the tests.
torch.testing.assert_close(torch.zeros(1), torch.zeros(1))
