"""What drives the answer: long-run effects and the deterministic skeleton by driver.

Both come from one NumPy recursion of the equity equations (:func:`skeleton`), built
from the same equation functions as the PyMC model and the JAX step, run without shocks
along given macro paths:

- :func:`long_run_effects`: the effect of a permanent +1 pp step in one driver (fed
  funds, real 10-year yield, credit spread, unemployment), the others held where they
  are, on the large-cap log multiple and log earnings, the small-cap log multiple and
  log earnings, and the small-cap log price, once the system has settled (400 quarters).
  These are partial effects through the equity equations; the macro block's own
  responses (a cut steepening the curve, say) are not added.
- :func:`decompose`: a scenario's skeleton path of the small-cap log price split into
  valuation reversion and the earnings trend (every driver held at its last observed
  value) plus the contributions of the scenario's changes in rates, credit and
  activity. The equations are affine in the drivers, so the parts add up exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from rutsim import equations as eq
from rutsim.model._prep import columns
from rutsim.types import select_samples

#: Macro inputs of the equity block, as named in :func:`skeleton`'s ``drivers``.
DRIVERS: tuple[str, ...] = ("fedfunds", "slope", "spread", "real_yield", "unemployment")
#: The pure policy surprise per quarter (pp), an optional driver (0 when absent).
SURPRISE = "policy_surprise"
#: Unemployment news per quarter (pp), an optional driver: when absent it is the change
#: beyond the model's own forecast, as in the simulation.
NEWS = "unemployment_news"
#: Drivers of the long-run effects table, with labels.
EFFECT_DRIVERS: dict[str, str] = {
    "fedfunds": "fed funds",
    "real_yield": "real 10y yield",
    "spread": "credit spread",
    "unemployment": "unemployment",
}
#: Outcomes of the long-run effects table (log points per pp).
OUTCOMES: dict[str, str] = {
    "large_multiple": "large-cap log multiple",
    "large_earnings": "large-cap log earnings",
    "small_multiple": "small-cap log multiple",
    "small_earnings": "small-cap log earnings",
    "small_price": "small-cap log price",
}
#: The sign theory expects for a +1 pp step ("" where it has no clear view).
THEORY: dict[tuple[str, str], str] = {
    ("fedfunds", "large_multiple"): "-",
    ("fedfunds", "small_earnings"): "-",
    ("fedfunds", "small_price"): "-",
    ("real_yield", "large_multiple"): "-",
    ("real_yield", "small_multiple"): "-",
    ("real_yield", "small_price"): "-",
    ("spread", "large_multiple"): "-",
    ("spread", "small_multiple"): "-",
    ("spread", "large_earnings"): "-",
    ("spread", "small_earnings"): "-",
    ("spread", "small_price"): "-",
    ("unemployment", "large_earnings"): "-",
    ("unemployment", "small_earnings"): "-",
    ("unemployment", "small_price"): "-",
}
#: Which equations each driver enters (a driver absent from every equation of an outcome
#: has an effect of exactly zero by construction, which the table says).
_ENTERS: dict[str, tuple[str, ...]] = {
    "fedfunds": ("ml_d_ff", "gl_b_df", "gs_b_df", "ml_b_mp", "q_b_mp"),
    "real_yield": ("ml_d_rr",),
    "spread": ("ml_d_spread", "gl_b_dspread", "q_lambda_dspread"),
    "unemployment": ("gl_b_du",),
}


def skeleton(
    theta: Mapping[str, np.ndarray],
    start: Mapping[str, np.ndarray | float],
    drivers: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """Run the equity equations without shocks along given macro paths.

    Parameters
    ----------
    theta : mapping of str to ndarray
        Posterior samples, each shape (sample,).
    start : mapping
        The last observed quarter: ``fedfunds, df, dn, slope, spread, real_yield,
        unemployment, dun, gl, ml`` (scalars) and ``q`` (scalar or (sample,)).
    drivers : mapping of str to ndarray
        Each of :data:`DRIVERS` over the horizon, shape (H,) or (sample, H), and
        optionally :data:`SURPRISE`, the pure policy surprise per quarter (pp; the part
        of each quarter's fed funds move that was a surprise), and :data:`NEWS`, the
        unemployment news per quarter (default: the change beyond the model's forecast).

    Returns
    -------
    dict of str to ndarray
        ``gl, ml, q, gs`` (sample, H) and the cumulative log changes from the start
        ``large_earnings, large_multiple, small_earnings, small_multiple, small_price``.
    """
    p = columns(dict(theta))
    n = len(next(iter(theta.values())))
    path = {
        k: np.broadcast_to(np.asarray(v, float), (n, np.shape(v)[-1])) for k, v in drivers.items()
    }
    horizon = path["fedfunds"].shape[1]
    if SURPRISE not in path:
        path[SURPRISE] = np.zeros((n, horizon))

    def first(name: str) -> np.ndarray:
        return np.broadcast_to(np.asarray(start[name], float).reshape(-1), (n,)).copy()

    f, s, c = first("fedfunds"), first("slope"), first("spread")
    rr, u, dn = first("real_yield"), first("unemployment"), first("dn")
    du = first("dun")
    gl, ml, q = first("gl"), first("ml"), first("q")
    out = {k: np.empty((n, horizon)) for k in ("gl", "ml", "q", "gs")}
    cols = lambda x: x[:, None]  # noqa: E731 - (sample,) to the (sample, 1) of the params
    for t in range(horizon):
        f_t, s_t, c_t = path["fedfunds"][:, t], path["slope"][:, t], path["spread"][:, t]
        rr_t, u_t, mp_t = path["real_yield"][:, t], path["unemployment"][:, t], path[SURPRISE][:, t]
        du_t = u_t - u
        if NEWS in path:
            nu_t = path[NEWS][:, t]
        else:
            nu_t = du_t - eq.unemployment(p, cols(du), cols(u))[:, 0]
        gap = eq.valuation_gap(p, cols(ml), cols(rr), cols(c), cols(f))
        gl_t = eq.earnings(p, cols(gl), cols(du_t), cols(dn), cols(s), cols(c_t - c), gap)[:, 0]
        news = eq.multiple_news(p, cols(c_t - c), cols(nu_t), cols(mp_t))
        ml_t = eq.multiple(p, cols(ml), cols(rr_t), cols(c_t), cols(f_t), news)[:, 0]
        q_t = eq.relative_multiple(p, cols(q), cols(c_t - c), cols(mp_t))[:, 0]
        gs_t = eq.small_earnings(p, cols(gl_t), cols(dn), cols(s))[:, 0]
        out["gl"][:, t], out["ml"][:, t], out["q"][:, t], out["gs"][:, t] = gl_t, ml_t, q_t, gs_t
        dn = f_t - f - mp_t
        f, s, c, rr, u, du, gl, ml, q = f_t, s_t, c_t, rr_t, u_t, du_t, gl_t, ml_t, q_t
    ml0, q0 = first("ml")[:, None], first("q")[:, None]
    out["large_earnings"] = np.cumsum(out["gl"], axis=1)
    out["large_multiple"] = out["ml"] - ml0
    out["small_earnings"] = np.cumsum(out["gs"], axis=1)
    out["small_multiple"] = out["ml"] + out["q"] - ml0 - q0
    out["small_price"] = out["small_earnings"] + out["small_multiple"]
    return out


def _frozen(start: Mapping[str, np.ndarray | float], horizon: int) -> dict[str, np.ndarray]:
    return {k: np.full(horizon, float(np.mean(start[k]))) for k in DRIVERS}


def long_run_effects(
    theta: Mapping[str, np.ndarray], *, horizon: int = 400, level: float = 0.9
) -> pd.DataFrame:
    """Long-run effect of a permanent +1 pp step in each driver, with intervals.

    Parameters
    ----------
    theta : mapping of str to ndarray
        Posterior samples, each shape (sample,).
    horizon : int
        Quarters run before reading the effect off (the system has settled long before).
    level : float
        Central interval level.

    Returns
    -------
    DataFrame
        One row per (driver, outcome): ``median, lower, upper, p_positive, theory``
        (expected sign or ""), ``agrees`` ("yes" / "no" / "unclear": the interval
        excludes zero on the theory side / on the other side / contains zero) and
        ``in_model`` (False where no equation links the driver to the outcome).
    """
    # The recursion is affine in the drivers, so the difference from a flat run does not
    # depend on the starting point; start from a neutral one.
    # A step is news once, in its first quarter: a step in a mean-reverting variable
    # would otherwise surprise the model's forecast in every later quarter.
    start = {k: 0.0 for k in (*DRIVERS, "df", "dn", "dun", "gl", "ml", "q")}
    quiet = {**_frozen(start, horizon), NEWS: np.zeros(horizon)}
    base = skeleton(theta, start, quiet)
    lo, hi = (1 - level) / 2, (1 + level) / 2
    rows = []
    for driver, label in EFFECT_DRIVERS.items():
        paths = dict(quiet)
        paths[driver] = paths[driver] + 1.0
        if driver == "unemployment":
            paths[NEWS] = np.r_[1.0, np.zeros(horizon - 1)]
        stepped = skeleton(theta, start, paths)
        for outcome, out_label in OUTCOMES.items():
            x = stepped[outcome][:, -1] - base[outcome][:, -1]
            in_model = bool(np.any(np.abs(x) > 1e-12))
            med, a, b = np.quantile(x, [0.5, lo, hi])
            theory = THEORY.get((driver, outcome), "")
            if not theory:
                agrees = ""
            elif a > 0 or b < 0:
                agrees = "yes" if (a > 0) == (theory == "+") else "no"
            else:
                agrees = "unclear"
            rows.append(
                {
                    "driver": label,
                    "outcome": out_label,
                    "median": float(med),
                    "lower": float(a),
                    "upper": float(b),
                    "p_positive": float(np.mean(x > 0)),
                    "theory": theory,
                    "agrees": agrees if in_model else "",
                    "in_model": in_model,
                }
            )
    return pd.DataFrame(rows)


#: Driver groups of the decomposition.
GROUPS: dict[str, tuple[str, ...]] = {
    "rates": ("fedfunds", "slope", "real_yield"),
    "policy_surprise": (SURPRISE,),
    "credit": ("spread",),
    "activity": ("unemployment",),
}


def policy_surprise_path(
    theta: Mapping[str, np.ndarray],
    start: Mapping[str, np.ndarray | float],
    drivers: Mapping[str, np.ndarray],
    priced_in: np.ndarray,
) -> np.ndarray:
    """Return the pure policy surprise of a fed funds path, per draw: shape (sample, H).

    What each quarter's move adds beyond the model's mean (the priced-in change
    ``priced_in``, the persistence of the last move that was not a surprise and the
    reaction to this quarter's unemployment change), exactly as the simulation reads a
    pinned fed funds path.
    """
    p = columns(dict(theta))
    n = len(next(iter(theta.values())))
    f = np.broadcast_to(np.asarray(drivers["fedfunds"], float), (n, len(priced_in)))
    u = np.broadcast_to(np.asarray(drivers["unemployment"], float), f.shape)
    f_prev = np.concatenate([np.full((n, 1), float(np.mean(start["fedfunds"]))), f[:, :-1]], 1)
    u_prev = np.concatenate([np.full((n, 1), float(np.mean(start["unemployment"]))), u[:, :-1]], 1)
    df, du = f - f_prev, u - u_prev
    out = np.empty_like(df)
    dn_prev = np.full(n, float(np.mean(start["dn"])))
    for t in range(df.shape[1]):
        mean = eq.policy(p, dn_prev[:, None], du[:, t, None], priced_in[t])[:, 0]
        out[:, t] = df[:, t] - mean
        dn_prev = df[:, t] - out[:, t]
    return out


def surprise_response(
    theta: Mapping[str, np.ndarray], horizon: int = 4, size: float = 1.0
) -> dict[str, np.ndarray]:
    """Responses to a pure policy surprise of ``size`` pp in the first quarter, per draw.

    Fed funds rises by ``size`` for good (the surprise is a new level), the slope and the
    spread respond with the announcement-day impacts and then decay at their own
    persistence (the macro block without shocks; unemployment held), and the equity
    equations run along those paths (:func:`skeleton`).

    Returns
    -------
    dict of str to ndarray
        ``small_price``, ``large_price`` (log points) and ``slope``, ``spread`` (pp), each
        (sample, horizon): the difference from the same run without the surprise.
    """
    n = len(next(iter(theta.values())))
    t = np.arange(horizon)
    sl = np.asarray(theta["sl_beta_mp"])[:, None] * np.asarray(theta["sl_phi"])[:, None] ** t
    cs = np.asarray(theta["cs_beta_mp"])[:, None] * np.asarray(theta["cs_phi"])[:, None] ** t
    start = {k: 0.0 for k in (*DRIVERS, "df", "dn", "dun", "gl", "ml", "q")}
    flat = {**_frozen(start, horizon), NEWS: np.zeros(horizon)}
    base = skeleton(theta, start, flat)
    shocked = dict(flat)
    shocked["fedfunds"] = np.full(horizon, size)
    shocked["slope"] = size * sl
    shocked["spread"] = size * cs
    shocked[SURPRISE] = np.r_[size, np.zeros(horizon - 1)]
    hit = skeleton(theta, start, shocked)
    large = (
        hit["large_earnings"]
        + hit["large_multiple"]
        - base["large_earnings"]
        - base["large_multiple"]
    )
    return {
        "small_price": hit["small_price"] - base["small_price"],
        "large_price": large,
        "slope": np.broadcast_to(size * sl, (n, horizon)),
        "spread": np.broadcast_to(size * cs, (n, horizon)),
    }


def decompose(
    theta: Mapping[str, np.ndarray],
    start: Mapping[str, np.ndarray | float],
    drivers: Mapping[str, np.ndarray],
) -> pd.DataFrame:
    """Split a scenario's skeleton small-cap log price path into its drivers.

    Parameters
    ----------
    theta, start, drivers
        As for :func:`skeleton`; ``drivers`` is the scenario's central macro path.

    Returns
    -------
    DataFrame
        Indexed by quarter ahead (1..H), posterior-mean cumulative log price change from
        ``valuation_reversion`` (the multiple's move with every driver held at its last
        value), ``earnings_trend`` (earnings growth with drivers held), ``rates`` (the
        scenario's fed funds, slope and real-yield paths read as the historical
        association), ``policy_surprise`` (what reading the surprise part of the fed funds
        path as a pure policy surprise adds), ``credit`` and ``activity``, and
        ``total``, their sum (the full skeleton).
    """
    horizon = np.shape(next(iter(drivers.values())))[-1]
    held = _frozen(start, horizon)
    base = skeleton(theta, start, held)
    parts = {
        "valuation_reversion": base["small_multiple"].mean(0),
        "earnings_trend": base["small_earnings"].mean(0),
    }
    for group, names in GROUPS.items():
        moved = dict(held)
        for name in names:
            moved[name] = np.asarray(drivers.get(name, np.zeros(horizon)), float)
        parts[group] = (skeleton(theta, start, moved)["small_price"] - base["small_price"]).mean(0)
    table = pd.DataFrame(parts, index=pd.RangeIndex(1, horizon + 1, name="quarter"))
    table["total"] = skeleton(theta, start, drivers)["small_price"].mean(0)
    return table


def start_state(initial: Mapping[str, float], q: np.ndarray | float) -> dict:
    """Return :func:`skeleton`'s ``start`` from an ``InitialState`` mapping and ``q``."""
    names = {"ff": "fedfunds", "slope": "slope", "spread": "spread", "rr": "real_yield"}
    names |= {"un": "unemployment", "df": "df", "dn": "dn", "dun": "dun", "gl": "gl", "ml": "ml"}
    return {new: initial[old] for old, new in names.items()} | {"q": q}


def driver_table(
    params: Mapping[str, np.ndarray],
    initial: Mapping[str, float],
    central: Mapping[str, Mapping[str, np.ndarray]],
    *,
    priced_in: Mapping[str, np.ndarray] | None = None,
    pinned: Mapping[str, np.ndarray] | None = None,
    max_draws: int = 500,
) -> pd.DataFrame:
    """Per scenario, the skeleton small-cap log price path split into its drivers.

    Parameters
    ----------
    params : mapping
        The posterior pytree as a mapping (``PosteriorParams._asdict()``), with ``q_last``.
    initial : mapping
        The last observed quarter (``InitialState._asdict()``).
    central : mapping of scenario name to drivers
        Each scenario's central (median) path of every variable in :data:`DRIVERS`.
    priced_in : mapping of scenario name to ndarray, optional
        Each scenario's priced-in fed funds changes (``ScenarioArrays.priced_in``); with
        them the central fed funds path's policy surprise (:func:`policy_surprise_path`)
        is split out, without them it is none.
    pinned : mapping of scenario name to bool ndarray, optional
        The quarters in which each scenario pins fed funds: the simulation reads a
        policy surprise only there (a simulated fed funds path carries none).
    max_draws : int
        Posterior draws used (evenly thinned); the table is a posterior mean.

    Returns
    -------
    DataFrame
        Long format: ``scenario, quarter`` and the columns of :func:`decompose`.
    """
    n = len(params["q_last"])
    idx = select_samples(n, max_draws)
    theta = {k: np.asarray(v, np.float64)[idx] for k, v in params.items() if k != "q_last"}
    start = start_state(initial, np.asarray(params["q_last"], np.float64)[idx])
    frames = []
    for name, drivers in central.items():
        if priced_in is not None and name in priced_in:
            surprise = policy_surprise_path(theta, start, drivers, np.asarray(priced_in[name]))
            if pinned is not None and name in pinned:
                surprise = surprise * np.asarray(pinned[name], dtype=np.float64)
            drivers = {**drivers, SURPRISE: surprise}
        table = decompose(theta, start, drivers).reset_index()
        table.insert(0, "scenario", name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)
