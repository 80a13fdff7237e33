# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
==========================================================
How strong is weight_decay? Total decay, and Adam with L2
==========================================================

On the handwritten digits of :ref:`sphx_glr_auto_examples_plot_13_real_data_digits.py`,
validation chose values of ``weight_decay`` more than two decades apart for SGD and for AdamW.
This example explains why: the number ``weight_decay`` alone does not say how strongly a run is
regularized, the *total decay* of the run does. It shows where the usual values 1e-4 … 1e-2 come
from, and what ``torch.optim.Adam(weight_decay=λ)``, an L2 penalty rescaled by Adam, does at the
same settings, layer by layer. The data, the network and the batched training are those of the
previous page.
"""

# %%
# The data, the network, many networks at once
# --------------------------------------------
# As on the previous page: the digits split into test, validation and training images, each
# pixel standardized with the training statistics; two training sizes (100 examples and the
# whole training split), three seeds, each seed drawing the subset, the initial weights and the
# minibatches from one generator; :func:`~weightdecay.networks.mlp` with two hidden layers of 128
# ReLU units; and one network per seed and per value of ``weight_decay`` trained at once with
# :func:`torch.func.vmap`, the decay applied as ``torch.optim`` applies it to the weight matrices
# that :func:`~weightdecay.networks.decay_param_groups` decays. A third optimizer joins SGD and
# AdamW: ``torch.optim.Adam``, whose ``weight_decay`` adds :math:`\lambda w` to the gradient.
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from weightdecay.networks import decay_param_groups, mlp

digits = load_digits()
images, labels = torch.tensor(digits.data, dtype=torch.float32), torch.tensor(digits.target)
shuffled = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
held_out = len(images) // 5
test_rows, val_rows = shuffled[:held_out], shuffled[held_out : 2 * held_out]
train_rows = shuffled[2 * held_out :]
pixel_mean, pixel_std = images[train_rows].mean(dim=0), images[train_rows].std(dim=0)
X = (images - pixel_mean) / torch.where(pixel_std > 0, pixel_std, 1.0)
HELD_OUT = {"validation": val_rows, "test": test_rows}

SIZES, SEEDS = {"100 examples": 100, "full training split": len(train_rows)}, (0, 1, 2)
NET = {"depth": 2, "width": 128, "activation": "relu", "init": "kaiming", "num_outputs": 10}
BATCH_SIZE, NUM_STEPS = 50, 400
OPTIMIZERS = {  # the class, its arguments, and whether its decay is decoupled
    "SGD": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}, False),
    "AdamW": (torch.optim.AdamW, {"lr": 1e-3}, True),
    "Adam + L2": (torch.optim.Adam, {"lr": 1e-3}, False),
}
GRID = [0.0, *torch.logspace(-4, 1, 11, dtype=torch.float64).tolist()]


def setup(seed, size):
    generator = torch.Generator().manual_seed(seed)
    rows = train_rows[torch.randperm(len(train_rows), generator=generator)[:size]]
    return rows, mlp(X.shape[1], **NET, generator=generator), generator


def minibatches(rows, generator):
    per_epoch = len(rows) // BATCH_SIZE
    for step in range(NUM_STEPS):
        if step % per_epoch == 0:
            epoch_order = rows[torch.randperm(len(rows), generator=generator)]
        start = (step % per_epoch) * BATCH_SIZE
        yield epoch_order[start : start + BATCH_SIZE]


net = setup(0, 100)[1]
names = {id(param): name for name, param in net.named_parameters()}
decayed_names = [names[id(p)] for p in decay_param_groups(net, 1.0)[0]["params"]]


def forward(params, x):
    return functional_call(net, params, (x,))


def train_many(size, optimizer_name):
    """One network per (seed, weight_decay of GRID), trained at once: the stacked parameters,
    each network's training rows and the optimizer."""
    runs = [setup(seed, size) for seed in SEEDS]
    params, _ = stack_module_state([net for _, net, _ in runs for _ in GRID])
    rate = torch.tensor(GRID, dtype=torch.float32).repeat(len(SEEDS)).view(-1, 1, 1)
    optimizer_class, arguments, decoupled = OPTIMIZERS[optimizer_name]
    optimizer = optimizer_class(params.values(), **arguments, weight_decay=0.0)
    for step_batches in zip(*[minibatches(rows, gen) for rows, _, gen in runs], strict=True):
        batch = torch.stack(step_batches).repeat_interleave(len(GRID), dim=0)
        logits = vmap(forward)(params, X[batch])
        losses = nn.functional.cross_entropy(logits.mT, labels[batch], reduction="none")
        optimizer.zero_grad()
        losses.mean(dim=1).sum().backward()
        with torch.no_grad():
            for name in decayed_names:
                if decoupled:
                    params[name].mul_(1 - arguments["lr"] * rate)
                else:
                    params[name].grad.add_(rate * params[name])
        optimizer.step()
    rows = torch.stack([rows for rows, _, _ in runs]).repeat_interleave(len(GRID), dim=0)
    return params, rows, optimizer


