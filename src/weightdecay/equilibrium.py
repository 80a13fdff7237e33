r"""Weight decay on scale-invariant weights: the rotational equilibrium and the decay timescale.

A weight vector :math:`w` is *scale-invariant* when the loss does not change if it is scaled,
:math:`L(cw) = L(w)` for every :math:`c > 0`: the weights of a linear layer followed by
BatchNorm or LayerNorm (without a bias in between, or with one that the normalization
subtracts). Differentiating :math:`L(cw) = L(w)` in :math:`c` and in :math:`w` gives the two
facts everything here rests on:

.. math::

    w^\top \nabla L(w) = 0, \qquad \nabla L(cw) = \tfrac1c\,\nabla L(w):

the gradient is orthogonal to the weights, and its norm is inversely proportional to theirs.
Decay then no longer restricts the function the layer computes (its direction
:math:`w/\lVert w\rVert` alone matters); it sets the size of the steps, measured as the angle by
which one update rotates :math:`w`. These functions give that angle at equilibrium and the
number of steps over which decoupled decay forgets. :mod:`weightdecay.theory` re-exports them.
"""

from __future__ import annotations

import math
from typing import Literal, TypeAlias

from weightdecay._validation import check_choice, check_finite, check_positive

__all__ = ["OptimizerName", "decay_timescale", "equilibrium_angular_update"]

OptimizerName: TypeAlias = Literal["sgd", "adamw"]
"""The optimizers of :func:`equilibrium_angular_update`: ``torch.optim.SGD`` and ``AdamW``."""
_OPTIMIZERS: tuple[OptimizerName, ...] = ("sgd", "adamw")
_DEFAULT_BETAS = (0.9, 0.999)


def _check_step(lr: object, weight_decay: object) -> float:
    """The product lr * weight_decay, after checking both (each > 0, the product < 1)."""
    eta, lam = check_positive("lr", lr), check_positive("weight_decay", weight_decay)
    if eta * lam >= 1:
        msg = (
            "lr * weight_decay must be < 1 (each step multiplies the weights by "
            f"1 - lr * weight_decay), got lr = {lr!r}, weight_decay = {weight_decay!r}, "
            f"product {eta * lam:g}."
        )
        raise ValueError(msg)
    return eta * lam


def _check_coefficient(name: str, value: object) -> float:
    """A momentum or beta coefficient: a finite number in [0, 1)."""
    number = check_finite(name, value)
    if not 0 <= number < 1:
        msg = f"{name} must be a number in [0, 1), got {value!r}."
        raise ValueError(msg)
    return number


def _check_betas(betas: object) -> tuple[float, float]:
    if not (isinstance(betas, tuple | list) and len(betas) == 2):
        msg = f"betas must be a pair (beta1, beta2) of numbers in [0, 1), got {betas!r}."
        raise TypeError(msg)
    return _check_coefficient("betas[0]", betas[0]), _check_coefficient("betas[1]", betas[1])


