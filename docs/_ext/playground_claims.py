"""What the λ playground's page says, checked against the data and turned into cited values.

:func:`claims` takes the data of :func:`playground_data.playground_data` and returns the numbers
that ``docs/playground.md`` cites (``{val}`playground.top_b:.3f```), after checking every
statement of its "What to try" list that those numbers support. A statement that the data
contradict stops the build with an :class:`AssertionError` that names it.

This module imports no Sphinx; ``docs/_ext/playground.py`` calls it during a build, and
``tests/test_playground_data.py`` imports it by path.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["BOOK_LAMBDA", "PEAK_SIZE", "claims", "nearest_index"]

BOOK_LAMBDA = 3.0
"""The book's penalty strength, which the page compares at two sizes."""
PEAK_SIZE = 200
"""The size at which the converged estimator's expected test loss peaks (n = d)."""
LARGE_SIZE = 400
"""The size at which the model learns."""

Data = dict[str, Any]
Value = float | int


def nearest_index(values: Sequence[float], target: float) -> int:
    """The index of the value closest to ``target`` on a log scale (all values > 0).

    >>> nearest_index([0.1, 1.0, 10.0], 3.0)
    1
    """
    return min(range(len(values)), key=lambda k: abs(math.log(values[k] / target)))


def claims(data: Data) -> dict[str, Value]:
    """The values the page cites, each statement that they support checked.

    Raises
    ------
    AssertionError
        Naming the statement of the page that the data contradict.
    """
    common, sizes = data["common"], data["sizes"]
    values: dict[str, Value] = {"disagreement": common["disagreement_ratio"]}
    failed: list[str] = []
    for check in (_overfitting, _bias, _peak, _learning, _book_lambda, _l1):
        failed += check(common, sizes, values)
    if failed:
        msg = f"the playground page says what its data contradict: {failed}"
        raise AssertionError(msg)
    return values


def _l2(sizes: Data, n: int) -> tuple[Data, list[Data]]:
    trainer = sizes[str(n)]["trainers"]["scratch"]
    return trainer, trainer["runs"]["l2"]


def _below(loss: float, line: float) -> float:
    """How far ``loss`` lies below ``line``, as a fraction of it (negative above)."""
    return 1 - loss / line


def _failed(statements: dict[str, bool]) -> list[str]:
    return [statement for statement, holds in statements.items() if not holds]


def _overfitting(common: Data, sizes: Data, values: dict[str, Value]) -> list[str]:
    """At n = 20: the smallest strength overfits, and L2 brings the loss down to the line."""
    del values
    failed = []
    for name, trainer in sizes[str(common["default_size"])]["trainers"].items():
        zero = trainer["zero_predictor_loss"]
        initial_w = common["trainers"][name]["initial_w"]
        for penalty, runs in trainer["runs"].items():
            first, test = runs[0], [r["final_test_loss"] for r in runs]
            statements = {
                "at the smallest strength the train loss falls": first["train_loss"][-1]
                < first["train_loss"][0] / 100,
                "at the smallest strength the test loss is far above the line": test[0]
                > 100 * zero,
                "at the smallest strength the weights lie along the diagonal": _cosine(
                    first["w"], initial_w
                )
                > 0.9,
                "the lowest test loss lies between the ends of the grid": 0
                < test.index(min(test))
                < len(runs) - 1,
            }
            if penalty == "l2":
                statements["L2: the test loss comes down to the line"] = min(test) < 1.05 * zero
                statements["L2: at the largest strength all weights are close to zero"] = max(
                    abs(v) for v in runs[-1]["w"]
                ) < abs(common["problem"]["true_w"])
            failed += [f"{name}, {penalty}: {s}" for s in _failed(statements)]
    return failed


