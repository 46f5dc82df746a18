"""The long metrics table: predictive values and posterior summaries, per scenario and blended.

For every scenario (and the blend), horizon (each quarter) and metric the table holds:

* ``pooled``: the metric of the predictive distribution, i.e. of all paths of all
  posterior draws pooled: every simulated path, from the binned sums of ``pooled.nc``
  (:mod:`rutsim.risk._pooled`; quantiles within one bin of 0.1%), or the paths saved in
  ``simulation.nc`` for a run without that file. Parameter and shock uncertainty together.
* ``draw_mean``, ``draw_median``, ``draw_q05``, ``draw_q95``: the metric computed per
  posterior draw over that draw's paths (``draw_metrics.nc``, over all simulated paths),
  then summarised across draws, with the Monte Carlo noise of the per-draw values taken
  out (:mod:`rutsim.risk._noise`): a 90% credible interval for the metric itself, i.e.
  the parameter uncertainty about it. ``draw_q05_raw``/``draw_q95_raw`` are the band
  before the correction and ``mc_noise_share`` the share of its variance that is noise.
* ``mc_se`` (a column): the Monte Carlo standard error of the ``pooled`` value and of
  ``draw_mean``; ``flag`` is ``ok``, or ``few_tail_paths`` where a metric's per-draw
  value rests on fewer than ten paths (its ``draw_*`` statistics describe little but noise).

The blend is the probability-weighted mixture of the scenarios. Its quantile, VaR and
CVaR are those of the mixture distribution (every path carries the weight
``w_scenario / n_paths_of_that_scenario``), not weighted averages of per-scenario values.
Per draw, the blend mixes the scenarios' paths of that same posterior draw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from rutsim.risk._array import quantile
from rutsim.risk._names import MC_VAR_SUFFIX, metric_names
from rutsim.risk._noise import FEW_TAIL_PATHS, BandNoise, few_tail_paths, pooled_mc_se
from rutsim.risk._pooled import (
    DRAW_AVERAGED,
    DRAWDOWN_SUMS,
    RETURN_SUMS,
    atoms,
    drawdown_bin_centres,
    mix_bins,
    pooled_metrics,
    return_bin_centres,
)
from rutsim.risk._reducer import ReturnArrays, path_metrics

#: Name of the probability-weighted mixture of all scenarios in every output.
BLEND = "blend"
#: Statistics of the long table, in order.
STATISTICS: tuple[str, ...] = (
    "pooled",
    "draw_mean",
    "draw_median",
    "draw_q05",
    "draw_q95",
    "draw_q05_raw",
    "draw_q95_raw",
    "mc_noise_share",
)
#: The return variables of ``simulation.nc`` the metrics use, in :class:`ReturnArrays` order.
RETURN_VARS: tuple[str, ...] = ("earnings_growth", "multiple_change", "carry", "largecap_return")
#: Columns of the long table.
COLUMNS: tuple[str, ...] = ("scenario", "horizon", "metric", "statistic", "value", "mc_se", "flag")


def _returns(simulation: xr.Dataset) -> ReturnArrays:
    """Return fields as float64 arrays ``(scenario, sample, path, horizon)``."""
    dims = ("scenario", "sample", "path", "horizon")
    return ReturnArrays(
        *(simulation[v].transpose(*dims).values.astype(np.float64) for v in RETURN_VARS)
    )


def summarise_draws(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Posterior summaries across the draw axis (first) of ``values``.

    Parameters
    ----------
    values : ndarray, shape ``(sample, ...)``

    Returns
    -------
    ndarray, shape ``(4, ...)``
        Mean, median, 5% and 95% quantile (the same inverted-CDF definition as every
        other quantile); NaN where any draw is NaN.
    """
    moved = np.moveaxis(values, 0, -1)
    nan = np.isnan(moved).any(axis=-1)
    filled = np.where(np.isnan(moved), 0.0, moved)
    qs = quantile(filled, (0.5, 0.05, 0.95), axis=-1)
    out = np.stack([filled.mean(axis=-1), qs[..., 0], qs[..., 1], qs[..., 2]])
    return np.where(nan[None], np.nan, out)


def _mixture_inputs(
    ret: ReturnArrays, weights: NDArray[np.float64]
) -> tuple[ReturnArrays, NDArray[np.float64], ReturnArrays, NDArray[np.float64]]:
    """Arrange all scenarios' paths as one mixture, per draw and pooled."""
    n_s, n_d, n_p, n_h = ret.carry.shape
    # Per draw: (sample, scenario * path, horizon); each path weight w_s / n_p.
    per_draw = ReturnArrays(*(np.swapaxes(a, 0, 1).reshape(n_d, n_s * n_p, n_h) for a in ret))
    w_draw = np.repeat(weights / n_p, n_p)
    pooled = ReturnArrays(*(a.reshape(n_s * n_d * n_p, n_h) for a in ret))
    w_pooled = np.repeat(weights / (n_d * n_p), n_d * n_p)
    return per_draw, w_draw, pooled, w_pooled


