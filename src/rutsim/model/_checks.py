"""Honesty checks: what the data taught each parameter, prior sensitivity, PPC coverage.

- Identification: posterior sd / prior sd per parameter; ``>= 0.7`` is flagged
  *prior-driven* (the data barely narrowed it), ``< 0.3`` is *data*, between *partly*.
- Prior sensitivity: importance reweighting (Pareto-smoothed) of the posterior from the
  configured priors to priors twice as wide, with no refit; the shift of each posterior
  mean is reported in posterior sds, with the Pareto k-hat that says whether the
  reweighting can be trusted (k-hat > 0.7: refit with the wider priors instead).
- Posterior predictive coverage of small-cap quarterly log returns (one step ahead, given
  the smoothed valuation state) and large-cap earnings growth, at 50% and 90%.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from arviz_stats.base import array_stats
from scipy import stats

from rutsim.config import ModelConfig, PriorSpec
from rutsim.model._build import PARAMETERS
from rutsim.model._data import ModelData
from rutsim.model._prep import mu_dq, mu_gl, mu_gs

PRIOR_DRIVEN, PARTLY = 0.7, 0.3


def _frozen(spec: PriorSpec):
    a = spec.args
    match spec.dist:
        case "Normal":
            return stats.norm(a["mu"], a["sigma"])
        case "HalfNormal":
            return stats.halfnorm(0.0, a["sigma"])
        case "TruncatedNormal":
            lo, hi = (a["lower"] - a["mu"]) / a["sigma"], (a["upper"] - a["mu"]) / a["sigma"]
            return stats.truncnorm(lo, hi, a["mu"], a["sigma"])
        case "Beta":
            return stats.beta(a["alpha"], a["beta"])
        case "Uniform":
            return stats.uniform(a["lower"], a["upper"] - a["lower"])
        case "Gamma":
            return stats.gamma(a["alpha"], scale=1.0 / a["beta"])
        case "Exponential":
            return stats.expon(scale=1.0 / a["lam"])
        case "LogNormal":
            return stats.lognorm(a["sigma"], scale=np.exp(a["mu"]))
    raise ValueError(f"unsupported prior {spec.dist}")


def prior_draws(cfg: ModelConfig, n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` independent draws from every parameter's prior, shape (n,) each."""
    rng = np.random.default_rng(seed)
    return {k: _frozen(s).rvs(size=n, random_state=rng) for k, s in cfg.priors.items()}


def widened(spec: PriorSpec, factor: float = 2.0) -> PriorSpec:
    """Return the same prior with its spread multiplied by about ``factor`` (same centre)."""
    a = dict(spec.args)
    if spec.dist in ("Normal", "HalfNormal", "TruncatedNormal", "LogNormal"):
        a["sigma"] *= factor
    elif spec.dist in ("Beta", "Gamma"):
        # Dividing both shapes by factor^2 keeps the mean and multiplies the sd by
        # about factor (exactly for Gamma, approximately for a concentrated Beta).
        a["alpha"] /= factor**2
        a["beta"] /= factor**2
    elif spec.dist == "Exponential":
        a["lam"] /= factor
    return PriorSpec.model_validate({"dist": spec.dist, **a})


class Identification(NamedTuple):
    """The identification table and the prior-sensitivity summary."""

    table: pd.DataFrame
    khat: float


