# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
=====================================================
PyTorch's default initialization, and dead ReLU units
=====================================================

In :ref:`the previous part <sphx_glr_auto_examples_plot_06_vanishing_gradients.py>`, deep tanh
and ReLU networks were balanced with Xavier or Kaiming weights but vanished with PyTorch's
default initialization. Here we take that default apart and find that its biases, not its small
variance, make the first-to-last ratio vanish. Then we train the nine networks and measure how
far each layer moved, and count the ReLU units that are dead: zero for every input, with no
gradient to bring them back.
"""

# %%
# The networks of the previous part
# ---------------------------------
# The same data (64 examples of 16 Gaussian features with a linear target) and the same networks
# of 15 hidden layers of 64 units, built by :func:`~weightdecay.networks.mlp`;
# :func:`~weightdecay.networks.layer_grad_norms` measures the gradient norm of each layer's
# weight, input side first, for the mean squared error (``nn.MSELoss``, without the ½ of the
# from-scratch trainer).
import statistics

import matplotlib.pyplot as plt
import torch
from matplotlib.ticker import MaxNLocator
from torch import nn

from weightdecay.data import make_problem
from weightdecay.networks import layer_grad_norms, mlp

data = make_problem(n_train=64, num_inputs=16, true_w=0.25, noise=0.1, seed=0)
X, y = data.X_train, data.y_train
depth, width = 15, 64
inits = ("default", "xavier", "kaiming")
configs = [(act, init) for act in ("sigmoid", "tanh", "relu") for init in inits]
layers = range(1, depth + 2)


def build(activation, init, seed=0):
    """A fresh network; the same seed gives the same draws."""
    generator = torch.Generator().manual_seed(seed)
    return mlp(
        data.num_inputs,
        depth=depth,
        width=width,
        activation=activation,
        init=init,
        generator=generator,
    )


def ratio(norms):
    """First-layer gradient norm over last-layer gradient norm."""
    return norms[0] / norms[-1]


# %%
# What makes PyTorch's default vanish: its biases
# -----------------------------------------------
# PyTorch's default draws each weight uniformly with bound :math:`1/\sqrt{\text{fan-in}}`,
# a variance of :math:`1/(3\,\text{fan-in})`, a sixth of Kaiming's, and draws the biases from
# the same range. A variance that is too small in every layer shrinks every layer's gradient
# together (the previous part scaled a ReLU network to show it), so it cannot by itself make the
# first-to-last ratio vanish. We take the default networks apart, over five seeds: once as they
# are, once with their biases set to zero, and once as Kaiming networks scaled down to the
# default's variance (:math:`c = 1/\sqrt 6`, zero biases). For each we print the median ratio,
# the median gradient norm of the first and of the last layer, and how much the last hidden
# layer's output varies from one example to the next (the norm of its deviation from the mean
# over the examples, relative to its norm: 0 means the same output for every input).
import math

variants = {
    "default": {"init": "default"},
    "default, zero biases": {"init": "default", "zero_biases": True},
    "Kaiming / sqrt(6)": {"init": "kaiming", "scale": 1 / math.sqrt(6)},
}


def build_variant(activation, seed, init, zero_biases=False, scale=1.0):
    """A network of the table, with its biases zeroed or its weights scaled if asked."""
    net = build(activation, init, seed=seed)
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(scale)
                if zero_biases:
                    layer.bias.zero_()
    return net


def input_dependence(net):
    """How much the last hidden layer's output varies over the examples, relative to it."""
    with torch.no_grad():
        h = net[:-1](X)
    return float((h - h.mean(dim=0)).norm() / h.norm())


anatomy, profiles = {}, {}
print(f"{'':<28}{'ratio':>8}{'first grad':>12}{'last grad':>11}{'input dep.':>12}")
for act in ("relu", "tanh"):
    for name, options in variants.items():
        nets = [build_variant(act, s, **options) for s in range(5)]
        norms = [layer_grad_norms(net, X, y) for net in nets]
        profiles[act, name] = norms[0]
        a = anatomy[act, name] = {
            "ratio": statistics.median(ratio(n) for n in norms),
            "first": statistics.median(n[0] for n in norms),
            "last": statistics.median(n[-1] for n in norms),
            "input": statistics.median(input_dependence(net) for net in nets),
        }
        print(f"{act:<6}{name:<22}" + "".join(f"{a[k]:>11.1e} " for k in a))

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True, layout="constrained")
for ax, act in zip(axes, ("relu", "tanh"), strict=True):
    for name in variants:
        ax.plot(layers, profiles[act, name], "o-", ms=3, label=name)
    ax.plot(
        layers,
        layer_grad_norms(build(act, "kaiming"), X, y),
        "o-",
        ms=3,
        color="C7",
        label="Kaiming",
    )
    ax.set(yscale="log", xlabel="layer (1 = input side)", title=f"{act}, seed 0")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0].set_ylabel("gradient norm of the layer's weight")
