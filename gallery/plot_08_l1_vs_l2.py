# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
"""
==================================================================
L1 versus L2: exact zeros, the ±ηλ oscillation and ‖w‖ = 0.048
==================================================================

The notebook trains its model with the L1 penalty :math:`\\lambda\\lVert w\\rVert_1` (not the
book's L2) and prints :math:`\\lVert w\\rVert = 0.048` at :math:`\\lambda = 2`. This example puts
the two penalties side by side on a problem where L1 should shine, a *sparse* truth with 10 non-zero
weights out of 200, and compares three ways of training:

* L2 (weight decay), which shrinks every weight but sets none to zero;
* L1 by its subgradient, as the notebook does: every step moves each weight by
  :math:`\\eta\\lambda` towards zero, so the weights that should be zero oscillate around zero and
  never reach it;
* L1 by a proximal step (gradient step on the data loss, then soft-thresholding), which lands on
  exact zeros.

The last two sections explain the notebook's number with measurements: the floor of the
subgradient oscillation, and the spread across 20 seeds, which comes from large initial weights
that 100 epochs of L1 steps have not yet brought to zero.
"""

# %%
# A sparse truth
# --------------
# :func:`~weightdecay.data.make_problem` with ``num_nonzero=10`` sets 10 of the 200 true weights
# to ``true_w`` and the rest to zero. We take ``true_w=1.0`` so that the coefficient plots are easy
# to read. The notebook's 20 training examples are too few to find which 10 of the 200 weights
# matter: the compressed-sensing rule of thumb asks for about :math:`2k\log(d/k)` examples
# (printed below), so we draw 50 (still fewer examples than weights).
#
# To compare *penalties* rather than optimizers, every model here starts from zero and is trained
# by full-batch gradient descent (``batch_size = n_train``, so one epoch is one update) with the
# step :math:`\eta = 1/L`, where :math:`L` is the largest eigenvalue of
# :math:`X^\top X / n`, for 2000 epochs. That brings each fit close to its exact solution:
# below, the L2 fits are compared with the closed-form ridge solution (the printed relative
# distance), and the proximal L1 fit is continued for a few updates that no longer move it.
import math

import torch

from weightdecay.data import make_problem
from weightdecay.trainer import train_scratch

problem = make_problem(num_nonzero=10, true_w=1.0, n_train=50, seed=0)
d, n = problem.num_inputs, problem.n_train
support = problem.true_w.flatten() != 0
k = int(support.sum())
X = problem.X_train.double()
lipschitz = float(torch.linalg.eigvalsh(X.T @ X / n).max())
lr = 1.0 / lipschitz
zero_start = (torch.zeros(d, 1), torch.zeros(1))
full_batch = {"lr": lr, "batch_size": n, "num_epochs": 2000, "eval_every": 2000}
print(f"{k} of {d} true weights are non-zero; 2k log(d/k) = {2 * k * math.log(d / k):.0f}")
print(f"n_train = {n}, largest eigenvalue of X'X/n = {lipschitz:.2f}, step 1/L = {lr:.4f}")

# %%
# Three fits
# ----------
# L1 uses :math:`\lambda = 0.05`. For L2 we try a few strengths and keep the one with the lowest
# test loss, which flatters L2: even so it cannot compete here. The table counts the weights that
# are *exactly* zero and those smaller than :math:`10^{-3}`, the true non-zero weights that the
# model kept, and the test loss (half squared error, as everywhere on this site), next to that of
# the zero predictor (:func:`~weightdecay.evaluate.zero_predictor_loss`: :math:`w = 0`, the mean
# training label as the bias).
lambd_l1 = 0.05
l2_runs = {
    lam: train_scratch(problem, lambd=lam, penalty="l2", initial=zero_start, **full_batch)
    for lam in (0.01, 0.1, 1.0)
}
best_l2 = min(l2_runs, key=lambda lam: l2_runs[lam].history.test_loss[-1])
print(
    "L2 test loss by lambda:",
    {lam: round(r.history.test_loss[-1], 4) for lam, r in l2_runs.items()},
)
fits = {
    f"L2, λ = {best_l2:g}": l2_runs[best_l2],
    "L1 subgradient": train_scratch(
        problem, lambd=lambd_l1, penalty="l1", initial=zero_start, **full_batch
    ),
    "L1 proximal": train_scratch(
        problem,
        lambd=lambd_l1,
        penalty="l1",
        l1_update="proximal",
        initial=zero_start,
        **full_batch,
    ),
}
from weightdecay.evaluate import zero_predictor_loss
from weightdecay.ridge import ridge_closed_form

