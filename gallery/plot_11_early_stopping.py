# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
"""
===================================================
Early stopping and other ways to fight overfitting
===================================================

Exercise 5 of the book's chapter asks for other ways to deal with overfitting. The most common
one in deep learning is *early stopping*: watch the loss on held-out data and keep the model from
the epoch where it was lowest. This example measures whether that helps on the notebook's
problem (at :math:`\\lambda = 0`), compares it with weight decay, and shows why the answer here is
"no": the overfit model's test error does not come from training too long but from the random
start, which the data never correct. Two other remedies that do help here are measured at the end.
"""

# %%
# The test curve at λ = 0
# -----------------------
# Early stopping only helps if the test loss goes *down and then up again* during training. We
# train the notebook's model without decay for 300 epochs on five data seeds (data and training
# seed ``s``) and evaluate after every epoch.
import numpy as np

from weightdecay.data import make_problem
from weightdecay.evaluate import zero_predictor_loss
from weightdecay.trainer import train_scratch

seeds = range(5)
problems = [make_problem(seed=s) for s in seeds]
long_runs = [
    train_scratch(problem, num_epochs=300, eval_every=1, seed=s)
    for s, problem in enumerate(problems)
]
for s, run in enumerate(long_runs):
    test = np.array(run.history.test_loss)
    rise = (test[-1] - test.min()) / test[-1]
    print(
        f"seed {s}: test loss {test[0]:.1f} after epoch 1, {test[99]:.1f} after 100, "
        f"{test[-1]:.1f} after 300; lowest at epoch {int(test.argmin()) + 1}, "
        f"lower than the final loss by {rise:.1e} (relative); "
        f"train loss {run.history.train_loss[-1]:.1e}"
    )
    # The prose relies on these: no measurable rise, and the training loss goes to zero.
    assert rise < 1e-2
    assert run.history.train_loss[-1] < 1e-6 * run.history.train_loss[0]

# %%
# No turning point
# ----------------
# The test loss falls, quickly at first, then flattens. It never rises measurably: after its
# lowest point it rises by at most a negligible fraction (the printed relative gaps between the
# lowest and the final value), so stopping early cannot gain anything. The training loss
# meanwhile goes to zero: the model interpolates the 20 examples, yet the test loss stays high.
import matplotlib.pyplot as plt

fig, (ax_test, ax_train) = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
for s, run in enumerate(long_runs):
    ax_test.semilogy(run.history.epochs, run.history.test_loss, color=f"C{s}", label=f"seed {s}")
    ax_train.semilogy(run.history.epochs, run.history.train_loss, color=f"C{s}")
ax_test.set_ylabel("test loss (half squared error)")
ax_train.set_ylabel("training loss")
for ax in (ax_test, ax_train):
    ax.set_xlabel("epoch")
ax_test.legend(fontsize="small")
fig.suptitle(r"$\lambda = 0$, the notebook's $\mathcal{N}(0, 1)$ start")
fig.tight_layout()

# %%
# Early stopping with a validation split
# --------------------------------------
# In practice the test set is not available for choosing the epoch. We hold out 5 of the 20
# training examples as a validation set, train on the other 15 and keep the epoch with the lowest
# validation loss. A :class:`~weightdecay.problem.Problem` whose "test" split is the validation set
# records exactly that curve. Because training depends only on the training rows and the seed, a
# second run of the chosen number of epochs on a problem with the real test set reproduces the
# same model and tells its test loss. For comparison, weight decay (L2, :math:`\lambda = 3`, the
# book's value) is trained on the same 15 examples, and the last column is the zero predictor
# (:func:`~weightdecay.evaluate.zero_predictor_loss`: :math:`w = 0`, the mean of the 15 training
# labels as the bias).
from weightdecay.problem import Problem

rows = []
for s, problem in enumerate(problems):
    fit, valid = slice(0, 15), slice(15, 20)
    common = {"y_train": problem.y_train[fit], "true_w": problem.true_w, "true_b": problem.true_b}
    with_validation = Problem(
        X_train=problem.X_train[fit],
        X_test=problem.X_train[valid],
        y_test=problem.y_train[valid],
        **common,
    )
    with_test = Problem(
        X_train=problem.X_train[fit], X_test=problem.X_test, y_test=problem.y_test, **common
    )
    watched = train_scratch(with_validation, num_epochs=300, eval_every=1, seed=s)
    stop = int(np.argmin(watched.history.test_loss)) + 1
    stopped = train_scratch(with_test, num_epochs=stop, eval_every=stop, seed=s)
    full = train_scratch(with_test, num_epochs=300, eval_every=300, seed=s)
    decayed = train_scratch(with_test, lambd=3.0, eval_every=100, seed=s)
    rows.append(
        (
            stop,
            stopped.history.test_loss[-1],
            full.history.test_loss[-1],
            decayed.history.test_loss[-1],
            zero_predictor_loss(with_test),
        )
    )
