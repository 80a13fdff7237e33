# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
=================================
Weight decay with ``torch.optim``
=================================

The concise version of the experiment: ``nn.Linear``, ``nn.MSELoss`` and ``torch.optim.SGD``,
with weight decay given to the optimizer instead of a penalty written into the loss. Two
parameter groups decay the weight and leave the bias alone. We compare ``weight_decay=0`` with
``weight_decay=7`` (the notebook's values), then show that ``weight_decay=wd`` with ``MSELoss``
follows *the same trajectory* as the from-scratch L2 penalty with :math:`\lambda = wd/2` at twice
the learning rate, step by step.
"""

# %%
# Two parameter groups
# --------------------
# ``torch.optim.SGD`` accepts a list of parameter groups, each a dictionary with its own
# options. :func:`~weightdecay.trainer.train_concise` builds the notebook's two groups: the
# weight with ``weight_decay``, the bias without. Here is the same optimizer, built by hand
# around :func:`~weightdecay.model.concise_net`; the bias group never sets ``weight_decay``, so
# it gets SGD's default.
import torch

from weightdecay.model import concise_net

net = concise_net(200, generator=torch.Generator().manual_seed(0))
layer = net[0]
optimizer = torch.optim.SGD(
    [{"params": [layer.weight], "weight_decay": 7.0}, {"params": [layer.bias]}], lr=0.003
)
for name, group in zip(["weight", "bias"], optimizer.param_groups, strict=True):
    print(f"{name} group: lr = {group['lr']}, weight_decay = {group['weight_decay']}")

# %%
# One step with a zero loss gradient isolates the decay: SGD adds ``weight_decay * p`` to each
# parameter's gradient, so the weight shrinks by the factor :math:`1 - \eta\,\mathrm{wd}` and
# the bias does not move.
w_before, b_before = layer.weight.detach().clone(), layer.bias.detach().clone()
optimizer.zero_grad()
(0.0 * net(torch.ones(1, 200)).sum()).backward()  # every gradient is exactly zero
optimizer.step()
ratio = layer.weight.detach() / w_before
print(f"1 - lr * weight_decay = {1 - 0.003 * 7.0:.3f}")
print(f"weight after / before: min {float(ratio.min()):.4f}, max {float(ratio.max()):.4f}")
print(f"bias moved by: {float((layer.bias.detach() - b_before).abs().max())}")

# sphinx_gallery_start_ignore
from recorded import record

assert torch.allclose(ratio, torch.full_like(ratio, 1 - 0.003 * 7.0)), "not a pure decay step"
assert torch.equal(layer.bias.detach(), b_before), "the bias group was decayed"
record("factor", 1 - 0.003 * 7.0)
# sphinx_gallery_end_ignore

# %%
# Every weight is multiplied by :val:`plot_03.factor:.3f`, and the bias stays exactly where it
# was.

# %%
# ``weight_decay = 0`` against ``weight_decay = 7``
# -------------------------------------------------
# :func:`~weightdecay.trainer.train_concise` runs the notebook's concise loop on the data of
# :func:`~weightdecay.data.make_problem`. Its losses are mean squared errors,
# :math:`(\hat y - y)^2` averaged, without the :math:`\tfrac12` of the from-scratch loss: every
# loss on this page is on that scale, the scale of ``nn.MSELoss``. So the baseline (the dotted
# line: the test loss of :math:`w = 0` with the mean training label as bias) is measured on the
# same scale, by passing ``nn.MSELoss(reduction="none")`` to
# :func:`~weightdecay.evaluate.zero_predictor_loss`.
import matplotlib.pyplot as plt
from torch import nn

from weightdecay.data import make_problem
from weightdecay.evaluate import zero_predictor_loss
from weightdecay.plot import plot_history
from weightdecay.trainer import train_concise

problem = make_problem(seed=0)
baseline_mse = zero_predictor_loss(problem, loss=nn.MSELoss(reduction="none"))
plain = train_concise(problem)
decayed = train_concise(problem, weight_decay=7.0)
for name, result in [("wd = 0", plain), ("wd = 7", decayed)]:
    h = result.history
    ratio = h.test_loss[-1] / baseline_mse
    print(f"{name}: ||w|| = {result.w_norm:.4f}, train MSE {h.train_loss[-1]:.2e}")
    print(f"{name}: test MSE {h.test_loss[-1]:.4f} ({ratio:.3g} x the baseline)")
print(f"baseline (w = 0, b = mean training label): test MSE {baseline_mse:.4f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True, layout="constrained")
plot_history(plain.history, axes[0], label="wd = 0")
plot_history(decayed.history, axes[1], label="wd = 7", color="C1")
axes[0].set_title("torch.optim.SGD, weight_decay = 0")
axes[1].set_title("torch.optim.SGD, weight_decay = 7")
for ax in axes:
    ax.axhline(
        baseline_mse, color="k", linestyle=":", linewidth=1.5, label="baseline: predict w = 0"
    )
    ax.legend()
axes[0].set_ylabel(r"loss (MSE), mean of $(\hat y - y)^2$")
plt.show()

# sphinx_gallery_start_ignore
w, b_end, b_star = decayed.w, float(decayed.b), problem.true_b
true_bias_mse = float(((problem.X_test @ w + b_star - problem.y_test) ** 2).mean())
absorbed = float(problem.X_train.mean(0) @ w.flatten())  # what w adds on the training rows
on_test = float(problem.X_test.mean(0) @ w.flatten())
gap = float(problem.y_train.mean()) - b_end
decayed_mse = decayed.history.test_loss[-1]
assert plain.history.test_loss[-1] > 100 * decayed_mse
assert decayed_mse > 2 * baseline_mse, "wd = 7 is no longer above the baseline"
assert true_bias_mse < 0.25 * decayed_mse, "the bias no longer explains most of the test MSE"
assert 0.5 * gap < absorbed < gap, "the weights no longer absorb most of the bias's error"
assert abs(on_test) < 0.1 * absorbed, "the weights now shift the test predictions too"
record("plain_norm", plain.w_norm)
record("decayed_norm", decayed.w_norm)
record("plain_ratio", plain.history.test_loss[-1] / baseline_mse)
record("decayed_test", decayed_mse)
record("decayed_ratio", decayed_mse / baseline_mse)
record("bias_start", float(decayed.initial[1]))
record("bias_end", b_end)
record("train_mean", float(problem.y_train.mean()))
record("absorbed", absorbed)
record("on_test", on_test)
record("b_star", b_star)
record("true_bias_mse", true_bias_mse)
# sphinx_gallery_end_ignore

# %%
# Weight decay brings :math:`\lVert w\rVert` from :val:`plot_03.plain_norm:.2f` down to
# :val:`plot_03.decayed_norm:.3f` and the test MSE from :val:`plot_03.plain_ratio:,.0f` times
# the baseline to :val:`plot_03.decayed_ratio:.3g` times. (The course notebook printed 12.07
# and 0.0806 for the two norms, from its own random start.)
#
# Most of what is left of the test MSE, :val:`plot_03.decayed_test:.3f`, is the bias. Like the
# notebook's ``param.data.normal_()``, :func:`~weightdecay.model.concise_net` draws the bias
# from :math:`\mathcal N(0, 1)` as well (the from-scratch model starts it at 0): here at
# :val:`plot_03.bias_start:.2f`. It is not decayed, yet after 400 updates it is still at
# :val:`plot_03.bias_end:.2f`, far below the mean training label,
# :val:`plot_03.train_mean:.3f`. The weights have absorbed most of the difference: on the 20
# training rows they add :val:`plot_03.absorbed:.2f` to every prediction on average, so the
# training loss hardly pushes the bias any more; on the test rows they add
# :val:`plot_03.on_test:.3f`. With 200 weights for 20 examples, the weights can fit such an
# offset on the training rows and leave the test predictions almost alone. With the true bias, :val:`plot_03.b_star:.2f`, in its place, the same weights
# score a test MSE of :val:`plot_03.true_bias_mse:.4f`.

# %%
# The same run as the from-scratch penalty
# ----------------------------------------
# ``nn.MSELoss`` averages :math:`(\hat y_i - y_i)^2` over the batch; the from-scratch loss is
# :math:`\tfrac12(\hat y_i - y_i)^2`. Averaged the same way, the gradient of ``MSELoss`` is
# exactly twice the from-scratch one. SGD with ``weight_decay`` :math:`\mathrm{wd}` then updates
#
# .. math::
#
#     w \leftarrow (1 - \eta\,\mathrm{wd})\,w - \frac{2\eta}{|B|}\sum_{i\in B}
#     x_i\,(x_i^\top w + b - y_i),
#
# which is the from-scratch L2 update :math:`w \leftarrow (1 - \eta'\lambda)\,w -
# \frac{\eta'}{|B|}\sum_{i\in B} x_i\,(x_i^\top w + b - y_i)` with :math:`\eta' = 2\eta` and
# :math:`\lambda = \mathrm{wd}/2`. The bias step matches the same way. We start the
# from-scratch trainer from the concise run's own initial weights and bias
# (``decayed.initial``); the same ``seed`` gives the same minibatches, so the concise run to
# compare with is ``decayed`` itself.
from weightdecay.trainer import train_scratch

wd, lr = 7.0, 0.003
scratch = train_scratch(problem, lambd=wd / 2, lr=2 * lr, penalty="l2", initial=decayed.initial)
print(f"concise: lr = {lr}, weight_decay = {wd};  scratch: lr = {2 * lr}, lambd = {wd / 2}")
print(f"||w||: concise {decayed.w_norm:.5f}, scratch {scratch.w_norm:.5f}")
gap = (decayed.w - scratch.w).norm() / scratch.w.norm()
print(f"relative difference of the final weights: {gap:.1e}")

steps = range(1, len(scratch.history.step_loss) + 1)
fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
scratch_label = r"scratch: $2\eta$, $\lambda = wd/2$"
ax.plot(steps, scratch.history.step_loss, color="C0", lw=3, alpha=0.4, label=scratch_label)
concise_loss = [c / 2 for c in decayed.history.step_loss]
ax.plot(steps, concise_loss, color="C1", lw=1, label=r"concise: MSE / 2, $\eta$, wd")
ax.set_yscale("log")
ax.set_xlabel("update (minibatch step)")
ax.set_ylabel(r"minibatch loss, mean of $\frac{1}{2}(\hat y - y)^2$")
ax.set_title("Two trainers, one trajectory")
ax.legend()
plt.show()

# sphinx_gallery_start_ignore
final_gap = float((decayed.w - scratch.w).norm() / scratch.w.norm())
weight_gap = float(((decayed.w - scratch.w).abs() / scratch.w.abs()).max())
step_gap = max(
    abs(c / 2 - s) / s
    for c, s in zip(decayed.history.step_loss, scratch.history.step_loss, strict=True)
)
test_gap = abs(decayed.history.test_loss[-1] / 2 / scratch.history.test_loss[-1] - 1)
assert final_gap < 1e-4, "the final weights of the two trainers differ"
assert weight_gap < 1e-3, "a final weight of the two trainers differs"
assert step_gap < 1e-4, "the loss trajectories of the two trainers parted"
assert test_gap < 1e-5, "the final test losses differ by more than the factor 2"
record("final_gap", final_gap)
record("weight_gap", weight_gap)
record("step_gap", step_gap)
record("num_steps", len(scratch.history.step_loss))
# sphinx_gallery_end_ignore

# %%
# The final weight vectors differ by a relative :val:`plot_03.final_gap:.0e`, no single weight
# by more than :val:`plot_03.weight_gap:.0e`, and over the :val:`plot_03.num_steps` updates half
# the concise minibatch loss never differs from the from-scratch loss by more than a relative
# :val:`plot_03.step_gap:.0e`: float32 rounding.

# %%
# Interpreting the results
# ------------------------
# ``weight_decay=7`` brings the test error of :func:`~weightdecay.trainer.train_concise` down by
# orders of magnitude, as the L2 penalty did from scratch, though not below the baseline: after
# 100 epochs it is still :val:`plot_03.decayed_ratio:.3g` times the loss of a model that learned
# nothing, mostly because the bias has not yet recovered from its random start.
#
# Only the weight is decayed: the bias group's ``weight_decay`` is 0, and the zero-gradient step
# left the bias where it was.
#
# With ``MSELoss`` the concise run is the from-scratch
# :func:`~weightdecay.trainer.train_scratch` run with :math:`\lambda = \mathrm{wd}/2` at twice the
# learning rate: the two trajectories in the last figure lie on top of each other, their final
# weights agree to float32 rounding, and every concise loss is twice the from-scratch one because
# ``MSELoss`` has no :math:`\tfrac12`. Keep this factor of 2 in mind when you compare a
# :math:`\lambda` from a textbook with a ``weight_decay`` from a paper.
#
# :ref:`explanation-update-rule` tracks each factor of :math:`\tfrac12` and :math:`1/|B|`, and
# :ref:`explanation-decay-vs-l2` explains why ``weight_decay`` in ``Adam`` is *not* weight
# decay, unlike ``AdamW``'s (measured in :ref:`sphx_glr_auto_examples_plot_09_adam_vs_adamw.py`).
# The FAQ :ref:`faq-weight-updates` counts the updates these runs make.
#
# :ref:`explanation-frameworks` gives the setting of this run in Keras, JAX, PaddlePaddle,
# MXNet, scikit-learn, fastai and Hugging Face.

# %%
# Try it
# ------
# **Question 1.** A colleague copies the notebook's numbers into the from-scratch trainer:
# ``train_scratch(problem, lambd=7.0, lr=0.003)``, from the same start as ``decayed``. Compared
# with the concise run, will :math:`\lVert w\rVert` end larger, the same or smaller? And the
# test loss (on the from-scratch scale, so half the concise MSE)?
#
# .. answer-start
#
naive = train_scratch(problem, lambd=7.0, lr=0.003, initial=decayed.initial)
print(f"||w||: concise {decayed.w_norm:.4f}, copied numbers {naive.w_norm:.4f}")
print(f"test loss: concise MSE / 2 {decayed.history.test_loss[-1] / 2:.4f}")
print(f"test loss: copied numbers {naive.history.test_loss[-1]:.4f}")
print(f"bias: concise {float(decayed.b):.3f}, copied {float(naive.b):.3f}")

# sphinx_gallery_start_ignore
assert naive.w_norm < decayed.w_norm, "the copied numbers no longer give smaller weights"
assert naive.history.test_loss[-1] > decayed.history.test_loss[-1] / 2, "nor a worse test loss"
assert float(naive.b) < b_end < b_star, "nor a slower bias"
record("q1_norm", naive.w_norm)
record("q1_test", naive.history.test_loss[-1])
record("q1_concise_test", decayed.history.test_loss[-1] / 2)
# sphinx_gallery_end_ignore

# %%
# :math:`\lVert w\rVert` ends smaller (:val:`plot_03.q1_norm:.4f` against
# :val:`plot_03.decayed_norm:.4f`) and the test loss higher (:val:`plot_03.q1_test:.4f` against
# :val:`plot_03.q1_concise_test:.4f`). The decay per step is the same in both runs, the factor
# :val:`plot_03.factor:.3f`, but the data's pull on :math:`w` and :math:`b` is half as strong:
# the balance between decay and data settles at smaller weights, and the bias, which only the
# data moves, covers less of its way from its random start. The run that matches the concise
# one takes :math:`\lambda = \mathrm{wd}/2` and twice the learning rate.
#
# .. answer-end
#
# **Question 2.** With ``lr=0.003`` and ``weight_decay=7``, how many zero-gradient steps like the
# one at the top of the page halve every weight? Write down a number.
#
# .. answer-start
#
count = 1  # the zero-gradient step taken above
while float((layer.weight.detach() / w_before).max()) > 0.5:
    optimizer.zero_grad()
    (0.0 * net(torch.ones(1, 200)).sum()).backward()
    optimizer.step()
    count += 1
ratio = float((layer.weight.detach() / w_before).max())
print(f"{count} steps: weight / start = {ratio:.3f}")

# sphinx_gallery_start_ignore
import math

exact = math.log(2) / -math.log(1 - 0.003 * 7.0)
assert count == math.ceil(exact)
record("q2_steps", count)
record("q2_exact", exact)
record("q2_epochs", count / 4)
record("q2_halvings", 400 / exact)
# sphinx_gallery_end_ignore

# %%
# :val:`plot_03.q2_steps` steps: the factor per step is :math:`1 - \eta\,\mathrm{wd}`, and
# :math:`(1 - \eta\,\mathrm{wd})^t \le \tfrac12` once
# :math:`t \ge \ln 2 / (-\ln(1 - \eta\,\mathrm{wd}))` = :val:`plot_03.q2_exact:.1f`. With 4
# updates per epoch that is about :val:`plot_03.q2_epochs:.0f` epochs, so in the notebook's 400
# updates the decay alone halves the weights :val:`plot_03.q2_halvings:.0f` times: whatever the
# data does not keep supporting is gone.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 2
