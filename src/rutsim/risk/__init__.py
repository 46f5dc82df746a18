"""Risk metrics of simulated return paths: exact, documented, per draw and pooled.

Conventions are stated once in :mod:`rutsim.risk._array` (:data:`CONVENTION_ATTRS`):
simple cumulative returns, losses as positive numbers, ``level`` the confidence level,
empirical inverted-CDF quantiles, exact discrete CVaR. Everything here works on arrays
and datasets; reading and writing run folders belongs to :mod:`rutsim.runs`.

The run's own reducer, jitted, is the public submodule :mod:`rutsim.risk.draw_reducer`,
which this package does not import (it loads JAX); it computes the metrics of
:func:`rutsim.risk.path_metrics` to float rounding (``tests/test_mc_noise.py``).
"""

from rutsim.risk._array import (
    CONVENTION_ATTRS,
    conditional_value_at_risk,
    cumulative_simple_return,
    max_drawdown,
    probability_below,
    quantile,
    tail_weights,
    value_at_risk,
)
from rutsim.risk._attribution import Attribution, attribute_mean, attribute_tail
from rutsim.risk._metrics import (
    BLEND,
    BLEND_WEIGHTS_ATTR,
    COLUMNS,
    RETURN_VARS,
    STATISTICS,
    compute_metrics,
)
from rutsim.risk._names import COMPONENTS, LEVELS, MC_VAR_SUFFIX, metric_names
from rutsim.risk._noise import FEW_TAIL_PATHS, quantile_se
from rutsim.risk._pooled import (
    DRAWDOWN_BIN_WIDTH,
    DRAWDOWN_SUMS,
    RETURN_BIN_WIDTH,
    RETURN_RANGE,
    RETURN_SUMS,
    bin_paths,
    drawdown_bin_centres,
    mix_bins,
    return_bin_centres,
)
from rutsim.risk._position import (
    compute_position_metrics,
    loss_metric,
    metric_unit,
)
from rutsim.risk._reducer import METRIC_DESCRIPTIONS, check_finite, draw_metrics, path_metrics

__all__ = [
    "BLEND",
    "FEW_TAIL_PATHS",
    "BLEND_WEIGHTS_ATTR",
    "DRAWDOWN_BIN_WIDTH",
    "DRAWDOWN_SUMS",
    "RETURN_BIN_WIDTH",
    "RETURN_RANGE",
    "RETURN_SUMS",
    "MC_VAR_SUFFIX",
    "bin_paths",
    "mix_bins",
    "check_finite",
    "drawdown_bin_centres",
    "return_bin_centres",
    "COLUMNS",
    "COMPONENTS",
    "CONVENTION_ATTRS",
    "LEVELS",
    "METRIC_DESCRIPTIONS",
    "RETURN_VARS",
    "STATISTICS",
    "Attribution",
    "attribute_mean",
    "attribute_tail",
    "compute_metrics",
    "compute_position_metrics",
    "loss_metric",
    "metric_unit",
    "conditional_value_at_risk",
    "cumulative_simple_return",
    "draw_metrics",
    "max_drawdown",
    "metric_names",
    "path_metrics",
    "probability_below",
    "quantile",
    "quantile_se",
    "tail_weights",
    "value_at_risk",
]
