"""Scores against hand computations and independent implementations written here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from rutsim.validate import (
    coverage,
    crps_sample,
    in_interval,
    log_score_kde,
    newey_west_se,
    overlap_lag,
    pit,
    pit_uniformity,
    skill,
)

finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False)


def crps_pairwise(x: np.ndarray, y: float) -> float:
    """Brute force: E|X - y| - E|X - X'| / 2 over all ordered pairs."""
    x = np.asarray(x, dtype=float)
    return float(np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


def crps_integral(x: np.ndarray, y: float) -> float:
    """Independent definition: integral of (F(t) - 1{t >= y})^2 dt, F the sample's ECDF.

    Both functions are piecewise constant between the sorted points of x and y, so the
    integral is an exact finite sum.
    """
    x = np.sort(np.asarray(x, dtype=float))
    knots = np.sort(np.r_[x, y])
    total = 0.0
    for a, b in zip(knots[:-1], knots[1:], strict=True):
        if b <= a:
            continue
        t = 0.5 * (a + b)
        f = np.searchsorted(x, t, side="right") / x.size
        total += (f - float(t >= y)) ** 2 * (b - a)
    return total


@given(st.lists(finite, min_size=1, max_size=40), finite)
def test_crps_matches_brute_force_and_integral(xs: list[float], y: float) -> None:
    x = np.array(xs)
    fast = crps_sample(x, y)
    assert fast == pytest.approx(crps_pairwise(x, y), abs=1e-9)
    assert fast == pytest.approx(crps_integral(x, y), abs=1e-9)
    assert fast >= -1e-12


def test_crps_of_a_large_normal_sample_matches_the_closed_form() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(200_000) * 2.0 + 1.0
    y = 0.3
    z = (y - 1.0) / 2.0
    exact = 2.0 * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))
    assert crps_sample(x, y) == pytest.approx(exact, rel=5e-3)


def test_crps_known_answer_two_points() -> None:
    # X in {0, 1} equally likely, y = 0: E|X - y| = 0.5, E|X - X'| = 0.5 -> 0.25.
    assert crps_sample([0.0, 1.0], 0.0) == pytest.approx(0.25)


@given(st.lists(finite, min_size=1, max_size=50), finite)
def test_pit_is_the_mid_rank(xs: list[float], y: float) -> None:
    x = np.array(xs)
    below = sum(v < y for v in xs)
    ties = sum(v == y for v in xs)
    assert pit(x, y) == pytest.approx((below + 0.5 * ties) / len(xs))


def test_interval_membership_by_hand() -> None:
    x = np.arange(1, 21, dtype=float)  # 1..20
    # 90%: inverted-CDF quantiles at 0.05 and 0.95 -> order statistics 1 and 19.
    assert in_interval(x, 1.0, 0.9) and in_interval(x, 19.0, 0.9)
    assert not in_interval(x, 19.5, 0.9) and not in_interval(x, 0.5, 0.9)
    # 50%: quantiles at 0.25 and 0.75 -> 5 and 15.
    assert in_interval(x, 5.0, 0.5) and in_interval(x, 15.0, 0.5)
    assert not in_interval(x, 4.9, 0.5) and not in_interval(x, 15.1, 0.5)


def test_log_score_matches_scipy_kde_with_the_same_bandwidth() -> None:
    rng = np.random.default_rng(1)
    x = np.expm1(rng.normal(0.02, 0.15, 3000))
    z = np.log1p(x)
    iqr = np.subtract(*np.percentile(z, [75, 25]))
    h = 0.9 * min(np.std(z, ddof=1), iqr / 1.34) * z.size**-0.2
    kde = stats.gaussian_kde(z, bw_method=h / np.std(z, ddof=1))
    for y in (-0.3, 0.0, 0.1, 0.6):
        assert log_score_kde(x, y) == pytest.approx(float(kde.logpdf(np.log1p(y))[0]), rel=1e-6)


def test_newey_west_known_answers() -> None:
    d = np.array([1.0, -1.0, 1.0, -1.0])
    assert newey_west_se(d, 0) == pytest.approx(1.0 / 2.0)  # sd (ddof 0) 1 / sqrt(4)
    # lag 1: gamma1 = sum e_t e_{t-1} / n = -3/4; var = 1 + 2 * 0.5 * (-0.75) = 0.25
    assert newey_west_se(d, 1) == pytest.approx(math.sqrt(0.25 / 4))
    assert overlap_lag(1, 4) == 0 and overlap_lag(4, 4) == 0 and overlap_lag(8, 4) == 1
    assert overlap_lag(8, 2) == 3


def test_wilson_interval_known_answer() -> None:
    c = coverage([True] * 8 + [False] * 2)
    assert c.rate == 0.8 and c.n == 10
    assert (c.low, c.high) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_skill_and_its_standard_error_by_hand() -> None:
    base = np.array([0.10, 0.20, 0.30, 0.40])
    model = np.array([0.05, 0.20, 0.20, 0.35])
    s = skill(model, base, lag=0)
    d = base - model
    assert s.skill == pytest.approx(d.mean() / base.mean())
    assert s.se == pytest.approx(d.std() / math.sqrt(4) / base.mean())
    assert s.dm == pytest.approx(d.mean() / (d.std() / 2))
    assert s.n == 4


def test_pit_uniformity_splits_overlapping_forecasts() -> None:
    rng = np.random.default_rng(2)
    p, k = pit_uniformity(rng.uniform(size=40), horizon=8, every=4)
    assert k == 2 and 0.0 < p <= 1.0
    # All PITs near 1: a model far too pessimistic fails the test.
    p_bad, _ = pit_uniformity(np.full(40, 0.97), horizon=1, every=4)
    assert p_bad < 1e-6


@given(k=st.integers(min_value=0, max_value=60), extra=st.integers(min_value=0, max_value=60))
def test_wilson_interval_is_the_textbook_formula(k: int, extra: int) -> None:
    n = k + extra
    if n == 0:
        return
    c = coverage([True] * k + [False] * extra)
    p, z = k / n, 1.959963984540054
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    assert (c.low, c.high) == pytest.approx((centre - half, centre + half), abs=1e-12)
