# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
===================================
Vanishing and exploding gradients
===================================

The course notebook asks whether vanishing gradients are caused by the sigmoid, and whether
ReLU cures them. Its answer, "sigmoid easily causes vanishing gradients, ReLU only lowers the
probability", is right as far as it goes, but it leaves out the initialization and the depth.
Backpropagation multiplies the gradient, layer after layer, by the weights and by the derivative
of the activation. The sigmoid's derivative is at most 1/4, so unless the weights make up for it
every layer shrinks the gradient. ReLU's derivative is 0 or 1, which removes that factor, but
the weights still multiply: with a badly scaled initialization the gradient of a ReLU network
vanishes or explodes too, and a unit whose input is always negative is dead. Below we measure
the gradient of every layer of deep sigmoid, tanh and ReLU networks with PyTorch's default,
Xavier and Kaiming initializations, before and after some training, find out what makes
PyTorch's default vanish, and count the dead ReLU units.
"""

# %%
# The derivatives of the activations
# ----------------------------------
# Backpropagating through a layer :math:`h = \phi(Wx + b)` multiplies the incoming gradient by
# :math:`\phi'(Wx + b)` and then by :math:`W^\top`. We compute :math:`\phi'` with autograd on a
# grid and print its largest value: for the sigmoid it is :math:`\sigma'(0) = 1/4`.
import matplotlib.pyplot as plt
import torch
from matplotlib.ticker import MaxNLocator

z = torch.linspace(-6, 6, 1201, requires_grad=True)
activations = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
derivatives = {}
for name, phi in activations.items():
    (derivatives[name],) = torch.autograd.grad(phi(z).sum(), z)
    print(f"largest derivative of {name:>7}: {float(derivatives[name].max()):.4f}")

fig, ax = plt.subplots(figsize=(5.5, 3.2), layout="constrained")
for name, derivative in derivatives.items():
    ax.plot(z.detach(), derivative, label=name)
ax.set_xlabel("pre-activation $z$")
ax.set_ylabel(r"derivative $\phi'(z)$")
ax.set_title("Derivatives of the activations")
ax.legend()
plt.show()

# %%
# Nine deep networks at initialization
# ------------------------------------
# :func:`~weightdecay.networks.mlp` builds a network of ``depth`` hidden layers of ``width`` units.
# We take 15 layers of 64 units, each activation with each initialization: PyTorch's default for
# ``nn.Linear`` (uniform with bound :math:`1/\sqrt{\text{fan-in}}`), Xavier/Glorot (variance
# :math:`2/(\text{fan-in} + \text{fan-out})`, designed to keep the variance for activations that
# behave like the identity near 0) and Kaiming/He (variance :math:`2/\text{fan-in}`, designed for
# ReLU, which zeroes half of its inputs). The data is a simple regression: 64 examples of 16
# Gaussian features with a linear target, from :func:`~weightdecay.data.make_problem`.
# :func:`~weightdecay.networks.layer_grad_norms` returns the norm of the mean-squared-error
# gradient of each ``nn.Linear`` weight, input side first; the last one is the output layer.
from weightdecay.data import make_problem
from weightdecay.networks import layer_grad_norms, mlp

data = make_problem(n_train=64, num_inputs=16, true_w=0.25, noise=0.1, seed=0)
X, y = data.X_train, data.y_train
depth, width = 15, 64
inits = ("default", "xavier", "kaiming")
configs = [(act, init) for act in activations for init in inits]


def build(activation, init, seed=0, depth=depth):
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


at_init = {config: layer_grad_norms(build(*config), X, y) for config in configs}

fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharey=True, layout="constrained")
layers = range(1, depth + 2)
for ax, act in zip(axes, activations, strict=True):
    for init in inits:
        ax.plot(layers, at_init[act, init], "o-", ms=3, label=init)
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = input side)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(act)
axes[0].set_ylabel("gradient norm of the layer's weight")
axes[0].legend(title="init")
fig.suptitle(f"At initialization: depth {depth}, width {width}")
plt.show()

# %%
# Which configurations vanish
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~
# We summarize each network by the ratio of the gradient norm of its first (input) layer to
# that of its last (output) layer, for five random initializations (the ratio varies from one
# draw to the next, so we classify by the median). We call a configuration *vanishing* when the
# median ratio is below :math:`10^{-2}`, *exploding* when it is above :math:`10^{2}`, and
# *balanced* otherwise. The ratio cannot see one thing: a gradient that is tiny or huge in
# *every* layer; we come back to that below.
import statistics

VANISH, EXPLODE = 1e-2, 1e2


def ratio(norms):
    """First-layer gradient norm over last-layer gradient norm."""
    return norms[0] / norms[-1]


def verdict(ratios):
    """Vanishing, exploding or balanced: the median ratio against the thresholds above."""
    median = statistics.median(ratios)
    if median < VANISH:
        return "vanishes"
    if median > EXPLODE:
        return "explodes"
    return "balanced"


ratios = {
    config: [ratio(layer_grad_norms(build(*config, seed=s), X, y)) for s in range(5)]
    for config in configs
}
verdicts = {config: verdict(r) for config, r in ratios.items()}
print(f"thresholds: vanishing below {VANISH:g}, exploding above {EXPLODE:g}")
print(f"{'activation':<11}{'init':<9}{'first (seed 0)':>15}{'last (seed 0)':>14}  ratio (5 seeds)")
for config in configs:
    norms = at_init[config]
    spread = "  ".join(f"{r:.1e}" for r in ratios[config])
    print(
        f"{config[0]:<11}{config[1]:<9}{norms[0]:>15.2e}{norms[-1]:>14.2e}  {spread}"
        f"  -> {verdicts[config]}"
    )
# The prose of this page relies on these verdicts:
assert all(verdicts["sigmoid", init] == "vanishes" for init in inits)
assert verdicts["relu", "default"] == "vanishes"
assert verdicts["relu", "kaiming"] == "balanced"
assert verdicts["tanh", "xavier"] == verdicts["tanh", "kaiming"] == "balanced"

# %%
# Deeper is worse
# ~~~~~~~~~~~~~~~
# A layer multiplies the backpropagated gradient by roughly the same factor whatever its place,
# so the first-to-last ratio of a vanishing configuration falls geometrically with depth: a
# straight line on a log scale. The balanced configurations stay flat. The printed factor per
# layer is :math:`\text{ratio}^{1/\text{depth}}` at the largest depth; compare the sigmoid
# networks' factors with the sigmoid's largest derivative, 1/4. Going deeper still, the
# gradient of the first layer of the default-initialized sigmoid network leaves float32's range
# altogether: at 30 layers it underflows to exactly zero (printed).
depths = [2, 5, 10, 15, 20, 25]
by_depth = {
    config: [
        ratio(at_init[config] if d == depth else layer_grad_norms(build(*config, depth=d), X, y))
        for d in depths
    ]
    for config in configs
}
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
styles = {"sigmoid": "-", "tanh": "--", "relu": ":"}
colors = {"default": "C0", "xavier": "C1", "kaiming": "C2"}
for (act, init), values in by_depth.items():
    ax.plot(
        depths, values, styles[act], marker="o", ms=3, color=colors[init], label=f"{act}, {init}"
    )
    print(f"{act:>7}, {init:<8} factor per layer: {values[-1] ** (1 / depths[-1]):.3f}")
# The prose relies on these: the vanishing configurations fall with depth, geometrically, and
# the balanced ones stay balanced at every depth.
for config, values in by_depth.items():
    if verdicts[config] == "vanishes":
        assert values[-1] < 1e-2 * values[1]
    else:
        assert all(VANISH < v < EXPLODE for v in values)
first_at_30 = layer_grad_norms(build("sigmoid", "default", depth=30), X, y)[0]
print(f"sigmoid, default, depth 30: first-layer gradient norm = {first_at_30}")
assert first_at_30 == 0.0
ax.set_yscale("log")
ax.set_xlabel("depth (hidden layers)")
ax.set_ylabel("first-layer / last-layer gradient norm")
ax.set_title("The ratio falls geometrically with depth, or not at all")
ax.legend(fontsize="x-small", ncol=3)
plt.show()

# %%
# ReLU with a badly scaled initialization
# ---------------------------------------
# A ReLU is positively homogeneous, :math:`\mathrm{relu}(cz) = c\,\mathrm{relu}(z)` for
# :math:`c > 0`. Multiply every weight of the Kaiming network by :math:`c` and (biases being
# zero) the forward signal gains a factor :math:`c` per layer, and so does the backward one:
# every layer's gradient is multiplied by about :math:`c^{\text{depth}}`, and by about
# :math:`c^{2\,\text{depth}}` when :math:`c > 1`, because the output, and with it the error that
# is sent back, explodes too. The first-to-last ratio changes far less than the gradients
# themselves (compare the printed columns): they explode (or vanish) *together*,
# and the ratio does not see it. This is the "bad initialization" failure of ReLU networks. The
# Xavier-initialized ReLU network of the table above is a mild case of it: balanced, but with
# gradients smaller than the Kaiming network's in every layer (for the hidden layers its weight
# variance is half of Kaiming's).
from torch import nn

print(f"{'scale c':>8}{'first layer':>13}{'middle layer':>14}{'last layer':>12}{'ratio':>9}")
scaled = {}
for c in (0.5, 1.0, 2.0):
    net = build("relu", "kaiming")
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(c)
    scaled[c] = layer_grad_norms(net, X, y)
    n = scaled[c]
    print(f"{c:>8g}{n[0]:>13.2e}{n[depth // 2]:>14.2e}{n[-1]:>12.2e}{ratio(n):>9.2f}")
assert all(big > 100 * ok > 1e4 * small for small, ok, big in zip(*scaled.values(), strict=True))
for c in (0.5, 2.0):
    measured = scaled[c][0] / scaled[1.0][0]
    power = depth if c < 1 else 2 * depth
    print(f"c = {c:g}: first-layer gradient x {measured:.2e};  c ** {power} = {c**power:.2e}")
    assert 1 / 3 < measured / c**power < 3
# The ratio changes far less than the gradients, and Xavier's ReLU gradients are smaller than
# Kaiming's in every layer.
scaled_ratios = [ratio(n) for n in scaled.values()]
assert max(scaled_ratios) / min(scaled_ratios) < 100
assert all(
    x < k for x, k in zip(at_init["relu", "xavier"], at_init["relu", "kaiming"], strict=True)
)

# %%
# What makes PyTorch's default vanish: its biases
# -----------------------------------------------
# PyTorch's default draws each weight uniformly with bound :math:`1/\sqrt{\text{fan-in}}`,
# a variance of :math:`1/(3\,\text{fan-in})`, a sixth of Kaiming's, and draws the biases from
# the same range. By the argument above, a variance that is too small in every layer shrinks
# every layer's gradient together, so it cannot by itself make the first-to-last ratio vanish.
# We take the default networks of the table apart, over the same five seeds: once as they are,
# once with their biases set to zero, and once as Kaiming networks scaled down to the default's
# variance (:math:`c = 1/\sqrt 6`, zero biases). For each we print the median ratio, the median
# gradient norm of the first and of the last layer, and how much the last hidden layer's output
# varies from one example to the next (the norm of its deviation from the mean over the
# examples, relative to its norm: 0 means the same output for every input).
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
    """How much the last hidden layer's output varies over the examples, relative to its size."""
    with torch.no_grad():
        h = net[:-1](X)
    return float((h - h.mean(dim=0)).norm() / h.norm())


