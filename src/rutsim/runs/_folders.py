"""Validation output folders (``outputs/backtest-<id>/``, ``outputs/study-easing-<id>/``).

Their layout is owned here, beside the run folder's: a folder is built under a temporary
name and renamed when complete (never over an existing one), and always carries
``manifest.json`` (ids, hashes, seed, versions) and ``config.toml`` (the resolved config).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rutsim.config import RunConfig
from rutsim.errors import RunOutputError
from rutsim.fileio import atomic_dir, package_versions, sha256_json
from rutsim.runs._manifest import CONFIG_FILE, MANIFEST_FILE, check_folder_name, utc_stamp
from rutsim.runs._write import config_to_toml

__all__ = ["ValidationFolder", "folder_id", "write_folder"]


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