def compute_metrics(
    simulation: xr.Dataset,
    weights: Mapping[str, float],
    draw_metrics: xr.Dataset | None = None,
    pooled: xr.Dataset | None = None,
) -> pd.DataFrame:
    """Compute the long metrics table of a simulation.

    For a run folder use :func:`rutsim.runs.run_metrics`, which reads the blend weights
    from its manifest.

    Parameters
    ----------
    simulation : xarray.Dataset
        Kept paths with dims ``(scenario, sample, path, horizon)`` and the variables of
        :data:`RETURN_VARS` (``simulation.nc``).
    weights : mapping of str to float
        Blend weight of every scenario, summing to one.
    draw_metrics : xarray.Dataset, optional
        Per-draw metrics over all simulated paths (``draw_metrics.nc``); without them the
        per-draw statistics are computed from the kept paths. When it holds a ``blend``
        entry made with the same weights, the blend's per-draw values come from it too.
    pooled : xarray.Dataset, optional
        Binned sums over every simulated path (``pooled.nc``, :func:`bin_paths`); needs
        ``draw_metrics``. Without it the pooled statistics use the kept paths.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario, horizon, metric, statistic, value``: one row per scenario
        (then ``"blend"``), horizon 1..H (quarters), metric (:func:`metric_names`) and
        statistic (:data:`STATISTICS`).
    """
    scen = [str(s) for s in simulation["scenario"].values]
    missing = sorted(set(scen) - set(weights))
    if missing:
        raise ValueError(f"no blend weight for scenarios {missing}")
    if pooled is not None and draw_metrics is None:
        raise ValueError("pooled sums need the per-draw metrics (draw_metrics.nc) as well")
    names = metric_names()
    ret = _returns(simulation)
    wv = np.array([float(weights[s]) for s in scen])
    n_s, n_d, n_p, n_h = ret.carry.shape
    # Per entity: pooled (metric, horizon) and per-draw (metric, sample, horizon).
    pooled_v = np.empty((n_s + 1, len(names), n_h))
    pooled_se = np.full((n_s + 1, len(names), n_h), np.nan)
    draws = np.empty((n_s + 1, len(names), n_d, n_h))
    noise = _saved_noise(draw_metrics, scen, wv, names)
    per_draw, w_draw, flat_all, w_all = _mixture_inputs(ret, wv)
    if draw_metrics is None:
        for i in range(n_s):
            dm = path_metrics(ReturnArrays(*(a[i] for a in ret)))
            draws[i] = np.stack([dm[m] for m in names])
    else:
        saved = draw_metrics.transpose("scenario", "sample", "horizon")
        draws[:n_s] = np.stack([saved[m].sel(scenario=scen).values for m in names], axis=1)
    blend_saved = _saved_blend(draw_metrics, wv)
    if blend_saved is not None:
        draws[n_s] = np.stack([blend_saved[m].values for m in names])
    else:
        dm = path_metrics(per_draw, weights=w_draw)
        draws[n_s] = np.stack([dm[m] for m in names])
    bands = BandNoise(np.moveaxis(draws, 2, 0), None if noise is None else np.moveaxis(noise, 2, 0))
    if pooled is not None:
        binned = {k: pooled[k].sel(scenario=scen).values for k in RETURN_SUMS + DRAWDOWN_SUMS}
        averages = {k: draws[:n_s, names.index(k)].mean(axis=1) for k in DRAW_AVERAGED}
        pm = pooled_metrics(binned, averages)
        pooled_v[:n_s] = np.stack([pm[m] for m in names], axis=1)
        blend_avg = {k: np.einsum("s,sh->h", wv, v)[None] for k, v in averages.items()}
        mixed = mix_bins(binned, wv)
        pm = pooled_metrics(mixed, blend_avg)
        pooled_v[n_s] = np.stack([pm[m][0] for m in names])
        n_paths = binned["count"][:, 0].sum(axis=-1) / n_d
        if noise is not None:
            pooled_se = _pooled_se(names, binned, mixed, n_paths * n_d, wv, pooled_v, bands)
    else:
        n_paths = np.full(n_s, float(n_p))
        for i in range(n_s):
            pm = path_metrics(ReturnArrays(*(a[i].reshape(n_d * n_p, n_h) for a in ret)))
            pooled_v[i] = np.stack([pm[m] for m in names])
        pm = path_metrics(flat_all, weights=w_all)
        pooled_v[n_s] = np.stack([pm[m] for m in names])
    # Per-draw estimates resting on a handful of tail paths are flagged.
    few = np.array([few_tail_paths(m, int(round(n_paths.min()))) for m in names])
    summaries = np.moveaxis(summarise_draws(np.moveaxis(draws, 2, 0)), 0, 2)  # (E, M, 4, H)
    corrected = np.stack([bands.corrected(summaries[:, :, i]) for i in (1, 2, 3)], axis=2)
    stats = np.concatenate(
        [
            pooled_v[:, :, None],
            summaries[:, :, :1],
            corrected,
            summaries[:, :, 2:4],
            bands.share[:, :, None],
        ],
        axis=2,
    )  # (entity, metric, statistic, horizon) in STATISTICS order
    se = np.full(stats.shape, np.nan)
    se[:, :, 0] = pooled_se
    se[:, :, 1] = bands.mean_se
    flags = np.where(few, FEW_TAIL_PATHS, "ok")[None, :, None, None]
    entities = [*scen, BLEND]
    idx = pd.MultiIndex.from_product(
        [entities, names, STATISTICS, range(1, n_h + 1)],
        names=["scenario", "metric", "statistic", "horizon"],
    )
    table = pd.DataFrame(
        {
            "value": stats.reshape(-1),
            "mc_se": se.reshape(-1),
            "flag": np.broadcast_to(flags, stats.shape).reshape(-1),
        },
        index=idx,
    ).reset_index()
    table = table.sort_values(["scenario", "horizon"], kind="stable", key=_entity_key(entities))
    return table.loc[:, list(COLUMNS)].reset_index(drop=True).astype(_DTYPES)


