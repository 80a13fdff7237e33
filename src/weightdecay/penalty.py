r"""Norm penalties on the weights: L2, L1 and the elastic net between them.

A penalty maps the weight tensor ``w`` to a scalar; the trainers add ``lambd * penalty(w)`` to the
loss. The bias is never passed in: it is never penalized.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import torch

from weightdecay._validation import check_choice, check_probability

__all__ = [
    "PENALTIES",
    "ElasticNet",
    "Penalty",
    "PenaltyLike",
    "get_penalty",
    "l1_penalty",
    "l2_penalty",
    "penalty_name",
    "penalty_parts",
    "proximal_split",
    "soft_threshold",
]

Penalty: TypeAlias = Callable[[torch.Tensor], torch.Tensor]
"""Any callable from the weights to a scalar tensor; autograd supplies its gradient."""

PenaltyLike: TypeAlias = "str | Penalty"
"""A penalty given by name (``"l1"``, ``"l2"``, ``"elasticnet"``) or as a callable."""


def l2_penalty(w: torch.Tensor) -> torch.Tensor:
    r"""Half the squared L2 norm, :math:`\tfrac12\lVert w\rVert_2^2`.

    Parameters
    ----------
    w : torch.Tensor
        The weights (any shape).

    Returns
    -------
    torch.Tensor
        A scalar tensor.

    Notes
    -----
    The factor :math:`\tfrac12` makes the gradient exactly :math:`w`, so that with a learning rate
    :math:`\eta` the penalty :math:`\lambda\,\tfrac12\lVert w\rVert^2` shrinks the weights by the factor
    :math:`(1 - \eta\lambda)` at every step: that multiplicative shrinkage is why the L2 penalty is
    called *weight decay*.

    See Also
    --------
    l1_penalty, ElasticNet

    Examples
    --------
    >>> import torch
    >>> l2_penalty(torch.tensor([3.0, -4.0]))
    tensor(12.5000)
    """
    return w.pow(2).sum() / 2


def l1_penalty(w: torch.Tensor) -> torch.Tensor:
    r"""The L1 norm, :math:`\lVert w\rVert_1 = \sum_i \lvert w_i\rvert`.

    Parameters
    ----------
    w : torch.Tensor
        The weights (any shape).

    Returns
    -------
    torch.Tensor
        A scalar tensor.

    Notes
    -----
    Its (sub)gradient is :math:`\operatorname{sign}(w)` (PyTorch uses 0 at :math:`w_i = 0`), so every
    step moves each weight by the same amount :math:`\eta\lambda` towards zero: plain SGD then
    oscillates around zero instead of landing on it. The proximal step of the trainer
    (``l1_update="proximal"``) lands on exact zeros.

    See Also
    --------
    l2_penalty, ElasticNet

    Examples
    --------
    >>> import torch
    >>> l1_penalty(torch.tensor([3.0, -4.0]))
    tensor(7.)
    """
    return w.abs().sum()


@dataclass(frozen=True)
class ElasticNet:
    r"""The elastic-net penalty, a convex mix of the L1 and L2 penalties.

    Parameters
    ----------
    l1_ratio : float, default=0.5
        Weight :math:`\rho \in [0, 1]` of the L1 part: 1 gives :func:`l1_penalty`, 0 gives
        :func:`l2_penalty`.

    Raises
    ------
    ValueError
        If ``l1_ratio`` is outside ``[0, 1]``.

    Notes
    -----
    .. math::

        P_\rho(w) = \rho\,\lVert w\rVert_1 + (1 - \rho)\,\tfrac12\lVert w\rVert_2^2 ,

    so ``lambd * ElasticNet(rho)(w)`` is scikit-learn's ``ElasticNet(alpha=lambd, l1_ratio=rho)``
    penalty.

    Examples
    --------
    >>> import torch
    >>> ElasticNet(0.5)(torch.tensor([3.0, -4.0]))
    tensor(9.7500)
    """

    l1_ratio: float = 0.5

    def __post_init__(self) -> None:
        object.__setattr__(self, "l1_ratio", check_probability("l1_ratio", self.l1_ratio))

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        """Return :math:`P_\\rho(w)` as a scalar tensor."""
        return self.l1_ratio * l1_penalty(w) + (1.0 - self.l1_ratio) * l2_penalty(w)


PENALTIES: dict[str, Penalty] = {
    "l1": l1_penalty,
    "l2": l2_penalty,
    "elasticnet": ElasticNet(),
}
"""The penalties known by name."""


def get_penalty(penalty: PenaltyLike) -> Penalty:
    """Resolve a penalty name (``"l1"``, ``"l2"``, ``"elasticnet"``) or pass a callable through.

    Parameters
    ----------
    penalty : str or callable
        A key of :data:`PENALTIES`, or any callable from the weights to a scalar tensor.

    Returns
    -------
    callable
        The penalty function.

    Raises
    ------
    ValueError
        If the name is unknown.
    TypeError
        If ``penalty`` is neither a string nor callable.

    Examples
    --------
    >>> get_penalty("l1") is l1_penalty
    True
    """
    candidate: object = penalty  # the annotation is a promise users can break: check anyway
    if isinstance(candidate, str):
        return PENALTIES[check_choice("penalty", candidate, tuple(PENALTIES))]
    if callable(candidate):
        return candidate
    msg = (
        f"penalty must be one of {', '.join(map(repr, PENALTIES))} or a callable, got {penalty!r}."
    )
    raise TypeError(msg)


def penalty_parts(penalty: Penalty) -> tuple[float, float] | None:
    r"""Split a built-in penalty into its L1 and L2 coefficients.

    Returns ``(a, c)`` with :math:`P(w) = a\lVert w\rVert_1 + c\,\tfrac12\lVert w\rVert_2^2`, or
    ``None`` for a user-supplied callable. The proximal step and the vectorized path use it.

    Parameters
    ----------
    penalty : callable
        A resolved penalty (see :func:`get_penalty`).

    Returns
    -------
    tuple of float, or None
        The L1 and L2 coefficients.

    Examples
    --------
    >>> penalty_parts(l2_penalty), penalty_parts(ElasticNet(0.25))
    ((0.0, 1.0), (0.25, 0.75))
    """
    if penalty is l1_penalty:
        return (1.0, 0.0)
    if penalty is l2_penalty:
        return (0.0, 1.0)
    if isinstance(penalty, ElasticNet):
        return (penalty.l1_ratio, 1.0 - penalty.l1_ratio)
    return None


def proximal_split(penalty: Penalty) -> tuple[Penalty, float]:
    r"""Split a built-in penalty into the smooth part that stays in the loss and its L1 share.

    For a proximal L1 step, the loss keeps :math:`c\,\tfrac12\lVert w\rVert_2^2` and the L1 part
    :math:`a\lVert w\rVert_1` is applied after the gradient step by :func:`soft_threshold` with
    threshold :math:`\eta\lambda a`.

    Parameters
    ----------
    penalty : callable
        A built-in penalty (see :func:`penalty_parts`).

    Returns
    -------
    smooth : callable
        :math:`w \mapsto c\,\tfrac12\lVert w\rVert_2^2` (zero for the L1 penalty).
    l1_share : float
        :math:`a`, the coefficient of :math:`\lVert w\rVert_1`.

    Raises
    ------
    ValueError
        If ``penalty`` is a user-supplied callable, which has no known L1 part.

    Examples
    --------
    >>> import torch
    >>> smooth, l1_share = proximal_split(ElasticNet(0.25))
    >>> smooth(torch.tensor([3.0, -4.0])), l1_share
    (tensor(9.3750), 0.25)
    """
    parts = penalty_parts(penalty)
    if parts is None:
        msg = "l1_update='proximal' needs a built-in penalty ('l1', 'l2', 'elasticnet'), got a callable."
        raise ValueError(msg)
    l1_share, l2_share = parts
    return _ScaledL2(l2_share), l1_share


@dataclass(frozen=True)
class _ScaledL2:
    r""":math:`w \mapsto c\,\tfrac12\lVert w\rVert_2^2`, the smooth part of a built-in penalty."""

    scale: float

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return self.scale * l2_penalty(w)


def penalty_name(penalty: Penalty) -> str:
    """A short label for a penalty, for tables and legends.

    Parameters
    ----------
    penalty : callable
        A resolved penalty (see :func:`get_penalty`).

    Returns
    -------
    str
        The name it is known by, or the callable's ``__name__``.

    Examples
    --------
    >>> penalty_name(l1_penalty), penalty_name(ElasticNet(0.3))
    ('l1', 'elasticnet(l1_ratio=0.3)')
    """
    if isinstance(penalty, ElasticNet):
        return f"elasticnet(l1_ratio={penalty.l1_ratio:g})"
    for name, known in PENALTIES.items():
        if known is penalty:
            return name
    return getattr(penalty, "__name__", type(penalty).__name__)


def soft_threshold(w: torch.Tensor, threshold: float | torch.Tensor) -> torch.Tensor:
    r"""The proximal operator of :math:`t\lVert w\rVert_1`: soft-thresholding.

    Parameters
    ----------
    w : torch.Tensor
        The weights after a gradient step on the smooth part of the loss.
    threshold : float or torch.Tensor
        :math:`t = \eta\lambda` (>= 0); a tensor broadcasts against ``w`` (one threshold per
        column, for example).

    Returns
    -------
    torch.Tensor
        :math:`\operatorname{sign}(w)\max(\lvert w\rvert - t, 0)`, a new tensor.

    Notes
    -----
    .. math::

        \operatorname{prox}_{t\lVert\cdot\rVert_1}(w) = \arg\min_v \tfrac12\lVert v - w\rVert_2^2
        + t\lVert v\rVert_1 = \operatorname{sign}(w)\max(\lvert w\rvert - t, 0) .

    Every weight with :math:`\lvert w_i\rvert \le t` lands *exactly* on zero, which the subgradient
    step :math:`w - t\operatorname{sign}(w)` never does.

    Examples
    --------
    >>> import torch
    >>> soft_threshold(torch.tensor([0.5, -0.05, -2.0]), 0.1)
    tensor([ 0.4000,  0.0000, -1.9000])
    """
    return torch.sign(w) * torch.clamp(w.abs() - threshold, min=0.0)
