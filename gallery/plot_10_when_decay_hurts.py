# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
"""
=====================================================
When weight decay hurts: large true weights
=====================================================

Weight decay pulls every weight towards zero. That helps when the weights the model would
otherwise keep are noise, and it hurts when the true weights are large: then the pull is a
*bias*. The notebook's answer to "does weight decay backfire when the best weights are large?"
was "no"; this example measures the opposite.

We sweep :math:`\\lambda` for the book's problem with true weights 0.01 and with true weights 1.0,
over several seeds, split the test error into bias² and variance, and then repeat the
comparison with the closed-form ridge solution on enough data to learn all 200 weights, where
the trade-off appears in its textbook form. Every loss on this page is the from-scratch
trainer's half squared error :math:`\\tfrac12(\\hat y - y)^2`, averaged over the examples.
"""

# %%
# A sweep over λ, two truths
# --------------------------
# Everything else is the notebook's setting: 20 training examples, 200 features, L2 penalty,
# :math:`\eta = 0.003`, batches of 5, 100 epochs from :math:`\mathcal N(0, 1)` weights. Seed ``s``
# is used both for the data (``make_problem(seed=s)``) and for training.
#
# The two truths give losses on very different scales, so each run's test loss is divided by
# that of the *zero predictor* on the same data, :func:`~weightdecay.evaluate.zero_predictor_loss`
# (:math:`w = 0`, and the mean training label as the bias; its expected half squared error is
# :math:`\tfrac12(\lVert w^*\rVert^2 + \sigma^2)(1 + 1/n)`). A ratio of 1 does as well as
# predicting the mean label, above 1 worse, and 0 would be perfect.
import numpy as np
import torch

from weightdecay.data import make_problem
from weightdecay.evaluate import zero_predictor_loss
from weightdecay.trainer import train_scratch

seeds = range(4)
lambdas = np.logspace(-1, 2, 7)
truths = (0.01, 1.0)
sigma = 0.01  # make_problem's default label noise
d = 200
runs = {}  # (true_w, lambd) -> one TrainResult per seed
baseline = {}  # true_w -> the zero predictor's test loss, one per seed
for true_w in truths:
    problems = [make_problem(true_w=true_w, seed=s) for s in seeds]
    baseline[true_w] = np.array([zero_predictor_loss(problem) for problem in problems])
    for lambd in [0.0, *lambdas]:
        runs[true_w, float(lambd)] = [
            train_scratch(problem, lambd=float(lambd), seed=s, eval_every=100)
            for s, problem in enumerate(problems)
        ]


def test_losses(true_w, lambd):
    return np.array([run.history.test_loss[-1] for run in runs[true_w, float(lambd)]])


def relative(true_w, lambd):
    """Median over the seeds of the test loss over the zero predictor's, on the same data."""
    return float(np.median(test_losses(true_w, lambd) / baseline[true_w]))


best, at_best, at_zero, at_largest = {}, {}, {}, {}
for true_w in truths:
    medians = [relative(true_w, lam) for lam in lambdas]
    best[true_w] = float(lambdas[int(np.argmin(medians))])
    at_best[true_w], at_zero[true_w] = min(medians), relative(true_w, 0.0)
    at_largest[true_w] = medians[-1]
    zero = np.median(baseline[true_w])
    print(
        f"true_w = {true_w:g}: zero predictor's test loss {zero:.3g} (half squared error, "
        f"median); test loss / zero predictor's (median): {at_zero[true_w]:.4g} at 0, "
        f"lowest {at_best[true_w]:.3g} at lambda = {best[true_w]:.3g}, "
        f"{at_largest[true_w]:.3g} at lambda = {lambdas[-1]:g}"
    )

# sphinx_gallery_start_ignore
from recorded import record

