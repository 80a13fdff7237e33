r"""One :math:`\lambda` in every framework: how each spells weight decay, and exact conversions.

d2l's from-scratch code adds :math:`\tfrac{\lambda}{2}\lVert w\rVert^2` to a loss with a
:math:`\tfrac12`, and its SGD step is :math:`w \leftarrow (1 - \eta\lambda)\,w - \eta\,\bar g`.
Every framework writes the same step with other factors: a mean squared error without the
:math:`\tfrac12` doubles the data gradient, Keras's ``L2(c)`` adds :math:`c\lVert w\rVert^2`
without the :math:`\tfrac12`, and so on. :data:`CONVENTIONS` records each spelling with its
sources; :func:`convert` translates a setting from one to another so that both take the same
steps from the same start on the same minibatches.

Under plain SGD a setting ``(lr, decay)`` of a convention with loss scale :math:`s` and decay
scale :math:`k` (see :class:`Convention`) takes d2l's step with

.. math::

    \eta = s\,\mathrm{lr}, \qquad \lambda = \frac{k}{s}\,\mathrm{decay},

so converting multiplies by powers of 2, and round trips are exact. scikit-learn's ``Ridge``
has no steps: it returns SGD's fixed point, with :math:`\alpha = n\lambda`. Under Adam the
scale of the loss cancels (up to :math:`\epsilon`), so settings carry over unchanged between
conventions of the same kind; a coupled L2 term and a decoupled decay never take the same
steps, and :func:`convert` says so.
"""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import TYPE_CHECKING

from weightdecay._convention_records import RECORDS, Convention, Family
from weightdecay._scalars import check_choice, check_int, check_nonnegative, check_positive

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["CONVENTIONS", "Convention", "Family", "convert", "explain"]

CONVENTIONS: Mapping[str, Convention] = MappingProxyType({c.name: c for c in RECORDS})
"""Every convention by name: ``d2l``, ``torch-sgd``, ``torch-adam``, ``torch-adamw``, ``keras-l2``,
``keras-adamw``, ``optax-sgd``, ``optax-adamw``, ``paddle-sgd``, ``paddle-adamw``, ``mxnet-sgd``,
``sklearn-ridge``, ``sklearn-sgd``, ``fastai``, ``hf-trainer``."""

_WHY_NOT = {
    frozenset({"adam", "adamw"}): "Adam divides a coupled L2 term by sqrt(v) coordinate by "
    "coordinate and leaves a decoupled decay alone, so no setting of one takes the other's steps.",
    frozenset({"adam", "ridge"}): "Adam's coupled L2 term is rescaled by sqrt(v), so its fixed "
    "point is not ridge regression's.",
    frozenset({"adamw", "ridge"}): "a decoupled decay under Adam is no penalty on a loss, so "
    "its fixed point is not ridge regression's.",
}
_DIFFERENT_OPTIMIZERS = (
    "{source} runs {a} and {target} runs {b}: different optimizers take different steps, "
    "so no setting of one reproduces the other."
)
_FAMILY_NAMES = {
    "sgd": "plain SGD",
    "adam": "Adam with an L2 term",
    "adamw": "Adam with decoupled decay",
}


