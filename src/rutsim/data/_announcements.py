"""FOMC announcements: Jarociński-Karadi market surprises and announcement-day responses.

Two steps, both the project's own code on the publishers' files:

1. :func:`load_jk_surprises` reads the published table of 30-minute market moves around
   every FOMC announcement (``fomc_surprises_jk_1988_2024.csv``).
2. :func:`announcement_table` derives, per announcement, the **rate surprise** (the
   current-meeting fed funds futures surprise ``MP1``, the first eurodollar contract ``ED1``
   where ``MP1`` is missing), its split into a **pure policy** surprise (rates and the
   S&P 500 moving in opposite directions within the 30 minutes) and an **information**
   surprise (both moving together), the "poor man's" sign split of Jarociński and Karadi
   (2020, AEJ: Macro), and the announcement-day responses the model is tied to: the
   Russell 2000 and SPY close-to-close log returns, and the changes of the 10y-2y slope
   and the Baa-10y spread.

The derived table ships in the embedded dataset (``fomc_announcements.csv``); the raw files
do not. :func:`quarterly_surprises` sums the surprises by quarter for the panel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rutsim.data._validate import (
    check_range,
    parse_dates,
    parse_numeric,
    read_table,
    require_columns,
)

__all__ = [
    "ANNOUNCEMENTS_FILE",
    "ANNOUNCEMENT_COLUMNS",
    "announcement_table",
    "load_announcements",
    "load_jk_surprises",
    "quarterly_surprises",
]

_EMBEDDED = Path(__file__).resolve().parent / "embedded"
ANNOUNCEMENTS_FILE = "fomc_announcements.csv"

_JK_NUMERIC = ("MP1", "ED1", "ED4", "SP500")

#: Columns of the derived table, in file order (units in docs/data.md).
ANNOUNCEMENT_COLUMNS: tuple[str, ...] = (
    "scheduled",
    "rate_surprise",
    "path_surprise",
    "sp500_30m",
    "policy_surprise",
    "info_surprise",
    "rut_return",
    "spy_return",
    "slope_change",
    "spread_change",
)


def load_jk_surprises(path: Path) -> pd.DataFrame:
    """Read the Jarociński-Karadi FOMC surprise table.

    Parameters
    ----------
    path : Path
        ``start,description,FF1..FF4,MP1,ED1..ED4,TFUT02..TFUT30,SP500,SP500FUT``: one row
        per announcement, ``start`` as ``YYYY-MM-DD HH:MM`` (US Eastern).

    Returns
    -------
    pandas.DataFrame
        Indexed by the announcement date (``DatetimeIndex`` named ``date``; a date with
        two announcements appears twice): ``scheduled``
        (bool), ``MP1``, ``ED1``, ``ED4`` (pp) and ``SP500`` (percent), NaN where a contract
        did not trade.

    Raises
    ------
    DataError
        A missing column, a bad or repeated date, a non-number or an implausible move.
    """
    table = read_table(path)
    require_columns(
        table,
        ("start", "description", *_JK_NUMERIC),
        hint="use the Jarociński-Karadi file fomc_surprises_jk.csv as published",
    )
    stamps = table.column("start")
    dates = pd.DatetimeIndex(
        pd.to_datetime(pd.Series(stamps), format="%Y-%m-%d %H:%M", errors="coerce")
    )
    bad = np.flatnonzero(dates.isna() | (np.diff(dates.asi8, prepend=dates.asi8[:1]) < 0))
    if bad.size:
        i = int(bad[0])
        raise table.fail_at(
            i,
            "start",
            f"'{stamps[i]}' is not a time after the row before (YYYY-MM-DD HH:MM)",
            "use the file as published, sorted by time",
        )
    out = pd.DataFrame(index=pd.DatetimeIndex(dates.normalize(), name="date"))
    out["scheduled"] = ["(Scheduled)" in d for d in table.column("description")]
    for name in _JK_NUMERIC:
        values = parse_numeric(table, name)
        limit, units = (20.0, "percent") if name == "SP500" else (2.0, "percentage points")
        check_range(table, name, values, low=-limit, high=limit, units=units)
        out[name] = values
    return out


def _day_change(daily: pd.Series, dates: pd.DatetimeIndex, *, log: bool) -> np.ndarray:
    """Close-to-close change into each date (NaN where the date has no close)."""
    obs = daily.dropna().sort_index()
    change = (np.log(obs).diff() if log else obs.diff()).rename(None)
    return change.reindex(dates).to_numpy(dtype=float)


def announcement_table(
    jk: pd.DataFrame,
    *,
    rut: pd.Series,
    spy: pd.Series,
    slope: pd.Series,
    spread: pd.Series,
) -> pd.DataFrame:
    """Derive the announcement table from the JK surprises and daily market series.

    Parameters
    ----------
    jk : DataFrame
        :func:`load_jk_surprises`.
    rut, spy : Series
        Daily closes of the Russell 2000 (``^RUT``) and SPY, indexed by date.
    slope, spread : Series
        Daily 10y-2y slope (``T10Y2Y``) and Baa-10y spread (``BAA10Y``), pp.

    Returns
    -------
    DataFrame
        Indexed by ``date``, columns :data:`ANNOUNCEMENT_COLUMNS`: surprises in pp, the
        30-minute S&P 500 move in percent, equity responses as decimal log returns, slope
        and spread responses in pp. Announcements without a rate surprise or a 30-minute
        S&P 500 move cannot be split and are left out. Two announcements on one day (eight
        times, all before 2006) are split one by one and then summed, since the daily
        responses cannot tell them apart.
    """
    rate = jk["MP1"].fillna(jk["ED1"])
    keep = rate.notna() & jk["SP500"].notna()
    jk, rate = jk[keep], rate[keep]
    opposite = np.sign(rate) * np.sign(jk["SP500"]) < 0
    rows = pd.DataFrame(
        {
            "scheduled": jk["scheduled"].astype(int),
            "rate_surprise": rate,
            "path_surprise": jk["ED4"],
            "sp500_30m": jk["SP500"],
            # A zero rate surprise is neither: both columns 0, so it adds to no coefficient.
            "policy_surprise": np.where(opposite, rate, 0.0),
            "info_surprise": np.where(opposite, 0.0, rate),
        },
        index=jk.index,
    )
    out = rows.groupby(level=0).sum(min_count=1)
    out["scheduled"] = rows["scheduled"].groupby(level=0).max()
    dates = pd.DatetimeIndex(out.index, name="date")
    out.index = dates
    out["rut_return"] = _day_change(rut, dates, log=True)
    out["spy_return"] = _day_change(spy, dates, log=True)
    out["slope_change"] = _day_change(slope, dates, log=False)
    out["spread_change"] = _day_change(spread, dates, log=False)
    return out


def load_announcements(path: Path | None = None) -> pd.DataFrame:
    """Read the derived announcement table (the embedded one by default).

    Parameters
    ----------
    path : Path, optional
        A file written by ``rutsim data build``; defaults to the embedded dataset's.

    Returns
    -------
    DataFrame
        As :func:`announcement_table` returns it.
    """
    table = read_table(_EMBEDDED / ANNOUNCEMENTS_FILE if path is None else path)
    require_columns(
        table, ("date", *ANNOUNCEMENT_COLUMNS), hint="rebuild it with `rutsim data build`"
    )
    dates = parse_dates(table, table.column("date"), column="date", formats=("%Y-%m-%d",))
    out = pd.DataFrame(index=pd.DatetimeIndex(dates, name="date"))
    for name in ANNOUNCEMENT_COLUMNS:
        out[name] = parse_numeric(table, name)
    return out


def quarterly_surprises(announcements: pd.DataFrame) -> pd.DataFrame:
    """Sum the policy and information surprises of each quarter.

    Returns
    -------
    DataFrame
        Indexed by a quarterly ``PeriodIndex`` named ``quarter`` from the first to the last
        announcement's quarter: ``mp_surprise`` and ``info_surprise`` (pp), 0 in a quarter
        without an announcement.
    """
    quarters = announcements.index.to_period("Q")
    sums = announcements[["policy_surprise", "info_surprise"]].groupby(quarters).sum()
    full = pd.period_range(quarters.min(), quarters.max(), freq="Q", name="quarter")
    sums = sums.reindex(full, fill_value=0.0)
    return sums.rename(columns={"policy_surprise": "mp_surprise", "info_surprise": "info_surprise"})
