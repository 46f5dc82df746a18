"""S&P Dow Jones Indices' S&P 500 quarterly earnings file."""

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

__all__ = ["load_spdji_eps"]

_RANGES: dict[str, tuple[float, float, str]] = {
    "operating_eps": (-200.0, 500.0, "USD per index share, one quarter"),
    "as_reported_eps": (-200.0, 500.0, "USD per index share, one quarter"),
    "price": (1.0, 1e6, "index points"),
}


def load_spdji_eps(path: Path) -> pd.DataFrame:
    """Read S&P 500 quarterly operating and as-reported EPS (one row per quarter end).

    Returns
    -------
    pandas.DataFrame
        Shape (quarter, column): float64 columns of the file (``operating_eps``,
        ``as_reported_eps``, ``price``, ...), indexed by a quarterly ``PeriodIndex`` named
        ``quarter``. EPS are per index share for the single quarter (not trailing).

    Raises
    ------
    DataError
        Missing columns, dates that are not quarter ends, duplicate quarters, bad values.
    """
    table = read_table(path)
    require_columns(
        table,
        ("quarter_end", *_RANGES),
        hint="use S&P DJI's quarterly EPS sheet exported with columns quarter_end, "
        "operating_eps, as_reported_eps, price",
    )
    dates = parse_dates(
        table, table.column("quarter_end"), column="quarter_end", formats=("%Y-%m-%d",)
    )
    # A preliminary quarter may be dated on its last trading day; all that matters is
    # that each row is the last month of a quarter.
    off = np.flatnonzero(dates.month % 3 != 0)
    if off.size:
        i = int(off[0])
        raise table.fail_at(
            i,
            "quarter_end",
            f"'{table.column('quarter_end')[i]}' is not in the last month of a quarter",
            "date each row at its quarter end (e.g. 2025-09-30)",
        )
    data = {}
    for col in table.header[1:]:
        values = parse_numeric(table, col)
        if col in _RANGES:
            low, high, units = _RANGES[col]
            check_range(table, col, values, low=low, high=high, units=units)
        data[col] = values
    return pd.DataFrame(data, index=dates.to_period("Q").rename("quarter"), dtype="float64")
