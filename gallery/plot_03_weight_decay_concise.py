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
bias_moved = float((layer.bias.detach() - b_before).abs().max())
print(f"1 - lr * weight_decay = {1 - 0.003 * 7.0:.3f}")
print(f"weight after / before: min {float(ratio.min()):.4f}, max {float(ratio.max()):.4f}")
print(f"bias moved by: {bias_moved}")
assert torch.allclose(ratio, torch.full_like(ratio, 1 - 0.003 * 7.0)), "not a pure decay step"
assert bias_moved == 0.0, "the bias group was decayed"

# %%
# ``weight_decay = 0`` against ``weight_decay = 7``
# -------------------------------------------------
# :func:`~weightdecay.trainer.train_concise` runs the notebook's concise loop on the data of
# :func:`~weightdecay.data.make_problem`. Its losses are mean squared errors, without the
# :math:`\tfrac12` of the from-scratch loss, so the baseline (the dotted line: the test loss of
# :math:`w = 0` with the mean training label as bias) is measured on the same scale, by passing
# ``nn.MSELoss(reduction="none")`` to :func:`~weightdecay.evaluate.zero_predictor_loss`.
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
    print(
        f"{name}: ||w|| = {result.w_norm:.4f}, train MSE {h.train_loss[-1]:.2e}, "
        f"test MSE {h.test_loss[-1]:.4f} ({h.test_loss[-1] / baseline_mse:.3g} x the baseline)"
    )
print(f"baseline (w = 0, b = mean training label): test MSE {baseline_mse:.4f}")
assert plain.history.test_loss[-1] > 100 * decayed.history.test_loss[-1]
assert decayed.history.test_loss[-1] > 2 * baseline_mse, "wd = 7 is no longer above the baseline"

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
    ax.set_ylabel("loss (MSE)")
plt.show()

# %%
# The same run as the from-scratch penalty
# ----------------------------------------
# ``nn.MSELoss`` averages :math:`(\hat y_i - y_i)^2` over the batch; its gradient is twice that of
# the from-scratch loss :math:`\tfrac12(\hat y_i - y_i)^2` averaged the same way. SGD with
# ``weight_decay`` :math:`\mathrm{wd}` then updates
#
# .. math::
#
#     w \leftarrow (1 - \eta\,\mathrm{wd})\,w - \frac{2\eta}{|B|}\sum_{i\in B}
#     x_i\,(x_i^\top w + b - y_i),
#
# which is the from-scratch L2 update :math:`w \leftarrow (1 - \eta'\lambda)\,w -
# \frac{\eta'}{|B|}\sum_{i\in B} x_i\,(x_i^\top w + b - y_i)` with :math:`\eta' = 2\eta` and
# :math:`\lambda = \mathrm{wd}/2`. The bias step matches the same way. We start both trainers
# from the same weights (``initial=``); the same ``seed`` gives the same minibatches.
from weightdecay.trainer import train_scratch

generator = torch.Generator().manual_seed(1)
w0 = torch.randn(problem.num_inputs, 1, generator=generator)
b0 = torch.randn(1, generator=generator)
wd, lr = 7.0, 0.003
concise = train_concise(problem, weight_decay=wd, lr=lr, initial=(w0, b0), seed=0)
scratch = train_scratch(problem, lambd=wd / 2, lr=2 * lr, penalty="l2", initial=(w0, b0), seed=0)

final_gap = float((concise.w - scratch.w).norm() / scratch.w.norm())
weight_gap = float(((concise.w - scratch.w).abs() / scratch.w.abs()).max())
step_gap = max(
    abs(c / 2 - s) / s
    for c, s in zip(concise.history.step_loss, scratch.history.step_loss, strict=True)
)
print(f"concise: lr = {lr}, weight_decay = {wd};  scratch: lr = {2 * lr}, lambd = {wd / 2}")
print(f"||w||: concise {concise.w_norm:.5f}, scratch {scratch.w_norm:.5f}")
print(f"relative difference of the final weight vectors: {final_gap:.1e}")
print(f"largest relative difference of a final weight:   {weight_gap:.1e}")
print(
    f"largest relative difference, concise loss / 2 against scratch loss, "
    f"over {len(scratch.history.step_loss)} updates: {step_gap:.1e}"
)
print(
    f"final test loss: concise / 2 = {concise.history.test_loss[-1] / 2:.5f}, "
    f"scratch = {scratch.history.test_loss[-1]:.5f}"
)
assert final_gap < 1e-4, "the final weights of the two trainers differ"
assert weight_gap < 1e-3, "a final weight of the two trainers differs"
assert step_gap < 1e-4, "the loss trajectories of the two trainers parted"

steps = range(1, len(scratch.history.step_loss) + 1)
fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
ax.plot(
    steps,
    scratch.history.step_loss,
    "-",
    color="C0",
    lw=3,
    alpha=0.4,
    label=r"scratch: $\frac{1}{2}$ squared error, $2\eta$, $\lambda = wd/2$",
)
ax.plot(
    steps,
    [c / 2 for c in concise.history.step_loss],
    "-",
    color="C1",
    lw=1,
    label=r"concise: MSE / 2, $\eta$, weight_decay = wd",
)
ax.set_yscale("log")
ax.set_xlabel("update (minibatch step)")
ax.set_ylabel("minibatch loss")
ax.set_title("Two trainers, one trajectory")
ax.legend()
plt.show()

# %%
# Interpreting the results
# ------------------------
# ``weight_decay=7`` brings the test error of :func:`~weightdecay.trainer.train_concise` down by
# orders of magnitude, as the L2 penalty did from scratch, though not below the baseline: after
# 100 epochs it is still the printed multiple of the loss of a model that learned nothing.
#
# Only the weight is decayed: the bias group's ``weight_decay`` is 0, and the printed
# zero-gradient step moved the bias by nothing.
#
# With ``MSELoss`` the concise run is the from-scratch
# :func:`~weightdecay.trainer.train_scratch` run with :math:`\lambda = \mathrm{wd}/2` at twice the
# learning rate: the two trajectories in the last figure lie on top of each other, their final
# weights agree to float32 rounding (the printed relative differences), and every concise loss
# is twice the scratch one because ``MSELoss`` has no :math:`\tfrac12`. Keep this factor of 2 in
# mind when you compare a :math:`\lambda` from a textbook with a ``weight_decay`` from a paper.
#
# :ref:`explanation-update-rule` tracks each factor of :math:`\tfrac12` and :math:`1/|B|`, and
# :ref:`explanation-decay-vs-l2` explains why ``weight_decay`` in ``Adam`` is *not* weight
# decay, unlike ``AdamW``'s (measured in :ref:`sphx_glr_auto_examples_plot_09_adam_vs_adamw.py`).
# The FAQ :ref:`faq-weight-updates` counts the updates these runs make.
#
# :ref:`explanation-frameworks` gives the setting of this run in Keras, JAX, PaddlePaddle,
# MXNet, scikit-learn, fastai and Hugging Face.

# sphinx_gallery_thumbnail_number = 2