def convert(
    decay: float,
    *,
    lr: float | None,
    source: str,
    target: str,
    n_train: int | None = None,
) -> tuple[float | None, float]:
    r"""Translate a weight-decay setting from one framework's convention to another's.

    Parameters
    ----------
    decay : float
        The source's decay (finite, >= 0): d2l's ``lambd``, PyTorch's ``weight_decay``, Keras's
        ``l2``, scikit-learn's ``alpha``... (see :data:`CONVENTIONS`).
    lr : float or None
        The source's learning rate (finite, > 0); None when the source is ``"sklearn-ridge"``,
        which has none.
    source, target : str
        Names of :data:`CONVENTIONS`.
    n_train : int or None, default=None
        Number of training examples (>= 1); needed when either side is ``"sklearn-ridge"``,
        whose penalty is not averaged over the examples.

    Returns
    -------
    lr : float or None
        The target's learning rate; None when the target is ``"sklearn-ridge"``, or the source
        is (any learning rate that converges reaches the same fixed point).
    decay : float
        The target's decay.

    Raises
    ------
    ValueError
        If a name is unknown, a value is out of range, ``lr`` or ``n_train`` is missing where
        needed, a result overflows, or no setting of the target takes the source's steps
        (the message says why, in one sentence).
    TypeError
        If a number has the wrong type.

    Notes
    -----
    Within plain SGD a setting takes d2l's step with :math:`\eta = s\,\mathrm{lr}` and
    :math:`\lambda = k\,\mathrm{decay}/s`, where :math:`s` is the convention's ``loss_scale``
    and :math:`k` its ``decay_scale`` (see :class:`Convention`); the target's setting solves the
    same two equations. ``Ridge(alpha)`` minimizes
    :math:`\lVert y - Xw - b\rVert^2 + \alpha\lVert w\rVert^2`, which is :math:`2n` times
    d2l's objective with :math:`\lambda = \alpha/n`. Under Adam the learning rate and the
    decay carry over unchanged between conventions of the same family, provided the betas, the
    :math:`\epsilon` and the loss are the same (see each convention's ``notes``). Between
    conventions with a learning rate the factors are powers of 2, so a round trip returns the
    input exactly; through ``"sklearn-ridge"`` a multiplication by :math:`n` rounds once.

    See Also
    --------
    explain : the same conversion, in one sentence.

    Examples
    --------
    d2l's :math:`\lambda = 3` at learning rate 0.003, in PyTorch and in Keras:

    >>> convert(3.0, lr=0.003, source="d2l", target="torch-sgd")
    (0.0015, 6.0)
    >>> convert(3.0, lr=0.003, source="d2l", target="keras-l2")
    (0.0015, 3.0)
    >>> convert(3.0, lr=0.003, source="d2l", target="sklearn-ridge", n_train=20)
    (None, 60.0)
    >>> convert(0.01, lr=0.001, source="torch-adamw", target="optax-adamw")
    (0.001, 0.01)
    """
    decay = check_nonnegative("decay", decay)
    src = CONVENTIONS[check_choice("source", source, tuple(CONVENTIONS))]
    tgt = CONVENTIONS[check_choice("target", target, tuple(CONVENTIONS))]
    lr = _check_lr(lr, src)
    reason = _incompatible(src, tgt)
    if reason:
        raise ValueError(reason)
    n = _need_n_train(n_train) if "ridge" in (src.family, tgt.family) else 1
    if src.family in ("adam", "adamw"):
        return lr, decay
    eta, lambd = _to_d2l(src, lr, decay, n)
    new_lr, new_decay = _from_d2l(tgt, eta, lambd, n)
    for name, value in (("the converted lr", new_lr), ("the converted decay", new_decay)):
        if value is not None and not math.isfinite(value):
            msg = f"{name} overflows: {value!r} (decay={decay!r}, lr={lr!r})."
            raise ValueError(msg)
    return new_lr, new_decay


