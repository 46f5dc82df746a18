"""The simulation's files in a run folder: simulation.nc, draw_metrics.nc, config, manifest.

Written into the temporary folder of :func:`rutsim._io.atomic_dir` by ``rutsim run``; the
report layer adds its tables, figures and HTML next to them (Contract 4).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

import xarray as xr

from rutsim._io import atomic_write_text
from rutsim.config import RunConfig, validate_model
from rutsim.errors import RunOutputError

SIMULATION_FILE = "simulation.nc"
DRAW_METRICS_FILE = "draw_metrics.nc"
CONFIG_FILE = "config.toml"
MANIFEST_FILE = "manifest.json"


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are valid TOML basic-string escapes.
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [f"{_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None]
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_leaf(value: object) -> bool:
    # Small tables of scalars (e.g. a prior's args) read best inline.
    return isinstance(value, dict) and not any(isinstance(v, dict) for v in value.values())


def _toml_table(prefix: str, table: Mapping[str, object], lines: list[str]) -> None:
    depth = prefix.count(".") + 1 if prefix else 0
    inline = {
        k: v
        for k, v in table.items()
        if v is not None and (not isinstance(v, dict) or (depth >= 2 and _is_leaf(v)) or not v)
    }
    tables = {k: v for k, v in table.items() if isinstance(v, dict) and v and k not in inline}
    if prefix and (inline or not tables):
        lines.append(f"\n[{prefix}]")
    for key, value in inline.items():
        lines.append(f"{_key(key)} = {_toml_value(value)}")
    for key, value in tables.items():
        _toml_table(f"{prefix}.{_key(key)}" if prefix else _key(key), value, lines)


def config_to_toml(config: RunConfig) -> str:
    """Render a resolved run config as TOML that loads back to an equal config.

    ``None`` values are left out (TOML has no null; every such key defaults to None).
    """
    lines = ["# Resolved configuration of this run (written by rutsim run)."]
    _toml_table("", config.to_json_dict(), lines)
    text = "\n".join(lines) + "\n"
    again = validate_model(RunConfig, tomllib.loads(text), "written config.toml")
    if again != config:
        raise RunOutputError(
            "the resolved config does not survive a TOML round trip; this is a bug in "
            "rutsim. To fix: report it with the config file that triggered it."
        )
    return text


def write_simulation_files(
    folder: Path,
    simulation: xr.Dataset,
    draw_metrics: xr.Dataset,
    config: RunConfig,
    manifest: Mapping[str, object],
) -> None:
    """Write ``simulation.nc``, ``draw_metrics.nc``, ``config.toml`` and ``manifest.json``.

    Parameters
    ----------
    folder : Path
        The (temporary) run folder; must exist.
    simulation : xarray.Dataset
        Kept paths, dims ``(scenario, sample, path, horizon)`` (see ``rutsim.results``).
    draw_metrics : xarray.Dataset
        Per-draw metrics over all paths, dims ``(scenario, sample, horizon)``.
    config : RunConfig
        The resolved config of the run.
    manifest : mapping
        JSON-compatible run manifest (run id, hashes, seed, versions, timings, scenarios).
    """
    folder = Path(folder)
    # NetCDF files are written straight into the temporary folder: the whole folder is
    # renamed into place only when everything succeeded.
    simulation.to_netcdf(folder / SIMULATION_FILE, engine="h5netcdf")
    draw_metrics.to_netcdf(folder / DRAW_METRICS_FILE, engine="h5netcdf")
    atomic_write_text(folder / CONFIG_FILE, config_to_toml(config))
    atomic_write_text(
        folder / MANIFEST_FILE, json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n"
    )