axes[0].legend(fontsize="small")
fig.suptitle("PyTorch's default initialization, taken apart")
plt.show()

# sphinx_gallery_start_ignore
from recorded import record

for act in ("relu", "tanh"):
    plain, no_bias, scaled_down = (anatomy[act, name] for name in variants)
    assert plain["ratio"] < 1e-2, "the default vanishes"
    assert 1e-2 < no_bias["ratio"] < 1e2, "without its biases it does not"
    assert 1e-2 < scaled_down["ratio"] < 1e2
    assert 1 / 3 < plain["first"] / no_bias["first"] < 3, (
        "the first layer's gradient stays as small"
    )
    kaiming_first = statistics.median(
        layer_grad_norms(build(act, "kaiming", seed=s), X, y)[0] for s in range(5)
    )
    assert max(no_bias["first"], no_bias["last"]) < 1e-2 * kaiming_first, "small in every layer"
    assert plain["last"] > 100 * no_bias["last"], "with the biases, a large last-layer gradient"
    assert plain["input"] < 1e-2, "and a last hidden layer that ignores the input"
    assert no_bias["input"] > 0.1
    record(f"{act}_ratio_default", plain["ratio"])
    record(f"{act}_ratio_no_bias", no_bias["ratio"])
    record(f"{act}_input_default", plain["input"])
    record(f"{act}_input_no_bias", no_bias["input"])
    record(f"{act}_last_gain", plain["last"] / no_bias["last"])
# sphinx_gallery_end_ignore

# %%
# Without its biases, the default ReLU network is balanced (median ratio
# :val:`plot_06b.relu_ratio_no_bias:.2f` instead of :val:`plot_06b.relu_ratio_default:.0e`) but
# small everywhere: its gradient is tiny in the first and in the last layer alike, which is what
# a too-small variance does. With its biases, the first layer's gradient is just as small, but
# the last layer's is :val:`plot_06b.relu_last_gain:.0f` times larger. The signal shrinks from
# layer to layer until the biases dominate it; from then on the activations no longer depend on
# the input (the last hidden layer's input dependence is :val:`plot_06b.relu_input_default:.0e`,
# against :val:`plot_06b.relu_input_no_bias:.2f` without the biases), and the output layer, fed a
# sizeable constant, keeps a sizeable gradient. The tiny ratio comes from the biases, not from
# the variance. tanh, which behaves like the identity near 0, shows the same effect.

# %%
# After some training
# -------------------
# We now train each of the nine networks with plain full-batch SGD (learning rate 0.05, 100
# steps) on the mean squared error, and measure again. We also measure how far each layer's
# weights moved, relative to where they started: a layer whose gradient vanished cannot move,
# whatever the training does to the layers near the output. The best constant prediction (the
# mean of :math:`y`) has a mean squared error equal to the variance of :math:`y`,
# :val:`plot_06b.var_y:.3g`. Read the first-to-last ratio after training with the two norms next
# to it: once the output layer has fitted the mean, its own gradient is small too, so a network
# whose gradients are small *everywhere* can show a ratio close to 1.
steps, lr = 100, 0.05


