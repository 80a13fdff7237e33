# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
=============================
When are the weights updated?
=============================

The course notebook asks whether the weights are updated at the end of each epoch. They are not:
the training loop calls the optimizer once per *minibatch*, so with 20 training examples and
batches of 5 the weights change :val:`plot_07.per_epoch` times per epoch,
:val:`plot_07.total_updates` times in the notebook's 100 epochs. The evaluations that d2l's
``Animator`` draws every 5 epochs are snapshots of a model that has kept moving in between.
Below we count the updates the trainer made, draw the loss of every single update next to the
per-epoch evaluations, and compare batch sizes 5, 20 (one update per epoch) and 1 (one update
per example). Every loss on this page is the from-scratch trainer's: the mean of
:math:`\tfrac12(\hat y - y)^2`.
"""

# %%
# Counting the updates
# --------------------
# :func:`~weightdecay.trainer.train_scratch` counts the parameter updates it makes in
# ``history.num_updates``. An epoch is one pass over the training set cut into minibatches,
# the last one smaller when the batch size does not divide the number of examples (as a
# ``DataLoader`` with ``drop_last=False``), so an epoch has
# :math:`\lceil n_\text{train} / |B| \rceil` updates. The table compares that formula with the
# trainer's own count for a few batch sizes, 100 epochs each.
import math

from weightdecay.data import make_problem
from weightdecay.trainer import train_scratch

problem = make_problem(seed=0)
num_epochs = 100
runs = {bs: train_scratch(problem, batch_size=bs, eval_every=1) for bs in (1, 3, 5, 20)}

print(f"{'batch size':>10}{'ceil(n/B)':>11}{'counted / epoch':>17}{'counted in total':>18}")
for bs, result in runs.items():
    per_epoch = math.ceil(problem.n_train / bs)
    counted = result.history.num_updates
    print(f"{bs:>10}{per_epoch:>11}{counted / num_epochs:>17g}{counted:>18}")

# sphinx_gallery_start_ignore
from recorded import record

for bs, result in runs.items():
    assert result.history.num_updates == math.ceil(problem.n_train / bs) * num_epochs
    assert len(result.history.step_loss) == result.history.num_updates
record("per_epoch", runs[5].history.num_updates // num_epochs)
record("total_updates", runs[5].history.num_updates)
# sphinx_gallery_end_ignore

# %%
# The loss before every update
# ----------------------------
# ``history.step_loss`` holds, for each update, the mean loss of the minibatch it was computed
# on, measured just before the weights moved. We draw it against the update's position in
# epochs (update :math:`k` of an epoch with :math:`m` updates sits at ``epoch - 1 + k / m``),
# next to the exact loss on the whole training set that the trainer evaluates after each epoch
# (``eval_every=1`` here). The right panel zooms on the first epochs: several minibatch losses
# per epoch, each on a different group of 5 examples, each followed by a step.
import matplotlib.pyplot as plt

default = runs[5].history
per_epoch = default.num_updates // num_epochs
position = [(k + 1) / per_epoch for k in range(default.num_updates)]

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
for ax, last_epoch in zip(axes, (num_epochs, 5), strict=True):
    shown = [i for i, x in enumerate(position) if x <= last_epoch]
    ax.plot(
        [position[i] for i in shown],
        [default.step_loss[i] for i in shown],
        ".-",
        lw=0.6,
        ms=3 if last_epoch == num_epochs else 7,
        label="minibatch loss before each update",
    )
    evaluated = [i for i, e in enumerate(default.epochs) if e <= last_epoch]
    ax.plot(
        [default.epochs[i] for i in evaluated],
        [default.train_loss[i] for i in evaluated],
        "o",
        mfc="none",
        color="C3",
        label="train loss, evaluated after the epoch",
    )
    ax.set(yscale="log", xlabel="epoch", ylabel=r"loss, mean of $\frac{1}{2}(\hat y - y)^2$")
axes[0].set_title(f"{default.num_updates} updates in {num_epochs} epochs")
axes[1].set_title("the first 5 epochs")
axes[1].set_xticks(range(6))
axes[1].legend(fontsize="small")
plt.show()

# %%
# One update per epoch is a different algorithm
# ---------------------------------------------
# If the weights really moved once per epoch, one epoch would be one gradient step on the
# whole training set: that is ``batch_size=20``. We train both for a single epoch from the
# same initial weights and compare.
import torch

w0 = torch.randn(problem.num_inputs, 1, generator=torch.Generator().manual_seed(0))
b0 = torch.zeros(1)
after_one = {}
for bs in (5, 20):
    one_epoch = train_scratch(problem, batch_size=bs, num_epochs=1, initial=(w0, b0))
    after_one[bs] = (float((one_epoch.w - w0).norm()), one_epoch.history.train_loss[0])
    print(
        f"batch size {bs:>2}: ||w - w0|| = {after_one[bs][0]:.3f}, "
        f"train loss {after_one[bs][1]:.1f}"
    )

# sphinx_gallery_start_ignore
start_loss = float(((problem.X_train @ w0 + b0 - problem.y_train) ** 2).mean() / 2)
assert after_one[5][0] > 2 * after_one[20][0], "batch size 5 moves the weights further"
assert after_one[5][1] < after_one[20][1] < start_loss, "and lowers the loss more"
record("start_loss", start_loss)
record("moved_5", after_one[5][0])
record("moved_20", after_one[20][0])
record("loss_5", after_one[5][1])
record("loss_20", after_one[20][1])
# sphinx_gallery_end_ignore

# %%
# From a training loss of :val:`plot_07.start_loss:.1f`, the four small steps of batch size 5
# move the weights by :val:`plot_07.moved_5:.2f` and bring the loss down to
# :val:`plot_07.loss_5:.1f`; the one full-batch step moves them by only
# :val:`plot_07.moved_20:.2f`, to a loss of :val:`plot_07.loss_20:.1f`, at the same learning
# rate.

# %%
# Batch size 20 and batch size 1
# ------------------------------
# With the same learning rate and number of epochs, batch size 20 makes one update per epoch and
# batch size 1 makes one per example. Per epoch (left), more updates mean faster progress. Per
# update (right), batch sizes 5 and 20 nearly coincide. The examples are nearly orthogonal (200
# features, 20 examples: the largest cosine of the angle between two of them is
# :val:`plot_07.max_cosine:.2f`), so a step on a batch :math:`B` shrinks the residual of each of
# its examples by a factor of about :math:`1 - \eta\lVert x_i\rVert^2/|B|`: a larger batch treats
# more examples per step, each proportionally less, and to first order every step removes the
# same share of the loss. With the notebook's :math:`\eta = 0.003` that factor is
# :val:`plot_07.shrink_20:.3f` for batch size 20 and :val:`plot_07.shrink_5:.3f` for batch size
# 5, but :val:`plot_07.shrink_1:.2f` for batch size 1: :math:`\eta\lVert x_i\rVert^2` is no
# longer small, one step removes most of that example's residual, and the first-order picture
# fails. Batch size 1 stays ahead even per update.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True, layout="constrained")
for bs in (1, 5, 20):
    h = runs[bs].history
    per_epoch = h.num_updates // num_epochs
    label = f"batch size {bs} ({per_epoch} update{'s' if per_epoch > 1 else ''}/epoch)"
    axes[0].plot(h.epochs, h.train_loss, label=label)
    axes[1].plot([e * per_epoch for e in h.epochs], h.train_loss, label=label)
ylabel = r"train loss, mean of $\frac{1}{2}(\hat y - y)^2$"
axes[0].set(yscale="log", xlabel="epoch", ylabel=ylabel)
axes[1].set(xscale="log", yscale="log", xlabel="update (minibatch step)")
axes[0].legend(fontsize="small")
plt.show()

# sphinx_gallery_start_ignore
lr = 0.003  # the trainer's default learning rate
mean_sq = float(problem.X_train.pow(2).sum(dim=1).mean())
unit = problem.X_train / problem.X_train.norm(dim=1, keepdim=True)
max_cosine = float((unit @ unit.T - torch.eye(problem.n_train)).abs().max())
shrink = {bs: 1 - lr * mean_sq / bs for bs in (1, 5, 20)}
assert max_cosine < 0.5, "nearly orthogonal examples"
assert min(shrink[5], shrink[20]) > 0.8, "a small step per example for batch sizes 5 and 20"
assert shrink[1] < 0.5, "a step that removes most of the residual for batch size 1"
at_100 = {}  # the train loss after 100 updates
for bs in (1, 5, 20):
    h = runs[bs].history
    at_100[bs] = h.train_loss[h.epochs.index(100 // (h.num_updates // num_epochs))]
final = {bs: runs[bs].history.train_loss[-1] for bs in (1, 5, 20)}
assert final[1] < final[5] < final[20], "per epoch, more updates mean faster progress"
assert 0.5 < at_100[5] / at_100[20] < 2, "per update, batch sizes 5 and 20 nearly coincide"
assert at_100[1] < min(at_100[5], at_100[20]) / 2, "batch size 1 stays ahead per update"
record("max_cosine", max_cosine)
for bs, factor in shrink.items():
    record(f"shrink_{bs}", factor)
# sphinx_gallery_end_ignore

# %%
# Interpreting the results
# ------------------------
# The weights of :func:`~weightdecay.trainer.train_scratch` (and of
# :func:`~weightdecay.trainer.train_concise`, whose ``optimizer.step()`` sits in the same place)
# change after every minibatch: :math:`\lceil n_\text{train}/|B|\rceil` updates per epoch, times
# the number of epochs, :val:`plot_07.total_updates` in the notebook's run, and
# :class:`~weightdecay.results.History` records the loss of each of them in ``step_loss``. An
# *epoch* is only a unit of counting, the moment at which the loop has seen every example once
# and, every ``eval_every`` epochs, evaluates the loss. Updating once per epoch is full-batch
# gradient descent, ``batch_size=n_train``, which makes less progress per epoch at the same
# learning rate. The :ref:`FAQ page <faq-weight-updates>` gives the short answer.

# %%
# Try it
# ------
# **Question 1.** Batch size 6 instead of 5, with the same 20 examples: in 100 epochs, will the
# weights be updated more often, less often or as often? Write down a number before you open the
# answer.
#
# .. answer-start
six = train_scratch(problem, batch_size=6)
print(f"batch size 6: {six.history.num_updates} updates in 100 epochs")

# sphinx_gallery_start_ignore
assert six.history.num_updates == runs[5].history.num_updates == 400
record("q1_updates", six.history.num_updates)
# sphinx_gallery_end_ignore

# %%
# As often: :val:`plot_07.q1_updates` updates, the same as with batch size 5. An epoch cuts the
# 20 examples into three batches of 6 and a last one of 2, four updates, just as
# :math:`\lceil 20/5\rceil = \lceil 20/6\rceil = 4`. The number of updates depends on the batch
# size only through :math:`\lceil n_\text{train}/|B|\rceil`.
#
# .. answer-end

# %%
# **Question 2.** Batch size 1 made the most progress per epoch. With batches of 5, a learning
# rate of 0.02 instead of the notebook's 0.003 still trains well (the final training loss is
# :val:`plot_07.q2_loss_5:.1e`). Keep batch size 1 and raise its learning rate to 0.02 as well:
# will it train even faster, or diverge? Decide before you open the answer.
#
# .. answer-start
fast = train_scratch(problem, batch_size=1, lr=0.02, on_divergence="stop")
where = fast.divergence
print(f"diverged: {fast.diverged}, at epoch {where.epoch}, update {where.step}")

# sphinx_gallery_start_ignore
five = train_scratch(problem, batch_size=5, lr=0.02)
assert five.history.train_loss[-1] < 1e-6, "batch size 5 trains well at lr = 0.02"
norms_sq = problem.X_train.pow(2).sum(dim=1) + 1  # the bias's input is 1
assert fast.diverged, "batch size 1 at lr = 0.02 diverges"
assert bool((0.02 * norms_sq > 2).all()), "every example has eta (||x||^2 + 1) > 2"
assert bool((0.02 * norms_sq / 5 < 2).all()), "... but not a fifth of it"
record("q2_loss_5", five.history.train_loss[-1])
record("q2_step", fast.divergence.step)
record("q2_epoch", fast.divergence.epoch)
record("q2_factor", float(1 - 0.02 * norms_sq.mean()))
# sphinx_gallery_end_ignore

# %%
# It diverges, at update :val:`plot_07.q2_step` (epoch :val:`plot_07.q2_epoch`). A step on one
# example multiplies that example's residual by :math:`1 - \eta(\lVert x_i\rVert^2 + 1)` (the 1
# is the bias's input), :val:`plot_07.q2_factor:.1f` on average here: every visit to an example
# makes its residual larger instead of smaller. With batches of 5 each example's share of the
# step is five times smaller, and the same learning rate is stable. A smaller batch makes each
# step sharper and the stable learning rate smaller:
# :ref:`sphx_glr_auto_examples_plot_05b_stable_learning_rate.py` measures the limit for batches
# of 5.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
