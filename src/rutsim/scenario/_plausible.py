"""Plausibility of a scenario's paths: errors for the impossible, notes for the unusual.

A path far outside anything the economy has produced (fed funds at 1e6 %, a spread of
1e300) cannot be extrapolated by a model fitted on history; simulated, it overflows and
the run dies after minutes of work. These ranges are checked on the resolved quarterly
paths (after ``relative`` and ``year_end`` are applied), before any fitting.

The ranges are wide on purpose. *Impossible*: beyond any U.S. value on record by a wide
margin (fed funds peaked at 19.1 % in 1981, unemployment at 25 % in 1933, the Baa-10y
spread at 6.2 pp and the high-yield OAS at 19.9 pp in 2008; the 10y-2y slope spanned
-2.4 to +2.9 pp since 1976). *Unusual*: outside the post-1985 record, simulated but noted.
"""

from __future__ import annotations

import numpy as np

from rutsim.errors import ScenarioError
from rutsim.scenario._schema import Scenario
from rutsim.types import MACRO_VARIABLES, ScenarioArrays

__all__ = ["PLAUSIBLE_RANGES", "check_plausible"]

#: Per variable: (impossible below, unusual below, unusual above, impossible above).
PLAUSIBLE_RANGES: dict[str, tuple[float, float, float, float]] = {
    "fedfunds": (-5.0, 0.0, 12.0, 30.0),
    "slope": (-10.0, -3.0, 4.0, 10.0),
    "spread": (-2.0, 0.0, 10.0, 30.0),
    "unemployment": (0.0, 2.0, 15.0, 40.0),
}
_UNITS = {"fedfunds": "%", "slope": "pp", "spread": "pp", "unemployment": "%"}
#: Per-quarter random-walk sd of a scenario's own uncertainty: (unusual, impossible).
UNCERTAINTY_RANGE: tuple[float, float] = (1.0, 5.0)


def check_plausible(scenario: Scenario, arrays: ScenarioArrays) -> list[str]:
    """Check a scenario's resolved paths and uncertainties.

    Parameters
    ----------
    scenario : Scenario
    arrays : ScenarioArrays
        Its paths on the simulated quarters (:func:`rutsim.scenario.scenario_arrays`).

    Returns
    -------
    list of str
        Notes for values that are possible but outside the post-1985 record.

    Raises
    ------
    ScenarioError
        A value outside the impossible bounds, naming the file, the variable, the value,
        the range and the fix.
    """
    notes: list[str] = []
    values = np.asarray(arrays.values, dtype=float)
    pinned = np.asarray(arrays.pinned, dtype=bool)
    for j, variable in enumerate(MACRO_VARIABLES):
        if not pinned[:, j].any():
            continue
        lo_bad, lo, hi, hi_bad = PLAUSIBLE_RANGES[variable]
        unit = _UNITS[variable]
        path = values[pinned[:, j], j]
        low, high = float(np.min(path)), float(np.max(path))
        if not (np.isfinite(low) and np.isfinite(high)) or low < lo_bad or high > hi_bad:
            worst = low if low < lo_bad or not np.isfinite(low) else high
            raise ScenarioError(
                f"{scenario.origin}: key '{variable}' reaches {worst:g} {unit}, outside the "
                f"possible range {lo_bad:g} .. {hi_bad:g} {unit} (see scenarios/README.md). "
                f"To fix: check the units ({variable} is in {unit}; meeting moves in basis "
                "points) and the values."
            )
        if low < lo or high > hi:
            notes.append(
                f"scenario '{scenario.name}': {variable} spans {low:.2f} .. {high:.2f} {unit}, "
                f"outside the post-1985 range {lo:g} .. {hi:g} {unit}; the model "
                "extrapolates there"
            )
        sd = float(np.asarray(arrays.path_sd, dtype=float)[j])
        unusual, impossible = UNCERTAINTY_RANGE
        if sd > impossible:
            raise ScenarioError(
                f"{scenario.origin}: key '{variable}.uncertainty' = {sd:g} {unit} per quarter "
                f"is above the limit {impossible:g}; the path would wander to impossible "
                f"values. To fix: use a per-quarter sd of at most {impossible:g} (typical: "
                "0.1 .. 0.5)."
            )
        if sd > unusual:
            notes.append(
                f"scenario '{scenario.name}': {variable} uncertainty {sd:g} {unit} per quarter "
                f"is large (over {unusual:g}); its paths spread widely"
            )
    return notes
