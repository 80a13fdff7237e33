# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
===============================================
SGD against the closed-form ridge solution
===============================================

With the L2 penalty, the from-scratch loss is a strictly convex function of the weights, and its
minimizer, the ridge solution, has a closed form: :func:`~weightdecay.ridge.ridge_closed_form`.
This page compares the notebook's SGD with it along the regularization path of :ref:`the
previous tutorial <sphx_glr_auto_examples_plot_04_choosing_lambda.py>`, and measures three
reasons why the two differ: the part of the random start that the data never sees decays only
as :math:`(1 - \eta\lambda)^T`; SGD with a constant learning rate keeps moving around the
minimizer instead of settling on it; and the unpenalized bias takes its own time, which on this
draw of the data happens to help the test loss. It ends with the closed form's own best
:math:`\lambda`. Every loss is the mean of :math:`\tfrac12(\hat y - y)^2`.
"""

# %%
# The start decays as :math:`(1 - \eta\lambda)^T`
# ------------------------------------------------
# The closed form minimizes
# :math:`\frac{1}{2n}\sum_i (x_i^\top w + b - y_i)^2 + \frac{\lambda}{2}\lVert w\rVert^2`, the
# objective whose minibatch gradients SGD follows. The data's gradient lies in the
# 20-dimensional row space of :math:`X_{\text{train}}`; in the other 180 directions only the
# penalty acts, multiplying the weights by :math:`1 - \eta\lambda` at every update. After
# :math:`T` updates that part of the :math:`\mathcal N(0, 1)` start is
#
# .. math::
#
#     \lVert (I - P)\,w_T\rVert = (1 - \eta\lambda)^T\,\lVert (I - P)\,w_0\rVert ,
#
# while the closed form has no such part at all. We train the path for the notebook's 100
# epochs (:math:`T = 400` updates) and for 2000 epochs, and draw the formula alone as dashed
# lines.
import matplotlib.pyplot as plt
import torch

from weightdecay.data import make_problem
from weightdecay.evaluate import evaluate_loss, zero_predictor_loss
from weightdecay.path import regularization_path
from weightdecay.ridge import ridge_closed_form

problem = make_problem(seed=0)
baseline = zero_predictor_loss(problem)
lr = 0.003  # the notebook's learning rate, the default
grid = torch.logspace(-3, 2.5, 56, dtype=torch.float64)  # the previous tutorial's grid
paths = {
    epochs: regularization_path(problem, grid, num_epochs=epochs, eval_every=100)
    for epochs in (100, 2000)
}
closed = [ridge_closed_form(problem.X_train, problem.y_train, float(lam)) for lam in grid]
closed_norm = torch.tensor([float(w.norm()) for w, _ in closed])
closed_test = torch.tensor(
    [
        evaluate_loss(lambda X, w=w, b=b: X @ w + b, problem.X_test, problem.y_test)
        for w, b in closed
    ]
)

Q, _ = torch.linalg.qr(problem.X_train.T)  # orthonormal basis of the row space
w0 = paths[100].initial[0]  # the start that every column shares
null0 = float((w0 - Q @ (Q.T @ w0)).norm())
print(f"part of the start outside the row space: ||(I - P) w0|| = {null0:.2f}")

fig, (ax_norm, ax_test) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
x = grid.tolist()
for (epochs, path), color in zip(paths.items(), ("C0", "C2"), strict=True):
    predicted = null0 * (1 - lr * grid) ** (4 * epochs)
    ax_norm.plot(x, path.w_norm, color=color, label=f"SGD, {epochs} epochs")
    ax_norm.plot(
        x, predicted, "--", color=color, lw=1, label=rf"$(1-\eta\lambda)^{{{4 * epochs}}}$"
    )
    ax_test.plot(x, path.final_test_loss, color=color, label=f"SGD, {epochs} epochs")
ax_norm.plot(x, closed_norm, color="k", lw=2, alpha=0.5, label="closed form (ridge)")
ax_test.plot(x, closed_test, color="k", lw=2, alpha=0.5, label="closed form (ridge)")
ax_test.axhline(baseline, color="k", linestyle=":", linewidth=1.5, label="baseline: predict w = 0")
for ax, ylabel in (
    (ax_norm, "||w||"),
    (ax_test, r"test loss, mean of $\frac{1}{2}(\hat y - y)^2$"),
):
    ax.set(xscale="log", yscale="log", xlabel="lambda", ylabel=ylabel)
    ax.legend(fontsize="small")
ax_norm.set_ylim(closed_norm.min() / 3, 2 * null0)
ax_norm.set_title("norm: SGD meets the closed form once the start has decayed")
ax_test.set_title("test loss")
plt.show()

# sphinx_gallery_start_ignore
from recorded import record


def meeting_point(sgd_norm, tolerance=0.1):
    """The smallest lambda at which ||w|| comes within 10% of the closed form's."""
    close = (sgd_norm - closed_norm).abs() <= tolerance * closed_norm
    return float(grid[close][0])


for epochs, path in paths.items():
    predicted = null0 * (1 - lr * grid) ** (4 * epochs)
    dominates = predicted > 10 * closed_norm
    deviation = float((path.w_norm[dominates] / predicted[dominates] - 1).abs().max())
    assert deviation < 0.05, "the formula no longer predicts ||w|| where the start dominates"
    record(f"meet_{epochs}", meeting_point(path.w_norm))
    record(f"deviation_{epochs}", deviation)
assert meeting_point(paths[2000].w_norm) < meeting_point(paths[100].w_norm) / 10
record("null0", null0)
# sphinx_gallery_end_ignore

# %%
# Wherever the start dominates, the formula predicts the measured norm to within
# :val:`plot_04b.deviation_100:.1%` after 100 epochs and :val:`plot_04b.deviation_2000:.1%`
# after 2000. The start is gone only when :math:`\eta\lambda T` is large: after 100 epochs
# :math:`\lVert w\rVert` comes within 10% of the closed form's from :math:`\lambda` =
# :val:`plot_04b.meet_100:.3g` on, after 2000 epochs already from :math:`\lambda` =
# :val:`plot_04b.meet_2000:.3g`.

# %%
# Near the minimizer, not on it
# -----------------------------
# Where the start has decayed, SGD with a constant learning rate still does not *converge* to
# the closed form. Every minibatch pulls :math:`w` towards a fit of its own 5 examples, so the
# iterate keeps moving in a neighbourhood of the minimizer, and the size of that neighbourhood
# shrinks with :math:`\eta`, not with the number of epochs. What agrees, and what does not,
# depends on the size of the weights. The table compares the 2000-epoch run with the closed form
# at three values of :math:`\lambda`: the relative distance
# :math:`\lVert w - w_{\text{ridge}}\rVert / \lVert w_{\text{ridge}}\rVert`, the ratio of the
# norms and the ratio of the test losses.
long, top = paths[2000], len(grid) - 1  # top: the largest lambda
print(f"{'lambda':>8}{'distance':>10}{'norm ratio':>12}{'test loss ratio':>17}")
for k in [int((grid - 4.0).abs().argmin()), int((grid - 31.6).abs().argmin()), top]:
    w_ridge = closed[k][0]
    distance = float((long.W[:, k : k + 1] - w_ridge).norm() / w_ridge.norm())
    norm_ratio = float(long.w_norm[k] / closed_norm[k])
    test_ratio = float(long.final_test_loss[k] / closed_test[k])
    print(f"{grid[k]:>8.3g}{distance:>10.3f}{norm_ratio:>12.3f}{test_ratio:>17.3f}")

# sphinx_gallery_start_ignore
top_distance = float((long.W[:, top:] - closed[top][0]).norm() / closed_norm[top])
top_norm_ratio = float(long.w_norm[top] / closed_norm[top])
test_gap = float((long.final_test_loss[top] / closed_test[top] - 1).abs())
mid = int((grid - 4.0).abs().argmin())
mid_distance = float((long.W[:, mid : mid + 1] - closed[mid][0]).norm() / closed_norm[mid])
assert top_distance > 1, "the neighbourhood is no longer larger than the weights at the top"
assert top_norm_ratio > 1.3, "the SGD norm now agrees with the closed form's at the top"
assert test_gap < 0.01, "the test losses no longer agree at the top"
assert mid_distance < 0.05, "SGD is no longer close to the closed form at lambda = 4"
record("top_lambda", float(grid[top]))
record("top_distance", top_distance)
record("top_norm_ratio", top_norm_ratio)
record("top_test_gap", test_gap)
record("mid_distance", mid_distance)
record("top_w_norm", float(closed_norm[top]))
# sphinx_gallery_end_ignore

# %%
# At :math:`\lambda \approx 4` the SGD weights lie within a relative
# :val:`plot_04b.mid_distance:.1%` of the closed form: there the neighbourhood is small next to
# the weights. At the top of the grid, :math:`\lambda` = :val:`plot_04b.top_lambda:.0f`, the
# closed form's weights are tiny (:math:`\lVert w\rVert` = :val:`plot_04b.top_w_norm:.4f`), and
# the neighbourhood is larger than they are: the SGD weights lie a relative
# :val:`plot_04b.top_distance:.2f` away, and their norm is :val:`plot_04b.top_norm_ratio:.2f`
# times the closed form's. Yet the test losses agree to :val:`plot_04b.top_test_gap:.1%`: weights
# this small hardly change a prediction either way. So "SGD reaches the ridge solution" holds
# for the losses, and for the weights only where they are large next to the neighbourhood.

# %%
# The bias at large λ
# -------------------
# After 100 epochs a second difference remains at large :math:`\lambda`: the test losses differ
# even where the weights are tiny. The culprit is the bias :math:`b`, which is not penalized and
# starts at 0. It moves towards its optimum, about the training mean of :math:`y`, by a
# fraction of about :math:`\eta` of the gap per update, so after 400 updates it has covered only
# part of the way. For this draw the training mean of :math:`y` happens to lie far above the
# test mean, so the unfinished bias does *better* on the test set: luck, not a virtue of SGD.
# Refitting the bias to the training data (the closed form's rule,
# :math:`b = \bar y - \bar x^\top w`) takes the luck out.
short = paths[100]
w_top = short.W[:, top:]
b_refit = problem.y_train.mean() - problem.X_train.mean(0) @ w_top
refit_test = evaluate_loss(lambda X: X @ w_top + b_refit, problem.X_test, problem.y_test)
print(f"mean of y: training {problem.y_train.mean():.3f}, test {problem.y_test.mean():.3f}")
for name, b, test in (
    ("100 epochs", short.b[top], short.final_test_loss[top]),
    ("100 epochs, bias refitted", b_refit, refit_test),
    ("2000 epochs", long.b[top], long.final_test_loss[top]),
    ("closed form", closed[top][1], closed_test[top]),
):
    print(f"{name:<27} b = {float(b):.3f}, test loss {float(test):.4f}")

# sphinx_gallery_start_ignore
fraction = 1 - (1 - lr) ** 400
assert fraction < 0.9
assert abs(short.b[top] / (fraction * problem.y_train.mean()) - 1) < 0.2, "the bias's pace"
assert problem.y_train.mean() > 3 * problem.y_test.mean(), "the training mean is no longer above"
assert short.final_test_loss[top] < 0.85 * closed_test[top], "the unfinished bias no longer helps"
assert abs(refit_test / closed_test[top] - 1) < 0.03, "refitting no longer takes the luck out"
assert abs(long.b[top] - closed[top][1]) < 0.01 * abs(closed[top][1])
record("fraction", fraction)
record("b_100", float(short.b[top]))
record("test_100", float(short.final_test_loss[top]))
record("refit_test", refit_test)
record("closed_test_top", float(closed_test[top]))
record("test_100_ratio", float(short.final_test_loss[top]) / baseline)
record("refit_ratio", refit_test / baseline)
# sphinx_gallery_end_ignore

# %%
# After 400 updates a fraction :math:`1 - (1 - \eta)^{400}` =
# :val:`plot_04b.fraction:.2f` of the way is covered: the bias is at
# :val:`plot_04b.b_100:.3f` and the test loss :val:`plot_04b.test_100:.4f`,
# :val:`plot_04b.test_100_ratio:.2f` times the baseline. With the bias refitted, the same weights
# score :val:`plot_04b.refit_test:.4f` (:val:`plot_04b.refit_ratio:.2f` times the baseline), the
# closed form :val:`plot_04b.closed_test_top:.4f`; after 2000 epochs the bias, and with it the
# test loss, has reached the closed form.

# %%
# The closed form's own best λ
# ----------------------------
# The closed form's test loss hardly changes below :math:`\lambda = 1`, and even at its best it
# is close to the baseline: with 20 examples for 200 weights, even the exact penalized solution
# learns little.
#
# For a Gaussian prior on the weights the optimal ridge penalty is
# :math:`\lambda^* = \sigma^2/(n\tau^2)` in this package's scaling (see
# :ref:`explanation-bayesian`); with every true weight at 0.01 (:math:`\tau^2 = 10^{-4}`), noise
# 0.01 and 20 examples it is computed below. The notebook's training run cannot use so small a
# value: 400 updates at that :math:`\lambda` leave the random start almost untouched. *The best
# λ depends on the training budget*, and that is exactly what validation measures.
sigma, tau, n = 0.01, 0.01, problem.n_train
bayes = sigma**2 / (n * tau**2)
best = int(closed_test.argmin())
print(f"Bayes-optimal ridge penalty sigma^2 / (n tau^2) = {bayes:.3g}")
print(f"closed form: lowest test loss {closed_test[best]:.4f} at lambda = {grid[best]:.3g}")
print(f"left of the start after 400 updates at lambda*: {(1 - lr * bayes) ** 400:.3f}")

# sphinx_gallery_start_ignore
small = closed_test[grid <= 1.0]
at_one = int((grid - 1.0).abs().argmin())
assert small.max() < 1.05 * small.min(), "the closed form's test loss changes below lambda = 1"
assert (1 - lr * bayes) ** 400 > 0.9, "400 updates at lambda* no longer leave the start intact"
assert 0.6 < closed_test.min() / baseline < 1.5, "the closed form is no longer near the baseline"
record("bayes", bayes)
record("left_at_bayes", (1 - lr * bayes) ** 400)
record("closed_best", float(closed_test[best]))
record("closed_best_lambda", float(grid[best]))
record("closed_at_one", float(closed_test[at_one]))
record("closed_range_below_one", float(small.max() / small.min() - 1))
record("closed_best_ratio", float(closed_test.min() / baseline))
# sphinx_gallery_end_ignore

# %%
# The closed form does best at :math:`\lambda` = :val:`plot_04b.closed_best_lambda:.3g`, with a
# test loss of :val:`plot_04b.closed_best:.4f` (:val:`plot_04b.closed_best_ratio:.2f` times the
# baseline), and below :math:`\lambda = 1` its test loss varies by only
# :val:`plot_04b.closed_range_below_one:.1%`. The Bayes-optimal :math:`\lambda^*` is
# :val:`plot_04b.bayes:.3g`, and 400 updates at that value leave
# :val:`plot_04b.left_at_bayes:.0%` of the start in place.

# %%
# Interpreting the results
# ------------------------
# * The SGD path meets the closed-form ridge path only where training has converged: the part of
#   the start that the data cannot see decays as :math:`(1 - \eta\lambda)^T`, so the meeting
#   point moves down as the number of updates grows, and the unpenalized bias needs its own time.
# * With a constant learning rate, "converged" means near the minimizer, not on it: the iterate
#   keeps moving in a neighbourhood whose size is set by :math:`\eta`. The losses agree with the
#   closed form; the weights agree only where they are large next to that neighbourhood.
#   :func:`~weightdecay.ridge.ridge_closed_form` gives the exact minimizer.
# * A test loss below the baseline after 100 epochs at large :math:`\lambda` is the unfinished
#   bias's luck on this draw of the data, not learning: refitted, it is gone.
# * The closed form itself would be happy with a tiny :math:`\lambda`; the best :math:`\lambda`
#   for the notebook's training run is a property of the problem *and* of how long we train.
#   :ref:`sphx_glr_auto_examples_plot_04_choosing_lambda.py` chooses it by validation, and the
#   FAQ :ref:`faq-choosing-lambda` relates :math:`\lambda` to scikit-learn's ``alpha``.

# %%
# Try it
# ------
# **Question 1.** At the top of the grid the 2000-epoch SGD weights lie a relative
# :val:`plot_04b.top_distance:.2f` away from the closed form. Halve the learning rate, then halve
# it again, still for 2000 epochs. Will the distance stay about the same, halve at each step, or
# shrink even more?
#
# .. answer-start
#
distances = {}
for eta in (lr / 2, lr / 4):
    W = regularization_path(problem, grid[top:], lr=eta, num_epochs=2000).W
    distances[eta] = float((W - closed[top][0]).norm() / closed_norm[top])
    print(f"lr = {eta:.5f}: relative distance {distances[eta]:.2f}")

# sphinx_gallery_start_ignore
halved, quarter = distances[lr / 2], distances[lr / 4]
assert halved < top_distance / 2, "halving lr no longer more than halves the distance"
assert quarter < halved / 2
twice = regularization_path(problem, grid[top:], num_epochs=4000, eval_every=4000)
twice_distance = float((twice.W - closed[top][0]).norm() / closed_norm[top])
assert abs(twice_distance / top_distance - 1) < 0.5, "more epochs now shrink the neighbourhood"
record("q1_halved", halved)
record("q1_quarter", quarter)
# sphinx_gallery_end_ignore

# %%
# It shrinks even more: to :val:`plot_04b.q1_halved:.2f` at half the learning rate and
# :val:`plot_04b.q1_quarter:.2f` at a quarter. The neighbourhood is set by the step size, not by
# the number of epochs: more epochs at the same :math:`\eta` would leave it where it is. Here
# :math:`\eta\lambda` is close to 1, so each update all but forgets the previous minibatches, and
# a smaller :math:`\eta` averages over many more of them.
#
# .. answer-end
#
# **Question 2.** How many epochs would SGD with :math:`\eta = 0.003` need at the
# Bayes-optimal :math:`\lambda^*` before the start's null-space part is smaller than the closed
# form's whole :math:`\lVert w\rVert`? A hundred, a thousand, ten thousand, or a hundred
# thousand?
#
# .. answer-start
#
import math

at_bayes = ridge_closed_form(problem.X_train, problem.y_train, bayes)[0]
updates = math.log(float(at_bayes.norm()) / null0) / math.log(1 - lr * bayes)
print(f"||w_ridge|| at lambda* = {at_bayes.norm():.4f}")
print(f"updates needed: {updates:,.0f}")
print(f"epochs (4 updates each): {updates / 4:,.0f}")

# sphinx_gallery_start_ignore
assert 5e3 < updates / 4 < 2e4
record("q2_epochs", updates / 4)
# sphinx_gallery_end_ignore

# %%
# About ten thousand: :val:`plot_04b.q2_epochs:,.0f` epochs. Each update removes only
# a fraction :math:`\eta\lambda^*` of the null-space part, so the number of updates is about
# :math:`\ln(\lVert (I-P)w_0\rVert / \lVert w_{\text{ridge}}\rVert) / (\eta\lambda^*)`. A
# :math:`\lambda` that is optimal for the exact solution can be useless for a short training
# run.
#
# .. answer-end
