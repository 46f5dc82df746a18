"""Proper scores of a forecast sample against one realized value, and their aggregates.

Conventions (``docs/validation.md``): a forecast is a sample ``x`` of the cumulative simple
return at one horizon; ``y`` is what happened.

- PIT: the mid-rank ``(#{x < y} + #{x = y} / 2) / n``, uniform on (0, 1) for a calibrated
  forecast.
- Central ``level`` interval: inverted-CDF quantiles at ``(1 - level) / 2`` and
  ``(1 + level) / 2`` of ``x`` (the risk layer's convention), endpoints included.
- CRPS: the exact score of the sample's empirical distribution,
  ``mean|x - y| - mean|x - x'| / 2`` over all pairs, in O(n log n) from the sorted sample.
- Log score: ``log p(log(1 + y))`` with ``p`` a Gaussian kernel density of ``log(1 + x)``,
  Silverman's bandwidth (higher is better).
- Error: forecast mean minus realized (positive: the forecast was too high).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "Coverage",
    "Skill",
    "coverage",
    "crps_sample",
    "in_interval",
    "log_score_kde",
    "newey_west_se",
    "overlap_lag",
    "pit",
    "pit_uniformity",
    "skill",
]


def _sample(x: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(x, dtype=np.float64).ravel()
    if arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError("a forecast sample must be non-empty and finite")
    return arr


def pit(x: ArrayLike, y: float) -> float:
    """Mid-rank probability integral transform of ``y`` under the sample ``x``."""
    s = _sample(x)
    return float((np.sum(s < y) + 0.5 * np.sum(s == y)) / s.size)


def in_interval(x: ArrayLike, y: float, level: float) -> bool:
    """Whether ``y`` lies in the central ``level`` interval of ``x`` (endpoints included)."""
    s = np.sort(_sample(x))
    n = s.size
    # Inverted-CDF quantile: the smallest order statistic with ECDF >= p.
    lo = s[max(math.ceil(n * (1 - level) / 2) - 1, 0)]
    hi = s[max(math.ceil(n * (1 + level) / 2) - 1, 0)]
    return bool(lo <= y <= hi)


def crps_sample(x: ArrayLike, y: float) -> float:
    """Exact CRPS of the empirical distribution of ``x`` at ``y`` (lower is better).

    ``sum_{i,j} |x_i - x_j| = 2 sum_i (2i - n - 1) x_(i)`` for the sorted sample
    (1-based ``i``), so the pair term costs one sort.
    """
    s = np.sort(_sample(x))
    n = s.size
    i = np.arange(1, n + 1, dtype=np.float64)
    pairs = 2.0 * float(np.sum((2.0 * i - n - 1.0) * s))
    return float(np.mean(np.abs(s - y)) - pairs / (2.0 * n * n))


def log_score_kde(x: ArrayLike, y: float) -> float:
    """Log density of ``log(1 + y)`` under a Gaussian KDE of ``log(1 + x)``.

    Silverman's rule ``0.9 min(sd, IQR / 1.34) n^(-1/5)`` sets the bandwidth; the log
    scale keeps the density smooth near total loss. Written here rather than with
    ``scipy.stats.gaussian_kde`` (which the tests compare it with on regular samples)
    because a forecaster's draws can be degenerate (one draw, or all equal: a pinned
    path), where gaussian_kde refuses the singular covariance and this falls back to a
    tiny bandwidth, scoring the realized value by its distance.
    """
    z = np.log1p(_sample(x))
    q75, q25 = np.percentile(z, [75, 25])
    spread = min(float(np.std(z, ddof=1)) if z.size > 1 else 0.0, (q75 - q25) / 1.34)
    if not spread > 0:
        spread = max(float(np.std(z)), 1e-6)
    h = 0.9 * spread * z.size ** (-0.2)
    u = (math.log1p(y) - z) / h
    # log-sum-exp over kernels: stable far in the tails.
    logk = -0.5 * u * u
    m = float(np.max(logk))
    return (
        m
        + math.log(float(np.sum(np.exp(logk - m))))
        - math.log(z.size * h * math.sqrt(2 * math.pi))
    )


def overlap_lag(horizon: int, every: int) -> int:
    """Return how many origin lags overlap for ``horizon``-quarter forecasts ``every`` apart."""
    return max(math.ceil(horizon / every) - 1, 0)


def newey_west_se(d: ArrayLike, lag: int) -> float:
    """Return the standard error of mean(d), Bartlett-weighted autocovariances to ``lag``.

    Overlapping multi-quarter forecasts have errors correlated up to ``lag`` origins apart;
    this is the Diebold-Mariano variance with the Newey-West kernel.
    """
    v = np.asarray(d, dtype=np.float64)
    n = v.size
    if n < 2:
        return math.nan
    e = v - v.mean()
    var = float(e @ e) / n
    for k in range(1, min(lag, n - 1) + 1):
        var += 2.0 * (1.0 - k / (lag + 1)) * float(e[k:] @ e[:-k]) / n
    return math.sqrt(max(var, 0.0) / n)


class Coverage(NamedTuple):
    """Share of realized values inside the interval, with a 95% Wilson interval."""

    rate: float
    low: float
    high: float
    n: int


def coverage(hits: ArrayLike) -> Coverage:
    """Empirical coverage of booleans ``hits`` with a 95% Wilson score interval (SciPy's).

    The interval treats origins as independent; for overlapping horizons it is too
    narrow, which ``docs/validation.md`` states next to the numbers.
    """
    h = np.asarray(hits, dtype=bool)
    n = h.size
    if n == 0:
        return Coverage(math.nan, math.nan, math.nan, 0)
    k = int(h.sum())
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return Coverage(k / n, float(ci.low), float(ci.high), n)


def pit_uniformity(pits: ArrayLike, horizon: int, every: int) -> tuple[float, int]:
    """P-value of a uniformity test of PIT values that accounts for overlapping horizons.

    Forecasts whose horizons overlap are dependent, so the PITs (in origin order) are split
    into the ``k = overlap_lag + 1`` interleaved subsets whose members are at least
    ``horizon`` quarters apart; each subset gets a Kolmogorov-Smirnov test against U(0, 1)
    and the smallest p-value is Bonferroni-adjusted (times ``k``, capped at 1).

    Returns
    -------
    (p_value, k)
    """
    v = np.asarray(pits, dtype=np.float64)
    k = overlap_lag(horizon, every) + 1
    ps = [float(stats.kstest(v[j::k], "uniform").pvalue) for j in range(k) if v[j::k].size >= 3]
    if not ps:
        return math.nan, k
    return min(1.0, min(ps) * len(ps)), k


class Skill(NamedTuple):
    """CRPS skill ``1 - CRPS(model) / CRPS(baseline)`` with an overlap-aware standard error.

    ``dm`` is the Diebold-Mariano statistic of the paired differences (positive: the
    model scores better); ``n`` the origins paired.
    """

    skill: float
    se: float
    dm: float
    n: int


def skill(model_crps: ArrayLike, base_crps: ArrayLike, lag: int) -> Skill:
    """CRPS skill of a model over a baseline on the same origins.

    With ``d = CRPS(baseline) - CRPS(model)``, skill is ``mean(d) / mean(CRPS(baseline))``;
    its standard error is the Newey-West standard error of ``mean(d)`` over that mean
    (the baseline's mean CRPS taken as known).
    """
    m = np.asarray(model_crps, dtype=np.float64)
    b = np.asarray(base_crps, dtype=np.float64)
    ok = np.isfinite(m) & np.isfinite(b)
    m, b = m[ok], b[ok]
    if m.size == 0:
        return Skill(math.nan, math.nan, math.nan, 0)
    d = b - m
    se_d = newey_west_se(d, lag)
    base = float(b.mean())
    return Skill(
        float(d.mean()) / base,
        se_d / base if math.isfinite(se_d) else math.nan,
        float(d.mean()) / se_d if se_d and math.isfinite(se_d) else math.nan,
        int(m.size),
    )
