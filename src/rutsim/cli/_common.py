"""What every long-running command shares: status lines on stderr, --quiet, --name."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from rutsim.status import reporting


def checked_name(name: str | None) -> str | None:
    """Return ``--name`` after checking it is a safe folder name (before any other work).

    An empty ``--name ""`` is an error, not "no name": it would otherwise fall back to a
    timestamped folder without a word.
    """
    from rutsim.runs import check_folder_name

    return None if name is None else check_folder_name(name)


@contextlib.contextmanager
def status_lines(quiet: bool) -> Iterator[None]:
    """Print each phase a command announces as one stderr line, with the time elapsed.

    Standard output keeps only the result (tables, paths), so it can be piped; ``quiet``
    silences the phases.
    """
    if quiet:
        with reporting(None):
            yield
        return
    start = time.perf_counter()

    def line(text: str) -> None:
        elapsed = int(time.perf_counter() - start)
        print(f"[{elapsed // 60:d}:{elapsed % 60:02d}] {text}", file=sys.stderr, flush=True)

    with reporting(line):
        yield
