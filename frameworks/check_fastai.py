"""fastai: ``Learner(..., wd=...)`` with its default optimizer, Adam with decoupled decay.

Run by ``nox -s frameworks`` (``python frameworks/check_fastai.py --out DIR``), in float64, with
``Learner.fit`` itself: the shared minibatches are laid end to end in one epoch that fastai
reads in order. fastai's Adam defaults differ from PyTorch's (betas (0.9, 0.99), eps 1e-5):
the exact check sets PyTorch's; a second run measures fastai's own. The model and the
optimizer stay in float64, but fastai's losses compute in float32 (its ``tensor()`` turns
float64 into float32, checked below), so the float32 tolerance applies.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import torch
from fastai.data.core import DataLoaders
from fastai.data.load import DataLoader
from fastai.learner import Learner
from fastai.losses import MSELossFlat
from fastai.optimizer import Adam
from fastai.torch_core import tensor as fastai_tensor
from shared import (
    ADAMW_LR,
    ADAMW_WD,
    TOL_FLOAT32,
    Report,
    adamw_reference,
    data,
    expected_decays,
    output_dir,
)
from torch import nn
from torch.utils.data import TensorDataset

from weightdecay.conventions import convert


def replayed() -> DataLoaders:
    """One epoch made of the shared minibatches, end to end, read in order."""
    d = data()
    order = np.concatenate(d.batches())
    rows = TensorDataset(torch.from_numpy(d.X[order]), torch.from_numpy(d.y[order]))
    train = DataLoader(rows, bs=5, shuffle=False, drop_last=False)
    valid = DataLoader(TensorDataset(torch.from_numpy(d.X), torch.from_numpy(d.y)), bs=20)
    return DataLoaders(train, valid)


def fit(opt_func: Any) -> tuple[np.ndarray, np.ndarray]:
    d = data()
    net = nn.Linear(200, 1, dtype=torch.float64)
    with torch.no_grad():
        net.weight.copy_(torch.from_numpy(d.w0.T))
        net.bias.copy_(torch.from_numpy(d.b0))
    lr, wd = convert(ADAMW_WD, lr=ADAMW_LR, source="torch-adamw", target="fastai")
    learn = Learner(replayed(), net, loss_func=MSELossFlat(), opt_func=opt_func)
    with learn.no_logging():  # no progress bar either: fastai.callback.progress is not imported
        learn.fit(1, lr=lr, wd=wd)
    return net.weight.detach().numpy().T, net.bias.detach().numpy()


def probe() -> dict[str, bool]:
    """Which parameters one step with zero data gradient moves: Linear, LayerNorm, Linear."""
    net = nn.Sequential(nn.Linear(3, 4), nn.LayerNorm(4), nn.Linear(4, 1))
    with torch.no_grad():
        for p in net.parameters():
            p.fill_(0.5)  # non-zero, so that a decay shows
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    learn = Learner(replayed(), net, loss_func=MSELossFlat())  # defaults: Adam, wd_bn_bias=False
    learn.create_opt()
    learn.opt.set_hypers(lr=0.1, wd=0.1)
    (0.0 * net(torch.ones(2, 3)).sum()).backward()
    learn.opt.step()
    moved = {"weight": False, "bias": False, "norm": False}
    for name, p in net.named_parameters():
        kind = "norm" if name.startswith("1.") else name.split(".")[1]
        moved[kind] |= not torch.equal(before[name], p.detach())
    return moved


def main() -> None:
    out = output_dir()
    report = Report("fastai", ("fastai", "torch"))
    reference = adamw_reference()
    torch_defaults = partial(Adam, sqr_mom=0.999, eps=1e-8)  # PyTorch's betas and eps
    report.trajectory(
        "fastai",
        source="torch-adamw",
        final=fit(torch_defaults),
        reference=reference,
        tolerance=TOL_FLOAT32,
        label="PyTorch's betas and eps",
        why="fastai's losses compute in float32",
    )
    report.trajectory(
        "fastai",
        source="torch-adamw",
        final=fit(Adam),
        reference=reference,
        tolerance=None,
        tag="defaults",
        label="fastai's defaults",
        why="betas (0.9, 0.99) and eps 1e-5 where PyTorch has (0.9, 0.999) and 1e-8",
    )
    report.decayed("fastai", probe(), expected=expected_decays("fastai"))
    adam = Adam([nn.Parameter(torch.zeros(1))], lr=0.1)
    report.default("fastai", adam.hypers[0]["wd"])
    report.facts["fastai Adam betas and eps"] = [
        adam.hypers[0][k] for k in ("mom", "sqr_mom", "eps")
    ]
    float64 = torch.ones(3, dtype=torch.float64)
    report.facts["fastai tensor() of float64 gives"] = str(fastai_tensor(float64).dtype)
    assert report.facts["fastai tensor() of float64 gives"] == "torch.float32"
    report.save(out)


if __name__ == "__main__":
    main()
