r"""Stop a run when it stops being finite, and say exactly where: a check after every update.

The trainers call :meth:`DivergenceGuard.after_update` once per minibatch and
:meth:`DivergenceGuard.after_evaluation` at every evaluation. Each call looks at a handful of
numbers (the minibatch loss, the gradient norm if it was computed, the parameters) and raises
:class:`~weightdecay.results.DivergenceError` at the first one that is NaN or infinite, naming the
epoch and the update. The guard keeps a copy of the last finite parameters, so that a run stopped
with ``on_divergence="stop"`` returns them. It also records the run's :class:`~weightdecay.results.History`.

:func:`clip_grad_norm` is :func:`torch.nn.utils.clip_grad_norm_`'s rule with the norm accumulated
in float64: in float32 the norm of finite gradients overflows to ``inf`` long before they do.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch

from weightdecay.results import Divergence, DivergenceError, History

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["DivergenceGuard", "clip_grad_norm", "decay_hint"]


class DivergenceGuard:
    r"""Check a training run after every update, record its history, keep its last finite state.

    Parameters
    ----------
    w, b : torch.Tensor
        The weights and the bias being trained. The guard only reads them.
    lr : float
        The learning rate, for the report.
    record_grad_norm : bool, default=False
        Record the gradient norms passed to :meth:`after_update` in ``history.grad_norm``.
    hint : str, default=""
        A likely cause to add to the report (for example "lr * lambd >= 2").
    on_evaluation : callable or None, default=None
        Called with ``history`` after each evaluation is recorded (the trainers' ``callback``).

    Attributes
    ----------
    history : History
        What the run recorded so far: only finite, checked values.
    divergence : Divergence or None
        The failure, once a check has raised.

    Examples
    --------
    >>> import torch
    >>> w, b = torch.ones(3, 1), torch.zeros(1)
    >>> guard = DivergenceGuard(w, b, lr=0.1)
    >>> guard.after_update(epoch=1, loss=torch.tensor([0.5, 1.5]))
    >>> w[0] = float("nan")  # an update that went wrong
    >>> try:
    ...     guard.after_update(epoch=1, loss=torch.tensor([2.0]))
    ... except DivergenceError as error:
    ...     print(error.divergence.step, error.divergence.quantity, guard.last_finite[0].flatten())
    2 parameters tensor([1., 1., 1.])
    """

    def __init__(
        self,
        w: torch.Tensor,
        b: torch.Tensor,
        *,
        lr: float,
        record_grad_norm: bool = False,
        hint: str = "",
        on_evaluation: Callable[[History], None] | None = None,
    ) -> None:
        self.params = (w, b)
        self.lr = lr
        self.record_grad_norm = record_grad_norm
        self.hint = hint
        self.on_evaluation = on_evaluation
        self.history = History()
        self.divergence: Divergence | None = None
        self._kept = [p.detach().clone() for p in self.params]  # after the last checked update

    @property
    def last_finite(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Copies of ``(w, b)`` after the last update that passed every check."""
        return self._kept[0], self._kept[1]

    def after_update(self, epoch: int, loss: torch.Tensor, grad_norm: float | None = None) -> None:
        """Check and record one update.

        Parameters
        ----------
        epoch : int
            The current epoch (1-based).
        loss : torch.Tensor
            The update's minibatch loss, one value per example (its mean is recorded).
        grad_norm : float or None, default=None
            The update's gradient norm, if it was computed.

        Raises
        ------
        DivergenceError
            If the loss, the gradient norm or a parameter is NaN or infinite.
        """
        history, (w, b), (kept_w, kept_b) = self.history, self.params, self._kept
        step = history.num_updates + 1
        # The cheapest reads of these tiny tensors: a sum (a mean costs twice as much), and the
        # bias's single value.
        mean_loss = float(loss.detach().sum()) / loss.numel()
        bias = b.detach().item() if b.numel() == 1 else float(b.detach().sum())
        # One test for the usual case: a sum is NaN or infinite when a term is. A float32 sum can
        # also overflow with finite terms: then the careful checks below find nothing wrong.
        if not math.isfinite(mean_loss + float(w.detach().sum()) + bias + (grad_norm or 0.0)):
            self._check(epoch, step, "loss", mean_loss)
            if grad_norm is not None:
                self._check(epoch, step, "gradient", grad_norm)
            for param in self.params:
                if not math.isfinite(_total(param)):
                    self._check(epoch, step, "parameters", _first_nonfinite(param))
        history.num_updates = step
        history.step_loss.append(mean_loss)
        if self.record_grad_norm and grad_norm is not None:
            history.grad_norm.append(grad_norm)
        kept_w.copy_(w.detach())
        if b.numel() == 1:
            kept_b.fill_(bias)
        else:
            kept_b.copy_(b.detach())

    def after_evaluation(self, epoch: int, train_loss: float, test_loss: float) -> None:
        """Check and record the exact train and test loss at the end of ``epoch``.

        Parameters
        ----------
        epoch : int
            The epoch just finished (1-based).
        train_loss, test_loss : float
            The mean loss on the whole train and test split.

        Raises
        ------
        DivergenceError
            If either is NaN or infinite: the parameters after the last update are finite, but
            their predictions overflow. The report names that update; its parameters, the last
            finite ones, are kept.
        """
        for value in (train_loss, test_loss):
            self._check(epoch, self.history.num_updates, "evaluation loss", value)
        self.history.epochs.append(epoch)
        self.history.train_loss.append(train_loss)
        self.history.test_loss.append(test_loss)
        if self.on_evaluation is not None:
            self.on_evaluation(self.history)

    def _check(self, epoch: int, step: int, quantity: str, value: float) -> None:
        if math.isfinite(value):
            return
        losses = self.history.step_loss
        divergence = Divergence(
            epoch=epoch,
            step=step,
            lr=self.lr,
            quantity=quantity,
            value=value,
            last_finite_loss=losses[-1] if losses else math.nan,
            max_abs_w=float(self._kept[0].abs().max()),
            hint=self.hint,
        )
        self.divergence = divergence
        raise DivergenceError(divergence, self.history)


def clip_grad_norm(
    params: Sequence[torch.Tensor], max_norm: float | None, *, scale: float = 1.0
) -> float:
    r"""The gradients' total norm, after clipping them to ``max_norm`` if it is given.

    Parameters
    ----------
    params : sequence of torch.Tensor
        Parameters whose ``.grad`` is set.
    max_norm : float or None
        Rescale the gradients by :math:`C / (\lVert g\rVert + 10^{-6})` when that is below 1,
        as :func:`torch.nn.utils.clip_grad_norm_` does; None only measures.
    scale : float, default=1.0
        The gradient that counts is ``scale * p.grad``: ``1 / len(batch)`` for a loss summed over
        the batch, so that the norm and the clipping apply to the gradient of the mean loss.

    Returns
    -------
    float
        The norm before clipping, accumulated in float64.

    Examples
    --------
    >>> import torch
    >>> w = torch.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w / 2).sum().backward()  # gradient (3, 4), norm 5
    >>> clip_grad_norm([w], 1.0), w.grad
    (5.0, tensor([0.6000, 0.8000]))
    """
    grads = [p.grad for p in params if p.grad is not None]
    norms = [float(torch.linalg.vector_norm(g, dtype=torch.float64)) for g in grads]
    norm = scale * math.hypot(*norms)
    if max_norm is not None:
        coef = max_norm / (norm + 1e-6)
        if coef < 1.0:
            for g in grads:
                g.mul_(coef)
    return norm


def _total(tensor: torch.Tensor) -> float:
    """The sum of the entries, in float64: finite exactly when every float32 entry is."""
    if tensor.numel() == 1:
        return float(tensor.detach())
    return float(tensor.detach().sum(dtype=torch.float64))


def _first_nonfinite(tensor: torch.Tensor) -> float:
    values = tensor.detach().flatten()
    return float(values[~torch.isfinite(values)][0])


def decay_hint(lr: float, decay: float, *, name: str = "lambd") -> str:
    r"""Say so when the decay step alone makes a run diverge: :math:`\eta\lambda \ge 2`.

    Weight decay multiplies the weights by :math:`1 - \eta\lambda` at every update. When
    :math:`\eta\lambda \ge 2` that factor is :math:`\le -1`: the weights flip sign and grow, whatever
    the data. Staying below 2 is necessary, not sufficient: the data term adds its own curvature
    :math:`L_B`, and plain SGD is stable only while :math:`\eta(L_B + \lambda) < 2`.

    Parameters
    ----------
    lr : float
        The learning rate :math:`\eta`.
    decay : float
        The decay rate :math:`\lambda` of the L2 part (``lambd`` times the penalty's L2 share, or
        the optimizer's ``weight_decay``).
    name : str, default="lambd"
        How the caller calls the decay rate, for the message.

    Returns
    -------
    str
        The explanation, or ``""`` when :math:`\eta\lambda < 2`.

    Examples
    --------
    >>> decay_hint(0.005, 1000.0)
    'lr * lambd = 5 >= 2: the decay step alone, w <- (1 - lr * lambd) * w, makes |w| grow.'
    >>> decay_hint(0.003, 3.0)
    ''
    """
    product = lr * decay
    if product < 2:
        return ""
    return f"lr * {name} = {product:g} >= 2: the decay step alone, w <- (1 - lr * {name}) * w, makes |w| grow."