def _bias(common: Data, sizes: Data, values: dict[str, Value]) -> list[str]:
    """At n = 20 SGD ends below the line by luck of its bias; the converged estimator does not."""
    n = common["default_size"]
    trainer, runs = _l2(sizes, n)
    zero, converged = trainer["zero_predictor_loss"], trainer["converged"]
    refitted, theory = trainer["bias_refitted"], trainer["theory"]
    test = [r["final_test_loss"] for r in runs]
    best = test.index(min(test))
    top = runs[-1]
    mean_train, mean_test = sizes[str(n)]["mean_train_label"], sizes[str(n)]["mean_test_label"]
    expected_zero = common["theory"]["expected_zero_predictor_mse"] / 2
    values.update(
        n=n,
        zero=zero,
        top_lambda=top["strength"],
        top_sgd=top["final_test_loss"],
        top_below=_below(top["final_test_loss"], zero),
        top_b=top["b"],
        top_refitted=refitted[-1],
        top_converged=converged[-1],
        mean_train=mean_train,
        mean_test=mean_test,
        start_sgd=test[0],
        best_lambda=top["strength"] if best == len(runs) - 1 else runs[best]["strength"],
        best_below=_below(test[best], zero),
        best_refitted_below=_below(refitted[best], zero),
        best_converged_below=_below(converged[best], zero),
        converged_most_below=_below(min(converged), zero),
        theory_most_below=_below(min(theory), expected_zero),
    )
    return _failed(
        {
            "from scratch the smallest strength's test loss is about 100": test[0] > 50,
            "at the top, the converged estimator lands on the line": abs(converged[-1] / zero - 1)
            < 0.02,
            "at the top, SGD ends well below the line": top["final_test_loss"] < 0.9 * zero,
            "the bias is on its way from 0 to the mean training label": 0 < top["b"] < mean_train,
            "the test labels' mean lies below the bias": mean_test < top["b"],
            "with the bias refitted, the same weights score nearer the line": abs(
                refitted[-1] - zero
            )
            < abs(top["final_test_loss"] - zero),
            "SGD's lowest point is below the line, more than the converged estimator's": test[best]
            < min(converged)
            < zero,
            "with the bias refitted, SGD's lowest point is nearer the line": test[best]
            < refitted[best]
            < zero,
            "the converged estimator stays within 20% of the line": _below(min(converged), zero)
            < 0.2,
            "the theory's best stays within 15% of the expected line": _below(
                min(theory), expected_zero
            )
            < 0.15,
        }
    )


def _peak(common: Data, sizes: Data, values: dict[str, Value]) -> list[str]:
    """At n = d and the smallest strength the converged estimator peaks; SGD has not finished."""
    around = [s for s in common["sizes"] if s != PEAK_SIZE]
    below = max(s for s in around if s < PEAK_SIZE)
    above = min(s for s in around if s > PEAK_SIZE)
    theory = {n: _l2(sizes, n)[0]["theory"][0] for n in (below, PEAK_SIZE, above)}
    converged = {n: _l2(sizes, n)[0]["converged"][0] for n in (below, PEAK_SIZE, above)}
    first = _l2(sizes, PEAK_SIZE)[1][0]
    values.update(
        peak_n=PEAK_SIZE,
        peak_below_n=below,
        peak_above_n=above,
        peak_lambda=first["strength"],
        peak_theory=theory[PEAK_SIZE],
        peak_theory_below=theory[below],
        peak_theory_above=theory[above],
        peak_converged=converged[PEAK_SIZE],
        peak_converged_below=converged[below],
        peak_converged_above=converged[above],
        peak_sgd=first["final_test_loss"],
        peak_w_norm=first["w_norm"],
        initial_w_norm=common["trainers"]["scratch"]["initial_w_norm"],
        expected_zero=common["theory"]["expected_zero_predictor_mse"] / 2,
    )
    return _failed(
        {
            "n = d: the theory peaks at the smallest strength": theory[PEAK_SIZE]
            > 5 * max(theory[below], theory[above]),
            "n = d: the theory's peak is above the expected zero line": theory[PEAK_SIZE]
            > common["theory"]["expected_zero_predictor_mse"] / 2,
            "n = d: the converged estimator peaks on this draw too": converged[PEAK_SIZE]
            > max(converged[below], converged[above]),
            "n = d: SGD after 100 epochs is far from converged": first["final_test_loss"]
            > 100 * converged[PEAK_SIZE],
            "n = d: the random start survives in part": first["w_norm"]
            > 0.2 * common["trainers"]["scratch"]["initial_w_norm"],
            "n = d: SGD shows no peak": first["final_test_loss"]
            < _l2(sizes, below)[1][0]["final_test_loss"],
        }
    )


