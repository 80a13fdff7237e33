"""weightdecay: weight decay (L2) and L1 regularization, reproduced and explained with PyTorch.

The stable entry points are importable from here:

>>> from weightdecay import make_problem, train_scratch
>>> problem = make_problem(seed=0)
>>> overfit, decayed = train_scratch(problem), train_scratch(problem, lambd=3.0)
>>> decayed.w_norm < overfit.w_norm / 20
True

The package loads lazily (Scientific Python's SPEC 1, with a module-level ``__getattr__``):
``import weightdecay`` imports no submodule and not even torch, so that ``weightdecay --help``
answers at once. A name is imported from its module the first time it is used.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what mypy and editors read; at run time __getattr__ imports on demand
    from weightdecay.data import make_problem, minibatches
    from weightdecay.equilibrium import decay_timescale, equilibrium_angular_update
    from weightdecay.evaluate import evaluate_loss, squared_loss, zero_predictor_loss
    from weightdecay.model import init_params, linreg
    from weightdecay.networks import decay_param_groups, layer_grad_norms, mlp
    from weightdecay.path import PathResult, regularization_path
    from weightdecay.penalty import ElasticNet, l1_penalty, l2_penalty
    from weightdecay.plot import plot_coefficients, plot_history, plot_path
    from weightdecay.problem import Problem
    from weightdecay.results import Divergence, DivergenceError, History, TrainResult
    from weightdecay.ridge import ridge_closed_form
    from weightdecay.selection import LambdaSelection, select_lambda_cv, select_lambda_holdout
    from weightdecay.theory import min_norm_risk, optimal_ridge_lambda, ridge_risk
    from weightdecay.trainer import sgd, train_concise, train_scratch

__version__ = "0.2.0.dev0"

# Where each top-level name lives. tests/test_package.py checks that this table and the
# TYPE_CHECKING imports above name the same things.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "data": ("make_problem", "minibatches"),
    "equilibrium": ("decay_timescale", "equilibrium_angular_update"),
    "evaluate": ("evaluate_loss", "squared_loss", "zero_predictor_loss"),
    "model": ("init_params", "linreg"),
    "networks": ("decay_param_groups", "layer_grad_norms", "mlp"),
    "path": ("PathResult", "regularization_path"),
    "penalty": ("ElasticNet", "l1_penalty", "l2_penalty"),
    "plot": ("plot_coefficients", "plot_history", "plot_path"),
    "problem": ("Problem",),
    "results": ("Divergence", "DivergenceError", "History", "TrainResult"),
    "ridge": ("ridge_closed_form",),
    "selection": ("LambdaSelection", "select_lambda_cv", "select_lambda_holdout"),
    "theory": ("min_norm_risk", "optimal_ridge_lambda", "ridge_risk"),
    "trainer": ("sgd", "train_concise", "train_scratch"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

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
    "evaluate_loss",
    "init_params",
    "l1_penalty",
    "l2_penalty",
    "layer_grad_norms",
    "linreg",
    "make_problem",
    "min_norm_risk",
    "minibatches",
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
    "sgd",
    "squared_loss",
    "train_concise",
    "train_scratch",
    "zero_predictor_loss",
]


def __getattr__(name: str) -> object:
    """Import a top-level name, or a public submodule, on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}"):
            return importlib.import_module(f"{__name__}.{name}")  # weightdecay.path, ...
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    """The public names, loaded or not, for ``dir()`` and tab completion."""
    return sorted({*globals(), *__all__})
