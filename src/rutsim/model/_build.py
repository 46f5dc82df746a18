"""The PyMC model: macro block, large caps, latent small-cap relative valuation.

The equations are those of :class:`rutsim.model.PosteriorParams` (and ``docs/model.md``).
Every equation is conditioned on its block's first observation(s), so no initial
condition needs a prior except the latent ``q`` (stationary start).
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from rutsim.config import ModelConfig
from rutsim.config._model import PriorSpec
from rutsim.model._data import ModelData
from rutsim.model._marginal import add_marginal_q, valuation_observations
from rutsim.model._params import PosteriorParams

#: The scalar parameters of the model, in ``PosteriorParams`` order (without ``q_last``).
PARAMETERS: tuple[str, ...] = tuple(f for f in PosteriorParams._fields if f != "q_last")


def prior_variable(name: str, spec: PriorSpec) -> pt.TensorVariable:
    """Create the PyMC random variable ``name`` from its prior spec (inside a model)."""
    return getattr(pm, spec.dist)(name, **spec.args)


def prior_distribution(spec: PriorSpec) -> pt.TensorVariable:
    """Return the unnamed PyMC distribution of a prior spec (for drawing prior samples)."""
    return getattr(pm, spec.dist).dist(**spec.args)


#: Intercepts, sampled against centred regressors (see :func:`_regression`).
INTERCEPTS = ("sl_a", "cs_a", "gl_a", "ml_a", "gs_a")


def _regression(p: dict, cfg: ModelConfig, intercept: str, terms: list) -> pt.TensorVariable:
    """Mean of a linear equation, sampled with centred regressors.

    Regressors such as the slope or the log P/E have means far from zero, which makes
    the intercept and the slopes strongly correlated in the posterior (a narrow ridge
    that NUTS crawls along). The equation is written as ``a_c + sum b_k (x_k - xbar_k)``
    with a flat ``a_c``; the natural intercept ``a = a_c - sum b_k xbar_k`` is a
    deterministic that carries the configured prior through a potential. The map
    ``a_c -> a`` is a shift (unit Jacobian), so the posterior is exactly the one of the
    natural parameterisation.
    """
    a_c = pm.Flat(f"{intercept}_centred")
    xbars = [float(np.mean(x)) for _, x in terms]
    a = pm.Deterministic(
        intercept, a_c - sum(p[b] * xb for (b, _), xb in zip(terms, xbars, strict=True))
    )
    spec = getattr(cfg.priors, intercept)
    pm.Potential(f"{intercept}_prior", pm.logp(prior_distribution(spec), a))
    p[intercept] = a
    return a_c + sum(p[b] * (x - xb) for (b, x), xb in zip(terms, xbars, strict=True))


def _shock(name: str, kind: str, nu: float, mu, sigma, observed) -> None:
    if kind == "student_t":
        pm.StudentT(name, nu=nu, mu=mu, sigma=sigma, observed=observed)
    else:
        pm.Normal(name, mu=mu, sigma=sigma, observed=observed)


def _pair(name: str, kind: str, nu: float, mu, sd1, sd2, corr, observed) -> None:
    cov = pt.stack([pt.stack([sd1**2, corr * sd1 * sd2]), pt.stack([corr * sd1 * sd2, sd2**2])])
    if kind == "student_t":
        pm.MvStudentT(name, nu=nu, mu=mu, scale=cov, observed=observed)
    else:
        pm.MvNormal(name, mu=mu, cov=cov, observed=observed)


def _logp(kind: str, nu: float, x, mu, sigma):
    if kind == "student_t":
        return pm.logp(pm.StudentT.dist(nu=nu, mu=mu, sigma=sigma), x)
    return pm.logp(pm.Normal.dist(mu=mu, sigma=sigma), x)


def relative_return(data: ModelData) -> np.ndarray:
    """(N-1,) observed small-cap log return minus large-cap log multiple change.

    ``r_t = (pS_t - pS_{t-1}) - (mL_t - mL_{t-1}) = (q_t - q_{t-1}) + gS_t``.
    """
    return np.diff(data.ps) - np.diff(data.ml)


def build_model(data: ModelData, cfg: ModelConfig) -> pm.Model:
    """Build the PyMC model on ``data``.

    Parameters
    ----------
    data : ModelData
        The estimation sample (macro quarters ``T``, equity quarters ``N``).
    cfg : ModelConfig
        Shock families, parameterisation of ``q``, priors, anchors, user observations.

    Returns
    -------
    pm.Model
        Free parameters named as in :data:`PARAMETERS`, the latent path ``q`` (dim
        ``quarter``), deterministics ``mS`` (small-cap log P/E) and ``eS`` (small-cap
        log earnings, index points), all on the equity quarters.
    """
    n = len(data.ml)
    coords = {"quarter": list(data.eq_quarters), "macro_quarter": list(data.quarters)}
    mk, mnu = cfg.macro_shocks, cfg.macro_nu
    ek, enu = cfg.equity_shocks, cfg.equity_nu
    with pm.Model(coords=coords) as model:
        p = {
            name: prior_variable(name, spec)
            for name, spec in cfg.priors.items()
            if name not in INTERCEPTS and name != "ff_a"
        }
        df, s, c = data.df, data.s, data.c
        j = np.arange(2, n)  # large-cap equations need gL_{j-1}
        m = data.eq_start + j  # the same quarters on the macro axis
        k = np.arange(1, n)  # small-cap return quarters
        km = data.eq_start + k

        # Macro block, recursive: the policy change first, then slope and spread
        # respond to it contemporaneously with correlated shocks.
        p["ff_a"] = prior_variable("ff_a", cfg.priors.ff_a)
        _shock("obs_df", mk, mnu, p["ff_a"] + p["ff_phi"] * df[:-1], p["ff_sigma"], df[1:])
        mu_s = _regression(p, cfg, "sl_a", [("sl_phi", s[:-1]), ("sl_beta_df", df[1:])])
        mu_c = _regression(p, cfg, "cs_a", [("cs_phi", c[:-1]), ("cs_beta_df", df[1:])])
        sc_obs = np.stack([s[1:], c[1:]], axis=1)
        mu_sc = pt.stack([mu_s, mu_c], axis=1)
        _pair("obs_sc", mk, mnu, mu_sc, p["sl_sigma"], p["cs_sigma"], p["sc_corr"], sc_obs)

        # Large caps: earnings growth and multiple with correlated errors.
        mu_gl = _regression(
            p,
            cfg,
            "gl_a",
            [
                ("gl_rho", data.gl[j - 1]),
                ("gl_b_df", df[m - 1]),
                ("gl_b_slope", s[m - 1]),
                ("gl_b_dspread", data.dc[m]),
            ],
        )
        mu_ml = _regression(
            p,
            cfg,
            "ml_a",
            [("ml_phi", data.ml[j - 1]), ("ml_d_ff", data.f[m]), ("ml_d_spread", c[m])],
        )
        gm_obs = np.stack([data.gl[j], data.ml[j]], axis=1)
        mu_gm = pt.stack([mu_gl, mu_ml], axis=1)
        _pair("obs_glml", ek, enu, mu_gm, p["gl_sigma"], p["ml_sigma"], p["glml_corr"], gm_obs)

        # Small caps: the observed relative return is the change in q plus earnings growth.
        mu_gs = _regression(
            p,
            cfg,
            "gs_a",
            [("gs_beta_gl", data.gl[k]), ("gs_b_df", df[km - 1]), ("gs_b_slope", s[km - 1])],
        )
        r = relative_return(data)
        if cfg.q_parameterisation == "marginal":
            add_marginal_q(p, cfg, data, mu_gs, r)
            return model
        q = _latent_q(cfg, p, data, n)
        pm.Deterministic("mS", data.ml + q, dims="quarter")
        pm.Deterministic("eS", data.ps - data.ml - q, dims="quarter")

        _shock("obs_r", ek, enu, q[1:] - q[:-1] + mu_gs, p["gs_sigma"], r)

        _valuation(cfg, data, q)
    return model


def _latent_q(cfg: ModelConfig, p: dict, data: ModelData, n: int) -> pt.TensorVariable:
    """Return the latent relative valuation path ``q`` (N,), centred or non-centred."""
    phi, mu, lam, sig = p["q_phi"], p["q_mu"], p["q_lambda_dspread"], p["q_sigma"]
    sd0 = sig / pt.sqrt(1 - phi**2)
    dc = data.dc[data.eq_start + 1 : data.eq_start + n]
    ek, enu = cfg.equity_shocks, cfg.equity_nu
    if cfg.q_parameterisation == "centred":
        q = pm.Flat("q", dims="quarter")
        mean = mu * (1 - phi) + phi * q[:-1] + lam * dc
        pm.Potential("q_dynamics", pm.logp(pm.Normal.dist(mu, sd0), q[0]))
        pm.Potential("q_innovations", _logp(ek, enu, q[1:], mean, sig).sum())
        return q
    if ek == "student_t":
        z = pm.StudentT("q_z", nu=enu, mu=0.0, sigma=1.0, dims="quarter")
    else:
        z = pm.Normal("q_z", 0.0, 1.0, dims="quarter")
    # q_j = phi^j q_0 + sum_{k<=j} phi^(j-k) e_k: a lower-triangular matrix product
    # instead of a scan (N is about 150, so the matrix is small and fast to differentiate).
    e = pt.concatenate([pt.stack([mu + sd0 * z[0]]), mu * (1 - phi) + lam * dc + sig * z[1:]])
    lag = np.subtract.outer(np.arange(n), np.arange(n))
    mask = (lag >= 0).astype(float)
    powers = pt.pow(phi, np.maximum(lag, 0).astype(float)) * mask
    q = pm.Deterministic("q", pt.dot(powers, e), dims="quarter")
    return q


def _valuation(cfg: ModelConfig, data: ModelData, q: pt.TensorVariable) -> None:
    obs = valuation_observations(cfg, data)
    if len(obs.y):
        pm.Normal("obs_valuation", mu=pt.dot(obs.a, q), sigma=obs.sd, observed=obs.y)
