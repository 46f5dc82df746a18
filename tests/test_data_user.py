"""The generic user CSV loader and `rutsim data validate`'s format detection."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutsim.data import detect_frequency, load_user_csv
from rutsim.data._inspect import detect_format, validate_file
from rutsim.errors import DataError

FIX = Path(__file__).parent / "fixtures" / "data"


def test_quarterly_labels_and_detected_frequency():
    frame = load_user_csv(FIX / "user_pe_quarterly.csv")
    assert frame.attrs["freq"] == "Q"
    assert list(frame.columns) == ["trailing_pe", "forward_pe"]
    assert frame.loc["2025-07-01", "trailing_pe"] == 18.51


def test_monthly_dates_detected():
    frame = load_user_csv(FIX / "user_eps_monthly.csv")
    assert frame.attrs["freq"] == "M" and frame.index.name == "date"


@pytest.mark.parametrize(
    ("freq", "expected"), [("B", "D"), ("W-FRI", "W"), ("MS", "M"), ("QS", "Q"), ("YS", "A")]
)
def test_detect_frequency(freq, expected):
    assert detect_frequency(pd.date_range("2000-01-01", periods=30, freq=freq)) == expected


@given(st.sampled_from(["%Y-%m-%d", "%Y-%m", "%m/%d/%Y", "%Y%m", "%Y%m%d"]), st.integers(2, 40))
def test_monthly_files_in_any_date_style(fmt, n):
    import tempfile

    # Starting in November makes the first YYYYMM labels also valid YYYYMMDD strings.
    dates = pd.date_range("2001-11-30", periods=n, freq="ME")
    text = "date,value\n" + "".join(f"{d.strftime(fmt)},{i}.5\n" for i, d in enumerate(dates))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "u.csv"
        path.write_text(text)
        frame = load_user_csv(path)
    assert frame.attrs["freq"] == "M" and len(frame) == n
    assert frame["value"].iloc[-1] == n - 0.5
    assert frame.index[0].year == 2001 and frame.index[0].month == 11


def test_user_loader_on_real_month_end_file(shared_data):
    frame = load_user_csv(shared_data / "sp500_monthly.csv")
    assert frame.attrs["freq"] == "M" and list(frame.columns) == ["sp500"]
    assert frame.loc["2025-09-01", "sp500"] == 6688.46


def test_user_csv_errors(tmp_path):
    only_dates = tmp_path / "dates.csv"
    only_dates.write_text("date\n2025-01-01\n2025-02-01\n")
    with pytest.raises(DataError, match="no value column"):
        load_user_csv(only_dates)
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("date,x\n2025-01-31,1\n31/02/2025,2\n")
    with pytest.raises(DataError) as info:
        load_user_csv(mixed)
    assert "line 3, column 'date'" in str(info.value) and "'31/02/2025'" in str(info.value)
    text = tmp_path / "text.csv"
    text.write_text("date,x\n2025-01-31,1\n2025-02-28,high\n")
    with pytest.raises(DataError) as info:
        load_user_csv(text)
    assert "line 3, column 'x'" in str(info.value) and "'high' is not a number" in str(info.value)


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("fred_dff_old_style.csv", "fred"),
        ("fred_dgs2_new_style.csv", "fred"),
        ("yahoo_rut_small.csv", "yahoo"),
        ("french_small.csv", "french"),
        ("shiller_small.csv", "shiller"),
        ("spdji_small.csv", "spdji"),
        ("fed_stress_small.csv", "fed-stress"),
        ("gz_small.csv", "gz-ebp"),
        ("nyfed_effr_newest_first.csv", "nyfed-effr"),
        ("fomc_meetings_small.csv", "fomc-meetings"),
        ("fomc_sep_small.csv", "fomc-sep"),
        ("user_pe_quarterly.csv", "user"),
        ("rut_monthly_small.csv", "user"),
    ],
)
def test_detect_and_validate_every_fixture(fixture, kind):
    assert detect_format(FIX / fixture) == kind
    report = validate_file(FIX / fixture)
    assert report.kind == kind and report.columns
    assert max(row.count for row in report.columns) > 0


def test_validate_report_counts_gaps():
    report = validate_file(FIX / "fred_dgs2_new_style.csv")
    (row,) = report.columns
    assert (row.name, row.first, row.last, row.count, row.missing) == (
        "DGS2",
        "2025-09-24",
        "2025-09-30",
        4,
        1,
    )
    assert row.units == "percent" and report.freq == "D"


@pytest.mark.parametrize("first", ["2020-01-01,1.5", "1.0,2.0", "2020-01,3", "1/31/2020,-0.5"])
def test_a_csv_without_a_header_row_is_refused(tmp_path: Path, first: str) -> None:
    # The first row would otherwise become the column names and be lost from the data.
    path = tmp_path / "no_header.csv"
    path.write_text(f"{first}\n2020-02-01,1.6\n2020-03-01,1.7\n")
    with pytest.raises(DataError, match=r"line 1: .* is data, not a header row.*To fix"):
        load_user_csv(path)
