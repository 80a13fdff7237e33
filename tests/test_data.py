from __future__ import annotations

import pytest
import torch

from weightdecay.data import Problem, load_array, make_problem, minibatches, synthetic_data


def test_make_problem_shapes_and_truth() -> None:
    p = make_problem()
    assert p.X_train.shape == (20, 200)
    assert p.y_train.shape == (20, 1)
    assert p.X_test.shape == (100, 200)
    assert p.y_test.shape == (100, 1)
    torch.testing.assert_close(p.true_w, torch.full((200, 1), 0.01))
    assert p.true_b == 0.05
    assert (p.n_train, p.n_test, p.num_inputs) == (20, 100, 200)


def test_labels_follow_the_linear_model_up_to_the_noise() -> None:
    p = make_problem(n_train=2000, num_inputs=5, noise=0.01, seed=3)
    residual = p.y_train - (p.X_train @ p.true_w + p.true_b)
    assert abs(float(residual.std()) - 0.01) < 0.001
    assert abs(float(residual.mean())) < 0.001
    assert abs(float(p.X_train.std()) - 1.0) < 0.02


def test_noise_free_labels_are_exact() -> None:
    p = make_problem(noise=0.0, dtype=torch.float64)
    torch.testing.assert_close(p.y_test, p.X_test @ p.true_w + p.true_b)


def test_same_seed_same_data_different_seed_different_data() -> None:
    a, b, c = make_problem(seed=1), make_problem(seed=1), make_problem(seed=2)
    assert torch.equal(a.X_train, b.X_train)
    assert torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.X_train, c.X_train)


def test_data_ignores_the_global_rng() -> None:
    torch.manual_seed(1)
    a = make_problem(seed=4)
    torch.randn(1000)
    b = make_problem(seed=4)
    assert torch.equal(a.X_train, b.X_train)


def test_sparse_truth() -> None:
    p = make_problem(num_nonzero=10, true_w=1.0)
    assert int((p.true_w != 0).sum()) == 10
    assert set(p.true_w.flatten().tolist()) == {0.0, 1.0}
    # The data are drawn from their own stream: the sparse problem keeps the same features.
    assert torch.equal(p.X_train, make_problem().X_train)


def test_dtype() -> None:
    p = make_problem(dtype=torch.float64)
    assert p.dtype == torch.float64
    assert p.X_test.dtype == p.true_w.dtype == torch.float64


def test_synthetic_data_accepts_a_vector() -> None:
    gen = torch.Generator().manual_seed(0)
    X, y = synthetic_data(torch.ones(3), 0.5, 7, noise=0.0, generator=gen)
    torch.testing.assert_close(y, X.sum(1, keepdim=True) + 0.5)


@pytest.mark.parametrize(("n", "batch_size"), [(20, 5), (20, 3), (7, 7), (5, 1)])
def test_minibatches_cover_every_row_once(n: int, batch_size: int) -> None:
    gen = torch.Generator().manual_seed(0)
    batches = list(minibatches(n, batch_size, generator=gen))
    assert [len(b) for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
    assert sorted(torch.cat(batches).tolist()) == list(range(n))


def test_minibatches_reshuffle_every_epoch_and_can_keep_order() -> None:
    gen = torch.Generator().manual_seed(0)
    first = torch.cat(list(minibatches(20, 5, generator=gen)))
    second = torch.cat(list(minibatches(20, 5, generator=gen)))
    assert not torch.equal(first, second)
    ordered = torch.cat(list(minibatches(6, 4, generator=gen, shuffle=False)))
    assert ordered.tolist() == list(range(6))


def test_load_array_matches_d2l() -> None:
    X, y = torch.arange(12.0).reshape(6, 2), torch.arange(6.0).reshape(6, 1)
    batches = list(load_array((X, y), 4, is_train=False))
    assert [len(b[0]) for b in batches] == [4, 2]
    gen = torch.Generator().manual_seed(0)
    shuffled = torch.cat([b[1] for b in load_array((X, y), 4, generator=gen)]).flatten()
    assert sorted(shuffled.tolist()) == list(range(6))


def test_problem_rejects_mismatched_shapes() -> None:
    p = make_problem()
    with pytest.raises(ValueError, match=r"y_train must have shape \(20, 1\), got \(19, 1\)"):
        Problem(p.X_train, p.y_train[:19], p.X_test, p.y_test, p.true_w, p.true_b)
    with pytest.raises(ValueError, match=r"X_test must have shape \(\*, 200\), got \(100, 199\)"):
        Problem(p.X_train, p.y_train, p.X_test[:, :199], p.y_test, p.true_w, p.true_b)
    with pytest.raises(TypeError, match="share one dtype"):
        Problem(p.X_train.double(), p.y_train.double(), p.X_test, p.y_test, p.true_w, p.true_b)


def test_problem_rejects_nan_data() -> None:
    p = make_problem()
    X = p.X_train.clone()
    X[3, 7] = float("nan")
    with pytest.raises(ValueError, match="X_train must contain only finite values, got 1 NaN"):
        Problem(X, p.y_train, p.X_test, p.y_test, p.true_w, p.true_b)


def test_problem_is_frozen() -> None:
    p = make_problem()
    with pytest.raises(AttributeError):
        p.true_b = 1.0  # type: ignore[misc]
