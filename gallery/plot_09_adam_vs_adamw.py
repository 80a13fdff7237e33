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
the learning rate. The model is the notebook's concise one, trained with ``nn.MSELoss``, so every
loss on this page is a mean squared error :math:`(\\hat y - y)^2`, without the factor
:math:`\\tfrac12` of the from-scratch pages.
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
# We train the notebook's concise model with :func:`~weightdecay.trainer.train_concise` (MSE loss,
# :math:`\eta = 0.003`, batches of 5, 100 epochs, the bias never decayed) with the notebook's
# :math:`\lambda = 7`, once with each optimizer (and SGD for reference), from the same initial
# weights, which we draw once and pass as ``initial=``. The same ``seed`` gives the same
# minibatches to every run. For scale, the last line is the test MSE of the zero predictor
# (:func:`~weightdecay.evaluate.zero_predictor_loss`).
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

# sphinx_gallery_start_ignore
from recorded import record

adam_mse, adamw_mse = runs["adam"].history.test_loss[-1], runs["adamw"].history.test_loss[-1]
assert adam_mse > 100 * adamw_mse, "Adam's test loss is no longer far above AdamW's"
assert adam_mse > 100 * zero_mse, "nor far above the zero predictor's"
difference = float((runs["adam"].w - runs["adamw"].w).norm() / runs["adamw"].w.norm())
record("adam_norm", runs["adam"].w_norm)
record("adamw_norm", runs["adamw"].w_norm)
record("adam_mse", adam_mse)
record("adamw_mse", adamw_mse)
record("relative_difference", difference)
record("sgd_norm", runs["sgd"].w_norm)
# sphinx_gallery_end_ignore

# %%
# Same argument, different results: Adam ends with :math:`\lVert w\rVert =`
# :val:`plot_09.adam_norm:.3g` and a test MSE of :val:`plot_09.adam_mse:.3g`, AdamW with
# :val:`plot_09.adamw_norm:.2g` and :val:`plot_09.adamw_mse:.2g`; the two weight vectors differ
# by :val:`plot_09.relative_difference:.0f` times the norm of AdamW's. SGD's line is the course
# notebook's concise run with ``wd = 7``; its :math:`\lVert w\rVert`,
# :val:`plot_09.sgd_norm:.3f`, differs from the 0.0806 that the notebook printed because the
# notebook drew other data and started the bias from :math:`\mathcal N(0, 1)`, where this page
# starts it at 0.

# %%
# Trajectories
# ------------
# The test loss is recorded every epoch. For the weight norm along the way we rerun each optimizer
# for fewer epochs: because every run draws its minibatches from the same seeded stream, a run of
# ``e`` epochs repeats the first ``e`` epochs of the 100-epoch run exactly.
import matplotlib.pyplot as plt

checkpoints = [1, 3, 10, 30, 100]
norms = {name: [] for name in optimizers}
for name in optimizers:
    for e in checkpoints:
        short = train_concise(
            problem, optimizer=name, weight_decay=wd, lr=lr, initial=start, num_epochs=e
        )
        norms[name].append(short.w_norm)
        # sphinx_gallery_start_ignore
        same = short.history.test_loss[-1] == runs[name].history.test_loss[e - 1]
        assert same, f"{name}: a run of {e} epochs is no longer the long run's start"
        # sphinx_gallery_end_ignore

fig, (ax_loss, ax_norm) = plt.subplots(1, 2, figsize=(10, 3.8))
for j, name in enumerate(optimizers):
    run = runs[name]
    ax_loss.semilogy(run.history.epochs, run.history.test_loss, color=f"C{j}", label=name)
    ax_norm.loglog(checkpoints, norms[name], "o-", color=f"C{j}", label=name)
ax_loss.set(xlabel="epoch", ylabel=r"test MSE, $(\hat y - y)^2$")
ax_loss.set_title(rf"same $\lambda = {wd:g}$, same start, same batches")
ax_norm.set(xlabel="epoch", ylabel=r"$\|w\|$", title="weight norm")
for ax in (ax_loss, ax_norm):
    ax.legend()
fig.tight_layout()

