"""Beyond the book: elastic net, proximal L1, Adam versus AdamW, and the bias that is never decayed."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from weightdecay.data import make_problem
from weightdecay.penalty import (
    ElasticNet,
    get_penalty,
    l1_penalty,
    l2_penalty,
    penalty_parts,
    soft_threshold,
)
from weightdecay.problem import Problem
from weightdecay.trainer import train_concise, train_scratch

if TYPE_CHECKING:
    from weightdecay.penalty import PenaltyLike
    from weightdecay.results import TrainResult
    from weightdecay.trainer import L1Update, OptimizerName

F64 = torch.float64


def _start(num_inputs: int, *, seed: int = 0, b: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Reproducible starting parameters in float64: w ~ N(0, 1), b given."""
    w = torch.randn(num_inputs, 1, generator=torch.Generator().manual_seed(seed), dtype=F64)
    return w, torch.full((1,), b, dtype=F64)


def _assert_same_run(a: TrainResult, b: TrainResult) -> None:
    torch.testing.assert_close(a.w, b.w)
    torch.testing.assert_close(a.b, b.b)
    assert a.history.epochs == b.history.epochs
    torch.testing.assert_close(torch.tensor(a.history.test_loss), torch.tensor(b.history.test_loss))
    torch.testing.assert_close(torch.tensor(a.history.step_loss), torch.tensor(b.history.step_loss))


# --------------------------------------------------------------------------------------------
# Elastic net: its two ends are L1 and L2
# --------------------------------------------------------------------------------------------
finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


@settings(deadline=timedelta(seconds=1), max_examples=25)
@given(values=st.lists(finite, min_size=1, max_size=20), rho=st.floats(min_value=0, max_value=1))
def test_elastic_net_value_is_the_convex_mix(values: list[float], rho: float) -> None:
    w = torch.tensor(values, dtype=F64)
    torch.testing.assert_close(ElasticNet(1.0)(w), l1_penalty(w))
    torch.testing.assert_close(ElasticNet(0.0)(w), l2_penalty(w))
    torch.testing.assert_close(
        ElasticNet(rho)(w), rho * w.abs().sum() + (1 - rho) * 0.5 * w.pow(2).sum()
    )
    assert penalty_parts(ElasticNet(rho)) == (rho, 1 - rho)


@pytest.mark.parametrize("l1_update", ["subgradient", "proximal"])
@pytest.mark.parametrize(("rho", "name"), [(1.0, "l1"), (0.0, "l2")])
def test_elastic_net_trains_like_its_end(rho: float, name: str, l1_update: L1Update) -> None:
    problem = make_problem(seed=3)

    def run(penalty: PenaltyLike, lambd: float = 0.7) -> TrainResult:
        return train_scratch(
            problem, lambd=lambd, penalty=penalty, l1_update=l1_update, num_epochs=20, seed=4
        )

    mixed = run(ElasticNet(rho))
    _assert_same_run(mixed, run(name))
    # ... and the run really is penalized: without lambda it ends elsewhere.
    assert (mixed.w - run(name, lambd=0.0).w).abs().max() > 0.1


# --------------------------------------------------------------------------------------------
# The proximal step is soft-thresholding
# --------------------------------------------------------------------------------------------
def _full_batch_step(
    problem: Problem,
    start: tuple[torch.Tensor, torch.Tensor],
    *,
    penalty: PenaltyLike,
    lambd: float,
    lr: float,
    l1_update: L1Update = "subgradient",
) -> TrainResult:
    """Exactly one update: one epoch with the whole training set as the batch."""
    return train_scratch(
        problem,
        lambd=lambd,
        penalty=penalty,
        lr=lr,
        l1_update=l1_update,
        batch_size=problem.n_train,
        num_epochs=1,
        eval_every=1,
        initial=start,
    )


