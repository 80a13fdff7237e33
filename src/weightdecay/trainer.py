r"""The notebook's two training loops: weight decay from scratch, and with ``torch.optim``.

Read :func:`train_scratch` top to bottom: it is the course notebook's ``train(lambd)`` cell, with
a divergence check after each update. Both trainers draw their initial weights and minibatches
from the same seeded generators, evaluate exactly every ``eval_every`` epochs, and stop a
diverging run with :class:`~weightdecay.results.DivergenceError` (or keep what was finite, with
``on_divergence="stop"``).

Scaling conventions (they decide every factor of 2 on this site):

* :func:`train_scratch` minimizes :math:`\sum_{i\in B}\big[\tfrac12(\hat y_i - y_i)^2 + \lambda P(w)\big]`
  and :func:`sgd` divides the gradient by :math:`|B|`, so the penalty contributes exactly
  :math:`\lambda\nabla P(w)` to the update.
* :func:`train_concise` minimizes ``MSELoss`` (no :math:`\tfrac12`) and passes ``weight_decay`` to
  the optimizer for the weight only. Concise ``(lr, wd)`` therefore follows the same trajectory as
  scratch ``(2 lr, lambd = wd / 2, penalty="l2")``, and its losses are twice the scratch losses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

import torch
from torch import nn

from weightdecay._settings import L1Update, OnDivergence, check_settings, training_generators
from weightdecay._validation import check_choice, check_int, check_nonnegative, check_positive
from weightdecay.data import minibatches
from weightdecay.evaluate import evaluate_loss, squared_loss, weight_norm
from weightdecay.guard import DivergenceGuard, clip_grad_norm, decay_hint
from weightdecay.model import concise_net, init_params, linreg
from weightdecay.penalty import proximal_split, soft_threshold
from weightdecay.results import DivergenceError, TrainResult

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from weightdecay.penalty import PenaltyLike
    from weightdecay.problem import Problem
    from weightdecay.results import History

__all__ = [
    "OPTIMIZERS",
    "L1Update",
    "OnDivergence",
    "OptimizerName",
    "sgd",
    "train_concise",
    "train_scratch",
]

OptimizerName: TypeAlias = Literal["sgd", "adam", "adamw"]
OPTIMIZERS: dict[OptimizerName, Callable[..., torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}
"""The optimizers :func:`train_concise` accepts by name."""


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """Minibatch SGD from scratch, as d2l's ``sgd``: ``p -= lr * p.grad / batch_size``.

    The gradients are of a loss *summed* over the batch, hence the division; they are zeroed after
    the update.

    Parameters
    ----------
    params : iterable of torch.Tensor
        Leaf tensors whose ``.grad`` is set.
    lr : float
        Learning rate (> 0).
    batch_size : int
        Number of examples the loss was summed over (>= 1).

    Raises
    ------
    ValueError
        If ``lr`` or ``batch_size`` is out of range, or a parameter has no gradient.

    Examples
    --------
    >>> import torch
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> (3 * w).sum().backward()
    >>> sgd([w], lr=0.1, batch_size=3)
    >>> w
    tensor([0.9000], requires_grad=True)
    """
    lr = check_positive("lr", lr)
    batch_size = check_int("batch_size", batch_size, low=1)
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                msg = "sgd needs every parameter to have a gradient; call backward() first."
                raise ValueError(msg)
            param.sub_(
                param.grad, alpha=lr / batch_size
            )  # d2l: param -= lr * param.grad / batch_size
            param.grad.zero_()


def train_scratch(
    problem: Problem,
    *,
    lambd: float = 0.0,
    penalty: PenaltyLike = "l2",
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    eval_every: int = 5,
    seed: int = 0,
    l1_update: L1Update = "subgradient",
    initial: tuple[torch.Tensor, torch.Tensor] | None = None,
    record_grad_norm: bool = False,
    max_grad_norm: float | None = None,
    on_divergence: OnDivergence = "raise",
    callback: Callable[[History], None] | None = None,
) -> TrainResult:
    r"""Train the linear model from scratch with a norm penalty: the notebook's ``train(lambd)``.

    Each minibatch :math:`B` takes one step of :func:`sgd` on

    .. math::

        \sum_{i \in B} \Big[\tfrac12\big(x_i^\top w + b - y_i\big)^2 + \lambda P(w)\Big],

    where :math:`P` is the penalty; the bias is never penalized.

    Parameters
    ----------
    problem : Problem
        The data (see :func:`~weightdecay.data.make_problem`).
    lambd : float, default=0.0
        Penalty strength :math:`\lambda` (finite, >= 0).
    penalty : {"l2", "l1", "elasticnet"} or callable, default="l2"
        :math:`P`, by name or as a callable from ``w`` to a scalar tensor.
    num_epochs : int, default=100
        Passes over the training set (>= 1).
    lr : float, default=0.003
        Learning rate :math:`\eta` (> 0).
    batch_size : int, default=5
        Minibatch size, in ``[1, n_train]``.
    eval_every : int, default=5
        Evaluate the train and test loss every this many epochs (>= 1), and after the last one.
    seed : int, default=0
        Seed of the training generators (initial weights and minibatch order), >= 0.
    l1_update : {"subgradient", "proximal"}, default="subgradient"
        How the L1 part of a built-in penalty is applied: by its subgradient inside the loss (the
        notebook), or by soft-thresholding after the gradient step on the rest (a proximal step,
        which lands on exact zeros).
    initial : tuple of torch.Tensor or None, default=None
        Starting ``(w, b)`` of shapes (num_inputs, 1) and (1,); by default
        :math:`w \sim \mathcal{N}(0, 1)`, :math:`b = 0` from ``seed``.
    record_grad_norm : bool, default=False
        Record each update's gradient norm in ``history.grad_norm``.
    max_grad_norm : float or None, default=None
        Clip the gradient of each update (of the mean loss, penalty included) to this norm.
    on_divergence : {"raise", "stop"}, default="raise"
        If the loss, a gradient or a parameter stops being finite: raise
        :class:`~weightdecay.results.DivergenceError`, or stop and return what was finite, with
        ``result.divergence`` set.
    callback : callable or None, default=None
        Called after every evaluation with the :class:`~weightdecay.results.History` so far (the
        same object, growing), to show the losses as they come, as d2l's ``Animator`` does.

    Returns
    -------
    TrainResult
        Final weights, ``w_norm``, the loss history (half squared error, d2l's scale) and the
        ``config`` that made the run.

    Raises
    ------
    ValueError
        If an argument is out of range (before any training starts).
    TypeError
        If an argument has the wrong type.
    DivergenceError
        If the run diverges and ``on_divergence="raise"``.

    Notes
    -----
    :func:`sgd` divides the summed gradient by :math:`|B|`, so the update is

    .. math::

        w \leftarrow w - \eta\lambda\nabla P(w) - \frac{\eta}{|B|}\sum_{i\in B}
        x_i\,(x_i^\top w + b - y_i),

    which for the L2 penalty is :math:`w \leftarrow (1 - \eta\lambda)\,w - \ldots`: weight decay.
    With ``l1_update="proximal"`` the L1 part :math:`a\lVert w\rVert_1` is left out of the loss and
    applied as :math:`w \leftarrow \operatorname{sign}(w)\max(\lvert w\rvert - \eta\lambda a, 0)`.
    The last minibatch of an epoch may be smaller than ``batch_size``; :func:`sgd` divides by its
    actual size, so every update uses the mean gradient.

    See Also
    --------
    train_concise : the same model with ``nn.Linear`` and ``torch.optim``.
    weightdecay.path.regularization_path : the same update for many :math:`\lambda` at once.

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> problem = make_problem(seed=0)
    >>> overfit = train_scratch(problem, lambd=0.0)
    >>> decayed = train_scratch(problem, lambd=3.0)
    >>> decayed.w_norm < overfit.w_norm / 20  # weight decay shrinks the weights
    True
    >>> overfit.history.test_loss[-1] > 100 * decayed.history.test_loss[-1]
    True
    """
    s = check_settings(problem, num_epochs=num_epochs, lr=lr, batch_size=batch_size,
                       eval_every=eval_every, seed=seed, penalty=penalty, l1_update=l1_update,
                       initial=initial, record_grad_norm=record_grad_norm,
                       max_grad_norm=max_grad_norm, on_divergence=on_divergence)  # fmt: skip
    lambd = check_nonnegative("lambd", lambd)
    penalty_fn, l1_share = proximal_split(s.penalty) if s.proximal else (s.penalty, 0.0)
    init_gen, batch_gen = training_generators(s.seed)
    if s.initial is None:
        w, b = init_params(problem.num_inputs, generator=init_gen, dtype=problem.dtype)
    else:
        w, b = (p.clone().requires_grad_(True) for p in s.initial)
    start = (w.detach().clone(), b.detach().clone())
    guard = DivergenceGuard(w, b, lr=s.lr, record_grad_norm=s.record_grad_norm,
                            hint=decay_hint(s.lr, lambd * s.l2_share), on_evaluation=callback)  # fmt: skip

    watch = s.record_grad_norm or s.max_grad_norm is not None  # an update needs its grad norm

    def net(X: torch.Tensor) -> torch.Tensor:
        return linreg(X, w, b)

    try:
        for epoch in range(1, s.num_epochs + 1):
            for X, y in minibatches(problem.X_train, problem.y_train, s.batch_size,
                                    generator=batch_gen):  # fmt: skip
                loss = squared_loss(net(X), y)  # (y_hat - y)**2 / 2, one value per example
                l = loss + lambd * penalty_fn(w)  # plus lambd * P(w): the regularized loss
                l.sum().backward()
                norm = clip_grad_norm([w, b], s.max_grad_norm, scale=1 / len(X)) if watch else None
                sgd([w, b], s.lr, len(X))
                if l1_share:  # proximal L1: soft-threshold after the gradient step
                    with torch.no_grad():
                        w.copy_(soft_threshold(w, s.lr * lambd * l1_share))
                guard.after_update(epoch, loss, norm)
            if epoch % s.eval_every == 0 or epoch == s.num_epochs:
                guard.after_evaluation(epoch, evaluate_loss(net, problem.X_train, problem.y_train),
                                       evaluate_loss(net, problem.X_test, problem.y_test))  # fmt: skip
    except DivergenceError:
        if s.on_divergence == "raise":
            raise
    config = {"trainer": "scratch", "lambd": lambd, **s.penalty_config(), **s.config(problem)}
    return _result(guard, (w, b), start, config)


def train_concise(
    problem: Problem,
    *,
    weight_decay: float = 0.0,
    num_epochs: int = 100,
    lr: float = 0.003,
    batch_size: int = 5,
    eval_every: int = 5,
    seed: int = 0,
    optimizer: OptimizerName = "sgd",
    initial: tuple[torch.Tensor, torch.Tensor] | None = None,
    record_grad_norm: bool = False,
    max_grad_norm: float | None = None,
    on_divergence: OnDivergence = "raise",
    callback: Callable[[History], None] | None = None,
) -> TrainResult:
    r"""Train ``nn.Linear`` with ``MSELoss`` and a ``torch.optim`` optimizer: the notebook's concise version.

    The optimizer gets two parameter groups: the weight with ``weight_decay``, the bias with none.

    Parameters
    ----------
    problem : Problem
        The data (see :func:`~weightdecay.data.make_problem`).
    weight_decay : float, default=0.0
        The optimizer's ``weight_decay`` for the weight (finite, >= 0).
    num_epochs : int, default=100
        Passes over the training set (>= 1).
    lr : float, default=0.003
        Learning rate (> 0).
    batch_size : int, default=5
        Minibatch size, in ``[1, n_train]``.
    eval_every : int, default=5
        Evaluate every this many epochs (>= 1), and after the last one.
    seed : int, default=0
        Seed of the training generators (>= 0); the same seed gives the same minibatches as
        :func:`train_scratch`.
    optimizer : {"sgd", "adam", "adamw"}, default="sgd"
        ``torch.optim.SGD``; ``Adam``, whose ``weight_decay`` adds :math:`\lambda w` to the gradient
        (coupled L2, then rescaled per coordinate); or ``AdamW``, which decays the weight directly
        by :math:`\eta\lambda w` (decoupled).
    initial : tuple of torch.Tensor or None, default=None
        Starting ``(w, b)`` of shapes (num_inputs, 1) and (1,); by default every parameter is
        drawn from :math:`\mathcal{N}(0, 1)`, the bias included, as the notebook's ``normal_()``.
    record_grad_norm : bool, default=False
        Record each update's gradient norm (of ``MSELoss``; the decay is applied by the
        optimizer, outside the gradient) in ``history.grad_norm``.
    max_grad_norm : float or None, default=None
        Clip that gradient to this norm before each step. The optimizer's decay is applied after
        clipping, so a step can still move the weights by more than ``lr * max_grad_norm``.
    on_divergence : {"raise", "stop"}, default="raise"
        Raise :class:`~weightdecay.results.DivergenceError`, or stop and return what was finite.
    callback : callable or None, default=None
        Called with the run's history after every evaluation, as in :func:`train_scratch`.

    Returns
    -------
    TrainResult
        Final weights (as a column), ``w_norm``, the loss history (squared error, no
        :math:`\tfrac12`) and the ``config`` that made the run.

    Raises
    ------
    ValueError
        If an argument is out of range (before any training starts).
    TypeError
        If an argument has the wrong type.
    DivergenceError
        If the run diverges and ``on_divergence="raise"``.

    Notes
    -----
    SGD with ``weight_decay`` :math:`\mathrm{wd}` on ``MSELoss`` updates

    .. math::

        w \leftarrow (1 - \eta\,\mathrm{wd})\,w - \frac{2\eta}{|B|}\sum_{i\in B}
        x_i\,(x_i^\top w + b - y_i),

    which is :func:`train_scratch` with learning rate :math:`2\eta` and
    :math:`\lambda = \mathrm{wd}/2` (L2 penalty).

    See Also
    --------
    train_scratch : the from-scratch version.

    Examples
    --------
    >>> from weightdecay import make_problem, train_concise
    >>> problem = make_problem(seed=0)
    >>> plain, decayed = train_concise(problem), train_concise(problem, weight_decay=7.0)
    >>> decayed.w_norm < plain.w_norm / 20
    True
    """
    s = check_settings(problem, num_epochs=num_epochs, lr=lr, batch_size=batch_size,
                       eval_every=eval_every, seed=seed, initial=initial,
                       record_grad_norm=record_grad_norm, max_grad_norm=max_grad_norm,
                       on_divergence=on_divergence)  # fmt: skip
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    optimizer = check_choice("optimizer", optimizer, tuple(OPTIMIZERS))
    init_gen, batch_gen = training_generators(s.seed)
    net = concise_net(problem.num_inputs, generator=init_gen, dtype=problem.dtype)
    w, b = net.parameters()  # nn.Linear's weight, shape (1, num_inputs), and bias
    if s.initial is not None:
        with torch.no_grad():
            w.copy_(s.initial[0].T)
            b.copy_(s.initial[1])
    start = (w.detach().T.clone(), b.detach().clone())
    trainer = OPTIMIZERS[optimizer](
        [{"params": [w], "weight_decay": weight_decay}, {"params": [b], "weight_decay": 0.0}],
        lr=s.lr,
    )
    loss_fn = nn.MSELoss(reduction="none")  # (y_hat - y)**2, one value per example
    hint = "" if optimizer == "adam" else decay_hint(s.lr, weight_decay, name="weight_decay")
    guard = DivergenceGuard(
        w, b, lr=s.lr, record_grad_norm=s.record_grad_norm, hint=hint, on_evaluation=callback
    )
    watch = s.record_grad_norm or s.max_grad_norm is not None  # an update needs its grad norm
    try:
        for epoch in range(1, s.num_epochs + 1):
            for X, y in minibatches(problem.X_train, problem.y_train, s.batch_size,
                                    generator=batch_gen):  # fmt: skip
                trainer.zero_grad()
                loss = loss_fn(net(X), y)
                loss.mean().backward()
                norm = clip_grad_norm([w, b], s.max_grad_norm) if watch else None
                trainer.step()
                guard.after_update(epoch, loss, norm)
            if epoch % s.eval_every == 0 or epoch == s.num_epochs:
                guard.after_evaluation(epoch, evaluate_loss(net, problem.X_train, problem.y_train, loss_fn),
                                       evaluate_loss(net, problem.X_test, problem.y_test, loss_fn))  # fmt: skip
    except DivergenceError:
        if s.on_divergence == "raise":
            raise
    config = {"trainer": "concise", "weight_decay": weight_decay, "optimizer": optimizer}
    return _result(guard, (w.T, b), start, config | s.config(problem))


def _result(
    guard: DivergenceGuard,
    params: tuple[torch.Tensor, torch.Tensor],
    start: tuple[torch.Tensor, torch.Tensor],
    config: dict[str, object],
) -> TrainResult:
    """The run's result: the last finite parameters if it diverged, else the final ones."""
    w, b = guard.last_finite if guard.divergence else (p.detach().clone() for p in params)
    return TrainResult(
        w=w.reshape(-1, 1),
        b=b.reshape(1),
        w_norm=weight_norm(w),
        history=guard.history,
        divergence=guard.divergence,
        initial=start,
        config=dict(config),
    )
