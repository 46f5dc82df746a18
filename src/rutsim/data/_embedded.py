"""Build the embedded dataset from the publishers' raw files, byte for byte reproducibly.

The output folder holds ``panel_quarterly.csv``, ``panel_monthly.csv``,
``provenance.csv`` (one row per column: publisher, source, transformation, coverage),
``sources.csv`` (every raw file read, with its SHA-256) and the FOMC calendar and SEP
medians, and the FOMC announcement table (``fomc_announcements.csv``: surprises and
announcement-day responses derived from the Jarociński-Karadi file). It is written into
a temporary folder and swapped into place only once complete, so a failed build leaves
the previous dataset untouched.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from rutsim.data._announcements import ANNOUNCEMENT_COLUMNS, ANNOUNCEMENTS_FILE
from rutsim.data._catalog import MONTHLY, QUARTERLY, Column
from rutsim.data._fomc import load_fomc_meetings, load_fomc_sep
from rutsim.data._nber import load_nber_dates
from rutsim.data._raw import RawData
from rutsim.data._transform import daily_to_quarterly
from rutsim.data._validate import fail
from rutsim.files import atomic_dir

__all__ = ["EMBEDDED_DIR", "BuildResult", "build_dataset"]

#: Where the package's own dataset lives.
EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"

QUARTERLY_FILE = "panel_quarterly.csv"
MONTHLY_FILE = "panel_monthly.csv"
PROVENANCE_FILE = "provenance.csv"
SOURCES_FILE = "sources.csv"
MEETINGS_FILE = "fomc_meeting_dates.csv"
SEP_FILE = "fomc_sep_medians.csv"
NBER_FILE = "nber_business_cycle_dates.csv"

#: Largest relative gap allowed between Yahoo's ^RUT quarter-end close and FTSE Russell's.
_RUT_TOLERANCE = 0.01


class BuildResult(NamedTuple):
    """What a build wrote.

    Attributes
    ----------
    out : Path
        The dataset folder.
    quarterly, monthly : pandas.DataFrame
        The panels exactly as written (after rounding).
    sources : list of (str, str, int)
        Raw files read: name, SHA-256, bytes.
    """

    out: Path
    quarterly: pd.DataFrame
    monthly: pd.DataFrame
    sources: list[tuple[str, str, int]]


def _assemble(raw: RawData, columns: tuple[Column, ...], freq: str) -> pd.DataFrame:
    series = {}
    for col in columns:
        values = col.compute(raw).dropna().astype("float64")
        series[col.name] = values.round(col.decimals)
    first = min(s.index.min() for s in series.values())
    last = max(s.index.max() for s in series.values())
    index = pd.period_range(first, last, freq=freq, name="quarter" if freq == "Q" else "month")
    return pd.DataFrame({name: s.reindex(index) for name, s in series.items()}, index=index)


def _check_consistency(raw: RawData, quarterly: pd.DataFrame) -> None:
    # Two publishers' Russell 2000 quarter-end closes must agree: a mismatch means one
    # file is stale, truncated or in other units.
    yahoo = daily_to_quarterly(raw.rut_daily["Close"], "last")
    both = pd.concat([quarterly["rut_end"], yahoo], axis=1, join="inner").dropna()
    rel = (both.iloc[:, 0] / both.iloc[:, 1] - 1.0).abs()
    if (rel > _RUT_TOLERANCE).any():
        quarter = rel.idxmax()
        raise fail(
            raw.raw / "rut_monthly.csv",
            f"quarter {quarter}",
            f"Russell 2000 close {both.loc[quarter].iloc[0]:g} differs by "
            f"{100 * rel.max():.1f}% from yahoo_RUT_daily.csv ({both.loc[quarter].iloc[1]:g})",
            "re-download both files so they cover the same dates",
        )


def _format(value: float, decimals: int) -> str:
    if math.isnan(value):
        return ""
    text = f"{value:.{decimals}f}"
    # "-0.0000" and "0.0000" are the same number; write one spelling.
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0.0 else text


def _panel_csv(frame: pd.DataFrame, columns: tuple[Column, ...]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([frame.index.name, *frame.columns])
    decimals = [c.decimals for c in columns]
    values = frame.to_numpy()
    for label, row in zip(frame.index.astype(str), values, strict=True):
        writer.writerow([label, *(_format(v, d) for v, d in zip(row, decimals, strict=True))])
    return buf.getvalue()


def _provenance_csv(panels: list[tuple[str, pd.DataFrame, tuple[Column, ...]]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "panel",
            "name",
            "units",
            "publisher",
            "source_file",
            "source_id",
            "transformation",
            "first",
            "last",
            "count",
        ]
    )
    for panel, frame, columns in panels:
        for col in columns:
            valid = frame[col.name].dropna()
            writer.writerow(
                [
                    panel,
                    col.name,
                    col.units,
                    col.publisher,
                    col.source,
                    col.source_id,
                    col.transformation,
                    str(valid.index.min()),
                    str(valid.index.max()),
                    len(valid),
                ]
            )
    return buf.getvalue()


def _rows_csv(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def _fomc_files(raw: RawData) -> tuple[str, str]:
    meetings = load_fomc_meetings(raw.path("fomc_meetings"))
    meeting_rows = [
        [d.strftime("%Y-%m-%d"), int(y), a.strftime("%Y-%m-%d")]
        for d, y, a in zip(meetings.index, meetings["year"], meetings["announced"], strict=True)
    ]
    sep = load_fomc_sep(raw.path("fomc_sep"))
    sep_rows = [
        [
            r.sep_release_date.strftime("%Y-%m-%d"),
            r.variable,
            r.target_year,
            f"{r.median_projection_pct:g}",
            r.source_note,
        ]
        for r in sep.itertuples(index=False)
    ]
    return (
        _rows_csv(["decision_date", "year", "announced"], meeting_rows),
        _rows_csv(
            ["sep_release_date", "variable", "target_year", "median_projection_pct", "source_note"],
            sep_rows,
        ),
    )


def _nber_file(raw: RawData) -> str:
    cycles = load_nber_dates(raw.path("nber"))
    rows = [[str(p), str(t)] for p, t in zip(cycles["peak"], cycles["trough"], strict=True)]
    return _rows_csv(["peak_month", "trough_month"], rows)


def _announcements_csv(raw: RawData) -> str:
    table = raw.announcements
    rows = [
        [d.strftime("%Y-%m-%d"), int(flag), *(_format(v, 6) for v in row)]
        for d, flag, row in zip(
            table.index,
            table["scheduled"],
            table[list(ANNOUNCEMENT_COLUMNS[1:])].to_numpy(),
            strict=True,
        )
    ]
    return _rows_csv(["date", *ANNOUNCEMENT_COLUMNS], rows)


def build_dataset(
    raw: Path, out: Path | None = None, *, fetched: Path | None = None
) -> BuildResult:
    """Build the quarterly and monthly panels and their provenance from raw files.

    Parameters
    ----------
    raw : Path
        Folder of publishers' files (names as in docs/data.md), e.g. ``../shared/data``.
    out : Path, optional
        Dataset folder to (re)place; defaults to the package's embedded dataset.
    fetched : Path, optional
        Folder of FRED downloads from ``rutsim data fetch``, spliced in as the newest
        vintage of each series.

    Returns
    -------
    BuildResult
        The written panels and the raw files read.

    Raises
    ------
    DataError
        Any raw file missing or malformed (naming the file and line), or two publishers
        disagreeing. ``out`` is then left exactly as it was.
    """
    out = EMBEDDED_DIR if out is None else Path(out)
    data = RawData(raw, fetched)
    quarterly = _assemble(data, QUARTERLY, "Q")
    monthly = _assemble(data, MONTHLY, "M")
    _check_consistency(data, quarterly)
    meetings_csv, sep_csv = _fomc_files(data)
    nber_csv = _nber_file(data)
    sources = data.sources()  # after every reader, so each raw file read is listed
    files = {
        QUARTERLY_FILE: _panel_csv(quarterly, QUARTERLY),
        MONTHLY_FILE: _panel_csv(monthly, MONTHLY),
        PROVENANCE_FILE: _provenance_csv(
            [("quarterly", quarterly, QUARTERLY), ("monthly", monthly, MONTHLY)]
        ),
        SOURCES_FILE: _rows_csv(["file", "sha256", "bytes"], [list(s) for s in sources]),
        MEETINGS_FILE: meetings_csv,
        SEP_FILE: sep_csv,
        NBER_FILE: nber_csv,
        ANNOUNCEMENTS_FILE: _announcements_csv(data),
    }
    with atomic_dir(out, overwrite=True) as tmp:
        # mkdtemp makes the folder private (0700); the dataset is package data.
        tmp.chmod(0o755)
        for name, text in files.items():
            (tmp / name).write_bytes(text.encode("utf-8"))
    return BuildResult(out, quarterly, monthly, sources)
