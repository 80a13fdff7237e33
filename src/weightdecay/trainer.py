r"""Training loops: d2l's from-scratch weight decay and its ``torch.optim`` twin.

Both trainers draw minibatches from the same seeded generator, evaluate exactly every
``eval_every`` epochs, and stop a diverging run with :class:`DivergenceError` (or keep what was
finite, with ``on_divergence="stop"``).

Scaling conventions (they decide every factor of 2 on this site):

* :func:`train_scratch` minimizes :math:`\sum_{i\in B}\big[\tfrac12(\hat y_i - y_i)^2 + \lambda P(w)\big]`
  and :func:`sgd` divides the gradient by :math:`|B|`, so the penalty contributes exactly
  :math:`\lambda\nabla P(w)` to the update.
* :func:`train_concise` minimizes ``MSELoss`` (no :math:`\tfrac12`) and passes ``weight_decay`` to
  the optimizer for the weight only. Concise ``(lr, wd)`` therefore follows the same trajectory as
  scratch ``(2 lr, lambd = wd / 2, penalty="l2")``, and its losses are twice the scratch losses.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import torch
from torch import nn

from weightdecay._linear_sgd import LinearSGD, LinearSpec
from weightdecay._loop import LoopSettings, StepOut, Trace, run
from weightdecay._seeding import spawn_generators
from weightdecay._validation import (
    check_choice,
    check_int,
    check_nonnegative,
    check_optional_positive,
    check_positive,
    check_tensor,
)
from weightdecay.data import Problem
from weightdecay.evaluate import weight_norm
from weightdecay.model import concise_net, init_params
from weightdecay.penalty import PenaltyLike, get_penalty, penalty_parts

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = [
    "Divergence",
    "DivergenceError",
    "History",
    "L1Update",
    "OnDivergence",
    "OptimizerName",
    "TrainResult",
    "sgd",
    "train_concise",
    "train_scratch",
]

OnDivergence: TypeAlias = Literal["raise", "stop"]
L1Update: TypeAlias = Literal["subgradient", "proximal"]
OptimizerName: TypeAlias = Literal["sgd", "adam", "adamw"]

_ON_DIVERGENCE: tuple[OnDivergence, ...] = ("raise", "stop")
_L1_UPDATES: tuple[L1Update, ...] = ("subgradient", "proximal")
_OPTIMIZERS: dict[OptimizerName, type[torch.optim.SGD | torch.optim.Adam | torch.optim.AdamW]] = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass
class History:
    """What a training run recorded.

    Attributes
    ----------
    epochs : list of int
        The epochs (1-based) at which the losses were evaluated: every ``eval_every`` epochs and
        after the last epoch.
    train_loss, test_loss : list of float
        Exact mean loss on the whole train and test split at those epochs (the trainer's own
        loss: :math:`\\tfrac12` squared error from scratch, squared error for the concise trainer).
    num_updates : int
        Parameter updates made: one per minibatch, so ``ceil(n_train / batch_size)`` per epoch.
    step_loss : list of float
        Mean data loss of each update's minibatch, before that update.
    grad_norm : list of float
        Norm of the gradient of each update (before clipping); empty unless
        ``record_grad_norm=True``.

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> history = train_scratch(make_problem(), num_epochs=10).history
    >>> history.epochs, history.num_updates, len(history.step_loss)
    ([5, 10], 40, 40)
    """

    epochs: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    num_updates: int = 0
    step_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Divergence:
    """Where and how a run stopped being finite.

    Attributes
    ----------
    epoch : int
        The epoch (1-based) of the failing update.
    step : int
        The update (1-based, counted over the whole run) after which a value was not finite.
    lr : float
        The learning rate.
    quantity : str
        What was found not finite first: ``"loss"``, ``"gradient"``, ``"parameters"`` or
        ``"evaluation loss"``.
    value : float
        That quantity's offending value (``inf``, ``-inf`` or ``nan``).
    last_finite_loss : float
        The last finite minibatch loss (``nan`` if none was finite).
    max_abs_w : float
        The largest :math:`\\lvert w_i\\rvert` of the last finite weights.

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> result = train_scratch(make_problem(), lr=1.0, on_divergence="stop")
    >>> result.diverged, result.divergence.epoch, result.divergence.quantity
    (True, 5, 'evaluation loss')
    """

    epoch: int
    step: int
    lr: float
    quantity: str
    value: float
    last_finite_loss: float
    max_abs_w: float

    def message(self) -> str:
        """A one-paragraph explanation with the usual fixes."""
        return (
            f"training diverged at epoch {self.epoch}, update {self.step}: the {self.quantity} "
            f"became {self.value} with lr={self.lr:g} (last finite loss {self.last_finite_loss:.4g}, "
            f"largest |w| {self.max_abs_w:.4g}). Lower the learning rate, check the scale of the "
            "initial weights and the data, or clip the gradient (max_grad_norm=...)."
        )


class DivergenceError(FloatingPointError):
    """Raised when a training run's loss, gradient or parameters stop being finite.

    Parameters
    ----------
    divergence : Divergence
        Where and how the run failed; also available as ``error.divergence``.
    history : History
        Everything recorded up to the failure.

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> try:
    ...     train_scratch(make_problem(), lr=1.0)
    ... except DivergenceError as error:
    ...     print(error.divergence.quantity, error.divergence.lr)
    evaluation loss 1.0
    """

    def __init__(self, divergence: Divergence, history: History) -> None:
        super().__init__(divergence.message())
        self.divergence = divergence
        self.history = history


@dataclass(frozen=True, eq=False)
class TrainResult:
    """The outcome of one training run.

    Attributes
    ----------
    w : torch.Tensor of shape (num_inputs, 1)
        Final weights (the last finite ones if the run diverged).
    b : torch.Tensor of shape (1,)
        Final bias.
    w_norm : float
        :math:`\\lVert w\\rVert_2` at the end.
    history : History
        The recorded losses.
    divergence : Divergence or None
        Set when the run diverged and ``on_divergence="stop"`` kept it.
    initial : tuple of torch.Tensor or None
        The starting ``(w, b)`` of the run, shapes (num_inputs, 1) and (1,): the seeded draw, or
        what was passed as ``initial=``. Handy for studying what training changed.

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> result = train_scratch(make_problem(), lambd=3.0)
    >>> result.w.shape, round(result.w_norm, 2), result.diverged
    (torch.Size([200, 1]), 0.38, False)
    """

    w: torch.Tensor
    b: torch.Tensor
    w_norm: float
    history: History
    divergence: Divergence | None = None
    initial: tuple[torch.Tensor, torch.Tensor] | None = None

    @property
    def diverged(self) -> bool:
        """Whether the run stopped early because a value was not finite."""
        return self.divergence is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: final parameters as lists, the history, the divergence.

        Returns
        -------
        dict
            Keys ``w``, ``b``, ``w_norm``, ``history`` and ``divergence``.

        Examples
        --------
        >>> from weightdecay import make_problem, train_scratch
        >>> sorted(train_scratch(make_problem(), num_epochs=5).to_dict())
        ['b', 'divergence', 'history', 'w', 'w_norm']
        """
        return {
            "w": self.w.flatten().tolist(),
            "b": self.b.flatten().tolist(),
            "w_norm": self.w_norm,
            "history": asdict(self.history),
            "divergence": None if self.divergence is None else asdict(self.divergence),
        }


