r"""The closed-form ridge solution: the minimizer that from-scratch L2 training approaches.

SGD with the L2 penalty minimizes a strictly convex objective, so for every :math:`\lambda > 0`
there is one minimizer, and linear algebra gives it directly. Full-batch gradient descent with a
small enough step converges to it. Minibatch SGD with a constant learning rate does not: once
the random start has decayed, it keeps moving in a neighbourhood of the minimizer whose size
shrinks with the learning rate. Its losses agree with the minimizer's; its weights agree only
where they are large next to that neighbourhood (the tutorial *SGD against the closed-form
ridge solution* measures both). It is the reference that the regularization path
(:mod:`weightdecay.path`) is checked against.
"""

from __future__ import annotations

import torch

from weightdecay._validation import check_column, check_nonnegative, check_tensor

__all__ = ["ridge_closed_form"]


def ridge_closed_form(
    X: torch.Tensor, y: torch.Tensor, lambd: float
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Minimize the from-scratch L2 objective exactly, with an unpenalized bias.

    Parameters
    ----------
    X : torch.Tensor of shape (n, num_inputs)
        Features (floating point, finite).
    y : torch.Tensor of shape (n, 1) or (n,)
        Targets; converted to ``X``'s dtype.
    lambd : float
        Penalty strength :math:`\lambda` (finite, >= 0), on the scale of
        :func:`~weightdecay.trainer.train_scratch`.

    Returns
    -------
    w : torch.Tensor of shape (num_inputs, 1)
        The weights, in ``X``'s dtype.
    b : torch.Tensor of shape ()
        The bias, a scalar tensor in ``X``'s dtype.

    Raises
    ------
    TypeError
        If ``X`` or ``y`` is not a floating-point tensor, or ``lambd`` is not a real number.
    ValueError
        If the shapes do not agree, a value is not finite, or ``lambd < 0``.

    Notes
    -----
    The objective is that of :func:`~weightdecay.trainer.train_scratch` with the L2 penalty,
    averaged over the training set:

    .. math::

        J(w, b) = \frac{1}{2n}\sum_{i=1}^n \big(y_i - x_i^\top w - b\big)^2
                  + \frac{\lambda}{2}\lVert w\rVert_2^2 .

    Setting :math:`\partial J/\partial b = 0` gives :math:`b = \bar y - \bar x^\top w`, so with the
    centred data :math:`X_c = X - \mathbf 1\bar x^\top`, :math:`y_c = y - \bar y` the weights solve
    the normal equations :math:`(X_c^\top X_c + n\lambda I)\,w = X_c^\top y_c`. When
    :math:`n < d` (20 examples, 200 features here) the equivalent *dual* form is cheaper, an
    :math:`n\times n` system instead of a :math:`d\times d` one:

    .. math::

        w = X_c^\top \big(X_c X_c^\top + n\lambda I\big)^{-1} y_c ,

    solved by a Cholesky factorization (never an explicit inverse). It is not better
    conditioned: :math:`X_c^\top X_c` and :math:`X_c X_c^\top` share their nonzero eigenvalues
    :math:`s_i^2`, and both also have the eigenvalue 0 (centring leaves :math:`X_c` of rank at
    most :math:`n - 1`), so both systems have the condition number
    :math:`(s_1^2 + n\lambda)/(n\lambda)`. At :math:`\lambda = 0` the
    minimizer is not unique when :math:`n \le d`; the function returns the minimum-norm
    interpolant :math:`w = X_c^{+} y_c` (an SVD-based least-squares solve), which is also the
    limit :math:`\lambda \to 0^+` and where gradient descent started from :math:`w = 0` ends.

    Scaling. Multiplying :math:`J` by :math:`2n` gives
    :math:`\lVert y - Xw - b\rVert^2 + n\lambda\lVert w\rVert^2`, which is what scikit-learn's
    ``Ridge(alpha=alpha, fit_intercept=True)`` minimizes, so

    .. math::

        \alpha_{\text{scikit-learn}} = n\,\lambda .

    The concise trainer (``MSELoss`` and the optimizer's ``weight_decay``) follows scratch
    training with :math:`\lambda = \mathrm{wd}/2`, hence :math:`\alpha = n\,\mathrm{wd}/2`.

    See Also
    --------
    weightdecay.path.regularization_path : SGD for many :math:`\lambda` at once.

    Examples
    --------
    On :math:`y = 2x` with three points the penalty pulls the slope from 2 towards 0; the bias
    keeps the fit through the means:

    >>> import torch
    >>> X = torch.tensor([[0.0], [1.0], [2.0]])
    >>> y = torch.tensor([[0.0], [2.0], [4.0]])
    >>> ridge_closed_form(X, y, 0.0)
    (tensor([[2.0000]]), tensor(0.0000))
    >>> w, b = ridge_closed_form(X, y, 2 / 3)  # slope 4 / (2 + 3 lambda) = 1
    >>> float(w), float(b)
    (1.0, 1.0)

    Minibatch SGD with a constant step ends near the minimizer, not on it:

    >>> from weightdecay import make_problem, regularization_path
    >>> problem = make_problem()
    >>> w, b = ridge_closed_form(problem.X_train, problem.y_train, 4.0)
    >>> sgd = regularization_path(problem, [4.0], num_epochs=2000, eval_every=2000)
    >>> 1e-3 < float((sgd.W - w).norm() / w.norm()) < 0.05  # relative distance to it
    True
    """
    X = check_tensor("X", X, ndim=2)
    y = check_column("y", y)
    if y.shape[0] != X.shape[0]:
        msg = f"y must have one row per row of X ({X.shape[0]}), got {y.shape[0]}."
        raise ValueError(msg)
    lambd = check_nonnegative("lambd", lambd)
    y = y.to(X.dtype)
    x_mean, y_mean = X.mean(0, keepdim=True), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    w = _min_norm(Xc, yc) if lambd == 0.0 else _ridge_weights(Xc, yc, lambd)
    b = y_mean - (x_mean @ w).reshape(())
    return w, b


def _ridge_weights(Xc: torch.Tensor, yc: torch.Tensor, lambd: float) -> torch.Tensor:
    """Solve the smaller of the dual (n x n) and primal (d x d) systems; both are SPD for lambd > 0."""
    n, d = Xc.shape
    if n <= d:
        gram = Xc @ Xc.mT
        return Xc.mT @ _spd_solve(gram, yc, n * lambd)
    return _spd_solve(Xc.mT @ Xc, Xc.mT @ yc, n * lambd)


def _spd_solve(gram: torch.Tensor, rhs: torch.Tensor, ridge: float) -> torch.Tensor:
    """Solve (gram + ridge I) x = rhs by Cholesky; if rounding broke positive definiteness (a tiny
    ridge in float32), fall back to an SVD-based least-squares solve."""
    system = gram + ridge * torch.eye(gram.shape[0], dtype=gram.dtype)
    factor, info = torch.linalg.cholesky_ex(system)
    if int(info) == 0:
        solution: torch.Tensor = torch.cholesky_solve(rhs, factor)
        return solution
    return _lstsq(system, rhs)


def _min_norm(Xc: torch.Tensor, yc: torch.Tensor) -> torch.Tensor:
    # gelsd (SVD) drops singular values below rcond * largest, so it returns the minimum-norm
    # solution; centring always makes Xc rank-deficient (its rows sum to 0).
    return _lstsq(Xc, yc)


def _lstsq(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    solution: torch.Tensor = torch.linalg.lstsq(A, B, driver="gelsd").solution
    return solution
