"""Plausible synthetic posterior draws, for tests and benchmarks of the simulation only.

They exercise the kernel at realistic magnitudes (quarterly units, persistent macro
block, multiples near the 2025 levels) without a fitted model. They are never used to
produce results: ``rutsim run`` always simulates a fitted posterior.
"""

from __future__ import annotations

import numpy as np

from rutsim.model._params import InitialState, PosteriorParams

#: Centre of each synthetic parameter (quarterly units: %, pp, log points).
_CENTRES: dict[str, float] = {
    "ff_a": 0.0,
    "ff_phi": 0.5,
    "ff_sigma": 0.3,
    "sl_a": 0.05,
    "sl_phi": 0.9,
    "sl_beta_df": -0.3,
    "sl_sigma": 0.25,
    "cs_a": 0.2,
    "cs_phi": 0.9,
    "cs_beta_df": 0.05,
    "cs_sigma": 0.2,
    "sc_corr": -0.2,
    "gl_a": 0.01,
    "gl_rho": 0.4,
    "gl_b_df": -0.005,
    "gl_b_slope": 0.002,
    "gl_b_dspread": -0.05,
    "gl_sigma": 0.05,
    "ml_a": 0.433,
    "ml_phi": 0.91,
    "ml_d_ff": -0.01,
    "ml_d_spread": -0.05,
    "ml_sigma": 0.08,
    "glml_corr": 0.2,
    "gs_a": -0.01,
    "gs_beta_gl": 1.3,
    "gs_b_df": -0.01,
    "gs_b_slope": 0.003,
    "gs_sigma": 0.08,
    "q_mu": -0.36,
    "q_phi": 0.97,
    "q_lambda_dspread": -0.05,
    "q_sigma": 0.03,
    "q_last": -0.36,
}


def synthetic_posterior(n_samples: int, seed: int = 0) -> PosteriorParams:
    """Draw ``n_samples`` plausible parameter sets (each field shape ``(sample,)``, float64).

    Each parameter is its centre times ``1 + 0.1 * N(0, 1)`` (persistence ``1 + 0.01 *
    N(0, 1)``, kept below 1);
    scales stay positive and correlations inside (-1, 1).
    """
    rng = np.random.default_rng(seed)
    fields = {}
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
    """Return an initial state near 2025Q3 (fed funds 4.3%, trailing large-cap P/E 26)."""
    return InitialState(
        ff=np.float64(4.3),
        df=np.float64(-0.1),
        slope=np.float64(0.5),
        spread=np.float64(1.8),
        gl=np.float64(0.02),
        ml=np.float64(np.log(26.0)),
        carry=np.float64(0.003),
    )
