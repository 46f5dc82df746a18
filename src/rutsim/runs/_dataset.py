"""Simulation arrays to the run folder's two datasets, with named dims, coords and units.

The JAX core returns arrays with a documented axis order; this is the one place that
names them: dims :data:`rutsim.types.SIM_DIMS`, coords ``quarter`` (on ``horizon``) and
``chain``/``draw`` (on ``sample``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from rutsim.risk import CONVENTION_ATTRS, METRIC_DESCRIPTIONS
from rutsim.types import SIM_DIMS, SimulationResult

#: (units, long_name) of each ``SimPaths`` field.
VARIABLE_ATTRS: dict[str, tuple[str, str]] = {
    "fedfunds": ("percent", "effective fed funds rate, quarterly average"),
    "slope": ("percentage points", "Treasury curve slope (driver series of [data] slope)"),
    "spread": ("percentage points", "credit spread (driver series of [data] spread)"),
    "unemployment": ("percent", "unemployment rate, quarterly average"),
    "real_yield": ("percentage points", "real 10-year yield (10y minus trailing CPI inflation)"),
    "earnings_growth": (
        "log change per quarter",
        "small-cap growth of smoothed (12-quarter average) earnings (model output)",
    ),
    "log_multiple": (
        "log of price/earnings",
        "small-cap log multiple on smoothed earnings (model output)",
    ),
    "multiple_change": ("log change per quarter", "change of the small-cap log multiple"),
    "carry": ("log return per quarter", "small-cap carry: dividends net of fees"),
    "price_return": ("log return per quarter", "small-cap price return"),
    "total_return": ("log return per quarter", "small-cap total return (price + carry)"),
    "largecap_return": ("log return per quarter", "large-cap (S&P 500) price return"),
}


def chain_draw(sample_index: np.ndarray, draws_per_chain: int | None) -> tuple[np.ndarray, ...]:
    """Split chain-major posterior indices into (chain, draw); one chain if unknown."""
    index = np.asarray(sample_index, dtype=np.int64)
    if not draws_per_chain:
        return np.zeros_like(index), index
    return index // draws_per_chain, index % draws_per_chain


def sample_coords(
    result: SimulationResult, quarters: Sequence[str], draws_per_chain: int | None
) -> dict[str, object]:
    """Coordinates shared by ``simulation.nc`` and ``draw_metrics.nc``."""
    if len(quarters) != result.horizon:
        raise ValueError(f"{len(quarters)} quarter labels for a horizon of {result.horizon}")
    chain, draw = chain_draw(result.sample_index, draws_per_chain)
    return {
        "scenario": ("scenario", np.array(result.scenario_names, dtype=str)),
        "sample": ("sample", np.asarray(result.sample_index, dtype=np.int64)),
        "chain": ("sample", chain),
        "draw": ("sample", draw),
        "horizon": ("horizon", np.arange(1, result.horizon + 1, dtype=np.int64)),
        "quarter": ("horizon", np.array(quarters, dtype=str)),
    }


def simulation_dataset(
    result: SimulationResult,
    *,
    quarters: Sequence[str],
    draws_per_chain: int | None = None,
    attrs: Mapping[str, str | int | float] | None = None,
) -> xr.Dataset:
    """Name the kept paths of a simulation (``simulation.nc``).

    Parameters
    ----------
    result : SimulationResult
        From :func:`rutsim.simulate.run_simulation`; ``paths`` fields shaped
        ``(scenario, sample, path, horizon)``.
    quarters : sequence of str
        Label of each simulated quarter, e.g. ``["2025Q4", "2026Q1", ...]``.
    draws_per_chain : int, optional
        Draws per chain of the posterior, to split ``sample`` into ``chain``/``draw``
        (chain-major stacking); without it every sample is on chain 0.
    attrs : mapping, optional
        Global provenance attrs (``run_id``, ``config_json``, ``config_hash``,
        ``model_id``, ``data_hash``, ``seed``, ``versions_json``, ``as_of`` ...).

    Returns
    -------
    xarray.Dataset
        One variable per ``SimPaths`` field with ``units`` and ``long_name`` attrs.
    """
    coords = sample_coords(result, quarters, draws_per_chain)
    keep = result.paths.total_return.shape[2]
    coords["path"] = ("path", np.arange(keep, dtype=np.int64))
    data_vars = {}
    for name, values in result.paths._asdict().items():
        units, long_name = VARIABLE_ATTRS[name]
        data_vars[name] = (SIM_DIMS, values, {"units": units, "long_name": long_name})
    ds = xr.Dataset(data_vars, coords=coords)
    ds["path"].attrs["long_name"] = (
        f"kept path (the first {keep} of {result.n_paths} simulated per draw)"
    )
    ds["sample"].attrs["long_name"] = "posterior sample index (chain-major chain x draw)"
    ds["horizon"].attrs["long_name"] = "quarters after the last observed quarter"
    ds.attrs.update(
        {
            "paths_per_draw": result.n_paths,
            "dtype": result.dtype,
            "returns": "quarterly log returns; cumulative simple return = expm1(cumsum)",
        }
    )
    ds.attrs.update(dict(attrs or {}))
    return ds


def draw_metrics_dataset(
    metrics: Mapping[str, ArrayLike],
    *,
    coords: Mapping[str, object],
    attrs: Mapping[str, str | int | float] | None = None,
) -> xr.Dataset:
    """Wrap the output of :func:`rutsim.risk.draw_metrics` as ``draw_metrics.nc`` content.

    Parameters
    ----------
    metrics : mapping of str to array, each shape ``(scenario, sample, horizon)``
        The per-draw metrics (concatenated over chunks along ``sample``).
    coords : mapping
        Coordinates for the dims ``scenario``, ``sample``, ``horizon`` (and optionally
        non-dim coords such as ``chain``/``draw`` along ``sample``, ``quarter`` along
        ``horizon``, given as ``(dim, values)`` tuples), e.g. :func:`sample_coords`.
    attrs : mapping, optional
        Extra global attrs (run id, config hash ...).

    Returns
    -------
    xarray.Dataset
        Float64 variables with dims ``(scenario, sample, horizon)`` and the conventions
        of :data:`rutsim.risk.CONVENTION_ATTRS` in the attrs.
    """
    data_vars = {
        name: (
            ("scenario", "sample", "horizon"),
            np.asarray(arr, dtype=np.float64),
            {"long_name": METRIC_DESCRIPTIONS.get(name, name.replace("_", " "))},
        )
        for name, arr in metrics.items()
    }
    ds = xr.Dataset(data_vars, coords=dict(coords))
    return ds.assign_attrs({**CONVENTION_ATTRS, **dict(attrs or {})})
