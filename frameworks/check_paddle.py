"""PaddlePaddle: ``paddle.optimizer.SGD(weight_decay=...)`` (d2l-zh's Paddle tab) and ``AdamW``.

Run by ``nox -s frameworks`` (``python frameworks/check_paddle.py --out DIR``), in float64.
AdamW keeps its decay coefficient as a float32 attribute: the check shows it by running the
reference with that coefficient rounded to float32 too.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import paddle
from shared import (
    ADAMW_LR,
    ADAMW_WD,
    TOL_FLOAT32,
    TOL_FLOAT64,
    Report,
    adamw_reference,
    data,
    expected_decays,
    output_dir,
    sgd_reference,
)

from weightdecay.conventions import convert

paddle.set_default_dtype("float64")


def train(make_optimizer: Any) -> tuple[np.ndarray, np.ndarray]:
    """d2l-zh's concise loop: nn.Linear, nn.MSELoss, step and clear_grad per minibatch."""
    d = data()
    net = paddle.nn.Linear(200, 1)
    net.weight.set_value(d.w0)
    net.bias.set_value(d.b0)
    optimizer = make_optimizer(net)
    loss = paddle.nn.MSELoss()
    X, y = paddle.to_tensor(d.X), paddle.to_tensor(d.y)
    for rows in d.batches():
        index = paddle.to_tensor(rows)
        loss(net(X[index]), y[index]).backward()
        optimizer.step()
        optimizer.clear_grad()
    return net.weight.numpy(), net.bias.numpy()


def probe(make_optimizer: Any, *, norm: bool = True) -> dict[str, bool]:
    """Which parameters one step with zero data gradient moves: Linear, LayerNorm, Linear."""
    layers = [paddle.nn.Linear(3, 4), paddle.nn.LayerNorm(4), paddle.nn.Linear(4, 1)]
    net = paddle.nn.Sequential(*(layers if norm else layers[:1]))
    for p in net.parameters():
        p.set_value(np.full(p.shape, 0.5))  # non-zero, so that a decay shows
    before = {p.name: p.numpy().copy() for p in net.parameters()}
    optimizer = make_optimizer(net)
    (0.0 * net(paddle.ones([2, 3])).sum()).backward()
    optimizer.step()
    moved = {"weight": False, "bias": False} | ({"norm": False} if norm else {})
    for layer in net:
        for p in layer.parameters():
            kind = (
                "norm"
                if isinstance(layer, paddle.nn.LayerNorm)
                else ("bias" if p is layer.bias else "weight")
            )
            moved[kind] |= not np.array_equal(before[p.name], p.numpy())
    return moved


def main() -> None:
    out = output_dir()
    report = Report("paddle", ("paddlepaddle",))

    lr, wd = convert(3.0, lr=0.003, source="d2l", target="paddle-sgd")
    sgd = train(
        lambda net: paddle.optimizer.SGD(
            learning_rate=lr,
            parameters=[{"params": [net.weight], "weight_decay": wd}, {"params": [net.bias]}],
        )
    )
    report.trajectory(
        "paddle-sgd", source="d2l", final=sgd, reference=sgd_reference(), tolerance=TOL_FLOAT64
    )

    lr, wd = convert(ADAMW_WD, lr=ADAMW_LR, source="torch-adamw", target="paddle-adamw")
    adamw = train(
        lambda net: paddle.optimizer.AdamW(
            learning_rate=lr,
            weight_decay=wd,
            parameters=net.parameters(),
            apply_decay_param_fun=lambda name: name == net.weight.name,
        )
    )
    report.trajectory(
        "paddle-adamw",
        source="torch-adamw",
        final=adamw,
        reference=adamw_reference(),
        tolerance=TOL_FLOAT32,
        why="the decay coefficient is kept in float32",
    )
    rounded = float(np.float32(ADAMW_WD))
    report.trajectory(
        "paddle-adamw",
        source="torch-adamw",
        final=adamw,
        reference=adamw_reference(rounded),
        tolerance=TOL_FLOAT64,
        tag="float32",
        label="reference decay in float32",
        why="the reference's weight_decay rounded to float32 as Paddle's",
    )

    report.decayed(
        "paddle-sgd",
        probe(
            lambda net: paddle.optimizer.SGD(
                learning_rate=0.1, weight_decay=0.1, parameters=net.parameters()
            )
        ),
        expected=expected_decays("paddle-sgd"),
    )
    # d2l-zh's Paddle tab: every parameter of the layer, despite its comment that the bias is not decayed.
    report.decayed(
        "paddle-sgd, d2l's Paddle tab",
        probe(
            lambda net: paddle.optimizer.SGD(
                learning_rate=0.1, weight_decay=0.1 * 1.0, parameters=net[0].parameters()
            ),
            norm=False,
        ),
        expected=expected_decays("paddle-sgd", d2l_tab=True),
    )
    report.decayed(
        "paddle-adamw",
        probe(
            lambda net: paddle.optimizer.AdamW(
                learning_rate=0.1, weight_decay=0.1, parameters=net.parameters()
            )
        ),
        expected=expected_decays("paddle-adamw"),
    )

    report.default(
        "paddle-adamw", inspect.signature(paddle.optimizer.AdamW).parameters["weight_decay"].default
    )
    sgd_default = inspect.signature(paddle.optimizer.SGD).parameters["weight_decay"].default
    report.default("paddle-sgd", 0.0 if sgd_default is None else sgd_default)  # None: no decay
    report.save(out)


if __name__ == "__main__":
    main()
