# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
===============================================
Double descent against model size, and its cure
===============================================

:ref:`sphx_glr_auto_examples_plot_12_how_much_data.py` found a peak of test error where the
number of training examples reaches the number of weights, and saw it vanish with the optimally
tuned penalty. This example looks at the same peak from the other side: with the number of
examples fixed, it grows the model one feature at a time. Then it reproduces the figure of
Nakkiran, Venkat, Kakade & Ma (2020) that proves the cure, on their own setting. As on the
previous page, every number and figure is a test loss on the site's scale, the half squared error
:math:`\tfrac12\,\mathbb E[(y - \hat y)^2]` on a new example, the label noise included, and the
functions of :mod:`weightdecay.theory` are called with ``scale="half"``.
"""

# %%
# Test error against model size
# -----------------------------
# The data are the notebook's problem without the bias: :math:`d = 200` features
# :math:`x \sim \mathcal N(0, I)`, every true weight 0.01, label noise :math:`\sigma = 0.01`.
# We draw 200 training sets of :math:`n = 100` examples and let the model use only the first
# :math:`p` features. The other :math:`d - p` true weights then act as extra noise, independent
# of the features the model sees, of variance :math:`(d - p)\,0.01^2`, so the theory of
# :func:`~weightdecay.theory.min_norm_risk` and :func:`~weightdecay.theory.ridge_risk` applies
# with :math:`p` features, the norm of the first :math:`p` true weights and the larger noise.
#
# Each model is fitted by ridge in this package's convention, which minimizes
# :math:`\frac1{2n}\lVert y - Xw\rVert^2 + \frac\lambda2\lVert w\rVert^2`, once with
# :math:`\lambda = 0` (the minimum-norm least-squares fit, where gradient descent started from
# zero ends) and once with the optimal :math:`\lambda` for its :math:`p`. Its test loss needs no
# test set: for :math:`x \sim \mathcal N(0, I)` it is exactly
# :math:`\tfrac12(\sigma^2 + \lVert w - w^*\rVert^2)`, where the features left out count with
# weight 0.
import numpy as np
import torch

from weightdecay import min_norm_risk, optimal_ridge_lambda, ridge_risk

d, true_w, sigma, n, draws = 200, 0.01, 0.01, 100, 200
F64 = torch.float64
generator = torch.Generator().manual_seed(0)
w_star = torch.full((d, 1), true_w, dtype=F64)
X = torch.randn(draws, n, d, generator=generator, dtype=F64)
y = X @ w_star + sigma * torch.randn(draws, n, 1, generator=generator, dtype=F64)
zero_loss = (d * true_w**2 + sigma**2) / 2  # the zero predictor's test loss


def ridge_fit(X, y, lambd):
    """Minimize (1/(2n))||y - Xw||^2 + (lambd/2)||w||^2 for each training set of the batch,
    through the smaller of the two linear systems (the dual one when n <= p)."""
    p = X.shape[-1]
    if n <= p:
        gram = X @ X.mT + n * lambd * torch.eye(n, dtype=F64)
        return X.mT @ torch.cholesky_solve(y, torch.linalg.cholesky(gram))
    gram = X.mT @ X + n * lambd * torch.eye(p, dtype=F64)
    return torch.cholesky_solve(X.mT @ y, torch.linalg.cholesky(gram))


def test_loss(w):
    """Exact expected test loss, 1/2 (y - y_hat)^2, of weights w (..., p, 1) on the first p
    features; the true weights of the others count in full."""
    p = w.shape[-2]
    return (sigma**2 + (w - w_star[:p]).pow(2).sum((-2, -1)) + w_star[p:].pow(2).sum()) / 2


def width_setting(p):
    """Norm of the p modelled true weights, and the noise including the d - p left out."""
    return {"w_norm": p**0.5 * true_w, "noise": (sigma**2 + (d - p) * true_w**2) ** 0.5}


near_n = [90, 95, 98, 99, 100, 101, 102, 105, 110]
widths = sorted({*np.geomspace(1, d, 20).round().astype(int).tolist(), *near_n})
fits = {"min_norm": [], "optimal": []}  # per width, the test loss of each draw's fit
for p in widths:
    lambd = float(optimal_ridge_lambda(n, p, **width_setting(p)))
    fits["min_norm"].append(test_loss(ridge_fit(X[..., :p], y, 0.0)))
    fits["optimal"].append(test_loss(ridge_fit(X[..., :p], y, lambd)))
monte_carlo = {name: torch.stack(values) for name, values in fits.items()}  # (widths, draws)

p_all = torch.arange(1, d + 1, dtype=F64)
below, above = p_all[p_all < n - 1], p_all[p_all > n + 1]
lambda_by_width = optimal_ridge_lambda(n, p_all, **width_setting(p_all))
best_by_width = ridge_risk(n, p_all, lambda_by_width, **width_setting(p_all), scale="half")
print(f"zero predictor: test loss {zero_loss:.4f}")
for p in (50, 90, 100, 110, 200):
    i = widths.index(p)
    print(
        f"p = {p:>3}: minimum norm {monte_carlo['min_norm'][i].mean():.3g}, "
        f"optimal lambda {monte_carlo['optimal'][i].mean():.3g} (Monte Carlo means)"
    )

# sphinx_gallery_start_ignore
from recorded import record

widths_t = torch.tensor(widths, dtype=F64)
theory = {
    "min_norm": min_norm_risk(
        n, widths_t.clamp(max=n - 2), **width_setting(widths_t), scale="half"
    ),
    "optimal": best_by_width[widths_t.long() - 1],
}
over = widths_t > n + 1
theory["min_norm"][over] = min_norm_risk(
    n, widths_t[over], **width_setting(widths_t[over]), scale="half"
)
compared = {"min_norm": (widths_t - n).abs() >= 20, "optimal": widths_t > 0}
width_gap = max(
    float((monte_carlo[name].mean(1) / theory[name] - 1).abs()[compared[name]].max())
    for name in monte_carlo
)
assert width_gap < 0.06, f"theory and Monte Carlo differ by {width_gap:.1%}"
assert bool((best_by_width.diff() <= 1e-15).all()), "optimal ridge no longer improves with p"
width_peak = widths[int(monte_carlo["min_norm"].mean(1).argmax())]
assert abs(width_peak - n) <= 1, "the peak is no longer at p = n"
record("width_gap", width_gap)
record("width_peak", width_peak)
record("best_p_all", float(best_by_width[-1]))
record("min_norm_at_n", float(monte_carlo["min_norm"][widths.index(n)].mean()))
# sphinx_gallery_end_ignore

# %%
# The minimum-norm fit's test loss peaks at :math:`p =` :val:`plot_12b.width_peak`, where the
# model has exactly as many weights as examples (a mean of :val:`plot_12b.min_norm_at_n:.3g`
# there, far above the zero predictor's). With the optimal :math:`\lambda` for each :math:`p`,
# more features never hurt: with all 200 the expected test loss is
# :val:`plot_12b.best_p_all:.2g`. Over the widths compared (those within 20 of :math:`n` left
# out for the minimum norm, whose expectation is infinite near the peak), the Monte Carlo means
# and the theory differ by at most :val:`plot_12b.width_gap:.1%`.
import matplotlib.pyplot as plt

styles = {
    "min_norm": ("C0", r"minimum norm ($\lambda \to 0$)"),
    "optimal": ("C2", r"optimal $\lambda$ for each $p$"),
}
fig, ax = plt.subplots(figsize=(7.5, 4.8))
for name, (color, label) in styles.items():
    low, high = torch.quantile(monte_carlo[name], torch.tensor([0.1, 0.9], dtype=F64), dim=1)
    ax.fill_between(widths, low, high, color=color, alpha=0.15, lw=0)
    legend = f"{label}, Monte Carlo"
    ax.plot(widths, monte_carlo[name].mean(1), "o", ms=3.5, color=color, label=legend)
for side in (below, above):
    risk = min_norm_risk(n, side.long(), **width_setting(side), scale="half")
    ax.plot(side, risk, color="C0")
ax.plot(p_all, best_by_width, color="C2", label="theory")
ax.axhline(zero_loss, color="black", lw=1, label="zero predictor")
ax.axvline(n, color="grey", ls=":", lw=1)
ax.set(yscale="log", xlabel="features used by the model $p$")
ax.set_ylabel(r"test loss $\frac{1}{2}\mathbb{E}[(y - \hat y)^2]$")
ax.set_title(f"Model-wise double descent at n = {n} (d = {d}, {draws} draws)")
ax.legend(fontsize="small")
fig.tight_layout()

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
# are theory only; the figure above and the previous page checked it against Monte Carlo.
#
# The paper's caption makes three claims: unregularized regression is non-monotonic in the
# number of samples, optimally regularized regression is monotonic, and the optimal
# :math:`\lambda'` does not depend on :math:`n`. Our curves agree with all three, and every other
# :math:`\lambda'` does worse than the optimum at every :math:`n`. Our curves are half squared
# errors with the noise included, so this page compares the shapes and the claims, not values
# read off the paper's plot.
paper = {"w_norm": 1.0, "noise": 0.5}
paper_half = {**paper, "scale": "half"}  # the risks as half squared errors
d_paper = 500
n_paper = torch.arange(1, 2 * d_paper + 1)
lambda_opt = n_paper * optimal_ridge_lambda(n_paper, d_paper, **paper)  # lambda' = n lambda
print(f"lambda'_opt from {lambda_opt.min():.6g} to {lambda_opt.max():.6g}, n = 1 ... 1000")
lambda_opt = float(lambda_opt[0])
paper_lambdas = [1.0, 10.0, lambda_opt, 1000.0]
curves = {  # lambda' -> the test loss against n
    lam: ridge_risk(n_paper, d_paper, lam / n_paper, **paper_half) for lam in paper_lambdas
}

fig, ax = plt.subplots(figsize=(7.5, 4.8))
for side in (n_paper[n_paper < d_paper - 3], n_paper[n_paper > d_paper + 3]):
    label = r"$\lambda' = 0$ (minimum norm)" if side[0] == 1 else None
    risk = min_norm_risk(side, d_paper, **paper_half)
    ax.plot(side, risk, color="C0", label=label)
for k, (lam, curve) in enumerate(curves.items(), start=1):
    if lam == lambda_opt:
        ax.plot(n_paper, curve, color="black", lw=2.2, label=rf"$\lambda'_{{opt}} = {lam:g}$")
    else:
        ax.plot(n_paper, curve, color=f"C{k}", lw=1.3, label=rf"$\lambda' = {lam:g}$")
ax.set(ylim=(0, 2), xlabel="training examples $n$")
ax.set_ylabel(r"test loss $\frac{1}{2}\mathbb{E}[(y - \hat y)^2]$")
ax.set_title(
    r"Nakkiran et al. (2020), Fig. 1 setting: $d = 500$, $\sigma = 0.5$, $\|\beta^*\| = 1$"
)
ax.legend(fontsize="small")
fig.tight_layout()

# sphinx_gallery_start_ignore
optimal_curve = curves[lambda_opt]
assert bool((optimal_curve.diff() < 0).all()), "optimal ridge is no longer monotone in n"
to_peak = min_norm_risk(torch.tensor([d_paper // 2, d_paper - 2]), d_paper, **paper_half)
assert to_peak[1] > to_peak[0], "minimum norm no longer gets worse on the way to n = d"
for lam, curve in curves.items():
    assert bool((optimal_curve <= curve * (1 + 1e-12)).all()), f"lambda' = {lam} beats the optimum"
record("lambda_opt", lambda_opt)
record("paper_min_norm_half", float(to_peak[0]))
record("paper_min_norm_near", float(to_peak[1]))
record("paper_optimal_at_d", float(optimal_curve[d_paper - 1]))
# sphinx_gallery_end_ignore

# %%
# The optimum is :math:`\lambda'_{\text{opt}} =` :val:`plot_12b.lambda_opt:g` at every
# :math:`n`. Without a penalty the test loss rises from :val:`plot_12b.paper_min_norm_half:.3g`
# at :math:`n = 250` to :val:`plot_12b.paper_min_norm_near:.3g` at :math:`n = 498`, two examples
# short of :math:`d`; with the optimal penalty it is :val:`plot_12b.paper_optimal_at_d:.3g` at
# :math:`n = d`.

# %%
# Interpreting the results
# ------------------------
# * Without a penalty, a bigger model can be worse: the minimum-norm fit peaks where the number
#   of features reaches the number of examples, :math:`p = n`, just as it peaks at :math:`n = d`
#   when the examples grow. In both directions the fit must interpolate its examples with barely
#   enough weights, and amplifies the noise in the directions that the data hardly determine.
# * The optimal :math:`\lambda` (:func:`~weightdecay.theory.optimal_ridge_lambda`) removes the
#   peak along both axes: more features and more examples never hurt, as Nakkiran et al. prove
#   for isotropic data. In their convention (and scikit-learn's ``alpha``) the optimum does not
#   depend on :math:`n`; in this package's, it falls like :math:`1/n`.
# * A fixed penalty is not enough in general: too small and a bump remains near the threshold,
#   too large and the fit stays biased however many examples arrive.
# * The FAQ :ref:`faq-double-descent` answers "can more data make it worse?".

# %%
# Try it
# ------
# **Question 1.** In the model-wise experiment, a model that uses only :math:`p = 50` of the 200
# features sees the other 150 true weights as noise. What noise standard deviation does it see,
# compared with the labels' :math:`\sigma = 0.01`? Write down a number.
#
# .. answer-start
print(f"p = 50: noise standard deviation {width_setting(50)['noise']:.4f}")

# sphinx_gallery_start_ignore
record("q1_noise", width_setting(50)["noise"])
record("q1_ratio", width_setting(50)["noise"] / sigma)
# sphinx_gallery_end_ignore

# %%
# :val:`plot_12b.q1_noise:.3f`, :math:`\sqrt{\sigma^2 + 150 \times 0.01^2}`,
# :val:`plot_12b.q1_ratio:.0f` times the labels' noise: every feature left out adds the variance
# of :math:`x_j w^*_j` to the noise. A model that is too small pays in *noise*, not only in
# bias: this is why the optimal :math:`\lambda` for small :math:`p` is large.
#
# .. answer-end

# %%
# **Question 2.** In Nakkiran et al.'s setting, take a penalty over ten times smaller than the
# optimum, :math:`\lambda' = 10` (one of the curves above). Does its test loss still fall at
# every :math:`n`, or is some of the peak left?
#
# .. answer-start
small = curves[10.0]
rises = small.diff() > 0
print(
    f"lambda' = 10: the test loss rises at {int(rises.sum())} steps n -> n + 1, "
    f"from n = {int(n_paper[:-1][rises][0])} to {int(n_paper[:-1][rises][-1]) + 1}"
)

# sphinx_gallery_start_ignore
assert bool(rises.any()), "lambda' = 10 no longer has a bump"
rise_from, rise_to = int(n_paper[:-1][rises][0]), int(n_paper[:-1][rises][-1]) + 1
assert int(rises.sum()) == rise_to - rise_from, "the rise is no longer one stretch"
record("q2_rise_from", rise_from)
record("q2_rise_to", rise_to)
record("q2_bump", float(small[rise_to - 1] / small[rise_from - 1]))
# sphinx_gallery_end_ignore

# %%
# Some of the peak is left: the test loss rises from :math:`n =` :val:`plot_12b.q2_rise_from` to
# :val:`plot_12b.q2_rise_to`, by up to :val:`plot_12b.q2_bump:.2f` times its value where the rise
# starts. A penalty that is too small damps the noise amplification near :math:`n = d` only
# partly. Only the optimal one, or one close to it, makes more data always help.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