anatomy, profiles = {}, {}
print(
    f"{'':<9}{'variant':<22}{'ratio':>9}{'first grad':>12}{'last grad':>11}{'input dependence':>18}"
)
for act in ("relu", "tanh"):
    for name, options in variants.items():
        nets = [build_variant(act, s, **options) for s in range(5)]
        norms = [layer_grad_norms(net, X, y) for net in nets]
        profiles[act, name] = norms[0]
        anatomy[act, name] = {
            "ratio": statistics.median(ratio(n) for n in norms),
            "first": statistics.median(n[0] for n in norms),
            "last": statistics.median(n[-1] for n in norms),
            "input": statistics.median(input_dependence(net) for net in nets),
        }
        a = anatomy[act, name]
        print(
            f"{act:<9}{name:<22}{a['ratio']:>9.1e}{a['first']:>12.1e}{a['last']:>11.1e}"
            f"{a['input']:>18.1e}"
        )
# The prose below relies on these, for both activations:
for act in ("relu", "tanh"):
    plain, no_bias, scaled_down = (anatomy[act, name] for name in variants)
    assert plain["ratio"] < VANISH  # the default vanishes ...
    assert VANISH < no_bias["ratio"] < EXPLODE
    assert VANISH < scaled_down["ratio"] < EXPLODE
    # ... and without biases it does not: the first layer's gradient stays as small, ...
    assert 1 / 3 < plain["first"] / no_bias["first"] < 3
    # ... every layer's gradient is far below Kaiming's (scale 1) without the biases, ...
    kaiming_first = statistics.median(
        layer_grad_norms(build(act, "kaiming", seed=s), X, y)[0] for s in range(5)
    )
    assert max(no_bias["first"], no_bias["last"]) < 1e-2 * kaiming_first
    # ... and with them the last layer's gradient is large and its input ignores the data.
    assert plain["last"] > 100 * no_bias["last"]
    assert plain["input"] < 1e-2
    assert no_bias["input"] > 0.1

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True, layout="constrained")
for ax, act in zip(axes, ("relu", "tanh"), strict=True):
    for name in variants:
        ax.plot(layers, profiles[act, name], "o-", ms=3, label=name)
    ax.plot(layers, at_init[act, "kaiming"], "o-", ms=3, color="C7", label="Kaiming")
    ax.set_yscale("log")
    ax.set_xlabel("layer (1 = input side)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{act}, seed 0")