@pytest.mark.parametrize("rho", [1.0, 0.6])
def test_proximal_step_is_soft_thresholding(rho: float) -> None:
    problem = make_problem(seed=1, dtype=F64)
    X, y, n = problem.X_train, problem.y_train, problem.n_train
    w0, b0 = _start(problem.num_inputs, b=0.2)
    w0 = w0 * 0.01  # small weights, so that some land inside the threshold
    lr, lambd = 0.003, 2.0
    r = X @ w0 + b0 - y
    g_w, g_b = X.T @ r / n, r.mean()

    step = _full_batch_step(
        problem, (w0, b0), penalty=ElasticNet(rho), lambd=lambd, lr=lr, l1_update="proximal"
    )

    # gradient step on the smooth part (data + L2 share), then the prox of the L1 share
    smooth = w0 - lr * (g_w + lambd * (1 - rho) * w0)
    expected = soft_threshold(smooth, lr * lambd * rho)
    torch.testing.assert_close(step.w, expected)
    torch.testing.assert_close(step.b, b0 - lr * g_b)
    # soft-thresholding by hand, and its exact zeros
    by_hand = torch.sign(smooth) * torch.clamp(smooth.abs() - lr * lambd * rho, min=0)
    torch.testing.assert_close(step.w, by_hand)
    zeros = smooth.abs() <= lr * lambd * rho
    assert zeros.any()
    assert bool((step.w[zeros] == 0).all())
    # the subgradient step from the same start has no exact zeros
    sub = _full_batch_step(problem, (w0, b0), penalty=ElasticNet(rho), lambd=lambd, lr=lr)
    torch.testing.assert_close(sub.w, smooth - lr * lambd * rho * torch.sign(w0))
    assert int((sub.w == 0).sum()) == 0


def test_soft_threshold_is_the_prox_of_l1() -> None:
    """prox_t(v) = argmin_u 1/2 (u - v)^2 + t |u|: no point of a fine grid does better."""
    v, t = torch.tensor([-1.3, -0.2, 0.0, 0.05, 0.7], dtype=F64), 0.3
    grid = torch.linspace(-2, 2, 40001, dtype=F64)[:, None]
    objective = 0.5 * (grid - v) ** 2 + t * grid.abs()
    best = grid[objective.argmin(0), 0]
    torch.testing.assert_close(soft_threshold(v, t), best, atol=1e-4, rtol=0)


# --------------------------------------------------------------------------------------------
# Proximal L1 at convergence is scikit-learn's Lasso with alpha = lambda
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sparse_fit() -> tuple[Problem, float, TrainResult]:
    # 50 examples (not 20) keep the Lasso problem well conditioned, so 500 full-batch proximal
    # steps with lr = 1/L (L the largest eigenvalue of X'X/n) converge far below 1e-4.
    problem = make_problem(num_nonzero=10, true_w=1.0, n_train=50, dtype=F64, seed=0)
    X, n = problem.X_train, problem.n_train
    lipschitz = float(torch.linalg.eigvalsh(X.T @ X / n).max())
    lambd = 0.3
    zero = (torch.zeros(problem.num_inputs, 1, dtype=F64), torch.zeros(1, dtype=F64))
    fit = train_scratch(
        problem,
        lambd=lambd,
        penalty="l1",
        l1_update="proximal",
        lr=1.0 / lipschitz,
        batch_size=n,
        num_epochs=500,
        eval_every=500,
        initial=zero,
    )
    return problem, lambd, fit


def test_proximal_l1_gives_exact_zeros_on_a_sparse_truth(
    sparse_fit: tuple[Problem, float, TrainResult],
) -> None:
    problem, lambd, fit = sparse_fit
    w = fit.w.flatten()
    assert problem.true_w is not None
    support = problem.true_w.flatten() != 0
    assert int((w == 0).sum()) >= problem.num_inputs // 2
    assert bool((w[support] != 0).all())  # every true weight is kept
    subgradient = train_scratch(
        problem, lambd=lambd, penalty="l1", lr=0.05, batch_size=problem.n_train, num_epochs=100
    )
    assert int((subgradient.w == 0).sum()) == 0  # the subgradient path never lands on zero