print(f"{'fit':<22}{'exact zeros':>12}{'|w| < 1e-3':>12}{'support kept':>14}{'test loss':>11}")
for name, fit in fits.items():
    w = fit.w.flatten()
    print(
        f"{name:<22}{int((w == 0).sum()):>12}{int((w.abs() < 1e-3).sum()):>12}"
        f"{int((w[support] != 0).sum()):>11} / {k}{fit.history.test_loss[-1]:>11.4f}"
    )
zero_loss = zero_predictor_loss(problem)
print(f"{'zero predictor':<60}{zero_loss:>11.4f}")
ridge_gap = max(
    float(
        (run.w - ridge_closed_form(problem.X_train, problem.y_train, lam)[0]).norm() / run.w.norm()
    )
    for lam, run in l2_runs.items()
)
print(f"L2 fits against the closed-form ridge solution: largest relative distance {ridge_gap:.1e}")
# The prose relies on these.
l1_fits = [fits["L1 subgradient"], fits["L1 proximal"]]
assert ridge_gap < 1e-2  # the L2 fits are within 1% of the exact solution
assert all(int((fit.w.flatten()[support] != 0).sum()) == k for fit in l1_fits)
assert all(
    fit.history.test_loss[-1] < 0.1 * l2_runs[best_l2].history.test_loss[-1] for fit in l1_fits
)
assert int((fits["L1 subgradient"].w == 0).sum()) == 0
assert int((fits["L1 proximal"].w == 0).sum()) > d / 2

# %%
# The coefficients against the truth
# ----------------------------------
# Grey stems are the true weights, dots the learned ones. L2 spreads the signal over all 200
# weights; both L1 fits find the 10 true weights, but only the proximal one has exact zeros
# elsewhere (drawn as hollow circles on the axis).
import matplotlib.pyplot as plt

fig, axes = plt.subplots(3, 1, figsize=(8, 7), sharex=True, sharey=True)
index = torch.arange(d)
for ax, (name, fit) in zip(axes, fits.items(), strict=True):
    w = fit.w.flatten()
    markers, stems, base = ax.stem(index, problem.true_w.flatten(), linefmt="C7-", markerfmt=" ")
    stems.set_linewidth(1.0)
    base.set_visible(False)
    nonzero = w != 0
    ax.plot(index[nonzero], w[nonzero], "o", ms=3, color="C0", label="learned, non-zero")
    ax.plot(index[~nonzero], w[~nonzero], "o", ms=4, mfc="none", color="C3", label="exactly 0")
    ax.axhline(0.0, color="black", lw=0.5)
    ax.set_title(name)
    ax.set_ylabel("weight")
axes[-1].set_xlabel("feature index")
axes[0].plot([], [], color="C7", label="true weight")
axes[0].legend(loc="upper right", fontsize="small")
fig.tight_layout()


