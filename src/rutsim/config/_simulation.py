"""``[simulation]`` and ``[scenarios]`` sections of a run config (owned by the simulation layer)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from rutsim.config._base import FrozenModel


class SimulationConfig(FrozenModel):
    """Sizes, seed and precision of the Monte Carlo simulation."""

    paths_per_draw: int = 100
    horizon: int = 12
    seed: int = 7
    dtype: Literal["float32", "float64"] = "float32"
    max_draws: int = 1000
    chunk_size: int = 250
    keep_paths: int = 100


class ScenarioSelection(FrozenModel):
    """Which scenario files to run and optional weight overrides."""

    dir: Path = Path("scenarios")
    names: tuple[str, ...] = ("base", "delayed_pivot", "aggressive_easing")
    weights: dict[str, float] = {}
