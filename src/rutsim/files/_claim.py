"""Claims on output names between processes, and the leftovers of dead processes.

Two ``rutsim`` processes may target one run folder or one model id at the same moment
(a scheduler starting jobs together, a user in two terminals). A claim is a lock file
``.<name>.lock`` beside the folder, locked with ``flock`` through :mod:`filelock`: the
kernel releases the lock when its holder exits, however it exits (SIGKILL, a crash, power
loss on a local disk), so a claim has no stale state and a reused pid cannot keep a name
blocked. The holder writes its host, pid, start time and the time of the claim into the
file, so that

- a second run that wants the same name is refused at once (or picks the next free
  automatic id) with a message naming the process that holds it, instead of simulating
  for minutes and losing its result;
- a second fit of the same model waits for the first and reuses its model.

The holder removes the file before it lets the lock go (filelock re-opens a path whose
inode was removed under it, so a process waiting on the old file cannot hold a stale
lock). What the kernel cannot tidy is a dead holder's lock *file* and its temporary
folders: :func:`clear_stale` removes lock files nobody holds and temporary folders of
dead processes on this host; every writing command calls it on its output folders.

rutsim keeps its own code here only for what filelock does not do: recording and reading
the holder for the messages, and clearing leftovers (see :func:`clear_stale`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from rutsim.files._atomic import TMP_NAME, TMP_SUFFIX
from rutsim.files._hash import host_tag

# Temporary names without a host and pid (rutsim versions before them) go after a day.
_LEGACY_AGE_S = 24 * 3600


@dataclass(frozen=True)
class Claim:
    """Who holds a name: host tag, process id and when the claim was made (UTC epoch)."""

    host: str
    pid: int
    since: float
    #: The owner's start time in clock ticks after boot (None where /proc is absent).
    start: int | None = None


class ClaimHeld(Exception):  # noqa: N818 - a state, not an error the user sees
    """The name is claimed by a live process (``holder``)."""

    def __init__(self, path: Path, holder: Claim) -> None:
        super().__init__(f"{path} is held by pid {holder.pid}")
        self.path = path
        self.holder = holder


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_time(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks after boot (Linux), None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        # Field 22, counted after the command name (which may hold spaces) in brackets.
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def lock_path(final: Path) -> Path:
    """Return the lock file that claims the folder ``final``: ``.<name>.lock`` beside it."""
    final = Path(final)
    return final.with_name(f".{final.name}.lock")


def _read_claim(path: Path) -> Claim:
    """Return the holder recorded in a lock file (pid 0 when it is not written yet)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        start = doc.get("start")
        return Claim(
            host=str(doc["host"]),
            pid=int(doc["pid"]),
            since=float(doc["since"]),
            start=None if start is None else int(start),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return Claim(host="", pid=0, since=0.0)


def _record_holder(fd: int) -> None:
    """Write this process into the lock file it has just locked (filelock's on_acquired)."""
    me = os.getpid()
    doc = {"host": host_tag(), "pid": me, "since": time.time(), "start": _start_time(me)}
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(doc).encode("utf-8"), 0)


def _lock(path: Path, record: bool = True) -> FileLock:
    return FileLock(
        path,
        blocking=False,
        thread_local=False,
        on_acquired=_record_holder if record else None,
    )


@contextlib.contextmanager
def _held(lock: FileLock, path: Path) -> Iterator[None]:
    try:
        yield
    finally:
        # The file goes before the lock: a waiter that opened it meanwhile finds the
        # inode unlinked once it gets the lock, and opens the path afresh.
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        lock.release(force=True)


@contextlib.contextmanager
def claim(final: Path) -> Iterator[None]:
    """Hold the claim on ``final`` for the duration of the block.

    Raises
    ------
    ClaimHeld
        Another live process holds it (a dead holder's lock is released by the kernel).
    OSError
        The lock file cannot be created (callers check writability first).
    """
    path = lock_path(final)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(path)
    try:
        lock.acquire()
    except Timeout:
        raise ClaimHeld(path, _read_claim(path)) from None
    with _held(lock, path):
        yield


@contextlib.contextmanager
def wait_for_claim(
    final: Path,
    *,
    on_wait: Callable[[Claim], None] | None = None,
    poll_s: float = 1.0,
    timeout_s: float | None = None,
) -> Iterator[None]:
    """Wait until ``final`` can be claimed, then hold the claim (see :func:`claim`).

    ``on_wait`` is called once with the holder when the first attempt finds the name
    taken. ``timeout_s`` (default: wait as long as the holder lives) raises
    :class:`ClaimHeld` when exceeded.
    """
    path = lock_path(final)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(path)
    start = time.monotonic()
    told = False
    while True:
        try:
            lock.acquire()
            break
        except Timeout:
            if not told and on_wait is not None:
                on_wait(_read_claim(path))
                told = True
            if timeout_s is not None and time.monotonic() - start > timeout_s:
                raise ClaimHeld(path, _read_claim(path)) from None
            time.sleep(poll_s)
    with _held(lock, path):
        yield


def _unheld_lock_file(path: Path) -> bool:
    """Remove a lock file nobody holds (a dead holder's); False when it is held."""
    lock = _lock(path, record=False)
    try:
        lock.acquire()
    except (Timeout, OSError):
        return False
    with _held(lock, path):
        pass
    return True


def clear_stale(folder: Path) -> list[Path]:
    """Remove temporary folders and lock files that dead processes left in ``folder``.

    A lock file is removed when nobody holds its lock; a temporary folder when its
    process (host and pid in its name) no longer exists on this host (for temporary
    folders of older rutsim versions without a pid in the name: untouched for a day).
    Anything of a live or remote process is left alone.

    Returns
    -------
    list of Path
        What was removed.
    """
    folder = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    me = host_tag()
    for entry in entries:
        name = entry.name
        if not name.startswith("."):
            continue
        stale = False
        if name.endswith(".lock"):
            if entry.is_file() and not entry.is_symlink() and _unheld_lock_file(entry):
                removed.append(entry)
            continue
        if match := TMP_NAME.match(name):
            stale = match["host"] == me and not _pid_alive(int(match["pid"]))
        elif name.endswith(TMP_SUFFIX):
            with contextlib.suppress(OSError):
                stale = time.time() - entry.stat().st_mtime > _LEGACY_AGE_S
        if not stale:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        if not entry.exists():
            removed.append(entry)
    return removed
