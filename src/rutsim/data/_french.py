"""Kenneth R. French Data Library files: several stacked tables in one CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NamedTuple

import pandas as pd

from rutsim.data._validate import (
    check_range,
    fail,
    parse_dates,
    parse_numeric,
    read_table,
    read_text,
)

__all__ = ["FrenchTable", "load_french", "load_french_tables"]

#: French's numeric codes for a missing value ("-99.99 or -999" in the files' preambles).
FRENCH_MISSING = (-99.99, -999.0)


class FrenchTable(NamedTuple):
    """One table of a French file.

    Attributes
    ----------
    title : str
        The title line above the header ("" for the first table when the file's preamble
        was removed; French puts the monthly value-weighted table first).
    freq : {"M", "A"}
        Monthly (dates ``YYYYMM``) or annual (``YYYY``).
    frame : pandas.DataFrame
        Shape (period, column), float64 as published (returns in percent), NaN for
        ``-99.99`` and ``-999``; indexed by a ``PeriodIndex`` named ``month`` or ``year``.
    """

    title: str
    freq: Literal["M", "A"]
    frame: pd.DataFrame


def _is_data_line(line: str) -> bool:
    first = line.split(",", 1)[0].strip()
    return first.isdigit() and len(first) in (4, 6)


def load_french_tables(path: Path) -> tuple[FrenchTable, ...]:
    """Split a French file into its tables and parse each.

    A table is a header row whose first cell is empty, followed by rows whose first cell
    is ``YYYYMM`` or ``YYYY``; the nearest text line above the header is its title.

    Raises
    ------
    DataError
        No table found; mixed date widths in one table; bad values (naming the line).
    """
    path = Path(path)
    lines = read_text(path).splitlines()
    tables: list[FrenchTable] = []
    title = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(",") and i + 1 < len(lines) and _is_data_line(lines[i + 1]):
            end = i + 1
            while end < len(lines) and _is_data_line(lines[end]):
                end += 1
            tables.append(_parse_section(path, lines[i:end], first_line=i + 1, title=title))
            title = ""
            i = end
            continue
        if line.strip():
            title = line.strip()
        i += 1
    if not tables:
        raise fail(
            path,
            "file",
            "no table found (a header row starting with ',' followed by YYYYMM or YYYY rows)",
            "download the CSV version of the file from the French Data Library",
        )
    return tuple(tables)


def _parse_section(path: Path, lines: list[str], *, first_line: int, title: str) -> FrenchTable:
    text = "\n".join(["date" + lines[0], *lines[1:]])
    table = read_table(path, text=text, first_line=first_line)
    cells = table.column("date")
    width = len(cells[0])
    freq: Literal["M", "A"] = "M" if width == 6 else "A"
    dates = parse_dates(table, cells, column="date", formats=("%Y%m",) if width == 6 else ("%Y",))
    is_return_table = "firm" not in title.lower() and "size" not in title.lower()
    data = {}
    for col in table.header[1:]:
        values = parse_numeric(table, col, sentinels=FRENCH_MISSING)
        if is_return_table:
            # Returns are in percent: below -100 or above 1000 means wrong units or scale.
            check_range(table, col, values, low=-100.0, high=1000.0, units="percent returns")
        data[col] = values
    name = "month" if freq == "M" else "year"
    index = dates.to_period("M" if freq == "M" else "Y").rename(name)
    return FrenchTable(title, freq, pd.DataFrame(data, index=index, dtype="float64"))


def load_french(
    path: Path, *, table: str | None = None, freq: Literal["M", "A"] = "M"
) -> pd.DataFrame:
    """Return one table of a French file, the first that matches.

    Parameters
    ----------
    path : Path
        The CSV from the French Data Library.
    table : str, optional
        Case-insensitive text the table's title must contain (e.g. "Equal Weight").
        Without it the first table of frequency ``freq`` is returned, which is the
        value-weighted (or factor) table in French's layout.
    freq : {"M", "A"}
        Monthly or annual.

    Returns
    -------
    pandas.DataFrame
        See :class:`FrenchTable`.
    """
    tables = load_french_tables(path)
    for candidate in tables:
        if candidate.freq != freq:
            continue
        if table is None or table.lower() in candidate.title.lower():
            return candidate.frame
    titles = "; ".join(f"'{t.title or '(untitled)'}' ({t.freq})" for t in tables)
    raise fail(
        path,
        "tables",
        f"no {freq} table whose title contains '{table}' (found {titles})",
        "pass one of the titles above",
    )
