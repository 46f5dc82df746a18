"""One quarter of the model for one path: the pure step scanned over the horizon.

The equation means come from :mod:`rutsim.equations`, the same functions the
PyMC model is built from (``docs/model.md``). Every random number a step needs is drawn
before the scan (see ``_draws.py``), so the step itself is arithmetic only: that keeps
the scan body small and lets XLA fuse it.

Shock layout on the last axis of ``normals`` (``N_NORMALS``): ``0`` fed funds, ``1``-``2``
slope/spread pair, ``3``-``4`` large-cap growth/multiple pair, ``5`` relative multiple q,
``6`` small-cap growth, ``7``-``9`` random-walk deviations of the pinned fed funds,
slope and spread paths, ``10`` unemployment, ``11`` real yield, ``12`` deviation of the
pinned unemployment path.

Student-t shocks are normal scale mixtures ``x = sigma * z / sqrt(w)`` with
``w ~ Gamma(nu/2, rate=nu/2)``; a correlated pair shares one ``w`` (bivariate t). Layout
on the last axis of ``gammas`` (unit-rate Gamma draws, ``N_GAMMAS``): ``0`` fed funds,
``1`` slope/spread pair, ``2`` equity growth/multiple pair, ``3`` q, ``4`` small-cap
growth, ``5`` unemployment, ``6`` real yield. When exactly one of slope and spread is
pinned, the mixing weight of the pair is drawn from its conditional given the pinned
variable's implied standardised shock ``x``: ``w | x ~ Gamma((nu + 1)/2, rate=(nu +
x^2)/2)``, and the free variable's shock from its conditional normal given ``x`` and
``w``; this keeps the conditional simulation exact.

Ordering: unemployment first, then the Fed (what markets priced in, then its reaction
to activity), then curve, credit and real yield. Pinning unemployment and fed funds
together therefore says why the Fed moves; pinning fed funds alone leaves unemployment
to its own dynamics.

Policy surprises (model v3). A pinned fed funds path's move beyond the model's mean
(the priced-in change, the reaction to this quarter's unemployment change and the
persistence of the last move that was not a surprise) is a **pure policy surprise**
``mp``: the Fed choosing a different path than markets and the economy led them to
expect. It moves the curve, credit and valuations by the impacts identified from FOMC
announcement days. The rest of the move, ``dn = df - mp``, keeps the quarterly data's
associations. When fed funds is simulated, its shocks keep their historical meaning
(``mp = 0``): the data cannot tell within a quarter which part of them was a choice.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from rutsim import equations as eq
from rutsim.types import Array, InitialState, PosteriorParams, ShockSpec, SimPaths

N_NORMALS = 13
N_GAMMAS = 7


class PathState(NamedTuple):
    """State carried from one quarter to the next for one path (all scalars)."""

    ff: jax.Array
    df: jax.Array
    dn: jax.Array
    slope: jax.Array
    spread: jax.Array
    un: jax.Array
    dun: jax.Array
    rr: jax.Array
    gl: jax.Array
    ml: jax.Array
    q: jax.Array
    # Random-walk deviations of the pinned paths, kept as scalars (not one (4,) array) so
    # that vmapped state arrays keep paths on their minor axis.
    dev_ff: jax.Array
    dev_slope: jax.Array
    dev_spread: jax.Array
    dev_un: jax.Array


class StepInput(NamedTuple):
    """What one quarter of one path consumes (the scanned-over slices)."""

    values: jax.Array  # (4,) given path of MACRO_VARIABLES
    pinned: jax.Array  # (4,) bool
    priced_in: jax.Array  # () the fed funds change markets priced in for this quarter
    normals: jax.Array  # (N_NORMALS,)
    gammas: jax.Array  # (N_GAMMAS,) unit-rate Gamma draws (unused for normal shocks)


def init_state(p: PosteriorParams, initial: InitialState, dtype: jnp.dtype) -> PathState:
    """Start a path at the last observed quarter (``q`` from the sample's ``q_last``)."""
    return PathState(
        ff=jnp.asarray(initial.ff, dtype),
        df=jnp.asarray(initial.df, dtype),
        dn=jnp.asarray(initial.dn, dtype),
        slope=jnp.asarray(initial.slope, dtype),
        spread=jnp.asarray(initial.spread, dtype),
        un=jnp.asarray(initial.un, dtype),
        dun=jnp.asarray(initial.dun, dtype),
        rr=jnp.asarray(initial.rr, dtype),
        gl=jnp.asarray(initial.gl, dtype),
        ml=jnp.asarray(initial.ml, dtype),
        q=jnp.asarray(p.q_last, dtype),
        dev_ff=jnp.zeros((), dtype),
        dev_slope=jnp.zeros((), dtype),
        dev_spread=jnp.zeros((), dtype),
        dev_un=jnp.zeros((), dtype),
    )


def _inv_sqrt_weight(gamma: jax.Array, rate: jax.Array, student_t: bool) -> jax.Array:
    """``1/sqrt(w)`` with ``w = gamma / rate``; exactly 1 for normal shocks."""
    if not student_t:
        return jnp.ones_like(gamma)
    return jnp.sqrt(rate / gamma)


def _safe_div(num: Array, den: Array) -> jax.Array:
    # A zero sigma (shocks switched off) must not turn an unused implied shock into NaN.
    return jnp.where(den > 0, num / jnp.where(den > 0, den, 1), 0)


def step(
    p: PosteriorParams,
    carry_rate: jax.Array,
    path_sd: jax.Array,
    shocks: ShockSpec,
    state: PathState,
    x: StepInput,
) -> tuple[PathState, SimPaths]:
    """Advance one path by one quarter.

    Parameters
    ----------
    p : PosteriorParams
        One posterior sample (every field a scalar).
    carry_rate : scalar
        Quarterly log carry, added to the price return.
    path_sd : array, shape ``(4,)``
        Per-quarter sd of the random-walk deviation around pinned paths.
    shocks : ShockSpec
        Static shock families (normal or Student-t) and degrees of freedom.
    state : PathState
        Last quarter's state.
    x : StepInput
        This quarter's scenario slice and pre-drawn random numbers.

    Returns
    -------
    (PathState, SimPaths)
        The new state and this quarter's outputs (every field a scalar).
    """
    z = x.normals
    g = x.gammas
    pv = p._asdict()
    macro_t = shocks.macro == "student_t"
    equity_t = shocks.equity == "student_t"
    mnu = jnp.asarray(shocks.macro_nu, z.dtype)
    enu = jnp.asarray(shocks.equity_nu, z.dtype)

    dev_ff = state.dev_ff + path_sd[0] * z[7]
    dev_slope = state.dev_slope + path_sd[1] * z[8]
    dev_spread = state.dev_spread + path_sd[2] * z[9]
    dev_un = state.dev_un + path_sd[3] * z[12]
    target = (
        x.values[0] + dev_ff,
        x.values[1] + dev_slope,
        x.values[2] + dev_spread,
        x.values[3] + dev_un,
    )
    pin_f, pin_s, pin_c, pin_u = x.pinned[0], x.pinned[1], x.pinned[2], x.pinned[3]

    # Activity first in the recursive ordering.
    e_u = z[10] * _inv_sqrt_weight(g[5], mnu / 2, macro_t)
    mean_du = eq.unemployment(pv, state.dun, state.un)
    un_model = state.un + mean_du + p.un_sigma * e_u
    un = jnp.where(pin_u, target[3], un_model)
    dun = un - state.un
    news_u = dun - mean_du

    # Fed funds: priced in, then the reaction; pinning it fixes df_t given du_t, and
    # what the pinned path adds beyond the mean is a pure policy surprise.
    e_f = z[0] * _inv_sqrt_weight(g[0], mnu / 2, macro_t)
    mean_df = eq.policy(pv, state.dn, dun, x.priced_in)
    ff_model = state.ff + mean_df + p.ff_sigma * e_f
    ff = jnp.where(pin_f, target[0], ff_model)
    df = ff - state.ff
    mp = jnp.where(pin_f, df - mean_df, 0)
    dn = df - mp

    # Slope and spread: conditional on the move, the surprise and du_t; correlated shocks.
    mu_s = eq.slope(pv, state.slope, dn, mp, dun)
    mu_c = eq.spread(pv, state.spread, dn, mp, dun)
    x_s = _safe_div(target[1] - mu_s, p.sl_sigma)  # implied standardised shocks if pinned
    x_c = _safe_div(target[2] - mu_c, p.cs_sigma)
    one_pinned = jnp.logical_xor(pin_s, pin_c)
    x_obs = jnp.where(pin_s, x_s, x_c)
    rate = (mnu + jnp.where(one_pinned, x_obs * x_obs, 0)) / 2
    inv_w = _inv_sqrt_weight(g[1], rate, macro_t)
    rho = p.sc_corr
    rho_c = jnp.sqrt(1 - rho * rho)
    slope_free = jnp.where(
        pin_c,
        mu_s + p.sl_sigma * (rho * x_c + rho_c * z[1] * inv_w),
        mu_s + p.sl_sigma * z[1] * inv_w,
    )
    spread_free = jnp.where(
        pin_s,
        mu_c + p.cs_sigma * (rho * x_s + rho_c * z[2] * inv_w),
        mu_c + p.cs_sigma * (rho * z[1] + rho_c * z[2]) * inv_w,
    )
    slope = jnp.where(pin_s, target[1], slope_free)
    spread = jnp.where(pin_c, target[2], spread_free)
    dspread = spread - state.spread
    rr = eq.real_rate(pv, state.rr, dn, dun) + p.rr_sigma * z[11] * _inv_sqrt_weight(
        g[6], mnu / 2, macro_t
    )

    # Large caps: smoothed earnings growth (with the catch-up towards the multiple's
    # driver-implied level) and the multiple, correlated shocks.
    inv_we = _inv_sqrt_weight(g[2], enu / 2, equity_t)
    r = p.glml_corr
    v_g = p.gl_sigma * z[3] * inv_we
    v_m = p.ml_sigma * (r * z[3] + jnp.sqrt(1 - r * r) * z[4]) * inv_we
    gap = eq.valuation_gap(pv, state.ml, state.rr, state.spread, state.ff)
    gl = eq.earnings(pv, state.gl, dun, state.dn, state.slope, dspread, gap) + v_g
    news = eq.multiple_news(pv, dspread, news_u, mp)
    ml = eq.multiple(pv, state.ml, rr, spread, ff, news) + v_m

    # Small caps: relative multiple q and earnings growth.
    q = eq.relative_multiple(pv, state.q, dspread, mp) + p.q_sigma * z[5] * _inv_sqrt_weight(
        g[3], enu / 2, equity_t
    )
    gs = eq.small_earnings(pv, gl, state.dn, state.slope) + p.gs_sigma * z[6] * _inv_sqrt_weight(
        g[4], enu / 2, equity_t
    )

    log_multiple = ml + q
    multiple_change = log_multiple - (state.ml + state.q)
    price_return = gs + multiple_change
    out = SimPaths(
        fedfunds=ff,
        slope=slope,
        spread=spread,
        unemployment=un,
        real_yield=rr,
        earnings_growth=gs,
        log_multiple=log_multiple,
        multiple_change=multiple_change,
        carry=carry_rate,
        price_return=price_return,
        total_return=price_return + carry_rate,
        largecap_return=gl + ml - state.ml,
    )
    new_state = PathState(
        ff, df, dn, slope, spread, un, dun, rr, gl, ml, q, dev_ff, dev_slope, dev_spread, dev_un
    )
    return new_state, out