# --------------------------------------------------------------------------------------------
# The from-scratch update
# --------------------------------------------------------------------------------------------
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
    params = list(params)
    if any(p.grad is None for p in params):
        msg = "sgd needs every parameter to have a gradient; call backward() first."
        raise ValueError(msg)
    _sgd_step(params, lr / batch_size)


def _sgd_step(params: list[torch.Tensor], scale: float) -> None:
    with torch.no_grad():
        for param in params:
            grad = param.grad
            assert grad is not None
            param.sub_(grad, alpha=scale)
            grad.zero_()


# --------------------------------------------------------------------------------------------
# Shared checks and results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Settings:
    num_epochs: int
    lr: float
    batch_size: int
    eval_every: int
    record_grad_norm: bool
    max_grad_norm: float | None
    on_divergence: OnDivergence

    def loop(self, num_examples: int) -> LoopSettings:
        return LoopSettings(
            num_examples=num_examples,
            num_epochs=self.num_epochs,
            batch_size=self.batch_size,
            eval_every=self.eval_every,
            stop_at_first_divergence=True,
            record_grad_norm=self.record_grad_norm,
        )


def _check_settings(
    problem: object,
    *,
    num_epochs: object,
    lr: object,
    batch_size: object,
    eval_every: object,
    seed: object,
    record_grad_norm: object,
    max_grad_norm: object,
    on_divergence: object,
) -> _Settings:
    if not isinstance(problem, Problem):
        msg = f"problem must be a weightdecay.data.Problem (see make_problem), got {type(problem).__name__}."
        raise TypeError(msg)
    check_int("seed", seed, low=0)
    if not isinstance(record_grad_norm, bool):
        msg = f"record_grad_norm must be True or False, got {record_grad_norm!r}."
        raise TypeError(msg)
    return _Settings(
        num_epochs=check_int("num_epochs", num_epochs, low=1),
        lr=check_positive("lr", lr),
        batch_size=check_int("batch_size", batch_size, low=1, high=problem.n_train),
        eval_every=check_int("eval_every", eval_every, low=1),
        record_grad_norm=record_grad_norm,
        max_grad_norm=check_optional_positive("max_grad_norm", max_grad_norm),
        on_divergence=check_choice("on_divergence", on_divergence, _ON_DIVERGENCE),
    )