def test_proximal_l1_matches_sklearn_lasso(sparse_fit: tuple[Problem, float, TrainResult]) -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    problem, lambd, fit = sparse_fit
    X, y = problem.X_train.numpy(), problem.y_train.numpy().ravel()

    def lasso(alpha: float) -> tuple[torch.Tensor, float]:
        model = linear_model.Lasso(alpha=alpha, fit_intercept=True, tol=1e-12, max_iter=100_000)
        model.fit(X, y)
        return torch.from_numpy(model.coef_).reshape(-1, 1), float(model.intercept_)

    # Lasso minimizes 1/(2n) ||y - Xw - b||^2 + alpha ||w||_1; the scratch objective is the mean
    # over examples of 1/2 (y_hat - y)^2 + lambd ||w||_1: the same function when alpha = lambd.
    coef, intercept = lasso(lambd)
    torch.testing.assert_close(fit.w, coef, atol=1e-4, rtol=0)
    assert fit.b.item() == pytest.approx(intercept, abs=1e-4)
    assert torch.equal(fit.w == 0, coef == 0)  # the same support
    # the scaling is pinned: a factor of 2 either way gives a visibly different solution
    for alpha in (lambd / 2, 2 * lambd):
        other, _ = lasso(alpha)
        assert (other - fit.w).abs().max() > 1e-2

    # and the two objectives agree at the solution
    def objective(w: torch.Tensor, b: float) -> float:
        residual = problem.X_train @ w + b - problem.y_train
        return float(0.5 * residual.pow(2).mean() + lambd * w.abs().sum())

    assert objective(fit.w, fit.b.item()) == pytest.approx(objective(coef, intercept), abs=1e-8)


