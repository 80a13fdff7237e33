# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
===========================
Where NaN and Inf come from
===========================

The course notebook answers "NaN is W divided by 0, Inf is weights too large". On the notebook's
own linear regression we watch what really happens when the learning rate is too large. Each
step multiplies the error along the sharpest direction of the loss by a factor larger than 1 in
absolute value, so the weights grow geometrically, until squaring a residual overflows float32
and the loss becomes ``inf``. NaN comes later, from arithmetic on infinities (``inf - inf``
inside a matrix product), or at once from a NaN in the data. We find the largest stable
learning rate of this data set and relate it to the curvature :math:`2/L`, trace the first Inf
and the first NaN to the operations that made them, and try the fixes: a smaller learning rate,
gradient clipping and input validation.
"""

# %%
# A learning-rate sweep
# ---------------------
# We train the from-scratch model of :func:`~weightdecay.trainer.train_scratch` (no penalty,
# 100 epochs, batches of 5) with learning rates from well below to well above the notebook's
# 0.003, all from the same initial weights and on the same minibatches. With
# ``on_divergence="stop"`` a run that stops being finite is not an error: the trainer returns
# the history up to the failure and a :class:`~weightdecay.results.Divergence` record. The
# table lists every run.
import torch

from weightdecay.data import make_problem
from weightdecay.trainer import train_scratch

problem = make_problem(seed=0)
X, y = problem.X_train, problem.y_train
w0 = torch.randn(problem.num_inputs, 1, generator=torch.Generator().manual_seed(0))
b0 = torch.zeros(1)


def half_mse(w, b):
    """The trainer's loss on the whole training set: the mean of (x.w + b - y)^2 / 2."""
    return float(((X @ w + b - y) ** 2).mean() / 2)


def train(lr, **options):
    """One run of the sweep: same data, initial weights and batches; stop at divergence."""
    return train_scratch(problem, lr=lr, initial=(w0, b0), on_divergence="stop", **options)


initial_loss = half_mse(w0, b0)
lrs = torch.logspace(-3, 0, 22).tolist()
sweep = {lr: train(lr) for lr in lrs}
print(f"train loss of the initial weights: {initial_loss:.1f}")
print(f"{'lr':>8}  {'train loss':>10}  outcome")
for lr, result in sweep.items():
    d = result.divergence
    if d is None:
        print(f"{lr:>8.4f}  {result.history.train_loss[-1]:>10.3g}  after 100 epochs")
    else:
        print(
            f"{lr:>8.4f}  {d.last_finite_loss:>10.3g}  last finite minibatch loss; "
            f"diverged at epoch {d.epoch}, update {d.step}"
        )

# %%
# The largest stable learning rate
# --------------------------------
# "Stable" needs a definition that a finite run can check: we call a learning rate stable when
# the run did not diverge and its training loss after 100 epochs is below the loss at the first
# evaluation (epoch 5). Between the last stable and the first unstable rate of the sweep we
# bisect (on a log scale) to locate the threshold.
import math


def is_stable(result):
    """Did the run stay finite and end with a lower training loss than at its first evaluation?"""
    return not result.diverged and result.history.train_loss[-1] < result.history.train_loss[0]


stable_lrs = [lr for lr, result in sweep.items() if is_stable(result)]
low = max(stable_lrs)
assert stable_lrs == [lr for lr in lrs if lr <= low], "stability is not monotone in lr"
high = min(lr for lr in lrs if lr > low)
for _ in range(8):
    middle = math.sqrt(low * high)
    low, high = (middle, high) if is_stable(train(middle)) else (low, middle)
lr_star = low
print(f"stable learning rates in the sweep: {min(stable_lrs):.4f} ... {max(stable_lrs):.4f}")
print(f"threshold: stable at lr = {low:.5f}, unstable at lr = {high:.5f}")

# %%
# The threshold and the curvature :math:`2/L`
# -------------------------------------------
# For a quadratic loss with Hessian :math:`H`, one gradient step maps the error :math:`e` to
# :math:`(I - \eta H)e`; the component along the top eigenvector is multiplied by
# :math:`1 - \eta L` with :math:`L = \lambda_{\max}(H)`, which is larger than 1 in absolute value
# exactly when :math:`\eta > 2/L`. For our loss the Hessian of a batch :math:`B` is
# :math:`\tilde X_B^\top \tilde X_B / |B|`, where :math:`\tilde X` is :math:`X` with a column of
# ones for the bias. Which :math:`L`? Full-batch gradient descent sees the whole training set;
# SGD sees one batch of 5 at a time. We compute :math:`L` for the full batch and for every one
# of the :math:`\binom{20}{5}` batches the shuffling can produce.
import itertools