# %%
# Subgradient L1 oscillates, the proximal step lands on zero
# ----------------------------------------------------------
# To see single updates we continue both L1 fits from their final weights for a few more updates,
# one call to :func:`~weightdecay.trainer.train_scratch` per update: ``num_epochs=1`` with the
# full batch is exactly one update, and ``initial=`` hands over the weights and bias. (Each call
# restarts its minibatch stream from ``seed``, which is harmless here because the only batch is the
# whole training set.)
#
# On the weights whose true value is zero, the subgradient step
# :math:`w \leftarrow w - \eta\lambda\,\mathrm{sign}(w) - \eta g` keeps crossing zero: each
# update moves such a weight by :math:`\eta\lambda` plus the data part :math:`\eta g`, which at
# the Lasso solution is at most :math:`\eta\lambda` in size and pulls the same way each time,
# so the weight overshoots zero, gets pushed back, and overshoots again. The proximal step first
# takes :math:`w - \eta g` and then soft-thresholds by :math:`\eta\lambda`: anything smaller
# than that becomes exactly zero, and stays there. The plots show four such weights in units of
# :math:`\eta\lambda`.
def continue_updates(fit, num_updates, **kwargs):
    """Weights after each of ``num_updates`` further full-batch updates, as (num_updates + 1, d)."""
    w, b = fit.w, fit.b
    path = [w.flatten()]
    for _ in range(num_updates):
        step = train_scratch(
            problem, lambd=lambd_l1, penalty="l1", initial=(w, b), **kwargs, **one_update
        )
        w, b = step.w, step.b
        path.append(w.flatten())
    return torch.stack(path)


one_update = {"lr": lr, "batch_size": n, "num_epochs": 1, "eval_every": 1}
num_updates = 30
subgradient_path = continue_updates(fits["L1 subgradient"], num_updates)
proximal_path = continue_updates(fits["L1 proximal"], num_updates, l1_update="proximal")
step = lr * lambd_l1
null = (~support).nonzero().flatten()
lasso_zero = (~support) & (fits["L1 proximal"].w.flatten() == 0)
jumps = subgradient_path[1:, null] - subgradient_path[:-1, null]
flips = (torch.sign(subgradient_path[1:, null]) != torch.sign(subgradient_path[:-1, null])).float()
print(f"eta * lambda = {step:.5f}")
print(
    f"subgradient, zero-truth weights: median |jump| / (eta lambda) = "
    f"{float((jumps.abs() / step).median()):.3f}, sign flips in "
    f"{float(flips.mean()):.1%} of the updates, exact zeros: {int((subgradient_path == 0).sum())}"
)
proximal_drift = float((proximal_path - proximal_path[0]).abs().max())
print(f"proximal: largest change of a weight over the {num_updates} updates: {proximal_drift:.1e}")
# The prose relies on these: the subgradient weights keep crossing zero, by about eta lambda,
# and the proximal fit has converged, its zeros staying exactly zero.
assert float(flips.mean()) > 0.3
assert 0.5 < float((jumps.abs() / step).median()) < 2
assert int((subgradient_path == 0).sum()) == 0
assert bool((proximal_path[:, lasso_zero] == 0).all())
assert proximal_drift < 1e-3 * step
print(
    "proximal, zero-truth weights exactly 0 at every one of the updates: "
    f"{int((proximal_path[:, null] == 0).all(0).sum())} of {null.numel()} "
    f"(the others are small non-zero weights of the L1 solution itself: "
    f"{int((~support & (fits['L1 proximal'].w.flatten() != 0)).sum())})"
)

fig, (ax_sub, ax_prox) = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
shown = lasso_zero.nonzero().flatten()[:4]
for j, coordinate in enumerate(shown.tolist()):
    ax_sub.plot(
        subgradient_path[:, coordinate] / step, "o-", ms=3, color=f"C{j}", label=f"w[{coordinate}]"
    )
    ax_prox.plot(proximal_path[:, coordinate] / step, "o-", ms=3, color=f"C{j}")
for ax, title in ((ax_sub, "L1 subgradient"), (ax_prox, "L1 proximal")):
    ax.axhline(0.0, color="black", lw=0.5)
    ax.set_title(title)
    ax.set_xlabel("further update")
