"""A user's own CSV: a date column and numeric columns, frequency detected."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from rutsim.config import UserSeries
from rutsim.data._validate import (
    check_range,
    fail,
    parse_dates,
    parse_numeric,
    read_table,
)

__all__ = ["detect_frequency", "load_user_csv", "user_series_frame"]

_QUARTER = re.compile(r"^(\d{4})\s*[-:]?\s*Q([1-4])$", re.IGNORECASE)
# On a tie (every cell parses under two formats) the earlier wins, so YYYYMM must come
# before YYYYMMDD: "202411" also reads as 2024-01-01 under "%Y%m%d".
_FORMATS = ("%Y-%m-%d", "%Y-%m", "%m/%d/%Y", "%Y%m", "%Y%m%d", "%Y")

#: Plausible values per kind of user series.
_KIND_RANGES: dict[str, tuple[float, float, str]] = {
    "eps": (-1e4, 1e5, "USD per index share (trailing 12 months)"),
    "pe": (1e-3, 1000.0, "a price/earnings ratio (e.g. 18.5)"),
}


def detect_frequency(index: pd.DatetimeIndex) -> Literal["D", "W", "M", "Q", "A"]:
    """Classify dates by their median spacing: daily, weekly, monthly, quarterly, annual."""
    if len(index) < 2:
        return "A"
    # Seconds, whatever the index's own resolution (pandas 3 may store s, us or ns).
    seconds = index.to_numpy().astype("datetime64[s]").astype(np.int64)
    days = float(np.median(np.diff(seconds)) / 86_400.0)
    for limit, freq in ((4.0, "D"), (8.0, "W"), (35.0, "M"), (100.0, "Q")):
        if days <= limit:
            return freq  # type: ignore[return-value]
    return "A"


def load_user_csv(path: Path, *, date_column: str | None = None) -> pd.DataFrame:
    """Read a user CSV: one date column and numeric value columns.

    Parameters
    ----------
    path : Path
        The CSV. Dates may be ``YYYY-MM-DD``, ``YYYY-MM``, ``M/D/YYYY``, ``YYYYMM``,
        ``YYYY`` or quarters like ``2025Q3`` / ``2025 Q3``; one format per file.
    date_column : str, optional
        The date column; defaults to a column named ``date`` (any case), else the first.

    Returns
    -------
    pandas.DataFrame
        Shape (date, column), float64, indexed by a ``DatetimeIndex`` named ``date``
        (a quarter is dated at its first day); ``frame.attrs["freq"]`` is the detected
        frequency (``D, W, M, Q, A``).

    Raises
    ------
    DataError
        No value column; bad, duplicate or unordered dates; non-numeric cells.
    """
    table = read_table(path)
    if date_column is None:
        lowered = [h.lower() for h in table.header]
        date_column = table.header[lowered.index("date")] if "date" in lowered else table.header[0]
    elif date_column not in table.header:
        raise fail(
            table.path,
            "header",
            f"date column '{date_column}' not found",
            f"use one of {', '.join(table.header)}",
        )
    value_columns = [h for h in table.header if h != date_column]
    if not value_columns:
        raise fail(
            table.path,
            "header",
            "has a date column but no value column",
            "add at least one numeric column beside the dates",
        )
    raw = table.column(date_column)
    converted = [f"{m[1]}-{3 * int(m[2]) - 2:02d}" if (m := _QUARTER.match(c)) else c for c in raw]
    is_quarterly = any(_QUARTER.match(c) for c in raw[:1])
    formats = ("%Y-%m",) if is_quarterly else _FORMATS
    dates = parse_dates(table, converted, column=date_column, formats=formats, shown=raw)
    data = {}
    for col in value_columns:
        if not col:
            raise fail(
                table.path,
                "header",
                "a value column has no name",
                "name every column in the header row",
            )
        data[col] = parse_numeric(table, col)
    frame = pd.DataFrame(data, index=dates.rename("date"), dtype="float64")
    frame.attrs["freq"] = "Q" if is_quarterly else detect_frequency(dates)
    frame.attrs["lines"] = list(table.lines)
    return frame


def _one_series(spec: UserSeries, freq: Literal["Q", "M"]) -> pd.Series:
    frame = load_user_csv(spec.path)
    if spec.column not in frame.columns:
        raise fail(
            spec.path,
            "header",
            f"column '{spec.column}' not found (columns are {', '.join(frame.columns)})",
            "set [data] user_series column to one of them",
        )
    values = frame[spec.column].to_numpy()
    low, high, units = _KIND_RANGES[spec.kind]
    table = read_table(spec.path)
    check_range(table, spec.column, values, low=low, high=high, units=units)
    series = pd.Series(values, index=frame.index).dropna()
    if series.empty:
        raise fail(
            spec.path,
            f"column '{spec.column}'",
            "has no values",
            "fill the column or remove the user series",
        )
    # The panel's periods take the last observation within each period (a level, not a
    # flow: trailing EPS and P/E are quoted as of a date).
    periods = series.index.to_period(freq)
    out = series.groupby(periods).last()
    out.index = out.index.rename("quarter" if freq == "Q" else "month")
    return out.rename(f"user_{spec.kind}")


def user_series_frame(
    specs: Sequence[UserSeries], *, freq: Literal["Q", "M"] = "Q"
) -> pd.DataFrame:
    """Load the user series as panel columns ``user_eps`` / ``user_pe``.

    Returns
    -------
    pandas.DataFrame
        Shape (period, n_series), float64, indexed like the panel.
    """
    series = [_one_series(spec, freq) for spec in specs]
    return pd.concat(series, axis=1) if series else pd.DataFrame()
