"""The latent relative valuation ``q`` integrated out analytically (the default).

With normal equity shocks everything that touches ``q`` is linear and Gaussian: the
AR(1) prior of the path, the relative returns ``r_t = q_t - q_{t-1} + mu_gS_t + e_t``
and the valuation anchors / user observations ``y_k = A_k q + e_k``. The marginal
likelihood of the data given the parameters is then exact, with precision

    Lambda = L'L / q_sigma^2 + D'D / gs_sigma^2 + A' diag(1/sd^2) A      (N x N)

and NUTS never sees the path, so the funnel between the path and its scale disappears.
The path is drawn afterwards from its exact conditional ``N(Lambda^-1 b, Lambda^-1)``
for every posterior draw (:func:`draw_q_paths`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy.linalg import solve_triangular

from rutsim import equations as eq
from rutsim.config import ModelConfig
from rutsim.model._data import ModelData


class ValuationObservations(NamedTuple):
    """Linear observations of the path, ``y = A q + N(0, sd^2)``.

    Attributes
    ----------
    names : (K,) labels ("anchor_trailing_pe", "user_pe[2001Q1]", ...).
    a : (K, N) loadings on the path over the equity quarters.
    y : (K,) observed values, with the observed large-cap and price terms moved over.
    sd : (K,) measurement sds (log scale).
    """

    names: tuple[str, ...]
    a: np.ndarray
    y: np.ndarray
    sd: np.ndarray


def valuation_observations(cfg: ModelConfig, data: ModelData) -> ValuationObservations:
    """Anchors and user observations as linear observations of ``q``.

    They are trailing-earnings figures, so they observe ``mL_ttm + q``: the relative
    multiple ``q`` is taken to be the same on trailing and on smoothed earnings (small
    and large caps' trailing/smoothed earnings ratios move together).
    """
    n = len(data.ml)
    names: list[str] = []
    rows: list[np.ndarray] = []
    ys: list[float] = []
    sds: list[float] = []
    a = cfg.anchors
    quarters = list(data.eq_quarters)
    # Every anchor is dated at the seed's quarter; a sample ending before it cannot use
    # any of them (look-ahead), and the window averages end at that quarter.
    if a.enabled and a.trailing_pe_quarter in quarters:
        i = quarters.index(a.trailing_pe_quarter)
        names.append("anchor_trailing_pe")
        rows.append(np.eye(n)[i])
        ys.append(np.log(a.trailing_pe) - data.ml_ttm[i])
        sds.append(a.trailing_pe_sd)
        if i + 1 >= a.avg_quarters:
            row = np.zeros(n)
            row[i + 1 - a.avg_quarters : i + 1] = 1.0 / a.avg_quarters
            names.append("anchor_avg_pe")
            rows.append(row)
            ys.append(np.log(a.avg_pe) - float(row @ data.ml_ttm))
            sds.append(a.avg_pe_sd)
        if i + 1 >= a.ratio_quarters:
            row = np.zeros(n)
            row[i + 1 - a.ratio_quarters : i + 1] = -1.0 / a.ratio_quarters
            row[i] += 1.0
            names.append("anchor_pe_vs_avg")
            rows.append(row)
            ys.append(np.log(a.forward_pe / a.forward_pe_avg) - float(row @ data.ml_ttm))
            sds.append(a.ratio_sd)
    sd = cfg.user_observations.sd
    for i in np.flatnonzero(np.isfinite(data.pe_user)):
        names.append(f"user_pe[{quarters[i]}]")
        rows.append(np.eye(n)[i])
        ys.append(data.pe_user[i] - data.ml_ttm[i])
        sds.append(sd)
    for i in np.flatnonzero(np.isfinite(data.eps_user)):
        names.append(f"user_eps[{quarters[i]}]")
        rows.append(np.eye(n)[i])
        ys.append(data.ps[i] - data.ml_ttm[i] - data.eps_user[i])
        sds.append(sd)
    return ValuationObservations(
        names=tuple(names),
        a=np.array(rows).reshape(len(rows), n),
        y=np.array(ys, dtype=float),
        sd=np.array(sds, dtype=float),
    )


def _structure(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Constant matrices: interior diagonal, first off-diagonals, and D'D (all N x N)."""
    interior = np.diag(np.r_[0.0, np.ones(n - 2), 0.0])
    off = np.eye(n, k=1) + np.eye(n, k=-1)
    d = np.diff(np.eye(n), axis=0)  # (N-1, N): (D q)_t = q_{t+1} - q_t
    return interior, off, d.T @ d


def add_marginal_q(
    p: dict, cfg: ModelConfig, data: ModelData, mu_gs: pt.TensorVariable, r: np.ndarray
) -> None:
    """Add the exact marginal likelihood of ``r`` and the valuation observations.

    Parameters
    ----------
    p : dict of str to TensorVariable
        The model's parameters (needs ``q_*`` and ``gs_sigma``).
    cfg, data : ModelConfig, ModelData
    mu_gs : TensorVariable, shape (N-1,)
        Mean small-cap earnings growth in quarters 1..N-1 of the equity sample.
    r : ndarray, shape (N-1,)
        Observed relative returns.
    """
    n = len(data.ml)
    obs = valuation_observations(cfg, data)
    aty = obs.a.T @ (obs.y / obs.sd**2)
    phi, mu, sig, g = p["q_phi"], p["q_mu"], p["q_sigma"], p["gs_sigma"]
    drift = eq.relative_drift(p, *relative_drivers(data))
    root = pt.sqrt(1 - phi**2)
    # Innovation form of the AR(1) path: (L q - c) ~ N(0, sig^2 I), |L| = root.
    c = pt.concatenate([pt.stack([root * mu]), mu * (1 - phi) + drift])
    v_r = r - mu_gs
    ltc = pt.concatenate([pt.stack([root * c[0]]), c[1:]]) - phi * pt.concatenate(
        [c[1:], pt.zeros(1)]
    )
    dtv = pt.concatenate([pt.zeros(1), v_r]) - pt.concatenate([v_r, pt.zeros(1)])
    b = ltc / sig**2 + dtv / g**2 + aty
    solve = _solve_dense if use_dense(n, len(obs.y)) else _solve_low_rank
    q_hat, log_det = solve(n, obs, phi, sig, g, b)
    lq = pt.concatenate([pt.stack([root * q_hat[0]]), q_hat[1:] - phi * q_hat[:-1]])
    log_prior_q = pm.logp(pm.Normal.dist(c, sig), lq).sum() + pt.log(root)
    log_r = pm.logp(pm.Normal.dist(q_hat[1:] - q_hat[:-1] + mu_gs, g), r).sum()
    log_y = (
        pm.logp(pm.Normal.dist(pt.dot(obs.a, q_hat), obs.sd), obs.y).sum()
        if len(obs.y)
        else pt.zeros(())
    )
    pm.Potential(
        "q_marginal_loglik",
        log_r + log_y + log_prior_q - 0.5 * log_det + 0.5 * n * np.log(2 * np.pi),
    )


def relative_drivers(data: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """Spread change and policy surprise in equity quarters 1..N-1 (the drivers of q)."""
    sl = slice(data.eq_start + 1, data.eq_start + len(data.ml))
    return data.dc[sl], data.mp[sl]


def use_dense(n: int, k: int) -> bool:
    """Whether ``k`` valuation observations on ``n`` quarters call for the dense solve.

    The low-rank (Woodbury) solve costs about ``n r^2 + r^3`` with ``r = k + 2``, the dense
    Cholesky about ``n^3`` whatever ``k``; a long user series (one observation per
    quarter) crosses over. Measured under nutpie with a 139-quarter series on 139
    quarters: 4.4 ms per gradient low-rank, 3.0 ms dense (docs/data.md).
    """
    r = k + 2
    return n * r**2 + r**3 > n**3


def _solve_low_rank(
    n: int,
    obs: ValuationObservations,
    phi: pt.TensorVariable,
    sig: pt.TensorVariable,
    g: pt.TensorVariable,
    b: pt.TensorVariable,
) -> tuple[pt.TensorVariable, pt.TensorVariable]:
    """``(Lambda^-1 b, log|Lambda|)`` by Woodbury, for a few valuation observations.

    Lambda = V diag(d) V' + W diag(w) W': the AR(1) and return parts share the
    eigenvectors V of the path Laplacian D'D (constant), up to a correction at the two
    end points, which joins the valuation rows in a low-rank term W (N x R, R small).
    Woodbury and the determinant lemma then need only R x R algebra, not an N x N
    Cholesky, which keeps the gradient cheap on every backend.
    """
    lap_eig, v = np.linalg.eigh(np.diff(np.eye(n), axis=0).T @ np.diff(np.eye(n), axis=0))
    ends = np.zeros((n, 2))
    ends[0, 0] = ends[-1, 1] = 1.0
    vw = v.T @ np.concatenate([ends, obs.a.T], axis=1)  # (N, R)
    d = (phi / sig**2 + 1 / g**2) * lap_eig + (1 - phi) ** 2 / sig**2
    corner = phi * (1 - phi) / sig**2
    w = pt.concatenate([pt.stack([corner, corner]), pt.as_tensor(1 / obs.sd**2)])
    bv = pt.dot(v.T, b) / d
    vw_d = vw / d[:, None]
    small = pt.eye(vw.shape[1]) + w[:, None] * pt.dot(vw.T, vw_d)
    x = pt.linalg.solve(small, w * pt.dot(vw.T, bv))
    q_hat = pt.dot(v, bv - pt.dot(vw_d, x))
    log_det = pt.log(d).sum() + pt.log(pt.abs(pt.linalg.det(small)))
    return q_hat, log_det


def _solve_dense(
    n: int,
    obs: ValuationObservations,
    phi: pt.TensorVariable,
    sig: pt.TensorVariable,
    g: pt.TensorVariable,
    b: pt.TensorVariable,
) -> tuple[pt.TensorVariable, pt.TensorVariable]:
    """``(Lambda^-1 b, log|Lambda|)`` from one Cholesky factor of the N x N precision.

    Lambda = (I + phi^2 interior - phi off) / sig^2 + D'D / g^2 + A' diag(1/sd^2) A, the
    same matrix :func:`draw_q_paths` factors.
    """
    interior, off, dtd = _structure(n)
    ata = obs.a.T @ (obs.a / obs.sd[:, None] ** 2)
    prec = (np.eye(n) + phi**2 * interior - phi * off) / sig**2 + dtd / g**2 + ata
    chol = pt.linalg.cholesky(prec, lower=True)
    q_hat = pt.linalg.cho_solve((chol, True), b)
    log_det = 2.0 * pt.log(pt.diagonal(chol)).sum()
    return q_hat, log_det


def draw_q_paths(
    theta: dict[str, np.ndarray],
    mu_gs: np.ndarray,
    cfg: ModelConfig,
    data: ModelData,
    rng: np.random.Generator,
) -> np.ndarray:
    """Draw the path ``q`` from its exact conditional, one path per posterior sample.

    Parameters
    ----------
    theta : dict of str to ndarray
        ``q_phi, q_mu, q_lambda_dspread, q_b_mp, q_sigma, gs_sigma``, each (sample,).
    mu_gs : ndarray, shape (sample, N-1)
        Mean small-cap earnings growth per sample and quarter 1..N-1.
    cfg, data, rng
        Config, data and the random generator.

    Returns
    -------
    ndarray, shape (sample, N)
    """
    n = len(data.ml)
    obs = valuation_observations(cfg, data)
    interior, off, dtd = _structure(n)
    ata = obs.a.T @ (obs.a / obs.sd[:, None] ** 2)
    aty = obs.a.T @ (obs.y / obs.sd**2)
    dc, mp = relative_drivers(data)
    r = np.diff(data.ps) - np.diff(data.ml)
    s_total = len(theta["q_phi"])
    out = np.empty((s_total, n))
    basis = np.stack([np.eye(n), interior, off, dtd, ata]).reshape(5, n * n)
    for lo in range(0, s_total, 256):
        sl = slice(lo, min(lo + 256, s_total))
        phi, mu = theta["q_phi"][sl, None], theta["q_mu"][sl, None]
        sig, g = theta["q_sigma"][sl, None], theta["gs_sigma"][sl, None]
        drift = eq.relative_drift(
            {k: theta[k][sl, None] for k in ("q_lambda_dspread", "q_b_mp")}, dc, mp
        )
        root = np.sqrt(1 - phi**2)
        c = np.concatenate([root * mu, mu * (1 - phi) + drift], axis=1)
        ltc = np.concatenate([root * c[:, :1], c[:, 1:]], axis=1) - phi * np.concatenate(
            [c[:, 1:], np.zeros_like(phi)], axis=1
        )
        v = r[None, :] - mu_gs[sl]
        dtv = np.pad(v, ((0, 0), (1, 0))) - np.pad(v, ((0, 0), (0, 1)))
        b = ltc / sig**2 + dtv / g**2 + aty[None, :]
        # Lambda = sum_k coef_k M_k over five constant matrices: one matrix product
        # instead of (batch, N, N) temporaries per term.
        coef = np.concatenate(
            [1 / sig**2, phi**2 / sig**2, -phi / sig**2, 1 / g**2, np.ones_like(phi)], axis=1
        )
        prec = (coef @ basis).reshape(-1, n, n)
        chol = np.linalg.cholesky(prec)
        z = rng.standard_normal((chol.shape[0], n))
        # q = Lambda^-1 b + L^-T z = L^-T (L^-1 b + z) with Lambda = L L'.
        for k in range(chol.shape[0]):
            x = solve_triangular(chol[k], b[k], lower=True, check_finite=False)
            out[lo + k] = solve_triangular(chol[k].T, x + z[k], lower=False, check_finite=False)
    return out