@torch.no_grad()
def evaluate(params, rows):
    """Accuracies (seeds, grid) on each split; weight norms (seeds, grid, layers)."""
    scores = {}
    for split, split_rows in {"train": rows, **HELD_OUT}.items():
        every_net = split_rows.expand(len(rows), -1)
        correct = vmap(forward)(params, X[every_net]).argmax(dim=-1) == labels[every_net]
        scores[split] = correct.float().mean(dim=1).view(len(SEEDS), len(GRID))
    norms = [params[name].flatten(1).norm(dim=1) for name in decayed_names]
    scores["norms"] = torch.stack(norms, dim=-1).view(len(SEEDS), len(GRID), -1)
    return scores


# %%
# The grid, and the values validation chooses
# -------------------------------------------
# Every optimizer, both sizes, every seed and every ``weight_decay`` of the grid (0, then 1e-4
# to 10 in half decades); each choice is the grid value with the best mean validation accuracy.
# The accuracies of SGD and AdamW are tabulated on the previous page.
results, states, chosen = {}, {}, {}
for optimizer_name in OPTIMIZERS:
    for size_name, size in SIZES.items():
        params, rows, optimizer = train_many(size, optimizer_name)
        scores = results[optimizer_name, size_name] = evaluate(params, rows)
        states[optimizer_name, size_name] = (params, optimizer)
        chosen[optimizer_name, size_name] = k = int(scores["validation"].mean(0).argmax())
        print(
            f"{optimizer_name:>9}, {size_name:<19}: weight_decay = {GRID[k]:<7.3g} "
            f"test accuracy {100 * scores['test'][:, k].mean():.1f}%"
        )

# %%
# Where 1e-4 … 1e-2 come from
# ---------------------------
# The value that validation picks for SGD lies in the range that courses recommend, and AdamW's
# lies two decades and more above PyTorch's default of 1e-2. The number ``weight_decay`` alone
# does not say how strongly a run is regularized. Each step multiplies the weights by
# :math:`1 - \eta_\text{eff}\lambda`, where for AdamW :math:`\eta_\text{eff} = \eta`, and for
# SGD with momentum :math:`\beta` the decay term, like the gradient, accumulates in the momentum
# buffer, so that :math:`\eta_\text{eff} = \eta / (1 - \beta)`. After :math:`T` steps a weight
# that the data do not move has shrunk by
#
# .. math::
#
#    (1 - \eta_\text{eff}\lambda)^T \approx e^{-D}, \qquad D = T\,\eta_\text{eff}\,\lambda ,
#
# the *total decay* of the run. Drawn against ``weight_decay`` (left), the norm of the first
# layer's weights falls in SGD and in AdamW more than two decades apart; drawn against :math:`D`
# (right), the curves nearly coincide, and they follow :math:`e^{-D}` while :math:`D` is small:
# the weights at ``weight_decay = 0`` are still mostly their random initialization (with SGD on
# the full training split, their cosine with the initial weights is
# :val:`plot_13b.cosine_at_zero:.2f`; as in the book's linear model, see
# :ref:`sphx_glr_auto_examples_plot_11_early_stopping.py`), and the decay removes it. The values
# that validation picks give both optimizers a total decay of order one.
import matplotlib.pyplot as plt

EFFECTIVE_LR = {"SGD": 0.05 / (1 - 0.9), "AdamW": 1e-3}