_DTYPES = {"scenario": str, "metric": str, "statistic": str, "horizon": np.int64, "flag": str}


def _saved_noise(
    draw_metrics: xr.Dataset | None,
    scen: list[str],
    weights: NDArray[np.float64],
    names: tuple[str, ...],
) -> NDArray[np.float64] | None:
    """Per-draw Monte Carlo variances ``(entity, metric, sample, horizon)``, when saved."""
    if draw_metrics is None or any(m + MC_VAR_SUFFIX not in draw_metrics for m in names):
        return None
    if _saved_blend(draw_metrics, weights) is None:
        return None
    saved = draw_metrics.transpose("scenario", "sample", "horizon")
    return np.stack(
        [saved[m + MC_VAR_SUFFIX].sel(scenario=[*scen, BLEND]).values for m in names], axis=1
    ).astype(np.float64)


def _pooled_se(
    names: tuple[str, ...],
    binned: dict[str, NDArray[np.float64]],
    mixed: dict[str, NDArray[np.float64]],
    n_total: NDArray[np.float64],
    weights: NDArray[np.float64],
    pooled_v: NDArray[np.float64],
    bands: BandNoise,
) -> NDArray[np.float64]:
    """Monte Carlo standard errors of the pooled values ``(entity, metric, horizon)``."""
    both = {k: np.concatenate([binned[k], mixed[k]], axis=0) for k in binned}
    centres = return_bin_centres()
    ret_atoms = atoms(both["count"], both["sum_return"], np.expm1(centres))
    dd_atoms = atoms(both["drawdown_count"], both["drawdown_sum"], drawdown_bin_centres())
    # Kish effective size of the blend: 1 / sum(w_s^2 / n_s)
    n_eff = np.concatenate([n_total, [1.0 / np.sum(weights**2 / n_total)]])
    se = pooled_mc_se(
        names,
        ret_atoms,
        both["count"],
        dd_atoms,
        both["drawdown_count"],
        n_eff,
        {m: pooled_v[:, i] for i, m in enumerate(names)},
        {m: bands.mean_se[:, i] ** 2 for i, m in enumerate(names)},
    )
    return np.stack([se[m] for m in names], axis=1)


#: Attribute of ``draw_metrics.nc`` naming the weights its ``blend`` entry was made with.
BLEND_WEIGHTS_ATTR = "blend_weights_json"


def _saved_blend(
    draw_metrics: xr.Dataset | None, weights: NDArray[np.float64]
) -> xr.Dataset | None:
    # The saved per-draw blend is used only when it mixes the scenarios with these weights.
    if draw_metrics is None or BLEND not in draw_metrics["scenario"].values:
        return None
    saved = json.loads(str(draw_metrics.attrs.get(BLEND_WEIGHTS_ATTR, "[]")))
    if len(saved) != len(weights) or not np.allclose(saved, weights, rtol=0, atol=1e-12):
        return None
    return draw_metrics.sel(scenario=BLEND).transpose("sample", "horizon")


def _entity_key(entities: list[str]) -> Callable[[pd.Series], pd.Series]:
    # Sort scenarios in run order (then the blend), not alphabetically.
    order = {e: i for i, e in enumerate(entities)}

    def key(col: pd.Series) -> pd.Series:
        return col.map(order) if col.name == "scenario" else col

    return key
