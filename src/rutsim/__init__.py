"""rutsim: a Monte Carlo scenario engine for U.S. small-cap equities (Russell 2000).

Everything the command line does is a plain function call::

    import rutsim

    result = rutsim.run("configs/default.toml")      # fit or reuse, simulate, report
    result.table                                     # per-scenario headline table

Everything else (the config schema with pydantic, PyMC, JAX) is imported on first use, so
``import rutsim`` takes milliseconds: the console script installs its stop-signal
handlers before anything heavy is imported (``rutsim._entry``), and the CLI's help stays
fast.
"""

from __future__ import annotations

from rutsim.errors import (
    ConfigError,
    DataError,
    FitDiagnosticsError,
    ModelStoreError,
    RunOutputError,
    RutsimError,
    ScenarioError,
)

# Not `typing.TYPE_CHECKING`: importing typing alone costs 10 ms of start-up.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from rutsim.config import RunConfig, load_run_config
    from rutsim.model import FittedModel
    from rutsim.pipeline import RunResult
    from rutsim.validate import BacktestResult, FomcStudy, StudyResult


def __getattr__(name: str) -> object:
    # Lazy exports (PEP 562): the config schema and the version on first use.
    if name in ("RunConfig", "load_run_config"):
        import rutsim.config

        return getattr(rutsim.config, name)
    if name == "__version__":
        from importlib import metadata

        return metadata.version("rutsim")
    raise AttributeError(f"module 'rutsim' has no attribute {name!r}")


def run(
    config: RunConfig | Path | str,
    *,
    name: str | None = None,
    progress: bool = True,
    overrides: Sequence[str] = (),
    root: Path | None = None,
    echo: Callable[[str], None] | None = print,
) -> RunResult:
    """Run a config end to end: fit or reuse the model, simulate, write the run folder.

    Parameters
    ----------
    config : RunConfig or path
        A loaded config or the path of a TOML run config.
    name : str, optional
        Run id (folder under ``outputs/``); default ``<UTC timestamp>-<config hash>``.
    progress : bool
        Show progress displays (sampler, simulation).
    overrides : sequence of str
        ``KEY=VALUE`` changes to the config, as ``rutsim run --set``.
    root : Path, optional
        Project root for relative paths (default: from the config file's location).
    echo : callable or None
        Receives each status line; None for silence.

    Returns
    -------
    RunResult
        The run folder, the simulated dataset, per-draw metrics and the headline table.
    """
    from pathlib import Path

    from rutsim.pipeline import run as _run

    return _run(
        Path(config) if isinstance(config, str) else config,
        name=name,
        progress=progress,
        overrides=overrides,
        root=root,
        echo=echo,
    )


def fit(
    config: RunConfig | Path | str,
    *,
    refit: bool = False,
    allow_unconverged: bool | None = None,
    progress: bool = True,
) -> FittedModel:
    """Fit the model of a config, or load the matching saved fit from ``models/``.

    Parameters
    ----------
    config : RunConfig or path
        A loaded config or the path of a TOML run config.
    refit : bool
        Fit again even when a matching saved fit exists.
    allow_unconverged : bool, optional
        Keep a fit that fails the diagnostics gate (default: ``[sampler]`` of the config).
    progress : bool
        Show the sampler's progress.

    Returns
    -------
    FittedModel
        The posterior, its hand-off pytree and the manifest.
    """
    from pathlib import Path

    from rutsim.config import load_config, naming_source
    from rutsim.model import fit_or_load

    cfg, _ = load_config(config)
    source = str(config) if isinstance(config, str | Path) else "the run config"
    with naming_source(source):
        return fit_or_load(cfg, refit=refit, allow_unconverged=allow_unconverged, progress=progress)


def backtest(
    config: RunConfig | Path | str,
    *,
    origins: str | None = None,
    every: int | None = None,
    horizons: tuple[int, ...] | None = None,
    condition: tuple[str, ...] | None = None,
    failed_fits: str | None = None,
    workers: int | None = None,
    save_samples: bool | None = None,
    name: str | None = None,
    overrides: Sequence[str] = (),
) -> BacktestResult:
    """Rolling-origin backtest of a config (see :func:`rutsim.validate.backtest`).

    Parameters
    ----------
    config : RunConfig or path
        A loaded config or the path of a TOML run config; ``[backtest]`` gives defaults.
    origins, every, horizons, condition, failed_fits, workers, save_samples
        Override the ``[backtest]`` keys of the same names (None: the config's).
    name : str, optional
        Folder suffix of ``outputs/backtest-<name>/``.
    overrides : sequence of str
        ``KEY=VALUE`` changes to the config, as ``rutsim backtest --set``.

    Returns
    -------
    BacktestResult
        The folder, per-origin scores, the origins table and the summary.
    """
    from pathlib import Path

    from rutsim.validate import backtest as _backtest

    return _backtest(
        Path(config) if isinstance(config, str) else config,
        origins=origins,
        every=every,
        horizons=horizons,
        condition=condition,
        failed_fits=failed_fits,
        workers=workers,
        save_samples=save_samples,
        name=name,
        config_overrides=overrides,
    )


def study_easing(
    config: RunConfig | Path | str, *, replay: bool = True, name: str | None = None
) -> StudyResult:
    """Run the easing-cycle study (see :func:`rutsim.validate.study_easing`).

    Parameters
    ----------
    config : RunConfig or path
        Data, model and sampler of the replay fits.
    replay : bool
        Fit and simulate the model before each cycle (minutes per new fit).
    name : str, optional
        Folder suffix of ``outputs/study-easing-<name>/``.

    Returns
    -------
    StudyResult
    """
    from pathlib import Path

    from rutsim.validate import study_easing as _study

    return _study(Path(config) if isinstance(config, str) else config, replay=replay, name=name)


def study_fomc(
    config: RunConfig | Path | str, *, model: bool = True, name: str | None = None
) -> FomcStudy:
    """Run the FOMC announcement study (see :func:`rutsim.validate.study_fomc`).

    Parameters
    ----------
    config : RunConfig or path
        Where outputs go, and the model whose response to a surprise is shown.
    model : bool
        Fit (or reuse) the config's model and add its response to a 100bp surprise.
    name : str, optional
        Folder suffix of ``outputs/study-fomc-<name>/``.

    Returns
    -------
    FomcStudy
    """
    from pathlib import Path

    from rutsim.validate import study_fomc as _study

    return _study(Path(config) if isinstance(config, str) else config, model=model, name=name)


__all__ = [
    "ConfigError",
    "DataError",
    "FitDiagnosticsError",
    "ModelStoreError",
    "RunConfig",
    "RunOutputError",
    "RutsimError",
    "ScenarioError",
    "__version__",
    "backtest",
    "fit",
    "load_run_config",
    "run",
    "study_easing",
    "study_fomc",
]
