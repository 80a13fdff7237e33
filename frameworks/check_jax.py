"""JAX with optax: ``add_decayed_weights`` chained with ``sgd`` (d2l-en's JAX tab), and ``adamw``.

Run by ``nox -s frameworks`` (``python frameworks/check_jax.py --out DIR``), in float64
(``jax_enable_x64``). The model is a plain pytree ``{"w", "b"}``: optax decays whatever leaves
its ``mask`` selects, every leaf by default.
"""

from __future__ import annotations

import inspect
from typing import Any

import jax

jax.config.update("jax_enable_x64", True)  # before any array is made

import jax.numpy as jnp
import numpy as np
import optax
from shared import (
    ADAMW_LR,
    ADAMW_WD,
    TOL_FLOAT64,
    Report,
    adamw_reference,
    data,
    expected_decays,
    output_dir,
    sgd_reference,
)

from weightdecay.conventions import convert

Params = dict[str, Any]
WEIGHT_ONLY = {"w": True, "b": False}  # the mask that leaves the bias alone, as train_scratch


def half_squared(params: Params, X: jax.Array, y: jax.Array) -> jax.Array:
    """d2l-en's JAX loss: the mean of optax.l2_loss, which is (y_hat - y)**2 / 2."""
    return jnp.mean(optax.l2_loss(X @ params["w"] + params["b"], y))


def mse(params: Params, X: jax.Array, y: jax.Array) -> jax.Array:
    return jnp.mean((X @ params["w"] + params["b"] - y) ** 2)


def train(optimizer: optax.GradientTransformation, loss: Any) -> tuple[np.ndarray, np.ndarray]:
    d = data()
    params: Params = {"w": jnp.asarray(d.w0), "b": jnp.asarray(d.b0)}
    state = optimizer.init(params)

    @jax.jit  # type: ignore[untyped-decorator]  # jax is Any to mypy here
    def step(params: Params, state: Any, X: jax.Array, y: jax.Array) -> tuple[Params, Any]:
        updates, state = optimizer.update(jax.grad(loss)(params, X, y), state, params)
        return optax.apply_updates(params, updates), state

    X, y = jnp.asarray(d.X), jnp.asarray(d.y)
    for rows in d.batches():
        params, state = step(params, state, X[rows], y[rows])
    return np.asarray(params["w"]), np.asarray(params["b"])


def probe(optimizer: optax.GradientTransformation, *, norm: bool = True) -> dict[str, bool]:
    """Which leaves one step with zero data gradient moves: weights, biases, LayerNorm's."""
    params: Params = {
        "w1": 0.5 * jnp.ones((3, 4)),
        "b1": 0.5 * jnp.ones(4),
        "w": 0.5 * jnp.ones((4, 1)),
        "b": 0.5 * jnp.ones(1),
    }
    if norm:
        params |= {"norm_scale": 0.5 * jnp.ones(4), "norm_bias": 0.5 * jnp.ones(4)}

    def zero(p: Params) -> jax.Array:
        h = jnp.ones((2, 3)) @ p["w1"] + p["b1"]
        if norm:
            h = (h - h.mean(-1, keepdims=True)) / jnp.sqrt(h.var(-1, keepdims=True) + 1e-5)
            h = h * p["norm_scale"] + p["norm_bias"]
        return 0.0 * jnp.sum(h @ p["w"] + p["b"])

    updates, _ = optimizer.update(jax.grad(zero)(params), optimizer.init(params), params)
    new = optax.apply_updates(params, updates)
    moved = {k: not np.array_equal(np.asarray(params[k]), np.asarray(new[k])) for k in params}
    kinds = {"weight": ("w1", "w"), "bias": ("b1", "b"), "norm": ("norm_scale", "norm_bias")}
    return {
        kind: any(moved.get(k, False) for k in keys)
        for kind, keys in kinds.items()
        if norm or kind != "norm"
    }


def main() -> None:
    out = output_dir()
    report = Report("jax", ("jax", "optax"))

    lr, wd = convert(3.0, lr=0.003, source="d2l", target="optax-sgd")
    assert lr is not None
    sgd = optax.chain(optax.add_decayed_weights(wd, mask=WEIGHT_ONLY), optax.sgd(lr))
    report.trajectory(
        "optax-sgd",
        source="d2l",
        final=train(sgd, half_squared),
        reference=sgd_reference(),
        tolerance=TOL_FLOAT64,
    )
    lr, wd = convert(ADAMW_WD, lr=ADAMW_LR, source="torch-adamw", target="optax-adamw")
    assert lr is not None
    adamw = optax.adamw(lr, weight_decay=wd, mask=WEIGHT_ONLY)
    report.trajectory(
        "optax-adamw",
        source="torch-adamw",
        final=train(adamw, mse),
        reference=adamw_reference(),
        tolerance=TOL_FLOAT64,
    )

    d2l_tab = optax.chain(optax.add_decayed_weights(0.1), optax.sgd(0.1))  # no mask, as d2l-en
    report.decayed("optax-sgd", probe(d2l_tab), expected=expected_decays("optax-sgd"))
    report.decayed(
        "optax-sgd, d2l's JAX tab",
        probe(d2l_tab, norm=False),
        expected=expected_decays("optax-sgd", d2l_tab=True),
    )
    report.decayed(
        "optax-adamw",
        probe(optax.adamw(0.1, weight_decay=0.1)),
        expected=expected_decays("optax-adamw"),
    )

    defaults = {
        f: inspect.signature(f).parameters["weight_decay"].default
        for f in (optax.adamw, optax.add_decayed_weights)
    }
    report.default("optax-adamw", defaults[optax.adamw])
    report.default("optax-sgd", defaults[optax.add_decayed_weights])
    # d2l-en's JAX tab calls optax.additive_weight_decay: optax has since renamed it.
    report.facts["optax has additive_weight_decay"] = hasattr(optax, "additive_weight_decay")
    report.save(out)


if __name__ == "__main__":
    main()
