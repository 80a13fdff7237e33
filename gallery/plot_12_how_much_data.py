# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
===========================
How much data does it take?
===========================

The notebook trains 200 weights on 20 examples, and there no model does much better than
predicting zero. How many examples does it take to learn, and how should :math:`\lambda` change
as they arrive? For this very problem (isotropic Gaussian features) random-matrix theory gives
the answer in closed form. This example fits many training sets of every size at once, puts the
Monte Carlo averages next to :mod:`weightdecay.theory`, and adds the notebook's own SGD training
at a few sizes. Least squares without a penalty has a peak of test error where the examples just
suffice to interpolate (*double descent*); the optimally tuned penalty removes the peak; and the
book's :math:`\lambda = 3` never learns much, however many examples it gets.
"""

# %%
# The problem and the scale of the losses
# ---------------------------------------
# The data are the notebook's: :math:`d = 200` features :math:`x \sim \mathcal N(0, I)`, every
# true weight 0.01, label noise :math:`\sigma = 0.01`. Every figure on this page shows the test
# **mean squared error** :math:`\mathbb E[(y - \hat y)^2]` on a new example: no factor
# :math:`\tfrac12`, the label noise included. That is the scale of :mod:`weightdecay.theory`. The
# package's training and test losses are half squared errors (d2l's scale), so a test loss
# reported by :func:`~weightdecay.trainer.train_scratch` is doubled before it is plotted here.
#
# The baseline is the *zero predictor* (:math:`w = 0`, the right bias), whose test MSE is
# :math:`\lVert w^*\rVert^2 + \sigma^2`: a model has learned something only below it. The
# theory and the Monte Carlo fits leave out the bias (the model without intercept). The
# notebook's model also learns an unpenalized bias; for a closed-form fit that multiplies the
# expected test MSE by :math:`1 + 1/n` and takes away one example (``tests/test_theory.py``
# checks this with :func:`~weightdecay.ridge.ridge_closed_form`).
import math

import torch

from weightdecay import min_norm_risk, optimal_ridge_lambda, ridge_risk

d, true_w, sigma = 200, 0.01, 0.01
w_norm = math.sqrt(d) * true_w
setting = {"w_norm": w_norm, "noise": sigma}
zero_mse = w_norm**2 + sigma**2
print(f"zero predictor: test MSE {zero_mse:.4f} (half squared error {zero_mse / 2:.4f})")
lambda_20 = float(optimal_ridge_lambda(20, d, **setting))
print(f"optimal lambda at the notebook's n = 20: {lambda_20:.3g}")

# %%
# Many ridge fits at once
# -----------------------
# Each of 200 independent *draws* is a stream of :math:`4d` examples of the notebook's problem
# (without the bias), and the training set of size :math:`n` is its first :math:`n` examples, as
# if the data arrived one example at a time. For every size, one tensor holds the 200 training
# sets and one batched Cholesky solve per :math:`\lambda` fits them all. Ridge in this package's
# convention minimizes :math:`\frac1{2n}\lVert y - Xw\rVert^2 + \frac\lambda2\lVert w\rVert^2`, so
# :math:`w = (X^\top X + n\lambda I)^{-1}X^\top y = X^\top(XX^\top + n\lambda I)^{-1}y`; the
# second (dual) form solves an :math:`n\times n` system, the smaller one when :math:`n \le d`.
# At :math:`\lambda = 0` the same solve gives the minimum-norm least-squares fit, which is where
# gradient descent started from zero ends. No test set is needed: for
# :math:`x \sim \mathcal N(0, I)` the test MSE of weights :math:`w` is exactly
# :math:`\sigma^2 + \lVert w - w^*\rVert^2`.
#
# Three values of :math:`\lambda` are fitted at every size: 0 (minimum norm), the book's 3, and
# :math:`\lambda_{\text{opt}} = \sigma^2 d/(n\lVert w^*\rVert^2)` from
# :func:`~weightdecay.theory.optimal_ridge_lambda`, which shrinks as the data grow. The theory
# comes from :func:`~weightdecay.theory.min_norm_risk` (exact for Gaussian features, infinite for
# :math:`n` within one of :math:`d`) and :func:`~weightdecay.theory.ridge_risk` (the
# proportional high-dimensional limit, evaluated at :math:`\gamma = d/n`).
import numpy as np

F64 = torch.float64
draws, max_n = 200, 4 * d
generator = torch.Generator().manual_seed(0)
w_star = torch.full((d, 1), true_w, dtype=F64)
stream_X = torch.randn(draws, max_n, d, generator=generator, dtype=F64)
stream_y = stream_X @ w_star + sigma * torch.randn(draws, max_n, 1, generator=generator, dtype=F64)


def ridge_fits(X, y, lambdas):
    """Minimize (1/(2n))||y - Xw||^2 + (lambd/2)||w||^2 for each training set of the batch and
    each lambd >= 0: weights of shape (len(lambdas), draws, p, 1)."""
    n, p = X.shape[-2:]
    dual = n <= p  # solve the smaller of the two systems
    gram, rhs = (X @ X.mT, y) if dual else (X.mT @ X, X.mT @ y)
    eye = torch.eye(gram.shape[-1], dtype=F64)
    fits = []
    for lambd in lambdas:
        factor = torch.linalg.cholesky(gram + n * lambd * eye)  # L with L L^T = gram + n lambd I
        half = torch.linalg.solve_triangular(factor, rhs, upper=False)
        solution = torch.linalg.solve_triangular(factor.mT, half, upper=True)
        fits.append(X.mT @ solution if dual else solution)
    return torch.stack(fits)


def test_mse(w):
    """Exact test MSE of weights w (..., p, 1) on the first p features; the others count as 0."""
    p = w.shape[-2]
    return sigma**2 + (w - w_star[:p]).pow(2).sum((-2, -1)) + w_star[p:].pow(2).sum()


def best_lambda(n):
    return float(optimal_ridge_lambda(n, d, **setting))


names = ["min_norm", "optimal", "book"]
near_peak = [180, 190, 195, 198, 199, 200, 201, 202, 205, 210, 220]
sizes = sorted({*np.geomspace(1, max_n, 20).round().astype(int).tolist(), *near_peak})
risks = []  # per size: (3, draws), the test MSE of every fit
for n in sizes:
    fits = ridge_fits(stream_X[:, :n], stream_y[:, :n], [0.0, best_lambda(n), 3.0])
    risks.append(test_mse(fits))
monte_carlo = dict(zip(names, torch.stack(risks, dim=1), strict=True))  # name -> (sizes, draws)

sizes_t = torch.tensor(sizes)
defined = (sizes_t - d).abs() > 1  # where the minimum-norm expectation is finite
theory = {
    "min_norm": torch.full((len(sizes),), math.inf, dtype=F64),
    "optimal": ridge_risk(sizes_t, d, optimal_ridge_lambda(sizes_t, d, **setting), **setting),
    "book": ridge_risk(sizes_t, d, 3.0, **setting),
}
theory["min_norm"][defined] = min_norm_risk(sizes_t[defined], d, **setting)

# %%
# How close the theory is
# -----------------------
# The table compares the Monte Carlo mean with the theory at some of the sizes. Away from the
# peak the minimum-norm formula is exact, so its gaps are sampling error. Close to :math:`d` its
# expectation is infinite or nearly so and a mean over 200 draws says little, so the sizes within
# 20 of :math:`d` are left out of its comparison. The ridge formula is a large-:math:`d` limit, so
# its gaps add that approximation to the sampling error. The largest gap of each curve is printed
# with the Monte Carlo standard error at that size, then the worst of all; the script fails if
# that exceeds 6%.
margin = 20  # the minimum-norm mean is compared only this far from the threshold
compared = {
    "min_norm": (sizes_t - d).abs() >= margin,
    "optimal": torch.ones(len(sizes), dtype=torch.bool),
    "book": torch.ones(len(sizes), dtype=torch.bool),
}
mean = {name: values.mean(1) for name, values in monte_carlo.items()}
standard_error = {
    name: values.std(1) / math.sqrt(draws) / mean[name] for name, values in monte_carlo.items()
}
gaps = {name: (mean[name] / theory[name] - 1).abs().where(compared[name], 0) for name in names}
print(f"{'n':>5}" + "".join(f"{name + ': MC / theory':>26}" for name in names))
for i, n in enumerate(sizes):
    if i % 3 == 0 or n in near_peak[::2]:
        cells = [f"{mean[name][i]:.3g} / {theory[name][i]:.3g}" for name in names]
        print(f"{n:>5}" + "".join(f"{cell:>26}" for cell in cells))
for name in names:
    i = int(gaps[name].argmax())
    print(
        f"{name}: largest gap {float(gaps[name][i]):.1%} at n = {sizes[i]} "
        f"(Monte Carlo standard error there {float(standard_error[name][i]):.1%})"
    )
worst_gap = max(float(gaps[name].max()) for name in names)
print(f"worst theory-vs-Monte-Carlo gap: {worst_gap:.1%}")
assert worst_gap < 0.06

# %%
# How many examples until learning pays?
# --------------------------------------
# With the best :math:`\lambda` at every size, the theory falls monotonically with :math:`n`, so
# the sizes at which it first beats the zero predictor by a factor 2 and by a factor 10 are well
# defined. They are printed below, with the Monte Carlo mean at each. The book's
# :math:`\lambda = 3` never gets there: as :math:`n \to \infty` its fit tends to
# :math:`w^*/(1 + \lambda)`, a quarter of the truth, whose test MSE
# :math:`\sigma^2 + \lVert w^*\rVert^2\lambda^2/(1 + \lambda)^2` is printed last.
all_sizes = torch.arange(1, max_n + 1)
best_curve = ridge_risk(all_sizes, d, optimal_ridge_lambda(all_sizes, d, **setting), **setting)
assert bool((best_curve.diff() < 0).all()), "the optimally tuned risk should fall with n"
assert best_curve[19] > 0.8 * zero_mse  # n = 20: barely better than predicting zero
targets = {}
for factor in (2, 10):
    n = int(all_sizes[best_curve <= zero_mse / factor][0])
    check = test_mse(ridge_fits(stream_X[:, :n], stream_y[:, :n], [best_lambda(n)])).mean()
    targets[factor] = n
    print(
        f"{factor:>2}x better than the zero predictor from n = {n}: optimal lambda "
        f"{best_lambda(n):.3g}, test MSE {float(best_curve[n - 1]):.3g} "
        f"(Monte Carlo {float(check):.3g})"
    )
assert 0.4 * d < targets[2] < 0.6 * d < 0.9 * d < targets[10] < d
book_limit = sigma**2 + w_norm**2 * 3.0**2 / (1 + 3.0) ** 2
print(f"lambda = 3, unlimited data: test MSE {book_limit:.3g}, {zero_mse / book_limit:.2f}x better")
assert bool((ridge_risk(all_sizes, d, 3.0, **setting) > zero_mse / 2).all())
assert book_limit > zero_mse / 2

# %%
# The notebook's own training
# ---------------------------
# The closed forms are where training would end. The notebook's run is 100 epochs of minibatch
# SGD (batches of 5, :math:`\eta = 0.003`) from :math:`\mathcal N(0, 1)` weights, with the bias
# learned too. We run it with :math:`\lambda = 3` and :math:`\lambda = 0` at the notebook's
# size, at the two sizes found above and at :math:`4d`, on two data seeds each, and convert the
# package's test loss (a half squared error, here on 2,000 test examples) to MSE by doubling it.
# The script checks that against the exact test MSE of the trained model,
# :math:`\sigma^2 + \lVert w - w^*\rVert^2 + (b - b^*)^2`. The comparison with the best ridge
# fit at the two sizes is printed last.
from weightdecay import make_problem, train_scratch

sgd_sizes = [20, targets[2], targets[10], max_n]
sgd = {3.0: [], 0.0: []}  # lambda -> per size, the mean test MSE over the seeds
for lambd, means in sgd.items():
    for n in sgd_sizes:
        seeds = []
        for seed in (0, 1):
            problem = make_problem(n_train=n, n_test=2000, seed=seed)
            run = train_scratch(problem, lambd=lambd, seed=seed, eval_every=100)
            mse = 2 * run.history.test_loss[-1]  # half squared error -> squared error
            w_error = float((run.w - problem.true_w).pow(2).sum())
            exact = sigma**2 + w_error + (float(run.b) - problem.true_b) ** 2
            assert abs(mse / exact - 1) < 0.15, (mse, exact)
            seeds.append(mse)
        means.append(float(np.mean(seeds)))
        closed_form = (
            ridge_risk(n, d, lambd, **setting) if lambd else min_norm_risk(n, d, **setting)
        )
        print(
            f"SGD, lambda = {lambd:g}, n = {n:>3}: test MSE {means[-1]:.3g}; "
            f"closed-form fit at the same lambda: {float(closed_form):.3g}"
        )
for n in sgd_sizes[-1:]:  # with 4d examples, SGD lands on the closed forms
    assert abs(sgd[3.0][-1] / float(ridge_risk(n, d, 3.0, **setting)) - 1) < 0.1
    assert abs(sgd[0.0][-1] / float(min_norm_risk(n, d, **setting)) - 1) < 0.1
assert sgd[3.0][0] > 2 * float(ridge_risk(20, d, 3.0, **setting))  # the start survives at n = 20
assert all(mse > 1 for mse in sgd[0.0][:3])  # and at lambda = 0 below n = d
for n in targets.values():
    best, sgd_mse = float(best_curve[n - 1]), sgd[3.0][sgd_sizes.index(n)]
    print(
        f"at n = {n}: best ridge {best:.3g} (lambda = {best_lambda(n):.3g}); notebook SGD at "
        f"lambda = 3: {sgd_mse:.3g}, {sgd_mse / best:.2f}x the best and "
        f"{zero_mse / sgd_mse:.2f}x better than the zero predictor"
    )
    assert sgd_mse > best

# %%
# Learning curves
# ---------------
# Monte Carlo means (dots) with a band holding the middle 80% of the draws, the theory as lines,
# the notebook's SGD runs as large open markers, all in test MSE on a log scale; the dashed lines
# mark the factors 2 and 10 below the zero predictor. The minimum-norm
# fit (blue) improves until shortly before :math:`n = d` (the size where its theory is lowest is
# printed below), then gets *worse* with more data up to :math:`n = d`, where it must interpolate
# exactly as many examples as it has weights, and recovers beyond: double descent. The optimally
# tuned ridge (green) falls at every step. The book's :math:`\lambda = 3` (red) stays near the
# zero predictor at every size. SGD at :math:`\lambda = 0` keeps its random start in the
# directions that the examples do not reach, so below :math:`n = d` its test MSE is far above
# every other curve; with :math:`4d` examples both SGD runs land on their closed-form
# counterparts.
import matplotlib.pyplot as plt

styles = {
    "min_norm": ("C0", r"minimum norm ($\lambda \to 0$)"),
    "optimal": ("C2", r"optimal $\lambda = \sigma^2 d / (n\|w^*\|^2)$"),
    "book": ("C3", r"book's $\lambda = 3$"),
}
below, above = all_sizes[all_sizes < d - 1], all_sizes[all_sizes > d + 1]
fig, ax = plt.subplots(figsize=(8.5, 5.5))
for name, (color, label) in styles.items():
    low, high = torch.quantile(monte_carlo[name], torch.tensor([0.1, 0.9], dtype=F64), dim=1)
    ax.fill_between(sizes, low, high, color=color, alpha=0.15, lw=0)
    ax.plot(sizes, mean[name], "o", ms=3.5, color=color, label=f"{label}, Monte Carlo")
for side in (below, above):
    ax.plot(side, min_norm_risk(side, d, **setting), color="C0", lw=1.3)
ax.plot(all_sizes, best_curve, color="C2", lw=1.3)
ax.plot(all_sizes, ridge_risk(all_sizes, d, 3.0, **setting), color="C3", lw=1.3)
ax.plot([], [], color="grey", lw=1.3, label="theory (lines)")
for lambd, marker, color in ((3.0, "D", "C3"), (0.0, "s", "C0")):
    ax.plot(
        sgd_sizes,
        sgd[lambd],
        marker,
        ms=9,
        mfc="none",
        mec=color,
        mew=2,
        label=rf"notebook's SGD, $\lambda = {lambd:g}$",
    )
ax.axhline(zero_mse, color="black", lw=1, label="zero predictor")
for factor in (2, 10):
    ax.axhline(zero_mse / factor, color="black", lw=0.8, ls="--")
    ax.annotate(
        f"zero predictor / {factor}", (0.85 * max_n, zero_mse / factor), ha="center", va="top"
    )
ax.axvline(d, color="grey", ls=":", lw=1)
ax.set_yscale("log")
ax.set_xlim(0, max_n + 10)
ax.set_xlabel("training examples $n$")
ax.set_ylabel(r"test MSE $\mathbb{E}[(y - \hat y)^2]$ (no $\frac{1}{2}$)")
ax.set_title(f"Learning curves on the notebook's problem (d = {d}, {draws} draws per size)")
ax.legend(fontsize="small", ncol=2, loc="upper right")
fig.tight_layout()

lowest = int(below[min_norm_risk(below, d, **setting).argmin()])
peak = sizes[int(mean["min_norm"].argmax())]
print(f"minimum norm: theory lowest at n = {lowest}; Monte Carlo highest at n = {peak}")
at = {n: float(mean["min_norm"][sizes.index(n)]) for n in (180, 200, 220)}
assert 0.9 * d < lowest < d
assert abs(peak - d) <= 1
assert at[180] < at[200] > at[220]
assert at[200] > zero_mse
assert bool((mean["optimal"] <= 1.02 * mean["min_norm"]).all())

# %%
# Test error against model size
# -----------------------------
# Double descent also appears along the other axis. Fix :math:`n = 100` and let the model use
# only the first :math:`p` features. The other :math:`d - p` true weights then act as extra
# noise, independent of the features the model sees, of variance :math:`(d - p)\,0.01^2`, so the
# same theory applies with :math:`p` features, the norm of the first :math:`p` true weights and
# the larger noise. The minimum-norm fit peaks at :math:`p = n`; with the optimal
# :math:`\lambda` for each :math:`p`, more features never hurt.
n_fixed = 100
near_n = [90, 95, 98, 99, 100, 101, 102, 105, 110]
widths = sorted({*np.geomspace(1, d, 20).round().astype(int).tolist(), *near_n})
X, y = stream_X[:, :n_fixed], stream_y[:, :n_fixed]


def width_setting(p):
    """Norm of the p modelled true weights, and the noise including the d - p left out."""
    return {"w_norm": p**0.5 * true_w, "noise": (sigma**2 + (d - p) * true_w**2) ** 0.5}


by_width = []  # per width: (2, draws), minimum norm and optimal lambda
for p in widths:
    lambd = float(optimal_ridge_lambda(n_fixed, p, **width_setting(p)))
    by_width.append(test_mse(ridge_fits(X[..., :p], y, [0.0, lambd])))
by_width = dict(zip(names[:2], torch.stack(by_width, dim=1), strict=True))

widths_t = torch.tensor(widths, dtype=F64)
width_theory = {
    "min_norm": min_norm_risk(n_fixed, widths_t.clamp(max=n_fixed - 2), **width_setting(widths_t)),
    "optimal": ridge_risk(
        n_fixed,
        widths_t,
        optimal_ridge_lambda(n_fixed, widths_t, **width_setting(widths_t)),
        **width_setting(widths_t),
    ),
}
over = widths_t > n_fixed + 1
width_theory["min_norm"][over] = min_norm_risk(
    n_fixed, widths_t[over], **width_setting(widths_t[over])
)
width_compared = {"min_norm": (widths_t - n_fixed).abs() >= margin, "optimal": widths_t > 0}
width_gap = max(
    float((by_width[name].mean(1) / width_theory[name] - 1).abs()[width_compared[name]].max())
    for name in by_width
)
print(f"model size: worst theory-vs-Monte-Carlo gap {width_gap:.1%}")
assert width_gap < 0.06

p_all = torch.arange(1, d + 1, dtype=F64)
best_by_width = ridge_risk(
    n_fixed,
    p_all,
    optimal_ridge_lambda(n_fixed, p_all, **width_setting(p_all)),
    **width_setting(p_all),
)
assert bool((best_by_width.diff() <= 1e-15).all()), "optimal ridge should improve with p"

fig, ax = plt.subplots(figsize=(7.5, 4.8))
for name in by_width:
    color, label = styles[name]
    low, high = torch.quantile(by_width[name], torch.tensor([0.1, 0.9], dtype=F64), dim=1)
    ax.fill_between(widths, low, high, color=color, alpha=0.15, lw=0)
    ax.plot(widths, by_width[name].mean(1), "o", ms=3.5, color=color, label=f"{label}, Monte Carlo")
for side in (p_all[p_all < n_fixed - 1], p_all[p_all > n_fixed + 1]):
    ax.plot(side, min_norm_risk(n_fixed, side.long(), **width_setting(side)), color="C0", lw=1.3)
ax.plot(p_all, best_by_width, color="C2", lw=1.3, label="theory")
ax.axhline(zero_mse, color="black", lw=1, label="zero predictor")
ax.axvline(n_fixed, color="grey", ls=":", lw=1)
ax.set_yscale("log")
ax.set_xlabel("features used by the model $p$")
ax.set_ylabel(r"test MSE $\mathbb{E}[(y - \hat y)^2]$ (no $\frac{1}{2}$)")
ax.set_title(f"Model-wise double descent at n = {n_fixed} (d = {d}, {draws} draws)")
ax.legend(fontsize="small")
fig.tight_layout()
width_peak = widths[int(by_width["min_norm"].mean(1).argmax())]
print(f"model size: minimum-norm Monte Carlo mean highest at p = {width_peak}")
assert abs(width_peak - n_fixed) <= 1

# %%
# Nakkiran et al.'s Figure 1
# --------------------------
# Nakkiran, Venkat, Kakade & Ma (2020), *Optimal Regularization Can Mitigate Double Descent*,
# open with this experiment: :math:`d = 500`, :math:`\sigma = 0.5`,
# :math:`\lVert\beta^*\rVert = 1`, test risk against :math:`n` for several :math:`\lambda`. Their
# ridge minimizes :math:`\lVert X\beta - y\rVert^2 + \lambda'\lVert\beta\rVert^2`, which is
# :math:`2n` times this package's objective at :math:`\lambda = \lambda'/n` (so the paper's
# :math:`\lambda'` is scikit-learn's ``alpha``). A fixed :math:`\lambda'` is therefore a
# :math:`\lambda` that falls like :math:`1/n` here, and their optimum
# :math:`\lambda'_{\text{opt}} = \sigma^2 d/\lVert\beta^*\rVert^2` is our
# :math:`\lambda_{\text{opt}}` times :math:`n`, the same for every :math:`n`. The curves below
# are theory only; the sections above checked it against Monte Carlo.
#
# The paper's caption makes three claims: unregularized regression is non-monotonic in the
# number of samples, optimally regularized regression is monotonic, and the optimal
# :math:`\lambda'` does not depend on :math:`n`. Our curves agree with all three, and the script
# asserts each, as well as that every other :math:`\lambda'` does worse than the optimum at
# every :math:`n`. Our risk includes the noise :math:`\sigma^2`; this page compares the shapes
# and the claims, not values read off the paper's plot.
paper = {"w_norm": 1.0, "noise": 0.5}
d_paper = 500
n_paper = torch.arange(1, 2 * d_paper + 1)
lambda_opt_paper = n_paper * optimal_ridge_lambda(n_paper, d_paper, **paper)  # lambda' = n lambda
assert torch.allclose(lambda_opt_paper, lambda_opt_paper[0])
lambda_opt_paper = float(lambda_opt_paper[0])
paper_lambdas = [1.0, 10.0, lambda_opt_paper, 1000.0]
paper_curves = {lam: ridge_risk(n_paper, d_paper, lam / n_paper, **paper) for lam in paper_lambdas}

fig, ax = plt.subplots(figsize=(7.5, 4.8))
for side in (n_paper[n_paper < d_paper - 3], n_paper[n_paper > d_paper + 3]):
    label = r"$\lambda' = 0$ (minimum norm)" if side[0] == 1 else None
    ax.plot(side, min_norm_risk(side, d_paper, **paper), color="C0", label=label)
for k, (lam, curve) in enumerate(paper_curves.items(), start=1):
    if lam == lambda_opt_paper:
        ax.plot(n_paper, curve, color="black", lw=2.2, label=rf"$\lambda'_{{opt}} = {lam:g}$")
    else:
        ax.plot(n_paper, curve, color=f"C{k}", lw=1.3, label=rf"$\lambda' = {lam:g}$")
ax.set_ylim(0, 4)
ax.set_xlabel("training examples $n$")
ax.set_ylabel(r"test MSE $\mathbb{E}[(y - \hat y)^2]$ (no $\frac{1}{2}$)")
ax.set_title(
    r"Nakkiran et al. (2020), Fig. 1 setting: $d = 500$, $\sigma = 0.5$, $\|\beta^*\| = 1$"
)
ax.legend(fontsize="small")
fig.tight_layout()

optimal_curve = paper_curves[lambda_opt_paper]
assert bool((optimal_curve.diff() < 0).all()), "optimal ridge should be monotone in n"
path_to_peak = min_norm_risk(torch.tensor([d_paper // 2, d_paper - 2]), d_paper, **paper)
assert path_to_peak[1] > path_to_peak[0], "minimum norm should get worse on the way to n = d"
for lam, curve in paper_curves.items():
    assert bool((optimal_curve <= curve * (1 + 1e-12)).all()), lam
print(
    f"Nakkiran setting: lambda'_opt = {lambda_opt_paper:g} at every n; minimum-norm risk "
    f"{float(path_to_peak[0]):.3g} at n = {d_paper // 2}, {float(path_to_peak[1]):.3g} at "
    f"n = {d_paper - 2}; optimal risk {float(optimal_curve[d_paper - 1]):.3g} at n = d"
)

# %%
# Interpreting the results
# ------------------------
# * On the notebook's problem, 20 examples teach a 200-weight model almost nothing, whatever the
#   penalty: even the best ridge fit is barely better than predicting zero. The best ridge halves
#   the zero predictor's error only from about half of :math:`d` examples on, and divides it by
#   ten only just below :math:`d` (the exact sizes are printed above).
# * Without a penalty, more data can hurt: the minimum-norm fit gets worse on the last stretch
#   before the interpolation threshold :math:`n = d`, where its expected error is infinite, and
#   the same peak appears against the number of features, at :math:`p = n`. The optimal
#   :math:`\lambda` (:func:`~weightdecay.theory.optimal_ridge_lambda`, which falls like
#   :math:`1/n`) removes the peak, as Nakkiran et al. prove for this setting.
# * The book's :math:`\lambda = 3` is far too large for this problem at any size: its fit tends to
#   a quarter of the true weights, so it never halves the zero predictor's error. The notebook's
#   100 epochs of SGD reach that closed form once examples are plentiful; with few examples they
#   do not even get there, because the random start survives.
# * :func:`~weightdecay.theory.min_norm_risk` and :func:`~weightdecay.theory.ridge_risk` give
#   these curves without training anything, and :func:`~weightdecay.ridge.ridge_closed_form`
#   computes the fits themselves. The FAQ :ref:`faq-double-descent` answers "can more data make
#   it worse?", and :ref:`faq-choosing-lambda` explains how to choose :math:`\lambda` when the
#   truth is not known.

# sphinx_gallery_thumbnail_number = 1