assert at_zero[0.01] > 1000, "lambda = 0 is no longer orders of magnitude worse"
assert 0.7 < at_best[0.01] < 1.1, "the best lambda no longer gets to about the zero predictor"
assert best[0.01] > best[1.0], "the best lambda no longer smaller for the large truth"
assert 1.6 < at_zero[1.0] / at_best[1.0] < 2.6, "no longer about two"
assert 0.6 < at_best[1.0] < 0.95, "no longer only somewhat below the zero predictor"
assert 1.05 * at_best[1.0] < at_largest[1.0] < 1.02, "no longer climbs back to the zero predictor"
record("best_small", best[0.01])
record("best_large", best[1.0])
record("best_ratio", best[0.01] / best[1.0])
record("at_zero_small", at_zero[0.01])
record("at_best_small", at_best[0.01])
record("gain_large", at_zero[1.0] / at_best[1.0])
record("at_best_large", at_best[1.0])
record("below_zero_large", 1 - at_best[1.0])
# sphinx_gallery_end_ignore

# %%
# Where the minimum lies
# ----------------------
# With small true weights the test loss falls by orders of magnitude as :math:`\lambda` grows,
# from :val:`plot_10.at_zero_small:.3g` times the zero predictor's at :math:`\lambda = 0` (median
# over the seeds) down to :val:`plot_10.at_best_small:.2f` times, and no further: shrinking to
# zero costs almost nothing when the truth is almost zero, and 20 examples cannot learn 200
# weights of 0.01 better than that. With true weights 1.0 the minimum sits at a smaller
# :math:`\lambda`, :val:`plot_10.best_large:.2g` against :val:`plot_10.best_small:.3g`, and beyond
# it the loss climbs back towards the zero predictor's. There, decay at its best divides the
# test loss of :math:`\lambda = 0` by :val:`plot_10.gain_large:.2f`, but ends only
# :val:`plot_10.below_zero_large:.0%` below the zero predictor: with 20 examples for 200 weights,
# no :math:`\lambda` learns much of :math:`w^*`.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
for j, (ax, true_w) in enumerate(zip(axes, truths, strict=True)):
    ratios = np.array([test_losses(true_w, lam) / baseline[true_w] for lam in lambdas])
    median = np.median(ratios, axis=1)
    ax.plot(lambdas, median, "o-", color=f"C{j}", label="median over seeds")
    ax.fill_between(
        lambdas,
        ratios.min(axis=1),
        ratios.max(axis=1),
        color=f"C{j}",
        alpha=0.2,
        label="min to max",
    )
    ax.axhline(at_zero[true_w], color=f"C{j}", ls=":", label=r"$\lambda = 0$ (median)")
    ax.axhline(1.0, color="black", lw=0.8, label="zero predictor")
    ax.axvline(best[true_w], color="C7", ls="--", lw=0.8)
    ax.set_xscale("log")
    # Orders of magnitude for the small truth; a factor of two for the large one.
    ax.set_yscale("log" if true_w < 0.1 else "linear")
    ax.set_xlabel(r"$\lambda$ (L2 penalty)")
    ax.set_title(f"true weights {true_w:g}")
axes[0].legend(fontsize="small", loc="lower left")
axes[1].legend(fontsize="small", loc="upper right", bbox_to_anchor=(1, 0.92))
axes[0].set_ylabel("test loss / zero predictor's, after 100 epochs")
fig.tight_layout()

# %%
# Bias² and variance
# ------------------
# For test inputs :math:`x \sim \mathcal N(0, I)` the expected half squared error of a model
# :math:`(w, b)` is :math:`\tfrac12(\lVert w - w^*\rVert^2 + (b - b^*)^2 + \sigma^2)`. Two things
# make the trained model differ from the truth:
#
# * **variance** from the random start: the models trained from different
#   :math:`\mathcal N(0, 1)` starts differ, mostly in the 180 directions that 20 examples never
#   see and that only the decay shrinks;
# * **bias²**: the error of the model averaged over starts, which contains the shrinkage towards
#   zero and the part of :math:`w^*` in the unseen directions (averaged over the data seeds, so it
#   also holds the small variation from one data set to the next).
#
# Their sum (black) predicts the test loss: over the sweep,
# :math:`\tfrac12(\text{bias}^2 + \text{variance} + \sigma^2)` is
# :val:`plot_10.predicted_low:.2f` to :val:`plot_10.predicted_high:.2f` times the mean measured
# test loss.
#
# The average over starts does not need many runs: for the L2 penalty every update is an affine
# function of :math:`(w, b)`, so the final weights are an affine function of the start, and
# their mean over :math:`w_0 \sim \mathcal N(0, 1)` is the run started from :math:`w_0 = 0` with
# the same batches. (The mean of the runs from :math:`w_0` and :math:`-w_0` differs from the run
# from zero by at most :val:`plot_10.affine_gap:.0e` in any weight.)


