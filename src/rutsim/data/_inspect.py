"""Recognise a data file's publisher format, validate it, and summarise coverage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, NamedTuple

import pandas as pd

from rutsim.data._fed import load_fed_stress_table, load_gz_ebp, load_nyfed_effr
from rutsim.data._fomc import load_fomc_meetings, load_fomc_sep
from rutsim.data._fred import load_fred
from rutsim.data._french import load_french_tables
from rutsim.data._shiller import load_shiller
from rutsim.data._spdji import load_spdji_eps
from rutsim.data._user import load_user_csv
from rutsim.data._validate import read_text
from rutsim.data._yahoo import load_yahoo

__all__ = ["FORMATS", "CoverageRow", "FileReport", "coverage", "detect_format", "validate_file"]

Format = Literal[
    "fred",
    "yahoo",
    "french",
    "shiller",
    "spdji",
    "fed-stress",
    "gz-ebp",
    "nyfed-effr",
    "fomc-meetings",
    "fomc-sep",
    "user",
]

FORMATS: tuple[str, ...] = Format.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CoverageRow:
    """Coverage of one series: units, first and last period, count, internal gaps."""

    name: str
    units: str
    first: str
    last: str
    count: int
    missing: int


class FileReport(NamedTuple):
    """What :func:`validate_file` found in a file.

    Attributes
    ----------
    path : Path
    kind : str
        The recognised format (one of :data:`FORMATS`).
    freq : str
        Detected frequency (``D, W, M, Q, A`` or ``mixed`` for French files).
    columns : list of CoverageRow
        Coverage per value column.
    """

    path: Path
    kind: str
    freq: str
    columns: list[CoverageRow]


def detect_format(path: Path) -> Format:
    """Recognise a file's publisher format from its header lines."""
    text = read_text(path)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    head = lines[0].strip() if lines else ""
    cols = [c.strip() for c in head.split(",")]
    if len(cols) == 2 and cols[0] in ("observation_date", "DATE"):
        return "fred"
    if cols[:2] == ["Date", "Close"]:
        return "yahoo"
    if cols[:2] == ["Scenario Name", "Date"]:
        return "fed-stress"
    if cols[:3] == ["date", "gz_spread", "ebp"]:
        return "gz-ebp"
    if cols[:2] == ["Effective Date", "Rate Type"]:
        return "nyfed-effr"
    if cols[0] == "decision_date":
        return "fomc-meetings"
    if cols[0] == "sep_release_date":
        return "fomc-sep"
    if cols[0] == "month" and "P" in cols and "E" in cols:
        return "shiller"
    if cols[0] == "quarter_end":
        return "spdji"
    if any(ln.startswith(",") for ln in lines[:50]):
        return "french"
    return "user"


def _span(values: pd.Series) -> tuple[str, str, int, int]:
    valid = values.dropna()
    if valid.empty:
        return "", "", 0, 0
    inside = values.loc[valid.index[0] : valid.index[-1]]
    label = (lambda x: x.strftime("%Y-%m-%d")) if isinstance(valid.index, pd.DatetimeIndex) else str
    return label(valid.index[0]), label(valid.index[-1]), len(valid), int(inside.isna().sum())


def coverage(frame: pd.DataFrame, units: dict[str, str] | None = None) -> list[CoverageRow]:
    """Per column: units, first and last period with data, count, gaps in between."""
    units = units or {}
    rows = []
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            continue
        first, last, count, missing = _span(frame[col])
        rows.append(CoverageRow(str(col), units.get(str(col), ""), first, last, count, missing))
    return rows


def _freq_of(frame: pd.DataFrame) -> str:
    index = frame.index
    if isinstance(index, pd.PeriodIndex):
        return index.freqstr[0]
    from rutsim.data._user import detect_frequency

    return detect_frequency(index) if isinstance(index, pd.DatetimeIndex) else "-"


def _frame_loader(kind: Format) -> Callable[[Path], pd.DataFrame]:
    loaders: dict[str, Callable[[Path], pd.DataFrame]] = {
        "fred": lambda p: load_fred(p).to_frame(),
        "yahoo": load_yahoo,
        "shiller": load_shiller,
        "spdji": load_spdji_eps,
        "fed-stress": load_fed_stress_table,
        "gz-ebp": load_gz_ebp,
        "nyfed-effr": load_nyfed_effr,
        "fomc-meetings": lambda p: load_fomc_meetings(p)[["year"]],
        "fomc-sep": lambda p: load_fomc_sep(p).set_index("sep_release_date")[
            ["median_projection_pct"]
        ],
        "user": load_user_csv,
    }
    return loaders[kind]


def validate_file(path: Path, kind: Format | None = None) -> FileReport:
    """Validate a file with its publisher's loader and summarise what it holds.

    Parameters
    ----------
    path : Path
        Any file the data layer reads (a FRED or Yahoo download, a French table, a user
        CSV, ...).
    kind : str, optional
        Force a format (one of :data:`FORMATS`); detected from the header otherwise.

    Raises
    ------
    DataError
        The loader's message: file, line or column, the problem and the fix.
    """
    path = Path(path)
    kind = detect_format(path) if kind is None else kind
    if kind == "french":
        rows: list[CoverageRow] = []
        for i, table in enumerate(load_french_tables(path)):
            title = table.title or f"table {i + 1} (untitled, {table.freq})"
            rows += [replace(r, name=f"{title} / {r.name}") for r in coverage(table.frame)]
        return FileReport(path, kind, "mixed", rows)
    frame = _frame_loader(kind)(path)
    units = {}
    if kind == "fred":
        from rutsim.data._fred import FRED_RANGES

        units = {sid: spec[2] for sid, spec in FRED_RANGES.items()}
    freq = "per release" if kind == "fomc-sep" else _freq_of(frame)
    return FileReport(path, kind, freq, coverage(frame, units))
