"""Simulation arrays to the run folder's two datasets, with named dims, coords and units.

The JAX core returns arrays with a documented axis order; this is the one place that
names them: dims :data:`rutsim.types.SIM_DIMS`, coords ``quarter`` (on ``horizon``) and
``chain``/``draw`` (on ``sample``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from rutsim.risk import (
    BLEND,
    BLEND_WEIGHTS_ATTR,
    CONVENTION_ATTRS,
    DRAWDOWN_BIN_WIDTH,
    DRAWDOWN_SUMS,
    METRIC_DESCRIPTIONS,
    RETURN_BIN_WIDTH,
    RETURN_RANGE,
    RETURN_SUMS,
    drawdown_bin_centres,
    mix_bins,
    return_bin_centres,
)
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


#: Variables of ``SimPaths`` that are sums of others: not stored in ``simulation.nc``
#: (they would be a fifth of it), added back by :func:`add_derived` when a run is read.
DERIVED_VARS: dict[str, str] = {
    "price_return": "earnings_growth + multiple_change",
    "total_return": "earnings_growth + multiple_change + carry",
}


def add_derived(ds: xr.Dataset) -> xr.Dataset:
    """Add the derived return variables (:data:`DERIVED_VARS`) to a read ``simulation.nc``.

    Computed in the stored precision in the kernel's order, so they equal the simulated
    values bit for bit.
    """
    if "price_return" not in ds and {"earnings_growth", "multiple_change"} <= set(ds.data_vars):
        ds["price_return"] = ds["earnings_growth"] + ds["multiple_change"]
        ds["price_return"].attrs.update(
            units=VARIABLE_ATTRS["price_return"][0], long_name=VARIABLE_ATTRS["price_return"][1]
        )
    if "total_return" not in ds and {"price_return", "carry"} <= set(ds.data_vars):
        ds["total_return"] = ds["price_return"] + ds["carry"]
        ds["total_return"].attrs.update(
            units=VARIABLE_ATTRS["total_return"][0], long_name=VARIABLE_ATTRS["total_return"][1]
        )
    return ds


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
    if result.paths is None:
        raise ValueError("the kept paths were streamed to simulation.zarr, not held here")
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


def pooled_dataset(
    sums: Mapping[str, ArrayLike],
    *,
    scenarios: Sequence[str],
    horizon: int,
    attrs: Mapping[str, str | int | float] | None = None,
    weights: Sequence[float] | None = None,
) -> xr.Dataset:
    """Wrap the binned sums over every path (:func:`rutsim.risk.bin_paths`) as ``pooled.nc``.

    With ``weights``, a last ``blend`` entry holds the scenarios' bins mixed with them
    (each path weighted ``w_s / n_paths_s``: its ``count`` are probabilities summing to
    one per horizon, not path counts), and the weights are in the attribute
    :data:`rutsim.risk.BLEND_WEIGHTS_ATTR`.

    Parameters
    ----------
    sums : mapping of str to array
        :data:`rutsim.risk.RETURN_SUMS` shaped ``(scenario, horizon, bin)`` and
        :data:`rutsim.risk.DRAWDOWN_SUMS` shaped ``(scenario, horizon, drawdown_bin)``.
    scenarios : sequence of str
    horizon : int
    attrs : mapping, optional
        Provenance attrs.
    weights : sequence of float, optional
        Blend weight of each scenario.
    """
    names = list(scenarios)
    extra: dict[str, str] = {}
    if weights is not None:
        binned = {k: np.asarray(sums[k], dtype=np.float64) for k in RETURN_SUMS + DRAWDOWN_SUMS}
        mixed = mix_bins(binned, np.asarray(weights, dtype=np.float64))
        sums = {k: np.concatenate([binned[k], mixed[k]]) for k in binned}
        names.append(BLEND)
        extra = {
            BLEND_WEIGHTS_ATTR: json.dumps([float(w) for w in weights]),
            "blend": "last scenario entry: the scenarios' bins mixed with the blend weights "
            "(its count holds probabilities summing to one, not path counts)",
        }
    data_vars = {
        k: (("scenario", "horizon", "bin"), np.asarray(sums[k], dtype=np.float64))
        for k in RETURN_SUMS
    }
    data_vars.update(
        {
            k: (("scenario", "horizon", "drawdown_bin"), np.asarray(sums[k], dtype=np.float64))
            for k in DRAWDOWN_SUMS
        }
    )
    coords = {
        "scenario": np.array(names, dtype=str),
        "horizon": np.arange(1, horizon + 1, dtype=np.int64),
        "bin": ("bin", return_bin_centres(), {"long_name": "bin centre, cumulative log return"}),
        "drawdown_bin": ("drawdown_bin", drawdown_bin_centres(), {"long_name": "bin centre"}),
    }
    ds = xr.Dataset(data_vars, coords=coords)
    return ds.assign_attrs(
        {
            "description": (
                "sums over every simulated path, binned by cumulative log return (and by "
                "maximum drawdown): counts, sums of the simple return, its square and the "
                "cumulative log parts; the pooled metrics of metrics.parquet are computed "
                "from them"
            ),
            "return_bin_width": RETURN_BIN_WIDTH,
            "return_range": list(RETURN_RANGE),
            "drawdown_bin_width": DRAWDOWN_BIN_WIDTH,
            **extra,
            **dict(attrs or {}),
        }
    )
