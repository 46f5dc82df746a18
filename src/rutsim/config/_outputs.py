"""``[outputs]`` section of a run config (owned by the report layer)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from rutsim.config._base import FrozenModel


class OutputConfig(FrozenModel):
    """Where runs and fitted models go and which report artefacts to produce.

    Attributes
    ----------
    headline_horizons : tuple of int
        Horizons (quarters) called out in ``summary.json`` and the report's tables; the
        metrics tables always cover every quarter. Horizons beyond the simulated one are
        skipped and the last simulated quarter is always added.
    stream_above_mb : float
        A run whose kept paths exceed this many megabytes (10^6 bytes) writes them to
        ``simulation.zarr`` chunk by chunk as they are simulated (needs
        ``pip install rutsim[scale]``), so they are never all in memory; smaller runs
        write one ``simulation.nc``. 0 streams every run.
    """

    dir: Path = Path("outputs")
    models_dir: Path = Path("models")
    run_name: str | None = None
    figures: bool = True
    report: bool = True
    headline_horizons: tuple[int, ...] = (4, 8, 12)
    stream_above_mb: float = Field(default=1000.0, ge=0)

    @field_validator("headline_horizons")
    @classmethod
    def _positive(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or any(h < 1 for h in value):
            raise ValueError(
                "must be a non-empty list of horizons in quarters, each >= 1 (e.g. [4, 8, 12])"
            )
        if len(set(value)) != len(value):
            repeated = sorted({h for h in value if value.count(h) > 1})
            raise ValueError(
                f"lists horizon {', '.join(map(str, repeated))} more than once. To fix: list "
                "each horizon once (e.g. [4, 8, 12])"
            )
        return value
