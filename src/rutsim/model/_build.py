"""The PyMC model: macro block, large caps, latent small-cap relative valuation.

The equation means come from :mod:`rutsim.equations` (shared with NumPy and JAX;
``docs/model.md`` writes them out).
Every equation is conditioned on its block's first observation(s), so no initial
condition needs a prior except the latent ``q`` (stationary start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from rutsim import equations as eq
from rutsim.config import PARAMETER_NAMES, ModelConfig, PriorSpec
from rutsim.equations import INTERCEPT_OF
from rutsim.model._data import Announcements, ModelData
from rutsim.model._marginal import add_marginal_q, relative_drivers, valuation_observations

#: The scalar parameters of the model, in registry order (``PosteriorParams`` less ``q_last``).
PARAMETERS: tuple[str, ...] = PARAMETER_NAMES


def prior_variable(name: str, spec: PriorSpec) -> pt.TensorVariable:
    """Create the PyMC random variable ``name`` from its prior spec (inside a model)."""
    return getattr(pm, spec.dist)(name, **spec.args)


def prior_distribution(spec: PriorSpec) -> pt.TensorVariable:
    """Return the unnamed PyMC distribution of a prior spec (for drawing prior samples)."""
    return getattr(pm, spec.dist).dist(**spec.args)


#: Intercepts, sampled against centred regressors (see :func:`_centred`).
INTERCEPTS: tuple[str, ...] = tuple(INTERCEPT_OF.values())


def _centred(p: dict, cfg: ModelConfig, intercept: str, mean: Callable[[dict], Any]) -> Any:
    """Mean of one equation, sampled with its regressors centred.

    Regressors such as the slope or the log multiple have means far from zero, which
    makes the intercept and the slopes strongly correlated in the posterior (a narrow
    ridge that NUTS crawls along). Every equation is linear in its intercept, so with
    ``rest`` the mean without the intercept, the model samples a flat ``a_c`` and writes
    the mean as ``a_c + (rest - mean_t rest)``; the natural intercept
    ``a = a_c - mean_t rest`` is a deterministic that carries the configured prior
    through a potential. The map ``a_c -> a`` is a shift (unit Jacobian), so the
    posterior is exactly the one of the natural parameterisation; ``mean`` is the one
    equation function shared with NumPy and JAX.
    """
    a_c = pm.Flat(f"{intercept}_centred")
    p[intercept] = 0.0
    rest = mean(p)
    a = pm.Deterministic(intercept, a_c - pt.mean(rest))
    pm.Potential(
        f"{intercept}_prior", pm.logp(prior_distribution(getattr(cfg.priors, intercept)), a)
    )
    p[intercept] = a
    return a_c + (rest - pt.mean(rest))


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
        p: dict[str, Any] = {
            name: prior_variable(name, spec)
            for name, spec in cfg.priors.items()
            if name not in INTERCEPTS
        }
        d = data
        j = np.arange(2, n)  # large-cap equations need gL_{j-1}
        m = data.eq_start + j  # the same quarters on the macro axis
        k = np.arange(1, n)  # small-cap return quarters
        km = data.eq_start + k

        # Macro block, recursive: activity first, then the Fed (what markets priced in,
        # then its reaction to activity), then the curve, credit and real yield, which
        # move on the part of the Fed's move that was not a surprise (an association)
        # and on the pure policy surprise (a causal effect, tied to announcement days).
        mu_u = _centred(p, cfg, "un_a", lambda p: eq.unemployment(p, d.du[:-1], d.u[:-1]))
        _shock("obs_du", mk, mnu, mu_u, p["un_sigma"], d.du[1:])
        mu_f = _centred(p, cfg, "ff_a", lambda p: eq.policy(p, d.dn[:-1], d.du[1:], d.pdf[1:]))
        _shock("obs_df", mk, mnu, mu_f, p["ff_sigma"], d.df[1:])
        dn, mp = d.dn[1:], d.mp[1:]
        mu_s = _centred(p, cfg, "sl_a", lambda p: eq.slope(p, d.s[:-1], dn, mp, d.du[1:]))
        mu_c = _centred(p, cfg, "cs_a", lambda p: eq.spread(p, d.c[:-1], dn, mp, d.du[1:]))
        sc_obs = np.stack([d.s[1:], d.c[1:]], axis=1)
        mu_sc = pt.stack([mu_s, mu_c], axis=1)
        _pair("obs_sc", mk, mnu, mu_sc, p["sl_sigma"], p["cs_sigma"], p["sc_corr"], sc_obs)
        mu_r = _centred(p, cfg, "rr_a", lambda p: eq.real_rate(p, d.rr[:-1], dn, d.du[1:]))
        _shock("obs_rr", mk, mnu, mu_r, p["rr_sigma"], d.rr[1:])
        _announcement_days(p, data.announcements)

        # Unemployment news: this quarter's change less the model's forecast of it
        # (macro quarter i >= 1 is row i - 1 of mu_u).
        nu = pt.concatenate([pt.zeros(1), d.du[1:] - mu_u])

        # Large caps: the multiple on smoothed earnings (partial adjustment towards its
        # drivers, plus the quarter's news), and earnings growth with the catch-up
        # towards the multiple's driver-implied level; correlated errors.
        def multiple(p: dict) -> Any:
            news = eq.multiple_news(p, d.dc[m], nu[m], d.mp[m])
            return eq.multiple(p, d.ml[j - 1], d.rr[m], d.c[m], d.f[m], news)

        mu_ml = _centred(p, cfg, "ml_a", multiple)

        def growth(p: dict) -> Any:
            gap = eq.valuation_gap(p, d.ml[j - 1], d.rr[m - 1], d.c[m - 1], d.f[m - 1])
            return eq.earnings(p, d.gl[j - 1], d.du[m], d.dn[m - 1], d.s[m - 1], d.dc[m], gap)

        mu_gl = _centred(p, cfg, "gl_a", growth)
        gm_obs = np.stack([d.gl[j], d.ml[j]], axis=1)
        mu_gm = pt.stack([mu_gl, mu_ml], axis=1)
        _pair("obs_glml", ek, enu, mu_gm, p["gl_sigma"], p["ml_sigma"], p["glml_corr"], gm_obs)

        # Small caps: the observed relative return is the change in q plus earnings growth.
        mu_gs = _centred(
            p, cfg, "gs_a", lambda p: eq.small_earnings(p, d.gl[k], d.dn[km - 1], d.s[km - 1])
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


#: Degrees of freedom of the announcement-day noise: a few days (September 2001, the
#: 2008 intermeeting cuts) move markets for reasons besides the surprise.
ANNOUNCEMENT_NU = 4.0


def _announcement_days(p: dict, days: Announcements) -> None:
    """Add the measurement block: announcement-day responses to policy and information news.

    Each response is ``a + impact * mp + c * info + noise`` with Student-t noise; the
    impacts of the pure policy surprise are the quarterly model's own coefficients
    (:func:`rutsim.equations.announcement_responses`), so the event study identifies the
    policy channel that quarterly data confound with the Fed's reaction to the cycle.
    """
    means = eq.announcement_responses(p, days.mp, days.info)
    scales = (p["ev_s_rut"], p["ev_s_spy"], p["ev_s_sl"], p["ev_s_cs"])
    observed = (days.rut, days.spy, days.slope, days.spread)
    for name, mean, scale, y in zip(
        ("rut", "spy", "slope", "spread"), means, scales, observed, strict=True
    ):
        ok = np.flatnonzero(np.isfinite(y))
        if ok.size:
            pm.StudentT(
                f"obs_day_{name}", nu=ANNOUNCEMENT_NU, mu=mean[ok], sigma=scale, observed=y[ok]
            )


def _latent_q(cfg: ModelConfig, p: dict, data: ModelData, n: int) -> pt.TensorVariable:
    """Return the latent relative valuation path ``q`` (N,), centred or non-centred."""
    phi, mu, sig = p["q_phi"], p["q_mu"], p["q_sigma"]
    sd0 = sig / pt.sqrt(1 - phi**2)
    drift = eq.relative_drift(p, *relative_drivers(data))
    ek, enu = cfg.equity_shocks, cfg.equity_nu
    if cfg.q_parameterisation == "centred":
        q = pm.Flat("q", dims="quarter")
        mean = mu * (1 - phi) + phi * q[:-1] + drift
        pm.Potential("q_dynamics", pm.logp(pm.Normal.dist(mu, sd0), q[0]))
        pm.Potential("q_innovations", _logp(ek, enu, q[1:], mean, sig).sum())
        return q
    if ek == "student_t":
        z = pm.StudentT("q_z", nu=enu, mu=0.0, sigma=1.0, dims="quarter")
    else:
        z = pm.Normal("q_z", 0.0, 1.0, dims="quarter")
    # q_j = phi^j q_0 + sum_{k<=j} phi^(j-k) e_k: a lower-triangular matrix product
    # instead of a scan (N is about 150, so the matrix is small and fast to differentiate).
    e = pt.concatenate([pt.stack([mu + sd0 * z[0]]), mu * (1 - phi) + drift + sig * z[1:]])
    lag = np.subtract.outer(np.arange(n), np.arange(n))
    mask = (lag >= 0).astype(float)
    powers = pt.pow(phi, np.maximum(lag, 0).astype(float)) * mask
    q = pm.Deterministic("q", pt.dot(powers, e), dims="quarter")
    return q


def _valuation(cfg: ModelConfig, data: ModelData, q: pt.TensorVariable) -> None:
    obs = valuation_observations(cfg, data)
    if len(obs.y):
        pm.Normal("obs_valuation", mu=pt.dot(obs.a, q), sigma=obs.sd, observed=obs.y)
