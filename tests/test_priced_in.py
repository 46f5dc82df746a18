"""What markets price in: the expected fed funds path, futures strips, scenarios against it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rutsim.data import load_panel, priced_in_change, priced_in_path, priced_in_paths, strip_path
from rutsim.errors import DataError, ScenarioError
from rutsim.scenario import Scenario, scenario_arrays

Q = pd.Period


def _panel(ff: np.ndarray, bill_gap: float = 0.2, two_gap: float = 0.5) -> pd.DataFrame:
    """A panel whose bill and 2-year yields carry constant premia over realized rates."""
    n = len(ff)
    index = pd.period_range("1980Q1", periods=n, freq="Q", name="quarter")
    f = pd.Series(ff, index=index)
    future = sum(f.shift(-k) for k in range(1, 9)) / 8
    return pd.DataFrame(
        {
            "fedfunds_avg": f,
            "fedfunds_end": f,
            "tbill3m_end": f.shift(-1) + bill_gap,
            "ust2y_end": future + two_gap,
        },
        index=index,
    )


def test_constant_premia_are_removed_exactly() -> None:
    # A rate that rises 0.1pp a quarter, yields that know the future plus constant premia:
    # once 20 quarters of premia are observed, the priced-in path is the realized path
    # over 8 quarters (straight, so the straight-line path is exact).
    ff = 2.0 + 0.1 * np.arange(80)
    panel = _panel(ff)
    paths = priced_in_paths(panel, 8)
    t = 50
    np.testing.assert_allclose(paths.iloc[t].to_numpy(), ff[t + 1 : t + 9], atol=1e-12)
    assert paths.iloc[10].isna().all()  # too little history for the premia


def test_no_look_ahead() -> None:
    rng = np.random.default_rng(3)
    panel = _panel(3 + np.cumsum(rng.normal(0, 0.3, 90)))
    panel["ust2y_end"] += rng.normal(0, 0.2, 90)
    origin = panel.index[60]
    full = priced_in_path(panel, origin, 12)
    cut = priced_in_path(panel.loc[panel.index <= origin], origin, 12)
    np.testing.assert_allclose(full, cut)
    # changing anything after the origin changes nothing at it
    later = panel.copy()
    later.loc[later.index > origin] += 5.0
    np.testing.assert_allclose(priced_in_path(later, origin, 12), full)


def test_without_the_bill_the_path_starts_from_todays_rate() -> None:
    ff = np.full(80, 3.0)
    panel = _panel(ff, two_gap=0.0)
    panel.loc[panel.index[-1], "tbill3m_end"] = np.nan
    panel.loc[panel.index[-1], "ust2y_end"] = 3.0 - 0.9  # markets expect 0.9pp of cuts
    path = priced_in_path(panel, panel.index[-1], 10)
    # a straight line from 3.0 whose 8-quarter mean is 2.1: steps of -0.2, then flat
    np.testing.assert_allclose(path, [2.8, 2.6, 2.4, 2.2, 2.0, 1.8, 1.6, 1.4, 1.4, 1.4])


def test_shipped_data_priced_in_change_predicts_the_move() -> None:
    # The quarterly fed funds change against what was priced in at the previous quarter's
    # end, 1988-2025: a slope near one and most of the variance (measured: 1.00, R2 0.72).
    panel = load_panel()
    both = pd.DataFrame({"df": panel["fedfunds_avg"].diff(), "pdf": priced_in_change(panel)}).loc[
        "1988Q1":"2025Q3"
    ]
    both = both.dropna()
    slope, intercept = np.polyfit(both["pdf"], both["df"], 1)
    resid = both["df"] - intercept - slope * both["pdf"]
    assert 0.85 < slope < 1.15
    assert 1 - resid.var() / both["df"].var() > 0.6
    assert len(both) >= 150


def test_no_yield_means_a_clear_error() -> None:
    panel = _panel(np.full(30, 3.0))
    with pytest.raises(DataError, match="2-year yield"):
        priced_in_path(panel, panel.index[5], 4)


def test_strip_path_averages_months_and_holds_the_last(tmp_path: Path) -> None:
    strip = tmp_path / "strip.csv"
    strip.write_text("month,rate\n2025-10,4.1\n2025-11,3.9\n2025-12,3.8\n2026-01,3.6\n")
    out = strip_path(strip, "2025Q3", 3)
    np.testing.assert_allclose(out, [(4.1 + 3.9 + 3.8) / 3, 3.6, 3.6])
    gap = tmp_path / "gap.csv"
    gap.write_text("month,rate\n2026-01,3.6\n")
    with pytest.raises(DataError, match="no contract month in 2025Q4"):
        strip_path(gap, "2025Q3", 2)


def _scenario(fedfunds: dict) -> Scenario:
    return Scenario.model_validate(
        {"name": "x", "description": "test", "weight": 1.0, "fedfunds": fedfunds}
    )


PRICED = (4.0, 3.8, 3.6, 3.5)
OBSERVED = {"fedfunds": 4.2}


def test_scenarios_written_against_the_priced_in_path() -> None:
    start = Q("2025Q4", "Q")
    alone = scenario_arrays(
        _scenario({"priced_in": True}),
        first_quarter=start,
        horizon=6,
        last_observed=OBSERVED,
        priced_in=PRICED,
    )
    np.testing.assert_allclose(alone.values[:, 0], [*PRICED, 3.5, 3.5])
    np.testing.assert_allclose(alone.priced_in, np.diff([4.2, *PRICED, 3.5, 3.5]))
    more = scenario_arrays(
        _scenario({"priced_in": True, "table": [-0.25, -0.5, -0.5, -0.5, -0.5, -0.5]}),
        first_quarter=start,
        horizon=6,
        last_observed=OBSERVED,
        priced_in=PRICED,
    )
    np.testing.assert_allclose(more.values[:, 0] - alone.values[:, 0], [-0.25] + [-0.5] * 5)
    # meetings are moves beyond what is priced in, averaged over the quarter's days
    cut = scenario_arrays(
        _scenario({"priced_in": True, "meetings": {"2025-10-29": -25.0}}),
        first_quarter=start,
        horizon=2,
        last_observed=OBSERVED,
        priced_in=PRICED,
    )
    gap = cut.values[:, 0] - alone.values[:2, 0]
    assert -0.25 < gap[0] < -0.15 and gap[1] == pytest.approx(-0.25)


def test_priced_in_form_errors() -> None:
    with pytest.raises(ValueError, match="'start' cannot be used with 'priced_in"):
        _scenario({"priced_in": True, "start": 4.0, "meetings": {"2025-10-29": -25.0}})
    with pytest.raises(ValueError, match="cannot be used with 'year_end'"):
        _scenario({"priced_in": True, "year_end": {2026: -0.5}})
    with pytest.raises(ValueError, match="only fed funds has a priced-in path"):
        Scenario.model_validate(
            {"name": "x", "description": "d", "weight": 1.0, "slope": {"priced_in": True}}
        )
    with pytest.raises(ScenarioError, match="none was given"):
        scenario_arrays(
            _scenario({"priced_in": True}),
            first_quarter=Q("2025Q4", "Q"),
            horizon=2,
            last_observed=OBSERVED,
        )


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0.0, 8.0), min_size=1, max_size=12), st.integers(1, 16))
def test_priced_in_changes_add_up_to_the_path(levels: list[float], horizon: int) -> None:
    from rutsim.scenario import priced_in_changes

    changes = priced_in_changes(levels, OBSERVED, horizon)
    assert changes.shape == (horizon,)
    path = OBSERVED["fedfunds"] + np.cumsum(changes)
    want = (levels + [levels[-1]] * horizon)[:horizon]
    np.testing.assert_allclose(path, want, atol=1e-9)


def test_a_strip_in_the_config_replaces_the_yield_estimate(tmp_path: Path) -> None:
    from rutsim.config import DataConfig, load_config
    from rutsim.scenario import anchor_from_panel

    (tmp_path / "configs").mkdir()
    (tmp_path / "strip.csv").write_text("month,rate\n2025-10,4.1\n2025-11,3.9\n2025-12,3.8\n")
    config = tmp_path / "configs" / "run.toml"
    config.write_text('[scenarios]\npriced_in_strip = "strip.csv"\n')
    cfg, _ = load_config(config)
    assert cfg.scenarios.priced_in_strip == tmp_path / "strip.csv"  # from the project root
    panel = load_panel()
    anchor = anchor_from_panel(panel, DataConfig(), cfg.scenarios.priced_in_strip)
    # the quarter's months averaged, then the strip's last rate held
    np.testing.assert_allclose(anchor.priced_in, [(4.1 + 3.9 + 3.8) / 3] + [3.8] * 7)
    estimated = anchor_from_panel(panel, DataConfig())
    np.testing.assert_allclose(estimated.priced_in, priced_in_path(panel, "2025Q3", 8))


def test_shipped_data_markets_extrapolate_the_feds_last_move() -> None:
    # What docs/model.md's caveat rests on: the priced-in change follows last quarter's
    # fed funds change (measured: slope 0.52, 1988-2025), while the unemployment change
    # of last quarter adds little (measured +0.05).
    panel = load_panel()
    df = panel["fedfunds_avg"].diff()
    both = pd.DataFrame(
        {
            "pdf": priced_in_change(panel),
            "df_prev": df.shift(1),
            "du_prev": panel["unrate"].diff().shift(1),
        }
    ).loc["1988Q2":"2025Q3"]
    both = both.dropna()
    design = np.column_stack([np.ones(len(both)), both["df_prev"], both["du_prev"]])
    coef, *_ = np.linalg.lstsq(design, both["pdf"].to_numpy(), rcond=None)
    assert 0.4 < coef[1] < 0.65
    assert abs(coef[2]) < 0.1
