"""The run manifest (``manifest.json``): one frozen type for the writer and the reader."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import Field

from rutsim.config import FrozenModel
from rutsim.errors import ConfigError

#: File names inside a run folder (Contract 4 in docs/architecture.md).
SIMULATION_FILE = "simulation.nc"
#: The kept paths of a large run, streamed chunk by chunk (Zarr format 2, consolidated).
SIMULATION_ZARR = "simulation.zarr"
DRAW_METRICS_FILE = "draw_metrics.nc"
CONFIG_FILE = "config.toml"
MANIFEST_FILE = "manifest.json"
DRIVERS_FILE = "drivers.csv"
POOLED_FILE = "pooled.nc"

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_folder_name(name: str, option: str = "--name") -> str:
    """Return ``name`` if it is a safe folder name, else raise a ConfigError naming the fix."""
    if not _SAFE_NAME.fullmatch(name):
        raise ConfigError(
            f"{option} {name!r} is not a safe folder name. To fix: use letters, digits, '.', "
            "'_' and '-' only (starting with a letter or digit), e.g. --name base-2025q3."
        )
    return name


def utc_stamp(now: dt.datetime | None = None) -> str:
    """``YYYYmmddTHHMMSSZ`` of ``now`` (default: the current UTC time)."""
    return f"{now or dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}Z"


def make_run_id(config_hash: str, name: str | None, now: dt.datetime | None = None) -> str:
    """``name`` if given, else ``<UTC timestamp>-<config hash[:8]>``; checked as a folder name."""
    if name is None:
        return f"{utc_stamp(now)}-{config_hash[:8]}"
    return check_folder_name(name)


class ScenarioEntry(FrozenModel):
    """One scenario of a run: its blend weight and where it came from."""

    name: str
    weight: float | None = None
    description: str = ""
    file: str | None = None


class RunSizes(FrozenModel):
    """The shape of a run's simulation."""

    scenarios: int = Field(ge=1)
    samples: int = Field(ge=1)
    paths_per_draw: int = Field(ge=1)
    kept_paths: int = Field(ge=0)
    horizon: int = Field(ge=1)
    chunk_size: int = Field(ge=1)
    dtype: str


class RunManifest(FrozenModel):
    """``manifest.json`` of a run folder: ids, hashes, seed, versions, sizes, scenarios.

    Written by :func:`rutsim.runs.write_run` and checked by :func:`rutsim.runs.load_run`
    (unknown keys are refused, so a folder of another format fails loudly).
    """

    run_id: str
    created_utc: str
    config_hash: str
    model_id: str
    #: SHA-256 of the model's posterior draws: two runs of one model id with different
    #: draws (another fit) are told apart by it.
    posterior_hash: str = ""
    model_dir: str
    data_hash: str
    seed: int
    as_of: str
    first_quarter: str
    versions: dict[str, str]
    sizes: RunSizes
    scenarios: tuple[ScenarioEntry, ...] = Field(min_length=1)
    scenario_notes: tuple[str, ...] = ()
    #: ``--set section.key=value`` changes made on the command line (already part of the
    #: resolved config.toml and of config_hash).
    overrides: tuple[str, ...] = ()
    timings_s: dict[str, float] = Field(default_factory=dict)
    #: Where the chunks ran (``simulation.executor``): results are the same either way.
    executor: str = "local"
    #: The fed funds path (%) markets priced in at the data end, one value per quarter
    #: ahead (``rutsim.data.priced_in_path``; flat after its last value). Empty in runs of
    #: model v2, which did not read it.
    priced_in: tuple[float, ...] = ()
    #: SHA-256 of every file the run wrote beside the manifest (path relative to the
    #: folder), checked on every read: a file missing, truncated or changed since is named.
    #: Empty in runs written before this check, which are read unverified.
    files: dict[str, str] = Field(default_factory=dict)
    #: The same for the report files (metrics, summary, figures, report.html), which
    #: ``rutsim report --overwrite`` rebuilds and re-hashes.
    report_files: dict[str, str] = Field(default_factory=dict)

    @property
    def scenario_names(self) -> tuple[str, ...]:
        """Scenario names in run order."""
        return tuple(s.name for s in self.scenarios)
