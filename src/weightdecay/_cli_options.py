"""The ``weightdecay`` command's options: argparse types that name the flag, and the parser.

Every range is checked by argparse itself, so a bad value is reported with the flag the user
typed (``argument --epochs: must be an integer >= 1, got 0``) before anything runs.
"""

from __future__ import annotations

import argparse
import difflib
import math
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import torch

from weightdecay import __version__
from weightdecay.penalty import PENALTIES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["DEFAULT_GRID", "PROG", "build_parser", "parse_grid"]

PROG = "weightdecay"
DEFAULT_GRID = "1e-3:1e2:51"

DESCRIPTION = """\
Weight decay on d2l's high-dimensional linear regression (20 examples, 200 features).

  train    train one model and print its losses
  compare  train without and with regularization, side by side
  path     train one model per lambda and choose lambda by validation
"""

COMMANDS = {
    "train": (
        "train one model and print its losses",
        "Train one model; print the train and test loss at each evaluation and ||w||.",
    ),
    "compare": (
        "train without and with regularization, side by side",
        (
            "Train twice on the same data, seeds and batches: without regularization and with it\n"
            "(default: L2 with lambda = 3 from scratch, or weight_decay = 7 with --concise)."
        ),
    ),
    "path": (
        "train one model per lambda and choose lambda by validation",
        (
            "Train a from-scratch model for every lambda of a grid in one vectorized loop, print\n"
            "the final train and test loss and ||w|| per lambda, and choose lambda on held-out\n"
            "training rows (--n-val, the default) or by k-fold cross-validation (--folds). The\n"
            "test set never takes part in the choice."
        ),
    ),
}

EXAMPLES = {
    "train": """\
examples:
  weightdecay train --penalty l1 --lambd 2          # what the notebook ran
  weightdecay train --concise --weight-decay 7      # nn.Linear + torch.optim.SGD
  weightdecay train --lr 1.0                        # diverges: one-line report, exit code 1
  weightdecay train --lambd 3 --json run.json       # everything needed to redo the run""",
    "compare": """\
examples:
  weightdecay compare                               # lambda = 0 against lambda = 3
  weightdecay compare --concise --optimizer adamw   # weight_decay = 0 against 7, AdamW
  weightdecay compare --plot compare.png            # the loss curves of both runs""",
    "path": """\
examples:
  weightdecay path                                  # 51 lambdas, hold-out validation
  weightdecay path --lambdas 1e-3:1e2:50 --folds 5  # choose lambda by 5-fold CV
  weightdecay path --penalty l1 --l1-update proximal --plot path.png""",
}


class Parser(argparse.ArgumentParser):
    """One-line errors, and a suggestion for a misspelt option of the chosen command."""

    def error(self, message: str) -> NoReturn:
        """Print one line instead of argparse's usage block, and exit with code 2."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: None = None
    ) -> argparse.Namespace:
        """Parse, and name the closest known option of the command for an unknown one."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}{self._suggest(parsed, extras)}")
        return parsed

    def _suggest(self, parsed: argparse.Namespace, extras: list[str]) -> str:
        known = [
            s
            for a in self._command_actions(getattr(parsed, "command", None))
            for s in a.option_strings
        ]
        for word in extras:
            close = difflib.get_close_matches(word.split("=")[0], known, n=1, cutoff=0.7)
            if word.startswith("--") and close:
                return f"; did you mean {close[0]}?"
        return ""

    def _command_actions(self, command: str | None) -> list[argparse.Action]:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and command in action.choices:
                return list(action.choices[command]._actions)
        return list(self._actions)


