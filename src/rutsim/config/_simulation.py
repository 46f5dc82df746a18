"""``[simulation]`` and ``[scenarios]`` sections of a run config (owned by the simulation layer)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from rutsim.config._base import FrozenModel

#: Longest horizon in quarters (50 years): the model is fitted on about 40 years of
#: history, and quarter labels must stay within the calendar pandas can represent.
MAX_HORIZON = 200
#: A scenario name: the stem of a file in the scenario folder, never a path.
SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]{0,63}")


def check_seed(value: int, key: str) -> int:
    """Return ``value`` if it is a 32-bit seed, else raise naming ``key`` and the range."""
    if not 0 <= value < 2**32:
        raise ValueError(
            f"must be in 0 .. 4294967295 (a 32-bit seed), got {value}. To fix: set {key} "
            "to a smaller non-negative whole number"
        )
    return value


class SimulationConfig(FrozenModel):
    """Sizes, seed and precision of the Monte Carlo simulation.

    Attributes
    ----------
    paths_per_draw : simulated paths per posterior draw (>= 1).
    horizon : quarters simulated after the last observed quarter (>= 1).
    seed : root of every PRNG key (with the scenario name and the posterior sample index).
    dtype : "float32" (default, fast) or "float64" (turns on ``jax_enable_x64`` for the
        whole process when a run starts; see ``rutsim.simulate``).
    max_draws : posterior draws used at most; more are thinned evenly across chains.
    chunk_size : posterior draws simulated per chunk (memory is bounded per chunk).
    keep_paths : full paths kept per draw in ``simulation.nc`` (the rest is reduced).
    chunk_path_steps : cap on scenario x draw x path x quarter per chunk; the driver lowers
        the chunk size below ``chunk_size`` when needed to stay under it.
    workers : chunks simulated concurrently in threads (about one CPU core each); memory
        grows with it (about ``workers`` chunks at a time). Results never depend on it.
    executor : "local" (threads in this process, ``workers`` of them) or "dask" (chunks
        of draws as tasks on the Dask cluster of the ``[dask]`` section; needs
        ``pip install rutsim[scale]``). Results are bit-identical either way.
    antithetic : paths come in antithetic pairs: path ``p + ceil(P / 2)`` takes path
        ``p``'s normal shocks negated (and the same Student-t mixing weights). Each path is
        still an exact draw of the model; half the random numbers are drawn, and metrics
        near the centre (median, mean, P(loss)) lose most of their Monte Carlo noise.
    stratify_horizons : quarters (at most two) whose cumulative return the paths are
        stratified along: each path's shocks are moved, exactly in law, so that the
        direction that drives the return at those horizons is covered evenly
        (``rutsim.simulate._strata``). VaR, CVaR, quantiles and P(loss) at those horizons
        lose most of their Monte Carlo noise; metrics keep equal path weights. Quarters
        beyond ``horizon`` are left out (a backtest's shorter horizon keeps the rest).
        ``[]`` simulates plain paths, bit-identical to versions before stratification.
    """

    paths_per_draw: int = Field(default=200, le=10_000_000)
    horizon: int = Field(default=12, le=MAX_HORIZON)
    seed: int = 7
    dtype: Literal["float32", "float64"] = "float32"
    max_draws: int = Field(default=1000, le=1_000_000)
    chunk_size: int = Field(default=250, le=1_000_000)
    keep_paths: int = Field(default=10, le=100_000)
    chunk_path_steps: int = Field(default=4_000_000, le=2**31 - 1)
    workers: int = Field(default=2, le=256)
    executor: Literal["local", "dask"] = "local"
    antithetic: bool = True
    stratify_horizons: tuple[int, ...] = (4, 12)

    @field_validator(
        "paths_per_draw", "horizon", "max_draws", "chunk_size", "chunk_path_steps", "workers"
    )
    @classmethod
    def _at_least_one(cls, value: int, info: ValidationInfo) -> int:
        if value < 1:
            raise ValueError(
                f"must be at least 1, got {value}. To fix: set simulation.{info.field_name} "
                "to a positive whole number (e.g. horizon = 12, paths_per_draw = 100)"
            )
        return value

    @field_validator("keep_paths")
    @classmethod
    def _not_negative(cls, value: int, info: ValidationInfo) -> int:
        if value < 0:
            raise ValueError(
                f"must be 0 or more, got {value}. To fix: set simulation.{info.field_name} "
                "to a non-negative whole number"
            )
        return value

    @field_validator("stratify_horizons")
    @classmethod
    def _strata(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if len(value) > 2 or len(set(value)) != len(value) or not all(1 <= q for q in value):
            raise ValueError(
                f"is {list(value)}: give at most 2 distinct quarters, each at least 1. To fix: "
                "e.g. stratify_horizons = [4, 12], or [] for plain paths"
            )
        return value

    @property
    def strata(self) -> tuple[int, ...]:
        """The stratified horizons within ``horizon`` (what the kernel is given)."""
        return tuple(q for q in self.stratify_horizons if q <= self.horizon)

    @field_validator("seed")
    @classmethod
    def _seed_range(cls, value: int) -> int:
        return check_seed(value, "simulation.seed")


class ScenarioSelection(FrozenModel):
    """Which scenario files to run and optional weight overrides.

    Attributes
    ----------
    dir : folder of scenario files (``<dir>/<name>.toml``).
    names : scenarios to simulate, in order (each at most once).
    weights : blend-weight overrides by scenario name (non-negative); the weights of the
        selected scenarios are renormalised to sum to 1 (see ``rutsim.scenario``).
    priced_in_strip : optional CSV of a fed funds futures or OIS strip (``month,rate``):
        the fed funds path markets price in at the data end, instead of the estimate from
        Treasury yields (``rutsim.data.strip_path``). It changes what the simulation
        reads as a policy surprise, not the fit.
    """

    dir: Path = Path("scenarios")
    names: tuple[str, ...] = ("base", "delayed_pivot", "aggressive_easing", "recession_easing")
    weights: dict[str, float] = {}
    priced_in_strip: Path | None = None

    @field_validator("names")
    @classmethod
    def _plain_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if not SCENARIO_NAME.fullmatch(name):
                raise ValueError(
                    f"{name!r} is not a scenario name (lower-case letters, digits, '_' and "
                    "'-'; the stem of a file in scenarios.dir, never a path). To fix: put "
                    "the file in scenarios.dir (or point scenarios.dir at its folder) and "
                    'name it by its stem, e.g. names = ["base"]'
                )
        return value

    @field_validator("weights")
    @classmethod
    def _weights_non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: w for k, w in value.items() if not 0 <= w < float("inf")}
        if bad:
            raise ValueError(
                f"weights must be finite and non-negative, got {bad}. To fix: give each "
                "scenario a weight of 0 or more"
            )
        return value
