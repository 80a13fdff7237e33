from __future__ import annotations

import pytest
import torch

from weightdecay.data import batch_indices, make_problem, minibatches, synthetic_data
from weightdecay.problem import Problem


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
    assert p.true_w is not None
    assert p.true_b is not None
    residual = p.y_train - (p.X_train @ p.true_w + p.true_b)
    assert abs(float(residual.std()) - 0.01) < 0.001
    assert abs(float(residual.mean())) < 0.001
    assert abs(float(p.X_train.std()) - 1.0) < 0.02


def test_noise_free_labels_are_exact() -> None:
    p = make_problem(noise=0.0, dtype=torch.float64)
    assert p.true_w is not None
    assert p.true_b is not None
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
    assert p.true_w is not None
    assert int((p.true_w != 0).sum()) == 10
    assert set(p.true_w.flatten().tolist()) == {0.0, 1.0}
    # The data are drawn from their own stream: the sparse problem keeps the same features.
    assert torch.equal(p.X_train, make_problem().X_train)


def test_dtype() -> None:
    p = make_problem(dtype=torch.float64)
    assert p.dtype == torch.float64
    assert p.true_w is not None
    assert p.X_test.dtype == p.true_w.dtype == torch.float64


def test_synthetic_data_accepts_a_vector() -> None:
    gen = torch.Generator().manual_seed(0)
    X, y = synthetic_data(torch.ones(3), 0.5, 7, noise=0.0, generator=gen)
    torch.testing.assert_close(y, X.sum(1, keepdim=True) + 0.5)


@pytest.mark.parametrize(("n", "batch_size"), [(20, 5), (20, 3), (7, 7), (5, 1)])
def test_batch_indices_cover_every_row_once(n: int, batch_size: int) -> None:
    gen = torch.Generator().manual_seed(0)
    batches = list(batch_indices(n, batch_size, generator=gen))
    assert [len(b) for b in batches[:-1]] == [batch_size] * (len(batches) - 1)
    assert sorted(torch.cat(batches).tolist()) == list(range(n))


def test_batch_indices_reshuffle_every_epoch_and_can_keep_order() -> None:
    gen = torch.Generator().manual_seed(0)
    first = torch.cat(list(batch_indices(20, 5, generator=gen)))
    second = torch.cat(list(batch_indices(20, 5, generator=gen)))
    assert not torch.equal(first, second)
    ordered = torch.cat(list(batch_indices(6, 4, generator=gen, shuffle=False)))
    assert ordered.tolist() == list(range(6))


def test_minibatches_are_the_rows_of_batch_indices_in_the_same_order() -> None:
    # One randperm per epoch, exactly as d2l's data_iter; the rows follow the indices.
    X, y = torch.arange(14.0).reshape(7, 2), torch.arange(7.0).reshape(7, 1)
    expected = torch.randperm(7, generator=torch.Generator().manual_seed(3)).split(3)
    got = list(minibatches(X, y, 3, generator=torch.Generator().manual_seed(3)))
    assert len(got) == len(expected) == 3
    for (Xb, yb), rows in zip(got, expected, strict=True):
        assert torch.equal(Xb, X[rows])
        assert torch.equal(yb, y[rows])


def test_synthetic_data_is_d2ls_draw_written_by_hand() -> None:
    # X ~ N(0, 1), then y = Xw + b + noise * N(0, 1), from one generator; noise=0.01 by default.
    w = torch.tensor([[2.0], [-3.4]], dtype=torch.float64)
    X, y = synthetic_data(w, 4.2, 50, generator=torch.Generator().manual_seed(1))
    gen = torch.Generator().manual_seed(1)
    X_hand = torch.randn(50, 2, generator=gen, dtype=torch.float64)
    y_hand = X_hand @ w + 4.2 + 0.01 * torch.randn(50, 1, generator=gen, dtype=torch.float64)
    assert torch.equal(X, X_hand)
    assert torch.equal(y, y_hand)


def test_make_problem_defaults_are_d2ls() -> None:
    assert make_problem().config == {
        "n_train": 20,
        "n_test": 100,
        "num_inputs": 200,
        "dtype": "float32",
        "problem": "make_problem",
        "true_w": 0.01,
        "true_b": 0.05,
        "noise": 0.01,
        "data_seed": 0,
        "num_nonzero": None,
    }


