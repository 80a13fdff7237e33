"""What the ``weightdecay`` command prints and writes: tables, summaries, the JSON and the plots."""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import torch

from weightdecay.path import PathResult

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from pathlib import Path

    from weightdecay.results import TrainResult
    from weightdecay.selection import LambdaSelection

__all__ = [
    "Run",
    "UsageError",
    "check_outputs",
    "divergence_line",
    "path_summary",
    "path_table",
    "run_summary",
    "runs_table",
    "write_json",
    "write_plot",
]

PLOT_FORMATS = ("png", "pdf", "svg")


class UsageError(Exception):
    """A command-line mistake: reported in one line, exit code 2."""


@dataclass(frozen=True)
class Run:
    """One training run of ``train`` or ``compare``, with its label for the table."""

    label: str
    result: TrainResult
    decay: float = 0.0  # the rate the weights shrink by per unit of lr: lambd x L2 share, or wd

    def payload(self) -> dict[str, Any]:
        """The run as JSON: its label, its settings, its result and its divergence, if any."""
        return {"label": self.label, **self.result.to_dict()}


def check_outputs(args: argparse.Namespace) -> None:
    """Fail before any training if --plot or --json cannot be written where asked."""
    for flag, path in (("--plot", args.plot), ("--json", args.json)):
        if path is None or str(path) == "-":
            continue
        folder = path.parent
        if not folder.is_dir():
            msg = f"argument {flag}: the folder {str(folder)!r} does not exist"
            raise UsageError(msg)
        if not os.access(folder, os.W_OK):
            msg = f"argument {flag}: the folder {str(folder)!r} is not writable"
            raise UsageError(msg)
        if path.is_dir():
            msg = f"argument {flag}: {str(path)!r} is a folder, not a file name"
            raise UsageError(msg)
    suffix = "" if args.plot is None else args.plot.suffix.lower().lstrip(".")
    if suffix and suffix not in PLOT_FORMATS:
        msg = f"argument --plot: the file must end in .png, .pdf or .svg (or have no suffix, for PNG), got {str(args.plot)!r}"
        raise UsageError(msg)


def runs_table(runs: Sequence[Run]) -> str:
    """Epoch, train and test loss of each run, side by side (blank where a run has stopped)."""
    widths = [max(25, len(run.label) + 2) for run in runs]
    head = "epoch " + "".join(f"{run.label:>{w}}" for run, w in zip(runs, widths, strict=True))
    sub = "      " + "".join(f"{'train':>{w - 13}}{'test':>13}" for w in widths)
    rows = [head, sub]
    for epoch in sorted({e for run in runs for e in run.result.history.epochs}):
        cells = []
        for run, width in zip(runs, widths, strict=True):
            h = run.result.history
            if epoch in h.epochs:
                i = h.epochs.index(epoch)
                cells.append(f"{h.train_loss[i]:>{width - 13}.4e}{h.test_loss[i]:>13.4e}")
            else:
                cells.append(" " * width)
        rows.append(f"{epoch:>5} " + "".join(cells))
    return "\n".join(rows)


def run_summary(run: Run) -> str:
    """One line per run: the final norm and losses, on the trainer's own loss scale."""
    h, result = run.result.history, run.result
    loss = "MSE" if result.config["trainer"] == "concise" else "half squared error"
    if not h.epochs:
        return f"{run.label}: diverged before its first evaluation ({h.num_updates} updates)"
    stopped = " before diverging" if result.diverged else ""
    return (
        f"{run.label}: ||w||_2 = {result.w_norm:.4g}, train loss {h.train_loss[-1]:.4g}, "
        f"test loss {h.test_loss[-1]:.4g} ({loss}; {h.num_updates} updates{stopped})"
    )


def divergence_line(run: Run, args: argparse.Namespace) -> str:
    """The divergence report of a run, with the flags the user typed."""
    d = run.result.divergence
    assert d is not None
    strength = "--weight-decay" if args.concise else "--lambd"
    cause = ""
    if d.lr * run.decay >= 2:
        cause = (
            f" --lr x {strength} = {d.lr * run.decay:g} >= 2: the decay step alone, "
            "w <- (1 - lr * decay) * w, makes |w| grow."
        )
    return (
        f"{run.label}: training diverged at epoch {d.epoch}, update {d.step}: the {d.quantity} "
        f"became {d.value} with --lr {d.lr:g} (last finite loss {d.last_finite_loss:.4g}, "
        f"largest |w| {d.max_abs_w:.4g}).{cause} Lower --lr, check the scale of the initial "
        "weights and the data, or clip the gradient (--max-grad-norm C). What finished is above."
    )


