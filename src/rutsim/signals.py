"""One policy for SIGINT and SIGTERM: stop, clean up, exit 130 or 143.

Ctrl-C sends SIGINT; ``kill``, ``timeout``, job schedulers and container stops send
SIGTERM, whose default action kills the interpreter at once and leaves temporary folders
behind. :func:`install` makes both raise :class:`Interrupted` in the main thread, so every
``atomic_dir`` and claim unwinds exactly as on Ctrl-C.

Some libraries catch ``KeyboardInterrupt`` and carry on with partial results (nutpie
returns the draws so far); :func:`check` raises again after such a call when a signal
arrived during it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Interrupted", "check", "deferred", "ignore", "install", "received", "spawning"]

_received: list[int] = []
_deferring = [0]
_pending: list[int] = []


class Interrupted(KeyboardInterrupt):
    """A SIGINT or SIGTERM arrived; ``exit_code`` is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + signal number: 130 for SIGINT, 143 for SIGTERM (the shell convention)."""
        return 128 + self.signum


def _handler(signum: int, frame: FrameType | None) -> None:
    _received.append(signum)
    if _deferring[0]:
        _pending.append(signum)
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM until the block ends, then raise :class:`Interrupted`.

    For short steps that must not be cut in the middle: an exception raised inside
    HDF5's object set-up leaves half-built objects whose finalisers fail noisily at exit.
    The caller's temporary folder is still removed, just a moment later.
    """
    _deferring[0] += 1
    try:
        yield
    finally:
        _deferring[0] -= 1
    if not _deferring[0] and _pending:
        signum = _pending[-1]
        _pending.clear()
        raise Interrupted(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise :class:`Interrupted` (main thread only; else no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    _received.clear()
    _pending.clear()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _handler)


def ignore() -> None:
    """Ignore SIGINT and SIGTERM from now on (the process is already stopping)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)


@contextlib.contextmanager
def spawning() -> Iterator[None]:
    """Block SIGINT while child processes start in the block, so that they never see it.

    A terminal's Ctrl-C reaches the whole process group. A spawned child that reacts to it
    prints a ``KeyboardInterrupt`` traceback (while it imports, or from inside its work),
    when only the parent should stop: the parent then stops its children. A blocked signal
    stays blocked through fork and exec, so children started in the block have SIGINT
    blocked for life; in the parent a Ctrl-C meanwhile waits for the block's end and is
    not lost. Multiprocessing's resource tracker unblocks SIGINT after its own first start,
    so it is started before blocking. A no-op where ``pthread_sigmask`` does not exist.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def received() -> int | None:
    """Return the last signal received since :func:`install`, or None."""
    return _received[-1] if _received else None


def check() -> None:
    """Raise :class:`Interrupted` if a signal arrived and was swallowed by a library."""
    if _received:
        raise Interrupted(_received[-1])
