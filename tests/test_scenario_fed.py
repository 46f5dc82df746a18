"""Fed stress-test import: fixtures, the real 2025 tables and the checked-in files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rutsim.errors import DataError, ScenarioError
from rutsim.scenario import import_fed_file, import_fed_table, load_scenario, scenario_arrays

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scenario"
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
#: 2025Q1 rows of the Fed's 2025 tables: 3-month, 10y-3m, BBB-10y, unemployment rate.
BASELINE_Q1 = (4.3, 0.1, 1.2, 4.3)
ADVERSE_Q1 = (1.8, -0.4, 3.8, 5.6)


def test_fixture_mapping_known_answers() -> None:
    s = import_fed_table(FIXTURES / "fed_small.csv")
    assert s.name == "fed_2025_test_adverse" and s.weight == 0.0
    assert s.fedfunds.table == [4.0, 3.0, 2.0]  # 3-month Treasury
    assert s.slope.table == [0.5, 1.0, 1.8]  # 10y - 3m
    assert s.spread.table == [1.5, 2.5, 2.5]  # BBB - 10y
    assert s.unemployment.table == [4.2, 5.1, 6.4]  # the table's unemployment rate
    assert all(p.uncertainty == 0.0 for p in (s.fedfunds, s.slope, s.spread, s.unemployment))
    assert "10y-3m" in s.slope.source and "10y-2y" in s.slope.source
    assert "no 2-year yield" in s.description and "Baa minus 10y" in s.description


def test_calendar_alignment_keeps_fed_quarters() -> None:
    s = import_fed_table(FIXTURES / "fed_small.csv", name="x", align="calendar")
    assert s.fedfunds.table == {"2025Q1": 4.0, "2025Q2": 3.0, "2025Q3": 2.0}
    a = scenario_arrays(s, first_quarter=pd.Period("2025Q2", freq="Q"), horizon=2, last_observed={})
    assert a.values[:, 0].tolist() == [3.0, 2.0]


def test_missing_columns_are_named() -> None:
    with pytest.raises(DataError) as err:
        import_fed_table(FIXTURES / "fed_missing_columns.csv")
    msg = str(err.value)
    assert "fed_missing_columns.csv" in msg
    assert (
        "missing column(s) '10-year Treasury yield', 'BBB corporate yield', "
        "'Unemployment rate'" in msg
    )
    assert "'10-yr Treasury yield'" in msg  # what was found, to spot the renamed column


def test_missing_value_and_bad_name(tmp_path) -> None:
    csv = tmp_path / "gap.csv"
    csv.write_text(
        "Scenario Name,Date,3-month Treasury rate,10-year Treasury yield,"
        "BBB corporate yield,Unemployment rate\nX,2025 Q1,4.0,4.5,,4.2\nX,2025 Q2,3.0,4.0,6.5,4.3\n"
    )
    with pytest.raises(DataError, match="'BBB corporate yield' has no value for 2025Q1"):
        import_fed_table(csv)
    with pytest.raises(ScenarioError, match="pass --name with lower-case letters"):
        import_fed_table(FIXTURES / "fed_small.csv", name="Bad Name")


def test_import_file_refuses_to_overwrite(tmp_path) -> None:
    path = import_fed_file(FIXTURES / "fed_small.csv", scenario_dir=tmp_path)
    assert path == tmp_path / "fed_2025_test_adverse.toml"
    assert "  4.0,  # Fed 2025Q1" in path.read_text()
    with pytest.raises(ScenarioError, match="already exists"):
        import_fed_file(FIXTURES / "fed_small.csv", scenario_dir=tmp_path)
    assert load_scenario(path).spread.table == [1.5, 2.5, 2.5]


@pytest.mark.parametrize(
    ("csv", "name", "first"),
    [
        ("fed_stress_2025_table2A_baseline_domestic.csv", "fed_2025_baseline", BASELINE_Q1),
        (
            "fed_stress_2025_table3A_severely_adverse_domestic.csv",
            "fed_2025_severely_adverse",
            ADVERSE_Q1,
        ),
    ],
)
def test_real_2025_tables_match_the_checked_in_files(shared_data, tmp_path, csv, name, first):
    path = import_fed_file(shared_data / csv, scenario_dir=tmp_path)
    assert path.name == f"{name}.toml"
    assert path.read_text() == (SCENARIOS / f"{name}.toml").read_text()
    s = load_scenario(name, SCENARIOS)
    assert len(s.fedfunds.table) == 13  # 2025Q1..2028Q1
    got = (s.fedfunds.table[0], s.slope.table[0], s.spread.table[0], s.unemployment.table[0])
    assert got == pytest.approx(first)
    a = scenario_arrays(
        s, first_quarter=pd.Period("2025Q4", freq="Q"), horizon=12, last_observed={}
    )
    assert a.pinned.all() and (a.path_sd == 0).all()


def test_the_written_slope_approximation_matches_the_embedded_panel() -> None:
    from rutsim.data import load_panel

    both = load_panel()[["slope_10y2y", "slope_10y3m"]].dropna().loc["1990Q1":"2025Q1"]
    gap = both["slope_10y3m"] - both["slope_10y2y"]
    # The file says "about 0.5pp" (gap mean and sd) and "about 0.93" (correlation).
    assert 0.45 <= gap.mean() <= 0.55 and 0.45 <= gap.std() <= 0.55
    assert 0.9 <= both.corr().iloc[0, 1] <= 0.96
    text = import_fed_table(FIXTURES / "fed_small.csv").description
    assert "about 0.5pp above 10y-2y" in " ".join(text.split())