def explain(source: str, target: str) -> str:
    """Say in one sentence how a setting of ``source`` becomes one of ``target``, or why not.

    Parameters
    ----------
    source, target : str
        Names of :data:`CONVENTIONS`.

    Returns
    -------
    str
        The sentence.

    Raises
    ------
    ValueError
        If a name is unknown.

    Examples
    --------
    >>> print(explain("d2l", "keras-l2"))
    keras-l2 takes d2l's steps with lr x 0.5 and l2 = lambd x 1: its loss gradient is 2x d2l's and its decay shrinks w by 2 x lr x l2 per step.
    >>> print(explain("torch-adam", "torch-adamw"))
    Adam divides a coupled L2 term by sqrt(v) coordinate by coordinate and leaves a decoupled decay alone, so no setting of one takes the other's steps.
    """
    src = CONVENTIONS[check_choice("source", source, tuple(CONVENTIONS))]
    tgt = CONVENTIONS[check_choice("target", target, tuple(CONVENTIONS))]
    reason = _incompatible(src, tgt)
    if reason:
        return reason
    if "ridge" in (src.family, tgt.family):
        sgd = src if src.family == "sgd" else tgt
        return (
            f"Ridge(alpha) returns the fixed point of {sgd.name} with {sgd.decay_name} = "
            f"alpha / n_train x {_ratio(sgd):g}, whatever learning rate makes it converge."
        )
    if src.family != "sgd":
        return (
            f"{tgt.name} takes {src.name}'s steps with the same learning rate and decay, "
            "if the loss, the betas and epsilon are the same."
        )
    lr_factor = (src.loss_scale or 1.0) / (tgt.loss_scale or 1.0)
    decay_factor = _ratio(tgt) / _ratio(src)
    return (
        f"{tgt.name} takes {src.name}'s steps with lr x {lr_factor:g} and "
        f"{tgt.decay_name} = {src.decay_name} x {decay_factor:g}: its loss gradient is "
        f"{tgt.loss_scale:g}x d2l's and its decay shrinks w by "
        f"{_shrink(tgt)} x lr x {tgt.decay_name} per step."
    )


def _incompatible(src: Convention, tgt: Convention) -> str:
    """Why no setting of ``tgt`` takes the steps of ``src``, or "" if one does."""
    families = frozenset({src.family, tgt.family})
    if len(families) == 1 or families == {"sgd", "ridge"}:
        return ""
    if families in _WHY_NOT:
        return _WHY_NOT[families]
    return _DIFFERENT_OPTIMIZERS.format(
        source=src.name,
        target=tgt.name,
        a=_FAMILY_NAMES.get(src.family, "ridge regression"),
        b=_FAMILY_NAMES.get(tgt.family, "ridge regression"),
    )


def _check_lr(lr: object, src: Convention) -> float | None:
    if src.family == "ridge":
        if lr is not None:
            msg = f"lr must be None when source is 'sklearn-ridge' (it has no learning rate), got {lr!r}."
            raise ValueError(msg)
        return None
    if lr is None:
        msg = f"lr is required for source {src.name!r}: a finite number > 0, got None."
        raise ValueError(msg)
    return check_positive("lr", lr)


def _need_n_train(n_train: int | None) -> int:
    if n_train is None:
        msg = "n_train is required to convert to or from 'sklearn-ridge' (alpha = n_train * lambd)."
        raise ValueError(msg)
    return check_int("n_train", n_train, low=1)


def _ratio(c: Convention) -> float:
    """The decay that gives d2l's lambda = 1: k / s (for Ridge, alpha per lambda, without n)."""
    if c.family == "ridge":
        return 1.0
    return (c.loss_scale or 1.0) / (c.decay_scale or 1.0)


def _shrink(c: Convention) -> str:
    return f"{c.decay_scale:g}" if c.decay_scale is not None else "1"


def _to_d2l(c: Convention, lr: float | None, decay: float, n: int) -> tuple[float | None, float]:
    """d2l's (eta, lambd) that take the steps of ``c`` at ``(lr, decay)``; ``n`` for Ridge."""
    if c.family == "ridge":
        return None, decay / n
    s, k = c.loss_scale or 1.0, c.decay_scale or 1.0
    return (None if lr is None else s * lr), k * decay / s


def _from_d2l(c: Convention, eta: float | None, lambd: float, n: int) -> tuple[float | None, float]:
    """The setting of ``c`` that takes d2l's steps at ``(eta, lambd)``; ``n`` for Ridge."""
    if c.family == "ridge":
        return None, n * lambd
    s, k = c.loss_scale or 1.0, c.decay_scale or 1.0
    return (None if eta is None else eta / s), lambd * s / k
