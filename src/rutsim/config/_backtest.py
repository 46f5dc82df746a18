"""``[backtest]`` section of a run config (owned by the validation layer)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from rutsim.config._base import FrozenModel
from rutsim.config._simulation import MAX_HORIZON

#: Conditioning modes that are not a list of variables.
CONDITION_KEYWORDS: tuple[str, ...] = ("realized", "none")
_ORIGINS = re.compile(r"^\d{4}Q[1-4](:\d{4}Q[1-4])?(,\d{4}Q[1-4](:\d{4}Q[1-4])?)*$")


class BacktestConfig(FrozenModel):
    """Rolling-origin backtest: where forecasts start, what is scored, what is conditioned on.

    Attributes
    ----------
    origins : str
        Forecast origins (the last quarter the model may see): a range ``"1998Q4:2024Q4"``
        stepped by ``every``, single quarters, or a comma-separated mix.
    every : int
        Quarters between origins inside a range.
    horizons : tuple of int
        Quarters after the origin at which the realized return is scored.
    condition : tuple of str
        What each forecast is told about the future: ``"realized"`` (every macro variable
        of the model pinned to what happened), ``"none"`` (unconditional), or variables
        joined by ``+`` or ``,`` (``"fedfunds"``, ``"fedfunds+spread"``) pinned to what
        happened with the rest simulated conditionally.
    failed_fits : "flag" or "exclude"
        An origin whose fit fails the diagnostics gate is scored with a visible flag, or
        left out of the aggregates (it is listed in the results either way).
    min_history : int
        Quarters of data from ``data.start`` through an origin that a fit needs at least.
    baseline_samples : int
        Draws of each baseline forecast distribution.
    workers : int
        Origins fitted and simulated at once, each in its own process.
    save_samples : bool
        Also write every forecaster's draws (cumulative log price returns) and the realized
        values to ``forecasts/<origin>.npz``, to rescore the forecasts with other tools.
    """

    origins: str = "1998Q4:2024Q4"
    every: int = 4
    horizons: tuple[int, ...] = (1, 2, 4, 8)
    condition: tuple[str, ...] = ("realized", "fedfunds+unemployment", "fedfunds", "none")
    failed_fits: Literal["flag", "exclude"] = "flag"
    min_history: int = 24
    baseline_samples: int = 20_000
    workers: int = Field(default=1, le=256)
    save_samples: bool = False

    @field_validator("origins")
    @classmethod
    def _origins_form(cls, value: str) -> str:
        value = value.replace(" ", "")
        if not _ORIGINS.fullmatch(value):
            raise ValueError(
                f"'{value}' is not a list of quarters. To fix: write e.g. "
                "'1998Q4:2024Q4' (a range stepped by 'every') or '2007Q2,2019Q2'"
            )
        return value

    @field_validator("every", "min_history", "baseline_samples", "workers")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be at least 1, got {value}. To fix: give a positive number")
        return value

    @field_validator("horizons")
    @classmethod
    def _horizons(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if (
            not value
            or any(not 1 <= h <= MAX_HORIZON for h in value)
            or len(set(value)) != len(value)
        ):
            raise ValueError(
                f"must be distinct horizons in quarters, each 1..{MAX_HORIZON}, got "
                f"{list(value)}. To fix: e.g. horizons = [1, 2, 4, 8]"
            )
        return tuple(sorted(value))

    @field_validator("condition")
    @classmethod
    def _condition(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("must list at least one mode. To fix: e.g. ['realized', 'none']")
        if len(set(value)) != len(value):
            raise ValueError(f"lists a mode twice: {list(value)}. To fix: list each once")
        for mode in value:
            parts = [p for p in mode.replace(",", "+").split("+") if p]
            if len(set(parts)) != len(parts):
                raise ValueError(
                    f"mode '{mode}' names a variable twice. To fix: name each once, e.g. "
                    "'fedfunds+spread'"
                )
        return value
