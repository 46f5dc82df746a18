"""Data simulated from the model's own equations (shared by the model tests)."""

from __future__ import annotations

import numpy as np

from rutsim.model._data import Announcements, ModelData

TRUTH = {
    "un_a": 0.3, "un_rho": 0.4, "un_kappa": -0.05, "un_sigma": 0.2,
    "ff_a": 0.0, "ff_b_pi": 0.9, "ff_phi": 0.3, "ff_b_du": -0.2, "ff_sigma": 0.25,
    "sl_a": 0.1, "sl_phi": 0.9, "sl_beta_df": -0.4, "sl_beta_mp": -0.3, "sl_beta_du": 0.05,
    "sl_sigma": 0.15,
    "cs_a": 0.25, "cs_phi": 0.88, "cs_beta_df": -0.15, "cs_beta_mp": 0.1, "cs_beta_du": 0.1,
    "cs_sigma": 0.2,
    "sc_corr": 0.3,
    "rr_a": 0.1, "rr_phi": 0.93, "rr_beta_df": 0.2, "rr_beta_du": -0.05, "rr_sigma": 0.3,
    "gl_a": 0.01, "gl_rho": 0.4, "gl_b_du": -0.01, "gl_b_df": 0.02, "gl_b_slope": 0.005,
    "gl_b_dspread": -0.07, "gl_ec": 0.02, "gl_sigma": 0.04,
    "ml_a": 0.2, "ml_phi": 0.92, "ml_d_rr": -0.01, "ml_d_spread": -0.01, "ml_d_ff": 0.005,
    "ml_n_dc": -0.08, "ml_n_du": -0.02, "ml_b_mp": -0.07, "ml_sigma": 0.08, "glml_corr": -0.35,
    "gs_a": -0.01, "gs_beta_gl": 1.0, "gs_b_df": 0.0, "gs_b_slope": 0.01, "gs_sigma": 0.05,
    "q_mu": -0.3, "q_phi": 0.94, "q_lambda_dspread": -0.03, "q_b_mp": 0.03, "q_sigma": 0.02,
    "ev_a_rut": 0.002, "ev_c_rut": 0.0, "ev_s_rut": 0.01,
    "ev_a_spy": 0.002, "ev_c_spy": 0.03, "ev_s_spy": 0.01,
    "ev_a_sl": 0.0, "ev_c_sl": -0.2, "ev_s_sl": 0.04,
    "ev_a_cs": 0.0, "ev_c_cs": 0.04, "ev_s_cs": 0.03,
}  # fmt: skip

#: Announcement days simulated with every dataset.
N_DAYS = 80


