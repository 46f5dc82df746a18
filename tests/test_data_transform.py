"""Frequency conversions and splices: known answers and properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rutsim.data._transform import (
    compound,
    daily_to_monthly,
    daily_to_quarterly,
    monthly_to_quarterly,
    splice,
    ttm_sum,
)

MONTHS = pd.period_range("2000-01", "2002-12", freq="M", name="month")


@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=36, max_size=36))
def test_quarterly_mean_of_full_quarters(values):
    monthly = pd.Series(values, index=MONTHS)
    quarterly = monthly_to_quarterly(monthly, "mean")
    assert len(quarterly) == 12
    # Two summation orders of three values: equal up to rounding, which near zero needs
    # an absolute tolerance (a mean of 1e-163 against 0 differs by no relative factor).
    np.testing.assert_allclose(
        quarterly.to_numpy(), np.asarray(values).reshape(12, 3).mean(axis=1), rtol=1e-12, atol=1e-12
    )
    last = monthly_to_quarterly(monthly, "last")
    np.testing.assert_array_equal(last.to_numpy(), np.asarray(values)[2::3])


@given(st.integers(0, 35))
def test_a_missing_month_drops_only_its_quarter_mean(hole):
    monthly = pd.Series(np.arange(36.0), index=MONTHS)
    monthly.iloc[hole] = np.nan
    quarterly = monthly_to_quarterly(monthly, "mean")
    assert len(quarterly) == 11
    assert MONTHS[hole].asfreq("Q") not in quarterly.index


@given(st.lists(st.floats(-0.5, 0.5, allow_nan=False), min_size=36, max_size=36))
def test_compound_equals_product(returns):
    monthly_pct = pd.Series(np.asarray(returns) * 100.0, index=MONTHS)
    quarterly = compound(monthly_pct)
    expected = (1.0 + np.asarray(returns)).reshape(12, 3).prod(axis=1) - 1.0
    np.testing.assert_allclose(quarterly.to_numpy(), expected, rtol=1e-12, atol=1e-12)


def test_daily_average_needs_every_month_covered():
    days = pd.bdate_range("2025-01-01", "2025-05-22")  # stops in May, like DTB3
    daily = pd.Series(1.0, index=days)
    quarterly = daily_to_quarterly(daily, "mean")
    assert [str(p) for p in quarterly.index] == ["2025Q1"]
    monthly = daily_to_monthly(daily, "mean").dropna()
    assert str(monthly.index[-1]) == "2025-05"  # 16 days in May is enough for a month


def test_daily_last_is_last_day_of_third_month():
    days = pd.bdate_range("2025-01-01", "2025-09-30")
    daily = pd.Series(np.arange(len(days), dtype=float), index=days)
    last = daily_to_quarterly(daily, "last")
    assert last[pd.Period("2025Q3", "Q")] == len(days) - 1
    stale = daily[:"2025-08-29"]
    assert pd.Period("2025Q3", "Q") not in daily_to_quarterly(stale, "last").index


def test_splice_prefers_newer_and_fills_from_older():
    old = pd.Series(
        [1.0, 2.0, 3.0], index=pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"])
    )
    new = pd.Series(
        [20.0, np.nan, 40.0], index=pd.to_datetime(["2020-01-02", "2020-01-03", "2020-01-04"])
    )
    out = splice(old, new)
    assert out.to_dict() == {
        pd.Timestamp("2020-01-01"): 1.0,
        pd.Timestamp("2020-01-02"): 20.0,
        pd.Timestamp("2020-01-03"): 3.0,
        pd.Timestamp("2020-01-04"): 40.0,
    }


def test_ttm_needs_four_consecutive_quarters():
    idx = pd.PeriodIndex(["2024Q1", "2024Q2", "2024Q3", "2024Q4", "2025Q2", "2025Q3"], freq="Q")
    eps = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], index=idx)
    ttm = ttm_sum(eps)
    assert ttm.to_dict() == {pd.Period("2024Q4", "Q"): 10.0}


def test_bad_how_is_a_programming_error():
    with pytest.raises(ValueError, match="how must be"):
        monthly_to_quarterly(pd.Series([1.0], index=MONTHS[:1]), "median")
