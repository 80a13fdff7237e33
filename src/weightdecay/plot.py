"""Figures. The only module that uses matplotlib, and it imports it only when a function is called."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from weightdecay.results import TrainResult

if TYPE_CHECKING:
    from collections.abc import Sequence

    import torch
    from matplotlib.axes import Axes

    from weightdecay.path import PathResult
    from weightdecay.results import History
    from weightdecay.selection import LambdaSelection

__all__ = ["plot_coefficients", "plot_history", "plot_path"]


def plot_history(
    history: History | TrainResult,
    ax: Axes | None = None,
    *,
    label: str | None = None,
    color: str | None = None,
) -> Axes:
    """Draw the train and test loss of a run against the epoch, on a log scale.

    The picture d2l's ``Animator`` draws during training, drawn once at the end: solid line for the
    training loss, dashed for the test loss.

    Parameters
    ----------
    history : History or TrainResult
        A run's history, or the run itself (its ``history`` is drawn).
    ax : matplotlib.axes.Axes or None, default=None
        Where to draw; a new figure is made if None.
    label : str or None, default=None
        Prefix of the legend entries, for example ``"lambda = 3"``.
    color : str or None, default=None
        Colour of both lines (the axes' colour cycle if None).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If the history has no evaluated epoch.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from weightdecay import make_problem, plot_history, train_scratch
    >>> ax = plot_history(train_scratch(make_problem(), num_epochs=10))
    >>> ax.get_yscale(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('log', ['train', 'test'])
    """
    if isinstance(history, TrainResult):
        history = history.history
    if not history.epochs:
        msg = "history has no evaluated epoch to plot (did the run diverge in its first epoch?)."
        raise ValueError(msg)
    if ax is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - keep matplotlib out of `import weightdecay`

        _, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
    prefix = f"{label}: " if label else ""
    (line,) = ax.plot(history.epochs, history.train_loss, color=color, label=f"{prefix}train")
    ax.plot(
        history.epochs,
        history.test_loss,
        color=line.get_color(),
        linestyle="--",
        label=f"{prefix}test",
    )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if len(history.epochs) > 1:
        ax.set_xlim(history.epochs[0], history.epochs[-1])
    ax.legend()
    return ax


def plot_path(
    path: PathResult,
    axes: Sequence[Axes] | None = None,
    *,
    validation: LambdaSelection | None = None,
    chosen: float | None = None,
    label: str | None = None,
) -> tuple[Axes, Axes]:
    """Draw a regularization path: final losses and :math:`\\lVert w\\rVert` against :math:`\\lambda`.

    The top panel shows the train loss (solid) and the test loss (dashed), plus the validation
    curve (dotted, with a band of one standard deviation across folds) when ``validation`` is
    given; the bottom panel shows :math:`\\lVert w\\rVert_2`. A diverged :math:`\\lambda` leaves a
    gap in every curve. Both axes are logarithmic; a grid
    that starts at :math:`\\lambda = 0` gets a ``symlog`` x axis, linear below its smallest
    positive value.

    Parameters
    ----------
    path : PathResult
        From :func:`~weightdecay.path.regularization_path`.
    axes : sequence of two matplotlib.axes.Axes or None, default=None
        Where to draw the losses and the norm; a new figure is made if None.
    validation : LambdaSelection or None, default=None
        A validation curve over the same grid (:func:`~weightdecay.selection.select_lambda_cv` or
        :func:`~weightdecay.selection.select_lambda_holdout`).
    chosen : float or None, default=None
        Mark this :math:`\\lambda` with a vertical line; defaults to ``validation.best_lambda``
        when ``validation`` is given.
    label : str or None, default=None
        Prefix of the legend entries.

    Returns
    -------
    tuple of matplotlib.axes.Axes
        The loss axes and the norm axes.

    Raises
    ------
    ValueError
        If ``axes`` does not hold two axes, or ``validation`` is over another grid.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from weightdecay import make_problem, plot_path, regularization_path, select_lambda_cv
    >>> problem, grid = make_problem(), [0.01, 0.1, 1.0, 10.0]
    >>> loss_ax, norm_ax = plot_path(
    ...     regularization_path(problem, grid), validation=select_lambda_cv(problem, grid)
    ... )
    >>> loss_ax.get_xscale(), [t.get_text() for t in loss_ax.get_legend().get_texts()]
    ('log', ['train', 'test', 'validation (5-fold cross-validation)', 'chosen: 10'])
    """
    loss_ax, norm_ax = _two_axes(axes)
    x = path.lambdas.tolist()
    if validation is not None and validation.lambdas.tolist() != x:
        msg = "validation must be computed on the same grid of lambdas as path."
        raise ValueError(msg)
    prefix = f"{label}: " if label else ""
    loss_ax.plot(x, path.final_train_loss.tolist(), color="C0", label=f"{prefix}train")
    loss_ax.plot(x, path.final_test_loss.tolist(), "--", color="C1", label=f"{prefix}test")
    if validation is not None:
        _plot_validation(loss_ax, x, validation, prefix)
        chosen = validation.best_lambda if chosen is None else chosen
    norm = path.w_norm.masked_fill(path.diverged, float("nan"))  # a gap, not a frozen value
    norm_ax.plot(x, norm.tolist(), color="C3", label=f"{prefix}||w||")
    for ax in (loss_ax, norm_ax):
        _log_lambda_axis(ax, x)
        ax.set_yscale("log")
        if chosen is not None:
            ax.axvline(chosen, color="0.4", linestyle=":", label=f"chosen: {chosen:g}")
    loss_ax.set_ylabel("final loss")
    norm_ax.set_ylabel("||w||")
    norm_ax.set_xlabel("lambda")
    loss_ax.legend()
    return loss_ax, norm_ax


def plot_coefficients(
    path: PathResult,
    ax: Axes | None = None,
    *,
    highlight: torch.Tensor | None = None,
    highlight_label: str = "highlighted",
) -> Axes:
    r"""Draw each weight :math:`w_j` against :math:`\lambda`: the coefficient path.

    The picture of scikit-learn's Lasso and elastic-net path examples: one line per weight, from
    the smallest :math:`\lambda` (left) to the largest, so that one sees L2 shrink every weight
    together and L1 set them to zero one after another. A diverged :math:`\lambda` leaves a gap.

    Parameters
    ----------
    path : PathResult
        From :func:`~weightdecay.path.regularization_path`.
    ax : matplotlib.axes.Axes or None, default=None
        Where to draw; a new figure is made if None.
    highlight : torch.Tensor of bool, shape (num_inputs,) or (num_inputs, 1), or None, default=None
        Weights to draw in a second colour, for example ``problem.true_w != 0``.
    highlight_label : str, default="highlighted"
        Their legend entry.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ValueError
        If ``highlight`` does not have one entry per weight.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from weightdecay import make_problem, plot_coefficients, regularization_path
    >>> path = regularization_path(make_problem(), [0.1, 1.0, 10.0], penalty="l1", num_epochs=10)
    >>> ax = plot_coefficients(path)
    >>> len(ax.get_lines()), ax.get_xscale()  # 200 weights and the zero line
    (201, 'log')
    """
    num_inputs = path.W.shape[0]
    if highlight is not None and highlight.numel() != num_inputs:
        msg = f"highlight must have one entry per weight ({num_inputs}), got {highlight.numel()}."
        raise ValueError(msg)
    if ax is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - keep matplotlib out of `import weightdecay`

        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    x = path.lambdas.tolist()
    W = path.W.masked_fill(path.diverged.unsqueeze(0), float("nan"))  # a gap, not a frozen value
    marked = [False] * num_inputs if highlight is None else highlight.flatten().bool().tolist()
    labelled: set[bool] = set()
    styles: dict[bool, dict[str, Any]] = {
        True: {"color": "C1", "lw": 1.2, "alpha": 0.9},  # highlighted
        False: {"color": "C0", "lw": 0.6, "alpha": 0.5},
    }
    for j in range(num_inputs):
        special = marked[j]
        label = None if special in labelled else (highlight_label if special else "weights")
        labelled.add(special)
        ax.plot(x, W[j].tolist(), label=label, **styles[special])
    _log_lambda_axis(ax, x)
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel("lambda")
    ax.set_ylabel("weight $w_j$")
    if highlight is not None:
        ax.legend()
    return ax


def _two_axes(axes: Sequence[Axes] | None) -> tuple[Axes, Axes]:
    if axes is None:
        import matplotlib.pyplot as plt  # noqa: PLC0415 - keep matplotlib out of `import weightdecay`

        _, pair = plt.subplots(2, 1, figsize=(5.5, 5), sharex=True, layout="constrained")
        return pair[0], pair[1]
    if len(axes) != 2:
        msg = f"axes must hold two Axes (losses, norm), got {len(axes)}."
        raise ValueError(msg)
    return axes[0], axes[1]


def _plot_validation(ax: Axes, x: list[float], validation: LambdaSelection, prefix: str) -> None:
    mean = validation.mean.tolist()
    ax.plot(x, mean, ":", marker=".", color="C2", label=f"{prefix}validation ({validation.method})")
    if validation.val_loss.shape[0] > 1:
        low = (validation.mean - validation.std).clamp(min=0).tolist()
        high = (validation.mean + validation.std).tolist()
        ax.fill_between(x, low, high, color="C2", alpha=0.2, linewidth=0)


def _log_lambda_axis(ax: Axes, x: list[float]) -> None:
    positive = [v for v in x if v > 0]
    if x[0] == 0 and positive:
        ax.set_xscale("symlog", linthresh=positive[0])
    elif positive:
        ax.set_xscale("log")
