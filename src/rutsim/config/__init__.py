"""Frozen, validated configuration objects and TOML loading."""

from rutsim.config._backtest import CONDITION_KEYWORDS, BacktestConfig
from rutsim.config._base import FrozenModel, load_toml_model, read_toml, validate_model
from rutsim.config._data import DataConfig
from rutsim.config._model import ModelConfig, SamplerConfig
from rutsim.config._outputs import OutputConfig
from rutsim.config._run import RunConfig, load_run_config
from rutsim.config._simulation import ScenarioSelection, SimulationConfig

__all__ = [
    "CONDITION_KEYWORDS",
    "BacktestConfig",
    "DataConfig",
    "FrozenModel",
    "ModelConfig",
    "OutputConfig",
    "RunConfig",
    "SamplerConfig",
    "ScenarioSelection",
    "SimulationConfig",
    "load_run_config",
    "load_toml_model",
    "read_toml",
    "validate_model",
]
