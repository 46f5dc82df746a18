"""The model's equations, written once for PyMC, NumPy and JAX.

Every function maps parameters and lagged/current variables to the conditional mean of
one equation in ``docs/model.md``. They use only ``+``, ``-``, ``*`` and ``/``, so the
same code runs on PyTensor tensors (the PyMC model), NumPy arrays (posterior checks, one
row per draw) and JAX scalars (the simulation step). ``p`` is any mapping from parameter
name to value (a dict of tensors, of ``(sample, 1)`` arrays, or a ``PosteriorParams``
turned into a dict); shocks are added by the caller.

Notation (quarterly): ``u`` unemployment rate (%), ``du`` its change; ``f`` fed funds (%),
``df`` its change, ``pdf`` the change markets priced in at the previous quarter's end,
``mp`` the pure policy surprise (identified from FOMC announcements) and ``dn = df - mp``
the rest of the change (priced in, or the Fed's reaction to the economy); ``nu`` the
unemployment news (``du`` less the model's forecast of it); ``s`` 10y-2y slope; ``c``
Baa-10y spread and ``dc`` its change; ``rr`` real 10-year yield (pp); ``gL`` log growth
of large-cap 12-quarter average EPS; ``mL`` large-cap log multiple on it; ``q`` small-cap
relative log multiple; ``gS`` small-cap log earnings growth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

P = Mapping[str, Any]


def unemployment(p: P, du_prev: Any, u_prev: Any) -> Any:
    """Mean of ``du_t``: persistent changes, the level pulled back to its mean."""
    return p["un_a"] + p["un_rho"] * du_prev + p["un_kappa"] * u_prev


def policy(p: P, dn_prev: Any, du: Any, pdf: Any) -> Any:
    """Mean of ``df_t``: what markets priced in, then the reaction to unemployment.

    The persistence term runs on last quarter's move less its policy surprise: a surprise
    is a new level, not the start of a run of further moves.
    """
    return p["ff_a"] + p["ff_b_pi"] * pdf + p["ff_phi"] * dn_prev + p["ff_b_du"] * du


def slope(p: P, s_prev: Any, dn: Any, mp: Any, du: Any) -> Any:
    """Mean of the 10y-2y slope ``s_t``."""
    return (
        p["sl_a"]
        + p["sl_phi"] * s_prev
        + p["sl_beta_df"] * dn
        + p["sl_beta_mp"] * mp
        + p["sl_beta_du"] * du
    )


def spread(p: P, c_prev: Any, dn: Any, mp: Any, du: Any) -> Any:
    """Mean of the credit spread ``c_t``."""
    return (
        p["cs_a"]
        + p["cs_phi"] * c_prev
        + p["cs_beta_df"] * dn
        + p["cs_beta_mp"] * mp
        + p["cs_beta_du"] * du
    )


def real_rate(p: P, rr_prev: Any, dn: Any, du: Any) -> Any:
    """Mean of the real 10-year yield ``rr_t`` (a pure surprise does not enter: v3)."""
    return p["rr_a"] + p["rr_phi"] * rr_prev + p["rr_beta_df"] * dn + p["rr_beta_du"] * du


def multiple_drivers(p: P, rr: Any, c: Any, f: Any) -> Any:
    """Return the driver part of the multiple equation: intercept, rate and credit terms."""
    return p["ml_a"] + p["ml_d_rr"] * rr + p["ml_d_spread"] * c + p["ml_d_ff"] * f


def multiple(p: P, ml_prev: Any, rr: Any, c: Any, f: Any, news: Any) -> Any:
    """Mean of the large-cap log multiple ``mL_t`` (on 12-quarter average EPS).

    ``news`` is :func:`multiple_news`: valuations move in the quarter on what was not
    expected, on top of the partial adjustment towards the drivers' level.
    """
    return p["ml_phi"] * ml_prev + multiple_drivers(p, rr, c, f) + news


def multiple_news(p: P, dc: Any, nu: Any, mp: Any) -> Any:
    """Return the news part of the multiple: credit news, activity news, policy surprise."""
    return p["ml_n_dc"] * dc + p["ml_n_du"] * nu + p["ml_b_mp"] * mp


def valuation_gap(p: P, ml: Any, rr: Any, c: Any, f: Any) -> Any:
    """Return ``mL`` minus ``m*``, the multiple the drivers hold it to in the long run.

    ``m* = (ml_a + ml_d_rr rr + ml_d_spread c + ml_d_ff f) / (1 - ml_phi)``. The gap is
    zero when the multiple sits where rates and credit would keep it, so the earnings
    catch-up below stops once valuation has come back to its drivers.
    """
    return ml - multiple_drivers(p, rr, c, f) / (1 - p["ml_phi"])


def earnings(p: P, gl_prev: Any, du: Any, dn_prev: Any, s_prev: Any, dc: Any, gap_prev: Any) -> Any:
    """Mean of large-cap earnings growth ``gL_t``, with the valuation error correction."""
    return (
        p["gl_a"]
        + p["gl_rho"] * gl_prev
        + p["gl_b_du"] * du
        + p["gl_b_df"] * dn_prev
        + p["gl_b_slope"] * s_prev
        + p["gl_b_dspread"] * dc
        + p["gl_ec"] * gap_prev
    )


def small_earnings(p: P, gl: Any, dn_prev: Any, s_prev: Any) -> Any:
    """Mean of small-cap earnings growth ``gS_t``."""
    return p["gs_a"] + p["gs_beta_gl"] * gl + p["gs_b_df"] * dn_prev + p["gs_b_slope"] * s_prev


def relative_drift(p: P, dc: Any, mp: Any) -> Any:
    """Return the driven part of the change of ``q``: credit news and the policy surprise."""
    return p["q_lambda_dspread"] * dc + p["q_b_mp"] * mp


def relative_multiple(p: P, q_prev: Any, dc: Any, mp: Any) -> Any:
    """Mean of the small-cap relative log multiple ``q_t`` (AR(1) around ``q_mu``)."""
    return p["q_mu"] * (1 - p["q_phi"]) + p["q_phi"] * q_prev + relative_drift(p, dc, mp)


def surprise_impacts(p: P) -> tuple[Any, Any]:
    """Return the small- and large-cap log price response to a 1 pp pure policy surprise.

    The response in the quarter the surprise happens: the direct valuation effect, the
    fed funds level in the multiple, and the spread's response passed through the
    multiple, ``q`` and earnings growth (every other shock at zero, unemployment held).
    """
    spread = p["cs_beta_mp"]
    multiple = p["ml_b_mp"] + p["ml_d_ff"] + (p["ml_d_spread"] + p["ml_n_dc"]) * spread
    earnings = p["gl_b_dspread"] * spread
    large = multiple + earnings
    small = multiple + p["q_b_mp"] + p["q_lambda_dspread"] * spread + p["gs_beta_gl"] * earnings
    return small, large


def announcement_responses(p: P, mp: Any, info: Any) -> tuple[Any, Any, Any, Any]:
    """Mean announcement-day responses: Russell 2000, SPY, slope, spread.

    The pure policy surprise moves each by the quarterly model's own impact response
    (:func:`surprise_impacts`, and the slope's and spread's impact coefficients): the
    measurement block that ties the event study to the model. The information surprise
    has its own coefficients, which the quarterly model does not use.
    """
    small, large = surprise_impacts(p)
    return (
        p["ev_a_rut"] + small * mp + p["ev_c_rut"] * info,
        p["ev_a_spy"] + large * mp + p["ev_c_spy"] * info,
        p["ev_a_sl"] + p["sl_beta_mp"] * mp + p["ev_c_sl"] * info,
        p["ev_a_cs"] + p["cs_beta_mp"] * mp + p["ev_c_cs"] * info,
    )


#: The intercept of each equation that has one (sampled against centred regressors).
INTERCEPT_OF: dict[str, str] = {
    "du": "un_a",
    "df": "ff_a",
    "s": "sl_a",
    "c": "cs_a",
    "rr": "rr_a",
    "mL": "ml_a",
    "gL": "gl_a",
    "gS": "gs_a",
}