def _number(
    kind: Callable[[str], float], low: float, high: float, text: str
) -> Callable[[str], float]:
    def convert(value: str) -> float:
        try:
            number = kind(value)
        except ValueError:
            msg = f"must be {text}, got {value!r}"
            raise argparse.ArgumentTypeError(msg) from None
        if not (math.isfinite(number) and low <= number <= high):
            msg = f"must be {text}, got {value}"
            raise argparse.ArgumentTypeError(msg)
        return number

    return convert


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: an integer >= ``low``."""
    check = _number(int, low, math.inf, f"an integer >= {low}")
    return lambda value: int(check(value))


NONNEGATIVE = _number(float, 0.0, math.inf, "a finite number >= 0")
POSITIVE = _number(float, math.ulp(0.0), math.inf, "a finite number > 0")
FINITE = _number(float, -math.inf, math.inf, "a finite number")
PROBABILITY = _number(float, 0.0, 1.0, "a number in [0, 1]")


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
    parser = Parser(prog=PROG, description=DESCRIPTION, allow_abbrev=False,
                    formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, description) in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=summary,
            description=description,
            epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
        )
        if name == "path":
            _add_path_options(sub)
        else:
            _add_run_options(sub, compare=name == "compare")
        _add_data_options(sub)
        _add_output_options(sub, plot="the lambda path" if name == "path" else "the loss curves")
    return parser


def _add_run_options(parser: argparse.ArgumentParser, *, compare: bool) -> None:
    model = parser.add_argument_group("model and penalty")
    model.add_argument("--concise", action="store_true",
                       help="use nn.Linear + torch.optim (MSELoss, weight_decay) instead of the "
                            "from-scratch model")  # fmt: skip
    _add_penalty_options(model)
    zero = "0" if not compare else "3 for the decayed run"
    model.add_argument("--lambd", type=NONNEGATIVE, default=None, metavar="LAMBDA",
                       help=f"from-scratch penalty strength (default: {zero})")  # fmt: skip
    zero = "0" if not compare else "7 for the decayed run"
    model.add_argument("--weight-decay", type=NONNEGATIVE, default=None, metavar="WD",
                       help=f"--concise: the optimizer's weight_decay (default: {zero})")  # fmt: skip
    model.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="sgd",
                       help="--concise: the optimizer (default: %(default)s)")  # fmt: skip
    training = _add_training_options(parser, "training")
    training.add_argument("--max-grad-norm", type=POSITIVE, default=None, metavar="C",
                          help="clip each update's gradient to norm C (default: no clipping)")  # fmt: skip


def _add_penalty_options(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--penalty", choices=sorted(PENALTIES), default="l2",
                       help="penalty P(w) (default: %(default)s)")  # fmt: skip
    group.add_argument("--l1-ratio", type=PROBABILITY, default=None, metavar="RHO",
                       help="share of L1 in the elastic-net penalty, in [0, 1] (default: 0.5)")  # fmt: skip
    group.add_argument("--l1-update", choices=["subgradient", "proximal"], default="subgradient",
                       help="how the L1 part is applied (default: %(default)s)")  # fmt: skip


def _add_path_options(parser: argparse.ArgumentParser) -> None:
    model = parser.add_argument_group("penalty and grid")
    _add_penalty_options(model)
    model.add_argument("--lambdas", type=parse_grid, default=parse_grid(DEFAULT_GRID),
                       metavar="GRID",
                       help="START:STOP:NUM for NUM log-spaced values from START to STOP, or a "
                            f"comma list such as 0,0.1,1 (default: {DEFAULT_GRID})")  # fmt: skip
    choice = model.add_mutually_exclusive_group()
    choice.add_argument("--folds", type=int_at_least(2), default=None, metavar="K",
                        help="choose lambda by K-fold cross-validation (default: off)")  # fmt: skip
    choice.add_argument("--n-val", type=int_at_least(1), default=None, metavar="N",
                        help="choose lambda on the last N training rows (default: 5, unless "
                             "--folds)")  # fmt: skip
    _add_training_options(parser, "training (every lambda shares these)")


def _add_training_options(parser: argparse.ArgumentParser, title: str) -> argparse._ArgumentGroup:
    """The trainers' shared hyperparameters, with the notebook's values as defaults."""
    training = parser.add_argument_group(title)
    training.add_argument("--epochs", type=int_at_least(1), default=100,
                          help="passes over the training set (default: %(default)s)")  # fmt: skip
    training.add_argument("--lr", type=POSITIVE, default=0.003,
                          help="learning rate (default: %(default)s)")  # fmt: skip
    training.add_argument("--batch-size", type=int_at_least(1), default=5,
                          help="minibatch size (default: %(default)s)")  # fmt: skip
    training.add_argument("--eval-every", type=int_at_least(1), default=5, metavar="N",
                          help="epochs between evaluations (default: %(default)s)")  # fmt: skip
    training.add_argument("--seed", type=int_at_least(0), default=0,
                          help="seed of the initial weights and the batches (default: %(default)s)")  # fmt: skip
    return training


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data (make_problem)")
    data.add_argument("--data-seed", type=int_at_least(0), default=0,
                      help="seed of the data (default: %(default)s)")  # fmt: skip
    data.add_argument("--n-train", type=int_at_least(1), default=20,
                      help="training examples (default: %(default)s)")  # fmt: skip
    data.add_argument("--n-test", type=int_at_least(1), default=100,
                      help="test examples (default: %(default)s)")  # fmt: skip
    data.add_argument("--num-inputs", type=int_at_least(1), default=200,
                      help="features (default: %(default)s)")  # fmt: skip
    data.add_argument("--true-w", type=FINITE, default=0.01,
                      help="value of the true weights (default: %(default)s)")  # fmt: skip
    data.add_argument("--true-b", type=FINITE, default=0.05,
                      help="the true bias (default: %(default)s)")  # fmt: skip
    data.add_argument("--num-nonzero", type=int_at_least(0), default=None, metavar="K",
                      help="only K true weights are non-zero (default: all)")  # fmt: skip
    data.add_argument("--noise", type=NONNEGATIVE, default=0.01,
                      help="standard deviation of the label noise (default: %(default)s)")  # fmt: skip


def _add_output_options(parser: argparse.ArgumentParser, *, plot: str) -> None:
    out = parser.add_argument_group("output")
    out.add_argument("--plot", type=Path, metavar="FILE",
                     help=f"save {plot} as an image: .png, .pdf or .svg, no suffix for PNG "
                          "(default: no plot)")  # fmt: skip
    out.add_argument("--json", type=Path, metavar="FILE",
                     help="write the result(s) and their settings as JSON, '-' for the standard "
                          "output (default: no JSON)")  # fmt: skip


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
    argparse.ArgumentTypeError
        If the text is neither form, or ``START:STOP:NUM`` is out of range.

    Examples
    --------
    >>> parse_grid("0.01:100:5")
    [0.01, 0.1, 1.0, 10.0, 100.0]
    >>> parse_grid("0, 0.5,2")
    [0.0, 0.5, 2.0]
    """
    expected = "expected START:STOP:NUM (log-spaced, 0 < START < STOP, NUM >= 2) or a comma list"
    bad = argparse.ArgumentTypeError(f"{expected}, got {text!r}")
    parts = text.split(":")
    try:
        if len(parts) == 1:
            return [float(v) for v in text.split(",")]
        start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        raise bad from None
    if len(parts) != 3 or not (0 < start < stop < math.inf) or num < 2:
        raise bad
    grid = torch.logspace(math.log10(start), math.log10(stop), num, dtype=torch.float64).tolist()
    grid[0], grid[-1] = start, stop  # exact end points, as numpy.geomspace
    return [float(f"{v:.12g}") for v in grid]
