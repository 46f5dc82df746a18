"""The posterior pytree: the one hand-off from PyMC to the JAX simulation.

All fields of :class:`PosteriorParams` are arrays of shape ``(sample,)`` where ``sample``
stacks ``chain x draw`` (chain-major). Parameters are in the *natural* form of the
equations in ``docs/model.md`` (any centring or reparameterisation used for sampling is
undone by :func:`rutsim.model.posterior_to_pytree`). :class:`InitialState` holds the
last observed quarter of the data (scalars), from which every simulated path starts.
"""

from __future__ import annotations

from typing import NamedTuple

import jax


class PosteriorParams(NamedTuple):
    """Posterior samples of every parameter the simulation needs; each shape ``(sample,)``.

    Macro block (f = fed funds %, s = 10y-2y slope pp, c = Baa-10y spread pp)::

        df_t = ff_a + ff_phi * df_{t-1} + ff_sigma * e_f
        s_t  = sl_a + sl_phi * s_{t-1} + sl_beta_df * df_t + u_s
        c_t  = cs_a + cs_phi * c_{t-1} + cs_beta_df * df_t + u_c
        (u_s, u_c) ~ sd (sl_sigma, cs_sigma), correlation sc_corr

    Large caps (gL = log growth of trailing-4Q operating EPS, mL = log trailing P/E)::

        gL_t = gl_a + gl_rho * gL_{t-1} + gl_b_df * df_{t-1} + gl_b_slope * s_{t-1}
               + gl_b_dspread * dc_t + v_g
        mL_t = ml_a + ml_phi * mL_{t-1} + ml_d_ff * f_t + ml_d_spread * c_t + v_m
        (v_g, v_m) ~ sd (gl_sigma, ml_sigma), correlation glml_corr

    Small caps (q = relative log multiple, mS = mL + q, gS = small-cap earnings growth)::

        q_t  = q_mu * (1 - q_phi) + q_phi * q_{t-1} + q_lambda_dspread * dc_t + q_sigma * z_q
        gS_t = gs_a + gs_beta_gl * gL_t + gs_b_df * df_{t-1} + gs_b_slope * s_{t-1}
               + gs_sigma * z_s

    ``q_last`` is the posterior of the latent ``q`` at the last observed quarter.

    Shock scales: with ``ShockSpec.macro == "student_t"``, ``e_f`` is a standard
    Student-t(``macro_nu``) (unit scale, variance nu/(nu-2)) and ``(u_s, u_c)`` is ONE
    bivariate Student-t(``macro_nu``) with scale matrix
    ``[[sl_sigma^2, r sl_sigma cs_sigma], [r sl_sigma cs_sigma, cs_sigma^2]]``,
    ``r = sc_corr`` (one shared chi-square mixing draw per quarter), so the ``*_sigma``
    are scales, not sds. With "normal" they are sds. Equity shocks (``v_g, v_m, z_q, z_s``)
    follow ``ShockSpec.equity`` the same way.

    Small-cap price (the observation identity): ``pS_t - pS_{t-1} = gS_t + (mL_t -
    mL_{t-1}) + (q_t - q_{t-1})``; the small-cap log trailing P/E is ``mS_t = mL_t + q_t``.
    """

    ff_a: jax.Array
    ff_phi: jax.Array
    ff_sigma: jax.Array
    sl_a: jax.Array
    sl_phi: jax.Array
    sl_beta_df: jax.Array
    sl_sigma: jax.Array
    cs_a: jax.Array
    cs_phi: jax.Array
    cs_beta_df: jax.Array
    cs_sigma: jax.Array
    sc_corr: jax.Array
    gl_a: jax.Array
    gl_rho: jax.Array
    gl_b_df: jax.Array
    gl_b_slope: jax.Array
    gl_b_dspread: jax.Array
    gl_sigma: jax.Array
    ml_a: jax.Array
    ml_phi: jax.Array
    ml_d_ff: jax.Array
    ml_d_spread: jax.Array
    ml_sigma: jax.Array
    glml_corr: jax.Array
    gs_a: jax.Array
    gs_beta_gl: jax.Array
    gs_b_df: jax.Array
    gs_b_slope: jax.Array
    gs_sigma: jax.Array
    q_mu: jax.Array
    q_phi: jax.Array
    q_lambda_dspread: jax.Array
    q_sigma: jax.Array
    q_last: jax.Array


class InitialState(NamedTuple):
    """The last observed quarter, where every simulated path starts (scalars).

    Attributes
    ----------
    ff : fed funds, quarterly average, % (f_T)
    df : fed funds change in the last quarter, pp (f_T - f_{T-1})
    slope : 10y-2y slope, pp (s_T)
    spread : Baa-10y spread, pp (c_T)
    gl : large-cap log earnings growth, last quarter (gL_T)
    ml : large-cap log trailing P/E (mL_T)
    carry : small-cap quarterly log carry (dividend yield net of fees), from IWM vs ^RUT
    """

    ff: jax.Array
    df: jax.Array
    slope: jax.Array
    spread: jax.Array
    gl: jax.Array
    ml: jax.Array
    carry: jax.Array


class ShockSpec(NamedTuple):
    """Static (hashable) choices that change the kernel's code path, not its values.

    Attributes
    ----------
    macro : "normal" or "student_t" shocks for the macro block.
    macro_nu : degrees of freedom when ``macro == "student_t"`` (fixed, not estimated).
    equity : "normal" or "student_t" shocks for gL, mL, gS and q.
    equity_nu : degrees of freedom when ``equity == "student_t"``.
    """

    macro: str = "student_t"
    macro_nu: float = 5.0
    equity: str = "normal"
    equity_nu: float = 7.0
