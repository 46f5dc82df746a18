"""Yahoo Finance daily price files and publishers' month-end index level files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rutsim.data._validate import (
    check_range,
    fail,
    parse_dates,
    parse_numeric,
    read_table,
    require_columns,
)

__all__ = ["load_month_end_level", "load_yahoo"]

_YAHOO_COLUMNS = ("Date", "Close", "High", "Low", "Open", "Volume")


def load_yahoo(path: Path) -> pd.DataFrame:
    """Read a Yahoo Finance daily file (``Date,Close,High,Low,Open,Volume``).

    For ETFs (IWM, SPY, HYG) Yahoo's ``Close`` is split- and dividend-adjusted, so it is
    a total-return proxy; for indices (``^RUT``, ``^VIX``) it is the price level.

    Returns
    -------
    pandas.DataFrame
        Shape (date, 5): float64 columns ``Close, High, Low, Open, Volume``, indexed by a
        ``DatetimeIndex`` named ``date``. Rows without a close are kept as NaN.

    Raises
    ------
    DataError
        Missing columns, bad or out-of-order dates, non-numeric or non-positive prices.
    """
    table = read_table(path)
    require_columns(table, _YAHOO_COLUMNS, hint="download daily history from Yahoo Finance as CSV")
    index = parse_dates(table, table.column("Date"), column="Date", formats=("%Y-%m-%d",))
    data = {}
    for col in _YAHOO_COLUMNS[1:]:
        values = parse_numeric(table, col)
        if col == "Volume":
            check_range(table, col, values, low=0.0, high=1e13, units="shares")
        else:
            check_range(table, col, values, low=1e-6, high=1e7, units="price in USD or points")
        data[col] = values
    return pd.DataFrame(data, index=index.rename("date"), dtype="float64")


def load_month_end_level(path: Path, *, low: float = 1e-3, high: float = 1e7) -> pd.Series:
    """Read a month-end index level file: a ``date`` column (``YYYY-MM``) and one level.

    Used for FTSE Russell's Russell 2000 and S&P DJI's S&P 500 month-end closes.

    Returns
    -------
    pandas.Series
        Shape (month,), float64, named after the value column, indexed by a monthly
        ``PeriodIndex`` named ``month``.
    """
    table = read_table(path)
    require_columns(table, ("date",), hint="the first column must be 'date' (YYYY-MM)")
    if len(table.header) != 2:
        raise fail(
            table.path,
            "header",
            f"expected two columns 'date,<series>', found '{','.join(table.header)}'",
            "keep only the date and the index level",
        )
    name = table.header[1]
    index = parse_dates(table, table.column("date"), column="date", formats=("%Y-%m",))
    values = parse_numeric(table, name)
    check_range(table, name, values, low=low, high=high, units="index points")
    return pd.Series(values, index=index.to_period("M").rename("month"), name=name)
