"""OS errors while writing, as one line that names the folder, the cause and the fix."""

from __future__ import annotations

import errno
from pathlib import Path


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
