"""What every framework check shares: one problem, one start, one batch order, two references.

The checks train d2l's linear model (20 examples, 200 features, float64) in each framework,
from the same initial weights and on the same minibatches as :func:`weightdecay.train_scratch`
(whose generator order is reproduced here), with the setting that
:func:`weightdecay.conventions.convert` gives. They compare the final weights with the
package's trainers and record the relative difference, :math:`\\lVert w - w_{ref}\\rVert /
\\lVert w_{ref}\\rVert`, in a JSON report that ``frameworks/collect.py`` gathers.

Only torch, NumPy and weightdecay are imported here: MXNet's runner, whose environment has
neither torch nor weightdecay, gets these arrays through an ``.npz`` file instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from weightdecay import make_problem, train_concise, train_scratch
from weightdecay._settings import training_generators
from weightdecay.conventions import CONVENTIONS, convert
from weightdecay.data import batch_indices

__all__ = [
    "ADAMW_LR",
    "ADAMW_WD",
    "LAMBD",
    "LR",
    "TOL_FLOAT32",
    "TOL_FLOAT64",
    "Data",
    "Report",
    "adamw_reference",
    "data",
    "output_dir",
    "rel",
    "sgd_reference",
]

LAMBD, LR = 3.0, 0.003  # d2l's lambda = 3 at the notebook's learning rate
ADAMW_WD, ADAMW_LR = 0.01, 0.003  # torch-adamw: PyTorch's default decay, the same learning rate
EPOCHS, BATCH_SIZE, SEED = 100, 5, 0
TOL_FLOAT64, TOL_FLOAT32 = 1e-10, 1e-4  # the tolerances on the final weights


@dataclass(frozen=True)
class Data:
    """The training set, the start and the batch order, as float64 NumPy arrays."""

    X: np.ndarray
    y: np.ndarray
    w0: np.ndarray  # (200, 1)
    b0: np.ndarray  # (1,)
    epochs: list[list[np.ndarray]]  # row indices of every minibatch, epoch by epoch

    def batches(self) -> list[np.ndarray]:
        """Every minibatch's row indices, in training order."""
        return [rows for epoch in self.epochs for rows in epoch]


@cache
def data() -> Data:
    """d2l's problem (data seed 0) in float64, a N(0, 1) start, and train_scratch's batches."""
    problem = make_problem(seed=0, dtype=torch.float64)
    gen = torch.Generator().manual_seed(1)
    w0 = torch.randn(problem.num_inputs, 1, generator=gen, dtype=torch.float64)
    b0 = torch.randn(1, generator=gen, dtype=torch.float64)
    _, batch_gen = training_generators(SEED)  # the trainers' generator for the batch order
    epochs = [
        [rows.numpy() for rows in batch_indices(problem.n_train, BATCH_SIZE, generator=batch_gen)]
        for _ in range(EPOCHS)
    ]
    return Data(problem.X_train.numpy(), problem.y_train.numpy(), w0.numpy(), b0.numpy(), epochs)


def _problem_and_start() -> tuple[Any, tuple[torch.Tensor, torch.Tensor]]:
    d = data()
    return make_problem(seed=0, dtype=torch.float64), (
        torch.from_numpy(d.w0),
        torch.from_numpy(d.b0),
    )


def sgd_reference(lr: float = LR) -> tuple[np.ndarray, np.ndarray]:
    """``train_scratch(lambd=3, lr=0.003)``: d2l's from-scratch run, from the shared start."""
    problem, start = _problem_and_start()
    run = train_scratch(problem, lambd=LAMBD, lr=lr, initial=start, seed=SEED)
    return run.w.numpy(), run.b.numpy()


def adamw_reference(weight_decay: float = ADAMW_WD) -> tuple[np.ndarray, np.ndarray]:
    """``train_concise(optimizer="adamw")``: torch.optim.AdamW on MSELoss, the bias undecayed."""
    problem, start = _problem_and_start()
    run = train_concise(
        problem, optimizer="adamw", weight_decay=weight_decay, lr=ADAMW_LR, initial=start, seed=SEED
    )
    return run.w.numpy(), run.b.numpy()