Xt = torch.cat([X, torch.ones(problem.n_train, 1)], dim=1)
L_full = float(torch.linalg.eigvalsh(Xt.T @ Xt / problem.n_train)[-1])
batches = torch.tensor(list(itertools.combinations(range(problem.n_train), 5)))
# The non-zero eigenvalues of X_B^T X_B / |B| are those of the small matrix X_B X_B^T / |B|.
L_batch = torch.linalg.eigvalsh(Xt[batches] @ Xt[batches].mT / 5)[:, -1]
row_sq = X.pow(2).sum(1)
unit_rows = X / X.norm(dim=1, keepdim=True)
cosines = (unit_rows @ unit_rows.T - torch.eye(problem.n_train)).abs()

print(f"number of possible batches: {len(batches)}")
print(f"L of the full batch:         {L_full:6.2f}   2/L = {2 / L_full:.4f}")
print(
    f"L of a batch of 5: smallest {float(L_batch.min()):.2f}, "
    f"median {float(L_batch.median()):.2f}, largest {float(L_batch.max()):.2f}"
)
print(f"2/L of the worst batch:      {2 / float(L_batch.max()):.4f}")
print(f"2/L of the median batch:     {2 / float(L_batch.median()):.4f}")
print(f"2/L of the best batch:       {2 / float(L_batch.min()):.4f}")
print(f"measured threshold:          {lr_star:.4f}")
print(f"measured threshold / (2/L of the full batch): {lr_star / (2 / L_full):.2f}")
print(
    f"||x_i||^2 / |B|: mean {float(row_sq.mean()) / 5:.2f}, largest {float(row_sq.max()) / 5:.2f}"
)
print(f"largest |cos| of the angle between two training examples: {float(cosines.max()):.2f}")
assert 2 / float(L_batch.max()) < lr_star < 0.6 * (2 / L_full)  # well below the full batch's
assert float(cosines.max()) < 0.5  # nearly orthogonal rows
assert 2 / float(L_batch.median()) < lr_star < 2 / float(L_batch.min())

# %%
# Why the gap
# ~~~~~~~~~~~
# The full-batch :math:`2/L` is far too optimistic for SGD (the printed ratio). With 200
# features and 20 examples the rows of :math:`X` are nearly orthogonal (the printed largest
# cosine), so a batch's Hessian acts on the span of its own 5 rows with eigenvalues of the order
# of :math:`\lVert x_i\rVert^2/|B|` (printed above), while the full batch divides the same
# :math:`\lVert x_i\rVert^2` by 20. A smaller batch means a sharper loss for each step.
#
# The threshold is, however, *above* :math:`2/L` of the worst batch. That value is a sufficient
# condition: below it no step stretches any direction, whatever batch comes. Above it some
# steps stretch some directions, but the next batches, drawn afresh each epoch, shrink them
# again; the run diverges only when the stretching wins on average over the sequence of batches
# (a product of random matrices). The measured threshold falls between :math:`2/L` of the
# median and of the best batch. There is no simple closed form for it; the sweep measures it,
# for this data and this seed, and the curvature bounds it.
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
finite = [(lr, r.history.train_loss[-1]) for lr, r in sweep.items() if not r.diverged]
stopped = [(lr, r.divergence.last_finite_loss) for lr, r in sweep.items() if r.diverged]
ax.plot(*zip(*finite, strict=True), "o-", color="C0", label="after 100 epochs")
ax.plot(
    *zip(*stopped, strict=True), "x", ms=9, color="C3", label="diverged: last finite minibatch loss"
)
ax.axhline(initial_loss, color="gray", lw=0.8, ls=":", label="initial loss")
marks = {
    r"$2/L$, full batch": (2 / L_full, "C2"),
    r"$2/L$, worst batch of 5": (2 / float(L_batch.max()), "C1"),
    r"$2/L$, best batch of 5": (2 / float(L_batch.min()), "C4"),
    "measured threshold": (lr_star, "k"),
}
for label, (value, color) in marks.items():
    ax.axvline(value, color=color, ls="--" if color != "k" else "-", lw=1.2, label=label)
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("learning rate")
ax.set_ylabel("train loss")
ax.set_title("Learning-rate sweep: the loss explodes past the threshold")
ax.legend(fontsize="small", loc="upper left")
plt.show()

