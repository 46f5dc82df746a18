"""Every publisher loader on a small fixture, on the real file, and on bad input."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutsim.data import (
    load_fed_stress_table,
    load_fomc_meetings,
    load_fomc_sep,
    load_fred,
    load_french,
    load_french_tables,
    load_gz_ebp,
    load_month_end_level,
    load_nyfed_effr,
    load_shiller,
    load_spdji_eps,
    load_yahoo,
)
from rutsim.errors import DataError

FIX = Path(__file__).parent / "fixtures" / "data"


def _variant(tmp_path: Path, fixture: str, old: str, new: str, *, count: int = 1) -> Path:
    """Copy a fixture with one text replacement (to make one kind of bad input)."""
    text = (FIX / fixture).read_text()
    assert old in text, f"{old!r} not in {fixture}"
    path = tmp_path / fixture
    path.write_text(text.replace(old, new, count))
    return path


def _raises(path: Path, loader, *parts: str) -> str:
    with pytest.raises(DataError) as info:
        loader(path)
    message = str(info.value)
    assert str(path) in message
    assert "To fix:" in message
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"
    return message


# --- FRED -------------------------------------------------------------------------------


def test_fred_old_header_slash_dates_and_dot_missing():
    s = load_fred(FIX / "fred_dff_old_style.csv")
    assert s.name == "DFF" and s.index.name == "date" and s.dtype == np.float64
    assert list(s.index.strftime("%Y-%m-%d")) == [
        "2023-12-29",
        "2023-12-30",
        "2023-12-31",
        "2024-01-02",
        "2024-01-03",
    ]
    assert math.isnan(s["2023-12-30"]) and s["2024-01-03"] == 5.32


def test_fred_new_header_empty_missing():
    s = load_fred(FIX / "fred_dgs2_new_style.csv", series_id="DGS2")
    assert s.isna().sum() == 1 and math.isnan(s["2025-09-26"])
    assert s["2025-09-30"] == 3.60


def test_fred_real_files(shared_data):
    fedfunds = load_fred(shared_data / "fred_FEDFUNDS_monthly.csv")
    assert fedfunds["2025-09-01"] == 4.22
    dff = load_fred(shared_data / "fred_DFF_daily_to2024.csv")
    assert dff.index[0] == pd.Timestamp("1954-07-01") and dff.index[-1] == pd.Timestamp(
        "2024-01-25"
    )
    hy = load_fred(shared_data / "fred_BAMLH0A0HYM2_daily.csv")
    assert hy.isna().sum() > 0  # holidays written as '.'


def test_fred_wrong_series_id():
    _raises(
        FIX / "fred_dgs2_new_style.csv",
        lambda p: load_fred(p, series_id="DGS10"),
        "holds series 'DGS2' but 'DGS10' was expected",
    )


def test_fred_bad_header(tmp_path):
    path = _variant(tmp_path, "fred_dgs2_new_style.csv", "observation_date,DGS2", "when,DGS2")
    _raises(path, load_fred, "header", "observation_date,<SERIES_ID>")
    # a generic date,value CSV is not FRED's format (FRED ids are upper-case)
    path = _variant(tmp_path, "fred_dgs2_new_style.csv", "observation_date,DGS2", "date,value")
    _raises(path, load_fred, "header", "observation_date,<SERIES_ID>")


def test_fred_bad_date_names_line_and_column(tmp_path):
    path = _variant(tmp_path, "fred_dgs2_new_style.csv", "2025-09-25", "2025-13-25")
    _raises(path, load_fred, "line 3", "column 'observation_date'", "'2025-13-25' is not a date")


def test_fred_duplicate_date(tmp_path):
    path = _variant(tmp_path, "fred_dgs2_new_style.csv", "2025-09-25", "2025-09-24")
    _raises(path, load_fred, "line 3", "repeats the date", "line 2", "unique and increasing")


def test_fred_dates_out_of_order(tmp_path):
    path = _variant(tmp_path, "fred_dgs2_new_style.csv", "2025-09-29", "2025-09-01")
    _raises(path, load_fred, "line 5", "goes back in time")


def test_fred_non_numeric(tmp_path):
    path = _variant(tmp_path, "fred_dgs2_new_style.csv", "3.66", "n/a?")
    _raises(path, load_fred, "line 3", "column 'DGS2'", "'n/a?' is not a number")


def test_fred_implausible_units(tmp_path):
    # A yield written in basis points instead of percent.
    path = _variant(tmp_path, "fred_dgs2_new_style.csv", "3.60", "360")
    _raises(path, load_fred, "line 6", "outside the plausible range", "percent")


def test_missing_and_empty_files(tmp_path):
    _raises(tmp_path / "nope.csv", load_fred, "not found")
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n")
    _raises(empty, load_fred, "is empty")
    header_only = tmp_path / "header.csv"
    header_only.write_text("observation_date,DGS2\n")
    _raises(header_only, load_fred, "no data rows")


# --- Yahoo and month-end levels ---------------------------------------------------------


def test_yahoo_fixture():
    frame = load_yahoo(FIX / "yahoo_rut_small.csv")
    assert list(frame.columns) == ["Close", "High", "Low", "Open", "Volume"]
    assert frame.loc["2025-09-30", "Close"] == pytest.approx(2436.48, abs=0.005)


def test_yahoo_real_iwm(shared_data):
    iwm = load_yahoo(shared_data / "yahoo_IWM_daily.csv")
    assert iwm.index[0] == pd.Timestamp("2000-05-26")
    assert (iwm["Close"].dropna() > 0).all()


def test_yahoo_missing_column(tmp_path):
    path = _variant(tmp_path, "yahoo_rut_small.csv", "Date,Close,", "Date,Adj Close,")
    _raises(path, load_yahoo, "column 'Close' not found")


def test_yahoo_negative_price(tmp_path):
    path = _variant(tmp_path, "yahoo_rut_small.csv", "2436.47998046875", "-2436.48")
    _raises(path, load_yahoo, "line 6", "column 'Close'", "outside the plausible range")


def test_month_end_level():
    rut = load_month_end_level(FIX / "rut_monthly_small.csv")
    assert rut.index.freqstr == "M" and rut[pd.Period("2025-09", "M")] == 2436.48


def test_month_end_level_real(shared_data):
    rut = load_month_end_level(shared_data / "rut_monthly.csv")
    assert rut[pd.Period("2025-09", "M")] == 2436.48
    assert str(rut.index[0]) == "1987-09"


def test_month_end_level_bad_month(tmp_path):
    path = _variant(tmp_path, "rut_monthly_small.csv", "2025-08", "Aug 2025")
    _raises(path, load_month_end_level, "line 3", "'Aug 2025' is not a date", "%Y-%m")


# --- French -----------------------------------------------------------------------------


def test_french_sections_titles_and_missing():
    tables = load_french_tables(FIX / "french_small.csv")
    assert [(t.title, t.freq) for t in tables] == [
        ("The portfolios are constructed at the end of each June.", "M"),
        ("Equal Weight Returns -- Monthly", "M"),
        ("Value Weight Returns -- Annual from January to December", "A"),
    ]
    vw = load_french(FIX / "french_small.csv")
    assert vw.loc[pd.Period("2024-11", "M"), "Lo 30"] == 10.20
    assert vw["<= 0"].isna().all()  # -99.99 is missing
    ew = load_french(FIX / "french_small.csv", table="equal weight")
    assert ew.loc[pd.Period("2024-12", "M"), "Hi 30"] == -3.0
    annual = load_french(FIX / "french_small.csv", freq="A")
    assert (
        annual.index.freqstr.startswith("Y") and annual.loc[pd.Period("2024", "Y"), "Hi 30"] == 24.8
    )


def test_french_real_files(shared_data):
    tables = load_french_tables(shared_data / "french_Portfolios_Formed_on_ME.csv")
    assert len(tables) == 6
    vw = tables[0].frame
    assert str(vw.index[0]) == "1926-07" and str(vw.index[-1]) == "2024-12"
    factors = load_french(shared_data / "french_F-F_Research_Data_Factors.csv")
    assert list(factors.columns) == ["Mkt-RF", "SMB", "HML", "RF"]


def test_french_minus_999_is_missing_too(tmp_path):
    path = _variant(tmp_path, "french_small.csv", "   -1.50", "-999")
    vw = load_french(path)
    assert math.isnan(vw.loc[pd.Period("2024-10", "M"), "Lo 30"])
    assert vw.loc[pd.Period("2024-11", "M"), "Lo 30"] == 10.20


def test_french_unknown_table():
    _raises(
        FIX / "french_small.csv",
        lambda p: load_french(p, table="Number of Firms"),
        "no M table whose title contains 'Number of Firms'",
        "Equal Weight Returns -- Monthly",
    )


def test_french_bad_value_names_line(tmp_path):
    path = _variant(tmp_path, "french_small.csv", "10.20", "1O.20")
    _raises(path, load_french_tables, "line 6", "column 'Lo 30'", "'1O.20' is not a number")


def test_french_decimal_units(tmp_path):
    # Returns below -100% mean the file is not in percent (or is corrupt).
    path = _variant(tmp_path, "french_small.csv", "-7.10", "-710.0")
    _raises(path, load_french_tables, "line 7", "plausible range", "percent returns")


def test_french_no_table(tmp_path):
    path = tmp_path / "notfrench.csv"
    path.write_text("hello\nworld\n")
    _raises(path, load_french_tables, "no table found")


# --- Shiller, S&P DJI -------------------------------------------------------------------


def test_shiller_fixture():
    frame = load_shiller(FIX / "shiller_small.csv")
    sep = frame.loc[pd.Period("2025-09", "M")]
    assert sep["E"] == 235.25 and sep["D"] == 78.48 and frame.index.name == "month"


def test_shiller_real(shared_data):
    frame = load_shiller(shared_data / "shiller_ie_data_monthly.csv")
    assert str(frame.index[0]) == "1871-01" and str(frame.index[-1]) == "2025-09"


def test_shiller_bad_month(tmp_path):
    path = _variant(tmp_path, "shiller_small.csv", "2025-06,", "2025.06,")
    _raises(path, load_shiller, "line 4", "column 'month'")


def test_spdji_fixture():
    small = load_spdji_eps(FIX / "spdji_small.csv")
    assert small.index.name == "quarter"
    assert small.loc[pd.Period("2025Q3", "Q"), "operating_eps"] == 72.03
    assert small.loc[pd.Period("2024Q2", "Q"), "as_reported_eps"] == 53.12


def test_spdji_real(shared_data):
    real = load_spdji_eps(shared_data / "spdji_sp500_quarterly_eps.csv")
    assert str(real.index[0]) == "1988Q1" and str(real.index[-1]) == "2025Q3"


def test_spdji_not_quarter_end(tmp_path):
    path = _variant(tmp_path, "spdji_small.csv", "2025-06-30", "2025-05-30")
    _raises(path, load_spdji_eps, "line 6", "not in the last month of a quarter")


def test_spdji_missing_column(tmp_path):
    path = _variant(tmp_path, "spdji_small.csv", "operating_eps", "op_eps")
    _raises(path, load_spdji_eps, "column 'operating_eps' not found")


# --- Fed --------------------------------------------------------------------------------


def test_fed_stress_table_by_name():
    frame = load_fed_stress_table(FIX / "fed_stress_small.csv")
    assert frame.attrs["scenario"] == "Supervisory Severely Adverse"
    assert frame.index.name == "quarter" and str(frame.index[0]) == "2025Q1"
    assert frame.loc[pd.Period("2025Q2", "Q"), "3-month Treasury rate"] == 0.1
    assert frame.loc[pd.Period("2025Q3", "Q"), "BBB corporate yield"] == 6.0


def test_fed_stress_real(shared_data):
    hist = load_fed_stress_table(shared_data / "fed_stress_2025_table1A_historic_domestic.csv")
    assert str(hist.index[0]) == "1976Q1" and str(hist.index[-1]) == "2024Q4"
    base = load_fed_stress_table(shared_data / "fed_stress_2025_table2A_baseline_domestic.csv")
    assert str(base.index[-1]) == "2028Q1" and "10-year Treasury yield" in base.columns


def test_fed_stress_bad_quarter(tmp_path):
    path = _variant(tmp_path, "fed_stress_small.csv", "2025 Q2", "2025-Q5")
    _raises(path, load_fed_stress_table, "line 3", "'2025-Q5' is not a quarter like '2025 Q1'")


def test_fed_stress_repeated_quarter(tmp_path):
    path = _variant(tmp_path, "fed_stress_small.csv", "2025 Q3", "2025 Q2")
    _raises(path, load_fed_stress_table, "line 4", "'2025 Q2' repeats the date")


def test_fed_stress_two_scenarios(tmp_path):
    path = _variant(
        tmp_path,
        "fed_stress_small.csv",
        "Supervisory Severely Adverse,2025 Q3",
        "Supervisory Baseline,2025 Q3",
    )
    _raises(path, load_fed_stress_table, "holds several scenarios")


def test_gz_vintage_and_bad_probability(tmp_path):
    frame = load_gz_ebp(FIX / "gz_small.csv")
    assert frame.loc[pd.Period("2025-09", "M"), "gz_spread"] == pytest.approx(0.886559, abs=1e-6)
    path = _variant(tmp_path, "gz_small.csv", "0.11243737950425742", "11.24")
    _raises(path, load_gz_ebp, "line 5", "column 'est_prob'", "probability")


def test_gz_real_vintages_overlap_and_differ_slightly(shared_data):
    old = load_gz_ebp(shared_data / "fed_ebp_gz_spread_monthly_vintage2025-04.csv")
    new = load_gz_ebp(shared_data / "fed_ebp_gz_spread_monthly_vintage2025-10_tail2023on.csv")
    both = old.index.intersection(new.index)
    assert str(both[0]) == "2023-01" and str(both[-1]) == "2025-03"
    gap = (old.loc[both, "ebp"] - new.loc[both, "ebp"]).abs().max()
    assert 0.0 < gap < 0.02


def test_nyfed_effr_newest_first_is_reordered():
    frame = load_nyfed_effr(FIX / "nyfed_effr_newest_first.csv")
    assert frame.index.is_monotonic_increasing
    assert frame.loc["2025-09-30", "effr"] == 4.09
    assert frame.loc["2025-09-30", "target_to"] == 4.25


def test_nyfed_effr_real(shared_data):
    frame = load_nyfed_effr(shared_data / "nyfed_EFFR_daily.csv")
    assert frame.index[0] == pd.Timestamp("2000-07-03")


def test_nyfed_effr_wrong_rate_type(tmp_path):
    path = _variant(tmp_path, "nyfed_effr_newest_first.csv", ",EFFR,", ",OBFR,", count=4)
    _raises(path, load_nyfed_effr, "no row has rate type 'EFFR'")


# --- FOMC -------------------------------------------------------------------------------


def test_fomc_meetings_embedded_and_fixture():
    embedded = load_fomc_meetings()
    assert embedded.index.name == "decision_date"
    assert pd.Timestamp("2025-09-17") in embedded.index
    assert embedded.index[0] == pd.Timestamp("2025-01-29")
    assert embedded.index[-1] == pd.Timestamp("2028-01-26")
    assert len(embedded) == 25
    small = load_fomc_meetings(FIX / "fomc_meetings_small.csv")
    assert list(small["year"]) == [2025] * 4


def test_fomc_meetings_real_matches_embedded(shared_data):
    pd.testing.assert_frame_equal(
        load_fomc_meetings(shared_data / "fomc_meeting_dates.csv"), load_fomc_meetings()
    )


def test_fomc_meetings_wrong_year(tmp_path):
    path = _variant(tmp_path, "fomc_meetings_small.csv", "2025-03-19,2025", "2025-03-19,2026")
    _raises(path, load_fomc_meetings, "line 3", "column 'year'", "is not the year of 2025-03-19")


def test_fomc_sep_embedded_september_medians():
    sep = load_fomc_sep()
    ff = sep[
        (sep["sep_release_date"] == pd.Timestamp("2025-09-17"))
        & (sep["variable"] == "fed_funds_rate_end_of_year_midpoint")
    ].set_index("target_year")["median_projection_pct"]
    assert ff.to_dict() == {"2025": 3.6, "2026": 3.4, "2027": 3.1, "2028": 3.1, "longer_run": 3.0}


def test_fomc_sep_real_matches_embedded(shared_data):
    pd.testing.assert_frame_equal(
        load_fomc_sep(shared_data / "fomc_sep_median_projections.csv"), load_fomc_sep()
    )


def test_fomc_sep_bad_target_year(tmp_path):
    path = _variant(tmp_path, "fomc_sep_small.csv", ",longer_run,", ",long run,")
    _raises(
        path, load_fomc_sep, "line 6", "column 'target_year'", "neither a year nor 'longer_run'"
    )


def test_fomc_sep_duplicate_row(tmp_path):
    path = _variant(tmp_path, "fomc_sep_small.csv", "midpoint,2026,", "midpoint,2025,")
    message = _raises(path, load_fomc_sep, "line 3", "repeats fed_funds_rate_end_of_year_midpoint")
    assert re.search(r"for 2025 in the 2025-09-17 SEP", message)