ax_sub.set_ylabel(r"$w_j\,/\,(\eta\lambda)$")
ax_sub.legend(fontsize="small", title="true weight 0")
fig.tight_layout()

# %%
# The notebook's ‖w‖ = 0.048: the floor of the oscillation
# --------------------------------------------------------
# Back to the notebook's run: dense truth (every weight 0.01), L1 with :math:`\lambda = 2`,
# :math:`\eta = 0.003`, batches of 5, 100 epochs, weights started from :math:`\mathcal N(0, 1)`. With
# this :math:`\lambda` the penalized optimum is :math:`w = 0`: that is the case exactly when the
# data gradient at :math:`w = 0` (with the bias fitted), :math:`\max_j\lvert x_{c,j}^\top
# y_c\rvert / n` for centred data, is at most :math:`\lambda`, and it is far smaller (the largest
# value over the 20 seeds is printed). So every weight ends in the ±ηλ oscillation around zero.
#
# A weight that sits in that oscillation alternates between some value :math:`a \in (0,
# \eta\lambda)` and :math:`a - \eta\lambda`, so its magnitude is on average :math:`\eta\lambda/2`;
# if every weight had exactly that magnitude, :math:`\lVert w\rVert = \sqrt d\,\eta\lambda/2`. With
# :math:`a` spread uniformly over :math:`(0, \eta\lambda)` the root mean square is
# :math:`\eta\lambda/\sqrt3`, which gives the slightly larger floor
# :math:`\sqrt{d/3}\,\eta\lambda`. Both are printed below.
#
# We train data seeds 0 to 19 (``make_problem(seed=s)``) with training seed ``s``. So that we can
# look at the initial weights afterwards, we draw them ourselves, as the trainer would, with
# :func:`~weightdecay.model.init_params` from a generator seeded with ``s``, and pass them as
# ``initial=``.
from weightdecay.model import init_params

lambd, eta, epochs, batch = 2.0, 0.003, 100, 5
dense = [make_problem(seed=s) for s in range(20)]
num_steps = epochs * math.ceil(dense[0].n_train / batch)
eta_lambda = eta * lambd
floor_half = math.sqrt(d) * eta_lambda / 2
floor_uniform = math.sqrt(d / 3) * eta_lambda
starts, runs = [], []
for s, dense_problem in enumerate(dense):
    w0, b0 = init_params(d, generator=torch.Generator().manual_seed(s))
    starts.append(w0.detach())
    runs.append(
        train_scratch(
            dense_problem,
            lambd=lambd,
            penalty="l1",
            lr=eta,
            batch_size=batch,
            num_epochs=epochs,
            seed=s,
            initial=(w0.detach(), b0.detach()),
        )
    )
norms = torch.tensor([run.w_norm for run in runs])
zero_is_optimal = max(
    float(
        ((p.X_train - p.X_train.mean(0)).T @ (p.y_train - p.y_train.mean())).abs().max() / p.n_train
    )
    for p in dense
)
print(f"largest data gradient at w = 0 over the seeds: {zero_is_optimal:.3f} (lambda = {lambd:g})")
assert zero_is_optimal < lambd / 5  # far smaller than lambda: w = 0 is the optimum
at_floor = norms < 1.25 * floor_uniform
print(f"eta * lambda = {eta_lambda:.4f}; {num_steps} updates; d = {d}")
print(f"floor sqrt(d) * eta * lambda / 2 = {floor_half:.4f}")
print(f"floor sqrt(d / 3) * eta * lambda = {floor_uniform:.4f}")
print(
    f"||w|| over 20 seeds: median {float(norms.median()):.4f}, "
    f"min {float(norms.min()):.4f}, max {float(norms.max()):.4f}"
)
print(
    f"{int(at_floor.sum())} seeds at the floor (||w|| < 1.25 x floor): ||w|| from "
    f"{float(norms[at_floor].min()):.4f} to {float(norms[at_floor].max()):.4f}; "
    f"{int((~at_floor).sum())} seeds above it, from {float(norms[~at_floor].min()):.3f} "
    f"to {float(norms[~at_floor].max()):.3f}"
)
# "A norm close to sqrt(d/3) eta lambda": the seeds at the floor are within 10% of it.
assert bool(((norms[at_floor] / floor_uniform - 1).abs() < 0.1).all())

