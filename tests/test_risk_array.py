"""Known answers and properties of the risk array core (VaR, CVaR, quantiles, drawdown)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from rutsim.risk import (
    conditional_value_at_risk,
    cumulative_simple_return,
    max_drawdown,
    probability_below,
    quantile,
    tail_weights,
    value_at_risk,
)

LEVELS = (0.95, 0.99)


def brute_var(losses: np.ndarray, level: float) -> float:
    """The ceil(n * level)-th smallest loss, with exact rational arithmetic."""
    xs = sorted(losses.tolist())
    k = math.ceil(len(xs) * Fraction(str(level)))
    return xs[max(k, 1) - 1]


def brute_cvar(losses: np.ndarray, level: float) -> float:
    """Mean of the worst n(1 - level) atoms, the boundary atom counted fractionally."""
    xs = sorted(losses.tolist(), reverse=True)
    mass = len(xs) * (1 - Fraction(str(level)))
    whole = math.floor(mass)
    total = sum(Fraction(x) for x in xs[:whole])
    if mass > whole:
        total += (mass - whole) * Fraction(xs[whole])
    return float(total / mass)


# --- closed forms -----------------------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_normal_var_cvar_match_closed_form(level: float) -> None:
    losses = np.random.default_rng(11).standard_normal(400_000) * 0.2 + 0.01
    z = stats.norm.ppf(level)
    var_true = 0.01 + 0.2 * z
    cvar_true = 0.01 + 0.2 * stats.norm.pdf(z) / (1 - level)
    assert value_at_risk(losses, level) == pytest.approx(var_true, abs=0.006)
    assert conditional_value_at_risk(losses, level) == pytest.approx(cvar_true, abs=0.008)


@pytest.mark.parametrize("level", LEVELS)
def test_student_t_var_cvar_match_closed_form(level: float) -> None:
    nu = 5.0
    losses = np.random.default_rng(12).standard_t(nu, size=600_000)
    t = stats.t.ppf(level, nu)
    cvar_true = (nu + t**2) / (nu - 1) * stats.t.pdf(t, nu) / (1 - level)
    assert value_at_risk(losses, level) == pytest.approx(t, rel=0.02)
    assert conditional_value_at_risk(losses, level) == pytest.approx(cvar_true, rel=0.03)


# --- brute force on small discrete samples ----------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("n", [1, 7, 20, 100, 101, 250])
def test_var_cvar_match_brute_force(n: int, level: float) -> None:
    # Rounded values give ties, including at the VaR atom.
    losses = np.round(np.random.default_rng(n).standard_normal(n), 1)
    assert value_at_risk(losses, level) == brute_var(losses, level)
    assert value_at_risk(losses, level) == np.quantile(losses, level, method="inverted_cdf")
    assert conditional_value_at_risk(losses, level) == pytest.approx(
        brute_cvar(losses, level), abs=1e-12
    )


def test_cvar_is_not_var_when_tail_has_one_fractional_atom() -> None:
    # n = 10 at 0.95: the tail is half of the largest atom only, CVaR = max loss.
    losses = np.arange(10.0)
    assert value_at_risk(losses, 0.95) == 9.0
    assert conditional_value_at_risk(losses, 0.95) == 9.0
    # n = 40 at 0.95: tail mass 2 atoms, CVaR = mean of the two largest (38.5), VaR = 37.
    losses = np.arange(40.0)
    assert value_at_risk(losses, 0.95) == 37.0
    assert conditional_value_at_risk(losses, 0.95) == pytest.approx(38.5)
    # n = 30 at 0.95: tail mass 1.5 atoms: (29 + 0.5 * 28) / 1.5.
    assert conditional_value_at_risk(np.arange(30.0), 0.95) == pytest.approx(43 / 1.5)


def test_mixture_matches_hand_computation() -> None:
    # Scenario A (weight 0.6): losses -0.1, 0, 0.1, 0.3; scenario B (0.4): -0.2, 0.5.
    losses = np.array([-0.1, 0.0, 0.1, 0.3, -0.2, 0.5])
    w = np.array([0.15, 0.15, 0.15, 0.15, 0.2, 0.2])
    # Mixture CDF at the sorted atoms -0.2..0.5: 0.2, 0.35, 0.5, 0.65, 0.8, 1.0.
    assert value_at_risk(losses, 0.75, weights=w) == 0.3
    assert conditional_value_at_risk(losses, 0.75, weights=w) == pytest.approx(
        (0.2 * 0.5 + 0.05 * 0.3) / 0.25
    )
    for level in LEVELS:
        assert value_at_risk(losses, level, weights=w) == 0.5
        assert conditional_value_at_risk(losses, level, weights=w) == pytest.approx(0.5)
    assert quantile(losses, 0.5, weights=w) == 0.0
    # Not the weighted average of the scenarios' VaRs (0.6 * 0.1 + 0.4 * 0.5 = 0.26).
    avg = 0.6 * value_at_risk(losses[:4], 0.75) + 0.4 * value_at_risk(losses[4:], 0.75)
    assert avg == pytest.approx(0.26)
    np.testing.assert_allclose(
        quantile(losses, [0.1, 0.5, 0.75], weights=w),
        np.quantile(losses, [0.1, 0.5, 0.75], weights=w, method="inverted_cdf"),
    )


def test_max_drawdown_hand_made_path() -> None:
    # Wealth 1 -> 1.1 -> 0.88 -> 0.924 -> 0.8316: peak 1.1, troughs 20% then 24.4%.
    r = np.log([1.1, 0.8, 1.05, 0.9])
    np.testing.assert_allclose(max_drawdown(r), [0.0, 0.2, 0.2, 0.244], atol=1e-12)
    # A path that only rises never draws down; one that starts falling counts from W0 = 1.
    np.testing.assert_array_equal(max_drawdown(np.log([1.01, 1.02])), [0.0, 0.0])
    # Wealth 0.9 -> 1.35 -> 0.675: first 10% below W0, then half of the 1.35 peak.
    np.testing.assert_allclose(max_drawdown(np.log([0.9, 1.5, 0.5])), [0.1, 0.1, 0.5])
    # Along another axis.
    paths = np.stack([r, r])
    np.testing.assert_allclose(max_drawdown(paths.T, axis=0).T, max_drawdown(paths))


def test_cumulative_and_probabilities() -> None:
    r = np.log([[1.1, 0.8], [0.95, 1.0]])
    np.testing.assert_allclose(cumulative_simple_return(r), [[0.1, -0.12], [-0.05, -0.05]])
    ret = np.array([-0.25, -0.15, -0.05, 0.0, 0.1])
    assert probability_below(ret, 0.0) == pytest.approx(0.6)
    assert probability_below(ret, -0.10) == pytest.approx(0.4)
    assert probability_below(ret, -0.20) == pytest.approx(0.2)


def test_level_must_be_a_confidence_level() -> None:
    with pytest.raises(ValueError, match="confidence level strictly between 0 and 1"):
        value_at_risk(np.arange(5.0), 95)
    with pytest.raises(ValueError, match="not the tail probability"):
        conditional_value_at_risk(np.arange(5.0), 1.0)
    with pytest.raises(ValueError, match="non-negative"):
        value_at_risk(np.arange(3.0), 0.95, weights=[1.0, -1.0, 1.0])


# --- properties --------------------------------------------------------------------------

finite = st.floats(-5, 5, allow_nan=False, allow_infinity=False, width=64)
samples = arrays(np.float64, st.integers(1, 60), elements=finite)
levels = st.floats(0.5, 0.995)


@given(samples, levels)
def test_cvar_at_least_var_and_bounded(x: np.ndarray, level: float) -> None:
    var = value_at_risk(x, level)
    cvar = conditional_value_at_risk(x, level)
    assert cvar >= var - 1e-9
    assert cvar <= x.max() + 1e-9
    assert cvar >= x.mean() - 1e-9
    # Rockafellar-Uryasev: CVaR = VaR + E[(L - VaR)^+] / (1 - level).
    ru = var + np.mean(np.maximum(x - var, 0.0)) / (1 - level)
    assert cvar == pytest.approx(ru, rel=1e-9, abs=1e-9)


@given(samples, levels, levels)
def test_var_and_cvar_monotone_in_level(x: np.ndarray, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert value_at_risk(x, lo) <= value_at_risk(x, hi)
    assert conditional_value_at_risk(x, lo) <= conditional_value_at_risk(x, hi) + 1e-9


@given(samples, levels, st.floats(-3, 3), st.floats(0.1, 10))
def test_translation_equivariance_and_homogeneity(
    x: np.ndarray, level: float, c: float, k: float
) -> None:
    assert value_at_risk(x + c, level) == pytest.approx(value_at_risk(x, level) + c, abs=1e-9)
    assert conditional_value_at_risk(x + c, level) == pytest.approx(
        conditional_value_at_risk(x, level) + c, abs=1e-9
    )
    assert conditional_value_at_risk(k * x, level) == pytest.approx(
        k * conditional_value_at_risk(x, level), rel=1e-9, abs=1e-9
    )


@given(samples, levels, st.data())
def test_integer_weights_equal_replication(
    x: np.ndarray, level: float, data: st.DataObject
) -> None:
    reps = np.array(data.draw(st.lists(st.integers(1, 4), min_size=len(x), max_size=len(x))))
    rep = np.repeat(x, reps)
    assert value_at_risk(x, level, weights=reps) == value_at_risk(rep, level)
    assert conditional_value_at_risk(x, level, weights=reps) == pytest.approx(
        conditional_value_at_risk(rep, level), abs=1e-9
    )
    tw = tail_weights(x, level, weights=reps)
    assert tw.sum() == pytest.approx(1.0)
    assert np.all(tw >= 0)
