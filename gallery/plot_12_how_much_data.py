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
book's :math:`\lambda = 3` never learns much, however many examples it gets. The same peak
against the size of the model is the subject of
:ref:`sphx_glr_auto_examples_plot_12b_double_descent.py`.
"""

# %%
# The problem and the scale of the losses
# ---------------------------------------
# The data are the notebook's: :math:`d = 200` features :math:`x \sim \mathcal N(0, I)`, every
# true weight 0.01, label noise :math:`\sigma = 0.01`. Every number and figure on this page is a
# test loss on the site's scale, the **half squared error**
# :math:`\tfrac12\,\mathbb E[(y - \hat y)^2]` on a new example, the label noise included: the
# scale of :func:`~weightdecay.trainer.train_scratch`'s losses. The functions of
# :mod:`weightdecay.theory` return the mean squared error, twice as large, unless they are called
# with ``scale="half"``, as here.
#
# The baseline is the *zero predictor* (:math:`w = 0`, the right bias), whose test loss is
# :math:`\tfrac12(\lVert w^*\rVert^2 + \sigma^2)`: a model has learned something only below it.
# The theory and the Monte Carlo fits leave out the bias (the model without intercept). The
# notebook's model also learns an unpenalized bias; for a closed-form fit that multiplies the
# expected test loss by :math:`1 + 1/n` and takes away one example (``tests/test_theory.py``
# checks this with :func:`~weightdecay.ridge.ridge_closed_form`).
import math

import torch

from weightdecay import min_norm_risk, optimal_ridge_lambda, ridge_risk

d, true_w, sigma = 200, 0.01, 0.01
w_norm = math.sqrt(d) * true_w
setting = {"w_norm": w_norm, "noise": sigma}
half = {**setting, "scale": "half"}  # the theory's risks as half squared errors
zero_loss = (w_norm**2 + sigma**2) / 2
print(f"zero predictor: test loss {zero_loss:.4f} (half squared error)")
print(f"optimal lambda at n = 20: {optimal_ridge_lambda(20, d, **setting):.3g}")

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
# :math:`x \sim \mathcal N(0, I)` the test loss of weights :math:`w` is exactly
# :math:`\tfrac12(\sigma^2 + \lVert w - w^*\rVert^2)`.
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
noise = sigma * torch.randn(draws, max_n, 1, generator=generator, dtype=F64)
stream_y = stream_X @ w_star + noise


def ridge_fits(X, y, lambdas):
    """Minimize (1/(2n))||y - Xw||^2 + (lambd/2)||w||^2 for each training set of the batch and
    each lambd >= 0: weights of shape (len(lambdas), draws, d, 1)."""
    n = X.shape[-2]
    dual = n <= d  # solve the smaller of the two systems
    gram, rhs = (X @ X.mT, y) if dual else (X.mT @ X, X.mT @ y)
    eye = torch.eye(gram.shape[-1], dtype=F64)
    fits = []
    for lambd in lambdas:
        factor = torch.linalg.cholesky(gram + n * lambd * eye)  # L L^T = gram + n lambd I
        solution = torch.cholesky_solve(rhs, factor)
        fits.append(X.mT @ solution if dual else solution)
    return torch.stack(fits)


def test_loss(w):
    """Exact expected test loss, 1/2 (y - y_hat)^2, of weights w (..., d, 1)."""
    return (sigma**2 + (w - w_star).pow(2).sum((-2, -1))) / 2


def best_lambda(n):
    return float(optimal_ridge_lambda(n, d, **setting))


names = ["min_norm", "optimal", "book"]
near_peak = [180, 190, 195, 198, 199, 200, 201, 202, 205, 210, 220]
sizes = sorted({*np.geomspace(1, max_n, 20).round().astype(int).tolist(), *near_peak})
losses = [  # per size: (3, draws), the test loss of every fit
    test_loss(ridge_fits(stream_X[:, :n], stream_y[:, :n], [0.0, best_lambda(n), 3.0]))
    for n in sizes
]
# name -> the test losses of its fits, (sizes, draws)
monte_carlo = dict(zip(names, torch.stack(losses, dim=1), strict=True))
mean = {name: values.mean(1) for name, values in monte_carlo.items()}

sizes_t = torch.tensor(sizes)
defined = (sizes_t - d).abs() > 1  # where the minimum-norm expectation is finite
theory = {
    "min_norm": torch.full((len(sizes),), math.inf, dtype=F64),
    "optimal": ridge_risk(sizes_t, d, optimal_ridge_lambda(sizes_t, d, **setting), **half),
    "book": ridge_risk(sizes_t, d, 3.0, **half),
}
theory["min_norm"][defined] = min_norm_risk(sizes_t[defined], d, **half)

# %%
# How close the theory is
# -----------------------
# The table compares the Monte Carlo mean with the theory at some of the sizes (test losses,
# half squared errors). Away from the peak the minimum-norm formula is exact, so its gaps are
# sampling error. Close to :math:`d` its expectation is infinite or nearly so and a mean over 200
# draws says little, so the sizes within 20 of :math:`d` are left out of its comparison. The
# ridge formula is a large-:math:`d` limit, so its gaps add that approximation to the sampling
# error. Over all the sizes compared, the largest gap is :val:`plot_12.worst_gap:.1%`.
print(f"{'n':>5}" + "".join(f"{name + ': MC / theory':>26}" for name in names))
for i, n in enumerate(sizes):
    if i % 3 == 0 or n in near_peak[::2]:
        cells = [f"{mean[name][i]:.3g} / {theory[name][i]:.3g}" for name in names]
        print(f"{n:>5}" + "".join(f"{cell:>26}" for cell in cells))

# sphinx_gallery_start_ignore
from recorded import record

compared = {"min_norm": (sizes_t - d).abs() >= 20, "optimal": defined | ~defined}
compared["book"] = compared["optimal"]
gaps = {name: (mean[name] / theory[name] - 1).abs().where(compared[name], 0) for name in names}
for name in names:  # the gap and the Monte Carlo standard error there, for a failure message
    i = int(gaps[name].argmax())
    error = float(monte_carlo[name][i].std() / math.sqrt(draws) / mean[name][i])
    assert float(gaps[name][i]) < 0.06, (
        f"{name}: gap {gaps[name][i]:.1%} at n = {sizes[i]} ({error:.1%})"
    )
record("worst_gap", max(float(gap.max()) for gap in gaps.values()))
# sphinx_gallery_end_ignore

# %%
# How many examples until learning pays?
# --------------------------------------
# With the best :math:`\lambda` at every size, the theory falls monotonically with :math:`n`, so
# the sizes at which it first beats the zero predictor by a factor 2 and by a factor 10 are well
# defined: :val:`plot_12.n_half` and :val:`plot_12.n_tenth` examples. At the notebook's 20 the
# best fit's test loss is still :val:`plot_12.best_at_20:.0%` of the zero predictor's. The
# book's :math:`\lambda = 3` never gets there: as :math:`n \to \infty` its fit tends to
# :math:`w^*/(1 + \lambda)`, a quarter of the truth, whose test loss
# :math:`\tfrac12\big(\sigma^2 + \lVert w^*\rVert^2\lambda^2/(1 + \lambda)^2\big)` is
# :val:`plot_12.book_limit:.3g`, only :val:`plot_12.book_gain:.2f` times better than the zero
# predictor.
all_sizes = torch.arange(1, max_n + 1)
best_curve = ridge_risk(all_sizes, d, optimal_ridge_lambda(all_sizes, d, **setting), **half)
targets = {}
for factor in (2, 10):
    n = targets[factor] = int(all_sizes[best_curve <= zero_loss / factor][0])
    check = test_loss(ridge_fits(stream_X[:, :n], stream_y[:, :n], [best_lambda(n)])).mean()
    print(
        f"{factor:>2}x better than the zero predictor from n = {n}: optimal lambda "
        f"{best_lambda(n):.3g}, test loss {float(best_curve[n - 1]):.3g} "
        f"(Monte Carlo {float(check):.3g})"
    )

# sphinx_gallery_start_ignore
book_limit = (sigma**2 + w_norm**2 * 3.0**2 / (1 + 3.0) ** 2) / 2
assert bool((best_curve.diff() < 0).all()), "the optimally tuned risk no longer falls with n"
assert best_curve[19] > 0.8 * zero_loss, "n = 20 is no longer barely better than zero"
assert 0.4 * d < targets[2] < 0.6 * d < 0.9 * d < targets[10] < d
assert bool((ridge_risk(all_sizes, d, 3.0, **half) > zero_loss / 2).all()), "lambda = 3 halves"
assert book_limit > zero_loss / 2
record("n_half", targets[2])
record("n_tenth", targets[10])
record("best_at_20", float(best_curve[19]) / zero_loss)
record("book_limit", book_limit)
record("book_gain", zero_loss / book_limit)
# sphinx_gallery_end_ignore

# %%
# The notebook's own training
# ---------------------------
# The closed forms are where training would end. The notebook's run is 100 epochs of minibatch
# SGD (batches of 5, :math:`\eta = 0.003`) from :math:`\mathcal N(0, 1)` weights, with the bias
# learned too. We run it with :math:`\lambda = 3` and :math:`\lambda = 0` at the notebook's
# size, at the two sizes found above and at :math:`4d`, on two data seeds each. Its test loss
# (here on 2,000 test examples) is on the same scale as the theory's; it agrees with the exact
# expected loss of the trained model,
# :math:`\tfrac12(\sigma^2 + \lVert w - w^*\rVert^2 + (b - b^*)^2)`, to within
# :val:`plot_12.sgd_check:.0%`.
from weightdecay import make_problem, train_scratch

sgd_sizes = [20, targets[2], targets[10], max_n]
sgd = {3.0: [], 0.0: []}  # lambda -> per size, the mean test loss over the seeds
# sphinx_gallery_start_ignore
sgd_gaps = []  # |test set's loss / exact expected loss - 1| of every run
# sphinx_gallery_end_ignore
for lambd, means in sgd.items():
    for n in sgd_sizes:
        seeds = []
        for seed in (0, 1):
            problem = make_problem(n_train=n, n_test=2000, seed=seed)
            run = train_scratch(problem, lambd=lambd, seed=seed, eval_every=100)
            seeds.append(run.history.test_loss[-1])

            # sphinx_gallery_start_ignore
            exact = (sigma**2 + float((run.w - problem.true_w).pow(2).sum())) / 2
            exact += (float(run.b) - problem.true_b) ** 2 / 2
            sgd_gaps.append(abs(seeds[-1] / exact - 1))
            # sphinx_gallery_end_ignore

        means.append(float(np.mean(seeds)))
        closed = ridge_risk(n, d, lambd, **half) if lambd else min_norm_risk(n, d, **half)
        print(
            f"SGD, lambda = {lambd:g}, n = {n:>3}: test loss {means[-1]:.3g}; "
            f"closed-form fit at the same lambda: {float(closed):.3g}"
        )

# sphinx_gallery_start_ignore
assert max(sgd_gaps) < 0.15, "the test set's loss no longer matches the exact expected loss"
record("sgd_check", max(sgd_gaps))
n = sgd_sizes[-1]  # with 4d examples, SGD lands on the closed forms
assert abs(sgd[3.0][-1] / float(ridge_risk(n, d, 3.0, **half)) - 1) < 0.1
assert abs(sgd[0.0][-1] / float(min_norm_risk(n, d, **half)) - 1) < 0.1
assert sgd[3.0][0] > 2 * float(ridge_risk(20, d, 3.0, **half)), "the start no longer survives"
assert all(loss > 0.5 for loss in sgd[0.0][:3]), "lambda = 0 no longer fails below n = d"
for factor, n in targets.items():
    sgd_loss = sgd[3.0][sgd_sizes.index(n)]
    assert sgd_loss > float(best_curve[n - 1]), "the book's SGD run beats the best ridge"
    record(f"sgd_book_{factor}", sgd_loss)
    record(f"sgd_book_{factor}_over_best", sgd_loss / float(best_curve[n - 1]))
record("sgd_zero_20", sgd[0.0][0])
# sphinx_gallery_end_ignore

# %%
# At :math:`n =` :val:`plot_12.n_half`, the book's run ends at a test loss of
# :val:`plot_12.sgd_book_2:.3g`, :val:`plot_12.sgd_book_2_over_best:.1f` times the best ridge
# fit's; at :val:`plot_12.n_tenth`, :val:`plot_12.sgd_book_10_over_best:.1f` times. At
# :math:`\lambda = 0` and 20 examples it ends at :val:`plot_12.sgd_zero_20:.3g`.

# %%
# Learning curves
# ---------------
# Monte Carlo means (dots) with a band holding the middle 80% of the draws, the theory as lines,
# the notebook's SGD runs as large open markers, all as test losses on a log scale; the dashed
# lines mark the factors 2 and 10 below the zero predictor. The minimum-norm fit (blue) improves
# until shortly before :math:`n = d` (its theory is lowest at :math:`n =`
# :val:`plot_12.lowest_min_norm`), then gets *worse* with more data up to :math:`n = d`, where
# it must interpolate exactly as many examples as it has weights, and recovers beyond: double
# descent. The optimally tuned ridge (green) falls at every step. The book's
# :math:`\lambda = 3` (red) stays near the zero predictor at every size. SGD at
# :math:`\lambda = 0` keeps its random start in the directions that the examples do not reach,
# so below :math:`n = d` its test loss is far above every other curve; with :math:`4d` examples
# both SGD runs land on their closed-form counterparts.
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
    ax.plot(side, min_norm_risk(side, d, **half), color="C0", lw=1.3)
ax.plot(all_sizes, best_curve, color="C2", lw=1.3)
ax.plot(all_sizes, ridge_risk(all_sizes, d, 3.0, **half), color="C3", lw=1.3)
ax.plot([], [], color="grey", lw=1.3, label="theory (lines)")
for lambd, marker, color in ((3.0, "D", "C3"), (0.0, "s", "C0")):
    label = rf"notebook's SGD, $\lambda = {lambd:g}$"
    ax.plot(sgd_sizes, sgd[lambd], marker, ms=9, mfc="none", mec=color, mew=2, label=label)
ax.axhline(zero_loss, color="black", lw=1, label="zero predictor")
for factor in (2, 10):
    ax.axhline(zero_loss / factor, color="black", lw=0.8, ls="--")
    where = (0.85 * max_n, zero_loss / factor)
    ax.annotate(f"zero predictor / {factor}", where, ha="center", va="top")
ax.axvline(d, color="grey", ls=":", lw=1)
ax.set(yscale="log", xlim=(0, max_n + 10), xlabel="training examples $n$")
ax.set_ylabel(r"test loss $\frac{1}{2}\mathbb{E}[(y - \hat y)^2]$")
ax.set_title(f"Learning curves on the notebook's problem (d = {d}, {draws} draws per size)")
ax.legend(fontsize="small", ncol=2, loc="upper right")
fig.tight_layout()

# sphinx_gallery_start_ignore
lowest = int(below[min_norm_risk(below, d, **half).argmin()])
peak = sizes[int(mean["min_norm"].argmax())]
at = {n: float(mean["min_norm"][sizes.index(n)]) for n in (180, 200, 220)}
assert 0.9 * d < lowest < d, "the minimum-norm theory is no longer lowest shortly before d"
assert abs(peak - d) <= 1, "the Monte Carlo peak is no longer at n = d"
assert at[180] < at[200] > at[220], "no peak"
assert at[200] > zero_loss, "the peak is no longer above the zero predictor"
assert bool((mean["optimal"] <= 1.02 * mean["min_norm"]).all()), "optimal ridge loses"
record("lowest_min_norm", lowest)
# sphinx_gallery_end_ignore

# %%
# Interpreting the results
# ------------------------
# * On the notebook's problem, 20 examples teach a 200-weight model almost nothing, whatever the
#   penalty: even the best ridge fit is barely better than predicting zero. The best ridge halves
#   the zero predictor's test loss only from about half of :math:`d` examples on, and divides it
#   by ten only just below :math:`d`.
# * Without a penalty, more data can hurt: the minimum-norm fit gets worse on the last stretch
#   before the interpolation threshold :math:`n = d`, where its expected error is infinite. The
#   optimal :math:`\lambda` (:func:`~weightdecay.theory.optimal_ridge_lambda`, which falls like
#   :math:`1/n`) removes the peak, as Nakkiran et al. prove for this setting
#   (:ref:`sphx_glr_auto_examples_plot_12b_double_descent.py` reproduces their figure, and the
#   same peak against the number of features).
# * The book's :math:`\lambda = 3` is far too large for this problem at any size: its fit tends to
#   a quarter of the true weights, so it never halves the zero predictor's test loss. The
#   notebook's 100 epochs of SGD reach that closed form once examples are plentiful; with few
#   examples they do not even get there, because the random start survives.
# * :func:`~weightdecay.theory.min_norm_risk` and :func:`~weightdecay.theory.ridge_risk` give
#   these curves without training anything (as mean squared errors by default, as half squared
#   errors with ``scale="half"``), and :func:`~weightdecay.ridge.ridge_closed_form` computes the
#   fits themselves. The FAQ :ref:`faq-double-descent` answers "can more data make it worse?",
#   and :ref:`faq-choosing-lambda` explains how to choose :math:`\lambda` when the truth is not
#   known.

# %%
# Try it
# ------
# **Question 1.** The book's :math:`\lambda = 3` is far too large for labels with noise
# :math:`\sigma = 0.01`. For which noise level :math:`\sigma` would it be the optimal penalty at
# the notebook's :math:`n = 20`? Write down a number.
#
# .. answer-start
sigma_book = math.sqrt(3.0 * 20 * w_norm**2 / d)  # sigma^2 d / (n ||w*||^2) = 3
print(
    f"sigma = {sigma_book:.4f}: optimal lambda "
    f"{optimal_ridge_lambda(20, d, w_norm=w_norm, noise=sigma_book):.3g}"
)

# sphinx_gallery_start_ignore
record("q1_sigma", sigma_book)
record("q1_ratio", sigma_book**2 / sigma**2)
# sphinx_gallery_end_ignore

# %%
# :math:`\sigma =` :val:`plot_12.q1_sigma:.3f`, from
# :math:`\lambda_{\text{opt}} = \sigma^2 d/(n\lVert w^*\rVert^2) = 3`. That is a noise variance
# :val:`plot_12.q1_ratio:.0f` times the notebook's. The right amount of decay measures how much
# the labels can be trusted against how large the weights are expected to be (the prior of
# :ref:`explanation-bayesian`); a value copied from another problem carries that problem's noise
# with it.
#
# .. answer-end

# %%
# **Question 2.** With the best :math:`\lambda` at every size, it takes
# :val:`plot_12.n_half` examples to halve the zero predictor's test loss. How many would it take
# with true weights ten times larger (0.1), the noise unchanged? And ten times smaller (0.001)?
#
# .. answer-start
halving = {}
for factor in (10.0, 0.1):
    other = {"w_norm": factor * w_norm, "noise": sigma}
    lambdas = optimal_ridge_lambda(all_sizes, d, **other)
    curve = ridge_risk(all_sizes, d, lambdas, **other, scale="half")
    zero = ((factor * w_norm) ** 2 + sigma**2) / 2
    halving[factor] = int(all_sizes[curve <= zero / 2][0])
    print(f"true weights {factor * true_w:g}: halved from n = {halving[factor]}")

# sphinx_gallery_start_ignore
assert abs(halving[10.0] - targets[2]) <= 5, "no longer about the same for larger weights"
assert halving[0.1] > 2 * d, "no longer far more for smaller weights"
record("q2_large", halving[10.0])
record("q2_small", halving[0.1])
# sphinx_gallery_end_ignore

# %%
# About the same for weights of 0.1, :val:`plot_12.q2_large` examples, but
# :val:`plot_12.q2_small` for weights of 0.001. While the signal
# :math:`\lVert w^*\rVert^2` is far above the noise :math:`\sigma^2 = 10^{-4}` (it is 0.02 on
# the notebook's problem, 2 with weights of 0.1), what limits learning is the part of
# :math:`w^*` that :math:`n` examples cannot see, :math:`\lVert w^*\rVert^2(1 - n/d)`: it falls
# to half at :math:`n = d/2`, whatever the size of the weights. With weights of 0.001,
# :math:`\lVert w^*\rVert^2 = 2\times 10^{-4}` is only twice the noise variance, and the
# examples must also average the noise away: that takes more examples than weights.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
