r"""What a training run returns: its history, its final weights, and how it failed, if it did.

Every result type of the package (:class:`TrainResult` here, :class:`~weightdecay.path.PathResult`
and :class:`~weightdecay.selection.LambdaSelection`) follows one convention, after scikit-learn's
fitted estimators:

* ``config``: the settings that made it (problem sizes and data seed, the penalty and its
  strength, the optimizer, lr, epochs, batch size, seed and the package version), enough to
  reproduce it;
* ``to_dict()``: strict JSON (NaN and infinities become ``null``), so that
  ``json.dumps(result.to_dict(), allow_nan=False)`` always works, a diverged run included;
* a one-line ``repr`` with the key settings and final numbers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from weightdecay._json import short_float, strict_json

if TYPE_CHECKING:
    import torch

__all__ = ["Divergence", "DivergenceError", "History", "TrainResult"]


@dataclass
class History:
    r"""What a training run recorded.

    Attributes
    ----------
    epochs : list of int
        The epochs (1-based) at which the losses were evaluated: every ``eval_every`` epochs and
        after the last epoch.
    train_loss, test_loss : list of float
        Exact mean loss on the whole train and test split at those epochs (the trainer's own
        loss: :math:`\tfrac12` squared error from scratch, squared error for the concise trainer).
    num_updates : int
        Parameter updates made: one per minibatch, so ``ceil(n_train / batch_size)`` per epoch.
    step_loss : list of float
        Mean data loss (without the penalty) of each update's minibatch, before that update.
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

    def __repr__(self) -> str:
        """The evaluated epochs, the update count and the last losses, on one line.

        Examples
        --------
        >>> History([5, 10, 15, 20], [4.0, 2.0, 1.0, 0.5], [5.0, 4.0, 3.5, 3.25], 16)
        History(epochs=[5, 10, ..., 20], num_updates=16, train_loss=[..., 0.5], test_loss=[..., 3.25])
        """
        epochs = self.epochs if len(self.epochs) <= 3 else [*self.epochs[:2], ..., self.epochs[-1]]
        shown = ", ".join("..." if e is ... else str(e) for e in epochs)
        return (
            f"History(epochs=[{shown}], num_updates={self.num_updates}, "
            f"train_loss={_last(self.train_loss)}, test_loss={_last(self.test_loss)})"
        )


def _last(values: list[float]) -> str:
    """``[0.5]``, or ``[..., 0.5]`` for a longer list: its last value."""
    if not values:
        return "[]"
    return f"[{'..., ' if len(values) > 1 else ''}{short_float(values[-1])}]"