def _initial(
    initial: tuple[torch.Tensor, torch.Tensor] | None, problem: Problem
) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Validate user-given starting parameters and return them as a (d, 1) column and a (1,) bias."""
    candidate: object = initial
    if candidate is None:
        return None
    if not (isinstance(candidate, tuple) and len(candidate) == 2):
        msg = f"initial must be a tuple (w, b) of tensors, got {type(candidate).__name__}."
        raise TypeError(msg)
    w = check_tensor("initial w", candidate[0], ndim=2, shape=(problem.num_inputs, 1))
    b = check_tensor("initial b", candidate[1], ndim=1, shape=(1,))
    return w.detach().to(problem.dtype), b.detach().to(problem.dtype)


def _result(
    trace: Trace,
    w: torch.Tensor,
    b: torch.Tensor,
    settings: _Settings,
    start: tuple[torch.Tensor, torch.Tensor],
) -> TrainResult:
    """Turn the loop's single-column trace into a TrainResult, or raise on divergence."""
    failure = trace.divergences.get(0)
    kept = trace.num_updates if failure is None else failure.step - 1
    history = History(
        epochs=list(trace.epochs),
        train_loss=[float(v) for v in trace.train_loss],
        test_loss=[float(v) for v in trace.test_loss],
        num_updates=kept,
        step_loss=_floats(trace.step_loss, kept, trace.step_loss_matrix),
        grad_norm=_floats(trace.grad_norm, kept),
    )
    w = w.detach().reshape(-1, 1).clone()
    b = b.detach().reshape(1).clone()
    initial = (start[0].reshape(-1, 1).clone(), start[1].reshape(1).clone())
    if failure is None:
        return TrainResult(w, b, weight_norm(w), history, initial=initial)
    divergence = Divergence(lr=settings.lr, **asdict(failure))
    if settings.on_divergence == "raise":
        raise DivergenceError(divergence, history)
    return TrainResult(w, b, weight_norm(w), history, divergence, initial)


def _floats(
    values: list[torch.Tensor], count: int, stacked: torch.Tensor | None = None
) -> list[float]:
    """The first ``count`` single-column values as floats (``stacked``: already stacked)."""
    if not values or not count:
        return []
    matrix = torch.stack(values[:count]) if stacked is None else stacked[:count]
    return matrix.flatten().tolist()


