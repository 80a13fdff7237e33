# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
"""
=========================
Adam + L2 is not AdamW
=========================

``torch.optim.Adam(weight_decay=λ)`` and ``torch.optim.AdamW(weight_decay=λ)`` take the same
argument and do different things. Adam adds :math:`\\lambda w` to the gradient (an L2 penalty,
*coupled* to the gradient) and then divides everything by its running root mean square, so the
decay of each weight is rescaled like its gradient. AdamW shrinks the weights directly,
:math:`w \\leftarrow (1 - \\eta\\lambda)\\,w`, outside the adaptive step (*decoupled* weight decay,
Loshchilov & Hutter, https://arxiv.org/abs/1711.05101).

This example trains both from the same initial weights on the same minibatches, checks one update
of each against its formula, measures the per-coordinate decay that Adam actually applies, and
shows that for plain SGD the two kinds of decay coincide once the decoupled rate is multiplied by
the learning rate.
"""

# %%
# The two update rules
# --------------------
# PyTorch documents them as follows (:math:`g` the gradient of the data loss at step :math:`t`,
# :math:`\beta_1, \beta_2, \epsilon` Adam's constants):
#
# .. math::
#
#    \text{Adam:}\quad & g \leftarrow g + \lambda w, \\
#    \text{AdamW:}\quad & w \leftarrow w - \eta\lambda w, \\
#    \text{both:}\quad & m \leftarrow \beta_1 m + (1-\beta_1) g,\quad
#    v \leftarrow \beta_2 v + (1-\beta_2) g^2, \\
#    & w \leftarrow w - \eta\,\frac{m / (1-\beta_1^t)}{\sqrt{v / (1-\beta_2^t)} + \epsilon}.
#
# In Adam the decay term goes through :math:`m` and :math:`v`: a weight whose gradient is large
# (large :math:`v`) is decayed less, and when :math:`\lambda w` dominates the gradient the step is
# about :math:`\eta\,\mathrm{sign}(w)` whatever :math:`\lambda` is. In AdamW every weight loses
# the same fraction :math:`\eta\lambda` per step.
#
# For scale, the table also prints the test loss of the zero predictor
# (:func:`~weightdecay.evaluate.zero_predictor_loss`, on the concise trainer's MSE scale).
#
# We train the notebook's concise model with :func:`~weightdecay.trainer.train_concise` (MSE loss,
# :math:`\eta = 0.003`, batches of 5, 100 epochs, the bias never decayed) with the notebook's
# :math:`\lambda = 7`, once with each optimizer (and SGD for reference), from the same initial
# weights, which we draw once and pass as ``initial=``. The same ``seed`` gives the same
# minibatches to every run.
import torch

from weightdecay.data import make_problem
from weightdecay.evaluate import zero_predictor_loss
from weightdecay.model import init_params
from weightdecay.trainer import train_concise

problem = make_problem(seed=0)
d = problem.num_inputs
w0, _ = init_params(d, generator=torch.Generator().manual_seed(0))
start = (w0.detach(), torch.zeros(1))
wd, lr = 7.0, 0.003
optimizers = ("sgd", "adam", "adamw")
runs = {
    name: train_concise(
        problem, optimizer=name, weight_decay=wd, lr=lr, initial=start, eval_every=1
    )
    for name in optimizers
}
for name, run in runs.items():
    print(f"{name:>5}: ||w|| = {run.w_norm:.4f}, test MSE = {run.history.test_loss[-1]:.4f}")
zero_mse = zero_predictor_loss(problem, torch.nn.MSELoss(reduction="none"))
print(f"zero predictor: test MSE = {zero_mse:.4f}")
difference = (runs["adam"].w - runs["adamw"].w).norm() / runs["adamw"].w.norm()
print(f"||w_adam - w_adamw|| / ||w_adamw|| = {float(difference):.1f}")
# The interpretation relies on this: Adam's test loss stays high, far above AdamW's.
assert runs["adam"].history.test_loss[-1] > 100 * runs["adamw"].history.test_loss[-1]
assert runs["adam"].history.test_loss[-1] > 100 * zero_mse

