"""The model's equations, written once for PyMC, NumPy and JAX.

Every function maps parameters and lagged/current variables to the conditional mean of
one equation in ``docs/model.md``. They use only ``+``, ``-``, ``*`` and ``/``, so the
same code runs on PyTensor tensors (the PyMC model), NumPy arrays (posterior checks, one
row per draw) and JAX scalars (the simulation step). ``p`` is any mapping from parameter
name to value (a dict of tensors, of ``(sample, 1)`` arrays, or a ``PosteriorParams``
turned into a dict); shocks are added by the caller.

Notation (quarterly): ``u`` unemployment rate (%), ``du`` its change; ``f`` fed funds (%),
``df`` its change; ``s`` 10y-2y slope; ``c`` Baa-10y spread and ``dc`` its change; ``rr``
real 10-year yield (pp); ``gL`` log growth of large-cap 12-quarter average EPS; ``mL``
large-cap log multiple on it; ``q`` small-cap relative log multiple; ``gS`` small-cap
log earnings growth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

P = Mapping[str, Any]


def unemployment(p: P, du_prev: Any, u_prev: Any) -> Any:
    """Mean of ``du_t``: persistent changes, the level pulled back to its mean."""
    return p["un_a"] + p["un_rho"] * du_prev + p["un_kappa"] * u_prev


def policy(p: P, df_prev: Any, du: Any) -> Any:
    """Mean of ``df_t``: the Fed's reaction to this quarter's unemployment change."""
    return p["ff_a"] + p["ff_phi"] * df_prev + p["ff_b_du"] * du


def slope(p: P, s_prev: Any, df: Any, du: Any) -> Any:
    """Mean of the 10y-2y slope ``s_t``."""
    return p["sl_a"] + p["sl_phi"] * s_prev + p["sl_beta_df"] * df + p["sl_beta_du"] * du


def spread(p: P, c_prev: Any, df: Any, du: Any) -> Any:
    """Mean of the credit spread ``c_t``."""
    return p["cs_a"] + p["cs_phi"] * c_prev + p["cs_beta_df"] * df + p["cs_beta_du"] * du


def real_rate(p: P, rr_prev: Any, df: Any, du: Any) -> Any:
    """Mean of the real 10-year yield ``rr_t``."""
    return p["rr_a"] + p["rr_phi"] * rr_prev + p["rr_beta_df"] * df + p["rr_beta_du"] * du


def multiple_drivers(p: P, rr: Any, c: Any, f: Any) -> Any:
    """Return the driver part of the multiple equation: intercept, rate and credit terms."""
    return p["ml_a"] + p["ml_d_rr"] * rr + p["ml_d_spread"] * c + p["ml_d_ff"] * f


def multiple(p: P, ml_prev: Any, rr: Any, c: Any, f: Any) -> Any:
    """Mean of the large-cap log multiple ``mL_t`` (on 12-quarter average EPS)."""
    return p["ml_phi"] * ml_prev + multiple_drivers(p, rr, c, f)


def valuation_gap(p: P, ml: Any, rr: Any, c: Any, f: Any) -> Any:
    """Return ``mL`` minus ``m*``, the multiple the drivers hold it to in the long run.

    ``m* = (ml_a + ml_d_rr rr + ml_d_spread c + ml_d_ff f) / (1 - ml_phi)``. The gap is
    zero when the multiple sits where rates and credit would keep it, so the earnings
    catch-up below stops once valuation has come back to its drivers.
    """
    return ml - multiple_drivers(p, rr, c, f) / (1 - p["ml_phi"])


def earnings(p: P, gl_prev: Any, du: Any, df_prev: Any, s_prev: Any, dc: Any, gap_prev: Any) -> Any:
    """Mean of large-cap earnings growth ``gL_t``, with the valuation error correction."""
    return (
        p["gl_a"]
        + p["gl_rho"] * gl_prev
        + p["gl_b_du"] * du
        + p["gl_b_df"] * df_prev
        + p["gl_b_slope"] * s_prev
        + p["gl_b_dspread"] * dc
        + p["gl_ec"] * gap_prev
    )


def small_earnings(p: P, gl: Any, df_prev: Any, s_prev: Any) -> Any:
    """Mean of small-cap earnings growth ``gS_t``."""
    return p["gs_a"] + p["gs_beta_gl"] * gl + p["gs_b_df"] * df_prev + p["gs_b_slope"] * s_prev


def relative_multiple(p: P, q_prev: Any, dc: Any) -> Any:
    """Mean of the small-cap relative log multiple ``q_t`` (AR(1) around ``q_mu``)."""
    return p["q_mu"] * (1 - p["q_phi"]) + p["q_phi"] * q_prev + p["q_lambda_dspread"] * dc


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
