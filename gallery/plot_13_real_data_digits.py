# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
=============================================
Weight decay on real data: handwritten digits
=============================================

The book's first exercise asks for the training and test *accuracy* as a function of
:math:`\lambda`, and a regression has no accuracy. This example answers it on real data:
scikit-learn's handwritten digits, small grey-level images of the digits 0 to 9, which ship
inside the scikit-learn package (nothing is downloaded). A small multilayer perceptron is trained
with SGD + momentum and with AdamW, on the whole training split and on a small subset of it, for a
logarithmic grid of ``weight_decay`` values and several seeds. We choose ``weight_decay`` on a
validation split, see where the usual values 1e-4 … 1e-2 come from, and compare Adam with an L2
penalty against AdamW. Every network is trained with the two parameter groups of
:func:`~weightdecay.networks.decay_param_groups`: weights decayed, biases exempt.
"""

# %%
# The data: split, standardize, subsample
# ---------------------------------------
# ``sklearn.datasets.load_digits`` returns each image as 64 pixel values. A seeded
# permutation splits the images into a test split, a validation split (for choosing
# ``weight_decay``) and a training split. Each pixel is standardized with the mean and standard
# deviation of the *training* split only: statistics of the validation or test images would leak
# information about them into training. Some border pixels are blank in every training image;
# they keep a scale of 1.
#
# The whole training split is one training size. The other is a small random subset of it (100
# examples, drawn again for every seed), where overfitting, and so regularization, matters most.
# The validation and test splits are the same for both sizes.
import torch
from sklearn.datasets import load_digits

digits = load_digits()
images = torch.tensor(digits.data, dtype=torch.float32)
labels = torch.tensor(digits.target)
num_images, num_pixels = images.shape
num_classes = len(digits.target_names)

shuffled = torch.randperm(num_images, generator=torch.Generator().manual_seed(0))
num_held_out = num_images // 5
test_rows = shuffled[:num_held_out]
val_rows = shuffled[num_held_out : 2 * num_held_out]
train_rows = shuffled[2 * num_held_out :]

pixel_mean = images[train_rows].mean(dim=0)
pixel_std = images[train_rows].std(dim=0)
X = (images - pixel_mean) / torch.where(pixel_std > 0, pixel_std, 1.0)

SIZES = {"100 examples": 100, "full training split": len(train_rows)}
SEEDS = (0, 1, 2)
print(
    f"{num_images} images of {num_pixels} pixels, {num_classes} classes; "
    f"training {len(train_rows)}, validation {len(val_rows)}, test {len(test_rows)}; "
    f"{int((pixel_std == 0).sum())} pixels are blank in every training image"
)
print(f"training sizes: {SIZES}; seeds {SEEDS}")
assert bool((pixel_std == 0).any()), "some pixels are blank in every training image"

# %%
# The network and its two parameter groups
# ----------------------------------------
# :func:`~weightdecay.networks.mlp` builds the network: 64 inputs, two hidden layers of 128 ReLU
# units, 10 outputs, Kaiming initialization, every draw from the seed's generator. (The hidden
# layers are kept narrow to keep the example fast.)
# :func:`~weightdecay.networks.decay_param_groups` splits its parameters into the group that the
# optimizer decays (the three weight matrices) and the group it leaves alone (the biases).
#
# One seed drives one generator, which draws, in this order, the small subset, the initial
# weights, and the order of the minibatches of every epoch. All runs of a seed therefore start
# from the same weights and see the same minibatches, whatever their ``weight_decay``: the
# comparisons along the grid are paired.
from torch import nn

from weightdecay.networks import decay_param_groups, mlp

WIDTH, BATCH_SIZE, NUM_STEPS = 128, 50, 400


def setup(seed, size, dtype=torch.float32):
    """The training rows, the initial network and the generator of one seed."""
    generator = torch.Generator().manual_seed(seed)
    rows = train_rows[torch.randperm(len(train_rows), generator=generator)[:size]]
    net = mlp(num_pixels, depth=2, width=WIDTH, activation="relu", init="kaiming",
              num_outputs=num_classes, generator=generator, dtype=dtype)  # fmt: skip
    return rows, net, generator


def minibatches(rows, generator, num_steps=NUM_STEPS, batch_size=BATCH_SIZE):
    """``num_steps`` minibatches of ``rows``, reshuffled every epoch."""
    per_epoch = len(rows) // batch_size  # the incomplete last batch of an epoch is dropped
    for step in range(num_steps):
        if step % per_epoch == 0:
            epoch_order = rows[torch.randperm(len(rows), generator=generator)]
        start = (step % per_epoch) * batch_size
        yield epoch_order[start : start + batch_size]


_, net, _ = setup(0, SIZES["100 examples"])
names = {id(param): name for name, param in net.named_parameters()}
for group in decay_param_groups(net, 1e-2):
    print(f"weight_decay={group['weight_decay']:g}:", [names[id(p)] for p in group["params"]])
decayed_names = [names[id(p)] for p in decay_param_groups(net, 1.0)[0]["params"]]

# %%
# One network, trained the usual way
# ----------------------------------
# This is the training loop to copy: the optimizer is built from the parameter groups, and the
# loss is the mean cross-entropy of a minibatch. We use three optimizers, with the learning rates
# usual for them: SGD with momentum 0.9, AdamW, and Adam, whose ``weight_decay`` adds the L2
# penalty's gradient :math:`\lambda w` to the gradient instead of decaying the weights (see
# :ref:`sphx_glr_auto_examples_plot_09_adam_vs_adamw.py`). Each network takes the same number of
# steps on minibatches of the same size, whatever the training size: the small subset is seen
# for many more epochs.
OPTIMIZERS = {  # class, arguments, and whether its weight decay is decoupled from the gradient
    "SGD": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}, False),
    "AdamW": (torch.optim.AdamW, {"lr": 1e-3}, True),
    "Adam + L2": (torch.optim.Adam, {"lr": 1e-3}, False),
}


def train_one(seed, size, optimizer_name, weight_decay, dtype=torch.float32, num_steps=NUM_STEPS):
    """Train the network of one seed with torch.optim, and return it."""
    rows, net, generator = setup(seed, size, dtype)
    optimizer_class, arguments, _ = OPTIMIZERS[optimizer_name]
    optimizer = optimizer_class(decay_param_groups(net, weight_decay), **arguments)
    for batch in minibatches(rows, generator, num_steps):
        loss = nn.functional.cross_entropy(net(X[batch].to(dtype)), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return net


# %%
# Many networks at once
# ---------------------
# The experiments below train one network per seed and per ``weight_decay`` for each optimizer
# and training size. Trained one by one, small networks leave the processor idle between tiny
# matrix products. :func:`torch.func.stack_module_state` stacks the parameters of
# all the networks along a new first dimension, and :func:`torch.func.vmap` runs the network on
# all of them at once (batched matrix products). One optimizer updates the stacked tensors: SGD's
# momentum and Adam's running averages are computed entry by entry, so each network's entries
# follow their own update. Only the weight decay differs between networks, so we apply it as
# ``torch.optim`` does, with each network's own value, to the tensors that
# :func:`~weightdecay.networks.decay_param_groups` puts in the decayed group: added to the
# gradient as :math:`\lambda w` (SGD, Adam), or as the factor :math:`1 - \eta\lambda` on the
# weights before the step (AdamW). The loss is the sum of the networks' mean losses: each
# network's gradient is the gradient of its own loss.
from torch.func import functional_call, stack_module_state, vmap


def forward(params, x):
    """The network's output with the given parameters (net only lends its architecture)."""
    return functional_call(net, params, (x,))