@dataclass(frozen=True)
class Divergence:
    r"""Where and how a run stopped being finite.

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
        The largest :math:`\lvert w_i\rvert` of the last finite weights.
    hint : str, default=""
        The likely cause, when the settings tell it (for example :math:`\eta\lambda \ge 2`).

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> result = train_scratch(make_problem(), lr=1.0, on_divergence="stop")
    >>> result.diverged, result.divergence.quantity
    (True, 'loss')
    """

    epoch: int
    step: int
    lr: float
    quantity: str
    value: float
    last_finite_loss: float
    max_abs_w: float
    hint: str = ""

    def message(self) -> str:
        """A one-paragraph explanation with the usual fixes.

        Returns
        -------
        str
            One line, no trailing newline.

        Examples
        --------
        >>> print(Divergence(3, 9, 0.5, "loss", float("inf"), 2.0, 40.0).message())
        ... # doctest: +NORMALIZE_WHITESPACE
        training diverged at epoch 3, update 9: the loss became inf with lr=0.5 (last finite
        loss 2, largest |w| 40). Lower the learning rate, check the scale of the initial weights
        and the data, or clip the gradient (max_grad_norm=...).
        """
        cause = f" {self.hint}" if self.hint else ""
        return (
            f"training diverged at epoch {self.epoch}, update {self.step}: the {self.quantity} "
            f"became {self.value} with lr={self.lr:g} (last finite loss {self.last_finite_loss:.4g}, "
            f"largest |w| {self.max_abs_w:.4g}).{cause} Lower the learning rate, check the scale of "
            "the initial weights and the data, or clip the gradient (max_grad_norm=...)."
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
    loss 1.0
    """

    def __init__(self, divergence: Divergence, history: History) -> None:
        super().__init__(divergence.message())
        self.divergence = divergence
        self.history = history


@dataclass(frozen=True, eq=False, repr=False)
class TrainResult:
    r"""The outcome of one training run.

    Attributes
    ----------
    w : torch.Tensor of shape (num_inputs, 1)
        Final weights (the last finite ones if the run diverged).
    b : torch.Tensor of shape (1,)
        Final bias.
    w_norm : float
        :math:`\lVert w\rVert_2` at the end.
    history : History
        The recorded losses.
    divergence : Divergence or None
        Set when the run diverged and ``on_divergence="stop"`` kept it.
    initial : tuple of torch.Tensor or None
        The starting ``(w, b)`` of the run, shapes (num_inputs, 1) and (1,): the seeded draw, or
        what was passed as ``initial=``. Handy for studying what training changed.
    config : dict
        The settings that made the run (see the module's introduction).

    Examples
    --------
    >>> from weightdecay import make_problem, train_scratch
    >>> problem = make_problem()
    >>> overfit, decayed = train_scratch(problem), train_scratch(problem, lambd=3.0)
    >>> decayed.w.shape, decayed.w_norm < overfit.w_norm / 20, decayed.diverged
    (torch.Size([200, 1]), True, False)
    >>> decayed  # doctest: +ELLIPSIS
    TrainResult(trainer='scratch', lambd=3.0, penalty='l2', epochs=100, w_norm=..., ...)
    """

    w: torch.Tensor
    b: torch.Tensor
    w_norm: float
    history: History
    divergence: Divergence | None = None
    initial: tuple[torch.Tensor, torch.Tensor] | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        """Whether the run stopped early because a value was not finite."""
        return self.divergence is not None

    def to_dict(self) -> dict[str, Any]:
        """A strict-JSON dictionary: settings, final parameters, history and divergence.

        Returns
        -------
        dict
            Keys ``config``, ``w``, ``b``, ``w_norm``, ``history`` and ``divergence``; NaN and
            infinities are ``None``, so ``json.dumps(..., allow_nan=False)`` works.

        Examples
        --------
        >>> import json
        >>> from weightdecay import make_problem, train_scratch
        >>> data = train_scratch(make_problem(), num_epochs=5).to_dict()
        >>> sorted(data), len(json.dumps(data, allow_nan=False)) > 0
        (['b', 'config', 'divergence', 'history', 'w', 'w_norm'], True)
        """
        data: dict[str, Any] = strict_json(
            {
                "config": self.config,
                "w": self.w.flatten(),
                "b": self.b.flatten(),
                "w_norm": self.w_norm,
                "history": asdict(self.history),
                "divergence": None if self.divergence is None else asdict(self.divergence),
            }
        )
        return data

    def __repr__(self) -> str:
        """The trainer, its strength and penalty, and the final numbers, on one line.

        A diverged run says at which epoch it stopped, and at which epoch its losses were
        last evaluated.
        """
        c, h, d = self.config, self.history, self.divergence
        keys = ("trainer", "lambd", "penalty", "weight_decay", "optimizer")
        shown = [f"{k}={c[k]!r}" for k in keys if k in c]
        epochs = c.get("num_epochs", "?")
        shown.append(f"epochs={epochs}" if d is None else f"epochs={d.epoch} of {epochs}")
        shown.append(f"w_norm={short_float(self.w_norm)}")
        losses = "no evaluation"
        if h.epochs:
            losses = f"train_loss={short_float(h.train_loss[-1])}, test_loss={short_float(h.test_loss[-1])}"
            losses += f" at epoch {h.epochs[-1]}" if d is not None else ""
        shown.append(losses)
        shown.append(f"diverged={self.diverged}")
        return f"TrainResult({', '.join(shown)})"
