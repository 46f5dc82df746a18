"""The verifying reader of a run folder, and the blend weights it records.

Every problem with a run folder becomes one :class:`~rutsim.errors.RunOutputError` that
names the file and the fix; nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from pydantic import ValidationError

from rutsim.config import PortfolioConfig
from rutsim.errors import ConfigError, RunOutputError
from rutsim.files import read_text, root_hint, sha256_file
from rutsim.risk import (
    BLEND,
    DRAWDOWN_SUMS,
    RETURN_SUMS,
    RETURN_VARS,
    compute_metrics,
    compute_position_metrics,
    metric_names,
    metric_unit,
    return_bin_centres,
)
from rutsim.runs._dataset import add_derived
from rutsim.runs._manifest import (
    CONFIG_FILE,
    DRAW_METRICS_FILE,
    MANIFEST_FILE,
    POOLED_FILE,
    SIMULATION_FILE,
    SIMULATION_ZARR,
    RunManifest,
)
from rutsim.runs._zarr import open_simulation_zarr, stored_variables
from rutsim.types import SIM_DIMS

#: Macro variables every simulation.nc holds (the report draws them).
MACRO_VARS: tuple[str, ...] = ("fedfunds", "slope", "spread")
_RERUN_FIX = "rerun the simulation with `rutsim run CONFIG` (it writes a new run folder)"
_RERUN = f"To fix: {_RERUN_FIX}."


@dataclass(frozen=True)
class RunData:
    """A loaded and verified run folder.

    Attributes
    ----------
    simulation : xarray.Dataset
        ``simulation.nc`` (loaded) or ``simulation.zarr`` (opened lazily): dims
        ``(scenario, sample, path, horizon)``.
    draw_metrics : xarray.Dataset or None
        ``draw_metrics.nc`` (dims ``(scenario, sample, horizon)``) when present.
    manifest : RunManifest
    manifest_json : str
        The manifest as written, for display.
    config_toml : str
        ``config.toml`` as written ('' when absent).
    folder : Path
    pooled : xarray.Dataset or None
        ``pooled.nc``, binned sums over every simulated path, when present.
    """

    simulation: xr.Dataset
    draw_metrics: xr.Dataset | None
    manifest: RunManifest
    manifest_json: str
    config_toml: str
    folder: Path
    pooled: xr.Dataset | None = None

    @property
    def scenarios(self) -> tuple[str, ...]:
        """Scenario names in the order of ``simulation.nc``."""
        return tuple(str(s) for s in self.simulation["scenario"].values)


def _open_netcdf(path: Path) -> xr.Dataset:
    try:
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return ds.load()
    except Exception as exc:  # any reader failure means the file is unusable
        raise RunOutputError(
            f"{path}: cannot be read as NetCDF ({type(exc).__name__}: {exc}). The file is "
            f"corrupt or incomplete. {_RERUN}"
        ) from None


def validate_simulation(ds: xr.Dataset, source: str) -> xr.Dataset:
    """Check dims, variables and finiteness of a simulation dataset (Contract 4)."""
    missing_dims = [d for d in SIM_DIMS if d not in ds.dims]
    missing_vars = [v for v in RETURN_VARS + MACRO_VARS if v not in ds.data_vars]
    if missing_dims or missing_vars:
        raise RunOutputError(
            f"{source}: not a rutsim simulation (missing dims {missing_dims}, variables "
            f"{missing_vars}). {_RERUN}"
        )
    if ds.sizes["path"] == 0 or ds.sizes["sample"] == 0:
        raise RunOutputError(
            f"{source}: holds no saved paths (path or sample dim of size 0, e.g. "
            "simulation.keep_paths = 0), so the predictive distribution cannot be reported. "
            "To fix: rerun with simulation.keep_paths >= 1 (the default keeps 10)."
        )
    n_scen = ds.sizes["scenario"]
    for v in RETURN_VARS[:3]:
        if set(ds[v].dims) != set(SIM_DIMS):
            raise RunOutputError(
                f"{source}: variable '{v}' has dims {ds[v].dims}, expected {SIM_DIMS}. {_RERUN}"
            )
        # One scenario at a time: a streamed (Zarr) simulation is read lazily, and may
        # be larger than memory as a whole.
        if not all(np.all(np.isfinite(ds[v].isel(scenario=i).values)) for i in range(n_scen)):
            raise RunOutputError(
                f"{source}: variable '{v}' holds NaN or infinite values, so no risk metric "
                f"is defined. {_RERUN}"
            )
    return ds.transpose(*SIM_DIMS, ...)


def _validate_draw_metrics(ds: xr.Dataset, sim: xr.Dataset, source: str) -> xr.Dataset:
    missing = [m for m in metric_names() if m not in ds.data_vars]
    if missing:
        raise RunOutputError(
            f"{source}: metrics {missing[:5]} are missing (written by another rutsim "
            f"version?). To fix: delete {source} and rerun `rutsim report`; the per-draw "
            "metrics are then recomputed from the paths saved in simulation.nc."
        )
    if "scenario" in ds.coords and BLEND in ds["scenario"].values:
        # The run's per-draw blend rides along as one more scenario entry.
        blend = ds.sel(scenario=[BLEND])
        ds = ds.drop_sel(scenario=BLEND)
    else:
        blend = None
    for dim in ("scenario", "sample", "horizon"):
        # A dim without a coordinate is matched by size only.
        if (
            dim not in ds.dims
            or ds.sizes[dim] != sim.sizes[dim]
            or (dim in ds.coords and not np.array_equal(ds[dim].values, sim[dim].values))
        ):
            raise RunOutputError(
                f"{source}: its '{dim}' coordinate does not match simulation.nc. To fix: "
                f"delete {source} and rerun `rutsim report`."
            )
    if blend is not None:
        ds = xr.concat([ds, blend], dim="scenario", combine_attrs="override")
    return ds.transpose("scenario", "sample", "horizon")


def _validate_pooled(ds: xr.Dataset, sim: xr.Dataset, source: str) -> xr.Dataset:
    fix = (
        f"To fix: delete {source} and rerun `rutsim report` (pooled statistics then use "
        "the kept paths)."
    )
    scen = [str(s) for s in sim["scenario"].values]
    missing = [v for v in RETURN_SUMS + DRAWDOWN_SUMS if v not in ds.data_vars]
    if missing:
        raise RunOutputError(f"{source}: variables {missing} are missing. {fix}")
    if (
        ds.sizes.get("bin") != return_bin_centres().size
        or ds.sizes.get("horizon") != sim.sizes["horizon"]
        or list(ds["scenario"].values) not in (scen, [*scen, BLEND])
    ):
        raise RunOutputError(
            f"{source}: its bins, horizons or scenarios do not match this rutsim version or "
            f"simulation.nc. {fix}"
        )
    counts = ds["count"].sel(scenario=scen).values
    if not np.all(np.isfinite(counts)) or np.any(counts.sum(axis=-1) <= 0):
        raise RunOutputError(f"{source}: holds empty or non-finite counts. {fix}")
    return ds


def _read_manifest(path: Path) -> tuple[RunManifest, str]:
    try:
        if not path.is_file():
            raise RunOutputError(f"{path}: manifest.json is missing. {_RERUN}")
        text = read_text(path, error=RunOutputError, what="run manifest", fix=_RERUN_FIX)
        return RunManifest.model_validate(json.loads(text)), text
    except (json.JSONDecodeError, ValidationError) as exc:
        raise RunOutputError(f"{path}: not a valid run manifest ({exc}). {_RERUN}") from None


def _check_agree(manifest: RunManifest, sim: xr.Dataset, path: Path) -> None:
    # The manifest describes the simulation beside it; a mismatch means files were mixed.
    found = tuple(str(s) for s in sim["scenario"].values)
    sizes = manifest.sizes
    if found != manifest.scenario_names or (sizes.horizon, sizes.samples) != (
        sim.sizes["horizon"],
        sim.sizes["sample"],
    ):
        raise RunOutputError(
            f"{path}: describes scenarios {list(manifest.scenario_names)}, {sizes.samples} "
            f"samples and {sizes.horizon} quarters, but simulation.nc holds {list(found)}, "
            f"{sim.sizes['sample']} and {sim.sizes['horizon']}: the files come from different "
            f"runs. {_RERUN}"
        )


def _verify_files(folder: Path, hashes: Mapping[str, str], fix: str) -> None:
    """Check every file the manifest hashed: present, and the bytes the run wrote."""
    for name, digest in hashes.items():
        path = folder / name
        if not path.is_file():
            problem = "is missing"
        elif sha256_file(path) != digest:
            problem = "has changed since the run wrote it (SHA-256 differs from manifest.json)"
        else:
            continue
        raise RunOutputError(
            f"{path}: {problem}, so the run folder is damaged and nothing is read from it. "
            f"To fix: {fix}."
        )


def load_run(folder: Path, *, verify_report: bool = True) -> RunData:
    """Load and verify a run folder; raises :class:`RunOutputError` on any problem.

    Every file the run wrote is checked against the SHA-256 in its manifest (runs written
    before the check carry none and are read unverified). ``verify_report`` also checks
    the report files (metrics, summary, figures, report.html); ``rutsim report
    --overwrite`` turns it off, since it rebuilds them from the simulation files.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise RunOutputError(
            f"{folder}: no such run folder. To fix: pass outputs/<run-id>.{root_hint(folder)}"
        )
    sim_path = folder / SIMULATION_FILE
    if (folder / SIMULATION_ZARR).is_dir() and not sim_path.exists():
        sim_path = folder / SIMULATION_ZARR
        sim = validate_simulation(add_derived(open_simulation_zarr(sim_path)), str(sim_path))
    elif sim_path.is_file():
        sim = validate_simulation(add_derived(_open_netcdf(sim_path)), str(sim_path))
    else:
        raise RunOutputError(
            f"{sim_path}: simulation.nc (or simulation.zarr) is missing, so there is nothing "
            f"to report on. {_RERUN}"
        )
    man_path = folder / MANIFEST_FILE
    manifest, text = _read_manifest(man_path)
    _check_agree(manifest, sim, man_path)
    dm_path = folder / DRAW_METRICS_FILE
    draw = None
    if dm_path.is_file():
        draw = _validate_draw_metrics(_open_netcdf(dm_path), sim, str(dm_path))
    pooled_path = folder / POOLED_FILE
    pooled = None
    if pooled_path.is_file() and draw is not None:
        pooled = _validate_pooled(_open_netcdf(pooled_path), sim, str(pooled_path))
    _verify_files(folder, manifest.files, _RERUN_FIX)
    if verify_report:
        _verify_files(
            folder,
            manifest.report_files,
            f"rebuild the report files from the intact simulation files with `rutsim report "
            f"{folder} --overwrite`",
        )
    cfg = folder / CONFIG_FILE
    config_toml = (
        read_text(cfg, error=RunOutputError, what="run config", fix=_RERUN_FIX)
        if cfg.is_file()
        else ""
    )
    return RunData(sim, draw, manifest, text, config_toml, folder, pooled)