def train_many(
    size, optimizer_name, weight_decays, seeds=SEEDS, dtype=torch.float32, num_steps=NUM_STEPS
):
    """Train one network per (seed, weight_decay); network m has seed m // K and the m % K-th
    weight_decay. Returns the stacked parameters, each network's training rows, the optimizer."""
    runs = [setup(seed, size, dtype) for seed in seeds]
    num_decays = len(weight_decays)
    params, _ = stack_module_state([net for _, net, _ in runs for _ in weight_decays])
    rate = torch.tensor(weight_decays, dtype=dtype).repeat(len(seeds))
    optimizer_class, arguments, decoupled = OPTIMIZERS[optimizer_name]
    optimizer = optimizer_class(params.values(), **arguments, weight_decay=0.0)

    streams = [minibatches(rows, generator, num_steps) for rows, _, generator in runs]
    for step_batches in zip(*streams, strict=True):
        batch = torch.stack(step_batches).repeat_interleave(num_decays, dim=0)
        logits = vmap(forward)(params, X[batch].to(dtype))  # (networks, batch, classes)
        losses = nn.functional.cross_entropy(
            logits.transpose(1, 2), labels[batch], reduction="none"
        )
        optimizer.zero_grad()
        losses.mean(dim=1).sum().backward()
        with torch.no_grad():
            for name in decayed_names:
                weight = params[name]
                wd = rate.view(-1, *[1] * (weight.ndim - 1))
                if decoupled:
                    weight.mul_(1 - arguments["lr"] * wd)
                else:
                    weight.grad.add_(wd * weight)
        optimizer.step()
    rows = torch.stack([rows for rows, _, _ in runs]).repeat_interleave(num_decays, dim=0)
    return params, rows, optimizer


