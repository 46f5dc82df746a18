"""FRED CSV files (both header styles) and the publisher-specific plausibility ranges."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rutsim.data._validate import (
    check_range,
    fail,
    parse_dates,
    parse_numeric,
    read_table,
)

__all__ = ["FRED_RANGES", "load_fred"]

_PCT = "percent"
_PP = "percentage points"

#: Plausible (low, high, units) per FRED series id: wide enough for all of history, narrow
#: enough to catch a file in decimals instead of percent or in the wrong scale.
FRED_RANGES: dict[str, tuple[float, float, str]] = {
    "FEDFUNDS": (-1.0, 25.0, _PCT),
    "DFF": (-1.0, 25.0, _PCT),
    "DFEDTAR": (0.0, 25.0, _PCT),
    "DFEDTARU": (0.0, 25.0, _PCT),
    "DFEDTARL": (0.0, 25.0, _PCT),
    "DGS10": (-1.0, 25.0, _PCT),
    "GS10": (-1.0, 25.0, _PCT),
    "DGS30": (-1.0, 25.0, _PCT),
    "DGS2": (-1.0, 25.0, _PCT),
    "DGS3MO": (-1.0, 25.0, _PCT),
    "DTB3": (-1.0, 25.0, _PCT),
    "T10Y2Y": (-5.0, 5.0, _PP),
    "BAA": (0.0, 25.0, _PCT),
    "AAA": (0.0, 25.0, _PCT),
    "BAA10Y": (-1.0, 10.0, _PP),
    "BAMLH0A0HYM2": (0.0, 30.0, _PP),
    "BAMLC0A4CBBB": (0.0, 15.0, _PP),
    "BAMLC0A1CAAA": (0.0, 10.0, _PP),
    "UNRATE": (0.0, 30.0, _PCT),
    "CPIAUCSL": (1.0, 2000.0, "index 1982-84=100"),
    "CP": (-1000.0, 20000.0, "billions of USD, SAAR"),
    "VIXCLS": (1.0, 150.0, "index points"),
    "NFCICREDIT": (-5.0, 10.0, "index"),
    "STLFSI4": (-5.0, 15.0, "index"),
    "PAYEMS": (1.0e4, 1.0e6, "thousands of persons"),
    "M2SL": (1.0, 1.0e6, "billions of USD"),
    "SAHMREALTIME": (-5.0, 15.0, _PP),
    "UMCSENT": (10.0, 150.0, "index 1966Q1=100"),
}

_DATE_HEADERS = ("observation_date", "DATE")
#: A FRED series id: upper-case letters and digits (and '_'), e.g. DGS10, BAMLH0A0HYM2.
_SERIES_ID = re.compile(r"[A-Z0-9][A-Z0-9_]*")
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def load_fred(path: Path, *, series_id: str | None = None) -> pd.Series:
    """Read one FRED series CSV (``DATE,<ID>`` or ``observation_date,<ID>``).

    Missing values (``.`` or an empty cell) become NaN and are kept, so a gap stays a gap.
    Dates may be ``YYYY-MM-DD`` or ``M/D/YYYY``.

    Parameters
    ----------
    path : Path
        The CSV file as downloaded from FRED.
    series_id : str, optional
        The expected series id (the second column's name); checked when given.

    Returns
    -------
    pandas.Series
        Shape (date,), float64, named by the series id, indexed by a ``DatetimeIndex``
        named ``date``.

    Raises
    ------
    DataError
        Naming the file and the line or column: unknown header, unparsable or
        out-of-order dates, non-numeric or implausible values.
    """
    table = read_table(path)
    if (
        len(table.header) != 2
        or table.header[0] not in _DATE_HEADERS
        or not _SERIES_ID.fullmatch(table.header[1])
    ):
        raise fail(
            table.path,
            "header",
            f"expected two columns 'observation_date,<SERIES_ID>' (or 'DATE,<SERIES_ID>'), "
            f"found '{','.join(table.header)}'",
            "download the series from FRED as CSV (one series per file)",
        )
    date_col, sid = table.header
    if series_id is not None and sid != series_id:
        raise fail(
            table.path,
            "header",
            f"holds series '{sid}' but '{series_id}' was expected",
            f"point to the file of FRED series {series_id}",
        )
    index = parse_dates(table, table.column(date_col), column=date_col, formats=_DATE_FORMATS)
    values = parse_numeric(table, sid)
    if sid in FRED_RANGES:
        low, high, units = FRED_RANGES[sid]
        check_range(table, sid, values, low=low, high=high, units=units)
    return pd.Series(values, index=index.rename("date"), name=sid, dtype="float64")
