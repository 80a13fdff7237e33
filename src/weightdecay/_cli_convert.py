"""``weightdecay convert``: one framework's weight-decay setting in another's convention.

It needs no torch, and loads none: :mod:`weightdecay.conventions` is plain Python. The options
and their checks are here, for :data:`weightdecay._cli_options.COMMANDS`; a setting that no
target setting can match (Adam's L2 term against a decoupled decay) is a usage error, reported
with the one-sentence reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from weightdecay._cli_checks import UsageError, check_outputs
from weightdecay._cli_types import NONNEGATIVE, POSITIVE, int_at_least
from weightdecay.conventions import CONVENTIONS, convert, explain

if TYPE_CHECKING:
    import argparse

__all__ = ["EXAMPLES", "add_options", "check", "run"]

EXAMPLES = """\
examples:
  weightdecay convert --from d2l --to keras-l2 --lambd 3 --lr 0.003
  weightdecay convert --from torch-adamw --to optax-adamw --lambd 0.01 --lr 1e-3
  weightdecay convert --from d2l --to sklearn-ridge --lambd 3 --lr 0.003 --n-train 20
  weightdecay convert --from torch-adam --to torch-adamw --lambd 0.01 --lr 1e-3   # says why not"""


def add_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``convert``."""
    names = list(CONVENTIONS)
    what = parser.add_argument_group("the setting and the conventions")
    what.add_argument(
        "--from",
        dest="source",
        choices=names,
        required=True,
        metavar="NAME",
        help=f"the setting's convention, one of: {', '.join(names)} (no default: required)",
    )
    what.add_argument(
        "--to",
        dest="target",
        choices=names,
        required=True,
        metavar="NAME",
        help="the convention to express it in, the same names (no default: required)",
    )
    what.add_argument(
        "--lambd",
        "--lambda",
        dest="decay",
        type=NONNEGATIVE,
        required=True,
        metavar="DECAY",
        help="the source's decay: d2l's lambd, PyTorch's weight_decay, Keras's l2, "
        "scikit-learn's alpha... (no default: required)",
    )
    what.add_argument(
        "--lr",
        type=POSITIVE,
        default=None,
        help="the source's learning rate (no default: required, except with --from sklearn-ridge, "
        "which has none)",
    )
    what.add_argument(
        "--n-train",
        type=int_at_least(1),
        default=None,
        metavar="N",
        help="training examples, needed with sklearn-ridge, whose penalty is a sum (default: none)",
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="write the conversion as JSON, '-' for the standard output (default: no JSON)",
    )


def check(args: argparse.Namespace) -> None:
    """Name the flag when the setting cannot be converted: before anything is printed."""
    ridge = CONVENTIONS[args.source].family == "ridge"
    if ridge and args.lr is not None:
        msg = "argument --lr: sklearn-ridge has no learning rate; leave --lr out"
        raise UsageError(msg)
    if not ridge and args.lr is None:
        msg = f"argument --lr: required to convert from {args.source}"
        raise UsageError(msg)
    if "sklearn-ridge" in (args.source, args.target) and args.n_train is None:
        msg = "argument --n-train: required with sklearn-ridge (alpha = n_train * lambd)"
        raise UsageError(msg)
    try:
        convert(
            args.decay, lr=args.lr, source=args.source, target=args.target, n_train=args.n_train
        )
    except ValueError as error:
        msg = f"arguments --from {args.source} --to {args.target}: {error}"
        raise UsageError(msg) from None
    check_outputs(args)


def run(args: argparse.Namespace) -> int:
    """Print the target's setting, its code and the one-sentence reason; write --json."""
    # Imported here: _cli_report imports _cli_options, which imports this module.
    from weightdecay._cli_report import json_document, table_stream, write_json  # noqa: PLC0415

    lr, decay = convert(
        args.decay, lr=args.lr, source=args.source, target=args.target, n_train=args.n_train
    )
    target = CONVENTIONS[args.target]
    code = target.code("lr" if lr is None else lr, decay)  # any lr: the name stays
    reason = explain(args.source, args.target)
    setting = f"{target.decay_name} = {decay!r}"
    if lr is None:
        setting += ", any learning rate that converges" if target.family != "ridge" else ""
    else:
        setting = f"lr = {lr!r}, {setting}"
    out = table_stream(args)
    print(f"{target.name}: {setting}", file=out)
    for line in code.splitlines():
        print(f"    {line}", file=out)
    print(reason, file=out, flush=True)
    conversion = {
        "source": {"name": args.source, "lr": args.lr, "decay": args.decay},
        "target": {"name": args.target, "lr": lr, "decay": decay, "code": code},
        "reason": reason,
    }
    write_json(json_document(args, interrupted=False, conversion=conversion), args)
    return 0
