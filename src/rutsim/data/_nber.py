"""NBER U.S. business-cycle dates (peaks and troughs), as published by the NBER."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rutsim.data._validate import read_table, require_columns

__all__ = ["in_recession", "load_nber_dates"]

_EMBEDDED = Path(__file__).resolve().parent / "embedded" / "nber_business_cycle_dates.csv"


def load_nber_dates(path: Path | None = None) -> pd.DataFrame:
    """Read the NBER chronology: one row per cycle, peak month and trough month.

    Parameters
    ----------
    path : Path, optional
        A CSV with columns ``peak_month`` and ``trough_month`` (``YYYY-MM``); defaults to
        the embedded copy (cycles from 1948; no peak announced after the April-2020 trough
        as of 2025-09-30).

    Returns
    -------
    pandas.DataFrame
        Columns ``peak`` and ``trough`` (monthly ``Period``), one row per recession, in
        date order. A recession is the months after the peak through the trough.

    Raises
    ------
    DataError
        A cell that is not a month, a trough not after its peak, or cycles out of order.
    """
    table = read_table(_EMBEDDED if path is None else path)
    require_columns(
        table,
        ("peak_month", "trough_month"),
        hint="write one row per cycle with columns peak_month, trough_month (YYYY-MM)",
    )
    peaks: list[pd.Period] = []
    troughs: list[pd.Period] = []
    for i in range(len(table.rows)):
        months = []
        for col in ("peak_month", "trough_month"):
            cell = table.column(col)[i]
            try:
                months.append(pd.Period(cell, "M"))
            except ValueError:
                raise table.fail_at(
                    i, col, f"'{cell}' is not a month", "write months as YYYY-MM"
                ) from None
            if len(cell) != 7:
                raise table.fail_at(i, col, f"'{cell}' is not a month", "write months as YYYY-MM")
        peak, trough = months
        if trough <= peak:
            raise table.fail_at(
                i, "trough_month", f"trough {trough} is not after peak {peak}", "check the row"
            )
        if peaks and peak <= troughs[-1]:
            raise table.fail_at(
                i, "peak_month", f"peak {peak} is not after the previous trough", "sort by date"
            )
        peaks.append(peak)
        troughs.append(trough)
    return pd.DataFrame({"peak": peaks, "trough": troughs})


def in_recession(months: pd.PeriodIndex, cycles: pd.DataFrame) -> pd.Series:
    """Whether each month lies in a recession (after a peak, through the trough)."""
    flags = pd.Series(False, index=months)
    for peak, trough in zip(cycles["peak"], cycles["trough"], strict=True):
        flags |= (months > peak) & (months <= trough)
    return flags
