"""Checks of the ``weightdecay`` command that argparse cannot make alone, run before torch loads.

Options that only make sense together, the output files (can they be written?) and the memory
the data needs: each failure is reported before any work, with the flag that causes it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

__all__ = [
    "OutputError",
    "UsageError",
    "check_outputs",
    "check_path_arguments",
    "check_run_arguments",
    "default_n_val",
]

PLOT_FORMATS = ("png", "pdf", "svg")


class UsageError(Exception):
    """A command-line mistake: reported with the command's usage line, exit code 2."""


class OutputError(Exception):
    """An output that cannot be written, or a machine too small for the data: one line, exit 1."""


def check_run_arguments(args: argparse.Namespace) -> None:
    """``train`` and ``compare``: the trainer's options, the data, the outputs."""
    if args.concise:
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
    _check_data(args, rows=args.n_train)


def check_path_arguments(args: argparse.Namespace) -> None:
    """``path``: the validation split, the data, the outputs."""
    _check_data(args, rows=_validation_rows(args))


def default_n_val(args: argparse.Namespace) -> int:
    """The hold-out rows of ``path``: --n-val, or 5."""
    return 5 if args.n_val is None else int(args.n_val)


def _check_data(args: argparse.Namespace, *, rows: int) -> None:
    if args.num_nonzero is not None and args.num_nonzero > args.num_inputs:
        msg = f"argument --num-nonzero: must be at most --num-inputs ({args.num_inputs}), got {args.num_nonzero}"
        raise UsageError(msg)
    if args.l1_ratio is not None and args.penalty != "elasticnet":
        msg = f"argument --l1-ratio: goes with --penalty elasticnet, not {args.penalty}"
        raise UsageError(msg)
    if args.batch_size > rows:
        msg = f"argument --batch-size: must be at most {rows} (the training rows), got {args.batch_size}"
        raise UsageError(msg)
    suffix = "" if args.plot is None else args.plot.suffix.lower().lstrip(".")
    if suffix and suffix not in PLOT_FORMATS:
        msg = f"argument --plot: the file must end in .png, .pdf or .svg (or have no suffix, for PNG), got {str(args.plot)!r}"
        raise UsageError(msg)
    _check_memory(args)
    check_outputs(args)


def _validation_rows(args: argparse.Namespace) -> int:
    """The fewest training rows of a validation split, after checking --folds and --n-val."""
    n: int = args.n_train
    if args.folds is not None:
        if args.folds > n:
            msg = f"argument --folds: must be at most --n-train ({n}), got {args.folds}"
            raise UsageError(msg)
        folds: int = args.folds
        return n - -(-n // folds)  # the largest fold holds ceil(n / folds) rows
    n_val = default_n_val(args)
    if n_val > n - 1:
        msg = f"argument --n-val: must be at most --n-train - 1 ({n - 1}), got {n_val}"
        raise UsageError(msg)
    return n - n_val


def _check_memory(args: argparse.Namespace) -> None:
    """Refuse data that cannot fit in this machine's memory, before torch tries to allocate it."""
    needed = 4 * (args.n_train + args.n_test) * args.num_inputs  # float32 features, at least
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):  # not every system reports it
        return
    if needed > total:
        msg = (
            f"not enough memory: --n-train {args.n_train} and --n-test {args.n_test} rows of "
            f"--num-inputs {args.num_inputs} features need {needed / 1e9:.3g} GB, more than this "
            f"machine's {total / 1e9:.3g} GB"
        )
        raise OutputError(msg)


def check_outputs(args: argparse.Namespace) -> None:
    """Fail before any training if --plot or --json cannot be written where asked.

    Opening the file is the only reliable test (``/proc`` refuses files that ``os.access``
    allows): an existing file is opened for appending, which leaves it as it was; a new one is
    created and removed.
    """
    for flag, path in (("--plot", getattr(args, "plot", None)), ("--json", args.json)):
        if path is None or str(path) == "-":
            continue
        if not path.parent.is_dir():
            msg = (
                f"cannot write {flag} {str(path)!r}: the folder {str(path.parent)!r} does not exist"
            )
            raise OutputError(msg)
        if path.is_dir():
            msg = f"cannot write {flag} {str(path)!r}: it is a folder, not a file name"
            raise OutputError(msg)
        _probe(flag, path)


def _probe(flag: str, path: Path) -> None:
    existed = path.exists()
    try:
        with path.open("ab" if existed else "xb"):
            pass
    except OSError as error:
        msg = f"cannot write {flag} {str(path)!r}: {error.strerror or error}"
        raise OutputError(msg) from None
    if not existed:
        path.unlink()