# --------------------------------------------------------------------------------------------
# From scratch
# --------------------------------------------------------------------------------------------
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
) -> TrainResult:
    r"""Train the linear model from scratch with a norm penalty, as the d2l notebook does.

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
        :class:`DivergenceError`, or stop and return what was finite, with ``result.divergence``
        set.

    Returns
    -------
    TrainResult
        Final weights, ``w_norm`` and the loss history (half squared error, d2l's scale).

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
    The step of :func:`sgd` divides the summed gradient by :math:`|B|`, so the update is

    .. math::

        w \leftarrow w - \eta\lambda\nabla P(w) - \frac{\eta}{|B|}\sum_{i\in B}
        x_i\,(x_i^\top w + b - y_i),

    which for the L2 penalty is :math:`w \leftarrow (1 - \eta\lambda)\,w - \ldots`: weight decay.
    With ``l1_update="proximal"`` the L1 part :math:`a\lVert w\rVert_1` is left out of the loss and
    applied as :math:`w \leftarrow \operatorname{sign}(w)\max(\lvert w\rvert - \eta\lambda a, 0)`.

    See Also
    --------
    train_concise : the same model with ``nn.Linear`` and ``torch.optim``.

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> problem = make_problem(seed=0)
    >>> overfit = train_scratch(problem, lambd=0.0)
    >>> decayed = train_scratch(problem, lambd=3.0)
    >>> round(overfit.w_norm, 1), round(decayed.w_norm, 2)
    (13.9, 0.38)
    >>> overfit.history.test_loss[-1] > 100 * decayed.history.test_loss[-1]
    True
    """
    settings = _check_settings(
        problem,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        record_grad_norm=record_grad_norm,
        max_grad_norm=max_grad_norm,
        on_divergence=on_divergence,
    )
    lambd = check_nonnegative("lambd", lambd)
    penalty_fn = get_penalty(penalty)
    l1_update = check_choice("l1_update", l1_update, _L1_UPDATES)
    if l1_update == "proximal" and penalty_parts(penalty_fn) is None:
        msg = "l1_update='proximal' needs a built-in penalty ('l1', 'l2', 'elasticnet'), got a callable."
        raise ValueError(msg)
    start = _initial(initial, problem)
    init_gen, batch_gen = spawn_generators(seed, 2, purpose="train")
    if start is None:
        w0, b0 = init_params(problem.num_inputs, generator=init_gen, dtype=problem.dtype)
        start = (w0.detach(), b0.detach())
    _check_penalty_value(penalty_fn, start[0])

    W = start[0].clone().reshape(-1, 1)
    b = start[1].clone().reshape(1, 1)
    spec = LinearSpec(
        penalty=penalty_fn,
        lambd=lambd,
        lr=settings.lr,
        proximal=l1_update == "proximal",
        max_grad_norm=settings.max_grad_norm,
        record_grad_norm=settings.record_grad_norm,
    )
    model = LinearSGD(
        (problem.X_train, problem.y_train), (problem.X_test, problem.y_test), W, b, spec
    )
    trace = run(model, settings.loop(problem.n_train), batch_gen)
    return _result(trace, W, b, settings, start)


def _check_penalty_value(penalty: Callable[[torch.Tensor], torch.Tensor], w: torch.Tensor) -> None:
    value: object = penalty(w.detach().clone().requires_grad_(True))
    if not isinstance(value, torch.Tensor) or value.numel() != 1 or not value.requires_grad:
        msg = (
            "penalty must map the weights to a differentiable scalar tensor, "
            f"got {type(value).__name__} {getattr(value, 'shape', '')}."
        )
        raise TypeError(msg)


# --------------------------------------------------------------------------------------------
# With torch.optim
# --------------------------------------------------------------------------------------------
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
) -> TrainResult:
    r"""Train ``nn.Linear`` with ``MSELoss`` and a ``torch.optim`` optimizer, as the notebook's concise version.

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
        Clip that gradient to this norm before each step.
    on_divergence : {"raise", "stop"}, default="raise"
        Raise :class:`DivergenceError`, or stop and return what was finite.

    Returns
    -------
    TrainResult
        Final weights (as a column), ``w_norm`` and the loss history (squared error, no
        :math:`\tfrac12`).

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
    >>> round(plain.w_norm, 1), round(decayed.w_norm, 3)
    (13.9, 0.1)
    """
    settings = _check_settings(
        problem,
        num_epochs=num_epochs,
        lr=lr,
        batch_size=batch_size,
        eval_every=eval_every,
        seed=seed,
        record_grad_norm=record_grad_norm,
        max_grad_norm=max_grad_norm,
        on_divergence=on_divergence,
    )
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    optimizer_cls = _OPTIMIZERS[check_choice("optimizer", optimizer, tuple(_OPTIMIZERS))]
    start = _initial(initial, problem)
    init_gen, batch_gen = spawn_generators(seed, 2, purpose="train")
    net = concise_net(problem.num_inputs, generator=init_gen, dtype=problem.dtype)
    layer = net[0]
    assert isinstance(layer, nn.Linear)
    if start is not None:
        with torch.no_grad():
            layer.weight.copy_(start[0].reshape(1, -1))
            layer.bias.copy_(start[1])
    groups = [
        {"params": [layer.weight], "weight_decay": weight_decay},
        {"params": [layer.bias], "weight_decay": 0.0},
    ]
    model = _ConciseModel(net, layer, optimizer_cls(groups, lr=settings.lr), problem, settings)
    begin = (layer.weight.detach().T.clone(), layer.bias.detach().clone())
    trace = run(model, settings.loop(problem.n_train), batch_gen)
    return _result(trace, layer.weight.T, layer.bias, settings, begin)