# %%
# The batched trainer is the plain loop
# -------------------------------------
# Before trusting it, we check it against ``train_one``: for one seed, each optimizer and two
# values of ``weight_decay``, the network that the batched trainer returns must be the one that
# the plain ``torch.optim`` loop trains. In float32 the two drift apart by rounding (batched and
# single matrix products add in different orders, and Adam magnifies tiny differences where its
# running averages are small), so the check runs in float64, where any real difference would
# stand far above rounding. The runs are a quarter of the length of the experiments' (on 100
# examples that is still dozens of epochs, each with its own reshuffle). Printed: the largest
# difference of any parameter at the end, relative to that parameter's largest entry.
import time

check_start = time.perf_counter()
check_decays = [1e-2, 1.0]
for optimizer_name in OPTIMIZERS:
    settings = {"size": SIZES["100 examples"], "dtype": torch.float64, "num_steps": NUM_STEPS // 4}
    params, _, _ = train_many(optimizer_name=optimizer_name, weight_decays=check_decays,
                              seeds=(0,), **settings)  # fmt: skip
    for m, weight_decay in enumerate(check_decays):
        plain = train_one(0, optimizer_name=optimizer_name, weight_decay=weight_decay, **settings)
        with torch.no_grad():
            difference = max(
                float((p - params[name][m]).abs().max() / p.abs().max())
                for name, p in plain.named_parameters()
            )
        print(f"{optimizer_name:>9}, weight_decay={weight_decay:g}: {difference:.1e}")
        assert difference < 1e-10, "the batched trainer must follow torch.optim"
print(f"check: {time.perf_counter() - check_start:.1f} s")

# %%
# Accuracy against weight_decay (exercise 1)
# ------------------------------------------
# Now the experiment: for each optimizer and training size, every seed and every value of the
# grid of ``weight_decay`` (0, then 1e-4 to 10 in half decades), each network trained for the
# same number of steps and then scored on its own training rows, the validation split and the
# test split.
import numpy as np

GRID = [0.0, *torch.logspace(-4, 1, 11, dtype=torch.float64).tolist()]


def grid_index(weight_decay):
    """The position of the grid value nearest to weight_decay (on a log scale)."""
    return min(range(1, len(GRID)), key=lambda k: abs(np.log10(GRID[k] / weight_decay)))


@torch.no_grad()
def evaluate(params, rows):
    """Accuracies (seeds, grid) on each split; weight norms (seeds, grid, layers)."""
    scores = {}
    shared = {"validation": val_rows, "test": test_rows}
    for split, split_rows in {"train": rows, **shared}.items():
        every_net = split_rows.expand(len(rows), -1)  # (networks, examples)
        predictions = vmap(forward)(params, X[every_net]).argmax(dim=-1)
        correct = (predictions == labels[every_net]).float().mean(dim=1)
        scores[split] = correct.view(len(SEEDS), len(GRID))
    norms = [params[name].flatten(1).norm(dim=1) for name in decayed_names]
    scores["norms"] = torch.stack(norms, dim=-1).view(len(SEEDS), len(GRID), -1)
    return scores


results, adam_states = {}, {}
for optimizer_name in OPTIMIZERS:
    for size_name, size in SIZES.items():
        start = time.perf_counter()
        params, rows, optimizer = train_many(size, optimizer_name, GRID)
        results[optimizer_name, size_name] = evaluate(params, rows)
        if optimizer_name == "Adam + L2":
            adam_states[size_name] = (params, optimizer)
        print(f"{optimizer_name}, {size_name}: {time.perf_counter() - start:.1f} s")


def spread(values):
    """mean [min, max] over seeds, in percent."""
    return f"{100 * values.mean():5.1f} [{100 * values.min():5.1f}, {100 * values.max():5.1f}]"


for (optimizer_name, size_name), scores in results.items():
    print(f"\n{optimizer_name}, {size_name}: accuracy in %, mean [min, max] over seeds")
    print(f"{'weight_decay':>12}  {'train':^19}  {'validation':^19}  {'test':^19}")
    for k, weight_decay in enumerate(GRID):
        row = "  ".join(spread(scores[split][:, k]) for split in ("train", "validation", "test"))
        print(f"{weight_decay:>12.3g}  {row}")

# %%
# The curves of exercise 1
# ------------------------
# For SGD and AdamW: the mean over seeds, and a band from the lowest to the highest seed
# (``weight_decay = 0`` is drawn at the left end of the axis). Training accuracy stays at 100 %
# while the decay is weak. Once the decay is strong enough, it stops the network from fitting even
# its training examples; with SGD both curves then fall to the level of guessing one class for
# every image. While the training accuracy stays at 100 %, the mean test accuracy moves only a
# little, too little to see at this scale (the printed bound; the next section measures the
# gain). The two optimizers' curves have the same shape, more than two decades apart along the
# axis: the same ``weight_decay`` is a much weaker decay in AdamW, for a reason we will come to.
import matplotlib.pyplot as plt

ZERO_AT = 10**-4.75  # where weight_decay = 0 is drawn on the log axis
x_grid = np.array([ZERO_AT, *GRID[1:]])
ticks = [ZERO_AT, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10]
tick_labels = ["0", "1e-4", "1e-3", "1e-2", "0.1", "1", "10"]


def plot_band(ax, values, **style):
    ax.plot(x_grid, 100 * values.mean(0), "o-", ms=3, **style)
    ax.fill_between(x_grid, 100 * values.min(0).values, 100 * values.max(0).values, alpha=0.25,
                    color=style["color"])  # fmt: skip


fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True, sharey=True, layout="constrained")
for row, optimizer_name in enumerate(["SGD", "AdamW"]):
    for col, size_name in enumerate(SIZES):
        ax, scores = axes[row, col], results[optimizer_name, size_name]
        plot_band(ax, scores["train"], color="C0", label="training")
        plot_band(ax, scores["test"], color="C3", label="test")
        ax.set_xscale("log")
        ax.set_xticks(ticks, tick_labels)
        ax.set_title(f"{optimizer_name}, {size_name}")
        ax.set_ylabel("accuracy (%)")
        ax.legend(loc="lower left")
