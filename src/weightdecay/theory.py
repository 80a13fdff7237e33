r"""Expected test risks of least squares and ridge regression on isotropic Gaussian data.

These formulas answer "how many examples does it take?" without training anything. They hold
for the model without intercept

.. math::

    x \sim \mathcal N(0, I_d), \qquad y = x^\top w^* + \varepsilon, \qquad
    \varepsilon \sim \mathcal N(0, \sigma^2),

and the risk functions return the expected test **mean squared error**
:math:`\mathbb E\big[(y - x^\top\hat w)^2\big]` over a new example and the training draw: no
factor :math:`\tfrac12`, and the label noise :math:`\sigma^2` included. The package's training
and test losses are half squared errors (d2l's scale, :func:`~weightdecay.evaluate.squared_loss`),
so a loss ``L`` reported by :func:`~weightdecay.trainer.train_scratch` compares with ``2 * L``
here, or with the risk on that scale itself: pass ``scale="half"`` for
:math:`\mathbb E\big[\tfrac12(y - x^\top\hat w)^2\big]`.

The ridge penalty uses this package's convention (that of
:func:`~weightdecay.ridge.ridge_closed_form`, scikit-learn's ``Ridge(alpha=n * lambd)``):
:math:`\hat w_\lambda` minimizes :math:`\frac1{2n}\lVert y - Xw\rVert^2 +
\frac\lambda2\lVert w\rVert^2`. Every argument is a real number or a tensor; tensors broadcast
against each other, so one call evaluates a whole learning curve or a whole grid of
:math:`\lambda`.

The theory of weight decay in networks with normalization layers, where decay sets the
effective learning rate instead of shrinking the function
(:func:`~weightdecay.equilibrium.equilibrium_angular_update`,
:func:`~weightdecay.equilibrium.decay_timescale`), lives in :mod:`weightdecay.equilibrium` and
is importable from here too.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import torch

from weightdecay._validation import check_int, check_nonnegative, check_positive, check_tensor
from weightdecay.equilibrium import decay_timescale, equilibrium_angular_update

__all__ = [
    "LossScale",
    "decay_timescale",
    "equilibrium_angular_update",
    "min_norm_risk",
    "optimal_ridge_lambda",
    "ridge_risk",
]

_DTYPE = torch.float64
LossScale: TypeAlias = Literal["mse", "half"]
r"""The loss a risk is expressed in: ``"mse"``, :math:`(y - \hat y)^2`, or ``"half"``, its half."""
_SCALES: dict[LossScale, float] = {"mse": 1.0, "half": 0.5}  # the factor in front of (y - ŷ)²


def _as_tensor(
    name: str, value: object, *, positive: bool = False, integer: bool = False
) -> torch.Tensor:
    """``value`` as a float64 tensor, or raise naming ``name``, the bad value and the valid range.

    Numbers must be >= 0 (> 0 if ``positive``); with ``integer``, whole numbers >= 1.
    """
    if not isinstance(value, torch.Tensor):
        if integer:
            number = float(check_int(name, value, low=1))
        elif positive:
            number = check_positive(name, value)
        else:
            number = check_nonnegative(name, value)
        return torch.tensor(number, dtype=_DTYPE)
    if value.dtype == torch.bool or value.is_complex():
        msg = f"{name} must be a real tensor, got dtype {value.dtype}."
        raise TypeError(msg)
    tensor = check_tensor(name, value.detach().to(_DTYPE), ndim=value.ndim)  # finite entries
    if integer:
        bad, valid = (tensor < 1) | (tensor != tensor.round()), "an integer >= 1"
    elif positive:
        bad, valid = tensor <= 0, "a finite number > 0"
    else:
        bad, valid = tensor < 0, "a finite number >= 0"
    if bool(bad.any()):
        msg = f"{name} must be {valid}, got {tensor[bad].flatten()[0].item():g} (in a tensor)."
        raise ValueError(msg)
    return tensor


def _sizes(n_train: object, num_inputs: object) -> tuple[torch.Tensor, torch.Tensor]:
    n = _as_tensor("n_train", n_train, integer=True)
    d = _as_tensor("num_inputs", num_inputs, integer=True)
    return n, d


def _signal_and_noise(w_norm: object, noise: object) -> tuple[torch.Tensor, torch.Tensor]:
    return _as_tensor("w_norm", w_norm), _as_tensor("noise", noise)


def _factor(scale: object) -> float:
    """The factor of ``scale`` in front of the squared error, or raise naming the choices."""
    for name, factor in _SCALES.items():
        if scale == name:
            return factor
    msg = f"scale must be 'mse' or 'half', got {scale!r}."
    raise ValueError(msg)


def min_norm_risk(
    n_train: int | torch.Tensor,
    num_inputs: int | torch.Tensor,
    *,
    w_norm: float | torch.Tensor,
    noise: float | torch.Tensor,
    scale: LossScale = "mse",
) -> torch.Tensor:
    r"""Expected test MSE of the minimum-norm least-squares fit, exactly, for Gaussian features.

    Parameters
    ----------
    n_train : int or torch.Tensor
        Number of training examples :math:`n` (integers >= 1), outside
        ``[num_inputs - 1, num_inputs + 1]``.
    num_inputs : int or torch.Tensor
        Number of features :math:`d` (integers >= 1).
    w_norm : float or torch.Tensor
        :math:`\lVert w^*\rVert_2` (>= 0); 0.1414 for the notebook's 200 weights of 0.01.
    noise : float or torch.Tensor
        Label noise standard deviation :math:`\sigma` (>= 0).
    scale : {"mse", "half"}, default="mse"
        The loss the risk is expressed in: ``"mse"``, :math:`(y - \hat y)^2`; ``"half"``,
        :math:`\tfrac12(y - \hat y)^2`, the scale of :func:`~weightdecay.evaluate.squared_loss`
        and of the package's training and test losses (half the MSE).

    Returns
    -------
    torch.Tensor
        Float64 tensor of the arguments' broadcast shape (0-d for scalar arguments): the
        expected :math:`(y - x^\top\hat w)^2` on a new example, averaged over training sets
        (half of it with ``scale="half"``).

    Raises
    ------
    TypeError
        If an argument is not a real number or a real tensor, or ``n_train``/``num_inputs`` is
        a non-integer scalar.
    ValueError
        If a value is out of range, ``n_train`` lies in ``[num_inputs - 1, num_inputs + 1]``,
        where the expectation is infinite, or ``scale`` is not ``"mse"`` or ``"half"``.

    Notes
    -----
    The fit is :math:`\hat w = X^{+}y`, the interpolant of least norm when :math:`n < d` (where
    gradient descent started from zero ends) and ordinary least squares when :math:`n > d`; it
    is also the limit :math:`\lambda \to 0^+` of ridge. Its test MSE is
    :math:`\sigma^2 + \lVert\hat w - w^*\rVert^2`, because :math:`x \sim \mathcal N(0, I)`.

    *n < d.* :math:`\hat w = P w^* + X^\top(XX^\top)^{-1}\varepsilon`, where :math:`P` projects
    on the row space of :math:`X`. That space is a uniformly random :math:`n`-dimensional
    subspace, so :math:`\mathbb E\lVert(I - P)w^*\rVert^2 = \lVert w^*\rVert^2(1 - n/d)`. The
    noise term has expectation :math:`\sigma^2\,\mathbb E\operatorname{tr}(XX^\top)^{-1}`, and
    :math:`XX^\top` is an :math:`n\times n` Wishart matrix with :math:`d` degrees of freedom,
    whose inverse has mean :math:`I/(d - n - 1)`. Hence, for :math:`n \le d - 2`,

    .. math::

        R = \sigma^2 + \lVert w^*\rVert^2\Big(1 - \frac nd\Big) + \frac{\sigma^2 n}{d - n - 1}.

    *n > d.* :math:`\hat w - w^* = (X^\top X)^{-1}X^\top\varepsilon` and the same Wishart mean
    give, for :math:`n \ge d + 2`, :math:`R = \sigma^2 + \sigma^2 d/(n - d - 1)`: the fit is
    unbiased and :math:`w^*` does not enter.

    Near :math:`n = d` the smallest singular value of :math:`X` approaches zero and
    :math:`\mathbb E\operatorname{tr}(\cdot)^{-1}` is infinite: that is the interpolation peak of
    *double descent* (Belkin, Hsu & Xu 2019, "Two models of double descent for weak features";
    Hastie, Montanari, Rosset & Tibshirani 2019, "Surprises in high-dimensional ridgeless least
    squares interpolation", whose proportional limit :math:`d/n \to \gamma` these formulas
    reach).

    See Also
    --------
    ridge_risk : the same risk with a ridge penalty.

    Examples
    --------
    The notebook's problem (20 examples, 200 weights of 0.01, noise 0.01), then 800 examples:

    >>> round(float(min_norm_risk(20, 200, w_norm=200**0.5 * 0.01, noise=0.01)), 5)
    0.01811
    >>> round(float(min_norm_risk(800, 200, w_norm=200**0.5 * 0.01, noise=0.01)), 7)
    0.0001334

    On the scale of the package's test losses, half of it:

    >>> round(float(min_norm_risk(20, 200, w_norm=200**0.5 * 0.01, noise=0.01, scale="half")), 6)
    0.009055
    """
    factor = _factor(scale)
    n, d = _sizes(n_train, num_inputs)
    r, sigma = _signal_and_noise(w_norm, noise)
    n, d = n + 0 * d, d + 0 * n  # broadcast against each other
    near = (n - d).abs() <= 1
    if bool(near.any()):
        bad_n, bad_d = int(n[near].flatten()[0]), int(d[near].flatten()[0])
        msg = (
            "min_norm_risk is infinite for n_train in [num_inputs - 1, num_inputs + 1] = "
            f"[{bad_d - 1}, {bad_d + 1}], got n_train = {bad_n}, num_inputs = {bad_d}."
        )
        raise ValueError(msg)
    under = n < d  # the interpolating side; the gap |n - d| >= 2 keeps both divisions finite
    variance_under = sigma**2 * n / (d - n - 1).where(under, torch.ones_like(d))
    variance_over = sigma**2 * d / (n - d - 1).where(~under, torch.ones_like(d))
    bias = r**2 * (1 - n / d)
    return factor * (sigma**2 + torch.where(under, bias + variance_under, variance_over))


def _marchenko_pastur(gamma: torch.Tensor, lambd: torch.Tensor) -> tuple[torch.Tensor, ...]:
    r"""The Marchenko-Pastur Stieltjes transform :math:`m(-\lambda)` and its derivative.

    :math:`m` is the positive root of :math:`\gamma\lambda m^2 + (1 - \gamma + \lambda)m - 1 = 0`;
    of its two algebraically equal forms, each branch takes the one without cancellation.
    Implicit differentiation gives :math:`m'(-\lambda) = m(1 + \gamma m) / \sqrt{\Delta}`.
    """
    b = 1 - gamma + lambd
    root = torch.sqrt(b**2 + 4 * gamma * lambd)  # sqrt(Delta), > |b|
    m = torch.where(b >= 0, 2 / (b + root), (root - b) / (2 * gamma * lambd))
    return m, m * (1 + gamma * m) / root


def ridge_risk(
    n_train: int | torch.Tensor,
    num_inputs: int | torch.Tensor,
    lambd: float | torch.Tensor,
    *,
    w_norm: float | torch.Tensor,
    noise: float | torch.Tensor,
    scale: LossScale = "mse",
) -> torch.Tensor:
    r"""Expected test MSE of ridge regression, from the proportional high-dimensional limit.

    Parameters
    ----------
    n_train : int or torch.Tensor
        Number of training examples :math:`n` (integers >= 1).
    num_inputs : int or torch.Tensor
        Number of features :math:`d` (integers >= 1).
    lambd : float or torch.Tensor
        Penalty :math:`\lambda > 0` in this package's convention, :math:`\frac1{2n}\lVert y -
        Xw\rVert^2 + \frac\lambda2\lVert w\rVert^2` (scikit-learn's ``alpha = n * lambd``).
    w_norm : float or torch.Tensor
        :math:`\lVert w^*\rVert_2` (>= 0).
    noise : float or torch.Tensor
        Label noise standard deviation :math:`\sigma` (>= 0).
    scale : {"mse", "half"}, default="mse"
        The loss the risk is expressed in: ``"mse"``, :math:`(y - \hat y)^2`; ``"half"``,
        :math:`\tfrac12(y - \hat y)^2`, the scale of :func:`~weightdecay.evaluate.squared_loss`
        and of the package's training and test losses (half the MSE).

    Returns
    -------
    torch.Tensor
        Float64 tensor of the arguments' broadcast shape (0-d for scalar arguments): the
        expected :math:`(y - x^\top\hat w_\lambda)^2` on a new example (half of it with
        ``scale="half"``).

    Raises
    ------
    TypeError
        If an argument is not a real number or a real tensor, or ``n_train``/``num_inputs`` is
        a non-integer scalar.
    ValueError
        If a value is out of range (``lambd <= 0``, a count < 1, a negative norm or noise), or
        ``scale`` is not ``"mse"`` or ``"half"``.

    Notes
    -----
    With :math:`\gamma = d/n`, the limit :math:`n, d \to \infty` at fixed :math:`\gamma`
    (Dobriban & Wager 2018, "High-dimensional asymptotics of prediction: ridge regression and
    classification"; Hastie, Montanari, Rosset & Tibshirani 2019, isotropic case) is

    .. math::

        R(\lambda) = \sigma^2 + \lVert w^*\rVert^2 \lambda^2 m'(-\lambda)
          + \sigma^2\gamma\big(m(-\lambda) - \lambda m'(-\lambda)\big),

    the bias² and the variance, where :math:`m` is the Stieltjes transform of the
    Marchenko-Pastur law of ratio :math:`\gamma`, the limiting spectrum of
    :math:`\frac1n X^\top X`:

    .. math::

        m(-\lambda) = \frac{-(1 - \gamma + \lambda)
          + \sqrt{(1 - \gamma + \lambda)^2 + 4\gamma\lambda}}{2\gamma\lambda}.

    Hastie et al.'s estimator :math:`(X^\top X + n\lambda I)^{-1}X^\top y` is this package's
    :math:`\hat w_\lambda`, so their :math:`\lambda` is ours; their risk omits the noise
    :math:`\sigma^2`, which is added here. The formula is evaluated at the finite
    :math:`\gamma = d/n`; ``tests/test_theory.py`` checks it against Monte Carlo averages at
    :math:`d = 100`. Two checks by hand: as :math:`n \to \infty`,
    :math:`\hat w_\lambda \to w^*/(1 + \lambda)` and :math:`R \to \sigma^2 +
    \lVert w^*\rVert^2\lambda^2/(1 + \lambda)^2`; as :math:`\lambda \to \infty`,
    :math:`R \to \sigma^2 + \lVert w^*\rVert^2`, the zero predictor's risk.

    See Also
    --------
    optimal_ridge_lambda : the :math:`\lambda` that minimizes this risk.
    min_norm_risk : the limit :math:`\lambda \to 0^+`, exactly.
    weightdecay.ridge.ridge_closed_form : the fit itself (with an intercept).

    Examples
    --------
    On the notebook's problem the book's :math:`\lambda = 3` stays within a factor 2 of
    predicting 0 (test MSE :math:`\lVert w^*\rVert^2 + \sigma^2 = 0.0201`), even with 800
    examples:

    >>> r = 200**0.5 * 0.01
    >>> [round(float(ridge_risk(n, 200, 3.0, w_norm=r, noise=0.01)), 4) for n in (20, 800)]
    [0.0182, 0.0119]

    On the scale of the package's test losses, :math:`\tfrac12(y - \hat y)^2`, the same risks
    are halved:

    >>> [round(float(ridge_risk(n, 200, 3.0, w_norm=r, noise=0.01, scale="half")), 5)
    ...  for n in (20, 800)]
    [0.00912, 0.00593]
    >>> risks = ridge_risk(torch.tensor([20, 200, 800]), 200, 0.05, w_norm=r, noise=0.01)
    >>> risks.shape
    torch.Size([3])
    """
    factor = _factor(scale)
    n, d = _sizes(n_train, num_inputs)
    lam = _as_tensor("lambd", lambd, positive=True)
    r, sigma = _signal_and_noise(w_norm, noise)
    gamma = d / n
    m, dm = _marchenko_pastur(gamma, lam)
    bias = r**2 * lam**2 * dm
    variance = sigma**2 * gamma * (m - lam * dm)
    return factor * (sigma**2 + bias + variance)


def optimal_ridge_lambda(
    n_train: int | torch.Tensor,
    num_inputs: int | torch.Tensor,
    *,
    w_norm: float | torch.Tensor,
    noise: float | torch.Tensor,
) -> torch.Tensor:
    r"""The penalty that minimizes :func:`ridge_risk`: :math:`\sigma^2 d/(n\lVert w^*\rVert^2)`.

    Parameters
    ----------
    n_train : int or torch.Tensor
        Number of training examples :math:`n` (integers >= 1).
    num_inputs : int or torch.Tensor
        Number of features :math:`d` (integers >= 1).
    w_norm : float or torch.Tensor
        :math:`\lVert w^*\rVert_2` (> 0).
    noise : float or torch.Tensor
        Label noise standard deviation :math:`\sigma` (>= 0).

    Returns
    -------
    torch.Tensor
        Float64 tensor of the arguments' broadcast shape (0-d for scalar arguments): the
        :math:`\lambda` of this package's convention, :math:`\frac1{2n}\lVert y - Xw\rVert^2 +
        \frac\lambda2\lVert w\rVert^2`.

    Raises
    ------
    TypeError
        If an argument is not a real number or a real tensor, or ``n_train``/``num_inputs`` is
        a non-integer scalar.
    ValueError
        If a value is out of range (a count < 1, ``w_norm <= 0``, ``noise < 0``).

    Notes
    -----
    If the true weights are drawn :math:`w^* \sim \mathcal N(0, \tau^2 I)` with
    :math:`\tau^2 = \lVert w^*\rVert^2/d`, ridge at :math:`\lambda = \sigma^2/(n\tau^2)` is the
    posterior mean, the best estimator of all for every :math:`n` (see the Bayesian view in the
    docs). For a fixed :math:`w^*` the same value minimizes the limit :math:`R(\lambda)` of
    :func:`ridge_risk` (Dobriban & Wager 2018), where the risk at the optimum simplifies to
    :math:`\sigma^2 + \sigma^2\gamma\, m(-\lambda_{\text{opt}})`. It falls like :math:`1/n`.

    In the convention :math:`\lVert X\beta - y\rVert^2 + \lambda'\lVert\beta\rVert^2` of
    Nakkiran, Venkat, Kakade & Ma (2020), :math:`\lambda' = n\lambda`, so their optimum
    :math:`\lambda'_{\text{opt}} = \sigma^2 d/\lVert\beta^*\rVert^2` does not depend on
    :math:`n`.

    Examples
    --------
    The notebook's problem: 20 examples, 200 weights of 0.01, noise 0.01.

    >>> round(float(optimal_ridge_lambda(20, 200, w_norm=200**0.5 * 0.01, noise=0.01)), 4)
    0.05
    """
    n, d = _sizes(n_train, num_inputs)
    r = _as_tensor("w_norm", w_norm, positive=True)
    sigma = _as_tensor("noise", noise)
    return sigma**2 * d / (n * r**2)
