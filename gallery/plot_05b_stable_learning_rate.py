# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
======================================================
How large a learning rate is stable, and the fixes
======================================================

:ref:`The previous part <sphx_glr_auto_examples_plot_05_nan_and_inf.py>` traced how a learning
rate that is too large ends in Inf and NaN. Here we find the largest stable learning rate of the
notebook's data, relate it to the curvature of the loss, :math:`2/L`, and explain why the
full-batch value is far too optimistic for minibatch SGD. Then we try the fixes: a smaller
learning rate, and gradient clipping, with what clipping does not bound. Every loss on this page
is the from-scratch trainer's: the mean of :math:`\tfrac12(\hat y - y)^2`.
"""

# %%
# A learning-rate sweep
# ---------------------
# We train the from-scratch model of :func:`~weightdecay.trainer.train_scratch` (no penalty,
# 100 epochs, batches of 5) with learning rates from well below to well above the notebook's
# 0.003, all from the same initial weights and on the same minibatches. With
# ``on_divergence="stop"`` a run that stops being finite is not an error: the trainer returns
# the history up to the failure and a :class:`~weightdecay.results.Divergence` record.
import torch

from weightdecay.data import make_problem
from weightdecay.evaluate import evaluate_loss
from weightdecay.trainer import train_scratch

problem = make_problem(seed=0)
X, y = problem.X_train, problem.y_train
w0 = torch.randn(problem.num_inputs, 1, generator=torch.Generator().manual_seed(0))
b0 = torch.zeros(1)
initial_loss = evaluate_loss(lambda X: X @ w0 + b0, X, y)


def train(lr, **options):
    """One run of the sweep: same data, initial weights and batches; stop at divergence."""
    return train_scratch(problem, lr=lr, initial=(w0, b0), on_divergence="stop", **options)


lrs = torch.logspace(-3, 0, 22).tolist()
sweep = {lr: train(lr) for lr in lrs}
print(f"train loss of the initial weights: {initial_loss:.1f}")
for lr, result in sweep.items():
    if result.diverged:
        print(f"lr = {lr:.4f}: diverged at update {result.divergence.step}")
    else:
        loss = result.history.train_loss[-1]
        print(f"lr = {lr:.4f}: train loss {loss:.3g} after 100 epochs")

# %%
# The largest stable learning rate
# --------------------------------
# "Stable" needs a definition that a finite run can check: we call a learning rate stable when
# the run did not diverge and its training loss after 100 epochs is below the loss at the first
# evaluation (epoch 5). Between the last stable and the first unstable rate of the sweep we
# bisect (on a log scale) to locate the threshold.
import math


def is_stable(result):
    """Finite, and a lower training loss at the end than at the first evaluation (epoch 5)?"""
    losses = result.history.train_loss
    return not result.diverged and losses[-1] < losses[0]


low = max(lr for lr, result in sweep.items() if is_stable(result))
high = min(lr for lr in lrs if lr > low)
for _ in range(8):
    middle = math.sqrt(low * high)
    low, high = (middle, high) if is_stable(train(middle)) else (low, middle)
lr_star = low
print(f"threshold: stable at lr = {low:.5f}, unstable at lr = {high:.5f}")

# sphinx_gallery_start_ignore
from recorded import record

stable_lrs = [lr for lr, result in sweep.items() if is_stable(result)]
assert stable_lrs == [lr for lr in lrs if lr <= max(stable_lrs)], "stability is monotone in lr"
record("threshold", lr_star)
record("last_stable", max(stable_lrs))
# sphinx_gallery_end_ignore

# %%
# The threshold and the curvature :math:`2/L`
# -------------------------------------------
# For a quadratic loss with Hessian :math:`H`, one gradient step maps the error :math:`e` to
# :math:`(I - \eta H)e`; the component along the top eigenvector is multiplied by
# :math:`1 - \eta L` with :math:`L = \lambda_{\max}(H)`, which is larger than 1 in absolute value
# exactly when :math:`\eta > 2/L`. For our loss the Hessian of a batch :math:`B` is
# :math:`\tilde X_B^\top \tilde X_B / |B|`, where :math:`\tilde X` is :math:`X` with a column of
# ones for the bias. Which :math:`L`? Full-batch gradient descent sees the whole training set;
# SGD sees one batch of 5 at a time. We compute :math:`L` for the full batch and for every one
# of the :math:`\binom{20}{5}` batches the shuffling can produce.
import itertools

Xt = torch.cat([X, torch.ones(problem.n_train, 1)], dim=1)
L_full = float(torch.linalg.eigvalsh(Xt.T @ Xt / problem.n_train)[-1])
batches = torch.tensor(list(itertools.combinations(range(problem.n_train), 5)))
# The non-zero eigenvalues of X_B^T X_B / |B| are those of the small matrix X_B X_B^T / |B|.
L_batch = torch.linalg.eigvalsh(Xt[batches] @ Xt[batches].mT / 5)[:, -1]
print(f"{'2/L of the full batch:':<30}{2 / L_full:.4f}")
named = {"worst": L_batch.max(), "median": L_batch.median(), "best": L_batch.min()}
for name, L in named.items():
    print(f"{f'2/L of the {name} batch of 5:':<30}{2 / float(L):.4f}")
print(f"{'measured threshold:':<30}{lr_star:.4f}")

# sphinx_gallery_start_ignore
unit_rows = X / X.norm(dim=1, keepdim=True)
max_cosine = float((unit_rows @ unit_rows.T - torch.eye(problem.n_train)).abs().max())
row_sq = X.pow(2).sum(1)
assert 2 / float(L_batch.max()) < lr_star < 0.6 * (2 / L_full), "well below the full batch's"
assert max_cosine < 0.5, "nearly orthogonal rows"
assert 2 / float(L_batch.median()) < lr_star < 2 / float(L_batch.min())
record("two_over_full", 2 / L_full)
record("two_over_worst", 2 / float(L_batch.max()))
record("two_over_median", 2 / float(L_batch.median()))
record("two_over_best", 2 / float(L_batch.min()))
record("ratio_to_full", lr_star / (2 / L_full))
record("num_batches", len(batches))
record("max_cosine", max_cosine)
record("row_sq_batch", float(row_sq.mean()) / 5)
record("L_full", L_full)
record("L_median", float(L_batch.median()))
# sphinx_gallery_end_ignore

# %%
# Why the gap
# ~~~~~~~~~~~
# The full-batch :math:`2/L` is far too optimistic for SGD: the measured threshold is only
# :val:`plot_05b.ratio_to_full:.2f` of it. With 200 features and 20 examples the rows of
# :math:`X` are nearly orthogonal (the largest cosine of the angle between two of them is
# :val:`plot_05b.max_cosine:.2f`), so a batch's Hessian acts on the span of its own 5 rows with
# eigenvalues of the order of :math:`\lVert x_i\rVert^2/|B|` (:val:`plot_05b.row_sq_batch:.1f` on
# average; the median batch's :math:`L` is :val:`plot_05b.L_median:.1f`), while the full batch
# divides the same :math:`\lVert x_i\rVert^2` by 20 (:math:`L` = :val:`plot_05b.L_full:.1f`). A
# smaller batch means a sharper loss for each step.
#
# The threshold is, however, *above* :math:`2/L` of the worst batch,
# :val:`plot_05b.two_over_worst:.4f`. That value is a sufficient condition: below it no step
# stretches any direction, whatever batch comes. Above it some steps stretch some directions,
# but the next batches, drawn afresh each epoch, shrink them again; the run diverges only when
# the stretching wins on average over the sequence of batches (a product of random matrices).
# The measured threshold falls between :math:`2/L` of the median batch,
# :val:`plot_05b.two_over_median:.4f`, and of the best one, :val:`plot_05b.two_over_best:.4f`.
# There is no simple closed form for it; the sweep measures it, for this data and this seed, and
# the curvature bounds it.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
finite = [(lr, r.history.train_loss[-1]) for lr, r in sweep.items() if not r.diverged]
stopped = [(lr, r.divergence.last_finite_loss) for lr, r in sweep.items() if r.diverged]
ax.plot(*zip(*finite, strict=True), "o-", label="after 100 epochs")
ax.plot(*zip(*stopped, strict=True), "x", ms=9, color="C3", label="diverged (last finite)")
ax.axhline(initial_loss, color="gray", lw=0.8, ls=":", label="initial loss")
marks = {
    r"$2/L$, full batch": (2 / L_full, "C2", "--"),
    r"$2/L$, worst batch of 5": (2 / float(L_batch.max()), "C1", "--"),
    r"$2/L$, best batch of 5": (2 / float(L_batch.min()), "C4", "--"),
    "measured threshold": (lr_star, "k", "-"),
}
for label, (value, color, style) in marks.items():
    ax.axvline(value, color=color, ls=style, lw=1.2, label=label)
ax.set(xscale="log", yscale="log", xlabel="learning rate")
ax.set(ylabel=r"train loss, mean of $\frac{1}{2}(\hat y - y)^2$")
ax.set_title("Learning-rate sweep: the loss explodes past the threshold")
ax.legend(fontsize="small", loc="upper left")
plt.show()

# %%
# Fix 1: a smaller learning rate
# ------------------------------
# Below the threshold, the same data and initial weights train without trouble: here is the run
# at half the measured threshold.
lr_good = lr_star / 2
good = train(lr_good)
print(f"lr = {lr_good:.4f}: final train loss {good.history.train_loss[-1]:.3g}")

# sphinx_gallery_start_ignore
assert not good.diverged
assert good.history.train_loss[-1] < 1e-6 * initial_loss
record("lr_good", lr_good)
record("good_loss", good.history.train_loss[-1])
# sphinx_gallery_end_ignore

# %%
# Fix 2: gradient clipping
# ------------------------
# ``max_grad_norm=C`` rescales the gradient of each update to norm at most :math:`C` before the
# step (the rule of :func:`torch.nn.utils.clip_grad_norm_`), so in
# :func:`~weightdecay.trainer.train_scratch`, where the penalty is part of the loss, one update
# moves the parameters by at most :math:`\eta C` (see below for where that bound fails);
# ``record_grad_norm=True`` keeps the norm *before* clipping. At ``lr = 0.1``, which diverges,
# clipping keeps the run finite. It does not make 0.1 a stable learning rate: whenever the
# gradient gets small near the minimum, the unstable directions grow again until clipping caps
# the step at :math:`\eta C`. The run hovers at a loss floor, with clipping active on almost
# every update, instead of converging.
lr_bad, clip = 0.1, 1.0
clipped = train(lr_bad, max_grad_norm=clip, record_grad_norm=True)
unclipped = train(lr_bad)
h = clipped.history
later = h.train_loss[len(h.train_loss) // 2 :]
print(f"clipping active in {sum(g > clip for g in h.grad_norm)} of {h.num_updates} updates")
print(f"train loss over the second half: {min(later):.3g} ... {max(later):.3g}")

fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
runs = {
    f"lr = {lr_bad} (diverges)": unclipped,
    f"lr = {lr_bad}, max_grad_norm = {clip}": clipped,
    f"lr = {lr_good:.4f} (below the threshold)": good,
}
for label, run in runs.items():
    ax.plot(run.history.epochs, run.history.train_loss, "o-", ms=3, label=label)
ax.set(yscale="log", xlabel="epoch", ylabel=r"train loss, mean of $\frac{1}{2}(\hat y-y)^2$")
ax.set_title("the fixes")
ax.legend(fontsize="small")
plt.show()

# sphinx_gallery_start_ignore
active = sum(g > clip for g in h.grad_norm)
assert not clipped.diverged
assert unclipped.diverged
assert active > 0.9 * h.num_updates, "almost every update"
assert min(later) > 100 * good.history.train_loss[-1], "a floor, far above the stable run"
record("clip_active", active)
record("clip_updates", h.num_updates)
record("floor_low", min(later))
record("floor_high", max(later))
# sphinx_gallery_end_ignore

# %%
# Clipping was active in :val:`plot_05b.clip_active` of the :val:`plot_05b.clip_updates` updates,
# and over the second half of the run the loss stayed between :val:`plot_05b.floor_low:.2g` and
# :val:`plot_05b.floor_high:.2g`, where the run at half the threshold reached
# :val:`plot_05b.good_loss:.1g`.

# %%
# What clipping does not bound
# ----------------------------
# The bound :math:`\eta C` is a property of the clipped gradient, so it holds only when
# everything that moves the parameters goes through that gradient. In
# :func:`~weightdecay.trainer.train_scratch` the L2 penalty (or the L1 penalty by its
# subgradient) is part of the loss, and its gradient is clipped with the rest. Three updates
# escape the bound:
#
# * :func:`~weightdecay.trainer.train_concise` with ``weight_decay``: the optimizer adds
#   ``weight_decay * w`` to the gradient *after* clipping, so a step moves the weights by up to
#   :math:`\eta(C + \mathrm{wd}\,\lVert w\rVert)`;
# * Adam (``optimizer="adam"`` or ``"adamw"``): it divides the clipped gradient by its own
#   running size, so each coordinate moves by about :math:`\eta` whatever :math:`C` is;
# * the proximal L1 step (``l1_update="proximal"``), which soft-thresholds after the clipped
#   step, by up to :math:`\eta\lambda` per weight.
#
# We measure one full-batch update of each from the initial weights above, at the notebook's
# learning rate with :math:`C = 1` (every initial gradient norm is far above 1, so clipping is
# active), in float64 so that the small steps are measured exactly, and divide the distance that
# :math:`(w, b)` moved by :math:`\eta C`.
from weightdecay.trainer import train_concise

problem64 = make_problem(seed=0, dtype=torch.float64)
start64 = (w0.double(), b0.double())
one_update = {"lr": 0.003, "max_grad_norm": clip, "batch_size": 20, "num_epochs": 1}
one_update |= {"initial": start64, "record_grad_norm": True}
one_step = {
    "scratch, L2 penalty (lambda = 3.5)": train_scratch(problem64, lambd=3.5, **one_update),
    "concise SGD, weight_decay = 7": train_concise(problem64, weight_decay=7.0, **one_update),
    "concise Adam, no weight_decay": train_concise(problem64, optimizer="adam", **one_update),
    "scratch, proximal L1 (lambda = 2)": train_scratch(
        problem64, lambd=2.0, penalty="l1", l1_update="proximal", **one_update
    ),
}
for name, result in one_step.items():
    w_start, b_start = result.initial
    moved = torch.cat([(result.w - w_start).ravel(), (result.b - b_start).ravel()]).norm()
    print(f"{name:<36} moved {moved / (0.003 * clip):6.3g} x eta C")

# sphinx_gallery_start_ignore
moved_by = {}
for name, result in one_step.items():
    w_start, b_start = result.initial
    moved_by[name] = float(
        torch.cat([(result.w - w_start).ravel(), (result.b - b_start).ravel()]).norm()
    ) / (0.003 * clip)
    assert result.history.grad_norm[0] > 10 * clip, "clipping is active"
names = list(moved_by)
assert 0.99 < moved_by[names[0]] <= 1 + 1e-9, "the penalty in the loss: within the bound"
assert all(moved_by[name] > 5 for name in names[1:]), "the three others escape it"
for key, name in zip(("wd", "adam", "proximal"), names[1:], strict=True):
    record(f"moved_{key}", moved_by[name])
# sphinx_gallery_end_ignore

# %%
# The from-scratch L2 run moved by exactly :math:`\eta C`; the concise run with ``weight_decay``
# moved :val:`plot_05b.moved_wd:.0f` times as far, Adam :val:`plot_05b.moved_adam:.0f` times and
# the proximal L1 step :val:`plot_05b.moved_proximal:.0f` times.

# %%
# Interpreting the results
# ------------------------
# The learning rate is what decides: on this data the measured threshold sits well below
# :math:`2/L` of the full batch (:val:`plot_05b.ratio_to_full:.2f` of it) and above :math:`2/L`
# of the worst minibatch; every run of the sweep below it stayed finite and ended with a lower
# training loss than at its first evaluation (epoch 5), the criterion of the sweep. Clipping with
# ``max_grad_norm`` keeps an unstable run finite but leaves it at a loss floor; it is a guard
# against rare large gradients, not a substitute for a stable learning rate, and it bounds a step
# by :math:`\eta C` only when every part of the update goes through the clipped gradient (not
# with the concise trainer's ``weight_decay``, nor with Adam, nor with the proximal step).
# :ref:`sphx_glr_auto_examples_plot_05_nan_and_inf.py` shows where the NaN and the Inf of an
# unstable run come from, and the :ref:`FAQ page <faq-nan-and-inf>` gives the short answer.

# %%
# Try it
# ------
# **Question 1.** With full batches (``batch_size=20``, one update per epoch), will the largest
# stable learning rate be smaller than the threshold of batches of 5, about the same, or larger?
# By what factor? Write down a number before you open the answer.
#
# .. answer-start
full_batch = {}
for factor in (0.95, 1.05):
    full_batch[factor] = is_stable(train(factor * 2 / L_full, batch_size=20))
    print(f"batch size 20, lr = {factor} x 2/L: stable {full_batch[factor]}")

# sphinx_gallery_start_ignore
assert full_batch == {0.95: True, 1.05: False}, "full batch: stable exactly below 2/L"
record("q1_factor", (2 / L_full) / lr_star)
# sphinx_gallery_end_ignore

# %%
# Larger, by a factor of :val:`plot_05b.q1_factor:.1f`: full-batch gradient descent on this
# quadratic loss is stable exactly below :math:`2/L` of the full batch,
# :val:`plot_05b.two_over_full:.4f`. Every update sees the same curvature, the full batch's,
# which divides each :math:`\lVert x_i\rVert^2` by 20 instead of 5.
#
# .. answer-end

# %%
# **Question 2.** Multiply every feature by 2, as a change of units would. What will the largest
# stable learning rate (for batches of 5) become: the same :val:`plot_05b.threshold:.4f`, half
# of it, or a quarter?
#
# .. answer-start
from weightdecay.problem import Problem

doubled = Problem.from_arrays(2 * X, y, 2 * problem.X_test, problem.y_test)
scaled = {}
for factor in (0.9, 1.1):
    lr = factor * lr_star / 4
    run = train_scratch(doubled, lr=lr, initial=(w0, b0), on_divergence="stop")
    scaled[factor] = is_stable(run)
    print(f"features x 2, lr = {factor} x threshold / 4: stable {scaled[factor]}")

# sphinx_gallery_start_ignore
assert scaled == {0.9: True, 1.1: False}, "a quarter of the threshold"
record("q2_quarter", lr_star / 4)
# sphinx_gallery_end_ignore

# %%
# A quarter, about :val:`plot_05b.q2_quarter:.4f`: the Hessian :math:`X_B^\top X_B/|B|` grows
# with the square of the features, so :math:`L` is 4 times larger and :math:`2/L` 4 times
# smaller. The scale of the inputs sets the learning rate, which is one reason to standardize
# features before training.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
