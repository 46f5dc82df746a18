"""Every risk metric of a set of simulated paths, and the per-draw reducer.

:func:`path_metrics` reduces the ``sample`` axis of arrays shaped ``(..., sample,
horizon)`` to one value per metric and horizon. The simulation driver calls
:func:`draw_metrics` on each chunk, which reduces the ``path`` axis of ``(scenario,
sample, path, horizon)`` arrays: one value per posterior draw, over that draw's paths.
The same function, with the draws and paths pooled into one sample axis (and scenario
weights for the blend), gives the predictive values in :func:`rutsim.risk.compute_metrics`.

The small-cap total log return is ``earnings_growth + multiple_change + carry`` (the
definition of ``SimPaths.total_return``), recomputed in float64 so that the attribution
parts add up to it exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rutsim.errors import ScenarioError
from rutsim.risk._array import (
    SortedSample,
    max_drawdown,
    probability_below,
    sort_sample,
    sorted_quantile,
    sorted_tail_weights,
    weighted_mean,
    weighted_sd,
)
from rutsim.risk._attribution import Attribution, attribute_mean, split_by_weights
from rutsim.risk._names import (
    COMPONENTS,
    DRAWDOWN_QUANTILES,
    LEVELS,
    LOSS_THRESHOLDS,
    QUANTILES,
)
from rutsim.risk._names import loss_name as _loss_name
from rutsim.risk._names import pct as _pct
from rutsim.types import SimPaths

#: Human-readable description and unit of each metric (for NetCDF attrs and the report).
METRIC_DESCRIPTIONS: dict[str, str] = {
    "return_mean": "mean cumulative simple return (decimal)",
    "return_sd": "standard deviation of the cumulative simple return (decimal)",
    "return_median": "median cumulative simple return (decimal)",
    "prob_beat_largecap": "probability that the small-cap price return beats the large-cap one",
    "max_drawdown_mean": "mean maximum drawdown up to the horizon (positive decimal)",
}


class ReturnPaths(Protocol):
    """Anything with the return fields of ``SimPaths`` as arrays ``(..., path, horizon)``."""

    @property
    def earnings_growth(self) -> ArrayLike:
        """Quarterly log earnings growth."""
        ...

    @property
    def multiple_change(self) -> ArrayLike:
        """Quarterly log multiple change."""
        ...

    @property
    def carry(self) -> ArrayLike:
        """Quarterly log carry."""
        ...

    @property
    def largecap_return(self) -> ArrayLike:
        """Quarterly large-cap log price return (NaN if not simulated)."""
        ...


def path_metrics(
    paths: ReturnPaths, *, weights: ArrayLike | None = None
) -> dict[str, NDArray[np.float64]]:
    """Compute every metric over the ``sample`` axis (second to last) of the paths.

    Parameters
    ----------
    paths : ReturnPaths
        Quarterly log returns, each field shape ``(..., sample, horizon)``.
    weights : array_like, optional
        Sample weights broadcastable to ``(..., sample)`` (scenario mixtures).

    Returns
    -------
    dict of str to ndarray
        One array of shape ``(..., horizon)`` per name of :func:`metric_names`.
    """
    parts = np.stack([np.asarray(getattr(paths, c), dtype=np.float64) for c in COMPONENTS])
    total = parts.sum(axis=0)
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[..., None, :]
    # (..., horizon, sample): the reduced axis last for the array core. One sort of the
    # returns serves the quantiles, VaR, CVaR and the tail attribution.
    cum = np.swapaxes(np.cumsum(parts, axis=-1), -1, -2)
    ret = np.expm1(cum.sum(axis=0))
    out: dict[str, NDArray[np.float64]] = {
        "return_mean": weighted_mean(ret, weights=w),
        "return_sd": weighted_sd(ret, weights=w),
    }
    tail, s_loss, tails = sorted_return_metrics(sort_sample(ret, weights=w))
    out |= tail
    for t in LOSS_THRESHOLDS:
        out[_loss_name(t)] = probability_below(ret, -t, weights=w)
    mdd = np.swapaxes(max_drawdown(total, axis=-1), -1, -2)
    out["max_drawdown_mean"] = weighted_mean(mdd, weights=w)
    out |= drawdown_quantiles(sort_sample(mdd, weights=w))
    sample_w = None if weights is None else np.asarray(weights, dtype=np.float64)
    out |= attribution_metrics(attribute_mean(parts, weights=sample_w), cum, s_loss, tails)
    out["prob_beat_largecap"] = _prob_beat(parts, paths.largecap_return, w)
    return out


def sorted_return_metrics(
    s_ret: SortedSample,
) -> tuple[dict[str, NDArray[np.float64]], SortedSample, dict[float, NDArray[np.float64]]]:
    """Median, quantiles, VaR and CVaR of sorted simple returns (one sort serves all).

    Returns
    -------
    (dict, SortedSample, dict)
        The metrics; the sorted losses; the CVaR tail weights of each level (sorted order).
    """
    qs = sorted_quantile(s_ret, (0.5, *QUANTILES))
    out = {"return_median": qs[..., 0]}
    for i, q in enumerate(QUANTILES):
        out[f"return_q{_pct(q)}"] = qs[..., i + 1]
    s_loss = s_ret.negated()
    tails = {lv: sorted_tail_weights(s_loss, lv) for lv in LEVELS}
    for lv in LEVELS:
        out[f"var_{_pct(lv)}"] = sorted_quantile(s_loss, lv)
    for lv in LEVELS:
        out[f"cvar_{_pct(lv)}"] = np.sum(tails[lv] * s_loss.values, axis=-1)
    return out, s_loss, tails


def drawdown_quantiles(s_mdd: SortedSample) -> dict[str, NDArray[np.float64]]:
    """Return the quantiles of :data:`DRAWDOWN_QUANTILES` of sorted maximum drawdowns."""
    dq = sorted_quantile(s_mdd, DRAWDOWN_QUANTILES)
    return {f"max_drawdown_q{_pct(q)}": dq[..., i] for i, q in enumerate(DRAWDOWN_QUANTILES)}


def attribution_metrics(
    mean: Attribution,
    cum: NDArray[np.float64],
    s_loss: SortedSample,
    tails: Mapping[float, NDArray[np.float64]],
) -> dict[str, NDArray[np.float64]]:
    """Return the ``attr_*`` metrics: the mean split and the split over each CVaR tail.

    ``cum`` holds the cumulative log parts, ``(component, ..., horizon, sample)``, in
    the sample order that ``s_loss`` sorted.
    """
    attributions = [("mean", mean)]
    attributions += [
        (f"cvar{_pct(lv)}", split_by_weights(cum, s_loss.unsort(tails[lv]))) for lv in LEVELS
    ]
    out = {}
    for tag, att in attributions:
        for i, c in enumerate(COMPONENTS):
            out[f"attr_{tag}_{c}"] = att.parts[..., i]
        out[f"attr_{tag}_total"] = att.total
    return out


def _prob_beat(
    parts: NDArray[np.float64], largecap: ArrayLike, w: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    # Like with like: the large caps are simulated as a price return, so the small-cap
    # price return (earnings growth + multiple change, no carry) is compared with it.
    small = np.cumsum(parts[0] + parts[1], axis=-1)
    large = np.cumsum(np.asarray(largecap, dtype=np.float64), axis=-1)
    diff = np.swapaxes(small - large, -1, -2)
    # "Beat" is strict (ties do not beat). Large caps that were not simulated (NaN) give
    # NaN; the risk functions refuse NaN, so those rows are masked before the count.
    missing = np.isnan(diff).any(axis=-1)
    beat = probability_below(-np.where(missing[..., None], 0.0, diff), 0.0, weights=w)
    return np.where(missing, np.nan, beat)


class ReturnArrays(NamedTuple):
    """The return fields of ``SimPaths`` as plain arrays (a :class:`ReturnPaths`)."""

    earnings_growth: NDArray[np.float64]
    multiple_change: NDArray[np.float64]
    carry: NDArray[np.float64]
    largecap_return: NDArray[np.float64]


def _blend_metrics(paths: ReturnPaths, weights: NDArray[np.float64]) -> dict[str, NDArray]:
    # Per draw, all scenarios' paths as one weighted sample: (1, sample, scenario * path, h).
    arrays = [np.asarray(getattr(paths, f)) for f in ReturnArrays._fields]
    n_s, n_d, n_p, n_h = arrays[0].shape
    mixed = ReturnArrays(*(np.swapaxes(a, 0, 1).reshape(1, n_d, n_s * n_p, n_h) for a in arrays))
    return path_metrics(mixed, weights=np.repeat(weights / n_p, n_p))


def draw_metrics(
    paths: ReturnPaths,
    chunk: object = None,
    *,
    horizons: Sequence[int] | None = None,
    blend_weights: Sequence[float] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Per-draw metrics over each draw's paths: the reducer of the simulation driver.

    Matches :data:`rutsim.types.Reducer`: ``run_simulation(..., reducer=draw_metrics)``.

    Parameters
    ----------
    paths : ReturnPaths
        E.g. ``SimPaths`` as numpy; each return field shape ``(scenario, sample, path,
        horizon)``.
    chunk : ChunkInfo, optional
        The driver's chunk position; not needed, since every draw is reduced on its own.
    horizons : sequence of int, optional
        1-based horizons (quarters) to keep; all quarters if omitted.
    blend_weights : sequence of float, optional
        One weight per scenario (summing to one): the metrics of the blend (each draw's
        paths of all scenarios, path weights ``w_s / n_paths``) are appended as one more
        entry along the scenario axis.

    Returns
    -------
    dict of str to ndarray
        One array of shape ``(scenario, sample, len(horizons))`` per metric name
        (``scenario + 1`` entries with ``blend_weights``).
    """
    out = path_metrics(paths)
    if blend_weights is not None:
        blend = _blend_metrics(paths, np.asarray(blend_weights, dtype=np.float64))
        out = {k: np.concatenate([v, blend[k]], axis=0) for k, v in out.items()}
    if horizons is None:
        return out
    idx = np.asarray(horizons, dtype=np.int64) - 1
    n_h = next(iter(out.values())).shape[-1]
    if np.any(idx < 0) or np.any(idx >= n_h):
        raise ValueError(f"horizons must lie in 1..{n_h}, got {list(horizons)}")
    return {k: v[..., idx] for k, v in out.items()}


def check_finite(paths: SimPaths, scenario_names: Sequence[str]) -> None:
    """Refuse simulated paths with non-finite values, naming the scenario and the variable.

    The scenario checks catch impossible inputs before the run; this catches a model
    pushed past what it can extrapolate, at the first chunk where it happens.
    """
    for field, values in zip(SimPaths._fields, paths, strict=True):
        bad = ~np.isfinite(values)
        if bad.any():
            scenario = scenario_names[int(np.argwhere(bad)[0][0])]
            raise ScenarioError.overflowed(scenario, field, int(bad.sum()))