axes[0].set_ylabel("gradient norm of the layer's weight")
axes[0].legend(fontsize="small")
fig.suptitle("PyTorch's default initialization, taken apart")
plt.show()

# %%
# Without its biases, the default network is balanced but small everywhere: its gradient is
# tiny in the first and in the last layer alike, which is what a too-small variance does. With
# its biases, the first layer's gradient is just as small, but the last layer's is large. The
# signal shrinks from layer to layer until the biases dominate it; from then on the activations
# no longer depend on the input (the printed input dependence), and the output layer, fed a
# sizeable constant, keeps a sizeable gradient. The tiny ratio comes from the biases, not from
# the variance. tanh, which behaves like the identity near 0, shows the same effect.

# %%
# After some training
# -------------------
# We now train each of the nine networks with plain full-batch SGD (learning rate 0.05, 100
# steps) and measure again. We also measure how far each layer's weights moved, relative to
# where they started: a layer whose gradient vanished cannot move, whatever the training does to
# the layers near the output. The table prints the training loss before and after; for
# reference, the best constant prediction (the mean of :math:`y`) has a loss equal to the
# printed variance of :math:`y`. Read the first-to-last ratio after training with the two norms
# next to it: once the output layer has fitted the mean, its own gradient is small too, so a
# network whose gradients are small *everywhere* can show a ratio close to 1.
steps, lr = 100, 0.05
trained, moved, losses = {}, {}, {}
for config in configs:
    net = build(*config)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    start = [m.weight.detach().clone() for m in linears]
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    with torch.no_grad():
        before = float(nn.functional.mse_loss(net(X), y))
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(net(X), y)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        losses[config] = (before, float(nn.functional.mse_loss(net(X), y)))
    trained[config] = (net, layer_grad_norms(net, X, y))
    moved[config] = [
        float((m.weight.detach() - w).norm() / w.norm())
        for m, w in zip(linears, start, strict=True)
    ]