def path_table(path: PathResult, selection: LambdaSelection) -> str:
    """One row per lambda: final losses, ||w||, zeros (for L1) and the validation loss."""
    sparse = path.penalty != "l2"
    cv = selection.val_loss.shape[0] > 1
    head = f"{'lambda':>10} {'train':>11} {'test':>11} {'||w||':>9}"
    head += f" {'|w|<1e-3':>8}" if sparse else ""
    head += f" {'CV mean':>11} {'+- std':>9}" if cv else f" {'val':>11}"
    rows = [head]
    for k, lambd in enumerate(path.lambdas.tolist()):
        row = (
            f"{lambd:>10.4g} {float(path.final_train_loss[k]):>11.4e} "
            f"{float(path.final_test_loss[k]):>11.4e} {float(path.w_norm[k]):>9.4g}"
        )
        row += f" {int(path.num_near_zero[k]):>8}" if sparse else ""
        row += f" {float(selection.mean[k]):>11.4e}"
        row += f" {float(selection.std[k]):>9.2e}" if cv else ""
        if k == selection.best_index:
            row += "  <- chosen"
        elif k == selection.index_1se:
            row += "  <- 1-SE rule"
        rows.append(row)
    return "\n".join(rows)


def path_summary(
    path: PathResult, selection: LambdaSelection, *, lr: float, l2_share: float
) -> list[str]:
    """The choice, where it sits in the grid, the hindsight best and the diverged lambdas."""
    best = selection.best_index
    chosen = (
        f"chosen lambda = {selection.best_lambda:.4g} ({selection.method}: lowest mean "
        f"validation loss, {float(selection.mean[best]):.4g}); test loss there "
        f"{float(path.final_test_loss[best]):.4g}"
    )
    lines = [chosen]
    last = path.lambdas.shape[0] - 1
    if last > 0 and best in (0, last):
        end = "smallest" if best == 0 else "largest"
        note = f"note: that is the {end} lambda of the grid; a wider grid may do better"
        if best == last and l2_share > 0:
            note += f", but plain SGD diverges once --lr x lambda >= 2 (lambda >= {2 / (lr * l2_share):.4g})"
        lines.append(note)
    if selection.val_loss.shape[0] > 1:
        lines.append(f"one-standard-error rule: lambda = {selection.lambda_1se:.4g}")
    test = torch.where(path.diverged, math.inf, path.final_test_loss.nan_to_num(math.inf))
    hindsight = int(test.argmin())
    lines.append(
        "lowest test loss on the grid (hindsight, not a way to choose): lambda = "
        f"{float(path.lambdas[hindsight]):.4g}, test loss {float(test[hindsight]):.4g}"
    )
    if path.divergences:
        bad = ", ".join(f"{float(path.lambdas[k]):g}" for k in sorted(path.divergences))
        lines.append(f"diverged (kept at their last finite evaluation): lambda = {bad}")
    return lines


def write_plot(
    what: Sequence[Run] | PathResult,
    args: argparse.Namespace,
    validation: LambdaSelection | None = None,
    baseline: float | None = None,
) -> None:
    """Save the loss curves of the runs, or the lambda path, to the file --plot names.

    ``baseline``: the zero predictor's test loss, drawn as a dotted line across the loss curves.
    """
    if args.plot is None:
        return
    from matplotlib.figure import Figure  # noqa: PLC0415 - only when a plot is asked for

    from weightdecay.plot import plot_history, plot_path  # noqa: PLC0415

    if isinstance(what, PathResult):
        fig = Figure(figsize=(6, 6), layout="constrained")
        plot_path(what, fig.subplots(2, 1, sharex=True), validation=validation)
    else:
        fig = Figure(figsize=(6, 4), layout="constrained")
        ax = fig.add_subplot()
        for run in what:
            if run.result.history.epochs:
                plot_history(run.result.history, ax, label=run.label)
        if baseline is not None:
            ax.axhline(baseline, color="k", linestyle=":", linewidth=1.5,
                       label="baseline: predict w = 0")  # fmt: skip
            ax.legend()
        ax.set_title("train (solid) and test (dashed) loss")
    path: Path = args.plot
    fig.savefig(path, format=path.suffix.lower().lstrip(".") or "png")
    print(f"wrote {path}", file=sys.stderr)


def write_json(payload: list[dict[str, Any]] | dict[str, Any], args: argparse.Namespace) -> None:
    """Write the payload (one run: its object; several: a list) as strict JSON to --json."""
    if args.json is None:
        return
    if isinstance(payload, list) and len(payload) == 1:
        payload = payload[0]
    text = json.dumps(payload, indent=2, allow_nan=False)
    if str(args.json) == "-":
        print(text)
    else:
        args.json.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
