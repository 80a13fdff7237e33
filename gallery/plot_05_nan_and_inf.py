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
and the loss becomes ``inf``. In this model NaN comes later, from ``inf - inf`` inside a matrix
product once the weights themselves have overflowed, or at once from a NaN in the data. We trace
the first Inf and the first NaN to the operations that made them, then go through the arithmetic
of infinities. How large a learning rate is too large, and the fixes, are the subject of
:ref:`the next part <sphx_glr_auto_examples_plot_05b_stable_learning_rate.py>`.
"""

# %%
# A run with too large a learning rate
# ------------------------------------
# We train the from-scratch model of :func:`~weightdecay.trainer.train_scratch` (no penalty,
# batches of 5) at ``lr = 0.1``, 33 times the notebook's 0.003. After every update the trainer
# checks that the loss, the gradient and the weights are finite. By default it raises a
# :class:`~weightdecay.results.DivergenceError` at the first value that is not; with
# ``on_divergence="stop"`` it returns the run up to that point, with a
# :class:`~weightdecay.results.Divergence` record of where it stopped. All the runs on this page
# start from the same initial weights ``w0``.
import torch

from weightdecay.data import make_problem
from weightdecay.results import DivergenceError
from weightdecay.trainer import train_scratch

problem = make_problem(seed=0)
X, y = problem.X_train, problem.y_train
w0 = torch.randn(problem.num_inputs, 1, generator=torch.Generator().manual_seed(0))
b0 = torch.zeros(1)
lr_bad = 0.1


def train(lr, **options):
    """A run from (w0, b0) that stops, instead of raising, when a value is not finite."""
    return train_scratch(problem, lr=lr, initial=(w0, b0), on_divergence="stop", **options)


bad = train(lr_bad)
d = bad.divergence
print(f"stopped at epoch {d.epoch}, update {d.step}: the {d.quantity} became {d.value}")
print(f"last finite minibatch loss {d.last_finite_loss:.3g}; largest |w| {d.max_abs_w:.3g}")
try:
    train_scratch(problem, lr=lr_bad, initial=(w0, b0))
except DivergenceError as error:
    print(f"{type(error).__name__}: {error}")

# sphinx_gallery_start_ignore
from recorded import record

assert d.quantity == "loss", "the loss overflows first, while the weights are still finite"
assert d.max_abs_w < 1e-10 * torch.finfo(torch.float32).max
record("stop_step", d.step)
record("stop_epoch", d.epoch)
record("stop_max_w", d.max_abs_w)
record("stop_loss", d.last_finite_loss)
# sphinx_gallery_end_ignore

# %%
# The trainer stopped at update :val:`plot_05.stop_step` because the minibatch loss was ``inf``,
# while the largest weight was :val:`plot_05.stop_max_w:.2g`, far below float32's largest number,
# about :math:`3.4\times10^{38}`. The loss squares the residuals, and a residual above
# :math:`\sqrt{3.4\times10^{38}} \approx 1.8\times10^{19}` has a square that float32 cannot hold.

# %%
# The weights grow geometrically
# ------------------------------
# To get the norm of the weights after every epoch, we re-run the same training cut after 1, 2,
# 3, ... epochs (up to two epochs before the failure): the same seed replays the same
# minibatches, so each cut run is a prefix of the full one. The norm grows by a roughly constant
# factor per update, a straight line on a log axis.
prefixes = [train(lr_bad, num_epochs=k) for k in range(1, d.epoch - 1)]
w_norms = [float(w0.norm())] + [r.w_norm for r in prefixes]
updates = [0] + [r.history.num_updates for r in prefixes]
half = len(w_norms) // 2
growth = (w_norms[-1] / w_norms[half]) ** (1 / (updates[-1] - updates[half]))
print(f"||w||: {w_norms[0]:.3g} at the start, {w_norms[-1]:.3g} after {updates[-1]} updates")
print(f"growth factor of ||w|| per update over the second half: {growth:.3f}")

# sphinx_gallery_start_ignore
assert not any(r.diverged for r in prefixes)
quarter = 3 * len(w_norms) // 4  # "a roughly constant factor": the last quarter grows alike
late = (w_norms[-1] / w_norms[quarter]) ** (1 / (updates[-1] - updates[quarter]))
assert abs(late / growth - 1) < 0.05
record("growth", growth)
# sphinx_gallery_end_ignore

# %%
# Past the guard
# --------------
# The notebook's loop has no such check and keeps going. We do the same, by hand: starting from
# the last finite weights that the trainer returned, we apply the same update (the gradient of
# the mean half squared error, written out) on freshly shuffled batches, keep every intermediate
# result, and note the first update at which each operation returns an ``inf`` and a ``nan``.
# Nothing checks for NaN in between, exactly as in the notebook.
import math

from weightdecay.data import batch_indices


def unguarded_step(w, b, idx, lr):
    """One SGD step on the batch ``idx``, every intermediate result kept, in order."""
    Xb, yb = X[idx], y[idx]
    ops = {"X_B @ w": Xb @ w}
    ops["+ b - y: residual r"] = r = ops["X_B @ w"] + b - yb
    ops["r ** 2 / 2: loss"] = r**2 / 2
    ops["X_B.T @ r"] = Xb.T @ r
    ops["w - lr * X_B.T @ r / |B|"] = w - lr * ops["X_B.T @ r"] / len(idx)
    return ops, b - lr * r.mean(0)


def continue_unguarded(w, b, lr, seed, max_updates=1000):
    """Update past the guard until the first NaN; note where each op first gave inf, nan."""
    generator, first, sizes = torch.Generator().manual_seed(seed), {}, []
    for t in range(d.step, d.step + max_updates):  # update numbers of the run
        if (t - d.step) % 4 == 0:  # a new epoch of 4 batches, freshly shuffled
            batches = iter(batch_indices(problem.n_train, 5, generator=generator))
        idx = next(batches)
        ops, b = unguarded_step(w, b, idx, lr)
        for name, value in ops.items():
            for kind, test in (("inf", torch.isinf), ("nan", torch.isnan)):
                if (kind, name) not in first and bool(test(value).any()):
                    first[kind, name] = t
        sizes.append((float(w.double().norm()), float(w.abs().max())))  # after update t - 1
        if any(kind == "nan" for kind, _ in first):
            return first, sizes, (w, idx, ops)
        w = ops["w - lr * X_B.T @ r / |B|"]
    msg = f"no NaN within {max_updates} updates"
    raise RuntimeError(msg)


first, sizes, (w_at, idx_at, ops_at) = continue_unguarded(bad.w, bad.b, lr_bad, seed=0)
print(f"{'operation':<28}{'first inf':>10}{'first nan':>10}   (update of the run)")
for name in ops_at:
    print(f"{name:<28}{first.get(('inf', name), '-'):>10}{first.get(('nan', name), '-'):>10}")

# %%
# The loss overflows first, at update :val:`plot_05.stop_step`, where the trainer stopped. The
# product :math:`X_B^\top r` follows once the residuals are large enough, and with it the weights
# (update :val:`plot_05.w_inf`). The first NaN comes :val:`plot_05.nan_after` updates after the
# first Inf, from a matrix product. We take one NaN entry of it and list the terms of the sum that
# computed it (a matrix product sums products of a row and a column):
row = int(ops_at["X_B @ w"].isnan().nonzero()[0, 0])
terms = X[idx_at][row] * w_at[:, 0]  # the 200 products that X_B @ w adds up for that entry
print(
    f"terms of the NaN entry: {int((terms == math.inf).sum())} are +inf, "
    f"{int((terms == -math.inf).sum())} are -inf, {int(terms.isfinite().sum())} are finite"
)
nan_weights = int(ops_at["w - lr * X_B.T @ r / |B|"].isnan().sum())
print(f"NaN weights after that update: {nan_weights} of 200")

# sphinx_gallery_start_ignore
# Five batch orders: the loss overflows first, the weights much later, and the first NaN comes
# from a matrix product that adds +inf and -inf terms; that same update makes every weight NaN.
nan_updates = []
for seed in range(5):
    f, _, (w_s, idx_s, ops_s) = continue_unguarded(bad.w, bad.b, lr_bad, seed)
    inf_at = {name: t for (kind, name), t in f.items() if kind == "inf"}
    assert min(inf_at, key=inf_at.get) == "r ** 2 / 2: loss", "the loss overflows first"
    assert inf_at["r ** 2 / 2: loss"] == d.step, "at the update where the trainer stopped"
    assert inf_at["w - lr * X_B.T @ r / |B|"] > 1.5 * d.step, "the weights overflow much later"
    nan_op = next(name for name in ops_s if ("nan", name) in f)
    assert nan_op == "X_B @ w", f"order {seed}: the first NaN came from {nan_op}"
    i = int(ops_s[nan_op].isnan().nonzero()[0, 0])
    t_s = X[idx_s][i] * w_s[:, 0]
    assert bool((t_s == math.inf).any() and (t_s == -math.inf).any()), "inf - inf"
    assert int(ops_s["w - lr * X_B.T @ r / |B|"].isnan().sum()) == problem.num_inputs
    nan_updates.append(f["nan", nan_op])
record("w_inf", first["inf", "w - lr * X_B.T @ r / |B|"])
record("nan_after", first["nan", "X_B @ w"] - d.step)
record("nan_first", min(nan_updates))
record("nan_last", max(nan_updates))
# sphinx_gallery_end_ignore

# %%
# In this entry ``+inf`` and ``-inf`` terms meet, and ``inf - inf`` has no value: NaN. The
# update that uses it mixes the NaN residual into every weight through :math:`X_B^\top r`. With
# four other batch orders the story was the same (a hidden check at every build runs them): the
# first NaN came from ``X_B @ w`` adding ``+inf`` and ``-inf`` terms, between updates
# :val:`plot_05.nan_first` and :val:`plot_05.nan_last`, and made every weight NaN.

# %%
# The whole story on one axis
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
# The norm :math:`\lVert w\rVert` (computed in float64, so that the norm itself does not overflow
# first) and the largest entry :math:`\max_i |w_i|`, for the trainer's run (one point per epoch,
# from the cut runs) and for the unguarded continuation. An entry overflows when it crosses the
# largest float32.
import matplotlib.pyplot as plt

steps_after = range(d.step - 1, d.step - 1 + len(sizes))  # updates made before each size
fig, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
ax.plot(updates, w_norms, "o", ms=4, label=r"trainer, $\|w\|$ (per epoch)")
for k, (style, label) in enumerate(((":", r"$\|w\|$"), ("--", r"$\max_i |w_i|$"))):
    points = [(s, v[k]) for s, v in zip(steps_after, sizes, strict=True)]
    finite = [(s, v) for s, v in points if math.isfinite(v)]
    ax.plot(*zip(*finite, strict=True), style, color="C1", label=f"unguarded, {label}")
ax.axhline(torch.finfo(torch.float32).max, color="gray", ls=":", label="float32 max")
ax.axvline(d.step, color="C3", ls="--", label="loss is inf: the trainer stops")
w_inf = first["inf", "w - lr * X_B.T @ r / |B|"]
ax.axvline(w_inf, color="C4", ls="--", label="first infinite weight")
ax.axvline(first["nan", "X_B @ w"], color="k", label="first NaN")
ax.set(yscale="log", xlabel="update", ylabel="size of the weights")
ax.set_title(f"lr = {lr_bad}: geometric growth, overflow, then NaN")
ax.legend(fontsize="small", loc="lower right")
plt.show()

# %%
# Overflow and the arithmetic of infinities
# -----------------------------------------
# The same facts with single numbers. A square overflows as soon as its base exceeds the square
# root of float32's largest number. Infinities then propagate through ``+`` and ``*``, but
# ``inf - inf``, ``0 * inf`` and ``inf / inf`` have no meaningful value and give NaN. NaN does not
# need an infinity, though: ``0 / 0``, and the logarithm and the square root of a negative
# number, are NaN too, and almost any operation with a NaN operand returns NaN. Division of a
# non-zero number by zero gives an infinity, not NaN, and so does ``log(0)``.
big = torch.finfo(torch.float32).max
print(f"float32 max: {big:.4g};  its square root: {math.sqrt(big):.4g}")
inf, zero, one = torch.tensor(math.inf), torch.tensor(0.0), torch.tensor(1.0)
examples = {
    "torch.tensor(2e19) ** 2": torch.tensor(2e19) ** 2,
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
# A NaN in the data
# -----------------
# A single missing value in the features is another, faster road to NaN: its row's residual is
# NaN, and the gradient :math:`X_B^\top r` mixes that residual into *every* weight, so one
# update turns all of :math:`w` into NaN. The package refuses such data before training starts:
# :class:`~weightdecay.problem.Problem` checks that every tensor is finite.
from weightdecay.problem import Problem

X_bad = X.clone()
X_bad[3, 7] = math.nan
gradient = X_bad[:5].T @ (X_bad[:5] @ w0 - y[:5]) / 5
print(f"NaN entries of the gradient: {int(gradient.isnan().sum())} of {gradient.numel()}")
try:
    Problem(X_bad, y, problem.X_test, problem.y_test, problem.true_w, problem.true_b)
except ValueError as error:
    print(f"ValueError: {error}")

# sphinx_gallery_start_ignore
assert int(gradient.isnan().sum()) == gradient.numel()
# sphinx_gallery_end_ignore

# %%
# Interpreting the results
# ------------------------
# Inf is not "weights too large" in general, and NaN is not "division by zero". Too large a
# learning rate makes the error grow geometrically, by a factor of :val:`plot_05.growth:.3f` per
# update here; the loss overflows float32 first (its squared residuals pass ``finfo.max``), the
# weights much later (update :val:`plot_05.stop_step` against :val:`plot_05.w_inf`). In this
# linear model NaN appeared only once infinities met, when a matrix product added ``+inf`` and
# ``-inf`` terms; other models take other roads (a classifier's ``cross_entropy`` returns NaN
# from one infinite logit, with no matrix product involved), and a NaN in the input produces NaN
# in one step, without any infinity. :func:`~weightdecay.trainer.train_scratch` and
# :func:`~weightdecay.trainer.train_concise` stop at the first non-finite loss, gradient or
# parameter and raise :class:`~weightdecay.results.DivergenceError` (a ``FloatingPointError``)
# with the epoch, the update, the learning rate and a hint, or, with ``on_divergence="stop"``,
# return the finite part with a :class:`~weightdecay.results.Divergence` record;
# :class:`~weightdecay.problem.Problem` rejects non-finite data.
# :ref:`sphx_glr_auto_examples_plot_05b_stable_learning_rate.py` measures how large a learning
# rate this data tolerates and tries the fixes, and the :ref:`FAQ page <faq-nan-and-inf>` gives
# the short answer.

# %%
# Try it
# ------
# **Question 1.** float64 can hold numbers up to about :math:`1.8\times10^{308}`, against
# :math:`3.4\times10^{38}` for float32: an exponent range 8 times larger. Train the same run, on
# the same data, in float64 for up to 1000 epochs. Will it (a) stop at about the same update,
# (b) stop after about 8 times as many updates, or (c) never stop? Choose before you open the
# answer.
#
# .. answer-start

# The same data and the same start, in float64.
splits = (problem.X_train, problem.y_train, problem.X_test, problem.y_test)
problem64 = Problem.from_arrays(*splits, dtype=torch.float64)
options = {"initial": (w0.double(), b0.double()), "on_divergence": "stop"}
run64 = train_scratch(problem64, lr=lr_bad, num_epochs=1000, **options)
print(f"float64: stopped at update {run64.divergence.step} (float32: {d.step})")

# sphinx_gallery_start_ignore
# Prediction from the growth factor: the residuals grow by about `growth` per update, so the
# extra updates are about ln(sqrt(max64) / sqrt(max32)) / ln(growth).
max32, max64 = torch.finfo(torch.float32).max, torch.finfo(torch.float64).max
predicted = d.step + (math.log(max64) - math.log(max32)) / 2 / math.log(growth)
assert abs(run64.divergence.step / predicted - 1) < 0.1, "float64 only delays it"
record("q1_step", run64.divergence.step)
record("q1_ratio", run64.divergence.step / d.step)
record("q1_predicted", predicted)
# sphinx_gallery_end_ignore

# %%
# (b): it stops at update :val:`plot_05.q1_step`, :val:`plot_05.q1_ratio:.1f` times as many.
# The residuals grow by a factor of about :val:`plot_05.growth:.3f` per update, so reaching the
# square root of float64's largest number instead of float32's takes
# :math:`\ln(\sqrt{1.8\times10^{308}}/\sqrt{3.4\times10^{38}})/\ln(\text{factor})` more updates,
# which predicts update :val:`plot_05.q1_predicted:.0f`. A wider number format delays the
# overflow; it does not stop the geometric growth.
#
# .. answer-end

# %%
# **Question 2.** This is a site about weight decay. Add the L2 penalty with :math:`\lambda = 3`
# (the book's value) to the run at ``lr = 0.1``: will the decay keep it finite, delay the
# overflow, or make no difference?
#
# .. answer-start
decayed = train(lr_bad, lambd=3.0)
step = decayed.divergence.step
print(f"L2, lambda = 3: stopped at update {step} (without decay: {d.step})")


# sphinx_gallery_start_ignore
def residual_growth(history):
    """Growth factor of the residuals per update over the second half, from the train loss."""
    e, loss, k = history.epochs, history.train_loss, len(history.epochs) // 2
    return (loss[-1] / loss[k]) ** (1 / (2 * 4 * (e[-1] - e[k])))


assert decayed.diverged, "weight decay does not prevent the divergence"
assert decayed.divergence.step > 1.5 * d.step, "but it delays it"
assert 1 < residual_growth(decayed.history) < residual_growth(bad.history) - 0.1
record("q2_step", decayed.divergence.step)
record("q2_growth_plain", residual_growth(bad.history))
record("q2_growth_decayed", residual_growth(decayed.history))
record("q2_factor", 1 - lr_bad * 3.0)
# sphinx_gallery_end_ignore

# %%
# It delays the overflow, from update :val:`plot_05.stop_step` to :val:`plot_05.q2_step`, but
# does not prevent it: the residuals still grow geometrically, by a factor of
# :val:`plot_05.q2_growth_decayed:.2f` per update instead of :val:`plot_05.q2_growth_plain:.2f`.
# On each update, a minibatch stretches the directions of its own 5 examples by far more than
# the decay's factor :math:`1 - \eta\lambda` = :val:`plot_05.q2_factor:.1f` shrinks them; on the
# other updates of the epoch only the decay acts on them, so the net growth per epoch is smaller,
# but still above 1. With full-batch gradient descent, where every update stretches the same
# directions, decay cannot help at all: it adds :math:`\lambda` to the curvature and lowers the
# stable learning rate from :math:`2/L` to :math:`2/(L + \lambda)`. The cure is a smaller
# learning rate.
#
# .. answer-end

# sphinx_gallery_thumbnail_number = 1
