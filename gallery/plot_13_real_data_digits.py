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
validation split and measure what it gains. Every network is trained with the two parameter
groups of :func:`~weightdecay.networks.decay_param_groups`: weights decayed, biases exempt.
Why the two optimizers want values of ``weight_decay`` so far apart, and what Adam with an L2
penalty does instead, is the subject of
:ref:`sphx_glr_auto_examples_plot_13b_decay_strength.py`.
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

shuffled = torch.randperm(num_images, generator=torch.Generator().manual_seed(0))
num_held_out = num_images // 5
test_rows = shuffled[:num_held_out]
val_rows = shuffled[num_held_out : 2 * num_held_out]
train_rows = shuffled[2 * num_held_out :]

pixel_mean = images[train_rows].mean(dim=0)
pixel_std = images[train_rows].std(dim=0)
X = (images - pixel_mean) / torch.where(pixel_std > 0, pixel_std, 1.0)
HELD_OUT = {"validation": val_rows, "test": test_rows}

SIZES = {"100 examples": 100, "full training split": len(train_rows)}
SEEDS = (0, 1, 2)
print(
    f"{num_images} images of {num_pixels} pixels; training {len(train_rows)}, "
    f"validation {len(val_rows)}, test {len(test_rows)}; "
    f"{int((pixel_std == 0).sum())} pixels are blank in every training image"
)

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

NET = {"depth": 2, "width": 128, "activation": "relu", "init": "kaiming", "num_outputs": 10}
BATCH_SIZE, NUM_STEPS = 50, 400


def setup(seed, size, dtype=torch.float32):
    """The training rows, the initial network and the generator of one seed."""
    generator = torch.Generator().manual_seed(seed)
    rows = train_rows[torch.randperm(len(train_rows), generator=generator)[:size]]
    return rows, mlp(num_pixels, **NET, generator=generator, dtype=dtype), generator


def minibatches(rows, generator, steps=NUM_STEPS):
    """``steps`` minibatches of ``rows``, reshuffled every epoch (a last partial batch is
    dropped)."""
    per_epoch = len(rows) // BATCH_SIZE
    for step in range(steps):
        if step % per_epoch == 0:
            epoch_order = rows[torch.randperm(len(rows), generator=generator)]
        start = (step % per_epoch) * BATCH_SIZE
        yield epoch_order[start : start + BATCH_SIZE]


_, net, _ = setup(0, SIZES["100 examples"])
names = {id(param): name for name, param in net.named_parameters()}
for group in decay_param_groups(net, 1e-2):
    print(f"weight_decay={group['weight_decay']:g}:", [names[id(p)] for p in group["params"]])
decayed_names = [names[id(p)] for p in decay_param_groups(net, 1.0)[0]["params"]]

# %%
# One network, trained the usual way
# ----------------------------------
# This is the training loop to copy: the optimizer is built from the parameter groups, and the
# loss is the mean cross-entropy of a minibatch. We use two optimizers, with the learning rates
# usual for them: SGD with momentum 0.9, and AdamW. Each network takes the same number of steps
# on minibatches of the same size, whatever the training size: the small subset is seen for many
# more epochs.
OPTIMIZERS = {  # the class, its arguments, and whether its decay is decoupled
    "SGD": (torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}, False),
    "AdamW": (torch.optim.AdamW, {"lr": 1e-3}, True),
}


def train_one(seed, size, optimizer_name, weight_decay, dtype=torch.float32, steps=NUM_STEPS):
    """Train the network of one seed with torch.optim, and return it."""
    rows, net, generator = setup(seed, size, dtype)
    optimizer_class, arguments, _ = OPTIMIZERS[optimizer_name]
    optimizer = optimizer_class(decay_param_groups(net, weight_decay), **arguments)
    for batch in minibatches(rows, generator, steps):
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
# gradient as :math:`\lambda w` (SGD), or as the factor :math:`1 - \eta\lambda` on the
# weights before the step (AdamW). The loss is the sum of the networks' mean losses: each
# network's gradient is the gradient of its own loss.
#
# Before trusting it, we checked it against ``train_one`` (for one seed, each optimizer and two
# values of ``weight_decay``, in float64 and a quarter of the steps, where any real difference
# would stand far above rounding): the largest difference of any parameter was
# :val:`plot_13.batched_gap:.0e` of that parameter's largest entry.
from torch.func import functional_call, stack_module_state, vmap


