"""The whole run in one readable function: config -> model -> scenarios -> simulation -> files.

``rutsim run CONFIG`` and ``rutsim.pipeline.run(config)`` do the same thing::

    config   load and resolve the TOML (relative paths against the project root)
    checks   run folder name free, scenarios valid: before any expensive work
    model    fit_or_load: reuse models/<id>/ when it matches, else fit and save
    arrays   each scenario's paths on the simulated quarters
    simulate chunk by chunk; per-draw metrics over all paths, first paths kept
    write    outputs/<run-id>/ built in a temporary folder, renamed when complete
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from rutsim._io import atomic_dir, package_versions
from rutsim.config import RunConfig, load_run_config
from rutsim.errors import ConfigError, RunOutputError
from rutsim.risk import quantile
from rutsim.simulate import ChunkInfo, ScenarioArrays, SimPaths, SimulationResult

if TYPE_CHECKING:
    from rutsim.model import FittedModel

#: Horizons (quarters) of the printed per-scenario table.
TABLE_HORIZONS: tuple[int, ...] = (4, 8)


class RunResult(NamedTuple):
    """What a run returns (everything is also saved in ``folder``).

    Attributes
    ----------
    run_id : str
    folder : Path
        ``outputs/<run-id>``.
    simulation : xarray.Dataset
        The kept paths (``simulation.nc``).
    draw_metrics : xarray.Dataset
        Per-draw metrics over all paths (``draw_metrics.nc``).
    table : pandas.DataFrame
        The printed per-scenario summary (see :func:`summary_table`).
    manifest : mapping
        ``manifest.json``.
    """

    run_id: str
    folder: Path
    simulation: xr.Dataset
    draw_metrics: xr.Dataset
    table: pd.DataFrame
    manifest: Mapping[str, object]


def project_root(config_path: Path) -> Path:
    """Return the folder a config's relative paths refer to: the parent of ``configs/``."""
    folder = Path(config_path).resolve().parent
    return folder.parent if folder.name == "configs" else folder


def resolve_paths(config: RunConfig, root: Path) -> RunConfig:
    """Make every relative path of the config absolute against ``root``."""

    def fix(path: Path) -> Path:
        return path if path.is_absolute() else (root / path).resolve()

    data = config.data
    if isinstance(data.panel, Path):
        data = data.model_copy(update={"panel": fix(data.panel)})
    return config.model_copy(
        update={
            "data": data,
            "scenarios": config.scenarios.model_copy(update={"dir": fix(config.scenarios.dir)}),
            "outputs": config.outputs.model_copy(
                update={
                    "dir": fix(config.outputs.dir),
                    "models_dir": fix(config.outputs.models_dir),
                }
            ),
        }
    )


def load_config(
    config: RunConfig | Path | str, root: Path | None = None
) -> tuple[RunConfig, RunConfig]:
    """Return the config as written and with every relative path resolved.

    A path loads the TOML and resolves against its project root (the parent of
    ``configs/``); a ``RunConfig`` resolves against ``root`` (default: the current folder).
    Hash the written one (:meth:`RunConfig.config_hash`) so that the same config hashes
    alike in every checkout.
    """
    if isinstance(config, str | Path):
        path = Path(config)
        written = load_run_config(path)
        return written, resolve_paths(written, project_root(path))
    return config, resolve_paths(config, Path(root or Path.cwd()))


def make_run_id(config: RunConfig, name: str | None, now: dt.datetime | None = None) -> str:
    """``name`` if given, else ``<UTC timestamp>-<config hash[:8]>``; checked as a folder name."""
    if name is None:
        now = now or dt.datetime.now(dt.UTC)
        return f"{now:%Y%m%dT%H%M%S}Z-{config.config_hash()[:8]}"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", name):
        raise ConfigError(
            f"run name {name!r} is not a safe folder name. To fix: use letters, digits, "
            "'.', '_' and '-' only (starting with a letter or digit), e.g. --name base-2025q3."
        )
    return name


def summary_table(
    result: SimulationResult, horizons: tuple[int, ...] = TABLE_HORIZONS
) -> pd.DataFrame:
    """Per scenario: median, 5% and 95% of the cumulative total return, probability of loss.

    Computed from the kept paths (the first ``keep_paths`` of every posterior draw, an
    unbiased subsample of the predictive distribution). Returns are cumulative simple
    returns in decimals at each horizon of ``horizons`` that the run reaches (the last
    quarter if it reaches none).

    Returns
    -------
    pandas.DataFrame
        Index ``scenario``; columns ``q<h>_median``, ``q<h>_p05``, ``q<h>_p95``,
        ``q<h>_prob_loss`` for each horizon ``h``.
    """
    hs = [h for h in horizons if h <= result.horizon] or [result.horizon]
    log_ret = result.paths.total_return.astype(np.float64)
    cum = np.expm1(np.cumsum(log_ret, axis=-1))  # (scenario, sample, path, horizon)
    rows = {}
    for s, name in enumerate(result.scenario_names):
        row: dict[str, float] = {}
        for h in hs:
            x = cum[s, :, :, h - 1].ravel()
            if x.size == 0:
                row |= {f"q{h}_{k}": np.nan for k in ("median", "p05", "p95", "prob_loss")}
                continue
            # The risk layer's inverted-CDF quantile, so this table matches metrics.parquet.
            p05, med, p95 = quantile(x, [0.05, 0.5, 0.95])
            row |= {
                f"q{h}_median": med,
                f"q{h}_p05": p05,
                f"q{h}_p95": p95,
                f"q{h}_prob_loss": float(np.mean(x < 0)),
            }
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scenario")


