"""The run config: one frozen object composing every section, loaded from TOML."""

from __future__ import annotations

from pathlib import Path

from pydantic import model_validator

from rutsim.config._backtest import BacktestConfig
from rutsim.config._base import FrozenModel, read_toml, validate_model
from rutsim.config._dask import DaskConfig
from rutsim.config._data import DataConfig
from rutsim.config._model import ModelConfig, SamplerConfig
from rutsim.config._outputs import OutputConfig
from rutsim.config._portfolio import PortfolioConfig
from rutsim.config._simulation import ScenarioSelection, SimulationConfig
from rutsim.files import sha256_json


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
    portfolio: PortfolioConfig = PortfolioConfig()
    backtest: BacktestConfig = BacktestConfig()
    dask: DaskConfig = DaskConfig()

    @model_validator(mode="after")
    def _anchors_in_sample(self) -> RunConfig:
        anchors = self.model.anchors
        quarter = anchors.trailing_pe_quarter
        if anchors.enabled and not self.data.start <= quarter <= self.data.end:
            raise ValueError(
                f"model.anchors are dated {quarter} (trailing_pe_quarter), outside the "
                f"sample data.start .. data.end = {self.data.start} .. {self.data.end}, so "
                "the model could not use them. To fix: set [model.anchors] enabled = false "
                "(the fit then rests on the data alone), or date the anchors inside the "
                "sample"
            )
        return self

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
