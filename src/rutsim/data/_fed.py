"""Federal Reserve publications: stress-test tables, the GZ spread / EBP, NY Fed EFFR."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from rutsim.data._validate import (
    Table,
    check_range,
    fail,
    parse_dates,
    parse_numeric,
    read_table,
    require_columns,
)

__all__ = ["load_fed_stress_table", "load_gz_ebp", "load_nyfed_effr"]

_QUARTER = re.compile(r"^(\d{4})\s*:?\s*Q([1-4])$")


def load_fed_stress_table(path: Path) -> pd.DataFrame:
    """Read a Fed supervisory stress-test table (historic, baseline or severely adverse).

    Columns are read by name, because the Fed adds and renames variables between years;
    the date is the ``Date`` column written ``2025 Q1``.

    Returns
    -------
    pandas.DataFrame
        Shape (quarter, variable): every variable column as float64, named exactly as
        in the file (e.g. ``"3-month Treasury rate"``, ``"10-year Treasury yield"``,
        ``"BBB corporate yield"``), indexed by a quarterly ``PeriodIndex`` named
        ``quarter``. ``frame.attrs["scenario"]`` holds the ``Scenario Name`` value.
        Rates in percent, growth rates annualized percent, levels as published.

    Raises
    ------
    DataError
        Missing ``Scenario Name``/``Date`` columns, a date not like ``2025 Q1``, quarters
        out of order, several scenarios in one file, non-numeric or implausible rates.
    """
    table = read_table(path)
    require_columns(
        table,
        ("Scenario Name", "Date"),
        hint="use a table from the Fed's stress-test scenario CSVs (first two columns "
        "'Scenario Name', 'Date')",
    )
    raw = table.column("Date")
    converted = []
    for cell, line in zip(raw, table.lines, strict=True):
        match = _QUARTER.match(cell)
        if match is None:
            raise fail(
                table.path,
                f"line {line}, column 'Date'",
                f"'{cell}' is not a quarter like '2025 Q1'",
                "write quarters as 'YYYY Qn'",
            )
        converted.append(f"{match[1]}-{3 * int(match[2]) - 2:02d}")
    dates = parse_dates(table, converted, column="Date", formats=("%Y-%m",), shown=raw)
    names = sorted(set(table.column("Scenario Name")))
    if len(names) != 1:
        raise fail(
            table.path,
            "column 'Scenario Name'",
            f"holds several scenarios ({', '.join(names)})",
            "split the file so each holds one scenario",
        )
    data = {}
    for col in table.header:
        if col in ("Scenario Name", "Date") or not col:
            continue
        values = parse_numeric(table, col)
        if _is_rate(col):
            check_range(table, col, values, low=-5.0, high=30.0, units="percent")
        data[col] = values
    frame = pd.DataFrame(data, index=dates.to_period("Q").rename("quarter"), dtype="float64")
    frame.attrs["scenario"] = names[0]
    return frame


def _is_rate(column: str) -> bool:
    lowered = column.lower()
    # Inflation and growth "rates" are annualized changes and may be far below -5.
    return ("rate" in lowered or "yield" in lowered) and not any(
        word in lowered for word in ("growth", "inflation")
    )


def load_gz_ebp(path: Path) -> pd.DataFrame:
    """Read one vintage of the Gilchrist-Zakrajsek spread and excess bond premium.

    Returns
    -------
    pandas.DataFrame
        Shape (month, 3): ``gz_spread`` and ``ebp`` (percentage points) and ``est_prob``
        (probability), indexed by a monthly ``PeriodIndex`` named ``month``.
    """
    table = read_table(path)
    require_columns(
        table,
        ("date", "gz_spread", "ebp", "est_prob"),
        hint="use the Fed's ebp_csv.csv (columns date, gz_spread, ebp, est_prob)",
    )
    dates = parse_dates(table, table.column("date"), column="date", formats=("%Y-%m-%d",))
    ranges = {
        "gz_spread": (-1.0, 20.0, "percentage points"),
        "ebp": (-5.0, 10.0, "percentage points"),
        "est_prob": (0.0, 1.0, "probability (0-1)"),
    }
    data = {}
    for col, (low, high, units) in ranges.items():
        values = parse_numeric(table, col)
        check_range(table, col, values, low=low, high=high, units=units)
        data[col] = values
    return pd.DataFrame(data, index=dates.to_period("M").rename("month"), dtype="float64")


_EFFR_COLUMNS = {
    "Rate (%)": "effr",
    "1st Percentile (%)": "p01",
    "25th Percentile (%)": "p25",
    "75th Percentile (%)": "p75",
    "99th Percentile (%)": "p99",
    "Volume ($Billions)": "volume_bn",
    "Target Rate From (%)": "target_from",
    "Target Rate To (%)": "target_to",
}


def load_nyfed_effr(path: Path) -> pd.DataFrame:
    """Read the New York Fed's EFFR download (newest-first or oldest-first).

    Returns
    -------
    pandas.DataFrame
        Shape (date, 8): ``effr, p01, p25, p75, p99`` (percent), ``volume_bn`` ($bn),
        ``target_from, target_to`` (percent; before ranges, only ``target_from``), indexed
        by a ``DatetimeIndex`` named ``date``, oldest first. Only ``EFFR`` rows are kept.
    """
    table = read_table(path)
    require_columns(
        table,
        ("Effective Date", "Rate Type", *_EFFR_COLUMNS),
        hint="download EFFR from newyorkfed.org/markets/reference-rates/effr as CSV",
    )
    keep = [i for i, t in enumerate(table.column("Rate Type")) if t == "EFFR"]
    if not keep:
        raise fail(
            table.path,
            "column 'Rate Type'",
            "no row has rate type 'EFFR'",
            "download the EFFR series, not another reference rate",
        )
    order = keep
    all_dates = table.column("Effective Date")
    dates_raw = [all_dates[i] for i in keep]
    if len(dates_raw) > 1 and dates_raw[0] > dates_raw[-1]:
        # The NY Fed serves newest first; ISO dates compare correctly as strings.
        order = keep[::-1]
    sub = Table(
        table.path, table.header, [table.rows[i] for i in order], [table.lines[i] for i in order]
    )
    dates = parse_dates(
        sub, sub.column("Effective Date"), column="Effective Date", formats=("%Y-%m-%d", "%m/%d/%Y")
    )
    data = {}
    for col, name in _EFFR_COLUMNS.items():
        values = parse_numeric(sub, col)
        if name == "volume_bn":
            check_range(sub, col, values, low=0.0, high=1e5, units="billions of USD")
        else:
            check_range(sub, col, values, low=-1.0, high=25.0, units="percent")
        data[name] = values
    return pd.DataFrame(data, index=dates.rename("date"), dtype="float64")
