"""Risk measures over one axis of plain numpy arrays (the array core).

Conventions (the only ones used anywhere in rutsim)
---------------------------------------------------
* **Returns.** The simulation stores quarterly *log* returns ``r_t``. The return over a
  horizon of ``h`` quarters is the *simple* cumulative return
  ``R_h = exp(r_1 + ... + r_h) - 1`` (a decimal: 0.05 is +5%).
* **Losses** are positive numbers: ``L = -R``. A loss of 0.10 is a 10% fall.
* **level** is the confidence level of VaR and CVaR (0.95, 0.99), never a tail
  probability ``alpha``; the tail holds probability ``1 - level``.
* **Quantiles** are the exact empirical ones, no interpolation (Hyndman and Fan type 1,
  numpy ``method="inverted_cdf"``): ``Q(p) = min{x_i : F(x_i) >= p}`` where ``F`` is the
  (weighted) empirical distribution function. With ``n`` equally weighted samples this is
  the ``ceil(n p)``-th smallest value. Weights (for scenario mixtures) enter ``F``
  directly, so the quantile of a mixture is the quantile of the mixture distribution.
* **VaR** at ``level`` is the ``level``-quantile of ``L``.
* **CVaR** (expected shortfall) at ``level`` is the mean of ``L`` over the worst
  ``1 - level`` of probability, computed exactly for a discrete sample: every atom beyond
  VaR counts fully and the atom(s) at VaR count with the fraction of their weight that
  completes the tail mass. It equals ``VaR + E[(L - VaR)^+] / (1 - level)``
  (Rockafellar and Uryasev) and is never replaced by VaR.
* **Maximum drawdown** up to quarter ``h`` is ``max_{t <= h} (1 - W_t / max_{s <= t} W_s)``
  with wealth ``W_t = exp(r_1 + ... + r_t)`` and ``W_0 = 1``; a positive decimal.

Every function takes ``axis`` (the sample axis that is reduced) and optional
non-negative ``weights`` broadcastable to ``x`` (normalised along ``axis``).

**Non-finite input is refused.** A NaN has no place in an ordering (sorted last, it would
still be counted, shifting every quantile and reading as "not a loss"), and an infinite
return or loss makes a tail mean undefined. Every function raises ``ValueError`` naming
how many values are NaN or infinite; drop or repair them before calling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Relative tolerance when comparing cumulative weights with a probability, so that
#: ``n * p`` that is an integer up to rounding picks the same order statistic as exact
#: arithmetic would.
_CDF_TOL = 1e-10

FloatArray = NDArray[np.float64]


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


def _check_level(level: float) -> float:
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(
            f"level must be a confidence level strictly between 0 and 1 (e.g. 0.95), "
            f"but got {level}. To fix: pass the confidence level, not the tail probability."
        )
    return level


def _finite(x: FloatArray, what: str = "x") -> FloatArray:
    """Return ``x`` if every value is finite, else raise naming the NaN and inf counts."""
    if not np.all(np.isfinite(x)):
        n_nan = int(np.isnan(x).sum())
        n_inf = int(np.isinf(x).sum())
        raise ValueError(
            f"{what} holds {n_nan} NaN and {n_inf} infinite values of {x.size}; risk "
            "measures are defined on finite samples only. To fix: drop or repair them first."
        )
    return x


def _prepare(x: ArrayLike, weights: ArrayLike | None, axis: int) -> tuple[FloatArray, FloatArray]:
    """Move ``axis`` last and return ``(x, w)`` with ``w`` normalised along it."""
    xa = _finite(np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1))
    if xa.shape[-1] == 0:
        raise ValueError("cannot compute a risk measure over an empty axis")
    if weights is None:
        w = np.full(xa.shape, 1.0 / xa.shape[-1])
    else:
        w = np.broadcast_to(np.moveaxis(np.asarray(weights, dtype=np.float64), axis, -1), xa.shape)
        if np.any(w < 0) or not np.all(np.isfinite(w)):
            raise ValueError("weights must be finite and non-negative")
        total = w.sum(axis=-1, keepdims=True)
        if np.any(total <= 0):
            raise ValueError("weights must have a positive sum along the reduced axis")
        w = w / total
    return xa, w


class SortedSample(NamedTuple):
    """A sample sorted along its last axis, with weights, so several measures share a sort.

    Attributes
    ----------
    values : ndarray, shape ``(..., n)``
        Ascending.
    weights : ndarray, shape ``(..., n)``
        Normalised weights in the same order.
    order : ndarray of int, shape ``(..., n)``
        Position of each sorted entry in the original sample axis.
    """

    values: FloatArray
    weights: FloatArray
    order: NDArray[np.intp]

    def negated(self) -> SortedSample:
        """Return the sorted sample of ``-x`` (e.g. losses from returns) without a new sort."""
        return SortedSample(-self.values[..., ::-1], self.weights[..., ::-1], self.order[..., ::-1])

    def unsort(self, sorted_values: ArrayLike) -> FloatArray:
        """Put values given in sorted order back into the original sample order."""
        out = np.empty(self.order.shape, dtype=np.float64)
        np.put_along_axis(out, self.order, np.asarray(sorted_values, dtype=np.float64), axis=-1)
        return out


def sort_sample(x: ArrayLike, *, weights: ArrayLike | None = None, axis: int = -1) -> SortedSample:
    """Sort ``x`` along ``axis`` (moved last) together with its normalised weights."""
    xa, w = _prepare(x, weights, axis)
    order = np.argsort(xa, axis=-1)
    ws = w if weights is None else np.take_along_axis(w, order, axis=-1)
    return SortedSample(np.take_along_axis(xa, order, axis=-1), ws, order)


def _probabilities(q: float | Sequence[float]) -> FloatArray:
    qa = np.atleast_1d(np.asarray(q, dtype=np.float64))
    if np.any((qa < 0) | (qa > 1)):
        raise ValueError(f"quantile probabilities must lie in [0, 1], got {qa.tolist()}")
    return qa


def sorted_quantile(s: SortedSample, q: float | Sequence[float]) -> FloatArray:
    """Inverted-CDF quantiles of a :class:`SortedSample` (see :func:`quantile`)."""
    qa = _probabilities(q)
    cw = np.cumsum(s.weights, axis=-1)
    # Index of the first sorted sample whose cumulative weight reaches p.
    target = qa - _CDF_TOL * qa
    # One probability at a time keeps the temporary at the sample's size.
    idx = np.stack([(cw < t).sum(axis=-1) for t in target], axis=-1)
    out = np.take_along_axis(s.values, np.minimum(idx, s.values.shape[-1] - 1), axis=-1)
    return out[..., 0] if np.ndim(q) == 0 else out


def sorted_tail_weights(s: SortedSample, level: float) -> FloatArray:
    """Tail weights (see :func:`tail_weights`) of sorted losses, in sorted order."""
    level = _check_level(level)
    var = sorted_quantile(s, level)[..., None]
    beyond = s.values > var
    at = s.values == var
    w = s.weights
    mass_beyond = np.where(beyond, w, 0.0).sum(axis=-1, keepdims=True)
    mass_at = np.where(at, w, 0.0).sum(axis=-1, keepdims=True)
    # The VaR atom always has positive mass; clip absorbs rounding in 1 - cumsum.
    frac = np.clip((1.0 - level - mass_beyond) / mass_at, 0.0, 1.0)
    t = np.where(beyond, w, 0.0) + np.where(at, w * frac, 0.0)
    return t / t.sum(axis=-1, keepdims=True)


def quantile(
    x: ArrayLike,
    q: float | Sequence[float],
    *,
    weights: ArrayLike | None = None,
    axis: int = -1,
) -> FloatArray:
    """Exact empirical (inverted-CDF) quantiles of ``x`` along ``axis``.

    Parameters
    ----------
    x : array_like, shape ``(..., n, ...)``
        Samples; ``axis`` indexes them.
    q : float or sequence of float in [0, 1]
        Probabilities.
    weights : array_like, optional
        Non-negative sample weights broadcastable to ``x``; equal weights if omitted.
    axis : int
        The sample axis.

    Returns
    -------
    ndarray
        Shape of ``x`` without ``axis``, plus a trailing ``quantile`` axis of ``len(q)``
        when ``q`` is a sequence. ``Q(p) = min{x_i : F(x_i) >= p}``.
    """
    if weights is not None:
        return sorted_quantile(sort_sample(x, weights=weights, axis=axis), q)
    qa = _probabilities(q)
    # Equal weights: the cumulative weights are i / n in every row, so a plain sort will do.
    xs = np.sort(_finite(np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)), axis=-1)
    n = xs.shape[-1]
    if n == 0:
        raise ValueError("cannot compute a risk measure over an empty axis")
    idx = np.searchsorted(np.arange(1, n + 1) / n, qa - _CDF_TOL * qa, side="left")
    out = xs[..., np.minimum(idx, n - 1)]
    return out[..., 0] if np.ndim(q) == 0 else out


def value_at_risk(
    losses: ArrayLike, level: float, *, weights: ArrayLike | None = None, axis: int = -1
) -> FloatArray:
    """VaR: the ``level``-quantile of ``losses`` (positive = loss) along ``axis``.

    Returns the shape of ``losses`` without ``axis``.
    """
    return quantile(losses, _check_level(level), weights=weights, axis=axis)


def tail_weights(
    losses: ArrayLike, level: float, *, weights: ArrayLike | None = None, axis: int = -1
) -> FloatArray:
    """Weights of the worst ``1 - level`` tail of ``losses``, summing to one along ``axis``.

    Atoms with loss above VaR get their full (normalised) weight; atoms equal to VaR share
    the fraction that completes the tail mass ``1 - level``; all others get zero. The
    CVaR is the ``tail_weights``-weighted mean of the losses, and the tail attribution
    uses the same weights.

    Returns
    -------
    ndarray
        Same shape as ``losses`` (``axis`` kept in place).
    """
    s = sort_sample(losses, weights=weights, axis=axis)
    return np.moveaxis(s.unsort(sorted_tail_weights(s, level)), -1, axis)


def conditional_value_at_risk(
    losses: ArrayLike, level: float, *, weights: ArrayLike | None = None, axis: int = -1
) -> FloatArray:
    """CVaR (expected shortfall): the exact mean loss over the worst ``1 - level`` tail.

    Returns the shape of ``losses`` without ``axis``; always ``>=`` the VaR.
    """
    s = sort_sample(losses, weights=weights, axis=axis)
    return np.sum(sorted_tail_weights(s, level) * s.values, axis=-1)


def weighted_mean(x: ArrayLike, *, weights: ArrayLike | None = None, axis: int = -1) -> FloatArray:
    """Mean of ``x`` along ``axis`` with optional weights."""
    xa, w = _prepare(x, weights, axis)
    return np.sum(w * xa, axis=-1)


def weighted_sd(x: ArrayLike, *, weights: ArrayLike | None = None, axis: int = -1) -> FloatArray:
    """Return the population standard deviation (``ddof=0``) along ``axis``."""
    xa, w = _prepare(x, weights, axis)
    mean = np.sum(w * xa, axis=-1, keepdims=True)
    return np.sqrt(np.sum(w * (xa - mean) ** 2, axis=-1))


def probability_below(
    x: ArrayLike, threshold: float, *, weights: ArrayLike | None = None, axis: int = -1
) -> FloatArray:
    """Probability that ``x < threshold`` (strict) along ``axis``.

    The probability of loss is ``probability_below(R, 0)``; of a loss beyond 10% it is
    ``probability_below(R, -0.10)``.
    """
    xa, w = _prepare(x, weights, axis)
    return np.sum(np.where(xa < threshold, w, 0.0), axis=-1)


def cumulative_simple_return(log_returns: ArrayLike, *, axis: int = -1) -> FloatArray:
    """Return simple cumulative returns ``exp(cumsum(r)) - 1`` along the horizon ``axis``.

    Returns the same shape as ``log_returns``: entry ``h`` is the return over quarters
    ``1..h``.
    """
    r = _finite(np.asarray(log_returns, dtype=np.float64), "log_returns")
    return np.expm1(np.cumsum(r, axis=axis))


def max_drawdown(log_returns: ArrayLike, *, axis: int = -1) -> FloatArray:
    """Return the running maximum drawdown of the wealth path from quarterly log returns.

    Parameters
    ----------
    log_returns : array_like, shape ``(..., horizon, ...)``
        Quarterly log returns; ``axis`` is the horizon.

    Returns
    -------
    ndarray
        Same shape: entry ``h`` is the largest peak-to-trough fall (positive decimal) of
        ``W_0 = 1, W_1, ..., W_h``.
    """
    r = _finite(np.moveaxis(np.asarray(log_returns, dtype=np.float64), axis, -1), "log_returns")
    log_w = np.concatenate([np.zeros(r.shape[:-1] + (1,)), np.cumsum(r, axis=-1)], axis=-1)
    peak = np.maximum.accumulate(log_w, axis=-1)
    # max(.., 0) turns the -0.0 of a path at its peak into 0.0.
    drawdown = np.maximum(-np.expm1(log_w - peak), 0.0)
    running = np.maximum.accumulate(drawdown, axis=-1)[..., 1:]
    return np.moveaxis(running, -1, axis)
