"""One validation helper shared by every loader.

Every loader reads its file into a table of raw text cells, then calls :func:`parse_dates`
and :func:`parse_numeric` here, so that a bad date, a duplicate, a non-number or an
implausible value is reported the same way everywhere: one :class:`DataError` naming the
file, the line (1-based, as an editor shows it) or column, what is wrong and the fix.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from rutsim.errors import DataError
from rutsim.files import MAX_TEXT_BYTES

__all__ = [
    "Table",
    "check_range",
    "fail",
    "parse_dates",
    "parse_numeric",
    "read_table",
    "require_columns",
]

#: Cells that publishers write for "no observation" (FRED writes "." or leaves it empty).
MISSING_TOKENS = frozenset({"", ".", "NA", "N/A", "NaN", "nan", "#N/A"})


class Table(NamedTuple):
    """Raw text cells of one CSV table, before any parsing.

    Attributes
    ----------
    path : Path
        The file the table came from (for messages).
    header : tuple of str
        Column names, stripped.
    rows : list of list of str
        Data cells, shape (row, column), each stripped.
    lines : list of int
        The 1-based line number in the file of each row (for messages).
    """

    path: Path
    header: tuple[str, ...]
    rows: list[list[str]]
    lines: list[int]

    def column(self, name: str) -> list[str]:
        """Return the raw cells of column ``name`` (which must exist)."""
        idx = self.header.index(name)
        return [row[idx] if idx < len(row) else "" for row in self.rows]

    def fail_at(self, i: int, column: str, what: str, fix: str) -> DataError:
        """Build the loaders' error for data row ``i`` (0-based) in ``column``."""
        return fail(self.path, f"line {self.lines[i]}, column '{column}'", what, fix)


def fail(path: Path | str, where: str, what: str, fix: str) -> DataError:
    """Build the one error format used by every loader: file, place, problem, fix."""
    return DataError(f"{path}: {where}: {what}. To fix: {fix}.")


