# Authors: The weightdecay developers
# SPDX-License-Identifier: MIT
r"""
.. _explanation-exercises:

====================================================
The chapter's exercises and the notebook's questions
====================================================

The weight-decay section of *Dive into Deep Learning* ends with six exercises, and the course
notebook with five questions. Each of them is asked here first. Commit to an answer (a number, a
choice, a sketch or a sentence) before you open the one under it: every answer was computed when
this page was built, and shows the code and the output that support it.
"""

# %%
# The problem
# -----------
# All the questions use the notebook's data, drawn by
# :func:`~weightdecay.data.make_problem`: 20 training examples, 200 features, true weights 0.01.
# Every test loss is compared with a baseline, the test loss of a model that learned nothing
# (:math:`w = 0`, the bias set to the mean training label). The grid of :math:`\lambda` values
# serves several answers.
import matplotlib.pyplot as plt
import torch

from weightdecay import (
    DivergenceError,
    Problem,
    l1_penalty,
    make_problem,
    regularization_path,
    ridge_closed_form,
    select_lambda_holdout,
    train_scratch,
    zero_predictor_loss,
)
from weightdecay.networks import layer_grad_norms, mlp
from weightdecay.penalty import soft_threshold
from weightdecay.trainer import sgd

problem = make_problem(seed=0)
baseline = zero_predictor_loss(problem)
grid = torch.logspace(-3, 2, 21, dtype=torch.float64)  # 0.001 to 100, five values per decade
print(f"baseline test loss: {baseline:.4f}")

# sphinx_gallery_start_ignore
from recorded import record

record("baseline", baseline)
# sphinx_gallery_end_ignore

# %%
# Exercise 1: the losses against λ
# --------------------------------
# The book asks for the training and validation *accuracy* as functions of :math:`\lambda`. A
# regression has no accuracy (a real-valued prediction never equals its label exactly), so the
# loss takes its place.
#
# **Question.** Train the notebook's model once for each :math:`\lambda` of the grid and plot
# the final training and test losses on a log scale. Sketch both curves before you look: how
# does each one change as :math:`\lambda` grows? Does the test loss have a minimum, and where
# does it end compared with the baseline?
#
# .. answer-start
#
# :func:`~weightdecay.path.regularization_path` trains one model per :math:`\lambda`, all from
# the same start and on the same minibatches.
path = regularization_path(problem, grid)
best = int(path.final_test_loss.argmin())
fig, ax = plt.subplots(figsize=(6.4, 3.6), layout="constrained")
ax.loglog(grid, path.final_train_loss, "o-", label="training loss")
ax.loglog(grid, path.final_test_loss, "s-", label="test loss")
ax.axhline(baseline, color="gray", linestyle="--", label="baseline (w = 0)")
ax.set(xlabel="λ", ylabel="final loss", title="Final training and test loss against λ")
ax.legend()
print(f"test loss at λ = {grid[0]:g}: {path.final_test_loss[0]:.3g}")
print(f"lowest test loss: {path.final_test_loss[best]:.3g}, at λ = {grid[best]:.3g}")
print(f"test loss at λ = {grid[-1]:g}: {path.final_test_loss[-1]:.3g}")

# sphinx_gallery_start_ignore
from weightdecay.evaluate import evaluate_loss

