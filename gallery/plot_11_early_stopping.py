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
Every loss on this page is the from-scratch trainer's half squared error
:math:`\\tfrac12(\\hat y - y)^2`, averaged over the examples.
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
    print(
        f"seed {s}: test loss {test[0]:.1f} after epoch 1, {test[99]:.1f} after 100, "
        f"{test[-1]:.1f} after 300 (lowest {test.min():.1f}, at epoch {test.argmin() + 1}); "
        f"training loss {run.history.train_loss[-1]:.1e} after 300"
    )

# sphinx_gallery_start_ignore
from recorded import record

tests = [np.array(run.history.test_loss) for run in long_runs]
rises = [(test[-1] - test.min()) / test[-1] for test in tests]
assert max(rises) < 1e-2, "the test loss rises measurably at lambda = 0"
assert all(r.history.train_loss[-1] < 1e-6 * r.history.train_loss[0] for r in long_runs)
record("max_rise", max(rises))
record("test_final_low", min(test[-1] for test in tests))
record("test_final_high", max(test[-1] for test in tests))
record("train_final_high", max(r.history.train_loss[-1] for r in long_runs))
# sphinx_gallery_end_ignore

# %%
# No turning point
# ----------------
# The test loss falls, quickly at first, then flattens. It never rises measurably: after its
# lowest point it rises by at most :val:`plot_11.max_rise:.2%` of the final value, so
# stopping early cannot gain anything. The training loss meanwhile goes to zero (at most
# :val:`plot_11.train_final_high:.1e` after 300 epochs): the model interpolates the 20
# examples, yet the test loss stays between :val:`plot_11.test_final_low:.0f` and
# :val:`plot_11.test_final_high:.0f`.
import matplotlib.pyplot as plt

fig, (ax_test, ax_train) = plt.subplots(1, 2, figsize=(10, 3.8), sharex=True)
for s, run in enumerate(long_runs):
    history = run.history
    ax_test.semilogy(history.epochs, history.test_loss, color=f"C{s}", label=f"seed {s}")
    ax_train.semilogy(history.epochs, history.train_loss, color=f"C{s}")
ax_test.set_ylabel(r"test loss, $\frac{1}{2}(\hat y - y)^2$")
ax_train.set_ylabel(r"training loss, $\frac{1}{2}(\hat y - y)^2$")
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
    common = {
        "y_train": problem.y_train[fit],
        "true_w": problem.true_w,
        "true_b": problem.true_b,
    }
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
print("test loss (half squared error) of each model")
print(
    f"{'seed':>4}{'stop epoch':>12}{'early stop':>12}{'300 epochs':>12}{'L2, lambda=3':>14}"
    f"{'zero predictor':>16}"
)
for s, (stop, early, late, l2, zero) in enumerate(rows):
    print(f"{s:>4}{stop:>12}{early:>12.2f}{late:>12.2f}{l2:>14.4f}{zero:>16.4f}")

# sphinx_gallery_start_ignore
ratios = np.array([early / late for _, early, late, _, _ in rows])
assert ratios.min() > 0.99, "stopping early gains something"
assert all(l2 < 0.1 * min(early, late) for _, early, late, l2, _ in rows), "decay does better"
assert all(l2 > 10 * zero for *_, l2, zero in rows), "decay reaches the zero predictor"
record("early_ratio_low", ratios.min())
record("early_ratio_high", ratios.max())
record("l2_over_late_high", max(l2 / late for _, _, late, l2, _ in rows))
record("l2_over_zero_low", min(l2 / zero for *_, l2, zero in rows))
# sphinx_gallery_end_ignore

# %%
# The table is worth reading row by row. The early-stopped model's test loss is
# :val:`plot_11.early_ratio_low:.3f` to :val:`plot_11.early_ratio_high:.3f` times that of the
# model trained for all 300 epochs: nothing gained. Weight decay's is at most
# :val:`plot_11.l2_over_late_high:.2g` times that, and still at least
# :val:`plot_11.l2_over_zero_low:.0f` times the zero predictor's.

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
row_space = torch.linalg.pinv(X) @ X  # projects onto the row space of X
unseen = w0.double() - row_space @ w0.double()
run = train_scratch(problem, num_epochs=300, seed=0, initial=(w0, b0))
change = (run.w.double() - w0.double()).flatten()
outside = float((change - row_space @ change).norm() / change.norm())
print(f"||w0|| = {float(w0.norm()):.2f}; its part outside the row space: {unseen.norm():.2f}")
print(f"after 300 epochs at lambda = 0: ||w|| = {run.w_norm:.2f}")
print(f"share of the change w - w0 outside the row space: {outside:.1e}")