def _learning(common: Data, sizes: Data, values: dict[str, Value]) -> list[str]:
    """At n = 400 the model learns: far below the line, and SGD is slower than the theory."""
    del common
    trainer, runs = _l2(sizes, LARGE_SIZE)
    test = [r["final_test_loss"] for r in runs]
    best = test.index(min(test))
    zero = trainer["zero_predictor_loss"]
    values.update(
        large_n=LARGE_SIZE,
        large_zero=zero,
        large_best=test[best],
        large_best_lambda=runs[best]["strength"],
        large_times_below=zero / test[best],
        large_converged_min=min(trainer["converged"]),
        large_theory_min=min(trainer["theory"]),
        large_first_sgd=test[0],
        large_first_converged=trainer["converged"][0],
    )
    return _failed(
        {
            "n = 400: SGD's best is far below the line": test[best] < zero / 10,
            "n = 400: the converged estimator goes lower still": min(trainer["converged"])
            < test[best],
            "n = 400: at the smallest strength SGD has not finished": test[0]
            > 10 * trainer["converged"][0],
        }
    )


def _book_lambda(common: Data, sizes: Data, values: dict[str, Value]) -> list[str]:
    """λ = 3 at n = 20 and at n = 400: SGD far from converged at 20, close at 400."""
    grid = common["trainers"]["scratch"]["grid"]["values"]
    k = nearest_index(grid, BOOK_LAMBDA)
    small, large = common["default_size"], LARGE_SIZE
    at = {n: (_l2(sizes, n)[0], _l2(sizes, n)[1][k]) for n in (small, large)}
    values["book_lambda"] = grid[k]
    for n, (trainer, run) in at.items():
        values[f"book_sgd_{n}"] = run["final_test_loss"]
        values[f"book_converged_{n}"] = trainer["converged"][k]
        values[f"book_theory_{n}"] = trainer["theory"][k]
        values[f"book_zero_{n}"] = trainer["zero_predictor_loss"]
    (t_small, r_small), (t_large, r_large) = at[small], at[large]
    values[f"book_w_norm_{small}"] = r_small["w_norm"]
    values["book_unfinished_ratio"] = r_small["final_test_loss"] / t_small["converged"][k]
    values["book_large_below"] = _below(r_large["final_test_loss"], t_large["zero_predictor_loss"])
    return _failed(
        {
            "λ = 3, n = 20: SGD is several times the converged estimator": r_small[
                "final_test_loss"
            ]
            > 3 * t_small["converged"][k],
            "λ = 3, n = 400: SGD is within 10% of the converged estimator": abs(
                r_large["final_test_loss"] / t_large["converged"][k] - 1
            )
            < 0.1,
            "λ = 3, n = 400: below the line": r_large["final_test_loss"]
            < t_large["zero_predictor_loss"],
        }
    )


def _l1(common: Data, sizes: Data, values: dict[str, Value]) -> list[str]:
    """At n = 20 the L1 penalty zeroes weights and, strong, climbs again."""
    del values
    runs = sizes[str(common["default_size"])]["trainers"]["scratch"]["runs"]["l1"]
    test = [r["final_test_loss"] for r in runs]
    return _failed(
        {
            "L1: some weights end near zero": max(r["near_zeros"] for r in runs) > 0,
            "L1: at a large strength the test loss climbs again": test[-1] > 10 * min(test),
        }
    )


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
