"""Explicit random generators: every random draw in the package goes through one of these."""

from __future__ import annotations

import hashlib

import torch

__all__ = ["spawn_generators"]


def spawn_generators(seed: int, count: int, *, purpose: str) -> list[torch.Generator]:
    """Return ``count`` independent CPU generators derived from ``(purpose, seed)``.

    The same arguments always give the same generators, whatever the global torch RNG has done.
    Hashing the purpose in keeps streams apart that share a seed value: data seed 0 and training
    seed 0 must not draw the same numbers (the initial weights would equal a row of ``X``).
    """
    generators = []
    for index in range(count):
        digest = hashlib.blake2b(f"weightdecay/{purpose}/{seed}/{index}".encode(), digest_size=8)
        child_seed = int.from_bytes(digest.digest(), "little") >> 1  # manual_seed takes < 2**63
        generators.append(torch.Generator().manual_seed(child_seed))
    return generators
