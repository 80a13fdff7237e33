"""The ``weightdecay`` command: train, compare and study the notebook's runs from a shell.

``--help``, ``--version`` and every argument error answer before torch is imported. Torch then
runs on one thread, the fastest for these small models (``--threads N`` or ``OMP_NUM_THREADS``
choose another count; it is set once, at start-up). ``train`` and ``compare`` print each
evaluation as it is computed, with the test loss as a multiple of the zero predictor's, the
baseline that any trained model must beat.

Exit codes, each with at most one line of explanation on the standard error, never a traceback:

* 0: done;
* 1: a run diverged (what finished is printed and written first), an output cannot be written
  (checked before training where possible), or the data do not fit in memory;
* 2: a bad argument: the command's usage line, then the flag and the token at fault;
* 130: Ctrl-C. ``train`` and ``compare`` still print and write what finished, marked
  interrupted; a second Ctrl-C ends at once;
* 141: the reader of the output went away (``weightdecay compare | head``), quietly.

``--json FILE`` writes one strict-JSON object (no ``NaN``, no ``Infinity``), whatever the
command; ``--json -`` writes it to the standard output, and the table to the standard error.
Its keys:

* always: ``command``, ``weightdecay_version``, ``config`` (every option, and the torch
  ``threads`` used) and ``interrupted``;
* ``train`` and ``compare``: ``baseline``, the zero predictor's ``test_loss`` and the ``loss``
  it is measured in, and ``runs``, one object per run that started: its
  :meth:`TrainResult.to_dict() <weightdecay.results.TrainResult.to_dict>` with a ``label``, its
  own ``interrupted`` flag and its ``test_loss_ratio`` to the baseline. An interrupted run
  keeps the history of its last evaluation, and ``null`` weights;
* ``path``: ``path``, the :meth:`PathResult.to_dict() <weightdecay.path.PathResult.to_dict>`,
  and ``selection``, the :meth:`LambdaSelection.to_dict()
  <weightdecay.selection.LambdaSelection.to_dict>`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from typing import TYPE_CHECKING

from weightdecay._cli_checks import OutputError, UsageError
from weightdecay._cli_options import COMMANDS, PROG, Parser, build_parser
from weightdecay._cli_signals import exit_at_once_on_interrupt, report_interrupt

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``weightdecay`` command.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments (``sys.argv[1:]`` if None). None at all prints the help.

    Returns
    -------
    int
        0 on success, 1 if a run diverged or an output failed, 2 for a bad argument, 130 if
        interrupted, 141 if the standard output was closed.

    Examples
    --------
    >>> main(["train", "--epochs", "10", "--lambda", "3"])  # doctest: +ELLIPSIS
    baseline: the zero predictor (w = 0, b = the mean training label) has test loss 0.01...
    ...
    lambda = 3 (l2): ||w||_2 = ..., test loss ... = ...x the baseline, ...
    0
    """
    parser = build_parser()
    assert isinstance(parser, Parser)  # for mypy: build_parser makes a Parser
    args: argparse.Namespace | None = None
    try:
        try:
            args = parser.parse_args(argv)
        except SystemExit:  # --help, --version or a bad argument, printed by argparse
            sys.stdout.flush()  # now, so that a failed write is reported as any other
            raise
        prog = parser.command_parser(args).prog
        try:
            COMMANDS[args.command].check(args)
        except UsageError as error:
            parser.command_parser(args).error(str(error))
        with exit_at_once_on_interrupt(prog):  # importing torch is no moment for an exception
            run = _load(COMMANDS[args.command].run)
            if hasattr(args, "threads"):  # a command that trains: torch's threads, set once
                _set_threads(_threads_wanted(args.threads, os.environ))
        return run(args)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    except KeyboardInterrupt:
        return report_interrupt(PROG if args is None else parser.command_parser(args).prog)
    except BrokenPipeError:
        _silence_stdout()  # the reader (``| head``) has gone: stop writing, as a Unix filter does
        return 141
    except OutputError as error:
        return _fail(parser, args, str(error))
    except OSError as error:  # what is left to fail is the standard output (/dev/full)
        _silence_stdout()
        return _fail(parser, args, f"cannot write the standard output: {error.strerror or error}")
    except (MemoryError, RuntimeError) as error:
        if not isinstance(error, MemoryError) and "can't allocate memory" not in str(error):
            raise  # a bug: its traceback is the report
        detail = str(error).split("DefaultCPUAllocator: ")[-1].split(". Error code")[0]
        hint = "try a smaller --num-inputs, --n-train or --n-test"
        return _fail(parser, args, f"out of memory ({detail or 'MemoryError'}): {hint}")


def _fail(parser: Parser, args: argparse.Namespace | None, message: str) -> int:
    """One line on the standard error, with the command's name; exit code 1."""
    prog = PROG if args is None else parser.command_parser(args).prog
    print(f"{prog}: error: {message}", file=sys.stderr)
    return 1


def _threads_wanted(requested: int | None, environ: Mapping[str, str]) -> int | None:
    """The torch thread count the command sets: ``--threads``, else 1, unless OMP_NUM_THREADS.

    Parameters
    ----------
    requested : int or None
        The value of ``--threads``.
    environ : mapping of str to str
        The environment; torch itself reads ``OMP_NUM_THREADS`` when it loads.

    Returns
    -------
    int or None
        The count to set, or None to leave torch's own (the user's ``OMP_NUM_THREADS``).

    Examples
    --------
    >>> _threads_wanted(None, {}), _threads_wanted(4, {}), _threads_wanted(None, {"OMP_NUM_THREADS": "2"})
    (1, 4, None)
    """
    if requested is not None:
        return requested
    return None if environ.get("OMP_NUM_THREADS") else 1


def _set_threads(wanted: int | None) -> None:
    """Set torch's thread count, once: raising it again later breaks batched solves in torch 2.13."""
    import torch  # noqa: PLC0415 - the command imports torch only once the arguments are good

    if wanted is not None and torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def _load(target: str) -> Callable[[argparse.Namespace], int]:
    """The function ``"module:function"`` names, imported now."""
    module, function = target.split(":")
    run: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), function)
    return run


def _silence_stdout() -> None:
    """Point the standard output at /dev/null, so that the final flush fails no more."""
    with contextlib.suppress(OSError, ValueError):  # no descriptor (captured): nothing to flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
