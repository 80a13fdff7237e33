"""weightdecay: weight decay (L2) and L1 regularization, reproduced and explained with PyTorch.

The stable entry points are importable from here:

>>> from weightdecay import make_problem, train_scratch
>>> result = train_scratch(make_problem(seed=0), lambd=3.0)
>>> round(result.w_norm, 2)
0.38
"""

from __future__ import annotations

from weightdecay.data import Problem, make_problem
from weightdecay.path import (
    LambdaSelection,
    PathResult,
    regularization_path,
    select_lambda_cv,
    select_lambda_holdout,
)
from weightdecay.penalty import ElasticNet, l1_penalty, l2_penalty
from weightdecay.plot import plot_history, plot_path
from weightdecay.ridge import ridge_closed_form
from weightdecay.theory import min_norm_risk, optimal_ridge_lambda, ridge_risk
from weightdecay.trainer import (
    Divergence,
    DivergenceError,
    History,
    TrainResult,
    train_concise,
    train_scratch,
)

__version__ = "0.1.0"

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
    "l1_penalty",
    "l2_penalty",
    "make_problem",
    "min_norm_risk",
    "optimal_ridge_lambda",
    "plot_history",
    "plot_path",
    "regularization_path",
    "ridge_closed_form",
    "ridge_risk",
    "select_lambda_cv",
    "select_lambda_holdout",
    "train_concise",
    "train_scratch",
]
