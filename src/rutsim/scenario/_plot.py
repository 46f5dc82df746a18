"""Figure of a scenario's given paths with their uncertainty bands (matplotlib, headless)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from rutsim.scenario._schema import Scenario
from rutsim.types import MACRO_VARIABLES, ScenarioArrays

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_scenario"]

_TITLES = {
    "fedfunds": "Fed funds, quarterly average (%)",
    "slope": "Slope (pp)",
    "spread": "Credit spread (pp)",
    "unemployment": "Unemployment rate (%)",
}
#: Two-sided 90% band of a normal deviation.
_Z90 = 1.6448536269514722


def plot_scenario(
    scenario: Scenario,
    arrays: ScenarioArrays,
    quarters: Sequence[str],
    last_observed: Mapping[str, float],
) -> Figure:
    """Draw each macro variable's given path with a 90% band of its random-walk deviation.

    Parameters
    ----------
    scenario : Scenario
        The scenario (title and forms).
    arrays : ScenarioArrays
        Its arrays: ``values`` and ``pinned`` of shape (horizon, variable), ``path_sd``
        of shape (variable,).
    quarters : sequence of str
        Labels of the horizon quarters, length horizon.
    last_observed : mapping of str to float
        Values in the last observed quarter, drawn as the starting point when present.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per variable; variables the model simulates say so instead of a line.
    """
    # matplotlib only when a figure is drawn, so listing or checking scenarios stays light.
    from matplotlib.figure import Figure

    values = np.asarray(arrays.values)
    pinned = np.asarray(arrays.pinned)
    sd = np.asarray(arrays.path_sd)
    horizon = values.shape[0]
    steps = np.arange(1, horizon + 1)
    fig = Figure(figsize=(11, 3.6), layout="constrained")
    axes = fig.subplots(1, len(MACRO_VARIABLES), sharex=True)
    for j, (ax, variable) in enumerate(zip(axes, MACRO_VARIABLES, strict=True)):
        ax.set_title(_TITLES[variable], fontsize=10)
        if not pinned[:, j].any():
            ax.text(
                0.5,
                0.5,
                "not given:\nsimulated by the model",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="0.4",
            )
            ax.set_yticks([])
        else:
            half = _Z90 * sd[j] * np.sqrt(steps)
            ax.fill_between(
                steps,
                values[:, j] - half,
                values[:, j] + half,
                alpha=0.25,
                label="90% band" if sd[j] > 0 else None,
            )
            ax.plot(steps, values[:, j], marker="o", markersize=3, label="path")
            start = last_observed.get(variable)
            if start is not None:
                ax.plot([0], [start], marker="s", color="0.2", label="last observed")
            ax.legend(fontsize=7, loc="best")
        ticks = steps[:: max(1, horizon // 6)]
        ax.set_xticks(ticks, [quarters[t - 1] for t in ticks], rotation=45, fontsize=8)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Scenario '{scenario.name}'", fontsize=11)
    return fig