def total_decay(optimizer_name, weight_decay):
    return NUM_STEPS * EFFECTIVE_LR[optimizer_name] * weight_decay


for size_name in SIZES:
    picked = {name: GRID[chosen[name, size_name]] for name in EFFECTIVE_LR}
    decays = {name: total_decay(name, picked[name]) for name in EFFECTIVE_LR}
    print(f"{size_name}: chosen on validation")
    for name in EFFECTIVE_LR:
        print(f"    {name}: weight_decay {picked[name]:.3g}, total decay {decays[name]:.2f}")

fig, (ax_wd, ax_d) = plt.subplots(1, 2, figsize=(10, 4), sharey=True, layout="constrained")
for optimizer_name, color in (("SGD", "C0"), ("AdamW", "C1")):
    for size_name, style in zip(SIZES, ("--", "-"), strict=True):
        norms = results[optimizer_name, size_name]["norms"][:, :, 0]  # first layer
        relative = (norms / norms[:, :1]).mean(0)[1:]
        label = f"{optimizer_name}, {size_name}"
        ax_wd.loglog(GRID[1:], relative, style, color=color, marker="o", ms=3, label=label)
        decays = [total_decay(optimizer_name, wd) for wd in GRID[1:]]
        ax_d.loglog(decays, relative, style, color=color, marker="o", ms=3, label=label)
d_range = np.logspace(-3, 0.5)
ax_d.loglog(d_range, np.exp(-d_range), ":", color="k", label=r"$e^{-D}$")
ax_wd.set(xlabel="weight_decay", ylabel="first-layer weight norm / norm at weight_decay = 0")
ax_d.set(xlabel=r"total decay $D = T\,\eta_\mathrm{eff}\,\lambda$", ylim=(1e-2, 1.5))
ax_wd.legend(fontsize="small")
ax_d.legend(fontsize="small")
fig.suptitle("The same decay in SGD and AdamW: weight_decay differs, total decay agrees")
plt.show()

# sphinx_gallery_start_ignore
from recorded import record

for size_name in SIZES:
    picked = {name: GRID[chosen[name, size_name]] for name in EFFECTIVE_LR}
    assert 1e-4 <= picked["SGD"] <= 1e-2, "SGD's choice is no longer in the usual range"
    assert picked["AdamW"] >= 0.99 * 100 * 1e-2, "AdamW's, no longer two decades above 1e-2"
    assert all(0.1 <= total_decay(o, picked[o]) <= 10 for o in picked), "D not of order one"
    halved = {}  # the first grid value at which the first layer's norm is below half
    for optimizer_name in EFFECTIVE_LR:
        norms = results[optimizer_name, size_name]["norms"][:, :, 0]
        relative = (norms / norms[:, :1]).mean(0)
        k = int(np.argmax(relative.numpy() < 0.5))
        halved[optimizer_name] = (GRID[k], total_decay(optimizer_name, GRID[k]))
        gap = max(
            abs(float(relative[j]) - np.exp(-total_decay(optimizer_name, GRID[j])))
            for j in range(1, len(GRID))
            if total_decay(optimizer_name, GRID[j]) <= 0.5
        )
        assert gap < 0.1, "the norm no longer follows exp(-D) while D is small"
    (wd_sgd, d_sgd), (wd_adamw, d_adamw) = halved["SGD"], halved["AdamW"]
    assert wd_adamw >= 100 * wd_sgd, "no longer two decades apart in weight_decay"
    assert 1 / 3 < d_adamw / d_sgd < 3, "no longer close in total decay"
initial = setup(0, len(train_rows))[1][0].weight.detach().flatten()
trained = states["SGD", "full training split"][0]["0.weight"][0].flatten()  # seed 0, decay 0
cosine = float(nn.functional.cosine_similarity(initial, trained.detach(), dim=0))
assert cosine > 0.9, "the weights at weight_decay = 0 are no longer mostly their start"
record("cosine_at_zero", cosine)
# sphinx_gallery_end_ignore