def _reducer(paths: SimPaths, chunk: ChunkInfo) -> dict[str, np.ndarray]:
    from rutsim.risk import draw_metrics

    return draw_metrics(paths)


def run(
    config: RunConfig | Path | str,
    *,
    name: str | None = None,
    progress: bool = True,
    root: Path | None = None,
    echo: Callable[[str], None] | None = print,
) -> RunResult:
    """Run every scenario of a config and write ``outputs/<run-id>/``.

    Parameters
    ----------
    config : RunConfig or path
        A loaded config, or the TOML file (then relative paths resolve against its
        project root: the parent of ``configs/``).
    name : str, optional
        Run id (folder name); default ``<UTC timestamp>-<config hash>``, or
        ``[outputs].run_name``. An existing folder is never overwritten.
    progress : bool
        Show progress displays (sampler, simulation).
    root : Path, optional
        Base of relative paths when ``config`` is a ``RunConfig`` (default: the
        current folder).
    echo : callable, optional
        Where the per-scenario table goes (``print``; None for silence).

    Returns
    -------
    RunResult
    """
    t_start = time.perf_counter()
    written, cfg = load_config(config, root)
    # Hash the config as written (relative paths), so the same config gives the same
    # hash in every checkout; the manifest still records the resolved paths.
    config_hash = written.config_hash()
    sim = cfg.simulation
    if sim.dtype == "float64":
        import jax

        # Process-global: documented in rutsim.simulate._kernel.
        jax.config.update("jax_enable_x64", True)
    run_id = make_run_id(written, name or cfg.outputs.run_name)
    final = cfg.outputs.dir / run_id
    if final.exists():
        raise RunOutputError(
            f"{final} already exists and rutsim never overwrites earlier runs. To fix: "
            "choose another --name, or leave it out for a new timestamped id."
        )

    from rutsim.data import load_panel
    from rutsim.model import fit_or_load
    from rutsim.risk import draw_metrics_dataset
    from rutsim.scenario import anchor_from_panel, horizon_quarters, load_scenarios, scenario_arrays

    scen_set = load_scenarios(cfg.scenarios)  # bad scenarios fail before any fitting
    anchor = anchor_from_panel(load_panel(cfg.data), cfg.data)
    arrays = [
        (
            s.name,
            scenario_arrays(
                s,
                first_quarter=anchor.first_quarter,
                horizon=sim.horizon,
                last_observed=anchor.last_observed,
            ),
        )
        for s in scen_set.scenarios
    ]
    t_model = time.perf_counter()
    fitted = fit_or_load(cfg, progress=progress)
    if echo is not None:
        echo(describe_model(fitted))
    t_sim = time.perf_counter()
    result = _simulate(cfg, fitted, arrays, progress)
    t_write = time.perf_counter()

    quarters = horizon_quarters(anchor.first_quarter, sim.horizon)
    draws_per_chain = int(fitted.posterior["posterior"].sizes.get("draw", 0)) or None
    versions = package_versions()
    provenance = {
        "run_id": run_id,
        "config_json": json.dumps(cfg.to_json_dict(), sort_keys=True),
        "config_hash": config_hash,
        "model_id": fitted.model_id,
        "data_hash": fitted.manifest.data_hash,
        "seed": sim.seed,
        "versions_json": json.dumps(versions, sort_keys=True),
        "as_of": fitted.manifest.as_of,
    }
    from rutsim.results import sample_coords, to_dataset

    dataset = to_dataset(
        result, quarters=quarters, draws_per_chain=draws_per_chain, attrs=provenance
    )
    metrics = draw_metrics_dataset(
        result.metrics,
        coords=sample_coords(result, quarters, draws_per_chain),
        attrs={k: v for k, v in provenance.items() if k != "config_json"},
    )
    timings: dict[str, float] = {}
    manifest: dict[str, object] = {
        "run_id": run_id,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config_hash": config_hash,
        "model_id": fitted.model_id,
        "model_dir": str(fitted.path),
        "data_hash": fitted.manifest.data_hash,
        "seed": sim.seed,
        "as_of": fitted.manifest.as_of,
        "first_quarter": quarters[0],
        "versions": versions,
        "sizes": {
            "scenarios": len(result.scenario_names),
            "samples": int(result.sample_index.size),
            "paths_per_draw": result.n_paths,
            "kept_paths": int(result.paths.total_return.shape[2]),
            "horizon": result.horizon,
            "chunk_size": result.chunk_size,
            "dtype": result.dtype,
        },
        "scenarios": [
            {
                "name": s.name,
                "weight": w,
                "description": s.description,
                "file": str(Path(cfg.scenarios.dir) / f"{s.name}.toml"),
            }
            for s, w in zip(scen_set.scenarios, scen_set.weights, strict=True)
        ],
        "scenario_notes": list(scen_set.notes),
        "timings_s": timings,
    }
    timings.update(
        prepare=round(t_model - t_start, 3),
        model=round(t_sim - t_model, 3),
        simulate=round(t_write - t_sim, 3),
        first_chunk_incl_compile=round(result.timings["first_chunk_s"], 3),
    )
    drivers = central_drivers(dataset, fitted)
    with atomic_dir(final) as tmp:
        from rutsim.report._run_files import write_simulation_files

        timings["prepare_files"] = round(time.perf_counter() - t_write, 3)
        write_simulation_files(tmp, dataset, metrics, cfg, manifest)
        drivers.to_csv(tmp / DRIVERS_CSV, index=False, float_format="%.10g")
        if cfg.outputs.figures or cfg.outputs.report:
            from rutsim.report import write_report_files
            from rutsim.risk import load_run

            write_report_files(
                load_run(tmp), tmp, figures=cfg.outputs.figures, report=cfg.outputs.report
            )
    table = summary_table(result)
    if echo is not None:
        echo(format_table(table, run_id, final))
    return RunResult(run_id, final, dataset, metrics, table, manifest)


