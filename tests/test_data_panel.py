"""The embedded panel: Contract 1, pinned values, coverage, hash, user series."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutsim.config import DataConfig, UserSeries
from rutsim.data import (
    EMBEDDED_DIR,
    MONTHLY,
    QUARTERLY,
    load_monthly_panel,
    load_panel,
    load_provenance,
    panel_hash,
)
from rutsim.errors import DataError
from rutsim.files import sha256_file, sha256_json

FIX = Path(__file__).parent / "fixtures" / "data"

CONTRACT_COLUMNS = (
    "fedfunds_avg fedfunds_end tbill3m_avg ust2y_avg ust10y_avg slope_10y2y slope_10y3m "
    "baa_avg aaa_avg spread_baa10y hy_oas gz_spread ebp rut_end rut_avg rut_tr_end "
    "sp500_end sp500_avg sp500_op_eps sp500_rep_eps sp500_op_eps_ttm sp500_rep_eps_ttm "
    "shiller_e shiller_d corp_profits ff_small_ret ff_large_ret unrate cpi"
).split()


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel()


def q(label: str) -> pd.Period:
    return pd.Period(label, freq="Q")


def test_contract_shape_index_and_dtypes(panel):
    assert isinstance(panel.index, pd.PeriodIndex)
    assert panel.index.name == "quarter" and panel.index.freqstr == "Q-DEC"
    assert panel.index.is_monotonic_increasing and not panel.index.has_duplicates
    assert set(CONTRACT_COLUMNS) <= set(panel.columns)
    assert (panel.dtypes == np.float64).all()
    assert list(panel.columns) == [c.name for c in QUARTERLY]


def test_pinned_values(panel):
    # FEDFUNDS 2025-09 = 4.22 (H.15); Q3 average of 4.33, 4.33, 4.22.
    assert panel.loc[q("2025Q3"), "fedfunds_end"] == 4.22
    assert panel.loc[q("2025Q3"), "fedfunds_avg"] == pytest.approx(
        (4.33 + 4.33 + 4.22) / 3, abs=1e-4
    )
    assert panel.loc[q("2025Q3"), "rut_end"] == 2436.48
    assert panel.loc[q("2025Q3"), "sp500_op_eps"] == 72.03
    # TTM operating EPS 2025Q3 = 61.21 + 57.51 + 64.01 + 72.03.
    assert panel.loc[q("2025Q3"), "sp500_op_eps_ttm"] == pytest.approx(254.76, abs=1e-9)
    # 2008Q4 Fed target range 0-0.25.
    assert panel.loc[q("2008Q4"), "fed_target_upper_end"] == 0.25
    assert panel.loc[q("2008Q4"), "fed_target_lower_end"] == 0.0


def test_monthly_panel_pinned(panel):
    monthly = load_monthly_panel()
    assert monthly.index.name == "month" and monthly.index.freqstr == "M"
    assert monthly.loc[pd.Period("2025-09", "M"), "fedfunds"] == 4.22
    assert list(monthly.columns) == [c.name for c in MONTHLY]
    # Quarterly averages agree with the monthly panel they summarise.
    fed_q = monthly["fedfunds"].groupby(monthly.index.asfreq("Q")).mean()
    assert fed_q[q("2025Q3")] == pytest.approx(panel.loc[q("2025Q3"), "fedfunds_avg"], abs=1e-4)


@pytest.mark.parametrize(
    "column", ["fedfunds_avg", "slope_10y2y", "spread_baa10y", "rut_end", "sp500_op_eps"]
)
def test_no_gaps_1988q1_2025q3(panel, column):
    window = panel.loc[q("1988Q1") : q("2025Q3"), column]
    assert len(window) == 151
    assert window.notna().all(), window[window.isna()].index.tolist()


def test_spread_is_baa_minus_gs10(panel):
    # Baa-10y over the whole range comes from monthly BAA - GS10, so it must track the
    # quarterly Baa average less the 10y average within a few bp of day-count effects.
    window = panel.loc[q("1988Q1") : q("2025Q3")]
    gap = window["spread_baa10y"] - (window["baa_avg"] - window["ust10y_avg"])
    assert gap.abs().max() < 0.1


def test_returns_are_decimal(panel):
    small = panel["ff_small_ret"].dropna()
    # Decimal, not percent: the largest quarter is 1933Q2 (+255% for the smallest 30%).
    assert small.abs().max() < 3.0 and 0.01 < small.abs().median() < 0.2
    assert small.idxmax() == q("1933Q2")
    assert panel.loc[q("2008Q4"), "ff_small_ret"] < -0.2


def test_provenance_covers_every_column(panel):
    prov = load_provenance()
    quarterly = prov[prov["panel"] == "quarterly"].set_index("name")
    assert list(quarterly.index) == list(panel.columns)
    assert (quarterly["publisher"] != "").all() and (quarterly["transformation"] != "").all()
    for name, row in quarterly.iterrows():
        valid = panel[name].dropna()
        assert row["first"] == str(valid.index[0]) and row["last"] == str(valid.index[-1])
        assert int(row["count"]) == len(valid)


def test_embedded_size_is_compact():
    total = sum(p.stat().st_size for p in EMBEDDED_DIR.iterdir())
    assert total < 400_000


def test_panel_hash_covers_the_panel_and_the_announcement_table():
    files = [EMBEDDED_DIR / "panel_quarterly.csv", EMBEDDED_DIR / "fomc_announcements.csv"]
    assert panel_hash() == sha256_json([sha256_file(p) for p in files])
    assert panel_hash(DataConfig()) == panel_hash()


def test_panel_from_folder_or_file(tmp_path):
    import shutil

    target = tmp_path / "ds"
    shutil.copytree(EMBEDDED_DIR, target)
    by_folder = load_panel(DataConfig(panel=target))
    by_file = load_panel(DataConfig(panel=target / "panel_quarterly.csv"))
    pd.testing.assert_frame_equal(by_folder, by_file)
    assert panel_hash(DataConfig(panel=target)) == panel_hash()


def test_missing_panel_message(tmp_path):
    with pytest.raises(DataError) as info:
        load_panel(DataConfig(panel=tmp_path / "nowhere"))
    assert "panel not found" in str(info.value) and "rutsim data build" in str(info.value)


def test_panel_missing_column_message(tmp_path):
    frame = pd.read_csv(EMBEDDED_DIR / "panel_quarterly.csv").drop(columns=["rut_end"])
    path = tmp_path / "panel_quarterly.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        load_panel(DataConfig(panel=path))
    assert "missing columns rut_end" in str(info.value) and str(path) in str(info.value)


def test_user_series_join_panel():
    config = DataConfig(
        user_series=(
            UserSeries(path=FIX / "user_pe_quarterly.csv", kind="pe", column="trailing_pe"),
            UserSeries(path=FIX / "user_eps_monthly.csv", kind="eps", column="eps_ttm"),
        )
    )
    panel = load_panel(config)
    assert panel.index.name == "quarter"
    assert panel.loc[q("2025Q3"), "user_pe"] == 18.51
    assert panel.loc[q("2025Q1"), "user_eps"] == 117.0  # last month of the quarter
    assert panel.loc[q("2025Q2"), "user_eps"] == 116.1
    assert math.isnan(panel.loc[q("2025Q3"), "user_eps"])
    assert panel.loc[q("2025Q3"), "rut_end"] == 2436.48
    assert panel_hash(config) != panel_hash()


def test_user_series_hash_follows_content_not_path(tmp_path):
    import shutil

    moved = tmp_path / "elsewhere.csv"
    shutil.copy(FIX / "user_pe_quarterly.csv", moved)
    here = DataConfig(
        user_series=(
            UserSeries(path=FIX / "user_pe_quarterly.csv", kind="pe", column="trailing_pe"),
        )
    )
    there = DataConfig(user_series=(UserSeries(path=moved, kind="pe", column="trailing_pe"),))
    assert panel_hash(here) == panel_hash(there)
    moved.write_text(moved.read_text().replace("18.51", "18.60"))
    assert panel_hash(here) != panel_hash(there)
    gone = DataConfig(user_series=(UserSeries(path=tmp_path / "no.csv", kind="pe", column="x"),))
    with pytest.raises(DataError, match="user series not found"):
        panel_hash(gone)


def test_user_series_bad_column_and_implausible_pe(tmp_path):
    config = DataConfig(
        user_series=(UserSeries(path=FIX / "user_pe_quarterly.csv", kind="pe", column="pe"),)
    )
    with pytest.raises(DataError) as info:
        load_panel(config)
    assert "column 'pe' not found" in str(info.value) and "trailing_pe" in str(info.value)
    bad = tmp_path / "pe.csv"
    bad.write_text("date,pe\n2025Q2,17.0\n2025Q3,-18.5\n")
    config = DataConfig(user_series=(UserSeries(path=bad, kind="pe", column="pe"),))
    with pytest.raises(DataError) as info:
        load_panel(config)
    assert "line 3, column 'pe'" in str(info.value) and "price/earnings ratio" in str(info.value)


def test_data_config_rejects_two_series_of_one_kind():
    from rutsim.config import validate_model
    from rutsim.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        validate_model(
            DataConfig,
            {
                "user_series": [
                    {"path": "a.csv", "kind": "pe", "column": "x"},
                    {"path": "b.csv", "kind": "pe", "column": "y"},
                ]
            },
            "configs/test.toml",
        )
    assert "more than once" in str(info.value)
    with pytest.raises(ConfigError) as info:
        validate_model(DataConfig, {"start": "1988-01"}, "configs/test.toml")
    assert "not a quarter like 1988Q1" in str(info.value)


def test_docs_describe_every_column():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "data.md").read_text()
    for col in (*QUARTERLY, *MONTHLY):
        assert f"`{col.name}`" in docs, f"docs/data.md does not describe {col.name}"


def test_corrupt_panel_messages(tmp_path):
    text = (EMBEDDED_DIR / "panel_quarterly.csv").read_text()
    wrong_index = tmp_path / "a" / "panel_quarterly.csv"
    wrong_index.parent.mkdir()
    wrong_index.write_text(text.replace("quarter,", "period,", 1))
    with pytest.raises(DataError, match="first column is 'period', not 'quarter'"):
        load_panel(DataConfig(panel=wrong_index))
    text_cell = tmp_path / "b" / "panel_quarterly.csv"
    text_cell.parent.mkdir()
    text_cell.write_text(text.replace("2436.48", "n/a", 1))
    with pytest.raises(DataError) as info:
        load_panel(DataConfig(panel=text_cell))
    assert "column 'rut_end'" in str(info.value) and "non-numeric" in str(info.value)
