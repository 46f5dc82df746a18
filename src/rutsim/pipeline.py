"""The whole run on one page: config -> model -> scenarios -> simulation -> run folder.

``rutsim run CONFIG`` and ``rutsim.pipeline.run(config)`` do the same thing::

    config   load and resolve the TOML (relative paths against the project root)
    reserve  claim the run id (a lock beside the folder) so no other process takes it;
             clear stale leftovers, check the output folder is writable
    prepare  everything that needs no model: scenarios loaded, their quarterly arrays
             built and plausible, memory / disk / time within the machine
    model    fit_or_load: reuse models/<id>/ when it matches, else fit and save
    simulate chunk by chunk; per-draw metrics over all paths, first paths kept
    write    outputs/<run-id>/ built in a temporary folder, renamed when complete
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np
import pandas as pd
import xarray as xr
from rich.progress import Progress, TimeElapsedColumn

from rutsim import signals
from rutsim.cluster import Runner, dask_client, dask_runner, import_distributed, thread_runner
from rutsim.config import (
    DaskConfig,
    RunConfig,
    config_root,
    load_config,
    naming_source,
    portable_path,
    portable_paths,
)
from rutsim.data import load_panel
from rutsim.files import atomic_dir, package_versions
from rutsim.model import DRIVERS, FittedModel, driver_table, fit_or_load
from rutsim.report import (
    describe_model,
    figure_helper,
    format_headline,
    format_position,
    headline_table,
    write_report_files,
)
from rutsim.risk import BLEND, BLEND_WEIGHTS_ATTR, bin_paths, quantile
from rutsim.risk.draw_reducer import DrawReducer
from rutsim.runs import (
    FIRST_CHUNK,
    SIMULATE_RATE,
    SIMULATION_ZARR,
    RunManifest,
    RunSizes,
    ScenarioEntry,
    ZarrPathWriter,
    add_derived,
    cache_dir,
    check_budget,
    check_zarr_available,
    draw_metrics_dataset,
    estimate_budget,
    make_run_id,
    open_simulation_zarr,
    pooled_dataset,
    remember,
    reserve_folder,
    sample_coords,
    simulation_dataset,
    write_run,
    written_run,
)
from rutsim.scenario import (
    Anchor,
    ScenarioSet,
    anchor_from_panel,
    check_plausible,
    horizon_quarters,
    load_scenarios,
    scenario_arrays,
)
from rutsim.simulate import (
    plan_chunks,
    run_simulation,
    use_compilation_cache,
    use_precision,
)
from rutsim.status import announce, shown
from rutsim.types import ScenarioArrays, SimulationResult


class FitFunction(Protocol):
    """What :func:`run` calls to get a model: :func:`rutsim.model.fit_or_load` or a stand-in."""

    def __call__(self, config: RunConfig, *, progress: bool = ...) -> FittedModel:
        """Return the fitted (or loaded) model of ``config``."""
        ...


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
        The printed headline table (:func:`rutsim.report.headline_table`): pooled
        median, 5% / 95% quantiles, P(loss) and VaR 95 per horizon and scenario (and
        the blend).
    manifest : RunManifest
        ``manifest.json``.
    """

    run_id: str
    folder: Path
    simulation: xr.Dataset
    draw_metrics: xr.Dataset
    table: pd.DataFrame
    manifest: RunManifest