# %%
# The weights grow geometrically
# ------------------------------
# Now one unstable run, at ``lr = 0.1``. Its weights grow by a roughly constant factor per
# update (the printed growth factor), a straight line on a log axis, until the loss is no longer
# representable. To get the norm of the weights after every epoch we
# re-run the same training cut after 1, 2, 3, ... epochs (up to two epochs before the failure):
# the same seed replays the same minibatches, so each cut run is a prefix of the full one.
from weightdecay.results import DivergenceError

lr_bad = 0.1
bad = train(lr_bad)
d = bad.divergence
print(
    f"lr = {lr_bad}: stopped at epoch {d.epoch}, update {d.step}; first non-finite: "
    f"the {d.quantity} ({d.value})"
)
print(f"last finite minibatch loss: {d.last_finite_loss:.3g};  largest |w|: {d.max_abs_w:.3g}")
assert d.quantity == "loss"  # the loss overflows while the weights are still finite
try:
    train_scratch(problem, lr=lr_bad, initial=(w0, b0))
except DivergenceError as error:
    print(f"with on_divergence='raise' (the default): {type(error).__name__}: {error}")

prefixes = [train(lr_bad, num_epochs=k) for k in range(1, d.epoch - 1)]
assert not any(r.diverged for r in prefixes)
w_norms = [float(w0.norm())] + [r.w_norm for r in prefixes]
updates = [0] + [r.history.num_updates for r in prefixes]
half = len(w_norms) // 2
growth = (w_norms[-1] / w_norms[half]) ** (1 / (updates[-1] - updates[half]))
print(f"||w|| after {updates[-1]} updates: {w_norms[-1]:.3g} (initially {w_norms[0]:.2f})")
print(f"growth factor of ||w|| per update over the second half: {growth:.3f}")
# "A roughly constant factor": the last quarter of the updates grows at the same rate.
quarter = 3 * len(w_norms) // 4
late = (w_norms[-1] / w_norms[quarter]) ** (1 / (updates[-1] - updates[quarter]))
assert abs(late / growth - 1) < 0.05
n0 = bad.history.num_updates  # the updates behind the last finite weights, bad.w
print(f"the trainer returned the weights after update {n0}, the last finite ones")

# %%
# What happens after the guard
# ----------------------------
# The trainer stops at the first value that is not finite: here the loss, whose squares overflow
# while the weights are still finite. The notebook's loop has no guard and keeps going. We do
# the same, by hand: starting from the last finite weights that the trainer returned, we apply
# the same closed-form update (the one :func:`~weightdecay.trainer.train_scratch` computes) on
# freshly shuffled batches, keep every intermediate result, and record the first operation that
# returns an ``inf`` and the first that returns a ``nan``. Nothing checks for NaN in between,
# exactly as in the notebook.
from weightdecay.data import batch_indices


def unguarded_step(w, b, idx, lr):
    """One SGD step on the batch ``idx``, every intermediate result kept, in order."""
    Xb, yb = X[idx], y[idx]
    ops = {}
    ops["X_B @ w"] = Xb @ w
    ops["+ b - y (residual r)"] = ops["X_B @ w"] + b - yb
    r = ops["+ b - y (residual r)"]
    ops["r ** 2"] = r**2
    ops["mean / 2 (loss)"] = ops["r ** 2"].mean() / 2
    ops["X_B.T @ r"] = Xb.T @ r
    ops["/ |B| (gradient)"] = ops["X_B.T @ r"] / len(idx)
    ops["w - lr * gradient"] = w - lr * ops["/ |B| (gradient)"]
    ops["b - lr * mean(r)"] = b - lr * r.mean(0)
    return ops