def identification(
    theta: dict[str, np.ndarray], cfg: ModelConfig, *, seed: int = 0
) -> Identification:
    """Posterior/prior sd ratios and the shift of each mean under twice-wider priors.

    Parameters
    ----------
    theta : dict of str to ndarray
        Posterior samples, each shape (sample,).
    cfg : ModelConfig
        The priors.

    Returns
    -------
    Identification
        ``table`` indexed by parameter with columns prior_mean, prior_sd, post_mean,
        post_sd, sd_ratio, learned ("data" / "partly" / "prior-driven"), and
        wide_prior_shift_sd; ``khat`` of the importance weights.
    """
    draws = prior_draws(cfg, 20_000, seed)
    log_w = np.zeros(len(theta[PARAMETERS[0]]))
    for name, spec in cfg.priors.items():
        x = theta[name]
        log_w += _frozen(widened(spec)).logpdf(x) - _frozen(spec).logpdf(x)
    lw, khat = array_stats.psislw(log_w - log_w.max(), r_eff=1.0)
    w = np.exp(lw - lw.max())
    w /= w.sum()
    rows = []
    for name in PARAMETERS:
        x = theta[name]
        prior_sd, post_sd = float(np.std(draws[name])), float(np.std(x))
        ratio = post_sd / prior_sd
        learned = (
            "prior-driven" if ratio >= PRIOR_DRIVEN else "partly" if ratio >= PARTLY else "data"
        )
        shift = (float(np.sum(w * x)) - float(np.mean(x))) / post_sd
        rows.append(
            {
                "parameter": name,
                "prior_mean": float(np.mean(draws[name])),
                "prior_sd": prior_sd,
                "post_mean": float(np.mean(x)),
                "post_sd": post_sd,
                "sd_ratio": ratio,
                "learned": learned,
                "wide_prior_shift_sd": shift,
            }
        )
    return Identification(pd.DataFrame(rows).set_index("parameter"), float(khat))


class Predictive(NamedTuple):
    """One-step posterior predictive draws and the observed values.

    Attributes
    ----------
    small_cap : (sample, N-1) replicated small-cap quarterly log price returns.
    small_cap_obs : (N-1,) observed ones.
    large_cap_eps : (sample, N-2) replicated large-cap log EPS growth.
    large_cap_eps_obs : (N-2,) observed.
    """

    small_cap: np.ndarray
    small_cap_obs: np.ndarray
    large_cap_eps: np.ndarray
    large_cap_eps_obs: np.ndarray


def predictive(
    theta: dict[str, np.ndarray], q: np.ndarray, data: ModelData, seed: int
) -> Predictive:
    """Replicate small-cap returns and large-cap EPS growth one step ahead.

    ``pS_t - pS_{t-1} = (mL_t - mL_{t-1}) + E[dq_t | q_{t-1}] + mu_gS_t + e``, with
    ``e ~ N(0, q_sigma^2 + gs_sigma^2)`` (both innovations replicated), the observed
    large-cap multiple change and ``q_{t-1}`` from the smoothed path of the same draw.
    """
    rng = np.random.default_rng(seed)
    s = len(theta[PARAMETERS[0]])
    sd = np.sqrt(theta["q_sigma"] ** 2 + theta["gs_sigma"] ** 2)[:, None]
    mean = np.diff(data.ml)[None, :] + mu_dq(theta, q, data) + mu_gs(theta, data)
    small = mean + sd * rng.standard_normal(mean.shape)
    g_mean = mu_gl(theta, data)
    large = g_mean + theta["gl_sigma"][:, None] * rng.standard_normal((s, g_mean.shape[1]))
    return Predictive(small, np.diff(data.ps), large, data.gl[2:])


def coverage(replicated: np.ndarray, observed: np.ndarray, level: float) -> float:
    """Fraction of observations inside the central ``level`` predictive interval."""
    lo, hi = np.quantile(replicated, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return float(np.mean((observed >= lo) & (observed <= hi)))


def coverage_summary(pred: Predictive) -> dict[str, float]:
    """50% and 90% coverage of small-cap returns and large-cap EPS growth."""
    return {
        "small_cap_return_50": coverage(pred.small_cap, pred.small_cap_obs, 0.5),
        "small_cap_return_90": coverage(pred.small_cap, pred.small_cap_obs, 0.9),
        "large_cap_eps_growth_50": coverage(pred.large_cap_eps, pred.large_cap_eps_obs, 0.5),
        "large_cap_eps_growth_90": coverage(pred.large_cap_eps, pred.large_cap_eps_obs, 0.9),
    }
