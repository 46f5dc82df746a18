"""Validation as a product: the rolling-origin backtest and the easing-cycle study.

Public API: :func:`backtest`, :func:`study_easing`, :func:`study_fomc`,
and the scoring functions behind them
(:func:`crps_sample`, :func:`pit`, :func:`in_interval`, :func:`log_score_kde`,
:func:`skill`, :func:`coverage`, :func:`pit_uniformity`).
"""

from rutsim.validate._backtest import BacktestResult, backtest
from rutsim.validate._fomc import FomcStudy, event_study, ols_hc1, study_fomc
from rutsim.validate._report import headline_text
from rutsim.validate._scores import (
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
from rutsim.validate._study import StudyResult, study_easing
from rutsim.validate._summary import summarise

__all__ = [
    "BacktestResult",
    "FomcStudy",
    "event_study",
    "ols_hc1",
    "study_fomc",
    "StudyResult",
    "backtest",
    "coverage",
    "crps_sample",
    "headline_text",
    "in_interval",
    "log_score_kde",
    "newey_west_se",
    "overlap_lag",
    "pit",
    "pit_uniformity",
    "skill",
    "study_easing",
    "summarise",
]