def decompose(true_w, lambd):
    """Mean bias^2 and variance from the start over the data seeds, and the median test loss
    of the runs from w0 = 0 (divided by the zero predictor's)."""
    bias2, variance, from_zero = [], [], []
    for s, run in zip(seeds, runs[true_w, float(lambd)], strict=True):
        problem = make_problem(true_w=true_w, seed=s)
        start = (torch.zeros(d, 1), torch.zeros(1))
        mean = train_scratch(problem, lambd=lambd, seed=s, initial=start, eval_every=100)
        error_w = (mean.w - problem.true_w).pow(2).sum()
        bias2.append(float(error_w + (mean.b - problem.true_b).pow(2).sum()))
        variance.append(float((run.w - mean.w).pow(2).sum() + (run.b - mean.b).pow(2).sum()))
        from_zero.append(mean.history.test_loss[-1] / baseline[true_w][s])
    return np.mean(bias2), np.mean(variance), np.median(from_zero)


decomposed = {}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
for ax, true_w in zip(axes, truths, strict=True):
    parts = decomposed[true_w] = np.array([decompose(true_w, lam) for lam in lambdas])
    ax.loglog(lambdas, parts[:, 0], "o-", color="C3", label="bias²")
    ax.loglog(lambdas, parts[:, 1], "s-", color="C0", label="variance (start)")
    ax.loglog(lambdas, parts[:, :2].sum(axis=1), color="black", lw=1, label="sum")
    ax.axhline(d * true_w**2, color="C7", ls="--", label=r"$\|w^*\|^2$")
    ax.set_xlabel(r"$\lambda$")
    ax.set_ylabel(r"squared error $\|w - w^*\|^2 + (b - b^*)^2$")
    ax.set_title(f"true weights {true_w:g}")
    ax.legend(fontsize="small")
fig.tight_layout()

# sphinx_gallery_start_ignore
from weightdecay.model import init_params

check_problem = make_problem(true_w=1.0, seed=0)
w0, b0 = (t.detach() for t in init_params(d, generator=torch.Generator().manual_seed(0)))
plus = train_scratch(check_problem, lambd=3.0, initial=(w0, b0))
minus = train_scratch(check_problem, lambd=3.0, initial=(-w0, b0))
zero_run = train_scratch(check_problem, lambd=3.0, initial=(torch.zeros(d, 1), b0))
gap = float(((plus.w + minus.w) / 2 - zero_run.w).abs().max())
assert gap < 1e-5, "the final weights are no longer affine in the start"
record("affine_gap", gap)

ratios = []
for true_w, parts in decomposed.items():
    predicted = 0.5 * (parts[:, :2].sum(axis=1) + sigma**2)
    measured = np.array([test_losses(true_w, lam).mean() for lam in lambdas])
    ratios += list(predicted / measured)
    assert parts[0, 0] > 0.8 * d * true_w**2, "bias^2 no longer near ||w*||^2 at small lambda"
    assert abs(parts[-1, 0] / (d * true_w**2) - 1) < 0.05, "nor ||w*||^2 at the largest"
assert 0.8 < min(ratios) <= max(ratios) < 1.25, "the decomposition no longer predicts the loss"
record("predicted_low", min(ratios))
record("predicted_high", max(ratios))
small_share = decomposed[0.01][0, 0] / (d * 0.01**2)
record("bias_share_small", small_share)
record("bias_share_large", decomposed[1.0][0, 0] / d)
assert np.allclose(decomposed[0.01][:, 1], decomposed[1.0][:, 1], rtol=1e-3), "variance differs"
record("variance_gap", float(np.max(np.abs(decomposed[0.01][:, 1] / decomposed[1.0][:, 1] - 1))))
# sphinx_gallery_end_ignore