train, test = path.final_train_loss, path.final_test_loss
lowest = int(train.argmin())
assert 0 < lowest < len(grid) - 1, "the training loss no longer dips at small lambda"
assert train[lowest] < 0.95 * train[0], "the training loss no longer dips at small lambda"
assert bool((train[lowest:].diff() > 0).all()), "the training loss no longer rises after its dip"
assert train[-1] > 100 * train[lowest], "the training loss no longer rises by orders of magnitude"
# The dip is the unfinished fit: converged (the closed form), the training loss rises with lambda.
X, y = problem.X_train, problem.y_train
closed = [ridge_closed_form(X, y, lam) for lam in grid.tolist()]
closed_train = torch.tensor([float(((X @ w + b - y) ** 2).mean() / 2) for w, b in closed])
assert bool((closed_train.diff() > 0).all()), "the converged training loss no longer rises"
assert train[0] > 1000 * closed_train[0], "100 epochs no longer leave the fit unfinished"
assert test[0] > 1000 * test[best], "the test loss no longer falls by orders of magnitude"
assert 0.5 * baseline < test[-1] < 1.5 * baseline, "the strongest decay is not near the baseline"
# Below the baseline at the top of the grid: the bias's luck. Refit it to the training data.
w_top = path.W[:, -1:]
b_refit = float((y - X @ w_top).mean())
top_refit = evaluate_loss(lambda X: X @ w_top + b_refit, problem.X_test, problem.y_test)
train_mean, test_mean = float(y.mean()), float(problem.y_test.mean())
assert test[-1] < baseline, "the strongest decay no longer ends below the baseline"
assert top_refit > 0.9 * baseline, "with its bias refitted it is no longer about the baseline"
assert abs(float(path.b[-1]) - test_mean) < abs(train_mean - test_mean), "the bias is not closer"
record("ex1_train_smallest", train[0])
record("ex1_train_lowest", train[lowest])
record("ex1_train_lowest_lambda", grid[lowest])
record("ex1_test_smallest", test[0])
record("ex1_best_test", test[best])
record("ex1_best_lambda", grid[best])
record("ex1_top_test", test[-1])
record("ex1_top_bias", float(path.b[-1]))
record("ex1_top_refit", top_refit)
record("train_mean", train_mean)
record("test_mean", test_mean)
# sphinx_gallery_end_ignore

# %%
# While :math:`\lambda` is small, 200 weights fit the 20 examples almost exactly and the training
# loss stays near zero. After the notebook's 100 epochs that fit is not finished, and a little
# decay speeds it up, so the training loss even falls slightly, from
# :val:`plot_00.ex1_train_smallest:.2g` at :math:`\lambda = 0.001` to
# :val:`plot_00.ex1_train_lowest:.2g` at :math:`\lambda =`
# :val:`plot_00.ex1_train_lowest_lambda:.2g`. From there on it rises, by orders of magnitude, as
# the penalty keeps the model from interpolating the examples. The test loss falls from
# :val:`plot_00.ex1_test_smallest:.3g` to :val:`plot_00.ex1_best_test:.2g` (at
# :math:`\lambda =` :val:`plot_00.ex1_best_lambda:.3g`), then levels off near the baseline,
# :val:`plot_00.baseline:.2g`: the strongest decay drives :math:`w` towards zero, which is the
# baseline's model.
#
# At the top of the grid the test loss, :val:`plot_00.ex1_top_test:.2g`, is even below the
# baseline, but that is luck, and it lies in the bias. This draw's mean training label,
# :val:`plot_00.train_mean:.3f`, is far from its mean test label, :val:`plot_00.test_mean:.3f`.
# The bias starts at 0 and after 100 epochs has only reached :val:`plot_00.ex1_top_bias:.3f`,
# closer to the test labels by chance. With the bias refitted to the training data, the same
# weights score :val:`plot_00.ex1_top_refit:.3g`, about the baseline's
# :val:`plot_00.baseline:.3g`. Over ten draws, and with the closed form, see
# :ref:`sphx_glr_auto_examples_plot_04_choosing_lambda.py`. For accuracy on real data, see
# :ref:`sphx_glr_auto_examples_plot_13_real_data_digits.py`.
#
# .. answer-end

# %%
# Exercise 2: λ chosen on a validation set
# ----------------------------------------
# **Question.** Hold out 5 of the 20 training examples, train on the other 15 for every
# :math:`\lambda` of the grid, and keep the :math:`\lambda` with the lowest validation loss. If
# you hold out another 5, will you choose the same value? Is the choice the :math:`\lambda` with
# the lowest test loss, and does the difference matter?
#
# .. answer-start
#
# :func:`~weightdecay.selection.select_lambda_holdout` validates on the last rows, so each split
# shuffles the training rows first. Each choice is then scored by the test loss of the model
# trained on all 20 examples (the path of exercise 1).
chosen = []
for split in range(5):
    order = torch.randperm(problem.n_train, generator=torch.Generator().manual_seed(split))
    shuffled = Problem.from_arrays(
        problem.X_train[order], problem.y_train[order], problem.X_test, problem.y_test
    )
    chosen.append(select_lambda_holdout(shuffled, grid, n_val=5).best_index)
    k = chosen[-1]
    print(f"split {split}: λ = {grid[k]:5.3g}, test loss {path.final_test_loss[k]:.4f}")
