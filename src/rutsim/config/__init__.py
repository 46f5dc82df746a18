"""Frozen, validated configuration objects and TOML loading."""

from rutsim.config._backtest import CONDITION_KEYWORDS, BacktestConfig
from rutsim.config._base import (
    MAX_TOML_BYTES,
    FrozenModel,
    load_toml_model,
    naming_source,
    parse_toml,
    read_toml,
    validate_model,
)
from rutsim.config._dask import DaskConfig
from rutsim.config._data import CPI_COLUMN, YIELD10_COLUMN, DataConfig, UserSeries
from rutsim.config._model import ModelConfig, PriorSpec, SamplerConfig
from rutsim.config._outputs import OutputConfig
from rutsim.config._overrides import apply_overrides, parse_override
from rutsim.config._portfolio import MONTHS_PER_STEP, PortfolioConfig
from rutsim.config._registry import PARAMETER_NAMES, REGISTRY, Param, names_in, names_with
from rutsim.config._resolve import (
    LoadedConfig,
    config_root,
    load_config,
    portable_path,
    portable_paths,
    project_root,
    resolve_paths,
)
from rutsim.config._run import RunConfig, load_run_config
from rutsim.config._simulation import MAX_HORIZON, ScenarioSelection, SimulationConfig

__all__ = [
    "CPI_COLUMN",
    "MAX_HORIZON",
    "MAX_TOML_BYTES",
    "PARAMETER_NAMES",
    "REGISTRY",
    "YIELD10_COLUMN",
    "Param",
    "PriorSpec",
    "UserSeries",
    "names_in",
    "names_with",
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
    "LoadedConfig",
    "load_config",
    "apply_overrides",
    "parse_override",
    "load_run_config",
    "project_root",
    "resolve_paths",
    "portable_path",
    "config_root",
    "portable_paths",
    "load_toml_model",
    "naming_source",
    "parse_toml",
    "read_toml",
    "validate_model",
]
