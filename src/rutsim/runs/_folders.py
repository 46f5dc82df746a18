"""Validation output folders (``outputs/backtest-<id>/``, ``outputs/study-easing-<id>/``).

Their layout is owned here, beside the run folder's: a folder is built under a temporary
name and renamed when complete (never over an existing one), and always carries
``manifest.json`` (ids, hashes, seed, versions) and ``config.toml`` (the resolved config).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rutsim.config import RunConfig
from rutsim.errors import RunOutputError
from rutsim.files import (
    ClaimHeld,
    atomic_dir,
    check_writable,
    claim,
    clear_stale,
    package_versions,
    sha256_json,
)
from rutsim.runs._manifest import CONFIG_FILE, MANIFEST_FILE, check_folder_name, utc_stamp
from rutsim.runs._write import config_to_toml

__all__ = ["ValidationFolder", "check_free", "folder_id", "reserve_folder", "write_folder"]

#: Automatic ids tried per second (``<id>``, ``<id>-2``, ...) before giving up.
_MAX_SUFFIX = 100


def folder_id(kind: str, settings: Mapping[str, Any], name: str | None) -> str:
    """``<kind>-<name>`` or ``<kind>-<UTC timestamp>-<hash of settings>``."""
    if name is None:
        return f"{kind}-{utc_stamp()}-{sha256_json(dict(settings))[:8]}"
    return f"{kind}-{check_folder_name(name)}"


def check_free(final: Path) -> None:
    """Refuse before any work when the output folder exists already."""
    if final.exists():
        raise RunOutputError(
            f"{final} already exists and rutsim never overwrites earlier results. To fix: "
            "choose another --name, or leave it out for a new timestamped id."
        )


@contextlib.contextmanager
def reserve_folder(
    parent: Path, base: str, *, explicit: bool, setting: str = "outputs.dir"
) -> Iterator[Path]:
    """Claim a free output folder name under ``parent`` for the duration of the block.

    First the leftovers of dead rutsim processes are cleared from ``parent`` and it must
    be writable (else one error naming ``setting``), so nothing is computed for a result
    that could not be saved.

    Two processes never get the same folder: the name is claimed with a lock file (see
    :mod:`rutsim.files`) before any work, and the folder itself is renamed into place
    atomically at the end. An automatic id (``explicit=False``) that is taken, by a
    finished folder or a live claim, moves on to ``<base>-2``, ``<base>-3``, ...; a name
    the user chose (``explicit=True``) is refused instead.

    Yields
    ------
    Path
        ``parent / name``, not yet existing and claimed by this process.
    """
    clear_stale(parent)
    check_writable(parent, setting)
    for n in range(1, _MAX_SUFFIX + 1):
        final = Path(parent) / (base if n == 1 else f"{base}-{n}")
        if explicit:
            check_free(final)
        elif final.exists():
            continue
        held = claim(final)
        try:
            held.__enter__()
        except ClaimHeld as exc:
            if explicit:
                raise RunOutputError(
                    f"{final} is being written by another rutsim process (pid "
                    f"{exc.holder.pid}), and rutsim never lets two runs share a folder. To "
                    "fix: choose another --name, or wait for that run to finish."
                ) from None
            continue
        except OSError as exc:
            raise RunOutputError(
                f"cannot claim {final} ({exc.strerror or exc}). To fix: make "
                f"{Path(parent)} writable."
            ) from None
        try:
            if final.exists():  # finished by another process between the check and the claim
                if explicit:
                    check_free(final)
                continue
            yield final
            return
        finally:
            held.__exit__(None, None, None)
    raise RunOutputError(
        f"{_MAX_SUFFIX} runs with the id {base} already exist or are running in {parent}. "
        "To fix: pass --name, or wait a second."
    )


@dataclass
class ValidationFolder:
    """Files to write into one validation folder (see :func:`write_folder`)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)
    json: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    arrays: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    html: str = ""


def write_folder(
    final: Path,
    content: ValidationFolder,
    config: RunConfig,
    manifest: Mapping[str, Any],
) -> Path:
    """Write ``content`` atomically to ``final`` with the manifest and resolved config.

    Tables go out as ``<name>.parquet`` and ``<name>.csv`` (full precision), figures under
    ``figures/``, arrays under ``forecasts/<name>.npz``, JSON documents as ``<name>.json``,
    the page as ``report.html``.
    """
    full = {**manifest, "versions": package_versions()}
    with atomic_dir(final) as tmp:
        for name, frame in content.tables.items():
            frame.to_parquet(tmp / f"{name}.parquet", index=False)
            # Default float repr: the shortest text that reads back to the same double.
            frame.to_csv(tmp / f"{name}.csv", index=False)
        if content.figures:
            (tmp / "figures").mkdir()
            for name, data in content.figures.items():
                (tmp / "figures" / f"{name}.png").write_bytes(data)
        for name, doc in content.json.items():
            (tmp / f"{name}.json").write_text(
                json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
            )
        if content.arrays:
            (tmp / "forecasts").mkdir()
            for name, arrays in content.arrays.items():
                # numpy's stub lets **kwds collide with allow_pickle; the names are origins.
                np.savez_compressed(tmp / "forecasts" / f"{name}.npz", **arrays)  # type: ignore[arg-type]
        for name, text in content.texts.items():
            (tmp / name).write_text(text, encoding="utf-8")
        if content.html:
            (tmp / "report.html").write_text(content.html, encoding="utf-8")
        (tmp / CONFIG_FILE).write_text(config_to_toml(config), encoding="utf-8")
        (tmp / MANIFEST_FILE).write_text(
            json.dumps(full, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
    return final
