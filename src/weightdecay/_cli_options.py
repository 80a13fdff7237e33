"""The ``weightdecay`` command's parser: its subcommands, their options, and checks that name the flag.

This module imports no torch, so that ``--help``, ``--version`` and every argument error answer
at once. Argparse checks every range itself, so a bad value is reported with the flag and the
token the user typed (``argument --epochs: must be an integer >= 1, got 0``) before anything
runs.

A subcommand is one :class:`Command` in :data:`COMMANDS`: its help texts, the function that adds
its options, and the ``module:function`` that runs it, imported only when that command runs.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from weightdecay import __version__, _cli_convert
from weightdecay._cli_checks import check_path_arguments, check_run_arguments
from weightdecay._cli_types import (
    FINITE,
    NONNEGATIVE,
    POSITIVE,
    PROBABILITY,
    int_at_least,
    parse_grid,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from _typeshed import SupportsWrite

__all__ = ["COMMANDS", "DEFAULT_GRID", "PENALTY_NAMES", "PROG", "Command", "build_parser"]

PROG = "weightdecay"
DEFAULT_GRID = "1e-3:1e2:51"
PENALTY_NAMES = ("elasticnet", "l1", "l2")  # weightdecay.penalty.PENALTIES, without torch

DESCRIPTION = (
    "Weight decay on d2l's high-dimensional linear regression (20 examples, 200 features)."
)


@dataclass(frozen=True)
class Command:
    """One subcommand: its help texts, its options, and the function that runs it."""

    summary: str
    description: str
    examples: str
    add_options: Callable[[argparse.ArgumentParser], None]
    check: Callable[[argparse.Namespace], None]  # raises UsageError or OutputError; no torch
    run: str  # "module:function": runs the parsed arguments, returns the exit code


class Parser(argparse.ArgumentParser):
    """Help when called bare, a short usage line with each error, and "did you mean"."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        """Parse; print the help for no arguments; name the closest option for an unknown one."""
        args = sys.argv[1:] if args is None else list(args)
        if not args:
            self.print_help()
            self.exit(0)
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.command_parser(parsed).error(
                f"unrecognized arguments: {' '.join(extras)}{self._suggest(parsed, extras)}"
            )
        return parsed

    def error(self, message: str) -> NoReturn:
        """Print this parser's usage line and the error, which names the flag; exit with code 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    def command_parser(self, parsed: argparse.Namespace) -> Parser:
        """The parser of the chosen subcommand (this parser if there is none)."""
        command = getattr(parsed, "command", None)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and isinstance(command, str):
                sub = action.choices.get(command)
                if isinstance(sub, Parser):
                    return sub
        return self

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        """Print as argparse does, but let a failed write through (``> /dev/full``): it is reported."""
        if message:
            (file or sys.stderr).write(message)

    def _check_value(self, action: argparse.Action, value: object) -> None:
        """Refuse a value that is not a choice, and suggest the closest one."""
        choices = action.choices
        if choices is None or value in choices:
            return
        names = [str(choice) for choice in choices]
        close = difflib.get_close_matches(str(value), names, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"invalid choice: {value!r} (choose from {', '.join(names)}){hint}"
        raise argparse.ArgumentError(action, msg)

    def _suggest(self, parsed: argparse.Namespace, extras: list[str]) -> str:
        known = [s for a in self.command_parser(parsed)._actions for s in a.option_strings]
        for word in extras:
            close = difflib.get_close_matches(word.split("=")[0], known, n=1, cutoff=0.7)
            if word.startswith("--") and close:
                return f"; did you mean {close[0]}?"
        return ""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``weightdecay`` command.

    Returns
    -------
    argparse.ArgumentParser
        With the subcommands ``train``, ``compare``, ``path`` and ``convert``.

    Examples
    --------
    >>> args = build_parser().parse_args(["train", "--penalty", "l1", "--lambda", "2"])
    >>> args.command, args.penalty, args.lambd
    ('train', 'l1', 2.0)
    """
    parser = Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=f"'{PROG} COMMAND --help' shows the options and examples of a command.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", title="commands"
    )
    for name, command in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=command.summary,
            description=command.description,
            epilog=command.examples,
            usage="%(prog)s [OPTIONS]",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        command.add_options(sub)
    return parser


def _run_options(parser: argparse.ArgumentParser, *, compare: bool) -> None:
    model = parser.add_argument_group("model and penalty")
    model.add_argument(
        "--concise",
        action="store_true",
        help="use nn.Linear + torch.optim (MSELoss, weight_decay) instead of the from-scratch "
        "model",
    )
    _penalty_options(model)
    zero = "0" if not compare else "3 for the decayed run"
    model.add_argument(
        "--lambd",
        "--lambda",
        type=NONNEGATIVE,
        default=None,
        dest="lambd",
        metavar="LAMBDA",
        help=f"from-scratch penalty strength (default: {zero})",
    )
    zero = "0" if not compare else "7 for the decayed run"
    model.add_argument(
        "--weight-decay",
        type=NONNEGATIVE,
        default=None,
        metavar="WD",
        help=f"--concise: the optimizer's weight_decay (default: {zero})",
    )
    model.add_argument(
        "--optimizer",
        choices=["sgd", "adam", "adamw"],
        default="sgd",
        help="--concise: the optimizer (default: %(default)s)",
    )
    training = _training_options(parser, "training")
    training.add_argument(
        "--max-grad-norm",
        type=POSITIVE,
        default=None,
        metavar="C",
        help="clip each update's gradient to norm C (default: no clipping)",
    )
    _data_options(parser)
    _output_options(parser, plot="the loss curves")


def _path_options(parser: argparse.ArgumentParser) -> None:
    model = parser.add_argument_group("penalty and grid")
    _penalty_options(model)
    model.add_argument(
        "--lambdas",
        type=parse_grid,
        default=parse_grid(DEFAULT_GRID),
        metavar="GRID",
        help="START:STOP:NUM for NUM log-spaced values from START to STOP, or an increasing "
        f"comma list such as 0,0.1,1 (default: {DEFAULT_GRID})",
    )
    choice = model.add_mutually_exclusive_group()
    choice.add_argument(
        "--folds",
        type=int_at_least(2),
        default=None,
        metavar="K",
        help="choose lambda by K-fold cross-validation (default: off)",
    )
    choice.add_argument(
        "--n-val",
        type=int_at_least(1),
        default=None,
        metavar="N",
        help="choose lambda on the last N training rows (default: 5, unless --folds)",
    )
    _training_options(parser, "training (every lambda shares these)")
    _data_options(parser)
    _output_options(parser, plot="the lambda path")


def _penalty_options(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--penalty", choices=PENALTY_NAMES, default="l2", help="penalty P(w) (default: %(default)s)"
    )
    group.add_argument(
        "--l1-ratio",
        type=PROBABILITY,
        default=None,
        metavar="RHO",
        help="share of L1 in the elastic-net penalty, in [0, 1] (default: 0.5)",
    )
    group.add_argument(
        "--l1-update",
        choices=["subgradient", "proximal"],
        default="subgradient",
        help="how the L1 part is applied (default: %(default)s)",
    )


def _training_options(parser: argparse.ArgumentParser, title: str) -> argparse._ArgumentGroup:
    """The trainers' shared hyperparameters, with the notebook's values as defaults."""
    training = parser.add_argument_group(title)
    for flag, kind, default, metavar, text in (
        ("--epochs", int_at_least(1), 100, None, "passes over the training set"),
        ("--lr", POSITIVE, 0.003, None, "learning rate"),
        ("--batch-size", int_at_least(1), 5, None, "minibatch size"),
        ("--eval-every", int_at_least(1), 5, "N", "epochs between evaluations"),
        ("--seed", int_at_least(0), 0, None, "seed of the initial weights and the batches"),
    ):
        help_text = f"{text} (default: %(default)s)"
        training.add_argument(flag, type=kind, default=default, metavar=metavar, help=help_text)
    training.add_argument(
        "--threads",
        type=int_at_least(1),
        default=None,
        metavar="N",
        help="torch's CPU threads (default: 1, or OMP_NUM_THREADS if set: these models are so "
        "small that one thread is the fastest, the more so on a busy machine)",
    )
    return training


def _data_options(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data (make_problem)")
    for flag, kind, default, metavar, text in (
        ("--data-seed", int_at_least(0), 0, None, "seed of the data"),
        ("--n-train", int_at_least(1), 20, None, "training examples"),
        ("--n-test", int_at_least(1), 100, None, "test examples"),
        ("--num-inputs", int_at_least(1), 200, None, "features"),
        ("--true-w", FINITE, 0.01, None, "value of the true weights"),
        ("--true-b", FINITE, 0.05, None, "the true bias"),
        ("--noise", NONNEGATIVE, 0.01, None, "standard deviation of the label noise"),
    ):
        help_text = f"{text} (default: %(default)s)"
        data.add_argument(flag, type=kind, default=default, metavar=metavar, help=help_text)
    data.add_argument(
        "--num-nonzero",
        type=int_at_least(0),
        default=None,
        metavar="K",
        help="only K true weights are non-zero (default: all)",
    )


def _output_options(parser: argparse.ArgumentParser, *, plot: str) -> None:
    out = parser.add_argument_group("output")
    out.add_argument(
        "--plot",
        type=Path,
        metavar="FILE",
        help=f"save {plot} as an image: .png, .pdf or .svg, no suffix for PNG (default: no plot)",
    )
    out.add_argument(
        "--json",
        type=Path,
        metavar="FILE",
        help="write the settings and the results as JSON, '-' for the standard output "
        "(default: no JSON)",
    )


COMMANDS: dict[str, Command] = {
    "train": Command(
        summary="train one model and print its losses",
        description="Train one model; print the train and test loss at each evaluation as it "
        "comes,\nthen ||w|| and the test loss as a multiple of the zero predictor's.",
        examples="""\
examples:
  weightdecay train --penalty l1 --lambda 2         # what the notebook ran
  weightdecay train --concise --weight-decay 7      # nn.Linear + torch.optim.SGD
  weightdecay train --lr 1.0                        # diverges: one-line report, exit code 1
  weightdecay train --lambda 3 --json run.json      # everything needed to redo the run""",
        add_options=lambda parser: _run_options(parser, compare=False),
        check=check_run_arguments,
        run="weightdecay._cli_train:run",
    ),
    "compare": Command(
        summary="train without and with regularization, one after the other",
        description="Train twice on the same data, seeds and batches: without regularization and "
        "with it\n(default: L2 with lambda = 3 from scratch, or weight_decay = 7 with --concise), "
        "then\nset both test losses against the zero predictor's.",
        examples="""\
examples:
  weightdecay compare                               # lambda = 0 against lambda = 3
  weightdecay compare --concise --optimizer adamw   # weight_decay = 0 against 7, AdamW
  weightdecay compare --plot compare.png            # the loss curves of both runs""",
        add_options=lambda parser: _run_options(parser, compare=True),
        check=check_run_arguments,
        run="weightdecay._cli_train:run",
    ),
    "path": Command(
        summary="train one model per lambda and choose lambda by validation",
        description="Train a from-scratch model for every lambda of a grid in one vectorized "
        "loop, print\nthe final train and test loss and ||w|| per lambda, and choose lambda on "
        "held-out\ntraining rows (--n-val, the default) or by k-fold cross-validation (--folds). "
        "The\ntest set never takes part in the choice.",
        examples="""\
examples:
  weightdecay path                                  # 51 lambdas, hold-out validation
  weightdecay path --lambdas 1e-3:1e2:50 --folds 5  # choose lambda by 5-fold CV
  weightdecay path --penalty l1 --l1-update proximal --plot path.png""",
        add_options=_path_options,
        check=check_path_arguments,
        run="weightdecay._cli_path:run",
    ),
    "convert": Command(
        summary="express a weight-decay setting in another framework's convention",
        description="Print the setting of --to that takes the same steps as --lambd and --lr "
        "in --from,\nthe code that sets it, and why; or, where none exists, why not. Needs no "
        "torch.",
        examples=_cli_convert.EXAMPLES,
        add_options=_cli_convert.add_options,
        check=_cli_convert.check,
        run="weightdecay._cli_convert:run",
    ),
}
"""The subcommands, in the order ``--help`` lists them."""