def read_text(path: Path) -> str:
    """Read a text file, turning a missing or undecodable file into :class:`DataError`."""
    path = Path(path)
    if not path.is_file():
        raise fail(
            path,
            "file",
            "not found",
            "check the path, or download the file from its publisher (see docs/data.md)",
        )
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise fail(
            path,
            "file",
            f"{size / 2**20:.0f} MiB is too large for a data file (limit "
            f"{MAX_TEXT_BYTES / 2**20:.0f} MiB)",
            "check that this is the right file",
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Some publishers (French, older Excel exports) write Latin-1.
        return raw.decode("latin-1")


#: A cell that is a number or a date: a first line made only of these is data, not a header.
_DATA_CELL = re.compile(
    r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?%?|\d{4}-\d{1,2}(-\d{1,2})?|\d{1,2}/\d{1,2}/\d{2,4}"
)


def read_table(path: Path, *, text: str | None = None, first_line: int = 1) -> Table:
    """Parse a plain CSV (header row, then data) into raw text cells.

    Parameters
    ----------
    path : Path
        The file (also used in messages).
    text : str, optional
        The CSV text when the caller already holds it (e.g. one section of a French file).
    first_line : int
        Line number in the file of the first line of ``text``.
    """
    path = Path(path)
    if text is None:
        text = read_text(path)
    reader = csv.reader(io.StringIO(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        raise fail(
            path,
            f"line {first_line + reader.line_num - 1}",
            f"not a readable CSV row ({exc})",
            "check that this is the right file; a cell this long is not a data value",
        ) from None
    numbered = [
        (first_line + i, [c.strip() for c in rec])
        for i, rec in enumerate(records)
        if any(c.strip() for c in rec)
    ]
    if not numbered:
        raise fail(path, "file", "is empty", "re-download it; a CSV needs a header and rows")
    header_line, header = numbered[0]
    if all(_DATA_CELL.fullmatch(c) for c in header):
        raise fail(
            path,
            f"line {header_line}",
            f"'{','.join(header)}' is data, not a header row (every cell is a number or a date)",
            "add a header line naming the columns (e.g. date,value) above the first row",
        )
    if len(numbered) < 2:
        raise fail(
            path, f"line {header_line}", "has a header but no data rows", "re-download the file"
        )
    return Table(path, tuple(header), [r for _, r in numbered[1:]], [n for n, _ in numbered[1:]])


def require_columns(table: Table, names: Sequence[str], *, hint: str) -> None:
    """Raise naming the first of ``names`` missing from the table's header."""
    for name in names:
        if name not in table.header:
            raise fail(
                table.path,
                "header",
                f"column '{name}' not found (columns are {', '.join(table.header)})",
                hint,
            )


def parse_dates(
    table: Table,
    cells: Sequence[str],
    *,
    column: str,
    formats: Sequence[str],
    shown: Sequence[str] | None = None,
) -> pd.DatetimeIndex:
    """Parse date cells with the first of ``formats`` that fits, checking order.

    Parameters
    ----------
    shown : sequence of str, optional
        The cells as written in the file, when ``cells`` were rewritten before parsing
        (e.g. ``2025 Q1`` to ``2025-01``); messages quote these.

    Returns
    -------
    pandas.DatetimeIndex
        Shape (row,). Raises if a cell fits no format, or if dates are not strictly
        increasing (which also catches duplicates), naming the line.
    """
    shown = cells if shown is None else shown
    values = pd.Series(list(cells), dtype=object)
    best: pd.Series | None = None
    for fmt in formats:
        # Vectorised per format; a file uses one format throughout, so the one that
        # parses the most cells is the file's format and the rest are errors.
        attempt = pd.Series(pd.to_datetime(values, format=fmt, errors="coerce"))
        if best is None or attempt.notna().sum() > best.notna().sum():
            best = attempt
    assert best is not None
    bad_cells = np.flatnonzero(best.isna().to_numpy())
    if bad_cells.size:
        i = int(bad_cells[0])
        raise table.fail_at(
            i,
            column,
            f"'{shown[i]}' is not a date in the expected format ({' or '.join(formats)})",
            "correct or remove that row",
        )
    parsed = best
    index = pd.DatetimeIndex(parsed)
    steps = np.diff(index.asi8)
    bad = np.flatnonzero(steps <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        kind = "repeats the date" if steps[bad[0]] == 0 else "goes back in time from"
        raise table.fail_at(
            i,
            column,
            f"'{shown[i]}' {kind} the row before (line {table.lines[i - 1]}); "
            "dates must be unique and increasing",
            "sort the file by date and drop duplicate rows",
        )
    return index


def parse_numeric(
    table: Table,
    column: str,
    *,
    missing: frozenset[str] = MISSING_TOKENS,
    sentinels: tuple[float, ...] = (),
) -> np.ndarray:
    """Parse one column's cells to float64, with NaN for missing tokens.

    Parameters
    ----------
    sentinels : tuple of float
        A publisher's numeric codes for "missing" (French: -99.99 and -999), also mapped
        to NaN.

    Returns
    -------
    numpy.ndarray
        Shape (row,), float64.
    """
    cells = table.column(column)
    out = np.empty(len(cells))
    for i, cell in enumerate(cells):
        if cell in missing:
            out[i] = np.nan
            continue
        try:
            out[i] = float(cell)
        except ValueError:
            raise table.fail_at(
                i,
                column,
                f"'{cell}' is not a number",
                "write a plain decimal number, or leave the cell empty (or '.') for missing",
            ) from None
        if not np.isfinite(out[i]):
            raise table.fail_at(
                i,
                column,
                f"'{cell}' is not a finite number",
                "leave the cell empty for a missing value",
            )
        if out[i] in sentinels:
            out[i] = np.nan
    return out


def check_range(
    table: Table,
    column: str,
    values: np.ndarray,
    *,
    low: float,
    high: float,
    units: str,
) -> None:
    """Raise if any non-missing value lies outside [low, high] (a units or scale error).

    The bounds are wide on purpose: they catch a file in the wrong units (a rate in
    decimals instead of percent, a price in thousands), not unusual history.
    """
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero((values < low) | (values > high))
    if bad.size:
        i = int(bad[0])
        raise table.fail_at(
            i,
            column,
            f"value {values[i]:g} is outside the plausible range [{low:g}, {high:g}] for {units}",
            f"check the units (expected {units}) and the value",
        )