def continue_unguarded(w, b, lr, seed, max_updates=1000):
    """Keep updating past the guard; return the trajectory and where inf and nan first appear."""
    gen = torch.Generator().manual_seed(seed)
    first = {}
    max_abs, norms = [], []
    for t in range(max_updates):
        if t % (problem.n_train // 5) == 0:
            batch_iter = iter(batch_indices(problem.n_train, 5, generator=gen))
        idx = next(batch_iter)
        ops = unguarded_step(w, b, idx, lr)
        for name, value in ops.items():
            for kind, test in (("inf", torch.isinf), ("nan", torch.isnan)):
                if kind not in first and bool(test(value).any()):
                    first[kind] = (t, name, idx, w, b, ops)
        w, b = ops["w - lr * gradient"], ops["b - lr * mean(r)"]
        max_abs.append(float(w.abs().max()))
        norms.append(float(w.double().norm()))
        if "grad inf" not in first and bool(torch.isinf(ops["/ |B| (gradient)"]).any()):
            first["grad inf"] = (t, "/ |B| (gradient)", idx, w, b, ops)
        if "w inf" not in first and bool(torch.isinf(w).any()):
            first["w inf"] = (t, "w - lr * gradient", idx, w, b, ops)
        if "nan" in first:
            break
    return max_abs, norms, first


# %%
# The first NaN comes from Inf - Inf inside a matrix product
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
# For the operation that produced the first NaN, we take one NaN entry and list the terms of
# the sum that computed it (a matrix product sums products of a row and a column): how many are
# ``+inf``, how many ``-inf``, how many already NaN. We repeat the continuation with five
# different batch orders. The table also gives the updates at which the gradient and the weights
# first hold an infinity, and counts the NaN weights after the update that made the first NaN.
def nan_terms(name, idx, w, ops):
    """The products summed into the first NaN entry of a matrix-product operation."""
    Xb = X[idx]
    if name == "X_B @ w":
        i = int(torch.isnan(ops[name]).nonzero()[0, 0])
        return Xb[i] * w[:, 0]
    r = ops["+ b - y (residual r)"]
    j = int(torch.isnan(ops[name]).nonzero()[0, 0])
    return Xb[:, j] * r[:, 0]


print(
    f"{'order':>5}  {'first inf (update, op)':<34}{'grad inf':>9}{'w inf':>7}  "
    "first nan (update, op)"
)
continuations, continuations_norms = {}, {}
for seed in range(5):
    max_abs, norms, first = continue_unguarded(bad.w, bad.b, lr_bad, seed)
    continuations[seed], continuations_norms[seed] = (max_abs, first), norms
    t_inf, op_inf = first["inf"][:2]
    t_nan, op_nan, idx, w_at, _, ops = first["nan"]
    terms = nan_terms(op_nan, idx, w_at, ops) if op_nan in ("X_B @ w", "X_B.T @ r") else None
    # Update t of the continuation is update n0 + 1 + t of the run.
    t_grad, t_w = first["grad inf"][0], first["w inf"][0]
    nan_weights = int(ops["w - lr * gradient"].isnan().sum())
    print(
        f"{seed:>5}  {n0 + 1 + t_inf:>6}, {op_inf:<26}{n0 + 1 + t_grad:>9}{n0 + 1 + t_w:>7}  "
        f"{n0 + 1 + t_nan:>6}, {op_nan}"
    )
    print(
        f"{'':>7}terms of the NaN entry: {int((terms == math.inf).sum())} are +inf, "
        f"{int((terms == -math.inf).sum())} are -inf, {int(terms.isnan().sum())} NaN, "
        f"{int(terms.isfinite().sum())} finite; NaN weights after that update: "
        f"{nan_weights} of {problem.num_inputs}"
    )
    # The prose relies on these: the loss overflows first, the weights much later (in the
    # run's count of updates), and a matrix product's inf - inf makes the first NaN, which the
    # same update spreads to every weight.
    assert op_inf == "r ** 2"
    assert t_inf <= t_grad <= t_w
    assert n0 + 1 + t_w > 1.5 * (n0 + 1 + t_inf)
    assert terms is not None, f"the first NaN came from {op_nan}, not a matrix product"
    assert bool((terms == math.inf).any() and (terms == -math.inf).any())
    assert nan_weights == problem.num_inputs

# %%
# The whole story on one axis
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~
# The norm :math:`\lVert w\rVert` and the largest entry :math:`\max_i |w_i|` after each update,
# for the trainer's run (one point per epoch, from the cut runs) and for the first unguarded
# continuation (its norm computed in float64, so that the norm itself does not overflow first),
# with the first Inf of the loss (where the trainer stopped), the first infinite weight and the
# first NaN. An entry overflows when it crosses the largest float32.
max_abs, first = continuations[0]
norms_after = continuations_norms[0]
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
ax.plot(updates, w_norms, "o", ms=4, color="C0", label=r"trainer, $\|w\|$ (per epoch)")
ax.plot(
    updates,
    [float(w0.abs().max())] + [float(r.w.abs().max()) for r in prefixes],
    "s",
    ms=3,
    mfc="none",
    color="C0",
    label=r"trainer, $\max_i |w_i|$",
)
steps_after = [n0 + 1 + t for t in range(len(max_abs))]
for values, style, label in (
    (norms_after, "-", r"unguarded continuation, $\|w\|$"),
    (max_abs, "--", r"unguarded continuation, $\max_i |w_i|$"),
):
    finite_part = [(s, v) for s, v in zip(steps_after, values, strict=True) if math.isfinite(v)]
    ax.plot(*zip(*finite_part, strict=True), style, color="C1", label=label)
ax.axhline(torch.finfo(torch.float32).max, color="gray", ls=":", label="float32 max")
ax.axvline(n0 + 1, color="C3", ls="--", label="loss is inf: the trainer stops")
ax.axvline(n0 + 1 + first["w inf"][0], color="C4", ls="--", label="first infinite weight")
ax.axvline(n0 + 1 + first["nan"][0], color="k", ls="-", label="first NaN")
ax.set_yscale("log")
ax.set_xlabel("update")
ax.set_ylabel("size of the weights")
ax.set_title(f"lr = {lr_bad}: geometric growth, overflow, then NaN")
ax.legend(fontsize="small", loc="lower right")
plt.show()

# %%
# Overflow and the arithmetic of infinities
# -----------------------------------------
# The same facts with single numbers. float32 cannot hold a number above
# ``torch.finfo(torch.float32).max``, so a square overflows as soon as its base exceeds the
# square root of that. Infinities then propagate through ``+`` and ``*``, but ``inf - inf``,
# ``0 * inf``, ``inf / inf`` and ``0 / 0`` have no meaningful value and give NaN; so do
# ``log`` and ``sqrt`` of a negative number and almost any operation with a NaN. Division of a
# non-zero number by zero gives an infinity, not NaN, and so does ``log(0)``.
big = torch.finfo(torch.float32).max
print(f"float32 max: {big:.4g};  its square root: {math.sqrt(big):.4g}")
print(f"last finite minibatch loss of the run: {d.last_finite_loss:.4g}")
inf = torch.tensor(math.inf)
zero = torch.tensor(0.0)
one = torch.tensor(1.0)
examples = {
    "torch.tensor(2e19) ** 2": torch.tensor(2e19) ** 2,
    "torch.tensor(3e38) * 2": torch.tensor(3e38) * 2,
    "1 / 0": one / zero,
    "inf + inf": inf + inf,
    "inf * -1": inf * -1,
    "1 / inf": one / inf,
    "inf - inf": inf - inf,
    "0 * inf": zero * inf,
    "inf / inf": inf / inf,
    "0 / 0": zero / zero,
    "log(0)": torch.log(zero),
    "log(-1)": torch.log(-one),
    "sqrt(-1)": torch.sqrt(-one),
    "nan + 1": torch.tensor(math.nan) + 1,
}
for expression, value in examples.items():
    print(f"{expression:>24} = {float(value)}")

# %%
# Fix 1: a smaller learning rate
# ------------------------------
# Below the threshold, the same data and initial weights train without trouble: here is the run
# at half the measured threshold (it is drawn, in green, in the next figure).
lr_good = lr_star / 2
good = train(lr_good)
print(
    f"lr = {lr_good:.4f}: diverged {good.diverged}, "
    f"final train loss {good.history.train_loss[-1]:.3g} (initially {initial_loss:.3g})"
)
assert not good.diverged
assert good.history.train_loss[-1] < 1e-6 * initial_loss

# %%
# Fix 2: gradient clipping
# ------------------------
# ``max_grad_norm=C`` rescales the gradient of each update to norm at most :math:`C` before the
# step (the rule of :func:`torch.nn.utils.clip_grad_norm_`), so in
# :func:`~weightdecay.trainer.train_scratch`, where the penalty is part of the loss, one update
# moves the parameters by at most :math:`\eta C` (see below for where that bound fails);
# ``record_grad_norm=True`` keeps the norm *before* clipping. At
# ``lr = 0.1``, which diverged above, clipping keeps the run finite. It does not make 0.1 a
# stable learning rate: whenever the gradient gets small near the minimum, the unstable
# directions grow again until clipping caps the step at :math:`\eta C`. The run hovers at a loss
# floor, with clipping active on almost every update, instead of converging. Compare the
# printed floor and count with the smaller learning rate's final loss.
clip = 1.0
clipped = train(lr_bad, max_grad_norm=clip, record_grad_norm=True)
unclipped = train(lr_bad, record_grad_norm=True)
h = clipped.history
later = h.train_loss[len(h.train_loss) // 2 :]
print(f"lr = {lr_bad} without clipping: diverged at update {unclipped.divergence.step}")
print(f"lr = {lr_bad} with max_grad_norm = {clip}: diverged {clipped.diverged}")
print(f"  largest gradient norm before clipping: {max(h.grad_norm):.3g}")
print(
    f"  updates where clipping was active: {sum(g > clip for g in h.grad_norm)} of {h.num_updates}"
)
print(f"  train loss over the second half: {min(later):.3g} ... {max(later):.3g}")
assert not clipped.diverged
assert sum(g > clip for g in h.grad_norm) > 0.9 * h.num_updates  # "almost every update"
assert min(later) > 100 * good.history.train_loss[-1]  # a floor, far above the stable run

fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6), layout="constrained")
ax = axes[0]
ax.plot(range(1, len(unclipped.history.grad_norm) + 1), unclipped.history.grad_norm, color="C3")
ax.plot(range(1, h.num_updates + 1), h.grad_norm, color="C0", lw=0.8)
ax.axhline(clip, color="k", ls="--", lw=1, label=f"C = {clip}")
ax.set_yscale("log")
ax.set_xlabel("update")
ax.set_ylabel("gradient norm before clipping")
ax.set_title("gradient norm per update")
ax.legend([f"lr = {lr_bad}", f"lr = {lr_bad}, clipped", f"C = {clip}"], fontsize="small")
ax = axes[1]
ax.plot(unclipped.history.epochs, unclipped.history.train_loss, "o-", ms=3, color="C3")
ax.plot(h.epochs, h.train_loss, "o-", ms=3, color="C0")
ax.plot(good.history.epochs, good.history.train_loss, "o-", ms=3, color="C2")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("train loss")
ax.set_title("the fixes")
ax.legend(
    [
        f"lr = {lr_bad} (diverges)",
        f"lr = {lr_bad}, max_grad_norm = {clip}",
        f"lr = {lr_good:.4f} (below the threshold)",
    ],
    fontsize="small",
)
plt.show()

