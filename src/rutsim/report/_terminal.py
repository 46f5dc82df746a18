"""What ``rutsim run`` prints: the model line and the headline table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from rutsim.status import shown


# What the model line reads from a fitted model (rutsim.model.FittedModel), as read-only
# protocols so the report layer needs nothing from the model layer.
class _Diagnostics(Protocol):
    @property
    def passed(self) -> bool: ...
    @property
    def divergences(self) -> int: ...
    @property
    def max_r_hat(self) -> float: ...
    @property
    def min_ess_bulk(self) -> float: ...
    @property
    def min_ess_tail(self) -> float: ...


class _Manifest(Protocol):
    @property
    def model_id(self) -> str: ...
    @property
    def diagnostics(self) -> _Diagnostics: ...
    @property
    def prior_driven(self) -> tuple[str, ...]: ...


class _Fitted(Protocol):
    @property
    def manifest(self) -> _Manifest: ...
    @property
    def path(self) -> Path: ...


def describe_model(fitted: _Fitted) -> str:
    """One line on the model a run uses: id, gate, and which parameters are prior-driven."""
    m = fitted.manifest
    d = m.diagnostics
    gate = "passed" if d.passed else "FAILED (kept with allow_unconverged)"
    prior = ", ".join(m.prior_driven) or "none"
    return (
        f"model {m.model_id} ({shown(fitted.path)}): gate {gate}, {d.divergences} divergences, "
        f"max R-hat {d.max_r_hat:.3f}, min ESS {min(d.min_ess_bulk, d.min_ess_tail):.0f}; "
        f"prior-driven, not learned from data: {prior}"
    )


#: Columns of the headline table: (metric, label); values are simple returns / losses.
HEADLINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("return_median", "median"),
    ("return_q95", "95%"),
    ("prob_loss", "P(loss)"),
    ("var_95", "VaR 95"),
    ("cvar_95", "CVaR 95"),
)


def headline_table(table: pd.DataFrame, horizons: Sequence[int]) -> pd.DataFrame:
    """Return the pooled headline numbers per scenario (and the blend) at each horizon.

    Parameters
    ----------
    table : pandas.DataFrame
        The long metrics table (:func:`rutsim.risk.compute_metrics`).
    horizons : sequence of int
        Horizons in quarters (e.g. :func:`headline_horizons`).

    Returns
    -------
    pandas.DataFrame
        Index ``(horizon, scenario)`` in run order (the blend last); one column per
        metric of :data:`HEADLINE_COLUMNS`: cumulative simple returns and the probability
        of loss as decimals, VaR 95 as a positive loss.
    """
    metrics = [m for m, _ in HEADLINE_COLUMNS]
    sub = table[
        (table.statistic == "pooled")
        & table.metric.isin(metrics)
        & table.horizon.isin(list(horizons))
    ]
    order = list(dict.fromkeys(table.scenario))
    wide = sub.pivot_table(index=["horizon", "scenario"], columns="metric", values="value")
    wide = wide.reindex(
        pd.MultiIndex.from_product([list(horizons), order], names=["horizon", "scenario"])
    )
    return wide.loc[:, metrics]


def format_headline(
    headline: pd.DataFrame,
    *,
    weights: Mapping[str, float],
    quarters: Sequence[str],
    paths_per_scenario: int,
) -> str:
    """Render the headline table as aligned text: one block per horizon.

    Parameters
    ----------
    headline : pandas.DataFrame
        :func:`headline_table`.
    weights : mapping of str to float
        Blend weight per scenario (shown beside each name).
    quarters : sequence of str
        Label of every simulated quarter (``quarters[h - 1]`` ends horizon ``h``).
    paths_per_scenario : int
        Paths pooled per scenario (stated in the heading).
    """
    names = list(dict.fromkeys(headline.index.get_level_values("scenario")))
    width = max(len("scenario"), *(len(n) for n in names)) + 2
    cols = "".join(f"{label:>9}" for _, label in HEADLINE_COLUMNS)
    lines = [
        "cumulative total return, simple (not log), pooled over "
        f"{paths_per_scenario:,} paths per scenario; 95%: the upside quantile; VaR 95 and "
        "CVaR 95: losses (positive = loss)",
    ]
    for h in dict.fromkeys(headline.index.get_level_values("horizon")):
        lines.append(f"{h} quarters (to {quarters[int(h) - 1]})")
        lines.append(f"  {'scenario':<{width}}{'weight':>7}{cols}")
        for name in names:
            row = headline.loc[(h, name)]
            weight = f"{weights[name]:.0%}" if name in weights else ""
            cells = "".join(_cell(row[m]) for m, _ in HEADLINE_COLUMNS)
            lines.append(f"  {name:<{width}}{weight:>7}{cells}")
    return "\n".join(lines)


def _cell(value: float) -> str:
    return f"{'n/a':>9}" if np.isnan(value) else f"{value:>9.1%}"
