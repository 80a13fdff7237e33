# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
=============================
When are the weights updated?
=============================

The course notebook asks whether the weights are updated at the end of each epoch. They are not:
the training loop calls the optimizer once per *minibatch*, so with 20 training examples and
batches of 5 the weights change several times per epoch (the trainer's own count is printed
below). The evaluations that d2l's ``Animator`` draws
every 5 epochs are snapshots of a model that has kept moving in between. Below we count the
updates the trainer made, draw the loss of every single update next to the per-epoch
evaluations, and compare batch sizes 5, 20 (one update per epoch) and 1 (one update per example).
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

print(f"n_train = {problem.n_train}, epochs = {num_epochs}")
print(f"{'batch size':>10}{'ceil(n/B)':>11}{'counted / epoch':>17}{'counted in total':>18}")
for bs, result in runs.items():
    per_epoch = math.ceil(problem.n_train / bs)
    counted = result.history.num_updates
    assert counted == per_epoch * num_epochs
    print(f"{bs:>10}{per_epoch:>11}{counted / num_epochs:>17g}{counted:>18}")

default = runs[5].history
print(
    f"the notebook's setting (batch size 5): {default.num_updates // num_epochs} updates per "
    f"epoch, {default.num_updates} in total"
)

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

updates_per_epoch = math.ceil(problem.n_train / 5)
position = [(k + 1) / updates_per_epoch for k in range(default.num_updates)]

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
for ax, last_epoch in zip(axes, (num_epochs, 5), strict=True):
    shown = [i for i, x in enumerate(position) if x <= last_epoch]
    ax.plot(
        [position[i] for i in shown],
        [default.step_loss[i] for i in shown],
        ".-",
        lw=0.6,
        ms=3 if last_epoch == num_epochs else 7,
        color="C0",
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
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
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
# same initial weights and compare. The small steps of batch size 5 move the weights
# further and lower the training loss more than the one full-batch step, at the same learning
# rate.
import torch

w0 = torch.randn(problem.num_inputs, 1, generator=torch.Generator().manual_seed(0))
b0 = torch.zeros(1)
start_loss = float(((problem.X_train @ w0 + b0 - problem.y_train) ** 2).mean() / 2)
print(f"train loss at the start: {start_loss:.2f}")
after_one = {}
for bs in (5, 20):
    one_epoch = train_scratch(problem, batch_size=bs, num_epochs=1, initial=(w0, b0))
    moved = float((one_epoch.w - w0).norm())
    after_one[bs] = (moved, one_epoch.history.train_loss[0])
    print(
        f"batch size {bs:>2}: {one_epoch.history.num_updates} update(s) in epoch 1, "
        f"||w - w0|| = {moved:.4f}, train loss after it {one_epoch.history.train_loss[0]:.2f}"
    )
assert after_one[5][0] > after_one[20][0]
assert after_one[5][1] < after_one[20][1]

# %%
# Batch size 20 and batch size 1
# ------------------------------
# With the same learning rate and number of epochs, batch size 20 makes one update per epoch and
# batch size 1 makes one per example. Per epoch (left), more updates mean faster progress. Per
# update (right), batch sizes 5 and 20 nearly coincide. The examples are nearly orthogonal (200
# features, 20 examples; the largest cosine is printed), so a step on a batch :math:`B` shrinks the
# residual of each of its examples by a factor of about :math:`1 - \eta\lVert x_i\rVert^2/|B|`
# (printed): a larger batch treats more examples per step, each proportionally less, and to first
# order every step removes the same share of the loss. The first-order picture fails for batch size
# 1, where :math:`\eta\lVert x_i\rVert^2` is no longer small: one step removes most of that
# example's residual, and batch size 1 stays ahead even per update. The printed losses compare the
# runs after the same number of updates.
lr = 0.003  # the trainer's default learning rate
mean_sq = float(problem.X_train.pow(2).sum(dim=1).mean())
unit = problem.X_train / problem.X_train.norm(dim=1, keepdim=True)
cosines = (unit @ unit.T - torch.eye(problem.n_train)).abs()
print(f"largest |cos| of the angle between two training examples: {float(cosines.max()):.2f}")
shrink = {bs: 1 - lr * mean_sq / bs for bs in (1, 5, 20)}
for bs, factor in shrink.items():
    print(f"batch size {bs:>2}: 1 - eta * mean ||x_i||^2 / |B| = {factor:.3f}")
# The prose relies on these: nearly orthogonal examples, a small step per example for batch
# sizes 5 and 20, and a step that removes most of the residual for batch size 1.
assert float(cosines.max()) < 0.5
assert min(shrink[5], shrink[20]) > 0.8
assert shrink[1] < 0.5
same_updates = runs[20].history.num_updates  # what batch size 20 makes in 100 epochs
at_same = {}
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True, layout="constrained")
for color, bs in zip(("C2", "C0", "C1"), (1, 5, 20), strict=True):
    h = runs[bs].history
    per_epoch = h.num_updates // num_epochs
    label = f"batch size {bs} ({per_epoch} update{'s' if per_epoch > 1 else ''}/epoch)"
    axes[0].plot(h.epochs, h.train_loss, color=color, label=label)
    axes[1].plot([e * per_epoch for e in h.epochs], h.train_loss, color=color, label=label)
    same = h.epochs.index(same_updates // per_epoch)
    at_same[bs] = h.train_loss[same]
    print(
        f"batch size {bs:>2}: {h.num_updates:>4} updates, train loss after {num_epochs} epochs "
        f"{h.train_loss[-1]:.2e}, after {same_updates} updates {h.train_loss[same]:.2e}"
    )
for ax, xlabel in zip(axes, ("epoch", "update (minibatch step)"), strict=True):
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
axes[1].set_xscale("log")
axes[0].set_ylabel("train loss (evaluated after each epoch)")
axes[0].legend(fontsize="small")
plt.show()
final = {bs: runs[bs].history.train_loss[-1] for bs in (1, 5, 20)}
assert final[1] < final[5] < final[20]  # per epoch, more updates mean faster progress
assert 0.5 < at_same[5] / at_same[20] < 2  # "nearly coincide"
assert at_same[1] < min(at_same[5], at_same[20])  # "stays ahead"

# %%
# Interpreting the results
# ------------------------
# The weights of :func:`~weightdecay.trainer.train_scratch` (and of
# :func:`~weightdecay.trainer.train_concise`, whose ``optimizer.step()`` sits in the same place)
# change after every minibatch: the printed count is :math:`\lceil n_\text{train}/|B|\rceil`
# updates per epoch times the number of epochs, and
# :class:`~weightdecay.results.History` records the loss of each of them in ``step_loss``. An
# *epoch* is only a unit of bookkeeping, the moment at which the loop has seen every example
# once and, every ``eval_every`` epochs, evaluates the loss. Updating once per epoch is
# full-batch gradient descent, ``batch_size=n_train``, which makes less progress per epoch at
# the same learning rate. The :ref:`FAQ page <faq-weight-updates>` gives the short answer.

# sphinx_gallery_thumbnail_number = 1