# %%
# The usual values are set for long runs
# --------------------------------------
# PyTorch's default for AdamW, ``weight_decay = 1e-2`` at ``lr = 1e-3``, and a common SGD
# setting, ``weight_decay = 1e-4`` at ``lr = 0.1`` with momentum 0.9, reach the total decay that
# validation picked here only after many times the length of our short run:
conventional = {"SGD": 1e-4 * 0.1 / (1 - 0.9), "AdamW": 1e-2 * 1e-3}  # eta_eff * lambda
for optimizer_name, per_step in conventional.items():
    for size_name in SIZES:
        d = total_decay(optimizer_name, GRID[chosen[optimizer_name, size_name]])
        steps = d / per_step
        print(
            f"{optimizer_name} at its conventional setting: {steps:,.0f} steps to reach "
            f"D = {d:.2f} (chosen on {size_name}), {steps / NUM_STEPS:.0f} times this run"
        )

        # sphinx_gallery_start_ignore
        assert d / per_step >= 10 * NUM_STEPS, "the conventional values are no longer for long runs"
        # sphinx_gallery_end_ignore

# %%
# That is where the familiar small values come from: they are set for the long runs of real
# training. In networks with normalization layers the picture changes (scaling the weights in
# front of such a layer does not change its output, and the decay then acts through the
# effective learning rate instead); this network has none.
# :ref:`sphx_glr_auto_examples_plot_14_normalization_layers.py` trains one that has them.

# %%
# Adam with an L2 penalty is not AdamW
# ------------------------------------
# ``torch.optim.Adam(weight_decay=λ)`` adds :math:`\lambda w` to the gradient, and Adam then
# divides the whole step by the running root mean square :math:`\sqrt{\hat v}` of what it saw, so
# each weight loses the fraction :math:`\eta\lambda / (\sqrt{\hat v} + \epsilon)` per step instead
# of AdamW's :math:`\eta\lambda`: more where :math:`\sqrt{\hat v} < 1`, less where it is larger.
# In this network the gradients are small, and Adam's L2 penalty turns out to be far stronger at
# the same ``weight_decay`` (same learning rate, seeds, starts, minibatches and grid): its
# accuracy curves sit about where SGD's do, and they collapse where AdamW still fits every
# training example. The best accuracies are close, closer than the spread over seeds; what
# differs is the value that reaches them.
x_grid = np.array([10**-4.75, *GRID[1:]])  # weight_decay = 0 drawn at 10**-4.75
ticks = x_grid[[0, 1, 3, 5, 7, 9, 11]]
tick_labels = ["0", "1e-4", "1e-3", "1e-2", "0.1", "1", "10"]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
for ax, size_name in zip(axes, SIZES, strict=True):
    for optimizer_name, color in (("AdamW", "C1"), ("Adam + L2", "C2")):
        test = 100 * results[optimizer_name, size_name]["test"]
        ax.plot(x_grid, test.mean(0), "o-", ms=3, color=color, label=optimizer_name)
        low, high = test.min(0).values, test.max(0).values
        ax.fill_between(x_grid, low, high, color=color, alpha=0.25)
    ax.set(xscale="log", xlabel="weight_decay (the same argument in both)", title=size_name)
    ax.set_xticks(ticks, tick_labels)
    ax.legend(loc="lower left")
axes[0].set_ylabel("test accuracy (%)")
fig.suptitle("Adam + L2 against AdamW: test accuracy at matched settings")
plt.show()

# sphinx_gallery_start_ignore
for size_name in SIZES:
    adam, adamw = results["Adam + L2", size_name], results["AdamW", size_name]
    k_adam, k_adamw = chosen["Adam + L2", size_name], chosen["AdamW", size_name]
    collapse = int(np.argmax(adam["train"].mean(0).numpy() < 0.5))
    assert float(adamw["train"][:, collapse].mean()) > 0.99, "AdamW no longer fits there"
    assert 0.1 <= GRID[k_adam] / GRID[chosen["SGD", size_name]] <= 10, "not about where SGD is"
    difference = abs(float(adam["test"][:, k_adam].mean() - adamw["test"][:, k_adamw].mean()))
    seed_spread = float(adamw["test"][:, k_adamw].max() - adamw["test"][:, k_adamw].min())
    assert difference < seed_spread, "the best accuracies are no longer close"
    record(f"collapse_{size_name.split()[0]}", GRID[collapse])