print(f"lowest test loss: λ = {grid[best]:5.3g}, test loss {path.final_test_loss[best]:.4f}")

# sphinx_gallery_start_ignore
worst = max(float(path.final_test_loss[k]) for k in chosen)
assert len(set(chosen)) > 1, "every split chose the same lambda"
assert worst < 1.5 * float(path.final_test_loss[best]), "a validated choice is far from the best"
record("ex2_distinct", len(set(chosen)))
record("ex2_worst_excess", 100 * (worst / float(path.final_test_loss[best]) - 1))
# sphinx_gallery_end_ignore

# %%
# The choice changes with the split: five splits gave :val:`plot_00.ex2_distinct` different
# values. Five validation examples give a noisy estimate of the test loss, so the value they
# select is not the one that is best on the test set (which we can only compute because this
# problem has a test set that the choice never sees). Here it hardly matters: every choice lies
# on the flat bottom of the test curve, at most :val:`plot_00.ex2_worst_excess:.0f`\ % above the
# lowest test loss. It would matter on a curve with a narrow minimum, or with a grid that stops
# before the minimum. Cross-validation averages over several splits and is less noisy:
# :ref:`sphx_glr_auto_examples_plot_04_choosing_lambda.py`.
#
# .. answer-end

# %%
# Exercise 3: the update with an L1 penalty
# -----------------------------------------
# **Question.** Replace the penalty :math:`\tfrac12\lVert w\rVert^2` by
# :math:`\lVert w\rVert_1 = \sum_j \lvert w_j\rvert`. Write down the minibatch SGD update of one
# weight :math:`w_j`. Then, with the notebook's :math:`\eta\lambda = 0.006` and the penalty
# alone, follow three steps of the weights 0.5, 0.004 and -0.001: where does each one end?
#
# .. answer-start
#
# The penalty alone, differentiated by autograd and applied by the notebook's
# :func:`~weightdecay.trainer.sgd`:
lr, lambd = 0.003, 2.0  # the notebook's L1 run: lr * lambd = 0.006
w = torch.tensor([0.5, 0.004, -0.001], requires_grad=True)
for step in range(1, 4):
    (lambd * l1_penalty(w)).backward()
    sgd([w], lr, batch_size=1)
    print(f"step {step}: {[round(v, 4) for v in w.tolist()]}")
print(
    "proximal step:", [round(v, 4) for v in soft_threshold(torch.tensor([0.004]), 0.006).tolist()]
)

# sphinx_gallery_start_ignore
# The update equation of the explanation below, checked against train_scratch on one full-batch
# step that includes the data gradient g (float64, so that the comparison is exact).
exact = make_problem(seed=0, dtype=torch.float64)
X, y, n = exact.X_train, exact.y_train, exact.n_train
w0 = torch.linspace(-0.02, 0.02, 200, dtype=torch.float64).reshape(-1, 1)
b0 = torch.zeros(1, dtype=torch.float64)
g = X.T @ (X @ w0 + b0 - y) / n
for l1_update, expected in [
    ("subgradient", w0 - lr * lambd * torch.sign(w0) - lr * g),
    ("proximal", soft_threshold(w0 - lr * g, lr * lambd)),
]:
    one_step = train_scratch(
        exact,
        lambd=lambd,
        penalty="l1",
        l1_update=l1_update,
        lr=lr,
        batch_size=n,
        num_epochs=1,
        initial=(w0, b0),
    )
    torch.testing.assert_close(one_step.w, expected)