def _as_read(ds: xr.Dataset, floats: type[np.floating] | None = None) -> xr.Dataset:
    """Copy ``ds`` with every variable C-contiguous (and its floats cast to ``floats``)."""
    out = ds.copy()
    for name, var in ds.data_vars.items():
        data = np.asarray(var.values)
        if floats is not None and data.dtype.kind == "f":
            data = data.astype(floats, copy=False)
        out[name] = (var.dims, np.ascontiguousarray(data), var.attrs)
    return out


def written_run(
    folder: Path,
    *,
    simulation: xr.Dataset,
    draw_metrics: xr.Dataset,
    pooled: xr.Dataset | None,
) -> RunData:
    """Return the :class:`RunData` of a folder ``write_run`` just wrote, from memory.

    What :func:`load_run` would read back, without reading it: the same stored variables
    with the derived ones added back, the per-draw metrics in the stored single precision,
    the same checks of the datasets against each other and the manifest. ``rutsim run``
    hands it to the same report code as ``rutsim report`` (which loads the folder), so the
    two keep one code path; ``tests/test_pipeline.py`` checks that both give identical files.
    """
    folder = Path(folder)
    source = str(folder / SIMULATION_FILE)
    # as load_run reads it: the stored variables, the derived ones added back (bit for bit)
    sim = validate_simulation(add_derived(_as_read(stored_variables(simulation))), source)
    manifest, text = _read_manifest(folder / MANIFEST_FILE)
    _check_agree(manifest, sim, folder / MANIFEST_FILE)
    # As the files hold them: float32 per-draw metrics (draw_metrics.nc is single
    # precision), every array C-ordered like a read one, so that every sum over them
    # runs in the same order and the report's numbers are the same to the last bit.
    draw = _validate_draw_metrics(
        _as_read(draw_metrics, np.float32), sim, str(folder / DRAW_METRICS_FILE)
    )
    pooled_ds = (
        _validate_pooled(_as_read(pooled), sim, str(folder / POOLED_FILE))
        if pooled is not None
        else None
    )
    cfg = folder / CONFIG_FILE
    config_toml = cfg.read_text(encoding="utf-8") if cfg.is_file() else ""
    return RunData(sim, draw, manifest, text, config_toml, folder, pooled_ds)