# %%
# What the decomposition says
# ---------------------------
# The variance is the same in both panels (to a relative :val:`plot_10.variance_gap:.0e`): it
# comes from the start, the data's features and the batches, none of which depends on
# :math:`w^*`. The decay removes it. The bias² is what differs. Even at
# :math:`\lambda = 0.1` it is already :val:`plot_10.bias_share_small:.0%` and
# :val:`plot_10.bias_share_large:.0%` of :math:`\lVert w^*\rVert^2` (dashed), because 20
# examples show only 20 of the 200 directions of :math:`w^*`, and it grows to
# :math:`\lVert w^*\rVert^2` as the decay shrinks the part that *was* learned. That growth is
# negligible when the true weights are 0.01 and costs real test loss when they are 1.0.
# So the best :math:`\lambda` is where the falling variance meets the bias: with a small truth the
# variance can be pushed almost to zero for free, with a large truth the decay must stop early.
#
# Because most of :math:`w^*` is invisible to 20 examples, the book's problem shows this
# trade-off only faintly. It takes its textbook form on data in which every weight can be
# learned.


# %%
# Ridge in closed form, with enough data
# --------------------------------------
# The objective that :func:`~weightdecay.trainer.train_scratch` with the L2 penalty minimizes,
# :math:`\tfrac{1}{2n}\lVert Xw + b - y\rVert^2 + \tfrac{\lambda}{2}\lVert w\rVert^2`, has its
# minimum at
#
# .. math::
#
#    w_\lambda = (C + \lambda I)^{-1} \tfrac1n X_c^\top y_c, \qquad
#    b_\lambda = \bar y - \bar x^\top w_\lambda, \qquad C = \tfrac1n X_c^\top X_c ,
#
# with :math:`X_c, y_c` the centred data. Because :math:`w_\lambda` is linear in :math:`y`, its
# bias is what it returns for noise-free labels :math:`Xw^* + b^*`, and its variance over the
# label noise is, with :math:`C = V\,\mathrm{diag}(s)\,V^\top`,
# :math:`\tfrac{\sigma^2}{n}\sum_i s_i/(s_i + \lambda)^2` for the weights plus
# :math:`\tfrac{\sigma^2}{n}\big(1 + \sum_i (V^\top\bar x)_i^2\, s_i/(s_i + \lambda)^2\big)`
# for the intercept. One eigendecomposition per data set gives every :math:`\lambda` at once. We
# use 400 training examples (twice the number of weights), 1000 test examples and 10 data seeds,
# and divide the losses by the zero predictor's (its mean over the 10 data sets). The expected
# test loss agrees with the one measured on the test sets of the actual fits: their ratio lies
# between :val:`plot_10.ridge_check_low:.3f` and :val:`plot_10.ridge_check_high:.3f` over all
# :math:`\lambda`. For a Gaussian prior :math:`w_i \sim \mathcal N(0, \tau^2)` the best
# :math:`\lambda` is :math:`\sigma^2 / (n\tau^2)` (see :ref:`explanation-bayesian`); the figure
# marks it, with :math:`\tau` equal to the true weight.
def ridge_bias_variance(problem, lambdas, sigma=sigma):
    """Exact bias^2 and noise variance of the ridge fit on one data set, for every lambda."""
    X = problem.X_train.double()
    n = X.shape[0]
    x_mean = X.mean(0)
    Xc = X - x_mean
    s, V = torch.linalg.eigh(Xc.T @ Xc / n)
    s = s.clamp(min=0.0)[:, None]
    lam = torch.as_tensor(lambdas, dtype=X.dtype)[None, :]
    y = X @ problem.true_w.double() + problem.true_b  # noise-free labels: the mean fit
    w = V @ ((V.T @ (Xc.T @ (y - y.mean()) / n)) / (s + lam))
    b = y.mean() - x_mean @ w
    bias2 = (w - problem.true_w.double()).pow(2).sum(0) + (b - problem.true_b).pow(2)
    spread = s / (s + lam) ** 2
    intercept = 1 + ((V.T @ x_mean)[:, None] ** 2 * spread).sum(0)
    variance = sigma**2 / n * (spread.sum(0) + intercept)
    return bias2, variance