# By hand: each step moves every weight by 0.006 towards zero, across it if it is closer.
torch.testing.assert_close(w.detach(), torch.tensor([0.482, -0.002, 0.005]))
# sphinx_gallery_end_ignore

# %%
# With :math:`g` the gradient of the data loss averaged over the minibatch :math:`B`, the
# derivative of :math:`\lvert w_j\rvert` is :math:`\operatorname{sign}(w_j)` away from 0, and
# the update reads
#
# .. math::
#
#     w_j \leftarrow w_j - \eta\lambda\operatorname{sign}(w_j) - \eta g_j .
#
# Where the L2 penalty shrinks a weight by a *fraction* :math:`\eta\lambda` of itself, L1 moves it
# by a fixed *amount* :math:`\eta\lambda` towards zero. A large weight shrinks steadily; a weight
# smaller than :math:`\eta\lambda` jumps across zero and back, and never settles there. The
# proximal step (``l1_update="proximal"``) applies the penalty after the data step
# :math:`v = w - \eta g` by soft-thresholding,
# :math:`w_j \leftarrow \operatorname{sign}(v_j)\max(\lvert v_j\rvert - \eta\lambda, 0)`,
# which puts every weight below the threshold exactly on zero. The consequences for the
# notebook's L1 run: :ref:`sphx_glr_auto_examples_plot_08_l1_vs_l2.py`.
#
# .. answer-end

# %%
# Exercise 4: the matrix version of ‖w‖²
# --------------------------------------
# **Question.** For a vector, :math:`\lVert w\rVert^2 = w^\top w`. Which formula plays that role
# for a matrix :math:`W`? And what does one step of an optimizer's ``weight_decay`` do to each
# entry of a weight matrix, when the data gradient is zero?
#
# .. answer-start
#
W = torch.arange(12.0).reshape(3, 4) / 10
print(f"sum of the squared entries: {W.pow(2).sum():.2f}")
print(f"trace(W^T W):               {torch.trace(W.T @ W):.2f}")
print(f"squared Frobenius norm:     {torch.linalg.matrix_norm(W, ord='fro') ** 2:.2f}")
layer = torch.nn.Linear(4, 3, bias=False)
with torch.no_grad():
    layer.weight.copy_(W)
layer.weight.grad = torch.zeros_like(W)  # no data gradient: only the decay acts
torch.optim.SGD(layer.parameters(), lr=0.1, weight_decay=0.5).step()
print("every entry times 1 - lr * weight_decay:", torch.allclose(layer.weight, 0.95 * W))

# sphinx_gallery_start_ignore
torch.testing.assert_close(torch.linalg.matrix_norm(W) ** 2, torch.trace(W.T @ W))
torch.testing.assert_close(layer.weight.detach(), 0.95 * W)
# sphinx_gallery_end_ignore

# %%
# The squared **Frobenius norm**,
# :math:`\lVert W\rVert_F^2 = \sum_{j,k} W_{jk}^2 = \operatorname{tr}(W^\top W)`, the squared
# length of :math:`W` read as one long vector. Its gradient is
# :math:`\nabla_W \tfrac12\lVert W\rVert_F^2 = W`, so the decay multiplies every entry by the
# same factor :math:`1 - \eta\lambda`, as for a vector: that is what ``weight_decay`` does to the
# weight of an ``nn.Linear`` layer. Other matrix norms give other regularizers (the nuclear norm
# favours low-rank matrices), but weight decay on a matrix is the Frobenius norm.
#
# .. answer-end

# %%
# Exercise 5: training error and generalization error
# ---------------------------------------------------
# **Question.** Give the order of magnitude of the final training loss and test loss on the
# notebook's data, at :math:`\lambda = 0` and at the book's :math:`\lambda = 3`. Then name two
# remedies for overfitting besides weight decay, more data and a smaller model.
#
# .. answer-start
#
histories = {lambd: train_scratch(problem, lambd=lambd).history for lambd in (0.0, 3.0)}
for lambd, history in histories.items():
    train_loss, test_loss = history.train_loss[-1], history.test_loss[-1]
    print(f"λ = {lambd:g}: training loss {train_loss:.1e}, test loss {test_loss:.1e}")