def forward(params, x):
    """The network's output with the given parameters (net only lends its architecture)."""
    return functional_call(net, params, (x,))


def train_many(
    size, optimizer_name, weight_decays, seeds=SEEDS, dtype=torch.float32, steps=NUM_STEPS
):
    """One network per (seed, weight_decay): network m has seed m // K and the m % K-th
    weight_decay. Returns the stacked parameters, each network's rows and the optimizer."""
    runs = [setup(seed, size, dtype) for seed in seeds]
    num_decays = len(weight_decays)  # K
    params, _ = stack_module_state([net for _, net, _ in runs for _ in weight_decays])
    rate = torch.tensor(weight_decays, dtype=dtype).repeat(len(seeds)).view(-1, 1, 1)
    optimizer_class, arguments, decoupled = OPTIMIZERS[optimizer_name]
    optimizer = optimizer_class(params.values(), **arguments, weight_decay=0.0)
    streams = [minibatches(rows, generator, steps) for rows, _, generator in runs]
    for step_batches in zip(*streams, strict=True):
        batch = torch.stack(step_batches).repeat_interleave(num_decays, dim=0)
        logits = vmap(forward)(params, X[batch].to(dtype))  # (networks, batch, classes)
        losses = nn.functional.cross_entropy(logits.mT, labels[batch], reduction="none")
        optimizer.zero_grad()
        losses.mean(dim=1).sum().backward()
        with torch.no_grad():
            for name in decayed_names:  # the weight matrices, (networks, out, in)
                if decoupled:
                    params[name].mul_(1 - arguments["lr"] * rate)
                else:
                    params[name].grad.add_(rate * params[name])
        optimizer.step()
    rows = torch.stack([rows for rows, _, _ in runs]).repeat_interleave(num_decays, dim=0)
    return params, rows, optimizer


# sphinx_gallery_start_ignore
from recorded import record