print(
    f"{'seed':>4}{'stop epoch':>12}{'early stop':>12}{'300 epochs':>12}{'L2, lambda=3':>14}"
    f"{'zero predictor':>16}"
)
for s, (stop, early, late, l2, zero) in enumerate(rows):
    print(f"{s:>4}{stop:>12}{early:>12.2f}{late:>12.2f}{l2:>14.4f}{zero:>16.4f}")
ratios = np.array([early / late for _, early, late, _, _ in rows])
print(f"early-stopped / 300-epoch test loss: {ratios.min():.3f} to {ratios.max():.3f}")
# The prose relies on these: stopping early gains nothing, decay does far better than both,
# and still far worse than the zero predictor.
assert ratios.min() > 0.99
assert all(l2 < 0.1 * min(early, late) for _, early, late, l2, _ in rows)
assert all(l2 > 10 * zero for *_, l2, zero in rows)

# %%
# Why stopping early cannot help here
# -----------------------------------
# Plain SGD only ever moves :math:`w` inside the row space of the training inputs: each gradient is
# a combination of training rows. With 20 examples that is 20 of 200 dimensions. The other 180
# components of the :math:`\mathcal N(0, 1)` start stay exactly where they were, whatever the
# number of epochs, and they are the bulk of the test error. We measure that part of the start
# (the projection onto the null space of :math:`X`) and compare it with the final weights:
# nearly all of :math:`\lVert w\rVert` is the untouched start. Weight decay shrinks that part by
# :math:`(1 - \eta\lambda)` at every step; early stopping, which only decides *when* to stop
# moving inside the row space, cannot touch it.
import torch

from weightdecay.model import init_params

problem = problems[0]
X = problem.X_train.double()
w0, b0 = (t.detach() for t in init_params(200, generator=torch.Generator().manual_seed(0)))
row_space = torch.linalg.pinv(X) @ X
unseen = w0.double() - row_space @ w0.double()
run = train_scratch(problem, num_epochs=300, seed=0, initial=(w0, b0))
print(
    f"||w0|| = {float(w0.norm()):.2f}; its part outside the row space: {float(unseen.norm()):.2f}"
)
print(f"after 300 epochs at lambda = 0: ||w|| = {run.w_norm:.2f}")
change = (run.w.double() - w0.double()).flatten()
outside = float((change - row_space @ change).norm() / change.norm())
print(f"share of the change w - w0 outside the row space: {outside:.1e}")
assert outside < 1e-3  # SGD never moves w out of the row space
assert abs(float(unseen.norm()) / run.w_norm - 1) < 0.05  # nearly all of ||w|| is the start

# %%
# Starting from zero
# ------------------
# The same argument says what *does* help: removing the start. Started from :math:`w = 0`, plain
# SGD at :math:`\lambda = 0` stays in the row space and converges to the minimum-norm interpolating
# solution. On this problem that ends with a lower test loss than the book's weight-decay run
# (:math:`\lambda = 3`, 100 epochs, printed beside it), which has not yet erased its start. It
# does not learn the weights either: its test loss is about the zero predictor's (printed),
# which is all that 20 examples allow here. Its test curve is almost flat, so there is again
# little for early stopping to gain (the printed lowest and final values).
zero = (torch.zeros(200, 1), torch.zeros(1))
from_zero = [
    train_scratch(problem, num_epochs=300, eval_every=1, seed=s, initial=zero)
    for s, problem in enumerate(problems)
]
for s, run in enumerate(from_zero):
    test = np.array(run.history.test_loss)
    book = train_scratch(problems[s], lambd=3.0, seed=s, eval_every=100).history.test_loss[-1]
    zero_loss = zero_predictor_loss(problems[s])
    print(
        f"seed {s}, start 0, lambda = 0: test loss {test[-1]:.5f} after 300 epochs, "
        f"lowest {test.min():.5f} (epoch {int(test.argmin()) + 1}); "
        f"N(0, 1) start with L2 lambda = 3: {book:.5f}; zero predictor: {zero_loss:.5f}"
    )
    # The prose relies on these.
    assert test[-1] < book  # the zero start ends below the book's run
    assert 0.5 < test[-1] / zero_loss < 1.5  # about the zero predictor's loss
    assert (test[-1] - test.min()) / test[-1] < 0.05  # almost flat

