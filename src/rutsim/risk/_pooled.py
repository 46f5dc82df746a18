"""Pooled (predictive) metrics over every simulated path, from sums binned chunk by chunk.

The predictive distribution of a scenario pools every path of every posterior draw. A
run simulates far more paths than it can keep, so the simulation driver hands each chunk
to :func:`bin_paths`, which adds the chunk's paths into fixed bins of the cumulative
log return (and of the maximum drawdown) per scenario and horizon; the bins of all
chunks are summed. Each bin keeps its count and the sums of the simple return, its
square and the three log-return parts, so:

* the mean, standard deviation, mean drawdown and mean attribution are exact (sums over
  every path);
* quantiles, VaR, CVaR, drawdown quantiles and the tail attribution treat each bin as
  one atom at the mean of its paths, with the bin's count as weight (the conventions
  of :mod:`rutsim.risk._array`: inverted-CDF quantiles, exact discrete CVaR of the
  atoms). A quantile is off by less than one bin: :data:`RETURN_BIN_WIDTH` in log
  return (0.1%), :data:`DRAWDOWN_BIN_WIDTH` in drawdown. Tests check this against the
  exact values of the same paths;
* probabilities (of a loss, of beating large caps) are the mean over draws of the
  per-draw probabilities, which is exact because every draw has the same number of paths.

The blend mixes the scenarios' bins with weights ``w_s / n_paths_s``, so any blend
weights give the exact mixture of the binned paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from rutsim.risk._array import max_drawdown, sort_sample
from rutsim.risk._attribution import split_by_weights
from rutsim.risk._names import COMPONENTS, LOSS_THRESHOLDS
from rutsim.risk._names import loss_name as _loss_name
from rutsim.risk._reducer import (
    ReturnPaths,
    attribution_metrics,
    drawdown_quantiles,
    sorted_return_metrics,
)

#: Width of a return bin, in cumulative log return (about 0.1% in simple return).
RETURN_BIN_WIDTH: float = 1.0 / 1024
#: Range of the return bins in cumulative log return (-98.2% .. +5360%); paths outside
#: fall into one open bin at each end, whose atom is still the mean of its paths.
RETURN_RANGE: tuple[float, float] = (-4.0, 4.0)
#: Width of a drawdown bin (positive decimal; drawdowns lie in [0, 1)).
DRAWDOWN_BIN_WIDTH: float = 1.0 / 4096

_N_RETURN = round((RETURN_RANGE[1] - RETURN_RANGE[0]) / RETURN_BIN_WIDTH) + 2
_N_DRAWDOWN = round(1.0 / DRAWDOWN_BIN_WIDTH)

#: Variables of the binned sums, each shaped ``(scenario, horizon, bin)``.
RETURN_SUMS: tuple[str, ...] = (
    "count",
    "sum_return",
    "sum_return_sq",
    *(f"sum_{c}" for c in COMPONENTS),
)
DRAWDOWN_SUMS: tuple[str, ...] = ("drawdown_count", "drawdown_sum")
#: Metrics that are means over draws of the per-draw values (exact: equal paths per draw).
DRAW_AVERAGED: tuple[str, ...] = (
    *(_loss_name(t) for t in LOSS_THRESHOLDS),
    "prob_beat_largecap",
)


def return_bin_centres() -> NDArray[np.float64]:
    """Centre of every return bin in cumulative log return (open end bins at the edges)."""
    lo, hi = RETURN_RANGE
    inner = lo + RETURN_BIN_WIDTH * (np.arange(_N_RETURN - 2) + 0.5)
    return np.concatenate([[lo], inner, [hi]])


def drawdown_bin_centres() -> NDArray[np.float64]:
    """Centre of every drawdown bin."""
    return DRAWDOWN_BIN_WIDTH * (np.arange(_N_DRAWDOWN, dtype=np.float64) + 0.5)


def _grouped(idx: NDArray[np.int64], n_bins: int) -> NDArray[np.int64]:
    # idx (scenario, sample, path, horizon) -> flat index of (scenario, horizon, bin).
    n_s, _, _, n_h = idx.shape
    group = np.arange(n_s)[:, None, None, None] * n_h + np.arange(n_h)
    return (group * n_bins + idx).ravel()


def bin_paths(paths: ReturnPaths, chunk: object = None) -> dict[str, NDArray[np.float64]]:
    """Bin every path of a chunk: the pooling reducer of the simulation driver.

    Parameters
    ----------
    paths : ReturnPaths
        Quarterly log returns, each field shaped ``(scenario, sample, path, horizon)``.
    chunk : ChunkInfo, optional
        The driver's chunk position (unused: every path is binned the same way).

    Returns
    -------
    dict of str to ndarray
        :data:`RETURN_SUMS` and :data:`DRAWDOWN_SUMS`, each ``(scenario, horizon, bin)``;
        sums over chunks are the sums over all paths.
    """
    parts = np.stack([np.asarray(getattr(paths, c), dtype=np.float64) for c in COMPONENTS])
    n_s, _, _, n_h = parts.shape[1:]
    cum = np.cumsum(parts, axis=-1)
    total = cum.sum(axis=0)
    lo, _ = RETURN_RANGE
    inner = np.floor((total - lo) / RETURN_BIN_WIDTH).astype(np.int64) + 1
    flat = _grouped(np.clip(inner, 0, _N_RETURN - 1), _N_RETURN)
    size = n_s * n_h * _N_RETURN
    ret = np.expm1(total).ravel()
    out = {
        "count": np.bincount(flat, minlength=size).astype(np.float64),
        "sum_return": np.bincount(flat, ret, minlength=size),
        "sum_return_sq": np.bincount(flat, ret * ret, minlength=size),
    }
    for i, c in enumerate(COMPONENTS):
        out[f"sum_{c}"] = np.bincount(flat, cum[i].ravel(), minlength=size)
    mdd = max_drawdown(np.sum(parts, axis=0), axis=-1)
    dd_idx = np.clip(np.floor(mdd / DRAWDOWN_BIN_WIDTH).astype(np.int64), 0, _N_DRAWDOWN - 1)
    dd_flat = _grouped(dd_idx, _N_DRAWDOWN)
    dd_size = n_s * n_h * _N_DRAWDOWN
    out["drawdown_count"] = np.bincount(dd_flat, minlength=dd_size).astype(np.float64)
    out["drawdown_sum"] = np.bincount(dd_flat, mdd.ravel(), minlength=dd_size)
    return {
        k: v.reshape(n_s, n_h, _N_RETURN if k in RETURN_SUMS else _N_DRAWDOWN)
        for k, v in out.items()
    }


def mix_bins(
    binned: Mapping[str, NDArray[np.float64]], weights: Sequence[float] | NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """Return the blend's bins: scenario bins weighted by ``w_s / n_paths_s``, summed.

    The result has a leading scenario axis of length one, and counts that sum to one.
    """
    w = np.asarray(weights, dtype=np.float64)
    n = binned["count"].sum(axis=-1)[:, :1]  # paths per scenario (same at every horizon)
    scale = (w / n[:, 0])[:, None, None]
    return {k: (v * scale).sum(axis=0, keepdims=True) for k, v in binned.items()}


def atoms(
    count: NDArray[np.float64], sums: NDArray[np.float64], centres: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Return the mean of each bin's paths; empty bins sit at their centre with no weight."""
    return np.where(count > 0, sums / np.where(count > 0, count, 1.0), centres)


