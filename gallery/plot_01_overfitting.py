# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
==================================
Overfitting without regularization
==================================

We train the linear model of *Dive into Deep Learning*'s weight-decay chapter without any
penalty (:math:`\lambda = 0`): 20 training examples, 200 features. The training loss falls
towards zero while the test loss stays huge. We then show *why* it is this bad here: the
gradient of the training loss only ever points inside the 20-dimensional row space of the
training features, so 180 of the 200 directions of the random initial weights are never
corrected. Gradient descent started from zero never puts anything there, and lands on the
minimum-norm interpolating solution. Every loss is compared with a baseline: the test loss of a
model that learned nothing, which predicts every label by the mean training label.
"""

# %%
# The problem and the unregularized run
# -------------------------------------
# :func:`~weightdecay.data.make_problem` draws the data exactly as the book does: every true
# weight is 0.01, the bias 0.05, the label noise has standard deviation 0.01.
# :func:`~weightdecay.trainer.train_scratch` then runs the notebook's loop: minibatches of 5,
# learning rate 0.003, 100 epochs, and the penalty weight ``lambd`` (0 by default). The initial
# weights are drawn from :math:`\mathcal{N}(0, 1)`, the bias starts at 0. Every loss on this
# page is the mean of the half squared error :math:`\tfrac12(\hat y - y)^2`, the book's
# from-scratch loss.
from weightdecay.data import make_problem
from weightdecay.trainer import train_scratch

problem = make_problem(seed=0)
overfit = train_scratch(problem)  # lambd=0.0: no regularization
history = overfit.history
print(f"{history.num_updates} updates; final train loss {history.train_loss[-1]:.2e}")
print(f"final test loss {history.test_loss[-1]:.1f}; ||w|| = {overfit.w_norm:.2f}")

# sphinx_gallery_start_ignore
from recorded import record

true_norm = float(problem.true_w.norm())
record("updates", history.num_updates)
record("train_loss", history.train_loss[-1])
record("test_loss", history.test_loss[-1])
record("w_norm", overfit.w_norm)
record("true_norm", true_norm)
assert history.num_updates == 400
assert overfit.w_norm > 50 * true_norm, "the weights are no longer far larger than the truth"
# sphinx_gallery_end_ignore

# %%
# The :val:`plot_01.updates` updates (4 minibatches per epoch) bring the training loss down to
# :val:`plot_01.train_loss:.1e`, while the test loss ends at :val:`plot_01.test_loss:.0f`. The
# weights end with the norm :math:`\lVert w\rVert` = :val:`plot_01.w_norm:.1f`, about a hundred
# times that of the true weights, :val:`plot_01.true_norm:.3f`. (The course notebook printed
# 12.13, from its own random start and its own draw of the data.)

# %%
# The baseline: a model that learned nothing
# ------------------------------------------
# A test loss means little on its own. The simplest model ignores the features: it sets
# :math:`w = 0` and predicts every label by the mean training label.
# :func:`~weightdecay.evaluate.zero_predictor_loss` measures its test loss. Over draws of the
# data its expectation is :math:`\tfrac12(\lVert w^*\rVert^2 + \sigma^2)(1 + 1/n)`, small
# because the true weights are tiny.
from weightdecay.evaluate import zero_predictor_loss

baseline = zero_predictor_loss(problem)
noise = problem.source["noise"]
expected = 0.5 * (float(problem.true_w.norm()) ** 2 + noise**2) * (1 + 1 / problem.n_train)
print(f"baseline (w = 0, b = mean training label): test loss {baseline:.4f}")
print(f"its expectation over draws of the data: {expected:.4f}")
print(f"final test loss / baseline: {history.test_loss[-1] / baseline:.0f}")

# sphinx_gallery_start_ignore
record("baseline", baseline)
record("expected_baseline", expected)
record("ratio_to_baseline", history.test_loss[-1] / baseline)
record("train_mean", float(problem.y_train.mean()))
record("test_mean", float(problem.y_test.mean()))
assert 1.1 < baseline / expected < 1.5, "this draw's baseline is no longer somewhat high"
assert problem.y_train.mean() > 3 * problem.y_test.mean(), "the label means are no longer apart"
assert history.test_loss[-1] > 1000 * baseline, "the overfit model is no longer a catastrophe"
# sphinx_gallery_end_ignore

# %%
# On this draw the baseline is :val:`plot_01.baseline:.4f`, somewhat above its expectation
# :val:`plot_01.expected_baseline:.4f`: by chance, the mean of the 20 training labels,
# :val:`plot_01.train_mean:.3f`, lies far above that of the test labels,
# :val:`plot_01.test_mean:.3f`. Keep this in mind on the next pages: a model whose bias sits
# below the training mean does better on this test set by luck. The unregularized model is
# :val:`plot_01.ratio_to_baseline:,.0f` times worse than the baseline.

# %%
# The curves d2l draws
# --------------------
# :func:`~weightdecay.plot.plot_history` draws what d2l's ``Animator`` shows: the train loss
# (solid) and test loss (dashed) on a log scale; the dotted line is the baseline. The two losses
# part ways at once: the training loss falls by orders of magnitude, the model memorizes the 20
# training points, and the test loss hardly moves, far above the baseline.
import matplotlib.pyplot as plt

from weightdecay.plot import plot_history

ax = plot_history(history, label="lambda = 0")
ax.axhline(baseline, color="k", linestyle=":", linewidth=1.5, label="baseline: predict w = 0")
ax.set_ylabel(r"loss, mean of $\frac{1}{2}(\hat y - y)^2$")
ax.legend()
ax.set_title("No regularization: the train loss vanishes, the test loss stays")
plt.show()

# sphinx_gallery_start_ignore
assert history.train_loss[-1] < 1e-3 * history.train_loss[0], "the train loss no longer falls"
assert history.test_loss[-1] > 0.8 * history.test_loss[0], "the test loss moved a lot"
# sphinx_gallery_end_ignore

# %%
# Where the gradient can reach
# ----------------------------
# For one minibatch :math:`B` the gradient of the loss with respect to :math:`w` is
# :math:`\frac{1}{|B|}\sum_{i\in B} x_i\,(x_i^\top w + b - y_i)`: a combination of training
# rows :math:`x_i`. Every update therefore moves :math:`w` inside the *row space* of
# :math:`X_{\text{train}}`, which has (at most) as many dimensions as there are training
# examples. The orthogonal complement, the *null space*, is never touched: whatever the
# initialization put there stays there.
#
# The QR decomposition of :math:`X_{\text{train}}^\top` gives an orthonormal basis ``Q`` of the
# row space, hence the projector :math:`P = QQ^\top` onto it and :math:`I - P` onto the null
# space.
import torch

Q, _ = torch.linalg.qr(problem.X_train.T)  # (200, 20): orthonormal basis of the row space
rank = int(torch.linalg.matrix_rank(problem.X_train))
print(f"row space: {rank} dimensions; null space: {problem.num_inputs - rank} dimensions")


def split(w):
    """Norms of the row-space and the null-space parts of ``w``."""
    row = Q @ (Q.T @ w)
    return float(row.norm()), float((w - row).norm())


row_part, null_part = split(overfit.w)
print(f"after training: row-space part {row_part:.3f}, null-space part {null_part:.2f}")

# sphinx_gallery_start_ignore
record("rank", rank)
record("null_dim", problem.num_inputs - rank)
record("row_part", row_part)
record("null_part", null_part)
record("sqrt_null_dim", (problem.num_inputs - rank) ** 0.5)
assert rank == problem.n_train
assert null_part > 0.99 * overfit.w_norm, "the null-space part is no longer almost all of w"
assert abs(null_part / (problem.num_inputs - rank) ** 0.5 - 1) < 0.1
# sphinx_gallery_end_ignore

# %%
# After training, the row-space part of :math:`w` has the norm :val:`plot_01.row_part:.3f` and
# the null-space part :val:`plot_01.null_part:.2f`: almost all of :math:`\lVert w\rVert`. That
# is about :math:`\sqrt{180}` = :val:`plot_01.sqrt_null_dim:.2f`, the norm one expects from 180
# independent :math:`\mathcal{N}(0, 1)` coordinates.

# %%
# Watching the two parts during training
# --------------------------------------
# To see the start as well, we take the run's initial weights (``overfit.initial``) and train
# again from them with ``initial=``. The same seed gives the same minibatches, so a run of ``k``
# epochs replays the first ``k`` epochs of the run above: it gives its weights after ``k``
# epochs.
epochs = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100]
runs = [train_scratch(problem, num_epochs=k, initial=overfit.initial) for k in epochs]
updates = [0] + [run.history.num_updates for run in runs]
parts = [split(overfit.initial[0])] + [split(run.w) for run in runs]
row_norms, null_norms = [p[0] for p in parts], [p[1] for p in parts]
print(f"null-space part: {null_norms[0]:.4f} at the start, {null_norms[-1]:.4f} at the end")
print(f"row-space part: {row_norms[0]:.2f} at the start, {row_norms[-1]:.3f} at the end")

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
ax.plot(updates, null_norms, "o-", label=r"null-space part $\|(I - P)w\|$")
ax.plot(updates, row_norms, "s-", label=r"row-space part $\|Pw\|$")
ax.set_yscale("log")
ax.set_xlabel("update (minibatch step)")
ax.set_ylabel("norm")
ax.set_title("SGD never touches the null space")
ax.legend()
plt.show()

# sphinx_gallery_start_ignore
largest_change = max(abs(n - null_norms[0]) for n in null_norms)
record("start_row_part", row_norms[0])
record("largest_change", largest_change)
assert torch.equal(runs[-1].w, overfit.w), "the replay no longer gives the run's weights"
assert largest_change < 1e-5 * null_norms[0], "SGD moved the null-space part"
assert row_norms[-1] < 0.05 * row_norms[0], "the row-space part no longer converges"
# sphinx_gallery_end_ignore

# %%
# The row-space part falls from :val:`plot_01.start_row_part:.2f` to
# :val:`plot_01.row_part:.3f`, while the null-space part changes by at most
# :val:`plot_01.largest_change:.0e` in 400 updates: float32 rounding.
#
# That frozen null-space part is what ruins the test loss: on a fresh input
# :math:`x \sim \mathcal{N}(0, I)` a weight error :math:`v` adds :math:`x^\top v` to the
# prediction, whose mean square is :math:`\lVert v\rVert^2`. The expected half squared error it
# causes is therefore about :math:`\tfrac12\lVert (I - P)w_0\rVert^2`, the same order as the
# measured test loss.
predicted = 0.5 * null_norms[0] ** 2
print(f"1/2 ||(I - P) w0||^2 = {predicted:.1f}; measured test loss = {history.test_loss[-1]:.1f}")

# sphinx_gallery_start_ignore
record("predicted_test_loss", predicted)
assert 0.8 < history.test_loss[-1] / predicted < 1.25, "1/2 ||(I - P) w0||^2 no longer predicts"
# sphinx_gallery_end_ignore

# %%
# The minimum-norm solution
# -------------------------
# Start gradient descent from zero instead, with ``initial=(zeros, zeros)``: nothing is ever put
# into the null space, and training converges to the interpolating solution of minimum norm
# (of :math:`(w, b)` together). In closed form: the pseudo-inverse of the training features with
# a column of ones for the bias. A close relative leaves the bias free and takes the minimum
# norm of :math:`w` alone, by centring the data: :math:`w = X_c^{+} y_c`.
from weightdecay.evaluate import evaluate_loss

from_zero = train_scratch(problem, initial=(torch.zeros(problem.num_inputs, 1), torch.zeros(1)))
zero_start_loss = from_zero.history.test_loss[-1]

X, y = problem.X_train.double(), problem.y_train.double()
X_test, y_test = problem.X_test.double(), problem.y_test.double()
wb = torch.linalg.pinv(torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)) @ y
w_pinv, b_pinv = wb[:-1], wb[-1]
x_mean, y_mean = X.mean(0, keepdim=True), y.mean()
w_centred = torch.linalg.pinv(X - x_mean) @ (y - y_mean)
b_centred = y_mean - x_mean @ w_centred
pinv_loss = evaluate_loss(lambda X: X @ w_pinv + b_pinv, X_test, y_test)
centred_loss = evaluate_loss(lambda X: X @ w_centred + b_centred, X_test, y_test)

print(f"from zero: ||w|| = {from_zero.w_norm:.4f}, test loss {zero_start_loss:.4f}")
print(f"pinv([X, 1]) y: test loss {pinv_loss:.4f}; centred pinv: test loss {centred_loss:.4f}")

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
plot_history(history, ax, label="N(0, 1) start")
plot_history(from_zero.history, ax, label="zero start")
ax.axhline(baseline, color="k", linestyle=":", linewidth=1.5, label="baseline: predict w = 0")
ax.set_ylabel(r"loss, mean of $\frac{1}{2}(\hat y - y)^2$")
ax.legend()
ax.set_title("Same data, same steps, different start")
plt.show()

# sphinx_gallery_start_ignore
distance = float((from_zero.w.double() - w_pinv).norm())
record("zero_w_norm", from_zero.w_norm)
record("zero_train_loss", from_zero.history.train_loss[-1])
record("zero_test_loss", zero_start_loss)
record("pinv_distance", distance)
record("pinv_test_loss", pinv_loss)
record("centred_w_norm", float(w_centred.norm()))
record("centred_test_loss", centred_loss)
record("start_ratio", history.test_loss[-1] / zero_start_loss)
record("zero_to_baseline", zero_start_loss / baseline)
record("centred_to_baseline", centred_loss / baseline)
assert abs(float(b_pinv)) < 0.2 * float(b_centred), "the joint minimum norm no longer shrinks b"
assert zero_start_loss < centred_loss < baseline, "the bias no longer explains part of the gap"
assert distance < 1e-3 * from_zero.w_norm, "SGD from zero no longer reaches pinv([X, 1]) y"
assert abs(pinv_loss / zero_start_loss - 1) < 1e-3
assert history.test_loss[-1] > 1000 * zero_start_loss
assert 0.25 < zero_start_loss / baseline < 2, "the zero start is no longer near the baseline"
# sphinx_gallery_end_ignore

# %%
# Started from zero, SGD ends with :math:`\lVert w\rVert` = :val:`plot_01.zero_w_norm:.4f`, a
# training loss of :val:`plot_01.zero_train_loss:.0e` and a test loss of
# :val:`plot_01.zero_test_loss:.4f`. It lands on :math:`[X, 1]^{+} y` (distance
# :val:`plot_01.pinv_distance:.0e`), and the centred variant scores
# :val:`plot_01.centred_test_loss:.4f`, with :math:`\lVert w\rVert` =
# :val:`plot_01.centred_w_norm:.4f`.

# %%
# Interpreting the results
# ------------------------
# Without a penalty, :func:`~weightdecay.trainer.train_scratch` drives the training loss towards
# zero (:val:`plot_01.train_loss:.0e`) while the test loss stays
# :val:`plot_01.ratio_to_baseline:,.0f` times above the baseline. With 20 examples and 200
# features there are infinitely many weight vectors that fit the training set exactly, and SGD
# picks the one closest to where it started: the row-space part converges, the null-space part
# of the :math:`\mathcal{N}(0, 1)` initialization stays exactly as it was (the second figure).
# Its norm, about the square root of the number of null-space dimensions, is almost all of
# :math:`\lVert w\rVert`, and half its square, :val:`plot_01.predicted_test_loss:.0f`, predicts
# the test loss, :val:`plot_01.test_loss:.0f`.
#
# Started from zero, the same loop finds the minimum-norm interpolating solution, whose test
# loss is :val:`plot_01.start_ratio:,.0f` times smaller. So the failure at :math:`\lambda = 0`
# is not "too many parameters" by itself: it is large weights in directions the data never
# constrains. Weight decay removes exactly those, by shrinking every weight by a factor
# :math:`1 - \eta\lambda` at every step: see :ref:`explanation-update-rule` for the algebra and
# the next tutorial for the experiment.
#
# Removing the damage is not the same as learning. The zero start's test loss is
# :val:`plot_01.zero_to_baseline:.2f` times the baseline, and part of that is the bias: the
# minimum norm of :math:`(w, b)` together keeps :math:`b` near zero, close to the test labels'
# mean on this draw. The centred variant, whose bias follows the training labels, scores
# :val:`plot_01.centred_to_baseline:.2f` times the baseline: 20 examples pin down too little of
# 200 weights for the model to learn them. What a better start, or weight decay, buys on this problem is the way back from a
# catastrophic test loss to about that of a model that learned nothing. Learning the weights
# takes more data: :ref:`sphx_glr_auto_examples_plot_12_how_much_data.py` measures how much,
# and the FAQ :ref:`faq-double-descent` follows the minimum-norm solution as the number of
# examples grows. The FAQ :ref:`faq-choosing-lambda` discusses how to choose :math:`\lambda`,
# and :ref:`faq-large-weights` when shrinking hurts.

# %%
# Try it
# ------
# **Question 1.** Start from the same random weights scaled down ten times,
# ``0.1 * overfit.initial[0]``, still with :math:`\lambda = 0`. Will the final test loss be
# about the same, about 10 times smaller, or about 100 times smaller? Write down your guess
# before you open the answer.
#
# .. answer-start
#
w0, b0 = overfit.initial
small_start = train_scratch(problem, initial=(0.1 * w0, b0))
print(f"test loss from the scaled start: {small_start.history.test_loss[-1]:.2f}")

# sphinx_gallery_start_ignore
record("q1_ratio", history.test_loss[-1] / small_start.history.test_loss[-1])
assert 70 < history.test_loss[-1] / small_start.history.test_loss[-1] < 130
# sphinx_gallery_end_ignore

# %%
# About 100 times smaller (the ratio is :val:`plot_01.q1_ratio:.0f`). The null-space part of
# the start is scaled by 0.1 and SGD never changes it; the test loss is about half its
# squared norm, so it shrinks by :math:`0.1^2`.
#
# .. answer-end
#
# **Question 2.** Train the unregularized model ten times longer, 1000 epochs. Will the test
# loss fall a lot, a little, or not at all?
#
# .. answer-start
#
longer = train_scratch(problem, num_epochs=1000)
h = longer.history
print(f"1000 epochs: train loss {h.train_loss[-1]:.1e}")
print(f"1000 epochs: test loss {h.test_loss[-1]:.1f}")

# sphinx_gallery_start_ignore
record("q2_change", abs(longer.history.test_loss[-1] / history.test_loss[-1] - 1))
record("q2_train_loss", longer.history.train_loss[-1])
assert abs(longer.history.test_loss[-1] / history.test_loss[-1] - 1) < 0.01
assert longer.history.train_loss[-1] < history.train_loss[-1]
# sphinx_gallery_end_ignore

# %%
# Not at all, or as good as: it changes by :val:`plot_01.q2_change:.2%`. More epochs bring the
# training loss further down, to :val:`plot_01.q2_train_loss:.0e`, but
# every one of them moves :math:`w` inside the row space only. The null-space part, which
# causes the test loss, is where it was at the start.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 2