print(
    f"{'activation':<11}{'init':<9}{'loss before':>12}{'after':>10}"
    f"{'first grad':>12}{'last grad':>11}{'ratio':>9}{'first layer moved':>19}"
)
for config in configs:
    before, after = losses[config]
    norms = trained[config][1]
    print(
        f"{config[0]:<11}{config[1]:<9}{before:>12.3g}{after:>10.3g}{norms[0]:>12.1e}"
        f"{norms[-1]:>11.1e}{ratio(norms):>9.1e}{moved[config][0]:>19.1e}"
    )
print(f"variance of y: {float(y.var(unbiased=False)):.3g}")
vanishing = [config for config, v in verdicts.items() if v == "vanishes"]
balanced = [config for config, v in verdicts.items() if v == "balanced"]
# The prose relies on these: the vanishing networks learned nothing beyond the mean, the
# balanced ones did, and the worst cases did not move their first layer measurably.
assert min(losses[c][1] for c in vanishing) > max(losses[c][1] for c in balanced)
assert all(losses[c][1] > 0.99 * float(y.var(unbiased=False)) for c in vanishing)
assert all(moved[act, init][0] < 1e-6 for act, init in vanishing if act != "tanh")

fig, axes = plt.subplots(2, 3, figsize=(11, 6.2), sharex=True, sharey="row", layout="constrained")
for col, act in enumerate(activations):
    for init in inits:
        axes[0, col].plot(layers, trained[act, init][1], "o-", ms=3, label=init)
        axes[1, col].plot(layers, moved[act, init], "o-", ms=3, label=init)
    axes[0, col].set_title(act)
    axes[1, col].set_xlabel("layer (1 = input side)")
    axes[1, col].xaxis.set_major_locator(MaxNLocator(integer=True))
    for row in (0, 1):
        axes[row, col].set_yscale("log")
