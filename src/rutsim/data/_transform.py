"""Frequency conversions and splices used by the panel builder.

Conventions: a daily or monthly input is a ``pandas.Series`` indexed by dates (daily) or a
monthly ``PeriodIndex``; outputs are indexed by a monthly or quarterly ``PeriodIndex``.
An average is only formed for a period the input covers throughout (every month of a
quarter, at least ``MIN_DAYS`` observations in a month), so a series that stops mid-period
gives NaN rather than a biased partial average.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "MIN_DAYS",
    "compound",
    "daily_to_monthly",
    "daily_to_quarterly",
    "monthly_to_quarterly",
    "splice",
    "ttm_sum",
]

#: Fewest daily observations for a month to count as covered (a month has ~21 trading days).
MIN_DAYS = 10


def splice(*vintages: pd.Series) -> pd.Series:
    """Combine overlapping files of one series, later arguments winning where both exist.

    Pass the oldest file first and the newest last: the newest publication is preferred
    (FRED revisions, the Fed's re-estimated GZ vintages), older ones fill what it lacks.
    """
    out = vintages[0].dropna()
    for newer in vintages[1:]:
        out = newer.dropna().combine_first(out)
    return out.sort_index()


def daily_to_monthly(daily: pd.Series, how: str) -> pd.Series:
    """Daily (by date) to monthly: ``"mean"`` or ``"last"`` (last observation of the month).

    Returns
    -------
    pandas.Series
        Shape (month,), monthly ``PeriodIndex`` named ``month``. For ``"mean"`` a month
        needs at least :data:`MIN_DAYS` observations.
    """
    obs = daily.dropna()
    months = obs.index.to_period("M")
    grouped = obs.groupby(months)
    if how == "mean":
        out = grouped.mean().where(grouped.count() >= MIN_DAYS)
    elif how == "last":
        out = grouped.last()
    else:
        raise ValueError(f"how must be 'mean' or 'last', not {how!r}")
    out.index = out.index.rename("month")
    return out.rename(daily.name)


def monthly_to_quarterly(monthly: pd.Series, how: str) -> pd.Series:
    """Monthly (``PeriodIndex``) to quarterly: ``"mean"`` or ``"last"``.

    ``"mean"`` needs all three months; ``"last"`` takes the quarter's third month only
    (never an earlier month standing in for a quarter end).

    Returns
    -------
    pandas.Series
        Shape (quarter,), quarterly ``PeriodIndex`` named ``quarter``.
    """
    obs = monthly.dropna()
    quarters = obs.index.asfreq("Q")
    if how == "mean":
        grouped = obs.groupby(quarters)
        out = grouped.mean().where(grouped.count() == 3)
    elif how == "last":
        third = obs[obs.index.month % 3 == 0]
        out = pd.Series(third.to_numpy(), index=third.index.asfreq("Q"), name=monthly.name)
    else:
        raise ValueError(f"how must be 'mean' or 'last', not {how!r}")
    out.index = out.index.rename("quarter")
    return out.rename(monthly.name).dropna()


def daily_to_quarterly(daily: pd.Series, how: str) -> pd.Series:
    """Daily to quarterly: ``"mean"`` or ``"last"``.

    ``"mean"`` averages all days of a quarter whose three months are all covered;
    ``"last"`` is the last observation of the quarter's third month.
    """
    obs = daily.dropna()
    if how == "last":
        return monthly_to_quarterly(daily_to_monthly(obs, "last"), "last")
    covered = daily_to_monthly(obs, "mean").dropna()
    quarters = obs.index.to_period("Q")
    means = obs.groupby(quarters).mean()
    full = covered.groupby(covered.index.asfreq("Q")).count() == 3
    out = means[full.reindex(means.index, fill_value=False)]
    out.index = out.index.rename("quarter")
    return out.rename(daily.name)


def compound(monthly_pct: pd.Series) -> pd.Series:
    """Monthly returns in percent to quarterly decimal simple returns (all 3 months needed)."""
    obs = monthly_pct.dropna()
    growth = (1.0 + obs / 100.0).groupby(obs.index.asfreq("Q"))
    out = (growth.prod() - 1.0).where(growth.count() == 3).dropna()
    out.index = out.index.rename("quarter")
    return out.rename(monthly_pct.name)


def ttm_sum(quarterly: pd.Series) -> pd.Series:
    """Trailing four-quarter sum; NaN unless all four quarters are present."""
    if quarterly.empty:
        return quarterly
    full = pd.period_range(quarterly.index.min(), quarterly.index.max(), freq="Q")
    return quarterly.reindex(full).rolling(4, min_periods=4).sum().dropna()