for ax in axes[1]:
    ax.set_xlabel("weight_decay")
fig.suptitle("Exercise 1 on handwritten digits: accuracy against weight_decay")
plt.show()

weak = grid_index(1e-4)
for scores in results.values():
    assert bool((scores["train"][:, : weak + 1] == 1).all()), "100 % while the decay is weak"
for size_name in SIZES:
    scores = results["SGD", size_name]
    assert float(scores["train"][:, -1].max()) < 0.2, "SGD: guessing one class"
    assert float(scores["test"][:, -1].max()) < 0.2, "SGD: guessing one class"
for (optimizer_name, size_name), scores in results.items():
    fits = (scores["train"] == 1).all(dim=0)
    moves = (scores["test"].mean(0) - scores["test"][:, 0].mean())[fits].abs().max()
    print(f"{optimizer_name}, {size_name}: while training accuracy is 100 %, the mean test "
          f"accuracy stays within {100 * float(moves):.1f} points of its value at 0")  # fmt: skip
    assert float(moves) < 0.03, "test accuracy moves only a little"

# %%
# Choosing weight_decay on the validation split
# ---------------------------------------------
# For each optimizer and training size we take the grid value with the best validation accuracy
# (mean over seeds; a tie goes to the smaller value), and compare its test accuracy with that of
# ``weight_decay = 0``. The test split plays no part in the choice. Because every seed trains both
# networks from the same start on the same minibatches, the gain is measured seed by seed, and
# the printed spread is that of the gain.
chosen = {}
for (optimizer_name, size_name), scores in results.items():
    k = int(scores["validation"].mean(0).argmax())
    gain = scores["test"][:, k] - scores["test"][:, 0]
    chosen[optimizer_name, size_name] = {"k": k, "gain": gain}
    print(
        f"{optimizer_name:>9}, {size_name:<19}: weight_decay = {GRID[k]:<7.3g} "
        f"test {spread(scores['test'][:, k])} vs {spread(scores['test'][:, 0])} at 0; "
        f"gain per seed {spread(gain)}"
    )

