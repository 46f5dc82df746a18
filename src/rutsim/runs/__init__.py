"""The run folder (``outputs/<run-id>/``) and the validation folders: one owner of the format.

A run folder is built by :func:`simulation_dataset` and :func:`draw_metrics_dataset`,
written by :func:`write_run` with a typed :class:`RunManifest`, and read back only through
:func:`load_run`, which verifies every file. Backtest and study folders are written by
:func:`write_folder`. Tests build run folders with this same writer.
"""

from rutsim.runs._budget import RunBudget, check_budget, estimate_budget
from rutsim.runs._dataset import (
    VARIABLE_ATTRS,
    add_derived,
    chain_draw,
    draw_metrics_dataset,
    pooled_dataset,
    sample_coords,
    simulation_dataset,
)
from rutsim.runs._folders import (
    ValidationFolder,
    check_free,
    folder_id,
    reserve_folder,
    write_folder,
)
from rutsim.runs._manifest import (
    CONFIG_FILE,
    DRAW_METRICS_FILE,
    DRIVERS_FILE,
    MANIFEST_FILE,
    POOLED_FILE,
    SIMULATION_FILE,
    SIMULATION_ZARR,
    RunManifest,
    RunSizes,
    ScenarioEntry,
    check_folder_name,
    make_run_id,
    utc_stamp,
)
from rutsim.runs._rates import CACHE_ENV, FIRST_CHUNK, SIMULATE_RATE, cache_dir, remember
from rutsim.runs._read import (
    MACRO_VARS,
    RunData,
    load_run,
    resolve_weights,
    run_metrics,
    validate_simulation,
)
from rutsim.runs._write import config_to_toml, manifest_json, record_report_files, write_run
from rutsim.runs._zarr import ZarrPathWriter, check_zarr_available, open_simulation_zarr

__all__ = [
    "CACHE_ENV",
    "FIRST_CHUNK",
    "SIMULATE_RATE",
    "cache_dir",
    "remember",
    "CONFIG_FILE",
    "DRAW_METRICS_FILE",
    "DRIVERS_FILE",
    "MACRO_VARS",
    "MANIFEST_FILE",
    "POOLED_FILE",
    "SIMULATION_FILE",
    "SIMULATION_ZARR",
    "VARIABLE_ATTRS",
    "ZarrPathWriter",
    "RunBudget",
    "RunData",
    "RunManifest",
    "RunSizes",
    "ScenarioEntry",
    "ValidationFolder",
    "add_derived",
    "chain_draw",
    "check_zarr_available",
    "check_budget",
    "check_folder_name",
    "check_free",
    "config_to_toml",
    "draw_metrics_dataset",
    "pooled_dataset",
    "estimate_budget",
    "folder_id",
    "load_run",
    "make_run_id",
    "open_simulation_zarr",
    "manifest_json",
    "reserve_folder",
    "resolve_weights",
    "run_metrics",
    "sample_coords",
    "simulation_dataset",
    "utc_stamp",
    "validate_simulation",
    "write_folder",
    "record_report_files",
    "write_run",
]
