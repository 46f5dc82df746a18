"""Position-level risk: VaR, CVaR, loss probabilities and drawdowns in currency.

A static position with signed small-cap exposure ``E = sign * notional * beta`` makes
``P&L = E * R`` over a horizon, ``R`` the cumulative simple total return of the Russell
2000, so its loss is ``L = -E * R``. Every figure below is a metric of ``L`` under the
conventions of :mod:`rutsim.risk._array` (inverted-CDF quantiles, exact discrete CVaR),
computed on the same predictive distribution as the percentage table:

* VaR, CVaR, expected P&L and ``P(L > x)`` from the return atoms of every simulated
  path (``pooled.nc``: one atom per 0.1% return bin, so a quantile is within one bin),
  or from the kept paths for a run without that file. For a long position with
  ``beta = 1`` the VaR is exactly ``notional * var_95``; a short position's loss lives
  in the upper tail of ``R``, so its CVaR is the mean of the best outcomes of the index.
* The maximum drawdown is the largest peak-to-trough fall of the position's value
  ``notional + E * R_t`` up to the horizon (the position opened at the peak counts), in
  currency. It needs each path's quarter-by-quarter history, which only the kept paths
  of ``simulation.nc`` have, so it is computed over those (``n`` given in the table).

Monte Carlo standard errors follow :mod:`rutsim.risk._noise` (quantile: sparsity with the
Hall-Sheather bandwidth; CVaR: the spread of the excess loss; means and probabilities:
``sd / sqrt(n)``) with ``n`` the paths behind the figure (Kish effective size for the
blend). Paths of one posterior draw share its parameters, so these are upper bounds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
import xarray as xr
from numpy.typing import NDArray

from rutsim.risk._array import (
    conditional_value_at_risk,
    probability_below,
    quantile,
    value_at_risk,
    weighted_mean,
    weighted_sd,
)
from rutsim.risk._metrics import BLEND, COLUMNS
from rutsim.risk._names import LEVELS, pct
from rutsim.risk._noise import FEW_TAIL_PATHS, MIN_TAIL_PATHS, cvar_se, quantile_se
from rutsim.risk._pooled import atoms, mix_bins, return_bin_centres

FloatArray = NDArray[np.float64]

#: Drawdown quantiles of the position (from the kept paths).
POSITION_DRAWDOWN_QUANTILES: tuple[float, ...] = (0.50, 0.95)


class Atoms(NamedTuple):
    """A weighted sample per entity (scenarios, then the blend) and horizon.

    Attributes
    ----------
    values, weights : ndarray, shape ``(entity, horizon, n)``
    n_eff : ndarray, shape ``(entity,)``
        Paths behind each entity's sample (Kish effective size for the blend).
    """

    values: FloatArray
    weights: FloatArray
    n_eff: FloatArray


def loss_metric(amount: float) -> str:
    """Metric name of the probability of a position loss above ``amount`` (currency)."""
    return f"position_prob_loss_gt_{amount:.0f}"


def pooled_atoms(binned: Mapping[str, FloatArray], weights: FloatArray) -> Atoms:
    """Simple-return atoms of every simulated path from ``pooled.nc``'s bins, and the blend.

    Parameters
    ----------
    binned : mapping
        ``count`` and ``sum_return``, each ``(scenario, horizon, bin)``.
    weights : ndarray, shape ``(scenario,)``
        Blend weights.
    """
    mixed = mix_bins({k: binned[k] for k in ("count", "sum_return")}, weights)
    count = np.concatenate([binned["count"], mixed["count"]])
    sums = np.concatenate([binned["sum_return"], mixed["sum_return"]])
    values = atoms(count, sums, np.expm1(return_bin_centres()))
    n_total = binned["count"][:, 0].sum(axis=-1)
    return Atoms(values, count, np.append(n_total, 1.0 / np.sum(weights**2 / n_total)))


def _mixture(per_path: FloatArray, weights: FloatArray) -> Atoms:
    """Entities from per-path values ``(scenario, path, horizon)``: each, then the blend."""
    n_s, n_p, n_h = per_path.shape
    own = np.moveaxis(per_path, 1, 2)  # (scenario, horizon, path)
    blend = np.moveaxis(per_path.reshape(n_s * n_p, n_h), 0, 1)[None]
    w_blend = np.broadcast_to(np.repeat(weights / n_p, n_p), blend.shape)
    # Scenarios and the blend hold different numbers of paths, so pad the scenarios with
    # weightless copies of their first path to one width.
    pad = n_s * n_p - n_p
    own_padded = np.concatenate([own, np.repeat(own[..., :1], pad, axis=-1)], axis=-1)
    own_w = np.concatenate([np.ones_like(own), np.zeros((n_s, n_h, pad))], axis=-1)
    n_eff = np.append(np.full(n_s, float(n_p)), 1.0 / np.sum(weights**2 / n_p))
    return Atoms(np.concatenate([own_padded, blend]), np.concatenate([own_w, w_blend]), n_eff)


def path_atoms(total_log: FloatArray, weights: FloatArray) -> Atoms:
    """Simple-return sample of the kept paths ``(scenario, path, horizon)`` of log returns."""
    return _mixture(np.expm1(np.cumsum(total_log, axis=-1)), weights)


def drawdown_atoms(total_log: FloatArray, weights: FloatArray, sign: float) -> Atoms:
    """Per-path maximum fall of ``sign * R_t`` from its running peak (0 included) to each horizon.

    In units of the exposure: the position's drawdown in currency is ``|E|`` times it.
    """
    signed = sign * np.expm1(np.cumsum(total_log, axis=-1))
    peak = np.maximum(np.maximum.accumulate(signed, axis=-1), 0.0)
    fall = np.maximum.accumulate(peak - signed, axis=-1)
    return _mixture(fall, weights)


def position_metrics(
    returns: Atoms, drawdowns: Atoms, exposure: float, thresholds: Sequence[float]
) -> dict[str, tuple[FloatArray, FloatArray]]:
    """Position figures in currency: ``name -> (value, mc_se)``, each ``(entity, horizon)``.

    Parameters
    ----------
    returns : Atoms
        Cumulative simple returns of the index (:func:`pooled_atoms` or :func:`path_atoms`).
    drawdowns : Atoms
        :func:`drawdown_atoms` with the exposure's sign.
    exposure : float
        ``sign * notional * beta`` (non-zero).
    thresholds : sequence of float
        Losses in currency whose exceedance probability is reported.
    """
    if exposure == 0:
        raise ValueError("a position needs a non-zero exposure (notional * beta)")
    x, w = returns.values, returns.weights
    n = np.broadcast_to(returns.n_eff[:, None], x.shape[:-1])
    loss = -exposure * x
    out: dict[str, tuple[FloatArray, FloatArray]] = {
        "position_pnl_mean": (
            exposure * weighted_mean(x, weights=w),
            abs(exposure) * weighted_sd(x, weights=w) / np.sqrt(n),
        )
    }
    for lv in LEVELS:
        var = value_at_risk(loss, lv, weights=w)
        out[f"position_var_{pct(lv)}"] = (var, quantile_se(loss, w, lv, n))
        out[f"position_cvar_{pct(lv)}"] = (
            conditional_value_at_risk(loss, lv, weights=w),
            cvar_se(loss, w, var, lv, n),
        )
    for amount in thresholds:
        p = probability_below(-loss, -amount, weights=w)
        out[loss_metric(amount)] = (p, np.sqrt(p * (1 - p) / n))
    d, dw = drawdowns.values, drawdowns.weights
    n_d = np.broadcast_to(drawdowns.n_eff[:, None], d.shape[:-1])
    for q in POSITION_DRAWDOWN_QUANTILES:
        out[f"position_max_drawdown_q{pct(q)}"] = (
            abs(exposure) * quantile(d, q, weights=dw),
            abs(exposure) * quantile_se(d, dw, q, n_d),
        )
    return out


def _tail_mass(name: str) -> float | None:
    for lv in LEVELS:
        if name in (f"position_var_{pct(lv)}", f"position_cvar_{pct(lv)}"):
            return 1 - lv
    for q in POSITION_DRAWDOWN_QUANTILES:
        if name == f"position_max_drawdown_q{pct(q)}":
            return min(q, 1 - q)
    return None


def position_table(
    metrics: Mapping[str, tuple[FloatArray, FloatArray]],
    entities: Sequence[str],
    n_paths: Mapping[str, float],
) -> pd.DataFrame:
    """Long rows of :func:`position_metrics` (statistic ``pooled``), like the metrics table.

    Parameters
    ----------
    metrics : mapping
        :func:`position_metrics`.
    entities : sequence of str
        Scenario names, then the blend, in the order of the metrics' entity axis.
    n_paths : mapping of str to float
        ``"returns"`` and ``"drawdowns"``: the fewest paths behind an entity's figures,
        for the ``few_tail_paths`` flag (a tail of under ten paths).
    """
    rows = []
    for name, (value, se) in metrics.items():
        mass = _tail_mass(name)
        n = n_paths["drawdowns" if "drawdown" in name else "returns"]
        flag = FEW_TAIL_PATHS if mass is not None and n * mass < MIN_TAIL_PATHS else "ok"
        for e, entity in enumerate(entities):
            for h in range(value.shape[1]):
                rows.append((entity, h + 1, name, "pooled", value[e, h], se[e, h], flag))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def compute_position_metrics(
    simulation: xr.Dataset,
    weights: Mapping[str, float],
    pooled: xr.Dataset | None,
    exposure: float,
    thresholds: Sequence[float],
) -> pd.DataFrame:
    """Position figures of a simulation as long rows (see the module docstring).

    Parameters
    ----------
    simulation : xarray.Dataset
        Kept paths with ``total_return`` (quarterly log returns), dims
        ``(scenario, sample, path, horizon)``.
    weights : mapping of str to float
        Blend weight of every scenario.
    pooled : xarray.Dataset, optional
        ``pooled.nc``; without it VaR and CVaR use the kept paths.
    exposure : float
        ``sign * notional * beta``.
    thresholds : sequence of float
        Losses in currency whose probability is reported.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`COLUMNS`, statistic ``pooled``, horizons 1..H.
    """
    scen = [str(s) for s in simulation["scenario"].values]
    wv = np.array([float(weights[s]) for s in scen])
    total = simulation["total_return"].transpose("scenario", "sample", "path", "horizon")
    n_s, n_d, n_p, n_h = total.shape
    kept = np.asarray(total.values, dtype=np.float64).reshape(n_s, n_d * n_p, n_h)
    if pooled is not None:
        binned = {k: pooled[k].sel(scenario=scen).values for k in ("count", "sum_return")}
        returns = pooled_atoms(binned, wv)
    else:
        returns = path_atoms(kept, wv)
    drawdowns = drawdown_atoms(kept, wv, float(np.sign(exposure)))
    metrics = position_metrics(returns, drawdowns, exposure, thresholds)
    n_paths = {"returns": float(returns.n_eff.min()), "drawdowns": float(drawdowns.n_eff.min())}
    return position_table(metrics, [*scen, BLEND], n_paths)


def metric_unit(name: str, currency: str) -> str:
    """Return a metric's unit: ``probability``, ``decimal`` (returns, losses) or currency."""
    if name.startswith(("prob_", "position_prob_")):
        return "probability"
    return currency if name.startswith("position_") else "decimal"
