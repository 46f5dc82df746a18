"""From the quarterly panel to the arrays the model is fitted on.

Each block of the model uses the longest stretch of the sample on which all its inputs
exist, so the macro block can start before large-cap earnings do. Missing values inside
a block's stretch are a data error: the model has no missing-data treatment.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from rutsim.config import CPI_COLUMN, YIELD10_COLUMN, DataConfig, ModelConfig
from rutsim.data import load_announcements, priced_in_change
from rutsim.errors import DataError

#: Panel columns of a user's own small-cap series (written by the data layer).
USER_PE, USER_EPS = "user_pe", "user_eps"


class Announcements(NamedTuple):
    """FOMC announcement days up to the sample's end (the measurement block), shape (A,).

    Attributes
    ----------
    mp, info : pure policy and information surprises (pp).
    rut, spy : Russell 2000 and SPY day log returns (NaN where absent: SPY before 1993).
    slope, spread : day changes of the 10y-2y slope and the Baa-10y spread (pp).
    """

    mp: np.ndarray
    info: np.ndarray
    rut: np.ndarray
    spy: np.ndarray
    slope: np.ndarray
    spread: np.ndarray


class ModelData(NamedTuple):
    """Arrays the model is fitted on (float64). ``T`` = macro quarters, ``N`` = equity.

    Attributes
    ----------
    quarters : (T,) str, the macro quarters ("1988Q1", ...).
    u, du : (T,) unemployment rate (quarterly average, %) and its change.
    f, df, s, c, dc : (T,) fed funds level, its change, slope, spread, spread change.
    pdf : (T,) the change of fed funds markets priced in at the previous quarter's end.
    mp : (T,) pure policy surprise, summed over the quarter's FOMC announcements (0 where
        the announcement data do not reach: after 2024Q1).
    dn : (T,) ``df - mp``, the part of the change that was not a policy surprise.
    rr : (T,) real 10-year yield: 10y minus trailing ``inflation_quarters`` CPI inflation.
    eq_start : index into the macro quarters of the first equity quarter.
    gl, ml, ps : (N,) large-cap log growth of the smoothed EPS base (NaN where
        undefined), large-cap log multiple on that base, small-cap log price, over the
        equity quarters.
    ml_ttm : (N,) large-cap log *trailing* P/E (price over the trailing-4Q EPS known at
        the time), which the trailing P/E anchors and user P/E history are measured on.
    pe_user, eps_user : (N,) user-supplied small-cap log P/E and log EPS (NaN = none).
    carry : small-cap quarterly log carry (IWM total return minus price), mean.
    announcements : the announcement days up to the sample's end.
    """

    quarters: np.ndarray
    u: np.ndarray
    du: np.ndarray
    f: np.ndarray
    df: np.ndarray
    s: np.ndarray
    c: np.ndarray
    dc: np.ndarray
    pdf: np.ndarray
    mp: np.ndarray
    dn: np.ndarray
    rr: np.ndarray
    eq_start: int
    gl: np.ndarray
    ml: np.ndarray
    ps: np.ndarray
    ml_ttm: np.ndarray
    pe_user: np.ndarray
    eps_user: np.ndarray
    carry: float
    announcements: Announcements

    @property
    def eq_quarters(self) -> np.ndarray:
        """(N,) the equity quarters."""
        return self.quarters[self.eq_start :]


def _column(panel: pd.DataFrame, name: str) -> pd.Series:
    if name not in panel.columns:
        raise DataError(
            f"panel column '{name}' is missing. To fix: rebuild the dataset with "
            "`rutsim data build` or choose another driver in [data]."
        )
    return panel[name].astype(float)


def _contiguous(values: np.ndarray, what: str, quarters: np.ndarray) -> slice:
    ok = np.flatnonzero(np.isfinite(values))
    if ok.size == 0:
        raise DataError(f"{what} has no data in the estimation sample. To fix: widen [data].")
    gaps = np.flatnonzero(~np.isfinite(values[ok[0] : ok[-1] + 1]))
    if gaps.size:
        q = quarters[ok[0] + gaps[0]]
        raise DataError(
            f"{what} is missing in {q}, inside the estimation sample. To fix: set "
            f"[data].start after {q} or supply the missing value."
        )
    return slice(int(ok[0]), int(ok[-1]) + 1)


def model_data(panel: pd.DataFrame, data: DataConfig, model: ModelConfig) -> ModelData:
    """Cut the estimation sample out of the panel and derive the model's series.

    Parameters
    ----------
    panel : DataFrame
        The quarterly panel (Contract 1), indexed by a ``quarter`` PeriodIndex.
    data, model : DataConfig, ModelConfig
        The sample window and driver choices; the user-observation columns.

    Returns
    -------
    ModelData
    """
    start, end = pd.Period(data.start, "Q"), pd.Period(data.end, "Q")
    # One extra quarter before the start so that the first change is defined.
    window = panel.loc[(panel.index >= start - 1) & (panel.index <= end)]
    drivers = data.driver_columns()
    u = _column(window, drivers["unemployment"]).to_numpy()
    f = _column(window, drivers["fedfunds"]).to_numpy()
    s = _column(window, drivers["slope"]).to_numpy()
    c = _column(window, drivers["spread"]).to_numpy()
    rr = real_yield(panel, data).reindex(window.index).to_numpy()
    pdf = priced_in_change(panel.loc[panel.index <= end]).reindex(window.index).to_numpy()
    mp = _column(window, "mp_surprise").fillna(0.0).to_numpy()
    # Real-time EPS: quarter t sees the trailing sum through t - eps_lag (publication delay).
    ttm = _column(panel, "sp500_op_eps_ttm")
    eps_ttm = ttm.reindex(window.index - data.eps_lag).to_numpy()
    lags = range(0, data.eps_smoothing, 4)
    eps_base = np.mean([ttm.reindex(window.index - data.eps_lag - k).to_numpy() for k in lags], 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_p = np.log(_column(window, "sp500_end").to_numpy())
        log_e = np.where(eps_base > 0, np.log(eps_base), np.nan)
        ml = log_p - log_e
        ml_ttm = log_p - np.where(eps_ttm > 0, np.log(eps_ttm), np.nan)
        ps = np.log(_column(window, "rut_end").to_numpy())
    quarters = np.array([str(q) for q in window.index])
    du, df, dc = (np.diff(x, prepend=np.nan) for x in (u, f, c))
    gl = np.diff(log_e, prepend=np.nan)
    # Drop the extra quarter; the macro block spans the quarters with all drivers.
    cut = slice(1, None)
    quarters, u, du, f, df, s, c, dc, rr, pdf, mp = (
        a[cut] for a in (quarters, u, du, f, df, s, c, dc, rr, pdf, mp)
    )
    gl, ml, ml_ttm, ps = gl[cut], ml[cut], ml_ttm[cut], ps[cut]
    macro = _contiguous(u + du + f + df + s + c + dc + rr + pdf, "the macro drivers", quarters)
    if macro.start != 0 or macro.stop != len(quarters):
        raise DataError(
            f"the macro drivers do not cover {data.start}..{data.end}. To fix: set "
            f"[data].start = '{quarters[macro.start]}' and end = '{quarters[macro.stop - 1]}'."
        )
    eq = _contiguous(ml + ps, "the large-cap P/E and small-cap price", quarters)
    if eq.stop != len(quarters):
        raise DataError(
            f"equity data end in {quarters[eq.stop - 1]}, before [data].end = {data.end}. "
            "To fix: set [data].end to that quarter."
        )
    if eq.stop - eq.start < 12:
        raise DataError("fewer than 12 equity quarters in the sample. To fix: widen [data].")
    gl_eq = gl[eq].copy()
    gl_eq[0] = np.nan  # growth into the first equity quarter is outside the sample
    pe_user = _user(window, USER_PE, cut, eq)
    eps_user = _user(window, USER_EPS, cut, eq)
    return ModelData(
        quarters=quarters,
        u=u,
        du=du,
        f=f,
        df=df,
        s=s,
        c=c,
        dc=dc,
        pdf=pdf,
        mp=mp,
        dn=df - mp,
        rr=rr,
        eq_start=eq.start,
        gl=gl_eq,
        ml=ml[eq],
        ps=ps[eq],
        ml_ttm=ml_ttm[eq],
        pe_user=pe_user,
        eps_user=eps_user,
        carry=small_cap_carry(panel.loc[panel.index <= end]),  # no look-ahead
        announcements=announcements_until(end),
    )


def announcements_until(end: pd.Period) -> Announcements:
    """Return the embedded announcement days up to the end of quarter ``end`` (no look-ahead)."""
    table = load_announcements()
    table = table[table.index.to_period("Q") <= end]
    return Announcements(
        mp=table["policy_surprise"].to_numpy(),
        info=table["info_surprise"].to_numpy(),
        rut=table["rut_return"].to_numpy(),
        spy=table["spy_return"].to_numpy(),
        slope=table["slope_change"].to_numpy(),
        spread=table["spread_change"].to_numpy(),
    )


def real_yield(panel: pd.DataFrame, data: DataConfig) -> pd.Series:
    """Real 10-year yield (pp): the 10y yield minus trailing annualised CPI inflation.

    Inflation is the log change of CPI over the last ``data.inflation_quarters``
    quarters, annualised, a slow proxy for expected inflation known at the quarter's
    end (NaN where the panel lacks either series).
    """
    cpi = _column(panel, CPI_COLUMN)
    k = data.inflation_quarters
    with np.errstate(invalid="ignore", divide="ignore"):
        inflation = 100.0 * np.log(cpi / cpi.shift(k)) * 4.0 / k
    return _column(panel, YIELD10_COLUMN) - inflation


def _user(window: pd.DataFrame, column: str, cut: slice, eq: slice) -> np.ndarray:
    """Log of a user series on the equity quarters; NaN where absent or not positive.

    Quarters with negative trailing earnings have no log P/E or log EPS; they carry no
    information in this model's log-linear form and are skipped (docs/model.md).
    """
    n = eq.stop - eq.start
    if column not in window.columns:
        return np.full(n, np.nan)
    values = window[column].astype(float).to_numpy()[cut][eq]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(values > 0, np.log(values), np.nan)


def small_cap_carry(panel: pd.DataFrame) -> float:
    """Mean quarterly log(IWM total return / RUT price) difference over their overlap.

    This is the dividend yield net of the ETF fee, per quarter; 0 when IWM is absent.
    """
    if "rut_tr_end" not in panel.columns:
        return 0.0
    both = panel[["rut_tr_end", "rut_end"]].astype(float).dropna()
    if len(both) < 2:
        return 0.0
    diff = np.diff(np.log(both["rut_tr_end"].to_numpy())) - np.diff(
        np.log(both["rut_end"].to_numpy())
    )
    return float(np.mean(diff))
