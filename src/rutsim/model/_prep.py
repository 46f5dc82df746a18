"""Equation means evaluated in NumPy for many posterior draws at once.

Used after sampling (latent paths, posterior predictive checks). The means come from the
same functions as the PyMC model and the JAX step (:mod:`rutsim.equations`),
with parameters as ``(sample, 1)`` columns against ``(1, quarter)`` data rows.
"""

from __future__ import annotations

import numpy as np

from rutsim import equations as eq
from rutsim.model._data import ModelData


def columns(theta: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Parameters as ``(sample, 1)`` columns, to broadcast against data rows."""
    return {k: np.asarray(v, dtype=np.float64)[:, None] for k, v in theta.items()}


def mu_gs(theta: dict[str, np.ndarray], data: ModelData) -> np.ndarray:
    """Mean small-cap earnings growth, shape (sample, N-1), equity quarters 1..N-1."""
    k = np.arange(1, len(data.ml))
    km = data.eq_start + k
    return eq.small_earnings(columns(theta), data.gl[k], data.dn[km - 1], data.s[km - 1])


def mu_gl(theta: dict[str, np.ndarray], data: ModelData) -> np.ndarray:
    """Mean large-cap earnings growth, shape (sample, N-2), equity quarters 2..N-1."""
    j = np.arange(2, len(data.ml))
    m = data.eq_start + j
    p = columns(theta)
    gap = eq.valuation_gap(p, data.ml[j - 1], data.rr[m - 1], data.c[m - 1], data.f[m - 1])
    return eq.earnings(
        p, data.gl[j - 1], data.du[m], data.dn[m - 1], data.s[m - 1], data.dc[m], gap
    )


def mu_ml(theta: dict[str, np.ndarray], data: ModelData) -> np.ndarray:
    """Mean large-cap log multiple, shape (sample, N-2), equity quarters 2..N-1.

    The unemployment news it moves on is this quarter's change less each draw's own
    forecast of it (the unemployment equation).
    """
    j = np.arange(2, len(data.ml))
    m = data.eq_start + j
    p = columns(theta)
    nu = data.du[m] - eq.unemployment(p, data.du[m - 1], data.u[m - 1])
    news = eq.multiple_news(p, data.dc[m], nu, data.mp[m])
    return eq.multiple(p, data.ml[j - 1], data.rr[m], data.c[m], data.f[m], news)


def mu_dq(theta: dict[str, np.ndarray], q: np.ndarray, data: ModelData) -> np.ndarray:
    """Return the expected change of q given the previous quarter, shape (sample, N-1)."""
    sl = slice(data.eq_start + 1, data.eq_start + len(data.ml))
    return eq.relative_multiple(columns(theta), q[:, :-1], data.dc[sl], data.mp[sl]) - q[:, :-1]
