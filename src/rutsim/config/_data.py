"""``[data]`` section of a run config (owned by the data layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from rutsim.config._base import FrozenModel


class DataConfig(FrozenModel):
    """Which panel to fit on and which series play the driver roles.

    Attributes
    ----------
    panel : "embedded" or a path to a panel CSV written by ``rutsim data build``.
    start, end : first and last quarter of the estimation sample, e.g. "1988Q1".
    slope : which curve slope is the slope driver.
    spread : which credit spread is the spread driver.
    """

    panel: Literal["embedded"] | Path = "embedded"
    start: str = "1988Q1"
    end: str = "2025Q3"
    slope: Literal["10y2y", "10y3m"] = "10y2y"
    spread: Literal["baa10y", "hy_oas", "gz"] = "baa10y"