# --------------------------------------------------------------------------------------------
# Adam + weight_decay (coupled L2) versus AdamW (decoupled) versus SGD
# --------------------------------------------------------------------------------------------
def _optimizer_by_hand(
    optimizer: OptimizerName,
    problem: Problem,
    start: tuple[torch.Tensor, torch.Tensor],
    *,
    lr: float,
    weight_decay: float,
    num_steps: int,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> tuple[torch.Tensor, torch.Tensor]:
    """PyTorch's documented SGD / Adam / AdamW on full-batch MSELoss, weight decayed, bias not."""
    X, y = problem.X_train, problem.y_train
    w, b = start[0].clone(), start[1].clone()
    beta1, beta2 = betas
    m = [torch.zeros_like(w), torch.zeros_like(b)]
    v = [torch.zeros_like(w), torch.zeros_like(b)]
    for t in range(1, num_steps + 1):
        r = X @ w + b - y
        grads = [2 * X.T @ r / len(X), 2 * r.mean(0)]
        params = [w, b]
        decays = [weight_decay, 0.0]  # the bias is in a group with weight_decay 0
        for k in range(2):
            g, p, wd = grads[k], params[k], decays[k]
            if optimizer == "sgd":
                params[k] = p - lr * (g + wd * p)
                continue
            if optimizer == "adam":
                g = g + wd * p  # coupled: the decay joins the gradient
            else:
                p = p * (1 - lr * wd)  # decoupled: shrink the weights directly
            m[k] = beta1 * m[k] + (1 - beta1) * g
            v[k] = beta2 * v[k] + (1 - beta2) * g * g
            m_hat, v_hat = m[k] / (1 - beta1**t), v[k] / (1 - beta2**t)
            params[k] = p - lr * m_hat / (v_hat.sqrt() + eps)
        w, b = params
    return w, b


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
@pytest.mark.parametrize("num_steps", [1, 3])
def test_optimizers_follow_their_documented_update(
    optimizer: OptimizerName, num_steps: int
) -> None:
    problem = make_problem(seed=2, dtype=F64)
    start = _start(problem.num_inputs, seed=5, b=0.4)
    lr, wd = 0.003, 7.0
    result = train_concise(
        problem,
        optimizer=optimizer,
        weight_decay=wd,
        lr=lr,
        batch_size=problem.n_train,
        num_epochs=num_steps,
        initial=start,
    )
    w, b = _optimizer_by_hand(
        optimizer, problem, start, lr=lr, weight_decay=wd, num_steps=num_steps
    )
    torch.testing.assert_close(result.w, w)
    torch.testing.assert_close(result.b, b)


def test_adam_weight_decay_is_not_adamw() -> None:
    problem = make_problem(seed=0)
    w0, b0 = _start(problem.num_inputs)
    start = (w0.float(), b0.float())

    def run(optimizer: OptimizerName) -> TrainResult:
        return train_concise(
            problem, optimizer=optimizer, weight_decay=7.0, initial=start, eval_every=10
        )

    adam, adamw = run("adam"), run("adamw")
    assert (adam.w - adamw.w).abs().max() > 0.5
    assert adam.history.test_loss != adamw.history.test_loss
    # AdamW removes the start geometrically; Adam moves a weight by about lr per step at most
    assert adamw.w_norm < 0.1 * adam.w_norm
    num_steps = adam.history.num_updates
    assert float((adam.w - start[0]).abs().max()) <= 1.05 * 0.003 * num_steps


def test_sgd_weight_decay_equals_decoupled_decay_times_lr() -> None:
    """For SGD, coupled decay wd equals decoupled decay of rate lr * wd (Loshchilov & Hutter)."""
    problem = make_problem(seed=0, dtype=F64)
    start = _start(problem.num_inputs, b=0.1)
    lr, wd = 0.003, 7.0
    coupled = train_concise(
        problem, optimizer="sgd", weight_decay=wd, lr=lr, batch_size=20, num_epochs=3, initial=start
    )
    w, b = start[0].clone(), start[1].clone()
    X, y = problem.X_train, problem.y_train
    for _ in range(3):
        r = X @ w + b - y
        g_w, g_b = 2 * X.T @ r / len(X), 2 * r.mean(0)
        w, b = w * (1 - lr * wd) - lr * g_w, b - lr * g_b
    torch.testing.assert_close(coupled.w, w)
    torch.testing.assert_close(coupled.b, b)


# --------------------------------------------------------------------------------------------
# The bias is never decayed
# --------------------------------------------------------------------------------------------
BIAS = 1.5


@pytest.fixture(scope="module")
def centred_problem() -> Problem:
    """Centred features and labels of mean exactly BIAS. With the full batch the data gradient of
    the bias is 2 * (mean(X) @ w + b - mean(y)) = 2 * (b - BIAS) up to rounding, whatever w does:
    the bias is cut off from the weights, so any decay of it would show."""
    base = make_problem(seed=7, dtype=F64)
    assert base.true_w is not None
    X = base.X_train - base.X_train.mean(0)
    X_test = base.X_test - base.X_train.mean(0)
    y = X @ base.true_w
    y = y - y.mean() + BIAS
    return Problem(X, y, X_test, X_test @ base.true_w + BIAS, base.true_w, BIAS)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_no_optimizer_decays_the_bias(centred_problem: Problem, optimizer: OptimizerName) -> None:
    start = _start(centred_problem.num_inputs, b=BIAS)
    num_steps, lr, wd = 30, 0.003, 5.0
    runs = {
        decay: train_concise(
            centred_problem,
            optimizer=optimizer,
            weight_decay=decay,
            lr=lr,
            batch_size=centred_problem.n_train,
            num_epochs=num_steps,
            initial=start,
        )
        for decay in (0.0, wd)
    }
    # The weight decay changes the weights (Adam's by up to lr per step, the others' by more) ...
    assert runs[wd].w_norm < runs[0.0].w_norm
    assert float((runs[wd].w - runs[0.0].w).abs().max()) > 0.5 * lr * num_steps
    # ... and the bias not at all: its trajectory does not see weight_decay.
    assert runs[wd].b.item() == pytest.approx(runs[0.0].b.item(), abs=1e-8)
    # Decaying it would have moved it by at least lr per step (Adam: sign of wd * b; SGD and
    # AdamW: lr * wd * b). Adam's normalization turns the rounding-level gradient into steps of
    # a fraction of lr, so only SGD keeps b exactly; all stay far closer than that.
    assert abs(runs[wd].b.item() - BIAS) < 0.1 * lr * num_steps
    if optimizer == "sgd":
        assert runs[wd].b.item() == BIAS


@pytest.mark.parametrize(
    ("penalty", "l1_update"),
    [
        ("l2", "subgradient"),
        ("l1", "subgradient"),
        ("l1", "proximal"),
        (ElasticNet(0.5), "proximal"),
    ],
)
def test_no_penalty_decays_the_bias(
    centred_problem: Problem, penalty: PenaltyLike, l1_update: L1Update
) -> None:
    start = _start(centred_problem.num_inputs, b=BIAS)
    run = train_scratch(
        centred_problem,
        lambd=5.0,
        penalty=penalty,
        l1_update=l1_update,
        batch_size=centred_problem.n_train,
        num_epochs=30,
        initial=start,
    )
    assert run.b.item() == pytest.approx(BIAS, abs=1e-10)
    assert run.w_norm < 0.9 * float(start[0].norm())


# --------------------------------------------------------------------------------------------
# Penalties by name and as callables
# --------------------------------------------------------------------------------------------
def test_penalties_resolve_by_name() -> None:
    assert get_penalty("l1") is l1_penalty
    assert get_penalty("l2") is l2_penalty
    assert isinstance(get_penalty("elasticnet"), ElasticNet)
    custom = ElasticNet(0.3)
    assert get_penalty(custom) is custom


@pytest.mark.parametrize(
    ("name", "callable_"),
    [
        ("l2", lambda w: 0.5 * (w * w).sum()),
        ("l1", lambda w: w.abs().sum()),
        ("elasticnet", lambda w: 0.5 * w.abs().sum() + 0.25 * (w * w).sum()),
    ],
)
def test_a_callable_penalty_trains_like_the_named_one(name: str, callable_: PenaltyLike) -> None:
    problem = make_problem(seed=5)

    def run(penalty: PenaltyLike) -> TrainResult:
        return train_scratch(problem, lambd=1.5, penalty=penalty, num_epochs=15, seed=2)

    by_name, by_callable, same_object = run(name), run(callable_), run(get_penalty(name))
    torch.testing.assert_close(by_callable.w, by_name.w, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(by_callable.b, by_name.b, rtol=1e-4, atol=1e-5)
    _assert_same_run(same_object, by_name)


# --------------------------------------------------------------------------------------------
# Bad options
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rho", [-0.1, 1.5, math.nan, math.inf])
def test_l1_ratio_outside_unit_interval_is_rejected(rho: float) -> None:
    with pytest.raises(ValueError, match=r"l1_ratio must be a number in \[0, 1\]"):
        ElasticNet(rho)


def test_unknown_optimizer_is_rejected() -> None:
    with pytest.raises(
        ValueError, match="optimizer must be one of 'sgd', 'adam', 'adamw', got 'rmsprop'"
    ):
        train_concise(make_problem(), optimizer="rmsprop")  # type: ignore[arg-type]


def test_more_nonzero_weights_than_inputs_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"num_nonzero must be an integer in \[0, 10\], got 11"):
        make_problem(num_inputs=10, num_nonzero=11)


def test_proximal_update_needs_a_builtin_penalty() -> None:
    with pytest.raises(ValueError, match="l1_update='proximal' needs a built-in penalty"):
        train_scratch(make_problem(), penalty=lambda w: w.abs().sum(), l1_update="proximal")


def test_unknown_l1_update_and_penalty_name_are_rejected() -> None:
    with pytest.raises(ValueError, match="l1_update must be one of 'subgradient', 'proximal'"):
        train_scratch(make_problem(), l1_update="prox")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="penalty must be one of 'l1', 'l2', 'elasticnet'"):
        train_scratch(make_problem(), penalty="l3")
