"""The model's real-time information rules: EPS publication lag and dated anchors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rutsim.config import DataConfig, ModelConfig
from rutsim.data import load_panel
from rutsim.model import model_data
from rutsim.model._marginal import valuation_observations


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return load_panel()


@pytest.mark.parametrize("lag", [0, 1, 2])
def test_pe_divides_by_eps_known_at_the_time(panel: pd.DataFrame, lag: int) -> None:
    data = DataConfig(end="2010Q4", eps_lag=lag)
    md = model_data(panel, data, ModelConfig())
    q = pd.Period("2010Q4", "Q")
    price, eps = panel.at[q, "sp500_end"], panel["sp500_op_eps_ttm"]
    assert md.ml_ttm[-1] == pytest.approx(np.log(price / eps[q - lag]))
    # the smoothed base averages the trailing sums of the last 12 quarters known then
    smoothed = (eps[q - lag] + eps[q - lag - 4] + eps[q - lag - 8]) / 3
    assert md.ml[-1] == pytest.approx(np.log(price / smoothed))
    assert md.gl[-1] == pytest.approx(
        np.log(smoothed) - np.log((eps[q - lag - 1] + eps[q - lag - 5] + eps[q - lag - 9]) / 3)
    )


def test_real_yield_and_activity_known_answers(panel: pd.DataFrame) -> None:
    md = model_data(panel, DataConfig(end="2010Q4"), ModelConfig())
    q = pd.Period("2010Q4", "Q")
    inflation = 100 * np.log(panel.at[q, "cpi"] / panel.at[q - 12, "cpi"]) / 3
    assert md.rr[-1] == pytest.approx(panel.at[q, "ust10y_avg"] - inflation)
    assert md.u[-1] == pytest.approx(panel.at[q, "unrate"])
    assert md.du[-1] == pytest.approx(panel.at[q, "unrate"] - panel.at[q - 1, "unrate"])


def test_default_lags_eps_one_quarter() -> None:
    assert DataConfig().eps_lag == 1


def test_anchors_only_from_their_quarter_on(panel: pd.DataFrame) -> None:
    cfg = ModelConfig()
    full = model_data(panel, DataConfig(), cfg)
    obs = valuation_observations(cfg, full)
    assert obs.names == ("anchor_trailing_pe", "anchor_avg_pe", "anchor_pe_vs_avg")
    # The 20-quarter average ends at the anchor quarter, the last of the sample.
    assert np.flatnonzero(obs.a[1]).tolist() == list(range(len(full.ml) - 20, len(full.ml)))
    early = model_data(panel, DataConfig(end="2015Q4"), cfg)
    assert valuation_observations(cfg, early).names == ()


def test_carry_uses_no_data_after_the_sample(panel: pd.DataFrame) -> None:
    before_iwm = model_data(panel, DataConfig(end="1999Q4"), ModelConfig())
    assert before_iwm.carry == 0.0  # IWM starts in 2000
    later = model_data(panel, DataConfig(end="2010Q4"), ModelConfig())
    full = model_data(panel, DataConfig(), ModelConfig())
    assert later.carry != full.carry
