"""The observed history that leads into a run's fan charts.

The run's own ``config.toml`` says which data and which slope and spread series the
model used; the same panel columns are read back for the last few years up to the run's
last observed quarter (the real 10-year yield is derived inside the model and shown
without history).
"""

from __future__ import annotations

import tomllib
from typing import NamedTuple

import numpy as np

from rutsim.config import RunConfig, validate_model
from rutsim.errors import RutsimError
from rutsim.runs import RunData

#: Quarters of history shown before the last observed one (three years).
HISTORY_QUARTERS = 12

_SLOPE_LABELS = {"10y2y": "10y-2y", "10y3m": "10y-3m"}
_SPREAD_LABELS = {"baa10y": "Baa-10y", "hy_oas": "high-yield OAS", "gz": "GZ spread"}


class History(NamedTuple):
    """Observed quarters up to and including the run's last observed quarter.

    Attributes
    ----------
    quarters : list of str
    series : dict of str to ndarray
        ``index`` (Russell 2000 total-return index, last quarter = 100), ``fedfunds``,
        ``unemployment``, ``slope``, ``spread`` in the model's units.
    slope_label, spread_label : str
        Names of the series that drive the model's slope and spread (e.g. "10y-2y").
    """

    quarters: list[str]
    series: dict[str, np.ndarray]
    slope_label: str
    spread_label: str


def load_history(run: RunData, quarters: int = HISTORY_QUARTERS) -> History | None:
    """Return the last ``quarters + 1`` observed quarters of the run's data, or None.

    The series are the panel columns the run's model used as drivers
    (``DataConfig.driver_columns``) and the Russell 2000 total-return index. None (and
    the report says so) when the run has no config or its data can no longer be read (a
    user file moved): history is context, never a reason to fail a report.
    """
    if not run.config_toml:
        return None
    try:
        cfg = validate_model(RunConfig, tomllib.loads(run.config_toml), "config.toml")
        from rutsim.data import load_panel

        panel = load_panel(cfg.data)
    except (RutsimError, OSError, tomllib.TOMLDecodeError):
        return None
    labels = [str(q) for q in panel.index]
    last = run.manifest.as_of
    if last not in labels:
        return None
    end = labels.index(last) + 1
    rows = panel.iloc[max(0, end - quarters - 1) : end]
    series = {
        variable: rows[column].to_numpy(np.float64)
        for variable, column in cfg.data.driver_columns().items()
        if column in rows.columns
    }
    if "rut_tr_end" in rows.columns:
        index = rows["rut_tr_end"].to_numpy(np.float64)
        if np.isfinite(index[-1]) and index[-1] > 0:
            series["index"] = 100.0 * index / index[-1]
    return History(
        quarters=[str(q) for q in rows.index],
        series=series,
        slope_label=_SLOPE_LABELS.get(cfg.data.slope, cfg.data.slope),
        spread_label=_SPREAD_LABELS.get(cfg.data.spread, cfg.data.spread),
    )
