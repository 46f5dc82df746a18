"""One-line status announcements of long phases, routed to whoever is listening.

Library code calls :func:`announce` at the start of each phase ("sampling ...",
"simulating ..."); nothing is printed unless a caller has installed a sink with
:func:`reporting` (the CLI prints to stderr; ``--quiet`` installs none). A context
variable carries the sink, so no phase needs a ``status`` parameter threaded through
every layer, and library users and tests stay silent by default.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path

from rutsim import signals

Sink = Callable[[str], None]

_sink: ContextVar[Sink | None] = ContextVar("rutsim_status_sink", default=None)


@contextlib.contextmanager
def reporting(sink: Sink | None) -> Iterator[None]:
    """Send the announcements made inside the block to ``sink`` (None: silence)."""
    token = _sink.set(sink)
    try:
        yield
    finally:
        _sink.reset(token)


def announce(text: str) -> None:
    """Announce a phase (one line, no trailing period) to the current sink, if any.

    Every phase boundary is also where a stop signal that a library swallowed (an import
    or a sampler that catches ``KeyboardInterrupt`` and carries on) is raised again.
    """
    signals.check()
    sink = _sink.get()
    if sink is not None:
        sink(text)


def active() -> bool:
    """Whether anyone listens (to skip work that only feeds an announcement)."""
    return _sink.get() is not None


def shown(path: Path | str) -> str:
    """``path`` as a user should read it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        rel = os.path.relpath(p.resolve(), Path.cwd())
    except ValueError:  # another drive
        return str(p)
    return str(p) if rel.startswith("..") else rel
