"""The names and levels of every risk metric: shared by the NumPy and the JAX reducers.

The metric *definitions* (conventions, quantile rule, CVaR) are stated once in
:mod:`rutsim.risk._array`; this module only fixes which metrics exist and what they are
called, so that the NumPy reference (:mod:`rutsim.risk`) and the jitted per-draw reducer
of the simulation (:mod:`rutsim.simulate`) produce the same table.
"""

from __future__ import annotations

#: Confidence levels of VaR and CVaR.
LEVELS: tuple[float, ...] = (0.95, 0.99)
#: Quantiles of the cumulative simple return (the median is reported as ``return_median``).
QUANTILES: tuple[float, ...] = (0.01, 0.05, 0.10, 0.25, 0.75, 0.90, 0.95, 0.99)
#: Losses (positive decimals) whose exceedance probability is reported; 0 = any loss.
LOSS_THRESHOLDS: tuple[float, ...] = (0.0, 0.10, 0.20)
#: Quantiles of the maximum drawdown up to each horizon.
DRAWDOWN_QUANTILES: tuple[float, ...] = (0.25, 0.50, 0.75, 0.90, 0.95, 0.99)
#: The parts of the small-cap total log return, in the order used everywhere.
COMPONENTS: tuple[str, ...] = ("earnings_growth", "multiple_change", "carry")
#: Suffix of the per-draw Monte Carlo variance of a metric in ``draw_metrics.nc``.
MC_VAR_SUFFIX = "__mc_var"


def pct(p: float) -> str:
    """Two-digit percent tag of a probability: 0.05 -> ``"05"``."""
    return f"{round(p * 100):02d}"


def loss_name(threshold: float) -> str:
    """Metric name of the probability of a loss beyond ``threshold``."""
    return "prob_loss" if threshold == 0 else f"prob_loss_gt_{round(threshold * 100)}pct"


def attribution_tags() -> tuple[str, ...]:
    """Return the attributed outcomes: the mean, then the CVaR tail of each level."""
    return ("mean", *(f"cvar{pct(lv)}" for lv in LEVELS))


def metric_names() -> tuple[str, ...]:
    """All metric names, in table order (each a variable of ``draw_metrics.nc``)."""
    names = ["return_mean", "return_sd", "return_median"]
    names += [f"return_q{pct(q)}" for q in QUANTILES]
    names += [f"var_{pct(lv)}" for lv in LEVELS] + [f"cvar_{pct(lv)}" for lv in LEVELS]
    names += [loss_name(t) for t in LOSS_THRESHOLDS]
    names += ["max_drawdown_mean"] + [f"max_drawdown_q{pct(q)}" for q in DRAWDOWN_QUANTILES]
    for tag in attribution_tags():
        names += [f"attr_{tag}_{c}" for c in COMPONENTS] + [f"attr_{tag}_total"]
    names += ["prob_beat_largecap"]
    return tuple(names)


def tail_probability(name: str) -> float | None:
    """Probability mass in the tail a metric's per-draw estimate rests on, or None.

    Quantile-type metrics (quantiles, VaR, CVaR, drawdown quantiles, tail attribution)
    rest on the paths beyond the quantile: ``min(p, 1 - p)`` of them. Means and
    probabilities use every path (None).
    """
    for q in QUANTILES:
        if name == f"return_q{pct(q)}":
            return min(q, 1 - q)
    for q in DRAWDOWN_QUANTILES:
        if name == f"max_drawdown_q{pct(q)}":
            return min(q, 1 - q)
    for lv in LEVELS:
        if name in (f"var_{pct(lv)}", f"cvar_{pct(lv)}") or name.startswith(f"attr_cvar{pct(lv)}_"):
            return 1 - lv
    return 0.5 if name == "return_median" else None