# %%
# How much decay helps
# --------------------
# Each line below is one seed's test accuracy minus its own accuracy at ``weight_decay = 0``; the
# stars are the values that validation chose. On the full training split the chosen decay gains
# a little for every seed and both optimizers: a few more test images right out of a few hundred.
# On 100 examples the mean gain is larger, but it varies much more from seed to seed: with so few
# examples, which ones were drawn matters more than the decay (the spread over seeds at
# ``weight_decay = 0`` is printed with it). Either gain is small next to what more data gives: the
# full training split without any decay beats the 100 examples with their best decay by many
# times the decay's gain (printed). Decay is worth tuning, but it does not replace data.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
for ax, size_name in zip(axes, SIZES, strict=True):
    for optimizer_name, color in (("SGD", "C0"), ("AdamW", "C1")):
        test = results[optimizer_name, size_name]["test"]
        gains = 100 * (test - test[:, :1])
        for seed, seed_gains in enumerate(gains):
            label = optimizer_name if seed == 0 else None
            ax.plot(x_grid, seed_gains, "-", color=color, lw=1, alpha=0.7, label=label)
        k = chosen[optimizer_name, size_name]["k"]
        ax.plot(x_grid[[k] * len(SEEDS)], gains[:, k], "*", ms=10, color=color)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xticks(ticks, tick_labels)
    ax.set_ylim(-6, 6)
    ax.set_xlabel("weight_decay")
    ax.set_title(size_name)
    ax.legend(loc="lower left")
axes[0].set_ylabel("test accuracy gain over weight_decay = 0 (points)")
fig.suptitle("What weight decay gains, seed by seed (stars: chosen on validation)")
plt.show()

small, full = SIZES
for optimizer_name in ("SGD", "AdamW"):
    gain_small = chosen[optimizer_name, small]["gain"]
    gain_full = chosen[optimizer_name, full]["gain"]
    more_data = (
        results[optimizer_name, full]["test"][:, 0].mean()
        - results[optimizer_name, small]["test"][:, chosen[optimizer_name, small]["k"]].mean()
    )
    print(
        f"{optimizer_name}: mean gain {100 * gain_small.mean():.1f} points on {small}, "
        f"{100 * gain_full.mean():.1f} on the {full}; the {full} at weight_decay = 0 beats "
        f"{small} at the chosen value by {100 * more_data:.1f} points"
    )
    assert float(gain_full.min()) > 0, "on the full split, a gain for every seed"
    assert float(gain_small.mean()) > float(gain_full.mean()), "larger on average on 100 examples"
    assert float(gain_small.max() - gain_small.min()) > 2 * float(
        gain_full.max() - gain_full.min()
    ), "and more variable"
    assert float(more_data) > 5 * float(gain_small.mean()), "data is worth far more than decay"
    at_zero = results[optimizer_name, small]["test"][:, 0]
    print(f"{optimizer_name}, {small}: test accuracy at weight_decay = 0, {spread(at_zero)}")
    assert float(at_zero.max() - at_zero.min()) > float(gain_small.mean()), "the draw matters more"

# %%
# Where 1e-4 … 1e-2 come from
# ---------------------------
# The value that validation picks for SGD lies in the range that courses recommend, and AdamW's
# lies two decades and more above PyTorch's default of 1e-2 (both printed above). The number
# ``weight_decay`` alone does not say how strongly a run is regularized. Each step multiplies the
# weights by :math:`1 - \eta_\text{eff}\lambda`, where for AdamW :math:`\eta_\text{eff} = \eta`,
# and for SGD with momentum :math:`\beta` the decay term, like the gradient, accumulates in the
# momentum buffer, so that :math:`\eta_\text{eff} = \eta / (1 - \beta)`. After :math:`T` steps a
# weight that the data do not move has shrunk by
#
# .. math::
#
#    (1 - \eta_\text{eff}\lambda)^T \approx e^{-D}, \qquad D = T\,\eta_\text{eff}\,\lambda ,
#
# the *total decay* of the run. Drawn against ``weight_decay`` (left), the norm of the first
# layer's weights falls in SGD and in AdamW more than two decades apart; drawn against :math:`D`
# (right), the curves nearly coincide, and they follow :math:`e^{-D}` while :math:`D` is small:
# the weights at ``weight_decay = 0`` are still mostly their random initialization (as in the
# book's linear model, see :ref:`sphx_glr_auto_examples_plot_11_early_stopping.py`), and the decay
# removes it. The values that validation picks give both optimizers a total decay of order one.
EFFECTIVE_LR = {"SGD": 0.05 / (1 - 0.9), "AdamW": 1e-3}


