"""The sections of a run's saved ``config.toml`` that reading and reporting it need.

Read from the run folder's own copy of the resolved config (never from the config file
that made it, which may have changed since), each validated like the file it came from.
"""

from __future__ import annotations

import tomllib

from rutsim.config import FrozenModel, OutputConfig, PortfolioConfig, validate_model
from rutsim.errors import RunOutputError
from rutsim.runs._read import RunData


def saved_section[S: FrozenModel](run: RunData, key: str, model: type[S]) -> S:
    """Return one section of the run's saved ``config.toml`` (defaults if absent)."""
    if not run.config_toml:
        return model()
    source = str(run.folder / "config.toml") if run.folder else "config.toml"
    try:
        section = tomllib.loads(run.config_toml).get(key, {})
    except tomllib.TOMLDecodeError as exc:
        raise RunOutputError(f"{source}: not valid TOML ({exc}). To fix: rerun the run.") from None
    return validate_model(model, section, f"{source} [{key}]")


def output_config(run: RunData) -> OutputConfig:
    """Return the ``[outputs]`` section of the run's saved ``config.toml`` (defaults if absent)."""
    return saved_section(run, "outputs", OutputConfig)


def portfolio_config(run: RunData) -> PortfolioConfig:
    """Return the ``[portfolio]`` section of the run's saved ``config.toml``."""
    return saved_section(run, "portfolio", PortfolioConfig)
