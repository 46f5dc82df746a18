"""Risk metrics of simulated return paths: exact, documented, per draw and pooled.

Conventions are stated once in :mod:`rutsim.risk._array`: simple cumulative returns,
losses as positive numbers, ``level`` the confidence level, empirical inverted-CDF
quantiles, exact discrete CVaR. Two layers: numpy functions over an ``axis`` and a thin
xarray shell over named dims.
"""

from rutsim.risk._array import (
    conditional_value_at_risk,
    cumulative_simple_return,
    max_drawdown,
    probability_below,
    quantile,
    tail_weights,
    value_at_risk,
    weighted_mean,
    weighted_sd,
)
from rutsim.risk._attribution import COMPONENTS, Attribution, attribute_mean, attribute_tail
from rutsim.risk._dataarray import (
    CONVENTION_ATTRS,
    cumulative_return,
    cvar_da,
    draw_metrics_dataset,
    quantile_da,
    var_da,
)
from rutsim.risk._metrics import BLEND, COLUMNS, STATISTICS, compute_metrics, summarise_draws
from rutsim.risk._reducer import (
    DRAWDOWN_QUANTILES,
    LEVELS,
    LOSS_THRESHOLDS,
    QUANTILES,
    draw_metrics,
    metric_names,
    path_metrics,
)
from rutsim.risk._run import RunData, RunManifest, ScenarioEntry, load_run, resolve_weights

__all__ = [
    "BLEND",
    "COLUMNS",
    "COMPONENTS",
    "CONVENTION_ATTRS",
    "DRAWDOWN_QUANTILES",
    "LEVELS",
    "LOSS_THRESHOLDS",
    "QUANTILES",
    "STATISTICS",
    "Attribution",
    "RunData",
    "RunManifest",
    "ScenarioEntry",
    "attribute_mean",
    "attribute_tail",
    "compute_metrics",
    "conditional_value_at_risk",
    "cumulative_return",
    "cumulative_simple_return",
    "cvar_da",
    "draw_metrics",
    "draw_metrics_dataset",
    "load_run",
    "max_drawdown",
    "metric_names",
    "path_metrics",
    "probability_below",
    "quantile",
    "quantile_da",
    "resolve_weights",
    "summarise_draws",
    "tail_weights",
    "value_at_risk",
    "var_da",
    "weighted_mean",
    "weighted_sd",
]
