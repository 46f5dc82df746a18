"""The reference scenario files: known answers for their paths, weights and narratives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rutsim.config import ScenarioSelection
from rutsim.data import load_fomc_sep
from rutsim.scenario import horizon_quarters, load_scenario, load_scenarios, scenario_arrays

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FIRST = pd.Period("2025Q4", freq="Q")
#: 2025Q3 values of the embedded panel (fedfunds_avg, slope_10y2y, spread_baa10y, unrate).
OBSERVED = {"fedfunds": 4.2933, "slope": 0.5403, "spread": 1.72, "unemployment": 4.3333}
#: The effective rate sat 3.5bp below the target-range midpoint on 2025-09-18..30.
MIDPOINT_OFFSET = 0.035


def _paths(name: str, horizon: int = 12) -> dict[str, np.ndarray]:
    a = scenario_arrays(
        load_scenario(name, SCENARIOS), first_quarter=FIRST, horizon=horizon, last_observed=OBSERVED
    )
    return {
        "fedfunds": a.values[:, 0],
        "slope": a.values[:, 1],
        "spread": a.values[:, 2],
        "unemployment": a.values[:, 3],
        "pinned": a.pinned,
        "sd": a.path_sd,
    }


def _end_of_year_level(name: str, year: int) -> float:
    s = load_scenario(name, SCENARIOS)
    cuts = sum(bp for d, bp in s.fedfunds.meetings.items() if d.year <= year)
    return s.fedfunds.start + cuts / 100


def test_base_follows_the_september_2025_sep_medians() -> None:
    sep = load_fomc_sep()
    sep = sep[
        (sep["sep_release_date"] == "2025-09-17")
        & (sep["variable"] == "fed_funds_rate_end_of_year_midpoint")
    ]
    medians = dict(zip(sep["target_year"], sep["median_projection_pct"], strict=True))
    assert {y: medians[y] for y in ("2025", "2026", "2027", "longer_run")} == {
        "2025": 3.6,
        "2026": 3.4,
        "2027": 3.1,
        "longer_run": 3.0,
    }
    for year in (2025, 2026, 2027, 2028):
        midpoint = _end_of_year_level("base", year) + MIDPOINT_OFFSET
        assert midpoint == pytest.approx(medians[str(year)], abs=0.05)


def test_base_quarterly_averages_known_answers() -> None:
    p = _paths("base")
    # 2025Q4: 29 days at 4.09, 42 at 3.84, 21 at 3.59; 2026Q2: 78 days at 3.59, 13 at 3.34.
    assert p["fedfunds"][0] == pytest.approx(355.28 / 92, abs=1e-12)
    assert p["fedfunds"][1] == pytest.approx(3.59, abs=1e-12)
    assert p["fedfunds"][2] == pytest.approx((78 * 3.59 + 13 * 3.34) / 91, abs=1e-12)
    assert p["fedfunds"][-1] == pytest.approx(3.09, abs=1e-12)
    # slope and spread simulated by the model; fed funds and unemployment given
    np.testing.assert_array_equal(p["pinned"][0], [True, False, False, True])
    assert p["sd"][0] > 0 and p["sd"][3] > 0


def test_base_carries_the_september_2025_sep_unemployment_medians() -> None:
    sep = load_fomc_sep()
    sep = sep[
        (sep["sep_release_date"] == "2025-09-17") & (sep["variable"] == "unemployment_rate_q4")
    ]
    medians = dict(zip(sep["target_year"], sep["median_projection_pct"], strict=True))
    assert medians == {"2025": 4.5, "2026": 4.4, "2027": 4.3, "2028": 4.2}
    p = _paths("base")
    quarters = horizon_quarters(FIRST, 12)
    for year in ("2025", "2026", "2027"):
        assert p["unemployment"][quarters.index(f"{year}Q4")] == pytest.approx(medians[year])
    # linear by quarter between the year-end values, towards 4.2 at end-2028
    assert p["unemployment"][quarters.index("2028Q2")] == pytest.approx(4.25)


def test_delayed_pivot_holds_then_cuts_slowly_with_wider_spreads_and_flatter_curve() -> None:
    p = _paths("delayed_pivot")
    quarters = horizon_quarters(FIRST, 12)
    held = p["fedfunds"][: quarters.index("2026Q3") + 1]
    assert np.all((held > 4.0) & (held <= 4.4))  # near 4.1-4.4% well into 2026
    assert np.all(np.diff(p["fedfunds"]) <= 1e-12)
    assert p["fedfunds"][-1] > _paths("base")["fedfunds"][-1]  # slower than the SEP path
    assert np.all(p["spread"] > OBSERVED["spread"])
    assert p["spread"].max() - OBSERVED["spread"] == pytest.approx(0.75)
    assert np.all(p["slope"] < OBSERVED["slope"])
    assert np.all(p["pinned"]) and np.all(p["sd"] > 0)
    # the activity path that lets the Fed wait: unemployment at or below the SEP's
    # through 2027 (the SEP's 2028 value is past the narrative's last year)
    to_2027 = quarters.index("2027Q4") + 1
    assert np.all(p["unemployment"][:to_2027] <= _paths("base")["unemployment"][:to_2027] + 1e-12)
    assert np.all(np.abs(p["unemployment"] - OBSERVED["unemployment"]) < 0.1)


def test_aggressive_easing_cuts_deeper_with_a_bull_steepener_and_tighter_spreads() -> None:
    p = _paths("aggressive_easing")
    quarters = horizon_quarters(FIRST, 12)
    end_2026 = _end_of_year_level("aggressive_easing", 2026)
    assert 2.5 <= end_2026 + MIDPOINT_OFFSET <= 3.0
    assert p["fedfunds"][quarters.index("2026Q4")] == pytest.approx(end_2026)
    assert np.all(p["fedfunds"] <= _paths("base")["fedfunds"] + 1e-12)
    assert np.all(p["slope"] > OBSERVED["slope"])
    assert np.all(p["spread"] < OBSERVED["spread"])
    assert np.all(p["pinned"]) and np.all(p["sd"] > 0)
    # a soft landing: unemployment up less than 0.5pp, no recession-sized rise
    rise = p["unemployment"].max() - OBSERVED["unemployment"]
    assert 0.2 < rise < 0.5
    assert "no\nprecedent since 1987" in load_scenario("aggressive_easing", SCENARIOS).description


def test_recession_easing_cuts_deeply_because_unemployment_rises() -> None:
    p = _paths("recession_easing")
    quarters = horizon_quarters(FIRST, 12)
    end_2026 = _end_of_year_level("recession_easing", 2026)
    assert _load_start("recession_easing") - end_2026 == pytest.approx(3.0)  # 300bp
    assert p["fedfunds"][quarters.index("2026Q3")] == pytest.approx(end_2026)
    assert np.all(p["fedfunds"] <= _paths("aggressive_easing")["fedfunds"] + 1e-12)
    rise = p["unemployment"].max() - OBSERVED["unemployment"]
    assert 1.5 < rise < 2.5  # between 2001 (+2.0pp) and 2007-09 (+5pp) at most
    # slope and spread are the model's: it says how curve and credit respond
    np.testing.assert_array_equal(p["pinned"][0], [True, False, False, True])
    assert load_scenario("recession_easing", SCENARIOS).weight == 0.0


def _load_start(name: str) -> float:
    return load_scenario(name, SCENARIOS).fedfunds.start


def test_reference_weights_and_narratives() -> None:
    chosen = load_scenarios(ScenarioSelection(dir=SCENARIOS))
    names = ["base", "delayed_pivot", "aggressive_easing", "recession_easing"]
    assert [s.name for s in chosen.scenarios] == names
    assert chosen.weights == pytest.approx((0.5, 0.2, 0.3, 0.0))
    assert chosen.notes == ()
    for s in chosen.scenarios:
        assert s.as_of == "2025-09-18"
        assert "Sources:" in s.description
        assert "seed article" in s.description or s.name == "recession_easing"
        assert "Activity" in s.description or s.name == "recession_easing"


def test_anchor_from_the_embedded_panel() -> None:
    from rutsim.config import DataConfig
    from rutsim.data import load_panel
    from rutsim.errors import DataError
    from rutsim.scenario import anchor_from_panel

    panel = load_panel()
    anchor = anchor_from_panel(panel, DataConfig())
    assert anchor.first_quarter == FIRST
    assert anchor.last_observed == pytest.approx(OBSERVED, abs=1e-3)
    with pytest.raises(DataError, match=r"no row for 2030Q1 \(key 'data.end'\)"):
        anchor_from_panel(panel, DataConfig(end="2030Q1"))
