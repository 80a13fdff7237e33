# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
==================================================
L1 versus L2: sparse and dense truths, exact zeros
==================================================

The course notebook trains its model with the L1 penalty :math:`\lambda\lVert w\rVert_1`, not
the book's L2 penalty :math:`\tfrac{\lambda}{2}\lVert w\rVert^2`. Which one should a model use?
This example puts the two side by side on two truths of the same size: a *sparse* one, where 10
of the 200 true weights carry all the signal, and a *dense* one, the notebook's, where every
weight is 0.01. It compares three ways of training:

* L2 (weight decay), which shrinks every weight but sets none to zero;
* L1 by its subgradient, as the notebook does: every step moves each weight by
  :math:`\eta\lambda` towards zero, so the weights that should be zero oscillate around zero and
  never reach it;
* L1 by a proximal step (gradient step on the data loss, then soft-thresholding), which lands on
  exact zeros.

The notebook's own L1 run, and the :math:`\lVert w\rVert` = 0.048 it printed, are the subject
of :ref:`the next part <sphx_glr_auto_examples_plot_08b_l1_oscillation_floor.py>`. Every loss
on this page is the from-scratch trainer's: the mean of :math:`\tfrac12(\hat y - y)^2`.
"""

# %%
# A sparse truth
# --------------
# :func:`~weightdecay.data.make_problem` with ``num_nonzero=10`` sets 10 of the 200 true weights
# to ``true_w`` and the rest to zero. We give those 10 weights the size
# :math:`0.01\sqrt{20}`, so that :math:`\lVert w^*\rVert` is the notebook's,
# :math:`0.01\sqrt{200}`. Finding which 10 of the 200 weights matter takes more than the
# notebook's 20 examples: the compressed-sensing rule of thumb asks for about
# :math:`2k\ln(d/k)` = :val:`plot_08.rule:.1f` examples for :math:`k` non-zero weights out of
# :math:`d`, so we draw :val:`plot_08.n_train`, still far fewer than weights.
#
# To compare *penalties* rather than optimizers, we compute each fit exactly. For L2 the minimizer
# has a closed form, :func:`~weightdecay.ridge.ridge_closed_form`. For L1 it has none: every model
# starts from zero and is trained by full-batch gradient descent (``batch_size = n_train``: one
# epoch is one update) with the step :math:`\eta = 1/L`, where :math:`L` is the largest
# eigenvalue of :math:`X^\top X/n`, for 10,000 epochs, and
# :func:`~weightdecay.path.regularization_path` trains one such model for every :math:`\lambda`
# of a grid at once. On the grid below, these epochs reach the exact L1 solution, with
# the same zeros and within a relative distance of :val:`plot_08.lasso_gap:.0e` (a hidden check
# compares them with scikit-learn's ``Lasso`` at every build); at smaller :math:`\lambda` they
# would need many more.
import math

import torch

from weightdecay.data import make_problem
from weightdecay.evaluate import squared_loss
from weightdecay.path import regularization_path
from weightdecay.ridge import ridge_closed_form

d, k = 200, 10
n = math.ceil(2 * k * math.log(d / k))
sparse = make_problem(n_train=n, num_nonzero=k, true_w=0.01 * math.sqrt(d / k), seed=0)
support = sparse.true_w.flatten() != 0
X = sparse.X_train.double()
lr = 1 / float(torch.linalg.eigvalsh(X.T @ X / n).max())
full_batch = {"lr": lr, "batch_size": n, "num_epochs": 10_000, "eval_every": 10_000}
zero_start = (torch.zeros(d, 1), torch.zeros(1))
grid = torch.logspace(-2.5, 0, 6, dtype=torch.float64)


def fit_grid(problem):
    """Both penalties at every lambda of the grid: {penalty: (W (d, K), b, test losses)}."""
    l1 = regularization_path(
        problem, grid, penalty="l1", l1_update="proximal", initial=zero_start, **full_batch
    )
    l2 = [ridge_closed_form(problem.X_train, problem.y_train, lam) for lam in grid.tolist()]
    l2_test = [squared_loss(problem.X_test @ w + b, problem.y_test).mean() for w, b in l2]
    return {
        "L2": (
            torch.cat([w for w, _ in l2], dim=1),
            torch.stack([b for _, b in l2]),
            torch.stack(l2_test),
        ),
        "L1 proximal": (l1.W, l1.b, l1.final_test_loss),
    }


print(f"n_train = {n}, step 1/L = {lr:.4f}, ||w*|| = {float(sparse.true_w.norm()):.4f}")

# sphinx_gallery_start_ignore
from recorded import record

assert n == round(2 * k * math.log(d / k)), "we draw the rule of thumb's number of examples"
assert abs(float(sparse.true_w.norm()) - 0.01 * math.sqrt(d)) < 1e-6, "the notebook's ||w*||"
record("rule", 2 * k * math.log(d / k))
record("n_train", n)
# sphinx_gallery_end_ignore

# %%
# Three fits
# ----------
# For each penalty we keep the :math:`\lambda` of the grid with the lowest test loss: that
# flatters both equally (in practice :math:`\lambda` is chosen on held-out data, as in
# :ref:`sphx_glr_auto_examples_plot_04_choosing_lambda.py`). The L1 subgradient fit, trained like
# the proximal one, uses the proximal fit's :math:`\lambda`. The table counts the weights that
# are *exactly* zero, the true non-zero weights that the model kept, the largest weight outside
# the true support, and the test loss, next to that of the zero predictor
# (:func:`~weightdecay.evaluate.zero_predictor_loss`: :math:`w = 0`, the mean training label as
# the bias).
from weightdecay.evaluate import zero_predictor_loss
from weightdecay.trainer import train_scratch

sparse_fits = fit_grid(sparse)
best = {penalty: int(test.argmin()) for penalty, (_, _, test) in sparse_fits.items()}
lambd = float(grid[best["L1 proximal"]])
l1_options = {"penalty": "l1", "initial": zero_start, **full_batch}
subgradient = regularization_path(sparse, [lambd], **l1_options)
fits = {  # name: (weights, bias, test loss)
    f"L2, λ = {grid[best['L2']]:.2g}": [v[..., best["L2"]] for v in sparse_fits["L2"]],
    f"L1 subgradient, λ = {lambd:.2g}": [
        v[..., 0] for v in (subgradient.W, subgradient.b, subgradient.final_test_loss)
    ],
    f"L1 proximal, λ = {lambd:.2g}": [
        v[..., best["L1 proximal"]] for v in sparse_fits["L1 proximal"]
    ],
}
columns = {"exact zeros": 12, "support kept": 14, "largest |w| off it": 20, "test loss": 11}
print(f"{'fit':<28}" + "".join(f"{name:>{width}}" for name, width in columns.items()))
for name, (w, _, test) in fits.items():
    kept, off = int((w[support] != 0).sum()), float(w[~support].abs().max())
    print(f"{name:<28}{int((w == 0).sum()):>12}{kept:>11} / {k}{off:>20.2e}{test:>11.2e}")
print(f"{'zero predictor':<75}{zero_predictor_loss(sparse):>11.2e}")

# sphinx_gallery_start_ignore
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso


def lasso_gap(problem, weights):
    """Largest relative distance of the proximal fits to scikit-learn's Lasso (same objective:
    (1/2n)||y - Xw - b||^2 + alpha ||w||_1, alpha = lambda), and whether the zeros are the same."""
    gap, same_zeros = 0.0, True
    for column, lam in enumerate(grid.tolist()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reference = Lasso(alpha=lam, tol=1e-12, max_iter=200_000).fit(
                problem.X_train.double().numpy(), problem.y_train.double().numpy().ravel()
            )
        ref = torch.tensor(reference.coef_)
        w = weights[:, column].double()
        gap = max(gap, float((w - ref).norm() / ref.norm()) if ref.norm() > 0 else float(w.norm()))
        same_zeros &= bool(((w == 0) == (ref == 0)).all())
    return gap, same_zeros


sparse_gap, same_zeros = lasso_gap(sparse, sparse_fits["L1 proximal"][0])
assert sparse_gap < 1e-2, "the proximal fits are the exact L1 solutions"
assert same_zeros, "with exactly the same zeros"
tests = {name: float(test) for name, (_, _, test) in fits.items()}
l2_test, sub_test, prox_test = tests.values()
assert max(sub_test, prox_test) < 0.1 * l2_test, "L1 wins by far on the sparse truth"
for w, _, _ in fits.values():
    assert int((w.flatten()[support] != 0).sum()) == k, "every fit keeps the support"
assert int((subgradient.W == 0).sum()) == 0, "the subgradient fit has no exact zero"
sparse_zeros = int((fits[f"L1 proximal, λ = {lambd:.2g}"][0] == 0).sum())
assert sparse_zeros > d / 2
record("lambda_l1", lambd)
record("lambda_l2", float(grid[best["L2"]]))
record("sparse_l1_test", prox_test)
record("sparse_l2_test", l2_test)
record("sparse_sub_test", sub_test)
record("sparse_zero", zero_predictor_loss(sparse))
record("l2_over_l1", l2_test / prox_test)
record("sparse_zeros", sparse_zeros)
# sphinx_gallery_end_ignore

# %%
# On the sparse truth both L1 fits keep all 10 true weights, and their test loss is
# :val:`plot_08.l2_over_l1:.0f` times lower than the best L2 fit's
# (:val:`plot_08.sparse_l1_test:.2g` against :val:`plot_08.sparse_l2_test:.2g`; the zero
# predictor scores :val:`plot_08.sparse_zero:.2g`). The proximal fit sets
# :val:`plot_08.sparse_zeros` weights exactly to zero; the subgradient fit, none.


# %%
# The coefficients against the truth
# ----------------------------------
# Grey stems are the true weights, dots the learned ones, on the same scale. L2 spreads the signal
# over all 200 weights and keeps each of the true ones well below its size; both L1 fits find the
# 10 true weights, but only the proximal one has exact zeros elsewhere (drawn as hollow circles
# on the axis).
import matplotlib.pyplot as plt

index = torch.arange(d)
fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True, sharey=True, layout="constrained")
for ax, (name, (w, _, _)) in zip(axes, fits.items(), strict=True):
    truth = sparse.true_w.flatten()[support]
    ax.vlines(index[support], 0, truth, color="C7", lw=3, label="true weight")
    ax.plot(index[w != 0], w[w != 0], ".", ms=3, label="learned, non-zero")
    ax.plot(index[w == 0], w[w == 0], "o", ms=4, mfc="none", color="C3", label="exactly 0")
    ax.axhline(0.0, color="black", lw=0.5)
    ax.set(title=name, ylabel="weight")
axes[-1].set_xlabel("feature index")
axes[-1].legend(loc="upper right", fontsize="small")
plt.show()

# sphinx_gallery_start_ignore
(l2_w, _, _), _, (l1_w, _, _) = fits.values()  # for the checks
true_size = float(sparse.true_w.abs().max())
assert float(l2_w[support].abs().max()) < 0.6 * true_size, "L2 keeps the true weights well below"
assert float(l1_w[support].abs().mean()) > 0.8 * true_size, "L1 keeps them closer to their size"
record("true_size", true_size)
record("l2_support_mean", float(l2_w[support].abs().mean()))
record("l2_off_mean", float(l2_w[~support].abs().mean()))
record("l1_support_mean", float(l1_w[support].abs().mean()))
# sphinx_gallery_end_ignore

# %%
# The true weights are :val:`plot_08.true_size:.4f` each. The L2 fit estimates them at
# :val:`plot_08.l2_support_mean:.4f` on average and gives the other 190 weights an average size
# of :val:`plot_08.l2_off_mean:.4f`; the proximal L1 fit estimates them at
# :val:`plot_08.l1_support_mean:.4f`.


# %%
# Subgradient L1 oscillates, the proximal step lands on zero
# ----------------------------------------------------------
# To see single updates we continue both L1 fits from their final weights, one call to
# :func:`~weightdecay.trainer.train_scratch` per update: ``num_epochs=1`` with the full batch is
# exactly one update, and ``initial=`` hands over the weights and bias.
#
# On the weights whose true value is zero, the subgradient step
# :math:`w \leftarrow w - \eta\lambda\,\mathrm{sign}(w) - \eta g` keeps crossing zero: each
# update moves such a weight by :math:`\eta\lambda` plus the data part :math:`\eta g`, which at
# the L1 solution is at most :math:`\eta\lambda` in size and pulls the same way each time, so
# the weight overshoots zero, gets pushed back, and overshoots again. The proximal step first
# takes :math:`w - \eta g` and then soft-thresholds by :math:`\eta\lambda`: anything smaller
# than that becomes exactly zero, and stays there. The plots show four such weights in units of
# :math:`\eta\lambda`.
def continue_updates(w, b, num_updates, **options):
    """The weights after each of ``num_updates`` more full-batch updates: (updates + 1, d)."""
    path, one_update = [w.flatten()], {**full_batch, "num_epochs": 1, "eval_every": 1}
    for _ in range(num_updates):
        start = (w.reshape(d, 1), b.reshape(1))
        step = train_scratch(
            sparse, lambd=lambd, penalty="l1", initial=start, **one_update, **options
        )
        w, b = step.w, step.b
        path.append(w.flatten())
    return torch.stack(path)


(sub_w, sub_b, _), (l1_w, l1_b, _) = list(fits.values())[1:]
subgradient_path = continue_updates(sub_w, sub_b, 30)
proximal_path = continue_updates(l1_w, l1_b, 30, l1_update="proximal")
step = lr * lambd
shown = ((~support) & (l1_w == 0)).nonzero().flatten()[:4]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True, layout="constrained")
paths = {list(fits)[1]: subgradient_path, list(fits)[2]: proximal_path}
for ax, (title, path) in zip(axes, paths.items(), strict=True):
    for j in shown.tolist():
        ax.plot(path[:, j] / step, "o-", ms=3, label=f"w[{j}]")
    ax.axhline(0.0, color="black", lw=0.5)
    ax.set(title=title, xlabel="further update")
axes[0].set_ylabel(r"$w_j\,/\,(\eta\lambda)$")
axes[0].legend(fontsize="small", title="true weight 0")
plt.show()

# sphinx_gallery_start_ignore
null = (~support).nonzero().flatten()
jumps = (subgradient_path[1:, null] - subgradient_path[:-1, null]).abs() / step
flips = (torch.sign(subgradient_path[1:, null]) != torch.sign(subgradient_path[:-1, null])).float()
drift = float((proximal_path - proximal_path[0]).abs().max())
assert float(flips.mean()) > 0.3, "the subgradient weights keep crossing zero"
assert 0.5 < float(jumps.median()) < 2, "by about eta lambda"
assert int((subgradient_path == 0).sum()) == 0, "and are never exactly zero"
assert bool((proximal_path[:, l1_w == 0] == 0).all()), "the proximal zeros stay exactly zero"
assert drift < 0.1 * step, "the proximal fit hardly moves"
record("flip_share", float(flips.mean()))
record("median_jump", float(jumps.median()))
record("proximal_drift", drift / step)
# sphinx_gallery_end_ignore

# %%
# Over these 30 updates the subgradient weights whose true value is zero changed sign in
# :val:`plot_08.flip_share:.0%` of the updates, by a median jump of
# :val:`plot_08.median_jump:.2f` :math:`\eta\lambda`: their "small" values are an oscillation,
# not a solution. The proximal fit moved by at most :val:`plot_08.proximal_drift:.2g`
# :math:`\eta\lambda` per weight, and its zeros stayed exactly zero.

# %%
# A dense truth: L2's turn
# ------------------------
# Now the notebook's truth: every one of the 200 weights is 0.01, with the same number of
# examples, the same noise and the same :math:`\lVert w^*\rVert` as the sparse truth. We fit
# both penalties on the same grid and draw the test loss against :math:`\lambda` for both truths.
dense = make_problem(n_train=n, true_w=0.01, seed=0)
dense_fits = fit_grid(dense)
by_truth = {"sparse truth": (sparse, sparse_fits), "dense truth": (dense, dense_fits)}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
for ax, (truth, (problem, truth_fits)) in zip(axes, by_truth.items(), strict=True):
    for penalty, (_, _, test) in truth_fits.items():
        ax.plot(grid, test, "o-", ms=4, label=penalty)
    ax.axhline(zero_predictor_loss(problem), color="gray", ls="--", label="zero predictor")
    ax.set(xscale="log", yscale="log", xlabel=r"$\lambda$", title=truth)
axes[0].set_ylabel(r"test loss, mean of $\frac{1}{2}(\hat y - y)^2$")
axes[0].legend()
plt.show()

# sphinx_gallery_start_ignore
dense_gap, same_zeros = lasso_gap(dense, dense_fits["L1 proximal"][0])
assert dense_gap < 1e-2, "the proximal fits are the exact L1 solutions"
record("lasso_gap", max(sparse_gap, dense_gap))
assert same_zeros, "with exactly the same zeros"
for truth_fits in (sparse_fits, dense_fits):
    assert int((truth_fits["L1 proximal"][0] != 0).sum(dim=0).max()) <= n, "at most n non-zeros"
dense_l2_test, dense_l1_test = (float(truth[2].min()) for truth in dense_fits.values())
dense_zero = zero_predictor_loss(dense)
assert dense_l2_test < 0.75 * dense_l1_test, "L2 wins on the dense truth"
assert dense_l1_test > 0.85 * dense_zero, "L1 barely beats the zero predictor there"
assert dense_l1_test / dense_l2_test < 0.1 * l2_test / prox_test, "a far smaller margin"
record("dense_l2_test", dense_l2_test)
record("dense_l1_test", dense_l1_test)
record("dense_zero", dense_zero)
record("dense_l1_over_l2", dense_l1_test / dense_l2_test)
# sphinx_gallery_end_ignore

# %%
# On the dense truth L2 wins: its best test loss is :val:`plot_08.dense_l2_test:.3g`, L1's
# :val:`plot_08.dense_l1_test:.3g`, hardly better than the zero predictor's
# :val:`plot_08.dense_zero:.3g`. The margin, a factor of :val:`plot_08.dense_l1_over_l2:.2f`, is
# far smaller than L1's margin of :val:`plot_08.l2_over_l1:.0f` on the sparse truth, but it is
# L2's. With 200 weights of equal size and :val:`plot_08.n_train` examples, no method can find
# all of them: L2 estimates the part of :math:`w^*` that the data can see, shrunk towards zero,
# while L1 spends its budget on a few weights and sets the rest to zero, which in truth are not.

# %%
# Interpreting the results
# ------------------------
# * **On a sparse truth, L1 wins by far**: both L1 fits find the true weights, and their test loss
#   is a small fraction of the best L2 fit's. The reason is the kink of :math:`\lvert w\rvert` at
#   zero: a weight whose data pull is weaker than :math:`\lambda` is held at zero, so the fit
#   spends its weights on the few features that matter. It is not that the Laplace prior of the
#   Bayesian view expects sparse weights: its draws are never exactly zero (see
#   :ref:`explanation-bayesian`).
# * **On a dense truth, L2 wins**: L1 sets to zero weights that matter.
# * **Only the proximal step gives exact zeros**: :func:`~weightdecay.trainer.train_scratch`
#   with ``l1_update="proximal"``, which applies :func:`~weightdecay.penalty.soft_threshold`.
#   The subgradient step, the notebook's, keeps jumping across zero by about :math:`\eta\lambda`.
# * :class:`~weightdecay.penalty.ElasticNet` mixes the two penalties; the FAQ
#   :ref:`faq-l1-or-l2` sums up when to choose which, and
#   :ref:`sphx_glr_auto_examples_plot_08b_l1_oscillation_floor.py` explains the notebook's
#   :math:`\lVert w\rVert` = 0.048 with the subgradient's oscillation.

# %%
# Try it
# ------
# **Question 1.** On the dense truth, none of the 200 true weights is zero. At L1's best
# :math:`\lambda` there, how many of them will the proximal fit set exactly to zero: none, a
# few, or most? Write down a number before you open the answer.
#
# .. answer-start
weights, _, test = dense_fits["L1 proximal"]
zeros = (weights == 0).sum(dim=0)
best_l1 = int(test.argmin())
print(f"exact zeros at the best lambda, {grid[best_l1]:.1g}: {zeros[best_l1]}")
print(f"exact zeros at each lambda of the grid: {zeros.tolist()}")

# sphinx_gallery_start_ignore
dense_zeros = int(zeros[test.argmin()])
assert d / 2 < dense_zeros < d, "most, not all"
assert int(zeros.min()) >= d - n, "at least d - n zeros at every lambda"
record("dense_zeros", dense_zeros)
record("dense_l1_lambda", float(grid[test.argmin()]))
record("d_minus_n", d - n)
# sphinx_gallery_end_ignore

# %%
# Most: :val:`plot_08.dense_zeros` of the 200, at :math:`\lambda` =
# :val:`plot_08.dense_l1_lambda:.1g`, and at least :val:`plot_08.d_minus_n` at every
# :math:`\lambda` of the grid. With fewer examples than weights, an L1 solution has at most
# :math:`n` = :val:`plot_08.n_train` non-zero weights, whatever the truth (for data in general
# position, as here: Tibshirani, 2013, *The lasso problem and uniqueness*). L2 sets none
# to zero, at any :math:`\lambda`: it shrinks every weight by a factor, and a factor never makes a
# non-zero number zero.
#
# .. answer-end

# %%
# **Question 2.** On the sparse truth, the next :math:`\lambda` of the grid is :math:`\sqrt{10}`
# times larger. The proximal fit estimated the 10 true weights at
# :val:`plot_08.l1_support_mean:.4f` on average (their true size is
# :val:`plot_08.true_size:.4f`). At the next :math:`\lambda`, will the average estimate be
# :math:`\sqrt{10}` times smaller, or smaller by about :math:`(\sqrt{10} - 1)\lambda` =
# :val:`plot_08.q2_step:.4f`?
#
# .. answer-start
weights = sparse_fits["L1 proximal"][0][support]
for column in (best["L1 proximal"], best["L1 proximal"] + 1):
    estimate = weights[:, column].abs().mean()
    print(f"lambda {grid[column]:.2g}: average estimate {estimate:.4f}")

# sphinx_gallery_start_ignore
column = best["L1 proximal"]
means = weights[:, column : column + 2].abs().mean(dim=0)
q2_step = float(grid[column + 1] - grid[column])
assert bool((weights[:, column + 1] != 0).all()), "the true weights stay in the model"
assert abs(float(means[0] - means[1]) / q2_step - 1) < 0.25, "smaller by about the step"
record("q2_mean", float(means[1]))
record("q2_shrink", float(means[0] - means[1]))
record("q2_step", q2_step)
# sphinx_gallery_end_ignore

# %%
# Smaller by about :math:`(\sqrt{10} - 1)\lambda`: the average estimate drops by
# :val:`plot_08.q2_shrink:.4f`, to :val:`plot_08.q2_mean:.4f`. The L1 penalty pulls every kept
# weight towards zero by the same amount, about :math:`\lambda` (the features have unit variance
# and are nearly uncorrelated), whatever its size; L2 shrinks each weight by a factor, so a large
# weight loses more. That constant pull biases the kept weights of an L1 fit towards zero by
# about :math:`\lambda`.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
