"""Keras 3 on the torch backend: ``kernel_regularizer=L2(c)`` with ``loss="mse"``, and ``AdamW``.

Run by ``nox -s frameworks`` (``python frameworks/check_keras.py --out DIR``). Keras keeps the
variables in float64 here, but its type promotion computes a float64 matmul in float32
(checked below), so the float32 tolerance applies.
"""

from __future__ import annotations

import os

os.environ["KERAS_BACKEND"] = "torch"  # before keras is imported: no TensorFlow needed

from typing import Any

import keras
import numpy as np
from shared import (
    ADAMW_LR,
    ADAMW_WD,
    TOL_FLOAT32,
    Report,
    adamw_reference,
    data,
    expected_decays,
    output_dir,
    sgd_reference,
)

from weightdecay.conventions import convert

keras.config.set_floatx("float64")


def train(
    model: keras.Model, optimizer: keras.optimizers.Optimizer, loss: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Fit on the shared minibatches, one ``train_on_batch`` each; return (kernel, bias)."""
    d = data()
    model.layers[-1].set_weights([d.w0, d.b0])
    model.compile(optimizer=optimizer, loss=loss)
    for rows in d.batches():
        model.train_on_batch(d.X[rows], d.y[rows])
    kernel, bias = model.layers[-1].get_weights()
    return np.asarray(kernel), np.asarray(bias)


def linear(**dense: Any) -> keras.Model:
    return keras.Sequential([keras.Input((200,)), keras.layers.Dense(1, **dense)])


def check_l2(report: Report) -> None:
    lr, c = convert(3.0, lr=0.003, source="d2l", target="keras-l2")
    model = linear(kernel_regularizer=keras.regularizers.L2(c))  # d2l's TensorFlow tab
    w, b = train(model, keras.optimizers.SGD(learning_rate=lr), "mse")
    report.trajectory(
        "keras-l2",
        source="d2l",
        final=(w, b),
        reference=sgd_reference(),
        tolerance=TOL_FLOAT32,
        why="float64 matmul computed in float32",
    )


def adamw(epsilon: float) -> keras.optimizers.AdamW:
    lr, wd = convert(ADAMW_WD, lr=ADAMW_LR, source="torch-adamw", target="keras-adamw")
    assert lr is not None
    optimizer = keras.optimizers.AdamW(learning_rate=lr, weight_decay=wd, epsilon=epsilon)
    optimizer.exclude_from_weight_decay(var_names=["bias"])  # as train_concise: the weight only
    return optimizer


def check_adamw(report: Report) -> None:
    reference = adamw_reference()
    w, b = train(linear(), adamw(epsilon=1e-8), "mse")
    report.trajectory(
        "keras-adamw",
        source="torch-adamw",
        final=(w, b),
        reference=reference,
        tolerance=TOL_FLOAT32,
        tag="",
        label="epsilon 1e-8",
        why="float32 matmul; epsilon outside the bias correction",
    )
    w, b = train(linear(), adamw(epsilon=1e-7), "mse")
    report.trajectory(
        "keras-adamw",
        source="torch-adamw",
        final=(w, b),
        reference=reference,
        tolerance=1e-2,
        tag="defaults",
        label="Keras's default epsilon",
        why="epsilon 1e-7, added outside the bias correction",
    )


def probe(regularized: bool, optimizer: keras.optimizers.Optimizer) -> dict[str, bool]:
    """Which parameters one step with zero data gradient moves: Dense, LayerNorm, Dense."""
    reg = {"kernel_regularizer": keras.regularizers.L2(0.1)} if regularized else {}
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, **reg),
            keras.layers.LayerNormalization(),
            keras.layers.Dense(1, **reg),
        ]
    )
    for v in model.weights:
        v.assign(np.full(v.shape, 0.5))  # non-zero, so that a decay shows
    before = [np.array(v.numpy()) for v in model.weights]
    model.compile(optimizer=optimizer, loss=lambda _, y_hat: 0.0 * keras.ops.sum(y_hat))
    model.train_on_batch(np.ones((2, 3)), np.ones((2, 1)))
    moved: dict[str, bool] = {"weight": False, "bias": False, "norm": False}
    for layer in model.layers:
        for v in layer.weights:
            kind = "norm" if isinstance(layer, keras.layers.LayerNormalization) else v.name
            kind = {"kernel": "weight"}.get(kind, kind)
            index = next(i for i, u in enumerate(model.weights) if u is v)
            moved[kind] |= not np.array_equal(before[index], v.numpy())
    return moved


def main() -> None:
    out = output_dir()
    report = Report("keras", ("keras", "torch"))
    report.facts["float64 matmul computes in"] = keras.backend.result_type("float64", "float64")
    assert report.facts["float64 matmul computes in"] == "float32", "Keras now keeps float64"
    check_l2(report)
    check_adamw(report)
    report.decayed(
        "keras-l2", probe(True, keras.optimizers.SGD(0.1)), expected=expected_decays("keras-l2")
    )
    report.decayed(
        "keras-adamw",
        probe(False, keras.optimizers.AdamW(0.1, weight_decay=0.1)),
        expected=expected_decays("keras-adamw"),
    )
    report.default("keras-adamw", keras.optimizers.AdamW().weight_decay)
    report.default("keras-l2", keras.regularizers.L2().l2)
    report.save(out)


if __name__ == "__main__":
    main()
