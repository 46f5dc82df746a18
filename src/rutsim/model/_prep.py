"""Equation means evaluated in NumPy for many posterior draws at once.

Used after sampling (latent paths, posterior predictive checks); the same equations as
:mod:`rutsim.model._build`, written for arrays of shape (sample,) per parameter.
"""

from __future__ import annotations

import numpy as np

from rutsim.model._data import ModelData


def mu_gs(theta: dict[str, np.ndarray], data: ModelData) -> np.ndarray:
    """Mean small-cap earnings growth, shape (sample, N-1), equity quarters 1..N-1."""
    n = len(data.ml)
    k = np.arange(1, n)
    km = data.eq_start + k
    return (
        theta["gs_a"][:, None]
        + theta["gs_beta_gl"][:, None] * data.gl[k][None, :]
        + theta["gs_b_df"][:, None] * data.df[km - 1][None, :]
        + theta["gs_b_slope"][:, None] * data.s[km - 1][None, :]
    )


def mu_gl(theta: dict[str, np.ndarray], data: ModelData) -> np.ndarray:
    """Mean large-cap earnings growth, shape (sample, N-2), equity quarters 2..N-1."""
    n = len(data.ml)
    j = np.arange(2, n)
    m = data.eq_start + j
    return (
        theta["gl_a"][:, None]
        + theta["gl_rho"][:, None] * data.gl[j - 1][None, :]
        + theta["gl_b_df"][:, None] * data.df[m - 1][None, :]
        + theta["gl_b_slope"][:, None] * data.s[m - 1][None, :]
        + theta["gl_b_dspread"][:, None] * data.dc[m][None, :]
    )


def mu_dq(theta: dict[str, np.ndarray], q: np.ndarray, data: ModelData) -> np.ndarray:
    """Return the expected change of q given the previous quarter, shape (sample, N-1)."""
    n = len(data.ml)
    dc = data.dc[data.eq_start + 1 : data.eq_start + n]
    phi, mu = theta["q_phi"][:, None], theta["q_mu"][:, None]
    return (phi - 1.0) * (q[:, :-1] - mu) + theta["q_lambda_dspread"][:, None] * dc[None, :]
