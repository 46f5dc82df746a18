"""``simulation.zarr``: the kept paths of a large run, written region by region as chunks finish.

The store is created empty first (its coords, attrs and the layout of every variable,
no data) and each chunk of samples then fills its own region of the ``sample`` axis, so
the kept paths are never all in memory. Zarr chunks along ``sample`` match the driver's
chunks, so no write touches another's chunk. Format 2 with consolidated metadata: plain
``xarray.open_zarr`` (or any Zarr reader) opens it without warnings or rutsim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

import numpy as np
import xarray as xr

from rutsim.errors import RunOutputError
from rutsim.runs._dataset import DERIVED_VARS, simulation_dataset
from rutsim.types import SIM_DIMS, SimPaths, SimulationResult

#: What to install to write or read ``simulation.zarr``.
ZARR_EXTRA = 'pip install -e ".[scale]"  (or: pip install "rutsim[scale]")'


def _need(module: str, what: str) -> ModuleType:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise RunOutputError(
            f"{what} needs the '{module}' package, which is not installed. To fix: {ZARR_EXTRA}."
        ) from None


def check_zarr_available(what: str) -> None:
    """Raise one clear error (naming the extra) unless zarr and dask can be imported."""
    _need("zarr", what)
    _need("dask.array", what)


class ZarrPathWriter:
    """A :data:`rutsim.simulate.KeepSink` that streams kept paths into ``simulation.zarr``.

    Parameters
    ----------
    path : Path
        The store to create (inside the run's temporary folder); must not exist.
    scenario_names, sample_index, n_paths, horizon, dtype :
        The simulation's layout (as :class:`rutsim.types.SimulationResult` has it).
    keep : int
        Kept paths per draw.
    chunk : int
        Samples per driver chunk (the Zarr chunk along ``sample``).
    quarters : sequence of str
        Label of each simulated quarter.
    draws_per_chain : int, optional
        Splits ``sample`` into ``chain``/``draw``.
    attrs : mapping
        The run's provenance attrs.
    """

    def __init__(
        self,
        path: Path,
        *,
        scenario_names: Sequence[str],
        sample_index: np.ndarray,
        n_paths: int,
        horizon: int,
        dtype: str,
        keep: int,
        chunk: int,
        quarters: Sequence[str],
        draws_per_chain: int | None,
        attrs: Mapping[str, str | int | float],
    ) -> None:
        da = _need("dask.array", "writing simulation.zarr")
        _need("zarr", "writing simulation.zarr")
        self.path = Path(path)
        shape = (len(scenario_names), len(sample_index), keep, horizon)
        chunks = (len(scenario_names), max(1, chunk), max(1, keep), horizon)
        lazy = SimPaths(*(da.zeros(shape, chunks=chunks, dtype=dtype) for _ in SimPaths._fields))
        layout = SimulationResult(
            scenario_names=tuple(scenario_names),
            sample_index=np.asarray(sample_index),
            paths=lazy,
            metrics={},
            n_paths=n_paths,
            horizon=horizon,
            dtype=dtype,
            chunk_size=chunk,
            timings={},
        )
        template = stored_variables(
            simulation_dataset(
                layout, quarters=quarters, draws_per_chain=draws_per_chain, attrs=attrs
            )
        )
        self.stored = [v for v in SimPaths._fields if v not in DERIVED_VARS]
        # compute=False writes the metadata and coords only; the zeros are never made.
        template.to_zarr(self.path, mode="w-", compute=False, zarr_format=2, consolidated=True)

    def __call__(self, start: int, stop: int, kept: SimPaths) -> None:
        """Write the kept paths of samples ``start:stop`` into their region of the store."""
        region = xr.Dataset({v: (SIM_DIMS, getattr(kept, v)) for v in self.stored})
        region.to_zarr(self.path, region={"sample": slice(start, stop)}, zarr_format=2)


def stored_variables(simulation: xr.Dataset) -> xr.Dataset:
    """Drop the derived sums (the reader adds them back) and note them in the attrs."""
    stored = simulation.drop_vars([v for v in DERIVED_VARS if v in simulation])
    stored.attrs["derived_variables"] = ", ".join(f"{k} = {v}" for k, v in DERIVED_VARS.items())
    return stored


def open_simulation_zarr(path: Path) -> xr.Dataset:
    """Open ``simulation.zarr`` lazily (values are read when used), or one clear error."""
    _need("zarr", f"reading {path}")
    try:
        return xr.open_zarr(path, chunks=None, consolidated=True)
    except Exception as exc:  # any reader failure means the store is unusable
        raise RunOutputError(
            f"{path}: cannot be read as Zarr ({type(exc).__name__}: {exc}). The store is "
            "corrupt or incomplete. To fix: rerun the simulation with `rutsim run CONFIG`."
        ) from None