def test_make_problem_without_noise_is_exactly_linear() -> None:
    p = make_problem(noise=0.0, num_nonzero=7, true_b=0.5, dtype=torch.float64)
    assert p.true_w is not None
    assert torch.equal(p.y_train, p.X_train @ p.true_w + 0.5)
    assert torch.equal(p.y_test, p.X_test @ p.true_w + 0.5)
    tiny = make_problem(n_train=1, n_test=1, num_inputs=1)  # the smallest problem there is
    assert tiny.X_train.shape == tiny.X_test.shape == (1, 1)


def test_minibatches_take_vectors_and_can_keep_the_row_order() -> None:
    X, y = torch.arange(5.0), torch.arange(5.0) * 10  # one feature, as plain vectors
    batches = list(minibatches(X, y, 2, generator=torch.Generator(), shuffle=False))
    assert [Xb.tolist() for Xb, _ in batches] == [[0.0, 1.0], [2.0, 3.0], [4.0]]
    assert [yb.tolist() for _, yb in batches] == [[0.0, 10.0], [20.0, 30.0], [40.0]]


def test_minibatches_reject_mismatched_rows() -> None:
    with pytest.raises(
        ValueError,
        match=r"X and y must have the same number of rows, got shapes \(4, 2\) and \(3, 1\)",
    ):
        next(minibatches(torch.zeros(4, 2), torch.zeros(3, 1), 2, generator=torch.Generator()))
    with pytest.raises(ValueError, match=r"X and y must have the same number of rows"):
        next(minibatches(torch.tensor(1.0), torch.zeros(1), 1, generator=torch.Generator()))


def test_from_arrays_accepts_numpy_lists_and_1d_targets() -> None:
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=12)
    problem = Problem.from_arrays(X[:8], y[:8], X[8:], y[8:].reshape(-1, 1))
    assert problem.dtype == torch.float64
    assert problem.y_train.shape == (8, 1)
    assert problem.true_w is None
    torch.testing.assert_close(problem.X_train, torch.from_numpy(X[:8]))
    torch.testing.assert_close(problem.y_test.flatten(), torch.from_numpy(y[8:]))
    ints = Problem.from_arrays([[1, 2], [3, 4]], [1, 2], [[5, 6]], [3], true_w=[1, 0])
    assert ints.dtype == torch.float32
    assert ints.true_w is not None
    assert ints.true_w.shape == (2, 1)
    assert ints.config == {
        "n_train": 2,
        "n_test": 1,
        "num_inputs": 2,
        "dtype": "float32",
        "problem": "from_arrays",
    }


def test_from_arrays_problem_trains_like_the_same_tensors() -> None:
    from weightdecay import train_scratch  # noqa: PLC0415

    made = make_problem(seed=1)
    wrapped = Problem.from_arrays(
        made.X_train.numpy(),
        made.y_train.flatten().numpy(),
        made.X_test.numpy(),
        made.y_test.numpy(),
    )
    a, b = (
        train_scratch(made, lambd=1.0, num_epochs=3),
        train_scratch(wrapped, lambd=1.0, num_epochs=3),
    )
    assert torch.equal(a.w, b.w)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (
            ("abc", [1.0], [[1.0]], [1.0]),
            TypeError,
            "X_train must be a NumPy array, a tensor or a nested list",
        ),
        (
            ([[1.0]], [1.0, 2.0], [[1.0]], [1.0]),
            ValueError,
            r"y_train must have shape \(1, 1\), got \(2, 1\)",
        ),
        (([[1.0]], [1.0], [[1.0, 2.0]], [1.0]), ValueError, r"X_test must have shape \(\*, 1\)"),
        (
            ([[True]], [1.0], [[1.0]], [1.0]),
            TypeError,
            "X_train must hold real numbers, got dtype torch.bool",
        ),
        (
            ([[float("nan")]], [1.0], [[1.0]], [1.0]),
            ValueError,
            "X_train must contain only finite values",
        ),
    ],
)
def test_from_arrays_rejects_bad_input(
    args: tuple[object, ...], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        Problem.from_arrays(*args)  # type: ignore[arg-type]


def test_problem_repr_is_short_and_config_has_the_data_seed() -> None:
    problem = make_problem(seed=7, n_train=30)
    assert len(repr(problem)) < 300
    assert "n_train=30" in repr(problem)
    assert problem.config["data_seed"] == 7
    assert problem.config["n_train"] == 30


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