def pooled_metrics(
    binned: Mapping[str, NDArray[np.float64]],
    draw_averages: Mapping[str, NDArray[np.float64]],
) -> dict[str, NDArray[np.float64]]:
    """Every pooled metric from binned sums and the per-draw probabilities.

    Parameters
    ----------
    binned : mapping of str to ndarray
        :func:`bin_paths` output summed over chunks (or :func:`mix_bins` of it), each
        ``(entity, horizon, bin)``.
    draw_averages : mapping of str to ndarray
        For each name of :data:`DRAW_AVERAGED`, its mean over draws, ``(entity, horizon)``.

    Returns
    -------
    dict of str to ndarray
        One ``(entity, horizon)`` array per name of :func:`rutsim.risk.metric_names`.
    """
    count = binned["count"]
    n = count.sum(axis=-1)
    centres = return_bin_centres()
    ret_atom = atoms(count, binned["sum_return"], np.expm1(centres))
    mean = binned["sum_return"].sum(axis=-1) / n
    var = np.maximum(binned["sum_return_sq"].sum(axis=-1) / n - mean**2, 0.0)
    out: dict[str, NDArray[np.float64]] = {"return_mean": mean, "return_sd": np.sqrt(var)}
    tail, s_loss, tails = sorted_return_metrics(sort_sample(ret_atom, weights=count))
    out |= tail
    for name in DRAW_AVERAGED:
        out[name] = np.asarray(draw_averages[name], dtype=np.float64)
    dd_count = binned["drawdown_count"]
    out["max_drawdown_mean"] = binned["drawdown_sum"].sum(axis=-1) / dd_count.sum(axis=-1)
    dd_atom = atoms(dd_count, binned["drawdown_sum"], drawdown_bin_centres())
    out |= drawdown_quantiles(sort_sample(dd_atom, weights=dd_count))
    # An empty bin's parts carry no weight, so their value does not matter.
    cum = np.stack([atoms(count, binned[f"sum_{c}"], 0.0 * centres) for c in COMPONENTS])
    out |= attribution_metrics(split_by_weights(cum, count / n[..., None]), cum, s_loss, tails)
    return out
