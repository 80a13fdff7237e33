"""The ``weightdecay`` command: train, compare and study the notebook's runs from a shell.

Bad arguments give a one-line error and exit code 2; a diverging run gives a one-line
explanation and exit code 1. Neither prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import torch

from weightdecay.data import Problem, make_problem
from weightdecay.path import (
    LambdaSelection,
    PathResult,
    regularization_path,
    select_lambda_cv,
    select_lambda_holdout,
)
from weightdecay.penalty import PENALTIES, ElasticNet, Penalty, get_penalty, penalty_name
from weightdecay.trainer import TrainResult, train_concise, train_scratch

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

__all__ = ["build_parser", "main"]

PROG = "weightdecay"


class UsageError(Exception):
    """A command-line mistake: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Print one line instead of argparse's usage block, and exit with code 2."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# --------------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``weightdecay`` command.

    Returns
    -------
    argparse.ArgumentParser
        With the subcommands ``train``, ``compare`` and ``path``.

    Examples
    --------
    >>> args = build_parser().parse_args(["train", "--penalty", "l1", "--lambd", "2"])
    >>> args.command, args.penalty, args.lambd
    ('train', 'l1', 2.0)
    """
    parser = _Parser(
        prog=PROG,
        description=(
            "Weight decay on d2l's high-dimensional linear regression (20 examples, 200 features). "
            "Train one run, compare lambda = 0 with a decayed run, or train a whole grid of "
            "lambda values and choose one by validation."
        ),
        epilog=(
            "examples:\n"
            "  weightdecay train --penalty l1 --lambd 2      # the notebook's run\n"
            "  weightdecay train --concise --weight-decay 7  # nn.Linear + torch.optim.SGD\n"
            "  weightdecay compare --plot compare.png        # lambda = 0 against lambda = 3\n"
            "  weightdecay path --lambdas 1e-3:1e2:50 --folds 5  # choose lambda by 5-fold CV"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = commands.add_parser(
        "train",
        help="train one model and print its losses",
        description="Train one model; print train/test loss at each evaluation and the final ||w||.",
    )
    _add_run_options(train)
    _add_output_options(train)
    compare = commands.add_parser(
        "compare",
        help="run lambda = 0 against a decayed run, side by side",
        description=(
            "Train twice on the same data, seeds and batches: without regularization and with it "
            "(default: L2 with lambda = 3 from scratch, or weight_decay = 7 with --concise)."
        ),
    )
    _add_run_options(compare)
    _add_output_options(compare)
    path = commands.add_parser(
        "path",
        help="train one model per lambda and choose lambda by validation",
        description=(
            "Train a from-scratch model for every lambda of a grid in one vectorized loop; print "
            "the final train and test loss and ||w|| per lambda, and choose lambda on held-out "
            "training rows (--n-val, the default) or by k-fold cross-validation (--folds). "
            "The test set never takes part in the choice."
        ),
    )
    _add_path_options(path)
    _add_data_options(path)
    _add_output_options(path)
    return parser


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    model = parser.add_argument_group("model and penalty")
    model.add_argument(
        "--concise",
        action="store_true",
        help="use nn.Linear + torch.optim (MSELoss, weight_decay) instead of the scratch model",
    )
    _add_penalty_options(model, "scratch ")
    model.add_argument(
        "--lambd",
        type=float,
        default=None,
        metavar="LAMBDA",
        help="scratch penalty strength (default: 0 for train, 3 for compare's decayed run)",
    )
    model.add_argument(
        "--weight-decay",
        type=float,
        default=None,
        metavar="WD",
        help="concise optimizer weight_decay (default: 0 for train, 7 for compare's decayed run)",
    )
    model.add_argument(
        "--optimizer",
        choices=["sgd", "adam", "adamw"],
        default="sgd",
        help="concise optimizer (default: %(default)s)",
    )
    training = _add_training_options(parser, "training")
    training.add_argument(
        "--max-grad-norm", type=float, default=None, metavar="C", help="clip gradients to norm C"
    )
    _add_data_options(parser)


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--data-seed", type=int, default=0, help="data seed (default: 0)")
    data.add_argument("--n-train", type=int, default=20, help="default: %(default)s")
    data.add_argument("--n-test", type=int, default=100, help="default: %(default)s")
    data.add_argument("--num-inputs", type=int, default=200, help="default: %(default)s")
    data.add_argument(
        "--true-w", type=float, default=0.01, help="value of the true weights (default: 0.01)"
    )
    data.add_argument(
        "--num-nonzero", type=int, default=None, metavar="K", help="only K true weights non-zero"
    )
    data.add_argument("--noise", type=float, default=0.01, help="label noise std (default: 0.01)")


def _add_penalty_options(group: argparse._ArgumentGroup, scope: str) -> None:
    """--penalty, --l1-ratio and --l1-update, which train, compare and path share."""
    group.add_argument(
        "--penalty",
        choices=sorted(PENALTIES),
        default="l2",
        help=f"{scope}penalty P(w) (default: %(default)s)",
    )
    group.add_argument(
        "--l1-ratio",
        type=float,
        default=None,
        metavar="RHO",
        help="share of L1 in the elastic-net penalty, in [0, 1] (default: 0.5)",
    )
    group.add_argument(
        "--l1-update",
        choices=["subgradient", "proximal"],
        default="subgradient",
        help=f"how the {scope}trainer applies the L1 part (default: %(default)s)",
    )


def _add_path_options(parser: argparse.ArgumentParser) -> None:
    model = parser.add_argument_group("penalty and grid")
    _add_penalty_options(model, "")
    model.add_argument(
        "--lambdas",
        type=str,
        default=DEFAULT_GRID,
        metavar="GRID",
        help=(
            "START:STOP:NUM for NUM log-spaced values from START to STOP, or a comma list such as "
            "0,0.1,1 (default: %(default)s)"
        ),
    )
    choice = model.add_mutually_exclusive_group()
    choice.add_argument(
        "--folds", type=int, default=None, metavar="K", help="choose lambda by K-fold CV"
    )
    choice.add_argument(
        "--n-val",
        type=int,
        default=None,
        metavar="N",
        help="choose lambda on the last N training rows (default: 5, unless --folds)",
    )
    _add_training_options(parser, "training (every lambda shares these)")


def _add_training_options(parser: argparse.ArgumentParser, title: str) -> argparse._ArgumentGroup:
    """The trainers' shared hyperparameters, with the notebook's values as defaults."""
    training = parser.add_argument_group(title)
    training.add_argument("--epochs", type=int, default=100, help="default: %(default)s")
    training.add_argument("--lr", type=float, default=0.003, help="default: %(default)s")
    training.add_argument("--batch-size", type=int, default=5, help="default: %(default)s")
    training.add_argument(
        "--eval-every", type=int, default=5, metavar="N", help="epochs between evaluations"
    )
    training.add_argument("--seed", type=int, default=0, help="training seed (default: 0)")
    return training


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    out = parser.add_argument_group("output")
    out.add_argument("--plot", type=Path, metavar="FILE.png", help="save the loss curves")
    out.add_argument(
        "--json", type=Path, metavar="FILE", help="write the result(s) as JSON ('-' for stdout)"
    )


# --------------------------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Run:
    label: str
    result: TrainResult
    config: dict[str, Any]


def _problem(args: argparse.Namespace) -> Problem:
    return make_problem(
        n_train=args.n_train,
        n_test=args.n_test,
        num_inputs=args.num_inputs,
        true_w=args.true_w,
        noise=args.noise,
        seed=args.data_seed,
        num_nonzero=args.num_nonzero,
    )


def _penalty(args: argparse.Namespace) -> Penalty:
    if args.l1_ratio is not None:
        if args.penalty != "elasticnet":
            msg = f"--l1-ratio goes with --penalty elasticnet, not {args.penalty}"
            raise UsageError(msg)
        return ElasticNet(args.l1_ratio)
    return get_penalty(args.penalty)


def _check_combination(args: argparse.Namespace) -> None:
    """Reject options that belong to the other trainer instead of silently ignoring them."""
    if args.command == "path":
        return
    if args.concise:
        for flag, value in (("--lambd", args.lambd), ("--l1-ratio", args.l1_ratio)):
            if value is not None:
                msg = (
                    f"{flag} applies to the from-scratch trainer; with --concise use --weight-decay"
                )
                raise UsageError(msg)
        if args.penalty != "l2" or args.l1_update != "subgradient":
            msg = "--penalty and --l1-update apply to the from-scratch trainer, not --concise"
            raise UsageError(msg)
    else:
        if args.weight_decay is not None:
            msg = "--weight-decay applies to --concise; the from-scratch trainer takes --lambd"
            raise UsageError(msg)
        if args.optimizer != "sgd":
            msg = "--optimizer applies to --concise; the from-scratch trainer uses plain SGD"
            raise UsageError(msg)


def _train(args: argparse.Namespace, problem: Problem, strength: float) -> _Run:
    common: dict[str, Any] = {
        "num_epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "eval_every": args.eval_every,
        "seed": args.seed,
        "max_grad_norm": args.max_grad_norm,
    }
    if args.concise:
        result = train_concise(problem, weight_decay=strength, optimizer=args.optimizer, **common)
        label = f"weight_decay = {strength:g}"
        config = {"trainer": "concise", "weight_decay": strength, "optimizer": args.optimizer}
    else:
        penalty = _penalty(args)
        result = train_scratch(
            problem, lambd=strength, penalty=penalty, l1_update=args.l1_update, **common
        )
        name = penalty_name(penalty)
        label = f"lambda = {strength:g}" + (f" ({name})" if strength else "")
        config = {"trainer": "scratch", "lambd": strength, "penalty": name}
        config["l1_update"] = args.l1_update
    config |= common | {"data_seed": args.data_seed}
    return _Run(label, result, config)


def _strength(args: argparse.Namespace, *, decayed: bool) -> float:
    given = args.weight_decay if args.concise else args.lambd
    if given is not None:
        return float(given)
    if not decayed:
        return 0.0
    return 7.0 if args.concise else 3.0


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------
def _table(runs: Sequence[_Run]) -> str:
    """Epoch / train / test loss for each run, side by side."""
    width = 25
    head = "epoch " + "".join(f"{run.label:>{width}}" for run in runs)
    sub = "      " + "".join(f"{'train':>12}{'test':>13}" for _ in runs)
    rows = [head, sub]
    epochs = sorted({e for run in runs for e in run.result.history.epochs})
    for epoch in epochs:
        cells = []
        for run in runs:
            h = run.result.history
            if epoch in h.epochs:
                i = h.epochs.index(epoch)
                cells.append(f"{h.train_loss[i]:>12.4e}{h.test_loss[i]:>13.4e}")
            else:
                cells.append(" " * width)
        rows.append(f"{epoch:>5} " + "".join(cells))
    return "\n".join(rows)


def _summary(run: _Run) -> str:
    h = run.result.history
    loss = "MSE" if run.config["trainer"] == "concise" else "half squared error"
    return (
        f"{run.label}: ||w||_2 = {run.result.w_norm:.4g}, train loss {h.train_loss[-1]:.4g}, "
        f"test loss {h.test_loss[-1]:.4g} ({loss}; {h.num_updates} updates)"
    )


def _plot(runs: Sequence[_Run], path: Path) -> None:
    from matplotlib.figure import Figure  # noqa: PLC0415 - only when a plot is asked for

    from weightdecay.plot import plot_history  # noqa: PLC0415

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    for run in runs:
        plot_history(run.result.history, ax, label=run.label)
    ax.set_title("train (solid) and test (dashed) loss")
    fig.savefig(path)


def _write_json(runs: Sequence[_Run], path: Path) -> None:
    payload = [{"label": r.label, "config": r.config, **r.result.to_dict()} for r in runs]
    text = json.dumps(payload[0] if len(payload) == 1 else payload, indent=2)
    if str(path) == "-":
        print(text)
    else:
        path.write_text(text + "\n", encoding="utf-8")


def _report(runs: Sequence[_Run], args: argparse.Namespace) -> None:
    if str(args.json) != "-":  # keep stdout pure JSON when it goes there
        print(_table(runs))
        print()
        for run in runs:
            print(_summary(run))
    if args.plot is not None:
        _plot(runs, args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.json is not None:
        _write_json(runs, args.json)


# --------------------------------------------------------------------------------------------
# The path command
# --------------------------------------------------------------------------------------------
DEFAULT_GRID = "1e-3:1e2:51"


def parse_grid(text: str) -> list[float]:
    """Parse ``--lambdas``: ``START:STOP:NUM`` (log-spaced, as ``numpy.geomspace``) or a comma list.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    list of float
        The grid, in the order given (``regularization_path`` checks it).

    Raises
    ------
    UsageError
        If the text is neither form, or ``START:STOP:NUM`` is out of range.

    Examples
    --------
    >>> parse_grid("0.01:100:5")
    [0.01, 0.1, 1.0, 10.0, 100.0]
    >>> parse_grid("0, 0.5,2")
    [0.0, 0.5, 2.0]
    """
    expected = "expected START:STOP:NUM (log-spaced, 0 < START < STOP, NUM >= 2) or a comma list"
    if ":" not in text:
        try:
            return [float(v) for v in text.split(",")]
        except ValueError:
            msg = f"--lambdas: {expected}, got {text!r}"
            raise UsageError(msg) from None
    parts = text.split(":")
    try:
        start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        msg = f"--lambdas: {expected}, got {text!r}"
        raise UsageError(msg) from None
    if len(parts) != 3 or not (0 < start < stop < math.inf) or num < 2:
        msg = f"--lambdas: {expected}, got {text!r}"
        raise UsageError(msg)
    lo, hi = math.log10(start), math.log10(stop)
    grid = [10 ** (lo + (hi - lo) * i / (num - 1)) for i in range(num)]
    grid[0], grid[-1] = start, stop  # exact end points, as numpy.geomspace
    return [float(f"{v:.12g}") for v in grid]


@dataclass(frozen=True)
class _PathRun:
    path: PathResult
    selection: LambdaSelection
    config: dict[str, Any]


def _run_path(args: argparse.Namespace, problem: Problem) -> _PathRun:
    grid = parse_grid(args.lambdas)
    penalty = _penalty(args)
    common: dict[str, Any] = {
        "penalty": penalty,
        "num_epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "eval_every": args.eval_every,
        "seed": args.seed,
        "l1_update": args.l1_update,
    }
    n_val = 5 if args.n_val is None else args.n_val
    loops = 1
    if args.folds is not None and args.folds >= 2:
        loops = 1 if problem.n_train % args.folds == 0 else 2  # folds of two sizes
    with _progress_bar(args.epochs * (1 + loops)) as progress:
        # Selection first: it checks every argument (folds, n_val included) before any training.
        if args.folds is not None:
            selection = select_lambda_cv(
                problem, grid, folds=args.folds, progress=progress, **common
            )
        else:
            selection = select_lambda_holdout(
                problem, grid, n_val=n_val, progress=progress, **common
            )
        path = regularization_path(problem, grid, progress=progress, **common)
    config = common | {"penalty": penalty_name(penalty), "data_seed": args.data_seed}
    config |= {"folds": args.folds} if args.folds is not None else {"n_val": n_val}
    return _PathRun(path, selection, config)


@contextmanager
def _progress_bar(total: int) -> Iterator[Callable[[int], None]]:
    """A tqdm bar on stderr, shown only if the work lasts more than a second.

    The library reports the epochs done within each training loop; the callback turns those
    reports into steps of one bar over all the loops.
    """
    from tqdm import tqdm  # type: ignore[import-untyped]  # noqa: PLC0415 - only the CLI needs it

    bar = tqdm(total=total, delay=1.0, file=sys.stderr, unit="epoch", leave=False, desc="path")
    last = 0

    def report(epochs: int) -> None:
        nonlocal last
        if epochs < last:  # a new training loop started
            last = 0
        bar.update(epochs - last)
        last = epochs

    try:
        yield report
    finally:
        bar.close()


def _path_table(run: _PathRun) -> str:
    path, sel = run.path, run.selection
    sparse = run.config["penalty"] != "l2"
    cv = sel.val_loss.shape[0] > 1
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
        row += f" {float(sel.mean[k]):>11.4e}"
        row += f" {float(sel.std[k]):>9.2e}" if cv else ""
        if k == sel.best_index:
            row += "  <- chosen"
        elif k == sel.index_1se:
            row += "  <- 1-SE rule"
        rows.append(row)
    return "\n".join(rows)


def _path_summary(run: _PathRun) -> list[str]:
    path, sel = run.path, run.selection
    chosen = (
        f"chosen lambda = {sel.best_lambda:.4g} ({sel.method}: lowest mean validation loss, "
        f"{float(sel.mean[sel.best_index]):.4g}); test loss there "
        f"{float(path.final_test_loss[sel.best_index]):.4g}"
    )
    lines = [chosen]
    last = path.lambdas.shape[0] - 1
    if last > 0 and sel.best_index in (0, last):
        end = "smallest" if sel.best_index == 0 else "largest"
        lines.append(f"note: that is the {end} lambda of the grid; a wider grid may do better")
    if sel.val_loss.shape[0] > 1:
        lines.append(f"one-standard-error rule: lambda = {sel.lambda_1se:.4g}")
    test = torch.where(path.diverged, math.inf, path.final_test_loss.nan_to_num(math.inf))
    best = int(test.argmin())
    lines.append(
        f"lowest test loss on the grid (hindsight, not a way to choose): lambda = "
        f"{float(path.lambdas[best]):.4g}, test loss {float(test[best]):.4g}"
    )
    if path.divergences:
        bad = ", ".join(f"{float(path.lambdas[k]):g}" for k in sorted(path.divergences))
        lines.append(f"diverged (frozen at their last finite weights): lambda = {bad}")
    return lines


def _report_path(run: _PathRun, args: argparse.Namespace) -> None:
    if str(args.json) != "-":
        print(_path_table(run))
        print()
        print("\n".join(_path_summary(run)))
    if args.plot is not None:
        from matplotlib.figure import Figure  # noqa: PLC0415 - only when a plot is asked for

        from weightdecay.plot import plot_path  # noqa: PLC0415

        fig = Figure(figsize=(6, 6), layout="constrained")
        axes = fig.subplots(2, 1, sharex=True)
        plot_path(run.path, axes, validation=run.selection)
        fig.savefig(args.plot)
        print(f"wrote {args.plot}", file=sys.stderr)
    if args.json is not None:
        payload = {
            "config": run.config,
            "path": run.path.to_dict(),
            "selection": run.selection.to_dict(),
        }
        text = json.dumps(payload, indent=2)
        if str(args.json) == "-":
            print(text)
        else:
            args.json.write_text(text + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``weightdecay`` command.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments (``sys.argv[1:]`` if None).

    Returns
    -------
    int
        0 on success, 1 if training diverged, 2 for bad arguments.

    Examples
    --------
    >>> main(["train", "--epochs", "10", "--lambd", "3"])  # doctest: +ELLIPSIS
    epoch           lambda = 3 (l2)
                 train         test
        5   ...
    0
    """
    args = build_parser().parse_args(argv)
    try:
        _check_combination(args)
        problem = _problem(args)
        if args.command == "path":
            _report_path(_run_path(args, problem), args)
            return 0
        if args.command == "train":
            runs = [_train(args, problem, _strength(args, decayed=False))]
        else:
            runs = [
                _train(args, problem, 0.0),
                _train(args, problem, _strength(args, decayed=True)),
            ]
        _report(runs, args)
    except (UsageError, ValueError, TypeError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except FloatingPointError as error:  # DivergenceError, or every lambda of a path diverged
        print(f"{PROG}: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    return 0
