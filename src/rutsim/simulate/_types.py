"""Array containers shared by the scenario layer, the JAX kernel and the risk reducers."""

from __future__ import annotations

from typing import NamedTuple

import jax

#: Order of the macro variables on the last axis of :class:`ScenarioArrays` arrays.
MACRO_VARIABLES: tuple[str, ...] = ("fedfunds", "slope", "spread", "unemployment")


class ScenarioArrays(NamedTuple):
    """One scenario as arrays over the horizon (stack a leading ``scenario`` axis to vmap).

    Attributes
    ----------
    values : float array, shape ``(horizon, 4)``
        Given path of (fedfunds %, slope pp, spread pp, unemployment %); ignored where not
        pinned.
    pinned : bool array, shape ``(horizon, 4)``
        True where the scenario fixes the variable; False where the macro block simulates
        it conditionally on the pinned ones.
    path_sd : float array, shape ``(4,)``
        Per-quarter standard deviation of a random-walk deviation around each pinned path
        (the scenario's own uncertainty). Zero reproduces the path exactly.
    """

    values: jax.Array
    pinned: jax.Array
    path_sd: jax.Array


class SimPaths(NamedTuple):
    """Simulated quarterly paths; every field has shape ``(..., horizon)``.

    The leading axes are ``(scenario, sample, path)`` out of the vmapped kernel. Returns
    are quarterly log returns; rates and spreads are levels in % / pp.

    Attributes
    ----------
    fedfunds, slope, spread, unemployment, real_yield : macro levels (%, pp, pp, %, pp).
    earnings_growth : small-cap log growth of smoothed earnings gS_t.
    log_multiple : small-cap log multiple on smoothed (12-quarter average) earnings,
        mS_t = mL_t + q_t (model output, not history).
    multiple_change : mS_t - mS_{t-1}.
    carry : small-cap quarterly log carry (dividends net of fees).
    price_return : small-cap log price return = earnings_growth + multiple_change.
    total_return : price_return + carry.
    largecap_return : large-cap log price return gL_t + mL_t - mL_{t-1}.
    """

    fedfunds: jax.Array
    slope: jax.Array
    spread: jax.Array
    unemployment: jax.Array
    real_yield: jax.Array
    earnings_growth: jax.Array
    log_multiple: jax.Array
    multiple_change: jax.Array
    carry: jax.Array
    price_return: jax.Array
    total_return: jax.Array
    largecap_return: jax.Array