def total_decay(optimizer_name, weight_decay):
    return NUM_STEPS * EFFECTIVE_LR[optimizer_name] * weight_decay


for size_name in SIZES:
    picked = {name: GRID[chosen[name, size_name]["k"]] for name in EFFECTIVE_LR}
    decays = {name: total_decay(name, picked[name]) for name in EFFECTIVE_LR}
    print(
        f"{size_name}: chosen weight_decay SGD {picked['SGD']:.3g}, AdamW {picked['AdamW']:.3g} "
        f"(ratio {picked['AdamW'] / picked['SGD']:.0f}); total decay D: "
        f"SGD {decays['SGD']:.2f}, AdamW {decays['AdamW']:.2f}"
    )
    assert 1e-4 <= picked["SGD"] <= 1e-2, "SGD's choice is in the usual range"
    assert picked["AdamW"] >= 0.99 * 100 * 1e-2, "AdamW's, two decades above its default"
    assert picked["AdamW"] >= 100 * picked["SGD"], "AdamW's choice is two decades higher"
    assert all(0.1 <= d <= 10 for d in decays.values()), "a total decay of order one"

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
ax_wd.set_xlabel("weight_decay")
ax_d.set_xlabel(r"total decay $D = T\,\eta_\mathrm{eff}\,\lambda$")
ax_wd.set_ylabel("first-layer weight norm / norm at weight_decay = 0")
ax_d.set_ylim(1e-2, 1.5)
ax_wd.legend(fontsize="small")
ax_d.legend(fontsize="small")
fig.suptitle("The same decay in SGD and AdamW: weight_decay differs, total decay agrees")
plt.show()

for size_name in SIZES:
    halved = {}  # the first grid value at which the first layer's norm is below half
    for optimizer_name in EFFECTIVE_LR:
        norms = results[optimizer_name, size_name]["norms"][:, :, 0]
        relative = (norms / norms[:, :1]).mean(0)
        k = int(np.argmax(relative.numpy() < 0.5))
        halved[optimizer_name] = (GRID[k], total_decay(optimizer_name, GRID[k]))
        small_d = [j for j in range(1, len(GRID)) if total_decay(optimizer_name, GRID[j]) <= 0.5]
        gap = max(abs(float(relative[j]) - np.exp(-total_decay(optimizer_name, GRID[j])))
                  for j in small_d)  # fmt: skip
        assert gap < 0.1, "the norm follows exp(-D) while D is small"
    where = ", ".join(f"{o} at {wd:.3g} (D = {d:.2f})" for o, (wd, d) in halved.items())
    print(f"{size_name}: first-layer norm below half its value at 0 from {where}")
    (wd_sgd, d_sgd), (wd_adamw, d_adamw) = halved["SGD"], halved["AdamW"]
    assert wd_adamw >= 100 * wd_sgd, "more than two decades apart in weight_decay"
    assert 1 / 3 < d_adamw / d_sgd < 3, "close in total decay"

# How much of the start is left at weight_decay = 0: one network, trained the usual way.
initial = setup(0, len(train_rows))[1][0].weight
trained = train_one(0, len(train_rows), "SGD", 0.0)[0].weight
with torch.no_grad():
    cosine = float(nn.functional.cosine_similarity(initial.flatten(), trained.flatten(), dim=0))
    norm_ratio = float(trained.norm() / initial.norm())
print(f"SGD, weight_decay = 0, first layer: norm {norm_ratio:.2f} of the initial one, "
      f"cosine with the initial weights {cosine:.2f}")  # fmt: skip
assert cosine > 0.9, "the weights are still mostly their random start"

# %%
# The usual values are set for long runs
# --------------------------------------
# PyTorch's default for AdamW, ``weight_decay = 1e-2`` at ``lr = 1e-3``, and a common SGD
# setting, ``weight_decay = 1e-4`` at ``lr = 0.1`` with momentum 0.9, reach the total decay that
# validation picked here only after the printed numbers of steps, many times the length of our
# short run. That is where the familiar small values come from: they are set for the long runs of
# real training. In networks with normalization layers the picture changes (scaling the weights
# in front of such a layer does not change its output, and the decay then acts through the
# effective learning rate instead); this network has none.
# :ref:`sphx_glr_auto_examples_plot_14_normalization_layers.py` trains one that has them.
conventional = {"SGD": 1e-4 * 0.1 / (1 - 0.9), "AdamW": 1e-2 * 1e-3}  # eta_eff * lambda
for optimizer_name, per_step in conventional.items():
    for size_name in SIZES:
        d = total_decay(optimizer_name, GRID[chosen[optimizer_name, size_name]["k"]])
        print(
            f"{optimizer_name} at its conventional setting: {d / per_step:,.0f} steps to reach "
            f"D = {d:.2f} (chosen on {size_name}), {d / per_step / NUM_STEPS:.0f} times this run"
        )
        assert d / per_step >= 10 * NUM_STEPS, "the conventional values are set for long runs"

