"""``python -m weightdecay`` and the ``weightdecay`` script: the command, Ctrl-C covered throughout.

:func:`weightdecay.cli.main` handles Ctrl-C once it runs. Here are the moments around it: while
the command's own modules load, and while the interpreter shuts down after it has returned.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

__all__ = ["run"]


def run() -> None:
    """Run the command and exit with its code; Ctrl-C while it loads prints one line, code 130."""
    try:
        from weightdecay.cli import main  # noqa: PLC0415 - inside the try, for Ctrl-C
    except KeyboardInterrupt:
        print("weightdecay: interrupted", file=sys.stderr)
        sys.exit(130)
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    # The work is done: a Ctrl-C during the shutdown (torch's and matplotlib's clean-ups) ends
    # the process with the command's own code, and no "Exception ignored" report.
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(code))  # noqa: ARG005
    sys.exit(code)


if __name__ == "__main__":
    run()