def resolve_weights(run: RunData, override: Mapping[str, float] | None = None) -> dict[str, float]:
    """Blend weights per scenario, normalised to sum to one.

    The manifest's weights (from the scenario files and the config) are the default;
    ``override`` replaces some or all of them. With no weight anywhere the scenarios are
    weighted equally.
    """
    names = run.scenarios
    weights: dict[str, float | None] = {n: None for n in names}
    for entry in run.manifest.scenarios:
        if entry.name in weights:
            weights[entry.name] = entry.weight
    for name, value in (override or {}).items():
        if name not in weights:
            raise ConfigError(
                f"blend weight given for scenario '{name}', but the run has {list(names)}. "
                "To fix: use one of those names."
            )
        weights[name] = float(value)
    given = {k: v for k, v in weights.items() if v is not None}
    if not given:
        return {n: 1.0 / len(names) for n in names}
    if len(given) < len(names):
        lacking = sorted(set(names) - set(given))
        raise ConfigError(
            f"scenarios {lacking} have no blend weight while others do. To fix: give every "
            "scenario a weight (scenario file `weight`, or [scenarios].weights in the config)."
        )
    if any(v < 0 or not np.isfinite(v) for v in given.values()) or sum(given.values()) <= 0:
        raise ConfigError(
            f"blend weights must be non-negative with a positive sum, got {given}. "
            "To fix: correct the weights."
        )
    total = sum(given.values())
    return {k: v / total for k, v in given.items()}