# %%
# What clipping does not bound
# ----------------------------
# The bound :math:`\eta C` is a property of the clipped gradient, so it holds only when
# everything that moves the parameters goes through that gradient. In
# :func:`~weightdecay.trainer.train_scratch` the L2 penalty (or the L1 penalty by its
# subgradient) is part of the loss, and its gradient is clipped with the rest. Three updates
# escape the bound:
#
# * :func:`~weightdecay.trainer.train_concise` with ``weight_decay``: the optimizer adds
#   ``weight_decay * w`` to the gradient *after* clipping, so a step moves the weights by up to
#   :math:`\eta(C + \mathrm{wd}\,\lVert w\rVert)`;
# * Adam (``optimizer="adam"`` or ``"adamw"``): it divides the clipped gradient by its own
#   running size, so each coordinate moves by about :math:`\eta` whatever :math:`C` is;
# * the proximal L1 step (``l1_update="proximal"``), which soft-thresholds after the clipped
#   step, by up to :math:`\eta\lambda` per weight.
#
# We measure one full-batch update of each from the initial weights above, at the notebook's
# learning rate with :math:`C = 1` (the clipping is active: every initial gradient norm is far
# above 1), in float64 so that the small steps are measured exactly, and compare the distance
# that :math:`(w, b)` moved with :math:`\eta C`.
from weightdecay.trainer import train_concise