check_decays, check_settings = [1e-2, 1.0], {"dtype": torch.float64, "steps": NUM_STEPS // 4}
batched_gaps = []
for optimizer_name in OPTIMIZERS:
    params, _, _ = train_many(100, optimizer_name, check_decays, seeds=(0,), **check_settings)
    for m, weight_decay in enumerate(check_decays):
        plain = train_one(0, 100, optimizer_name, weight_decay, **check_settings)
        with torch.no_grad():
            batched_gaps += [
                float((p - params[name][m]).abs().max() / p.abs().max())
                for name, p in plain.named_parameters()
            ]
assert max(batched_gaps) < 1e-10, "the batched trainer no longer follows torch.optim"
record("batched_gap", max(batched_gaps))
# sphinx_gallery_end_ignore

# %%
# Accuracy against weight_decay (exercise 1)
# ------------------------------------------
# Now the experiment: for each optimizer and training size, every seed and every value of the
# grid of ``weight_decay`` (0, then 1e-4 to 10 in half decades), each network trained for the
# same number of steps and then scored on its own training rows, the validation split and the
# test split. The tables are printed in full: they are the data of the figures below.
import numpy as np

GRID = [0.0, *torch.logspace(-4, 1, 11, dtype=torch.float64).tolist()]


@torch.no_grad()
def evaluate(params, rows):
    """Accuracies (seeds, grid) on each split."""
    scores = {}
    for split, split_rows in {"train": rows, **HELD_OUT}.items():
        every_net = split_rows.expand(len(rows), -1)  # (networks, examples)
        predictions = vmap(forward)(params, X[every_net]).argmax(dim=-1)
        correct = (predictions == labels[every_net]).float().mean(dim=1)
        scores[split] = correct.view(len(SEEDS), len(GRID))
    return scores


def spread(values):
    """mean [min, max] over seeds, in percent."""
    mean, low, high = 100 * values.mean(), 100 * values.min(), 100 * values.max()
    return f"{mean:5.1f} [{low:5.1f}, {high:5.1f}]"


results = {}
for optimizer_name in OPTIMIZERS:
    for size_name, size in SIZES.items():
        scores = results[optimizer_name, size_name] = evaluate(
            *train_many(size, optimizer_name, GRID)[:2]
        )
        print(f"\n{optimizer_name}, {size_name}: accuracy in %, mean [min, max] over seeds")
        print(f"{'weight_decay':>12}  {'train':^19}  {'validation':^19}  {'test':^19}")
        for k, weight_decay in enumerate(GRID):
            row = "  ".join(
                spread(scores[split][:, k]) for split in ("train", "validation", "test")
            )
            print(f"{weight_decay:>12.3g}  {row}")

# %%
# The curves of exercise 1
# ------------------------
# For SGD and AdamW: the mean over seeds, and a band from the lowest to the highest seed
# (``weight_decay = 0`` is drawn at the left end of the axis). Training accuracy stays at 100%
# while the decay is weak. Once the decay is strong enough, it stops the network from fitting even
# its training examples; with SGD both curves then fall to the level of guessing one class for
# every image. While the training accuracy stays at 100%, the mean test accuracy stays within
# :val:`plot_13.flat_test:.1f` points of its value at 0, too little to see at this scale (the
# next section measures the gain). The two optimizers' curves have the same shape, more than two
# decades apart along the axis: the same ``weight_decay`` is a much weaker decay in AdamW, as
# :ref:`sphx_glr_auto_examples_plot_13b_decay_strength.py` explains.
import matplotlib.pyplot as plt

x_grid = np.array([10**-4.75, *GRID[1:]])  # weight_decay = 0 drawn at 10**-4.75
ticks = x_grid[[0, 1, 3, 5, 7, 9, 11]]
tick_labels = ["0", "1e-4", "1e-3", "1e-2", "0.1", "1", "10"]


def plot_band(ax, values, **style):
    ax.plot(x_grid, 100 * values.mean(0), "o-", ms=3, **style)
    low, high = 100 * values.min(0).values, 100 * values.max(0).values
    ax.fill_between(x_grid, low, high, alpha=0.25, color=style["color"])


fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True, sharey=True, layout="tight")
for row, optimizer_name in enumerate(OPTIMIZERS):
    for col, size_name in enumerate(SIZES):
        ax, scores = axes[row, col], results[optimizer_name, size_name]
        plot_band(ax, scores["train"], color="C0", label="training")
        plot_band(ax, scores["test"], color="C3", label="test")
        ax.set(xscale="log", title=f"{optimizer_name}, {size_name}", ylabel="accuracy (%)")
        ax.set_xticks(ticks, tick_labels)
        ax.legend(loc="lower left")
for ax in axes[1]:
    ax.set_xlabel("weight_decay")
fig.suptitle("Exercise 1 on handwritten digits: accuracy against weight_decay")
plt.show()

# sphinx_gallery_start_ignore
moves = []
for scores in results.values():
    assert bool((scores["train"][:, :2] == 1).all()), "no longer 100% while the decay is weak"
    fits = (scores["train"] == 1).all(dim=0)
    moves.append(float((scores["test"].mean(0) - scores["test"][:, 0].mean())[fits].abs().max()))
for size_name in SIZES:
    scores = results["SGD", size_name]
    assert float(scores["train"][:, -1].max()) < 0.2, "SGD: no longer guessing one class"
    assert float(scores["test"][:, -1].max()) < 0.2, "SGD: no longer guessing one class"
