"""Atomic file and folder writes, content hashes and provenance metadata.

Every writer in rutsim goes through these helpers so that a failure never leaves a
half-written file or folder behind and an existing result is never overwritten silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from rutsim.errors import RunOutputError

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


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 ``text`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def atomic_dir(final: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Build a folder under a temporary name and rename it into place on success.

    Parameters
    ----------
    final : Path
        Where the folder should end up.
    overwrite : bool, default False
        Replace an existing ``final`` folder. Without it an existing folder is an error,
        so earlier runs and fitted models are never replaced silently.

    Yields
    ------
    Path
        The temporary folder to write into. On an exception it is removed and ``final``
        is left exactly as it was.
    """
    final = Path(final)
    if final.exists() and not overwrite:
        raise RunOutputError(
            f"{final} already exists and rutsim never overwrites earlier results. "
            "To fix: choose another name, or remove the folder yourself."
        )
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp"))
    # mkdtemp creates 0700 folders; run folders and models must be readable by others.
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if not overwrite:
        # Another process may have created ``final`` while we worked: never replace it.
        # os.rename refuses a non-empty target (ENOTEMPTY/EEXIST), so at worst an empty
        # folder made in the last instant is replaced; nothing written is ever lost.
        try:
            if final.exists():
                raise FileExistsError(final)
            os.rename(tmp, final)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise RunOutputError(
                f"{final} appeared while this result was being written ({exc.strerror or exc}),"
                " and rutsim never overwrites earlier results. To fix: run again with "
                "another name."
            ) from None
        return
    if final.exists():
        # Swap via a second rename so the old folder disappears only once the new one is
        # complete.
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, final)