# sphinx_gallery_end_ignore

# %%
# Layer by layer
# --------------
# At a matched setting, ``weight_decay = 1e-2`` (AdamW's default), on the full training split, we
# compare each layer's weight norm and read Adam's :math:`\hat v` from the optimizer's state
# (``exp_avg_sq``, divided by :math:`1 - \beta_2^t`). The last column is the median over the
# layer's weights of :math:`1/(\sqrt{\hat v} + \epsilon)`: how many times AdamW's decay per step
# Adam + L2 applies at the end of training.
full = "full training split"
matched = GRID.index(min(GRID[1:], key=lambda wd: abs(np.log10(wd / 1e-2))))
params, optimizer = states["Adam + L2", full]
beta2, eps = optimizer.defaults["betas"][1], optimizer.defaults["eps"]
print(f"{full}, weight_decay = {GRID[matched]:g}: weight norm, mean over seeds")
print(f"{'layer':>9}{'at 0':>8}{'AdamW':>8}{'Adam+L2':>9}   Adam+L2 decay / AdamW decay")
factors = []
for layer, name in enumerate(decayed_names):
    state = optimizer.state[params[name]]
    v_hat = state["exp_avg_sq"] / (1 - beta2 ** float(state["step"]))
    factors.append(float((1 / (v_hat[matched :: len(GRID)].sqrt() + eps)).median()))
    norms = {o: results[o, full]["norms"][:, :, layer].mean(0) for o in OPTIMIZERS}
    print(
        f"{name:>9}{norms['AdamW'][0]:>8.2f}{norms['AdamW'][matched]:>8.2f}"
        f"{norms['Adam + L2'][matched]:>9.2f}   {factors[-1]:.0f}"
    )

fig, axes = plt.subplots(1, 3, figsize=(11, 3.5), layout="constrained")
for layer, (ax, name) in enumerate(zip(axes, decayed_names, strict=True)):
    for optimizer_name, color in (("AdamW", "C1"), ("Adam + L2", "C2")):
        norms = results[optimizer_name, full]["norms"][:, :, layer]
        ax.plot(x_grid, norms.mean(0), "o-", ms=3, color=color, label=optimizer_name)
    ax.set(xscale="log", xlabel="weight_decay", title=f"layer {layer + 1} ({name})")
    ax.set_xticks(ticks[::2], tick_labels[::2])
    ax.legend(fontsize="small")
axes[0].set_ylabel("weight norm (mean over seeds)")
fig.suptitle("Weight norm per layer, full training split")
plt.show()

# sphinx_gallery_start_ignore
ratio = GRID[chosen["AdamW", full]] / GRID[chosen["Adam + L2", full]]
assert min(factors) > 100, "Adam + L2 no longer decays every layer 100 times more than AdamW"
assert max(factors) > 2 * min(factors), "the factor no longer differs between layers"
assert min(factors) / 3 < ratio < 3 * max(factors), "the factor no longer explains the choice"
record("adam_over_adamw_first_layer", factors[0])
record("adam_over_adamw_low", min(factors))
record("adam_over_adamw_high", max(factors))
record("chosen_ratio", ratio)
# sphinx_gallery_end_ignore

# %%
# Adam + L2 decays each layer :val:`plot_13b.adam_over_adamw_low:.0f` to
# :val:`plot_13b.adam_over_adamw_high:.0f` times more per step than AdamW
# (:val:`plot_13b.adam_over_adamw_first_layer:.0f` times in the first layer), of the order of
# the ratio, :val:`plot_13b.chosen_ratio:.0f`, between the values that validation chose for
# AdamW and for Adam + L2. The factor differs from layer to layer: AdamW shrinks every weight by
# the same fraction, Adam + L2 by a fraction that depends on the size of its gradients, so the
# layers with the largest gradients are decayed least.

