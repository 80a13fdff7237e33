"""weightdecay: weight decay (L2) and L1 regularization, reproduced and explained with PyTorch.

The stable entry points are importable from here:

>>> from weightdecay import make_problem, train_scratch
>>> problem = make_problem(seed=0)
>>> overfit, decayed = train_scratch(problem), train_scratch(problem, lambd=3.0)
>>> decayed.w_norm < overfit.w_norm / 20
True
"""

from __future__ import annotations

from weightdecay.data import make_problem
from weightdecay.equilibrium import decay_timescale, equilibrium_angular_update
from weightdecay.evaluate import zero_predictor_loss
from weightdecay.networks import decay_param_groups, layer_grad_norms, mlp
from weightdecay.path import PathResult, regularization_path
from weightdecay.penalty import ElasticNet, l1_penalty, l2_penalty
from weightdecay.plot import plot_coefficients, plot_history, plot_path
from weightdecay.problem import Problem
from weightdecay.results import Divergence, DivergenceError, History, TrainResult
from weightdecay.ridge import ridge_closed_form
from weightdecay.selection import LambdaSelection, select_lambda_cv, select_lambda_holdout
from weightdecay.theory import min_norm_risk, optimal_ridge_lambda, ridge_risk
from weightdecay.trainer import train_concise, train_scratch

__version__ = "0.2.0.dev0"

__all__ = [
    "Divergence",
    "DivergenceError",
    "ElasticNet",
    "History",
    "LambdaSelection",
    "PathResult",
    "Problem",
    "TrainResult",
    "__version__",
    "decay_param_groups",
    "decay_timescale",
    "equilibrium_angular_update",
    "l1_penalty",
    "l2_penalty",
    "layer_grad_norms",
    "make_problem",
    "min_norm_risk",
    "mlp",
    "optimal_ridge_lambda",
    "plot_coefficients",
    "plot_history",
    "plot_path",
    "regularization_path",
    "ridge_closed_form",
    "ridge_risk",
    "select_lambda_cv",
    "select_lambda_holdout",
    "train_concise",
    "train_scratch",
    "zero_predictor_loss",
]