def run_metrics(
    run: Path | RunData,
    weights: Mapping[str, float] | None = None,
    portfolio: PortfolioConfig | None = None,
) -> pd.DataFrame:
    """Compute the long metrics table of a run folder (:func:`rutsim.risk.compute_metrics`).

    Parameters
    ----------
    run : Path or RunData
        A run folder (``outputs/<run-id>``) or a loaded one (:func:`load_run`).
    weights : mapping of str to float, optional
        Blend weights overriding those of the manifest (normalised to sum to one).
    portfolio : PortfolioConfig, optional
        A position: its figures in currency (:func:`rutsim.risk.compute_position_metrics`)
        are added as ``position_*`` rows.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`rutsim.risk.COLUMNS`, then ``quarter`` (the calendar quarter
        a horizon ends in, e.g. ``2026Q3``) and ``unit`` (``decimal``, ``probability`` or
        the position's currency).
    """
    if not isinstance(run, RunData):
        run = load_run(Path(run))
    w = resolve_weights(run, weights)
    table = compute_metrics(run.simulation, w, run.draw_metrics, run.pooled)
    currency = ""
    if portfolio is not None and portfolio.notional is not None:
        currency = portfolio.currency
        position = compute_position_metrics(
            run.simulation, w, run.pooled, portfolio.exposure, portfolio.thresholds()
        )
        table = pd.concat([table, position], ignore_index=True)
    quarters = [str(q) for q in run.simulation["quarter"].values]
    table["quarter"] = [quarters[h - 1] for h in table["horizon"]]
    table["unit"] = [metric_unit(m, currency) for m in table["metric"]]
    return table