def simulate(n: int, seed: int, truth: dict[str, float] = TRUTH) -> tuple[ModelData, np.ndarray]:
    """Simulate ``n`` quarters (macro and equity the same) with normal shocks.

    The equations are written out here by hand (docs/model.md), independently of
    ``rutsim.equations``. Returns the data and the true path ``q`` (n,).
    """
    t = truth
    rng = np.random.default_rng(seed)
    u, du, f, df, s, c, dc, rr = (np.zeros(n) for _ in range(8))
    # What markets priced in, and pure policy surprises in about a third of the quarters.
    pdf = 0.3 * rng.standard_normal(n)
    mp = np.where(rng.random(n) < 0.35, 0.08 * rng.standard_normal(n), 0.0)
    dn = np.zeros(n)
    gl, ml, q, ps = (np.zeros(n) for _ in range(4))
    u[0], f[0], s[0], c[0], rr[0], ml[0] = 5.0, 4.0, 1.0, 2.2, 1.5, 2.9
    q[0], ps[0], gl[0] = t["q_mu"], np.log(500.0), 0.01
    cov_sc = np.array(
        [
            [t["sl_sigma"] ** 2, t["sc_corr"] * t["sl_sigma"] * t["cs_sigma"]],
            [t["sc_corr"] * t["sl_sigma"] * t["cs_sigma"], t["cs_sigma"] ** 2],
        ]
    )
    cov_gm = np.array(
        [
            [t["gl_sigma"] ** 2, t["glml_corr"] * t["gl_sigma"] * t["ml_sigma"]],
            [t["glml_corr"] * t["gl_sigma"] * t["ml_sigma"], t["ml_sigma"] ** 2],
        ]
    )
    for i in range(1, n):
        news_u = t["un_sigma"] * rng.standard_normal()
        du[i] = t["un_a"] + t["un_rho"] * du[i - 1] + t["un_kappa"] * u[i - 1] + news_u
        u[i] = u[i - 1] + du[i]
        df[i] = (
            t["ff_a"] + t["ff_b_pi"] * pdf[i] + t["ff_phi"] * dn[i - 1] + t["ff_b_du"] * du[i]
            + t["ff_sigma"] * rng.standard_normal()
        )  # fmt: skip
        f[i] = f[i - 1] + df[i]
        dn[i] = df[i] - mp[i]
        e = rng.multivariate_normal(np.zeros(2), cov_sc)
        s[i] = (
            t["sl_a"] + t["sl_phi"] * s[i - 1] + t["sl_beta_df"] * dn[i]
            + t["sl_beta_mp"] * mp[i] + t["sl_beta_du"] * du[i] + e[0]
        )  # fmt: skip
        c[i] = (
            t["cs_a"] + t["cs_phi"] * c[i - 1] + t["cs_beta_df"] * dn[i]
            + t["cs_beta_mp"] * mp[i] + t["cs_beta_du"] * du[i] + e[1]
        )  # fmt: skip
        rr[i] = (
            t["rr_a"] + t["rr_phi"] * rr[i - 1] + t["rr_beta_df"] * dn[i]
            + t["rr_beta_du"] * du[i] + t["rr_sigma"] * rng.standard_normal()
        )  # fmt: skip
        dc[i] = c[i] - c[i - 1]
        m_star = (
            t["ml_a"] + t["ml_d_rr"] * rr[i - 1] + t["ml_d_spread"] * c[i - 1]
            + t["ml_d_ff"] * f[i - 1]
        ) / (1 - t["ml_phi"])  # fmt: skip
        v = rng.multivariate_normal(np.zeros(2), cov_gm)
        gl[i] = (
            t["gl_a"] + t["gl_rho"] * gl[i - 1] + t["gl_b_du"] * du[i] + t["gl_b_df"] * dn[i - 1]
            + t["gl_b_slope"] * s[i - 1] + t["gl_b_dspread"] * dc[i]
            + t["gl_ec"] * (ml[i - 1] - m_star) + v[0]
        )  # fmt: skip
        ml[i] = (
            t["ml_a"] + t["ml_phi"] * ml[i - 1] + t["ml_d_rr"] * rr[i]
            + t["ml_d_spread"] * c[i] + t["ml_d_ff"] * f[i] + t["ml_n_dc"] * dc[i]
            + t["ml_n_du"] * news_u + t["ml_b_mp"] * mp[i] + v[1]
        )  # fmt: skip
        q[i] = (
            t["q_mu"] * (1 - t["q_phi"]) + t["q_phi"] * q[i - 1]
            + t["q_lambda_dspread"] * dc[i] + t["q_b_mp"] * mp[i]
            + t["q_sigma"] * rng.standard_normal()
        )  # fmt: skip
        gs = (
            t["gs_a"] + t["gs_beta_gl"] * gl[i] + t["gs_b_df"] * dn[i - 1]
            + t["gs_b_slope"] * s[i - 1] + t["gs_sigma"] * rng.standard_normal()
        )  # fmt: skip
        # pS = eS + mS and mS = mL + q, so the price moves with gS, mL and q.
        ps[i] = ps[i - 1] + gs + (ml[i] - ml[i - 1]) + (q[i] - q[i - 1])
    gl_obs = gl.copy()
    gl_obs[0] = np.nan
    data = ModelData(
        quarters=np.array([f"{2000 + i // 4}Q{i % 4 + 1}" for i in range(n)]),
        u=u, du=du, f=f, df=df, s=s, c=c, dc=dc, pdf=pdf, mp=mp, dn=dn, rr=rr, eq_start=0,
        gl=gl_obs, ml=ml, ps=ps, ml_ttm=ml,
        pe_user=np.full(n, np.nan), eps_user=np.full(n, np.nan), carry=0.003,
        announcements=_days(t, rng),
    )  # fmt: skip
    return data, q


def _days(t: dict[str, float], rng: np.random.Generator) -> Announcements:
    """Announcement days: each a policy or an information surprise, responses by hand
    (the model's measurement block written out independently of rutsim.equations)."""
    size = 0.05 * rng.standard_normal(N_DAYS)
    policy = rng.random(N_DAYS) < 0.5
    mp, info = np.where(policy, size, 0.0), np.where(policy, 0.0, size)
    spread = t["cs_beta_mp"]
    multiple = t["ml_b_mp"] + t["ml_d_ff"] + (t["ml_d_spread"] + t["ml_n_dc"]) * spread
    earnings = t["gl_b_dspread"] * spread
    large = multiple + earnings
    small = multiple + t["q_b_mp"] + t["q_lambda_dspread"] * spread + t["gs_beta_gl"] * earnings

    def day(a: str, impact: float, c: str, s: str) -> np.ndarray:
        # Student-t(4) noise, as the model's announcement block assumes
        return t[a] + impact * mp + t[c] * info + t[s] * rng.standard_t(4.0, N_DAYS)

    return Announcements(
        mp=mp,
        info=info,
        rut=day("ev_a_rut", small, "ev_c_rut", "ev_s_rut"),
        spy=day("ev_a_spy", large, "ev_c_spy", "ev_s_spy"),
        slope=day("ev_a_sl", t["sl_beta_mp"], "ev_c_sl", "ev_s_sl"),
        spread=day("ev_a_cs", spread, "ev_c_cs", "ev_s_cs"),
    )


def test_simulated_prices_obey_the_observation_identity() -> None:
    from rutsim.model._build import relative_return

    data, q = simulate(40, seed=5)
    gs = relative_return(data) - np.diff(q)
    # r_t = dq_t + gS_t: removing the true dq leaves earnings growth, which loads on gL.
    slope = np.polyfit(data.gl[1:], gs, 1)[0]
    assert abs(slope - TRUTH["gs_beta_gl"]) < 0.5
    assert np.allclose(np.diff(data.ps), np.diff(data.ml) + np.diff(q) + gs)
