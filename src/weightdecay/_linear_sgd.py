r"""Minibatch SGD for many penalized linear regressions at once, with the gradient in closed form.

For the loss :math:`\sum_{i\in B}\big[\tfrac12(x_i^\top w + b - y_i)^2 + \lambda P(w)\big]` that
the notebook hands to autograd, the gradient divided by :math:`|B|` (what d2l's ``sgd`` does) is

.. math::

    g_w = \frac{1}{|B|} X_B^\top r + \lambda\nabla P(w), \qquad
    g_b = \frac{1}{|B|}\mathbf 1^\top r, \qquad r = X_B w + b - y_B .

Writing it out skips autograd's bookkeeping, which costs several times more than this arithmetic
for a 200-weight model, and lets ``W`` be a matrix: column ``k`` is an independent model with its own
:math:`\lambda_k`, and all columns see the same minibatches. Leading batch dimensions on ``X``,
``y``, ``W`` and ``b`` (for example one per cross-validation fold) broadcast as in
:func:`torch.matmul`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import torch

from weightdecay._loop import StepOut
from weightdecay.penalty import penalty_parts, soft_threshold

__all__ = ["LinearSGD", "LinearSpec"]

Penalty = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class LinearSpec:
    """How the columns are trained; ``lambd`` is a float or broadcasts against (..., 1, K)."""

    penalty: Penalty
    lambd: float | torch.Tensor
    lr: float
    proximal: bool = False
    max_grad_norm: float | None = None
    record_grad_norm: bool = False
    step_loss: bool = True  # report each update's minibatch loss (the replay always does)


class LinearSGD:
    r"""``K`` linear models trained by SGD on shared minibatches (a :class:`~weightdecay._loop.Trainable`).

    Shapes: ``X_train`` (..., n, d), ``y_train`` (..., n, 1), ``X_test`` (..., m, d),
    ``y_test`` (..., m, 1), ``W`` (..., d, K), ``b`` (..., 1, K). ``W`` and ``b`` are updated in place.
    """

    def __init__(
        self,
        train: tuple[torch.Tensor, torch.Tensor],
        test: tuple[torch.Tensor, torch.Tensor],
        W: torch.Tensor,
        b: torch.Tensor,
        spec: LinearSpec,
    ) -> None:
        self.X, self.y = train
        self.X_test, self.y_test = test
        self.W, self.b = W, b
        self.spec = spec
        self._alive: torch.Tensor | None = None  # None while every column is alive (fast path)
        parts = penalty_parts(spec.penalty)
        l1, l2 = parts if parts is not None else (0.0, 0.0)
        self._l1 = l1  # coefficient of sign(W) in grad P
        self._l2 = l2  # coefficient of W in grad P
        self._threshold: float | torch.Tensor = 0.0
        if spec.proximal and l1 > 0:
            self._l1 = 0.0
            self._threshold = spec.lr * spec.lambd * l1
        self._custom = parts is None
        off = _is_zero(spec.lambd)
        # lambd times each part's coefficient, computed once (floats or (..., 1, K) tensors).
        self._lam_l2: float | torch.Tensor = (
            0.0 if off or self._l2 == 0.0 else spec.lambd * self._l2
        )
        self._lam_l1: float | torch.Tensor = (
            0.0 if off or self._l1 == 0.0 else spec.lambd * self._l1
        )
        self._custom_on = self._custom and not off

    # -- Trainable -----------------------------------------------------------------------------
    def step(self, idx: torch.Tensor, *, inspect: bool) -> StepOut:
        """One SGD update of every live column on the rows ``idx``."""
        W, b, spec = self.W, self.b, self.spec
        Xb, yb = self.X.index_select(-2, idx), self.y.index_select(-2, idx)
        r = torch.matmul(Xb, W) + b - yb
        size = r.shape[-2]
        loss = None
        if spec.step_loss or inspect:
            loss = _row_average(r * r, 0.5 / size)
        gW = self._gradient(Xb, r)
        gb = _row_average(r, 1.0 / size).unsqueeze(-2)
        norm = None
        if spec.record_grad_norm or spec.max_grad_norm is not None or inspect:
            # In float64: a float32 gradient's norm overflows long before its entries do.
            g64, gb64 = gW.double(), gb.double()
            norm = (g64.pow(2).sum(-2) + gb64.pow(2).sum(-2)).sqrt()
        grad_finite = None
        if inspect:
            grad_finite = torch.isfinite(gW).all(-2) & torch.isfinite(gb).all(-2)
        if spec.max_grad_norm is not None and norm is not None:
            # torch.nn.utils.clip_grad_norm_'s rule, column by column.
            scale = (spec.max_grad_norm / (norm + 1e-6)).clamp(max=1.0).unsqueeze(-2)
            gW, gb = gW * scale.to(gW.dtype), gb * scale.to(gb.dtype)
        self._update(gW, gb)
        return StepOut(loss=loss, grad_norm=norm, grad_finite=grad_finite)

    def evaluate(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Exact mean half squared error on the train and test sets, per column."""
        with torch.no_grad():
            return self._mean_loss(self.X, self.y), self._mean_loss(self.X_test, self.y_test)

    def param_sums(self) -> torch.Tensor:
        """Per column: sum of weights and bias (finite exactly when all of them are, barring overflow)."""
        return self.W.sum(-2) + self.b.squeeze(-2)

    def max_abs_w(self) -> torch.Tensor:
        """Per column: the largest absolute weight."""
        return self.W.abs().amax(-2)

    def save(self) -> _State:
        """Copies of ``W``, ``b`` and of which columns are still trained."""
        alive = None if self._alive is None else self._alive.clone()
        return _State(self.W.clone(), self.b.clone(), alive)

    def restore(self, state: object) -> None:
        """Go back to a checkpoint of :meth:`save`."""
        assert isinstance(state, _State)
        self.W.copy_(state.W)
        self.b.copy_(state.b)
        self._alive = state.alive

    def freeze(self, dead: torch.Tensor, state: object) -> None:
        """Put the ``dead`` columns back to ``state`` and exclude them from further updates."""
        assert isinstance(state, _State)
        keep = dead.unsqueeze(-2)
        self.W.copy_(torch.where(keep, state.W, self.W))
        self.b.copy_(torch.where(keep, state.b, self.b))
        self._alive = ~keep if self._alive is None else self._alive & ~keep

    # -- internals ------------------------------------------------------------------------------
    def _gradient(self, Xb: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
        """``X_B^T r / |B| + lambd * grad P(W)``, in as few passes over ``W`` as possible.

        ``W`` is the large operand (d x K); the products with the batch are small. ``addmm``
        adds the scaled product to the L2 term in one pass, which is what keeps a 64-column
        path close to the cost of a single run.
        """
        W = self.W
        scale = 1.0 / r.shape[-2]
        if isinstance(self._lam_l2, float) and W.ndim == 2:  # one lambda, no batch dimensions
            grad = torch.addmm(W, Xb.mT, r, beta=self._lam_l2, alpha=scale)
        elif W.ndim in (2, 3):
            grad = W * self._lam_l2
            (grad.addmm_ if W.ndim == 2 else grad.baddbmm_)(Xb.mT, r, alpha=scale)
        else:
            grad = torch.matmul(Xb.mT, r).mul_(scale).add_(W * self._lam_l2)
        if not _is_zero(self._lam_l1):
            grad.addcmul_(torch.sign(W), _as_tensor(self._lam_l1, W))
        if self._custom_on:
            grad += self.spec.lambd * _columnwise_grad(self.spec.penalty, W)
        return grad

    def _update(self, gW: torch.Tensor, gb: torch.Tensor) -> None:
        lr = self.spec.lr
        if self._alive is None:
            self.W.sub_(gW, alpha=lr)
            self.b.sub_(gb, alpha=lr)
            if not _is_zero(self._threshold):
                self.W.copy_(soft_threshold(self.W, self._threshold))
            return
        new_W = self.W - lr * gW
        if not _is_zero(self._threshold):
            new_W = soft_threshold(new_W, self._threshold)
        self.W.copy_(torch.where(self._alive, new_W, self.W))
        self.b.copy_(torch.where(self._alive, self.b - lr * gb, self.b))

    def _mean_loss(self, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        r = torch.matmul(X, self.W) + self.b - y
        return _row_average(r * r, 0.5 / r.shape[-2])


def _row_average(values: torch.Tensor, weight: float) -> torch.Tensor:
    """``weight`` times the sum over rows (dim -2), which drops: (..., n, K) -> (..., K).

    Written as a product with a row of weights: for these small matrices one GEMM call costs a
    fraction of a reduction over the non-contiguous row dimension (``mean(-2)``).
    """
    return torch.matmul(_weights(values.shape[-2], weight, values.dtype), values).squeeze(-2)


@functools.lru_cache(maxsize=64)
def _weights(size: int, weight: float, dtype: torch.dtype) -> torch.Tensor:
    """A (1, size) row of ``weight``: made once per batch size, not once per step."""
    return torch.full((1, size), weight, dtype=dtype)


def _as_tensor(value: float | torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return value if isinstance(value, torch.Tensor) else torch.tensor(value, dtype=like.dtype)


def _is_zero(value: float | torch.Tensor) -> bool:
    return isinstance(value, float) and value == 0.0


@dataclass(frozen=True)
class _State:
    """A checkpoint: the parameters and the mask of live columns (None: all alive)."""

    W: torch.Tensor
    b: torch.Tensor
    alive: torch.Tensor | None


def _columnwise_grad(penalty: Penalty, W: torch.Tensor) -> torch.Tensor:
    """Gradient of a user penalty, applied to each column of W as a (d, 1) tensor."""
    d = W.shape[-2]
    columns = W.detach().movedim(-1, 0).reshape(-1, d, 1)
    grads: torch.Tensor = torch.func.vmap(torch.func.grad(penalty))(columns)
    return grads.reshape(W.shape[-1], *W.shape[:-2], d).movedim(0, -1)
