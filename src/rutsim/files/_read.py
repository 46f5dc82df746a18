"""Checked reading: every failure to read a text file is one message with the fix."""

from __future__ import annotations

from pathlib import Path

from rutsim.errors import RutsimError

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
