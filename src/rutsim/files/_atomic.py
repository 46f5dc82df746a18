"""Atomic writes: a file or a folder appears whole under its final name, or not at all.

Every writer in rutsim goes through these helpers so that a failure never leaves a
half-written file or folder behind and an existing result is never overwritten silently.
Temporary names follow one format, :data:`TMP_NAME` (made by :func:`tmp_prefix`, parsed
by :func:`rutsim.files.clear_stale`), so the leftovers of a dead process can be found.

Hand-written where no kept library does the job: the rename that refuses an existing
target (Linux ``renameat2(RENAME_NOREPLACE)`` through ctypes) and the temporary folder
that is renamed into place.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from rutsim import signals
from rutsim.errors import RunOutputError, RutsimError
from rutsim.files._hash import host_tag
from rutsim.files._oserror import os_error_message

#: Every temporary file or folder rutsim makes: ``.<name>.<host>-<pid>.<random>.tmp``
#: (``<random>`` from :mod:`tempfile`; the host and pid say whose leftover it is).
TMP_NAME = re.compile(
    r"^\.(?P<name>.+)\.(?P<host>[0-9a-f]{6})-(?P<pid>\d+)\.(?P<random>.+)\.tmp$", re.DOTALL
)
#: The suffix of every temporary name (also of versions before the host and pid were in it).
TMP_SUFFIX = ".tmp"


def _umask() -> int:
    # os.umask can only be read by setting it; restore it at once.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename.

    A crash mid-write leaves the previous file (if any) untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tmp_prefix(path), suffix=TMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600 files; give the result the permissions a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def _rename_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` in one step that fails if ``dst`` exists (any kind).

    Linux's ``renameat2(RENAME_NOREPLACE)`` makes the check and the rename one atomic
    operation, so two processes finishing the same folder at once cannot both win.
    Where the call is missing (other systems, some network file systems), fall back to
    ``os.rename``, which refuses a non-empty target folder: at worst an empty folder made
    in the last instant is replaced, and nothing written is ever lost.
    """
    if _renameat2 is not None:
        if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), 1) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.ENOSYS, errno.EINVAL):
            raise OSError(err, os.strerror(err), str(dst))
    if dst.exists() or dst.is_symlink():
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)


def _load_renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_AT_FDCWD = -100
_renameat2 = _load_renameat2()


def tmp_prefix(final: Path) -> str:
    """Return the name prefix of the temporary files and folders this process makes.

    ``.<name>.<host>-<pid>.`` (see :data:`TMP_NAME`): :func:`rutsim.files.clear_stale` uses
    the host and pid to remove the leftovers of processes that died without cleaning up.
    """
    return f".{Path(final).name}.{host_tag()}-{os.getpid()}."


@contextlib.contextmanager
def atomic_dir(final: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Build a folder under a temporary name and rename it into place on success.

    Parameters
    ----------
    final : Path
        Where the folder should end up.
    overwrite : bool, default False
        Replace an existing ``final`` folder. Without it an existing folder is an error,
        checked on entry and again, atomically, by the final rename: a folder that
        another process finished meanwhile is never replaced.

    Yields
    ------
    Path
        The temporary folder to write into. On any exception (including an interrupt)
        it is removed and ``final`` is left exactly as it was.

    Raises
    ------
    RunOutputError
        ``final`` exists (without ``overwrite``), or the file system refused a write
        (read-only, full, not a folder); the message names ``final`` and the cause.
    """
    final = Path(final)
    if (final.exists() or final.is_symlink()) and not overwrite:
        raise RunOutputError(
            f"{final} already exists and rutsim never overwrites earlier results. "
            "To fix: choose another name, or remove the folder yourself."
        )
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=tmp_prefix(final), suffix=TMP_SUFFIX))
        # mkdtemp creates 0700 folders; run folders and models must be readable by others.
        os.chmod(tmp, 0o777 & ~_umask())
    except OSError as exc:
        raise RunOutputError(os_error_message(exc, final)) from None
    try:
        yield tmp
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunOutputError(os_error_message(exc, final, tmp)) from None
    except RutsimError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if str(tmp) not in str(exc):
            raise
        # Name the folder the user will look for, not the temporary one just removed.
        raise type(exc)(str(exc).replace(str(tmp), str(final))) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        # A stop signal that arrived while the folder was built, and that a library
        # swallowed, still means "nothing written": exit 130 never leaves a result behind.
        signals.check()
        if overwrite and final.exists():
            _swap(tmp, final)
        else:
            _rename_noreplace(tmp, final)
    except FileExistsError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunOutputError(
            f"{final} appeared while this result was being written (another rutsim "
            "process finished it first), and rutsim never overwrites earlier results. "
            "Nothing of this run was kept. To fix: run again with another name."
        ) from None
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise RunOutputError(os_error_message(exc, final, tmp)) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp: Path, final: Path) -> None:
    """Replace ``final`` by ``tmp``; the old folder goes only once the new one is in place."""
    old = Path(
        tempfile.mkdtemp(dir=final.parent, prefix=tmp_prefix(final) + "old.", suffix=TMP_SUFFIX)
    )
    os.replace(final, old)
    try:
        os.replace(tmp, final)
    except BaseException:
        os.replace(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def check_writable(folder: Path, setting: str) -> None:
    """Refuse before any work when results cannot be written under ``folder``.

    Creates the folder if needed and writes and removes one probe file, so read-only
    mounts, missing permissions and a file in the folder's place are reported at once
    instead of after a fit or a simulation.

    Parameters
    ----------
    folder : Path
        The output or models folder.
    setting : str
        The config key that names it (``outputs.dir``), for the message.
    """
    folder = Path(folder)
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(
            dir=folder, prefix=tmp_prefix(folder / "probe"), suffix=TMP_SUFFIX
        )
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        cause = exc.strerror or type(exc).__name__
        raise RunOutputError(
            f"{setting} = {folder}: cannot write there ({cause}), so results could not be "
            f"saved. Nothing was done. To fix: set {setting} to a writable folder (or fix "
            "the permissions or the mount)."
        ) from None


def check_free_space(folder: Path, need_bytes: int, setting: str) -> None:
    """Refuse before any work when the disk under ``folder`` cannot hold ``need_bytes``.

    A full disk mid-write makes HDF5 crash the interpreter; checking first turns that
    into one message with the numbers.
    """
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return  # check_writable reports unusable folders
    if free < need_bytes:
        raise RunOutputError(
            f"{setting} = {folder}: the disk has {free / 2**20:.0f} MiB free but this "
            f"result needs about {need_bytes / 2**20:.0f} MiB. Nothing was done. To fix: "
            f"free disk space, set {setting} to a larger disk, or make the run smaller."
        )
