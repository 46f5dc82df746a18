"""``[outputs]`` section of a run config (owned by the report layer)."""

from __future__ import annotations

from pathlib import Path

from rutsim.config._base import FrozenModel


class OutputConfig(FrozenModel):
    """Where runs and fitted models go and which report artefacts to produce."""

    dir: Path = Path("outputs")
    models_dir: Path = Path("models")
    run_name: str | None = None
    figures: bool = True
    report: bool = True
