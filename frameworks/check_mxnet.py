"""MXNet Gluon: ``gluon.Trainer(..., "sgd", {"wd": ...})`` with ``L2Loss``, as d2l's MXNet tabs.

MXNet 1.9.1, its last release, needs NumPy < 1.24, so it runs in a venv of its own that has
neither torch nor weightdecay. ``nox -s frameworks`` runs this script three times::

    python frameworks/check_mxnet.py export --out DIR     # main venv: data, start, setting
    <mxnet venv>/python frameworks/check_mxnet.py train --out DIR
    python frameworks/check_mxnet.py report --out DIR     # main venv: compare, write the report
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np


def export(out: Path) -> None:
    """Write the shared arrays and the converted setting for the MXNet venv."""
    from shared import data  # noqa: PLC0415 - torch is only in the main venv

    from weightdecay.conventions import convert  # noqa: PLC0415

    d = data()
    lr, wd = convert(3.0, lr=0.003, source="d2l", target="mxnet-sgd")
    np.savez(
        out / "mxnet-inputs.npz",
        X=d.X,
        y=d.y,
        w0=d.w0,
        b0=d.b0,
        order=np.stack(d.batches()),
        setting=np.array([lr, wd]),
    )


def train(out: Path) -> None:
    """In the MXNet venv: d2l-en's concise loop on the shared minibatches, and the probes."""
    import mxnet as mx  # noqa: PLC0415
    from mxnet import autograd, gluon, nd  # noqa: PLC0415

    inputs = np.load(out / "mxnet-inputs.npz")
    lr, wd = (float(v) for v in inputs["setting"])
    net = gluon.nn.Dense(1, in_units=200, dtype="float64")
    net.initialize()
    net.weight.set_data(nd.array(inputs["w0"].T, dtype="float64"))
    net.bias.set_data(nd.array(inputs["b0"], dtype="float64"))
    net.collect_params(".*bias").setattr("wd_mult", 0)  # d2l: the bias is not decayed
    trainer = gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": lr, "wd": wd})
    loss = gluon.loss.L2Loss()  # (y_hat - y)**2 / 2
    X, y = nd.array(inputs["X"], dtype="float64"), nd.array(inputs["y"], dtype="float64")
    for rows in inputs["order"]:
        index = nd.array(rows, dtype="int64")
        with autograd.record():
            l = loss(net(X[index]), y[index]).mean()
        l.backward()
        trainer.step(1)  # d2l-en's optim.step(1): the loss is already a mean
    results: dict[str, Any] = {
        "w": net.weight.data().asnumpy().T.tolist(),
        "b": net.bias.data().asnumpy().tolist(),
        "decays": {
            "mxnet-sgd": probe(norm=True, d2l=False),
            "mxnet-sgd, d2l's MXNet tab": probe(norm=False, d2l=True),
        },
        "default": mx.optimizer.SGD().wd,
        "setting": [lr, wd],
        "version": mx.__version__,
    }
    (out / "mxnet-outputs.json").write_text(json.dumps(results), encoding="utf-8")


def probe(*, norm: bool, d2l: bool) -> dict[str, bool]:
    """Which parameters one step with zero data gradient moves: Dense, LayerNorm, Dense."""
    from mxnet import autograd, gluon, nd  # noqa: PLC0415

    net = gluon.nn.HybridSequential()
    net.add(gluon.nn.Dense(4, in_units=3))
    if norm:
        net.add(gluon.nn.LayerNorm(in_channels=4), gluon.nn.Dense(1, in_units=4))
    net.initialize()
    if d2l:
        net.collect_params(".*bias").setattr("wd_mult", 0)
    params = net.collect_params()
    for p in params.values():
        p.set_data(nd.full(p.shape, 0.5))  # non-zero, so that a decay shows
    before = {name: p.data().asnumpy().copy() for name, p in params.items()}
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1, "wd": 0.1})
    with autograd.record():
        l = 0.0 * net(nd.ones((2, 3))).sum()
    l.backward()
    trainer.step(1)
    moved = {"weight": False, "bias": False} | ({"norm": False} if norm else {})
    for name, p in params.items():
        kind = "norm" if "layernorm" in name else name.rsplit("_", 1)[-1]
        moved[kind] |= not np.array_equal(before[name], p.data().asnumpy())
    return moved


def report(out: Path) -> None:
    """Back in the main venv: compare with train_scratch and write the framework's report."""
    from shared import TOL_FLOAT32, TOL_FLOAT64, Report, expected_decays, sgd_reference  # noqa: PLC0415

    results = json.loads((out / "mxnet-outputs.json").read_text(encoding="utf-8"))
    check = Report("mxnet", ())
    final = (np.array(results["w"]), np.array(results["b"]))
    check.trajectory(
        "mxnet-sgd",
        source="d2l",
        final=final,
        reference=sgd_reference(),
        tolerance=TOL_FLOAT32,
        why="the update op takes lr and wd as float32",
    )
    lr32 = float(np.float32(results["setting"][0]))
    check.trajectory(
        "mxnet-sgd",
        source="d2l",
        final=final,
        reference=sgd_reference(lr32),
        tolerance=TOL_FLOAT64,
        tag="float32",
        label="reference lr in float32",
        why="the reference's learning rate rounded to float32 as MXNet's",
    )
    check.decayed(
        "mxnet-sgd", results["decays"]["mxnet-sgd"], expected=expected_decays("mxnet-sgd")
    )
    check.decayed(
        "mxnet-sgd, d2l's MXNet tab",
        results["decays"]["mxnet-sgd, d2l's MXNet tab"],
        expected=expected_decays("mxnet-sgd", d2l_tab=True),
    )
    check.default("mxnet-sgd", results["default"])
    check.save(out, versions={"mxnet": results["version"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["export", "train", "report"])
    parser.add_argument("--out", type=Path, required=True, help="folder for the files")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    {"export": export, "train": train, "report": report}[args.step](args.out)


if __name__ == "__main__":
    main()
