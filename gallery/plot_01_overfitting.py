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
# learning rate 0.003, 100 epochs, half squared error, and the penalty weight ``lambd`` (0 by
# default). The initial weights are drawn from :math:`\mathcal{N}(0, 1)`.
from weightdecay.data import make_problem
from weightdecay.trainer import train_scratch

problem = make_problem(seed=0)
print(
    f"{problem.n_train} training examples, {problem.n_test} test examples, "
    f"{problem.num_inputs} features"
)

overfit = train_scratch(problem)  # lambd=0.0: no regularization
history = overfit.history
print(f"updates: {history.num_updates} ({history.num_updates // history.epochs[-1]} per epoch)")
print(f"final train loss: {history.train_loss[-1]:.2e}")
print(f"final test loss:  {history.test_loss[-1]:.1f}")
print(
    f"||w||: {overfit.w_norm:.2f}   (the true weights have norm {float(problem.true_w.norm()):.3f})"
)

# %%
# The baseline: a model that learned nothing
# ------------------------------------------
# A test loss means little on its own. The simplest model ignores the features: it sets
# :math:`w = 0` and predicts every label by the mean training label.
# :func:`~weightdecay.evaluate.zero_predictor_loss` measures its test loss. On this problem it is
# small, close to :math:`\tfrac12(\lVert w^*\rVert^2 + \sigma^2)`, because the true weights are
# tiny. A model must beat this baseline to have learned anything; the unregularized model is
# worse than it by the printed factor.
from weightdecay.evaluate import zero_predictor_loss

baseline = zero_predictor_loss(problem)
noise = problem.source["noise"]
expected = 0.5 * (float(problem.true_w.norm()) ** 2 + noise**2)
print(f"baseline (w = 0, b = mean training label): test loss {baseline:.4f}")
print(f"1/2 (||w*||^2 + sigma^2) = {expected:.4f}")
print(f"final test loss / baseline: {history.test_loss[-1] / baseline:.0f}")
assert 0.5 < baseline / expected < 2, "the baseline is no longer close to its expectation"
assert history.test_loss[-1] > 1000 * baseline, "the overfit model is no longer a catastrophe"

# %%
# The curves d2l draws
# --------------------
# :func:`~weightdecay.plot.plot_history` draws what d2l's ``Animator`` shows: the train loss
# (solid) and test loss (dashed) on a log scale; the dotted line is the baseline. The two losses
# part ways at once: the training loss falls by orders of magnitude, the model memorizes the 20
# training points, and the test loss hardly moves, far above the baseline.
import matplotlib.pyplot as plt

from weightdecay.plot import plot_history

print(f"train loss: epoch 5 {history.train_loss[0]:.1f}, epoch 100 {history.train_loss[-1]:.1e}")
print(f"test loss:  epoch 5 {history.test_loss[0]:.1f}, epoch 100 {history.test_loss[-1]:.1f}")
assert history.train_loss[-1] < 1e-3 * history.train_loss[0]
assert history.test_loss[-1] > 0.8 * history.test_loss[0], "the test loss moved a lot"

ax = plot_history(history, label="lambda = 0")
ax.axhline(baseline, color="k", linestyle=":", linewidth=1.5, label="baseline: predict w = 0")
ax.legend()
ax.set_title("No regularization: the train loss vanishes, the test loss stays")
plt.show()

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
print(
    f"row space: {Q.shape[1]} dimensions (rank {rank}); "
    f"null space: {problem.num_inputs - rank} dimensions"
)


def split(w):
    """Norms of the row-space and the null-space parts of ``w``."""
    row = Q @ (Q.T @ w)
    return float(row.norm()), float((w - row).norm())


row_part, null_part = split(overfit.w)
print(f"after training: row-space part {row_part:.3f}, null-space part {null_part:.2f}")
print(f"square root of the null-space dimension: {(problem.num_inputs - rank) ** 0.5:.2f}")
assert null_part > 0.99 * overfit.w_norm, "the null-space part is no longer almost all of w"
assert abs(null_part / (problem.num_inputs - rank) ** 0.5 - 1) < 0.2

# %%
# Watching the two parts during training
# --------------------------------------
# To see the start as well, we draw our own :math:`\mathcal{N}(0, 1)` initial weights and pass
# them with ``initial=``. Training the same seed for fewer epochs replays the beginning of the
# same run (same minibatches), so a run of ``k`` epochs gives the weights after ``k`` epochs.
generator = torch.Generator().manual_seed(0)
w0 = torch.randn(problem.num_inputs, 1, generator=generator)
b0 = torch.zeros(1)

epochs = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100]
runs = [train_scratch(problem, num_epochs=k, initial=(w0, b0)) for k in epochs]
updates = [0] + [run.history.num_updates for run in runs]
parts = [split(w0)] + [split(run.w) for run in runs]
row_norms = [p[0] for p in parts]
null_norms = [p[1] for p in parts]

print(f"start: row-space part {row_norms[0]:.2f}, null-space part {null_norms[0]:.4f}")
print(f"end:   row-space part {row_norms[-1]:.3f}, null-space part {null_norms[-1]:.4f}")
largest_change = max(abs(n - null_norms[0]) for n in null_norms)
print(f"largest change of the null-space part during training: {largest_change:.1e}")
assert largest_change < 1e-4 * null_norms[0], "SGD moved the null-space part"

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
ax.plot(updates, null_norms, "o-", label=r"null-space part $\|(I - P)w\|$")
ax.plot(updates, row_norms, "s-", label=r"row-space part $\|Pw\|$")
ax.set_yscale("log")
ax.set_xlabel("update (minibatch step)")
ax.set_ylabel("norm")
ax.set_title("SGD never touches the null space")
ax.legend()
plt.show()

