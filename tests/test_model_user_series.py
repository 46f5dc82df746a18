"""Real fits with a user's own small-cap P/E history (``[[data.user_series]]``).

A 143-quarter series once killed the default sampler (SIGSEGV: nutpie's threads ran out
of stack in the marginal likelihood's gradient). The fast test checks that a series reaches
the model's observations without sampling; the slow ones fit a short series and the full
1990Q1..2025Q3 history with the default backend.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import small_fit_config
from rutsim.model import fit_or_load
from rutsim.model._marginal import valuation_observations
from rutsim.model._sample import NUTPIE_THREAD_STACK


def _pe_history(path: Path, first: str, last: str) -> int:
    """Write a plausible trailing P/E history (a slow random walk around 18); its length."""
    quarters = pd.period_range(first, last, freq="Q")
    rng = np.random.default_rng(0)
    pe = 18.0 * np.exp(0.3 * np.cumsum(rng.normal(0.0, 0.03, len(quarters))))
    frame = pd.DataFrame({"date": quarters.end_time.date, "trailing_pe": pe.round(3)})
    frame.to_csv(path, index=False)
    return len(quarters)


def _fit(tmp_path: Path, first: str, data: dict, sampler: dict):
    n = _pe_history(tmp_path / "pe.csv", first, "2025Q3")
    series = [{"path": str(tmp_path / "pe.csv"), "kind": "pe", "column": "trailing_pe"}]
    cfg = small_fit_config(
        tmp_path / "models", figures=False, data={**data, "user_series": series}, sampler=sampler
    )
    return n, fit_or_load(cfg, allow_unconverged=True, progress=False)


def _user_observations(cfg) -> list[str]:
    from rutsim.data import load_panel
    from rutsim.model import model_data

    data = model_data(load_panel(cfg.data), cfg.data, cfg.model)
    return [n for n in valuation_observations(cfg.model, data).names if n.startswith("user_pe")]


def test_a_user_pe_series_enters_the_models_observations(tmp_path: Path) -> None:
    n = _pe_history(tmp_path / "pe.csv", "2016Q1", "2025Q3")
    series = [{"path": str(tmp_path / "pe.csv"), "kind": "pe", "column": "trailing_pe"}]
    cfg = small_fit_config(tmp_path / "models", data={"user_series": series})
    assert len(_user_observations(cfg)) == n == 39


@pytest.mark.slow
def test_a_user_pe_series_enters_the_fit(tmp_path: Path) -> None:
    n, fitted = _fit(tmp_path, "2016Q1", {}, {"chains": 2, "draws": 100, "tune": 100})
    assert len(_user_observations(fitted.manifest.config)) == n == 39
    assert fitted.manifest.diagnostics.divergences >= 0
    # the nutpie threads got the large stack (the fix of the SIGSEGV)
    assert int(os.environ["RUST_MIN_STACK"]) >= NUTPIE_THREAD_STACK
    assert np.isfinite(fitted.params.q_last).all()


@pytest.mark.slow
def test_a_full_length_user_pe_series_fits_with_the_default_sampler(tmp_path: Path) -> None:
    n, fitted = _fit(
        tmp_path,
        "1990Q1",
        {"start": "1988Q1", "end": "2025Q3"},
        {"chains": 2, "draws": 200, "tune": 300},
    )
    assert n == 143
    assert len(_user_observations(fitted.manifest.config)) >= 138  # the length that used to crash
    assert np.isfinite(fitted.params.q_last).all()
