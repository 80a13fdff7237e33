from __future__ import annotations

from datetime import timedelta

import hypothesis.strategies as st
import pytest
import torch
from hypothesis import given, settings
from hypothesis.extra.numpy import arrays

from weightdecay.penalty import (
    ElasticNet,
    Penalty,
    get_penalty,
    l1_penalty,
    l2_penalty,
    penalty_name,
    penalty_parts,
    proximal_split,
    soft_threshold,
)

# Magnitudes below 1e-100 would underflow to 0 when squared: "zero only at w = 0" is about reals.
magnitudes = st.floats(1e-100, 1e3)
finite = st.one_of(st.just(0.0), magnitudes, magnitudes.map(lambda v: -v))
weights = arrays("float64", st.integers(1, 50), elements=finite).map(torch.from_numpy)
PENALTIES: list[Penalty] = [l1_penalty, l2_penalty, ElasticNet(0.3)]
# An example takes well under 1 ms; the deadline catches a 1000-fold slowdown, not a busy machine.
property_test = settings(deadline=timedelta(seconds=1))


def test_values() -> None:
    w = torch.tensor([3.0, -4.0])
    assert float(l2_penalty(w)) == 12.5
    assert float(l1_penalty(w)) == 7.0
    assert float(ElasticNet(0.5)(w)) == 0.5 * 7.0 + 0.5 * 12.5


@pytest.mark.parametrize("penalty", PENALTIES, ids=penalty_name)
@property_test
@given(w=weights)
def test_nonnegative_and_zero_only_at_zero(penalty: Penalty, w: torch.Tensor) -> None:
    value = float(penalty(w))
    assert value >= 0
    assert (value == 0) == bool((w == 0).all())


@property_test
@given(w=weights)
def test_gradients_are_w_and_sign_w(w: torch.Tensor) -> None:
    w = w.clone().requires_grad_(True)
    (g2,) = torch.autograd.grad(l2_penalty(w), w)
    (g1,) = torch.autograd.grad(l1_penalty(w), w)
    torch.testing.assert_close(g2, w.detach())
    torch.testing.assert_close(g1, torch.sign(w.detach()))


@property_test
@given(w=weights)
def test_elastic_net_ends_are_l1_and_l2(w: torch.Tensor) -> None:
    torch.testing.assert_close(ElasticNet(1.0)(w), l1_penalty(w))
    torch.testing.assert_close(ElasticNet(0.0)(w), l2_penalty(w))


@property_test
@given(w=weights, t=st.floats(0, 100))
def test_soft_threshold_is_the_prox_of_l1(w: torch.Tensor, t: float) -> None:
    out = soft_threshold(w, t)
    expected = torch.tensor(
        [0.0 if abs(v) <= t else v - t * (1 if v > 0 else -1) for v in w.tolist()]
    )
    torch.testing.assert_close(out, expected.double())


def test_lookup_by_name_and_callable() -> None:
    assert get_penalty("l1") is l1_penalty
    assert get_penalty("l2") is l2_penalty
    assert isinstance(get_penalty("elasticnet"), ElasticNet)
    custom = lambda w: w.pow(4).sum()
    assert get_penalty(custom) is custom
    assert penalty_parts(custom) is None
    assert penalty_parts(l1_penalty) == (1.0, 0.0)


def test_elastic_net_stores_its_ratio_as_a_float() -> None:
    assert type(ElasticNet(1).l1_ratio) is float  # an int is checked and converted
    assert ElasticNet(1).l1_ratio == 1.0


def test_proximal_split_needs_a_builtin_penalty() -> None:
    smooth, share = proximal_split(ElasticNet(0.25))
    assert share == 0.25
    assert float(smooth(torch.tensor([2.0]))) == 0.75 * 2.0**2 / 2
    message = r"^l1_update='proximal' needs a built-in penalty \('l1', 'l2', 'elasticnet'\), got a callable\.$"
    with pytest.raises(ValueError, match=message):
        proximal_split(lambda w: w.sum())


class Quartic:
    """A penalty written as a callable object: it has no ``__name__``."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return (w**4).sum()


def test_penalty_names() -> None:
    def cubic(w: torch.Tensor) -> torch.Tensor:
        return w.abs().pow(3).sum()

    assert [penalty_name(p) for p in PENALTIES] == ["l1", "l2", "elasticnet(l1_ratio=0.3)"]
    assert penalty_name(cubic) == "cubic"  # a function: its name
    assert penalty_name(Quartic()) == "Quartic"  # an object: its class's name


def test_bad_penalties() -> None:
    with pytest.raises(
        ValueError, match="penalty must be one of 'l1', 'l2', 'elasticnet', got 'l3'"
    ):
        get_penalty("l3")
    with pytest.raises(
        TypeError, match=r"^penalty must be one of 'l1', 'l2', 'elasticnet' or a callable, got 3\.$"
    ):
        get_penalty(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"l1_ratio must be a number in \[0, 1\], got 1.5"):
        ElasticNet(1.5)
