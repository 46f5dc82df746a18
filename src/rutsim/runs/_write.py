"""The writer of a run folder: simulation.nc (or .zarr), draw_metrics.nc, config, manifest, drivers.

Writes into the temporary folder of :func:`rutsim.files.atomic_dir`; the report layer
adds its tables, figures and HTML beside these files before the folder is renamed into
place.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import xarray as xr

from rutsim.config import RunConfig, validate_model
from rutsim.errors import RunOutputError
from rutsim.files import atomic_write_text, sha256_file, toml_document, write_netcdf
from rutsim.runs._manifest import (
    CONFIG_FILE,
    DRAW_METRICS_FILE,
    DRIVERS_FILE,
    MANIFEST_FILE,
    POOLED_FILE,
    SIMULATION_FILE,
    SIMULATION_ZARR,
    RunManifest,
)
from rutsim.runs._zarr import stored_variables


def config_to_toml(config: RunConfig) -> str:
    """Render a resolved run config as TOML that loads back to an equal config.

    ``None`` values are left out (TOML has no null; every such key defaults to None).
    """
    text = toml_document(
        config.to_json_dict(), header="Resolved configuration of this run (written by rutsim run)."
    )
    again = validate_model(RunConfig, tomllib.loads(text), "written config.toml")
    if again != config:
        raise RunOutputError(
            "the resolved config does not survive a TOML round trip; this is a bug in "
            "rutsim. To fix: report it with the config file that triggered it."
        )
    return text


def manifest_json(manifest: RunManifest) -> str:
    """Render ``manifest.json``: sorted keys, two-space indent, final newline."""
    return json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def write_run(
    folder: Path,
    *,
    simulation: xr.Dataset,
    draw_metrics: xr.Dataset,
    config: RunConfig,
    manifest: RunManifest,
    drivers: pd.DataFrame,
    pooled: xr.Dataset | None = None,
    streamed: bool = False,
) -> None:
    """Write the simulation's files of a run folder.

    Parameters
    ----------
    folder : Path
        The (temporary) run folder; must exist.
    simulation : xarray.Dataset
        Kept paths, dims ``(scenario, sample, path, horizon)``
        (:func:`rutsim.runs.simulation_dataset`).
    draw_metrics : xarray.Dataset
        Per-draw metrics over all paths, dims ``(scenario, sample, horizon)``
        (:func:`rutsim.runs.draw_metrics_dataset`).
    config : RunConfig
        The resolved config of the run (``config.toml``).
    manifest : RunManifest
        ``manifest.json``.
    drivers : pandas.DataFrame
        The per-scenario split of the central path into its drivers (``drivers.csv``).
    pooled : xarray.Dataset, optional
        Binned sums over every simulated path (``pooled.nc``,
        :func:`rutsim.runs.pooled_dataset`).
    streamed : bool
        The kept paths are in ``simulation.zarr`` already (written chunk by chunk by
        :class:`rutsim.runs.ZarrPathWriter`); ``simulation`` is then that store, opened.
    """
    folder = Path(folder)
    if tuple(str(s) for s in simulation["scenario"].values) != manifest.scenario_names:
        raise RunOutputError(
            "the run manifest lists other scenarios than the simulation; this is a bug in "
            "rutsim. To fix: report it with the config."
        )
    # NetCDF files go straight into the temporary folder: the whole folder is renamed
    # into place only when everything succeeded.
    # Sums of stored variables are not stored (a fifth of the file); the reader adds them.
    if not streamed:
        write_netcdf(stored_variables(simulation), folder / SIMULATION_FILE, compress=True)
    elif not (folder / SIMULATION_ZARR).is_dir():
        raise RunOutputError(
            f"{folder / SIMULATION_ZARR} is missing although the run streamed its paths; this "
            "is a bug in rutsim. To fix: report it with the config."
        )
    # Per-draw metrics are summaries of 100s of paths: float32 keeps 7 digits, half the size.
    write_netcdf(draw_metrics, folder / DRAW_METRICS_FILE, compress=True, single_precision=True)
    if pooled is not None:
        write_netcdf(pooled, folder / POOLED_FILE, compress=True)
    drivers.to_csv(folder / DRIVERS_FILE, index=False, float_format="%.10g")
    atomic_write_text(folder / CONFIG_FILE, config_to_toml(config))
    written = [
        SIMULATION_ZARR if streamed else SIMULATION_FILE,
        DRAW_METRICS_FILE,
        *([POOLED_FILE] if pooled is not None else []),
        DRIVERS_FILE,
        CONFIG_FILE,
    ]
    manifest = manifest.model_copy(update={"files": file_hashes(folder, written)})
    atomic_write_text(folder / MANIFEST_FILE, manifest_json(manifest))


def file_hashes(folder: Path, names: list[str]) -> dict[str, str]:
    """SHA-256 of each named file (every file inside a named folder), by relative path."""
    out: dict[str, str] = {}
    for name in names:
        path = folder / name
        inside = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for p in inside:
            out[p.relative_to(folder).as_posix()] = sha256_file(p)
    return out


def record_report_files(folder: Path, paths: list[Path]) -> None:
    """Add the report files just written to the folder's manifest (their SHA-256)."""
    man = folder / MANIFEST_FILE
    manifest = RunManifest.model_validate(json.loads(man.read_text(encoding="utf-8")))
    names = [p.relative_to(folder).as_posix() for p in paths]
    hashes = file_hashes(folder, names)
    atomic_write_text(man, manifest_json(manifest.model_copy(update={"report_files": hashes})))