def equilibrium_angular_update(
    lr: float,
    weight_decay: float,
    *,
    optimizer: OptimizerName = "sgd",
    momentum: float = 0.0,
    betas: tuple[float, float] = _DEFAULT_BETAS,
) -> float:
    r"""The angle, in radians, by which one step rotates a scale-invariant weight at equilibrium.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta` (> 0).
    weight_decay : float
        The optimizer's ``weight_decay`` :math:`\lambda` (> 0), with ``lr * weight_decay < 1``.
        Without decay there is no equilibrium: the norm grows and the angle keeps shrinking.
    optimizer : {"sgd", "adamw"}, default="sgd"
        ``"sgd"`` for :class:`torch.optim.SGD` (its ``weight_decay`` adds :math:`\lambda w` to
        the gradient, before the momentum; ``dampening=0``, no Nesterov); ``"adamw"`` for
        :class:`torch.optim.AdamW` (decoupled decay).
    momentum : float, default=0.0
        SGD's momentum :math:`\alpha`, in [0, 1). Only with ``optimizer="sgd"``.
    betas : tuple of float, default=(0.9, 0.999)
        AdamW's :math:`(\beta_1, \beta_2)`, each in [0, 1). Only with ``optimizer="adamw"``;
        :math:`\beta_2` does not enter the result.

    Returns
    -------
    float
        The root mean square of the angle between :math:`w_t` and :math:`w_{t+1}` once the norm
        :math:`\lVert w\rVert` has settled:

        - SGD with momentum :math:`\alpha`: :math:`\sqrt{2\eta\lambda/(1 + \alpha)}`;
        - AdamW, successive gradients uncorrelated:
          :math:`\sqrt{2\eta\lambda\,(1 - \beta_1)/(1 + \beta_1)}`.

    Raises
    ------
    TypeError
        If a number is not a real number, or ``betas`` is not a pair.
    ValueError
        If ``lr`` or ``weight_decay`` is not > 0, their product is not < 1, a coefficient is
        outside [0, 1), ``optimizer`` is unknown, or ``momentum`` is given for AdamW or
        ``betas`` for SGD.

    See Also
    --------
    decay_timescale : how many steps it takes to get there.

    Notes
    -----
    **Assumptions.** (1) Scale invariance: the gradient :math:`g_t` is orthogonal to
    :math:`w_t` and :math:`\lVert g_t\rVert \propto 1/\lVert w_t\rVert` (module docstring).
    (2) Steady state: :math:`\mathbb E\lVert w_t\rVert^2` no longer changes. (3) For momentum
    and Adam, gradient noise: successive gradients are uncorrelated, as when minibatch noise
    dominates the gradient, and Adam's :math:`\hat v` has averaged :math:`g^2` coordinate by
    coordinate (:math:`\beta_2` close to 1, :math:`\epsilon` negligible). Terms of order
    :math:`\eta\lambda` relative to the result are dropped.

    **SGD.** One step is :math:`w_{t+1} = (1 - \eta\lambda)w_t - \eta g_t`. With
    :math:`g_t \perp w_t`, Pythagoras gives :math:`\lVert w_{t+1}\rVert^2 = (1 -
    \eta\lambda)^2\lVert w_t\rVert^2 + \eta^2\lVert g_t\rVert^2`. The decay takes
    :math:`\approx 2\eta\lambda\lVert w\rVert^2` per step, the gradient adds
    :math:`\eta^2\lVert g\rVert^2`; at equilibrium they balance, and the angle of the step is

    .. math::

        \theta^2 \approx \frac{\eta^2\lVert g\rVert^2}{\lVert w\rVert^2} = 2\eta\lambda .

    This does not depend on the gradient's size: a larger gradient makes a larger
    :math:`\lVert w\rVert`, and the angle stays the same. The *effective learning rate* of the
    direction, :math:`\eta/\lVert w\rVert^2` (van Laarhoven 2017), settles accordingly.

    **SGD with momentum** :math:`\alpha`. The buffer is :math:`b_t = \alpha b_{t-1} + g_t +
    \lambda w_t` and the step :math:`w_{t+1} = w_t - \eta b_t`. Over the following steps, one
    gradient moves :math:`w` by :math:`\eta g_t/(1 - \alpha)` in total, and the decay shrinks
    :math:`w` by :math:`\eta\lambda/(1 - \alpha)` per step: the norm balance of SGD holds with
    :math:`\eta/(1 - \alpha)` in place of :math:`\eta`, so :math:`\lVert w\rVert^4 =
    \eta\lVert w\rVert^2\lVert g\rVert^2/(2\lambda(1 - \alpha))`. One step, though, is
    :math:`\eta b_t`, and for uncorrelated gradients :math:`\mathbb E\lVert b_t\rVert^2 =
    \lVert g\rVert^2/(1 - \alpha^2)`. Together,
    :math:`\theta^2 = \eta^2\lVert g\rVert^2/((1 - \alpha^2)\lVert w\rVert^2) =
    2\eta\lambda/(1 + \alpha)`.

    **AdamW.** The step is :math:`w_{t+1} = (1 - \eta\lambda)w_t - \eta\,\hat m_t/(\sqrt{\hat
    v_t} + \epsilon)`. Dividing by :math:`\sqrt{\hat v}` makes each of the :math:`C` coordinates
    of a gradient contribute about 1 to :math:`\lVert g/\sqrt{\hat v}\rVert^2 \approx C`,
    whatever the gradient's size. The momentum spreads one gradient over the following steps
    with weights :math:`(1 - \beta_1)\beta_1^k`, which sum to 1, so the norm balance reads
    :math:`2\eta\lambda\lVert w\rVert^2 = \eta^2 C`. For uncorrelated gradients, one step has
    :math:`\mathbb E\lVert\hat m/\sqrt{\hat v}\rVert^2 = C(1 - \beta_1)^2/(1 - \beta_1^2) =
    C(1 - \beta_1)/(1 + \beta_1)`, hence :math:`\theta^2 = 2\eta\lambda(1 - \beta_1)/(1 +
    \beta_1)`. When successive gradients point the same way (a consistent descent direction
    rather than noise), the momentum adds them up and the angle is larger, up to
    :math:`\sqrt{2\eta\lambda}` for fully correlated gradients.

    The results are those of Kosson, Messmer & Jaggi (2024), "Rotational Equilibrium: How
    Weight Decay Balances Learning Across Neural Networks" (ICML); the equilibrium itself is
    described by van Laarhoven (2017), "L2 Regularization versus Batch and Weight
    Normalization", Zhang, Wang, Xu & Grosse (2019), "Three Mechanisms of Weight Decay
    Regularization", and Wan, Zhu, Zhang & Sun (2021), "Spherical Motion Dynamics: Learning
    Dynamics of Normalized Neural Network using SGD and Weight Decay". The angle is a
    root mean square, :math:`\sqrt{\mathbb E\theta^2}`: when the gradient's size varies from
    step to step, the mean angle is smaller.

    Examples
    --------
    SGD with lr 0.1 and weight_decay 5e-4, without and with momentum 0.9, then AdamW's
    common lr 3e-4 with weight_decay 0.1:

    >>> round(equilibrium_angular_update(0.1, 5e-4), 4)
    0.01
    >>> round(equilibrium_angular_update(0.1, 5e-4, momentum=0.9), 4)
    0.0073
    >>> round(equilibrium_angular_update(3e-4, 0.1, optimizer="adamw"), 5)
    0.00178
    """
    product = _check_step(lr, weight_decay)
    name = check_choice("optimizer", optimizer, _OPTIMIZERS)
    alpha = _check_coefficient("momentum", momentum)
    beta1, _ = _check_betas(betas)
    if name == "adamw":
        if alpha != 0:
            msg = (
                f"momentum applies to optimizer='sgd' only (AdamW's is betas[0]), got {momentum!r}."
            )
            raise ValueError(msg)
        return math.sqrt(2 * product * (1 - beta1) / (1 + beta1))
    if tuple(betas) != _DEFAULT_BETAS:
        msg = f"betas apply to optimizer='adamw' only (SGD's is momentum), got {betas!r}."
        raise ValueError(msg)
    return math.sqrt(2 * product / (1 + alpha))


