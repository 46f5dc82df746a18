"""Plausible synthetic posterior draws, for tests and benchmarks of the simulation only.

They exercise the kernel at realistic magnitudes (quarterly units, persistent macro
block, multiples near the 2025 levels) without a fitted model. They are never used to
produce results: ``rutsim run`` always simulates a fitted posterior.
"""

from __future__ import annotations

import numpy as np

from rutsim.types import InitialState, PosteriorParams

#: Centre of each synthetic parameter (quarterly units: %, pp, log points).
_CENTRES: dict[str, float] = {
    "un_a": 0.6,
    "un_rho": 0.1,
    "un_kappa": -0.11,
    "un_sigma": 0.25,
    "ff_a": 0.0,
    "ff_b_pi": 1.0,
    "ff_phi": 0.5,
    "ff_b_du": -0.12,
    "ff_sigma": 0.25,
    "sl_a": 0.05,
    "sl_phi": 0.9,
    "sl_beta_df": -0.3,
    "sl_beta_mp": -0.28,
    "sl_beta_du": 0.02,
    "sl_sigma": 0.2,
    "cs_a": 0.3,
    "cs_phi": 0.86,
    "cs_beta_df": -0.1,
    "cs_beta_mp": 0.05,
    "cs_beta_du": 0.07,
    "cs_sigma": 0.2,
    "sc_corr": -0.2,
    "rr_a": 0.1,
    "rr_phi": 0.93,
    "rr_beta_df": 0.1,
    "rr_beta_du": 0.1,
    "rr_sigma": 0.35,
    "gl_a": 0.004,
    "gl_rho": 0.75,
    "gl_b_du": -0.005,
    "gl_b_df": 0.005,
    "gl_b_slope": 0.002,
    "gl_b_dspread": -0.005,
    "gl_ec": 0.015,
    "gl_sigma": 0.012,
    "ml_a": 0.46,
    "ml_phi": 0.88,
    "ml_d_rr": -0.003,
    "ml_d_spread": -0.03,
    "ml_d_ff": -0.004,
    "ml_n_dc": -0.05,
    "ml_n_du": -0.02,
    "ml_b_mp": -0.06,
    "ml_sigma": 0.075,
    "glml_corr": 0.2,
    "gs_a": -0.005,
    "gs_beta_gl": 1.3,
    "gs_b_df": -0.01,
    "gs_b_slope": 0.003,
    "gs_sigma": 0.06,
    "q_mu": -0.36,
    "q_phi": 0.95,
    "q_lambda_dspread": -0.05,
    "q_b_mp": 0.03,
    "q_sigma": 0.04,
    "q_last": -0.36,
    "ev_a_rut": 0.002,
    "ev_c_rut": 0.0,
    "ev_s_rut": 0.01,
    "ev_a_spy": 0.002,
    "ev_c_spy": 0.03,
    "ev_s_spy": 0.01,
    "ev_a_sl": 0.0,
    "ev_c_sl": -0.2,
    "ev_s_sl": 0.04,
    "ev_a_cs": 0.0,
    "ev_c_cs": 0.04,
    "ev_s_cs": 0.03,
}


def synthetic_posterior(n_samples: int, seed: int = 0) -> PosteriorParams:
    """Draw ``n_samples`` plausible parameter sets (each field shape ``(sample,)``, float64).

    Each parameter is its centre times ``1 + 0.1 * N(0, 1)`` (persistence ``1 + 0.01 *
    N(0, 1)``, kept below 1);
    scales stay positive and correlations inside (-1, 1).
    """
    rng = np.random.default_rng(seed)
    fields: dict[str, np.ndarray] = {}
    for name in PosteriorParams._fields:
        centre = _CENTRES[name]
        # Persistence varies less: the equilibrium multiple is very sensitive to it.
        spread = 0.01 if name.endswith(("_phi", "_rho")) else 0.1
        draw = centre * (1 + spread * rng.standard_normal(n_samples))
        if name.endswith(("_phi", "_rho")):
            draw = np.clip(draw, 0.0, 0.99)
        fields[name] = draw
    return PosteriorParams(**fields)


def synthetic_initial() -> InitialState:
    """Return an initial state near 2025Q3 (fed funds 4.3%, large-cap P/E 31 on smoothed EPS)."""
    return InitialState(
        ff=np.asarray(4.3),
        df=np.asarray(-0.1),
        dn=np.asarray(-0.1),
        slope=np.asarray(0.5),
        spread=np.asarray(1.8),
        un=np.asarray(4.3),
        dun=np.asarray(0.1),
        rr=np.asarray(1.3),
        gl=np.asarray(0.02),
        ml=np.asarray(np.log(31.0)),
        carry=np.asarray(0.003),
    )
