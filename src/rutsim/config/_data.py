"""``[data]`` section of a run config (owned by the data layer)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from rutsim.config._base import FrozenModel


class UserSeries(FrozenModel):
    """A user's own series (e.g. vendor Russell 2000 EPS or P/E history).

    The model uses it as a direct observation of small-cap earnings (``kind = "eps"``) or
    of the small-cap multiple (``kind = "pe"``).

    Attributes
    ----------
    path : Path
        CSV with a date column (first column, or one named ``date``) and numeric columns.
        Dates may be daily, monthly (``YYYY-MM``) or quarterly (``2025Q3``).
    kind : "eps" or "pe"
        ``eps``: trailing twelve-month earnings per index share (USD, may be negative).
        ``pe``: trailing price/earnings ratio (positive).
    column : str
        The column of the file holding the series.
    """

    path: Path
    kind: Literal["eps", "pe"]
    column: str = Field(min_length=1)


#: Panel columns behind each driver role (architecture contract 1).
FEDFUNDS_COLUMN = "fedfunds_avg"
UNEMPLOYMENT_COLUMN = "unrate"
#: Columns behind the real 10-year yield (nominal 10y minus trailing CPI inflation).
YIELD10_COLUMN, CPI_COLUMN = "ust10y_avg", "cpi"
SLOPE_COLUMNS = {"10y2y": "slope_10y2y", "10y3m": "slope_10y3m"}
SPREAD_COLUMNS = {"baa10y": "spread_baa10y", "hy_oas": "hy_oas", "gz": "gz_spread"}


class DataConfig(FrozenModel):
    """Which panel to fit on and which series play the driver roles.

    Attributes
    ----------
    panel : "embedded" or a path to a dataset folder (or its ``panel_quarterly.csv``)
        written by ``rutsim data build``.
    start, end : first and last quarter of the estimation sample, e.g. "1988Q1".
    slope : which curve slope is the slope driver.
    spread : which credit spread is the spread driver.
    user_series : the user's own small-cap EPS or P/E series (at most one of each kind);
        they appear in the panel as columns ``user_eps`` / ``user_pe``.
    eps_lag : quarters by which S&P 500 EPS is lagged for its publication delay: with 1
        (default) the large-cap P/E of quarter t divides the price at the end of t by the
        trailing EPS through t-1, the last figure public when t ends (quarter-t EPS comes
        out weeks later). 0 uses same-quarter EPS, which was not known at the time.
    eps_smoothing : quarters of EPS averaged into the large-cap earnings base (a multiple
        of 4): 12 (default) averages the trailing-4Q sums of the last three years, so a
        recession's earnings collapse does not show up as a valuation spike; 4 is the
        plain trailing P/E.
    inflation_quarters : window of the trailing average CPI inflation (annualised)
        subtracted from the 10-year yield to give the real yield; 12 quarters smooths
        out energy-price spikes that a 4-quarter rate passes straight into the real yield.
    """

    panel: Literal["embedded"] | Path = "embedded"
    start: str = "1988Q1"
    end: str = "2025Q3"
    slope: Literal["10y2y", "10y3m"] = "10y2y"
    spread: Literal["baa10y", "hy_oas", "gz"] = "baa10y"
    user_series: tuple[UserSeries, ...] = ()
    eps_lag: int = Field(default=1, ge=0, le=4)
    eps_smoothing: int = Field(default=12, ge=4, le=40, multiple_of=4)
    inflation_quarters: int = Field(default=12, ge=4, le=40)

    @field_validator("start", "end")
    @classmethod
    def _quarter_label(cls, value: str) -> str:
        if not re.fullmatch(r"\d{4}Q[1-4]", value):
            raise ValueError(f"'{value}' is not a quarter like 1988Q1")
        return value

    def driver_columns(self) -> dict[str, str]:
        """Panel column of each scenario variable, in ``MACRO_VARIABLES`` order."""
        return {
            "fedfunds": FEDFUNDS_COLUMN,
            "slope": SLOPE_COLUMNS[self.slope],
            "spread": SPREAD_COLUMNS[self.spread],
            "unemployment": UNEMPLOYMENT_COLUMN,
        }

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: str, info: ValidationInfo) -> str:
        start = info.data.get("start")
        if start is not None and start > value:
            raise ValueError(
                f"{value} is before data.start {start}. To fix: set data.end to a quarter "
                f"from {start} on (the shipped data end in 2025Q3), or move data.start"
            )
        return value

    @model_validator(mode="after")
    def _checks(self) -> DataConfig:
        kinds = [s.kind for s in self.user_series]
        for kind in ("eps", "pe"):
            if kinds.count(kind) > 1:
                raise ValueError(f"user_series lists kind '{kind}' more than once; keep one")
        return self
