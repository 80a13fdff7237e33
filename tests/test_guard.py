"""The divergence guard, on hand-made parameters whose failures are placed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from weightdecay.guard import DivergenceGuard, clip_grad_norm, decay_hint
from weightdecay.results import DivergenceError


def _params() -> tuple[torch.Tensor, torch.Tensor]:
    return torch.tensor([[1.0], [-2.0]]), torch.tensor([0.5])


def _update(w: torch.Tensor, b: torch.Tensor, step: int) -> None:
    """A fake update: every parameter moves to a value that names the step."""
    w.fill_(float(step))
    b.fill_(-float(step))


def test_finite_updates_are_recorded_in_order() -> None:
    w, b = _params()
    guard = DivergenceGuard(w, b, lr=0.1, record_grad_norm=True)
    for step in (1, 2, 3):
        _update(w, b, step)
        guard.after_update(epoch=1, loss=torch.tensor([step, 3.0 * step]), grad_norm=10.0 * step)
    guard.after_evaluation(1, 0.25, 0.5)
    h = guard.history
    assert (h.num_updates, h.step_loss, h.grad_norm) == (3, [2.0, 4.0, 6.0], [10.0, 20.0, 30.0])
    assert (h.epochs, h.train_loss, h.test_loss) == ([1], [0.25], [0.5])
    assert guard.divergence is None
    assert torch.equal(guard.last_finite[0], torch.full((2, 1), 3.0))


@pytest.mark.parametrize(
    ("bad", "quantity"),
    [("loss", "loss"), ("grad", "gradient"), ("w", "parameters"), ("b", "parameters")],
)
def test_the_first_non_finite_value_is_named_with_its_update(bad: str, quantity: str) -> None:
    w, b = _params()
    guard = DivergenceGuard(w, b, lr=0.1, hint="a hint.")
    for step in (1, 2):
        _update(w, b, step)
        guard.after_update(epoch=1, loss=torch.tensor([float(step)]), grad_norm=1.0)
    _update(w, b, 3)
    loss, grad = torch.tensor([3.0]), 1.0
    if bad == "loss":
        loss = torch.tensor([1.0, math.inf])
    elif bad == "grad":
        grad = math.nan
    else:
        (w if bad == "w" else b).view(-1)[0] = -math.inf
    with pytest.raises(DivergenceError) as info:
        guard.after_update(epoch=2, loss=loss, grad_norm=grad)
    d = info.value.divergence
    assert (d.epoch, d.step, d.quantity, d.lr) == (2, 3, quantity, 0.1)
    assert not math.isfinite(d.value)
    assert d.last_finite_loss == 2.0  # the loss of update 2
    assert d.max_abs_w == 2.0  # the weights after update 2
    assert "a hint." in str(info.value)
    assert guard.divergence == d
    assert info.value.history.num_updates == 2
    assert torch.equal(guard.last_finite[0], torch.full((2, 1), 2.0))
    assert torch.equal(guard.last_finite[1], torch.tensor([-2.0]))


def test_an_evaluation_that_overflows_names_the_last_update_and_keeps_its_weights() -> None:
    # The parameters after update 3 are finite, but their loss on a whole split overflows: the
    # report names update 3, and the kept (last finite) parameters are those after it.
    w, b = _params()
    guard = DivergenceGuard(w, b, lr=0.1, record_grad_norm=True)
    for step in (1, 2, 3):
        _update(w, b, step)
        guard.after_update(epoch=1, loss=torch.tensor([float(step)]), grad_norm=float(step))
    with pytest.raises(DivergenceError) as info:
        guard.after_evaluation(1, math.inf, 1.0)
    d = info.value.divergence
    assert (d.step, d.quantity, d.last_finite_loss, d.max_abs_w) == (3, "evaluation loss", 3.0, 3.0)
    h = guard.history
    assert (h.num_updates, h.step_loss, h.grad_norm, h.epochs) == (
        3,
        [1.0, 2.0, 3.0],
        [1.0, 2.0, 3.0],
        [],
    )
    assert torch.equal(guard.last_finite[0], torch.full((2, 1), 3.0))


def test_the_one_sum_test_never_hides_a_failure_and_never_invents_one() -> None:
    # +inf in the loss and -inf in a weight sum to NaN; huge finite values do not overflow.
    w, b = _params()
    guard = DivergenceGuard(w, b, lr=0.1)
    w.fill_(-math.inf)
    with pytest.raises(DivergenceError) as info:
        guard.after_update(epoch=1, loss=torch.tensor([math.inf]))
    assert info.value.divergence.quantity == "loss"  # the loss is checked first
    w64, b64 = torch.full((3, 1), 1e300, dtype=torch.float64), torch.ones(1, dtype=torch.float64)
    guard64 = DivergenceGuard(w64, b64, lr=0.1)
    guard64.after_update(epoch=1, loss=torch.tensor([1e300], dtype=torch.float64))  # sum overflows
    assert guard64.history.num_updates == 1


def test_huge_but_finite_float32_weights_are_not_a_false_alarm() -> None:
    # Their float32 sum would overflow to inf; the guard sums in float64.
    w, b = torch.full((200, 1), 3e38), torch.zeros(1)
    guard = DivergenceGuard(w, b, lr=0.1)
    guard.after_update(epoch=1, loss=torch.tensor([1.0]))
    assert guard.history.num_updates == 1


def test_clip_grad_norm_of_huge_float32_gradients_stays_finite() -> None:
    # In float32, ||g|| of 200 entries of 1e37 is inf, and g * C / inf would zero the update.
    w = torch.zeros(200, requires_grad=True)
    w.grad = torch.full((200,), 1e37)
    norm = clip_grad_norm([w], 1.0)
    assert norm == pytest.approx(1e37 * math.sqrt(200), rel=1e-6)
    assert w.grad is not None
    assert float(w.grad.norm()) == pytest.approx(1.0, rel=1e-5)


def test_clip_grad_norm_scale_and_torchs_rule() -> None:
    w = torch.tensor([6.0, 8.0], requires_grad=True)
    w.grad = torch.tensor([6.0, 8.0])
    assert clip_grad_norm([w], None, scale=0.5) == 5.0  # measures only
    assert torch.equal(w.grad, torch.tensor([6.0, 8.0]))
    reference = w.grad.clone().requires_grad_(False)
    ref_param = torch.zeros(2, requires_grad=True)
    ref_param.grad = reference
    torch.nn.utils.clip_grad_norm_([ref_param], 2.0)
    clip_grad_norm([w], 2.0)
    torch.testing.assert_close(w.grad, ref_param.grad)


@pytest.mark.parametrize(
    ("lr", "decay", "fires"),
    [(0.005, 1e3, True), (0.1, 20.0, True), (0.003, 3.0, False), (0.01, 199.0, False)],
)
def test_decay_hint_fires_exactly_when_lr_times_decay_reaches_two(
    lr: float, decay: float, fires: bool
) -> None:
    hint = decay_hint(lr, decay)
    assert bool(hint) == fires
    if fires:
        assert f"lr * lambd = {lr * decay:g} >= 2" in hint
