# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
=======================================
Weight decay with normalization layers
=======================================

Every page so far treats weight decay as shrinkage: a pull towards zero that trades variance for
bias. In a network with normalization layers that story stops working. The weights in front of a
LayerNorm or BatchNorm can be multiplied by any positive number without changing what the network
computes, so pulling them towards zero restricts nothing. Decay still matters, through another
mechanism: it sets their *effective learning rate*, and it drives them to an equilibrium in which
every step rotates them by the same angle, fixed by the product :math:`\eta\lambda` of the
learning rate and the decay (van Laarhoven 2017; Zhang, Wang, Xu & Grosse 2019; Wan, Zhu, Zhang &
Sun 2021; Kosson, Messmer & Jaggi 2024).

On the handwritten digits of :ref:`sphx_glr_auto_examples_plot_13_real_data_digits.py` we
measure the scale invariance; watch the norm and the rotation of the weights with and without
decay, for SGD, SGD with momentum and AdamW, against
:func:`~weightdecay.equilibrium.equilibrium_angular_update`; time the approach to the equilibrium
against :func:`~weightdecay.equilibrium.decay_timescale`; and ask whether accuracy depends on
the learning rate and the decay separately or only on their product.
"""

# %%
# The data and a network with LayerNorm
# -------------------------------------
# The digits are split as in the previous tutorial, without a validation split: a fifth of the
# images for testing, the rest for training, each pixel standardized with the training
# statistics. :func:`~weightdecay.networks.mlp` with ``norm="layer"`` puts a LayerNorm after each
# of the two hidden linear layers, which then have no bias: each hidden layer is
# ``Linear -> LayerNorm -> ReLU``, and the output layer, ``net[6]``, is an ordinary ``Linear``.
import torch
from sklearn.datasets import load_digits
from torch import nn

from weightdecay.networks import decay_param_groups, mlp

digits = load_digits()
images, labels = torch.tensor(digits.data, dtype=torch.float32), torch.tensor(digits.target)
shuffled = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))
test_rows, train_rows = shuffled[: len(images) // 5], shuffled[len(images) // 5 :]
pixel_mean, pixel_std = images[train_rows].mean(dim=0), images[train_rows].std(dim=0)
X = (images - pixel_mean) / torch.where(pixel_std > 0, pixel_std, 1.0)
x, y = X[test_rows], labels[test_rows]

NET = {"depth": 2, "width": 64, "activation": "relu", "init": "kaiming", "num_outputs": 10}
HIDDEN, BATCH_SIZE, STEPS = (0, 3), 32, 1500  # net[0], net[3]: the Linear layers before LayerNorm


def make_net(seed):
    return mlp(X.shape[1], norm="layer", generator=torch.Generator().manual_seed(seed), **NET)


net = make_net(seed=0)
print(net)

# %%
# Scale invariance, measured
# --------------------------
# A LayerNorm subtracts the mean of its inputs and divides by their standard deviation, so it
# returns the same thing for :math:`cWx` as for :math:`Wx`, for any :math:`c > 0`. We multiply
# each hidden weight matrix by 10 and by 0.1, then the output layer's for comparison, and print
# the largest change of the network's outputs (its logits) on the test images. We also compare
# the gradient of the loss with respect to the first layer's weights at :math:`W` and at
# :math:`10W`.
#
# Differentiating :math:`L(cw) = L(w)` gives the two facts that the rest of the page rests on:
# the gradient is orthogonal to :math:`w`, :math:`w^\top\nabla L(w) = 0`, and it shrinks as the
# weights grow, :math:`\nabla L(cw) = \nabla L(w)/c`. A step of plain SGD therefore turns
# :math:`w` by an angle of about :math:`\eta\lVert\nabla L\rVert/\lVert w\rVert`, proportional
# to :math:`\eta/\lVert w\rVert^2`: the *effective learning rate* of the direction of :math:`w`,
# which is all of :math:`w` that the network's output depends on.


def scaled(index, scale):
    """The network of seed 0 with the weights of net[index] multiplied by scale."""
    scaled_net = make_net(seed=0)
    with torch.no_grad():
        scaled_net[index].weight.mul_(scale)
    return scaled_net


def first_layer_gradient(net):
    return torch.autograd.grad(nn.functional.cross_entropy(net(x), y), net[0].weight)[0]


reference, changes = net(x).detach(), {}
for index in (*HIDDEN, 6):
    for scale in (10.0, 0.1):
        changes[index, scale] = float((scaled(index, scale)(x).detach() - reference).abs().max())
        print(f"net[{index}].weight x {scale:g}: logits change by {changes[index, scale]:.2g}")
grad, grad_10 = first_layer_gradient(net), first_layer_gradient(scaled(0, 10.0))
cosine = float(
    nn.functional.cosine_similarity(grad.flatten(), net[0].weight.detach().flatten(), dim=0)
)
print(
    f"cosine(gradient, W) = {cosine:.1e}; ||gradient at W|| / ||at 10 W|| = {grad.norm() / grad_10.norm():.3f}"
)
print(f"(the logits themselves reach {reference.abs().max():.2g})")

# sphinx_gallery_start_ignore
from recorded import record

hidden_change = max(changes[i, s] for i in HIDDEN for s in (10.0, 0.1))
output_change = min(changes[6, s] for s in (10.0, 0.1))
assert hidden_change < 1e-2 * float(reference.abs().max()), "hidden layers are scale-invariant"
assert output_change > 0.5, "the output layer is not"
assert abs(cosine) < 1e-5, "the gradient is orthogonal to the weights"
assert abs(float(grad.norm() / grad_10.norm()) - 10) < 0.01, "the gradient shrinks by the scale"
record("hidden_change", hidden_change)
record("output_change", output_change)
# sphinx_gallery_end_ignore

# %%
# The equilibrium, in theory
# --------------------------
# Weight decay multiplies the weights by :math:`1 - \eta\lambda` at every step, which takes
# about :math:`2\eta\lambda\lVert w\rVert^2` from :math:`\lVert w\rVert^2`. The gradient step is
# orthogonal to :math:`w`, so by Pythagoras it adds :math:`\eta^2\lVert\nabla L\rVert^2`.
# Without decay the norm can only grow, and the effective learning rate
# :math:`\eta/\lVert w\rVert^2` can only fall. With decay the norm settles where the two
# balance, and there the angle of a step, about :math:`\eta\lVert\nabla L\rVert/\lVert w\rVert`,
# is :math:`\sqrt{2\eta\lambda}`: set by the product :math:`\eta\lambda`, whatever the size of
# the gradient. The same balance gives :math:`\sqrt{2\eta\lambda/(1+\alpha)}` for SGD with
# momentum :math:`\alpha`, and :math:`\sqrt{2\eta\lambda(1-\beta_1)/(1+\beta_1)}` for AdamW if
# successive gradients are uncorrelated (the derivations and their assumptions are in
# :func:`~weightdecay.equilibrium.equilibrium_angular_update`). Decay forgets over
# :math:`1/(\eta\lambda)` steps (:func:`~weightdecay.equilibrium.decay_timescale`), and the
# equilibrium takes a few of these timescales to arrive.
#
# We train the network with each optimizer, with and without decay. The settings give the three
# the same decay per step, :math:`\eta\lambda` = :val:`plot_14.decay_per_step` (for SGD with
# momentum, whose decay accumulates in the momentum buffer, :math:`\eta\lambda/(1-\alpha)`), so
# that the equilibrium arrives within our run of :val:`plot_14.steps` steps. That is far more
# decay per step than usual: AdamW's common ``lr=3e-4, weight_decay=0.1`` forgets over
# :val:`plot_14.adamw_timescale:,.0f` steps, our settings over :val:`plot_14.our_timescale:.0f`.
from weightdecay.equilibrium import decay_timescale, equilibrium_angular_update

OPTIMIZERS = {  # name: optimizer class, its arguments, weight_decay, the formula's options
    "SGD": (torch.optim.SGD, {"lr": 0.1}, 0.04, {}),
    "SGD, momentum 0.9": (torch.optim.SGD, {"lr": 0.02, "momentum": 0.9}, 0.02, {"momentum": 0.9}),
    "AdamW": (torch.optim.AdamW, {"lr": 2e-3}, 2.0, {"optimizer": "adamw"}),
}
theory = {
    name: equilibrium_angular_update(arguments["lr"], weight_decay, **options)
    for name, (_, arguments, weight_decay, options) in OPTIMIZERS.items()
}
print({name: f"{value:.4f} rad per step" for name, value in theory.items()})

# sphinx_gallery_start_ignore
record("decay_per_step", 0.1 * 0.04)
record("steps", STEPS)
record("adamw_timescale", decay_timescale(3e-4, 0.1))
record("our_timescale", decay_timescale(0.1, 0.04))
assert decay_timescale(2e-3, 2.0) == decay_timescale(0.1, 0.04)
assert abs(decay_timescale(0.02 / (1 - 0.9), 0.02) - decay_timescale(0.1, 0.04)) < 1e-9
# sphinx_gallery_end_ignore

# %%
# Norms and angles during training
# --------------------------------
# The training loop is the usual one, with the parameter groups of
# :func:`~weightdecay.networks.decay_param_groups` (the hidden and output weights decayed; the
# output bias and LayerNorm's own scale and shift not) and random minibatches of training images.
# After every step it records the norm of each hidden weight matrix and the angle by which the
# step turned it. The angle between unit vectors :math:`u` and :math:`v` is computed as
# :math:`2\arcsin(\lVert u - v\rVert/2)`, which stays accurate for tiny angles.


def angle(before, after):
    """Angle between weight matrices (over their last two dimensions)."""
    u = before.flatten(-2) / before.flatten(-2).norm(dim=-1, keepdim=True)
    v = after.flatten(-2) / after.flatten(-2).norm(dim=-1, keepdim=True)
    return 2 * torch.asin((u - v).norm(dim=-1) / 2)


def train(name, weight_decay, seed=0):
    net, generator = make_net(seed), torch.Generator().manual_seed(seed)
    optimizer_class, arguments, _, _ = OPTIMIZERS[name]
    optimizer = optimizer_class(decay_param_groups(net, weight_decay), **arguments)
    hidden = [net[i].weight for i in HIDDEN]
    norms, angles = torch.zeros(2, STEPS, len(HIDDEN))
    for step in range(STEPS):
        batch = train_rows[torch.randint(len(train_rows), (BATCH_SIZE,), generator=generator)]
        loss = nn.functional.cross_entropy(net(X[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        before = [w.detach().clone() for w in hidden]
        optimizer.step()
        with torch.no_grad():
            norms[step] = torch.stack([w.norm() for w in hidden])
            angles[step] = torch.stack([angle(b, w) for b, w in zip(before, hidden, strict=True)])
    return {"net": net, "norms": norms, "angles": angles}


runs = {(name, wd > 0): train(name, wd) for name in OPTIMIZERS for wd in (0.0, OPTIMIZERS[name][2])}

# %%
# The upper row shows the norms, the lower row the angle per step, as the root mean square over
# windows of 50 steps: the theory predicts the mean of the *squared* angle, and the angle varies
# from step to step with the size of the gradient. Without decay (grey), the norm hardly moves
# and the steps become tiny once the network fits its training images. With decay the norm
# falls to an equilibrium, and the angle per step rises to the formula (black).
import matplotlib.pyplot as plt

fig, axes = plt.subplots(2, 3, figsize=(11, 6), sharex=True, layout="constrained")
for column, name in enumerate(OPTIMIZERS):
    for decayed, color in ((False, "0.5"), (True, f"C{column}")):
        run = runs[name, decayed]
        for layer, style in enumerate(("-", "--")):
            label = f"{'with' if decayed else 'without'} decay, layer {layer + 1}"
            windowed = run["angles"][:, layer].pow(2).unfold(0, 50, 1).mean(dim=-1).sqrt()
            axes[0, column].plot(run["norms"][:, layer], style, color=color, label=label)
            axes[1, column].plot(windowed, style, color=color)
    axes[1, column].axhline(theory[name], color="k", lw=1, label="theory")
    axes[0, column].set(title=name, yscale="log", ylabel=r"norm $\|W\|$")
    axes[1, column].set(yscale="log", xlabel="step", ylabel="angle per step (rad)")
    axes[1, column].legend(loc="lower right")
axes[0, 0].legend(fontsize="small")
fig.suptitle("Hidden weights in front of LayerNorm: norm and rotation per step")
plt.show()

# %%
# Over the last 500 steps, for each optimizer and hidden layer: the measured root mean square
# angle divided by the formula, and how many times faster the weights turn than without decay.
last = slice(-500, None)


def rms(angles):
    return angles[last].pow(2).mean(dim=0).sqrt()


for name in OPTIMIZERS:
    decayed, plain = runs[name, True]["angles"], runs[name, False]["angles"]
    ratio, speedup = rms(decayed) / theory[name], rms(decayed) / rms(plain)
    print(
        f"{name}: measured / theory {ratio[0]:.3f} and {ratio[1]:.3f}; "
        f"{speedup[0]:.0f} and {speedup[1]:.0f} times faster than without decay"
    )

# sphinx_gallery_start_ignore
for key, name in zip(("sgd", "momentum", "adamw"), OPTIMIZERS, strict=True):
    decayed, plain = runs[name, True], runs[name, False]
    ratios = rms(decayed["angles"]) / theory[name]
    assert bool((ratios - 1).abs().max() < 0.15), f"{name}: the angle is within 15% of theory"
    record(f"{key}_ratio_low", float(ratios.min()))
    record(f"{key}_ratio_high", float(ratios.max()))
    speedup = float((rms(decayed["angles"]) / rms(plain["angles"])).min())
    assert speedup > 10, f"{name}: decay keeps the weights turning"
    record(f"{key}_speedup", speedup)
for name in OPTIMIZERS:
    plain, decayed = runs[name, False]["norms"], runs[name, True]["norms"]
    assert float((plain[-1] / plain[0] - 1).abs().max()) < 0.05, "without decay: hardly moves"
    assert float((decayed[-1] / decayed[0]).max()) < 1 / 3, "with decay: falls"
sgd_norms = runs["SGD", False]["norms"]
assert bool((sgd_norms.diff(dim=0) > -1e-5).all()), "SGD, no decay: the norm never falls"
assert bool((sgd_norms[-1] > sgd_norms[0]).all()), "SGD without decay: the norm grows"
assert float((sgd_norms[-1] / sgd_norms[0]).max()) < 1.01, "... but by less than 1%"
record("sgd_growth", 100 * float((sgd_norms[-1] / sgd_norms[0] - 1).max()))
adamw_growth = runs["AdamW", False]["norms"][-1] / runs["AdamW", False]["norms"][0]
assert float(adamw_growth.min()) < 1, "AdamW without decay: a norm that shrank"
record("adamw_shrink", 100 * float(1 - adamw_growth.min()))
sgd_angles = runs["SGD", True]["angles"][last]
mean_over_rms = float(sgd_angles.mean() / sgd_angles.pow(2).mean().sqrt())
assert mean_over_rms < 0.95, "the mean angle is below the root mean square"
record("sgd_mean_over_rms", mean_over_rms)
# sphinx_gallery_end_ignore

# %%
# Nine networks on a grid of learning rates and decays
# ----------------------------------------------------
# The theory says more: at equilibrium, runs with the same :math:`\eta\lambda` turn their
# scale-invariant weights by the same angle per step whatever :math:`\eta` and :math:`\lambda`
# are, and the directions of those weights follow the same dynamics (Li, Lyu & Arora 2020 call
# :math:`\eta\lambda` the *intrinsic learning rate*). Only the norm at equilibrium depends on
# :math:`\eta` and :math:`\lambda` separately. The output layer is not scale-invariant: it sees
# :math:`\eta` and :math:`\lambda` themselves.
#
# We test this with plain SGD on a small grid: three learning rates, each with the decays that
# give :math:`\eta\lambda` = 0.002, 0.004 and 0.008. The nine networks start from the same
# weights and train at once on the same minibatches: :func:`torch.func.vmap` runs them together
# (as in the previous tutorial), and the update :math:`w \leftarrow w - \eta\,(g + \lambda w)`
# is written out with each network's own :math:`\eta` and :math:`\lambda` (the biases and
# LayerNorm's parameters without the decay term). We follow the first hidden layer. The test
# accuracy is averaged over the last 500 steps, one evaluation every 50: at equilibrium the
# weights keep turning, and a single evaluation catches one moment of it. Two seeds show how
# much a run varies by chance.
from torch.func import functional_call, stack_module_state, vmap

GRID = [(lr, product / lr) for product in (0.002, 0.004, 0.008) for lr in (0.05, 0.1, 0.2)]
run_all = vmap(functional_call, in_dims=(None, 0, None))  # every network on the same input


def train_grid(seed):
    params, _ = stack_module_state([make_net(seed) for _ in GRID])  # the same start
    generator, (lr, wd) = torch.Generator().manual_seed(seed), torch.tensor(GRID).T[..., None]
    norms, angles, accuracies = torch.zeros(STEPS, len(GRID)), torch.zeros(STEPS, len(GRID)), []
    for step in range(STEPS):
        batch = train_rows[torch.randint(len(train_rows), (BATCH_SIZE,), generator=generator)]
        logits = run_all(net, params, X[batch])  # (networks, batch, classes)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), labels[batch].repeat(len(GRID)))
        grads = torch.autograd.grad(len(GRID) * loss, list(params.values()))  # each its own loss
        before = params["0.weight"].detach().clone()
        with torch.no_grad():
            for (name, p), g in zip(params.items(), grads, strict=True):
                decay = wd[..., None] * p if name.endswith("weight") and p.ndim == 3 else 0
                p.sub_(lr.view(-1, *[1] * (p.ndim - 1)) * (g + decay))
            norms[step] = params["0.weight"].flatten(1).norm(dim=1)
            angles[step] = angle(before, params["0.weight"])
            if step >= STEPS - 500 and step % 50 == 49:
                accuracies.append((run_all(net, params, x).argmax(dim=-1) == y).float().mean(dim=1))
    return {"norms": norms, "angles": angles, "accuracy": torch.stack(accuracies).mean(dim=0)}


grid_runs = [train_grid(seed) for seed in (0, 1)]

# sphinx_gallery_start_ignore
# The vmapped update is SGD: the first network, trained alone by torch.optim from the same start on
# the same minibatches, has the same weight norm for the first steps (before chaos sets in).
generator, alone = torch.Generator().manual_seed(0), make_net(0)
optimizer = torch.optim.SGD(decay_param_groups(alone, GRID[0][1]), lr=GRID[0][0])
for step in range(20):
    batch = train_rows[torch.randint(len(train_rows), (BATCH_SIZE,), generator=generator)]
    optimizer.zero_grad()
    nn.functional.cross_entropy(alone(X[batch]), labels[batch]).backward()
    optimizer.step()
    expected = alone[0].weight.detach().norm()
    torch.testing.assert_close(grid_runs[0]["norms"][step, 0], expected, rtol=1e-5, atol=0)
# sphinx_gallery_end_ignore

# %%
# Left: the first layer's norm (seed 0) against the number of steps measured in timescales
# :math:`\tau = 1/(\eta\lambda)`. Middle: the angle per step over the last 500 steps, against
# :math:`\eta\lambda`, with the formula :math:`\sqrt{2\eta\lambda}`. Right: the test accuracy,
# against :math:`\eta\lambda` (circles and squares: the two seeds; colours: the learning rate).
import numpy as np

products = np.array([lr * wd for lr, wd in GRID])
taus = 1 / products  # decay_timescale(lr, wd) of each run
colors, styles = {0.05: "C0", 0.1: "C1", 0.2: "C2"}, {0.002: ":", 0.004: "--", 0.008: "-"}
fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
for k, (lr, wd) in enumerate(GRID):
    norms, style = grid_runs[0]["norms"][:, k], styles[round(lr * wd, 3)]
    label = f"lr {lr:g}, wd {wd:.3g}"
    axes[0].plot(np.arange(STEPS) / taus[k], norms / norms[0], style, color=colors[lr], label=label)
    for run, marker in zip(grid_runs, "os", strict=True):
        shift = products[k] * {0.05: 0.95, 0.1: 1.0, 0.2: 1.05}[lr]  # side by side
        axes[1].plot(shift, rms(run["angles"])[k], marker, color=colors[lr])
        label = f"lr {lr:g}" if k < 3 and run is grid_runs[0] else None
        axes[2].plot(shift, 100 * run["accuracy"][k], marker, color=colors[lr], label=label)
t = np.linspace(0, 3)
axes[0].plot(t, np.exp(-t), "k", lw=4, alpha=0.3, label=r"$e^{-t/\tau}$")
axes[0].set(yscale="log", xlim=(0, 6), xlabel=r"steps / $\tau$", ylabel=r"$\|W\| / \|W_0\|$")
axes[0].legend(fontsize="x-small", ncol=2)
fine = np.geomspace(0.0018, 0.009)
axes[1].plot(fine, np.sqrt(2 * fine), "k", label=r"$\sqrt{2\eta\lambda}$")
axes[1].set(xscale="log", yscale="log", xlabel=r"$\eta\lambda$", ylabel="angle per step (rad)")
axes[1].legend()
axes[2].set(xscale="log", xlabel=r"$\eta\lambda$", ylabel="test accuracy (%), last 500 steps")
axes[2].legend()
for ax in axes[1:]:
    ax.set_xticks([0.002, 0.004, 0.008], ["0.002", "0.004", "0.008"], minor=False)
    ax.set_xticks([], minor=True)
fig.suptitle("Plain SGD on a grid of (lr, weight_decay)")
plt.show()

# %%
# How fast the equilibrium comes
# ------------------------------
# All nine runs first shrink along :math:`e^{-t/\tau}`, the decay alone, because the gradient
# steps add almost nothing to a large norm; then each levels off at its own equilibrium norm. So
# the equilibrium arrives after about :math:`\tau\ln(\lVert W_0\rVert/\lVert W_\ast\rVert)`
# steps: :math:`\tau` times the number of e-folds between the start and the equilibrium. Below,
# for each run, the first step at which the norm is within 10% of its final value (the mean over
# the last 500 steps), in units of :math:`\tau` and of that estimate.
end_norms = torch.stack([run["norms"][last].mean(dim=0) for run in grid_runs])  # (seeds, runs)
start_norms = torch.stack([run["norms"][0] for run in grid_runs])
arrivals = torch.stack(
    [
        (run["norms"] <= 1.1 * end).int().argmax(dim=0)
        for run, end in zip(grid_runs, end_norms, strict=True)
    ]
)
estimates = torch.tensor(taus) * torch.log(start_norms / end_norms)
for k, (lr, wd) in enumerate(GRID):
    in_tau = ", ".join(f"{v:.2f}" for v in arrivals[:, k] / taus[k])
    of_estimate = ", ".join(f"{v:.2f}" for v in arrivals[:, k] / estimates[:, k])
    print(f"lr {lr:4.2f}, wd {wd:5.3f}: after {in_tau} tau, {of_estimate} times the estimate")

# sphinx_gallery_start_ignore
arrival_ratio, arrival_tau = arrivals / estimates, arrivals / torch.tensor(taus)
assert float(arrival_ratio.min()) > 0.9, "about tau * ln(start / end)"
assert float(arrival_ratio.max()) < 1.35, "about tau * ln(start / end)"
record("arrival_ratio_low", float(arrival_ratio.min()))
record("arrival_ratio_high", float(arrival_ratio.max()))
record("arrival_tau_low", float(arrival_tau.min()))
record("arrival_tau_high", float(arrival_tau.max()))
grid_ratio = torch.stack([rms(run["angles"]) for run in grid_runs]) / torch.tensor(
    np.sqrt(2 * products), dtype=torch.float32
)
settled = torch.tensor(products >= 0.004)
assert float((grid_ratio[:, settled] - 1).abs().max()) < 0.05, "at equilibrium: the formula"
assert float(grid_ratio[:, ~settled].min()) > 0.6, "at 0.002: still approaching"
record("grid_ratio_gap", 100 * float((grid_ratio[:, settled] - 1).abs().max()))
record("unsettled_low", float(grid_ratio[:, ~settled].min()))
record("norm_low", float(end_norms[:, settled].min()))
record("norm_high", float(end_norms[:, settled].max()))
for k in range(len(GRID)):  # the decay alone, early on: e^(-1/2) at half a timescale
    half = grid_runs[0]["norms"][round(taus[k] / 2), k] / grid_runs[0]["norms"][0, k]
    assert abs(float(half) / np.exp(-0.5) - 1) < 0.1, "the norms follow exp(-t / tau) first"
# sphinx_gallery_end_ignore

# %%
# Does accuracy depend only on the product?
# -----------------------------------------
# If accuracy depended on :math:`\eta` and :math:`\lambda` only through their product, the three
# colours of the right panel would fall on top of each other at each :math:`\eta\lambda`. Below,
# the seed-averaged accuracy at each product, how far apart the three learning rates are, and
# the share of the variance of the nine seed-averaged accuracies that the product explains.
by_product = torch.stack([run["accuracy"] for run in grid_runs]).mean(dim=0).view(3, 3)
spread = by_product.max(dim=1).values - by_product.min(dim=1).values
for i, product in enumerate((0.002, 0.004, 0.008)):
    print(f"lr*wd {product}: {100 * by_product[i].mean():.1f}% (lr spread {100 * spread[i]:.1f})")
within = ((by_product - by_product.mean(dim=1, keepdim=True)) ** 2).sum()
explained = 1 - within / ((by_product - by_product.mean()) ** 2).sum()
print(f"variance explained by lr*wd: {explained:.2f}")

# sphinx_gallery_start_ignore
accuracy = torch.stack([run["accuracy"] for run in grid_runs])
group_means, seed_gap = by_product.mean(dim=1), float((accuracy[0] - accuracy[1]).abs().max())
assert bool((group_means.diff() < 0).all()), "accuracy falls as lr * wd grows"
assert float(spread.max()) < float(group_means[0] - group_means[-1]) / 2, "the product dominates"
assert float(explained) > 0.8, "lr * wd explains most of the variance"
record("acc_low_product", 100 * float(group_means[0]))
record("acc_high_product", 100 * float(group_means[-1]))
record("acc_within", 100 * float(spread.max()))
record("acc_seed_gap", 100 * seed_gap)
record("acc_explained", float(explained))
record("angle_low_product", float(np.sqrt(2 * 0.002)))
record("angle_high_product", float(np.sqrt(2 * 0.008)))
# sphinx_gallery_end_ignore

# %%
# What the theory does not cover
# ------------------------------
# * **The scale-variant parameters.** The output layer, the biases and LayerNorm's own scale and
#   shift are not scale-invariant (multiplying the output layer's weights by 10 or 0.1 changed
#   the logits by :val:`plot_14.output_change:.2g` or more). For them, decay is the shrinkage of
#   the earlier pages, and the formula says nothing about them. The output layer's norm, with
#   and without decay, is printed below.
# * **The mean angle.** The formula gives the root mean square angle. The mean is smaller,
#   :val:`plot_14.sgd_mean_over_rms:.2f` of it for SGD here, because the size of the gradient
#   varies from minibatch to minibatch.
# * **Momentum and Adam.** Their formulas assume that successive gradients are uncorrelated,
#   as when the minibatch noise dominates. When successive gradients point the same way (early
#   in training, with large batches) the momentum adds them up and the angle is larger. Here the
#   measured angles ended at :val:`plot_14.momentum_ratio_low:.2f` to
#   :val:`plot_14.momentum_ratio_high:.2f` times the formula with momentum, and at
#   :val:`plot_14.adamw_ratio_low:.2f` to :val:`plot_14.adamw_ratio_high:.2f` times it with
#   AdamW.
# * **Adam's step is not orthogonal to the weights.** Adam divides each coordinate of the
#   gradient by its own running scale, which breaks the orthogonality; without decay a norm can
#   then shrink (one of AdamW's hidden layers lost :val:`plot_14.adamw_shrink:.1f`\ % of its
#   norm), where SGD's can only grow (by :val:`plot_14.sgd_growth:.2f`\ % here: the steps are
#   tiny once the training images are fitted).
# * **Time.** Our decay per step is large so that the equilibrium arrives within a short run. In
#   a real run it may never arrive, and a learning-rate schedule, which lowers :math:`\eta`
#   towards the end, moves the equilibrium while the weights chase it.
# * **BatchNorm** normalizes each unit over the batch, so each row of the weight matrix is
#   scale-invariant on its own, and each has its own equilibrium; LayerNorm, used here, makes
#   the whole matrix invariant. Both are exact only up to the normalization's :math:`\epsilon`.
for name in OPTIMIZERS:
    out_norms = [float(runs[name, d]["net"][6].weight.detach().norm()) for d in (False, True)]
    print(f"{name}: output layer norm {out_norms[0]:.2f} without decay, {out_norms[1]:.2f} with")

# sphinx_gallery_start_ignore
for name in OPTIMIZERS:
    out_norms = [float(runs[name, d]["net"][6].weight.detach().norm()) for d in (False, True)]
    assert out_norms[1] < out_norms[0], "decay shrinks the output layer"
# sphinx_gallery_end_ignore

# %%
# Interpreting the results
# ------------------------
# * **Decay does not restrict the weights in front of a normalization layer**: scaling them
#   leaves the network's output unchanged (at most :val:`plot_14.hidden_change:.1g` here, the
#   normalization's :math:`\epsilon`), their gradient is orthogonal to them, and it is ten times
#   smaller at ten times the weights.
# * **It sets how fast they turn.** Without decay the norm hardly moves, and the steps shrink
#   as the network fits its training data. With decay the norm settles where shrinkage and
#   gradient steps balance, and each step turns the weights by the angle of
#   :func:`~weightdecay.equilibrium.equilibrium_angular_update`: measured at
#   :val:`plot_14.sgd_ratio_low:.2f` to :val:`plot_14.sgd_ratio_high:.2f` times it for SGD (for
#   SGD with momentum and AdamW, see above), and :val:`plot_14.sgd_speedup:.0f` times faster
#   than without decay.
# * **The equilibrium arrives after about** :math:`\tau\ln(\lVert W_0\rVert/\lVert W_\ast\rVert)`
#   **steps**, :math:`\tau = 1/(\eta\lambda)` (:func:`~weightdecay.equilibrium.decay_timescale`):
#   the measured times were :val:`plot_14.arrival_ratio_low:.2f` to
#   :val:`plot_14.arrival_ratio_high:.2f` times this estimate, :val:`plot_14.arrival_tau_low:.1f`
#   to :val:`plot_14.arrival_tau_high:.1f` timescales from the Kaiming start. Once there, the
#   angle matched :math:`\sqrt{2\eta\lambda}` within :val:`plot_14.grid_ratio_gap:.1f`\ % (at
#   :math:`\eta\lambda` = 0.004 and 0.008); the runs at 0.002 were still on their way, down to
#   :val:`plot_14.unsettled_low:.2f` of it. The equilibrium norms ranged from
#   :val:`plot_14.norm_low:.2f` to :val:`plot_14.norm_high:.2f`: they depend on :math:`\eta` and
#   :math:`\lambda` separately, the angle does not.
# * **On this grid, accuracy depended mainly on** :math:`\eta\lambda`: the product explains
#   :val:`plot_14.acc_explained:.0%` of the variance of the seed-averaged accuracy. At a given
#   product the learning rate moved it by at most :val:`plot_14.acc_within:.1f` points (the two
#   seeds differ by up to :val:`plot_14.acc_seed_gap:.1f`), while it fell from
#   :val:`plot_14.acc_low_product:.1f`\ % at 0.002 to :val:`plot_14.acc_high_product:.1f`\ % at
#   0.008. The theory does not predict accuracy; a plausible reason for the fall is the noise:
#   at equilibrium the weights keep turning, by :val:`plot_14.angle_low_product:.3f` to
#   :val:`plot_14.angle_high_product:.3f` rad per step, and the more they turn, the noisier the
#   network at the end of the run. For the layers in front of a normalization, choose
#   :math:`\eta\lambda`, not ``weight_decay`` alone: changing the learning rate with the same
#   ``weight_decay`` changes the rotation speed too.
# * **The linear-model story still holds elsewhere**: the output layer, the biases and the
#   networks without normalization, such as those of
#   :ref:`sphx_glr_auto_examples_plot_13_real_data_digits.py`, are shrunk by decay as in the
#   book's chapter, and the FAQ :ref:`faq-large-weights` applies to them.

# %%
# Try it
# ------
# **Question 1.** On the grid, the runs with ``lr`` 0.05, 0.1 and 0.2 at
# :math:`\eta\lambda = 0.004` double the learning rate and halve the decay from one to the next.
# How do the angle per step at equilibrium and the norm of the first layer change from one run
# to the next? Commit to a guess before you open the answer.
#
# .. answer-start
end_angles = torch.stack([rms(run["angles"]) for run in grid_runs]).mean(dim=0)  # (runs,)
for k in (3, 4):  # lr 0.05 -> 0.1 and 0.1 -> 0.2, at lr * wd = 0.004
    angle_ratio = end_angles[k + 1] / end_angles[k]
    norm_ratio = end_norms[:, k + 1].mean() / end_norms[:, k].mean()
    print(
        f"lr {GRID[k][0]:g} -> {GRID[k + 1][0]:g}: angle x {angle_ratio:.3f}, norm x {norm_ratio:.3f}"
    )

# sphinx_gallery_start_ignore
q1 = [
    (
        float(end_angles[k + 1] / end_angles[k]),
        float(end_norms[:, k + 1].mean() / end_norms[:, k].mean()),
    )
    for k in (3, 4)
]
assert all(abs(a - 1) < 0.05 for a, _ in q1), "the same angle"
assert all(1.3 < n < 1.7 for _, n in q1), "a norm about sqrt(2) times larger"
record("q1_norm_low", min(n for _, n in q1))
record("q1_norm_high", max(n for _, n in q1))
# sphinx_gallery_end_ignore

# %%
# The angle stays the same: it depends only on :math:`\eta\lambda`. The norm grows by
# :val:`plot_14.q1_norm_low:.2f` to :val:`plot_14.q1_norm_high:.2f` per doubling. The balance
# :math:`\eta^2\lVert g\rVert^2 = 2\eta\lambda\lVert W\rVert^2`, with a gradient
# :math:`\lVert g\rVert = k/\lVert W\rVert`, gives :math:`\lVert W\rVert^4 = \eta k^2/(2\lambda)`:
# four times the ratio :math:`\eta/\lambda` makes the norm :math:`\sqrt2 \approx 1.41` times
# larger if :math:`k`, the size of the gradient at unit norm, stays the same. It does not quite:
# the norm depends on the size of the gradient, the angle does not.
#
# .. answer-end

# %%
# **Question 2.** AdamW's default :math:`\beta_1` is 0.9. With :math:`\beta_1 = 0.99`, the same
# learning rate and the same decay, will the hidden weights turn faster or slower per step at
# equilibrium, and by how much? Commit to a guess before you open the answer.
#
# .. answer-start
OPTIMIZERS["AdamW, beta1 0.99"] = (torch.optim.AdamW, {"lr": 2e-3, "betas": (0.99, 0.999)}, 2.0, {})
slow, usual = train("AdamW, beta1 0.99", 2.0), runs["AdamW", True]
betas = (0.99, 0.999)
predicted = equilibrium_angular_update(2e-3, 2.0, optimizer="adamw", betas=betas) / theory["AdamW"]
measured = rms(slow["angles"]) / rms(usual["angles"])
norms = slow["norms"][last].mean(dim=0) / usual["norms"][last].mean(dim=0)
print(
    f"beta1 0.99 / 0.9: angle predicted x {predicted:.2f}, measured x {measured[0]:.2f} and "
    f"{measured[1]:.2f}; norm x {norms[0]:.2f} and {norms[1]:.2f}"
)

# sphinx_gallery_start_ignore
assert bool(((measured - predicted).abs() < 0.1).all()), "beta1 = 0.99 turns as predicted"
assert bool(((norms - 1).abs() < 0.15).all()), "about the same norm"
record("q2_norm_low", float(norms.min()))
record("q2_norm_high", float(norms.max()))
record("q2_predicted", predicted)
record("q2_measured_low", float(measured.min()))
record("q2_measured_high", float(measured.max()))
# sphinx_gallery_end_ignore

# %%
# Slower, by a factor of about three: the formula predicts :val:`plot_14.q2_predicted:.2f` of
# the angle with :math:`\beta_1 = 0.9`, and the two hidden layers measured
# :val:`plot_14.q2_measured_low:.2f` and :val:`plot_14.q2_measured_high:.2f`. The norm at
# equilibrium hardly changes (:val:`plot_14.q2_norm_low:.2f` and
# :val:`plot_14.q2_norm_high:.2f` times): each gradient still moves the weights by the same
# total, now spread over about :math:`1/(1-\beta_1)` steps. But each single step averages more
# gradients, and uncorrelated gradients partly cancel, so each step is smaller.
#
# .. answer-end

# %%
# **Question 3.** A transformer is trained with AdamW, ``lr=3e-4`` and ``weight_decay=0.1``. The
# weights in front of its normalization layers start five times above their equilibrium norm.
# About how many steps do they take to reach it? Commit to a guess before you open the answer.
#
# .. answer-start
tau = decay_timescale(3e-4, 0.1)
print(f"tau = {tau:,.0f} steps; tau * ln(5) = {tau * np.log(5):,.0f} steps")

# sphinx_gallery_start_ignore
record("q3_steps", tau * np.log(5))
# sphinx_gallery_end_ignore

# %%
# About :val:`plot_14.q3_steps:,.0f` steps: the decay forgets over :math:`\tau = 1/(\eta\lambda)`
# steps, and the norm must fall by :math:`\ln 5` e-folds. On the grid, the measured times were
# :val:`plot_14.arrival_ratio_low:.2f` to :val:`plot_14.arrival_ratio_high:.2f` times this
# estimate :math:`\tau\ln(\lVert W_0\rVert/\lVert W_\ast\rVert)`. Many
# fine-tuning runs are shorter: their scale-invariant weights never reach the equilibrium, and for
# them the total decay :math:`T\eta\lambda` of
# :ref:`sphx_glr_auto_examples_plot_13_real_data_digits.py` is the number to look at.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