assert max(moves) < 0.03, "test accuracy moves more than a little"
record("flat_test", 100 * max(moves))
# sphinx_gallery_end_ignore

# %%
# Choosing weight_decay on the validation split
# ---------------------------------------------
# For each optimizer and training size we take the grid value with the best validation accuracy
# (mean over seeds; a tie goes to the smaller value), and compare its test accuracy with that of
# ``weight_decay = 0``. The test split plays no part in the choice. Because every seed trains both
# networks from the same start on the same minibatches, the gain is measured seed by seed.
chosen = {}
for (optimizer_name, size_name), scores in results.items():
    k = int(scores["validation"].mean(0).argmax())
    gain = scores["test"][:, k] - scores["test"][:, 0]
    chosen[optimizer_name, size_name] = {"k": k, "gain": gain}
    print(
        f"{optimizer_name:>5}, {size_name:<19}: weight_decay = {GRID[k]:<7.3g} "
        f"test {spread(scores['test'][:, k])} vs {spread(scores['test'][:, 0])} at 0; "
        f"gain per seed {spread(gain)}"
    )

# %%
# How much decay helps
# --------------------
# Each line below is one seed's test accuracy minus its own accuracy at ``weight_decay = 0``; the
# stars are the values that validation chose.
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
    ax.set(xscale="log", ylim=(-6, 6), xlabel="weight_decay", title=size_name)
    ax.set_xticks(ticks, tick_labels)
    ax.legend(loc="lower left")
axes[0].set_ylabel("test accuracy gain over weight_decay = 0 (points)")
fig.suptitle("What weight decay gains, seed by seed (stars: chosen on validation)")
plt.show()

# sphinx_gallery_start_ignore
small, full = SIZES
for optimizer_name in OPTIMIZERS:
    gain_small = chosen[optimizer_name, small]["gain"]
    gain_full = chosen[optimizer_name, full]["gain"]
    at_zero = results[optimizer_name, small]["test"][:, 0]
    more_data = float(
        results[optimizer_name, full]["test"][:, 0].mean()
        - results[optimizer_name, small]["test"][:, chosen[optimizer_name, small]["k"]].mean()
    )
    assert float(gain_full.min()) > 0, "on the full split, no longer a gain for every seed"
    assert float(gain_small.mean()) > float(gain_full.mean()), "no longer larger on 100"
    assert float(gain_small.max() - gain_small.min()) > 2 * float(
        gain_full.max() - gain_full.min()
    ), "no longer more variable on 100 examples"
    assert more_data > 5 * float(gain_small.mean()), "data is no longer worth far more than decay"
    assert float(at_zero.max() - at_zero.min()) > float(gain_small.mean()), "the draw matters less"
    key = optimizer_name.lower()
    record(f"{key}_gain_small", 100 * float(gain_small.mean()))
    record(f"{key}_gain_small_low", 100 * float(gain_small.min()))
    record(f"{key}_gain_small_high", 100 * float(gain_small.max()))
    record(f"{key}_gain_full", 100 * float(gain_full.mean()))
    record(f"{key}_gain_full_low", 100 * float(gain_full.min()))
    record(f"{key}_zero_spread", 100 * float(at_zero.max() - at_zero.min()))
    record(f"{key}_more_data", 100 * more_data)
# sphinx_gallery_end_ignore

# %%
# On the full training split the chosen decay gains a little for every seed and both optimizers:
# on average :val:`plot_13.sgd_gain_full:.1f` points of test accuracy with SGD and
# :val:`plot_13.adamw_gain_full:.1f` with AdamW, a few more of the 359 test images classified
# correctly. On 100 examples the mean gain is larger (:val:`plot_13.sgd_gain_small:.1f` and
# :val:`plot_13.adamw_gain_small:.1f` points), but it varies much more from seed to seed (from
# :val:`plot_13.adamw_gain_small_low:.1f` to :val:`plot_13.adamw_gain_small_high:.1f` points with
# AdamW): with so few examples, which ones were drawn matters more than the decay, and the test
# accuracy at ``weight_decay = 0`` alone spreads over :val:`plot_13.sgd_zero_spread:.1f` points
# across the seeds with SGD. Either gain is small next to what more data gives: the full training
# split without any decay beats the 100 examples with their best decay by
# :val:`plot_13.sgd_more_data:.1f` points with SGD and :val:`plot_13.adamw_more_data:.1f` with
# AdamW. Decay is worth tuning, but it does not replace data.

