"""What every ``weightdecay`` command writes: the JSON document, the figure, counts in words.

No torch at import: a command that needs none (a conversion) can write its JSON with these too.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from weightdecay import __version__
from weightdecay._cli_checks import OutputError
from weightdecay._cli_options import PROG

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from pathlib import Path

    from matplotlib.figure import Figure

__all__ = [
    "command_name",
    "count",
    "json_document",
    "table_stream",
    "times",
    "write_json",
    "write_plot",
]


def command_name(args: argparse.Namespace) -> str:
    """``weightdecay train``: how the messages of a command begin."""
    return f"{PROG} {args.command}"


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 lambda``, ``3 lambdas``: a count with its noun in the right number."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def times(ratio: float) -> str:
    """A ratio to the baseline, short: ``6.7``, ``0.93``, ``5720``, ``5.9e+07``."""
    if 100 <= abs(ratio) < 1e6:
        return f"{ratio:.0f}"
    return f"{ratio:.2g}"


def table_stream(args: argparse.Namespace) -> Any:
    """Where the tables go: the standard output, or the standard error when the JSON takes it."""
    return sys.stderr if str(args.json) == "-" else sys.stdout


def json_document(args: argparse.Namespace, *, interrupted: bool, **parts: Any) -> dict[str, Any]:
    """The ``--json`` object of every command: its name, the version, the settings, the results."""
    config = {
        key: [*value] if isinstance(value, list) else value
        for key, value in vars(args).items()
        if key != "command"
    }
    for key in ("plot", "json"):
        if key in config:  # a command without --plot (convert) has no such key
            config[key] = None if config[key] is None else str(config[key])
    if "threads" in config:  # a command that trains: the count torch ran on
        import torch  # noqa: PLC0415 - a command that needs no torch may write JSON too

        config["threads"] = torch.get_num_threads()
    return {
        "command": args.command,
        "weightdecay_version": __version__,
        "config": config,
        "interrupted": interrupted,
        **parts,
    }


def write_json(document: dict[str, Any], args: argparse.Namespace) -> None:
    """Write the document as strict JSON to --json (a file, or ``-`` for the standard output)."""
    if args.json is None:
        return
    text = json.dumps(document, indent=2, allow_nan=False)
    if str(args.json) == "-":
        print(text, flush=True)
        return
    path: Path = args.json
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        msg = f"cannot write --json {str(path)!r}: {error.strerror or error}"
        raise OutputError(msg) from None
    print(f"wrote {path}", file=sys.stderr, flush=True)


def write_plot(args: argparse.Namespace, draw: Callable[[Figure], None], *, height: float) -> None:
    """Draw a figure with ``draw`` and save it to the file --plot names, in the suffix's format."""
    if args.plot is None:
        return
    from matplotlib.figure import Figure  # noqa: PLC0415 - only when a plot is asked for

    fig = Figure(figsize=(6, height), layout="constrained")
    draw(fig)
    path: Path = args.plot
    try:
        fig.savefig(path, format=path.suffix.lower().lstrip(".") or "png")
    except OSError as error:
        msg = f"cannot write --plot {str(path)!r}: {error.strerror or error}"
        raise OutputError(msg) from None
    print(f"wrote {path}", file=sys.stderr, flush=True)
