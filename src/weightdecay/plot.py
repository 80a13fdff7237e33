"""Figures. The only module that uses matplotlib, and it imports it only when a function is called."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from weightdecay.trainer import History

__all__ = ["plot_history"]


def plot_history(
    history: History,
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
    history : History
        A run's history (``result.history``).
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
    >>> ax = plot_history(train_scratch(make_problem(), num_epochs=10).history)
    >>> ax.get_yscale(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('log', ['train', 'test'])
    """
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
    ax.set_xlim(history.epochs[0], history.epochs[-1])
    ax.legend()
    return ax