n_big = 400
big = {"n_train": n_big, "n_test": 1000}
fine = np.logspace(-8, 2, 51)
harmless, share_at_three, totals, zero_losses = {}, {}, {}, {}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for ax, true_w in zip(axes, truths, strict=True):
    problems = [make_problem(true_w=true_w, **big, seed=s) for s in range(10)]
    zero_loss = float(np.mean([zero_predictor_loss(problem) for problem in problems]))
    parts = [ridge_bias_variance(problem, fine) for problem in problems]
    bias2, variance = (torch.stack(part).mean(0).numpy() for part in zip(*parts, strict=True))
    total = 0.5 * (bias2 + variance + sigma**2)
    ax.loglog(fine, total / zero_loss, color="black", label="expected test loss")
    ax.loglog(fine, 0.5 * bias2 / zero_loss, color="C3", ls="--", label="bias² part")
    ax.loglog(fine, 0.5 * variance / zero_loss, color="C0", ls=":", label="variance part")
    bayes = sigma**2 / (n_big * true_w**2)
    ax.axvline(bayes, color="C2", lw=0.8, label=r"$\sigma^2/(n\tau^2)$")
    ax.set_xlabel(r"$\lambda$")
    ax.set_title(f"ridge, n = {n_big}, true weights {true_w:g}")
    ax.legend(fontsize="small", loc="lower right")
    at_three = float(np.interp(np.log(3.0), np.log(fine), total))
    share_at_three[true_w] = at_three / zero_loss
    harmless[true_w] = float(fine[total <= 1.1 * total.min()].max())
    totals[true_w], zero_losses[true_w] = total, zero_loss
    print(
        f"ridge, true_w = {true_w:g}: best lambda {fine[np.argmin(total)]:.2g}; expected "
        f"test loss / zero predictor's: {total[0] / zero_loss:.3g} at lambda = {fine[0]:g}, "
        f"{total.min() / zero_loss:.3g} at the best, {share_at_three[true_w]:.3g} at 3"
    )
axes[0].set_ylabel("expected test loss / zero predictor's")
fig.tight_layout()

# sphinx_gallery_start_ignore
grid_step = float(np.log10(fine[1] / fine[0]))  # decades between neighbouring lambdas


def measured_loss(problem, lambd):
    """Test loss of the ridge fit to the actual (noisy) labels, solved directly."""
    X, y = problem.X_train.double(), problem.y_train.double()
    x_mean = X.mean(0)
    Xc = X - x_mean
    gram = Xc.T @ Xc / n_big + lambd * torch.eye(d, dtype=X.dtype)
    w = torch.linalg.solve(gram, Xc.T @ (y - y.mean()) / n_big)
    residual = problem.X_test.double() @ w + (y.mean() - x_mean @ w) - problem.y_test.double()
    return 0.5 * float(residual.pow(2).mean())


check_ratios = []
for true_w, total in totals.items():
    bayes = sigma**2 / (n_big * true_w**2)
    best_fine = float(fine[int(np.argmin(total))])
    assert abs(np.log10(best_fine / bayes)) <= grid_step, "the optimum is off sigma^2/(n tau^2)"
    assert total[0] < 1.1 * total.min(), "no decay at all is no longer nearly optimal"
    assert np.interp(np.log(3.0), np.log(fine), total) > 10 * total[0], "lambda = 3 is fine"
    assert 0.4 < share_at_three[true_w] < 0.8
    problems = [make_problem(true_w=true_w, **big, seed=s) for s in range(10)]
    for k in range(0, len(fine), 5):
        measured = np.mean([measured_loss(problem, fine[k]) for problem in problems])
        check_ratios.append(measured / total[k])