# %%
# Trajectories
# ------------
# The test loss is recorded every epoch. For the weight norm along the way we rerun each optimizer
# for fewer epochs: because every run draws its minibatches from the same seeded stream, a run of
# ``e`` epochs repeats the first ``e`` epochs of the 100-epoch run exactly (the printed check
# compares its final test loss with the long run's loss at epoch ``e``).
import matplotlib.pyplot as plt

checkpoints = [1, 3, 10, 30, 100]
norms = {name: [] for name in optimizers}
for name in optimizers:
    for e in checkpoints:
        short = train_concise(
            problem, optimizer=name, weight_decay=wd, lr=lr, initial=start, num_epochs=e
        )
        norms[name].append(short.w_norm)
        if e == 30:
            same = short.history.test_loss[-1] == runs[name].history.test_loss[e - 1]
            print(f"{name}: 30-epoch run equals epoch 30 of the long run: {same}")
            assert same

fig, (ax_loss, ax_norm) = plt.subplots(1, 2, figsize=(10, 3.8))
for j, name in enumerate(optimizers):
    run = runs[name]
    ax_loss.semilogy(run.history.epochs, run.history.test_loss, color=f"C{j}", label=name)
    ax_norm.loglog(checkpoints, norms[name], "o-", color=f"C{j}", label=name)
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("test MSE")
ax_loss.set_title(rf"same $\lambda = {wd:g}$, same start, same batches")
ax_norm.set_xlabel("epoch")
ax_norm.set_ylabel(r"$\|w\|$")
ax_norm.set_title("weight norm")
for ax in (ax_loss, ax_norm):
    ax.legend()
fig.tight_layout()

# %%
# Final weights against initial weights
# -------------------------------------
# Each dot is one of the 200 weights. AdamW has multiplied every weight by
# :math:`(1 - \eta\lambda)` at each of the 400 updates (the printed factor), so nothing of the
# start is left. Adam has moved the large weights towards zero by similar *amounts*: the decay
# term :math:`\lambda w` dominates their gradient, and dividing by :math:`\sqrt{\hat v}` turns
# it into roughly a sign, a step of about :math:`\eta` per update. That makes Adam + L2 behave
# more like an L1 penalty with a fixed step (see
# :ref:`sphx_glr_auto_examples_plot_08_l1_vs_l2.py`) than like weight decay. A step of
# :math:`\eta` is typical, not a bound (:ref:`explanation-decay-vs-l2` gives the worst case,
# several times larger), but here no weight got further than :math:`\eta` per update would
# take it, and the large ones used a good part of that (all printed).
num_updates = runs["adam"].history.num_updates
initial = start[0].flatten()
decay_left = (1 - lr * wd) ** num_updates
print(f"{num_updates} updates; (1 - lr * wd) ** updates = {decay_left:.2e}")
typical = lr * num_updates
displacement = (runs["adam"].w.flatten() - initial).abs()
print(
    f"Adam: typical largest total move lr * updates = {typical:.2f}; "
    f"largest actual move of a weight: {float(displacement.max()):.2f}"
)
big = initial.abs() > typical
towards_zero = initial[big].abs() - runs["adam"].w.flatten()[big].abs()
print(
    f"Adam, the {int(big.sum())} weights that started beyond it moved towards zero by "
    f"{float(towards_zero.min()):.2f} to {float(towards_zero.max()):.2f} "
    f"(median {float(towards_zero.median()):.2f})"
)
assert decay_left < 1e-3  # nothing of the start is left in AdamW
assert float(displacement.max()) <= typical  # no weight got further than eta per update
assert float(towards_zero.min()) > 0.3 * typical  # the large ones used a good part of it

fig, ax = plt.subplots(figsize=(6, 4.5))
for name, color in (("adam", "C1"), ("adamw", "C2")):
    ax.plot(initial, runs[name].w.flatten(), "o", ms=3, color=color, label=name)
ax.plot(initial, initial, color="C7", lw=0.8, label="unchanged")
ax.set_xlabel("initial weight")
ax.set_ylabel("weight after 100 epochs")
ax.set_title(rf"weight_decay = {wd:g} in both")
ax.legend()
fig.tight_layout()

