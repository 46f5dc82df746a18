"""Atomic file and folder writes, content hashes and provenance metadata.

Every writer in rutsim goes through these helpers so that a failure never leaves a
half-written file or folder behind and an existing result is never overwritten silently.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from rutsim import signals
from rutsim.errors import RunOutputError, RutsimError

_CORE_PACKAGES = (
    "rutsim",
    "numpy",
    "pandas",
    "jax",
    "jaxlib",
    "pymc",
    "pytensor",
    "arviz",
    "xarray",
    "nutpie",
    "pydantic",
)


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 digest of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def canonical_json(obj: object) -> str:
    """Serialise ``obj`` to JSON with sorted keys and no whitespace variation.

    Used for hashing: two equal objects always give the same string.
    """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def sha256_json(obj: object) -> str:
    """Return the SHA-256 of the canonical JSON form of ``obj``."""
    return sha256_bytes(canonical_json(obj).encode())


def package_versions() -> dict[str, str]:
    """Return the installed versions of rutsim and its core stack."""
    versions: dict[str, str] = {}
    for name in _CORE_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


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
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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


def _local_locks() -> contextlib.AbstractContextManager[object]:
    """Have xarray lock with threads, not Dask's, while it writes a file.

    Inside a Dask worker (a backtest origin saving its fit) xarray takes a cluster-wide
    ``distributed.Lock`` named after the target, which fails for an in-memory target
    ("Semaphore or Lock <BytesIO> not known"). The synchronous scheduler makes xarray use
    a plain process-local lock; without Dask imported there is nothing to change.
    """
    dask = sys.modules.get("dask")
    if dask is None:
        return contextlib.nullcontext()
    return dask.config.set(scheduler="synchronous")


def write_netcdf(
    obj: Any, path: Path, *, compress: bool = False, single_precision: bool = False
) -> None:
    """Write an xarray ``Dataset`` or ``DataTree`` as NetCDF-4 (h5netcdf) to ``path``.

    With ``compress`` (Datasets only) every numeric variable is stored deflated
    (zlib level 4 with byte shuffle); any NetCDF-4 reader decompresses it transparently.
    With ``single_precision`` float variables are stored as float32 (7 significant
    digits), for summaries whose last digits carry no information.

    The file is built in memory and written as plain bytes: HDF5 writing straight to a
    full disk once crashed the interpreter (SIGSEGV at exit), where a plain write gives an
    ``OSError`` that :func:`atomic_dir` reports. Signals wait for the serialisation to
    finish (:func:`rutsim.signals.deferred`), so an interrupt never leaves half-built HDF5
    objects behind. The in-memory copy costs the file's size in memory once more.
    """
    encoding = (
        {
            name: {
                "zlib": True,
                "complevel": 4,
                "shuffle": True,
                **({"dtype": "float32"} if single_precision and var.dtype.kind == "f" else {}),
            }
            for name, var in obj.data_vars.items()
            if var.dtype.kind in "fiu" and var.ndim > 0
        }
        if compress
        else None
    )
    with signals.deferred(), _local_locks():
        data = memoryview(obj.to_netcdf(engine="h5netcdf", encoding=encoding))
    try:
        with Path(path).open("wb") as fh:
            fh.write(data)
    finally:
        # The view pins xarray's in-memory file; a traceback that kept it alive until
        # exit made CPython free them in the wrong order (SystemError, then SIGSEGV).
        data.release()


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
    """Return the name prefix of the temporary folders this process makes for ``final``.

    ``.<name>.<host>-<pid>.``: :func:`rutsim.fslock.clear_stale` uses the host and pid to
    remove the leftovers of processes that died without cleaning up (SIGKILL, power loss).
    """
    return f".{Path(final).name}.{host_tag()}-{os.getpid()}."


def host_tag() -> str:
    """Six hex digits naming this machine (folders may be shared between machines)."""
    return sha256_bytes(socket.gethostname().encode())[:6]


def os_error_message(exc: OSError, final: Path, tmp: Path | None = None) -> str:
    """One line for an OS error while writing ``final``: the folder, the cause, the fix.

    A path inside the temporary folder is reported as the final path it was meant for,
    since the temporary folder is gone by the time the user reads the message.
    """
    where = str(exc.filename or final)
    if tmp is not None:
        where = where.replace(str(tmp), str(final))
    cause = exc.strerror or type(exc).__name__
    fixes = {
        errno.ENOSPC: "free disk space or point the output folder at a larger disk",
        errno.EDQUOT: "free space within your disk quota or use another folder",
        errno.EROFS: "point the output folder at a writable disk",
        errno.EACCES: "make the folder writable for you or choose another folder",
        errno.EPERM: "make the folder writable for you or choose another folder",
        errno.ENOTDIR: "a path component is a file; point the setting at a folder",
        errno.EEXIST: "choose another name; rutsim never overwrites earlier results",
    }
    fix = fixes.get(exc.errno or 0, "check the folder and the disk, then run again")
    return f"could not write {final} ({cause}: {where}). Nothing was kept. To fix: {fix}."


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
        tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=tmp_prefix(final), suffix=".tmp"))
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
    old = Path(tempfile.mkdtemp(dir=final.parent, prefix=tmp_prefix(final) + "old.", suffix=".tmp"))
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
        fd, probe = tempfile.mkstemp(dir=folder, prefix=tmp_prefix(folder / "probe"), suffix=".tmp")
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


#: Largest text file rutsim reads (configs, scenarios, manifests, CSV inputs).
MAX_TEXT_BYTES = 256 * 2**20


def read_text(
    path: Path,
    *,
    error: type[RutsimError] = RutsimError,
    what: str = "file",
    fix: str = "save it as UTF-8 text",
    max_bytes: int = MAX_TEXT_BYTES,
) -> str:
    """Read a UTF-8 text file; every failure is one ``error`` naming the file and the fix.

    Parameters
    ----------
    path : Path
    error : type of RutsimError
        The error class to raise (``ConfigError`` for configs, ``DataError`` for data...).
    what : str
        What the file is, for the message ("config", "scenario file").
    fix : str
        How to fix a file that is not UTF-8.
    max_bytes : int
        Larger files are refused before they are read.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise error(
                f"{path}: {size / 2**20:.0f} MiB is too large for a {what} (limit "
                f"{max_bytes / 2**20:.0f} MiB). To fix: check that this is the right file."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise error(
            f"{path}: cannot read this {what} ({exc.strerror or exc}). To fix: check the "
            "path and its permissions."
        ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"{path}: line {line}, column {column}: byte 0x{data[exc.start]:02x} is not "
            f"UTF-8 text, so this {what} cannot be read. To fix: {fix} (for example "
            "re-save it as UTF-8 in your editor, or remove the character)."
        ) from None


def root_hint(path: str | Path) -> str:
    """Return a sentence pointing to the project root when a relative ``path`` is missing.

    Paths typed on the command line are relative to the working folder. Started in a
    subfolder of a project (a folder with ``configs/`` above it), a user who typed a
    project path (``configs/default.toml``, ``outputs/<run-id>``) is told where the
    project root is, and whether the path exists there. Empty otherwise.
    """
    p = Path(path)
    if p.is_absolute():
        return ""
    here = Path.cwd().resolve()
    for folder in here.parents:
        if (folder / "configs").is_dir():
            if (folder / p).exists():
                return (
                    f" You are in {here}, a subfolder of the project root {folder}, where "
                    f"{p} exists: run from {folder}, or pass {folder / p}."
                )
            return (
                f" Paths typed on the command line are relative to the working folder "
                f"{here}; the project root is {folder}."
            )
    return ""