def decay_timescale(lr: float, weight_decay: float) -> float:
    r"""The number of steps :math:`1/(\eta\lambda)` over which decoupled weight decay forgets.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta` (> 0).
    weight_decay : float
        The decoupled decay :math:`\lambda` (> 0), with ``lr * weight_decay < 1``.

    Returns
    -------
    float
        :math:`\tau = 1/(\eta\lambda)`, in optimizer steps.

    Raises
    ------
    TypeError
        If an argument is not a real number.
    ValueError
        If an argument is not > 0 or their product is not < 1.

    See Also
    --------
    equilibrium_angular_update : the rotation per step once the equilibrium is reached.

    Notes
    -----
    Each step multiplies the weights by :math:`1 - \eta\lambda`, so whatever a step adds is
    multiplied by :math:`(1 - \eta\lambda)^t \approx e^{-t/\tau}` after :math:`t` more steps:
    the weights are an exponential moving average of the updates over about the last
    :math:`\tau` steps (Wang & Aitchison 2024, "How to set AdamW's weight decay as you scale
    model and dataset size"). A weight that the data do not move, and a scale-invariant weight
    far above its equilibrium norm, shrink by :math:`e^{-1}` every :math:`\tau` steps; the
    rotational equilibrium of :func:`equilibrium_angular_update` is reached after a few
    :math:`\tau`. A run much shorter than :math:`\tau` never feels its decay.

    This holds for decoupled decay (AdamW) and for plain SGD, where the two coincide. In SGD
    with momentum :math:`\alpha` the decay term passes through the momentum buffer and acts
    :math:`1/(1 - \alpha)` times more strongly: pass ``lr / (1 - momentum)``.

    Examples
    --------
    AdamW's common lr 3e-4 with weight_decay 0.1 forgets over about 33,000 steps:

    >>> round(decay_timescale(3e-4, 0.1))
    33333
    """
    return 1 / _check_step(lr, weight_decay)
