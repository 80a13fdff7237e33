"""The expected risks of weightdecay.theory against Monte Carlo, limits and optimality.

The Monte Carlo draws many Gaussian training sets at once (float64, a seeded generator), fits
each with an independent solver (batched least squares, a Cholesky ridge solve, and the
package's own ridge_closed_form), and scores every fit exactly: for test inputs x ~ N(0, I) the
expected squared error of weights w is noise**2 + ||w - w*||**2, so no test set adds noise.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import TypedDict

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from weightdecay import ridge_closed_form, squared_loss
from weightdecay.theory import min_norm_risk, optimal_ridge_lambda, ridge_risk

F64 = torch.float64
# Relative theory-vs-Monte-Carlo gap allowed ("within a few percent"). Each case draws enough
# training sets for a standard error near 1%.
TOLERANCE = 0.04


class Setting(TypedDict):
    """The problem's two keywords, typed so that ``**setting`` cannot stand for ``scale``."""

    w_norm: float
    noise: float


NOTEBOOK: Setting = {"w_norm": math.sqrt(200) * 0.01, "noise": 0.01}  # 200 weights of 0.01
NAKKIRAN: Setting = {"w_norm": 1.0, "noise": 0.5}  # Nakkiran et al. (2020), Figure 1


def draw(
    n: int, d: int, *, w_norm: float, noise: float, draws: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``draws`` training sets (X, y) of y = X w* + noise, with w* constant of norm w_norm."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(draws, n, d, generator=gen, dtype=F64)
    w_star = torch.full((d, 1), w_norm / math.sqrt(d), dtype=F64)
    y = X @ w_star + noise * torch.randn(draws, n, 1, generator=gen, dtype=F64)
    return X, y, w_star


def exact_mse(w: torch.Tensor, w_star: torch.Tensor, noise: float) -> torch.Tensor:
    """Expected (y - x^T w)^2 over x ~ N(0, I) and the label noise, one value per fit."""
    return noise**2 + (w - w_star).pow(2).sum((-2, -1))


def ridge_no_intercept(X: torch.Tensor, y: torch.Tensor, lambd: float) -> torch.Tensor:
    """argmin (1/(2n))||y - Xw||^2 + (lambd/2)||w||^2 for a batch, by Cholesky (dual if n < d)."""
    n, d = X.shape[-2:]
    if n < d:
        gram = X @ X.mT + n * lambd * torch.eye(n, dtype=F64)
        return X.mT @ torch.cholesky_solve(y, torch.linalg.cholesky(gram))
    gram = X.mT @ X + n * lambd * torch.eye(d, dtype=F64)
    return torch.cholesky_solve(X.mT @ y, torch.linalg.cholesky(gram))


def relative_gap(samples: torch.Tensor, reference: torch.Tensor) -> float:
    return float((samples.mean() - reference).abs() / reference)


def standard_error(samples: torch.Tensor) -> float:
    """Relative standard error of the Monte Carlo mean, for the failure message."""
    return float(samples.std() / samples.mean() / math.sqrt(samples.numel()))


# --------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("setting", [NOTEBOOK, NAKKIRAN], ids=["notebook", "nakkiran"])
@pytest.mark.parametrize(("n", "draws"), [(10, 200), (35, 1000), (70, 1000), (150, 200)])
def test_min_norm_risk_matches_least_squares(n: int, draws: int, setting: Setting) -> None:
    d = 50
    X, y, w_star = draw(n, d, **setting, draws=draws, seed=n)
    # gelsy (a complete orthogonal factorization) returns the minimum-norm solution when n < d:
    # the one in the row space of X, which the dual solve X^T (X X^T)^{-1} y gives directly.
    w_lstsq = torch.linalg.lstsq(X, y, driver="gelsy").solution
    if n < d:
        torch.testing.assert_close(w_lstsq, ridge_no_intercept(X, y, 0.0))
    risks = exact_mse(w_lstsq, w_star, setting["noise"])
    gap, error = relative_gap(risks, min_norm_risk(n, d, **setting)), standard_error(risks)
    assert gap < TOLERANCE, f"gap {gap:.2%}, Monte Carlo standard error {error:.2%}"


# d / n = 4, 1.4, 1 and 1/2. The limit formula is exact only as d -> infinity; its error is
# largest at n = d with a small lambda and the notebook's high signal-to-noise ratio (a few
# percent at d = 100, see the tutorial's table for d = 200), so that case gets a wider margin.
RIDGE_CASES = [
    ("notebook", 25, 200, TOLERANCE),
    ("notebook", 70, 500, TOLERANCE),
    ("notebook", 100, 1000, 0.06),
    ("notebook", 200, 300, TOLERANCE),
    ("nakkiran", 25, 200, TOLERANCE),
    ("nakkiran", 70, 500, TOLERANCE),
    ("nakkiran", 100, 1000, TOLERANCE),
    ("nakkiran", 200, 300, TOLERANCE),
]


@pytest.mark.parametrize(("name", "n", "draws", "tolerance"), RIDGE_CASES)
def test_ridge_risk_matches_monte_carlo(name: str, n: int, draws: int, tolerance: float) -> None:
    setting = {"notebook": NOTEBOOK, "nakkiran": NAKKIRAN}[name]
    d = 100
    X, y, w_star = draw(n, d, **setting, draws=draws, seed=n)
    gaps = {}
    for lambd in [0.01, 0.1, 1.0]:
        risks = exact_mse(ridge_no_intercept(X, y, lambd), w_star, setting["noise"])
        gap = relative_gap(risks, ridge_risk(n, d, lambd, **setting))
        gaps[lambd] = f"gap {gap:.2%}, standard error {standard_error(risks):.2%}"
        assert gap < tolerance, gaps


def test_ridge_no_intercept_solves_the_penalized_problem() -> None:
    """The test's own ridge solver zeroes the gradient of the objective it claims to minimize."""
    for n, d in [(5, 8), (8, 5)]:
        X, y, _ = draw(n, d, w_norm=1.0, noise=0.5, draws=3, seed=0)
        w = ridge_no_intercept(X, y, 0.3).requires_grad_(True)
        objective = ((y - X @ w) ** 2).mean((-2, -1)).sum() / 2 + 0.3 * (w**2).sum() / 2
        (grad,) = torch.autograd.grad(objective, w)
        assert float(grad.abs().max()) < 1e-12


@pytest.mark.parametrize(("n", "lambd", "draws"), [(60, 0.0, 150), (60, 0.1, 300), (200, 0.0, 300)])
def test_intercept_costs_one_example(n: int, lambd: float, draws: int) -> None:
    """ridge_closed_form fits an intercept: its risk is (1 + 1/n) times the risk without one
    on n - 1 examples with lambd * n / (n - 1).

    Centring removes one direction: X_c has the law of an (n - 1)-row Gaussian matrix, so the
    weights are the no-intercept fit on n - 1 examples (the objective keeps its 1/(2n), hence
    the rescaled lambd), and the intercept's error x_bar^T (w* - w) + mean noise adds
    (||w - w*||^2 + noise^2) / n.
    """
    d, true_b = 100, 0.05
    X, y, w_star = draw(n, d, **NAKKIRAN, draws=draws, seed=n)
    risks = []
    for X_i, y_i in zip(X, y + true_b, strict=True):
        w, b = ridge_closed_form(X_i, y_i, lambd)
        risks.append(exact_mse(w, w_star, NAKKIRAN["noise"]) + (b - true_b) ** 2)
    if lambd == 0.0:
        expected = min_norm_risk(n - 1, d, **NAKKIRAN)
    else:
        expected = ridge_risk(n - 1, d, lambd * n / (n - 1), **NAKKIRAN)
    gap = relative_gap(torch.stack(risks), (1 + 1 / n) * expected)
    assert gap < TOLERANCE, (
        f"gap {gap:.2%}, standard error {standard_error(torch.stack(risks)):.2%}"
    )


@pytest.mark.parametrize(("n", "lambd"), [(30, 0.0), (30, 0.2), (90, 0.0)])
def test_half_scale_is_the_package_test_loss(n: int, lambd: float) -> None:
    """scale="half" is the mean of the package's squared_loss, 1/2 (y_hat - y)^2, on new examples
    drawn from the same problem (no exact formula: a real test set, with its noise)."""
    d, draws, n_test = 50, 300, 200
    X, y, w_star = draw(n, d, **NAKKIRAN, draws=draws, seed=n)
    w = ridge_no_intercept(X, y, lambd) if lambd else torch.linalg.pinv(X) @ y
    gen = torch.Generator().manual_seed(1_000 + n)
    X_test = torch.randn(draws, n_test, d, generator=gen, dtype=F64)
    noise = NAKKIRAN["noise"] * torch.randn(draws, n_test, 1, generator=gen, dtype=F64)
    losses = squared_loss(X_test @ w, X_test @ w_star + noise).mean((-2, -1))
    if lambd:
        expected = ridge_risk(n, d, lambd, **NAKKIRAN, scale="half")
    else:
        expected = min_norm_risk(n, d, **NAKKIRAN, scale="half")
    assert relative_gap(losses, expected) < TOLERANCE, (
        f"standard error {standard_error(losses):.2%}"
    )


def test_half_scale_halves_the_mse() -> None:
    n = torch.tensor([20, 150, 250, 800])
    mse = min_norm_risk(n, 200, **NOTEBOOK), ridge_risk(n, 200, 0.05, **NOTEBOOK)
    half = (
        min_norm_risk(n, 200, **NOTEBOOK, scale="half"),
        ridge_risk(n, 200, 0.05, **NOTEBOOK, scale="half"),
    )
    for full, halved in zip(mse, half, strict=True):
        torch.testing.assert_close(halved, full / 2, rtol=1e-15, atol=0.0)


# --------------------------------------------------------------------------------------------
# Closed forms, limits and optimality
# --------------------------------------------------------------------------------------------
def test_min_norm_risk_by_hand() -> None:
    # n < d: sigma^2 + r^2 (1 - n/d) + sigma^2 n / (d - n - 1); n > d: sigma^2 (1 + d/(n-d-1))
    assert float(min_norm_risk(10, 50, w_norm=2.0, noise=0.5)) == pytest.approx(
        0.25 + 4 * 0.8 + 0.25 * 10 / 39
    )
    assert float(min_norm_risk(80, 50, w_norm=2.0, noise=0.5)) == pytest.approx(
        0.25 * (1 + 50 / 29)
    )


@pytest.mark.parametrize("lambd", [0.01, 0.3, 3.0])
def test_ridge_risk_with_unlimited_data(lambd: float) -> None:
    """n -> infinity: X^T X / n -> I, so w -> w* / (1 + lambd), a pure shrinkage bias."""
    expected = 0.25 + 4.0 * lambd**2 / (1 + lambd) ** 2
    assert float(ridge_risk(10**9, 50, lambd, w_norm=2.0, noise=0.5)) == pytest.approx(expected)


@pytest.mark.parametrize("n", [10, 100, 1000])
def test_ridge_risk_with_infinite_penalty_is_the_zero_predictor(n: int) -> None:
    risk = ridge_risk(n, 100, 1e9, w_norm=2.0, noise=0.5)
    assert float(risk) == pytest.approx(4.0 + 0.25, rel=1e-6)


@pytest.mark.parametrize(("n", "d"), [(2_000, 10_000), (6_000, 10_000), (20_000, 10_000)])
def test_ridge_risk_tends_to_min_norm_risk(n: int, d: int) -> None:
    """lambd -> 0+ and large d: the limit formula meets the exact finite-sample one."""
    ridge = ridge_risk(n, d, 1e-8, **NAKKIRAN)
    assert float(ridge) == pytest.approx(float(min_norm_risk(n, d, **NAKKIRAN)), rel=1e-3)


def marchenko_pastur_moments(gamma: float, lambd: float) -> tuple[float, float]:
    """m(-lambd) = E[1/(s + lambd)] and m'(-lambd) = E[1/(s + lambd)^2] for s ~ Marchenko-Pastur.

    Integrated numerically over the density sqrt((b - s)(s - a)) / (2 pi gamma s) on [a, b],
    with s = a + (b - a)(1 - cos t)/2 so that the square-root edges become smooth, plus the
    atom of mass 1 - 1/gamma at s = 0 when gamma > 1.
    """
    a, b = (1 - math.sqrt(gamma)) ** 2, (1 + math.sqrt(gamma)) ** 2
    t = torch.linspace(0, math.pi, 20_001, dtype=F64)
    s = a + (b - a) * (1 - torch.cos(t)) / 2
    weight = ((b - a) / 2 * torch.sin(t)) ** 2 / (2 * math.pi * gamma * s)  # density * ds/dt
    atom = max(0.0, 1 - 1 / gamma)
    m = float(torch.trapezoid(weight / (s + lambd), t)) + atom / lambd
    dm = float(torch.trapezoid(weight / (s + lambd) ** 2, t)) + atom / lambd**2
    return m, dm


@pytest.mark.parametrize(("n", "d"), [(400, 100), (200, 100), (100, 150), (50, 200)])
@pytest.mark.parametrize("lambd", [0.05, 1.0])
def test_ridge_risk_is_the_marchenko_pastur_integral(n: int, d: int, lambd: float) -> None:
    """Bias^2 r^2 lambd^2 m' and variance sigma^2 gamma (m - lambd m'), with m and m' integrated
    numerically instead of taken from the closed-form root; at the optimal lambda the risk is
    sigma^2 (1 + gamma m) (Dobriban & Wager 2018)."""
    gamma, (r, sigma) = d / n, (NAKKIRAN["w_norm"], NAKKIRAN["noise"])
    m, dm = marchenko_pastur_moments(gamma, lambd)
    expected = sigma**2 + r**2 * lambd**2 * dm + sigma**2 * gamma * (m - lambd * dm)
    assert float(ridge_risk(n, d, lambd, **NAKKIRAN)) == pytest.approx(expected, rel=1e-6)
    best = float(optimal_ridge_lambda(n, d, **NAKKIRAN))
    m_best, _ = marchenko_pastur_moments(gamma, best)
    risk = float(ridge_risk(n, d, best, **NAKKIRAN))
    assert risk == pytest.approx(sigma**2 * (1 + gamma * m_best), rel=1e-6)


def test_optimal_lambda_is_the_grid_minimum() -> None:
    grid = torch.logspace(-4, 2, 6001, dtype=F64)
    for n in [20, 100, 200, 400]:
        risks = ridge_risk(n, 200, grid, **NOTEBOOK)
        best = optimal_ridge_lambda(n, 200, **NOTEBOOK)
        assert float(grid[risks.argmin()]) == pytest.approx(float(best), rel=3e-3)


def test_optimal_lambda_on_the_notebook_problem() -> None:
    assert float(optimal_ridge_lambda(20, 200, **NOTEBOOK)) == pytest.approx(0.05)


sizes = st.integers(min_value=1, max_value=2000)
positive = st.floats(min_value=1e-3, max_value=1e3)


@settings(max_examples=60, deadline=timedelta(seconds=1))
@given(n=sizes, d=sizes, w_norm=positive, noise=positive, lambd=positive)
def test_no_lambda_beats_the_optimal_one(
    n: int, d: int, w_norm: float, noise: float, lambd: float
) -> None:
    best_lambda = optimal_ridge_lambda(n, d, w_norm=w_norm, noise=noise)
    best = ridge_risk(n, d, best_lambda, w_norm=w_norm, noise=noise)
    other = ridge_risk(n, d, lambd, w_norm=w_norm, noise=noise)
    assert float(best) <= float(other) * (1 + 1e-12)


@settings(max_examples=60, deadline=timedelta(seconds=1))
@given(n=sizes, extra=sizes, d=sizes, w_norm=positive, noise=positive)
def test_optimal_ridge_never_gets_worse_with_more_data(
    n: int, extra: int, d: int, w_norm: float, noise: float
) -> None:
    """Nakkiran et al. (2020): tuned ridge is monotone in n, no double descent."""
    setting: Setting = {"w_norm": w_norm, "noise": noise}
    sizes_ = torch.tensor([n, n + extra])
    risks = ridge_risk(sizes_, d, optimal_ridge_lambda(sizes_, d, **setting), **setting)
    assert float(risks[1]) <= float(risks[0]) * (1 + 1e-12)


@settings(max_examples=60, deadline=timedelta(seconds=1))
@given(n=sizes, d=sizes, w_norm=positive, noise=positive)
def test_optimal_risk_is_below_the_zero_predictor(
    n: int, d: int, w_norm: float, noise: float
) -> None:
    best_lambda = optimal_ridge_lambda(n, d, w_norm=w_norm, noise=noise)
    risk = float(ridge_risk(n, d, best_lambda, w_norm=w_norm, noise=noise))
    assert noise**2 <= risk <= (w_norm**2 + noise**2) * (1 + 1e-12)


def test_tensors_broadcast() -> None:
    n = torch.tensor([[20], [400]])
    lambdas = torch.tensor([0.01, 0.1, 1.0])
    risks = ridge_risk(n, 200, lambdas, **NOTEBOOK)
    assert risks.shape == (2, 3)
    assert risks.dtype == torch.float64
    assert float(risks[1, 2]) == pytest.approx(float(ridge_risk(400, 200, 1.0, **NOTEBOOK)))
    assert min_norm_risk(torch.arange(1, 150), 200, **NOTEBOOK).shape == (149,)
    assert optimal_ridge_lambda(n, 200, **NOTEBOOK).shape == (2, 1)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [199, 200, 201, torch.tensor([20, 201])])
