"""Path constructors and scenario_arrays: known answers, properties and bad input."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutsim.errors import ConfigError, ScenarioError
from rutsim.scenario import (
    Scenario,
    VariablePath,
    fomc_meeting_dates,
    horizon_quarters,
    meetings_path,
    scenario_arrays,
    table_path,
    year_end_path,
)
from rutsim.types import MACRO_VARIABLES

Q = pd.Period
OBSERVED = {"fedfunds": 4.2933, "slope": 0.5403, "spread": 1.72, "unemployment": 4.3333}


def _scenario(**paths: VariablePath) -> Scenario:
    return Scenario(name="t", description="test", weight=1.0, **paths)


def _brute_force_average(decisions: dict[date, float], start: float, quarter: str) -> float:
    days = pd.period_range(Q(quarter, "Q").start_time, Q(quarter, "Q").end_time, freq="D")
    level = [
        start + sum(bp for d, bp in decisions.items() if d < day.to_timestamp().date()) / 100
        for day in days
    ]
    return float(np.mean(level))


def test_meetings_known_answer_q4_2025() -> None:
    # 29 days at 4.09, 42 at 3.84 (from 30 Oct), 21 at 3.59 (from 11 Dec): 355.28 / 92.
    decisions = {date(2025, 10, 29): -25.0, date(2025, 12, 10): -25.0}
    out = meetings_path(decisions, 4.09, Q("2025Q4", "Q"), 2)
    assert out[0] == pytest.approx(355.28 / 92, abs=1e-12)
    assert out[1] == pytest.approx(3.59, abs=1e-12)


meeting_decisions = st.dictionaries(
    st.sampled_from(fomc_meeting_dates()),
    st.integers(-4, 4).map(lambda k: 25.0 * k),
    max_size=12,
)


@given(decisions=meeting_decisions, start=st.floats(0.0, 8.0))
def test_meeting_decisions_sum_to_level_change(decisions, start) -> None:
    # 2025Q1..2028Q2 covers every scheduled meeting, so the last quarter is past them all.
    out = meetings_path(decisions, start, Q("2025Q1", "Q"), 14)
    assert out[-1] == pytest.approx(start + sum(decisions.values()) / 100, abs=1e-9)
    lo = min(0.0, *np.cumsum([bp for _, bp in sorted(decisions.items())] or [0.0])) / 100
    hi = max(0.0, *np.cumsum([bp for _, bp in sorted(decisions.items())] or [0.0])) / 100
    assert np.all(out >= start + lo - 1e-9) and np.all(out <= start + hi + 1e-9)


@given(decisions=meeting_decisions, quarter=st.integers(0, 12))
def test_meetings_match_a_daily_brute_force(decisions, quarter) -> None:
    out = meetings_path(decisions, 3.0, Q("2025Q1", "Q"), 13)
    label = horizon_quarters(Q("2025Q1", "Q"), 13)[quarter]
    assert out[quarter] == pytest.approx(_brute_force_average(decisions, 3.0, label), abs=1e-9)


@given(
    targets=st.dictionaries(st.integers(2025, 2030), st.floats(-3, 8), min_size=1, max_size=6),
    anchor=st.floats(-3, 8),
    first=st.sampled_from(["2025Q1", "2025Q2", "2025Q3", "2025Q4"]),
)
def test_year_end_hits_targets_in_q4_and_stays_between_them(targets, anchor, first) -> None:
    fq = Q(first, "Q")
    horizon = 24 - (fq.quarter - 1)  # through 2030Q4
    out = year_end_path(targets, anchor, fq, horizon)
    labels = horizon_quarters(fq, horizon)
    for year, value in targets.items():
        assert out[labels.index(f"{year}Q4")] == pytest.approx(value, abs=1e-9)
    knots = [anchor] + [targets[y] for y in sorted(targets)]
    assert out.min() >= min(knots) - 1e-9 and out.max() <= max(knots) + 1e-9


def test_year_end_interpolates_linearly_from_the_last_observed_quarter() -> None:
    out = year_end_path({2026: 3.0}, 4.0, Q("2025Q4", "Q"), 6)
    np.testing.assert_allclose(out, [3.8, 3.6, 3.4, 3.2, 3.0, 3.0])


@given(gap=st.floats(-3, 3), half_life=st.floats(0.5, 12))
def test_long_run_closes_half_the_gap_per_half_life(gap, half_life) -> None:
    out = year_end_path(
        {2025: 3.0 + gap}, 3.0, Q("2025Q4", "Q"), 40, long_run=3.0, half_life=half_life
    )
    k = np.arange(1, 40)
    np.testing.assert_allclose(out[1:] - 3.0, gap * 0.5 ** (k / half_life), atol=1e-9)


@given(values=st.lists(st.floats(-5, 10), min_size=1, max_size=20), horizon=st.integers(1, 20))
def test_list_table_is_sliced_or_rejected(values, horizon) -> None:
    if len(values) >= horizon:
        out = table_path(values, Q("2025Q4", "Q"), horizon, hold_after_end=False, where="w")
        np.testing.assert_array_equal(out, values[:horizon])
    else:
        with pytest.raises(ScenarioError, match="horizon needs"):
            table_path(values, Q("2025Q4", "Q"), horizon, hold_after_end=False, where="w")
        held = table_path(values, Q("2025Q4", "Q"), horizon, hold_after_end=True, where="w")
        np.testing.assert_array_equal(held, values + [values[-1]] * (horizon - len(values)))


def test_quarter_table_skips_history_and_must_cover_the_start() -> None:
    table = {"2025Q3": 1.0, "2025Q4": 2.0, "2026Q1": 3.0}
    out = table_path(table, Q("2025Q4", "Q"), 2, hold_after_end=False, where="w")
    np.testing.assert_array_equal(out, [2.0, 3.0])
    with pytest.raises(ScenarioError, match=r"starts at 2025Q3, after .* 2025Q2.*add values"):
        table_path(table, Q("2025Q2", "Q"), 2, hold_after_end=False, where="w")


def test_short_table_message_names_file_key_and_fix() -> None:
    s = _scenario(spread=VariablePath(table=[1.0, 1.1, 1.2]))
    s._source = "scenarios/t.toml"
    with pytest.raises(ScenarioError) as err:
        scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=12, last_observed=OBSERVED)
    msg = str(err.value)
    assert "scenarios/t.toml" in msg and "'spread.table'" in msg
    assert "covers 3 simulated quarter(s) (2025Q4..2026Q2)" in msg
    assert "needs 12 (2025Q4..2028Q3)" in msg
    assert "add values through 2028Q3" in msg and "hold_after_end = true" in msg


@pytest.mark.parametrize("horizon", [0, -3])
def test_non_positive_horizon_is_a_config_error(horizon) -> None:
    s = _scenario(spread=VariablePath(table=[1.0]))
    with pytest.raises(ConfigError, match=r"horizon must be a positive .*got -?\d.*\[simulation\]"):
        scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=horizon, last_observed={})


def test_first_quarter_must_be_quarterly() -> None:
    s = _scenario(spread=VariablePath(table=[1.0]))
    with pytest.raises(ConfigError, match="quarterly pandas Period"):
        scenario_arrays(s, first_quarter=Q("2025-10", "M"), horizon=1, last_observed={})


def test_arrays_follow_macro_variable_order_and_pin_only_given_variables() -> None:
    s = _scenario(
        spread=VariablePath(table=[0.5, 0.75], relative=True, uncertainty=0.2),
        fedfunds=VariablePath(meetings={}, start=4.0, uncertainty=0.1),
    )
    a = scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=2, last_observed=OBSERVED)
    assert MACRO_VARIABLES == ("fedfunds", "slope", "spread", "unemployment")
    assert a.values.shape == (2, 4) and a.pinned.shape == (2, 4) and a.path_sd.shape == (4,)
    np.testing.assert_array_equal(a.pinned, [[True, False, True, False]] * 2)
    np.testing.assert_allclose(a.values[:, 0], [4.0, 4.0])
    np.testing.assert_allclose(a.values[:, 2], [1.72 + 0.5, 1.72 + 0.75])
    np.testing.assert_array_equal(a.values[:, 1], [0.0, 0.0])
    np.testing.assert_allclose(a.path_sd, [0.1, 0.0, 0.2, 0.0])


def test_relative_year_end_adds_the_last_observed_value() -> None:
    s = _scenario(slope=VariablePath(year_end={2026: 0.4}, relative=True))
    a = scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=5, last_observed=OBSERVED)
    np.testing.assert_allclose(a.values[:, 1], 0.5403 + np.array([0.08, 0.16, 0.24, 0.32, 0.4]))


def test_missing_anchor_is_an_error_naming_the_variable() -> None:
    s = _scenario(slope=VariablePath(year_end={2026: 0.4}))
    with pytest.raises(ScenarioError, match="no finite last observed value of 'slope'"):
        scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=5, last_observed={})


def test_decision_before_the_first_quarter_is_history() -> None:
    s = _scenario(fedfunds=VariablePath(meetings={"2025-09-17": -25.0}, start=4.33))
    with pytest.raises(
        ScenarioError, match=r"2025-09-17, before the first simulated quarter 2025Q4"
    ):
        scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=2, last_observed=OBSERVED)


def test_year_end_before_the_first_quarter_is_an_error() -> None:
    s = _scenario(slope=VariablePath(year_end={2024: 0.1, 2026: 0.4}))
    with pytest.raises(ScenarioError, match="year 2024, which ends before"):
        scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=2, last_observed=OBSERVED)


def test_year_end_targets_all_past_the_horizon_are_an_error() -> None:
    # Only 2035: within a 2-quarter run the path would be a straight line towards a target
    # it never reaches, which pins nothing the user wrote.
    s = _scenario(slope=VariablePath(year_end={2035: 0.4}))
    with pytest.raises(ScenarioError, match=r"slope.*only years after the last simulated quarter"):
        scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=2, last_observed=OBSERVED)
    # one target inside the horizon is enough; the later one shapes the path after it
    s = _scenario(slope=VariablePath(year_end={2026: 0.4, 2035: 0.1}))
    out = scenario_arrays(s, first_quarter=Q("2025Q4", "Q"), horizon=5, last_observed=OBSERVED)
    assert out.values[4, 1] == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("path", "want"),
    [
        (VariablePath(table=[4.5, 4.7]), [4.5, 4.7]),
        (VariablePath(table=[0.2, 0.5], relative=True), [4.5333, 4.8333]),
        (VariablePath(year_end={2025: 4.6}), [4.6, 4.6]),
        (VariablePath(meetings={date(2025, 12, 10): 50.0}, start=4.3), [4.3 + 0.5 * 21 / 92, 4.8]),
    ],
)
def test_unemployment_takes_every_path_form(path: VariablePath, want: list[float]) -> None:
    a = scenario_arrays(
        _scenario(unemployment=path), first_quarter=Q("2025Q4", "Q"), horizon=2,
        last_observed=OBSERVED,
    )  # fmt: skip
    j = MACRO_VARIABLES.index("unemployment")
    np.testing.assert_allclose(a.values[:, j], want, atol=1e-4)
    np.testing.assert_array_equal(a.pinned, [[False, False, False, True]] * 2)