# sphinx_gallery_start_ignore
overfit, decayed = histories[0.0], histories[3.0]
assert overfit.train_loss[-1] < 1e-3, "lambda = 0 no longer interpolates"
assert overfit.test_loss[-1] > 10, "lambda = 0 no longer overfits badly"
assert decayed.test_loss[-1] < overfit.test_loss[-1] / 100
assert decayed.test_loss[-1] > 2 * baseline, "lambda = 3 now beats the baseline clearly"
record("ex5_gap_overfit", overfit.test_loss[-1] - overfit.train_loss[-1])
record("ex5_gap_decayed", decayed.test_loss[-1] - decayed.train_loss[-1])
# sphinx_gallery_end_ignore

# %%
# The *training error* is the loss on the examples the weights were fitted to; the
# *generalization error* is the expected loss on new examples from the same distribution, which
# the test loss estimates. Fitting makes the training error optimistic, and the difference, the
# generalization gap, is large when the model has much freedom and little data. Here it is
# :val:`plot_00.ex5_gap_overfit:.3g` at :math:`\lambda = 0` and
# :val:`plot_00.ex5_gap_decayed:.2g` at :math:`\lambda = 3`: decay narrows it by giving up some
# training fit. A small gap alone is not the goal, though: the baseline model has almost none,
# and learned nothing.
#
# Other remedies: early stopping (which does *not* help on this problem:
# :ref:`sphx_glr_auto_examples_plot_11_early_stopping.py`), an L1 penalty or another way of
# selecting features, noise added to the inputs (for a linear model, an L2 penalty in
# expectation), dropout, data augmentation, and averaging several models. What it takes to learn
# the weights here is more data: :ref:`sphx_glr_auto_examples_plot_12_how_much_data.py`.
#
# .. answer-end

# %%
# Exercise 6: the prior behind the penalty
# ----------------------------------------
# **Question.** Minimizing the penalized loss is maximizing a posterior
# :math:`P(w \mid X, y) \propto P(y \mid X, w)\,P(w)`. Which prior :math:`P(w)` gives the L2
# penalty, and which the L1 penalty? With label noise :math:`\sigma = 0.01`, a prior of scale
# :math:`\tau = 0.01` and 20 examples, which :math:`\lambda` should this package's loss use?
#
# .. answer-start
#
# The mode of the posterior under the prior :math:`w_j \sim \mathcal N(0, \tau^2)`, computed from
# Bayes' rule (centred data: the bias has no prior), against the ridge fit at
# :math:`\lambda = \sigma^2/(n\tau^2)`:
sigma = tau = 0.01
X, y = problem.X_train.double(), problem.y_train.double()
Xc, yc = X - X.mean(0), y - y.mean()
precision = Xc.T @ Xc / sigma**2 + torch.eye(problem.num_inputs, dtype=torch.float64) / tau**2
w_map = torch.linalg.solve(precision, Xc.T @ yc / sigma**2)
lambd = sigma**2 / (problem.n_train * tau**2)
w_ridge, _ = ridge_closed_form(X, y, lambd)
print(f"lambda = sigma^2 / (n tau^2) = {lambd:g}")
print(f"largest difference from the posterior mode: {(w_ridge - w_map).abs().max():.1e}")

# sphinx_gallery_start_ignore
torch.testing.assert_close(w_ridge, w_map)
record("ex6_lambda", lambd)
# sphinx_gallery_end_ignore

# %%
# The L2 penalty is a Gaussian prior :math:`w_j \sim \mathcal N(0, \tau^2)`, the L1 penalty a
# Laplace prior: the negative logarithm of the prior is the penalty, up to a constant. Scaled to
# this package's averaged loss, the Gaussian prior gives :math:`\lambda = \sigma^2/(n\tau^2)`,
# here :val:`plot_00.ex6_lambda:.2g`, far below the book's :math:`\lambda = 3`, which also has to
# remove the random start. The derivation: :ref:`explanation-bayesian`.
#
# .. answer-end

