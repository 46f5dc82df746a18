"""Where a scenario path starts: the last observed quarter of the data panel."""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from rutsim.config import DataConfig
from rutsim.data import PATH_QUARTERS, priced_in_path, strip_path
from rutsim.errors import DataError

__all__ = ["Anchor", "anchor_from_panel"]


class Anchor(NamedTuple):
    """The quarter a simulation starts from and the macro values observed just before.

    Attributes
    ----------
    first_quarter : pandas.Period
        First simulated quarter (the quarter after ``data.end``).
    last_observed : dict of str to float
        ``fedfunds``, ``slope``, ``spread`` in the last observed quarter (%, pp, pp).
    priced_in : tuple of float
        The fed funds path (%) markets priced in at the end of the last observed quarter,
        one value per quarter ahead (``rutsim.data.priced_in_path``; flat after the last).
    """

    first_quarter: pd.Period
    last_observed: dict[str, float]
    priced_in: tuple[float, ...] = ()


def anchor_from_panel(panel: pd.DataFrame, data: DataConfig, strip: Path | None = None) -> Anchor:
    """Read the last observed macro values from the quarterly panel.

    Parameters
    ----------
    panel : pandas.DataFrame
        The panel of ``rutsim.data.load_panel`` (quarterly ``PeriodIndex``).
    data : DataConfig
        Gives the last quarter (``end``) and which slope and spread series drive the model.
    strip : Path, optional
        A fed funds futures or OIS strip (``[scenarios] priced_in_strip``) for the
        priced-in path, instead of the estimate from Treasury yields.

    Returns
    -------
    Anchor

    Raises
    ------
    DataError
        If the panel lacks the quarter or a value in it.
    """
    last = pd.Period(data.end, freq="Q")
    columns = data.driver_columns()
    if last not in panel.index:
        raise DataError(
            f"the data panel has no row for {last} (key 'data.end'); it covers "
            f"{panel.index.min()}..{panel.index.max()}. To fix: set data.end to a quarter "
            "the panel covers."
        )
    observed = {}
    for variable, column in columns.items():
        value = float(panel.at[last, column]) if column in panel.columns else math.nan
        if not math.isfinite(value):
            raise DataError(
                f"the data panel has no '{column}' value for {last}, the last observed "
                f"quarter (key 'data.end'), so scenario paths cannot start there. To fix: "
                "set data.end to the last quarter with data, or rebuild the panel."
            )
        observed[variable] = value
    if strip is not None:
        path = strip_path(strip, last, PATH_QUARTERS)
    else:
        path = priced_in_path(panel, last, PATH_QUARTERS)
    return Anchor(
        first_quarter=last + 1, last_observed=observed, priced_in=tuple(float(v) for v in path)
    )
