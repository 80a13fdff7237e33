# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
========================================================
The notebook's L1 run: the ±ηλ floor and ‖w‖ = 0.048
========================================================

The course notebook trains with the L1 penalty at :math:`\lambda = 2` and prints
:math:`\lVert w\rVert = 0.048`. Where does that number come from? On this problem the penalized
optimum is :math:`w = 0`, yet the notebook's subgradient step never reaches it: every update
moves each weight by :math:`\eta\lambda` towards zero, so a weight near zero jumps back and forth
across it (:ref:`the previous part <sphx_glr_auto_examples_plot_08_l1_vs_l2.py>` shows the
jumps). We measure the floor that this oscillation leaves, over 20 draws of the data, and the
spread around it, which comes from large initial weights that 100 epochs of L1 steps have not
yet brought to zero. Every loss on this page is the from-scratch trainer's: the mean of
:math:`\tfrac12(\hat y - y)^2`.
"""

# %%
# The floor of the oscillation
# ----------------------------
# The notebook's run: dense truth (every weight 0.01), L1 with :math:`\lambda = 2`,
# :math:`\eta = 0.003`, batches of 5, 100 epochs, weights started from
# :math:`\mathcal N(0, 1)`. With this :math:`\lambda` the penalized optimum is :math:`w = 0`:
# that is the case exactly when the data gradient at :math:`w = 0` (with the bias fitted),
# :math:`\max_j\lvert x_{c,j}^\top y_c\rvert / n` for centred data, is at most
# :math:`\lambda`, and over the 20 draws below it is at most :val:`plot_08b.zero_optimal:.3f`.
# So every weight ends in the ±ηλ oscillation around zero.
#
# A weight that sits in that oscillation alternates between some value :math:`a \in (0,
# \eta\lambda)` and :math:`a - \eta\lambda`. With :math:`a` spread uniformly over
# :math:`(0, \eta\lambda)`, the root mean square of such a weight is :math:`\eta\lambda/\sqrt3`,
# which gives a floor of :math:`\lVert w\rVert \approx \sqrt{d/3}\,\eta\lambda` =
# :val:`plot_08b.floor:.4f` for :math:`d = 200` weights.
#
# We train data seeds 0 to 19 (``make_problem(seed=s)``), each with training seed ``s``.
# ``result.initial`` keeps the initial weights that the trainer drew.
import math

import torch

from weightdecay.data import make_problem
from weightdecay.trainer import train_scratch

lambd, eta, d = 2.0, 0.003, 200
floor = math.sqrt(d / 3) * eta * lambd
problems = [make_problem(seed=s) for s in range(20)]
runs = [train_scratch(p, lambd=lambd, penalty="l1", seed=s) for s, p in enumerate(problems)]
norms = torch.tensor([run.w_norm for run in runs])
at_floor = norms < 1.25 * floor
print(f"floor sqrt(d / 3) * eta * lambda = {floor:.4f}")
low, high = float(norms.min()), float(norms.max())
print(f"||w|| over 20 seeds: median {norms.median():.4f}, from {low:.4f} to {high:.3f}")
print(
    f"{int(at_floor.sum())} seeds at the floor (||w|| < 1.25 x floor), "
    f"{int((~at_floor).sum())} above it"
)

# sphinx_gallery_start_ignore
from recorded import record

zero_optimal = max(
    float(((p.X_train - p.X_train.mean(0)).T @ (p.y_train - p.y_train.mean())).abs().max())
    / p.n_train
    for p in problems
)
assert zero_optimal < lambd / 5, "far smaller than lambda: w = 0 is the optimum"
assert bool(((norms[at_floor] / floor - 1).abs() < 0.1).all()), "the floor within 10%"
seed0 = train_scratch(make_problem(seed=0), lambd=2.0, penalty="l1")  # plot_02's L1 run
assert runs[0].w_norm == seed0.w_norm, "seed 0 is the L1 run of plot_02"
assert not at_floor[0], "seed 0 is above the floor"
record("zero_optimal", zero_optimal)
record("floor", floor)
record("median", float(norms.median()))
record("norm_min", float(norms.min()))
record("norm_max", float(norms.max()))
record("at_floor", int(at_floor.sum()))
record("above", int((~at_floor).sum()))
record("floor_low", float(norms[at_floor].min()))
record("floor_high", float(norms[at_floor].max()))
record("seed0", runs[0].w_norm)
# sphinx_gallery_end_ignore

# %%
# :val:`plot_08b.at_floor` seeds end at the floor, with :math:`\lVert w\rVert` from
# :val:`plot_08b.floor_low:.4f` to :val:`plot_08b.floor_high:.4f`: the notebook's printed 0.048
# is a run at the floor. The other :val:`plot_08b.above` end above it, up to
# :val:`plot_08b.norm_max:.2f`. Seed 0 is one of them: its :val:`plot_08b.seed0:.3f` is the L1
# run of :ref:`sphx_glr_auto_examples_plot_02_weight_decay_scratch.py` (the same data, the same
# start and the same minibatches); the notebook's run had another start.

# %%
# How the weights at the floor are spread
# ---------------------------------------
# Inside a seed at the floor, :math:`\lvert w_i\rvert / (\eta\lambda)` should be spread over
# :math:`(0, 1)`, with mean :math:`1/2` and mean square :math:`1/3`. The histogram pools the
# weights of all seeds at the floor; the right panel shows every seed's norm.
import matplotlib.pyplot as plt

floor_seeds = at_floor.nonzero().flatten().tolist()
floor_weights = torch.cat([runs[i].w.flatten() for i in floor_seeds])
ratio = floor_weights.abs() / (eta * lambd)
print(
    f"|w_i| / (eta lambda) at the floor: mean {ratio.mean():.3f}, "
    f"mean square {ratio.pow(2).mean():.3f}"
)

fig, (ax_hist, ax_norms) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
ax_hist.hist(ratio.numpy(), bins=26, range=(0, 1.3))
ax_hist.set(xlabel=r"$|w_i|\,/\,(\eta\lambda)$ after 100 epochs", ylabel="number of weights")
ax_hist.set_title("weights of the seeds at the floor")
ax_norms.semilogy(range(20), norms.sort().values, "o", label=r"$\|w\|$ per seed, sorted")
ax_norms.axhline(floor, color="C2", ls="--", label=r"$\sqrt{d/3}\,\eta\lambda$")
ax_norms.set(xlabel="seed (sorted by final norm)", ylabel=r"$\|w\|$ after 100 epochs")
ax_norms.legend(fontsize="small")
plt.show()

# sphinx_gallery_start_ignore
assert abs(float(ratio.mean()) - 1 / 2) < 0.05, "mean 1/2"
assert abs(float(ratio.pow(2).mean()) - 1 / 3) < 0.05, "mean square 1/3"
record("above_one", float((ratio > 1).float().mean()))
# sphinx_gallery_end_ignore

# %%
# Only :val:`plot_08b.above_one:.1%` of these weights are larger than :math:`\eta\lambda`: the
# data gradient adds a little to each step, but the penalty's :math:`\pm\eta\lambda` sets the
# size of the oscillation.

# %%
# The spread: initial weights that 400 steps of ηλ cannot remove
# ---------------------------------------------------------------
# In 100 epochs of 4 updates the penalty can move a weight by at most
# :math:`400\,\eta\lambda` = :val:`plot_08b.budget:.2f` towards zero. Among 200
# :math:`\mathcal N(0, 1)` draws, a few are beyond that. The scatter plot shows every weight of
# every seed: its initial magnitude against its final one. Weights that started well below the
# line all end in the oscillation band; the weights that remain large all started close to it
# or beyond it (the smallest of their starts is :val:`plot_08b.smallest_survivor:.2f`). A large
# start is close to necessary but not sufficient: every seed has weights beyond the line (the
# largest initial magnitude of a seed is at least :val:`plot_08b.largest_start_min:.2f`), and
# most of them still reach the band, because the data gradient of the first epochs moves the
# weights too: of the :val:`plot_08b.beyond` weights that started beyond the line, only
# :val:`plot_08b.beyond_survived` ended above :math:`2\eta\lambda`. What it explains is the
# spread: a seed ends above the floor when a few of its largest initial weights are still on
# their way down.
budget = 400 * eta * lambd
initial_abs = torch.stack([run.initial[0].flatten() for run in runs]).abs()
final_abs = torch.stack([run.w.flatten() for run in runs]).abs()
survivors = final_abs > 2 * eta * lambd

fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
ax.scatter(
    initial_abs[~survivors], final_abs[~survivors], s=4, color="C7", label="ends in the band"
)
ax.scatter(
    initial_abs[survivors],
    final_abs[survivors],
    s=10,
    color="C3",
    label=r"ends above $2\eta\lambda$",
)
ax.axvline(budget, color="black", ls="--", label=r"$400\,\eta\lambda$")
ax.axhline(eta * lambd, color="C2", ls=":", label=r"$\eta\lambda$")
ax.set(yscale="log", xlabel=r"$|w_i|$ at the start ($\mathcal{N}(0, 1)$ draw)")
ax.set(ylabel=r"$|w_i|$ after 100 epochs", title=r"L1, $\lambda = 2$: 200 weights x 20 seeds")
ax.legend(fontsize="small")
plt.show()

# sphinx_gallery_start_ignore
largest_start = initial_abs.max(dim=1).values
beyond = initial_abs > budget
assert runs[0].history.num_updates == 400
assert float(initial_abs[survivors].min()) > 0.8 * budget, "the survivors started near the line"
assert float(largest_start.min()) > budget, "every seed has weights beyond the line"
assert int(survivors[beyond].sum()) < int(beyond.sum()) / 2, "most of those reach the band"
record("budget", budget)
record("smallest_survivor", float(initial_abs[survivors].min()))
record("largest_start_min", float(largest_start.min()))
record("beyond", int(beyond.sum()))
record("beyond_survived", int(survivors[beyond].sum()))
# sphinx_gallery_end_ignore

# %%
# More epochs bring every seed to the floor
# -----------------------------------------
# If that explanation is right, the seeds above the floor are merely unfinished: training them for
# 300 more epochs (from where they stopped, through ``initial=``) should bring them down to the
# floor as well.
unfinished = (~at_floor).nonzero().flatten().tolist()
more = [
    train_scratch(
        problems[i],
        lambd=lambd,
        penalty="l1",
        num_epochs=300,
        seed=i,
        initial=(runs[i].w, runs[i].b),
    ).w_norm
    for i in unfinished
]
print(f"after 400 epochs: ||w|| from {min(more):.4f} to {max(more):.4f}, floor {floor:.4f}")

# sphinx_gallery_start_ignore
assert max(more) < 1.25 * floor, "all of them at the floor now"
record("more_low", min(more))
record("more_high", max(more))
# sphinx_gallery_end_ignore

# %%
# Interpreting the results
# ------------------------
# * The notebook's :math:`\lVert w\rVert` = 0.048 is the subgradient's oscillation: at
#   :math:`\lambda = 2` the penalized optimum is :math:`w = 0`, and the weights of a converged run
#   rattle around it with a norm close to :math:`\sqrt{d/3}\,\eta\lambda` =
#   :val:`plot_08b.floor:.4f`. The floor is proportional to :math:`\eta\lambda`: it tells more
#   about the learning rate than about the model.
# * The seeds above the floor have not converged: a weight can shrink by at most
#   :math:`400\,\eta\lambda` in 100 epochs, and 300 more epochs brought every one of them to the
#   floor (:val:`plot_08b.more_low:.4f` to :val:`plot_08b.more_high:.4f`).
# * The proximal step of :func:`~weightdecay.trainer.train_scratch` (``l1_update="proximal"``)
#   lands on exact zeros instead of oscillating around them; the FAQ :ref:`faq-l1-or-l2` says
#   when L1 is the right penalty at all, and the L1 update equations are written out in
#   :ref:`explanation-exercises`.

# %%
# Try it
# ------
# **Question 1.** Take a seed at the floor and halve the learning rate, to 0.0015, with twice the
# epochs (so that the penalty can still move a weight by :math:`400 \times 0.006`). Will its
# :math:`\lVert w\rVert` stay near :val:`plot_08b.floor:.3f`, halve, or double? Write down a
# number before you open the answer.
#
# .. answer-start
s = int(at_floor.nonzero()[0])
l1 = {"lambd": lambd, "penalty": "l1", "seed": s}
slow = train_scratch(problems[s], lr=eta / 2, num_epochs=200, **l1)
print(f"seed {s}: ||w|| = {runs[s].w_norm:.4f} at lr {eta}")
print(f"seed {s}: ||w|| = {slow.w_norm:.4f} at lr {eta / 2}")

# sphinx_gallery_start_ignore
assert abs(slow.w_norm / (floor / 2) - 1) < 0.1, "the floor halves with eta"
record("q1_seed", s)
record("q1_norm", slow.w_norm)
record("q1_half_floor", floor / 2)
# sphinx_gallery_end_ignore

# %%
# It halves, to :val:`plot_08b.q1_norm:.4f` (half the floor is
# :val:`plot_08b.q1_half_floor:.4f`): the oscillation's amplitude is :math:`\eta\lambda`, so the
# floor is a property of the step size. A norm measured on a subgradient L1 run says how large
# the steps were, not what the model learned.
#
# .. answer-end

# %%
# **Question 2.** Train seed :val:`plot_08b.q1_seed` (at the floor) and seed 0 (above it) again
# with the proximal step, ``l1_update="proximal"``. How many of the 200 weights will end exactly
# at zero in each?
#
# .. answer-start
options = {"lambd": lambd, "penalty": "l1", "l1_update": "proximal"}
proximal = {i: train_scratch(problems[i], seed=i, **options) for i in (s, 0)}
for i, result in proximal.items():
    print(
        f"seed {i}: {int((result.w == 0).sum())} of 200 weights exactly zero, "
        f"||w|| = {result.w_norm:.4f}"
    )

# sphinx_gallery_start_ignore
assert int((proximal[s].w == 0).sum()) == d, "all exactly zero"
seed0_nonzero = int((proximal[0].w != 0).sum())
assert 0 < seed0_nonzero < 10, "a few weights of seed 0 are still on their way"
assert abs(proximal[0].w_norm / runs[0].w_norm - 1) < 0.25, "with about the same norm"
record("q2_seed0_nonzero", seed0_nonzero)
record("q2_seed0_norm", proximal[0].w_norm)
# sphinx_gallery_end_ignore

# %%
# At the floor, all 200: the proximal step sets every weight that comes within
# :math:`\eta\lambda` of zero exactly to zero, and the data gradient is too weak to pull it out
# again, so :math:`w = 0`, the penalized optimum. Seed 0 keeps
# :val:`plot_08b.q2_seed0_nonzero` non-zero weights, with :math:`\lVert w\rVert` =
# :val:`plot_08b.q2_seed0_norm:.3f`: its large initial weights shrink by at most
# :math:`\eta\lambda` per update with either step. The proximal step removes the floor, not the
# unfinished start.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 2