# sphinx_gallery_start_ignore
assert outside < 1e-3, "SGD moved w out of the row space"
assert abs(float(unseen.norm()) / run.w_norm - 1) < 0.05, "||w|| is no longer mostly the start"
record("unseen_norm", float(unseen.norm()))
record("final_norm", run.w_norm)
# sphinx_gallery_end_ignore

# %%
# The part of the start outside the row space has norm :val:`plot_11.unseen_norm:.2f`, and the
# weights end with :math:`\lVert w\rVert =` :val:`plot_11.final_norm:.2f`: the start, untouched.

# %%
# Starting from zero
# ------------------
# The same argument says what *does* help: removing the start. Started from :math:`w = 0`, plain
# SGD at :math:`\lambda = 0` stays in the row space and converges to the minimum-norm
# interpolating solution. On this problem that ends with a lower test loss than the book's
# weight-decay run (:math:`\lambda = 3`, 100 epochs from the :math:`\mathcal N(0, 1)` start),
# which has not yet erased its start. It does not learn the weights either: its test loss is
# :val:`plot_11.zero_start_over_zero_low:.2f` to :val:`plot_11.zero_start_over_zero_high:.2f`
# times the zero predictor's, which is all that 20 examples allow here. Its test curve is almost
# flat: its lowest value is at most :val:`plot_11.zero_start_rise:.1%` below its final one,
# so there is again little for early stopping to gain.
zero = (torch.zeros(200, 1), torch.zeros(1))
from_zero = [
    train_scratch(problem, num_epochs=300, eval_every=1, seed=s, initial=zero)
    for s, problem in enumerate(problems)
]
print("test loss (half squared error)")
for s, run in enumerate(from_zero):
    book = train_scratch(problems[s], lambd=3.0, seed=s, eval_every=100).history.test_loss[-1]
    print(
        f"seed {s}: start 0, lambda = 0, 300 epochs: {run.history.test_loss[-1]:.5f}; "
        f"N(0, 1) start, L2 lambda = 3, 100 epochs: {book:.5f}; "
        f"zero predictor: {zero_predictor_loss(problems[s]):.5f}"
    )
    # sphinx_gallery_start_ignore
    assert run.history.test_loss[-1] < book, "the zero start no longer ends below the book's run"
    # sphinx_gallery_end_ignore

# sphinx_gallery_start_ignore
zero_ratios = [
    r.history.test_loss[-1] / zero_predictor_loss(p)
    for p, r in zip(problems, from_zero, strict=True)
]
zero_rises = [1 - min(r.history.test_loss) / r.history.test_loss[-1] for r in from_zero]
assert 0.5 < min(zero_ratios) <= max(zero_ratios) < 1.5, "no longer about the zero predictor"
assert max(zero_rises) < 0.05, "the curve from zero is no longer almost flat"
record("zero_start_over_zero_low", min(zero_ratios))
record("zero_start_over_zero_high", max(zero_ratios))
record("zero_start_rise", max(zero_rises))
# sphinx_gallery_end_ignore

# %%
# More data
# ---------
# The other dependable remedy, and the only one here that learns the weights, is more data. With
# at least as many examples as weights the row space is everything, and SGD corrects the whole
# start by itself, though slowly in the directions that the data show least. Same model,
# :math:`\lambda = 0`, same learning rate, batch size and 100 epochs (so more updates with more
# data):
more_data = {}
for n_train in (20, 100, 400, 1000):
    bigger = make_problem(n_train=n_train, seed=0)
    run = train_scratch(bigger, eval_every=100, seed=0)
    more_data[n_train] = run.history.test_loss[-1] / zero_predictor_loss(bigger)
    loss, true_norm = run.history.test_loss[-1], float(bigger.true_w.norm())
    print(
        f"n_train = {n_train:>4}: {run.history.num_updates:>5} updates, test loss {loss:.4g} "
        f"({more_data[n_train]:.3g} times the zero predictor's), ||w|| = {run.w_norm:.3f} "
        f"(true weights: {true_norm:.3f})"
    )

# sphinx_gallery_start_ignore
assert min(more_data[20], more_data[100]) > 100, "20 or 100 examples learn"
assert more_data[400] > 1, "400 examples and 100 epochs already beat the zero predictor"
assert more_data[1000] < 0.05, "1000 examples no longer learn"
assert abs(run.w_norm / float(bigger.true_w.norm()) - 1) < 0.1, "not the true norm"
record("ratio_400", more_data[400])
record("ratio_1000", more_data[1000])
record("norm_1000", run.w_norm)
record("true_norm", float(bigger.true_w.norm()))
# sphinx_gallery_end_ignore