def rel(a: object, b: object) -> float:
    """Relative difference ``||a - b|| / ||b||`` of two arrays of the same size."""
    x, y = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    return float(np.linalg.norm(x - y) / np.linalg.norm(y))


def output_dir() -> Path:
    """The folder given as ``--out`` (created), where a check writes its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSON report")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    return out


@dataclass
class Report:
    """What one framework's check measured; ``save`` writes it as ``<out>/<framework>.json``."""

    framework: str
    packages: tuple[str, ...]
    runs: list[dict[str, Any]] = field(default_factory=list)
    decays: dict[str, dict[str, bool]] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def trajectory(
        self,
        convention: str,
        *,
        source: str,
        final: tuple[object, object],
        reference: tuple[np.ndarray, np.ndarray],
        tolerance: float | None,
        tag: str = "",
        label: str = "",
        why: str = "",
    ) -> dict[str, Any]:
        """Record a run's relative difference from its reference; fail if above ``tolerance``.

        ``tolerance=None`` records a difference that is a finding, not an error (a framework's
        other defaults, for example). The run's key, which the documentation cites, is the
        convention's name, followed by ``.tag`` for a second run of the same convention.
        """
        decay, lr = (LAMBD, LR) if source == "d2l" else (ADAMW_WD, ADAMW_LR)
        setting = convert(decay, lr=lr, source=source, target=convention)
        rel_w, rel_b = rel(final[0], reference[0]), rel(final[1], reference[1])
        entry: dict[str, Any] = {
            "key": f"{convention}.{tag}" if tag else convention,
            "convention": convention,
            "label": label,
            "source": source,
            "source_setting": [lr, decay],
            "setting": list(setting),
            "reference": "train_scratch" if source == "d2l" else "train_concise",
            "tolerance": tolerance,
            "rel_w": rel_w,
            "rel_b": rel_b,
            "why": why,
        }
        self.runs.append(entry)
        largest = max(rel_w, rel_b)
        status = "measured" if tolerance is None else ("ok" if largest <= tolerance else "FAILED")
        limit = "no tolerance" if tolerance is None else f"tolerance {tolerance:.0e}"
        print(
            f"{convention:13} {label:24} lr={setting[0]!r:8} decay={setting[1]!r:6} "
            f"rel. difference w {rel_w:.1e}, b {rel_b:.1e} ({limit}) {status}"
        )
        if status == "FAILED":
            msg = f"{convention} {label}: the weights differ from {entry['reference']} by more than {tolerance}"
            raise AssertionError(msg)
        return entry

    def decayed(self, key: str, moved: dict[str, bool], *, expected: dict[str, bool]) -> None:
        """Record which parameters one step with zero data gradient moved; fail if unexpected."""
        self.decays[key] = moved
        status = "ok" if moved == expected else f"FAILED, expected {expected}"
        print(f"{key:28} decays by default: {moved} {status}")
        if moved != expected:
            msg = f"{key}: decays {moved}, the conventions table says {expected}"
            raise AssertionError(msg)

    def default(self, convention: str, value: object) -> None:
        """Record a default decay read from the framework; fail if the table says otherwise."""
        self.facts[f"{convention} default"] = value
        print(f"{convention:28} default decay: {value!r}")
        if value != CONVENTIONS[convention].default:
            msg = f"{convention}: the default is {value!r}, the table says {CONVENTIONS[convention].default!r}"
            raise AssertionError(msg)

    def save(self, out: Path, versions: dict[str, str] | None = None) -> None:
        """Write the report, with the versions of the packages it ran (or those given)."""
        report = {
            "framework": self.framework,
            "versions": versions or {p: version(p) for p in self.packages},
            "python": sys.version.split()[0],
            "runs": self.runs,
            "decays": self.decays,
            "facts": self.facts,
        }
        path = out / f"{self.framework}.json"
        path.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def expected_decays(convention: str, *, d2l_tab: bool = False) -> dict[str, bool]:
    """What the conventions table says a probe's zero-gradient step moves."""
    c = CONVENTIONS[convention]
    if d2l_tab:
        return {"weight": True, "bias": bool(c.d2l_decays_bias)}
    return {"weight": True, "bias": c.decays_bias, "norm": bool(c.decays_norm)}