problem64 = make_problem(seed=0, dtype=torch.float64)
start64 = (w0.double(), b0.double())
lr_clip = 0.003
one_update = {
    "lr": lr_clip,
    "max_grad_norm": clip,
    "batch_size": problem64.n_train,
    "num_epochs": 1,
    "initial": start64,
    "record_grad_norm": True,
}
one_step = {
    "scratch, L2 penalty (lambda = 3.5)": train_scratch(problem64, lambd=3.5, **one_update),
    "concise SGD, no weight_decay": train_concise(problem64, **one_update),
    "concise SGD, weight_decay = 7": train_concise(problem64, weight_decay=7.0, **one_update),
    "concise Adam, no weight_decay": train_concise(problem64, optimizer="adam", **one_update),
    "concise AdamW, weight_decay = 7": train_concise(
        problem64, optimizer="adamw", weight_decay=7.0, **one_update
    ),
    "scratch, proximal L1 (lambda = 2)": train_scratch(
        problem64, lambd=2.0, penalty="l1", l1_update="proximal", **one_update
    ),
}


def distance_moved(result):
    """How far one run moved (w, b) from its start."""
    w_start, b_start = result.initial
    return float(torch.cat([(result.w - w_start).ravel(), (result.b - b_start).ravel()]).norm())


