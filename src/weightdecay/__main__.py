"""``python -m weightdecay``: the same as the ``weightdecay`` command."""

from __future__ import annotations

import sys

from weightdecay.cli import main

if __name__ == "__main__":
    sys.exit(main())
