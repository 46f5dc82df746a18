"""How the command line resolves relative paths, in one place for every command.

Paths typed on the command line are relative to the working folder, as in any shell.
Defaults that name a project folder (``scenarios/``, ``models/``, ``outputs/``) and
every path written inside a config refer to the project root: the nearest folder, from
the working folder up, that holds ``configs/`` (for a config file: the parent of its
``configs/`` folder). So ``rutsim scenario list`` in a subfolder lists the same
scenarios that ``rutsim run configs/default.toml`` uses.
"""

from __future__ import annotations

from pathlib import Path

#: Said in the ``--help`` of every command that takes paths.
PATHS_HELP = (
    "Relative paths typed on the command line are relative to the working folder; "
    "defaults (scenarios/, models/, outputs/) and paths inside a config are relative to "
    "the project root, the folder that holds configs/."
)


def project_root(start: Path | None = None) -> Path:
    """Return the nearest folder from ``start`` (default: the working folder) up with configs/."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "configs").is_dir():
            return folder
    return here


def in_project(path: Path | None, default: str) -> Path:
    """``path`` as typed, or the project's ``default`` folder when none was given."""
    return Path(path) if path is not None else project_root() / default