# %%
# One update by hand
# ------------------
# To look inside the optimizers we write the concise training loop out (``nn.Linear`` in float64,
# the bias in its own group without decay, minibatches of 5), train each optimizer for 400
# updates, and then compute the 401st update twice: by hand from the documented formulas and the
# optimizer's own state (``exp_avg`` is :math:`m`, ``exp_avg_sq`` is :math:`v`), and by calling
# ``optimizer.step()``.
from torch import nn

problem64 = make_problem(seed=0, dtype=torch.float64)


def trained(optimizer_cls, weight_decay, num_steps=400):
    """A float64 nn.Linear and its optimizer after num_steps minibatch updates, with the
    gradient of one more minibatch left in ``.grad``, and the largest change of a single
    weight in one of those updates."""
    layer = nn.Linear(d, 1, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(start[0].reshape(1, -1))
        layer.bias.zero_()
    optimizer = optimizer_cls(
        [
            {"params": [layer.weight], "weight_decay": weight_decay},
            {"params": [layer.bias], "weight_decay": 0.0},
        ],
        lr=lr,
    )
    generator = torch.Generator().manual_seed(0)
    largest_step = 0.0
    for step in range(num_steps + 1):
        batch = torch.randperm(problem64.n_train, generator=generator)[:5]
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(layer(problem64.X_train[batch]), problem64.y_train[batch])
        loss.backward()
        if step < num_steps:
            before = layer.weight.detach().clone()
            optimizer.step()
            largest_step = max(largest_step, float((layer.weight.detach() - before).abs().max()))
    return layer, optimizer, largest_step


def adam_by_hand(w, grad, state, weight_decay, *, decoupled, betas=(0.9, 0.999), eps=1e-8):
    """PyTorch's documented Adam / AdamW update of one parameter, from its state."""
    beta1, beta2 = betas
    t = int(state["step"]) + 1
    if decoupled:
        w = w * (1 - lr * weight_decay)
    else:
        grad = grad + weight_decay * w
    m = beta1 * state["exp_avg"] + (1 - beta1) * grad
    v = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad**2
    v_hat = v / (1 - beta2**t)
    return w - lr * (m / (1 - beta1**t)) / (v_hat.sqrt() + eps), v_hat


models = {}
for name, cls in (("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)):
    layer, optimizer, largest_step = trained(cls, wd)
    w = layer.weight.detach().clone()
    state = {key: value.clone() for key, value in optimizer.state[layer.weight].items()}
    expected, v_hat = adam_by_hand(w, layer.weight.grad, state, wd, decoupled=name == "adamw")
    optimizer.step()
    error = (layer.weight.detach() - expected).abs().max()
    print(f"{name}: largest |optimizer step - hand step| = {float(error):.1e}")
    assert float(error) < 1e-12
    models[name] = (w, v_hat)
    if name == "adam":
        beta1, beta2 = optimizer.defaults["betas"]
        worst = (1 - beta1) / ((1 - beta2) * (1 - beta1**2 / beta2)) ** 0.5
        print(
            f"adam: largest change of one weight in one of the 400 updates = "
            f"{largest_step / lr:.2f} lr; worst case for these betas {worst:.2f} lr"
        )
        assert largest_step <= worst * lr

# %%
# The decay each coordinate actually gets
# ---------------------------------------
# In Adam the decay term :math:`\lambda w_i` is averaged into :math:`m_i` and divided by
# :math:`\sqrt{\hat v_i} + \epsilon` like the gradient, so it removes about the fraction
# :math:`\eta\lambda / (\sqrt{\hat v_i} + \epsilon)` of :math:`w_i` per step; we read
# :math:`\hat v` from Adam's state after 400 updates. Since :math:`\lambda w_i` is part of what
# Adam averages, :math:`\hat v_i` grows with :math:`\lvert w_i\rvert`: the largest weights are
# decayed the least, the opposite of what an L2 penalty is meant to do.
#
# For AdamW we measure the decay with the optimizer itself: from the same state and gradient we
# take one step with ``weight_decay=λ`` and one with ``weight_decay=0`` (on copies of the model
# and the optimizer) and divide the difference by :math:`w_i`.
import copy


def step_with(layer, optimizer, weight_decay):
    """The weights after one optimizer step from a copy of (layer, optimizer)."""
    copied, optimizer = copy.deepcopy((layer, optimizer))
    for param, original in zip(copied.parameters(), layer.parameters(), strict=True):
        param.grad = original.grad.clone()  # deepcopy does not copy gradients
    layer = copied
    optimizer.param_groups[0]["weight_decay"] = weight_decay
    optimizer.step()
    return layer.weight.detach().flatten()


w_adam, v_hat_adam = models["adam"]
adam_rate = (lr * wd / (v_hat_adam.sqrt() + 1e-8)).flatten()
layer, optimizer, _ = trained(torch.optim.AdamW, wd)
w_now = layer.weight.detach().flatten()
adamw_rate = (step_with(layer, optimizer, 0.0) - step_with(layer, optimizer, wd)) / w_now
print(
    f"AdamW: measured decay per step from {float(adamw_rate.min()):.6f} to "
    f"{float(adamw_rate.max()):.6f}; lr * wd = {lr * wd:.6f}"
)
assert torch.allclose(adamw_rate, torch.full_like(adamw_rate, lr * wd), rtol=1e-6)
print(
    f"Adam: decay per step from {float(adam_rate.min()):.2e} to {float(adam_rate.max()):.2e} "
    f"(median {float(adam_rate.median()):.2e}), i.e. {float(adam_rate.min() / (lr * wd)):.3f} "
    f"to {float(adam_rate.max() / (lr * wd)):.3f} times lr * wd"
)
largest = w_adam.flatten().abs().argsort()[-20:]
smallest = w_adam.flatten().abs().argsort()[:20]
print(
    f"Adam: median decay of the 20 largest weights {float(adam_rate[largest].median()):.2e}, "
    f"of the 20 smallest {float(adam_rate[smallest].median()):.2e}"
)
assert float(adam_rate.max()) < lr * wd  # a fraction of AdamW's decay on every coordinate
assert adam_rate[largest].median() < adam_rate[smallest].median()  # the largest decay least

fig, (ax_v, ax_w) = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
ax_v.loglog(v_hat_adam.sqrt().flatten(), adam_rate, "o", ms=3, color="C1", label="Adam + L2")
ax_w.loglog(w_adam.abs().flatten(), adam_rate, "o", ms=3, color="C1", label="Adam + L2")
for ax in (ax_v, ax_w):
    ax.axhline(lr * wd, color="C2", label=r"AdamW: $\eta\lambda$")
    ax.legend(fontsize="small")
ax_v.set_xlabel(r"$\sqrt{\hat v_i}$: RMS of what Adam sees for coordinate $i$")
ax_w.set_xlabel(r"$|w_i|$ after 400 updates")
ax_v.set_ylabel("fraction of $w_i$ removed per step")
fig.suptitle(rf"per-coordinate decay, $\lambda = {wd:g}$, $\eta = {lr:g}$")
fig.tight_layout()


# %%
# With plain SGD the two coincide
# -------------------------------
# SGD with ``weight_decay=λ`` updates :math:`w \leftarrow w - \eta(g + \lambda w) = (1 -
# \eta\lambda)\,w - \eta g`: exactly a decoupled decay that removes the fraction
# :math:`\eta\lambda` per step. In Loshchilov & Hutter's notation, where the decoupled rate is not
# multiplied by the learning rate, L2 with :math:`\lambda` equals decoupled decay with rate
# :math:`\eta\lambda`. (PyTorch's AdamW already multiplies its ``weight_decay`` by ``lr``, so the
# same number means the same thing there.) We check it with the loop written out: SGD with
# ``weight_decay=λ`` against SGD without it plus ``w.mul_(1 - rate)`` before each step.
def sgd_run(weight_decay, decoupled_rate, num_steps=400):
    layer = nn.Linear(d, 1, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(start[0].reshape(1, -1))
        layer.bias.zero_()
    optimizer = torch.optim.SGD(
        [
            {"params": [layer.weight], "weight_decay": weight_decay},
            {"params": [layer.bias], "weight_decay": 0.0},
        ],
        lr=lr,
    )
    generator = torch.Generator().manual_seed(0)
    for _ in range(num_steps):
        batch = torch.randperm(problem64.n_train, generator=generator)[:5]
        optimizer.zero_grad()
        nn.functional.mse_loss(layer(problem64.X_train[batch]), problem64.y_train[batch]).backward()
        with torch.no_grad():
            layer.weight.mul_(1 - decoupled_rate)
        optimizer.step()
    return layer.weight.detach().flatten()


coupled = sgd_run(wd, 0.0)
gaps = {}
for rate, label in ((lr * wd, "lr * wd"), (wd / 1000, "wd / 1000")):
    gaps[label] = float((sgd_run(0.0, rate) - coupled).abs().max())
    print(
        f"SGD: coupled wd={wd:g} vs decoupled rate {label} = {rate:g}: "
        f"largest difference {gaps[label]:.1e}"
    )
assert gaps["lr * wd"] < 1e-12
assert gaps["wd / 1000"] > 1e-3

# %%
# No decoupled rate reproduces Adam + L2
# --------------------------------------
# With Adam the rescaling trick fails. We scan AdamW's ``weight_decay`` over four decades, then
# refine around the best value, and compare each AdamW run's final weights with those of Adam with
# ``weight_decay=7`` (relative distance). The closest AdamW run still differs from it by the
# printed relative distance, while for SGD the rescaled rate above matched to rounding error.
import numpy as np


def distance_to_adam(rate):
    adamw = train_concise(problem, optimizer="adamw", weight_decay=rate, lr=lr, initial=start)
    return float((adamw.w - runs["adam"].w).norm() / runs["adam"].w.norm())


coarse = np.logspace(-2, 2, 5)
coarse_distances = [distance_to_adam(float(g)) for g in coarse]
best = float(coarse[np.argmin(coarse_distances)])
fine = np.concatenate([best * np.logspace(-0.5, 0.5, 5)[[0, 1, 3, 4]], [best]])
fine_distances = [distance_to_adam(float(g)) for g in fine[:-1]] + [min(coarse_distances)]
print(
    f"closest AdamW: weight_decay = {fine[np.argmin(fine_distances)]:.3g}, "
    f"relative distance {min(fine_distances):.2f}"
)
assert min(fine_distances) > 0.1  # far from the rounding error of the SGD case

# %%
# Interpreting the results
# ------------------------
# * The same ``weight_decay`` in :func:`weightdecay.trainer.train_concise` with
#   ``optimizer="adam"`` and ``optimizer="adamw"`` gives different trajectories and different
#   final weights (the printed norms and the relative distance). AdamW shrinks the start away
#   geometrically; Adam typically moves a weight by about :math:`\eta` per step (at worst a few
#   times more), so in 100 epochs it does not remove the :math:`\mathcal N(0, 1)` initial
#   weights, and its test loss stays high, far above AdamW's and the zero predictor's.
# * Both optimizers follow their documented formulas (the hand-computed step matches to rounding).
#   AdamW's decay is :math:`\eta\lambda` on every coordinate; Adam's is
#   :math:`\eta\lambda/(\sqrt{\hat v_i}+\epsilon)`, a fraction of it that differs from
#   coordinate to coordinate and is smallest where :math:`\hat v_i`, and with it
#   :math:`\lvert w_i\rvert`, is largest.
# * With SGD the two coincide after rescaling by the learning rate, which is why the book's
#   "weight decay" and "L2 penalty" are used as synonyms; :ref:`explanation-decay-vs-l2` derives
#   all three update rules. With Adam they are different regularizers: prefer AdamW when you
#   mean weight decay.
# * The bias is in its own parameter group with ``weight_decay=0`` in every optimizer.

# sphinx_gallery_thumbnail_number = 2