# %%
# Notebook question 1: which λ?
# -----------------------------
# The notebook answered that weight decay is usually set to 1e-2 or 1e-3.
#
# **Question.** On the notebook's own problem, after its 100 epochs (400 updates at
# :math:`\eta = 0.003`), does :math:`\lambda = 0.01` bring the weight norm closer to that of no
# decay or to that of the book's :math:`\lambda = 3`? What fraction of the random start does the
# factor :math:`(1 - \eta\lambda)^{400}` leave?
#
# .. answer-start
#
norms = {}
for lambd in (0.0, 0.01, 3.0):
    result = train_scratch(problem, lambd=lambd)
    norms[lambd] = result.w_norm
    kept = (1 - 0.003 * lambd) ** result.history.num_updates
    print(
        f"λ = {lambd:<4g}: ‖w‖ = {result.w_norm:6.3f}, "
        f"test loss {result.history.test_loss[-1]:7.3g}, start kept {kept:.3f}"
    )

# sphinx_gallery_start_ignore
assert abs(norms[0.01] - norms[0.0]) < abs(norms[0.01] - norms[3.0]) / 10
record("nq1_kept", (1 - 0.003 * 0.01) ** 400)
record("nq1_kept_book", (1 - 0.003 * 3.0) ** 400)
# sphinx_gallery_end_ignore

# %%
# Closer to no decay by far: :math:`\lambda = 0.01` keeps a fraction
# :val:`plot_00.nq1_kept:.3f` of the start, and the test loss stays as bad as without decay.
# Values like 1e-2 are defaults of optimizers for deep networks, tied to their loss scaling,
# learning rate and training length; on another problem :math:`\lambda` is chosen by validation.
# More: :ref:`faq-choosing-lambda`.
#
# .. answer-end

# %%
# Notebook question 2: large true weights
# ---------------------------------------
# The notebook answered that weight decay cannot hurt when the best weights are large.
#
# **Question.** Make the true weights 1.0 instead of 0.01, keep everything else, and sweep the
# grid. Will the best :math:`\lambda` be larger or smaller than with the book's weights?
#
# .. answer-start
#
best_lambda = {}
for true_w in (0.01, 1.0):
    data = make_problem(seed=0, true_w=true_w)
    losses = regularization_path(data, grid).final_test_loss
    k = int(losses.argmin())
    best_lambda[true_w] = float(grid[k])
    print(
        f"true weights {true_w:4}: best λ = {grid[k]:5.3g}, test loss at λ = 0.001: "
        f"{losses[0]:5.3g}, at the best λ: {losses[k]:7.3g}, baseline {zero_predictor_loss(data):.3g}"
    )

# sphinx_gallery_start_ignore
assert best_lambda[1.0] < best_lambda[0.01], "the best lambda is no longer smaller for w* = 1"
record("nq2_best_small", best_lambda[0.01])
record("nq2_best_large", best_lambda[1.0])
# sphinx_gallery_end_ignore

# %%
# Smaller: :val:`plot_00.nq2_best_large:.3g` instead of :val:`plot_00.nq2_best_small:.3g`.
# Weight decay pulls *every* weight towards zero, the true ones too, and the cost of that bias
# grows with the square of their size. Decay still helps here, because it removes the random
# start that 20 examples cannot correct, but less of it is better. The notebook's answer mixes up
# the large weights of an overfit model with large true weights: :ref:`faq-large-weights`.
#
# .. answer-end

# %%
# Notebook question 3: where NaN and Inf come from
# ------------------------------------------------
# **Question.** Raise the learning rate from 0.003 to 0.1. Does the run end in ``inf`` or in
# ``nan``, and which value stops being finite first: a weight, a gradient or the loss?
#
# .. answer-start
#
# The trainer checks every update and stops at the first value that is not finite:
try:
    train_scratch(problem, lr=0.1)
except DivergenceError as error:
    failure = error.divergence
    print(f"update {failure.step}: the {failure.quantity} became {failure.value}")
    print(f"largest weight at that point: {failure.max_abs_w:.2g}")

