"""Claims on output names between processes, and the leftovers of dead processes.

Two ``rutsim`` processes may target one run folder or one model id at the same moment
(a scheduler starting jobs together, a user in two terminals). A claim is a lock file
``.<name>.lock`` beside the folder, created with ``O_EXCL`` (atomic on local and NFSv3+
file systems) and holding the owner's host and pid, so that

- a second run that wants the same name is refused at once (or picks the next free
  automatic id) instead of simulating for minutes and losing its result;
- a second fit of the same model waits for the first and reuses its model;
- a claim whose owner died (SIGKILL, power loss) is recognised as stale and taken over,
  also when its pid has since been reused by an unrelated process: the claim records the
  owner's start time (Linux ``/proc/<pid>/stat``), and a live pid with another start time
  is not the owner.

:func:`clear_stale` removes temporary folders and lock files of dead processes on this
host; every writing command calls it on its output folders before it starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rutsim.fileio import host_tag

__all__ = ["Claim", "ClaimHeld", "claim", "clear_stale", "lock_path", "wait_for_claim"]

# ".<name>.<host>-<pid>.<random>.tmp" (rutsim.fileio.tmp_prefix).
_TMP = re.compile(r"^\..+\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)\..+\.tmp$")
# Temporary folders of rutsim versions before the host and pid were in the name.
_LEGACY_TMP = re.compile(r"^\..+\.tmp$")
_LEGACY_AGE_S = 24 * 3600


@dataclass(frozen=True)
class Claim:
    """Who holds a name: host tag, process id and when the claim was made (UTC epoch)."""

    host: str
    pid: int
    since: float
    #: The owner's start time in clock ticks after boot (None where /proc is absent).
    start: int | None = None

    @property
    def alive(self) -> bool:
        """True unless the owner is a process on this host that no longer exists."""
        if self.host != host_tag():
            return True
        if not _pid_alive(self.pid):
            return False
        now = _start_time(self.pid)
        return self.start is None or now is None or now == self.start


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
        return True  # exists, owned by someone else
    return True


def _start_time(pid: int) -> int | None:
    """Start time of process ``pid`` (clock ticks after boot), or None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
        # Fields after the command name (which may hold spaces): state is field 3.
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def lock_path(final: Path) -> Path:
    """Return the lock file that claims the folder ``final``: ``.<name>.lock`` beside it."""
    final = Path(final)
    return final.with_name(f".{final.name}.lock")


def _read_claim(path: Path) -> Claim | None:
    """Return the holder recorded in a lock file; None when the file is gone."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        start = doc.get("start")
        return Claim(
            host=str(doc["host"]),
            pid=int(doc["pid"]),
            since=float(doc["since"]),
            start=None if start is None else int(start),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    # Unreadable: its owner died between creating and writing it (stale once it is old),
    # or is writing it right now.
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    return Claim(host=host_tag() if age > 60 else "", pid=0, since=0.0)


def _try_create(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        me = os.getpid()
        doc = {"host": host_tag(), "pid": me, "since": time.time(), "start": _start_time(me)}
        json.dump(doc, fh)
    return True


@contextlib.contextmanager
def claim(final: Path) -> Iterator[None]:
    """Hold the claim on ``final`` for the duration of the block.

    Raises
    ------
    ClaimHeld
        Another live process holds it. A stale claim (dead owner on this host) is
        removed and taken over.
    OSError
        The lock file cannot be created (callers check writability first).
    """
    path = lock_path(final)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        if _try_create(path):
            break
        holder = _read_claim(path)
        if holder is None:
            continue  # released in between: try again
        if holder.alive:
            raise ClaimHeld(path, holder)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    else:
        holder = _read_claim(path) or Claim(host="", pid=0, since=time.time())
        raise ClaimHeld(path, holder)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


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
    start = time.monotonic()
    told = False
    while True:
        held_by = claim(final)
        try:
            held_by.__enter__()
            break
        except ClaimHeld as held:
            if not told and on_wait is not None:
                on_wait(held.holder)
                told = True
            if timeout_s is not None and time.monotonic() - start > timeout_s:
                raise
            time.sleep(poll_s)
    try:
        yield
    finally:
        held_by.__exit__(None, None, None)


def clear_stale(folder: Path) -> list[Path]:
    """Remove temporary folders and lock files that dead processes left in ``folder``.

    Only leftovers of processes on this host that no longer exist are removed (and, for
    temporary folders of older rutsim versions without a pid in the name, those untouched
    for a day); anything of a live or remote process is left alone.

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
            holder = _read_claim(entry)
            stale = holder is not None and not holder.alive
        elif match := _TMP.match(name):
            stale = match["host"] == me and not _pid_alive(int(match["pid"]))
        elif _LEGACY_TMP.match(name):
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
