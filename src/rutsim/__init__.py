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


def run(config: RunConfig | Path | str, **kwargs: object) -> RunResult:
    """Run a config end to end: fit or reuse the model, simulate, write the run folder.

    Parameters
    ----------
    config : RunConfig or path
        A loaded config or the path of a TOML run config.
    **kwargs
        Passed to :func:`rutsim.pipeline.run` (``name``, ``progress``, ...).

    Returns
    -------
    RunResult
        The run folder, the simulated dataset, per-draw metrics and the headline table.
    """
    from pathlib import Path

    from rutsim.pipeline import run as _run

    return _run(Path(config) if isinstance(config, str) else config, **kwargs)  # type: ignore[arg-type]


def fit(config: RunConfig | Path | str, **kwargs: object) -> FittedModel:
    """Fit the model of a config, or load the matching saved fit from ``models/``.

    Parameters
    ----------
    config : RunConfig or path
        A loaded config or the path of a TOML run config.
    **kwargs
        Passed to :func:`rutsim.model.fit_or_load` (``refit``, ``allow_unconverged``, ...).

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
        return fit_or_load(cfg, **kwargs)  # type: ignore[arg-type]


def backtest(config: RunConfig | Path | str, **kwargs: object) -> BacktestResult:
    """Rolling-origin backtest of a config (see :func:`rutsim.validate.backtest`).

    Parameters
    ----------
    config : RunConfig or path
        A loaded config or the path of a TOML run config; ``[backtest]`` gives defaults.
    **kwargs
        Passed to :func:`rutsim.validate.backtest` (``origins``, ``condition``, ...).

    Returns
    -------
    BacktestResult
        The folder, per-origin scores, the origins table and the summary.
    """
    from pathlib import Path

    from rutsim.validate import backtest as _backtest

    return _backtest(Path(config) if isinstance(config, str) else config, **kwargs)  # type: ignore[arg-type]


def study_easing(config: RunConfig | Path | str, **kwargs: object) -> StudyResult:
    """Run the easing-cycle study (see :func:`rutsim.validate.study_easing`).

    Parameters
    ----------
    config : RunConfig or path
        Data, model and sampler of the replay fits.
    **kwargs
        Passed to :func:`rutsim.validate.study_easing` (``replay``, ``name``, ...).

    Returns
    -------
    StudyResult
    """
    from pathlib import Path

    from rutsim.validate import study_easing as _study

    return _study(Path(config) if isinstance(config, str) else config, **kwargs)  # type: ignore[arg-type]


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