assert 0.9 < min(check_ratios) <= max(check_ratios) < 1.1, "the formulas miss the measured loss"
assert harmless[0.01] > harmless[1.0], "the harmless range no longer shrinks with the weights"
assert abs(share_at_three[0.01] - share_at_three[1.0]) < 0.05, "no longer the same for both"
record("ridge_check_low", min(check_ratios))
record("ridge_check_high", max(check_ratios))
record("harmless_small", harmless[0.01])
record("harmless_large", harmless[1.0])
record("harmless_ratio", harmless[0.01] / harmless[1.0])
record("share_at_three", share_at_three[1.0])
record("share_at_three_small", share_at_three[0.01])
# sphinx_gallery_end_ignore

# %%
# Interpreting the results
# ------------------------
# * Weight decay trades variance for bias, and the price of the bias grows with the size of the
#   true weights. The best :math:`\lambda` is therefore smaller when the true weights are large:
#   :val:`plot_10.best_ratio:.3g` times smaller in the sweep with
#   :func:`weightdecay.trainer.train_scratch`, and for ridge with enough data the measured
#   optimum agrees with :math:`\sigma^2/(n\tau^2)`, which falls with the square of the weights,
#   to within one step of the grid.
# * A :math:`\lambda` chosen for small weights is harmful for large ones. With 400 examples the
#   decay stays harmless (within 10% of the best expected test loss) up to
#   :math:`\lambda =` :val:`plot_10.harmless_small:.2g` for true weights 0.01, but only up to
#   :val:`plot_10.harmless_large:.2g` for true weights 1.0. At the book's :math:`\lambda = 3`
#   the expected test loss is still :val:`plot_10.share_at_three:.2f` times the zero
#   predictor's, about the same for either truth, while no decay at all would be nearly optimal.
# * In the book's own setting decay still beats :math:`\lambda = 0` for both truths, because its
#   main job there is to erase the random start in the directions that 20 examples never see:
#   that is variance, and it is the same whatever :math:`w^*` is. What depends on :math:`w^*` is how
#   far :math:`\lambda` can go before the bias takes over. Neither truth is learned from 20
#   examples: the best :math:`\lambda` ends near the zero predictor's test loss.
# * The corrected FAQ answer is :ref:`faq-large-weights`; the penalty is
#   :func:`weightdecay.penalty.l2_penalty`, and :ref:`explanation-bayesian` derives the best
#   :math:`\lambda` from a Gaussian prior.

# %%
# Try it
# ------
# **Question 1.** Go back to the book's setting (20 examples, 100 epochs) with true weights 1.0,
# but start every run from :math:`w = 0` instead of the :math:`\mathcal N(0, 1)` start. Which
# :math:`\lambda` of the sweep gives the lowest test loss now, and does the decay still help?
# Commit to a guess before you open the answer.
#
# .. answer-start
#
# ``decompose`` above already trained these runs: they are the means over starts.
from_zero = decomposed[1.0][:, 2]
print("true weights 1, start 0: test loss / zero predictor's")
for lambd, ratio in zip(lambdas, from_zero, strict=True):
    print(f"lambda = {lambd:5.3g}: {ratio:.3f}")

# sphinx_gallery_start_ignore
assert np.argmin(from_zero) == 0, "the smallest lambda is no longer the best from zero"
assert from_zero[0] < at_best[1.0], "the zero start no longer beats the best decay"
assert bool((np.diff(from_zero) > 0).all()), "no longer rising with lambda"
record("q1_first_large", from_zero[0])
record("q1_last_large", from_zero[-1])
# sphinx_gallery_end_ignore

# %%
# The smallest :math:`\lambda` of the sweep, and the decay does not help: from :math:`w = 0` the
# test loss only rises with :math:`\lambda`, from :val:`plot_10.q1_first_large:.2f` to
# :val:`plot_10.q1_last_large:.2f` times the zero predictor's. A run from zero is the mean over
# starts, so it has no variance from the start: its error is the bias² (plus the tiny label
# noise). In the book's setting the decay was paid for by the variance of the
# :math:`\mathcal N(0, 1)` start; without it, only the cost of the shrinkage is left. Even the
# smallest :math:`\lambda` from zero beats the best that any :math:`\lambda` reached from the
# :math:`\mathcal N(0, 1)` start, :val:`plot_10.at_best_large:.2f` times the zero predictor's.
#
# .. answer-end