def _clip_grad_norm(params: list[torch.Tensor], max_norm: float | None) -> torch.Tensor:
    """The gradients' total norm (in float64, shape (1,)), clipping them to ``max_norm`` if given.

    ``torch.nn.utils.clip_grad_norm_``'s rule, except that the norm is accumulated in float64:
    in float32 it overflows to inf for finite gradients, and then inf / inf turns them into NaN.
    """
    grads = [p.grad for p in params if p.grad is not None]
    norms = torch.stack([torch.linalg.vector_norm(g, dtype=torch.float64) for g in grads])
    total: torch.Tensor = torch.linalg.vector_norm(norms).reshape(1)
    if max_norm is not None:
        coef = float((max_norm / (total + 1e-6)).clamp(max=1.0))
        if coef < 1.0:
            for g in grads:
                g.mul_(coef)
    return total


class _ConciseModel:
    """``nn.Linear`` + ``torch.optim`` as a (single-column) trainable of the shared loop."""

    def __init__(
        self,
        net: nn.Module,
        layer: nn.Linear,
        optimizer: torch.optim.Optimizer,
        problem: Problem,
        settings: _Settings,
    ) -> None:
        self.net, self.layer, self.optimizer = net, layer, optimizer
        self.problem, self.settings = problem, settings
        self.params = [layer.weight, layer.bias]
        self.mse = nn.MSELoss(reduction="none")

    def step(self, idx: torch.Tensor, *, inspect: bool) -> StepOut:
        self.optimizer.zero_grad()
        loss = self.mse(self.net(self.problem.X_train[idx]), self.problem.y_train[idx]).mean()
        loss.backward()
        norm = None
        settings = self.settings
        if settings.record_grad_norm or settings.max_grad_norm is not None or inspect:
            norm = _clip_grad_norm(self.params, settings.max_grad_norm)
        grad_finite = None
        if inspect:
            finite = all(
                bool(torch.isfinite(p.grad).all()) for p in self.params if p.grad is not None
            )
            grad_finite = torch.tensor([finite])
        self.optimizer.step()
        return StepOut(loss=loss.detach().reshape(1), grad_norm=norm, grad_finite=grad_finite)

    def evaluate(self) -> tuple[torch.Tensor, torch.Tensor]:
        p = self.problem
        with torch.no_grad():
            train = self.mse(self.net(p.X_train), p.y_train).mean().reshape(1)
            test = self.mse(self.net(p.X_test), p.y_test).mean().reshape(1)
        return train, test

    def param_sums(self) -> torch.Tensor:
        return (self.layer.weight.detach().sum() + self.layer.bias.detach().sum()).reshape(1)

    def max_abs_w(self) -> torch.Tensor:
        return self.layer.weight.detach().abs().max().reshape(1)

    def save(self) -> object:
        params = [p.detach().clone() for p in self.params]
        return params, copy.deepcopy(self.optimizer.state_dict())

    def restore(self, state: object) -> None:
        assert isinstance(state, tuple)
        params, optimizer_state = state
        with torch.no_grad():
            for param, saved in zip(self.params, params, strict=True):
                param.copy_(saved)
        self.optimizer.load_state_dict(copy.deepcopy(optimizer_state))

    def freeze(self, dead: torch.Tensor, state: object) -> None:
        # A single column: the loop stops once it is dead, so freezing is restoring.
        del dead
        self.restore(state)
