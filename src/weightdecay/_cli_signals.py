"""Ctrl-C in the ``weightdecay`` command: one line and exit code 130, at any moment, no traceback.

While training runs, Ctrl-C raises :class:`KeyboardInterrupt`, which the command catches to print
and write what finished. Elsewhere an exception is not safe: raised inside an import (torch's
takes seconds, matplotlib's follows an interruption), it can leave a half-loaded extension behind
and come out as an ``ImportError`` with a long traceback. So while importing, and while writing
after an interruption, Ctrl-C ends the process at once instead.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

__all__ = ["INTERRUPTED", "exit_at_once_on_interrupt", "report_interrupt"]

INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a process that Ctrl-C stopped


def report_interrupt(prog: str) -> int:
    """Say that the command was interrupted, on one line; the exit code."""
    print(f"{prog}: interrupted", file=sys.stderr, flush=True)
    return INTERRUPTED


@contextlib.contextmanager
def exit_at_once_on_interrupt(prog: str) -> Iterator[None]:
    """Within the block, Ctrl-C prints one line and ends the process with code 130."""
    if threading.current_thread() is not threading.main_thread():  # signals go to the main one
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:  # noqa: ARG001 - a handler's signature
        with contextlib.suppress(OSError):  # a closed or full stdout must not stop the exit
            sys.stdout.flush()
        os.write(2, f"{prog}: interrupted\n".encode())  # fd 2: no Python buffer on the way
        os._exit(INTERRUPTED)

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
