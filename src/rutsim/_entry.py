"""The ``rutsim`` console script's first code: a stop signal is honoured from the start.

Importing the command line (typer, rich, pydantic) takes a few tenths of a second, in
which Python's default handlers would print a ``KeyboardInterrupt`` traceback for Ctrl-C
(or, where the shell started rutsim with SIGINT ignored, lose it and run to the end).
This module imports only the standard library, installs a handler that exits at once
with 130 or 143 (nothing has been written yet), and then hands over to
:func:`rutsim.cli.main`, whose first act replaces it with the full policy of
:mod:`rutsim.signals`.
"""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType


def _before_any_work(signum: int, frame: FrameType | None) -> None:
    name = signal.Signals(signum).name
    sys.stderr.write(f"aborted ({name}) while starting: nothing was written\n")
    sys.stderr.flush()
    os._exit(128 + signum)


def main() -> None:
    """Install the start-up handlers, then run :func:`rutsim.cli.main`."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _before_any_work)
    from rutsim.cli import main as cli_main

    cli_main()
