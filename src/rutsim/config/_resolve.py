"""A config as a run uses it: relative paths resolved, hashed as written."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from rutsim.config._base import read_toml, validate_model
from rutsim.config._overrides import apply_overrides
from rutsim.config._run import RunConfig


class LoadedConfig(NamedTuple):
    """A config ready to run.

    Attributes
    ----------
    config : RunConfig
        Every relative path made absolute against the project root.
    config_hash : str
        SHA-256 of the config *as written* (relative paths), so the same config hashes
        alike in every checkout; manifests record it beside the resolved config.
    """

    config: RunConfig
    config_hash: str


def project_root(config_path: Path) -> Path:
    """Return the folder a config's relative paths refer to: the parent of ``configs/``."""
    folder = Path(config_path).resolve().parent
    return folder.parent if folder.name == "configs" else folder


def resolve_paths(config: RunConfig, root: Path) -> RunConfig:
    """Make every relative path of the config absolute against ``root``."""

    def fix(path: Path) -> Path:
        return path if path.is_absolute() else (root / path).resolve()

    return _map_paths(config, fix)


def portable_path(path: str | Path, root: Path) -> str:
    """Return ``path`` relative to ``root`` (with ``..`` if outside it), never absolute."""
    p = Path(path)
    if not p.is_absolute():
        return p.as_posix()
    return Path(os.path.relpath(p, Path(root).resolve())).as_posix()


def portable_paths(config: RunConfig, root: Path) -> RunConfig:
    """Make every absolute path of the config relative to the project ``root``.

    The inverse of :func:`resolve_paths`: what a run folder saves, so that it holds no
    path of the machine it was made on and reads the same when moved or shared.
    """
    return _map_paths(config, lambda p: Path(portable_path(p, root)))


def _map_paths(config: RunConfig, fix: Callable[[Path], Path]) -> RunConfig:

    data = config.data
    if isinstance(data.panel, Path):
        data = data.model_copy(update={"panel": fix(data.panel)})
    if data.user_series:
        series = tuple(s.model_copy(update={"path": fix(s.path)}) for s in data.user_series)
        data = data.model_copy(update={"user_series": series})
    return config.model_copy(
        update={
            "data": data,
            "scenarios": config.scenarios.model_copy(
                update={
                    "dir": fix(config.scenarios.dir),
                    "priced_in_strip": None
                    if config.scenarios.priced_in_strip is None
                    else fix(config.scenarios.priced_in_strip),
                }
            ),
            "outputs": config.outputs.model_copy(
                update={
                    "dir": fix(config.outputs.dir),
                    "models_dir": fix(config.outputs.models_dir),
                }
            ),
        }
    )


def config_root(config: RunConfig | Path | str, root: Path | None = None) -> Path:
    """Return the project root :func:`load_config` resolves ``config``'s paths against."""
    if isinstance(config, str | Path):
        return project_root(Path(config))
    return Path(root or Path.cwd()).resolve()


def load_config(
    config: RunConfig | Path | str,
    root: Path | None = None,
    overrides: Sequence[str] = (),
) -> LoadedConfig:
    """Load (a path) or take (a ``RunConfig``) a config and resolve its relative paths.

    A path loads the TOML and resolves against its project root (the parent of
    ``configs/``); a ``RunConfig`` resolves against ``root`` (default: the current folder).
    ``overrides`` (``section.key=value``, see :func:`apply_overrides`) change the config
    before validation; they are part of the config and so of its hash.
    """
    if isinstance(config, str | Path):
        path = Path(config)
        data = apply_overrides(read_toml(path), overrides)
        source = str(path) + (f" with --set {', '.join(overrides)}" if overrides else "")
        written = validate_model(RunConfig, data, source)
        return LoadedConfig(resolve_paths(written, project_root(path)), written.config_hash())
    if overrides:
        data = apply_overrides(config.to_json_dict(), overrides)
        config = validate_model(
            RunConfig, data, f"the run config with --set {', '.join(overrides)}"
        )
    return LoadedConfig(resolve_paths(config, config_root(config, root)), config.config_hash())