def run(
    config: RunConfig | Path | str,
    *,
    name: str | None = None,
    progress: bool = True,
    root: Path | None = None,
    echo: Callable[[str], None] | None = print,
    fit: FitFunction | None = None,
    overrides: Sequence[str] = (),
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
        Where the model line and the headline table go (``print``; None for silence).
        Phase announcements go to :func:`rutsim.status.reporting`'s sink.
    fit : callable, optional
        Returns the model of a config; default :func:`rutsim.model.fit_or_load`. Tests and
        the backtest pass their own (a stand-in model, a real-time panel).
    overrides : sequence of str
        ``section.key=value`` changes to the config (``rutsim run --set``), validated like
        the file and recorded in the resolved config, its hash and the manifest.

    Returns
    -------
    RunResult
    """
    say = echo or (lambda _: None)
    t_start = time.perf_counter()
    cfg, config_hash = load_config(config, root, overrides)
    # What the run folder records: paths relative to the project, none of this machine's.
    project = config_root(config, root)
    saved = portable_paths(cfg, project)
    source = str(config) if isinstance(config, str | Path) else "the run config"
    use_precision(cfg.simulation.dtype)
    use_compilation_cache(cache_dir() / "jax")
    chosen = name if name is not None else cfg.outputs.run_name
    base = make_run_id(config_hash, chosen)
    # The reservation clears stale leftovers and checks that outputs.dir is writable.
    with reserve_folder(cfg.outputs.dir, base, explicit=chosen is not None) as final:
        announce(f"loading data and scenarios ({', '.join(cfg.scenarios.names)})")
        with naming_source(source):
            prepared = prepare(cfg, source, say)
        t_model = time.perf_counter()
        run_id = final.name
        quarters = horizon_quarters(prepared.anchor.first_quarter, cfg.simulation.horizon)
        versions = package_versions()
        # The cluster is joined (or started) before the fit, so an unreachable scheduler
        # fails at once rather than after minutes of sampling; it is let go after the
        # simulation, before the metrics and the report.
        with contextlib.ExitStack() as cluster, atomic_dir(final) as tmp:
            runner = cluster.enter_context(_executor(cfg))
            with naming_source(source):
                fitted = (fit or fit_or_load)(cfg, progress=progress)
            signals.check()
            say(describe_model(fitted))
            t_sim = time.perf_counter()
            provenance = _provenance(saved, fitted, run_id, config_hash, versions)
            sink = _zarr_writer(tmp, cfg, fitted, prepared, quarters, provenance)
            result = _simulate(cfg, fitted, prepared, progress, runner, sink)
            cluster.close()
            t_write = time.perf_counter()
            announce("computing the metrics over every path and the drivers of each scenario")
            simulation, metrics, pooled = _datasets(
                result, quarters, fitted, cfg, provenance, prepared, tmp if sink else None
            )
            drivers = central_drivers(simulation, fitted, prepared)
            timings = {
                "prepare": t_model - t_start,
                "model": t_sim - t_model,
                "simulate": t_write - t_sim,
                "first_chunk_incl_compile": result.timings["first_chunk_s"],
                "prepare_files": time.perf_counter() - t_write,
            }
            manifest = _manifest(
                run_id, config_hash, saved, fitted, result, quarters, prepared, versions, timings
            )
            manifest = manifest.model_copy(
                update={
                    "overrides": tuple(overrides),
                    "model_dir": portable_path(fitted.path, project),
                }
            )
            out = cfg.outputs
            # The figure helper starts first, so its imports overlap the NetCDF writes; it
            # is stopped with the block's other resources, however the block ends.
            helper = cluster.enter_context(figure_helper(out.figures or out.report))
            write_run(
                tmp,
                simulation=simulation,
                draw_metrics=metrics,
                config=saved,
                manifest=manifest,
                drivers=drivers,
                pooled=pooled,
                streamed=sink is not None,
            )
            # the report from the datasets still in memory, through the same code as
            # `rutsim report` (which loads the folder): no read-back of what was just written
            written = written_run(tmp, simulation=simulation, draw_metrics=metrics, pooled=pooled)
            files = write_report_files(
                written, tmp, figures=out.figures, report=out.report, helper=helper
            )
            announce(f"writing {shown(final)}")
    _remember_speed(cfg, result, timings)
    table = headline_table(files.table, files.horizons)
    say(f"run {run_id} -> {shown(final)}")
    say(
        format_headline(
            table,
            weights=dict(zip(result.scenario_names, prepared.scenarios.weights, strict=True)),
            quarters=quarters,
            paths_per_scenario=int(result.sample_index.size) * result.n_paths,
        )
    )
    if files.position_horizons:
        say(format_position(files.table, files.portfolio, files.position_horizons, quarters))
    if out.report:
        say(f"report: {shown(final / 'report.html')}")
    return RunResult(run_id, final, simulation, metrics, table, manifest)


def _remember_speed(cfg: RunConfig, result: SimulationResult, timings: dict[str, float]) -> None:
    """Record this machine's simulation speed for the next run's time estimate."""
    sim, dask = cfg.simulation, cfg.dask
    if sim.executor == "dask":
        cores = dask.n_workers * dask.threads_per_worker
    else:
        cores = min(sim.workers, os.cpu_count() or 1)
    steps = len(result.scenario_names) * result.sample_index.size * result.n_paths
    steps *= result.horizon
    first = timings["first_chunk_incl_compile"]
    # The first chunk compiles; the rate is of the chunks after it (all of it for one chunk).
    rest = timings["simulate"] - first
    chunk_steps = steps * min(1.0, result.chunk_size / max(1, result.sample_index.size))
    rate = rest * cores / max(1, steps - chunk_steps) if steps > chunk_steps else 0.0
    remember({SIMULATE_RATE: rate, FIRST_CHUNK: first})


class Prepared(NamedTuple):
    """A run's inputs, checked before any expensive work (see :func:`prepare`).

    Attributes
    ----------
    scenarios : ScenarioSet
    anchor : the last observed quarter of the panel (scenario paths start after it).
    arrays : each scenario's paths on the simulated quarters.
    notes : what the checks want the user to know (unusual values, a long run).
    """

    scenarios: ScenarioSet
    anchor: Anchor
    arrays: list[tuple[str, ScenarioArrays]]
    notes: tuple[str, ...]
    time_note: str = ""
    streams: bool = False


def prepare(cfg: RunConfig, source: str, say: Callable[[str], None]) -> Prepared:
    """Every check that needs no model, in one place, before any fitting or simulating.

    Scenarios must load and their paths be plausible; the run must fit in memory, on
    disk and in a day. (The output folder's writability is checked by the reservation
    of the run folder, just before.) Notes (unusual but
    possible values, a long run) are printed and go into the manifest.
    """
    scen_set = load_scenarios(cfg.scenarios)  # bad scenarios fail before any fitting
    anchor = anchor_from_panel(load_panel(cfg.data), cfg.data, cfg.scenarios.priced_in_strip)
    horizon = cfg.simulation.horizon
    arrays = []
    notes = list(scen_set.notes)
    for s in scen_set.scenarios:
        values = scenario_arrays(
            s,
            first_quarter=anchor.first_quarter,
            horizon=horizon,
            last_observed=anchor.last_observed,
            priced_in=anchor.priced_in,
        )
        notes += check_plausible(s, values)
        arrays.append((s.name, values))
    sim, dask = cfg.simulation, cfg.dask
    budget = estimate_budget(
        sim,
        len(arrays),
        cfg.sampler.chains * cfg.sampler.draws,
        stream_above_mb=cfg.outputs.stream_above_mb,
        workers=dask.n_workers * dask.threads_per_worker if sim.executor == "dask" else None,
    )
    notes += check_budget(budget, outputs_dir=cfg.outputs.dir, source=source)
    notes += executor_notes(cfg)
    if sim.executor == "dask":
        import_distributed()  # a missing extra fails here, before any fitting
    if budget.streams:
        check_zarr_available(
            f"a run whose kept paths take {budget.kept_bytes / 1e6:,.0f} MB "
            f"(above outputs.stream_above_mb = {cfg.outputs.stream_above_mb:g})"
        )
    for note in notes:
        say(f"note: {note}")
    return Prepared(scen_set, anchor, arrays, tuple(notes), budget.describe_time(), budget.streams)


def executor_notes(cfg: RunConfig) -> list[str]:
    """Return the settings that have no effect with the chosen executor (notes, not errors)."""
    if cfg.simulation.executor == "local" and (
        "dask" in cfg.model_fields_set or cfg.dask != DaskConfig()
    ):
        return [
            'the config has a [dask] section but simulation.executor = "local": the run '
            'uses threads in this process. Set simulation.executor = "dask" to use it.'
        ]
    return []


@contextlib.contextmanager
def _executor(cfg: RunConfig) -> Iterator[Runner]:
    """Yield the runner of the simulation's chunks: local threads, or the ``[dask]`` cluster."""
    if cfg.simulation.executor == "dask":
        with dask_client(cfg.dask) as client:
            yield dask_runner(client)
    else:
        yield thread_runner(cfg.simulation.workers)


def _zarr_writer(
    folder: Path,
    cfg: RunConfig,
    fitted: FittedModel,
    prepared: Prepared,
    quarters: Sequence[str],
    provenance: Mapping[str, str | int | float],
) -> ZarrPathWriter | None:
    """Return the streaming writer of a large run's ``simulation.zarr`` (else None)."""
    if not prepared.streams:
        return None
    sim = cfg.simulation
    plan = plan_chunks(sim, len(prepared.arrays), _posterior_size(fitted))
    return ZarrPathWriter(
        folder / SIMULATION_ZARR,
        scenario_names=[name for name, _ in prepared.arrays],
        sample_index=plan.sample_index,
        n_paths=sim.paths_per_draw,
        horizon=sim.horizon,
        dtype=sim.dtype,
        keep=plan.keep,
        chunk=plan.chunk,
        quarters=quarters,
        draws_per_chain=_draws_per_chain(fitted),
        attrs=provenance,
    )


def _posterior_size(fitted: FittedModel) -> int:
    return int(np.shape(next(iter(fitted.params)))[0])


def _draws_per_chain(fitted: FittedModel) -> int | None:
    return int(fitted.posterior["posterior"].sizes.get("draw", 0)) or None


def _simulate(
    cfg: RunConfig,
    fitted: FittedModel,
    prepared: Prepared,
    progress: bool,
    runner: Runner,
    keep_sink: ZarrPathWriter | None,
) -> SimulationResult:
    sim = cfg.simulation
    sizes = fitted.posterior["posterior"].sizes
    n_draws = min(sim.max_draws, int(sizes.get("chain", 1) * sizes.get("draw", 1)))
    announce(
        f"simulating {len(prepared.arrays)} scenarios x {n_draws:,} posterior draws x "
        f"{sim.paths_per_draw:,} paths x {sim.horizon} quarters ({prepared.time_note})"
    )
    columns = (*Progress.get_default_columns(), TimeElapsedColumn())
    with Progress(*columns, transient=True, disable=not progress) as bar:
        task = bar.add_task("simulating", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return run_simulation(
            sim.seed,
            fitted.params,
            fitted.initial,
            prepared.arrays,
            sim,
            fitted.shocks,
            DrawReducer(
                blend_weights=tuple(float(w) for w in prepared.scenarios.weights),
                antithetic=sim.antithetic,
            ),
            progress=update,
            pooler=bin_paths,
            runner=runner,
            keep_sink=keep_sink,
        )


def _provenance(
    cfg: RunConfig, fitted: FittedModel, run_id: str, config_hash: str, versions: dict[str, str]
) -> dict[str, str | int | float]:
    """Return the attrs every dataset of the run carries: ids, hashes, seed, versions."""
    return {
        "run_id": run_id,
        "config_json": json.dumps(cfg.to_json_dict(), sort_keys=True),
        "config_hash": config_hash,
        "model_id": fitted.model_id,
        "posterior_hash": fitted.posterior_hash,
        "data_hash": fitted.manifest.data_hash,
        "seed": cfg.simulation.seed,
        "versions_json": json.dumps(versions, sort_keys=True),
        "as_of": fitted.manifest.as_of,
    }


def _datasets(
    result: SimulationResult,
    quarters: Sequence[str],
    fitted: FittedModel,
    cfg: RunConfig,
    provenance: dict[str, str | int | float],
    prepared: Prepared,
    streamed_to: Path | None,
) -> tuple[xr.Dataset, xr.Dataset, xr.Dataset]:
    """Build the kept paths, ``draw_metrics.nc`` and ``pooled.nc``, carrying the provenance.

    The kept paths are a new dataset, or (``streamed_to``) the ``simulation.zarr``
    written there during the simulation, opened lazily.
    """
    draws_per_chain = _draws_per_chain(fitted)
    if streamed_to is None:
        simulation = simulation_dataset(
            result, quarters=quarters, draws_per_chain=draws_per_chain, attrs=provenance
        )
    else:
        simulation = add_derived(open_simulation_zarr(streamed_to / SIMULATION_ZARR))
    short = {k: v for k, v in provenance.items() if k != "config_json"}
    coords = sample_coords(result, quarters, draws_per_chain)
    # The reducer appended the per-draw blend as one more scenario entry.
    coords["scenario"] = ("scenario", np.array([*result.scenario_names, BLEND], dtype=str))
    weights = json.dumps([float(w) for w in prepared.scenarios.weights])
    metrics = draw_metrics_dataset(
        result.metrics, coords=coords, attrs={**short, BLEND_WEIGHTS_ATTR: weights}
    )
    pooled = pooled_dataset(
        result.pooled,
        scenarios=result.scenario_names,
        horizon=result.horizon,
        attrs=short,
        weights=[float(w) for w in prepared.scenarios.weights],
    )
    return simulation, metrics, pooled


def _manifest(
    run_id: str,
    config_hash: str,
    cfg: RunConfig,
    fitted: FittedModel,
    result: SimulationResult,
    quarters: Sequence[str],
    prepared: Prepared,
    versions: dict[str, str],
    timings: dict[str, float],
) -> RunManifest:
    return RunManifest(
        run_id=run_id,
        created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        config_hash=config_hash,
        model_id=fitted.model_id,
        posterior_hash=fitted.posterior_hash,
        model_dir=str(fitted.path),
        data_hash=fitted.manifest.data_hash,
        seed=cfg.simulation.seed,
        as_of=fitted.manifest.as_of,
        first_quarter=quarters[0],
        versions=versions,
        sizes=RunSizes(
            scenarios=len(result.scenario_names),
            samples=int(result.sample_index.size),
            paths_per_draw=result.n_paths,
            kept_paths=min(cfg.simulation.keep_paths, result.n_paths),
            horizon=result.horizon,
            chunk_size=result.chunk_size,
            dtype=result.dtype,
        ),
        scenarios=tuple(
            ScenarioEntry(
                name=s.name,
                weight=w,
                description=s.description,
                file=str(Path(cfg.scenarios.dir) / f"{s.name}.toml"),
            )
            for s, w in zip(prepared.scenarios.scenarios, prepared.scenarios.weights, strict=True)
        ),
        scenario_notes=prepared.notes,
        executor=cfg.simulation.executor,
        timings_s={k: round(v, 3) for k, v in timings.items()},
        priced_in=tuple(round(v, 6) for v in prepared.anchor.priced_in),
    )


def central_drivers(dataset: xr.Dataset, fitted: FittedModel, prepared: Prepared) -> pd.DataFrame:
    """Split each scenario's central path into its drivers.

    The parts: valuation, earnings, rates, policy surprise, credit and activity.

    The central macro path of a scenario is the median over samples and kept paths of
    each simulated macro variable; the split is :func:`rutsim.model.decompose`'s, with the
    policy surprise read off the central fed funds path against what was priced in.
    """
    central = {}
    for name in dataset["scenario"].values:
        one = dataset.sel(scenario=name)
        central[str(name)] = {
            v: quantile(
                np.asarray(one[v].values, np.float64).reshape(-1, one.sizes["horizon"]), 0.5, axis=0
            )
            for v in DRIVERS
        }
    priced = {name: np.asarray(arrays.priced_in) for name, arrays in prepared.arrays}
    pinned = {name: np.asarray(arrays.pinned)[:, 0] for name, arrays in prepared.arrays}
    return driver_table(
        fitted.params._asdict(),
        fitted.initial._asdict(),
        central,
        priced_in=priced,
        pinned=pinned,
    )
