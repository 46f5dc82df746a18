"""The run config: one frozen object composing every section, loaded from TOML."""

from __future__ import annotations

from pathlib import Path

from rutsim.config._backtest import BacktestConfig
from rutsim.config._base import FrozenModel, read_toml, validate_model
from rutsim.config._data import DataConfig
from rutsim.config._model import ModelConfig, SamplerConfig
from rutsim.config._outputs import OutputConfig
from rutsim.config._simulation import ScenarioSelection, SimulationConfig
from rutsim.fileio import sha256_json


class RunConfig(FrozenModel):
    """Everything one ``rutsim run`` needs; every section has defaults.

    Relative paths in a config (scenario folder, outputs, models, data files) refer to
    the project root: the parent of ``configs/`` for a config stored there, otherwise the
    config file's own folder (see :func:`rutsim.config.project_root`).
    """

    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    sampler: SamplerConfig = SamplerConfig()
    simulation: SimulationConfig = SimulationConfig()
    scenarios: ScenarioSelection = ScenarioSelection()
    outputs: OutputConfig = OutputConfig()
    backtest: BacktestConfig = BacktestConfig()

    def to_json_dict(self) -> dict[str, object]:
        """Return the resolved config as JSON-compatible data (for manifests and hashes)."""
        return self.model_dump(mode="json")

    def config_hash(self) -> str:
        """SHA-256 of the resolved config's canonical JSON."""
        return sha256_json(self.to_json_dict())


def load_run_config(path: Path) -> RunConfig:
    """Load and validate a run config TOML file.

    Parameters
    ----------
    path : Path
        The TOML file, e.g. ``configs/default.toml``.

    Returns
    -------
    RunConfig
        The frozen config. Errors name the file and the offending key.
    """
    path = Path(path)
    return validate_model(RunConfig, read_toml(path), str(path))
