"""Named-dims shell over the array core: the same measures on xarray objects.

Each function stacks the reduced dims into one sample axis, calls the numpy core through
``xarray.apply_ufunc`` and keeps every other dim and coord. Conventions are those of
:mod:`rutsim.risk._array`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike

from rutsim.risk._array import (
    conditional_value_at_risk,
    cumulative_simple_return,
    quantile,
    value_at_risk,
)
from rutsim.risk._reducer import METRIC_DESCRIPTIONS

_SAMPLE = "__sample__"

#: Attributes written on every per-draw metrics dataset (readable without rutsim).
CONVENTION_ATTRS: dict[str, str] = {
    "returns": "simple cumulative return R = exp(sum of quarterly log returns) - 1, decimal",
    "losses": "L = -R, positive numbers are losses",
    "level": "confidence level of VaR/CVaR (0.95, 0.99); the tail has probability 1 - level",
    "quantile_definition": "empirical inverted CDF (Hyndman-Fan type 1), no interpolation",
    "var": "level-quantile of L",
    "cvar": "mean of L over the worst 1 - level tail, boundary atom weighted fractionally",
    "attribution": "log terms; parts add up to the (tail) mean cumulative log total return",
}


def _stack(da: xr.DataArray, dims: Sequence[Hashable]) -> xr.DataArray:
    missing = [d for d in dims if d not in da.dims]
    if missing:
        raise ValueError(f"dims {missing} not in the DataArray (it has {list(da.dims)})")
    return da.stack({_SAMPLE: list(dims)}) if len(dims) > 1 else da.rename({dims[0]: _SAMPLE})


def cumulative_return(log_returns: xr.DataArray, dim: Hashable = "horizon") -> xr.DataArray:
    """Return the simple cumulative return over ``dim`` from quarterly log returns."""
    out = xr.apply_ufunc(
        cumulative_simple_return,
        log_returns,
        input_core_dims=[[dim]],
        output_core_dims=[[dim]],
        kwargs={"axis": -1},
    )
    return out.transpose(*log_returns.dims).assign_attrs(
        units="1", long_name="cumulative simple return"
    )


def quantile_da(
    da: xr.DataArray, q: Sequence[float], dims: Sequence[Hashable] = ("sample", "path")
) -> xr.DataArray:
    """Exact empirical quantiles over ``dims``; adds a ``quantile`` dim."""
    stacked = _stack(da, dims)
    return xr.apply_ufunc(
        quantile,
        stacked,
        input_core_dims=[[_SAMPLE]],
        output_core_dims=[["quantile"]],
        kwargs={"q": list(q), "axis": -1},
    ).assign_coords(quantile=list(q))


def _risk_da(
    func: object,
    losses: xr.DataArray,
    level: float,
    dims: Sequence[Hashable],
    weights: xr.DataArray | None,
) -> xr.DataArray:
    stacked = _stack(losses, dims)
    if weights is None:
        return xr.apply_ufunc(
            func, stacked, input_core_dims=[[_SAMPLE]], kwargs={"level": level, "axis": -1}
        )
    w = _stack(weights.broadcast_like(losses), dims)

    def _with_weights(x: ArrayLike, wt: ArrayLike) -> np.ndarray:
        return func(x, level, weights=wt, axis=-1)  # type: ignore[operator]

    return xr.apply_ufunc(_with_weights, stacked, w, input_core_dims=[[_SAMPLE], [_SAMPLE]])


def var_da(
    losses: xr.DataArray,
    level: float,
    dims: Sequence[Hashable] = ("sample", "path"),
    weights: xr.DataArray | None = None,
) -> xr.DataArray:
    """VaR at ``level`` over ``dims`` of positive ``losses``."""
    return _risk_da(value_at_risk, losses, level, dims, weights)


def cvar_da(
    losses: xr.DataArray,
    level: float,
    dims: Sequence[Hashable] = ("sample", "path"),
    weights: xr.DataArray | None = None,
) -> xr.DataArray:
    """Exact CVaR (expected shortfall) at ``level`` over ``dims`` of positive ``losses``."""
    return _risk_da(conditional_value_at_risk, losses, level, dims, weights)


def draw_metrics_dataset(
    metrics: Mapping[str, ArrayLike],
    *,
    coords: Mapping[str, ArrayLike],
    attrs: Mapping[str, str] | None = None,
) -> xr.Dataset:
    """Wrap the output of :func:`rutsim.risk.draw_metrics` as ``draw_metrics.nc`` content.

    Parameters
    ----------
    metrics : mapping of str to array, each shape ``(scenario, sample, horizon)``
        The per-draw metrics (concatenated over chunks along ``sample``).
    coords : mapping
        Coordinates for the dims ``scenario``, ``sample``, ``horizon`` (and optionally
        non-dim coords such as ``chain``/``draw`` along ``sample``, ``quarter`` along
        ``horizon``, given as ``(dim, values)`` tuples).
    attrs : mapping, optional
        Extra global attrs (run id, config hash ...).

    Returns
    -------
    xarray.Dataset
        Float64 variables with dims ``(scenario, sample, horizon)`` and the convention in
        the attrs.
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