axes[0, 0].set_ylabel("gradient norm after training")
axes[1, 0].set_ylabel(r"$\|W - W_0\| / \|W_0\|$")
axes[0, 0].legend(title="init")
fig.suptitle(f"After {steps} SGD steps (learning rate {lr})")
plt.show()

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
    fractions = []
    h = X
    with torch.no_grad():
        for module in net:
            h = module(h)
            if isinstance(module, nn.ReLU):
                fractions.append(float((h.amax(dim=0) == 0).float().mean()))
    return fractions


hidden = range(1, depth + 1)
dead = {}
fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
print(f"{'init':<9}{'dead at init':>13}{'after training':>16}   (share of all hidden units)")
for init in inits:
    before = dead_fraction(build("relu", init))
    after = dead_fraction(trained["relu", init][0])
    dead[init] = (before, after)
    print(f"{init:<9}{sum(before) / depth:>13.1%}{sum(after) / depth:>16.1%}")
    (line,) = ax.plot(hidden, before, "o--", ms=3, label=f"{init}, at init")
    ax.plot(hidden, after, "o-", ms=3, color=line.get_color(), label=f"{init}, trained")
ax.set_xlabel("hidden layer (1 = input side)")
ax.xaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_ylabel("share of dead units")
ax.set_title("Dead ReLU units per layer")
ax.legend(fontsize="small", ncol=2)
plt.show()
assert dead["xavier"][0] == dead["kaiming"][0]

# %%
# Interpreting the results
# ------------------------
# The notebook's answer, "sigmoid easily causes vanishing gradients", is right, but it leaves
# out the initialization and the depth. With 15 layers, every sigmoid network vanished, whatever
# the initialization, Xavier included: the derivative is at most 1/4, and neither Xavier nor
# Kaiming weights are large enough to make up for it. Their input-side layers did not move
# measurably during training, and none of the vanishing networks learned more than the mean of
# the target. tanh, whose derivative is 1 at 0, was balanced with Xavier or Kaiming weights.
# ReLU was balanced with Kaiming weights, as it was designed to be. Both vanished with
# PyTorch's default initialization, and the cause is its non-zero biases: with the biases
# removed, the same weights give a balanced network whose gradients are small in every layer
# together, as with any weights scaled down by a constant. ReLU also has its own failure, dead
# units (the printed shares). So the activation decides whether a factor below 1 is built into
# every layer, the initialization decides the scale (and, through the biases, what reaches the
# deep layers), and depth raises both to a power.
#
# :func:`~weightdecay.networks.mlp` builds the networks, :func:`~weightdecay.networks.layer_grad_norms`
# measures the gradient of each layer, and the :ref:`FAQ page <faq-vanishing-gradients>` gives
# the short answer.

# sphinx_gallery_thumbnail_number = 2
