"""Turn a scenario's path forms into quarterly arrays over the simulation horizon.

Quarters are handled as integer ordinals ``year * 4 + quarter - 1`` so that path
arithmetic is plain integer arithmetic; labels are ``"YYYYQn"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd

from rutsim.errors import ConfigError, ScenarioError
from rutsim.scenario._schema import Scenario, VariablePath
from rutsim.types import MACRO_VARIABLES, ScenarioArrays

__all__ = [
    "horizon_quarters",
    "meetings_path",
    "scenario_arrays",
    "table_path",
    "year_end_path",
]

_DEFAULT_HALF_LIFE = 4.0


def _ordinal(quarter: pd.Period) -> int:
    return quarter.qyear * 4 + quarter.quarter - 1


def _label(ordinal: int) -> str:
    return f"{ordinal // 4}Q{ordinal % 4 + 1}"


def _first_day(ordinal: int) -> date:
    return date(ordinal // 4, 3 * (ordinal % 4) + 1, 1)


def horizon_quarters(first_quarter: pd.Period, horizon: int) -> list[str]:
    """Return the labels ``"YYYYQn"`` of the ``horizon`` quarters from ``first_quarter``."""
    start = _ordinal(first_quarter)
    return [_label(start + h) for h in range(horizon)]


def meetings_path(
    decisions: Mapping[date, float], start: float, first_quarter: pd.Period, horizon: int
) -> np.ndarray:
    """Quarterly average of a daily policy rate moved by meeting decisions.

    Parameters
    ----------
    decisions : mapping of decision date to change in basis points
        Each change takes effect the day after its decision date. Decisions after the
        horizon are ignored; none may precede ``first_quarter``.
    start : float
        Rate (%) in effect on the first day of ``first_quarter``.
    first_quarter : pandas.Period
        First simulated quarter (freq ``Q-DEC``).
    horizon : int
        Number of quarters.

    Returns
    -------
    numpy.ndarray, shape ``(horizon,)``
        Average of the daily rate over each calendar day of each quarter (%).
    """
    q0 = _ordinal(first_quarter)
    first = _first_day(q0)
    n_days = (_first_day(q0 + horizon) - first).days
    daily = np.full(n_days, float(start))
    for day, bp in sorted(decisions.items()):
        effective = (day + timedelta(days=1) - first).days
        if effective < n_days:
            daily[max(effective, 0) :] += bp / 100.0
    bounds = [(_first_day(q0 + h) - first).days for h in range(horizon + 1)]
    return np.array([daily[a:b].mean() for a, b in zip(bounds, bounds[1:], strict=False)])


def year_end_path(
    targets: Mapping[int, float],
    anchor: float,
    first_quarter: pd.Period,
    horizon: int,
    *,
    long_run: float | None = None,
    half_life: float = _DEFAULT_HALF_LIFE,
) -> np.ndarray:
    """Linear interpolation between fourth-quarter targets, then toward a long-run value.

    Parameters
    ----------
    targets : mapping of year to value
        The value in the fourth quarter of each year; no year may end before
        ``first_quarter``.
    anchor : float
        Value in the last observed quarter (the quarter before ``first_quarter``).
    first_quarter : pandas.Period
        First simulated quarter.
    horizon : int
        Number of quarters.
    long_run : float, optional
        Value approached geometrically after the last target; without it the last target
        is held.
    half_life : float
        Quarters for half the remaining gap to ``long_run`` to close.

    Returns
    -------
    numpy.ndarray, shape ``(horizon,)``
    """
    q0 = _ordinal(first_quarter)
    years = sorted(targets)
    xs = np.array([q0 - 1] + [4 * y + 3 for y in years], dtype=float)
    ys = np.array([anchor] + [targets[y] for y in years], dtype=float)
    t = np.arange(q0, q0 + horizon, dtype=float)
    out = np.interp(t, xs, ys)
    after = t > xs[-1]
    if long_run is not None and after.any():
        gap = ys[-1] - long_run
        out[after] = long_run + gap * 0.5 ** ((t[after] - xs[-1]) / half_life)
    return out


def table_path(
    table: list[float] | Mapping[str, float],
    first_quarter: pd.Period,
    horizon: int,
    *,
    hold_after_end: bool,
    where: str,
) -> np.ndarray:
    """Slice an explicit quarterly table to the horizon.

    Parameters
    ----------
    table : list of float or mapping of quarter label to float
        A list starts at ``first_quarter``; a mapping is keyed by calendar quarter and
        must cover ``first_quarter`` (earlier quarters are dropped).
    first_quarter : pandas.Period
        First simulated quarter.
    horizon : int
        Number of quarters.
    hold_after_end : bool
        Hold the last value past the end of the table instead of raising.
    where : str
        File and key named in error messages.

    Returns
    -------
    numpy.ndarray, shape ``(horizon,)``

    Raises
    ------
    ScenarioError
        If the table starts after ``first_quarter`` or ends before the horizon does
        (unless ``hold_after_end``).
    """
    q0 = _ordinal(first_quarter)
    if isinstance(table, Mapping):
        items = sorted((int(k[:4]) * 4 + int(k[5]) - 1, v) for k, v in table.items())
        start = items[0][0]
        if start > q0:
            raise ScenarioError(
                f"{where} starts at {_label(start)}, after the first simulated quarter "
                f"{_label(q0)}. To fix: add values from {_label(q0)} on."
            )
        values = [v for _, v in items][q0 - start :]
        first_label = _label(max(start, q0))
    else:
        values = list(table)
        first_label = _label(q0)
    if len(values) < horizon:
        if not hold_after_end or not values:
            shown = f"{first_label}..{_label(q0 + len(values) - 1)}" if values else "nothing"
            raise ScenarioError(
                f"{where} covers {len(values)} simulated quarter(s) ({shown}) but the "
                f"horizon needs {horizon} ({_label(q0)}..{_label(q0 + horizon - 1)}). To "
                f"fix: add values through {_label(q0 + horizon - 1)}, or add "
                f"'hold_after_end = true' to hold the last value, or shorten the horizon "
                f"to {len(values)} quarter(s)."
            )
        values = values + [values[-1]] * (horizon - len(values))
    return np.asarray(values[:horizon], dtype=float)


def _anchor(variable: str, last_observed: Mapping[str, float], origin: str) -> float:
    value = last_observed.get(variable)
    if value is None or not math.isfinite(value):
        raise ScenarioError(
            f"{origin}: the '{variable}' path is relative to the last observed quarter, "
            f"but no finite last observed value of '{variable}' was given (got {value!r}). "
            "To fix: check that the data panel has the series through its last quarter."
        )
    return float(value)


def _variable_path(
    path: VariablePath,
    variable: str,
    origin: str,
    first_quarter: pd.Period,
    horizon: int,
    last_observed: Mapping[str, float],
    priced_in: Sequence[float] = (),
) -> np.ndarray:
    where = f"{origin}: key '{variable}.{path.form}'"
    if path.priced_in:
        return _priced_in_path(path, where, first_quarter, horizon, priced_in)
    if path.meetings is not None:
        _no_history(path, where, first_quarter, f" and set '{variable}.start' to the rate then")
        assert path.start is not None  # guaranteed by the schema
        return meetings_path(path.meetings, path.start, first_quarter, horizon)
    base = _anchor(variable, last_observed, origin) if path.relative else 0.0
    if path.year_end is not None:
        early_years = [y for y in path.year_end if 4 * y + 3 < _ordinal(first_quarter)]
        if early_years:
            raise ScenarioError(
                f"{where} gives year {min(early_years)}, which ends before the first "
                f"simulated quarter {first_quarter}. To fix: remove years before "
                f"{first_quarter.qyear}."
            )
        last = first_quarter + (horizon - 1)
        if all(4 * y + 3 > _ordinal(last) for y in path.year_end):
            raise ScenarioError(
                f"{where} gives only years after the last simulated quarter {last} "
                f"(first: {min(path.year_end)}), so within the run the path would be a "
                "straight line towards a target it never reaches. To fix: add a target for "
                f"a year up to {last.qyear}, or lengthen [simulation] horizon."
            )
        anchor = 0.0 if path.relative else _anchor(variable, last_observed, origin)
        long_run = path.long_run
        half_life = path.long_run_half_life or _DEFAULT_HALF_LIFE
        rel = year_end_path(
            path.year_end, anchor, first_quarter, horizon, long_run=long_run, half_life=half_life
        )
        return base + rel
    assert path.table is not None
    return base + table_path(
        path.table, first_quarter, horizon, hold_after_end=path.hold_after_end, where=where
    )


def _priced_in_path(
    path: VariablePath,
    where: str,
    first_quarter: pd.Period,
    horizon: int,
    priced_in: Sequence[float],
) -> np.ndarray:
    """Return the priced-in fed funds path plus meeting moves or table differences."""
    if len(priced_in) == 0:
        raise ScenarioError(
            f"{where} is written against the priced-in fed funds path, but none was given "
            "(no market yields at the data end). To fix: run it from a config whose "
            "[data].end has a 2-year yield, or write the path as 'meetings' with 'start'."
        )
    levels = _held_to(priced_in, horizon)
    if path.meetings is not None:
        _no_history(path, where, first_quarter, "")
        return levels + meetings_path(path.meetings, 0.0, first_quarter, horizon)
    if path.table is not None:
        return levels + table_path(
            path.table, first_quarter, horizon, hold_after_end=path.hold_after_end, where=where
        )
    return levels


def scenario_arrays(
    scenario: Scenario,
    *,
    first_quarter: pd.Period,
    horizon: int,
    last_observed: Mapping[str, float],
    priced_in: Sequence[float] = (),
) -> ScenarioArrays:
    """Convert a scenario's paths into the kernel's quarterly arrays.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario.
    first_quarter : pandas.Period
        First simulated quarter (freq ``Q-DEC``), the quarter after the last observed one.
    horizon : int
        Number of simulated quarters (at least 1).
    last_observed : mapping of variable name to float
        Values of ``MACRO_VARIABLES`` in the last observed quarter; needed by
        ``year_end`` paths (their anchor) and ``relative`` paths.
    priced_in : sequence of float
        The fed funds path (%) markets priced in at the last observed quarter
        (:class:`Anchor`), flat after its last value; empty: no move priced in (then
        ``last_observed`` needs no ``fedfunds``).

    Returns
    -------
    ScenarioArrays
        ``values`` (horizon, variable) float64 with 0 where not pinned, ``pinned``
        (horizon, variable) bool, ``path_sd`` (variable,) float64; the variable axis
        follows ``MACRO_VARIABLES``; ``priced_in`` (horizon,) the priced-in change of
        fed funds in each quarter (pp).

    Raises
    ------
    ConfigError
        If ``horizon`` is not positive or ``first_quarter`` is not a quarterly period.
    ScenarioError
        If a path does not cover the horizon or cannot be anchored.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ConfigError(
            f"horizon must be a positive number of quarters, got {horizon!r}. To fix: set "
            "[simulation] horizon to 1 or more (e.g. 12)."
        )
    if not isinstance(first_quarter, pd.Period) or first_quarter.freqstr != "Q-DEC":
        raise ConfigError(
            f"first quarter must be a quarterly pandas Period (freq Q-DEC), got "
            f"{first_quarter!r}. To fix: pass e.g. pandas.Period('2025Q4', freq='Q')."
        )
    horizon = int(horizon)
    n_var = len(MACRO_VARIABLES)
    values = np.zeros((horizon, n_var))
    pinned = np.zeros((horizon, n_var), dtype=bool)
    path_sd = np.zeros(n_var)
    for j, variable in enumerate(MACRO_VARIABLES):
        path = scenario.path(variable)
        if path is None:
            continue
        values[:, j] = _variable_path(
            path, variable, scenario.origin, first_quarter, horizon, last_observed, priced_in
        )
        pinned[:, j] = True
        path_sd[j] = path.uncertainty
    return ScenarioArrays(
        values=values,
        pinned=pinned,
        path_sd=path_sd,
        priced_in=priced_in_changes(priced_in, last_observed, horizon),
    )


def priced_in_changes(
    path: Sequence[float] | np.ndarray, last_observed: Mapping[str, float], horizon: int
) -> np.ndarray:
    """Return the quarterly changes (pp) of a priced-in level path, flat to ``horizon``."""
    if len(path) == 0:
        return np.zeros(horizon)
    return np.diff(_held_to(path, horizon), prepend=float(last_observed["fedfunds"]))


def _held_to(path: Sequence[float] | np.ndarray, horizon: int) -> np.ndarray:
    """Return ``path`` cut to ``horizon`` values, its last value held after its end."""
    levels = np.asarray(path, dtype=np.float64)[:horizon]
    return np.concatenate([levels, np.full(horizon - len(levels), levels[-1])])


def _no_history(path: VariablePath, where: str, first_quarter: pd.Period, fix: str) -> None:
    """Refuse FOMC decisions dated before the first simulated quarter (they are data)."""
    early = [d for d in path.meetings or {} if d < first_quarter.start_time.date()]
    if early:
        raise ScenarioError(
            f"{where} has a decision on {min(early).isoformat()}, before the first "
            f"simulated quarter {first_quarter} (that is history, already in the data). "
            f"To fix: drop decisions before {first_quarter.start_time.date()}{fix}."
        )