# %%
# Final weights against initial weights
# -------------------------------------
# Each dot is one of the 200 weights. AdamW has multiplied every weight by
# :math:`(1 - \eta\lambda)` at each of the 400 updates, a factor of
# :val:`plot_09.decay_left:.1e` in all, so nothing of the start is left. Adam has moved the large
# weights towards zero by similar *amounts*: the decay term :math:`\lambda w` dominates their
# gradient, and dividing by :math:`\sqrt{\hat v}` turns it into roughly a sign, a step of about
# :math:`\eta` per update, :math:`400\eta =` :val:`plot_09.typical:.2f` in all. That makes
# Adam + L2 behave more like an L1 penalty with a fixed step (see
# :ref:`sphx_glr_auto_examples_plot_08_l1_vs_l2.py`) than like weight decay. The weights that
# started beyond :val:`plot_09.typical:.2f` moved towards zero by
# :val:`plot_09.moved_min:.2f` to :val:`plot_09.moved_max:.2f`. A step of :math:`\eta` is
# typical, not a bound (:ref:`explanation-decay-vs-l2` gives the worst case, several times
# larger), but here no weight moved further than :val:`plot_09.moved_largest:.2f` in all.
initial = start[0].flatten()
fig, ax = plt.subplots(figsize=(6, 4.5))
for name, color in (("adam", "C1"), ("adamw", "C2")):
    ax.plot(initial, runs[name].w.flatten(), "o", ms=3, color=color, label=name)
ax.plot(initial, initial, color="C7", lw=0.8, label="unchanged")
ax.set(xlabel="initial weight", ylabel="weight after 100 epochs")
ax.set_title(rf"weight_decay = {wd:g} in both")
ax.legend()
fig.tight_layout()

# sphinx_gallery_start_ignore
num_updates = runs["adam"].history.num_updates
typical = lr * num_updates
displacement = (runs["adam"].w.flatten() - initial).abs()
big = initial.abs() > typical
towards_zero = initial[big].abs() - runs["adam"].w.flatten()[big].abs()
assert num_updates == 400
assert (1 - lr * wd) ** num_updates < 1e-3, "something of the start is left in AdamW"
assert float(displacement.max()) <= typical, "a weight got further than eta per update"
assert float(towards_zero.min()) > 0.3 * typical, "the large ones no longer used much of it"
record("decay_left", (1 - lr * wd) ** num_updates)
record("typical", typical)
record("moved_min", float(towards_zero.min()))
record("moved_max", float(towards_zero.max()))
record("moved_largest", float(displacement.max()))
# sphinx_gallery_end_ignore

# %%
# One update by hand
# ------------------
# To look inside the optimizers we write the concise training loop out (``nn.Linear`` in float64,
# the bias in its own group without decay, minibatches of 5), train each optimizer for 400
# updates, and then compute the 401st update twice: by hand from the documented formulas and the
# optimizer's own state (``exp_avg`` is :math:`m`, ``exp_avg_sq`` is :math:`v`), and by calling
# ``optimizer.step()``. ``decoupled_rate`` is used in the last section.
from torch import nn

problem64 = make_problem(seed=0, dtype=torch.float64)


def minibatch_gradient(layer, generator):
    """Leave the gradient of the MSE on a random minibatch of 5 in layer's .grad."""
    batch = torch.randperm(problem64.n_train, generator=generator)[:5]
    layer.zero_grad()
    X, y = problem64.X_train[batch], problem64.y_train[batch]
    nn.functional.mse_loss(layer(X), y).backward()


