"""The analytic marginalisation of q equals brute-force Gaussian algebra."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats

from rutsim.config._model import ModelConfig
from rutsim.model._build import PARAMETERS, build_model, relative_return
from rutsim.model._marginal import draw_q_paths, valuation_observations
from rutsim.model._prep import mu_gs
from test_model_synthetic import TRUTH, simulate


def _dense_marginal(theta: dict[str, float], data, cfg: ModelConfig) -> float:
    """log p(r, y | theta) with q ~ N(m, S) written out densely (N x N)."""
    n = len(data.ml)
    phi, mu, lam, lam_mp, sig, g = (
        theta[k] for k in ("q_phi", "q_mu", "q_lambda_dspread", "q_b_mp", "q_sigma", "gs_sigma")
    )
    dc, mp = data.dc[1:n], data.mp[1:n]
    m = np.empty(n)
    m[0] = mu
    for t in range(1, n):
        m[t] = mu * (1 - phi) + phi * m[t - 1] + lam * dc[t - 1] + lam_mp * mp[t - 1]
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    cov_q = sig**2 / (1 - phi**2) * phi**lag
    obs = valuation_observations(cfg, data)
    h = np.vstack([np.diff(np.eye(n), axis=0), obs.a])
    th = {k: np.array([v]) for k, v in theta.items()}
    mean = np.r_[np.diff(m) + mu_gs(th, data)[0], obs.a @ m]
    noise = np.r_[np.full(n - 1, g**2), obs.sd**2]
    y = np.r_[relative_return(data), obs.y]
    return float(stats.multivariate_normal(mean, h @ cov_q @ h.T + np.diag(noise)).logpdf(y))


def test_marginal_potential_equals_dense_gaussian() -> None:
    data, _ = simulate(30, seed=3)
    # Valuation observations at a few quarters exercise the low-rank (Woodbury) term.
    pe = np.full(30, np.nan)
    pe[[5, 17, 29]] = data.ml[[5, 17, 29]] + np.array([-0.3, -0.25, -0.35])
    data = data._replace(pe_user=pe)
    cfg = ModelConfig.model_validate({"anchors": {"enabled": False}})
    model = build_model(data, cfg)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba will use object mode")
        point = model.initial_point()
    # off the initial point, so that every q coefficient (q_b_mp starts at 0) matters
    rng = np.random.default_rng(2)
    point = {k: v + 0.1 * rng.standard_normal(np.shape(v)) for k, v in point.items()}
    outs = model.replace_rvs_by_values([model[k] for k in PARAMETERS])
    values = model.compile_fn(outs, inputs=model.value_vars, on_unused_input="ignore")(point)
    theta = dict(zip(PARAMETERS, (float(v) for v in values), strict=True))
    assert abs(theta["q_b_mp"]) > 1e-3
    pot = next(p for p in model.potentials if p.name == "q_marginal_loglik")
    (pot,) = model.replace_rvs_by_values([pot])
    got = float(model.compile_fn(pot, inputs=model.value_vars, on_unused_input="ignore")(point))
    assert np.isclose(got, _dense_marginal(theta, data, cfg), rtol=1e-8, atol=1e-6)


def test_conditional_q_draws_match_dense_posterior_mean() -> None:
    data, q_true = simulate(25, seed=4)
    cfg = ModelConfig.model_validate({"anchors": {"enabled": False}})
    theta = {k: np.full(4000, v) for k, v in TRUTH.items()}
    draws = draw_q_paths(theta, mu_gs(theta, data), cfg, data, np.random.default_rng(0))
    # Dense Gaussian conditioning of q on r.
    n = len(data.ml)
    t = TRUTH
    phi, sig = t["q_phi"], t["q_sigma"]
    m = np.empty(n)
    m[0] = t["q_mu"]
    for i in range(1, n):
        m[i] = (
            t["q_mu"] * (1 - phi)
            + phi * m[i - 1]
            + t["q_lambda_dspread"] * data.dc[i]
            + t["q_b_mp"] * data.mp[i]
        )
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    cov = sig**2 / (1 - phi**2) * phi**lag
    h = np.diff(np.eye(n), axis=0)
    s_y = h @ cov @ h.T + t["gs_sigma"] ** 2 * np.eye(n - 1)
    th1 = {k: np.array([v]) for k, v in TRUTH.items()}
    resid = relative_return(data) - (np.diff(m) + mu_gs(th1, data)[0])
    mean = m + cov @ h.T @ np.linalg.solve(s_y, resid)
    sd = np.sqrt(np.diag(cov - cov @ h.T @ np.linalg.solve(s_y, h @ cov)))
    assert np.all(np.abs(draws.mean(axis=0) - mean) < 4 * sd / np.sqrt(4000))
    assert np.allclose(draws.std(axis=0), sd, rtol=0.08)


def test_low_rank_and_dense_solves_agree_with_numpy() -> None:
    """Both exact solves of the marginal likelihood: (Lambda^-1 b, log|Lambda|)."""
    import pytensor
    import pytensor.tensor as pt

    from rutsim.model._marginal import (
        ValuationObservations,
        _solve_dense,
        _solve_low_rank,
        _structure,
        use_dense,
    )

    rng = np.random.default_rng(3)
    n, k = 30, 25
    rows = np.eye(n)[rng.choice(n, size=k, replace=False)]
    rows[0] = 1.0 / n  # one window observation among the point ones
    obs = ValuationObservations(
        names=tuple(f"o{i}" for i in range(k)), a=rows, y=rng.normal(size=k), sd=np.full(k, 0.1)
    )
    phi, sig, g = pt.dscalar(), pt.dscalar(), pt.dscalar()
    b = pt.dvector()
    values = (0.93, 0.04, 0.07, rng.normal(size=n))
    interior, off, dtd = _structure(n)
    prec = (np.eye(n) + 0.93**2 * interior - 0.93 * off) / 0.04**2 + dtd / 0.07**2
    prec += rows.T @ (rows / 0.1**2)
    want = np.linalg.solve(prec, values[3]), np.linalg.slogdet(prec)[1]
    for solve in (_solve_low_rank, _solve_dense):
        q_hat, log_det = solve(n, obs, phi, sig, g, b)
        got = pytensor.function([phi, sig, g, b], [q_hat, log_det])(*values)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-8)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-10)
    # the dense solve takes over where the low-rank one would cost more
    assert not use_dense(139, 3) and use_dense(139, 139) and not use_dense(139, 60)