def train(net):
    """100 full-batch SGD steps on the mean squared error; the loss before and after."""
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(net(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    with torch.no_grad():
        return losses[0], float(nn.functional.mse_loss(net(X), y))


trained, moved, losses = {}, {}, {}
for config in configs:
    net = build(*config)
    start = [m.weight.detach().clone() for m in net if isinstance(m, nn.Linear)]
    losses[config] = train(net)
    trained[config] = (net, layer_grad_norms(net, X, y))
    now = [m.weight.detach() for m in net if isinstance(m, nn.Linear)]
    pairs = zip(now, start, strict=True)
    moved[config] = [float((a - s).norm() / s.norm()) for a, s in pairs]

header = ("MSE before", "after", "first grad", "last grad", "first moved")
print(f"{'':<17}" + "".join(f"{h:>12}" for h in header))
for config in configs:
    (before, after), norms = losses[config], trained[config][1]
    print(
        f"{config[0]:<8}{config[1]:<9}{before:>11.3g}{after:>10.3g}{norms[0]:>12.1e}"
        f"{norms[-1]:>11.1e}{moved[config][0]:>13.1e}"
    )

fig, axes = plt.subplots(2, 3, figsize=(11, 6.2), sharey="row", layout="constrained")
for col, act in enumerate(("sigmoid", "tanh", "relu")):
    for init in inits:
        axes[0, col].plot(layers, trained[act, init][1], "o-", ms=3, label=init)
        axes[1, col].plot(layers, moved[act, init], "o-", ms=3, label=init)
    axes[0, col].set(title=act, yscale="log")
    axes[1, col].set(xlabel="layer (1 = input side)", yscale="log")
    axes[1, col].xaxis.set_major_locator(MaxNLocator(integer=True))
axes[0, 0].set_ylabel("gradient norm after training")
axes[1, 0].set_ylabel(r"$\|W - W_0\| / \|W_0\|$")
axes[0, 0].legend(title="init")
fig.suptitle(f"After {steps} SGD steps (learning rate {lr})")
plt.show()

# sphinx_gallery_start_ignore
var_y = float(y.var(unbiased=False))
vanishing = [(a, i) for a, i in configs if a == "sigmoid" or i == "default"]  # the previous part's
balanced = [config for config in configs if config not in vanishing]
assert min(losses[c][1] for c in vanishing) > max(losses[c][1] for c in balanced)
assert all(losses[c][1] > 0.99 * var_y for c in vanishing), "nothing learned beyond the mean"
assert all(moved[act, init][0] < 1e-6 for act, init in vanishing if act != "tanh")
record("var_y", var_y)
record("worst_balanced", max(losses[c][1] for c in balanced))
record("best_balanced", min(losses[c][1] for c in balanced))
# sphinx_gallery_end_ignore

# %%
# The five networks that vanished at initialization (the three sigmoid networks and the
# default-initialized tanh and ReLU networks) learned nothing beyond the mean of the target:
# their training loss stayed at :val:`plot_06b.var_y:.3g`, and the input-side layers of the
# sigmoid and ReLU ones did not move measurably. The balanced networks brought it down to between
# :val:`plot_06b.best_balanced:.1g` and :val:`plot_06b.worst_balanced:.2g`.

# %%
# Dead ReLU units
# ---------------
# A ReLU unit whose pre-activation is negative for every input outputs 0 and passes no gradient
# back: it is *dead*. Its own incoming weights get a zero gradient, so only a change in the
# layers below it can bring it back. We count, in each hidden layer, the units that output 0
# for all 64 training examples, at initialization and after the training above. Xavier and
# Kaiming start with exactly the same dead units: with zero biases, their weights differ by a
# positive factor per layer (both are drawn from the same normal numbers), and a ReLU network's
# signs do not change when a layer is scaled by a positive factor.


def dead_fraction(net):
    """Per hidden layer: the share of ReLU units that are zero on every training example."""
    fractions, h = [], X
    with torch.no_grad():
        for module in net:
            h = module(h)
            if isinstance(module, nn.ReLU):
                fractions.append(float((h.amax(dim=0) == 0).float().mean()))
    return fractions


dead = {}
fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
print(f"{'init':<9}{'dead at init':>13}{'after training':>16}   (share of all hidden units)")
for init in inits:
    before = dead_fraction(build("relu", init))
    after = dead_fraction(trained["relu", init][0])
    dead[init] = (before, after)
    print(f"{init:<9}{sum(before) / depth:>13.1%}{sum(after) / depth:>16.1%}")
    hidden = range(1, depth + 1)
    (line,) = ax.plot(hidden, before, "o--", ms=3, label=f"{init}, at init")
    ax.plot(hidden, after, "o-", ms=3, color=line.get_color(), label=f"{init}, trained")
ax.set(xlabel="hidden layer (1 = input side)", ylabel="share of dead units")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("Dead ReLU units per layer")
ax.legend(fontsize="small", ncol=2)
plt.show()

# sphinx_gallery_start_ignore
assert dead["xavier"][0] == dead["kaiming"][0], "the same dead units at initialization"
assert sum(dead["default"][1]) == sum(dead["default"][0]), "the default network did not move"
assert sum(dead["kaiming"][1]) < sum(dead["kaiming"][0]), "training revived some units"
for init in inits:
    for when, shares in zip(("init", "trained"), dead[init], strict=True):
        record(f"dead_{init}_{when}", sum(shares) / depth)
# sphinx_gallery_end_ignore

# %%
# At initialization :val:`plot_06b.dead_default_init:.1%` of the default network's hidden units
# were dead, and :val:`plot_06b.dead_kaiming_init:.1%` of the Kaiming (and Xavier) network's.
# Training left the default network's share where it was, since its gradients had vanished, and
# brought the Kaiming network's down to :val:`plot_06b.dead_kaiming_trained:.1%`: the layers
# below revived some units.

# %%
# Interpreting the results
# ------------------------
# PyTorch's default initialization makes a deep tanh or ReLU network vanish through its non-zero
# biases: with the biases removed, the same weights give a balanced network whose gradients are
# small in every layer together, as with any weights scaled down by a constant. A vanishing
# network cannot train its input-side layers: none of the five learned more than the mean of the
# target in 100 steps. ReLU also has its own failure, dead units, which a network with vanished
# gradients cannot revive. :func:`~weightdecay.networks.mlp` builds the networks (its ``init``
# argument chooses the initialization), :func:`~weightdecay.networks.layer_grad_norms` measures
# the gradient of each layer, and the :ref:`FAQ page <faq-vanishing-gradients>` gives the short
# answer.

# %%
# Try it
# ------
# **Question 1.** Without its biases, the default ReLU network is balanced: its first-to-last
# ratio is :val:`plot_06b.relu_ratio_no_bias:.2f`. Will the same 100 SGD steps train it below
# the mean's loss, :val:`plot_06b.var_y:.3g`? Decide before you open the answer.
#
# .. answer-start
no_bias = build_variant("relu", 0, init="default", zero_biases=True)
before, after = train(no_bias)
print(f"zero biases: MSE {before:.4f} before, {after:.4f} after 100 steps")

# sphinx_gallery_start_ignore
assert after > 0.99 * var_y, "balanced, but it does not learn"
record("q1_after", after)
record("q1_first", anatomy["relu", "default, zero biases"]["first"])
# sphinx_gallery_end_ignore

# %%
# No: its loss stays at :val:`plot_06b.q1_after:.4f`. Balanced is not enough: its gradients are
# small in *every* layer (the first layer's is :val:`plot_06b.q1_first:.0e`), so 100 steps at
# this learning rate hardly move any weight. The ratio says whether the layers learn at the same
# speed, not whether that speed is useful; the scale of the initialization decides that.
#
# .. answer-end

# %%
# **Question 2.** The Kaiming ReLU network stays balanced at initialization when it is deeper.
# With 30 hidden layers instead of 15, will the same 100 SGD steps bring its training loss close
# to the 15-layer network's, :val:`plot_06b.kaiming_loss:.1g`?
#
# .. answer-start
generator = torch.Generator().manual_seed(0)
options = {"activation": "relu", "init": "kaiming", "generator": generator}
deep = mlp(data.num_inputs, depth=30, width=width, **options)
deep_ratio = ratio(layer_grad_norms(deep, X, y))
before, after = train(deep)
print(f"30 layers: ratio {deep_ratio:.2f} at init; MSE {before:.3g} then {after:.3g}")

# sphinx_gallery_start_ignore
assert 1e-2 < deep_ratio < 1e2, "balanced at initialization"
assert after > 100 * losses["relu", "kaiming"][1], "but far behind the 15-layer network"
record("kaiming_loss", losses["relu", "kaiming"][1])
record("q2_after", after)
record("q2_ratio", deep_ratio)
# sphinx_gallery_end_ignore

# %%
# No: its loss ends at :val:`plot_06b.q2_after:.2g`, far above the 15-layer network's, although
# its ratio at initialization, :val:`plot_06b.q2_ratio:.2f`, is balanced. The ratio describes
# one moment, the start; how the training goes from there depends on more than that moment, and
# depth makes it harder even with a good initialization. Very deep networks are usually trained
# with more help: normalization layers, residual connections, a learning-rate schedule.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