# %%
# Adam with an L2 penalty is not AdamW
# ------------------------------------
# ``torch.optim.Adam(weight_decay=λ)`` adds :math:`\lambda w` to the gradient, and Adam then
# divides the whole step by the running root mean square :math:`\sqrt{\hat v}` of what it saw, so
# each weight loses the fraction :math:`\eta\lambda / (\sqrt{\hat v} + \epsilon)` per step instead
# of AdamW's :math:`\eta\lambda`. We trained both at matched settings (same learning rate, seeds,
# starts, minibatches and grid). Adam's L2 penalty turns out to be far stronger at the same
# ``weight_decay``: its accuracy curves sit about where SGD's do, and they collapse where AdamW
# still fits every training example. The best accuracies are close (printed above, closer than
# the spread over seeds); what differs is the value that reaches them.
for size_name in SIZES:
    adam, adamw = results["Adam + L2", size_name], results["AdamW", size_name]
    k_adam, k_adamw = chosen["Adam + L2", size_name]["k"], chosen["AdamW", size_name]["k"]
    collapse = int(np.argmax(adam["train"].mean(0).numpy() < 0.5))
    print(
        f"{size_name}: Adam + L2 stops fitting at weight_decay = {GRID[collapse]:.3g}, where "
        f"AdamW's training accuracy is {spread(adamw['train'][:, collapse])}; chosen: "
        f"Adam + L2 {GRID[k_adam]:.3g}, SGD {GRID[chosen['SGD', size_name]['k']]:.3g}"
    )
    assert float(adamw["train"][:, collapse].mean()) > 0.99, "AdamW still fits there"
    assert 0.1 <= GRID[k_adam] / GRID[chosen["SGD", size_name]["k"]] <= 10, "about where SGD is"
    difference = abs(float(adam["test"][:, k_adam].mean() - adamw["test"][:, k_adamw].mean()))
    seed_spread = float(adamw["test"][:, k_adamw].max() - adamw["test"][:, k_adamw].min())
    assert difference < seed_spread, "the best accuracies are close"

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True, layout="constrained")
for ax, size_name in zip(axes, SIZES, strict=True):
    for optimizer_name, color in (("AdamW", "C1"), ("Adam + L2", "C2")):
        plot_band(ax, results[optimizer_name, size_name]["test"], color=color, label=optimizer_name)
    ax.set_xscale("log")
    ax.set_xticks(ticks, tick_labels)
    ax.set_xlabel("weight_decay (the same argument in both)")
    ax.set_title(size_name)
    ax.legend(loc="lower left")
axes[0].set_ylabel("test accuracy (%)")
fig.suptitle("Adam + L2 against AdamW: test accuracy at matched settings")
plt.show()

# %%
# Layer by layer
# --------------
# At a matched setting, ``weight_decay = 1e-2`` (AdamW's default), on the full training split, we
# compare each layer's weight norm and read Adam's :math:`\hat v` from the optimizer's state
# (``exp_avg_sq``, divided by :math:`1 - \beta_2^t`): the printed factor is the median over the
# layer's weights of :math:`1/(\sqrt{\hat v} + \epsilon)`, how many times AdamW's decay per step
# Adam + L2 applies at the end of training. It is far above one in every layer, of the order of
# the ratio between the values that validation chose for AdamW and for Adam + L2 (printed), and
# it differs from layer to layer: AdamW shrinks every weight by the same fraction, Adam + L2 by a
# fraction that depends on the size of its gradients, so the layers with the largest gradients
# are decayed least. The figure shows each layer's norm over the whole grid.
matched = grid_index(1e-2)
params, optimizer = adam_states["full training split"]
beta2, eps = optimizer.defaults["betas"][1], optimizer.defaults["eps"]
print(f"full training split, weight_decay = {GRID[matched]:g}: weight norm, mean over seeds")
print(f"{'layer':>9}{'at 0':>8}{'AdamW':>8}{'Adam+L2':>9}   Adam+L2 decay / AdamW decay")
factors = []
for layer, name in enumerate(decayed_names):
    state = optimizer.state[params[name]]
    v_hat = state["exp_avg_sq"] / (1 - beta2 ** float(state["step"]))
    networks = slice(matched, None, len(GRID))  # the matched value, every seed
    factor = float((1 / (v_hat[networks].sqrt() + eps)).median())
    factors.append(factor)
    norms = {o: results[o, "full training split"]["norms"][:, :, layer].mean(0) for o in OPTIMIZERS}
    print(
        f"{name:>9}{norms['AdamW'][0]:>8.2f}{norms['AdamW'][matched]:>8.2f}"
        f"{norms['Adam + L2'][matched]:>9.2f}   {factor:.0f}"
    )
