"""``weightdecay path``: one model per lambda, the choice by validation, a table and a summary."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import torch

from weightdecay._cli_checks import default_n_val
from weightdecay._cli_report import (
    command_name,
    count,
    json_document,
    table_stream,
    write_json,
    write_plot,
)
from weightdecay._cli_signals import exit_at_once_on_interrupt
from weightdecay._cli_train import problem_of
from weightdecay._progress import progress_bar
from weightdecay.path import regularization_path
from weightdecay.penalty import ElasticNet, get_penalty, penalty_parts
from weightdecay.selection import select_lambda_cv, select_lambda_holdout

if TYPE_CHECKING:
    import argparse
    from typing import Any

    from matplotlib.figure import Figure

    from weightdecay.path import PathResult
    from weightdecay.selection import LambdaSelection

__all__ = ["path_summary", "path_table", "run"]


def run(args: argparse.Namespace) -> int:
    """Train the path, choose lambda, print the table and the summary, write; the exit code."""
    problem = problem_of(args)
    penalty = ElasticNet(args.l1_ratio) if args.l1_ratio is not None else get_penalty(args.penalty)
    common: dict[str, Any] = {
        "penalty": penalty,
        "num_epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "eval_every": args.eval_every,
        "seed": args.seed,
        "l1_update": args.l1_update,
    }
    l2_share = (penalty_parts(penalty) or (0.0, 0.0))[1]
    unstable = [v for v in args.lambdas if args.lr * v * l2_share >= 2]
    if unstable:
        have = "has" if len(unstable) == 1 else "have"
        print(
            f"{command_name(args)}: note: {len(unstable)} of the "
            f"{count(len(args.lambdas), 'lambda')} {have} --lr x lambda >= 2 (from "
            f"{min(unstable):g}): the decay step alone makes them diverge; they will be "
            "reported, not chosen",
            file=sys.stderr,
            flush=True,
        )
    loops = 2 if args.folds is not None and args.n_train % args.folds else 1
    with progress_bar(True, total=args.epochs * (loops + 1), desc="path") as bar:
        try:
            if args.folds is not None:
                selection = select_lambda_cv(
                    problem, args.lambdas, folds=args.folds, progress=bar, **common
                )
            else:
                selection = select_lambda_holdout(
                    problem, args.lambdas, n_val=default_n_val(args), progress=bar, **common
                )
        except FloatingPointError as error:  # every lambda diverged: nothing can be chosen
            message = str(error).replace(
                "the learning rate (lr=...) or the largest lambda",
                "--lr or the largest of --lambdas",
            )
            print(f"{command_name(args)}: {message}", file=sys.stderr)
            return 1
        path = regularization_path(problem, args.lambdas, progress=bar, **common)
    with exit_at_once_on_interrupt(command_name(args)):
        out = table_stream(args)
        print(path_table(path, selection), file=out)
        print(file=out)
        print("\n".join(path_summary(path, selection, lr=args.lr, l2_share=l2_share)), file=out)
        parts = {"path": path.to_dict(), "selection": selection.to_dict()}
        write_json(json_document(args, interrupted=False, **parts), args)
        write_plot(args, lambda fig: _draw(fig, path, selection), height=6)
    return 0


def _last_finite(path: PathResult) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Final train and test loss per lambda, a diverged one's from its last finite evaluation."""
    finite = torch.isfinite(path.train_loss) & torch.isfinite(path.test_loss)
    rows = torch.arange(len(path.epochs)).unsqueeze(1).expand_as(finite)
    last = torch.where(finite, rows, -1).max(0).values  # -1: never finite
    safe = last.clamp(min=0).unsqueeze(0)
    train = path.train_loss.gather(0, safe)[0].masked_fill(last < 0, math.nan)
    test = path.test_loss.gather(0, safe)[0].masked_fill(last < 0, math.nan)
    return train, test, last.tolist()


def path_table(path: PathResult, selection: LambdaSelection) -> str:
    """One row per lambda: final losses, ||w||, zeros (for L1) and the validation loss.

    A diverged lambda shows the values of its last finite evaluation, the ones its weights are
    kept at, and says so at the end of its row.
    """
    sparse = path.penalty != "l2"
    cv = selection.val_loss.shape[0] > 1
    head = f"{'lambda':>10} {'train':>11} {'test':>11} {'||w||':>9}"
    head += f" {'|w|<1e-3':>8}" if sparse else ""
    head += f" {'CV mean':>11} {'+- std':>9}" if cv else f" {'val':>11}"
    rows = [head]
    train, test, last = _last_finite(path)
    for k, lambd in enumerate(path.lambdas.tolist()):
        row = (
            f"{lambd:>10.4g} {float(train[k]):>11.4e} {float(test[k]):>11.4e} "
            f"{float(path.w_norm[k]):>9.4g}"
        )
        row += f" {int(path.num_near_zero[k]):>8}" if sparse else ""
        row += f" {float(selection.mean[k]):>11.4e}"
        row += f" {float(selection.std[k]):>9.2e}" if cv else ""
        if k in path.divergences:
            kept = f"epoch {path.epochs[last[k]]}" if last[k] >= 0 else "the start"
            row += f"  <- diverged at epoch {path.divergences[k].epoch}; values of {kept}"
        elif k == selection.best_index:
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
    if math.isfinite(float(test[hindsight])):
        lines.append(
            "lowest test loss on the grid (hindsight, not a way to choose): lambda = "
            f"{float(path.lambdas[hindsight]):.4g}, test loss {float(test[hindsight]):.4g}"
        )
    if path.divergences:
        bad = ", ".join(f"{float(path.lambdas[k]):g}" for k in sorted(path.divergences))
        lines.append(
            f"diverged: {count(len(path.divergences), 'lambda')} ({bad}); the table shows each "
            "at its last finite evaluation, where its weights are kept"
        )
    return lines


def _draw(fig: Figure, path: PathResult, selection: LambdaSelection) -> None:
    from weightdecay.plot import plot_path  # noqa: PLC0415 - matplotlib only when asked

    plot_path(path, fig.subplots(2, 1, sharex=True), validation=selection)