#: The per-scenario split of the skeleton return into its drivers, in every run folder.
DRIVERS_CSV = "drivers.csv"


def central_drivers(dataset: xr.Dataset, fitted: FittedModel) -> pd.DataFrame:
    """Split each scenario's central path into valuation, earnings, rates, credit, activity.

    The central macro path of a scenario is the median over samples and kept paths of
    each simulated macro variable; the split is :func:`rutsim.model.decompose`'s.
    """
    from rutsim.model import driver_table
    from rutsim.model._effects import DRIVERS

    central = {}
    for name in dataset["scenario"].values:
        one = dataset.sel(scenario=name)
        central[str(name)] = {
            v: quantile(
                np.asarray(one[v].values, np.float64).reshape(-1, one.sizes["horizon"]), 0.5, axis=0
            )
            for v in DRIVERS
        }
    return driver_table(fitted.params._asdict(), fitted.initial._asdict(), central)


def _simulate(
    cfg: RunConfig,
    fitted: FittedModel,
    arrays: list[tuple[str, ScenarioArrays]],
    progress: bool,
) -> SimulationResult:
    from rich.progress import Progress

    from rutsim.simulate import run_simulation

    with Progress(transient=True, disable=not progress) as bar:
        task = bar.add_task("simulating", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run_simulation(
            cfg.simulation.seed,
            fitted.params,
            fitted.initial,
            arrays,
            cfg.simulation,
            fitted.shocks,
            _reducer,
            progress=update,
        )


def describe_model(fitted: FittedModel) -> str:
    """One line on the model a run uses: id, gate, and which parameters are prior-driven."""
    m = fitted.manifest
    d = m.diagnostics
    gate = "passed" if d.passed else "FAILED (kept with allow_unconverged)"
    prior = ", ".join(m.prior_driven) or "none"
    return (
        f"model {m.model_id} ({fitted.path}): gate {gate}, {d.divergences} divergences, "
        f"max R-hat {d.max_r_hat:.3f}, min ESS {min(d.min_ess_bulk, d.min_ess_tail):.0f}; "
        f"prior-driven, not learned from data: {prior}"
    )


def format_table(table: pd.DataFrame, run_id: str, folder: Path) -> str:
    """Render the per-scenario table as aligned text (percentages)."""
    hs = sorted({int(c.split("_")[0][1:]) for c in table.columns})
    head = f"{'scenario':<22}" + "".join(
        f"{f'{h}q median':>11}{f'{h}q 5%':>9}{f'{h}q 95%':>9}{f'{h}q P(loss)':>12}" for h in hs
    )
    lines = [f"run {run_id} -> {folder}", "cumulative total return (kept paths):", head]
    for name, row in table.iterrows():
        cells = "".join(
            f"{row[f'q{h}_median']:>11.1%}{row[f'q{h}_p05']:>9.1%}{row[f'q{h}_p95']:>9.1%}"
            f"{row[f'q{h}_prob_loss']:>12.1%}"
            for h in hs
        )
        lines.append(f"{str(name):<22}{cells}")
    return "\n".join(lines)
