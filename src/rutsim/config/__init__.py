"""Frozen, validated configuration objects and TOML loading."""

from rutsim.config._backtest import CONDITION_KEYWORDS, BacktestConfig
from rutsim.config._base import (
    MAX_TOML_BYTES,
    FrozenModel,
    naming_source,
    parse_toml,
    read_toml,
    validate_model,
)
from rutsim.config._dask import DaskConfig
from rutsim.config._data import CPI_COLUMN, YIELD10_COLUMN, DataConfig, UserSeries
from rutsim.config._model import ModelConfig, PriorSpec, SamplerConfig
from rutsim.config._outputs import OutputConfig
from rutsim.config._portfolio import MONTHS_PER_STEP, PortfolioConfig
from rutsim.config._registry import PARAMETER_NAMES, REGISTRY, names_in
from rutsim.config._resolve import config_root, load_config, portable_path, portable_paths
from rutsim.config._run import RunConfig, load_run_config
from rutsim.config._simulation import ScenarioSelection, SimulationConfig

__all__ = [
    "CPI_COLUMN",
    "MAX_TOML_BYTES",
    "PARAMETER_NAMES",
    "REGISTRY",
    "YIELD10_COLUMN",
    "PriorSpec",
    "UserSeries",
    "names_in",
    "CONDITION_KEYWORDS",
    "BacktestConfig",
    "DaskConfig",
    "DataConfig",
    "FrozenModel",
    "ModelConfig",
    "OutputConfig",
    "PortfolioConfig",
    "MONTHS_PER_STEP",
    "RunConfig",
    "SamplerConfig",
    "ScenarioSelection",
    "SimulationConfig",
    "load_config",
    "load_run_config",
    "portable_path",
    "config_root",
    "portable_paths",
    "naming_source",
    "parse_toml",
    "read_toml",
    "validate_model",
]