# %%
# More data
# ---------
# The other dependable remedy, and the only one here that learns the weights, is more data. With
# at least as many examples as weights the row space is everything, and SGD corrects the whole
# start by itself, though slowly in the directions that the data show least: with 400 examples,
# 100 epochs are not yet enough to get below the zero predictor, with 1000 they are, by far,
# and the norm of the weights approaches that of the true ones (all printed). Same model,
# :math:`\lambda = 0`, same learning rate, batch size and 100 epochs (so more updates with more
# data):
more_data = {}
for n_train in (20, 100, 400, 1000):
    bigger = make_problem(n_train=n_train, seed=0)
    run = train_scratch(bigger, eval_every=100, seed=0)
    more_data[n_train] = run.history.test_loss[-1] / zero_predictor_loss(bigger)
    print(
        f"n_train = {n_train:>4}: {run.history.num_updates:>5} updates, "
        f"test loss {run.history.test_loss[-1]:.4g} ({more_data[n_train]:.3g} times the zero "
        f"predictor's), ||w|| = {run.w_norm:.3f} (true weights: {float(bigger.true_w.norm()):.3f})"
    )
assert more_data[20] > 100
assert more_data[100] > 100
assert more_data[400] > 1  # not there yet after 100 epochs
assert more_data[1000] < 0.05  # learned, ...
assert abs(run.w_norm / float(bigger.true_w.norm()) - 1) < 0.1  # ... with about the true norm

fig, ax = plt.subplots(figsize=(7, 4.2))
for s, (run, zero_run) in enumerate(zip(long_runs, from_zero, strict=True)):
    ax.semilogy(run.history.epochs, run.history.test_loss, color=f"C{s}")
    ax.semilogy(zero_run.history.epochs, zero_run.history.test_loss, color=f"C{s}", ls="--")
ax.plot([], [], color="black", label=r"$\mathcal{N}(0, 1)$ start")
ax.plot([], [], color="black", ls="--", label="start at 0")
ax.set_xlabel("epoch")
ax.set_ylabel("test loss")
ax.set_title(r"$\lambda = 0$, five seeds")
ax.legend()
fig.tight_layout()

# %%
# Interpreting the results
# ------------------------
# * On this problem early stopping does not help: at :math:`\lambda = 0` the test loss of
#   :func:`weightdecay.trainer.train_scratch` never rises measurably with more epochs, and the
#   epoch chosen on a validation split gives no better a test loss than training to the end (the
#   printed ratios), while weight decay does far better on the same 15 examples (though still far
#   worse than the zero predictor). The overfit model is not a model that trained too long; it is
#   the random start in the 180 directions the data never see.
# * Early stopping does work when the test curve is U-shaped, typically for a model started near
#   zero that gradually fits noise; from a zero start gradient descent and L2 are closely related
#   (stopping after :math:`t` steps acts roughly like :math:`\lambda \approx 1/(\eta t)`).
# * Remedies measured here: start from zero (or small) weights, which brings the test loss down
#   to about the zero predictor's, and more data, which alone learns the weights. Others, not
#   measured on this page: a smaller model or feature selection (the L1 penalty of
#   :ref:`sphx_glr_auto_examples_plot_08_l1_vs_l2.py` does it automatically); noise injection,
#   which for a linear model with input noise of variance :math:`s^2` adds the L2 penalty
#   :math:`\tfrac{s^2}{2}\lVert w\rVert^2` to the expected loss (Bishop 1995); dropout, which for
#   linear regression is an L2 penalty weighted by each feature's second moment.
# * The other exercises are answered in :ref:`explanation-exercises`; the weight decay used for
#   comparison is :func:`weightdecay.penalty.l2_penalty`, and :ref:`faq-large-weights` explains
#   when it hurts.

# sphinx_gallery_thumbnail_number = 1
