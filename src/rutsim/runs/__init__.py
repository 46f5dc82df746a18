"""The run folder (``outputs/<run-id>/``) and the validation folders: one owner of the format.

A run folder is built by :func:`simulation_dataset` and :func:`draw_metrics_dataset`,
written by :func:`write_run` with a typed :class:`RunManifest`, and read back only through
:func:`load_run`, which verifies every file. Backtest and study folders are written by
:func:`write_folder`. Tests build run folders with this same writer.
"""

from rutsim.runs._budget import check_budget, estimate_budget
from rutsim.runs._dataset import (
    add_derived,
    draw_metrics_dataset,
    pooled_dataset,
    sample_coords,
    simulation_dataset,
)
from rutsim.runs._folders import ValidationFolder, folder_id, reserve_folder, write_folder
from rutsim.runs._manifest import (
    DRAW_METRICS_FILE,
    SIMULATION_ZARR,
    RunManifest,
    RunSizes,
    ScenarioEntry,
    check_folder_name,
    make_run_id,
    utc_stamp,
)
from rutsim.runs._rates import CACHE_ENV, FIRST_CHUNK, SIMULATE_RATE, cache_dir, remember
from rutsim.runs._read import RunData, load_run, resolve_weights, run_metrics, written_run
from rutsim.runs._saved import output_config, portfolio_config
from rutsim.runs._write import manifest_json, record_report_files, write_run
from rutsim.runs._zarr import ZarrPathWriter, check_zarr_available, open_simulation_zarr

__all__ = [
    "CACHE_ENV",
    "FIRST_CHUNK",
    "SIMULATE_RATE",
    "cache_dir",
    "remember",
    "DRAW_METRICS_FILE",
    "SIMULATION_ZARR",
    "ZarrPathWriter",
    "RunData",
    "output_config",
    "portfolio_config",
    "RunManifest",
    "RunSizes",
    "ScenarioEntry",
    "ValidationFolder",
    "add_derived",
    "check_zarr_available",
    "check_budget",
    "check_folder_name",
    "draw_metrics_dataset",
    "pooled_dataset",
    "estimate_budget",
    "folder_id",
    "load_run",
    "written_run",
    "make_run_id",
    "open_simulation_zarr",
    "manifest_json",
    "reserve_folder",
    "resolve_weights",
    "run_metrics",
    "sample_coords",
    "simulation_dataset",
    "utc_stamp",
    "write_folder",
    "record_report_files",
    "write_run",
]