# %%
# Interpreting the results
# ------------------------
# * **What regularizes is the total decay** :math:`D = T\,\eta_\text{eff}\,\lambda`, and
#   validation picked a :math:`D` of order one for both SGD and AdamW. The conventional values
#   1e-4 … 1e-2 give that total only over the long runs of real training; in a short run like
#   this one the best ``weight_decay`` is larger, and for AdamW much larger. So treat published
#   values as starting points and validate (:ref:`faq-choosing-lambda`).
# * **Adam + L2 is not AdamW.** ``Adam(weight_decay=λ)`` divides the decay by
#   :math:`\sqrt{\hat v}`. In this network, whose gradients are small, that makes it stronger than
#   AdamW at the same ``weight_decay``, by a factor of a hundred or more that differs between
#   layers, and it needs a different value. Where the gradients are large it is the other way
#   round: on the linear model of :ref:`sphx_glr_auto_examples_plot_09_adam_vs_adamw.py`, with
#   :math:`\lambda = 7`, Adam + L2 removed only :val:`plot_09.adam_l2_decay_min:.2f` to
#   :val:`plot_09.adam_l2_decay_max:.2f` times AdamW's fraction per step. Which is stronger
#   depends on :math:`\sqrt{\hat v}` against 1, so no single conversion between the two exists.
# * :func:`~weightdecay.networks.decay_param_groups` builds the two parameter groups for any
#   ``torch.optim`` optimizer: weights decayed, biases and normalization layers exempt.

# %%
# Try it
# ------
# **Question 1.** SGD with momentum 0.9, ``lr=0.05`` and ``weight_decay=1e-2``, on a weight whose
# data gradient is zero. Once the momentum buffer has built up, what fraction of the weight does
# each step remove? Write down a number.
#
# .. answer-start
w = torch.ones(1, requires_grad=True)
sgd = torch.optim.SGD([w], lr=0.05, momentum=0.9, weight_decay=1e-2)
for _ in range(200):
    w.grad = torch.zeros(1)  # no data gradient: only the decay acts
    before = w.detach().clone()
    sgd.step()
removed = float(1 - w.detach() / before)
print(f"fraction removed by step 200: {removed:.5f}")
print(f"lr * weight_decay / (1 - momentum) = {0.05 * 1e-2 / (1 - 0.9):.5f}")

# sphinx_gallery_start_ignore
assert abs(removed / (0.05 * 1e-2 / 0.1) - 1) < 0.1, "no longer eta * lambda / (1 - beta)"
slow_root = float(np.roots([1.0, -(1 + 0.9 - 0.05 * 1e-2), 0.9]).real.max())
assert abs(removed - (1 - slow_root)) < 1e-6, "no longer the slow root of the recurrence"
record("q1_removed", removed)
# sphinx_gallery_end_ignore

# %%
# :val:`plot_13b.q1_removed:.5f`, about ten times :math:`\eta\lambda = 0.0005`: the decay term
# :math:`\lambda w`, like the gradient, is summed into the momentum buffer, which holds about
# :math:`1/(1 - 0.9) = 10` steps' worth of it. That is the :math:`\eta_\text{eff} = \eta/(1 -
# \beta)` of the total decay, to first order: the exact rate is one minus the larger root of
# :math:`z^2 - (1 + \beta - \eta\lambda)z + \beta = 0`, a little higher. With a nonzero data
# gradient the weights keep moving, but the decay's share of each step is the same.
#
# .. answer-end

# %%
# **Question 2.** With PyTorch's AdamW defaults, ``lr=1e-3`` and ``weight_decay=1e-2``, how many
# steps does it take to halve a weight that the data do not move? Write down a number.
#
# .. answer-start
steps = np.log(2) / -np.log(1 - 1e-3 * 1e-2)
print(f"(1 - lr * weight_decay) ** T = 1/2 at T = {steps:,.0f} steps")
print(f"that is {steps / NUM_STEPS:.0f} of our runs of {NUM_STEPS} steps")

# sphinx_gallery_start_ignore
record("q2_steps", steps)
record("q2_runs", steps / NUM_STEPS)
# sphinx_gallery_end_ignore

# %%
# About :val:`plot_13b.q2_steps:,.0f` steps, :math:`\ln 2/(\eta\lambda)`, or
# :val:`plot_13b.q2_runs:.0f` times the 400 steps of the runs on this page. With the default,
# AdamW's decay matters only over long training; over a short run it hardly acts, which is why
# validation picked values far above it here.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