# %%
# **Question 2.** Ridge with 400 examples, as in the last figure, but with true weights 0.1.
# Which :math:`\lambda` gives the lowest expected test loss? Write down a number.
#
# .. answer-start
middle = [make_problem(true_w=0.1, **big, seed=s) for s in range(3)]
parts = [ridge_bias_variance(problem, fine) for problem in middle]
# bias^2 + variance, summed over the data sets: the expected loss, up to 1/2 and sigma^2
error = sum(bias2 + variance for bias2, variance in parts)
print(f"best lambda on the grid: {fine[int(error.argmin())]:.2g}")
print(f"sigma^2 / (n tau^2) = {sigma**2 / (n_big * 0.1**2):.2g}")

# sphinx_gallery_start_ignore
q2_best = float(fine[int(error.argmin())])
assert abs(np.log10(q2_best / (sigma**2 / (n_big * 0.1**2)))) <= grid_step, "off the formula"
record("q2_best", q2_best)
# sphinx_gallery_end_ignore

# %%
# :math:`\sigma^2/(n\tau^2) = 10^{-4}/(400 \times 0.01) = 2.5 \times 10^{-5}`, and the grid's
# best value is :val:`plot_10.q2_best:.2g`. The best :math:`\lambda` falls with the square of
# the weights: ten times larger weights than the notebook's, a hundred times less decay. It also
# falls with :math:`n` and grows with the noise :math:`\sigma^2`: decay is worth more when the
# data say less.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1

# sphinx_gallery_start_ignore
# Values the FAQ and explanation pages cite (docs/faq/large-weights.md), computed here on their
# own: the spread of the ridge fit at lambda = 3 with n = 20, over the label noise alone (a fixed
# design X) and over random designs, for true weights 0.01 and 1.0.
import torch
from recorded import record


def _ridge_fits(true_w, X, noise):
    """The ridge fits at lambda = 3, one per design and noise draw (dual form: n x n solves)."""
    n, d = X.shape[-2:]
    y = X @ torch.full((d, 1), true_w, dtype=X.dtype) + 0.05 + noise
    Xc, yc = X - X.mean(-2, keepdim=True), y - y.mean(-2, keepdim=True)
    gram = Xc @ Xc.transpose(-1, -2) / n + 3.0 * torch.eye(n, dtype=X.dtype)
    return Xc.transpose(-1, -2) @ torch.linalg.solve(gram, yc / n)


def _spread(fits):
    """The mean squared distance of the fits from their mean, E||w - E w||^2."""
    return float((fits - fits.mean(0)).pow(2).sum((-2, -1)).mean())


def _values_for_the_faq(draws=400, n=20, d=200, sigma=0.01):
    gen = torch.Generator().manual_seed(0)
    designs = torch.randn(draws, n, d, generator=gen, dtype=torch.float64)
    noise = sigma * torch.randn(draws, n, 1, generator=gen, dtype=torch.float64)
    fixed = designs[:1].expand(draws, n, d)  # one design, only the label noise drawn again
    share, spread = {}, {}
    for true_w in (0.01, 1.0):
        share[true_w] = _spread(_ridge_fits(true_w, designs, noise)) / (d * true_w**2)
        spread[true_w] = _spread(_ridge_fits(true_w, fixed, noise))
    assert 0.03 < share[0.01] < 0.08, "over designs, no longer about 5% of ||w*||^2"
    assert abs(share[1.0] / share[0.01] - 1) < 0.1, "the share no longer the same for both truths"
    assert abs(spread[1.0] / spread[0.01] - 1) < 1e-6, "the fixed design's spread depends on w*"
    assert spread[1.0] < 0.01 * share[0.01] * d * 0.01**2, (
        "the noise alone no longer moves it little"
    )
    record("random_x_share_small", share[0.01])
    record("random_x_share_large", share[1.0])
    record("fixed_x_spread", spread[0.01])


_values_for_the_faq()
# sphinx_gallery_end_ignore
