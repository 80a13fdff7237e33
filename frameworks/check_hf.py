"""Hugging Face Transformers: ``Trainer`` with ``TrainingArguments(weight_decay=...)``.

Run by ``nox -s frameworks`` (``python frameworks/check_hf.py --out DIR``), in float64, with
``Trainer.train`` itself: the shared minibatches laid end to end, read in order
(``train_sampling_strategy="sequential"``). The Trainer uses PyTorch's AdamW, so the exact check
only turns off two defaults that are not about the decay: the linear learning-rate schedule
(which lowers the decay with the rate) and gradient clipping at norm 1. A second run measures
the Trainer with those defaults.
"""

from __future__ import annotations

import dataclasses
import tempfile
from typing import Any

import numpy as np
import torch
from shared import (
    ADAMW_LR,
    ADAMW_WD,
    TOL_FLOAT64,
    Report,
    adamw_reference,
    data,
    expected_decays,
    output_dir,
)
from torch import nn
from transformers import Trainer, TrainingArguments
from transformers.utils import logging

from weightdecay.conventions import convert

logging.set_verbosity_error()


class Regression(nn.Module):
    """A model as the Trainer expects one: it returns its loss when given labels."""

    def __init__(self, body: nn.Module) -> None:
        super().__init__()
        self.body = body

    def forward(
        self, x: torch.Tensor, labels: torch.Tensor | None = None
    ) -> dict[str, torch.Tensor]:
        out = self.body(x)
        if labels is None:
            return {"logits": out}
        return {"loss": nn.functional.mse_loss(out, labels), "logits": out}


class Rows(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": self.X[i], "labels": self.y[i]}


def arguments(folder: str, **changes: Any) -> TrainingArguments:
    lr, wd = convert(ADAMW_WD, lr=ADAMW_LR, source="torch-adamw", target="hf-trainer")
    settings: dict[str, Any] = {"learning_rate": lr, "weight_decay": wd} | changes
    return TrainingArguments(
        output_dir=folder,
        per_device_train_batch_size=5,
        num_train_epochs=1,
        train_sampling_strategy="sequential",
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        use_cpu=True,
        **settings,
    )


def train(**changes: Any) -> tuple[np.ndarray, np.ndarray]:
    d = data()
    order = np.concatenate(d.batches())
    linear = nn.Linear(200, 1, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(d.w0.T))
        linear.bias.copy_(torch.from_numpy(d.b0))
    with tempfile.TemporaryDirectory() as folder:
        trainer = Trainer(
            Regression(linear),
            arguments(folder, **changes),
            train_dataset=Rows(d.X[order], d.y[order]),
        )
        trainer.train()
    return linear.weight.detach().numpy().T, linear.bias.detach().numpy()


def probe() -> dict[str, bool]:
    """Which parameters one step with zero data gradient moves: Linear, LayerNorm, Linear."""
    body = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 1))
    with torch.no_grad():
        for p in body.parameters():
            p.fill_(0.5)  # non-zero, so that a decay shows
    before = {name: p.detach().clone() for name, p in body.named_parameters()}
    with tempfile.TemporaryDirectory() as folder:
        trainer = Trainer(Regression(body), arguments(folder, weight_decay=0.1))
        optimizer = trainer.create_optimizer()  # the Trainer's parameter groups
    (0.0 * body(torch.ones(2, 3)).sum()).backward()
    optimizer.step()
    moved = {"weight": False, "bias": False, "norm": False}
    for name, p in body.named_parameters():
        kind = "norm" if name.startswith("1.") else name.split(".")[1]
        moved[kind] |= not torch.equal(before[name], p.detach())
    return moved


def main() -> None:
    out = output_dir()
    report = Report("hf", ("transformers", "accelerate", "torch"))
    reference = adamw_reference()
    report.trajectory(
        "hf-trainer",
        source="torch-adamw",
        final=train(lr_scheduler_type="constant", max_grad_norm=0.0),
        reference=reference,
        tolerance=TOL_FLOAT64,
        label="constant rate, no clipping",
    )
    report.trajectory(
        "hf-trainer",
        source="torch-adamw",
        final=train(),
        reference=reference,
        tolerance=None,
        tag="defaults",
        label="the Trainer's defaults",
        why="linear schedule to 0 and clipping at norm 1",
    )
    report.decayed("hf-trainer", probe(), expected=expected_decays("hf-trainer"))
    fields = {f.name: f.default for f in dataclasses.fields(TrainingArguments)}
    report.default("hf-trainer", fields["weight_decay"])
    report.facts["TrainingArguments defaults"] = {
        k: str(fields[k]) for k in ("lr_scheduler_type", "max_grad_norm", "optim", "adam_epsilon")
    }
    report.save(out)


if __name__ == "__main__":
    main()