# %%
# With 400 examples, 100 epochs are not yet enough to get below the zero predictor (test loss
# :val:`plot_11.ratio_400:.3g` times its); with 1000 they are, by far
# (:val:`plot_11.ratio_1000:.2g` times), and the norm of the weights,
# :val:`plot_11.norm_1000:.3f`, approaches that of the true ones, :val:`plot_11.true_norm:.3f`.
# The figure puts the test curves of both starts side by side.
fig, ax = plt.subplots(figsize=(7, 4.2))
for s, (run, zero_run) in enumerate(zip(long_runs, from_zero, strict=True)):
    ax.semilogy(run.history.epochs, run.history.test_loss, color=f"C{s}")
    ax.semilogy(zero_run.history.epochs, zero_run.history.test_loss, color=f"C{s}", ls="--")
ax.plot([], [], color="black", label=r"$\mathcal{N}(0, 1)$ start")
ax.plot([], [], color="black", ls="--", label="start at 0")
ax.set_xlabel("epoch")
ax.set_ylabel(r"test loss, $\frac{1}{2}(\hat y - y)^2$")
ax.set_title(r"$\lambda = 0$, five seeds")
ax.legend()
fig.tight_layout()

# %%
# Interpreting the results
# ------------------------
# * On this problem early stopping does not help: at :math:`\lambda = 0` the test loss of
#   :func:`weightdecay.trainer.train_scratch` never rises measurably with more epochs, and the
#   epoch chosen on a validation split gives no better a test loss than training to the end,
#   while weight decay does far better on the same 15 examples (though still far worse than
#   the zero predictor). The overfit model is not a model that trained too long; it is the
#   random start in the 180 directions the data never see.
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

# %%
# Try it
# ------
# **Question 1.** With 50 training examples instead of 20, train the notebook's model at
# :math:`\lambda = 0` from its :math:`\mathcal N(0, 1)` start. About how large will
# :math:`\lVert w\rVert` be at the end? Write down a number before you open the answer.
#
# .. answer-start
fifty = make_problem(n_train=50, seed=0)
run_50 = train_scratch(fifty, seed=0)
print(f"n_train = 50: ||w|| = {run_50.w_norm:.2f} after 100 epochs")
print(f"sqrt(150) = {150**0.5:.2f}")

# sphinx_gallery_start_ignore
assert abs(run_50.w_norm / 150**0.5 - 1) < 0.1, "no longer about sqrt(150)"
record("q1_norm", run_50.w_norm)
# sphinx_gallery_end_ignore

# %%
# About :math:`\sqrt{150} \approx 12.2` (measured: :val:`plot_11.q1_norm:.2f`). The 50 examples
# span 50 of the 200 directions; the start's 150 other coordinates, each of variance 1, stay
# untouched, and their norm is about :math:`\sqrt{150}`. The part inside the row space ends
# small, so it hardly adds to the norm. More data shrinks the untouched part only slowly: only
# :math:`n \ge 200` removes it.
#
# .. answer-end

# %%
# **Question 2.** Make the labels noisy: ``make_problem(noise=0.5)`` instead of the notebook's
# 0.01, the model started from zero, :math:`\lambda = 0`, 100 epochs. Will the test curve now go
# down and up again, so that early stopping gains something? If so, by about how much? Commit to
# a choice (no, a little, a lot) before you open the answer.
#
# .. answer-start
for s in range(3):
    noisy = make_problem(noise=0.5, seed=s)
    run = train_scratch(noisy, eval_every=1, seed=s, initial=zero)
    test = np.array(run.history.test_loss)
    print(
        f"seed {s}: lowest test loss {test.min():.4f} at epoch {test.argmin() + 1}, "
        f"{test[-1]:.4f} after 100 epochs: {1 - test.min() / test[-1]:.0%} lower"
    )
    # sphinx_gallery_start_ignore
    assert 0.05 < 1 - test.min() / test[-1] < 0.3, "no longer a clear gain"
    record(f"q2_gain_{s}", 1 - test.min() / test[-1])
    # sphinx_gallery_end_ignore

# %%
# Yes: now the test loss is lowest within the first epochs and rises afterwards, and stopping
# there would give a test loss :val:`plot_11.q2_gain_0:.0%`, :val:`plot_11.q2_gain_1:.0%`
# and :val:`plot_11.q2_gain_2:.0%` lower than training to the end. Started from zero, SGD fits
# the directions in which the 20 examples vary most first, and whatever it fits here is mostly
# noise: the signal (:math:`\lVert w^*\rVert^2 = 0.02`) is small next to the noise
# (:math:`\sigma^2 = 0.25`). Fitting all 20 noisy labels exactly takes weights that only hurt on
# new inputs, so the best moment is almost the start, where the model predicts little more than
# the mean label. Stopping early keeps the weights small, as weight decay would; that is the
# U-shaped (here, mostly rising) curve for which early stopping is made.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
