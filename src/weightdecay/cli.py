"""The ``weightdecay`` command: train, compare and study the notebook's runs from a shell.

Bad arguments give a one-line error naming the flag, and exit code 2, before any training. A
diverging run prints and writes what finished, then a one-line explanation, and exits with
code 1. Ctrl-C prints "interrupted" and exits with 130; a closed pipe (``| head``) ends quietly.
None of them prints a traceback.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import torch

from weightdecay._cli_options import PROG, build_parser
from weightdecay._cli_report import (
    Run,
    UsageError,
    check_outputs,
    divergence_line,
    path_summary,
    path_table,
    run_summary,
    runs_table,
    write_json,
    write_plot,
)
from weightdecay._progress import progress_bar
from weightdecay._validation import check_grid
from weightdecay.data import make_problem
from weightdecay.evaluate import squared_loss, zero_predictor_loss
from weightdecay.path import regularization_path
from weightdecay.penalty import ElasticNet, get_penalty, penalty_parts
from weightdecay.selection import select_lambda_cv, select_lambda_holdout
from weightdecay.trainer import train_concise, train_scratch

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from weightdecay.penalty import Penalty
    from weightdecay.problem import Problem

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``weightdecay`` command.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments (``sys.argv[1:]`` if None).

    Returns
    -------
    int
        0 on success, 1 if training diverged, 2 for bad arguments, 130 if interrupted.

    Examples
    --------
    >>> main(["train", "--epochs", "10", "--lambd", "3"])  # doctest: +ELLIPSIS
    epoch     lambda = 3 (l2)
    ...
    0
    """
    try:
        return _run(build_parser().parse_args(argv))
    except (UsageError, ValueError, TypeError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (``| head``) has gone: stop writing, quietly, as a Unix filter does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _run(args: argparse.Namespace) -> int:
    """Check everything, then train, report and write: the exit code."""
    _check_combination(args)
    check_outputs(args)
    problem = _problem(args)
    if args.command == "path":
        return _path(args, problem)
    strengths = [_strength(args, decayed=False)]
    if args.command == "compare":
        strengths = [0.0, _strength(args, decayed=True)]
    runs = [_train(args, problem, strength) for strength in strengths]
    if str(args.json) != "-":  # keep standard output pure JSON when the JSON goes there
        print(runs_table(runs))
        print()
        for run in runs:
            print(run_summary(run))
    for run in runs:
        if run.result.divergence is not None:
            print(f"{PROG}: {divergence_line(run, args)}", file=sys.stderr)
    loss = torch.nn.MSELoss(reduction="none") if args.concise else squared_loss
    write_plot(runs, args, baseline=zero_predictor_loss(problem, loss))
    write_json([run.payload() for run in runs], args)
    return 1 if any(run.result.diverged for run in runs) else 0


def _problem(args: argparse.Namespace) -> Problem:
    return make_problem(
        n_train=args.n_train,
        n_test=args.n_test,
        num_inputs=args.num_inputs,
        true_w=args.true_w,
        true_b=args.true_b,
        noise=args.noise,
        seed=args.data_seed,
        num_nonzero=args.num_nonzero,
    )


def _penalty(args: argparse.Namespace) -> Penalty:
    if args.l1_ratio is not None:
        return ElasticNet(args.l1_ratio)
    return get_penalty(args.penalty)


def _check_combination(args: argparse.Namespace) -> None:
    """Options that only make sense together, named by their flags, before any work."""
    rows = args.n_train
    if args.num_nonzero is not None and args.num_nonzero > args.num_inputs:
        msg = f"argument --num-nonzero: must be at most --num-inputs ({args.num_inputs}), got {args.num_nonzero}"
        raise UsageError(msg)
    if args.l1_ratio is not None and args.penalty != "elasticnet":
        msg = f"argument --l1-ratio: goes with --penalty elasticnet, not {args.penalty}"
        raise UsageError(msg)
    if args.command == "path":
        rows = _validation_rows(args)
        try:
            check_grid(args.lambdas)
        except ValueError as error:
            msg = f"argument --lambdas: {error}".replace(": lambdas", ": the grid")
            raise UsageError(msg) from None
    elif args.concise:
        given = [
            f for f, v in (("--lambd", args.lambd), ("--l1-ratio", args.l1_ratio)) if v is not None
        ]
        if given or args.penalty != "l2" or args.l1_update != "subgradient":
            flag = given[0] if given else "--penalty/--l1-update"
            msg = f"argument {flag}: applies to the from-scratch trainer; with --concise use --weight-decay"
            raise UsageError(msg)
    elif args.weight_decay is not None or args.optimizer != "sgd":
        flag = "--weight-decay" if args.weight_decay is not None else "--optimizer"
        msg = f"argument {flag}: applies to --concise; the from-scratch trainer takes --lambd and plain SGD"
        raise UsageError(msg)
    if args.batch_size > rows:
        msg = f"argument --batch-size: must be at most {rows} (the training rows), got {args.batch_size}"
        raise UsageError(msg)


def _validation_rows(args: argparse.Namespace) -> int:
    """The fewest training rows of a validation split, after checking --folds and --n-val."""
    n: int = args.n_train
    if args.folds is not None:
        if args.folds > n:
            msg = f"argument --folds: must be at most --n-train ({n}), got {args.folds}"
            raise UsageError(msg)
        folds: int = args.folds
        return n - -(-n // folds)  # the largest fold holds ceil(n / folds) rows
    n_val: int = 5 if args.n_val is None else args.n_val
    if n_val > n - 1:
        msg = f"argument --n-val: must be at most --n-train - 1 ({n - 1}), got {n_val}"
        raise UsageError(msg)
    return n - n_val


def _strength(args: argparse.Namespace, *, decayed: bool) -> float:
    given = args.weight_decay if args.concise else args.lambd
    if given is not None and (decayed or args.command == "train"):
        return float(given)
    if not decayed:
        return 0.0
    return 7.0 if args.concise else 3.0


def _train(args: argparse.Namespace, problem: Problem, strength: float) -> Run:
    common = {
        "num_epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "eval_every": args.eval_every,
        "seed": args.seed,
        "max_grad_norm": args.max_grad_norm,
        "on_divergence": "stop",  # report what finished, then the failure
    }
    if args.concise:
        result = train_concise(problem, weight_decay=strength, optimizer=args.optimizer, **common)
        decay = 0.0 if args.optimizer == "adam" else strength  # Adam rescales its coupled decay
        return Run(f"weight_decay = {strength:g} ({args.optimizer})", result, decay)
    penalty = _penalty(args)
    result = train_scratch(
        problem, lambd=strength, penalty=penalty, l1_update=args.l1_update, **common
    )
    decay = strength * (penalty_parts(penalty) or (0.0, 0.0))[1]
    return Run(f"lambda = {strength:g} ({result.config['penalty']})", result, decay)


def _path(args: argparse.Namespace, problem: Problem) -> int:
    penalty = _penalty(args)
    common = {
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
        print(
            f"{PROG}: note: {len(unstable)} of the {len(args.lambdas)} lambdas have "
            f"--lr x lambda >= 2 (from {min(unstable):g}): the decay step alone makes them "
            "diverge; they will be reported, not chosen",
            file=sys.stderr,
        )
    loops = 2 if args.folds is not None and args.n_train % args.folds else 1
    total = args.epochs * (loops + 1)
    with progress_bar(True, total=total, desc="path", terminal_only=True) as bar:
        try:
            if args.folds is not None:
                selection = select_lambda_cv(
                    problem, args.lambdas, folds=args.folds, progress=bar, **common
                )
            else:
                n_val = 5 if args.n_val is None else args.n_val
                selection = select_lambda_holdout(
                    problem, args.lambdas, n_val=n_val, progress=bar, **common
                )
        except FloatingPointError as error:  # every lambda diverged: nothing can be chosen
            print(f"{PROG}: {str(error).replace('(lr=...)', '(--lr)')}", file=sys.stderr)
            return 1
        path = regularization_path(problem, args.lambdas, progress=bar, **common)
    if str(args.json) != "-":
        print(path_table(path, selection))
        print()
        print("\n".join(path_summary(path, selection, lr=args.lr, l2_share=l2_share)))
    write_plot(path, args, validation=selection)
    write_json({"path": path.to_dict(), "selection": selection.to_dict()}, args)
    return 0