# %%
# That frozen null-space part is what ruins the test loss: on a fresh input
# :math:`x \sim \mathcal{N}(0, I)` a weight error :math:`v` adds :math:`x^\top v` to the
# prediction, whose mean square is :math:`\lVert v\rVert^2`. The expected half squared error it
# causes is therefore about :math:`\tfrac12\lVert (I - P)w_0\rVert^2`, the same order as the
# measured test loss.
from weightdecay.evaluate import evaluate_loss

start_run = runs[-1]
predicted = 0.5 * null_norms[0] ** 2
measured = evaluate_loss(lambda X: X @ start_run.w + start_run.b, problem.X_test, problem.y_test)
print(f"1/2 ||(I - P) w0||^2 = {predicted:.1f};  measured test loss = {measured:.1f}")
assert 0.5 < measured / predicted < 2, "1/2 ||(I - P) w0||^2 no longer predicts the test loss"

# %%
# The minimum-norm solution
# -------------------------
# Start gradient descent from zero instead, with ``initial=(zeros, zeros)``: nothing is ever put
# into the null space, and training converges to the interpolating solution of minimum norm
# (of :math:`(w, b)` together). In closed form: the pseudo-inverse of the training features with
# a column of ones for the bias. A close relative leaves the bias free and takes the minimum
# norm of :math:`w` alone, by centring the data: :math:`w = X_c^{+} y_c`.
from_zero = train_scratch(problem, initial=(torch.zeros(problem.num_inputs, 1), torch.zeros(1)))

X, y = problem.X_train.double(), problem.y_train.double()
wb = torch.linalg.pinv(torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype)], dim=1)) @ y
w_pinv, b_pinv = wb[:-1], wb[-1]
x_mean, y_mean = X.mean(0, keepdim=True), y.mean()
w_centred = torch.linalg.pinv(X - x_mean) @ (y - y_mean)
b_centred = y_mean - x_mean @ w_centred


def test_loss(w, b):
    """Half squared error on the test set, in double precision."""
    residual = problem.X_test.double() @ w + b - problem.y_test.double()
    return float((residual**2 / 2).mean())


print(
    f"gradient descent from 0: ||w|| = {from_zero.w_norm:.4f}, "
    f"train loss {from_zero.history.train_loss[-1]:.1e}, "
    f"test loss {from_zero.history.test_loss[-1]:.4f}"
)
distance = float((from_zero.w.double() - w_pinv).norm())
print(f"distance to pinv([X, 1]) y: {distance:.1e}")
print(f"pinv([X, 1]) y:    test loss {test_loss(w_pinv, b_pinv):.4f}")
print(
    f"centred pinv:      ||w|| = {float(w_centred.norm()):.4f}, "
    f"test loss {test_loss(w_centred, b_centred):.4f}"
)
zero_start_loss = from_zero.history.test_loss[-1]
print(
    f"ratio of test losses, N(0, 1) start / zero start: "
    f"{history.test_loss[-1] / zero_start_loss:.0f}"
)
print(f"zero start: test loss / baseline = {zero_start_loss / baseline:.2f}")
assert distance < 1e-3 * from_zero.w_norm, "SGD from zero no longer reaches pinv([X, 1]) y"
assert history.test_loss[-1] > 1000 * zero_start_loss
assert 0.25 < zero_start_loss / baseline < 2, "the zero start is no longer near the baseline"

fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
plot_history(history, ax, label="N(0, 1) start")
plot_history(from_zero.history, ax, label="zero start")
ax.axhline(baseline, color="k", linestyle=":", linewidth=1.5, label="baseline: predict w = 0")
ax.legend()
ax.set_title("Same data, same steps, different start")
plt.show()

# %%
# Interpreting the results
# ------------------------
# Without a penalty, :func:`~weightdecay.trainer.train_scratch` drives the training loss towards
# zero (the printed final train loss) while the test loss stays more than a thousand times above
# the baseline (the printed ratio). With 20 examples and 200 features there are infinitely many
# weight vectors that fit the training set exactly, and SGD picks the one closest to where it
# started: the row-space part converges, the null-space part of the :math:`\mathcal{N}(0, 1)`
# initialization stays exactly as it was (the second figure, and the printed largest change). Its
# norm, about the square root of the number of null-space dimensions, is almost all of the
# printed :math:`\lVert w\rVert`, and half its square predicts the order of the test loss.
#
# Started from zero, the same loop finds the minimum-norm interpolating solution, whose test
# loss (printed above) is smaller by the printed ratio. So the failure at :math:`\lambda = 0` is
# not "too many parameters" by itself: it is large weights in directions the data never
# constrains. Weight decay removes exactly those, by shrinking every weight by a factor
# :math:`1 - \eta\lambda` at every step: see :ref:`explanation-update-rule` for the
# algebra and the next tutorial for the experiment.
#
# Removing the damage is not the same as learning. The zero start's test loss is of the same
# order as the baseline (the printed ratio to it): 20 examples pin down too little of 200 weights
# for the model to learn them. What a better start, or weight decay, buys on this problem is the
# way back from a catastrophic test loss to about that of a model that learned nothing. Learning
# the weights takes more data: :ref:`sphx_glr_auto_examples_plot_12_how_much_data.py` measures how much, and the FAQ
# :ref:`faq-double-descent` follows the minimum-norm solution as the number of examples grows.
# The FAQ :ref:`faq-choosing-lambda` discusses how to choose
# :math:`\lambda`, and :ref:`faq-large-weights` when shrinking hurts.

# sphinx_gallery_thumbnail_number = 2