def test_min_norm_risk_refuses_the_peak(n: int | torch.Tensor) -> None:
    match = r"infinite for n_train in \[num_inputs - 1, num_inputs \+ 1\] = \[199, 201\]"
    with pytest.raises(ValueError, match=match):
        min_norm_risk(n, 200, **NOTEBOOK)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_train": 0}, ValueError, r"n_train must be an integer >= 1, got 0\."),
        ({"n_train": 2.5}, TypeError, r"n_train must be an integer, got 2\.5 of type float\."),
        ({"num_inputs": True}, TypeError, r"num_inputs must be an integer, got True"),
        (
            {"n_train": torch.tensor([3.0, 4.5])},
            ValueError,
            r"n_train must be an integer >= 1, got 4\.5 \(in a tensor\)\.",
        ),
        ({"lambd": 0.0}, ValueError, r"lambd must be a finite number > 0, got 0\."),
        ({"lambd": -1.0}, ValueError, r"lambd must be a finite number > 0, got -1\."),
        ({"lambd": math.inf}, ValueError, r"lambd must be a finite number > 0, got inf\."),
        (
            {"lambd": torch.tensor([1.0, math.nan])},
            ValueError,
            r"lambd must contain only finite values, got 1 NaN or infinite entries\.",
        ),
        ({"lambd": "3"}, TypeError, r"lambd must be a real number, got '3' of type str\."),
        (
            {"lambd": torch.tensor([0.5, 0.0])},
            ValueError,
            r"lambd must be a finite number > 0, got 0 \(in a tensor\)\.",
        ),
        (
            {"noise": torch.tensor([-1.0])},
            ValueError,
            r"noise must be a finite number >= 0, got -1 \(in a tensor\)\.",
        ),
        (
            {"lambd": torch.tensor([True])},
            TypeError,
            r"lambd must be a real tensor, got dtype torch\.bool\.",
        ),
        ({"w_norm": -0.1}, ValueError, r"w_norm must be a finite number >= 0, got -0\.1\."),
        ({"w_norm": False}, TypeError, r"w_norm must be a real number, got False of type bool\."),
        ({"noise": -1}, ValueError, r"noise must be a finite number >= 0, got -1\."),
    ],
)
def test_ridge_risk_rejects_bad_input(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    arguments: dict[str, object] = {"n_train": 20, "num_inputs": 200, "lambd": 1.0, **NOTEBOOK}
    with pytest.raises(error, match=match):
        ridge_risk(**{**arguments, **kwargs})  # type: ignore[arg-type]


@pytest.mark.parametrize("scale", ["MSE", "half squared", 0.5, None])
def test_risks_reject_an_unknown_scale(scale: object) -> None:
    match = rf"scale must be 'mse' or 'half', got {re.escape(repr(scale))}\."
    with pytest.raises(ValueError, match=match):
        min_norm_risk(20, 200, **NOTEBOOK, scale=scale)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=match):
        ridge_risk(20, 200, 1.0, **NOTEBOOK, scale=scale)  # type: ignore[arg-type]


def test_optimal_lambda_needs_nonzero_weights() -> None:
    with pytest.raises(ValueError, match=r"w_norm must be a finite number > 0, got 0\."):
        optimal_ridge_lambda(20, 200, w_norm=0.0, noise=0.01)