# %%
# Interpreting the results
# ------------------------
# * **Exercise 1, with accuracy.** Training accuracy stays at 100% until the decay is strong
#   enough to keep the network from fitting its training examples; test accuracy changes little
#   before that point and falls with the training accuracy after it.
# * **How much decay helps.** Chosen on the validation split, weight decay improves the test
#   accuracy on the full training split a little, for every seed, with SGD and with AdamW. On the
#   small subset it helps more on average but not reliably: the seed (which examples were drawn)
#   matters as much. Neither gain comes close to what more data gives.
# * **Which value.** Validation picks very different values of ``weight_decay`` for the two
#   optimizers. Why, where the usual values 1e-4 … 1e-2 come from, and how
#   ``Adam(weight_decay=λ)`` differs from AdamW:
#   :ref:`sphx_glr_auto_examples_plot_13b_decay_strength.py`.
# * :func:`~weightdecay.networks.decay_param_groups` builds the two parameter groups for any
#   ``torch.optim`` optimizer: weights decayed, biases and normalization layers exempt; the FAQ
#   :ref:`faq-choosing-lambda` explains how to choose the value.

# %%
# Try it
# ------
# **Question 1.** On the full training split, the chosen ``weight_decay`` raises SGD's mean test
# accuracy by :val:`plot_13.sgd_gain_full:.1f` points. How many of the 359 test images is that?
# Write down a number.
#
# .. answer-start
gain = float(chosen["SGD", "full training split"]["gain"].mean())  # a fraction
print(f"{gain * len(test_rows):.1f} test images, on average over the seeds")

# sphinx_gallery_start_ignore
record("q1_images", gain * len(test_rows))
# sphinx_gallery_end_ignore

# %%
# About :val:`plot_13.q1_images:.0f`: one point of 359 images is 3.59 images. A gain that small
# needs paired runs to be measured at all: each seed's networks start from the same weights and
# see the same minibatches, so the gain is a difference within one seed, free of the luck of
# the start and of the order of the examples.
#
# .. answer-end

# %%
# **Question 2.** Suppose we had chosen ``weight_decay`` by the best *test* accuracy instead of
# the validation accuracy, and reported that test accuracy. Would the reported number be higher
# or lower than the honest one?
#
# .. answer-start
for (optimizer_name, size_name), scores in results.items():
    honest = scores["test"][:, chosen[optimizer_name, size_name]["k"]].mean()
    optimistic = scores["test"].mean(0).max()
    print(
        f"{optimizer_name}, {size_name}: {100 * optimistic:.1f}% chosen on test, "
        f"{100 * honest:.1f}% on validation"
    )

# sphinx_gallery_start_ignore
optimism = [
    100 * float(scores["test"].mean(0).max() - scores["test"][:, chosen[key]["k"]].mean())
    for key, scores in results.items()
]
assert min(optimism) >= 0, "the best test accuracy is below the chosen one"
record("q2_optimism", max(optimism))
# sphinx_gallery_end_ignore

# %%
# Higher, or at best equal: the best test accuracy over the grid is at least that of the value
# that validation chose, here by up to :val:`plot_13.q2_optimism:.1f` points. The excess is the
# luck of the 359 test images, not skill, and it would not carry over to new images: a split used
# to choose cannot also measure. Here it is small because the validation and test accuracies
# are nearly flat around their best; it grows with the number of values tried and with the
# noise of a smaller split.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
