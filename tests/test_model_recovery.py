"""Parameter recovery: fit one dataset simulated with known parameters, recover them.

This is a single-dataset recovery check, not simulation-based calibration (which would
repeat it over many draws from the prior). It costs a full fit, so it runs under -m slow.
"""

from __future__ import annotations

import numpy as np
import pytest

from rutsim.config import SamplerConfig
from rutsim.config._model import ModelConfig
from rutsim.model import PARAMETERS, fit_data
from rutsim.model._api import theta_of
from rutsim.model._posterior import stacked
from test_model_synthetic import TRUTH, simulate


@pytest.mark.slow
def test_known_parameters_fall_inside_posterior_intervals() -> None:
    data, q_true = simulate(120, seed=2024)
    model = ModelConfig.model_validate({"macro_shocks": "normal", "anchors": {"enabled": False}})
    sampler = SamplerConfig(chains=2, draws=300, tune=300, seed=5)
    result = fit_data(data, model, sampler, allow_unconverged=True, progress=False)
    theta = theta_of(result.posterior)
    outside = []
    for name in PARAMETERS:
        lo, hi = np.quantile(theta[name], [0.005, 0.995])
        if not lo <= TRUTH[name] <= hi:
            outside.append((name, TRUTH[name], round(lo, 4), round(hi, 4)))
    # 48 parameters at 99%: by chance about 0.5 miss; two or more signals a broken model
    # (about 8% by chance alone, so a failure here is worth a look, not a retry).
    assert len(outside) <= 1, outside
    # Well-identified sensitivities are recovered tightly, not just covered by a wide prior.
    for name in ("sl_beta_df", "gl_b_dspread", "gs_beta_gl", "ml_phi"):
        assert abs(np.median(theta[name]) - TRUTH[name]) < 4 * np.std(theta[name])
        assert (
            np.std(theta[name])
            < 0.5
            * {"sl_beta_df": 0.5, "gl_b_dspread": 0.05, "gs_beta_gl": 0.5, "ml_phi": 0.12}[name]
        )
    # The latent path: the truth lies inside the 99% band in most quarters.
    q = stacked(result.posterior["posterior"].to_dataset(), "q")
    lo, hi = np.quantile(q, [0.005, 0.995], axis=0)
    assert np.mean((q_true >= lo) & (q_true <= hi)) > 0.9
    assert result.diagnostics.divergences == 0
