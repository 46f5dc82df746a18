"""FOMC meeting calendar and Summary of Economic Projections (SEP) medians."""

from __future__ import annotations

import re
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

__all__ = ["load_fomc_meetings", "load_fomc_sep"]

_EMBEDDED = Path(__file__).resolve().parent / "embedded"
_TARGET_YEAR = re.compile(r"^(\d{4}|longer_run)$")


def load_fomc_meetings(path: Path | None = None) -> pd.DataFrame:
    """Read the scheduled FOMC decision dates (second day of each meeting).

    Parameters
    ----------
    path : Path, optional
        A ``decision_date,year,announced`` CSV; defaults to the embedded calendar
        (2025-2027 and January 2028, as scheduled by the FOMC).

    Returns
    -------
    pandas.DataFrame
        Shape (meeting, 2): ``year`` (int) and ``announced`` (datetime64, when the FOMC
        published the schedule), indexed by a ``DatetimeIndex`` named ``decision_date``.

    Raises
    ------
    DataError
        Bad or unordered dates, a ``year`` that is not the decision date's year.
    """
    table = read_table(_EMBEDDED / "fomc_meeting_dates.csv" if path is None else path)
    require_columns(
        table,
        ("decision_date", "year", "announced"),
        hint="write one row per meeting with columns decision_date, year, announced",
    )
    dates = parse_dates(
        table, table.column("decision_date"), column="decision_date", formats=("%Y-%m-%d",)
    )
    years = parse_numeric(table, "year")
    mismatch = np.flatnonzero(years != dates.year.to_numpy())
    if mismatch.size:
        i = int(mismatch[0])
        raise table.fail_at(
            i,
            "year",
            f"year {table.column('year')[i]} is not the year of {table.column('decision_date')[i]}",
            "correct the year or the date",
        )
    announced = pd.to_datetime(
        pd.Series(table.column("announced")), format="%Y-%m-%d", errors="coerce"
    )
    bad = np.flatnonzero(announced.isna().to_numpy())
    if bad.size:
        i = int(bad[0])
        raise table.fail_at(
            i,
            "announced",
            f"'{table.column('announced')[i]}' is not a date (YYYY-MM-DD)",
            "write the date the schedule was announced",
        )
    return pd.DataFrame(
        {"year": years.astype("int64"), "announced": announced.to_numpy()},
        index=dates.rename("decision_date"),
    )


def load_fomc_sep(path: Path | None = None) -> pd.DataFrame:
    """Read FOMC SEP median projections (one row per release, variable and year).

    Parameters
    ----------
    path : Path, optional
        A CSV with ``sep_release_date, variable, target_year, median_projection_pct,
        source_note``; defaults to the embedded June and September 2025 medians.

    Returns
    -------
    pandas.DataFrame
        Shape (row, 5): ``sep_release_date`` (datetime64), ``variable`` (str, e.g.
        ``fed_funds_rate_end_of_year_midpoint``), ``target_year`` (str: ``"2025"`` ...
        or ``"longer_run"``), ``median_projection_pct`` (float64, percent),
        ``source_note`` (str). Rows are in file order.

    Raises
    ------
    DataError
        Bad dates, a target year that is neither ``YYYY`` nor ``longer_run``, a repeated
        (release, variable, year), non-numeric or implausible medians.
    """
    table = read_table(_EMBEDDED / "fomc_sep_medians.csv" if path is None else path)
    cols = ("sep_release_date", "variable", "target_year", "median_projection_pct")
    require_columns(table, cols, hint="use columns " + ", ".join(cols) + ", source_note")
    released = pd.to_datetime(
        pd.Series(table.column("sep_release_date")), format="%Y-%m-%d", errors="coerce"
    )
    seen: set[tuple[str, str, str]] = set()
    for i, (date, var, year) in enumerate(
        zip(
            table.column("sep_release_date"),
            table.column("variable"),
            table.column("target_year"),
            strict=True,
        )
    ):
        where = f"line {table.lines[i]}"
        if pd.isna(released.iloc[i]):
            raise fail(
                table.path,
                f"{where}, column 'sep_release_date'",
                f"'{date}' is not a date (YYYY-MM-DD)",
                "write the SEP release date",
            )
        if not _TARGET_YEAR.match(year):
            raise fail(
                table.path,
                f"{where}, column 'target_year'",
                f"'{year}' is neither a year nor 'longer_run'",
                "write a four-digit year or longer_run",
            )
        if (date, var, year) in seen:
            raise fail(
                table.path,
                where,
                f"repeats {var} for {year} in the {date} SEP",
                "keep one row per release, variable and target year",
            )
        seen.add((date, var, year))
    values = parse_numeric(table, "median_projection_pct")
    check_range(table, "median_projection_pct", values, low=-10.0, high=30.0, units="percent")
    notes = table.column("source_note") if "source_note" in table.header else [""] * len(values)
    return pd.DataFrame(
        {
            "sep_release_date": released.to_numpy(),
            "variable": table.column("variable"),
            "target_year": table.column("target_year"),
            "median_projection_pct": values,
            "source_note": notes,
        }
    )