# %%
# How the weights at the floor are spread
# ---------------------------------------
# Inside a seed at the floor, :math:`\lvert w_i\rvert / (\eta\lambda)` should be spread over
# :math:`(0, 1)`, with mean :math:`1/2` and mean square :math:`1/3`. The histogram pools the
# weights of all seeds at the floor.
floor_weights = torch.cat([runs[i].w.flatten() for i in at_floor.nonzero().flatten().tolist()])
ratio = floor_weights.abs() / eta_lambda
print(
    f"|w_i| / (eta lambda) at the floor: mean {float(ratio.mean()):.3f}, "
    f"mean square {float(ratio.pow(2).mean()):.3f}, share above 1: {float((ratio > 1).float().mean()):.1%}"
)
assert abs(float(ratio.mean()) - 1 / 2) < 0.05
assert abs(float(ratio.pow(2).mean()) - 1 / 3) < 0.05

fig, (ax_hist, ax_norms) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_hist.hist(ratio.numpy(), bins=26, range=(0, 1.3), color="C0")
ax_hist.set_xlabel(r"$|w_i|\,/\,(\eta\lambda)$ after 100 epochs")
ax_hist.set_ylabel("number of weights")
ax_hist.set_title("weights of the seeds at the floor")
order = torch.argsort(norms)
ax_norms.semilogy(range(20), norms[order], "o", color="C0", label=r"$\|w\|$ per seed, sorted")
ax_norms.axhline(floor_uniform, color="C2", ls="--", label=r"$\sqrt{d/3}\,\eta\lambda$")
ax_norms.axhline(floor_half, color="C1", ls=":", label=r"$\sqrt{d}\,\eta\lambda/2$")
ax_norms.set_xlabel("seed (sorted by final norm)")
ax_norms.set_ylabel(r"$\|w\|$ after 100 epochs")
ax_norms.legend(fontsize="small")
fig.tight_layout()

# %%
# The spread: initial weights that 400 steps of ηλ cannot remove
# ---------------------------------------------------------------
# In 100 epochs of 4 updates the penalty can move a weight by at most
# :math:`400\,\eta\lambda` (printed below) towards zero. A :math:`\mathcal N(0, 1)` start has,
# among 200 weights, a few beyond that. The scatter plot shows every weight of every seed: its
# initial magnitude against its final one. Weights that started well below the line all end in the
# oscillation band; the weights that remain large all started close to it or beyond it (the
# smallest such start is printed). A large start is close to necessary but not sufficient: every
# seed has weights beyond the line (the largest initial magnitude of each seed is printed), and
# most of those weights still reach the band, because the data gradient of the first epochs moves
# the weights too. What it explains is the spread: a seed ends above the floor when a few of its
# largest initial weights are still on their way down.
budget = num_steps * eta_lambda
initial_abs = torch.stack([w0.flatten() for w0 in starts]).abs()
final_abs = torch.stack([run.w.flatten() for run in runs]).abs()
survivors = final_abs > 2 * eta_lambda
largest_start = initial_abs.max(1).values
print(f"largest possible L1 shrinkage in {num_steps} updates: {budget:.2f}")
print(
    f"largest |initial w| per seed: from {float(largest_start.min()):.2f} to {float(largest_start.max()):.2f}"
)
print(
    f"weights with |w| > 2 eta lambda after training: {int(survivors.sum())} of {survivors.numel()}; "
    f"smallest |initial w| among them: {float(initial_abs[survivors].min()):.2f}"
)
print(
    f"weights that started beyond {budget:.2f}: {int((initial_abs > budget).sum())}, "
    f"of which still > 2 eta lambda: {int(survivors[initial_abs > budget].sum())}"
)
print(
    "seeds above the floor: largest |initial w| "
    + ", ".join(f"{float(v):.2f}" for v in largest_start[~at_floor])
)
# The prose relies on these: the survivors started close to the line or beyond it, every seed
# has weights beyond it, and most of those still reach the band.
assert float(initial_abs[survivors].min()) > 0.8 * budget
assert float(largest_start.min()) > budget
assert int(survivors[initial_abs > budget].sum()) < int((initial_abs > budget).sum()) / 2

