"""The shared training loop's guard, on a scripted model whose failures are placed by hand."""

from __future__ import annotations

import math

import pytest
import torch

from weightdecay._loop import LoopSettings, StepOut, run


class Scripted:
    """One 'model' whose minibatch loss is inf at chosen updates; evaluations stay finite."""

    def __init__(self, bad_steps: set[int]) -> None:
        self.t = torch.zeros(1)
        self.bad_steps = bad_steps
        self.calls = 0

    def step(self, idx: torch.Tensor, *, inspect: bool) -> StepOut:
        del idx
        self.calls += 1
        loss = math.inf if int(self.t) + 1 in self.bad_steps else 1.0 + float(self.t)
        self.t += 1
        finite = torch.tensor([True]) if inspect else None
        return StepOut(loss=torch.tensor([loss]), grad_finite=finite)

    def evaluate(self) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.ones(1), torch.ones(1)

    def param_sums(self) -> torch.Tensor:
        return self.t.clone()

    def max_abs_w(self) -> torch.Tensor:
        return self.t.clone()

    def save(self) -> object:
        return self.t.clone()

    def restore(self, state: object) -> None:
        assert isinstance(state, torch.Tensor)
        self.t = state.clone()

    def freeze(self, dead: torch.Tensor, state: object) -> None:
        del dead
        self.restore(state)


def _settings(stop: bool = True) -> LoopSettings:
    return LoopSettings(
        num_examples=20,
        num_epochs=10,
        batch_size=5,
        eval_every=5,
        stop_at_first_divergence=stop,
        record_grad_norm=False,
    )


def test_a_loss_overflow_between_evaluations_is_found_and_located() -> None:
    # Update 7 (epoch 2) has an infinite minibatch loss but the evaluations stay finite: the
    # window checks pass, the end-of-run check does not, and the careful rerun names update 7.
    model = Scripted({7})
    trace = run(model, _settings(), torch.Generator().manual_seed(0))
    failure = trace.divergences[0]
    assert (failure.epoch, failure.step, failure.quantity) == (2, 7, "loss")
    assert failure.last_finite_loss == 6.0  # the loss of update 6
    assert failure.max_abs_w == 6.0  # the state before update 7
    assert float(model.t) == 6.0  # frozen at the last good state
    assert model.calls > 40  # the whole run was done, then redone carefully


def test_a_finite_run_is_done_once() -> None:
    model = Scripted(set())
    trace = run(model, _settings(), torch.Generator().manual_seed(0))
    assert not trace.divergences
    assert model.calls == trace.num_updates == 40
    assert trace.epochs == [5, 10]


@pytest.mark.parametrize("stop", [True, False])
def test_one_column_failing_stops_the_loop_either_way(stop: bool) -> None:
    trace = run(Scripted({13}), _settings(stop), torch.Generator().manual_seed(0))
    assert trace.divergences[0].step == 13
    assert trace.epochs == []  # it failed inside the first evaluation window