bound = lr_clip * clip
print(f"lr = {lr_clip}, C = {clip}: eta * C = {bound:.3g}")
print(f"{'one update of':<36}{'gradient norm':>14}{'distance moved':>16}{'/ (eta C)':>11}")
moved_by = {}
for name, result in one_step.items():
    moved_by[name] = distance_moved(result)
    print(
        f"{name:<36}{result.history.grad_norm[0]:>14.3g}{moved_by[name]:>16.3g}"
        f"{moved_by[name] / bound:>11.3g}"
    )
within, beyond = list(moved_by)[:2], list(moved_by)[2:]
assert all(one_step[name].history.grad_norm[0] > 10 * clip for name in one_step)
assert all(0.99 * bound < moved_by[name] <= bound for name in within)
assert all(moved_by[name] > 5 * bound for name in beyond)

# %%
# A NaN in the data
# -----------------
# A single missing value in the features is another, faster road to NaN: its row's residual is
# NaN, and the gradient :math:`X_B^\top r` mixes that residual into *every* weight, so one
# update turns all of :math:`w` into NaN. The package refuses such data before training starts:
# :class:`~weightdecay.problem.Problem` checks that every tensor is finite.
from weightdecay.problem import Problem

X_bad = X.clone()
X_bad[3, 7] = math.nan
r = X_bad[:5] @ w0 - y[:5]
g = X_bad[:5].T @ r / 5
print(f"NaN residuals in the batch: {int(r.isnan().sum())} of 5")
print(f"NaN entries of the gradient: {int(g.isnan().sum())} of {g.numel()}")
assert int(g.isnan().sum()) == g.numel()
try:
    Problem(X_bad, y, problem.X_test, problem.y_test, problem.true_w, problem.true_b)
except ValueError as error:
    print(f"ValueError: {error}")

# %%
# Interpreting the results
# ------------------------
# Inf is not "weights too large" in general, and NaN is not "division by zero". Too large a
# learning rate makes :math:`|1 - \eta L| > 1` along the sharpest direction, so the error
# grows geometrically; the loss overflows float32 first (its squared residuals pass
# ``finfo.max``), the weights much later (the printed update numbers). NaN appears only once
# infinities meet: in the unguarded
# continuations the first NaN was always produced by a matrix product summing ``+inf`` and
# ``-inf`` terms (the printed counts). A NaN in the input produces NaN in one step, without any
# infinity.
#
# The learning rate is what decides: on this data the measured threshold sits well below :math:`2/L`
# of the full batch (the printed ratio) and above :math:`2/L` of the worst minibatch; every run of
# the sweep below it stayed finite and ended with a lower training loss than at its first
# evaluation (epoch 5), the criterion of the sweep. Clipping with ``max_grad_norm`` keeps an
# unstable run finite but leaves it at a loss floor; it is a guard against rare large gradients,
# not a substitute for a stable learning rate, and it bounds a step by :math:`\eta C` only when
# every part of the update goes through the clipped gradient (not with the concise trainer's
# ``weight_decay``, nor with Adam). :func:`~weightdecay.trainer.train_scratch`
# and :func:`~weightdecay.trainer.train_concise` detect the first non-finite loss, gradient or
# parameter and raise :class:`~weightdecay.results.DivergenceError` (a ``FloatingPointError``) with
# the epoch, the update, the learning rate and the hint, or, with ``on_divergence="stop"``, return
# the finite part with a :class:`~weightdecay.results.Divergence` record.
# :class:`~weightdecay.problem.Problem` rejects non-finite data. The :ref:`FAQ page <faq-nan-and-inf>`
# gives the short answer.

# sphinx_gallery_thumbnail_number = 2