# %%
# More epochs bring every seed to the floor
# -----------------------------------------
# If that explanation is right, the seeds above the floor are merely unfinished: training them for
# 300 more epochs (from where they stopped, through ``initial=``) should bring them down to the
# floor as well.
more = {
    i: train_scratch(
        dense[i],
        lambd=lambd,
        penalty="l1",
        lr=eta,
        batch_size=batch,
        num_epochs=300,
        seed=i,
        initial=(runs[i].w, runs[i].b),
    ).w_norm
    for i in (~at_floor).nonzero().flatten().tolist()
}
print(
    "seeds above the floor after 400 epochs in all: ||w|| from "
    f"{min(more.values()):.4f} to {max(more.values()):.4f} (floor {floor_uniform:.4f})"
)
assert max(more.values()) < 1.25 * floor_uniform  # all of them at the floor now

fig, ax = plt.subplots(figsize=(7, 4.2))
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
ax.axhline(eta_lambda, color="C2", ls=":", label=r"$\eta\lambda$")
ax.set_yscale("log")
ax.set_xlabel(r"$|w_i|$ at the start ($\mathcal{N}(0, 1)$ draw)")
ax.set_ylabel(r"$|w_i|$ after 100 epochs")
ax.set_title(r"L1, $\lambda = 2$: all 200 weights of 20 seeds")
ax.legend(fontsize="small")
fig.tight_layout()

# %%
# Interpreting the results
# ------------------------
# * On a sparse truth both L1 fits find the true weights and beat the best L2 fit by far in test
#   loss (the table above). The reason is the kink of :math:`\lvert w\rvert` at zero: a weight
#   whose data pull is weaker than :math:`\lambda` is held at zero, so the fit spends its
#   weights on the few features that matter. It is not that the Laplace prior of the Bayesian
#   view expects sparse weights: its draws are never exactly zero (see :ref:`explanation-bayesian`).
# * Only the proximal step of :func:`weightdecay.trainer.train_scratch`
#   (``l1_update="proximal"``, which applies :func:`weightdecay.penalty.soft_threshold`) gives
#   exact zeros. The subgradient step, the notebook's, keeps jumping across zero by about
#   :math:`\eta\lambda`; its "small" weights are an oscillation, not a solution.
# * The notebook's :math:`\lVert w\rVert = 0.048` is that oscillation: at :math:`\lambda = 2` the
#   penalized optimum is :math:`w = 0`, and the weights of a converged run rattle around it with
#   a norm close to :math:`\sqrt{d/3}\,\eta\lambda` (compare the printed floors and the printed
#   norms of the seeds at the floor). The floor is proportional to :math:`\eta\lambda`: it
#   tells more about the learning rate than about the model.
# * The seeds above the floor have not converged: a weight can shrink by at most
#   :math:`400\,\eta\lambda` in 100 epochs, and the printed continuation shows them reaching the
#   floor with more epochs.
# * :class:`weightdecay.penalty.ElasticNet` mixes the two penalties; the L1 update equations are
#   written out in :ref:`explanation-exercises`.

# sphinx_gallery_thumbnail_number = 1