# sphinx_gallery_start_ignore
assert failure.quantity == "loss", failure
assert failure.value == float("inf"), failure
assert failure.max_abs_w < torch.finfo(torch.float32).max, failure
record("nq3_step", failure.step)
record("nq3_max_w", failure.max_abs_w)
# sphinx_gallery_end_ignore

# %%
# The loss first, and it becomes ``inf``: squaring a residual overflows float32 while the weights
# are still finite. NaN comes later, from arithmetic on infinities such as ``inf - inf``; nothing
# here divides by zero. The fix is a learning rate below the stability limit (plus clipping and a
# check at every update, which stopped this run at update :val:`plot_00.nq3_step`):
# :ref:`faq-nan-and-inf`.
#
# .. answer-end

# %%
# Notebook question 4: vanishing gradients
# ----------------------------------------
# **Question.** In a network of 15 hidden layers, compare the gradient norm of the first layer's
# weights with that of the last. Is the ratio close to 1, about 1e-3, or below 1e-6, with the
# sigmoid (and Xavier initialization)? With ReLU and PyTorch's default initialization? With
# ReLU and Kaiming initialization?
#
# .. answer-start
#
inputs = torch.randn(64, 16, generator=torch.Generator().manual_seed(0))
targets = inputs.sum(dim=1, keepdim=True) / 4
ratio = {}
for activation, init in [("sigmoid", "xavier"), ("relu", "default"), ("relu", "kaiming")]:
    gen = torch.Generator().manual_seed(0)
    net = mlp(16, depth=15, width=64, activation=activation, init=init, generator=gen)
    grad_norms = layer_grad_norms(net, inputs, targets)
    ratio[activation, init] = grad_norms[0] / grad_norms[-1]
    print(f"{activation:7} + {init:7}: first / last layer = {ratio[activation, init]:.1e}")

# sphinx_gallery_start_ignore
assert ratio["sigmoid", "xavier"] < 1e-6, ratio
assert ratio["relu", "default"] < 1e-2, ratio
assert 0.05 < ratio["relu", "kaiming"] < 20, ratio
record("nq4_sigmoid", ratio["sigmoid", "xavier"])
record("nq4_relu_default", ratio["relu", "default"])
record("nq4_relu_kaiming", ratio["relu", "kaiming"])
# sphinx_gallery_end_ignore

# %%
# With the sigmoid the first layer's gradient all but vanishes (a ratio of
# :val:`plot_00.nq4_sigmoid:.1e`): each layer multiplies it by the sigmoid's derivative, at most
# 1/4, and the factors compound with depth. ReLU alone does not fix it: with PyTorch's default
# initialization the ratio is still :val:`plot_00.nq4_relu_default:.1e`, because of the default
# non-zero biases. ReLU with Kaiming initialization keeps it balanced
# (:val:`plot_00.nq4_relu_kaiming:.2g`). Why: :ref:`faq-vanishing-gradients`.
#
# .. answer-end

# %%
# Notebook question 5: when the weights are updated
# -------------------------------------------------
# **Question.** Are the weights updated once per epoch? Count the updates of the notebook's 100
# epochs on 20 examples with minibatches of 5, of 3, and of 20.
#
# .. answer-start
#
updates = {}
for batch_size in (5, 3, 20):
    updates[batch_size] = train_scratch(problem, batch_size=batch_size).history.num_updates
    print(f"minibatches of {batch_size:2}: {updates[batch_size]} updates in 100 epochs")

# sphinx_gallery_start_ignore
assert updates == {5: 400, 3: 700, 20: 100}, updates  # ceil(20 / b) per epoch, by hand
record("nq5_per_epoch_3", updates[3] // 100)
# sphinx_gallery_end_ignore

# %%
# Once per minibatch: :math:`\lceil 20/|B|\rceil` updates per epoch, the last minibatch of an
# epoch being smaller when :math:`|B|` does not divide 20. Only full-batch gradient descent
# updates once per epoch. More: :ref:`faq-weight-updates`.
#
# .. answer-end
