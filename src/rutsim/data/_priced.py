"""What markets price in: the expected fed funds path at any quarter, from market yields.

Method (docs/model.md, "What markets price in"). At the end of quarter ``t`` two market
points are read off the panel, each net of the premium it carried on average over the
previous ten years (``PREMIUM_QUARTERS``), measured only on outcomes already known at
``t``:

- the **3-month point**, the expected average fed funds rate over quarter ``t + 1``:
  the 3-month Treasury yield at the quarter's end (``tbill3m_end``) less the average of
  ``tbill3m_end_s - f_{s+1}`` (the bill's premium over the realized rate);
- the **2-year point**, the expected average over quarters ``t + 1 .. t + 8``: the 2-year
  yield (``ust2y_end``) less the average of ``ust2y_end_s - mean(f_{s+1..s+8})``.

The path is linear from the 3-month point through quarter 8 with the average the 2-year
point gives, and flat after it; where the bill is missing (the shipped bill file ends in
May 2025) the path starts from the last month's fed funds rate (``fedfunds_end``)
instead. ``f`` is the quarterly average effective fed funds rate (``fedfunds_avg``).

Caveat: the premia are backward-looking averages. A term premium that changes (2-year
yields held down by forward guidance in 2011-2015, for example) shows up as a priced-in
path that is off by the change. A fed funds futures or OIS strip, where a user has one,
replaces this estimate (:func:`strip_path`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rutsim.data._validate import (
    check_range,
    fail,
    parse_dates,
    parse_numeric,
    read_table,
    require_columns,
)

__all__ = [
    "PATH_QUARTERS",
    "PREMIUM_QUARTERS",
    "priced_in_change",
    "priced_in_path",
    "priced_in_paths",
    "strip_path",
]

#: Trailing window of the premium averages (quarters).
PREMIUM_QUARTERS = 40
#: Fewest quarters a premium average needs.
_MIN_QUARTERS = 20
#: Quarters the 2-year point covers; the path is flat after them.
PATH_QUARTERS = 8


def _premia(panel: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    f = panel["fedfunds_avg"].astype(float)
    bill = panel["tbill3m_end"].astype(float)
    two = panel["ust2y_end"].astype(float)
    future = sum(f.shift(-k) for k in range(1, PATH_QUARTERS + 1)) / PATH_QUARTERS
    # Shifted so that the average at t uses only pairs whose outcome was known at t.
    b1 = (bill - f.shift(-1)).shift(1)
    b2 = (two - future).shift(PATH_QUARTERS)
    roll = dict(window=PREMIUM_QUARTERS, min_periods=_MIN_QUARTERS)
    return b1.rolling(**roll).mean(), b2.rolling(**roll).mean()


def priced_in_paths(panel: pd.DataFrame, horizon: int = PATH_QUARTERS) -> pd.DataFrame:
    """Return the expected fed funds path at the end of every quarter of the panel.

    Parameters
    ----------
    panel : DataFrame
        The quarterly panel (needs ``fedfunds_avg``, ``fedfunds_end``, ``tbill3m_end``,
        ``ust2y_end``).
    horizon : int
        Quarters ahead.

    Returns
    -------
    DataFrame
        Indexed like the panel, columns ``1..horizon``: the expected quarterly average
        fed funds rate (%) that many quarters ahead; NaN where the 2-year yield or its
        premium is missing.
    """
    b1, b2 = _premia(panel)
    two = panel["ust2y_end"].astype(float) - b2
    bill = panel["tbill3m_end"].astype(float) - b1
    now = panel["fedfunds_end"].astype(float)
    # Without the bill, a straight line from today's rate whose 8-quarter mean is `two`.
    first = bill.where(bill.notna(), now + (two - now) / ((PATH_QUARTERS + 1) / 2))
    slope = (two - first) / ((PATH_QUARTERS - 1) / 2)
    h = np.minimum(np.arange(1, horizon + 1), PATH_QUARTERS) - 1
    values = first.to_numpy()[:, None] + slope.to_numpy()[:, None] * h[None, :]
    # A negative expected rate is a premium artefact at the zero lower bound.
    values = np.maximum(values, 0.0)
    return pd.DataFrame(values, index=panel.index, columns=range(1, horizon + 1))


def priced_in_path(panel: pd.DataFrame, quarter: str | pd.Period, horizon: int) -> np.ndarray:
    """Return the expected fed funds path (%) at the end of ``quarter``, shape (horizon,).

    Raises
    ------
    DataError
        The panel has no 2-year yield (or too little history for its premium) there.
    """
    q = pd.Period(quarter, "Q")
    paths = priced_in_paths(panel.loc[panel.index <= q], horizon)
    row = paths.loc[q].to_numpy() if q in paths.index else np.full(horizon, np.nan)
    if not np.all(np.isfinite(row)):
        raise fail(
            "the quarterly panel",
            f"ust2y_end at {q}",
            "has no 2-year yield or fewer than 20 quarters of history for its premium, so "
            "the priced-in fed funds path cannot be derived",
            "choose a later [data].end, or give a futures or OIS strip "
            "([scenarios] priced_in_strip)",
        )
    return row


def priced_in_change(panel: pd.DataFrame) -> pd.Series:
    """Return the priced-in change of fed funds per quarter, ``E_{t-1}[f_t] - f_{t-1}`` (pp)."""
    expected = priced_in_paths(panel, 1)[1]
    return (expected - panel["fedfunds_avg"].astype(float)).shift(1).rename("priced_in_change")


def strip_path(path: Path, start: str | pd.Period, horizon: int) -> np.ndarray:
    """Read a priced-in path from a user's fed funds futures or OIS strip.

    Parameters
    ----------
    path : Path
        CSV with columns ``month`` (``YYYY-MM``, the contract month) and ``rate`` (the
        implied average fed funds rate for that month, %).
    start : str or Period
        The last observed quarter; the path covers the ``horizon`` quarters after it.
    horizon : int
        Quarters.

    Returns
    -------
    ndarray, shape (horizon,)
        The quarterly average of the strip's months; beyond the strip's last month, its
        last rate.

    Raises
    ------
    DataError
        Missing columns, bad months or rates, or a strip that does not cover the first
        quarter after ``start``.
    """
    table = read_table(path)
    require_columns(table, ("month", "rate"), hint="write one row per contract month: month,rate")
    months = parse_dates(table, table.column("month"), column="month", formats=("%Y-%m",))
    rates = parse_numeric(table, "rate")
    check_range(table, "rate", rates, low=-1.0, high=25.0, units="percent")
    if np.isnan(rates).any():
        raise table.fail_at(
            int(np.flatnonzero(np.isnan(rates))[0]), "rate", "is empty", "give every month a rate"
        )
    monthly = pd.Series(rates, index=months.to_period("M"))
    first = pd.Period(start, "Q") + 1
    quarters = pd.period_range(first, periods=horizon, freq="Q")
    out = np.empty(horizon)
    for i, q in enumerate(quarters):
        inside = monthly[
            (monthly.index >= q.asfreq("M", "s")) & (monthly.index <= q.asfreq("M", "e"))
        ]
        if len(inside):
            out[i] = inside.mean()
        elif i == 0 or monthly.index.max() >= q.asfreq("M", "s"):
            raise fail(
                path,
                "month",
                f"has no contract month in {q}",
                f"give the strip's months from {first.asfreq('M', 's')} on without gaps",
            )
        else:
            out[i] = monthly.iloc[-1]
    return out