ratio = GRID[chosen["AdamW", full]["k"]] / GRID[chosen["Adam + L2", full]["k"]]
print(f"chosen weight_decay, full training split: AdamW / Adam + L2 = {ratio:.0f}")
assert min(factors) > 1, "Adam + L2 decays every layer more than AdamW at the same setting"
assert max(factors) > 2 * min(factors), "and by a factor that differs between layers"
assert min(factors) / 3 < ratio < 3 * max(factors), "the factor explains the chosen values"

fig, axes = plt.subplots(1, 3, figsize=(11, 3.5), layout="constrained")
for layer, (ax, name) in enumerate(zip(axes, decayed_names, strict=True)):
    for optimizer_name, color in (("AdamW", "C1"), ("Adam + L2", "C2")):
        norms = results[optimizer_name, "full training split"]["norms"][:, :, layer]
        ax.plot(x_grid, norms.mean(0), "o-", ms=3, color=color, label=optimizer_name)
    ax.set_xscale("log")
    ax.set_xticks(ticks[::2], tick_labels[::2])
    ax.set_xlabel("weight_decay")
    ax.set_title(f"layer {layer + 1} ({name})")
    ax.legend(fontsize="small")
axes[0].set_ylabel("weight norm (mean over seeds)")
fig.suptitle("Weight norm per layer, full training split")
plt.show()

# %%
# Interpreting the results
# ------------------------
# * **Exercise 1, with accuracy.** Training accuracy stays at 100 % until the decay is strong
#   enough to keep the network from fitting its training examples; test accuracy changes little
#   before that point and falls with the training accuracy after it.
# * **How much decay helps.** Chosen on the validation split, weight decay improves the test
#   accuracy on the full training split a little, for every seed, with SGD and with AdamW. On the
#   small subset it helps more on average but not reliably: the seed (which examples were drawn)
#   matters as much. Neither gain comes close to what more data gives. The summary below repeats
#   the measured test accuracies, mean [min, max] over seeds.
# * **Where the usual values come from.** What regularizes is the total decay
#   :math:`D = T\,\eta_\text{eff}\,\lambda`, and validation picked a :math:`D` of order one for
#   both optimizers. The conventional values 1e-4 … 1e-2 give that total only over the long runs
#   of real training; in a short run like this one the best ``weight_decay`` is larger, and for
#   AdamW much larger. So treat published values as starting points and validate
#   (:ref:`faq-choosing-lambda`).
# * **Adam + L2 is not AdamW.** ``Adam(weight_decay=λ)`` divides the decay by
#   :math:`\sqrt{\hat v}`: at the same ``weight_decay`` it is a hundred times stronger or more
#   here, by a factor that differs between layers, and it needs a different value (see
#   :ref:`sphx_glr_auto_examples_plot_09_adam_vs_adamw.py` for the same effect in the linear
#   model).
# * :func:`~weightdecay.networks.decay_param_groups` builds the two parameter groups for any
#   ``torch.optim`` optimizer: weights decayed, biases and normalization layers exempt.
print("test accuracy in %, mean [min, max] over seeds: chosen weight_decay against 0")
for optimizer_name in ("SGD", "AdamW"):
    for size_name in SIZES:
        test = results[optimizer_name, size_name]["test"]
        k = chosen[optimizer_name, size_name]["k"]
        print(
            f"{optimizer_name:>5}, {size_name:<19}: weight_decay = {GRID[k]:<7.3g} "
            f"{spread(test[:, k])}   weight_decay = 0 {spread(test[:, 0])}"
        )
assert min(factors) > 100, "a hundred times stronger or more"

# sphinx_gallery_thumbnail_number = 1
