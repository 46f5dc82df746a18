"""Attribution of mean and tail outcomes to earnings growth, multiple change and carry.

The split is done in **log terms**, where it is exact: the cumulative log total return
over quarters ``1..h`` is the sum of the cumulative log earnings growth, log multiple
change and log carry, so any weighted mean of it (the plain mean, or the mean over the
CVaR tail) splits into the same weighted means of the three parts, and the parts add
up to the total. The CVaR tail is the one of :func:`rutsim.risk.tail_weights` applied
to the simple-return losses, so the attribution describes exactly the outcomes that make
up the CVaR. (In simple terms the tail mean of ``exp(total) - 1`` is the negative CVaR;
the log tail mean is smaller by Jensen's inequality and is what the parts add up to.)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rutsim.risk._array import tail_weights


class Attribution(NamedTuple):
    """Weighted means of the cumulative log return and of its parts.

    Attributes
    ----------
    parts : ndarray, shape ``(..., horizon, component)``
        Contribution of each of :data:`COMPONENTS` (log return, decimal).
    total : ndarray, shape ``(..., horizon)``
        The same weighted mean of the cumulative log total return; equals
        ``parts.sum(-1)`` up to float rounding.
    """

    parts: NDArray[np.float64]
    total: NDArray[np.float64]


def _cumulative_parts(parts: ArrayLike) -> NDArray[np.float64]:
    return np.cumsum(np.asarray(parts, dtype=np.float64), axis=-1)


def attribute_mean(parts: ArrayLike, *, weights: ArrayLike | None = None) -> Attribution:
    """Split the mean cumulative log return into its parts.

    Parameters
    ----------
    parts : array_like, shape ``(component, ..., sample, horizon)``
        Quarterly log returns of each component (the order of :data:`COMPONENTS`).
    weights : array_like, optional
        Sample weights broadcastable to ``(..., sample)``; equal if omitted.

    Returns
    -------
    Attribution
    """
    cum = _cumulative_parts(parts)
    w = _sample_weights(cum.shape[1:-1], weights)
    split = np.einsum("c...nh,...n->...hc", cum, w)
    return Attribution(split, np.einsum("...nh,...n->...h", cum.sum(axis=0), w))


def attribute_tail(
    parts: ArrayLike, level: float, *, weights: ArrayLike | None = None
) -> Attribution:
    """Split the mean cumulative log return over the CVaR tail (at ``level``) into parts.

    Parameters
    ----------
    parts : array_like, shape ``(component, ..., sample, horizon)``
        Quarterly log returns of each component; their sum is the total log return.
    level : float
        Confidence level of the CVaR whose tail is attributed (0.95, 0.99).
    weights : array_like, optional
        Sample weights broadcastable to ``(..., sample)``.

    Returns
    -------
    Attribution
        Weighted by the tail weights of the simple-return losses at every horizon.
    """
    cum = np.swapaxes(_cumulative_parts(parts), -1, -2)  # (component, ..., horizon, sample)
    w = _sample_weights(cum.shape[1:-2] + cum.shape[-1:], weights)[..., None, :]
    tw = tail_weights(-np.expm1(cum.sum(axis=0)), level, weights=w)
    return split_by_weights(cum, tw)


def split_by_weights(cum: ArrayLike, weights: ArrayLike) -> Attribution:
    """Weighted means of cumulative parts and of their sum.

    Parameters
    ----------
    cum : array_like, shape ``(component, ..., horizon, sample)``
        Cumulative log returns of each component.
    weights : array_like, shape ``(..., horizon, sample)``
        Weights summing to one over ``sample`` (e.g. tail weights).

    Returns
    -------
    Attribution
    """
    cum = np.asarray(cum, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)  # exact: einsum would promote them anyway
    split = np.einsum("c...n,...n->...c", cum, w)
    return Attribution(split, np.einsum("...n,...n->...", cum.sum(axis=0), w))


def _sample_weights(shape: tuple[int, ...], weights: ArrayLike | None) -> NDArray[np.float64]:
    if weights is None:
        return np.full(shape, 1.0 / shape[-1])
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), shape)
    return w / w.sum(axis=-1, keepdims=True)
