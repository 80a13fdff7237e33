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
vanishes or explodes too. Below we measure the gradient of every layer of deep sigmoid, tanh and
ReLU networks with PyTorch's default, Xavier and Kaiming initializations, see how it depends on
the depth, and scale a ReLU network's weights. :ref:`The next part
<sphx_glr_auto_examples_plot_06b_default_init_and_dead_units.py>` finds out what makes PyTorch's
default vanish, trains the networks, and counts the dead ReLU units.
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
ax.set(xlabel="pre-activation $z$", ylabel=r"derivative $\phi'(z)$")
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
# :func:`~weightdecay.networks.layer_grad_norms` returns the norm of the gradient of each
# ``nn.Linear`` weight, input side first (the last one is the output layer), for the mean squared
# error, ``nn.MSELoss``, without the ½ of the from-scratch trainer.
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
    ax.set(yscale="log", xlabel="layer (1 = input side)", title=act)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
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
    return "vanishes" if median < VANISH else "explodes" if median > EXPLODE else "balanced"


ratios = {
    config: [ratio(layer_grad_norms(build(*config, seed=s), X, y)) for s in range(5)]
    for config in configs
}
print(f"{'activation':<11}{'init':<9}  ratio first / last layer (5 seeds)")
for config, values in ratios.items():
    spread = "  ".join(f"{r:.1e}" for r in values)
    print(f"{config[0]:<11}{config[1]:<9}  {spread}  -> {verdict(values)}")

# sphinx_gallery_start_ignore
from recorded import record

verdicts = {config: verdict(r) for config, r in ratios.items()}
assert all(verdicts["sigmoid", init] == "vanishes" for init in inits)
assert verdicts["relu", "default"] == verdicts["tanh", "default"] == "vanishes"
assert verdicts["relu", "kaiming"] == verdicts["relu", "xavier"] == "balanced"
assert verdicts["tanh", "xavier"] == verdicts["tanh", "kaiming"] == "balanced"
assert "explodes" not in verdicts.values()
record("sigmoid_worst", statistics.median(ratios["sigmoid", "default"]))
record("sigmoid_best", statistics.median(ratios["sigmoid", "kaiming"]))
record("relu_default", statistics.median(ratios["relu", "default"]))
# sphinx_gallery_end_ignore

# %%
# Every sigmoid network vanished, Xavier and Kaiming included: its median ratio ranged from
# :val:`plot_06.sigmoid_worst:.0e` (default) to :val:`plot_06.sigmoid_best:.0e` (Kaiming). tanh
# and ReLU were balanced with Xavier or Kaiming weights, and both vanished with PyTorch's default
# (ReLU: :val:`plot_06.relu_default:.0e`).

# %%
# Deeper is worse
# ~~~~~~~~~~~~~~~
# A layer multiplies the backpropagated gradient by roughly the same factor whatever its place,
# so the first-to-last ratio of a vanishing configuration falls geometrically with depth: a
# straight line on a log scale. The balanced configurations stay flat. The factor per layer is
# :math:`\text{ratio}^{1/\text{depth}}` at the largest depth.
depths = [2, 5, 10, 15, 20, 25]
by_depth = {
    config: [ratio(layer_grad_norms(build(*config, depth=d), X, y)) for d in depths]
    for config in configs
}
fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
styles, colors = (
    {"sigmoid": "-", "tanh": "--", "relu": ":"},
    dict(zip(inits, ("C0", "C1", "C2"), strict=True)),
)
for (act, init), values in by_depth.items():
    label = f"{act}, {init}"
    ax.plot(depths, values, styles[act], marker="o", ms=3, color=colors[init], label=label)
    print(f"{act:>7}, {init:<8} factor per layer: {values[-1] ** (1 / depths[-1]):.3f}")
ax.set(yscale="log", xlabel="depth (hidden layers)", ylabel="first / last gradient norm")
ax.set_title("The ratio falls geometrically with depth, or not at all")
ax.legend(fontsize="x-small", ncol=3)
plt.show()

# sphinx_gallery_start_ignore
for config, values in by_depth.items():
    if verdicts[config] == "vanishes":
        assert values[-1] < 1e-2 * values[1], f"{config}: falls with depth"
    else:
        assert all(VANISH < v < EXPLODE for v in values), f"{config}: balanced at every depth"
factors = {config: values[-1] ** (1 / depths[-1]) for config, values in by_depth.items()}
sigmoid_factors = [factors["sigmoid", init] for init in inits]
assert all(0.1 < f < 0.35 for f in sigmoid_factors), "of the order of the sigmoid's 1/4"
assert sigmoid_factors[0] < 0.25 < sigmoid_factors[1] < sigmoid_factors[2], "below, then above"
first_at_30 = layer_grad_norms(build("sigmoid", "default", depth=30), X, y)[0]
assert first_at_30 == 0.0, "the first layer's gradient underflows to exactly zero"
for init in inits:
    record(f"sigmoid_factor_{init}", factors["sigmoid", init])
record("tanh_default_factor", factors["tanh", "default"])
# sphinx_gallery_end_ignore

# %%
# The sigmoid networks' factors, :val:`plot_06.sigmoid_factor_default:.2f` (default),
# :val:`plot_06.sigmoid_factor_xavier:.2f` (Xavier) and :val:`plot_06.sigmoid_factor_kaiming:.2f`
# (Kaiming), are of the order of the sigmoid's largest derivative, 1/4: below it with PyTorch's
# small default weights, above it with Xavier's and Kaiming's larger ones. Going deeper still, the gradient
# of the first layer of the default-initialized sigmoid network leaves float32's range
# altogether: at 30 layers it underflows to exactly zero.

# %%
# ReLU with a badly scaled initialization
# ---------------------------------------
# A ReLU is positively homogeneous, :math:`\mathrm{relu}(cz) = c\,\mathrm{relu}(z)` for
# :math:`c > 0`. Multiply every weight of the Kaiming network by :math:`c` and (biases being
# zero) the forward signal gains a factor :math:`c` per layer, and so does the backward one:
# every layer's gradient is multiplied by about :math:`c^{\text{depth}}`, and by about
# :math:`c^{2\,\text{depth}}` when :math:`c > 1`, because the output, and with it the error that
# is sent back, explodes too. The first-to-last ratio changes far less than the gradients
# themselves: they explode (or vanish) *together*, and the ratio does not see it. This is the
# "bad initialization" failure of ReLU networks.
from torch import nn

print(f"{'scale c':>8}{'first layer':>13}{'middle layer':>14}{'last layer':>12}{'ratio':>9}")
scaled = {}
for c in (0.5, 1.0, 2.0):
    net = build("relu", "kaiming")
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(c)
    n = scaled[c] = layer_grad_norms(net, X, y)
    print(f"{c:>8g}{n[0]:>13.2e}{n[depth // 2]:>14.2e}{n[-1]:>12.2e}{ratio(n):>9.2f}")

# sphinx_gallery_start_ignore
assert all(big > 100 * ok > 1e4 * small for small, ok, big in zip(*scaled.values(), strict=True))
for c, power in ((0.5, depth), (2.0, 2 * depth)):
    measured = scaled[c][0] / scaled[1.0][0]
    assert 1 / 3 < measured / c**power < 3, f"c = {c}: about c ** {power}"
    record(f"scaled_{'down' if c < 1 else 'up'}", measured)
    record(f"power_{'down' if c < 1 else 'up'}", c**power)
scaled_ratios = [ratio(n) for n in scaled.values()]
assert max(scaled_ratios) / min(scaled_ratios) < 100, "the ratio changes far less"
record("scaled_ratio_low", min(scaled_ratios))
record("scaled_ratio_high", max(scaled_ratios))
assert all(
    x < k for x, k in zip(at_init["relu", "xavier"], at_init["relu", "kaiming"], strict=True)
)
# sphinx_gallery_end_ignore

# %%
# Halving the weights multiplied the first layer's gradient by :val:`plot_06.scaled_down:.1e`
# (:math:`0.5^{15}` = :val:`plot_06.power_down:.1e`), doubling them by
# :val:`plot_06.scaled_up:.1e` (:math:`2^{30}` = :val:`plot_06.power_up:.1e`), while the ratio
# stayed between :val:`plot_06.scaled_ratio_low:.2f` and :val:`plot_06.scaled_ratio_high:.2f`.
# The Xavier-initialized ReLU network of the table above is a mild case
# of the same failure: balanced, but with gradients smaller than the Kaiming network's in every
# layer (for the hidden layers its weight variance is half of Kaiming's).

# %%
# Interpreting the results
# ------------------------
# The notebook's answer, "sigmoid easily causes vanishing gradients", is right, but it leaves
# out the initialization and the depth. With 15 layers, every sigmoid network vanished, whatever
# the initialization, Xavier included: the derivative is at most 1/4, and neither Xavier nor
# Kaiming weights are large enough to make up for it. tanh, whose derivative is 1 at 0, was
# balanced with Xavier or Kaiming weights. ReLU was balanced with Kaiming weights, as it was
# designed to be, and vanished with PyTorch's default initialization. Scaling a ReLU network's
# weights makes all its gradients vanish or explode together, which the first-to-last ratio does
# not see. So the activation decides whether a factor below 1 is built into every layer, the
# initialization decides the scale, and depth raises both to a power.
# :ref:`sphx_glr_auto_examples_plot_06b_default_init_and_dead_units.py` takes PyTorch's default
# apart, trains the networks and counts the dead ReLU units;
# :func:`~weightdecay.networks.mlp` builds the networks,
# :func:`~weightdecay.networks.layer_grad_norms` measures the gradient of each layer, and the
# :ref:`FAQ page <faq-vanishing-gradients>` gives the short answer.

# %%
# Try it
# ------
# **Question 1.** The default-initialized tanh network shrinks the gradient by a factor of
# :val:`plot_06.tanh_default_factor:.3f` per layer. Predict its first-to-last ratio at depth 30,
# then open the answer.
#
# .. answer-start
deep = ratio(layer_grad_norms(build("tanh", "default", depth=30), X, y))
prediction = by_depth["tanh", "default"][-1] ** (30 / depths[-1])
print(f"depth 30: ratio {deep:.1e}; factor ** 30 = {prediction:.1e}")

# sphinx_gallery_start_ignore
assert 1 / 5 < deep / prediction < 5, "the geometric prediction holds within a factor of 5"
record("q1_ratio", deep)
record("q1_prediction", prediction)
# sphinx_gallery_end_ignore

# %%
# :val:`plot_06.q1_ratio:.1e`, against the prediction :val:`plot_06.q1_prediction:.1e`: the
# same factor per layer, raised to the power 30. Vanishing gradients are not a matter of chance:
# once the factor per layer is known, the depth predicts them.
#
# .. answer-end

# %%
# **Question 2.** The sigmoid's derivative is at most 1/4. Multiply the Kaiming sigmoid network's
# weights by 4 to make up for it: will the network be balanced?
#
# .. answer-start
sigmoid_ratios, mean_slopes = [], []
for s in range(5):
    net = build("sigmoid", "kaiming", seed=s)
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                layer.weight.mul_(4)
        h = net[:-1](X)  # the last hidden layer's output, sigmoid(z)
    sigmoid_ratios.append(ratio(layer_grad_norms(net, X, y)))
    mean_slopes.append(float((h * (1 - h)).mean()))  # sigmoid'(z) = h (1 - h)
print(f"weights x 4: median ratio {statistics.median(sigmoid_ratios):.1e}")
print(f"mean derivative, last hidden layer: {statistics.median(mean_slopes):.3f}")

# sphinx_gallery_start_ignore
plain = build("sigmoid", "kaiming")
with torch.no_grad():
    plain_h = plain[:-1](X)
assert verdict(sigmoid_ratios) == "vanishes", "still vanishing"
assert statistics.median(sigmoid_ratios) > 100 * statistics.median(ratios["sigmoid", "kaiming"])
assert statistics.median(mean_slopes) < 0.6 * float((plain_h * (1 - plain_h)).mean())
record("q2_ratio", statistics.median(sigmoid_ratios))
record("q2_slope", statistics.median(mean_slopes))
record("q2_slope_plain", float((plain_h * (1 - plain_h)).mean()))
# sphinx_gallery_end_ignore

# %%
# No: the median ratio rises to :val:`plot_06.q2_ratio:.0e`, still far below :math:`10^{-2}`.
# Larger weights push the pre-activations into the sigmoid's flat tails, where its derivative
# is small: the mean derivative in the last hidden layer falls from
# :val:`plot_06.q2_slope_plain:.2f` to :val:`plot_06.q2_slope:.2f`. The weights cannot make
# up for the sigmoid without saturating it; that is one reason why deep networks moved to ReLU
# with Kaiming weights, and to normalization layers.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 2