def trained(optimizer_cls, weight_decay, decoupled_rate=0.0, num_steps=400):
    """A float64 nn.Linear and its optimizer after num_steps minibatch updates (each preceded
    by w *= 1 - decoupled_rate), with the gradient of one more minibatch left in .grad."""
    layer = nn.Linear(d, 1, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(start[0].reshape(1, -1))
        layer.bias.zero_()
    groups = [
        {"params": [layer.weight], "weight_decay": weight_decay},
        {"params": [layer.bias], "weight_decay": 0.0},
    ]
    optimizer = optimizer_cls(groups, lr=lr)
    generator = torch.Generator().manual_seed(0)
    for _ in range(num_steps):
        minibatch_gradient(layer, generator)
        with torch.no_grad():
            layer.weight.mul_(1 - decoupled_rate)
        optimizer.step()
    minibatch_gradient(layer, generator)
    return layer, optimizer


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
    layer, optimizer = trained(cls, wd)
    w = layer.weight.detach().clone()
    state = {key: value.clone() for key, value in optimizer.state[layer.weight].items()}
    expected, v_hat = adam_by_hand(w, layer.weight.grad, state, wd, decoupled=name == "adamw")
    optimizer.step()
    error = (layer.weight.detach() - expected).abs().max()
    print(f"{name}: largest |optimizer step - hand step| = {float(error):.1e}")
    models[name] = (w, v_hat)

    # sphinx_gallery_start_ignore
    assert float(error) < 1e-12, f"{name} no longer follows its documented formula"
    # sphinx_gallery_end_ignore

# sphinx_gallery_start_ignore
# The largest change of a single weight in one of Adam's 400 updates, against the worst case.
layer, optimizer = trained(torch.optim.Adam, wd, num_steps=0)
generator, largest_step = torch.Generator().manual_seed(0), 0.0
for _ in range(400):
    minibatch_gradient(layer, generator)
    before = layer.weight.detach().clone()
    optimizer.step()
    largest_step = max(largest_step, float((layer.weight.detach() - before).abs().max()))
beta1, beta2 = optimizer.defaults["betas"]
worst = (1 - beta1) / ((1 - beta2) * (1 - beta1**2 / beta2)) ** 0.5
assert largest_step <= worst * lr, "a step beyond the worst case"
assert torch.equal(layer.weight.detach(), models["adam"][0]), "not the same run"
record("largest_step", largest_step / lr)
record("worst_step", worst)
# sphinx_gallery_end_ignore

# %%
# Both agree with their formulas to rounding error. Adam's largest change of one weight in a
# single update was :val:`plot_09.largest_step:.2f` :math:`\eta`, below the worst case of
# :val:`plot_09.worst_step:.2f` :math:`\eta` for these :math:`\beta`.

# %%
# The decay each coordinate actually gets
# ---------------------------------------
# In Adam the decay term :math:`\lambda w_i` is averaged into :math:`m_i` and divided by
# :math:`\sqrt{\hat v_i} + \epsilon` like the gradient, so it removes about the fraction
# :math:`\eta\lambda / (\sqrt{\hat v_i} + \epsilon)` of :math:`w_i` per step; we read
# :math:`\hat v` from Adam's state after 400 updates. Since :math:`\lambda w_i` is part of what
# Adam averages, :math:`\hat v_i` grows with :math:`\lvert w_i\rvert`: the largest weights lose
# the smallest fraction. A large weight whose gradient is mostly :math:`\lambda w_i` loses about
# :math:`\eta\lambda\lvert w_i\rvert/\sqrt{\hat v_i} \approx \eta` per step, whatever its size:
# each weight moves by about the same amount, as with an L1 penalty, instead of by the same
# fraction, as with an L2 penalty.
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
    optimizer.param_groups[0]["weight_decay"] = weight_decay
    optimizer.step()
    return copied.weight.detach().flatten()


w_adam, v_hat_adam = models["adam"]
adam_rate = (lr * wd / (v_hat_adam.sqrt() + 1e-8)).flatten()
layer, optimizer = trained(torch.optim.AdamW, wd)
w_now = layer.weight.detach().flatten()
adamw_rate = (step_with(layer, optimizer, 0.0) - step_with(layer, optimizer, wd)) / w_now
print(f"AdamW: decay per step {adamw_rate.min():.6f} to {adamw_rate.max():.6f}")
print(f"lr * wd = {lr * wd:g}")
print(f"Adam + L2: decay per step {adam_rate.min():.2e} to {adam_rate.max():.2e}")

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

# sphinx_gallery_start_ignore
assert torch.allclose(adamw_rate, torch.full_like(adamw_rate, lr * wd), rtol=1e-6)
largest = w_adam.flatten().abs().argsort()[-20:]
smallest = w_adam.flatten().abs().argsort()[:20]
assert adam_rate[largest].median() < adam_rate[smallest].median(), "the largest no longer least"
assert float(adam_rate.max()) < lr * wd, "Adam + L2 no longer weaker than AdamW everywhere here"
assert float(v_hat_adam.sqrt().min()) > 1, "sqrt(v_hat) is no longer above 1 everywhere"
record("adam_l2_decay_min", float(adam_rate.min()) / (lr * wd))
record("adam_l2_decay_max", float(adam_rate.max()) / (lr * wd))
record("sqrt_v_min", float(v_hat_adam.sqrt().min()))
record("decay_largest", float(adam_rate[largest].median()))
record("decay_smallest", float(adam_rate[smallest].median()))
# sphinx_gallery_end_ignore

# %%
# AdamW removes the fraction :math:`\eta\lambda` = 0.021 of every weight, to rounding error.
# Adam + L2 removes only :val:`plot_09.adam_l2_decay_min:.3f` to
# :val:`plot_09.adam_l2_decay_max:.3f` times that: the median over the 20 largest weights is
# :val:`plot_09.decay_largest:.1e` per step, over the 20 smallest
# :val:`plot_09.decay_smallest:.1e`.
#
# **Which one is stronger depends on** :math:`\sqrt{\hat v}`. Adam's decay per step,
# :math:`\eta\lambda/(\sqrt{\hat v_i} + \epsilon)`, exceeds AdamW's :math:`\eta\lambda` only
# where :math:`\sqrt{\hat v_i} < 1`. Here the gradients are large (with :math:`\lambda = 7` and
# :math:`\mathcal N(0, 1)` weights, :math:`\lambda w` alone is of order 7), and
# :math:`\sqrt{\hat v_i}` is at least :val:`plot_09.sqrt_v_min:.2f` on every coordinate, so at
# the same ``weight_decay`` Adam + L2 decays *less* than AdamW. In a network trained with a small
# ``weight_decay`` the gradients are usually far smaller than 1, and the same formula makes
# Adam + L2 the stronger one: on the handwritten digits of
# :ref:`sphx_glr_auto_examples_plot_13b_decay_strength.py`, at ``weight_decay = 1e-2``, it
# decays the first layer's weights :val:`plot_13b.adam_over_adamw_first_layer:.0f` times more
# per step than AdamW (median over the weights).

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
coupled = trained(torch.optim.SGD, wd)[0].weight.detach()
for rate, label in ((lr * wd, "lr * wd"), (wd / 1000, "wd / 1000")):
    decoupled = trained(torch.optim.SGD, 0.0, decoupled_rate=rate)[0].weight.detach()
    gap = float((decoupled - coupled).abs().max())
    print(f"SGD, wd={wd:g} against decoupled rate {label} = {rate:g}: gap {gap:.1e}")

    # sphinx_gallery_start_ignore
    assert (gap < 1e-12) if label == "lr * wd" else (gap > 1e-3), f"{label}: {gap}"
    # sphinx_gallery_end_ignore

# %%
# No decoupled rate reproduces Adam + L2
# --------------------------------------
# With Adam the rescaling trick fails. We scan AdamW's ``weight_decay`` over four decades, then
# refine around the best value, and compare each AdamW run's final weights with those of Adam with
# ``weight_decay=7`` (relative distance).
import numpy as np


def distance_to_adam(rate):
    adamw = train_concise(problem, optimizer="adamw", weight_decay=rate, lr=lr, initial=start)
    return float((adamw.w - runs["adam"].w).norm() / runs["adam"].w.norm())


coarse = np.logspace(-2, 2, 5)
best = float(coarse[np.argmin([distance_to_adam(float(g)) for g in coarse])])
fine = best * np.logspace(-0.5, 0.5, 5)
distances = [distance_to_adam(float(g)) for g in fine]
closest = fine[np.argmin(distances)]
print(f"closest AdamW: weight_decay = {closest:.3g}, distance {min(distances):.2f}")

# sphinx_gallery_start_ignore
assert min(distances) > 0.1, "an AdamW run now comes close to Adam + L2"
record("closest_rate", float(closest))
record("closest_distance", min(distances))
# sphinx_gallery_end_ignore

# %%
# The closest AdamW run, at ``weight_decay =`` :val:`plot_09.closest_rate:.3g`, still differs
# from Adam + L2 by :val:`plot_09.closest_distance:.0%` of the norm of Adam's weights, while for
# SGD the rescaled rate matched to rounding error.

# %%
# Interpreting the results
# ------------------------
# * The same ``weight_decay`` in :func:`weightdecay.trainer.train_concise` with
#   ``optimizer="adam"`` and ``optimizer="adamw"`` gives different trajectories and different
#   final weights. AdamW shrinks the start away geometrically; Adam typically moves a weight by
#   about :math:`\eta` per step (at worst a few times more), so in 100 epochs it does not
#   remove the :math:`\mathcal N(0, 1)` initial weights, and its test loss stays high, far above
#   AdamW's and the zero predictor's.
# * Both optimizers follow their documented formulas. AdamW's decay is :math:`\eta\lambda` on
#   every coordinate; Adam's is :math:`\eta\lambda/(\sqrt{\hat v_i}+\epsilon)`, which differs
#   from coordinate to coordinate and is smallest where :math:`\hat v_i`, and with it
#   :math:`\lvert w_i\rvert`, is largest. It is weaker than AdamW's where
#   :math:`\sqrt{\hat v_i} > 1`, as everywhere on this problem, and stronger where
#   :math:`\sqrt{\hat v_i} < 1`, as in the digits network.
# * With SGD the two coincide after rescaling by the learning rate, which is why the book's
#   "weight decay" and "L2 penalty" are used as synonyms; :ref:`explanation-decay-vs-l2` derives
#   all three update rules. With Adam they are different regularizers: prefer AdamW when you
#   mean weight decay.
# * The bias is in its own parameter group with ``weight_decay=0`` in every optimizer.

# %%
# Try it
# ------
# **Question 1.** Train Adam + L2 again with ten times the decay, ``weight_decay=70``. Will the
# final :math:`\lVert w\rVert` be about ten times smaller, somewhat smaller, or about the same
# as with ``weight_decay=7``? Choose before you open the answer.
#
# .. answer-start
strong = train_concise(problem, optimizer="adam", weight_decay=10 * wd, initial=start)
for run, weight_decay in ((runs["adam"], wd), (strong, 10 * wd)):
    print(f"Adam + L2, weight_decay = {weight_decay:g}: ||w|| = {run.w_norm:.2f}")

# sphinx_gallery_start_ignore
assert 0.6 < strong.w_norm / runs["adam"].w_norm < 0.95, "no longer 'somewhat smaller'"
record("q1_norm", strong.w_norm)
record("q1_ratio", strong.w_norm / runs["adam"].w_norm)
# sphinx_gallery_end_ignore

# %%
# Somewhat smaller: :val:`plot_09.q1_norm:.2f`, :val:`plot_09.q1_ratio:.0%` of the norm at
# ``weight_decay=7``. While :math:`\lambda w` dominates the gradient, Adam's step is about
# :math:`\eta\,\mathrm{sign}(w)`, and a larger :math:`\lambda` cannot make it longer: in 400
# updates no weight can move much further than :math:`400\eta` = 1.2, so the large initial
# weights survive whatever the decay. Ten times more :math:`\lambda` mainly makes
# :math:`\lambda w` dominate for more of the smaller weights.
#
# .. answer-end

# %%
# **Question 2.** AdamW, ``weight_decay=7`` as before, but half the learning rate,
# ``lr=0.0015``. How much of each initial weight will be left after the 400 updates? Write down a
# fraction.
#
# .. answer-start
settings = {"optimizer": "adamw", "weight_decay": wd, "initial": start}
slow = train_concise(problem, lr=lr / 2, **settings)
left = float(slow.w.flatten() @ initial / (initial @ initial))  # the slope of w on w0
print(f"(1 - lr * wd) ** 400 at lr = {lr / 2:g}: {(1 - lr / 2 * wd) ** 400:.3g}")
print(f"fitted slope of w on w0: {left:.3g}")

# sphinx_gallery_start_ignore
assert abs(left / (1 - lr / 2 * wd) ** 400 - 1) < 0.3, "the slope no longer follows the decay"
record("q2_left", (1 - lr / 2 * wd) ** 400)
record("q2_slope", left)
# sphinx_gallery_end_ignore

# %%
# About :val:`plot_09.q2_left:.3f`, against :val:`plot_09.decay_left:.1e` at ``lr=0.003``:
# :math:`(1 - \eta\lambda)^{400}` with :math:`\eta\lambda = 0.0105`, and the slope of the final
# weights against the initial ones, :val:`plot_09.q2_slope:.3f`, agrees. PyTorch's AdamW
# multiplies ``weight_decay`` by the learning rate, so halving ``lr`` halves the decay per step,
# and over a whole run it compounds: a schedule that lowers the learning rate lowers the decay
# with it.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 2
