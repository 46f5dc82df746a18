"""Robert Shiller's monthly S&P Composite file (``month`` as ``YYYY-MM``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rutsim.data._validate import (
    check_range,
    parse_dates,
    parse_numeric,
    read_table,
    require_columns,
)

__all__ = ["load_shiller"]

#: Columns the panel uses, with plausible ranges (price and per-share values in USD).
_RANGES: dict[str, tuple[float, float, str]] = {
    "P": (1.0, 1e6, "index points (monthly average of daily closes)"),
    "D": (0.0, 1e4, "USD per index share, trailing 12 months"),
    "E": (-1e4, 1e5, "USD per index share, trailing 12 months"),
    "CPI": (1.0, 2000.0, "index"),
    "GS10": (-1.0, 25.0, "percent"),
}


def load_shiller(path: Path) -> pd.DataFrame:
    """Read Shiller's ``ie_data`` export.

    Recent earnings are S&P estimates (Shiller's note); the panel labels them so.

    Returns
    -------
    pandas.DataFrame
        Shape (month, column): every numeric column of the file as float64 (``P, D, E,
        CPI, GS10, CAPE, ...``), indexed by a monthly ``PeriodIndex`` named ``month``.

    Raises
    ------
    DataError
        A missing ``month``/``P``/``D``/``E``/``CPI`` column, bad months, non-numeric or
        implausible values.
    """
    table = read_table(path)
    require_columns(
        table,
        ("month", *_RANGES),
        hint="use the monthly table of Shiller's ie_data with columns month, P, D, E, CPI",
    )
    index = parse_dates(table, table.column("month"), column="month", formats=("%Y-%m",))
    data = {}
    for col in table.header:
        if col == "month":
            continue
        values = parse_numeric(table, col)
        if col in _RANGES:
            low, high, units = _RANGES[col]
            check_range(table, col, values, low=low, high=high, units=units)
        data[col] = values
    return pd.DataFrame(data, index=index.to_period("M").rename("month"), dtype="float64")
